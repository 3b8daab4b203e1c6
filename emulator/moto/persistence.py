"""Write-through persistence of moto's S3 buckets and objects: what the emulator acknowledged survives a crash.

How it works: `S3Persistence.restore()` rebuilds moto's buckets and object versions from the `ObjectStore` at start
(before the endpoint answers). `install()` wraps the `S3Backend` methods that change a bucket or an object:
- bucket changes (create, delete, versioning, CORS, notification configuration, tags, policy) are written to the
  bucket's record at once, keeping the arguments moto was given so `restore()` can replay them;
- object changes (PutObject, POST uploads, CopyObject, CompleteMultipartUpload, DeleteObject(s), object tags, legal
  hold, retention) only mark the key: moto sets metadata, tags and ACLs *after* storing the object, so the key is
  committed when moto's handling of the request is over. `middleware()` does that: after moto's view ran and before
  the response leaves the emulator, each marked key's versions are committed (each an fsynced, atomically renamed
  file, see `emulator.store.object_store`) and versions moto no longer has are retired. S3 events are held back until
  then (`after_commit`), so a function never hears of an object a crash could take back.
Bodies never go through here: `emulator.moto.bodies` keeps them in the store's files from the moment moto sets them.
Multipart uploads in progress are not persisted: a restart drops them, as their parts.

This module and `emulator.moto.bodies` know moto's S3 internals, next to `emulator.moto.app` and
`emulator.moto.s3_hooks`.
"""

from __future__ import annotations

import inspect
import logging
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.s3.models import FakeBucket, FakeDeleteMarker, FakeKey, S3Backend, s3_backends
from moto.utilities.utils import get_partition

from emulator.moto.app import find_bucket
from emulator.moto.bodies import body_of, set_body_of
from emulator.moto.multipart import part_sizes_of, set_part_sizes
from emulator.moto.multipart_checksums import part_checksums_of, set_part_checksums_of
from emulator.s3.errors import S3Error, error_body
from emulator.s3.events import RawS3Event
from emulator.store.bodies import BodyFile
from emulator.store.object_store import ObjectStore, StoredVersion
from emulator.store.paths import key_digest

__all__ = ["RestoredCounts", "S3Persistence", "WSGIApp"]

logger = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Version = FakeKey | FakeDeleteMarker

# Bucket configuration setters whose argument restore() replays, by the record field that keeps it.
_BUCKET_SETTERS = {
    "put_bucket_versioning": "versioning",
    "put_bucket_cors": "cors",
    "put_bucket_notification_configuration": "notification",
    "put_bucket_tagging": "tags",
    "put_bucket_policy": "policy",
}
_BUCKET_DELETERS = {"delete_bucket_cors": "cors", "delete_bucket_tagging": "tags", "delete_bucket_policy": "policy"}
_OBJECT_CHANGES = (
    "put_object",
    "delete_object",
    "put_object_tagging",
    "delete_object_tagging",
    "put_object_legal_hold",
    "put_object_retention",
)
_LOCK_STRIPES = 64


@dataclass(frozen=True)
class RestoredCounts:
    buckets: int
    objects: int


@dataclass
class _Request(threading.local):
    active: bool = False
    keys: dict[tuple[str, str], None] = field(default_factory=dict)
    events: list[RawS3Event] = field(default_factory=list)


class S3Persistence:
    """Keeps `store` in step with moto's S3 backends of `account_id` (the emulator's one account)."""

    def __init__(self, store: ObjectStore, account_id: str = DEFAULT_ACCOUNT_ID) -> None:
        self._store = store
        self._account_id = account_id
        self._request = _Request()
        self._lock = threading.Lock()
        self._key_locks = [threading.Lock() for _ in range(_LOCK_STRIPES)]
        self._buckets: dict[str, dict[str, Any]] = {}
        self._committed: dict[tuple[str, str], list[BodyFile]] = {}
        self._seq = 0

    # Start-up -----------------------------------------------------------------------------------------------------

    def restore(self) -> RestoredCounts:
        """Recreate every stored bucket and object version in moto; call once, before `install()`."""
        objects = 0
        for document in self._store.buckets():
            name, region = document["name"], document.get("region") or "us-east-1"
            backend = s3_backends[document.get("account", self._account_id)][get_partition(region)]
            bucket = backend.create_bucket(name, region)
            bucket.creation_date = datetime.fromisoformat(document["created"])
            for method, field_name in _BUCKET_SETTERS.items():
                if field_name in document.get("config", {}):
                    self._replay(backend, method, name, document["config"][field_name])
            self._buckets[name] = document
            objects += self._restore_objects(backend, bucket, versioned=bucket.versioning_status is not None)
        return RestoredCounts(buckets=len(self._buckets), objects=objects)

    def _replay(self, backend: S3Backend, method: str, bucket: str, value: Any) -> None:
        argument = value.encode() if method == "put_bucket_policy" else value
        try:
            getattr(backend, method)(bucket, argument)
        except Exception as error:  # a config moto refuses now (an SQS queue that is gone) must not stop the start
            logger.warning("S3Persistence.ConfigNotRestored: %s of bucket %s: %s", method, bucket, error)

    def _restore_objects(self, backend: S3Backend, bucket: FakeBucket, *, versioned: bool) -> int:
        by_key: dict[str, list[StoredVersion]] = {}
        for stored in self._store.versions(bucket.name):
            by_key.setdefault(stored.record["key"], []).append(stored)
            self._seq = max(self._seq, stored.seq)
        for key_name, stored_versions in by_key.items():
            stored_versions.sort(key=lambda stored: stored.seq)
            if not versioned:  # a crash between writing the new version and retiring the old one leaves both
                for superseded in stored_versions[:-1]:
                    self._store.retire(superseded.body)
                stored_versions = stored_versions[-1:]
            versions: list[Version] = []
            for stored in stored_versions:
                versions.append(_restored_version(backend, bucket, stored, versions))
            bucket.keys.setlist(key_name, versions)
            self._committed[(bucket.name, key_name)] = [stored.body for stored in stored_versions]
        return len(by_key)

    # Hooks --------------------------------------------------------------------------------------------------------

    def install(self) -> None:
        """Wrap moto's S3 backend methods (once per process) so every change reaches the store."""
        if getattr(S3Backend.create_bucket, "__sst_dev_persistence__", False):
            raise RuntimeError("S3 persistence is already installed in this process")
        self._wrap("create_bucket", self._bucket_created)
        self._wrap("delete_bucket", self._bucket_deleted)
        for method, field_name in _BUCKET_SETTERS.items():
            self._wrap(method, self._bucket_config_setter(field_name))
        for method, field_name in _BUCKET_DELETERS.items():
            self._wrap(method, self._bucket_config_setter(field_name, delete=True))
        for method in _OBJECT_CHANGES:
            self._wrap(method, self._object_changed)
        self._wrap("reset", self._backend_reset)
        S3Backend.create_bucket.__sst_dev_persistence__ = True  # type: ignore[attr-defined]

    def _wrap(self, method: str, after: Callable[[S3Backend, dict[str, Any], Any], None]) -> None:
        original = getattr(S3Backend, method)
        signature = inspect.signature(original)

        def wrapped(backend: S3Backend, *args: Any, **kwargs: Any) -> Any:
            result = original(backend, *args, **kwargs)
            arguments = signature.bind(backend, *args, **kwargs).arguments
            after(backend, arguments, result)
            return result

        setattr(S3Backend, method, wrapped)

    def _bucket_created(self, backend: S3Backend, arguments: dict[str, Any], bucket: FakeBucket) -> None:
        document = {
            "region": bucket.region_name,
            "account": backend.account_id,
            "created": bucket.creation_date.isoformat(),
            "config": {},
        }
        with self._lock:
            self._buckets[bucket.name] = document
            self._store.write_bucket(bucket.name, document)

    def _bucket_deleted(self, backend: S3Backend, arguments: dict[str, Any], deleted: FakeBucket | None) -> None:
        if deleted is None:  # moto refused: the bucket is not empty
            return
        with self._lock:
            self._buckets.pop(deleted.name, None)
            self._store.remove_bucket(deleted.name)
            for bucket_and_key in [entry for entry in self._committed if entry[0] == deleted.name]:
                del self._committed[bucket_and_key]

    def _bucket_config_setter(
        self, field_name: str, *, delete: bool = False
    ) -> Callable[[S3Backend, dict[str, Any], Any], None]:
        def record(backend: S3Backend, arguments: dict[str, Any], result: Any) -> None:
            name = arguments["bucket_name"]
            with self._lock:
                document = self._buckets.get(name)
                if document is None:
                    return
                config = document.setdefault("config", {})
                if delete:
                    config.pop(field_name, None)
                else:
                    value = list(arguments.values())[2]  # (self, bucket_name, value)
                    config[field_name] = value.decode() if isinstance(value, bytes) else value
                self._store.write_bucket(name, document)

        return record

    def _object_changed(self, backend: S3Backend, arguments: dict[str, Any], result: Any) -> None:
        key = arguments.get("key")
        if isinstance(key, FakeKey):
            self.touch(str(key.bucket_name), key.name)
        else:
            self.touch(arguments["bucket_name"], arguments["key_name"])

    def _backend_reset(self, backend: S3Backend, arguments: dict[str, Any], result: Any) -> None:
        with self._lock:
            self._buckets.clear()
            self._committed.clear()
            self._store.wipe()

    # Commits ------------------------------------------------------------------------------------------------------

    def touch(self, bucket: str, key: str) -> None:
        """Commit `key` when the current request is over (at once outside a request)."""
        if self._request.active:
            self._request.keys[(bucket, key)] = None
        else:
            self.commit(bucket, key)

    def commit(self, bucket_name: str, key_name: str) -> None:
        """Make the store hold exactly the versions moto holds for the key."""
        digest = key_digest(bucket_name, key_name)
        with self._key_locks[int(digest[:8], 16) % _LOCK_STRIPES]:
            bucket = find_bucket(bucket_name)
            versions: list[Version] = [] if bucket is None else list(bucket.keys.getlist(key_name, []))
            current: list[BodyFile] = []
            for version in versions:
                body = self._body(version)
                if body.seq is None:
                    with self._lock:
                        self._seq += 1
                        seq = self._seq
                else:
                    seq = body.seq
                self._store.commit(body, bucket_name, key_name, seq, _record(version, bucket))
                current.append(body)
            with self._lock:
                previous = self._committed.pop((bucket_name, key_name), [])
                if current:
                    self._committed[(bucket_name, key_name)] = current
            for body in previous:
                if all(body is not kept for kept in current):
                    self._store.retire(body)

    def _body(self, version: Version) -> BodyFile:
        if isinstance(version, FakeKey):
            return body_of(version)
        marker_body = getattr(version, "_sst_body", None)
        if marker_body is None:  # a delete marker: a version without a body
            marker_body = self._store.stage(b"")
            set_body_of(version, marker_body)
        return marker_body

    def after_commit(self, emit: Callable[[RawS3Event], None]) -> Callable[[RawS3Event], None]:
        """`emit`, held back while a request is being served until its changes are committed."""

        def deferred(event: RawS3Event) -> None:
            if self._request.active:
                self._request.events.append(event)
            else:
                emit(event)

        self._emit = emit
        return deferred

    def middleware(self, app: WSGIApp) -> WSGIApp:
        """WSGI middleware that commits each request's changes before its response is returned."""

        def commit_after(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            request = self._request
            request.active, request.keys, request.events = True, {}, []
            try:
                response = app(environ, start_response)
            finally:
                request.active = False
                failure = self._commit_request(list(request.keys), request.events)
            if failure is None:
                return response
            start_response("500 Internal Server Error", [("Content-Type", "application/xml")], sys.exc_info())
            error = S3Error("InternalError", f"the object could not be stored: {failure.strerror}", status=500)
            return [error_body(error, request_id="")]

        return commit_after

    def _commit_request(self, keys: list[tuple[str, str]], events: list[RawS3Event]) -> OSError | None:
        failure: OSError | None = None
        for bucket, key in keys:
            try:
                self.commit(bucket, key)
            except OSError as error:
                logger.error("S3Persistence.CommitFailed: s3://%s/%s: %s", bucket, key, error)
                failure = error
        emit = getattr(self, "_emit", None)
        for event in events:
            if emit is not None:
                emit(event)
        return failure


def _record(version: Version, bucket: FakeBucket | None) -> dict[str, Any]:
    """What S3 returns about a version, in the store's record shape (the store adds bucket, key and size)."""
    if isinstance(version, FakeDeleteMarker):
        return {
            "deleteMarker": True,
            "versionId": version.version_id,
            "lastModified": version.last_modified.isoformat(),
        }
    tags: dict[str, str] = {}
    if bucket is not None:
        backend = s3_backends[bucket.account_id][bucket.partition]
        tags = backend.tagger.get_tag_dict_for_resource(version.arn)
    return {
        "versionId": version._version_id,
        "isVersioned": version._is_versioned,
        "lastModified": version.last_modified.isoformat(),
        "etag": version._etag,
        "storageClass": version.storage_class,
        "metadata": dict(version.metadata.items()),
        "tags": tags,
        "encryption": version.encryption,
        "kmsKeyId": version.kms_key_id,
        "bucketKeyEnabled": version.bucket_key_enabled,
        "lockMode": version.lock_mode,
        "lockLegalStatus": version.lock_legal_status,
        "lockUntil": version.lock_until,
        "checksumAlgorithm": version.checksum_algorithm,
        "checksumValue": version.checksum_value,
        "checksumType": version.checksum_type,
        "checksumParts": version.checksum_parts,
        "partChecksums": part_checksums_of(version),
        "partSizes": part_sizes_of(version),
        "websiteRedirectLocation": version.website_redirect_location,
    }


def _restored_version(backend: S3Backend, bucket: FakeBucket, stored: StoredVersion, earlier: list[Version]) -> Version:
    record = stored.record
    if record.get("deleteMarker"):
        shadowed = next((v for v in reversed(earlier) if isinstance(v, FakeKey)), None)
        marker = FakeDeleteMarker(shadowed or FakeKey(record["key"], b"", backend.account_id, bucket.region_name))
        marker._version_id = record["versionId"]
        marker.last_modified = datetime.fromisoformat(record["lastModified"])
        set_body_of(marker, stored.body)
        return marker
    key = FakeKey(
        name=record["key"],
        value=stored.body,  # type: ignore[arg-type]  # emulator.moto.bodies adopts a BodyFile as the value
        account_id=backend.account_id,
        region_name=bucket.region_name,
        storage=record.get("storageClass"),
        etag=record.get("etag"),
        is_versioned=bool(record.get("isVersioned")),
        version_id=record.get("versionId"),
        bucket_name=bucket.name,
        encryption=record.get("encryption"),
        kms_key_id=record.get("kmsKeyId"),
        bucket_key_enabled=record.get("bucketKeyEnabled"),
        lock_mode=record.get("lockMode"),
        lock_legal_status=record.get("lockLegalStatus"),
        lock_until=record.get("lockUntil"),
        checksum_value=record.get("checksumValue"),
        checksum_type=record.get("checksumType"),
        checksum_parts=record.get("checksumParts"),
    )
    key.last_modified = datetime.fromisoformat(record["lastModified"])
    key.set_metadata(dict(record.get("metadata") or {}))
    key.checksum_algorithm = record.get("checksumAlgorithm")
    set_part_checksums_of(key, record.get("partChecksums"))  # absent from records written before parts kept theirs
    set_part_sizes(key, record.get("partSizes"))  # absent before objects kept their parts' sizes
    key.website_redirect_location = record.get("websiteRedirectLocation")
    if record.get("tags"):
        backend.tagger.tag_resource(key.arn, [{"Key": k, "Value": v} for k, v in record["tags"].items()])
    return key
