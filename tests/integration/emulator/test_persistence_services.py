"""SQS queues and DynamoDB tables survive an emulator restart on the same state folder, with messages and items."""

from __future__ import annotations

import json
import os
import signal
import time

from botocore.client import BaseClient

from emulator.process import EmulatorProcess
from tests.integration.emulator_support import Restartable

TABLE_KEYS = {
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"},
        {"AttributeName": "owner", "AttributeType": "S"},
    ],
}
BY_OWNER = {
    "IndexName": "byOwner",
    "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "ALL"},
}
ITEM = {
    "pk": {"S": "a"},
    "sk": {"N": "1"},
    "owner": {"S": "ada"},
    "bytes": {"B": b"\xff\x00\x01"},
    "nested": {"M": {"list": {"L": [{"S": "x"}, {"N": "2.5"}, {"BOOL": True}, {"NULL": True}]}}},
    "tags": {"SS": ["p", "q"]},
    "blobs": {"BS": [b"\x00", b"\x01"]},
}


def _queue_url(sqs: BaseClient, name: str) -> str:
    url: str = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return url


def _create_table(dynamodb: BaseClient, *, stream: bool) -> None:
    dynamodb.create_table(
        TableName="notes",
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[BY_OWNER],
        StreamSpecification={"StreamEnabled": stream, **({"StreamViewType": "NEW_IMAGE"} if stream else {})},
        **TABLE_KEYS,
    )


def test_queues_come_back_with_attributes_tags_and_every_undeleted_message(restartable: Restartable) -> None:
    sqs = restartable.start().client("sqs")
    dead = sqs.create_queue(QueueName="dead")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": 3})
    jobs = sqs.create_queue(
        QueueName="jobs",
        Attributes={"VisibilityTimeout": "45", "DelaySeconds": "0", "RedrivePolicy": redrive},
        tags={"team": "a"},
    )["QueueUrl"]
    sqs.send_message(
        QueueUrl=jobs,
        MessageBody="first",
        MessageAttributes={
            "kind": {"DataType": "String", "StringValue": "thumbnail"},
            "raw": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
        },
    )
    sqs.send_message(QueueUrl=jobs, MessageBody="second")
    deleted = sqs.send_message(QueueUrl=jobs, MessageBody="deleted")["MessageId"]
    received = sqs.receive_message(QueueUrl=jobs, MaxNumberOfMessages=10, VisibilityTimeout=300)["Messages"]
    for message in received:
        if message["MessageId"] == deleted:
            sqs.delete_message(QueueUrl=jobs, ReceiptHandle=message["ReceiptHandle"])
    first_id = next(message["MessageId"] for message in received if message["Body"] == "first")

    sqs = restartable.start().client("sqs")
    jobs = _queue_url(sqs, "jobs")
    attributes = sqs.get_queue_attributes(QueueUrl=jobs, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "45"
    assert json.loads(attributes["RedrivePolicy"]) == {"deadLetterTargetArn": dead_arn, "maxReceiveCount": 3}
    assert sqs.list_queue_tags(QueueUrl=jobs)["Tags"] == {"team": "a"}
    # In flight when the emulator stopped (a 300 s visibility timeout), yet visible again at once.
    messages = sqs.receive_message(
        QueueUrl=jobs, MaxNumberOfMessages=10, AttributeNames=["All"], MessageAttributeNames=["All"]
    )["Messages"]
    by_body = {message["Body"]: message for message in messages}
    assert sorted(by_body) == ["first", "second"]
    first = by_body["first"]
    assert first["MessageId"] == first_id
    assert first["Attributes"]["ApproximateReceiveCount"] == "2"  # the receive before the restart counts
    assert first["MessageAttributes"]["raw"]["BinaryValue"] == b"\x00\xff"
    assert first["MessageAttributes"]["kind"]["StringValue"] == "thumbnail"
    assert _queue_url(sqs, "dead").endswith("/dead")


def test_a_restored_message_still_reaches_its_dead_letter_queue_after_max_receives(restartable: Restartable) -> None:
    sqs = restartable.start().client("sqs")
    dead = sqs.create_queue(QueueName="dead")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": 2})
    jobs = sqs.create_queue(QueueName="jobs", Attributes={"RedrivePolicy": redrive})["QueueUrl"]
    sqs.send_message(QueueUrl=jobs, MessageBody="poison")
    assert sqs.receive_message(QueueUrl=jobs, VisibilityTimeout=0)["Messages"]
    assert sqs.receive_message(QueueUrl=jobs, VisibilityTimeout=0)["Messages"]

    sqs = restartable.start().client("sqs")
    assert "Messages" not in sqs.receive_message(QueueUrl=_queue_url(sqs, "jobs"))  # a third receive redrives it
    moved = sqs.receive_message(QueueUrl=_queue_url(sqs, "dead"))["Messages"]
    assert [message["Body"] for message in moved] == ["poison"]


def test_tables_come_back_with_every_item_index_and_stream_but_send_no_stream_records(
    restartable: Restartable,
) -> None:
    emulator = restartable.start()
    dynamodb = emulator.client("dynamodb")
    _create_table(dynamodb, stream=True)
    dynamodb.put_item(TableName="notes", Item=ITEM)
    dynamodb.put_item(TableName="notes", Item={"pk": {"S": "a"}, "sk": {"N": "2"}, "owner": {"S": "bob"}})
    dynamodb.put_item(TableName="notes", Item={"pk": {"S": "b"}, "sk": {"N": "1"}, "owner": {"S": "ada"}})
    dynamodb.delete_item(TableName="notes", Key={"pk": {"S": "b"}, "sk": {"N": "1"}})

    reported: list[dict[str, object]] = []
    restartable.stop()
    restartable.emulator = EmulatorProcess(
        state_dir=restartable.state_dir,
        on_service_event=lambda service, event: reported.append(event),
    )
    restartable.emulator.start()
    dynamodb = restartable.emulator.client("dynamodb")
    items = dynamodb.scan(TableName="notes")["Items"]
    assert sorted((item["pk"]["S"], item["sk"]["N"]) for item in items) == [("a", "1"), ("a", "2")]
    assert dynamodb.get_item(TableName="notes", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"] == ITEM
    by_owner = dynamodb.query(
        TableName="notes",
        IndexName="byOwner",
        KeyConditionExpression="#o = :o",
        ExpressionAttributeNames={"#o": "owner"},
        ExpressionAttributeValues={":o": {"S": "ada"}},
    )["Items"]
    assert [item["sk"]["N"] for item in by_owner] == ["1"]
    table = dynamodb.describe_table(TableName="notes")["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    time.sleep(0.3)
    assert reported == []  # the restore wrote items, but they are not new writes
    dynamodb.put_item(TableName="notes", Item={"pk": {"S": "c"}, "sk": {"N": "1"}, "owner": {"S": "cy"}})
    deadline = time.monotonic() + 5
    while not reported and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [event["tableName"] for event in reported] == ["notes"]  # the stream runs on after the restore


def test_deleted_queues_and_tables_stay_deleted(restartable: Restartable) -> None:
    emulator = restartable.start()
    sqs, dynamodb = emulator.client("sqs"), emulator.client("dynamodb")
    sqs.delete_queue(QueueUrl=sqs.create_queue(QueueName="gone")["QueueUrl"])
    sqs.create_queue(QueueName="kept")
    _create_table(dynamodb, stream=False)
    dynamodb.delete_table(TableName="notes")

    emulator = restartable.start()
    assert [url.rsplit("/", 1)[1] for url in emulator.client("sqs").list_queues()["QueueUrls"]] == ["kept"]
    assert emulator.client("dynamodb").list_tables()["TableNames"] == []


def test_a_change_is_on_disk_shortly_after_it_is_answered_not_only_at_stop(restartable: Restartable) -> None:
    emulator = restartable.start()
    sqs = emulator.client("sqs")
    sqs.send_message(QueueUrl=sqs.create_queue(QueueName="jobs")["QueueUrl"], MessageBody="kept")
    time.sleep(1.0)  # five times the snapshot delay
    assert emulator.pid is not None
    os.kill(emulator.pid, signal.SIGKILL)  # no stop runs: only what was written already counts
    restartable.stop()  # reaps the killed process
    sqs = restartable.start().client("sqs")
    messages = sqs.receive_message(QueueUrl=_queue_url(sqs, "jobs"))["Messages"]
    assert [message["Body"] for message in messages] == ["kept"]


def test_an_unreadable_snapshot_is_set_aside_and_the_emulator_starts_empty(restartable: Restartable) -> None:
    restartable.start().client("sqs").create_queue(QueueName="jobs")
    restartable.stop()
    snapshot = restartable.services / "sqs.json"
    snapshot.write_text("{not json")

    sqs = restartable.start().client("sqs")
    assert sqs.list_queues().get("QueueUrls", []) == []
    assert (restartable.services / "sqs.json.unreadable").read_text() == "{not json"
