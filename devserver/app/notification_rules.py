"""Which bucket notifications an S3 event goes to, and which notification configurations S3 would refuse.

Pure functions over the app model. A notification names events with the contract's (SST's) names, each standing
for an S3 event type: `object_created` is `s3:ObjectCreated:*`, `object_removed_delete` is `s3:ObjectRemoved:Delete`.
Prefix and suffix filters compare against the raw object key, as S3's key-name filtering does.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from types import MappingProxyType

from devserver.app.model import BucketSpec, NotificationSpec

__all__ = [
    "NOTIFICATION_EVENTS",
    "NotificationConfigurationError",
    "event_types",
    "matches",
    "validate_bucket_notifications",
    "validate_notification",
]

_CREATED = ("ObjectCreated:Put", "ObjectCreated:Post", "ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload")
_REMOVED = ("ObjectRemoved:Delete", "ObjectRemoved:DeleteMarkerCreated")

NOTIFICATION_EVENTS: Mapping[str, str] = MappingProxyType(
    {
        "object_created": "s3:ObjectCreated:*",
        "object_created_put": "s3:ObjectCreated:Put",
        "object_created_post": "s3:ObjectCreated:Post",
        "object_created_copy": "s3:ObjectCreated:Copy",
        "object_created_complete_multipart_upload": "s3:ObjectCreated:CompleteMultipartUpload",
        "object_removed": "s3:ObjectRemoved:*",
        "object_removed_delete": "s3:ObjectRemoved:Delete",
        "object_removed_delete_marker_created": "s3:ObjectRemoved:DeleteMarkerCreated",
    }
)
"""The contract's event names and the S3 event type each one subscribes to."""

_AMBIGUOUS = (
    "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are "
    "overlapping for the same event type."
)


class NotificationConfigurationError(ValueError):
    """Bucket notifications S3 would not accept: `code` is S3's (`InvalidArgument`), `value` the offending value."""

    code = "InvalidArgument"

    def __init__(self, message: str, *, bucket_id: str, notification_id: str, value: str) -> None:
        super().__init__(message)
        self.bucket_id = bucket_id
        self.notification_id = notification_id
        self.value = value


def event_types(name: str) -> frozenset[str]:
    """The S3 event names (without `s3:`) a contract event name subscribes to; a `*` type means every subtype."""
    s3_type = NOTIFICATION_EVENTS[name].removeprefix("s3:")
    if s3_type == "ObjectCreated:*":
        return frozenset(_CREATED)
    if s3_type == "ObjectRemoved:*":
        return frozenset(_REMOVED)
    return frozenset({s3_type})


def _subscribed(notification: NotificationSpec) -> frozenset[str]:
    return frozenset().union(*(event_types(name) for name in notification.events))


def matches(notification: NotificationSpec, event_name: str, key: str) -> bool:
    """True when S3 would send the event `event_name` (e.g. `ObjectCreated:Put`) for `key` to `notification`."""
    return (
        event_name in _subscribed(notification)
        and key.startswith(notification.prefix)
        and key.endswith(notification.suffix)
    )


def validate_notification(bucket_id: str, notification: NotificationSpec) -> None:
    """Raise `NotificationConfigurationError` if the notification names an event S3 does not know."""
    for name in notification.events:
        if name not in NOTIFICATION_EVENTS:
            valid = ", ".join(NOTIFICATION_EVENTS)
            raise NotificationConfigurationError(
                f'Bucket "{bucket_id}", notification "{notification.id}": unknown event "{name}". '
                f"Valid events: {valid}.",
                bucket_id=bucket_id,
                notification_id=notification.id,
                value=name,
            )
    if not notification.events:
        raise NotificationConfigurationError(
            f'Bucket "{bucket_id}", notification "{notification.id}": no events. '
            f"Name at least one of: {', '.join(NOTIFICATION_EVENTS)}.",
            bucket_id=bucket_id,
            notification_id=notification.id,
            value="",
        )


def _overlap(first: NotificationSpec, second: NotificationSpec) -> bool:
    # S3's rule: two configurations clash when some key could match both filters for a shared event type. A key can
    # start with both prefixes only if one prefix starts with the other (an empty prefix overlaps every prefix), and
    # likewise for suffixes.
    prefixes = first.prefix.startswith(second.prefix) or second.prefix.startswith(first.prefix)
    suffixes = first.suffix.endswith(second.suffix) or second.suffix.endswith(first.suffix)
    return prefixes and suffixes and bool(_subscribed(first) & _subscribed(second))


def _describe_filter(notification: NotificationSpec) -> str:
    prefix = f'prefix "{notification.prefix}"' if notification.prefix else "any prefix"
    suffix = f'suffix "{notification.suffix}"' if notification.suffix else "any suffix"
    return f"{prefix}, {suffix}"


def validate_bucket_notifications(bucket: BucketSpec) -> None:
    """Validate every notification of `bucket`, then reject pairs S3 calls ambiguous.

    S3 refuses (`InvalidArgument`, "Configuration is ambiguously defined") a configuration in which one event could
    go to two notifications: shared event types with overlapping prefixes and overlapping suffixes. Deploying such an
    app fails, so loading it locally fails too.
    """
    for notification in bucket.notifications:
        validate_notification(bucket.id, notification)
    for first, second in combinations(bucket.notifications, 2):
        if _overlap(first, second):
            shared = ", ".join(sorted(_subscribed(first) & _subscribed(second)))
            raise NotificationConfigurationError(
                f'Bucket "{bucket.id}": notifications "{first.id}" ({_describe_filter(first)}) and '
                f'"{second.id}" ({_describe_filter(second)}) both match some keys for {shared}. S3 rejects this: '
                f'"{_AMBIGUOUS}" Give them prefixes or suffixes that cannot both match one key, or different events.',
                bucket_id=bucket.id,
                notification_id=second.id,
                value=first.id,
            )
