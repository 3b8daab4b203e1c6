"""Serves a WSGI app (moto) to uvicorn as an ASGI app, with one thread hand-off per request.

How it works: the request body is read whole on the event loop (moto reads every body whole anyway), the WSGI call
runs on a worker thread with that body as `wsgi.input`, and its response comes back to the loop to be sent. A
response of up to `BUFFERED_RESPONSE_BYTES` comes back whole; a longer one (a GetObject streaming its body from disk,
see `emulator.object_bodies.BodyRange`) is sent in pieces, each next piece read on a worker thread while the loop
waits for the client to take the previous one (uvicorn's flow control), so a download never sits in memory whole.
a2wsgi's general-purpose bridge streams everything: it hops between loop and thread for each body chunk read and
each response message sent; replacing it raised sequential 1 KiB PutObject throughput by about 12 % here. The
environ is a2wsgi's (`build_environ`), so the two bridges hand moto the same request.

moto copies a request body several times while handling it (reading it, decoding `aws-chunked`, storing it), so at
most `LARGE_BODIES_AT_ONCE` requests with a body over `LARGE_BODY_BYTES` are read and handled at a time; the others
wait before their body is read, which stays in the socket (uvicorn stops reading a request nobody receives). Ten
concurrent 8 MiB multipart parts peaked at ≈ 530 MB without this, ≈ 290 MB with it, at about the same throughput:
moto's work is serialized by the GIL anyway.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, cast

from a2wsgi.wsgi import build_environ

__all__ = ["BUFFERED_RESPONSE_BYTES", "WSGIBridge"]

BUFFERED_RESPONSE_BYTES = 1024 * 1024
LARGE_BODY_BYTES = 1024 * 1024
LARGE_BODIES_AT_ONCE = 2

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Scope = Any
Receive = Callable[[], Any]
Send = Callable[[Any], Any]


@dataclass
class _Response:
    status: int = 500
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    rest: Iterator[bytes] | None = None  # what follows `body` when the response is streamed
    close: Callable[[], None] | None = None


class WSGIBridge:
    """ASGI app running `app` on a pool of `workers` threads; HTTP only (moto serves no websockets)."""

    def __init__(self, app: WSGIApp, workers: int) -> None:
        self._app = app
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="moto")
        self._large_bodies: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if _content_length(scope) <= LARGE_BODY_BYTES:
            await self._serve(scope, receive, send)
            return
        if self._large_bodies is None:  # created on the loop that serves
            self._large_bodies = asyncio.Semaphore(LARGE_BODIES_AT_ONCE)
        async with self._large_bodies:
            await self._serve(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        # One copy at most (none for a single chunk); BytesIO shares a bytes object's buffer instead of copying it.
        body = b"".join(chunks)
        del chunks
        environ = cast(dict[str, Any], build_environ(scope, cast(Any, io.BytesIO(body))))
        environ["RAW_URI"] = _raw_uri(scope)
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(self._executor, self._call, environ)
        await send({"type": "http.response.start", "status": response.status, "headers": response.headers})
        if response.rest is None:
            await send({"type": "http.response.body", "body": response.body})
            return
        try:
            await send({"type": "http.response.body", "body": response.body, "more_body": True})
            while (chunk := await loop.run_in_executor(self._executor, next, response.rest, None)) is not None:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            if response.close is not None:
                await loop.run_in_executor(self._executor, response.close)

    def _call(self, environ: dict[str, Any]) -> _Response:
        response = _Response()

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            response.status = int(status.split(" ", 1)[0])
            response.headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]

        chunks = self._app(environ, start_response)
        close = getattr(chunks, "close", None)
        try:
            iterator = iter(chunks)
            buffered: list[bytes] = []
            size = 0
            for chunk in iterator:
                buffered.append(chunk)
                size += len(chunk)
                if size >= BUFFERED_RESPONSE_BYTES:
                    response.rest, response.close = iterator, close
                    break
            response.body = b"".join(buffered)
        finally:
            if response.rest is None and close is not None:
                close()
        return response


def _content_length(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _raw_uri(scope: dict[str, Any]) -> str:
    """The request target as sent. moto takes object keys from it (`RAW_URI`); from the decoded `PATH_INFO` a key
    holding `?`, `#` or `%XX` would come out cut or altered."""
    raw_path = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string", b"")
    return (raw_path + (b"?" + query if query else b"")).decode("latin-1")
