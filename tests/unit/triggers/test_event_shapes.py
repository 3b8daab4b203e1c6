"""The events each source hands a function, as powertools' models of AWS's events accept them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import (
    DynamoDBStreamModel,
    EventBridgeModel,
    SnsModel,
    SqsModel,
)
from pydantic import BaseModel

from devserver.app.invoke_target import find_target
from devserver.app.loader import load_app
from devserver.triggers.event_shapes import sns_event, sns_message_for_lambda, sqs_event
from devserver.triggers.invoke_events import AppEvents
from devserver.triggers.queues import failed_message_ids
from tests.apps import make_app

MESSAGE = {
    "MessageId": "m-1",
    "ReceiptHandle": "r-1",
    "Body": "hello",
    "MD5OfBody": "5d41402abc4b2a76b9719d911017c592",
    "Attributes": {
        "ApproximateReceiveCount": "2",
        "SentTimestamp": "1",
        "SenderId": "A",
        "ApproximateFirstReceiveTimestamp": "2",
    },
    "MessageAttributes": {"kind": {"StringValue": "x", "DataType": "String"}},
    "MD5OfMessageAttributes": "abc",
}


def test_sqs_batches_spell_attributes_as_lambda_does() -> None:
    event = sqs_event([MESSAGE], queue_arn="arn:aws:sqs:us-east-1:123456789012:q", region="us-east-1")
    [record] = parse(event=event, model=SqsModel).Records
    assert record.attributes.ApproximateReceiveCount == "2"
    assert record.messageAttributes["kind"].stringValue == "x" and record.messageAttributes["kind"].dataType == "String"
    assert record.eventSourceARN == "arn:aws:sqs:us-east-1:123456789012:q"


def test_sns_records_carry_subject_and_attributes_and_the_lambda_entry_of_a_json_structure() -> None:
    publish = {
        "topicArn": "arn:aws:sns:us-east-1:123456789012:t",
        "messageId": "id",
        "message": json.dumps({"default": "for all", "lambda": "for lambda"}),
        "messageStructure": "json",
        "subject": "s",
        "messageAttributes": {"k": {"Type": "String", "Value": "v"}},
        "timestamp": "2026-12-02T15:00:00Z",
    }
    [record] = parse(event=sns_event(publish, subscription_arn="arn:sub", region="us-east-1"), model=SnsModel).Records
    assert (record.Sns.Message, record.Sns.Subject, record.Sns.MessageAttributes["k"].Value) == ("for lambda", "s", "v")
    assert sns_message_for_lambda('{"default": "d"}', "json") == "d"
    assert sns_message_for_lambda("plain", None) == "plain"


@pytest.mark.parametrize(
    ("result", "failed"),
    [
        (None, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "b"}]}, {"b"}),
        ({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, None),  # not in the batch: the whole batch failed
        ({"batchItemFailures": "b"}, None),
    ],
)
def test_batch_item_failures_name_messages_of_the_batch(result: object, failed: set[str] | None) -> None:
    assert failed_message_ids(result, ["a", "b"]) == failed


@pytest.mark.parametrize(
    ("target", "model"),
    [
        ("nightly", EventBridgeModel),
        ("dev-test-app-jobs-consumer", SqsModel),
        ("dev-test-app-news-mailer", SnsModel),
        ("dev-test-app-bus-orders-fulfil", EventBridgeModel),
        ("dev-test-app-notes-indexer", DynamoDBStreamModel),
    ],
)
def test_invoking_a_trigger_s_function_directly_sends_its_source_s_example_event(
    tmp_path: Path, target: str, model: type[BaseModel]
) -> None:
    app_dir = make_app(
        tmp_path,
        """
        Queue(stack, "jobs", consumer="functions/h.main")
        Topic(stack, "news", subscribers={"mailer": "functions/h.main"})
        Cron(stack, "nightly", schedule="rate(1 day)", job="functions/h.main")
        EventBus(stack, "bus", rules={"orders": {"pattern": {"source": ["shop"]},
                 "targets": {"fulfil": "functions/h.main"}}})
        Table(stack, "notes", fields={"id": "string"}, primary_index={"partition_key": "id"}, stream="keys_only",
              consumers={"indexer": "functions/h.main"})
        """,
        {"functions/h.py": "def main(event, context):\n    return event\n"},
    )
    app = load_app(app_dir, stage="dev", api_url=lambda api_id: "http://127.0.0.1:3000")
    event = AppEvents(app, api_url=lambda api_id: "http://127.0.0.1:3000").for_target(find_target(app, target))
    parse(event=event, model=model)
