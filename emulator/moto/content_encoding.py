"""S3 stores no ``aws-chunked`` in an object's Content-Encoding, however the client spelled it.

``aws-chunked`` only says how a request's body is framed (with ``x-amz-content-sha256: STREAMING-…``, signed or
unsigned); S3 decodes the body, drops that coding and keeps the others: ``aws-chunked,gzip`` is stored as ``gzip``,
``aws-chunked`` alone as no Content-Encoding. moto decodes both kinds of stream (`S3Response.setup_class`) and drops
the coding in `FakeKey.set_metadata` — but only when it is spelled exactly ``aws-chunked`` between bare commas, so
``gzip, aws-chunked`` (HTTP allows the space) or ``AWS-Chunked`` (codings are case-insensitive) were stored as sent
and served back. `install()` wraps `FakeKey.set_metadata`, through which the metadata of every write passes
(PutObject, CopyObject, CompleteMultipartUpload, form POST), to drop it in any spelling; other codings are kept as
sent.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from moto.s3.models import FakeKey

__all__ = ["install", "without_aws_chunked"]

_FRAMING = "aws-chunked"


def without_aws_chunked(content_encoding: str) -> str:
    """`content_encoding` without the ``aws-chunked`` coding (any case, any spacing); unchanged when it has none."""
    codings = [coding.strip() for coding in content_encoding.split(",")]
    if not any(coding.lower() == _FRAMING for coding in codings):
        return content_encoding
    return ",".join(coding for coding in codings if coding and coding.lower() != _FRAMING)


def install() -> None:
    """Wrap `FakeKey.set_metadata` (see the module docstring); once per process."""
    if getattr(FakeKey.set_metadata, "__sst_dev_content_encoding__", False):
        raise RuntimeError("aws-chunked is already dropped from stored Content-Encoding in this process")
    original = FakeKey.set_metadata

    def set_metadata(key: FakeKey, metadata: MutableMapping[str, Any], replace: bool = False) -> None:
        encoding = metadata.get("Content-Encoding")  # moto's metadata is case-insensitive
        if isinstance(encoding, str):
            stored = without_aws_chunked(encoding)
            if stored:
                metadata["Content-Encoding"] = stored
            else:
                metadata.pop("Content-Encoding")
        original(key, metadata, replace)

    set_metadata.__sst_dev_content_encoding__ = True  # type: ignore[attr-defined]
    FakeKey.set_metadata = set_metadata  # type: ignore[method-assign,assignment]
