"""The notification configuration sst-dev puts on a bucket, what it recognises as someone else's, and the S3 events
it reads back from the queue."""

from __future__ import annotations

import json
from pathlib import Path

from devserver.app.model import BucketSpec, FunctionSpec, NotificationSpec
from devserver.cloud.bucket_events import foreign_configurations, queue_configurations, queue_policy, raw_events

QUEUE_ARN = "arn:aws:sqs:eu-west-1:111122223333:dev-shop-sst-dev-bucket-events"
FUNCTION = FunctionSpec(name="f", handler="functions/f.main", app_dir=Path("/app"))


def test_one_queue_configuration_per_notification_with_its_events_and_filters() -> None:
    bucket = BucketSpec(
        id="files",
        name="dev-shop-files-1234abcd",
        notifications=(
            NotificationSpec("thumbs", FUNCTION, ("object_created_put",), prefix="uploads/", suffix=".png"),
            NotificationSpec("audit", FUNCTION, ("object_removed",)),
        ),
    )
    assert queue_configurations(bucket, QUEUE_ARN) == [
        {
            "Id": "sst-dev-thumbs",
            "QueueArn": QUEUE_ARN,
            "Events": ["s3:ObjectCreated:Put"],
            "Filter": {
                "Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads/"}, {"Name": "suffix", "Value": ".png"}]}
            },  # fmt: skip
        },
        {"Id": "sst-dev-audit", "QueueArn": QUEUE_ARN, "Events": ["s3:ObjectRemoved:*"]},
    ]


def test_anything_sst_dev_did_not_name_is_foreign() -> None:
    ours = {"Id": "sst-dev-thumbs", "QueueArn": QUEUE_ARN, "Events": ["s3:ObjectCreated:*"]}
    assert foreign_configurations({"QueueConfigurations": [ours]}) == []
    assert foreign_configurations({}) == []
    found = {
        "QueueConfigurations": [ours, {"Id": "audit", "QueueArn": "arn:other"}],
        "TopicConfigurations": [{"TopicArn": "arn:topic"}],  # no Id at all
        "LambdaFunctionConfigurations": [{"Id": "resize", "LambdaFunctionArn": "arn:fn"}],
        "EventBridgeConfiguration": {},
    }
    assert foreign_configurations(found) == ["audit", "TopicConfigurations", "resize", "EventBridgeConfiguration"]


def test_the_queue_policy_lets_only_the_apps_buckets_of_this_account_send() -> None:
    [statement] = json.loads(queue_policy(QUEUE_ARN, ["b", "a"], "111122223333"))["Statement"]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"} and statement["Action"] == "sqs:SendMessage"
    assert statement["Resource"] == QUEUE_ARN
    assert statement["Condition"] == {
        "ArnLike": {"aws:SourceArn": ["arn:aws:s3:::a", "arn:aws:s3:::b"]},
        "StringEquals": {"aws:SourceAccount": "111122223333"},
    }


def test_an_s3_message_becomes_the_events_the_dispatcher_takes() -> None:
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "eu-west-1",
        "eventTime": "2026-12-02T10:00:00.000Z",
        "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "AWS:AIDA"},
        "requestParameters": {"sourceIPAddress": "203.0.113.9"},
        "responseElements": {"x-amz-request-id": "R1", "x-amz-id-2": "H1"},
        "s3": {
            "bucket": {"name": "dev-shop-files"},
            "object": {"key": "uploads/a+b%2Bc.png", "size": 3, "eTag": "e", "versionId": "v1", "sequencer": "0A"},
        },
    }
    [event] = raw_events(json.dumps({"Records": [record]}))
    assert event == {
        "eventName": "ObjectCreated:Put",
        "bucket": "dev-shop-files",
        "key": "uploads/a b+c.png",  # S3 URL-encodes keys in notifications, spaces as +
        "size": 3,
        "eTag": "e",
        "versionId": "v1",
        "sequencer": "0A",
        "eventTime": "2026-12-02T10:00:00.000Z",
        "sourceIp": "203.0.113.9",
        "requestId": "R1",
        "hostId": "H1",
        "principalId": "AWS:AIDA",
        "region": "eu-west-1",
    }


def test_s3s_test_event_and_foreign_bodies_carry_no_events() -> None:
    assert raw_events(json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b"})) == []
    assert raw_events("not json") == []
    assert raw_events(json.dumps({"Records": [{"eventSource": "aws:sqs"}]})) == []
