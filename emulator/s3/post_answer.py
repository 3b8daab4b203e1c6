"""S3's answer to an accepted browser form upload, in place of moto's answer to the PutObject it became. Pure.

AWS's POST Object answers
- a 303 to ``success_action_redirect`` (or the deprecated ``redirect``) with ``bucket``, ``key`` and ``etag`` added
  to its query, when it is an absolute http(s) URL: "if Amazon S3 cannot interpret the URL, it acts as if the field is
  not present";
- otherwise by ``success_action_status``: 201 with an XML ``PostResponse`` (Location, Bucket, Key, ETag), 200 with
  no body, and 204 with no body for ``204``, for no value and for any value that is not valid;
always with the object's ``ETag`` and ``Location`` (the key percent-encoded whole, ``/`` included, as S3 writes it),
and the headers a PUT answers with about the stored version: its version id, encryption, checksum and request ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import SplitResult, quote, urlencode, urlsplit, urlunsplit
from xml.sax.saxutils import escape

from emulator.s3.post_form import PostForm

__all__ = ["PostSuccess", "object_location", "post_success_response"]

_KEPT_HEADERS = ("etag", "x-amz-version-id", "x-amz-expiration", "x-amz-request-id", "x-amz-id-2")
_KEPT_PREFIXES = ("x-amz-server-side-encryption", "x-amz-checksum-")


@dataclass(frozen=True)
class PostSuccess:
    """S3's answer to an accepted form POST."""

    status: int
    headers: dict[str, str]
    body: bytes


def object_location(bucket_url: str, key: str) -> str:
    """The object's URL as S3's POST answer gives it: the bucket's URL and the whole key percent-encoded."""
    return f"{bucket_url}/{quote(key, safe='')}"


def post_success_response(
    form: PostForm, *, bucket: str, key: str, bucket_url: str, stored: Mapping[str, str]
) -> PostSuccess:
    """S3's answer to an upload of `key` into `bucket` (at `bucket_url`); `stored` is moto's PutObject answer's
    headers (lower-case names), from which the ETag and the stored version's headers come."""
    location = object_location(bucket_url, key)
    kept = {name: value for name, value in stored.items() if name in _KEPT_HEADERS or name.startswith(_KEPT_PREFIXES)}
    etag = kept.get("etag", "")
    redirect = _absolute_url(form.field("success_action_redirect") or form.field("redirect") or "")
    if redirect is not None:
        added = urlencode({"bucket": bucket, "key": key, "etag": etag})
        query = f"{redirect.query}&{added}" if redirect.query else added
        return PostSuccess(303, {**kept, "location": urlunsplit(redirect._replace(query=query))}, b"")
    headers = {**kept, "location": location}
    status = form.field("success_action_status")
    if status == "201":
        elements = {"Location": location, "Bucket": bucket, "Key": key, "ETag": etag}
        inner = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in elements.items())
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>{inner}</PostResponse>'.encode()
        return PostSuccess(201, {**headers, "content-type": "application/xml"}, body)
    return PostSuccess(200 if status == "200" else 204, headers, b"")


def _absolute_url(value: str) -> SplitResult | None:
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return parts if parts.scheme in ("http", "https") and parts.netloc else None
