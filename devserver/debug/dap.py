"""The Debug Adapter Protocol, as far as the dev server needs it: framing, and whether the debuggee is stopped.

DAP messages are JSON objects, each after a `Content-Length: N` header and a blank line. The dev server relays
an editor's session to a worker's debugpy without changing a byte; it only reads along to learn when the
function is stopped (so its timeout pauses) and when the editor has sent its breakpoints (so an invocation
can wait for them). Pure: no sockets here.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["DapDecoder", "DapSession", "encode_dap"]

DapMessage = dict[str, Any]

_HEADER_END = b"\r\n\r\n"
_LENGTH = b"content-length:"

# Requests after which the debuggee runs again; DAP does not promise a `continued` event for them.
_RESUMING_REQUESTS = frozenset(
    {"continue", "next", "stepIn", "stepOut", "stepBack", "reverseContinue", "goto", "disconnect", "terminate"}
)


def encode_dap(message: DapMessage) -> bytes:
    """One DAP message with its header."""
    body = json.dumps(message, separators=(",", ":")).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class DapDecoder:
    """Turns a DAP byte stream into messages, however it was chunked; a malformed header ends decoding."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.broken = False

    def feed(self, data: bytes) -> list[DapMessage]:
        self._buffer += data
        messages: list[DapMessage] = []
        while not self.broken:
            end = self._buffer.find(_HEADER_END)
            if end < 0:
                break
            length = _content_length(bytes(self._buffer[:end]))
            if length is None:
                self.broken = True  # not DAP: keep relaying bytes, stop interpreting them
                break
            start = end + len(_HEADER_END)
            if len(self._buffer) < start + length:
                break
            try:
                message = json.loads(self._buffer[start : start + length])
            except ValueError:
                message = None
            del self._buffer[: start + length]
            if isinstance(message, dict):
                messages.append(message)
        return messages


def _content_length(header: bytes) -> int | None:
    for line in header.split(b"\r\n"):
        if line.lower().startswith(_LENGTH):
            try:
                return int(line[len(_LENGTH) :].strip())
            except ValueError:
                return None
    return None


class DapSession:
    """What one editor session has told us so far: configured yet, and is the debuggee stopped.

    `from_editor` and `from_adapter` take each message in the direction it travelled and return True when
    `stopped` changed.
    """

    def __init__(self) -> None:
        self.stopped = False
        self.configured = False

    def from_editor(self, message: DapMessage) -> bool:
        if message.get("type") != "request":
            return False
        if message.get("command") in _RESUMING_REQUESTS:
            return self._set_stopped(False)
        return False

    def from_adapter(self, message: DapMessage) -> bool:
        kind = message.get("type")
        if kind == "response" and message.get("command") == "configurationDone":
            self.configured = True
        elif kind == "event":
            event = message.get("event")
            if event == "stopped":
                return self._set_stopped(True)
            if event in ("continued", "exited", "terminated"):
                return self._set_stopped(False)
        return False

    def _set_stopped(self, stopped: bool) -> bool:
        changed = stopped != self.stopped
        self.stopped = stopped
        return changed
