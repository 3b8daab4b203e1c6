"""The HTTP/1.1 protocol of the dev server's listeners: uvicorn's, with each response leaving in one send.

How it works: uvicorn's httptools protocol writes a response's status line and headers with one
`transport.write` and its body with another, so every response costs two `send` syscalls, and the client is
woken twice: once for a head it cannot use yet, once for the body. `CoalescingHttpProtocol` hands uvicorn a
`CoalescedWrites` transport instead. Its `write` only collects bytes and, on the first write of a loop turn,
schedules one flush with `call_soon`; everything written in that turn (head and body, written back to back by
an ASGI app's two `send` calls) then goes out as a single `write` to the real transport. Closing flushes first,
so a `connection: close` response is complete. Flow control is the real transport's: at most one loop turn's
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

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(cast(asyncio.Transport, CoalescedWrites(transport, self.loop)))
