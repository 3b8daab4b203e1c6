"""A small HTTP/1.1 client for the dev server's calls to its own local services (the emulator's authorizer and JSON
APIs): kept-alive connections on asyncio streams, framed by h11.

Why not httpx's `AsyncClient`: profiling a WebSocket reply (a function's `post_to_connection`, which the dev server
authorizes with the emulator), the async client's POST to the emulator cost about twice what httpx's sync client
took to the same endpoint: the layers under the async client, paid on every call a WebSocket reply or an `iam` route
makes. This client does only what those calls need (POST with a body, a whole answer read into memory, plain HTTP to
a loopback address); `benchmarks.websocket_latency` measures the path it serves.

Connections are reused most recently used first; one found closed by the server while idle is dropped before use.
A call that fails or times out closes its connection; failures are `LoopbackHttpError`, an `OSError` as a
connection failure would be.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import h11

__all__ = ["LoopbackHttpClient", "LoopbackHttpError", "LoopbackResponse"]

_READ_SIZE = 65536


class LoopbackHttpError(OSError):
    """The service could not be reached, broke the connection, answered something that is not HTTP, or timed out."""


@dataclass(frozen=True)
class LoopbackResponse:
    status_code: int
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    protocol: h11.Connection

    @property
    def usable(self) -> bool:
        return not self.reader.at_eof() and not self.writer.is_closing()

    def close(self) -> None:
        self.writer.close()


class LoopbackHttpClient:
    """POSTs to `base_url` (`http://host:port`), reusing connections."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname is None or parts.port is None:
            raise ValueError(f"not an http://host:port URL: {base_url}")
        self.base_url = base_url
        self._host, self._port, self._netloc = parts.hostname, parts.port, parts.netloc
        self._idle: list[_Connection] = []

    async def post(
        self, path: str, content: bytes, *, headers: Sequence[tuple[str, str]] = (), timeout: float = 10.0
    ) -> LoopbackResponse:
        """POST `content` to `path`; the whole answer, whatever its status."""
        connection: _Connection | None = None
        try:
            async with asyncio.timeout(timeout):
                connection = await self._connection()
                answer = await _exchange(connection, self._netloc, path, content, headers)
        except (OSError, TimeoutError, h11.ProtocolError) as error:
            if connection is not None:
                connection.close()
            raise LoopbackHttpError(f"{self._netloc}{path}: {error or type(error).__name__}") from error
        except BaseException:  # cancelled mid-exchange: the connection is in an unknown state
            if connection is not None:
                connection.close()
            raise
        self._keep(connection)
        return answer

    async def aclose(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()

    async def _connection(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if connection.usable:
                return connection
            connection.close()
        reader, writer = await asyncio.open_connection(self._host, self._port)
        return _Connection(reader, writer, h11.Connection(h11.CLIENT))

    def _keep(self, connection: _Connection) -> None:
        protocol = connection.protocol
        if protocol.our_state is h11.DONE and protocol.their_state is h11.DONE and connection.usable:
            protocol.start_next_cycle()
            self._idle.append(connection)
        else:  # the service closes it (Connection: close), or the exchange did not end cleanly
            connection.close()


async def _exchange(
    connection: _Connection, netloc: str, path: str, content: bytes, headers: Sequence[tuple[str, str]]
) -> LoopbackResponse:
    protocol = connection.protocol
    given = {name.lower() for name, _ in headers}
    framing = [("content-length", str(len(content)))] + ([] if "host" in given else [("host", netloc)])
    request = h11.Request(method="POST", target=path, headers=[*framing, *headers])
    connection.writer.write(
        protocol.send(request) + protocol.send(h11.Data(data=content)) + protocol.send(h11.EndOfMessage())
    )
    await connection.writer.drain()
    status, body = 0, bytearray()
    while True:
        event = protocol.next_event()
        if event is h11.NEED_DATA:
            data = await connection.reader.read(_READ_SIZE)
            if not data:
                raise ConnectionResetError("the connection closed before the answer ended")
            protocol.receive_data(data)
        elif isinstance(event, h11.Response):
            status = event.status_code
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            return LoopbackResponse(status, bytes(body))
        elif isinstance(event, h11.ConnectionClosed):
            raise ConnectionResetError("the service closed the connection without answering")
