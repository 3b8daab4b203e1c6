"""The Console's bucket browser API: list buckets and folders, read, delete, create folders, presign downloads."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from devserver.console.browse import PAGE_SIZE, folder_key
from devserver.console.origin import same_origin_only
from devserver.console.s3_access import BucketAccess

if TYPE_CHECKING:
    from devserver.console.host import ConsoleHost

__all__ = ["buckets_router"]


class DeleteRequest(BaseModel):
    keys: list[str] = Field(default_factory=list)
    prefixes: list[str] = Field(default_factory=list)
    """Whole folders: every object whose key starts with one of these (each ends with `/`)."""


class FolderRequest(BaseModel):
    prefix: str = ""
    name: str


class PresignRequest(BaseModel):
    key: str
    expiresIn: int = 3600  # noqa: N815 - the JSON field's name


def buckets_router(server: ConsoleHost, access: BucketAccess) -> APIRouter:
    """Routes under `/_sst/api/buckets`; buckets are addressed by their construct id."""

    async def emulator_ready() -> None:
        await server.aws.ready()

    router = APIRouter(prefix="/_sst/api/buckets", dependencies=[Depends(emulator_ready)])
    changes = [Depends(same_origin_only(server))]

    @router.get("")
    def list_buckets() -> list[dict[str, Any]]:
        return [
            {
                "id": bucket.id,
                "name": bucket.name,
                "notifications": [
                    {
                        "id": n.id,
                        "function": n.function.name,
                        "handler": n.function.handler,
                        "events": list(n.events),
                        "prefix": n.prefix,
                        "suffix": n.suffix,
                    }
                    for n in bucket.notifications
                ],
            }
            for bucket in server.app.buckets
        ]

    @router.get("/{bucket_id}/objects")
    async def list_folder(
        bucket_id: str,
        prefix: str = "",
        token: str | None = None,
        maxKeys: int = PAGE_SIZE,  # noqa: N803
    ) -> dict[str, object]:
        return await asyncio.to_thread(access.list_folder, bucket_id, prefix, token, maxKeys)

    @router.get("/{bucket_id}/object")
    async def read_object(bucket_id: str, key: str, download: bool = False, bytes: str | None = None) -> Any:
        """The object's bytes: inline (previews) or as an attachment; `bytes=0-65535` reads a range."""
        body = await asyncio.to_thread(access.get, bucket_id, key, f"bytes={bytes}" if bytes else None)
        name = key.rsplit("/", 1)[-1] or "download"
        disposition = "attachment" if download else "inline"
        headers = {
            "content-disposition": f"{disposition}; filename*=UTF-8''{quote(name)}",
            "content-length": str(body.content_length),
            "x-content-type-options": "nosniff",
        }
        if body.content_range:
            headers["content-range"] = body.content_range
        return StreamingResponse(
            body.chunks(),
            status_code=206 if body.content_range else 200,
            media_type=body.content_type,
            headers=headers,
        )

    @router.post("/{bucket_id}/delete", dependencies=changes)
    async def delete(bucket_id: str, request: DeleteRequest) -> dict[str, int]:
        deleted = await asyncio.to_thread(access.delete, bucket_id, request.keys, request.prefixes)
        return {"deleted": deleted}

    @router.post("/{bucket_id}/folders", dependencies=changes, status_code=201)
    async def create_folder(bucket_id: str, request: FolderRequest) -> dict[str, object]:
        key = folder_key(request.prefix, request.name)
        # S3's console makes a folder as an empty object named `prefix/name/`; so do we.
        await asyncio.to_thread(access.put, bucket_id, key, b"", "application/x-directory")
        return {"prefix": key}

    @router.post("/{bucket_id}/presign", dependencies=changes)
    async def presign(bucket_id: str, request: PresignRequest) -> dict[str, object]:
        url = await asyncio.to_thread(access.presign_get, bucket_id, request.key, request.expiresIn)
        return {"url": url, "expiresIn": request.expiresIn}

    return router
