"""The payload and the trailers of an aws-chunked body, read as it arrives, for checksum verification. Pure.

Why: SDKs that stream an upload (the JavaScript SDK by default, boto3 over HTTPS) send it aws-chunked
(``x-amz-content-sha256: STREAMING-…``) and put its checksum in a trailer after the last chunk
(``x-amz-trailer: x-amz-checksum-crc32``). S3 verifies that checksum against the decoded payload like a header's.
Only the framing is read here — sizes, data, trailers; chunk and trailer signatures are the signature checks' concern.

    hex-size[;chunk-signature=…]\\r\\n data \\r\\n … 0[;…]\\r\\n name:value\\r\\n … \\r\\n

`ChunkedPayload.feed(raw)` gives the payload bytes each piece of the body holds; `trailers()` checks the body ended
where the framing says and gives its trailers (lower-case names). A body that breaks the framing is refused as S3
refuses a body that ends early: ``IncompleteBody``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from emulator.s3.errors import S3Error

__all__ = ["ChunkedPayload", "is_aws_chunked"]

_MAX_LINE = 8192  # a chunk header or a trailer line; real ones are well under 200 bytes
_HEX = re.compile(rb"[0-9a-fA-F]{1,16}")
_SIZE, _DATA, _DATA_END, _TRAILERS, _DONE = range(5)


def is_aws_chunked(headers: Mapping[str, str]) -> bool:
    """Whether a request's body is aws-chunked, as S3 tells: by its `x-amz-content-sha256` (lower-case names)."""
    return headers.get("x-amz-content-sha256", "").startswith("STREAMING-")


class ChunkedPayload:
    """An aws-chunked body being decoded: feed it the raw bytes in order, then ask for its trailers."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._state = _SIZE
        self._remaining = 0
        self._trailers: dict[str, str] = {}

    def feed(self, raw: bytes) -> list[bytes]:
        """The payload bytes `raw` completes, in order (raises `S3Error` when the framing breaks)."""
        self._buffer += raw
        payload: list[bytes] = []
        while self._step(payload):
            pass
        return payload

    def trailers(self) -> dict[str, str]:
        """The trailers, once the whole body was fed; raises `S3Error` if the body ended inside a chunk."""
        if self._state == _TRAILERS and self._buffer:
            self._trailer(bytes(self._buffer))  # a last trailer line without its line break
            self._buffer.clear()
        if self._state not in (_TRAILERS, _DONE):
            raise _incomplete()
        return dict(self._trailers)

    def _step(self, payload: list[bytes]) -> bool:
        """Decode what the buffer holds for the current state; False when it needs more bytes."""
        if self._state == _DATA:
            if not self._buffer:
                return False
            piece = bytes(self._buffer[: self._remaining])
            del self._buffer[: len(piece)]
            payload.append(piece)
            self._remaining -= len(piece)
            if self._remaining == 0:
                self._state = _DATA_END
            return True
        if self._state == _DONE:
            if self._buffer.strip():
                raise _incomplete()
            self._buffer.clear()
            return False
        line = self._line()
        if line is None:
            return False
        if self._state == _SIZE:
            self._chunk_header(line)
        elif self._state == _DATA_END:
            if line:
                raise _incomplete()
            self._state = _SIZE
        elif not line:
            self._state = _DONE
        else:
            self._trailer(line)
        return True

    def _line(self) -> bytes | None:
        end = self._buffer.find(b"\n")
        if end < 0:
            if len(self._buffer) > _MAX_LINE:
                raise _incomplete()
            return None
        line = bytes(self._buffer[:end]).removesuffix(b"\r")
        del self._buffer[: end + 1]
        return line

    def _chunk_header(self, line: bytes) -> None:
        size = line.partition(b";")[0].strip()
        if not _HEX.fullmatch(size):
            raise _incomplete()
        self._remaining = int(size, 16)
        self._state = _DATA if self._remaining else _TRAILERS

    def _trailer(self, line: bytes) -> None:
        name, colon, value = line.decode("latin-1").partition(":")
        if not colon:
            raise _incomplete()
        self._trailers[name.strip().lower()] = value.strip()


def _incomplete() -> S3Error:
    return S3Error("IncompleteBody", "The request body terminated unexpectedly", status=400)
