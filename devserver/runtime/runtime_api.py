"""The AWS Lambda Runtime API, served locally so the official `awslambdaric` client can run a function.

How it works: like Lambda, every execution environment gets its own Runtime API endpoint. A `RuntimeApiSandbox`
binds a socket on 127.0.0.1:0 (loopback only: the API hands out events and accepts results without any
authentication, as in Lambda where only the sandbox can reach it), serves the Starlette app below on it with a
`uvicorn.Server` inside the running event loop, and starts `python -m awslambdaric HANDLER` with
`AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT`. One endpoint per process also tells us exactly which process holds an
invocation, so a timeout kills the right one. The client's calls become the same messages the private channel
carries (`protocol.py`), so the pool treats both kinds of sandbox alike:

- `GET  /2018-06-01/runtime/invocation/next` blocks until an event is queued (its first call means init is done);
- `POST /2018-06-01/runtime/invocation/{id}/response` and `/{id}/error` answer it (202, or 400 for another id);
- `POST /2018-06-01/runtime/init/error` reports a handler that could not load (403 once initialised).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import time
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devserver.http.listeners import EmbeddedServer
from devserver.runtime.process import WorkerProcess
from devserver.runtime.protocol import ERROR, INIT_ERROR, NEXT, RESPONSE, Message
from devserver.runtime.sandbox import InvokeRequest, Sandbox

__all__ = ["MAX_RESPONSE_BYTES", "RuntimeApi", "RuntimeApiSandbox", "runtime_api_app"]

MAX_RESPONSE_BYTES = 6 * 1024 * 1024
"""Lambda's limit on a synchronous invocation's response payload."""

_PREFIX = "/2018-06-01/runtime"
_ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
_ACCEPTED = {"status": "OK"}


class RuntimeApi:
    """One execution environment's side of the Runtime API: the queued invocation and who may answer it."""

    def __init__(self, deliver: Callable[[Message], None]) -> None:
        self._deliver = deliver
        self._queue: asyncio.Queue[InvokeRequest | None] = asyncio.Queue()
        self._initialised = False
        self._in_flight: str | None = None

    def queue(self, request: InvokeRequest) -> None:
        self._queue.put_nowait(request)

    def close(self) -> None:
        """Release a runtime blocked in `next`; it gets a 500, which the real API sends before shutting down."""
        self._queue.put_nowait(None)

    async def next_invocation(self) -> InvokeRequest | None:
        if not self._initialised:
            self._initialised = True
            self._deliver({"type": NEXT})
        request = await self._queue.get()
        self._in_flight = request.request_id if request else None
        return request

    def answer(self, request_id: str, message: Message) -> bool:
        """Accept the response or error for `request_id`; False when that is not the invocation in flight."""
        if request_id != self._in_flight:
            return False
        self._in_flight = None
        self._deliver(message)
        return True

    def init_error(self, message: Message) -> bool:
        """Accept an init error; False once the runtime has initialised (it asked for an event)."""
        if self._initialised:
            return False
        self._initialised = True
        self._deliver(message)
        return True


def runtime_api_app(api: RuntimeApi) -> Starlette:
    """The Starlette app serving `api` at the Runtime API's paths, with its status codes."""

    async def next_invocation(request: Request) -> Response:
        invocation = await api.next_invocation()
        if invocation is None:
            return _error_response(500, "Runtime.ExitError", "The execution environment is shutting down")
        return Response(
            json.dumps(invocation.event),
            media_type="application/json",
            headers={
                "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                "Lambda-Runtime-Invoked-Function-Arn": invocation.invoked_function_arn,
                "Lambda-Runtime-Trace-Id": _trace_id(),
            },
        )

    async def invocation_response(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_RESPONSE_BYTES:
            return _error_response(
                413,
                "RequestEntityTooLarge",
                f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
            )
        # awslambdaric marks a handler's raw `bytes` return as application/unknown; everything else is JSON.
        result: object = body.decode(errors="replace")
        if request.headers.get("content-type", "application/json").startswith("application/json"):
            with contextlib.suppress(ValueError):
                result = json.loads(body)
        return _accepted(api.answer(request.path_params["request_id"], {"type": RESPONSE, "result": result}))

    async def invocation_error(request: Request) -> Response:
        message = _error_message(await request.body(), request.headers.get(_ERROR_TYPE_HEADER), ERROR)
        return _accepted(api.answer(request.path_params["request_id"], message))

    async def init_error(request: Request) -> Response:
        message = _error_message(await request.body(), request.headers.get(_ERROR_TYPE_HEADER), INIT_ERROR)
        if api.init_error(message):
            return JSONResponse(_ACCEPTED, status_code=202)
        return _error_response(403, "InvalidStateTransition", "State transition is not allowed")

    return Starlette(
        routes=[
            Route(f"{_PREFIX}/invocation/next", next_invocation, methods=["GET"]),
            Route(f"{_PREFIX}/invocation/{{request_id}}/response", invocation_response, methods=["POST"]),
            Route(f"{_PREFIX}/invocation/{{request_id}}/error", invocation_error, methods=["POST"]),
            Route(f"{_PREFIX}/init/error", init_error, methods=["POST"]),
        ]
    )


class RuntimeApiSandbox(Sandbox):
    """A sandbox running the official `awslambdaric` client against its own Runtime API endpoint."""

    _api: RuntimeApi | None = None
    _server: EmbeddedServer | None = None
    _serving: asyncio.Task[None] | None = None

    async def _spawn(self, env: dict[str, str]) -> WorkerProcess:
        self._api = RuntimeApi(self._deliver)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Nagle off, inherited by accepted connections: with it, every Runtime API call stalled ~40 ms on a delayed
        # ACK (measured warm round trip 88 ms with it, 0.8 ms without).
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        port = listener.getsockname()[1]
        config = uvicorn.Config(
            runtime_api_app(self._api), lifespan="off", log_config=None, log_level="warning", access_log=False
        )
        self._server = EmbeddedServer(config)
        # The socket already listens, so the runtime's first request waits in the backlog until uvicorn accepts.
        self._serving = asyncio.create_task(self._server.serve(sockets=[listener]))
        return WorkerProcess.spawn(
            [self._python, "-m", "awslambdaric", self.spec.handler],
            env={**env, "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}"},
            cwd=self.spec.app_dir,
            memory_size=self.spec.memory_size,
            on_line=self._on_line,
        )

    def _send(self, request: InvokeRequest) -> None:
        assert self._api is not None
        self._api.queue(request)

    async def _close_transport(self) -> None:
        if self._api is not None:
            self._api.close()
        if self._server is not None and self._serving is not None:
            self._server.should_exit = self._server.force_exit = True
            await self._serving
            self._server = self._serving = None


def _accepted(ok: bool) -> Response:
    if ok:
        return JSONResponse(_ACCEPTED, status_code=202)
    return _error_response(400, "InvalidRequestID", "Invalid request ID")


def _error_response(status: int, error_type: str, message: str) -> Response:
    return JSONResponse({"errorType": error_type, "errorMessage": message}, status_code=status)


def _error_message(body: bytes, header_type: str | None, kind: str) -> Message:
    """A runtime's error report; a body that is not Lambda's error JSON still yields an error of the header's type."""
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        payload = {"errorMessage": body.decode(errors="replace")}
    return {
        "type": kind,
        "errorType": payload.get("errorType") or header_type or "Runtime.Unknown",
        "errorMessage": str(payload.get("errorMessage", "")),
        "stackTrace": [str(line) for line in payload.get("stackTrace") or ()],
    }


def _trace_id() -> str:
    """An X-Ray trace header in the shape Lambda passes (`Root=1-<epoch hex>-<96-bit id>;...;Sampled=0`)."""
    return f"Root=1-{int(time.time()):08x}-{os.urandom(12).hex()};Parent={os.urandom(8).hex()};Sampled=0"
