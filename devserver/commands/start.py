"""`sst-dev start`: serve the app's Apis and functions locally, with hot reload."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from devserver.commands.common import port_number, resolve_stage

__all__ = ["register", "run"]

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    start = commands.add_parser(
        "start", parents=[common], help="serve the app's APIs and functions locally, with hot reload"
    )
    start.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, loopback only)")
    start.add_argument(
        "--port", type=port_number, default=3000, help="port of the first Api; more Apis use the next ports"
    )
    start.add_argument(
        "--debug",
        nargs="*",
        metavar="FUNCTION",
        default=None,
        help="run these functions (all if none named; Lambda names or handler strings) under debugpy for an editor",
    )
    start.add_argument(
        "--debug-port", type=port_number, default=5678, help="debugpy port of the first debugged function (0: any)"
    )
    start.add_argument(
        "--no-iam",
        dest="enforce_iam",
        action="store_false",
        help="do not check functions' AWS calls against what they bind and their permissions",
    )
    start.add_argument(
        "--emulator-port", type=port_number, default=0, help="port of the AWS emulator endpoint (default: any free one)"
    )
    start.add_argument(
        "--cloud",
        action="store_true",
        help="create the app's resources in the AWS account of the standard credential chain (or AWS_ENDPOINT_URL) "
        "instead of the emulator; handlers still run here",
    )
    start.add_argument(
        "--allow-prod", action="store_true", help="let --cloud use a stage named like production (prod, production)"
    )


def run(args: argparse.Namespace) -> int:
    from devserver.debug.settings import DebugSettings
    from devserver.server import DevServer, ServerOptions
    from devserver.terminal import Terminal
    from emulator.quiet_server import event_loop_factory

    options = ServerOptions(
        app_dir=args.app,
        stage=resolve_stage(args),
        host=args.host,
        port=args.port,
        emulator_port=args.emulator_port,
        enforce_iam=args.enforce_iam,
        cloud=args.cloud,
        allow_prod=args.allow_prod,
        debug=DebugSettings(
            pdb=sys.stdin.isatty(),
            debugpy=args.debug is not None,
            debugpy_functions=tuple(args.debug or ()),
            debugpy_port=args.debug_port,
        ),
    )
    terminal = Terminal()
    if args.host not in LOOPBACK:
        terminal.warning(f"listening on {args.host}: your functions are reachable from other machines")

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await DevServer(options, terminal=terminal).serve_forever(stop)

    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        runner.run(serve())
    return 0
