"""Queues, topics, event buses, table streams and cron jobs run their handlers, with AWS's event shapes and Lambda's
delivery rules for each source. Messages, publishes, events and writes go through unmodified boto3."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from botocore.client import BaseClient

from devserver.triggers.deliveries import TriggerDelivery
from tests.apps import make_app
from tests.integration.storage_support import running
from tests.servers import ServerThread

HANDLERS = """\
import json
import os

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import (
    DynamoDBStreamModel,
    EventBridgeModel,
    SnsModel,
    SqsModel,
)

HEALED = os.path.join(os.path.dirname(__file__), "healed")


def queue(event, context):
    records = parse(event=event, model=SqsModel).Records
    bodies = [record.body for record in records]
    poisoned = [r.messageId for r in records if r.body == "poison" and r.attributes.ApproximateReceiveCount == "1"]
    if poisoned:
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in poisoned]}
    if "fail" in bodies and not os.path.exists(HEALED):
        raise RuntimeError("this batch fails")
    return {
        "bodies": bodies,
        "receiveCounts": [record.attributes.ApproximateReceiveCount for record in records],
        "sources": [record.eventSourceARN for record in records],
        "attributes": [{k: v.stringValue for k, v in record.messageAttributes.items()} for record in records],
    }


def dead(event, context):
    return [record.body for record in parse(event=event, model=SqsModel).Records]


def topic(event, context):
    [record] = parse(event=event, model=SnsModel).Records
    if record.Sns.Message == "fail":
        raise RuntimeError("this publish fails")
    attributes = {k: v.Value for k, v in (record.Sns.MessageAttributes or {}).items()}
    return {"message": record.Sns.Message, "subject": record.Sns.Subject, "attributes": attributes}


def bus(event, context):
    parsed = parse(event=event, model=EventBridgeModel)
    return {"source": parsed.source, "detailType": parsed.detail_type, "detail": parsed.detail}


def scheduled(event, context):
    parsed = parse(event=event, model=EventBridgeModel)
    return {"detailType": parsed.detail_type, "source": parsed.source, "resources": parsed.resources}


def stream(event, context):
    records = parse(event=event, model=DynamoDBStreamModel).Records
    poisoned = any(r.dynamodb.NewImage and "poison" in r.dynamodb.NewImage for r in records)
    if poisoned and not os.path.exists(HEALED + "-stream"):
        raise RuntimeError("a poisoned record")
    return [
        {
            "eventName": r.eventName,
            "keys": r.dynamodb.Keys,
            "new": r.dynamodb.NewImage,
            "old": r.dynamodb.OldImage,
            "sequence": r.dynamodb.SequenceNumber,
        }
        for r in records
    ]
"""

STACK = """\
dead = Queue(stack, "dead", consumer="functions/triggers.dead")
jobs = Queue(
    stack,
    "jobs",
    consumer={"function": "functions/triggers.queue", "batch_size": 10},
    visibility_timeout=1,
    dead_letter_queue={"queue": dead, "max_receive_count": 2},
)
plain = Queue(stack, "plain", consumer="functions/triggers.queue", visibility_timeout=1)
# 3 s: longer than a worker's cold start on a loaded CI machine, or a message still in its first invocation comes back
partial = Queue(stack, "partial", consumer="functions/triggers.queue", visibility_timeout=3)
news = Topic(stack, "news", subscribers={"mailer": "functions/triggers.topic", "audit": "functions/triggers.topic"})
bus = EventBus(
    stack,
    "bus",
    rules={
        "orders": {
            "pattern": {"source": ["shop"], "detail": {"total": [{"numeric": [">", 10]}]}},
            "targets": {"fulfil": "functions/triggers.bus"},
        }
    },
)
Cron(stack, "nightly", schedule="cron(0 3 * * ? *)", job="functions/triggers.scheduled")
Table(
    stack,
    "notes",
    fields={"id": "string"},
    primary_index={"partition_key": "id"},
    stream="new_and_old_images",
    consumers={"indexer": "functions/triggers.stream"},
)
Api(stack, "api", routes={"GET /": "functions/triggers.bus"})
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    app = make_app(tmp_path_factory.mktemp("triggers"), STACK, {"functions/triggers.py": HANDLERS})
    with running(app) as started:
        yield started


@pytest.fixture
def deliveries(server: ServerThread) -> Iterator[object]:
    log = server.server.aws.sources.deliveries.log
    log.mark()
    yield log


def client(server: ServerThread, service: str) -> BaseClient:
    return server.server.aws.emulator.client(service)


def wait(server: ServerThread, count: int, timeout: float = 20) -> list[TriggerDelivery]:
    return server.server.aws.sources.deliveries.log.wait_blocking(count, timeout)


def spec(server: ServerThread, kind: str, construct_id: str) -> object:
    return next(item for item in getattr(server.server.app, kind) if item.id == construct_id)


def test_a_message_reaches_the_consumer_as_an_sqs_event_and_is_deleted(
    server: ServerThread, deliveries: object
) -> None:
    jobs = spec(server, "queues", "jobs")
    attributes = {"kind": {"DataType": "String", "StringValue": "thumbnail"}}
    client(server, "sqs").send_message(QueueUrl=jobs.url, MessageBody="resize a.png", MessageAttributes=attributes)

    [delivery] = wait(server, 1)

    assert delivery.ok and delivery.source == "sqs"
    assert delivery.invocation.result == {
        "bodies": ["resize a.png"],
        "receiveCounts": ["1"],
        "sources": [jobs.arn],
        "attributes": [{"kind": "thumbnail"}],
    }
    time.sleep(1.5)  # past the visibility timeout: a message that was not deleted would be visible again
    assert "Messages" not in client(server, "sqs").receive_message(QueueUrl=jobs.url, WaitTimeSeconds=0)


def test_a_failing_batch_returns_after_the_visibility_timeout_then_goes_to_the_dead_letter_queue(
    server: ServerThread, deliveries: object
) -> None:
    jobs = spec(server, "queues", "jobs")
    client(server, "sqs").send_message(QueueUrl=jobs.url, MessageBody="fail")

    first, second, dead = wait(server, 3, timeout=30)

    assert (first.ok, second.ok) == (False, False)
    assert "received 1/2 times" in first.note and "next it moves to dead-letter queue dead" in second.note
    assert dead.ok and dead.function_name.endswith("dead-consumer") and dead.invocation.result == ["fail"]


def test_without_a_dead_letter_queue_a_failing_message_stays_and_is_retried_until_it_succeeds(
    server: ServerThread, deliveries: object
) -> None:
    plain = spec(server, "queues", "plain")
    client(server, "sqs").send_message(QueueUrl=plain.url, MessageBody="fail")

    attempts = wait(server, 3, timeout=30)
    (server.server.app.app_dir / "functions" / "healed").touch()  # the handler is fixed
    [success] = wait(server, 1, timeout=30)

    assert not any(attempt.ok for attempt in attempts)
    assert "no dead-letter queue, so it is retried until it succeeds or expires" in attempts[-1].note
    assert success.ok and success.invocation.result["receiveCounts"] == ["4"]


def test_batch_item_failures_return_only_the_named_messages(server: ServerThread, deliveries: object) -> None:
    partial = spec(server, "queues", "partial")
    sqs = client(server, "sqs")
    sqs.send_message_batch(
        QueueUrl=partial.url,
        Entries=[{"Id": "1", "MessageBody": "fine"}, {"Id": "2", "MessageBody": "poison"}],
    )

    seen: list[TriggerDelivery] = []
    while not seen or seen[-1].event["Records"][0]["attributes"]["ApproximateReceiveCount"] == "1":
        seen += wait(server, 1, timeout=30)  # the first receive may come as one batch or two

    bodies = [record["body"] for delivery in seen for record in delivery.event["Records"]]
    assert all(delivery.ok for delivery in seen)
    assert sorted(bodies) == ["fine", "poison", "poison"]  # "fine" was deleted; only the named message returned
    assert [record["body"] for record in seen[-1].event["Records"]] == ["poison"]


def test_a_publish_reaches_every_subscriber_as_an_sns_event(server: ServerThread, deliveries: object) -> None:
    news = spec(server, "topics", "news")
    client(server, "sns").publish(
        TopicArn=news.arn,
        Message="hello",
        Subject="greeting",
        MessageAttributes={"lang": {"DataType": "String", "StringValue": "en"}},
    )

    both = wait(server, 2)

    assert sorted(d.function_name.rsplit("-", 1)[-1] for d in both) == ["audit", "mailer"]
    for delivery in both:
        assert delivery.invocation.result == {"message": "hello", "subject": "greeting", "attributes": {"lang": "en"}}


def test_a_failing_subscriber_is_retried_twice_as_lambda_retries_asynchronous_invocations(
    server: ServerThread, deliveries: object
) -> None:
    client(server, "sns").publish(TopicArn=spec(server, "topics", "news").arn, Message="fail")

    both = wait(server, 2)

    assert [(d.ok, d.attempts) for d in both] == [(False, 3), (False, 3)]
    assert len({d.invocation.request_id for d in both}) == 2


def test_events_reach_the_targets_of_the_rules_they_match(server: ServerThread, deliveries: object) -> None:
    bus = spec(server, "event_buses", "bus")
    events = client(server, "events")
    entries = [
        {"Source": "shop", "DetailType": "OrderPlaced", "Detail": json.dumps({"total": 5}), "EventBusName": bus.name},
        {"Source": "shop", "DetailType": "OrderPlaced", "Detail": json.dumps({"total": 50}), "EventBusName": bus.name},
    ]
    assert events.put_events(Entries=entries)["FailedEntryCount"] == 0

    [delivery] = wait(server, 1)

    assert delivery.invocation.result == {"source": "shop", "detailType": "OrderPlaced", "detail": {"total": 50}}
    time.sleep(0.5)
    assert server.server.aws.sources.deliveries.log.deliveries[-1] is delivery  # the 5 matched no rule


def test_table_writes_reach_the_stream_consumer_in_order_with_both_images(
    server: ServerThread, deliveries: object
) -> None:
    notes = spec(server, "tables", "notes")
    dynamodb = client(server, "dynamodb")
    dynamodb.put_item(TableName=notes.name, Item={"id": {"S": "n1"}, "text": {"S": "first"}})
    dynamodb.put_item(TableName=notes.name, Item={"id": {"S": "n1"}, "text": {"S": "second"}})
    dynamodb.delete_item(TableName=notes.name, Key={"id": {"S": "n1"}})

    records: list[dict[str, object]] = []
    while len(records) < 3:  # the consumer gets the records in one batch or more, as they arrive
        [delivery] = wait(server, 1)
        records += delivery.invocation.result

    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    assert records[1]["old"] == {"id": "n1", "text": "first"} and records[1]["new"] == {"id": "n1", "text": "second"}
    assert records[2]["old"] == {"id": "n1", "text": "second"} and records[2]["new"] is None
    assert [int(r["sequence"]) for r in records] == sorted(int(r["sequence"]) for r in records)


def test_a_poisoned_record_blocks_its_shard_until_the_batch_succeeds(server: ServerThread, deliveries: object) -> None:
    notes = spec(server, "tables", "notes")
    dynamodb = client(server, "dynamodb")
    dynamodb.put_item(TableName=notes.name, Item={"id": {"S": "p1"}, "poison": {"BOOL": True}})
    dynamodb.put_item(TableName=notes.name, Item={"id": {"S": "n2"}})

    failures = wait(server, 2, timeout=30)
    (server.server.app.app_dir / "functions" / "healed-stream").touch()
    records: list[dict[str, object]] = []
    while not any(record["keys"] == {"id": "n2"} for record in records):
        [delivery] = wait(server, 1, timeout=30)
        records += delivery.invocation.result

    assert [d.ok for d in failures] == [False, False]
    assert all("this shard is blocked until the batch succeeds" in d.note for d in failures)
    assert [record["keys"]["id"] for record in records] == ["p1", "n2"]  # in order, nothing skipped


def test_a_cron_job_fires_on_demand_with_a_scheduled_event(server: ServerThread, deliveries: object) -> None:
    server.call(lambda: server.server.aws.sources.fire_cron("nightly"))

    [delivery] = wait(server, 1)

    assert delivery.source == "cron"
    assert delivery.invocation.result["detailType"] == "Scheduled Event"
    assert delivery.invocation.result["source"] == "aws.events"
    assert delivery.invocation.result["resources"][0].endswith(":rule/test-test-app-nightly")
