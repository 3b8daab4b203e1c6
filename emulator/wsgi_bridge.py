"""Serves a WSGI app (moto) to uvicorn as an ASGI app, with one thread hand-off per request.

How it works: the request body is read whole on the event loop (moto reads every body whole anyway) — a body of up
to `SPOOLED_BODY_BYTES` into memory, a longer one into an unlinked temporary file as it arrives — and the WSGI call
runs on a worker thread with that body as `wsgi.input`, marked `wsgi.input_terminated`. The mark tells werkzeug the
stream ends where the body does, so it reads it with one `read()` instead of 64 KiB at a time into a bytearray that
it then copies (and for an in-memory body that `read()` hands over the very bytes object received, no copy): moto
holds one copy of a body, not three. The response comes back to the loop to be sent. A response of up to
`BUFFERED_RESPONSE_BYTES` comes back whole; a longer one (a GetObject streaming its body from disk, see
`emulator.store.bodies.BodyRange`) is sent in pieces, each next piece read on a worker thread while the loop waits
for the client to take the previous one (uvicorn's flow control), so a download never sits in memory whole.
Small requests that only compute (see `emulator.inline_requests`) skip the hand-off: their WSGI call runs on the
loop itself, saving two thread wake-ups per request. a2wsgi's general-purpose bridge streams everything: it hops
between loop and thread for each body chunk read and each response message sent; replacing it raised sequential
1 KiB PutObject throughput by about 12 % here. The environ is a2wsgi's (`build_environ`), so the two bridges hand
moto the same request.

moto still holds a request's whole body while handling it (all but a PutObject's or an UploadPart's:
`emulator.moto.streamed_bodies` writes those to the store as they are read), so at most `LARGE_BODIES_AT_ONCE`
requests with a body over `SPOOLED_BODY_BYTES` are handled at a time; the others wait with their body in its file,
not in memory.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, BinaryIO, cast

from a2wsgi.wsgi import build_environ

from emulator.asgi_messages import HEADER_MAP_KEY, header_map

__all__ = ["BUFFERED_RESPONSE_BYTES", "SPOOLED_BODY_BYTES", "WSGIBridge"]

BUFFERED_RESPONSE_BYTES = 1024 * 1024
SPOOLED_BODY_BYTES = 1024 * 1024
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
    """ASGI app running `app` on a pool of `workers` threads; HTTP only (moto serves no websockets).

    A request whose body is in memory and for which `inline(scope)` is true is handled on the event loop instead
    (see `emulator.inline_requests`); by default none is.
    """

    def __init__(self, app: WSGIApp, workers: int, inline: Callable[[Scope], bool] = lambda scope: False) -> None:
        self._app = app
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="moto")
        self._inline = inline
        self._large_bodies: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = await _receive_body(receive)
        if body is None:
            return  # the client went away
        try:
            if isinstance(body, io.BytesIO):
                await self._serve(scope, body, send, inline=self._inline(scope))
                return
            if self._large_bodies is None:  # created on the loop that serves
                self._large_bodies = asyncio.Semaphore(LARGE_BODIES_AT_ONCE)
            async with self._large_bodies:
                await self._serve(scope, body, send)
        finally:
            body.close()

    async def _serve(self, scope: Scope, body: BinaryIO, send: Send, *, inline: bool = False) -> None:
        environ = cast(dict[str, Any], build_environ(scope, cast(Any, body)))
        environ["wsgi.input_terminated"] = True
        environ["RAW_URI"] = _raw_uri(scope)
        environ[HEADER_MAP_KEY] = header_map(scope)  # built once for every layer, in front of moto or behind
        loop = asyncio.get_running_loop()
        if inline:
            response = self._call(environ)
        else:
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


async def _receive_body(receive: Receive) -> BinaryIO | None:
    """The request body as a stream at its start: a `BytesIO` of the received bytes up to `SPOOLED_BODY_BYTES`, an
    unlinked temporary file beyond. None when the client disconnects first."""
    chunks: list[bytes] = []
    spool: BinaryIO | None = None
    size = 0
    try:
        while (message := await receive())["type"] != "http.disconnect":
            chunk = message.get("body", b"")
            size += len(chunk)
            if spool is None and size > SPOOLED_BODY_BYTES:
                spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed here or by the caller
                spool.writelines(chunks)
                chunks.clear()
            if spool is None:
                chunks.append(chunk)
            else:
                spool.write(chunk)
            if not message.get("more_body", False):
                if spool is None:
                    # BytesIO shares the bytes' buffer, and a whole read() from the start returns that very object.
                    return io.BytesIO(b"".join(chunks))
                spool.seek(0)
                body, spool = spool, None
                return body
        return None
    finally:
        if spool is not None:
            spool.close()


def _raw_uri(scope: dict[str, Any]) -> str:
    """The request target as sent. moto takes object keys from it (`RAW_URI`); from the decoded `PATH_INFO` a key
    holding `?`, `#` or `%XX` would come out cut or altered."""
    raw_path = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string", b"")
    return (raw_path + (b"?" + query if query else b"")).decode("latin-1")
