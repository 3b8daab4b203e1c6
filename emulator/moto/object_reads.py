"""Plain GetObject and HeadObject answered from moto's S3 backend directly, skipping its web stack.

Why: a small GetObject through moto's stack — the WSGI environ, Flask's request context and routing, werkzeug's
request and response objects, moto's generic response set-up — cost about three times the backend work it wraps
(profiled: Flask and moto's dispatch are ~60 % of the emulator's time per 1 KiB GET). Reads of whole objects are the
most frequent S3 call a local app makes (plain writes have their own path, `emulator.moto.object_puts`). A read changes
nothing, so it needs none of the layers around moto and is answered before the WSGI bridge, on the event loop.

How it works: `ObjectReads` is ASGI middleware next to the WSGI bridge, inside the emulator's request guards (so the
presign, CORS and IAM checks still run first). For a request `emulator.s3.plain_requests` calls plain, it looks the
object up the way moto does (`S3Backend.get_object`, in the backend of the account and partition moto would pick) and
builds moto's exact response: the headers of `S3Response.get_object` / `head_object` (version id, `response_dict`,
checksum when asked, metadata, `Accept-Ranges`), moto's request id (`x-amzn-requestid`) and the ids
`RequestContextMiddleware` stamps. Whenever moto would do more than that — an account override, IAM enforcement switched
on through moto's API, a bucket policy or access logging, a missing key, an archived object, an object without a content
type (moto gives each one; its web stack would pick a default), a body over `BUFFERED_RESPONSE_BYTES` (moto's path
streams it) — the request goes to moto. The tests compare both paths' answers for the same objects.
"""

from __future__ import annotations

import os
from typing import Any

from moto.s3.models import FakeKey
from moto.s3.utils import ARCHIVE_STORAGE_CLASSES

from emulator.asgi_messages import header_map
from emulator.middleware import ASGIApp, Receive, Scope, Send
from emulator.moto.app import s3_backend_for
from emulator.moto.bodies import body_of
from emulator.moto.checksums import checksum_headers
from emulator.moto.hot_paths import request_id
from emulator.request_context import TokenBytes, new_host_id, new_request_id
from emulator.s3.plain_requests import PlainRead, plain_object_read
from emulator.wsgi_bridge import BUFFERED_RESPONSE_BYTES

__all__ = ["ObjectReads"]


class ObjectReads:
    """ASGI middleware answering plain object reads itself and passing every other request to `app`."""

    def __init__(self, app: ASGIApp, token_bytes: TokenBytes = os.urandom) -> None:
        self._app = app
        self._token_bytes = token_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            raw_path = scope.get("raw_path") or scope["path"].encode()
            read = plain_object_read(scope["method"], raw_path, scope["query_string"], header_map(scope))
            answer = None if read is None else self._answer(read)
            if answer is not None:
                status, headers, body = answer
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self._app(scope, receive, send)

    def _answer(self, read: PlainRead) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        backend = s3_backend_for(read.access_key_id, read.region)
        bucket = None if backend is None else backend.buckets.get(read.bucket)
        if backend is None or bucket is None or bucket.policy or bucket.logging:
            return None
        key = backend.get_object(read.bucket, read.key)
        if (
            key is None
            or key.storage_class in ARCHIVE_STORAGE_CLASSES
            or key.size > BUFFERED_RESPONSE_BYTES
            or not any(name.lower() == "content-type" for name in key.metadata)
        ):
            return None
        headers = _head_headers(key, read.checksum_mode) if read.head else _get_headers(key, read.checksum_mode)
        body = b"" if read.head else body_of(key).read()
        request_id(headers)
        encoded = [(name.lower().encode("latin-1"), str(value).encode("latin-1")) for name, value in headers.items()]
        encoded += [
            (b"x-amz-request-id", new_request_id(self._token_bytes).encode()),
            (b"x-amz-id-2", new_host_id(self._token_bytes).encode()),
        ]
        return 200, encoded, body


def _get_headers(key: FakeKey, checksum_mode: bool) -> dict[str, Any]:
    """The headers moto's `S3Response.get_object` answers a whole-object GET with (no origin, no overrides)."""
    headers: dict[str, Any] = {}
    if key.version_id != "null":
        headers["x-amz-version-id"] = key.version_id
    headers.update(key.response_dict)
    if checksum_mode:
        headers.update(checksum_headers(key))
    headers.update(key.metadata)
    headers["Accept-Ranges"] = "bytes"
    return headers


def _head_headers(key: FakeKey, checksum_mode: bool) -> dict[str, Any]:
    """The headers moto's `S3Response.head_object` answers a whole-object HEAD with (no conditions), with the checksum
    headers of a GET (`emulator.moto.checksums` makes moto's HEAD give them too)."""
    headers: dict[str, Any] = {}
    headers.update(key.metadata)
    headers.update(key.response_dict)
    headers["Accept-Ranges"] = "bytes"
    if checksum_mode:
        headers.update(checksum_headers(key))
    return headers
