"""The private channel between the pool and an sst-dev worker: how bytes become messages.

A message is one JSON object in a frame: a 4-byte big-endian length, then that many bytes of UTF-8 JSON. Frames
travel over two inherited pipes (parent → worker, worker → parent), one invocation at a time, so one frame each way
per invocation is the whole hot path. Message names follow the Lambda Runtime API so the two transports read alike:

- worker → parent `next`: initialised, waiting for an invocation (the Runtime API's `GET /invocation/next`);
- worker → parent `init/error`: the handler could not be loaded (`POST /init/error`); the worker then exits;
- parent → worker `invocation`: the event and its request id, deadline and ARN (the body and headers of `next`);
- worker → parent `response` / `error`: the outcome (`POST /invocation/{id}/response` and `/error`).

A `next`, `response` or `error` frame may carry `sources`: local source files first imported since the last report.

The worker's stdout and stderr share one more pipe; `LogLineBuffer` cuts that byte stream into lines.
Nothing here touches a file descriptor except `read_frame`, `write_frame` and `FrameReader`, blocking helpers
for the worker's side.
"""

from __future__ import annotations

import codecs
import json
import os
import struct
from collections.abc import Callable
from json.encoder import c_make_encoder as _c_make_encoder  # type: ignore[attr-defined]
from json.encoder import encode_basestring_ascii
from typing import Any

__all__ = [
    "ERROR",
    "INIT_ERROR",
    "INVOCATION",
    "NEXT",
    "RESPONSE",
    "FrameDecoder",
    "FrameReader",
    "LogLineBuffer",
    "Message",
    "encode_frame",
    "read_frame",
    "write_frame",
]

NEXT = "next"
INIT_ERROR = "init/error"
INVOCATION = "invocation"
RESPONSE = "response"
ERROR = "error"

_HEADER = struct.Struct(">I")
_READ_CHUNK = 1 << 16
_NO_DEFAULT = json.JSONEncoder().default  # raises the TypeError `json.dumps` raises without a `default`
_DECODER = json.JSONDecoder()

Message = dict[str, Any]


def encode_frame(message: Message, default: Callable[[object], object] | None = None) -> bytes:
    """One frame holding `message`; raises TypeError/ValueError when it is not JSON-serialisable.

    `default` encodes values JSON has no type for (as in `json.dumps`).
    """
    body = _encode(message, default).encode()
    return _HEADER.pack(len(body)) + body


def _encode(message: Message, default: Callable[[object], object] | None) -> str:
    # Exactly `json.JSONEncoder(separators=(",", ":"), allow_nan=True, default=default).encode(message)` (circular
    # references included: a fresh markers dict per call), minus the pure-Python dispatch around the C encoder
    # that `encode` and `iterencode` add on every call: frames are on the hot path.
    if _c_make_encoder is None:
        return json.JSONEncoder(separators=(",", ":"), allow_nan=True, default=default).encode(message)
    encoder = _c_make_encoder({}, default or _NO_DEFAULT, encode_basestring_ascii, None, ":", ",", False, False, True)
    return "".join(encoder(message, 0))


def _decode(data: bytes | bytearray) -> Message:
    # `json.loads` minus its encoding sniffing; frames are UTF-8 and hold one object, as `encode_frame` writes them.
    message: Message = _DECODER.decode(data.decode())
    return message


class FrameDecoder:
    """Turns a byte stream into messages, whatever way the stream was chunked."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Message]:
        """Add `data` and return every message now complete, in order."""
        if not self._buffer and len(data) >= _HEADER.size:
            (length,) = _HEADER.unpack_from(data)
            if len(data) == _HEADER.size + length:
                return [_decode(data[_HEADER.size :])]  # the usual case: exactly one whole frame per read
        self._buffer += data
        messages: list[Message] = []
        while len(self._buffer) >= _HEADER.size:
            (length,) = _HEADER.unpack_from(self._buffer)
            end = _HEADER.size + length
            if len(self._buffer) < end:
                break
            messages.append(_decode(self._buffer[_HEADER.size : end]))
            del self._buffer[:end]
        return messages


class FrameReader:
    """Reads messages from a blocking file descriptor, with one `read` per burst of frames rather than two per frame."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._decoder = FrameDecoder()
        self._ready: list[Message] = []

    def next_message(self) -> Message | None:
        """Block until one whole message arrives; None when the other end closed the pipe."""
        while not self._ready:
            data = os.read(self._fd, _READ_CHUNK)
            if not data:
                return None
            self._ready = self._decoder.feed(data)
        return self._ready.pop(0)


class LogLineBuffer:
    """Splits captured output into lines; a trailing partial line waits for its newline or for `flush()`.

    `\\r` also ends a line: the Lambda runtime joins a multi-line error record with it.
    """

    def __init__(self) -> None:
        self._partial = ""
        # Incremental, so a multi-byte character split across two reads still decodes.
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, data: bytes) -> list[str]:
        text = self._partial + self._decoder.decode(data)
        lines = text.splitlines(keepends=True)
        self._partial = lines.pop() if lines and not lines[-1].endswith(("\n", "\r")) else ""
        return [line.rstrip("\r\n") for line in lines]

    def flush(self) -> list[str]:
        """The pending partial line, if any (the writer finished without a newline)."""
        line, self._partial = self._partial, ""
        return [line] if line else []


def read_frame(fd: int) -> Message | None:
    """Block until one whole message arrives on `fd`; None when the other end closed the pipe."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    (length,) = _HEADER.unpack(header)
    body = _read_exactly(fd, length)
    if body is None:
        return None
    return _decode(body)


def write_frame(fd: int, frame: bytes) -> None:
    """Write a whole frame to a blocking `fd`."""
    view = memoryview(frame)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = os.read(fd, min(remaining, _READ_CHUNK))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
