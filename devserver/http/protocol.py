"""The HTTP/1.1 protocol of the dev server's listeners: uvicorn's, with each response leaving in one send.

How it works: uvicorn's httptools protocol writes a response's status line and headers with one
`transport.write` and its body with another, so every response costs two `send` syscalls, and the client is
woken twice: once for a head it cannot use yet, once for the body. `CoalescingHttpProtocol` hands uvicorn a
`CoalescedWrites` transport instead. Its `write` only collects bytes; the protocol flushes them as one `write` to
the real transport as soon as uvicorn reports the response complete, so head and body (written back to back by an
ASGI app's two `send` calls) leave together. A streamed response's chunks are flushed at the end of the loop turn
that wrote them (`call_soon`, scheduled by the first write of a turn). Closing flushes first, so a
`connection: close` response is complete. Flow control is the real transport's: at most one loop turn's
writes wait in the collector before reaching it.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["CoalescedWrites", "CoalescingHttpProtocol"]


class CoalescedWrites:
    """A transport whose writes of one loop turn reach the wrapped transport as one write (see module docstring).

    Everything but writing and closing is the wrapped transport's own.
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def writelines(self, chunks: list[bytes]) -> None:
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        """Hand everything collected so far to the wrapped transport (no-op when nothing is waiting)."""
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending.clear()
        if not self._transport.is_closing():
            self._transport.write(data)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(len(chunk) for chunk in self._pending)

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending.clear()
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol over `CoalescedWrites`: one `send` per response instead of two."""

    _writes: CoalescedWrites | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._writes = CoalescedWrites(transport, self.loop)
        super().connection_made(cast(asyncio.Transport, self._writes))

    def on_response_complete(self) -> None:
        # The whole response is written: send it now, not after the rest of this loop turn's callbacks.
        if self._writes is not None:
            self._writes.flush()
        super().on_response_complete()
