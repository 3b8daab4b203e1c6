"""The events Lambda hands a function for each event source, built from what the emulator reports. Pure.

Shapes follow AWS's documentation for each source ("Using Lambda with Amazon SQS / SNS / EventBridge Scheduler /
DynamoDB"); tests validate them with powertools' `SqsModel`, `SnsModel`, `EventBridgeModel` and
`DynamoDBStreamModel`. Where a field cannot be real locally (an SNS signature), it has AWS's form and a local value.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["scheduled_event", "sns_event", "sns_message_for_lambda", "sqs_event", "stream_event"]

_SNS_SIGNING_CERT = "https://sns.{region}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem"
_SNS_UNSUBSCRIBE = "https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription}"


def sqs_event(messages: Sequence[Mapping[str, Any]], *, queue_arn: str, region: str) -> dict[str, Any]:
    """The `{"Records": [...]}` a queue's consumer gets for messages as SQS's JSON API returns them."""
    return {"Records": [_sqs_record(message, queue_arn, region) for message in messages]}


def _sqs_record(message: Mapping[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    # The API answers attribute names in PascalCase (`StringValue`); Lambda's event spells them camelCase.
    attributes = {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": list(value.get("StringListValues", [])),
            "binaryListValues": list(value.get("BinaryListValues", [])),
            "dataType": value.get("DataType", "String"),
        }
        for name, value in (message.get("MessageAttributes") or {}).items()
    }
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": attributes,
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def sns_message_for_lambda(message: str, structure: str | None) -> str:
    """With `MessageStructure="json"`, a Lambda subscriber gets the message's `lambda` entry, else its `default`."""
    if structure != "json":
        return message
    try:
        per_protocol = json.loads(message)
    except ValueError:
        return message
    if not isinstance(per_protocol, dict):
        return message
    return str(per_protocol.get("lambda", per_protocol.get("default", message)))


def sns_event(publish: Mapping[str, Any], *, subscription_arn: str, region: str) -> dict[str, Any]:
    """The one-record event a topic's Lambda subscriber gets for one publish, as the emulator reported it."""
    notification: dict[str, Any] = {
        "Type": "Notification",
        "MessageId": publish["messageId"],
        "TopicArn": publish["topicArn"],
        "Subject": publish.get("subject"),
        "Message": sns_message_for_lambda(publish["message"], publish.get("messageStructure")),
        "Timestamp": publish["timestamp"],
        "SignatureVersion": "1",
        "Signature": "EXAMPLE",
        "SigningCertUrl": _SNS_SIGNING_CERT.format(region=region),
        "UnsubscribeUrl": _SNS_UNSUBSCRIBE.format(region=region, subscription=subscription_arn),
        "MessageAttributes": dict(publish.get("messageAttributes") or {}),
    }
    return {
        "Records": [
            {
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription_arn,
                "EventSource": "aws:sns",
                "Sns": notification,
            }
        ]
    }


def scheduled_event(
    *, rule_arn: str, account: str, region: str, time: str, event_id: str | None = None
) -> dict[str, Any]:
    """The event EventBridge sends a schedule's target: `detail-type` "Scheduled Event", an empty `detail`."""
    return {
        "version": "0",
        "id": event_id or str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": time,
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


def stream_event(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The batch a stream consumer gets: DynamoDB Streams' records, in shard order."""
    return {"Records": [dict(record) for record in records]}
