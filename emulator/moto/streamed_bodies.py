"""PutObject and UploadPart bodies written to the object store as they are read: moto never holds one in memory.

Why: moto reads a request's whole body into memory before it stores an object or a part, and decodes an aws-chunked
body into one or two more whole copies. A large PutObject held all of it in the emulator's memory while it lasted
(`benchmarks.emulator_memory` measures one of 100 MiB); with boto3's default multipart transfer (8 MiB parts, ten at
a time) the parts' copies made most of the emulator's peak while a large file uploads.

How it works: `emulator.moto.checksum_verification` reads every PutObject and UploadPart body once, in pieces, to
verify it. It passes the decoded pieces to `stage()`, which writes them to a staged body of the object store and
hashes their MD5 (the ETag) on the way. `hand_over()` then leaves that `StagedBody` in the request's environ and gives
moto an empty body marked as a plain payload, so moto has nothing to read or decode. The replacements of
`S3Response.put_object` and `S3Response.upload_part` that `install()` puts in place hand moto the staged body as the
request's body, and the plain-write path (`emulator.moto.object_puts`) `take()`s it; either way it becomes the value
of the key or part created, which `emulator.moto.bodies` keeps as it is. A staged body that no key or part took (moto
refused the request) is removed with its handle (`emulator.store.bodies`).
"""

from __future__ import annotations

import functools
import hashlib
import io
from collections.abc import Callable, Iterable
from typing import Any

from moto.core.common_types import TYPE_RESPONSE
from moto.s3.responses import S3Response

from emulator.moto.bodies import StagedBody
from emulator.store.object_store import ObjectStore

__all__ = ["hand_over", "install", "stage", "take"]

_STAGED_BODY = "sst_dev.staged_body"


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
    """Make `staged` the body stored for this request, and leave moto nothing to read."""
    environ[_STAGED_BODY] = staged
    environ["wsgi.input"] = io.BytesIO(b"")
    environ["CONTENT_LENGTH"] = "0"
    environ["HTTP_X_AMZ_CONTENT_SHA256"] = "UNSIGNED-PAYLOAD"  # moto decodes a STREAMING-… body it reads
    environ.pop("HTTP_X_AMZ_DECODED_CONTENT_LENGTH", None)


def take(environ: dict[str, Any]) -> StagedBody | None:
    """The body `hand_over` left for this request, once; None when there is none."""
    staged: StagedBody | None = environ.pop(_STAGED_BODY, None)
    return staged


def install() -> None:
    """Replace `S3Response.put_object` and `S3Response.upload_part` (see the module docstring), once per process."""
    if getattr(S3Response.upload_part, "__sst_dev_streamed__", False):
        raise RuntimeError("streamed request bodies are already installed in this process")
    S3Response.put_object = _taking_staged_body(S3Response.put_object)  # type: ignore[method-assign,assignment]
    S3Response.upload_part = _taking_staged_body(S3Response.upload_part)  # type: ignore[method-assign,assignment]


def _taking_staged_body(method: Callable[[S3Response], TYPE_RESPONSE]) -> Callable[[S3Response], TYPE_RESPONSE]:
    @functools.wraps(method)
    def taking_staged_body(response: S3Response) -> TYPE_RESPONSE:
        staged = take(response.request.environ)
        if staged is not None:
            response.body = staged
        return method(response)

    taking_staged_body.__sst_dev_streamed__ = True  # type: ignore[attr-defined]
    return taking_staged_body
