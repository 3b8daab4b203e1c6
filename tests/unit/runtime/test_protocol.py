"""The private channel's framing and the log-line splitting, independent of any process."""

from __future__ import annotations

import json
import math
import os
from decimal import Decimal

import pytest

from devserver.runtime.protocol import FrameDecoder, FrameReader, LogLineBuffer, encode_frame, read_frame, write_frame


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


def test_a_frame_holds_what_json_dumps_writes_for_the_same_values() -> None:
    message = {
        "type": "response",
        "result": {"nan": float("nan"), "inf": float("-inf"), "big": 2**100, "tuple": (1, "two"), 3: "int key"},
        "text": "héllo \u2028 \ud800",
    }
    frame = encode_frame(message)
    assert frame[4:] == json.dumps(message, separators=(",", ":")).encode()
    decoded = FrameDecoder().feed(frame)[0]
    assert decoded["result"]["tuple"] == [1, "two"] and decoded["result"]["3"] == "int key"
    assert math.isnan(decoded["result"]["nan"]) and decoded["text"] == message["text"]


def test_a_default_hook_encodes_what_json_has_no_type_for_and_without_one_it_is_a_type_error() -> None:
    assert encode_frame({"amount": Decimal("1.5")}, default=float)[4:] == b'{"amount":1.5}'
    with pytest.raises(TypeError, match="Object of type Decimal is not JSON serializable"):
        encode_frame({"amount": Decimal("1.5")})


def test_a_value_that_contains_itself_is_refused_as_json_refuses_it_every_time() -> None:
    looped: dict[str, object] = {}
    looped["self"] = looped
    for _ in range(2):  # nothing of the first refusal is left to confuse the second
        with pytest.raises(ValueError, match="Circular reference detected"):
            encode_frame({"type": "response", "result": looped})
    shared = [1]
    assert encode_frame({"type": "response", "result": [shared, shared]})[4:].endswith(b'"result":[[1],[1]]}')


def test_a_frame_reader_returns_each_of_several_frames_sent_at_once_then_none_at_the_end() -> None:
    read_fd, write_fd = os.pipe()
    try:
        reader = FrameReader(read_fd)
        first, second = encode_frame({"n": 1}), encode_frame({"n": 2})
        os.write(write_fd, first + second[:3])
        assert reader.next_message() == {"n": 1}
        os.write(write_fd, second[3:])
        assert reader.next_message() == {"n": 2}
        os.close(write_fd)
        assert reader.next_message() is None
    finally:
        os.close(read_fd)
