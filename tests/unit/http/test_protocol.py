"""The listeners' transport: what an ASGI app writes in one loop turn reaches the socket as one write."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import uvicorn
from uvicorn.server import ServerState

from devserver.http.protocol import CoalescedWrites, CoalescingHttpProtocol

Scope = dict[str, Any]
ASGIReceiveCallable = Callable[[], Awaitable[dict[str, Any]]]
ASGISendCallable = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, ASGIReceiveCallable, ASGISendCallable], Awaitable[None]]


class RecordingTransport(asyncio.Transport):
    """A transport that keeps each `write` it gets, as the socket would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: object = None) -> object:
        return {"sockname": ("127.0.0.1", 3000), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


pytestmark = pytest.mark.anyio


async def test_a_head_and_body_written_in_one_turn_leave_as_one_write() -> None:
    socket = RecordingTransport()
    transport = CoalescedWrites(socket, asyncio.get_running_loop())
    transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    transport.write(b"hi")
    assert socket.writes == []
    await asyncio.sleep(0)
    assert socket.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi"]


async def test_writes_of_later_turns_follow_in_order() -> None:
    socket = RecordingTransport()
    transport = CoalescedWrites(socket, asyncio.get_running_loop())
    transport.write(b"one")
    await asyncio.sleep(0)
    transport.writelines([b"two", b"three"])
    await asyncio.sleep(0)
    assert socket.writes == [b"one", b"twothree"]


async def test_closing_sends_what_was_written_first() -> None:
    socket = RecordingTransport()
    transport = CoalescedWrites(socket, asyncio.get_running_loop())
    transport.write(b"last response")
    transport.close()
    assert socket.writes == [b"last response"]
    assert socket.closed
    await asyncio.sleep(0)
    assert socket.writes == [b"last response"]


async def test_aborting_drops_what_was_not_sent() -> None:
    socket = RecordingTransport()
    transport = CoalescedWrites(socket, asyncio.get_running_loop())
    transport.write(b"never sent")
    transport.abort()
    await asyncio.sleep(0)
    assert socket.writes == []
    assert socket.aborted


async def test_waiting_bytes_count_in_the_write_buffer_and_other_calls_reach_the_transport() -> None:
    socket = RecordingTransport()
    transport = CoalescedWrites(socket, asyncio.get_running_loop())
    transport.write(b"12345")
    assert transport.get_write_buffer_size() == 5
    assert transport.get_extra_info("sockname") == ("127.0.0.1", 3000)


def _serving(app: ASGIApp) -> tuple[CoalescingHttpProtocol, RecordingTransport]:
    config = uvicorn.Config(app, http=CoalescingHttpProtocol, lifespan="off", log_level="warning")
    config.load()
    protocol = CoalescingHttpProtocol(config=config, server_state=ServerState(), app_state={})
    socket = RecordingTransport()
    protocol.connection_made(socket)
    return protocol, socket


async def test_a_response_reaches_the_socket_in_one_write_as_soon_as_it_is_complete() -> None:
    done = asyncio.Event()
    written_when_sent: list[list[bytes]] = []

    async def app(scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"hi"})
        written_when_sent.append(list(socket.writes))  # before this loop turn ends
        done.set()

    protocol, socket = _serving(app)
    protocol.data_received(b"GET / HTTP/1.1\r\nhost: localhost\r\n\r\n")
    await done.wait()
    await asyncio.sleep(0)
    assert written_when_sent == [socket.writes] and len(socket.writes) == 1
    assert socket.writes[0].startswith(b"HTTP/1.1 200 OK\r\n") and socket.writes[0].endswith(b"\r\n\r\nhi")


async def test_a_streamed_response_leaves_chunk_by_chunk_while_the_app_waits() -> None:
    more = asyncio.Event()

    async def app(scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
        await send({"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True})
        await more.wait()
        await send({"type": "http.response.body", "body": b"data: 2\n\n", "more_body": False})

    protocol, socket = _serving(app)
    protocol.data_received(b"GET /stream HTTP/1.1\r\nhost: localhost\r\n\r\n")
    for _ in range(5):
        await asyncio.sleep(0)
    assert len(socket.writes) == 1 and socket.writes[0].endswith(b"data: 1\n\n\r\n")
    more.set()
    for _ in range(5):
        await asyncio.sleep(0)
    assert socket.writes[1:] == [b"9\r\ndata: 2\n\n\r\n0\r\n\r\n"]
