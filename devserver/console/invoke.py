"""`POST /_sst/api/invoke`: run one event through one function of the running dev server (`sst-dev invoke`).

The request is `{"function": FUNCTION, "event": EVENT}`: FUNCTION as `devserver.app.invoke_target` reads it, EVENT a
JSON object, as the Console's own invoke takes. The answer is the invocation as `invocation_document` writes it,
whether the handler succeeded or failed (a handler error is the invocation's outcome, not an HTTP error). An
unknown or ambiguous FUNCTION is a Console error (404, `{"code", "message", "value"}`). The invocation is recorded
with trigger `cli`, so the Console's live stream shows it. `devserver.console.app` includes the router under its
same-origin guard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from pydantic import BaseModel

from devserver.app.invoke_target import AmbiguousFunctionError, UnknownFunctionError, find_target
from devserver.console.errors import ConsoleError
from devserver.runtime.invocation import Invocation, LambdaError

if TYPE_CHECKING:
    from devserver.console.host import ConsoleHost

__all__ = ["InvokeRequest", "invocation_document", "invocation_from_document", "invoke_router"]

INVOKE_PATH = "/_sst/api/invoke"
CLI_TRIGGER = "cli"


class InvokeRequest(BaseModel):
    function: str
    event: dict[str, Any]


def invocation_document(outcome: Invocation) -> dict[str, Any]:
    """An invocation as JSON, with Lambda's names for its parts (`errorType`, `initDurationMs`, ...)."""
    return {
        "requestId": outcome.request_id,
        "functionName": outcome.function_name,
        "durationMs": outcome.duration_ms,
        "initDurationMs": outcome.init_duration_ms,
        "cold": outcome.cold,
        "result": outcome.result,
        "error": None if outcome.error is None else outcome.error.to_payload(),
        "logs": list(outcome.logs),
    }


def invocation_from_document(document: dict[str, Any]) -> Invocation:
    """The `Invocation` an `invocation_document` describes; raises `KeyError`/`TypeError` for another shape."""
    error = document["error"]
    return Invocation(
        request_id=str(document["requestId"]),
        function_name=str(document["functionName"]),
        duration_ms=float(document["durationMs"]),
        cold=bool(document["cold"]),
        result=document["result"],
        error=None
        if error is None
        else LambdaError(str(error["errorType"]), str(error["errorMessage"]), tuple(error.get("stackTrace") or ())),
        logs=tuple(document["logs"]),
        init_duration_ms=document.get("initDurationMs"),
    )


def invoke_router(server: ConsoleHost) -> APIRouter:
    """The invoke endpoint for `server`."""
    router = APIRouter()

    @router.post(INVOKE_PATH)
    async def invoke(request: InvokeRequest) -> dict[str, Any]:
        try:
            target = find_target(server.app, request.function)
        except (UnknownFunctionError, AmbiguousFunctionError) as error:
            raise ConsoleError(404, error.code, str(error), error.value) from None
        outcome = await server.invoke(target.function, request.event)
        server.invocations.record(CLI_TRIGGER, "sst-dev invoke", target.function, request.event, outcome)
        return invocation_document(outcome)

    return router
