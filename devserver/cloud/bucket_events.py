"""Bucket notifications through the account's own event path, S3 → SQS → the local dispatcher: pure.

`queue_configurations` is what sst-dev puts in a bucket's notification configuration: one queue configuration per
app notification, with its events and key filters, each named `sst-dev-<notification id>`, all pointing at the app
stage's notification queue. `foreign_configurations` finds what is not sst-dev's in a configuration found on a
bucket: sst-dev never overwrites it. `raw_events` reads an SQS message S3 sent back into the events the dispatcher
takes (`emulator.s3.events.RawS3Event`), so handlers get the same event shapes, retries and terminal lines as
offline. `queue_policy` lets exactly the app's buckets send to the queue, as S3 requires.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_plus

from devserver.app.model import BucketSpec
from devserver.app.notification_rules import NOTIFICATION_EVENTS
from emulator.s3.events import RawS3Event

__all__ = [
    "CONFIGURATION_ID_PREFIX",
    "foreign_configurations",
    "queue_configurations",
    "queue_policy",
    "raw_events",
]

CONFIGURATION_ID_PREFIX = "sst-dev-"
_CONFIGURATION_KINDS = ("QueueConfigurations", "TopicConfigurations", "LambdaFunctionConfigurations")


def queue_configurations(bucket: BucketSpec, queue_arn: str) -> list[dict[str, Any]]:
    configurations = []
    for notification in bucket.notifications:
        configuration: dict[str, Any] = {
            "Id": f"{CONFIGURATION_ID_PREFIX}{notification.id}",
            "QueueArn": queue_arn,
            "Events": [NOTIFICATION_EVENTS[event] for event in notification.events],
        }
        rules = [
            {"Name": name, "Value": value}
            for name, value in (("prefix", notification.prefix), ("suffix", notification.suffix))
            if value
        ]
        if rules:
            configuration["Filter"] = {"Key": {"FilterRules": rules}}
        configurations.append(configuration)
    return configurations


def foreign_configurations(found: dict[str, Any]) -> list[str]:
    """What a bucket's notification configuration holds that sst-dev did not put there (by id, or by kind)."""
    foreign = [
        configuration.get("Id") or kind
        for kind in _CONFIGURATION_KINDS
        for configuration in found.get(kind, [])
        if not str(configuration.get("Id", "")).startswith(CONFIGURATION_ID_PREFIX)
    ]
    if "EventBridgeConfiguration" in found:
        foreign.append("EventBridgeConfiguration")
    return foreign


def queue_policy(queue_arn: str, bucket_names: Iterable[str], account: str) -> str:
    """The queue's access policy: S3 may send to it for these buckets of this account, nobody else."""
    statement = {
        "Sid": "sst-dev-bucket-notifications",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {
            "ArnLike": {"aws:SourceArn": [f"arn:aws:s3:::{name}" for name in sorted(bucket_names)]},
            "StringEquals": {"aws:SourceAccount": account},
        },
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def raw_events(body: str) -> list[RawS3Event]:
    """The S3 events in one SQS message body; none for S3's `s3:TestEvent` or a body that is not S3's."""
    try:
        document = json.loads(body)
    except ValueError:
        return []
    records = document.get("Records") if isinstance(document, dict) else None
    if not isinstance(records, list):
        return []
    return [_raw_event(record) for record in records if isinstance(record, dict) and "s3" in record]


def _raw_event(record: dict[str, Any]) -> RawS3Event:
    s3 = record["s3"]
    found = s3.get("object", {})
    return RawS3Event(
        eventName=str(record.get("eventName", "")),
        bucket=str(s3.get("bucket", {}).get("name", "")),
        key=unquote_plus(str(found.get("key", ""))),  # S3 URL-encodes the key in notifications
        size=int(found.get("size", 0)),
        eTag=str(found.get("eTag", "")),
        versionId=found.get("versionId"),
        sequencer=str(found.get("sequencer", "")),
        eventTime=str(record.get("eventTime", "")),
        sourceIp=str(record.get("requestParameters", {}).get("sourceIPAddress", "")),
        requestId=str(record.get("responseElements", {}).get("x-amz-request-id", "")),
        hostId=str(record.get("responseElements", {}).get("x-amz-id-2", "")),
        principalId=str(record.get("userIdentity", {}).get("principalId", "")),
        region=str(record.get("awsRegion", "")),
    )
