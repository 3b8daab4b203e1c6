"""The format of one object version's file: its body, then its record (JSON), then a fixed 16-byte footer.

    body (size bytes) | record: UTF-8 JSON object | record length: 8 bytes big-endian | magic: b"SSTOBJ\\x00\\x01"

The body comes first so it can be written as it arrives (a multipart completion streams gigabytes into it) and read
back at offset 0; the record, which holds the bucket, the key (keys are data, see `emulator.store.paths`) and
everything S3 returns about the version, is appended once the request has set it. A file is only ever given its
final name whole (see `emulator.store.object_store`), so a footer that does not check out means a foreign file, not a
torn write. Encoding and decoding are pure.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["FOOTER_SIZE", "MAGIC", "RecordError", "decode_footer", "decode_record", "encode_trailer"]

MAGIC = b"SSTOBJ\x00\x01"
FOOTER_SIZE = 16


class RecordError(Exception):
    """A version file whose footer or record is not ours; `code` is stable and the message names the file."""

    code = "ObjectStore.UnreadableVersion"

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{self.code}: {where}: {reason}")
        self.where = where


def encode_trailer(record: dict[str, Any]) -> bytes:
    """The bytes that follow the body: the record and the footer."""
    encoded = json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")
    return encoded + len(encoded).to_bytes(8, "big") + MAGIC


def decode_footer(footer: bytes, file_size: int, where: str) -> int:
    """The record's length, from the file's last `FOOTER_SIZE` bytes."""
    if len(footer) != FOOTER_SIZE or footer[8:] != MAGIC:
        raise RecordError(where, "no object-version footer")
    length = int.from_bytes(footer[:8], "big")
    if length > file_size - FOOTER_SIZE:
        raise RecordError(where, f"record length {length} exceeds the file ({file_size} bytes)")
    return length


def decode_record(encoded: bytes, file_size: int, where: str) -> dict[str, Any]:
    """The record, checked against the file: it names a bucket, a key and a size that ends where the record begins."""
    try:
        record = json.loads(encoded.decode("utf-8", "surrogatepass"))
    except ValueError as error:
        raise RecordError(where, f"record is not JSON ({error})") from None
    if not isinstance(record, dict):
        raise RecordError(where, "record is not a JSON object")
    if not isinstance(record.get("bucket"), str) or not isinstance(record.get("key"), str):
        raise RecordError(where, "record names no bucket and key")
    size = record.get("size")
    if not isinstance(size, int) or size + len(encoded) + FOOTER_SIZE != file_size:
        raise RecordError(where, f"body size {size!r} does not match the file ({file_size} bytes)")
    return record
