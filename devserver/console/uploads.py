"""The Console's upload API: single PUTs for small files, S3 multipart uploads (create, parts, complete) for large.

The browser sends the bytes here (same origin, so no bucket CORS is needed and a bucket with `cors=False` still
takes uploads from the Console) and we write them to the emulator: the bucket's notifications fire as for any
`PutObject` or `CompleteMultipartUpload`. The browser slices files larger than `MULTIPART_THRESHOLD` into
`PART_SIZE` parts, so no request body here is larger than `MAX_BODY`.
"""

from __future__ import annotations

import asyncio
import mimetypes
from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from devserver.console.browse import MULTIPART_THRESHOLD, PART_SIZE, check_key
from devserver.console.errors import ConsoleError
from devserver.console.origin import same_origin_only
from devserver.console.s3_access import BucketAccess

if TYPE_CHECKING:
    from devserver.console.host import ConsoleHost

__all__ = ["MAX_BODY", "read_body", "uploads_router"]

MAX_BODY = 64 * 1024 * 1024
"""The largest single PUT or part the Console takes: larger files must go multipart (the page does so itself)."""


class MultipartStart(BaseModel):
    key: str
    contentType: str | None = None  # noqa: N815 - the JSON field's name


class CompletedPart(BaseModel):
    partNumber: int  # noqa: N815
    eTag: str  # noqa: N815


class MultipartCompletion(BaseModel):
    key: str
    parts: list[CompletedPart]


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request's body, refused with `EntityTooLarge` as soon as it passes `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ConsoleError(413, "EntityTooLarge", f"a request body may be at most {limit} bytes", str(size))
        chunks.append(chunk)
    return b"".join(chunks)


def _content_type(key: str, declared: str | None) -> str:
    # Browsers send no type for files they cannot classify; S3 would store binary/octet-stream, we guess first.
    return declared or mimetypes.guess_type(key)[0] or "application/octet-stream"


def uploads_router(server: ConsoleHost, access: BucketAccess) -> APIRouter:
    """Routes under `/_sst/api/buckets/{bucket_id}` that write objects; all refuse other origins."""

    async def emulator_ready() -> None:
        await server.aws.ready()

    router = APIRouter(
        prefix="/_sst/api/buckets/{bucket_id}",
        dependencies=[Depends(emulator_ready), Depends(same_origin_only(server))],
    )

    @router.put("/object", status_code=201)
    async def put_object(bucket_id: str, key: str, request: Request) -> dict[str, object]:
        body = await read_body(request)
        content_type = _content_type(key, request.headers.get("content-type"))
        return await asyncio.to_thread(access.put, bucket_id, check_key(key), body, content_type)

    @router.post("/multipart", status_code=201)
    async def create_multipart_upload(bucket_id: str, start: MultipartStart) -> dict[str, object]:
        content_type = _content_type(start.key, start.contentType)
        upload_id = await asyncio.to_thread(access.create_multipart_upload, bucket_id, start.key, content_type)
        return {"uploadId": upload_id, "key": start.key, "partSize": PART_SIZE, "threshold": MULTIPART_THRESHOLD}

    @router.put("/multipart/{upload_id}/parts/{number}")
    async def upload_part(bucket_id: str, upload_id: str, number: int, key: str, request: Request) -> dict[str, object]:
        body = await read_body(request)
        etag = await asyncio.to_thread(access.upload_part, bucket_id, key, upload_id, number, body)
        return {"partNumber": number, "eTag": etag}

    @router.post("/multipart/{upload_id}/complete")
    async def complete_multipart_upload(
        bucket_id: str, upload_id: str, completion: MultipartCompletion
    ) -> dict[str, object]:
        parts = [(part.partNumber, part.eTag) for part in completion.parts]
        return await asyncio.to_thread(access.complete_multipart_upload, bucket_id, completion.key, upload_id, parts)

    @router.delete("/multipart/{upload_id}", status_code=204)
    async def abort_multipart_upload(bucket_id: str, upload_id: str, key: str) -> None:
        await asyncio.to_thread(access.abort_multipart_upload, bucket_id, key, upload_id)

    return router
