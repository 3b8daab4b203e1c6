"""The hook in moto's S3 that reports every object write and delete as a `RawS3Event`.

How it works: moto's S3 backend calls `moto.s3.notifications.send_event(account_id, event, bucket, key)` after each
PutObject, form POST upload, CopyObject and CompleteMultipartUpload, for every bucket — the check for a
notification configuration is inside `send_event`, so wrapping that module attribute sees writes to every bucket
without provisioning any notification configuration. We report the created events and then call moto's original,
so notification configurations set through the S3 API (SQS, SNS) keep working.

Deletes are taken from a wrapper around `S3Backend.delete_object` instead, because moto sends no event when it
creates a delete marker and none when one of several versions is deleted; AWS sends `ObjectRemoved:DeleteMarkerCreated`
and `ObjectRemoved:Delete` for those. `DeleteObjects` loops over `delete_object`, so it reports one event per key.

Filtered out, as AWS's notification types don't include them here: tagging, ACL and restore events, and the extra
`ObjectCreated:Put` moto emits from inside CompleteMultipartUpload before its own completion event.

`emit` is called on the request's thread before moto answers, so it must only hand the event off (e.g. to a queue).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import moto.s3.notifications as moto_notifications
from moto.s3.models import FakeBucket, FakeDeleteMarker, FakeKey, S3Backend
from moto.s3.notifications import S3NotificationEvent

from emulator.request_context import CurrentRequest, RequestContext
from emulator.s3.events import RawS3Event
from emulator.s3.raw_events import EventName, Sequencer, raw_s3_event

__all__ = ["S3EventHooks"]

_CREATED_EVENTS: dict[S3NotificationEvent, EventName] = {
    S3NotificationEvent.OBJECT_CREATED_PUT_EVENT: "ObjectCreated:Put",
    S3NotificationEvent.OBJECT_CREATED_POST_EVENT: "ObjectCreated:Post",
    S3NotificationEvent.OBJECT_CREATED_COPY_EVENT: "ObjectCreated:Copy",
    S3NotificationEvent.OBJECT_CREATED_COMPLETE_MULTIPART_UPLOAD_EVENT: "ObjectCreated:CompleteMultipartUpload",
}

# Requests that reach moto without our middleware (none in the emulator; kept so a hook never fails a write).
_NO_REQUEST = RequestContext(source_ip="127.0.0.1", request_id="", host_id="", access_key_id=None)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class S3EventHooks:
    """Reports moto's S3 writes and deletes to `emit`; `install()` wraps moto's functions once per process."""

    def __init__(
        self,
        emit: Callable[[RawS3Event], None],
        current_request: CurrentRequest,
        principal_for: Callable[[str | None], str],
        sequencer: Sequencer,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._emit = emit
        self._current_request = current_request
        self._principal_for = principal_for
        self._sequencer = sequencer
        self._clock = clock

    def install(self) -> None:
        """Wrap `send_event` and `S3Backend.delete_object`; a second call in the same process is refused."""
        if getattr(moto_notifications.send_event, "__sst_dev_hook__", False):
            raise RuntimeError("S3 event hooks are already installed in this process")
        original_send_event = moto_notifications.send_event
        original_delete_object = S3Backend.delete_object

        def send_event(account_id: str, event_name: S3NotificationEvent, bucket: Any, key: Any) -> None:
            context = self._current_request.get()
            if event_name == S3NotificationEvent.OBJECT_CREATED_PUT_EVENT and context and context.form_upload:
                # The guard hands a browser form upload to moto as a PutObject; S3 reports it as the POST it was.
                event_name = S3NotificationEvent.OBJECT_CREATED_POST_EVENT
            name = _CREATED_EVENTS.get(event_name)
            # moto's CompleteMultipartUpload stores the object through put_object (which notifies a Put) and then
            # notifies the completion; S3 sends only the latter. Only that inner put carries the multipart.
            if name is not None and not (name == "ObjectCreated:Put" and key.multipart is not None):
                self._report(name, bucket, key.name, key, key.version_id)
            original_send_event(account_id, event_name, bucket, key)

        def delete_object(
            backend: S3Backend, bucket_name: str, key_name: str, version_id: str | None = None, bypass: bool = False
        ) -> tuple[bool, dict[str, Any]]:
            bucket = backend.get_bucket(bucket_name)
            removed = _version_to_remove(bucket, key_name, version_id)
            deleted, response_meta = original_delete_object(backend, bucket_name, key_name, version_id, bypass)
            if deleted and removed is not None:
                if bucket.is_versioned and version_id is None:
                    marker_id = response_meta.get("version-id")
                    self._report("ObjectRemoved:DeleteMarkerCreated", bucket, key_name, removed, marker_id)
                else:
                    self._report("ObjectRemoved:Delete", bucket, key_name, removed, version_id)
            return deleted, response_meta

        send_event.__sst_dev_hook__ = True  # type: ignore[attr-defined]
        moto_notifications.send_event = send_event
        S3Backend.delete_object = delete_object  # type: ignore[method-assign,assignment]

    def _report(self, name: EventName, bucket: FakeBucket, key_name: str, version: object, version_id: object) -> None:
        context = self._current_request.get() or _NO_REQUEST
        size, etag = (version.size, version.etag) if isinstance(version, FakeKey) else (0, "")
        self._emit(
            raw_s3_event(
                event_name=name,
                bucket=bucket.name,
                key=key_name,
                size=size,
                etag=etag,
                # moto writes "null" for objects of unversioned buckets, as the S3 API does; records then omit it.
                version_id=None if version_id in (None, "null") else str(version_id),
                sequencer=self._sequencer.next(),
                event_time=self._clock(),
                source_ip=context.source_ip,
                request_id=context.request_id,
                host_id=context.host_id,
                principal_id=self._principal_for(context.access_key_id),
                region=bucket.region_name,
            )
        )


def _version_to_remove(bucket: FakeBucket, key_name: str, version_id: str | None) -> FakeKey | FakeDeleteMarker | None:
    """The object version a DeleteObject call will remove (or hide behind a delete marker), if there is one."""
    if version_id is None:
        current: FakeKey | FakeDeleteMarker | None = bucket.keys.get(key_name)
        return current
    for version in bucket.keys.getlist(key_name, []):
        if str(version.version_id) == str(version_id):
            found: FakeKey | FakeDeleteMarker = version
            return found
    return None
