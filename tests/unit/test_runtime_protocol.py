"""The private channel's framing and the log-line splitting, independent of any process."""

from __future__ import annotations

import os

from devserver.runtime.protocol import FrameDecoder, LogLineBuffer, encode_frame, read_frame, write_frame


def test_messages_survive_any_chunking_of_the_stream() -> None:
    messages = [{"type": "next"}, {"type": "response", "result": {"text": "héllo", "n": [1, 2.5, None]}}]
    stream = b"".join(encode_frame(message) for message in messages)
    for chunk_size in (1, 3, 7, len(stream)):
        decoder = FrameDecoder()
        received = []
        for start in range(0, len(stream), chunk_size):
            received += decoder.feed(stream[start : start + chunk_size])
        assert received == messages


def test_a_frame_written_to_a_pipe_is_read_back_whole_even_when_larger_than_one_read() -> None:
    read_fd, write_fd = os.pipe()
    try:
        message = {"type": "invocation", "event": {"blob": "x" * 200_000}}
        frame = encode_frame(message)
        pid = os.fork()
        if pid == 0:  # the writer blocks until the reader drains the pipe, so it must be another process
            write_frame(write_fd, frame)
            os._exit(0)
        os.close(write_fd)
        assert read_frame(read_fd) == message
        assert read_frame(read_fd) is None  # the writer closed its end
        os.waitpid(pid, 0)
    finally:
        os.close(read_fd)


def test_output_becomes_lines_and_a_partial_line_waits_for_its_end() -> None:
    lines = LogLineBuffer()
    assert lines.feed(b"first\nsec") == ["first"]
    assert lines.feed(b"ond\r\nthird") == ["second"]
    assert lines.flush() == ["third"]
    assert lines.flush() == []


def test_a_carriage_return_ends_a_line_as_in_lambdas_multi_line_error_records() -> None:
    assert LogLineBuffer().feed(b"[ERROR] boom\rTraceback\n") == ["[ERROR] boom", "Traceback"]


def test_a_character_split_across_two_reads_is_decoded_once_whole() -> None:
    lines = LogLineBuffer()
    encoded = "naïve\n".encode()
    split = encoded.index(b"\xc3") + 1
    assert lines.feed(encoded[:split]) == []
    assert lines.feed(encoded[split:]) == ["naïve"]
