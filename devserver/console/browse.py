"""Pure rules of the Console's bucket browser: folders as S3's console shows them, and what a request may ask for.

S3 has no folders: its console shows the common prefixes of a `ListObjectsV2` with `Delimiter="/"` as folders and
creates a folder as a zero-byte object whose key ends in `/`. We do the same, so a folder made here is one the AWS
CLI, the app's handlers and the real console all see as a folder. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from devserver.console.errors import ConsoleError

__all__ = [
    "DELIMITER",
    "MAX_PAGE_SIZE",
    "MAX_PRESIGN_SECONDS",
    "MULTIPART_THRESHOLD",
    "PAGE_SIZE",
    "PART_SIZE",
    "Breadcrumb",
    "breadcrumbs",
    "check_expiry",
    "check_key",
    "check_prefix",
    "folder_key",
    "listing_page",
]

DELIMITER = "/"
PAGE_SIZE = 200
"""Rows per listing page; more come with S3's continuation token. S3 pages by up to 1,000 keys, but a listing does
not carry `Content-Type`, so each row costs a `HeadObject` (about 1.5 ms against the emulator, 8 at a time):
200 rows keep a page under 0.3 s."""
MAX_PAGE_SIZE = 1000
"""S3's own `MaxKeys` ceiling."""
MULTIPART_THRESHOLD = 8 * 1024 * 1024
"""Files larger than this upload in parts, as the AWS CLI's default `multipart_threshold` does."""
PART_SIZE = 8 * 1024 * 1024
"""Each part but the last; S3 wants at least 5 MiB per part (but the last)."""
MAX_PRESIGN_SECONDS = 7 * 24 * 3600
"""SigV4 presigned URLs live at most 7 days (`X-Amz-Expires` ≤ 604800)."""
MAX_KEY_BYTES = 1024


@dataclass(frozen=True)
class Breadcrumb:
    label: str
    prefix: str


def breadcrumbs(bucket_id: str, prefix: str) -> list[Breadcrumb]:
    """The path from the bucket's root to the folder `prefix`: `myFiles / uploads / 2024`."""
    crumbs = [Breadcrumb(bucket_id, "")]
    walked = ""
    for part in prefix.split(DELIMITER)[:-1] if prefix else []:
        walked += part + DELIMITER
        crumbs.append(Breadcrumb(part, walked))
    return crumbs


def check_key(key: str) -> str:
    """`key` if S3 would store it (1–1024 UTF-8 bytes); else `ConsoleError` with code `InvalidKey`."""
    if not key or len(key.encode()) > MAX_KEY_BYTES:
        raise ConsoleError(400, "InvalidKey", "object keys are 1 to 1024 bytes of UTF-8", key)
    return key


def check_prefix(prefix: str) -> str:
    """A folder prefix is empty (the bucket's root) or ends with `/`."""
    if prefix and not prefix.endswith(DELIMITER):
        raise ConsoleError(400, "InvalidPrefix", "a folder prefix is empty or ends with '/'", prefix)
    return prefix


def folder_key(prefix: str, name: str) -> str:
    """The key of the zero-byte object that is the folder `name` inside `prefix`, as S3's console creates it."""
    name = name.strip()
    if not name or DELIMITER in name or name in {".", ".."}:
        raise ConsoleError(400, "InvalidFolderName", "a folder name is not empty and has no '/'", name)
    return check_key(check_prefix(prefix) + name + DELIMITER)


def check_expiry(seconds: int) -> int:
    """A presigned URL's lifetime, 1 s to 7 days as SigV4 allows."""
    if not 1 <= seconds <= MAX_PRESIGN_SECONDS:
        raise ConsoleError(
            400, "InvalidExpiry", f"presigned URLs expire after 1 to {MAX_PRESIGN_SECONDS} seconds", str(seconds)
        )
    return seconds


def listing_page(
    bucket_id: str, prefix: str, page: Mapping[str, object], types: Mapping[str, str]
) -> dict[str, object]:
    """The Console's JSON for one `ListObjectsV2` page with `Delimiter="/"`.

    `types` maps keys to their `Content-Type` (S3's listing does not carry it). The folder's own marker object (the
    key equal to `prefix`) is not a row, as in S3's console.
    """
    folders = [str(entry["Prefix"]) for entry in _entries(page, "CommonPrefixes")]
    objects = [
        {
            "key": str(entry["Key"]),
            "name": str(entry["Key"])[len(prefix) :],
            "size": entry["Size"],
            "lastModified": _iso(entry["LastModified"]),
            "contentType": types.get(str(entry["Key"])),
        }
        for entry in _entries(page, "Contents")
        if entry["Key"] != prefix
    ]
    return {
        "bucket": bucket_id,
        "prefix": prefix,
        "breadcrumbs": [{"label": c.label, "prefix": c.prefix} for c in breadcrumbs(bucket_id, prefix)],
        "folders": [{"prefix": folder, "name": folder[len(prefix) : -1]} for folder in folders],
        "objects": objects,
        "nextToken": page.get("NextContinuationToken") if page.get("IsTruncated") else None,
    }


def _entries(page: Mapping[str, object], name: str) -> Sequence[Mapping[str, object]]:
    entries = page.get(name) or []
    assert isinstance(entries, list)
    return entries


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)
