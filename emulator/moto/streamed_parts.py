"""UploadPart bodies written to the object store as they are read: moto never holds a part in memory.

Why: moto reads a request's whole body into memory before it stores a part, and decodes an aws-chunked body into
one or two more whole copies. With boto3's default transfer (8 MiB parts, ten at a time) those copies made most of
the emulator's peak while a large file uploads.

How it works: `emulator.moto.checksum_verification` reads every UploadPart body once, in pieces, to verify it. For
a part of an upload that exists it passes the decoded pieces to `stage()`, which writes them to a staged body of the
object store and hashes their MD5 (the part's ETag) on the way. `hand_over()` then leaves that `StagedBody` in the
request's environ and gives moto an empty body marked as a plain payload, so moto has nothing to read or decode. The
replacement of `S3Response.upload_part` that `install()` puts in place hands moto the staged body as the request's
body; moto passes it to the part it creates, and `emulator.moto.bodies` keeps it as that part's value.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable
from typing import Any

from moto.core.common_types import TYPE_RESPONSE
from moto.s3.responses import S3Response

from emulator.moto.bodies import StagedBody
from emulator.store.object_store import ObjectStore

__all__ = ["hand_over", "install", "stage"]

_STAGED_PART = "sst_dev.staged_part"


def stage(store: ObjectStore, pieces: Iterable[bytes]) -> StagedBody:
    """`pieces`, written to a new staged body of `store` as they come, with their MD5."""
    md5 = hashlib.md5(usedforsecurity=False)

    def hashed() -> Iterable[bytes]:
        for piece in pieces:
            md5.update(piece)
            yield piece

    body = store.stage_chunks(hashed())
    return StagedBody(body, md5.hexdigest())


def hand_over(environ: dict[str, Any], staged: StagedBody) -> None:
    """Make `staged` the body moto stores for this UploadPart request, and leave moto nothing to read."""
    environ[_STAGED_PART] = staged
    environ["wsgi.input"] = io.BytesIO(b"")
    environ["CONTENT_LENGTH"] = "0"
    environ["HTTP_X_AMZ_CONTENT_SHA256"] = "UNSIGNED-PAYLOAD"  # moto decodes a STREAMING-… body it reads
    environ.pop("HTTP_X_AMZ_DECODED_CONTENT_LENGTH", None)


def install() -> None:
    """Replace `S3Response.upload_part` (see the module docstring), once per process."""
    if getattr(S3Response.upload_part, "__sst_dev_streamed__", False):
        raise RuntimeError("streamed UploadPart bodies are already installed in this process")
    S3Response.upload_part = _taking_staged_body(S3Response.upload_part)  # type: ignore[method-assign,assignment]


def _taking_staged_body(method: Callable[[S3Response], TYPE_RESPONSE]) -> Callable[[S3Response], TYPE_RESPONSE]:
    def upload_part(response: S3Response) -> TYPE_RESPONSE:
        staged = response.request.environ.pop(_STAGED_PART, None)
        if staged is not None:
            response.body = staged
        return method(response)

    upload_part.__sst_dev_streamed__ = True  # type: ignore[attr-defined]
    return upload_part
