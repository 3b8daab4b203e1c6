"""WebSocket API rules that need no socket: route selection, the events and frames, `$connect`'s answer, and the
management API's paths."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools.utilities.parser.models import (
    APIGatewayWebSocketConnectEventModel,
    APIGatewayWebSocketDisconnectEventModel,
    APIGatewayWebSocketMessageEventModel,
)

from devserver.apigw.websocket.events import (
    ConnectionContext,
    connect_answer,
    connect_event,
    disconnect_event,
    error_frame,
    header_name,
    iso_time,
    message_event,
    new_gateway_id,
)
from devserver.apigw.websocket.management import connection_of_path
from devserver.apigw.websocket.routing import select_route

ROUTES = ("$connect", "$default", "sendmessage", "join")
CONTEXT = ConnectionContext("abc=", "a1b2c3d4e5", "dev", "127.0.0.1:4000", "10.0.0.7", "curl/8", 1_700_000_000_123)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ('{"action": "sendmessage"}', "sendmessage"),
        (' {"action": "join", "room": 1}', "join"),
        ('{"action": "leave"}', "$default"),  # no such route
        ('{"action": "$connect"}', "$default"),  # special routes are never selected by a message
        ('{"action": 7}', "$default"),
        ('{"other": "join"}', "$default"),
        ("join", "$default"),  # not JSON
        ("[1, 2]", "$default"),
        ('{"action": ', "$default"),
        (b'{"action": "join"}', "$default"),  # binary frames are not parsed
    ],
)
def test_a_message_goes_to_the_route_its_action_names_or_to_default(message: str | bytes, expected: str) -> None:
    assert select_route(message, "$request.body.action", ROUTES) == expected


def test_nested_expressions_and_no_default_route() -> None:
    assert select_route('{"m": {"kind": "join"}}', "$request.body.m.kind", ("join",)) == "join"
    assert select_route('{"m": "join"}', "$request.body.m.kind", ("join",)) is None
    assert select_route("hello", "$request.body.action", ("join",)) is None


def test_events_validate_against_powertools_models() -> None:
    connect = connect_event(
        CONTEXT,
        headers=[("host", "127.0.0.1:3001"), ("sec-websocket-key", "k"), ("x-multi", "a"), ("x-multi", "b")],
        query_string="token=t&room=1&room=2",
        request_id="r1=",
        now_ms=1_700_000_000_200,
    )
    parsed = APIGatewayWebSocketConnectEventModel.model_validate(connect)
    assert parsed.headers["Sec-WebSocket-Key"] == "k" and connect["headers"]["X-Multi"] == "a,b"
    assert connect["multiValueHeaders"]["X-Multi"] == ["a", "b"]
    assert connect["queryStringParameters"] == {"token": "t", "room": "2"}
    assert connect["requestContext"]["requestTime"] == "14/Nov/2023:22:13:20 +0000"
    assert parsed.request_context.identity.user_agent == "curl/8"

    message = message_event(CONTEXT, route_key="join", data=b"\x01\x02", message_id="m=", request_id="r2=", now_ms=1)
    parsed_message = APIGatewayWebSocketMessageEventModel.model_validate(message)
    assert (message["body"], message["isBase64Encoded"]) == ("AQI=", True)
    assert parsed_message.request_context.event_type == "MESSAGE"

    disconnect = disconnect_event(
        CONTEXT, headers=[("host", "h"), ("x-other", "o")], status_code=1001, reason="Going away", request_id="r=",
        now_ms=2,
    )  # fmt: skip
    parsed_disconnect = APIGatewayWebSocketDisconnectEventModel.model_validate(disconnect)
    assert parsed_disconnect.request_context.disconnect_reason == "Going away"
    assert "X-Other" not in disconnect["headers"]


def test_connect_answers() -> None:
    assert connect_answer(None, failed=False).accepted
    assert connect_answer({"statusCode": 204}, failed=False).accepted
    refused = connect_answer({"statusCode": 401, "body": "no"}, failed=False)
    assert (refused.accepted, refused.status, refused.body) == (False, 401, b"no")
    assert connect_answer({"statusCode": 200}, failed=True).status == 500
    assert connect_answer({"statusCode": "200"}, failed=False).status == 502
    chosen = connect_answer({"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": "chat.v1"}}, failed=False)
    assert chosen.subprotocol == "chat.v1"


def test_ids_frames_names_and_times() -> None:
    ids = {new_gateway_id() for _ in range(100)}
    assert len(ids) == 100 and all(len(i) == 16 and i.endswith("=") and "/" not in i and "+" not in i for i in ids)
    assert json.loads(error_frame("Forbidden", "c=", "r=")) == {
        "message": "Forbidden",
        "connectionId": "c=",
        "requestId": "r=",
    }
    assert header_name("sec-websocket-protocol") == "Sec-WebSocket-Protocol"
    assert header_name("x-amzn-trace-id") == "X-Amzn-Trace-Id"
    assert iso_time(1_700_000_000_007) == "2023-11-14T22:13:20.007Z"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/dev/@connections/abc%3D", "abc="),
        ("/dev/@connections/abc=", "abc="),
        ("/prod/@connections/abc=", None),
        ("/dev/@connections/", None),
        ("/dev/@connections/a/b", None),
        ("/dev/other/abc", None),
    ],
)
def test_management_paths(path: str, expected: str | None) -> None:
    assert connection_of_path(path, "dev") == expected
