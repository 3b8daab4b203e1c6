"""S3's multipart rules as pure functions: the CompleteMultipartUpload body, part numbers, the byte range of one part
of a completed object, UploadPartCopy's `x-amz-copy-source-range`, and GetObjectAttributes' `ObjectParts`.

Why we mirror AWS here rather than moto: moto reads the completion body without checking it (a body that is not XML,
or names no part, or names parts out of order, gets a 500 or is accepted), ignores `partNumber` on a GetObject of a
multipart object, has no `ObjectParts`, and treats an unreadable copy range as "copy everything". As S3 documents:
- a completion must list at least one part, in ascending part-number order (`MalformedXML`, `InvalidPartOrder`);
- `partNumber` is an integer from 1 to 10,000 (`InvalidArgument`); reading part N of an object with fewer parts is
  `416 InvalidPartNumber` (an object that was not uploaded in parts has one part: itself);
- `x-amz-copy-source-range` is `bytes=first-last` with first <= last (`InvalidArgument`), within the source object
  (`416 InvalidRange`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from emulator.s3.errors import S3Error
from emulator.s3.request_xml import children, fields, malformed_xml, request_root

__all__ = [
    "MAX_PART_NUMBER",
    "PartRange",
    "completed_parts",
    "copy_source",
    "copy_source_range",
    "object_parts",
    "part_number",
    "part_range",
]

MAX_PART_NUMBER = 10_000
_COPY_RANGE = re.compile(r"bytes=(\d+)-(\d+)")


@dataclass(frozen=True)
class PartRange:
    """Bytes `start`..`end` (inclusive) of an object of `size` bytes, which has `parts_count` parts (None: it was not
    uploaded in parts)."""

    start: int
    end: int
    size: int
    parts_count: int | None

    @property
    def content_range(self) -> str:
        return f"bytes {self.start}-{self.end}/{self.size}"


def completed_parts(body: bytes) -> list[tuple[int, str]]:
    """The (part number, ETag) pairs a CompleteMultipartUpload body lists, in its order."""
    parts: list[tuple[int, str]] = []
    for element in children(request_root(body, "CompleteMultipartUpload"), "Part"):
        named = fields(element)
        try:
            number, etag = int(named["PartNumber"]), named["ETag"].strip()
        except (KeyError, ValueError):
            raise malformed_xml() from None
        if parts and number <= parts[-1][0]:
            raise S3Error(
                "InvalidPartOrder",
                "The list of parts was not in ascending order. Parts must be ordered by part number.",
                status=400,
            )
        parts.append((number, etag))
    if not parts:
        raise malformed_xml()
    return parts


def part_number(raw: str) -> int:
    """A `partNumber` query parameter's value; `InvalidArgument` unless it is an integer from 1 to 10,000."""
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_PART_NUMBER:
        raise S3Error(
            "InvalidArgument",
            "Part number must be an integer between 1 and 10000, inclusive",
            status=400,
            details={"ArgumentName": "partNumber", "ArgumentValue": raw},
        )
    return number


def part_range(part_sizes: Sequence[int] | None, size: int, number: int) -> PartRange:
    """The bytes of part `number` of an object of `size` bytes uploaded in parts of `part_sizes` (None: not uploaded
    in parts, so its one part is the whole object)."""
    sizes = [size] if part_sizes is None else list(part_sizes)
    if number > len(sizes):
        raise S3Error(
            "InvalidPartNumber",
            "The requested partnumber is not satisfiable",
            status=416,
            details={"PartNumberRequested": str(number), "ActualPartCount": str(len(sizes))},
        )
    start = sum(sizes[: number - 1])
    return PartRange(start, start + sizes[number - 1] - 1, size, None if part_sizes is None else len(sizes))


def copy_source(header: str) -> tuple[str, str, str | None]:
    """The bucket, key and version id (or None) an `x-amz-copy-source` header names, read as moto reads it."""
    parsed = urlparse(header)
    bucket, _, key = unquote(parsed.path).lstrip("/").partition("/")
    return bucket, key, parse_qs(parsed.query).get("versionId", [None])[0]


def copy_source_range(header: str, source_size: int) -> tuple[int, int]:
    """The first and last byte an `x-amz-copy-source-range` header names in a source object of `source_size` bytes."""
    match = _COPY_RANGE.fullmatch(header.strip())
    if match is None or int(match[1]) > int(match[2]):
        raise S3Error(
            "InvalidArgument",
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the "
            "zero-based offsets of the first and last bytes to copy",
            status=400,
            details={"ArgumentName": "x-amz-copy-source-range", "ArgumentValue": header},
        )
    first, last = int(match[1]), int(match[2])
    if last >= source_size:
        raise S3Error(
            "InvalidRange",
            "The requested range is not satisfiable",
            status=416,
            details={"RangeRequested": header, "ActualObjectSize": str(source_size)},
        )
    return first, last


def object_parts(part_sizes: Sequence[int], *, max_parts: str | None, marker: str | None) -> dict[str, Any]:
    """GetObjectAttributes' `ObjectParts` for an object uploaded in parts of `part_sizes`: the parts after part number
    `marker`, up to `max_parts` (1,000 when not given) of them, with S3's paging elements."""
    limit = _non_negative("x-amz-max-parts", max_parts, default=1000)
    after = _non_negative("x-amz-part-number-marker", marker, default=0)
    numbered = [(number, size) for number, size in enumerate(part_sizes, start=1) if number > after]
    shown = numbered[:limit]
    parts: dict[str, Any] = {
        "TotalPartsCount": len(part_sizes),
        "PartNumberMarker": after,
        "MaxParts": limit,
        "IsTruncated": len(numbered) > limit,
        "Parts": [{"PartNumber": number, "Size": size} for number, size in shown],
    }
    if parts["IsTruncated"] and shown:
        parts["NextPartNumberMarker"] = shown[-1][0]
    return parts


def _non_negative(name: str, raw: str | None, *, default: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise S3Error(
            "InvalidArgument",
            f"Argument {name} must be an integer between 0 and 2147483647",
            status=400,
            details={"ArgumentName": name, "ArgumentValue": raw},
        )
    return value
