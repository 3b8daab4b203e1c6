"""`sst-dev secrets set|get|list|remove|load`: the values of the app's `Config.Secret`s, per stage.

Values are kept under `.sst/state/secrets/` (see `devserver.state.secrets`). When `sst-dev start` runs for the
same app folder and stage, a change is also written to its emulator's SSM, where functions read secrets, and the
server is told so it retires the warm workers bound to those secrets: the next invocation sees the new value.
`sst.config.py` is not executed: the store belongs to the app folder, and the SSM paths use the app name the
running server reports, so secrets can be managed even while the config has an error.
With `--cloud` the values live in the AWS account's SSM instead (`devserver.cloud.secrets`), at SST's paths; the
config is loaded for the app's name.
No output prints a secret's value except `get` and `list --reveal`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from devserver.app.binding import secret_parameters
from devserver.app.loader import CONFIG_FILE
from devserver.commands.common import resolve_stage
from devserver.errors import UserError
from devserver.state.running_server import find_running_server
from devserver.state.secrets import SecretsStore, SecretValues, check_secret_name, parse_dotenv

__all__ = ["MASK", "register", "run"]

MASK = "********"
_FORMATS = ("table", "json", "env")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    secrets = commands.add_parser(
        "secrets",
        help="set, read and remove the values of the app's Config.Secret constructs",
        description="Manage secret values per stage. Values are stored under .sst/state/secrets/ (mode 0600) and, "
        "while `sst-dev start` runs, pushed to its emulator's SSM so the next invocation sees them. "
        "Flags follow the action: sst-dev secrets set STRIPE_KEY sk_test_123 --stage prod.",
    )
    actions = secrets.add_subparsers(dest="action", required=True, metavar="ACTION")
    fallback = argparse.ArgumentParser(add_help=False)
    fallback.add_argument(
        "--fallback", action="store_true", help="the fallback value, used by every stage that sets none"
    )
    fallback.add_argument(
        "--cloud",
        action="store_true",
        help="the values in the AWS account's SSM (SecureString, SST's paths) instead of .sst/state/secrets/",
    )
    parents = [common, fallback]

    set_ = actions.add_parser("set", parents=parents, help="set a secret's value")
    set_.add_argument("name", metavar="KEY", help="the Config.Secret id, e.g. STRIPE_KEY")
    set_.add_argument("value", metavar="VALUE", help="the value, or - to read it from stdin (keeps it out of history)")

    get = actions.add_parser("get", parents=parents, help="print a secret's value (the stage's, else the fallback's)")
    get.add_argument("name", metavar="KEY")

    list_ = actions.add_parser(
        "list", parents=parents, help="list the secrets set for the stage (values masked unless --reveal)"
    )
    list_.add_argument("--format", choices=_FORMATS, default="table", help="output format (default: table)")
    list_.add_argument("--reveal", action="store_true", help="print the values instead of masking them")

    remove = actions.add_parser("remove", parents=parents, help="remove a secret's value")
    remove.add_argument("name", metavar="KEY")

    load = actions.add_parser("load", parents=parents, help="set every NAME=value of a dotenv file (all or nothing)")
    load.add_argument("file", type=Path, metavar="FILE")


def run(args: argparse.Namespace) -> int:
    app_dir = args.app.resolve()
    if not (app_dir / CONFIG_FILE).is_file():  # else `set` would create .sst/ in whatever folder it was given
        raise UserError(f"{app_dir} has no {CONFIG_FILE} (pass --app DIR pointing at your app folder)")
    stage = resolve_stage(args)
    if args.cloud:
        from devserver.cloud.commands import cloud_errors, cloud_secrets

        with cloud_errors(f"the SSM parameters of stage {stage!r}'s secrets"):
            return _run(args, cloud_secrets(app_dir, stage))
    return _run(args, SecretsStore(app_dir, stage))


def _run(args: argparse.Namespace, store: SecretValues) -> int:
    action = args.action
    if action == "get":
        return _get(store, check_secret_name(args.name), fallback=args.fallback)
    if action == "list":
        return _list(store, args.format, reveal=args.reveal, fallback=args.fallback)
    if action == "set":
        values = {check_secret_name(args.name): sys.stdin.read().rstrip("\n") if args.value == "-" else args.value}
    elif action == "load":
        values = _read_dotenv(args.file)
    else:
        name = check_secret_name(args.name)
        if not store.remove(name, fallback=args.fallback):
            raise UserError(f"secret {name} has no {_where(store, args.fallback)} value to remove")
        print(f"Removed the {_where(store, args.fallback)} value of {name}.")
        if not args.cloud:
            _push(store, {}, [name], fallback=args.fallback)
        return 0
    store.set(values, fallback=args.fallback)
    print(f"Set {', '.join(values)} ({_where(store, args.fallback)}).")
    if not args.cloud:
        _push(store, values, [], fallback=args.fallback)
    return 0


def _where(store: SecretValues, fallback: bool) -> str:
    return "fallback" if fallback else f'stage "{store.stage}"'


def _read_dotenv(path: Path) -> dict[str, str]:
    try:
        text = path.read_text()
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror}") from None
    values = parse_dotenv(text, str(path))
    if not values:
        raise UserError(f"{path} sets no secrets (expected NAME=value lines)")
    return values


def _get(store: SecretValues, name: str, *, fallback: bool) -> int:
    value = store.get(name, fallback=True) if fallback else store.get(name) or store.get(name, fallback=True)
    if value is None:
        raise UserError(f'secret {name} is not set for {_where(store, fallback)}; set it with: sst-dev secrets set '
                        f'{name} <value> --stage {store.stage}{" --fallback" if fallback else ""}')  # fmt: skip
    print(value)
    return 0


def _list(store: SecretValues, output: str, *, reveal: bool, fallback: bool) -> int:
    rows = {name: (value, "fallback") for name, value in store.values(fallback=True).items()}
    if not fallback:
        rows |= {name: (value, "stage") for name, value in store.values().items()}
    shown = {name: (value if reveal else MASK, source) for name, (value, source) in sorted(rows.items())}
    if output == "json":
        print(json.dumps({name: value for name, (value, _) in shown.items()}, indent=2))
    elif output == "env":
        for name, (value, _) in shown.items():
            print(f"{name}={json.dumps(value)}")  # double-quoted with escapes: `secrets load` reads it back
    elif not shown:
        print(f"No secrets set for {_where(store, fallback)}.")
    else:
        width = max(len("NAME"), *(len(name) for name in shown))
        print(f"{'NAME':<{width}}  {'VALUE':<{len(MASK)}}  SOURCE")
        for name, (value, source) in shown.items():
            print(f"{name:<{width}}  {value:<{len(MASK)}}  {source}")
    return 0


def _push(store: SecretValues, values: Mapping[str, str], removed: Sequence[str], *, fallback: bool) -> None:
    """Mirror the change into a running server's SSM and have it retire the warm workers bound to these names."""
    server = find_running_server(store.app_dir, store.stage)
    if server is None or server.emulator is None:
        return
    from botocore.exceptions import ClientError  # not at import: every `sst-dev` run imports this module

    ssm = server.emulator.client("ssm")
    for name, (value, secure) in secret_parameters(server.app, store.stage, values, fallback=fallback).items():
        ssm.put_parameter(Name=name, Value=value, Type="SecureString" if secure else "String", Overwrite=True)
    for name in secret_parameters(server.app, store.stage, dict.fromkeys(removed, ""), fallback=fallback):
        try:
            ssm.delete_parameter(Name=name)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ParameterNotFound":
                raise
    names = [*values, *removed]
    if server.notify_secrets_changed(names):
        print("The running dev server has it: bound functions see it on their next invocation.")
    else:
        print("warning: the running dev server did not confirm the change; restart it if functions see old values")
