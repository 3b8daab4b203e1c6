"""`ChecksumVerification`: S3's integrity checks on the object writes that reach moto, before anything is stored.

Why: S3 refuses a PutObject or UploadPart whose body does not match its `Content-MD5` or `x-amz-checksum-*` (header or
aws-chunked trailer), a CreateMultipartUpload or CopyObject with a checksum it cannot keep, a CompleteMultipartUpload
whose parts' checksums are not the stored ones — and stores nothing. moto accepts them all. The rules are pure
(`emulator.s3.checksums`, `emulator.s3.multipart_checksums`); this module applies them to requests.

How it works: WSGI middleware directly around moto's app and the plain-write fast path (`emulator.moto.object_puts`),
inside the persistence layer, so a refused request never reaches moto and a stored object is committed with its
checksum. For PutObject and UploadPart it reads the body once, in pieces (decoding an aws-chunked body on the way to its
trailers), hashes it with what the checks need — the stated algorithm, else S3's default CRC64NVME for a new object, and
MD5 for a `Content-MD5` — and writes the payload to the object store on that same pass, to be handed to moto as a file
(`emulator.moto.streamed_bodies`). A refusal is answered here with S3's XML error. What was verified goes to the backend
hooks in `CURRENT` (`emulator.moto.checksums`, `emulator.moto.multipart_checksums`), which keep it with the key or part;
the answer's checksum headers are then S3's: the kept checksum and, for an object, its type. Other requests pass through
untouched.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from typing import Any, BinaryIO
from urllib.parse import parse_qsl, unquote_to_bytes

from moto.s3.models import FakeMultipart

from emulator.asgi_messages import HEADER_MAP_KEY
from emulator.moto import checksum_answers, checksums, copy_checksums, multipart_checksums, streamed_bodies
from emulator.moto.app import find_bucket
from emulator.moto.checksums import CURRENT, apply_checksum
from emulator.moto.multipart_checksums import COMPLETION, check_completion, check_part
from emulator.request_context import CurrentRequest
from emulator.s3.addressing import resolve_s3_address
from emulator.s3.checksum_trailers import ChunkedPayload, is_aws_chunked
from emulator.s3.checksums import DEFAULT_ALGORITHM, FULL_OBJECT, ChecksumRequest, ChecksumResult, Digester
from emulator.s3.errors import S3Error, error_body
from emulator.s3.multipart_checksums import copy_algorithm, upload_checksum
from emulator.store.bodies import CHUNK_SIZE
from emulator.store.object_store import ObjectStore

__all__ = ["ChecksumVerification", "install"]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
PUT_OBJECT, UPLOAD_PART, COPY_OBJECT, UPLOAD_PART_COPY = "PutObject", "UploadPart", "CopyObject", "UploadPartCopy"
CREATE_UPLOAD, COMPLETE_UPLOAD = "CreateMultipartUpload", "CompleteMultipartUpload"
_SIGNATURE_PARAMETERS = frozenset({"x-id", "awsaccesskeyid", "signature", "expires"})  # and every X-Amz-* one


def install() -> None:
    """Install the backend hooks the verification hands its findings and staged parts to (once per process)."""
    checksums.install()
    copy_checksums.install()
    multipart_checksums.install()
    checksum_answers.install()
    streamed_bodies.install()


class ChecksumVerification:
    """WSGI middleware verifying object writes' checksums in front of `app` (see the module docstring); refusals'
    request ids are those `current_request` holds, and PutObject and UploadPart bodies are staged in `store`."""

    def __init__(self, app: WSGIApp, current_request: CurrentRequest, store: ObjectStore) -> None:
        self._app = app
        self._current_request = current_request
        self._store = store

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        found = _operation(environ)
        if found is None:
            return self._app(environ, start_response)
        operation, query = found
        CURRENT.reset()
        COMPLETION.reset()
        CURRENT.operation = operation
        try:
            self._verify(operation, query, environ)
        except S3Error as error:
            CURRENT.reset()
            return self._refuse(error, start_response)
        try:
            return self._app(environ, _answering(operation, start_response))
        finally:
            if operation == PUT_OBJECT and CURRENT.written is not None and CURRENT.checksum is not None:
                apply_checksum(CURRENT.written, CURRENT.checksum)  # moto respelt the algorithm as the client did
            CURRENT.reset()
            COMPLETION.reset()

    def _verify(self, operation: str, query: dict[str, str], environ: dict[str, Any]) -> None:
        headers: dict[str, str] = environ[HEADER_MAP_KEY]
        if operation == UPLOAD_PART_COPY:
            return  # nothing to verify: the part is checksummed once copied (`emulator.moto.copy_checksums`)
        if operation == CREATE_UPLOAD:
            upload_checksum(headers.get("x-amz-checksum-algorithm"), headers.get("x-amz-checksum-type"))
            return
        if operation == COPY_OBJECT:
            CURRENT.algorithm = copy_algorithm(headers.get("x-amz-checksum-algorithm"))
            # moto would checksum the copy itself, in memory and with stand-ins; `emulator.moto.copy_checksums` does
            environ.pop("HTTP_X_AMZ_CHECKSUM_ALGORITHM", None)
            return
        multipart = _multipart(environ, query.get("uploadId"))
        if operation == COMPLETE_UPLOAD:
            if multipart is not None:
                COMPLETION.reset(check_completion(multipart, _read_all(environ["wsgi.input"]), headers))
            return
        chunked = is_aws_chunked(headers)
        request = ChecksumRequest.parse(headers, chunked=chunked)
        if operation == UPLOAD_PART and multipart is not None:
            check_part(multipart, request.algorithm)
        digester = request.digester(DEFAULT_ALGORITHM if operation == PUT_OBJECT else None)
        payload = ChunkedPayload() if chunked else None
        body = environ["wsgi.input"]
        pieces = _digested(_payload(body, payload), digester)
        staged = None
        if operation == UPLOAD_PART and multipart is None:  # moto answers NoSuchUpload: nothing to keep
            for _ in pieces:  # digested as they pass
                pass
            body.seek(0)
        else:
            staged = streamed_bodies.stage(self._store, pieces)
        CURRENT.checksum = request.verify(digester.digests(), None if payload is None else payload.trailers())
        if staged is not None:
            streamed_bodies.hand_over(environ, staged)

    def _refuse(self, error: S3Error, start_response: Callable[..., Any]) -> Iterable[bytes]:
        context = self._current_request.get()
        status = f"{error.status} {HTTPStatus(error.status).phrase}"
        start_response(status, [("Content-Type", "application/xml")])
        return [error_body(error, request_id="" if context is None else context.request_id)]


def _operation(environ: dict[str, Any]) -> tuple[str, dict[str, str]] | None:
    """Which write a request is whose checksum S3 checks or keeps — PutObject, UploadPart, CopyObject,
    UploadPartCopy, Create- or CompleteMultipartUpload — and its query; None for any other request."""
    method = environ["REQUEST_METHOD"]
    if method not in ("PUT", "POST"):
        return None
    headers: dict[str, str] = environ[HEADER_MAP_KEY]
    if not _names_a_key(headers.get("host", ""), _endpoint(environ), _raw_path(environ)):
        return None
    query_string = environ.get("QUERY_STRING", "")
    query = dict(parse_qsl(query_string, keep_blank_values=True)) if query_string else {}
    named = {name for name in query if not _is_signature_parameter(name.lower())}
    if method == "PUT" and "x-amz-copy-source" in headers:
        if {"uploadId", "partNumber"} <= named:
            return UPLOAD_PART_COPY, query
        return (COPY_OBJECT, query) if not named else None
    if method == "PUT" and not named:
        return PUT_OBJECT, query
    if method == "PUT" and {"uploadId", "partNumber"} <= named:
        return UPLOAD_PART, query
    if method == "POST" and "uploads" in named:
        return CREATE_UPLOAD, query
    if method == "POST" and "uploadId" in named:
        return COMPLETE_UPLOAD, query
    return None


def _raw_path(environ: dict[str, Any]) -> bytes:
    return str(environ.get("RAW_URI", environ.get("PATH_INFO", ""))).partition("?")[0].encode("latin-1")


def _endpoint(environ: dict[str, Any]) -> str:
    return f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}"


def _names_a_key(host: str, endpoint: str, raw_path: bytes) -> bool:
    """Whether a request's path names an object, as `emulator.s3.addressing` reads it: the whole path for a bucket
    named in the host, what follows the bucket otherwise. (Every plain PUT asks: the host's part is remembered.)"""
    if not raw_path.startswith(b"/"):
        return False  # the guard in front answers a path that is not absolute
    path = unquote_to_bytes(raw_path)[1:]
    return bool(path if _bucket_in_host(host, endpoint) else path.partition(b"/")[2])


@functools.lru_cache(maxsize=4096)
def _bucket_in_host(host: str, endpoint: str) -> bool:
    return resolve_s3_address(host, b"/", endpoint_host=endpoint).virtual_host


def _is_signature_parameter(name: str) -> bool:
    return name.startswith("x-amz-") or name in _SIGNATURE_PARAMETERS


def _multipart(environ: dict[str, Any], upload_id: str | None) -> FakeMultipart | None:
    if upload_id is None:
        return None
    headers: dict[str, str] = environ[HEADER_MAP_KEY]
    try:
        address = resolve_s3_address(headers.get("host", ""), _raw_path(environ), endpoint_host=_endpoint(environ))
    except S3Error:
        return None
    bucket = None if address.bucket is None else find_bucket(address.bucket)
    return None if bucket is None else bucket.multiparts.get(upload_id)


def _payload(body: BinaryIO, payload: ChunkedPayload | None) -> Iterator[bytes]:
    """The payload `body` carries, in pieces: as read, or decoded from its aws-chunked framing."""
    while chunk := body.read(CHUNK_SIZE):
        yield from (chunk,) if payload is None else payload.feed(chunk)


def _digested(pieces: Iterable[bytes], digester: Digester) -> Iterator[bytes]:
    for piece in pieces:
        digester.update(piece)
        yield piece


def _read_all(body: Any) -> bytes:
    data: bytes = body.read()
    body.seek(0)
    return data


def _answering(operation: str, start_response: Callable[..., Any]) -> Callable[..., Any]:
    """`start_response`, with a successful write's checksum headers replaced by S3's: the checksum kept (for a part,
    the one the client stated, else the one kept) and, for an object, its type."""
    if operation not in (PUT_OBJECT, UPLOAD_PART):
        return start_response

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if status.startswith("200"):
            headers = [(name, value) for name, value in headers if not name.lower().startswith("x-amz-checksum-")]
            headers += _checksum_answer(operation)
        return start_response(status, headers, exc_info)

    return start


def _checksum_answer(operation: str) -> list[tuple[str, str]]:
    kept: ChecksumResult | None = CURRENT.checksum
    if kept is None and CURRENT.written is not None and CURRENT.written.checksum_algorithm:
        kept = ChecksumResult(CURRENT.written.checksum_algorithm, str(CURRENT.written.checksum_value))
    if kept is None:
        return []
    if operation == UPLOAD_PART:
        return [(kept.header, kept.value)]
    return [(kept.header, kept.value), ("x-amz-checksum-type", FULL_OBJECT)]
