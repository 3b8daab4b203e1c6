"""The Console's Functions API: every function of the app with its settings, and invoking one with a JSON event.

An invocation made here runs through the same worker pool as API routes and notifications, with the function's
bindings, and is recorded (trigger `console`) so it shows in the live Invocations stream like any other.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request

from devserver.app.invoke_target import find_target
from devserver.app.model import FunctionSpec
from devserver.console.errors import ConsoleError
from devserver.console.origin import same_origin_only
from devserver.triggers.invoke_events import AppEvents

if TYPE_CHECKING:
    from devserver.console.host import ConsoleHost

__all__ = ["functions_router", "invoke_from_console", "parse_event"]

CONSOLE_TRIGGER = "console"


def parse_event(body: bytes) -> dict[str, object]:
    """The JSON event typed into the Console's editor: an object (an empty body is `{}`)."""
    if not body.strip():
        return {}
    try:
        event = json.loads(body)
    except ValueError as error:
        raise ConsoleError(
            400, "InvalidPayload", f"the event is not valid JSON: {error}", body[:200].decode(errors="replace")
        ) from None
    if not isinstance(event, dict):
        raise ConsoleError(
            400, "InvalidPayload", "the event must be a JSON object", body[:200].decode(errors="replace")
        )
    return event


def function_view(spec: FunctionSpec, triggers: list[str]) -> dict[str, object]:
    return {
        "name": spec.name,
        "handler": spec.handler,
        "bind": list(spec.bind),
        "timeout": spec.timeout,
        "memorySize": spec.memory_size,
        "environment": dict(spec.environment),
        "triggers": triggers,
    }


def _triggers(server: ConsoleHost) -> dict[str, list[str]]:
    """What invokes each function: its routes (`api: GET /files`), bucket notifications (`s3: myFiles thumbs`),
    queues, topics, schedules, rules and streams (`sqs: jobs`, `cron: nightly`, ...)."""
    found: dict[str, list[str]] = {}
    for trigger in server.app.triggers():
        found.setdefault(trigger.function.name, []).append(f"{trigger.source}: {trigger.detail}")
    return found


async def invoke_from_console(
    server: ConsoleHost, function: FunctionSpec, event: Mapping[str, object], detail: str
) -> dict[str, object]:
    """Run `event` through `function`, record it in the invocation log, and return the record's details."""
    outcome = await server.invoke(function, event)
    return server.invocations.record(CONSOLE_TRIGGER, detail, function, event, outcome).details()


def functions_router(server: ConsoleHost) -> APIRouter:
    router = APIRouter(prefix="/_sst/api/functions")

    @router.get("")
    def list_functions() -> list[dict[str, Any]]:
        triggers = _triggers(server)
        return [function_view(spec, triggers.get(spec.name, [])) for spec in server.app.all_functions()]

    @router.get("/{name}/example")
    def example_event(name: str) -> dict[str, object]:
        """The event the function's trigger would send: a request to its route, a write its notification matches,
        a queue message, a publish, an event, the Cron's scheduled event or a stream record (`{}` for none)."""
        if server.function_named(name) is None:
            raise ConsoleError(404, "ResourceNotFoundException", "the app has no function with this name", name)
        app = server.app
        return dict(AppEvents(app, api_url=server.api_url).for_target(find_target(app, name)))

    @router.post("/{name}/invoke", dependencies=[Depends(same_origin_only(server))])
    async def invoke(name: str, request: Request) -> dict[str, object]:
        function = server.function_named(name)
        if function is None:
            raise ConsoleError(404, "ResourceNotFoundException", "the app has no function with this name", name)
        return await invoke_from_console(
            server, function, parse_event(await request.body()), "invoked from the Console"
        )

    return router
