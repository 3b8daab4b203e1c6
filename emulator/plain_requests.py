"""Which S3 requests are plain object reads that the emulator may answer without moto's web stack. Pure.

A plain read is a `GetObject` or `HeadObject` of a whole object as an SDK sends it: SigV4-signed for `s3` in the
`Authorization` header, path-style to the emulator's IP address, no query string and no header that changes the
answer (a range, a condition, an origin, an account override, a customer key). Anything else — a presigned URL, a
virtual-host name, a `versionId`, an unexpected header — is not plain and goes through moto as before. The headers
are an allow-list, so a header the SDKs start sending tomorrow sends requests down moto's path rather than wrongly
down ours.

The key is decoded as moto decodes it (`urllib.parse.unquote` of the raw path, path-style: everything after the
bucket segment), so the same object is found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from emulator.s3_addressing import is_ip_address, split_host
from emulator.signer import access_key_of

__all__ = ["PlainRead", "plain_object_read"]

_METHODS = frozenset({"GET", "HEAD"})
_ANSWER_NEUTRAL_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "amz-sdk-invocation-id",
        "amz-sdk-request",
        "authorization",
        "connection",
        "host",
        "user-agent",
        "x-amz-checksum-mode",
        "x-amz-content-sha256",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-user-agent",
    }
)
"""Headers an SDK sends with a read that moto's answer does not depend on (`x-amz-checksum-mode` it reads; we too)."""


@dataclass(frozen=True)
class PlainRead:
    """A plain GetObject (`head` False) or HeadObject of `key` in `bucket`, signed by `access_key_id` in `region`."""

    bucket: str
    key: str
    head: bool
    access_key_id: str
    region: str
    checksum_mode: bool


def plain_object_read(
    method: str, raw_path: bytes, query_string: bytes, headers: Mapping[str, str]
) -> PlainRead | None:
    """The plain read a request is, or None when moto must answer it (see the module docstring).

    `headers` has lower-case names.
    """
    if method not in _METHODS or query_string or not headers.keys() <= _ANSWER_NEUTRAL_HEADERS:
        return None
    if not is_ip_address(split_host(headers.get("host", ""))[0]):
        return None  # a host name may name a bucket (virtual-host style): moto decides
    signer = access_key_of(headers, {})
    if signer is None or signer.service != "s3" or signer.region is None:
        return None
    if not raw_path.isascii():
        return None
    bucket, _, key = unquote(raw_path.decode("ascii")).removeprefix("/").partition("/")
    if not bucket or not key or key.startswith("/") or "//" in key:
        return None  # a bucket request, or a path whose empty segments moto's URL routing treats its own way
    return PlainRead(
        bucket=bucket,
        key=key,
        head=method == "HEAD",
        access_key_id=signer.access_key_id,
        region=signer.region,
        checksum_mode=headers.get("x-amz-checksum-mode") == "ENABLED",
    )
