"""`sst-dev types`: regenerate the typed stubs of `devserver.resources` for the app (`start` does it too)."""

from __future__ import annotations

import argparse

from devserver.commands.common import resolve_stage
from devserver.state.running_server import load_app_for_tools
from devserver.state.types import MYPY_SETTING, PYRIGHT_SETTING, is_configured, write_types

__all__ = ["register", "run"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    commands.add_parser(
        "types",
        parents=[common],
        help="regenerate the typed resource stubs under .sst/types/",
        description="Write .sst/types/devserver/resources.pyi, which types Bucket, Config, ... with the app's own "
        "resource names, so mypy or pyright flag a name the app does not declare. Put .sst/types on the checker's "
        f"path once: under [tool.mypy] in pyproject.toml, {MYPY_SETTING} (mypy.ini: the same without quotes); "
        f"for pyright, under [tool.pyright], {PYRIGHT_SETTING}.",
    )


def run(args: argparse.Namespace) -> int:
    app = load_app_for_tools(args.app, resolve_stage(args))
    root = write_types(app, app.app_dir)
    print(f"Wrote typed resources for {app.name} to {root}")
    if not is_configured(app.app_dir):
        print(f"To type-check resource names, add under [tool.mypy] in pyproject.toml: {MYPY_SETTING}")
        print(f"  (pyright: under [tool.pyright], {PYRIGHT_SETTING})")
    return 0
