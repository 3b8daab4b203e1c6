"""`sst-dev bind -- CMD [ARGS...]`: run a command with every resource of the app bound, as `sst bind` does.

How it works: the command gets the app's binding variables (`SST_Bucket_bucketName_myFiles`, secrets as
`__FETCH_FROM_SSM__`, `SST_APP`, ...) and `AWS_ENDPOINT_URL`, region and credentials for an emulator, so
`devserver.resources` and unmodified boto3 code behave as inside a function. The emulator is the running
`sst-dev start`'s for this app and stage when there is one (found through `.sst/dev.json` and checked alive);
otherwise one is started here for the command's lifetime, with the app's buckets, bound values and stored secrets
created in it, and stopped after. Ctrl-C reaches the command (it shares the terminal's process group); we wait
for it and exit with its status.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator

from devserver.app.binding import all_bindings_environment, bound_parameters
from devserver.app.model import AppSpec
from devserver.commands.common import resolve_stage
from devserver.errors import UserError
from devserver.state.files import emulator_state_dir
from devserver.state.running_server import EmulatorEndpoint, find_running_server, load_app_for_tools
from devserver.state.secrets import SecretsStore

__all__ = ["register", "run"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    bind = commands.add_parser(
        "bind",
        parents=[common],
        help="run a command with every resource of the app bound (e.g. your tests)",
        description="Run CMD with the app's resources bound: SST_* binding variables plus AWS_ENDPOINT_URL, region "
        "and credentials for the running dev server's emulator, or for one started for the command's lifetime. "
        "Exits with CMD's status.",
    )
    bind.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- CMD [ARGS...]", help="the command to run")


def run(args: argparse.Namespace) -> int:
    command = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not command:
        raise UserError("bind needs a command to run: sst-dev bind -- CMD [ARGS...]")
    if shutil.which(command[0]) is None:  # before an emulator is started for nothing
        raise UserError(f"bind: command not found: {command[0]}")
    stage = resolve_stage(args)
    app = load_app_for_tools(args.app, stage)
    with _emulator_for(app) as emulator:
        environment = os.environ | all_bindings_environment(app) | emulator.environment()
        return _run_command(command, environment)


@contextlib.contextmanager
def _emulator_for(app: AppSpec) -> Iterator[EmulatorEndpoint]:
    server = find_running_server(app.app_dir, app.stage, app_name=app.name)
    if server is not None and server.emulator is not None:
        yield server.emulator  # `start` keeps its own emulator's resources and secrets in place
        return
    from devserver.aws.provision import provision_app
    from emulator.process import EmulatorProcess, EmulatorStartError

    # The stage's persisted data, as `start` would show it; the folder's lock refuses a second emulator on it.
    process = EmulatorProcess(region=app.region, state_dir=emulator_state_dir(app.app_dir, app.stage))
    try:
        process.start()
    except EmulatorStartError as error:
        raise UserError(str(error)) from None
    try:
        parameters = bound_parameters(app) | SecretsStore(app.app_dir, app.stage).parameters(app.name)
        provision_app(process.client, app, parameters)
        credentials = process.credentials
        yield EmulatorEndpoint(
            process.endpoint, process.region, credentials.access_key_id, credentials.secret_access_key
        )
    finally:
        process.stop()


def _run_command(command: list[str], environment: dict[str, str]) -> int:
    try:
        child = subprocess.Popen(command, env=environment)
    except OSError as error:
        raise UserError(f"bind: cannot run {command[0]}: {error.strerror}") from None
    # The terminal sends Ctrl-C to the child as well; we only wait for it to finish and report its status.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        status = child.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
    return 128 - status if status < 0 else status  # killed by a signal: the shell's 128+N
