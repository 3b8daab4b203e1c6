"""`sst-dev remove --cloud`: delete what `start --cloud` created in the account for an app stage, and nothing else.

It lists what the stage owns (`devserver.cloud.removal`), asks for confirmation unless `--yes`, and deletes it;
`--dry-run` only lists. Offline data is not touched here: that is `sst-dev reset`.
"""

from __future__ import annotations

import argparse

from devserver.commands.common import ask_on_terminal, resolve_stage
from devserver.errors import UserError

__all__ = ["register", "run"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    remove = commands.add_parser(
        "remove",
        parents=[common],
        help="delete what --cloud created in the AWS account for a stage",
        description="Delete the buckets (emptied first, every version), SSM parameters, queues, topics, tables and "
        "event buses that `sst-dev start --cloud` created for the stage: only resources tagged sst:app and "
        "sst:stage with this app and stage.",
    )
    remove.add_argument("--cloud", action="store_true", help="required: the resources are in the AWS account")
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    remove.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")


def run(args: argparse.Namespace) -> int:
    if not args.cloud:
        raise UserError("remove deletes resources in the AWS account: pass --cloud (for offline data: sst-dev reset)")
    from devserver.cloud.commands import cloud_app, cloud_errors
    from devserver.cloud.removal import find_owned, remove_owned

    stage = resolve_stage(args)
    app, account = cloud_app(args.app.resolve(), stage)
    where = f"{app.name} stage {stage!r}"
    with cloud_errors(f"the resources of {where}"):
        owned = find_owned(account, app.name, stage)
        lines = owned.lines()
        if not lines:
            print(f"Nothing of {where} in the account.")
            return 0
        print(f"{len(lines)} resource(s) of {where} in the account:")
        for line in lines:
            print(f"  {line}")
        if args.dry_run:
            print("Dry run: nothing deleted.")
            return 0
        question = f"Delete these {len(lines)} resource(s), with every object and version?"
        if not args.yes and not ask_on_terminal(question, "remove"):
            print("Nothing deleted.")
            return 1
        remove_owned(account, owned)
    print(f"Removed {len(lines)} resource(s) of {where}.")
    return 0
