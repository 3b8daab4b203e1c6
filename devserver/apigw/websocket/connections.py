"""The open connections of one WebSocket API, by connection id: what the gateway registers and the management API
finds, sends to and closes.

Everything here runs on the dev server's event loop; a connection's frames go out through its ASGI `send`, so
frames from the management API and the gateway's own error frames never interleave within a message.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from starlette.types import Send

from devserver.apigw.websocket.events import ConnectionContext

__all__ = ["Connection", "ConnectionRegistry", "now_ms"]


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(eq=False)
class Connection:
    """One connection. `closed_by` is set once either side has started closing (its close code and reason);
    `finished` once its `$disconnect` has run."""

    context: ConnectionContext
    headers: tuple[tuple[str, str], ...]
    peer: tuple[str, int]
    """The client's address and port."""
    _send: Send = field(repr=False)
    last_active_ms: int = 0
    closed_by: tuple[int, str] | None = None
    finished: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def id(self) -> str:
        return self.context.connection_id

    @property
    def open(self) -> bool:
        return self.closed_by is None

    def touch(self) -> None:
        self.last_active_ms = now_ms()

    async def send(self, data: str | bytes) -> bool:
        """Send one message (a text frame for `str`); False when the connection is closed or closing."""
        if not self.open:
            return False
        message = (
            {"type": "websocket.send", "text": data}
            if isinstance(data, str)
            else {"type": "websocket.send", "bytes": data}
        )
        try:
            await self._send(message)
        except (OSError, RuntimeError):  # the client went away between the check and the write
            return False
        self.touch()
        return True

    async def close(self, code: int, reason: str) -> None:
        """Close from the server's side (the management API's `DeleteConnection`, or the server stopping)."""
        if not self.open:
            return
        self.closed_by = (code, reason)
        try:
            await self._send({"type": "websocket.close", "code": code, "reason": reason})
        except (OSError, RuntimeError):
            pass


class ConnectionRegistry:
    """Connections from the handshake until their `$disconnect` has run; `get` finds only open ones."""

    def __init__(self) -> None:
        self._by_id: dict[str, Connection] = {}

    def add(self, connection: Connection) -> None:
        self._by_id[connection.id] = connection

    def remove(self, connection: Connection) -> None:
        self._by_id.pop(connection.id, None)

    def get(self, connection_id: str) -> Connection | None:
        connection = self._by_id.get(connection_id)
        return connection if connection is not None and connection.open else None

    def from_peer(self, peer: tuple[str, int]) -> Connection | None:
        """The connection of the client at `peer` (its address and port), open or still closing."""
        return next((connection for connection in self._by_id.values() if connection.peer == peer), None)

    def __iter__(self) -> Iterator[Connection]:
        return iter(list(self._by_id.values()))

    def __len__(self) -> int:
        return len(self._by_id)
