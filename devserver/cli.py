"""The `sst-dev` command.

Known problems (a taken port, a bad `sst.config.py`, a missing app folder) end in one line on stderr and exit
status 1; anything else is a bug in sst-dev and keeps its traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import re
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from devserver.errors import StartError

__all__ = ["default_stage", "main"]


def default_stage() -> str:
    """The local user name, as SST's default stage, reduced to the characters a stage may hold."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "local"
    return re.sub(r"[^A-Za-z0-9-]+", "-", user).strip("-") or "local"


def _port(value: str) -> int:
    port = int(value)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0-65535)")
    return port


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sst-dev", description="Local development server and AWS emulator for serverless apps."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--app", type=Path, default=Path("."), help="the app folder holding sst.config.py (default: .)")
    common.add_argument("--stage", default=None, help="the stage name (default: your user name)")

    start = commands.add_parser(
        "start", parents=[common], help="serve the app's APIs and functions locally, with hot reload"
    )
    start.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, loopback only)")
    start.add_argument("--port", type=_port, default=3000, help="port of the first Api; more Apis use the next ports")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "start":
            return _start(args)
    except StartError as error:
        print(f"sst-dev: error: {error}", file=sys.stderr)
        return 1
    raise AssertionError(f"unhandled command {args.command}")


def _start(args: argparse.Namespace) -> int:
    from devserver.server import DevServer, ServerOptions
    from devserver.terminal import Terminal

    options = ServerOptions(app_dir=args.app, stage=args.stage or default_stage(), host=args.host, port=args.port)
    terminal = Terminal()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        terminal.warning(f"listening on {args.host}: your functions are reachable from other machines")

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await DevServer(options, terminal=terminal).serve_forever(stop)

    # uvloop (shipped with uvicorn[standard]) where available: the same loop uvicorn itself would pick.
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(run())
    return 0


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


if __name__ == "__main__":
    sys.exit(main())
