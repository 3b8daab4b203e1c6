"""The `emulator` fixture with a WebSocketApi: a user's tests open connections, wait for pushed messages
deterministically, see refused handshakes, and each test starts with no connection of an earlier one."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.integration.testing.test_fixture_plugin import outcomes, run_pytest

CONFIG = """\
from devserver.constructs import Table, WebSocketApi


def config(_input):
    return {"name": "chat-app", "region": "us-east-1"}


def stacks(app):
    app.stack(Main)


def Main(stack):
    rooms = Table(stack, "connections", fields={"id": "string"}, primary_index={"partition_key": "id"})
    WebSocketApi(stack, "chat", defaults={"function": {"bind": [rooms]}}, routes={
        "$connect": "functions/chat.connect",
        "$disconnect": "functions/chat.disconnect",
        "sendmessage": "functions/chat.broadcast",
    })
"""

CHAT = """\
import json

import boto3

from devserver.resources import Table

table = boto3.resource("dynamodb").Table(Table.connections.tableName)


def connect(event, context):
    if (event.get("queryStringParameters") or {}).get("token") != "secret":
        return {"statusCode": 401, "body": "who are you?"}
    table.put_item(Item={"id": event["requestContext"]["connectionId"]})
    return {"statusCode": 200}


def disconnect(event, context):
    table.delete_item(Key={"id": event["requestContext"]["connectionId"]})


def broadcast(event, context):
    request = event["requestContext"]
    management = boto3.client(
        "apigatewaymanagementapi", endpoint_url=f"https://{request['domainName']}/{request['stage']}"
    )
    text = json.loads(event["body"])["text"]
    for item in table.scan()["Items"]:
        management.post_to_connection(ConnectionId=item["id"], Data=json.dumps({"text": text}))
"""

USER_TESTS = """\
import boto3
import pytest

from devserver.resources import Table
from devserver.testing.websocket import WebSocketRefused


def connected():
    return boto3.resource("dynamodb").Table(Table.connections.tableName).scan()["Items"]


def test_1_a_message_is_broadcast_to_every_connection(emulator):
    token = {"token": "secret"}
    with emulator.websocket("chat", query=token) as ann, emulator.websocket(query=token) as bob:
        ann.send_json({"action": "sendmessage", "text": "hello"})
        assert ann.receive_json(timeout=10) == {"text": "hello"}
        assert bob.receive_json(timeout=10) == {"text": "hello"}
        assert {item["id"] for item in connected()} == {ann.connection_id, bob.connection_id}
    assert connected() == []  # leaving the block waited for both $disconnects


def test_2_a_refused_handshake_raises_with_the_status(emulator):
    with pytest.raises(WebSocketRefused) as refused:
        emulator.websocket("chat")
    assert refused.value.status == 401


def test_3_nothing_arrives_without_a_message(emulator):
    client = emulator.websocket("chat", query={"token": "secret"})  # left open: the reset closes it
    with pytest.raises(TimeoutError):
        client.receive(timeout=0.3)


def test_4_every_test_starts_with_no_connection(emulator):
    assert connected() == []
"""


def test_a_user_s_tests_talk_to_a_websocket_api(tmp_path: Path) -> None:
    for relative, source in {
        "sst.config.py": CONFIG,
        "functions/__init__.py": "",
        "functions/chat.py": CHAT,
        "pyproject.toml": '[tool.pytest.ini_options]\nsst_app = "."\n',
        "tests/test_chat.py": USER_TESTS,
    }.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))

    done = run_pytest(tmp_path, "--junitxml=results.xml")

    assert outcomes(tmp_path / "results.xml") == {
        "test_1_a_message_is_broadcast_to_every_connection": "passed",
        "test_2_a_refused_handshake_raises_with_the_status": "passed",
        "test_3_nothing_arrives_without_a_message": "passed",
        "test_4_every_test_starts_with_no_connection": "passed",
    }, done.stdout + done.stderr
