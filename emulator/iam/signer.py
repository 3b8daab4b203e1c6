"""Who signed a request, read from its signature without checking it: pure.

SigV4 names the access key, region and service in its credential scope (the `Authorization` header or a presigned
URL's `X-Amz-Credential`); SigV2, which only S3 takes, names the access key alone. The IAM guard uses this to find
whose policies apply, the WSGI bridge to tell S3 requests from others.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["SignedBy", "access_key_of"]

_SIGV4_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/")
_SIGV2_HEADER = re.compile(r"^AWS ([^:\s]+):")


@dataclass(frozen=True)
class SignedBy:
    access_key_id: str
    service: str | None
    region: str | None


def access_key_of(headers: Mapping[str, str], query: Mapping[str, str]) -> SignedBy | None:
    """Who signed a request, and for which service and region (SigV4 says; SigV2 is S3's), or None if unsigned.

    `headers` has lower-case names; `query` is the decoded query string.
    """
    authorization = headers.get("authorization", "")
    found = _SIGV4_CREDENTIAL.search(authorization)
    if found:
        return SignedBy(found.group(1), found.group(3), found.group(2))
    if "X-Amz-Credential" in query:
        parts = query["X-Amz-Credential"].split("/")
        if len(parts) >= 4:
            return SignedBy(parts[0], parts[3], parts[2])
    sigv2 = _SIGV2_HEADER.match(authorization)
    if sigv2:
        return SignedBy(sigv2.group(1), "s3", None)
    if "AWSAccessKeyId" in query:
        return SignedBy(query["AWSAccessKeyId"], "s3", None)
    return None
