"""`sst-dev reset`: forget a stage's persisted emulator data (buckets and objects) and its secret values.

The emulator keeps S3 data under `.sst/state/emulator/<stage>/` (see `emulator.moto.persistence`) and secrets under
`.sst/state/secrets/` (see `devserver.state.secrets`); both survive restarts, so this is the way back to an empty
stage. Fallback secret values are shared by every stage and stay. The emulator's lock on the folder
(`emulator.store.state_lock`) makes a reset while `sst-dev start` runs on that stage fail instead of pulling files from
under it.
"""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Callable

from devserver.commands.common import ask_on_terminal, resolve_stage
from devserver.errors import UserError
from devserver.state.files import emulator_state_dir
from devserver.state.secrets import SecretsStore
from emulator.store.state_lock import StateDirError, lock_state_dir, s3_root

__all__ = ["register", "run"]

Confirm = Callable[[str], bool]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    reset = commands.add_parser(
        "reset",
        parents=[common],
        help="delete the stage's persisted buckets, queues, tables and secret values",
        description="Delete everything the emulator persisted for the stage under .sst/state/<stage>/ (buckets and "
        "objects) and the stage's secret values. Asks for confirmation; --yes skips the question, and is required "
        "when stdin is not a terminal. Refused while `sst-dev start` runs for the stage.",
    )
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def _ask_on_terminal(question: str) -> bool:
    return ask_on_terminal(question, "reset")


def run(args: argparse.Namespace, confirm: Confirm = _ask_on_terminal) -> int:
    app_dir = args.app.resolve()
    if not app_dir.is_dir():
        raise UserError(f"app folder {app_dir} does not exist")
    secrets = SecretsStore(app_dir, resolve_stage(args))  # checks the stage name before it becomes a path
    state_dir = emulator_state_dir(app_dir, secrets.stage)
    question = f"Delete the buckets, queues, tables and secret values of stage {secrets.stage!r} of {app_dir}?"
    if not args.yes and not confirm(question):
        print("Nothing deleted.")
        return 1
    try:
        lock = lock_state_dir(state_dir)
    except StateDirError as error:
        hint = ": stop `sst-dev start` for this stage first" if error.code == "Emulator.StateInUse" else ""
        raise UserError(f"{error}{hint}") from None
    try:
        for entry in s3_root(state_dir).iterdir():
            if entry.is_dir():
                shutil.rmtree(entry)
            elif entry.name != ".lock":
                entry.unlink()
    finally:
        os.close(lock)
    names = sorted(secrets.values())
    for name in names:
        secrets.remove(name)
    print(f"Reset stage {secrets.stage!r}: emulator data in {state_dir} and {len(names)} secret value(s) deleted.")
    return 0
