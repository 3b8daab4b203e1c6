"""A `WebSocketApi` on a running dev server, driven by a real WebSocket client: routing, AWS's events and frames,
connection life, and handlers replying through `apigatewaymanagementapi` exactly as they do on AWS."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import (
    APIGatewayWebSocketConnectEventModel,
    APIGatewayWebSocketDisconnectEventModel,
    APIGatewayWebSocketMessageEventModel,
)
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.apps import make_app
from tests.servers import ServerThread, eventually, sst_dev

STACK = """
chat = WebSocketApi(stack, "chat", routes={
    "$connect": "functions/ws.connect",
    "$disconnect": "functions/ws.disconnect",
    "$default": "functions/ws.echo",
    "sendmessage": "functions/ws.whoami",
    "fail": "functions/ws.fail",
    "hangup": "functions/ws.hangup",
    "big": "functions/ws.big",
})
WebSocketApi(stack, "bare", routes={"only": "functions/ws.echo"}, route_selection_expression="$request.body.m.kind")
Api(stack, "api", routes={
    "POST /notify/{id}": {"function": {"handler": "functions/notify.main", "bind": [chat]}},
    "POST /sneak/{id}": "functions/notify.main",
})
"""

WS = """\
import json
import os

import boto3


def _management(event):
    context = event["requestContext"]
    return boto3.client("apigatewaymanagementapi", endpoint_url=f"https://{context['domainName']}/{context['stage']}")


def _reply(event, value):
    _management(event).post_to_connection(ConnectionId=event["requestContext"]["connectionId"], Data=json.dumps(value))


def connect(event, context):
    query = event.get("queryStringParameters") or {}
    if "deny" in query:
        return {"statusCode": int(query["deny"]), "body": "denied"}
    if "crash" in query:
        raise RuntimeError("connect crashed")
    return {"statusCode": 200}


def disconnect(event, context):
    return None


def echo(event, context):
    route = event["requestContext"]["routeKey"]
    _reply(event, {"route": route, "body": event["body"], "b64": event["isBase64Encoded"]})


def whoami(event, context):
    context_ = event["requestContext"]
    info = _management(event).get_connection(ConnectionId=context_["connectionId"])
    _reply(event, {
        "connectionId": context_["connectionId"], "domainName": context_["domainName"], "stage": context_["stage"],
        "sourceIp": info["Identity"]["SourceIp"], "connectedAt": info["ConnectedAt"].isoformat(),
    })


def fail(event, context):
    raise ValueError("boom")


def hangup(event, context):
    management = _management(event)
    connection_id = event["requestContext"]["connectionId"]
    management.delete_connection(ConnectionId=connection_id)
    try:
        management.post_to_connection(ConnectionId=connection_id, Data=b"too late")
    except management.exceptions.GoneException as gone:
        return gone.response["ResponseMetadata"]["HTTPStatusCode"]


def big(event, context):
    management = _management(event)
    try:
        management.post_to_connection(ConnectionId=event["requestContext"]["connectionId"], Data=b"x" * 200_000)
    except management.exceptions.PayloadTooLargeException as error:
        _reply(event, {"refused": error.response["Error"]["Code"]})
"""

NOTIFY = """\
import json
import os
import os

import boto3
from botocore.exceptions import ClientError


def main(event, context):
    body = json.loads(event["body"])
    management = boto3.client("apigatewaymanagementapi", endpoint_url=f"https://{body['domainName']}/{body['stage']}")
    try:
        management.post_to_connection(ConnectionId=event["pathParameters"]["id"], Data=body["text"].encode())
    except ClientError as error:
        return {"error": error.response["Error"]["Code"], "message": error.response["Error"]["Message"]}
    return {"sent": True, "url": os.environ.get("SST_WebSocketApi_url_chat")}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    root = tmp_path_factory.mktemp("ws")
    app = make_app(root / "app", STACK, {"functions/ws.py": WS, "functions/notify.py": NOTIFY})
    with ServerThread(app) as running:
        yield running


def ws_url(server: ServerThread, api_id: str = "chat") -> str:
    return str(server.server.app.resources["WebSocketApi"][api_id]["url"])


def open_client(server: ServerThread, api_id: str = "chat", query: str = "") -> ClientConnection:
    return connect(ws_url(server, api_id) + query, open_timeout=30, additional_headers={"X-Test": "yes"})


def receive_json(client: ClientConnection) -> Any:
    return json.loads(client.recv(timeout=20))


def records(server: ServerThread, detail: str) -> list[dict]:
    return [dict(r.event) for r in server.call(server.server.invocations.recent) if r.detail == detail]


def test_the_url_is_the_stage_on_a_loopback_port_and_in_dev_json(server: ServerThread) -> None:
    url = ws_url(server)
    assert url.startswith("ws://127.0.0.1:") and url.endswith("/test")
    dev_file = server.server.app_dir / ".sst" / "dev.json"
    dev = json.loads(eventually(lambda: dev_file.is_file() and dev_file.read_text()))
    assert dev["resources"]["WebSocketApi"]["chat"]["url"] == url


def test_messages_go_to_the_route_their_action_selects_and_everything_else_to_default(server: ServerThread) -> None:
    with open_client(server) as client:
        client.send(json.dumps({"action": "sendmessage"}))
        who = receive_json(client)
        assert who["stage"] == "test" and who["sourceIp"] == "127.0.0.1"
        client.send(json.dumps({"action": "nosuchroute", "x": 1}))
        assert receive_json(client) == {"route": "$default", "body": '{"action": "nosuchroute", "x": 1}', "b64": False}
        client.send("not json")
        assert receive_json(client) == {"route": "$default", "body": "not json", "b64": False}
        client.send(b"\x00\xff")
        assert receive_json(client) == {"route": "$default", "body": "AP8=", "b64": True}


def test_events_are_the_shapes_aws_sends(server: ServerThread) -> None:
    with open_client(server, query="?room=1&room=2&user=ann") as client:
        client.send(json.dumps({"action": "sendmessage"}))
        connection_id = receive_json(client)["connectionId"]
    connects = [e for e in records(server, "chat $connect") if e["requestContext"]["connectionId"] == connection_id]
    connect_event = APIGatewayWebSocketConnectEventModel.model_validate(connects[0])
    assert connect_event.headers["X-Test"] == "yes" and "Sec-WebSocket-Key" in connect_event.headers
    assert connects[0]["queryStringParameters"] == {"room": "2", "user": "ann"}
    assert connects[0]["multiValueQueryStringParameters"]["room"] == ["1", "2"]
    # the reply frame can arrive before the invocation that sent it has finished and been recorded
    [message] = eventually(
        lambda: [e for e in records(server, "chat sendmessage") if e["requestContext"]["connectionId"] == connection_id]
    )
    parsed = APIGatewayWebSocketMessageEventModel.model_validate(message)
    assert parsed.request_context.route_key == "sendmessage" and parsed.request_context.message_id
    assert parsed.request_context.api_id == connect_event.request_context.api_id
    disconnect = eventually(
        lambda: [e for e in records(server, "chat $disconnect") if e["requestContext"]["connectionId"] == connection_id]
    )
    parsed_disconnect = APIGatewayWebSocketDisconnectEventModel.model_validate(disconnect[0])
    assert parsed_disconnect.request_context.disconnect_status_code == 1000


def test_a_message_no_route_takes_gets_api_gateways_forbidden_frame(server: ServerThread) -> None:
    with open_client(server, "bare") as client:
        client.send(json.dumps({"m": {"kind": "only"}}))
        assert receive_json(client)["route"] == "only"  # the expression's nested path selected it
        client.send(json.dumps({"m": {"kind": "other"}}))
        frame = receive_json(client)
        assert frame["message"] == "Forbidden" and frame["connectionId"] and frame["requestId"]


def test_a_failing_function_gets_the_internal_server_error_frame_and_a_terminal_line(server: ServerThread) -> None:
    with open_client(server) as client:
        client.send(json.dumps({"action": "fail"}))
        assert receive_json(client)["message"] == "Internal server error"
    output = server.wait_for_output("chat fail  500")
    assert "ValueError: boom" in output


def test_connect_answering_non_2xx_refuses_the_handshake_with_that_status(server: ServerThread) -> None:
    for query, status in (("?deny=401", 401), ("?deny=403", 403), ("?crash=1", 500)):
        with pytest.raises(InvalidStatus) as refused:
            open_client(server, query=query)
        assert refused.value.response.status_code == status
    with pytest.raises(InvalidStatus) as wrong_stage:
        connect(ws_url(server).rsplit("/", 1)[0] + "/prod", open_timeout=30)
    assert wrong_stage.value.response.status_code == 403


def test_disconnect_runs_once_with_the_clients_close_code(server: ServerThread) -> None:
    with open_client(server) as client:
        client.send(json.dumps({"action": "sendmessage"}))
        connection_id = receive_json(client)["connectionId"]
        client.close(4001, "bye")
    mine = eventually(
        lambda: [e for e in records(server, "chat $disconnect") if e["requestContext"]["connectionId"] == connection_id]
    )
    time.sleep(0.3)
    mine = [e for e in records(server, "chat $disconnect") if e["requestContext"]["connectionId"] == connection_id]
    assert len(mine) == 1
    assert (mine[0]["requestContext"]["disconnectStatusCode"], mine[0]["requestContext"]["disconnectReason"]) == (
        4001,
        "bye",
    )


def test_delete_connection_closes_it_and_then_the_connection_is_gone(server: ServerThread) -> None:
    with open_client(server) as client:
        client.send(json.dumps({"action": "hangup"}))
        with pytest.raises(ConnectionClosed):
            client.recv(timeout=20)
        assert client.close_code == 1000
    hangups = eventually(
        lambda: [r for r in server.call(server.server.invocations.recent) if r.detail == "chat hangup"]
    )
    assert hangups[-1].invocation.result == 410


def test_a_message_over_128_kib_is_refused_with_payload_too_large(server: ServerThread) -> None:
    with open_client(server) as client:
        client.send(json.dumps({"action": "big"}))
        assert receive_json(client) == {"refused": "PayloadTooLargeException"}


def test_functions_that_bind_the_api_may_reply_and_others_are_denied(server: ServerThread) -> None:
    with open_client(server) as client, server.client() as http:
        client.send(json.dumps({"action": "sendmessage"}))
        who = receive_json(client)
        body = {"domainName": who["domainName"], "stage": who["stage"], "text": "pushed"}
        answer = http.post(f"/notify/{who['connectionId']}", json=body).json()
        assert answer == {"sent": True, "url": ws_url(server)}
        assert client.recv(timeout=20) == "pushed"
        denied = http.post(f"/sneak/{who['connectionId']}", json=body).json()
        assert denied["error"] == "AccessDeniedException"
        assert "execute-api:ManageConnections" in denied["message"]
    gone = http_after_close(server, who, body)
    assert gone["error"] == "GoneException"


def http_after_close(server: ServerThread, who: dict, body: dict) -> dict:
    with server.client() as http:
        return dict(http.post(f"/notify/{who['connectionId']}", json=body).json())


def test_the_console_lists_websocket_invocations(server: ServerThread) -> None:
    with open_client(server) as client:
        client.send(json.dumps({"action": "sendmessage"}))
        receive_json(client)
    with server.client() as http:
        listed = http.get("/_sst/api/invocations").json()
    assert any(item["trigger"] == "websocket" and item["detail"] == "chat sendmessage" for item in listed)


def test_stopping_the_server_closes_connections_runs_their_disconnect_and_removes_its_own_tls_folder(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path / "app", STACK, {"functions/ws.py": WS, "functions/notify.py": NOTIFY})
    tls = app / ".sst" / "tls"
    left_by_a_killed_server = tls / "999999999"  # no such pid
    left_by_a_killed_server.mkdir(parents=True)
    running = ServerThread(app)
    with contextlib.ExitStack() as clients:
        with running:
            own, [certificates] = tls / str(os.getpid()), list(tls.glob("cert-*"))
            assert sorted(tls.iterdir()) == sorted([own, certificates])  # the stale folder is gone
            assert [path.name for path in own.iterdir()] == ["ca-bundle.pem"]
            assert stat.S_IMODE(own.stat().st_mode) == stat.S_IMODE(certificates.stat().st_mode) == 0o700
            assert stat.S_IMODE((certificates / "server-key.pem").stat().st_mode) == 0o600
            others = [path for path in [*own.iterdir(), *certificates.iterdir()] if path.name != "server-key.pem"]
            assert not any("PRIVATE KEY" in path.read_text() for path in others)
            client = clients.enter_context(open_client(running))
            client.send(json.dumps({"action": "sendmessage"}))
            connection_id = receive_json(client)["connectionId"]
        with pytest.raises(ConnectionClosed):
            client.recv(timeout=5)
        assert client.close_code == 1001
    assert list(tls.iterdir()) == [certificates]  # kept for the next server
    disconnects: list[Any] = [r.event for r in running.server.invocations.recent() if r.detail == "chat $disconnect"]
    assert [e["requestContext"]["connectionId"] for e in disconnects] == [connection_id]
    assert disconnects[0]["requestContext"]["disconnectStatusCode"] == 1001


def _replies_through_the_management_api(running: ServerThread) -> None:
    with open_client(running) as client:
        client.send("hello")
        assert receive_json(client)["body"] == "hello"


def _without_a_certificate_maker(folder: Path) -> str:
    """A PYTHONPATH on which the certificate child fails: its `trustme` import raises."""
    folder.mkdir()
    (folder / "trustme.py").write_text("raise ImportError('no certificate maker here')\n")
    return str(folder)


def test_a_later_server_serves_the_kept_certificate_and_remakes_one_that_does_not_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tmp_path / "app", STACK, {"functions/ws.py": WS, "functions/notify.py": NOTIFY})
    with ServerThread(app) as first:
        _replies_through_the_management_api(first)
    [certificates] = (app / ".sst" / "tls").glob("cert-*")
    made = {path.name: path.read_bytes() for path in certificates.iterdir()}

    with monkeypatch.context() as patched:  # a certificate child started now would fail, and the server with it
        patched.setenv("PYTHONPATH", _without_a_certificate_maker(tmp_path / "no-maker"))
        with ServerThread(app) as second:
            _replies_through_the_management_api(second)
    assert {path.name: path.read_bytes() for path in certificates.iterdir()} == made

    (certificates / "server-key.pem").write_text("not a key\n")
    with ServerThread(app) as third:
        _replies_through_the_management_api(third)
    assert list((app / ".sst" / "tls").glob("cert-*")) == [certificates]
    remade = {path.name: path.read_bytes() for path in certificates.iterdir()}
    assert remade.keys() == made.keys() and remade["server.pem"] != made["server.pem"]


def test_saving_a_route_handler_is_served_from_the_next_message(tmp_path: Path) -> None:
    app = make_app(tmp_path / "app", STACK, {"functions/ws.py": WS, "functions/notify.py": NOTIFY})
    with ServerThread(app) as running, open_client(running) as client:
        client.send("one")
        assert receive_json(client)["route"] == "$default"
        handler = app / "functions" / "ws.py"
        handler.write_text(WS.replace('{"route": route', '{"edited": True, "route": route'))

        def edited() -> bool:
            client.send("two")
            return bool(receive_json(client).get("edited"))

        eventually(edited)


def test_a_certificate_that_cannot_be_made_stops_the_start_with_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    app = make_app(tmp_path / "app", STACK, {"functions/ws.py": WS, "functions/notify.py": NOTIFY})
    environment = {**os.environ, "PYTHONPATH": _without_a_certificate_maker(tmp_path / "no-maker")}
    process = sst_dev("start", "--app", str(app), "--port", "0", "--stage", "test", env=environment)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    tls = app / ".sst" / "tls"
    assert output.strip() == (
        f"sst-dev: error: cannot make the local TLS certificate in {tls}: ImportError: no certificate maker here"
    )
    assert list(tls.iterdir()) == []


def test_a_kept_certificate_that_cannot_be_replaced_stops_the_start_with_one_line(tmp_path: Path) -> None:
    app = make_app(tmp_path / "app", STACK, {"functions/ws.py": WS, "functions/notify.py": NOTIFY})
    with ServerThread(app):
        pass
    [certificates] = (app / ".sst" / "tls").glob("cert-*")
    shutil.rmtree(certificates)
    certificates.write_text("a file where the certificate folder should be")
    process = sst_dev("start", "--app", str(app), "--port", "0", "--stage", "test")
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert output.strip() == (
        f"sst-dev: error: cannot replace {certificates} with a new local TLS certificate: remove it and start again"
    )
    assert list((app / ".sst" / "tls").iterdir()) == [certificates]
