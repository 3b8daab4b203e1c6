"""Local IAM covers queues, topics and event buses: a function may send to, publish on and put events on what it
binds, and is refused the rest with each service's own AccessDenied error, as its execution role would be."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.apps import make_app
from tests.integration.storage_support import running
from tests.servers import ServerThread

STACK = """\
jobs = Queue(stack, "jobs")
other_queue = Queue(stack, "other")
news = Topic(stack, "news")
other_topic = Topic(stack, "gossip")
bus = EventBus(stack, "bus")
other_bus = EventBus(stack, "elsewhere")
Api(stack, "api", routes={"GET /try": {"function": {"handler": "functions/sender.main", "bind": [jobs, news, bus]}}})
"""

SENDER = """\
import json

import boto3
from botocore.exceptions import ClientError


def main(event, context):
    query = event["queryStringParameters"]
    service, target = query["service"], query["target"]
    try:
        if service == "sqs":
            boto3.client("sqs").send_message(QueueUrl=target, MessageBody="hi")
        elif service == "sns":
            boto3.client("sns").publish(TopicArn=target, Message="hi")
        else:
            entry = {"Source": "app", "DetailType": "Ping", "Detail": json.dumps({}), "EventBusName": target}
            answer = boto3.client("events").put_events(Entries=[entry])
            assert answer["FailedEntryCount"] == 0
    except ClientError as error:
        return {"code": error.response["Error"]["Code"], "message": error.response["Error"]["Message"]}
    return {"code": "ok"}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    app = make_app(tmp_path_factory.mktemp("permissions"), STACK, {"functions/sender.py": SENDER})
    with running(app) as started:
        yield started


def attempt(server: ServerThread, service: str, target: str) -> dict[str, str]:
    with server.client() as http:
        answer: httpx.Response = http.get("/try", params={"service": service, "target": target})
    assert answer.status_code == 200, answer.text
    result: dict[str, str] = answer.json()
    return result


def test_a_bound_queue_topic_and_bus_are_allowed(server: ServerThread) -> None:
    resources = server.server.app.resources
    assert attempt(server, "sqs", resources["Queue"]["jobs"]["queueUrl"]) == {"code": "ok"}
    assert attempt(server, "sns", resources["Topic"]["news"]["topicArn"]) == {"code": "ok"}
    assert attempt(server, "events", resources["EventBus"]["bus"]["eventBusName"]) == {"code": "ok"}


@pytest.mark.parametrize(
    ("service", "kind", "construct", "prop", "code", "action"),
    [
        ("sqs", "Queue", "other", "queueUrl", "AccessDenied", "sqs:SendMessage"),
        ("sns", "Topic", "gossip", "topicArn", "AuthorizationError", "sns:Publish"),
        ("events", "EventBus", "elsewhere", "eventBusName", "AccessDeniedException", "events:PutEvents"),
    ],
)
def test_what_is_not_bound_is_refused_naming_the_action(
    server: ServerThread, service: str, kind: str, construct: str, prop: str, code: str, action: str
) -> None:
    refused = attempt(server, service, server.server.app.resources[kind][construct][prop])

    assert refused["code"] == code
    assert f"is not authorized to perform: {action}" in refused["message"]
