"""The emulator process's report channel to its parent: one JSON object per line over an inherited pipe.

Three messages travel on it: `{"kind": "ready"}` once the endpoint answers requests, then `{"kind": "s3_event", "event":
RawS3Event}` for every S3 write and delete, and `{"kind": "service_event", "service": NAME, "event": {...}}` for what
the other event sources report (a message sent to an SQS queue, an SNS publish, an EventBridge event, a DynamoDB stream
record: see `emulator.moto.service_events`). A line that is not one of these is a protocol error, reported with the
offending line. Encoding and decoding are pure; the pipe itself belongs to `emulator.server` (writer) and
`emulator.process` (reader).
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
    "ServiceEventMessage",
    "decode_message",
    "encode_ready",
    "encode_s3_event",
    "encode_service_event",
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


@dataclass(frozen=True)
class ServiceEventMessage:
    """An event source other than S3 has something for the dev server: `service` is `sqs`, `sns`, `events` or
    `dynamodb`; `event` is that service's report."""

    service: str
    event: dict[str, object]


def encode_ready() -> bytes:
    return b'{"kind":"ready"}\n'


def encode_s3_event(event: RawS3Event) -> bytes:
    return json.dumps({"kind": "s3_event", "event": event}, separators=(",", ":")).encode() + b"\n"


def encode_service_event(service: str, event: dict[str, object]) -> bytes:
    message = {"kind": "service_event", "service": service, "event": event}
    return json.dumps(message, separators=(",", ":"), default=str).encode() + b"\n"


def decode_message(line: bytes) -> Ready | S3EventMessage | ServiceEventMessage:
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
    if kind == "service_event" and isinstance(message.get("service"), str) and isinstance(message.get("event"), dict):
        return ServiceEventMessage(message["service"], message["event"])
    raise ChannelError(line)
