"""The `sst-dev` command: parses the flags and hands over to `devserver.commands.<name>`.

Known problems (a taken port, a bad `sst.config.py`, a missing app folder, a bad secret name) end in one line on
stderr and exit status 1; anything else is a bug in sst-dev and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from devserver.errors import UserError

__all__ = ["COMMANDS", "main"]

COMMANDS = ("start", "bind", "secrets", "invoke", "types", "reset", "remove")
"""Subcommand modules under `devserver.commands`, in `--help` order."""


def _modules() -> dict[str, ModuleType]:
    return {name: importlib.import_module(f"devserver.commands.{name}") for name in COMMANDS}


def _parser(modules: dict[str, ModuleType]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sst-dev", description="Local development server and AWS emulator for serverless apps."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--app", type=Path, default=Path("."), help="the app folder holding sst.config.py (default: .)")
    common.add_argument("--stage", default=None, help="the stage name (default: your user name)")
    for module in modules.values():
        module.register(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    modules = _modules()
    args = _parser(modules).parse_args(argv)
    try:
        return int(modules[args.command].run(args))
    except UserError as error:
        print(f"sst-dev: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
