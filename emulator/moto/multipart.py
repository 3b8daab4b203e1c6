"""Multipart uploads, and reads of one part of their objects, answered by S3's rules (`emulator.s3.multipart`).

Why: moto answers a completion of an upload that does not exist, a completion body it cannot read and a part sent to
an upload that does not exist with a 500; accepts parts listed out of order, a `partNumber` of 0 and an unreadable
`x-amz-copy-source-range` (copying the whole source); ignores `If-Match` on a completion; reads `partNumber` of a
multipart object as the whole object; has no `ObjectParts` in GetObjectAttributes; and forgets which parts an object
was made of when the emulator restarts.

How it works: `install()` replaces `S3Response._complete_multipart_body` (the completion body, now checked whole
before anything is done) and wraps
- `S3Backend.complete_multipart_upload`, `upload_part` and `upload_part_copy`: `NoSuchUpload` for an unknown upload;
  a completed object keeps its parts' sizes (`part_sizes_of`), which `emulator.moto.persistence` stores with it;
- `S3Response.upload_part` and `upload_part_copy`: the part number and the copy range are checked first;
- `S3Response._key_response_post`: `If-Match` on a completion, and no `x-amz-version-id: null` in its answer;
- `S3Response.get_object` / `head_object` with `partNumber`: moto answers for the whole object, and the answer is cut
  to the part: `206`, `Content-Range`, the part's length, `x-amz-mp-parts-count` — the ETag stays the object's, as S3's;
- `S3Response.get_object_attributes`: `ObjectParts` for an object uploaded in parts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from moto.core.common_types import TYPE_RESPONSE
from moto.s3.exceptions import MissingKey, NoSuchUpload, PreconditionFailed
from moto.s3.models import FakeKey, FakeMultipart, S3Backend
from moto.s3.responses import S3Response

from emulator.moto.s3_responses import answering_rules, reshaping
from emulator.s3.errors import S3Error
from emulator.s3.multipart import (
    PartRange,
    completed_parts,
    copy_source,
    copy_source_range,
    object_parts,
    part_number,
    part_range,
)
from emulator.s3.query_params import first_value

__all__ = ["install", "part_sizes_of", "set_part_sizes"]

_PART_SIZES = "_sst_part_sizes"
ResponseMethod = Callable[..., TYPE_RESPONSE]


def part_sizes_of(version: object) -> list[int] | None:
    """The sizes of the parts an object was completed from, in order; None for an object not uploaded in parts."""
    sizes: list[int] | None = getattr(version, _PART_SIZES, None)
    return sizes


def set_part_sizes(version: object, sizes: list[int] | None) -> None:
    setattr(version, _PART_SIZES, sizes)


def install() -> None:
    """Install the replacements described in the module docstring, once per process."""
    if getattr(S3Response._complete_multipart_body, "__sst_dev_multipart__", False):
        raise RuntimeError("S3 multipart rules are already installed in this process")
    _completion_body.__sst_dev_multipart__ = True  # type: ignore[attr-defined]
    S3Response._complete_multipart_body = _completion_body  # type: ignore[method-assign,assignment]
    S3Backend.complete_multipart_upload = _completing(S3Backend.complete_multipart_upload)  # type: ignore[method-assign]
    S3Backend.upload_part = _to_an_upload(S3Backend.upload_part)  # type: ignore[method-assign]
    S3Backend.upload_part_copy = _to_an_upload(S3Backend.upload_part_copy)  # type: ignore[method-assign]
    S3Response.upload_part = _checking_part_number(S3Response.upload_part)  # type: ignore[method-assign]
    copy_part = _checking_copy_range(_checking_part_number(S3Response.upload_part_copy))
    S3Response.upload_part_copy = copy_part  # type: ignore[method-assign]
    S3Response._key_response_post = _completion_answer(S3Response._key_response_post)  # type: ignore[method-assign]
    S3Response.get_object = _part_of_get(S3Response.get_object)  # type: ignore[method-assign]
    S3Response.head_object = _part_of_head(S3Response.head_object)  # type: ignore[method-assign]
    S3Response.get_object_attributes = _with_object_parts(S3Response.get_object_attributes)  # type: ignore[method-assign]


def _completion_body(response: S3Response, body: bytes) -> Iterator[tuple[int, str]]:
    return iter(completed_parts(body))


def _upload(backend: S3Backend, bucket_name: str, upload_id: str) -> FakeMultipart:
    upload: FakeMultipart | None = backend.get_bucket(bucket_name).multiparts.get(upload_id)
    if upload is None:
        raise NoSuchUpload(upload_id=upload_id)
    return upload


def _completing(complete: Callable[..., FakeKey | None]) -> Callable[..., FakeKey | None]:
    def complete_multipart_upload(
        backend: S3Backend, bucket_name: str, multipart_id: str, body: Iterator[tuple[int, str]]
    ) -> FakeKey | None:
        upload = _upload(backend, bucket_name, multipart_id)
        parts = list(body)
        key = complete(backend, bucket_name, multipart_id, iter(parts))
        if key is not None:
            set_part_sizes(key, [upload.parts[number].contentsize for number, _ in parts])
        return key

    return complete_multipart_upload


def _to_an_upload(method: Callable[..., FakeKey]) -> Callable[..., FakeKey]:
    def to_an_upload(backend: S3Backend, bucket_name: str, multipart_id: str, *args: Any, **kwargs: Any) -> FakeKey:
        _upload(backend, bucket_name, multipart_id)
        return method(backend, bucket_name, multipart_id, *args, **kwargs)

    return to_an_upload


def _checking_part_number(method: ResponseMethod) -> ResponseMethod:
    @answering_rules
    def checking_part_number(response: S3Response) -> TYPE_RESPONSE:
        part_number(first_value(response.querystring, "partNumber") or "")
        return method(response)

    return checking_part_number


def _checking_copy_range(method: ResponseMethod) -> ResponseMethod:
    @answering_rules
    def checking_copy_range(response: S3Response) -> TYPE_RESPONSE:
        bucket, key, version_id = copy_source(response.headers.get("x-amz-copy-source", ""))
        source = response.backend.get_object(bucket, key, version_id=version_id)
        if source is None:
            raise MissingKey(key=key)
        if "x-amz-copy-source-range" in response.headers:
            copy_source_range(response.headers["x-amz-copy-source-range"], source.size)
        return method(response)

    return checking_copy_range


def _completion_answer(method: ResponseMethod) -> ResponseMethod:
    @answering_rules
    def key_response_post(
        response: S3Response, request: Any, body: bytes, bucket_name: str, query: dict[str, Any], key_name: str
    ) -> TYPE_RESPONSE:
        upload_id = first_value(query, "uploadId")
        if upload_id is None:
            return method(response, request, body, bucket_name, query, key_name)
        if_match = response.headers.get("If-Match")
        if if_match and upload_id in response.backend.get_bucket(bucket_name).multiparts:
            current = response.backend.get_object(bucket_name, key_name)
            if current is None:
                raise MissingKey(key=key_name)
            if if_match.replace('"', "") != current.etag.replace('"', ""):
                raise PreconditionFailed("If-Match")
        status, headers, answer = method(response, request, body, bucket_name, query, key_name)
        if headers.get("x-amz-version-id") == "null":
            del headers["x-amz-version-id"]  # an object of a bucket that is not versioned has no version id
        return status, headers, answer

    return key_response_post


def _part_of_get(get_object: ResponseMethod) -> ResponseMethod:
    @answering_rules
    def get_part(response: S3Response) -> TYPE_RESPONSE:
        raw = first_value(response.querystring, "partNumber")
        if raw is None:
            return get_object(response)
        number = part_number(raw)
        if response.headers.get("Range"):
            raise S3Error(
                "InvalidRequest", "Cannot specify both Range header and partNumber query parameter", status=400
            )
        del response.querystring["partNumber"]
        status, headers, body = get_object(response)
        if status != 200:
            return status, headers, body
        key_name, version_id = response.parse_key_name(), first_value(response.querystring, "versionId")
        part = _part(response.backend.get_object(response.bucket_name, key_name, version_id=version_id), number)
        return 206, _part_headers(headers, part), body[part.start : part.end + 1]

    return get_part


def _part_of_head(head_object: ResponseMethod) -> ResponseMethod:
    @answering_rules
    def head_part(
        response: S3Response, bucket_name: str, query: dict[str, Any], key_name: str, headers: Any
    ) -> TYPE_RESPONSE:
        raw = first_value(query, "partNumber")
        if raw is None:
            return head_object(response, bucket_name, query, key_name, headers)
        number = part_number(raw)
        whole = {name: values for name, values in query.items() if name != "partNumber"}
        status, answer, body = head_object(response, bucket_name, whole, key_name, headers)
        if status != 200:
            return status, answer, body
        part = _part(response.backend.get_object(bucket_name, key_name, first_value(query, "versionId")), number)
        return 206, _part_headers(answer, part), body

    return head_part


def _part(key: FakeKey | None, number: int) -> PartRange:
    if key is None:  # deleted between moto's answer and this look-up
        raise S3Error("NoSuchKey", "The specified key does not exist.", status=404)
    return part_range(part_sizes_of(key), key.size, number)


def _part_headers(headers: dict[str, Any], part: PartRange) -> dict[str, Any]:
    """`headers` of an answer for the whole object, made the answer for one part of it."""
    if part.end - part.start + 1 < part.size:  # the object's checksum is not the part's
        headers = {name: value for name, value in headers.items() if not name.startswith("x-amz-checksum-")}
    headers = {name: value for name, value in headers.items() if name.lower() != "content-length"}
    headers["content-length"] = str(part.end - part.start + 1)
    if part.end >= part.start:  # an empty part has no byte range to name
        headers["content-range"] = part.content_range
    if part.parts_count is not None:
        headers["x-amz-mp-parts-count"] = str(part.parts_count)
    return headers


def _with_object_parts(get_object_attributes: ResponseMethod) -> ResponseMethod:
    @answering_rules
    def with_object_parts(response: S3Response) -> TYPE_RESPONSE:
        wanted = {name.strip() for name in response.headers.get("x-amz-object-attributes", "").split(",")}
        if "ObjectParts" not in wanted:
            return get_object_attributes(response)
        key_name, version_id = response.parse_key_name(), first_value(response.querystring, "versionId")
        key = response.backend.get_object(response.bucket_name, key_name, version_id=version_id)
        sizes = None if key is None else part_sizes_of(key)
        if sizes is None:
            return get_object_attributes(response)
        parts = object_parts(
            sizes,
            max_parts=response.headers.get("x-amz-max-parts"),
            marker=response.headers.get("x-amz-part-number-marker"),
        )
        with reshaping(response, lambda result: {**result, "ObjectParts": parts}):
            return get_object_attributes(response)

    return with_object_parts
