"""A WebSocket client for tests, connected to one of the app's `WebSocketApi`s through the `emulator` fixture.

```python
def test_chat(emulator):
    with emulator.websocket("chat") as client:
        client.send_json({"action": "sendmessage", "text": "hi"})
        assert client.receive_json(timeout=5) == {"text": "hi"}
    # leaving the block closed the connection and waited for its $disconnect
```

Waits are deterministic: `receive` returns the next message or raises `TimeoutError` after `timeout`; `close`
returns once the server has run the connection's `$disconnect`. A refused handshake (`$connect` answering a non-2xx
status) raises `WebSocketRefused` with the status and body.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from devserver.apigw.websocket.connections import Connection

__all__ = ["WebSocketClient", "WebSocketRefused", "open_websocket"]

CONNECT_TIMEOUT_SECONDS = 30.0
"""Long enough for a `$connect` handler's cold start."""


class WebSocketRefused(Exception):
    """The handshake was refused: `$connect` answered `status` (with `body`), or the path is not the stage's."""

    def __init__(self, api_id: str, status: int, body: bytes) -> None:
        super().__init__(
            f"WebSocketApi {api_id!r} refused the connection: HTTP {status} {body.decode(errors='replace')}"
        )
        self.status = status
        self.body = body


class WebSocketClient:
    """One open connection (see the module docstring). `connection_id` is the id handlers see in their events."""

    def __init__(
        self,
        api_id: str,
        socket: ClientConnection,
        connection: Connection,
        wait_finished: Callable[[Connection, float], None],
        owned: contextlib.ExitStack,
    ) -> None:
        self.api_id = api_id
        self._socket = socket
        self._owned = owned
        self._connection = connection
        self._wait_finished = wait_finished

    @property
    def connection_id(self) -> str:
        return self._connection.id

    def send(self, data: str | bytes) -> None:
        """Send one message: a text frame for `str`, a binary frame for `bytes`."""
        self._socket.send(data)

    def send_json(self, value: object) -> None:
        self.send(json.dumps(value))

    def receive(self, timeout: float = 5.0) -> str | bytes:
        """The next message from the server; `TimeoutError` when none comes within `timeout` seconds."""
        try:
            return self._socket.recv(timeout=timeout)
        except TimeoutError:
            raise TimeoutError(f"no message from WebSocketApi {self.api_id!r} within {timeout} s") from None
        except ConnectionClosed as closed:
            raise ConnectionError(f"WebSocketApi {self.api_id!r} closed the connection: {closed}") from None

    def receive_json(self, timeout: float = 5.0) -> Any:
        return json.loads(self.receive(timeout))

    @property
    def close_code(self) -> int | None:
        """The close code once the connection is closed (by either side), else None."""
        return self._socket.close_code

    def close(self, code: int = 1000, reason: str = "", *, timeout: float = 30.0) -> None:
        """Close the connection (no-op when it is closed already) and wait until the server has run its
        `$disconnect`."""
        self._socket.close(code, reason)
        self._owned.close()
        self._wait_finished(self._connection, timeout)

    def __enter__(self) -> WebSocketClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_websocket(
    api_id: str,
    url: str,
    *,
    find_connection: Callable[[tuple[str, int]], Connection | None],
    wait_finished: Callable[[Connection, float], None],
    headers: dict[str, str] | None = None,
) -> WebSocketClient:
    """Connect to `url` and pair the socket with the server's side of it (found by the client's own address)."""
    with contextlib.ExitStack() as owned:
        try:
            socket = owned.enter_context(
                connect(url, additional_headers=headers, open_timeout=CONNECT_TIMEOUT_SECONDS, max_size=None)
            )
        except InvalidStatus as refused:
            raise WebSocketRefused(api_id, refused.response.status_code, bytes(refused.response.body or b"")) from None
        host, port = socket.local_address[:2]
        connection = find_connection((host, port))
        if connection is None:  # the server closed it at once (it stopped meanwhile)
            raise ConnectionError(f"WebSocketApi {api_id!r} closed the connection as it opened")
        return WebSocketClient(api_id, socket, connection, wait_finished, owned.pop_all())
