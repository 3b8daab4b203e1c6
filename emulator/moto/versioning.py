"""Versioning as S3 documents it, where moto's differs: suspended buckets, delete markers, and DeleteObjects.

Why: moto treats a bucket whose versioning is Suspended as one never versioned — a write or a delete there drops every
earlier version, and deleting one version of it deletes them all; it refuses a HeadObject naming a version on such a
bucket (even `versionId=null`); a GetObject of a key whose latest version is a delete marker does not say so, and of a
delete marker's own version answers NoSuchVersion; deleting a delete marker by its version id does not say it was one;
and DeleteObjects takes any number of keys and ignores `Quiet`. S3's rules, as documented:
- on a Suspended bucket a write creates (or replaces) the version `null`, and a delete without a version id makes the
  delete marker `null` (`x-amz-delete-marker: true`, `x-amz-version-id: null`); other versions stay. A delete naming a
  version removes that version only, on any bucket.
- a read of a key whose latest version is a delete marker is `404 NoSuchKey` with `x-amz-delete-marker: true` and the
  marker's version id; a read naming a delete marker's version is `405 MethodNotAllowed` with the same headers and its
  `Last-Modified`. Deleting a delete marker answers `x-amz-delete-marker: true` (DeleteObjects: `DeleteMarker` and
  `DeleteMarkerVersionId`).
- DeleteObjects names 1 to 1,000 keys (`emulator.s3.multi_delete`); in quiet mode only errors are listed.

How it works: `install()` wraps `S3Backend.put_object` and `delete_object` (before persistence and the event hooks wrap
them, so both see the versions as S3 keeps them), `S3Response.get_object`, `head_object` (a version of a bucket not
versioned now is read through GetObject's path, which finds any version, and answered without its body) and
`_bucket_response_delete_keys`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.core.common_types import TYPE_RESPONSE
from moto.core.responses import ActionResult
from moto.core.utils import rfc_1123_datetime
from moto.s3.exceptions import MethodNotAllowed, MissingKey, MissingVersion
from moto.s3.models import FakeBucket, FakeDeleteMarker, FakeKey, S3Backend
from moto.s3.responses import S3Response

from emulator.moto.s3_responses import answering_rules, reshaping
from emulator.s3.multi_delete import delete_request
from emulator.s3.query_params import first_value

__all__ = ["install"]

Version = FakeKey | FakeDeleteMarker
ResponseMethod = Callable[..., TYPE_RESPONSE]
_NULL = "null"


def install() -> None:
    """Install the wrappers described in the module docstring, once per process."""
    if getattr(S3Backend.put_object, "__sst_dev_versioning__", False):
        raise RuntimeError("S3 versioning rules are already installed in this process")
    S3Backend.put_object = _putting(S3Backend.put_object)  # type: ignore[method-assign]
    S3Backend.delete_object = _deleting(S3Backend.delete_object)  # type: ignore[method-assign]
    S3Response.get_object = _reading_markers(S3Response.get_object)  # type: ignore[method-assign]
    S3Response.head_object = _heading_versions(S3Response.head_object)  # type: ignore[method-assign]
    delete_keys = _deleting_keys(S3Response._bucket_response_delete_keys)
    S3Response._bucket_response_delete_keys = delete_keys  # type: ignore[method-assign]


def _putting(put_object: Callable[..., FakeKey]) -> Callable[..., FakeKey]:
    def put(backend: S3Backend, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> FakeKey:
        bucket = backend.buckets.get(bucket_name)
        if bucket is None or bucket.versioning_status != "Suspended":
            return put_object(backend, bucket_name, key_name, *args, **kwargs)
        kept = _without_null(bucket.keys.getlist(key_name, []))
        key = put_object(backend, bucket_name, key_name, *args, **kwargs)  # moto keeps only this one
        bucket.keys.setlist(key_name, [*kept, key])
        return key

    put.__sst_dev_versioning__ = True  # type: ignore[attr-defined]
    return put


def _deleting(delete_object: Callable[..., tuple[bool, dict[str, Any]]]) -> Callable[..., tuple[bool, dict[str, Any]]]:
    def delete(
        backend: S3Backend, bucket_name: str, key_name: str, version_id: str | None = None, bypass: bool = False
    ) -> tuple[bool, dict[str, Any]]:
        bucket = backend.get_bucket(bucket_name)
        if version_id is None and bucket.versioning_status == "Suspended":
            return _null_delete_marker(bucket, key_name)
        removed = None if version_id is None else _version(bucket, key_name, version_id)
        if version_id is not None and not bucket.is_versioned:
            deleted, meta = _remove_version(bucket, key_name, version_id, removed)
        else:
            deleted, meta = delete_object(backend, bucket_name, key_name, version_id, bypass)
        if deleted and isinstance(removed, FakeDeleteMarker):
            meta["delete-marker"] = "true"
        return deleted, meta

    return delete


def _null_delete_marker(bucket: FakeBucket, key_name: str) -> tuple[bool, dict[str, Any]]:
    versions: list[Version] = bucket.keys.getlist(key_name, [])
    if not versions:
        return False, {}
    marker = FakeDeleteMarker(key=versions[-1])  # type: ignore[arg-type]  # moto's markers chain to markers too
    marker._version_id = _NULL
    bucket.keys.setlist(key_name, [*_without_null(versions), marker])
    return True, {"version-id": _NULL, "delete-marker": "true"}


def _remove_version(
    bucket: FakeBucket, key_name: str, version_id: str, removed: Version | None
) -> tuple[bool, dict[str, Any]]:
    if removed is None:
        return False, {"version-id": version_id}
    remaining = [version for version in bucket.keys.getlist(key_name, []) if version is not removed]
    if remaining:
        bucket.keys.setlist(key_name, remaining)
    else:
        bucket.keys.pop(key_name)
    return True, {"version-id": version_id}


def _reading_markers(get_object: ResponseMethod) -> ResponseMethod:
    def get(response: S3Response) -> TYPE_RESPONSE:
        try:
            return get_object(response)
        except (MissingKey, MissingVersion) as missing:
            version_id = first_value(response.querystring, "versionId")
            bucket = response.backend.get_bucket(response.bucket_name)
            found = _version(bucket, response.parse_key_name(), version_id)
            if not isinstance(found, FakeDeleteMarker):
                raise
            error = missing if version_id is None else MethodNotAllowed(method="GET", resource_type="DeleteMarker")
            status, headers, body = response.serialized(ActionResult(error))
            headers.update({"x-amz-delete-marker": "true", "x-amz-version-id": found.version_id})
            if version_id is not None:
                headers["Last-Modified"] = rfc_1123_datetime(found.last_modified)
            return status, headers, body

    return get


def _heading_versions(head_object: ResponseMethod) -> ResponseMethod:
    def head(
        response: S3Response, bucket_name: str, query: dict[str, Any], key_name: str, headers: Any
    ) -> TYPE_RESPONSE:
        bucket = response.backend.buckets.get(bucket_name)
        if first_value(query, "versionId") is None or bucket is None or bucket.is_versioned:
            return head_object(response, bucket_name, query, key_name, headers)
        status, answer, _ = response.get_object()
        return status, answer, b""

    return head


def _deleting_keys(delete_keys: ResponseMethod) -> ResponseMethod:
    @answering_rules
    def delete_objects(response: S3Response, bucket_name: str, authenticated: bool = True) -> TYPE_RESPONSE:
        request = delete_request(response.body or b"")
        bucket = response.backend.get_bucket(bucket_name)
        markers = {
            (key, version_id)
            for key, version_id in request.objects
            if version_id is not None and isinstance(_version(bucket, key, version_id), FakeDeleteMarker)
        }

        def answer(result: dict[str, Any]) -> dict[str, Any]:
            deleted = [] if request.quiet else [_marked(entry, markers) for entry in result.get("Deleted") or []]
            return {**result, "Deleted": deleted}

        with reshaping(response, answer):
            return delete_keys(response, bucket_name, authenticated)

    return delete_objects


def _marked(entry: dict[str, Any], markers: set[tuple[str, str]]) -> dict[str, Any]:
    if (entry.get("Key"), entry.get("VersionId")) not in markers:
        return entry
    return {**entry, "DeleteMarker": True, "DeleteMarkerVersionId": entry["VersionId"]}


def _version(bucket: FakeBucket, key_name: str, version_id: str | None) -> Version | None:
    """The key's latest version (`version_id` None) or the version of that id, delete markers included."""
    versions: list[Version] = bucket.keys.getlist(key_name, [])
    if version_id is None:
        return versions[-1] if versions else None
    return next((version for version in versions if str(version.version_id) == str(version_id)), None)


def _without_null(versions: list[Version]) -> list[Version]:
    return [version for version in versions if version.version_id != _NULL]
