"""Notification matching and validation follow S3's event types, key filters and overlap rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from devserver.app.model import BucketSpec, FunctionSpec, NotificationSpec
from devserver.app.notification_rules import (
    NOTIFICATION_EVENTS,
    NotificationConfigurationError,
    event_types,
    matches,
    validate_bucket_notifications,
    validate_notification,
)

THUMBS = FunctionSpec(name="dev-app-thumbs", handler="functions/thumbs.main", app_dir=Path("."))


def notification(
    events: tuple[str, ...] = ("object_created",), prefix: str = "", suffix: str = "", id: str = "thumbs"
) -> NotificationSpec:
    return NotificationSpec(id=id, function=THUMBS, events=events, prefix=prefix, suffix=suffix)


@pytest.mark.parametrize(
    "event_name",
    ["ObjectCreated:Put", "ObjectCreated:Post", "ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload"],
)
def test_object_created_matches_every_creation(event_name: str) -> None:
    assert matches(notification(("object_created",)), event_name, "a.png")
    assert not matches(notification(("object_removed",)), event_name, "a.png")


@pytest.mark.parametrize("event_name", ["ObjectRemoved:Delete", "ObjectRemoved:DeleteMarkerCreated"])
def test_object_removed_matches_every_removal(event_name: str) -> None:
    assert matches(notification(("object_removed",)), event_name, "a.png")
    assert not matches(notification(("object_created",)), event_name, "a.png")


def test_a_specific_event_matches_only_itself() -> None:
    puts = notification(("object_created_put",))

    assert matches(puts, "ObjectCreated:Put", "a.png")
    assert not matches(puts, "ObjectCreated:Copy", "a.png")
    assert matches(notification(("object_removed_delete_marker_created",)), "ObjectRemoved:DeleteMarkerCreated", "a")
    assert not matches(notification(("object_removed_delete",)), "ObjectRemoved:DeleteMarkerCreated", "a")


def test_the_default_events_are_created_and_removed_as_in_sst() -> None:
    default = NotificationSpec(id="all", function=THUMBS)

    assert matches(default, "ObjectCreated:Post", "x")
    assert matches(default, "ObjectRemoved:Delete", "x")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("uploads/cat.png", True),
        ("uploads/cat.jpg", False),
        ("thumbnails/cat.png", False),
        ("uploads/deeper/cat.png", True),
        ("Uploads/cat.png", False),  # S3 filters are case-sensitive
        ("uploads/cat.PNG", False),
    ],
)
def test_prefix_and_suffix_filter_the_raw_key(key: str, expected: bool) -> None:
    assert matches(notification(prefix="uploads/", suffix=".png"), "ObjectCreated:Put", key) is expected


def test_filters_compare_the_raw_key_not_its_encoded_form() -> None:
    assert matches(notification(prefix="my uploads/"), "ObjectCreated:Put", "my uploads/a b.png")


def test_every_contract_event_name_maps_to_an_s3_event_type() -> None:
    assert set(NOTIFICATION_EVENTS) == {
        "object_created",
        "object_created_put",
        "object_created_post",
        "object_created_copy",
        "object_created_complete_multipart_upload",
        "object_removed",
        "object_removed_delete",
        "object_removed_delete_marker_created",
    }
    assert event_types("object_created_complete_multipart_upload") == {"ObjectCreated:CompleteMultipartUpload"}
    assert event_types("object_removed") == {"ObjectRemoved:Delete", "ObjectRemoved:DeleteMarkerCreated"}


def test_an_unknown_event_names_the_bucket_notification_event_and_valid_ones() -> None:
    with pytest.raises(NotificationConfigurationError) as caught:
        validate_notification("myFiles", notification(("object_created", "object_uploaded")))

    message = str(caught.value)
    assert 'Bucket "myFiles"' in message
    assert 'notification "thumbs"' in message
    assert '"object_uploaded"' in message
    assert "object_created_put" in message and "object_removed_delete_marker_created" in message
    assert caught.value.code == "InvalidArgument"
    assert caught.value.value == "object_uploaded"
    assert (caught.value.bucket_id, caught.value.notification_id) == ("myFiles", "thumbs")


def test_aws_style_event_names_are_rejected_with_the_contract_names() -> None:
    with pytest.raises(NotificationConfigurationError, match="s3:ObjectCreated:\\*.*Valid events: object_created"):
        validate_notification("myFiles", notification(("s3:ObjectCreated:*",)))


def test_a_notification_without_events_is_rejected() -> None:
    with pytest.raises(NotificationConfigurationError, match="no events"):
        validate_notification("myFiles", notification(()))


def bucket(*notifications: NotificationSpec) -> BucketSpec:
    return BucketSpec(id="myFiles", name="dev-app-myfiles", notifications=notifications)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (notification(), notification(prefix="uploads/", id="b")),  # no prefix overlaps every prefix
        (notification(prefix="uploads/"), notification(prefix="uploads/images/", id="b")),
        (notification(suffix=".jpg"), notification(suffix="pg", id="b")),
        (notification(("object_created_put",)), notification(("object_created",), id="b")),
        (notification(prefix="a/", suffix=".png"), notification(prefix="a/", suffix=".png", id="b")),
    ],
)
def test_overlapping_notifications_for_a_shared_event_are_ambiguous_as_in_s3(
    first: NotificationSpec, second: NotificationSpec
) -> None:
    with pytest.raises(NotificationConfigurationError) as caught:
        validate_bucket_notifications(bucket(first, second))

    message = str(caught.value)
    assert "Configuration is ambiguously defined" in message
    assert '"thumbs"' in message and '"b"' in message and 'Bucket "myFiles"' in message


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (notification(("object_created",)), notification(("object_removed",), id="b")),
        (notification(prefix="uploads/"), notification(prefix="thumbnails/", id="b")),
        (notification(prefix="images/", suffix=".jpg"), notification(prefix="images/", suffix=".png", id="b")),
        (notification(("object_created_put",)), notification(("object_created_copy",), id="b")),
    ],
)
def test_notifications_that_cannot_share_an_event_are_accepted(
    first: NotificationSpec, second: NotificationSpec
) -> None:
    validate_bucket_notifications(bucket(first, second))


def test_bucket_validation_also_checks_each_notifications_events() -> None:
    with pytest.raises(NotificationConfigurationError, match="unknown event"):
        validate_bucket_notifications(bucket(notification(("object_deleted",))))
