"""S3's object listings as pure rules: which entries a ListObjects, ListObjectsV2 or ListObjectVersions page holds,
the limits of its query, its continuation tokens, and what its answer echoes and URL-encodes.

Why: SDKs page through listings by these rules, and boto3 asks every listing for `encoding-type=url` and decodes the
answer, so a field S3 would encode and we did not comes back altered (`a+b/` read as `a b/`). As S3 documents:
- a page holds up to `max-keys` (at most 1,000) entries; keys rolled up into a common prefix count once, keys and
  prefixes together, in key order. Paging resumes strictly after the marker (V1 `Marker`, V2 `StartAfter` or a
  continuation token, which wins over `StartAfter`); a common prefix equal to the marker is not listed again.
  `max-keys=0` lists nothing and is not truncated. A non-integer or negative `max-keys` is `InvalidArgument`.
- V1 always echoes `Marker` (empty when none was sent) and gives `NextMarker` — the last key or prefix of a truncated
  page — only when a delimiter was sent. V2 echoes `ContinuationToken` and `StartAfter` when sent, and lists an
  object's `Owner` only for `fetch-owner=true`.
- `encoding-type=url` percent-encodes, as URIs are (`/` kept): every key, every common prefix, and the `Prefix`,
  `Delimiter`, `Marker`, `NextMarker`, `StartAfter`, `KeyMarker` and `NextKeyMarker` elements of each listing.
Continuation tokens carry the key they resume after (base64), so they survive an emulator restart.
"""

from __future__ import annotations

import base64
import binascii
import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any
from urllib.parse import quote

from emulator.s3.errors import S3Error
from emulator.s3.query_params import first_value

__all__ = [
    "MAX_KEYS",
    "Page",
    "check_listing_query",
    "list_page",
    "shaped_listing",
    "with_parsed_times",
    "token_for",
    "token_start",
]

MAX_KEYS = 1000
"""The most entries one page holds, whatever `max-keys` asks."""
_MAX_INT = 2_147_483_647
_LAST_CHARACTER = chr(0x10FFFF)
_URL_SAFE = re.compile(r"[A-Za-z0-9_.~/-]*")
"""What `urllib.parse.quote(value, safe="/")` leaves as it is."""

# Per action: the top-level elements, and the (list, member) elements, that encoding-type=url encodes.
_ENCODED: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = {
    "ListObjects": (
        ("Prefix", "Delimiter", "Marker", "NextMarker"),
        (("Contents", "Key"), ("CommonPrefixes", "Prefix")),
    ),
    "ListObjectsV2": (("Prefix", "Delimiter", "StartAfter"), (("Contents", "Key"), ("CommonPrefixes", "Prefix"))),
    "ListObjectVersions": (
        ("Prefix", "Delimiter", "KeyMarker", "NextKeyMarker"),
        (("Versions", "Key"), ("DeleteMarkers", "Key"), ("CommonPrefixes", "Prefix")),
    ),
}


@dataclass(frozen=True)
class Page:
    """One page of a listing: `listed` are the positions, in the entries given, of the versions it lists."""

    listed: list[int] = field(default_factory=list)
    common_prefixes: list[str] = field(default_factory=list)
    truncated: bool = False
    next_marker: str | None = None
    """The last key or common prefix listed, when truncated."""
    next_version_marker: str | None = None
    """The version id of the last entry listed, when truncated and that entry is a version (not a prefix)."""


def list_page(
    entries: Sequence[tuple[str, str | None]],
    *,
    prefix: str = "",
    delimiter: str | None = None,
    marker: str = "",
    version_marker: str | None = None,
    max_keys: int | None,
) -> Page:
    """The page of `entries` — (key, version id) pairs sorted by key, a key's versions newest first — that starts
    after `marker` (after its version `version_marker` when given, else after all its versions) and holds up to
    `max_keys` entries (None: all). Keys holding `delimiter` after `prefix` are rolled up into common prefixes.

    The entries before the prefix or the marker, and those a common prefix rolls up, are skipped by bisection, so a
    page costs its own length (times log n), not the bucket's."""
    page = Page()
    if max_keys == 0:
        return page
    position = _first_from(entries, max(prefix, marker))
    past_marker_version = False
    last: tuple[str, str | None] = ("", None)
    while position < len(entries):
        name, version = entries[position]
        if not name.startswith(prefix):
            break  # sorted: no later key starts with it either
        if marker and name == marker and not past_marker_version:
            # Without a version marker every version of the marker key is behind us; with one, those up to it.
            past_marker_version = version_marker is not None and version == version_marker
            position += 1
            continue
        rolled = _rolled_up(name, prefix, delimiter)
        if rolled is not None and (rolled == marker or (page.common_prefixes and page.common_prefixes[-1] == rolled)):
            position = _first_past(entries, rolled, position)  # a prefix listed on an earlier page, or on this one
            continue
        if max_keys is not None and len(page.listed) + len(page.common_prefixes) == max_keys:
            return Page(page.listed, page.common_prefixes, True, last[0], last[1])
        if rolled is None:
            page.listed.append(position)
            last = (name, version)
            position += 1
        else:
            page.common_prefixes.append(rolled)
            last = (rolled, None)
            position = _first_past(entries, rolled, position)
    return page


def _first_from(entries: Sequence[tuple[str, str | None]], name: str) -> int:
    """The position of the first entry whose key is `name` or sorts after it."""
    return bisect_left(entries, name, key=itemgetter(0))


def _first_past(entries: Sequence[tuple[str, str | None]], prefix: str, position: int) -> int:
    """The position of the first entry from `position` on whose key does not start with `prefix`."""
    end = max(position, bisect_left(entries, prefix + _LAST_CHARACTER, lo=position, key=itemgetter(0)))
    while end < len(entries) and entries[end][0].startswith(prefix):
        end += 1  # keys that continue with the last code point itself
    return end


def _rolled_up(name: str, prefix: str, delimiter: str | None) -> str | None:
    if not delimiter:
        return None
    end = name.find(delimiter, len(prefix))
    return None if end < 0 else name[: end + len(delimiter)]


def token_for(after: str) -> str:
    """The `NextContinuationToken` of a page whose last entry is `after`."""
    return base64.urlsafe_b64encode(after.encode("utf-8", "surrogatepass")).decode("ascii")


def token_start(token: str) -> str:
    """The key a continuation token resumes after; `InvalidArgument` for a token we did not give."""
    try:
        return base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8", "surrogatepass")
    except (UnicodeError, binascii.Error, ValueError):
        raise S3Error(
            "InvalidArgument",
            "The continuation token provided is incorrect",
            status=400,
            details={"ArgumentName": "continuation-token", "ArgumentValue": token},
        ) from None


def check_listing_query(query: Mapping[str, Any]) -> None:
    """Refuse what S3 refuses in a listing's query: a `max-keys` that is not an integer from 0 to 2^31-1, and an
    `encoding-type` other than `url`."""
    max_keys = first_value(query, "max-keys")
    if max_keys is not None:
        details = {"ArgumentName": "max-keys", "ArgumentValue": max_keys}
        try:
            value = int(max_keys)
        except ValueError:
            raise S3Error(
                "InvalidArgument",
                "Provided max-keys not an integer or within integer range",
                status=400,
                details=details,
            ) from None
        if not 0 <= value <= _MAX_INT:
            raise S3Error(
                "InvalidArgument",
                "Argument maxKeys must be an integer between 0 and 2147483647",
                status=400,
                details=details,
            )
    encoding = first_value(query, "encoding-type")
    if encoding is not None and encoding != "url":
        raise S3Error(
            "InvalidArgument",
            "Invalid Encoding Method specified in Request",
            status=400,
            details={"ArgumentName": "encoding-type", "ArgumentValue": encoding},
        )


def shaped_listing(action: str, result: Mapping[str, Any], query: Mapping[str, Any]) -> dict[str, Any]:
    """A listing's answer (`result`, in the S3 API's shape, unencoded) with the elements S3 echoes from `query`, the
    owner only where asked, and `encoding-type=url` applied (see the module docstring)."""
    shaped = dict(result)
    if action == "ListObjects":
        shaped["Marker"] = first_value(query, "marker") or ""
        if not first_value(query, "delimiter"):
            shaped.pop("NextMarker", None)
    elif action == "ListObjectsV2":
        token, start_after = first_value(query, "continuation-token"), first_value(query, "start-after")
        if token is not None:
            shaped["ContinuationToken"] = token
        if start_after:
            shaped["StartAfter"] = start_after
        if (first_value(query, "fetch-owner") or "").lower() != "true":
            shaped["Contents"] = [_without(item, "Owner") for item in shaped.get("Contents") or []]
    if first_value(query, "encoding-type") == "url":
        shaped = _url_encoded(action, shaped)
        shaped["EncodingType"] = "url"
    return shaped


def _url_encoded(action: str, result: dict[str, Any]) -> dict[str, Any]:
    top_level, nested = _ENCODED[action]
    for name in top_level:
        if isinstance(result.get(name), str):
            result[name] = _encoded(result[name])
    for list_name, member in nested:
        items: Sequence[Mapping[str, Any]] = result.get(list_name) or []
        result[list_name] = [_with_encoded(item, member) for item in items]
    return result


def _encoded(value: str) -> str:
    return value if _URL_SAFE.fullmatch(value) else quote(value, safe="/")


def _with_encoded(item: Mapping[str, Any], member: str) -> Mapping[str, Any]:
    encoded = _encoded(item[member])
    return item if encoded == item[member] else {**item, member: encoded}


def with_parsed_times(shaped: Mapping[str, Any]) -> dict[str, Any]:
    """A shaped listing with every listed `LastModified` as a datetime, for moto's serializer: it would otherwise
    parse each ISO string with dateutil, which was a third of a 1,000-key listing's time in the emulator (profiled
    2026-12-03); the XML is the same. (`emulator.s3.listing_xml` writes the strings as they are.)"""
    parsed = dict(shaped)
    for list_name in ("Contents", "Versions", "DeleteMarkers"):
        if parsed.get(list_name):
            parsed[list_name] = [_with_parsed_time(item) for item in parsed[list_name]]
    return parsed


def _with_parsed_time(item: Mapping[str, Any]) -> Mapping[str, Any]:
    stamp = item.get("LastModified")
    if not isinstance(stamp, str):
        return item
    return {**item, "LastModified": datetime.fromisoformat(stamp)}


def _without(item: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    return {key: value for key, value in item.items() if key != name} if name in item else item
