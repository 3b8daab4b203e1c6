"""What a queue and a table hold survives a restart of the dev server: a message that failed before the stop is
delivered after it, and table items are still there."""

from __future__ import annotations

from pathlib import Path

from tests.apps import make_app
from tests.integration.storage_support import running

HANDLERS = """\
import os

HEALED = os.path.join(os.path.dirname(__file__), "healed")


def queue(event, context):
    if not os.path.exists(HEALED):
        raise RuntimeError("not yet")
    return [(record["body"], record["attributes"]["ApproximateReceiveCount"]) for record in event["Records"]]
"""

STACK = """\
Queue(stack, "jobs", consumer="functions/jobs.queue", visibility_timeout=60)
Table(stack, "notes", fields={"id": "string"}, primary_index={"partition_key": "id"})
"""


def test_a_message_that_failed_before_a_restart_is_delivered_after_it_and_items_stay(tmp_path: Path) -> None:
    app = make_app(tmp_path, STACK, {"functions/jobs.py": HANDLERS})
    with running(app) as server:
        sources = server.server.aws.sources.deliveries.log
        queue = next(spec for spec in server.server.app.queues if spec.id == "jobs")
        table = next(spec for spec in server.server.app.tables if spec.id == "notes")
        emulator = server.server.aws.emulator
        emulator.client("dynamodb").put_item(TableName=table.name, Item={"id": {"S": "kept"}})
        emulator.client("sqs").send_message(QueueUrl=queue.url, MessageBody="resize a.png")
        [failed] = sources.wait_blocking(1, 20)
        assert not failed.ok  # in flight for 60 s when the server stops

    (app / "functions" / "healed").touch()
    with running(app) as server:
        [delivered] = server.server.aws.sources.deliveries.log.wait_blocking(1, 20)
        assert delivered.ok
        assert delivered.invocation.result == [["resize a.png", "2"]]
        items = server.server.aws.emulator.client("dynamodb").scan(TableName=table.name)["Items"]
        assert items == [{"id": {"S": "kept"}}]
