"""The `emulator` fixture with queues, topics, cron jobs and tables: a user's pytest run waits for their deliveries
deterministically, and every test starts with empty queues and tables."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.integration.testing.test_fixture_plugin import outcomes, run_pytest

CONFIG = """\
from devserver.constructs import Cron, Queue, Table, Topic


def config(_input):
    return {"name": "trigger-app", "region": "us-east-1"}


def stacks(app):
    app.stack(Main)


def Main(stack):
    Queue(stack, "jobs", consumer="functions/work.queue")
    Queue(stack, "outbox")  # no consumer: what a test leaves in it stays, until the reset
    Topic(stack, "news", subscribers={"mailer": "functions/work.topic"})
    Cron(stack, "nightly", schedule="cron(0 3 * * ? *)", job="functions/work.nightly")
    Table(stack, "notes", fields={"id": "string"}, primary_index={"partition_key": "id"}, stream=True,
          consumers={"indexer": "functions/work.stream"})
"""

WORK = """\
def queue(event, context):
    return [record["body"] for record in event["Records"]]


def topic(event, context):
    return event["Records"][0]["Sns"]["Message"]


def nightly(event, context):
    return event["detail-type"]


def stream(event, context):
    return [record["eventName"] for record in event["Records"]]
"""

USER_TESTS = """\
import boto3

from devserver.resources import Queue, Table, Topic


def test_1_a_message_is_consumed(emulator):
    boto3.client("sqs").send_message(QueueUrl=Queue.jobs.queueUrl, MessageBody="hello")
    [delivery] = emulator.deliveries.wait(count=1, timeout=10)
    assert (delivery.source, delivery.invocation.result) == ("sqs", ["hello"])


def test_2_a_publish_reaches_the_subscriber(emulator):
    boto3.client("sns").publish(TopicArn=Topic.news.topicArn, Message="extra")
    [delivery] = emulator.deliveries.wait(count=1, timeout=10)
    assert delivery.invocation.result == "extra"


def test_3_a_cron_job_fires_on_demand(emulator):
    emulator.deliveries.fire_cron("nightly")
    [delivery] = emulator.deliveries.wait(count=1, timeout=10)
    assert delivery.invocation.result == "Scheduled Event"


def test_4_a_write_reaches_the_stream_consumer(emulator):
    boto3.client("sqs").send_message(QueueUrl=Queue.outbox.queueUrl, MessageBody="left behind")
    boto3.client("dynamodb").put_item(TableName=Table.notes.tableName, Item={"id": {"S": "a"}})
    [delivery] = emulator.deliveries.wait(count=1, timeout=10)
    assert delivery.invocation.result == ["INSERT"]


def test_5_every_test_starts_with_empty_queues_and_tables(emulator):
    assert boto3.client("dynamodb").scan(TableName=Table.notes.tableName)["Items"] == []
    assert "Messages" not in boto3.client("sqs").receive_message(QueueUrl=Queue.outbox.queueUrl)
"""


def test_a_user_s_tests_wait_for_trigger_deliveries_and_start_empty(tmp_path: Path) -> None:
    for relative, source in {
        "sst.config.py": CONFIG,
        "functions/__init__.py": "",
        "functions/work.py": WORK,
        "pyproject.toml": '[tool.pytest.ini_options]\nsst_app = "."\n',
        "tests/test_app.py": USER_TESTS,
    }.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))

    done = run_pytest(tmp_path, "--junitxml=results.xml")

    assert outcomes(tmp_path / "results.xml") == {
        "test_1_a_message_is_consumed": "passed",
        "test_2_a_publish_reaches_the_subscriber": "passed",
        "test_3_a_cron_job_fires_on_demand": "passed",
        "test_4_a_write_reaches_the_stream_consumer": "passed",
        "test_5_every_test_starts_with_empty_queues_and_tables": "passed",
    }, done.stdout + done.stderr
