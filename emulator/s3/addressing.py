"""Which bucket and key an S3 request names: path-style and virtual-host-style addressing.

S3 accepts both ``http://endpoint/bucket/key`` (path style) and ``http://bucket.endpoint/key`` (virtual-host style).
Locally the virtual-host form is ``bucket.localhost:PORT`` (browsers resolve every ``*.localhost`` name to the loopback
address), so a host under ``localhost`` — or under the emulator's own host name when that is a name, not an IP — names
its bucket in the first labels. moto splits hosts the same way for the buckets sst-dev creates (it takes the first
label, so a dotted bucket name only works path-style there).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import quote, unquote_to_bytes

from emulator.s3.errors import S3Error

__all__ = ["S3Address", "is_ip_address", "object_url", "resolve_s3_address", "split_host"]

# Browsers resolve every *.localhost name to loopback (RFC 6761): the local stand-in for s3.amazonaws.com.
_LOCAL_BASE_DOMAIN = "localhost"


@dataclass(frozen=True)
class S3Address:
    """The bucket and key a request addresses, and how it addressed them.

    `path` is the decoded request path (what S3 URI-encodes again for a SigV4 canonical request); `auth_path` is the
    path with the bucket always in front, which SigV2 signs whatever the addressing style.
    """

    bucket: str | None
    key: str | None
    virtual_host: bool
    path: str

    @property
    def auth_path(self) -> str:
        """The resource path SigV2 signs: ``/bucket/key`` (URI-encoded) for both addressing styles.

        A request for the bucket itself signs ``/bucket/``, with the slash, however its URL ends: S3's
        CanonicalizedResource for a bucket is ``/bucket/`` and botocore signs that for a path-style ``/bucket``.
        """
        if self.bucket is not None and self.key is None:
            return f"/{self.bucket}/"
        encoded = quote(self.path, safe="/~")
        return f"/{self.bucket}{encoded}" if self.virtual_host else encoded


def split_host(host: str) -> tuple[str, str]:
    """Split a Host header into (lower-case host name, port or ""), understanding ``[v6]:port``."""
    host = host.strip().lower()
    if host.startswith("["):
        name, _, rest = host.partition("]")
        return name + "]", rest[1:] if rest.startswith(":") else ""
    name, sep, port = host.rpartition(":")
    if sep and port.isdigit():
        return name, port
    return host, ""


def is_ip_address(name: str) -> bool:
    """Whether a host name (``[v6]`` brackets allowed) is an IP address literal."""
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def _virtual_host_bucket(host: str, endpoint_host: str) -> str | None:
    name, _ = split_host(host)
    endpoint_name, _ = split_host(endpoint_host)
    bases = {_LOCAL_BASE_DOMAIN}
    if endpoint_name and not is_ip_address(endpoint_name):
        bases.add(endpoint_name)
    for base in bases:
        suffix = "." + base
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return None


def resolve_s3_address(host: str, raw_path: bytes, *, endpoint_host: str) -> S3Address:
    """Find the bucket and key named by a request's Host header and raw (still percent-encoded) path.

    `endpoint_host` is the emulator's own ``host:port``. Raises `S3Error` ``InvalidURI`` (400), as S3 does, for a path
    that is not absolute or does not decode to UTF-8.
    """
    try:
        if not raw_path.startswith(b"/"):
            raise ValueError("not an absolute path")
        path = unquote_to_bytes(raw_path).decode("utf-8")
    except ValueError as error:  # UnicodeDecodeError is a ValueError
        raise S3Error(
            "InvalidURI",
            "Couldn't parse the specified URI.",
            status=400,
            details={"URI": raw_path.decode("latin-1")},
        ) from error
    bucket = _virtual_host_bucket(host, endpoint_host)
    if bucket is not None:
        return S3Address(bucket=bucket, key=path[1:] or None, virtual_host=True, path=path)
    first, _, rest = path[1:].partition("/")
    return S3Address(bucket=first or None, key=rest or None, virtual_host=False, path=path)


def object_url(address: S3Address, *, scheme: str, host: str, key: str) -> str:
    """The URL of object `key` in the addressed bucket, in the style the request used (S3's POST ``Location``)."""
    encoded_key = quote(key, safe="/~")
    if address.virtual_host:
        return f"{scheme}://{host}/{encoded_key}"
    return f"{scheme}://{host}/{address.bucket}/{encoded_key}"
