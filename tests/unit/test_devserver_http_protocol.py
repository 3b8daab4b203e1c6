"""The listeners' transport: what an ASGI app writes in one loop turn reaches the socket as one write."""

from __future__ import annotations

import asyncio

import pytest

from devserver.http_protocol import CoalescedWrites


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
        return ("127.0.0.1", 3000) if name == "sockname" else default


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
