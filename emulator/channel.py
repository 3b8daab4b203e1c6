"""The emulator process's report channel to its parent: one JSON object per line over an inherited pipe.

Two messages travel on it: `{"kind": "ready"}` once the endpoint answers requests, then
`{"kind": "s3_event", "event": RawS3Event}` for every S3 write and delete. A line that is not one of these is a
protocol error, reported with the offending line. Encoding and decoding are pure; the pipe itself belongs to
`emulator.server` (writer) and `emulator.process` (reader).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import cast

from emulator.s3.events import RawS3Event

__all__ = [
    "ChannelError",
    "Ready",
    "S3EventMessage",
    "decode_message",
    "encode_ready",
    "encode_s3_event",
]


class ChannelError(Exception):
    """A line on the channel that is not a message; `code` is stable, `line` is what arrived."""

    code = "EmulatorChannel.InvalidMessage"

    def __init__(self, line: bytes) -> None:
        super().__init__(f"{self.code}: unreadable message from the emulator process: {line[:200]!r}")
        self.line = line


@dataclass(frozen=True)
class Ready:
    """The emulator accepts requests on its endpoint."""


@dataclass(frozen=True)
class S3EventMessage:
    """One S3 write or delete happened."""

    event: RawS3Event


def encode_ready() -> bytes:
    return b'{"kind":"ready"}\n'


def encode_s3_event(event: RawS3Event) -> bytes:
    return json.dumps({"kind": "s3_event", "event": event}, separators=(",", ":")).encode() + b"\n"


def decode_message(line: bytes) -> Ready | S3EventMessage:
    """Parse one line (with or without its newline); raises `ChannelError` for anything else."""
    try:
        message = json.loads(line)
    except ValueError:
        raise ChannelError(line) from None
    if not isinstance(message, dict):
        raise ChannelError(line)
    kind = message.get("kind")
    if kind == "ready":
        return Ready()
    if kind == "s3_event" and isinstance(message.get("event"), dict):
        return S3EventMessage(cast(RawS3Event, message["event"]))
    raise ChannelError(line)
