"""`sst-dev invoke FUNCTION [--event FILE|-]`: run one function once and print what it returned.

How it works: FUNCTION is a route key, a function name or a handler string (`devserver.app.invoke_target`). Without
`--event`, the function gets a default event for its trigger (`AppEvents.for_target`): a request to its route,
a write its bucket notification matches, or `{}`. When `sst-dev start` runs for the app and stage (found through
`.sst/dev.json`), the event goes to it over `POST /_sst/api/invoke` and runs in its warm workers; otherwise a dev
server is started in this process for the command's lifetime (ephemeral ports, no file watching, its own output
kept quiet) and stopped after. The result is printed as JSON on stdout and the function's log lines on stderr,
followed by Lambda's `REPORT` line. A handler error prints Lambda's error payload on stdout, the error and its
traceback on stderr, and exits with status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devserver.commands.common import port_number, resolve_stage
from devserver.debug.settings import DebugSettings
from devserver.errors import UserError
from devserver.state.running_server import RunningServer, find_running_server, load_app_for_tools

if TYPE_CHECKING:
    from devserver.app.invoke_target import InvokeTarget
    from devserver.app.model import AppSpec
    from devserver.runtime.invocation import Invocation

__all__ = ["register", "run"]

# Loopback only: a proxy configured in the environment (http_proxy) must not see these requests.
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))
COLD_START_ALLOWANCE_SECONDS = 30.0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    invoke = commands.add_parser(
        "invoke",
        parents=[common],
        help="invoke one function with a JSON event and print its result and logs",
        description="Invoke FUNCTION (a route key such as 'GET /hello/{name}', a function name, or a handler string "
        "such as functions/hello.main) once. Without --event it gets a default event for its trigger: a request to "
        "its route, or a write its bucket notification matches. Uses the running `sst-dev start` when there is one. "
        "Prints the result as JSON on stdout and the logs on stderr; exits 1 if the handler fails.",
    )
    invoke.add_argument("function", metavar="FUNCTION", help="route key, function name or handler string")
    invoke.add_argument(
        "--event", metavar="FILE|-", default=None, help="a JSON file holding the event, or - to read it from stdin"
    )
    invoke.add_argument(
        "--debug",
        action="store_true",
        help="run the function under debugpy and wait for an editor to attach before invoking it",
    )
    invoke.add_argument("--debug-port", type=port_number, default=5678, help="debugpy port (0: any free one)")


def run(args: argparse.Namespace) -> int:
    from devserver.app.invoke_target import find_target
    from devserver.triggers.invoke_events import AppEvents

    stage = resolve_stage(args)
    event = None if args.event is None else _read_event(args.event)
    app = load_app_for_tools(args.app, stage)
    target = find_target(app, args.function)  # fails before anything is started
    server = find_running_server(app.app_dir, stage, app_name=app.name)
    if args.debug:
        outcome = asyncio.run(_invoke_debugged(app, server, target, event, args.debug_port))
    elif server is not None:
        events = AppEvents(app, api_url=lambda api_id: server.api_urls[api_id])
        payload = events.for_target(target) if event is None else event
        outcome = _invoke_running(server, args.function, payload, target.function.timeout)
    else:
        outcome = asyncio.run(_invoke_embedded(app, args.function, event, DebugSettings(pdb=sys.stdin.isatty())))
    return _report(outcome)


def _read_event(source: str) -> dict[str, Any]:
    where = "stdin" if source == "-" else source
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text()
    except OSError as error:
        raise UserError(f"--event {where}: cannot read it ({error.strerror})") from None
    try:
        event = json.loads(text)
    except ValueError as error:
        raise UserError(f"--event {where}: not valid JSON ({error})") from None
    if not isinstance(event, dict):
        raise UserError(f"--event {where}: the event must be a JSON object, not {type(event).__name__}")
    return event


def _invoke_running(server: RunningServer, function: str, event: object, timeout: float) -> Invocation:
    from devserver.console.invoke import invocation_from_document

    request = urllib.request.Request(
        f"{server.console_url}api/invoke",
        data=json.dumps({"function": function, "event": event}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with _LOCAL.open(request, timeout=timeout + COLD_START_ALLOWANCE_SECONDS) as response:
            return invocation_from_document(json.loads(response.read()))
    except urllib.error.HTTPError as error:
        detail = _error_message(error.read())
        raise UserError(f"the running dev server refused the invocation: {detail}") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UserError(
            f"the running dev server at {server.console_url} did not answer the invocation: {error}"
        ) from None


def _error_message(body: bytes) -> str:
    try:
        return str(json.loads(body)["message"])
    except (ValueError, KeyError, TypeError):
        return body[:200].decode(errors="replace")


async def _invoke_debugged(
    app: AppSpec, server: RunningServer | None, target: InvokeTarget, event: dict[str, Any] | None, port: int
) -> Invocation:
    """`--debug`: always a local worker under debugpy, waiting for the editor; bound to the running server's
    emulator (with the account's credentials) when there is one, else to an embedded server's."""
    from dataclasses import replace

    from devserver.app.binding import binding_environment
    from devserver.app.model import frozen_mapping
    from devserver.commands.invoke_debug import invoke_settings, invoke_with_debugger
    from devserver.triggers.invoke_events import AppEvents

    settings = invoke_settings(target.function, debugpy=True, terminal=sys.stdin.isatty(), port=port)
    if server is None or server.emulator is None:
        return await _invoke_embedded(app, target.function.name, event, settings)
    function = target.function
    bound = replace(
        function, environment=frozen_mapping({**binding_environment(app, function), **function.environment})
    )
    payload = (
        AppEvents(app, api_url=lambda api_id: server.api_urls[api_id]).for_target(target) if event is None else event
    )
    return await invoke_with_debugger(
        bound,
        payload,
        settings,
        base_environment=server.emulator.environment(),
        log_sink=lambda name, request_id, line: print(line, file=sys.stderr),
        announce=lambda line: print(line, file=sys.stderr),
    )


async def _invoke_embedded(
    app: AppSpec, function: str, event: dict[str, Any] | None, debug: DebugSettings
) -> Invocation:
    from devserver.app.invoke_target import find_target
    from devserver.server import DevServer, ServerOptions
    from devserver.terminal import Terminal
    from devserver.triggers.invoke_events import AppEvents

    server = DevServer(
        ServerOptions(app_dir=app.app_dir, stage=app.stage, port=0, watch=False, publish=False, debug=debug),
        terminal=Terminal(io.StringIO() if not debug.debugpy else sys.stderr),
    )
    await server.start()
    try:
        target = find_target(server.app, function)
        payload = AppEvents(server.app, api_url=server.api_url).for_target(target) if event is None else event
        return await server.invoke(target.function, payload)
    finally:
        await server.stop()


def _report(outcome: Invocation) -> int:
    for line in outcome.logs:
        print(line.rstrip("\n"), file=sys.stderr)
    init = f"  Init Duration: {outcome.init_duration_ms:.2f} ms" if outcome.init_duration_ms is not None else ""
    print(f"REPORT RequestId: {outcome.request_id}  Duration: {outcome.duration_ms:.2f} ms{init}", file=sys.stderr)
    if outcome.error is None:
        print(json.dumps(outcome.result, indent=2))
        return 0
    error = outcome.error
    print(json.dumps(error.to_payload(), indent=2))
    print(f"{outcome.function_name} failed: {error.error_type}: {error.error_message}", file=sys.stderr)
    for frame in error.stack_trace:
        print(frame.rstrip("\n"), file=sys.stderr)
    return 1
