"""Queue, Topic, Cron, EventBus and Table streams in `sst.config.py`: what they resolve to, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from devserver.app.loader import AppConfigError, load_app
from devserver.app.model import AppSpec
from devserver.app.permissions import function_policy
from tests.apps import make_app

HANDLER = {"functions/h.py": "def main(event, context):\n    return event\n"}


def load(app_dir: Path) -> AppSpec:
    return load_app(app_dir, stage="dev", api_url=lambda api_id: "http://127.0.0.1:3000")


def test_every_trigger_resolves_to_specs_with_sst_s_binding_names(tmp_path: Path) -> None:
    app = load(
        make_app(
            tmp_path,
            """
            dead = Queue(stack, "dead")
            jobs = Queue(stack, "jobs", consumer={"function": "functions/h.main", "batch_size": 5,
                         "max_batching_window": 2}, dead_letter_queue={"queue": dead, "max_receive_count": 4})
            news = Topic(stack, "news", subscribers={"mailer": "functions/h.main"})
            Cron(stack, "nightly", schedule="cron(0 3 * * ? *)", job={"function": {"handler": "functions/h.main",
                 "timeout": 30}})
            bus = EventBus(stack, "bus", rules={"orders": {"pattern": {"source": ["shop"]},
                           "targets": {"fulfil": "functions/h.main"}}})
            Table(stack, "notes", fields={"id": "string"}, primary_index={"partition_key": "id"}, stream=True,
                  consumers={"indexer": {"function": "functions/h.main", "batch_size": 50}})
            Function(stack, "api", handler="functions/h.main", bind=[jobs, news, bus])
            """,
            HANDLER,
        )
    )

    jobs = next(queue for queue in app.queues if queue.id == "jobs")
    assert jobs.url == "https://sqs.us-east-1.amazonaws.com/123456789012/dev-test-app-jobs"
    assert jobs.consumer is not None and (jobs.consumer.batch_size, jobs.consumer.max_batching_window) == (5, 2.0)
    assert jobs.visibility_timeout == jobs.consumer.function.timeout == 10.0  # as SST sets it
    assert jobs.dead_letter is not None and (jobs.dead_letter.queue_id, jobs.dead_letter.max_receive_count) == (
        "dead",
        4,
    )
    assert app.topics[0].arn == "arn:aws:sns:us-east-1:123456789012:dev-test-app-news"
    assert app.crons[0].job.name == "dev-test-app-nightlyJob" and app.crons[0].job.timeout == 30
    assert app.event_buses[0].rules[0].pattern == '{"source":["shop"]}'
    assert app.tables[0].stream == "NEW_AND_OLD_IMAGES" and app.tables[0].consumers[0].batch_size == 50
    assert dict(app.resources["Queue"]["jobs"]) == {"queueUrl": jobs.url}
    assert dict(app.resources["Topic"]["news"]) == {"topicArn": app.topics[0].arn}
    assert dict(app.resources["EventBus"]["bus"]) == {"eventBusName": "dev-test-app-bus"}
    names = {function.name for function in app.all_functions()}
    assert {"dev-test-app-jobs-consumer", "dev-test-app-news-mailer", "dev-test-app-bus-orders-fulfil"} <= names
    api = next(function for function in app.functions if function.name == "dev-test-app-api")
    statements = function_policy(app, api)["Statement"]
    granted = {(action, resource) for s in statements for action in s["Action"] for resource in s["Resource"]}
    assert {
        ("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:dev-test-app-jobs"),
        ("sqs:ReceiveMessage", "arn:aws:sqs:us-east-1:123456789012:dev-test-app-jobs"),
        ("sqs:DeleteMessage", "arn:aws:sqs:us-east-1:123456789012:dev-test-app-jobs"),
        ("sns:Publish", app.topics[0].arn),
        ("events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/dev-test-app-bus"),
    } <= granted


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('Queue(stack, "q", consumer="functions/h.main", retries=3)', 'Queue "q": unknown option "retries"'),
        (
            'Queue(stack, "q", consumer={"function": "functions/h.main", "batch_size": 11})',
            "batch_size must be a whole number from 1 to 10",
        ),
        (
            'Queue(stack, "q", consumer={"function": "functions/h.main", "max_batching_window": -1})',
            "max_batching_window",
        ),
        ('Queue(stack, "q", dead_letter_queue={"queue": "other"})', "dead_letter_queue must be"),
        ('Queue(stack, "q", visibility_timeout=50000)', "visibility_timeout must be seconds"),
        ('Topic(stack, "t", subscribers=["functions/h.main"])', '"subscribers" must be a dict'),
        ('Cron(stack, "c", schedule="rate(1 minutes)", job="functions/h.main")', "write 'rate(1 minute)'"),
        ('Cron(stack, "c", schedule="cron(0 3 * * * *)", job="functions/h.main")', "exactly one of day-of-month"),
        ('Cron(stack, "c", job="functions/h.main")', '"schedule" and "job" are required'),
        (
            'EventBus(stack, "b", rules={"r": {"pattern": {"source": "shop"}}})',
            "invalid pattern: source must be a list",
        ),
        ('EventBus(stack, "b", rules={"r": {"targets": {}}})', 'a rule is {"pattern"'),
        (
            'Table(stack, "t", fields={"id": "string"}, primary_index={"partition_key": "id"}, stream="all")',
            "stream 'all' is not one of",
        ),
        (
            'Table(stack, "t", fields={"id": "string"}, primary_index={"partition_key": "id"}, '
            'consumers={"c": "functions/h.main"})',
            "consumers read the table's stream",
        ),
        ('Queue(stack, "q", consumer="functions/nope.main")', "nope.py not found"),
    ],
)
def test_each_mistake_is_one_line_naming_the_construct_and_the_value(tmp_path: Path, body: str, expected: str) -> None:
    with pytest.raises(AppConfigError) as caught:
        load(make_app(tmp_path, body, HANDLER))
    message = str(caught.value)
    assert "\n" not in message and "sst.config.py" in message
    assert expected in message
