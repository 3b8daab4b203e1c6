"""Which S3 requests are plain object reads and writes that the emulator may serve without moto's web stack. Pure.

A plain read is a `GetObject` or `HeadObject` of a whole object, and a plain write a `PutObject`, as an SDK sends
them: SigV4-signed for `s3` in the `Authorization` header, path-style to the emulator's IP address, no query string,
and no header that changes the answer — for reads a range, a condition, an origin, a customer key; for writes a
condition, an ACL, tags, encryption, a storage class, object lock, a copy source, a chunked or encoded body, or a
checksum left for the server to compute. Anything else — a presigned URL, a virtual-host name, a `versionId`, a
form upload — is not plain and goes through moto as before. Headers are allow-listed, so a header the SDKs start
sending tomorrow sends requests down moto's path rather than wrongly down ours.

The key is decoded as moto decodes it (`urllib.parse.unquote` of the raw path, path-style: everything after the
bucket segment), so the same object is found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from emulator.iam.signer import access_key_of
from emulator.s3.addressing import is_ip_address, split_host

__all__ = ["PlainPut", "PlainRead", "plain_object_put", "plain_object_read"]

_SDK_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "amz-sdk-invocation-id",
        "amz-sdk-request",
        "authorization",
        "connection",
        "host",
        "user-agent",
        "x-amz-content-sha256",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-user-agent",
    }
)
"""Headers an SDK sends with every call, which no object operation's answer depends on."""
_READ_HEADERS = _SDK_HEADERS | {"x-amz-checksum-mode"}
_CHECKSUM_ALGORITHMS = frozenset({"crc32", "crc32c", "crc64nvme", "sha1", "sha256"})
_WRITE_HEADERS = (
    _SDK_HEADERS
    | {"cache-control", "content-disposition", "content-language", "content-length", "content-md5", "content-type"}
    | {"expect", "expires", "x-amz-sdk-checksum-algorithm"}
    | {f"x-amz-checksum-{algorithm}" for algorithm in _CHECKSUM_ALGORITHMS}
)
"""What a PutObject may carry to be plain: its body's description (kept as metadata) and a checksum it states."""
_USER_METADATA = "x-amz-meta-"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")  # werkzeug parses these bodies for moto


@dataclass(frozen=True)
class _SignedObjectRequest:
    bucket: str
    key: str
    access_key_id: str
    region: str


@dataclass(frozen=True)
class PlainRead:
    """A plain GetObject (`head` False) or HeadObject of `key` in `bucket`, signed by `access_key_id` in `region`."""

    bucket: str
    key: str
    head: bool
    access_key_id: str
    region: str
    checksum_mode: bool


@dataclass(frozen=True)
class PlainPut:
    """A plain PutObject of `key` in `bucket`; `checksum_algorithm` (upper case, as sent) and `checksum` are the
    checksum the client stated, or empty and None."""

    bucket: str
    key: str
    access_key_id: str
    region: str
    checksum_algorithm: str
    checksum: str | None


def plain_object_read(
    method: str, raw_path: bytes, query_string: bytes, headers: Mapping[str, str]
) -> PlainRead | None:
    """The plain read a request is, or None when moto must answer it (see the module docstring).

    `headers` has lower-case names.
    """
    if method not in ("GET", "HEAD") or not headers.keys() <= _READ_HEADERS:
        return None
    request = _signed_object_request(raw_path, query_string, headers)
    if request is None:
        return None
    return PlainRead(
        bucket=request.bucket,
        key=request.key,
        head=method == "HEAD",
        access_key_id=request.access_key_id,
        region=request.region,
        checksum_mode=headers.get("x-amz-checksum-mode") == "ENABLED",
    )


def plain_object_put(method: str, raw_path: bytes, query_string: bytes, headers: Mapping[str, str]) -> PlainPut | None:
    """The plain PutObject a request is, or None when moto must answer it (see the module docstring).

    `headers` has lower-case names.
    """
    if method != "PUT" or any(name not in _WRITE_HEADERS and not name.startswith(_USER_METADATA) for name in headers):
        return None
    if headers.get("x-amz-content-sha256", "").startswith("STREAMING-"):
        return None  # an aws-chunked body, which moto decodes
    if headers.get("content-type", "").lower().startswith(_FORM_TYPES):
        return None
    algorithm = headers.get("x-amz-sdk-checksum-algorithm", "")
    checksum = headers.get(f"x-amz-checksum-{algorithm.lower()}") if algorithm else None
    if algorithm and (algorithm.lower() not in _CHECKSUM_ALGORITHMS or checksum is None):
        return None  # moto would compute the checksum, or look for it in a trailer
    request = _signed_object_request(raw_path, query_string, headers)
    if request is None:
        return None
    return PlainPut(request.bucket, request.key, request.access_key_id, request.region, algorithm, checksum)


def _signed_object_request(
    raw_path: bytes, query_string: bytes, headers: Mapping[str, str]
) -> _SignedObjectRequest | None:
    """Bucket, key and signer of a header-signed, path-style object request without a query, else None."""
    if query_string or not is_ip_address(split_host(headers.get("host", ""))[0]):
        return None  # a host name may name a bucket (virtual-host style): moto decides
    signer = access_key_of(headers, {})
    if signer is None or signer.service != "s3" or signer.region is None:
        return None
    if not raw_path.isascii():
        return None
    bucket, _, key = unquote(raw_path.decode("ascii")).removeprefix("/").partition("/")
    if not bucket or not key or key.startswith("/") or "//" in key:
        return None  # a bucket request, or a path whose empty segments moto's URL routing treats its own way
    return _SignedObjectRequest(bucket, key, signer.access_key_id, signer.region)
