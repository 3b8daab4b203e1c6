"""Plain PutObject done on moto's S3 backend directly, skipping its web stack.

Why: profiled over sequential 1 KiB PutObject calls, moto's Flask app — the request context and URL routing,
werkzeug's request and response objects, `S3Response`'s generic set-up — took about 70 % of the emulator's busy
time, and the backend work it wraps (storing the key, its metadata and ACL) under a quarter. A plain write is the
second most frequent S3 call a local app makes.

How it works: `ObjectPuts` is WSGI middleware directly around moto's app, so everything the emulator does around
moto still happens: the request guards (presign, CORS, IAM) run before it, `RequestContextMiddleware` names the
request for its S3 event, and with a state folder `emulator.moto.persistence` commits the object to disk before the
answer leaves and sends the event after. For a request `emulator.s3.plain_requests` calls a plain PutObject, it does
what moto's `S3Response.put_object` does for one, in the same order and through the same backend calls —
`get_object` (which advances a restore in progress), `put_object` (which fires the notification hook and is where
persistence hears of the write), the metadata read from the headers by moto's own `metadata_from_headers`, the
bucket's ACL, the stated checksum, `put_object_tagging` with no tags — and answers with the headers moto and Flask
would: the checksum, the key's `response_dict` without `content-length`, `x-amzn-requestid`, Flask's default
content type and `Content-Length: 0`. Whenever moto would do more — an account override, IAM enforcement switched
on through moto's API, a missing bucket, a bucket policy, access logging or object lock — the request goes to moto.
It reads the request's headers from the map the WSGI bridge puts in the environ (`asgi_messages.header_map`).
The tests compare both paths' answers and stored objects for the same writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from moto.s3.utils import metadata_from_headers
from werkzeug.datastructures import EnvironHeaders

from emulator.asgi_messages import HEADER_MAP_KEY
from emulator.moto import streamed_bodies
from emulator.moto.app import s3_backend_for
from emulator.moto.hot_paths import request_id
from emulator.s3.plain_requests import PlainPut, plain_object_put

__all__ = ["ObjectPuts"]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_FLASK_DEFAULT_TYPE = "text/html; charset=utf-8"  # Flask's type for a response that states none, as moto's PUT


class ObjectPuts:
    """WSGI middleware doing plain PutObject requests itself and passing every other request to `app`."""

    def __init__(self, app: WSGIApp) -> None:
        self._app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        put = _plain_put(environ) if environ["REQUEST_METHOD"] == "PUT" else None
        headers = None if put is None else self._put(put, environ)
        if headers is None:
            return self._app(environ, start_response)
        start_response("200 OK", headers)
        return [b""]

    def _put(self, put: PlainPut, environ: dict[str, Any]) -> list[tuple[str, str]] | None:
        backend = s3_backend_for(put.access_key_id, put.region)
        bucket = None if backend is None else backend.buckets.get(put.bucket)
        if backend is None or bucket is None or bucket.policy or bucket.logging or bucket.object_lock_enabled:
            return None
        staged = streamed_bodies.take(environ)  # written to the store as it was verified
        if staged is None:  # not verified here (`emulator.moto.checksum_verification` stages every PutObject)
            return None
        backend.get_object(put.bucket, put.key)
        # A StagedBody where moto expects bytes: `emulator.moto.bodies` keeps it as the key's value.
        key = backend.put_object(
            put.bucket,
            put.key,
            staged,  # type: ignore[arg-type]
            storage="STANDARD",
            checksum_value=put.checksum,
        )
        key.set_metadata(metadata_from_headers(EnvironHeaders(environ)))  # type: ignore[arg-type]  # moto reads its headers as this
        key.set_acl(bucket.acl)
        key.website_redirect_location = None
        if put.checksum_algorithm:
            key.checksum_algorithm = put.checksum_algorithm
        backend.put_object_tagging(key, {})
        answer: dict[str, Any] = {}
        if put.checksum is not None:
            answer[f"x-amz-checksum-{put.checksum_algorithm.lower()}"] = put.checksum
        answer.update(key.response_dict)
        answer.pop("content-length", None)
        request_id(answer)
        headers = [(name, str(value)) for name, value in answer.items()]
        if not any(name.lower() == "content-type" for name, _ in headers):
            headers.append(("Content-Type", _FLASK_DEFAULT_TYPE))
        headers.append(("Content-Length", "0"))
        return headers


def _plain_put(environ: dict[str, Any]) -> PlainPut | None:
    return plain_object_put(
        environ["REQUEST_METHOD"],
        environ.get("RAW_URI", environ.get("PATH_INFO", "")).partition("?")[0].encode("latin-1"),
        environ.get("QUERY_STRING", "").encode("latin-1"),
        environ[HEADER_MAP_KEY],
    )
