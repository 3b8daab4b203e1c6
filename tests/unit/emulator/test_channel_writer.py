"""The emulator's channel writer: every line reaches the parent once and in order, and a sender never blocks."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest

from emulator.channel_writer import ChannelWriter


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read_fd, write_fd = os.pipe()
    yield read_fd, write_fd
    try:
        os.close(read_fd)
    except OSError:
        pass  # the test closed it


def read_all(fd: int) -> bytes:
    with open(fd, "rb", closefd=False) as reader:
        return reader.read()


def test_lines_arrive_in_order_and_close_ends_the_stream(pipe: tuple[int, int]) -> None:
    read_fd, write_fd = pipe
    writer = ChannelWriter(write_fd)

    for number in range(100):
        writer.send(f"line {number}\n".encode())
    writer.close()

    assert read_all(read_fd) == b"".join(f"line {number}\n".encode() for number in range(100))


def test_a_parent_that_does_not_read_never_blocks_a_sender_and_loses_nothing(pipe: tuple[int, int]) -> None:
    read_fd, write_fd = pipe
    writer = ChannelWriter(write_fd)
    line = b"x" * 1000 + b"\n"
    lines = [str(number).encode() + line for number in range(500)]  # ~500 KB: far more than a pipe holds

    def send_all() -> None:
        for each in lines:
            writer.send(each)

    sender = threading.Thread(target=send_all)
    sender.start()
    sender.join(timeout=10)
    assert not sender.is_alive()

    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(read_all(read_fd)))
    reader.start()
    writer.close()
    reader.join(timeout=10)
    assert received == [b"".join(lines)]


def test_sending_to_a_parent_that_is_gone_is_harmless(pipe: tuple[int, int]) -> None:
    read_fd, write_fd = pipe
    writer = ChannelWriter(write_fd)
    os.close(read_fd)

    writer.send(b"nobody reads this\n")
    writer.send(b"nor this\n")
    writer.close()
