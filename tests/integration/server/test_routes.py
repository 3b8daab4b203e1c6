"""Real HTTP requests to a running dev server: routing, the events handlers get, and the responses clients get."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventV2Model

from tests.apps import make_app
from tests.servers import ServerThread, eventually

ECHO = """\
import base64
import json


def event(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(event)}


def binary(event, context):
    data = base64.b64decode(event["body"]) if event.get("isBase64Encoded") else event.get("body", "").encode()
    return {"statusCode": 201, "headers": {"content-type": "application/octet-stream"},
            "body": base64.b64encode(data[::-1]).decode(), "isBase64Encoded": True}


def plain_list(event, context):
    return [1, 2, 3]


def plain_dict(event, context):
    return {"hello": "world"}


def plain_str(event, context):
    return "just a string"


def cookies(event, context):
    return {"statusCode": 200, "cookies": ["a=1; Path=/", "b=2"], "body": "ok"}


def chatty(event, context):
    import logging
    print("printed by the handler")
    logging.getLogger().warning("logged by the handler")
    return "ok"


def fail(event, context):
    raise ValueError("no good")


def crash(event, context):
    import os
    os._exit(3)


def context_fields(event, context):
    return {"function_name": context.function_name, "memory": context.memory_limit_in_mb,
            "remaining": context.get_remaining_time_in_millis(), "arn": context.invoked_function_arn,
            "request_id": context.aws_request_id, "env_name": __import__("os").environ["AWS_LAMBDA_FUNCTION_NAME"]}


def slow(event, context):
    import time
    time.sleep(5)
"""

STACK = """
Api(stack, "api", routes={
    "GET /": "functions/echo.event",
    "GET /items/{id}": "functions/echo.event",
    "GET /items/special": "functions/echo.event",
    "ANY /files/{path+}": "functions/echo.event",
    "POST /binary": "functions/echo.binary",
    "GET /list": "functions/echo.plain_list",
    "GET /dict": "functions/echo.plain_dict",
    "GET /str": "functions/echo.plain_str",
    "GET /cookies": "functions/echo.cookies",
    "GET /fail": "functions/echo.fail",
    "GET /chatty": "functions/echo.chatty",
    "GET /crash": "functions/echo.crash",
    "GET /context": {"function": {"handler": "functions/echo.context_fields", "memory_size": 256}},
    "GET /slow": {"function": {"handler": "functions/echo.slow", "timeout": 1}},
})
Api(stack, "other", routes={"$default": "functions/echo.event"})
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    app_dir = make_app(tmp_path_factory.mktemp("routes"), STACK, {"functions/echo.py": ECHO})
    with ServerThread(app_dir) as running:
        yield running


def event_for(server: ServerThread, path: str, **kwargs: object) -> dict:  # type: ignore[type-arg]
    with server.client() as client:
        response = client.get(path, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    event = response.json()
    parse(event=event, model=APIGatewayProxyEventV2Model)
    return event  # type: ignore[no-any-return]


def test_a_get_becomes_a_payload_2_event_with_every_field(server: ServerThread) -> None:
    event = event_for(server, "/?a=1&a=2&b=x", headers={"X-Thing": "one", "Cookie": "s=1; t=2"})
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /"
    assert event["rawPath"] == "/"
    assert event["rawQueryString"] == "a=1&a=2&b=x"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x"}
    assert event["cookies"] == ["s=1", "t=2"]
    assert event["headers"]["x-thing"] == "one"
    context = event["requestContext"]
    assert context["http"]["method"] == "GET"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    assert context["stage"] == "$default"
    assert context["routeKey"] == "GET /"
    assert len(context["apiId"]) == 10
    assert event["isBase64Encoded"] is False


def test_a_forwarded_for_header_does_not_change_the_source_ip(server: ServerThread) -> None:
    # API Gateway's sourceIp is the connection's peer; it appends that peer to X-Forwarded-For.
    event = event_for(server, "/", headers={"X-Forwarded-For": "203.0.113.9"})
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.1"
    assert event["headers"]["x-forwarded-for"] == "203.0.113.9, 127.0.0.1"


def test_path_parameters_and_the_most_specific_route(server: ServerThread) -> None:
    assert event_for(server, "/items/42")["pathParameters"] == {"id": "42"}
    special = event_for(server, "/items/special")
    assert special["routeKey"] == "GET /items/special"
    assert "pathParameters" not in special
    greedy = event_for(server, "/files/a/b/c.txt")
    assert greedy["routeKey"] == "ANY /files/{path+}"
    assert greedy["pathParameters"] == {"path": "a/b/c.txt"}


def test_any_route_takes_every_method(server: ServerThread) -> None:
    with server.client() as client:
        response = client.delete("/files/x")
    assert response.json()["requestContext"]["http"]["method"] == "DELETE"


def test_default_route_catches_everything_on_its_api(tmp_path: Path, server: ServerThread) -> None:
    with server.client("other") as client:
        event = client.patch("/any/thing").json()
    assert event["routeKey"] == "$default"


def test_an_unmatched_path_is_a_404_with_api_gateways_body(server: ServerThread) -> None:
    with server.client() as client:
        response = client.get("/nothing/here")
    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}


def test_binary_bodies_are_base64_both_ways(server: ServerThread) -> None:
    payload = bytes(range(256))
    with server.client() as client:
        response = client.post("/binary", content=payload, headers={"content-type": "application/octet-stream"})
    assert response.status_code == 201
    assert response.content == payload[::-1]


@pytest.mark.parametrize(
    ("path", "body"), [("/list", "[1, 2, 3]"), ("/dict", '{"hello": "world"}'), ("/str", "just a string")]
)
def test_results_without_status_code_are_200_json(server: ServerThread, path: str, body: str) -> None:
    # As API Gateway does: the result's JSON is the body, and a string result is the body itself, unquoted.
    with server.client() as client:
        response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.text == body


def test_cookies_become_one_set_cookie_header_each(server: ServerThread) -> None:
    with server.client() as client:
        response = client.get("/cookies")
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2"]


def test_a_raising_handler_is_a_500_for_the_client_and_a_traceback_in_the_terminal(server: ServerThread) -> None:
    with server.client() as client:
        response = client.get("/fail")
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
    output = server.wait_for_output("ValueError: no good")
    assert 'echo.py", line' in output


def test_a_worker_that_exits_is_replaced_and_the_server_stays_up(server: ServerThread) -> None:
    with server.client() as client:
        assert client.get("/crash").status_code == 500
        assert client.get("/dict").status_code == 200
        assert client.get("/crash").status_code == 500
    server.wait_for_output("Runtime exited")


def test_a_timeout_is_an_error_response_and_says_so_in_the_terminal(server: ServerThread) -> None:
    with server.client() as client:
        assert client.get("/slow").status_code == 500
        assert client.get("/dict").status_code == 200
    server.wait_for_output("timed out after 1.00 seconds")


def test_the_context_has_what_lambdas_has(server: ServerThread) -> None:
    with server.client() as client:
        context = client.get("/context").json()
    assert context["function_name"] == context["env_name"] == "test-test-app-api-GET_context"
    assert context["memory"] == "256"  # a string, as in AWS's Python runtime
    assert 0 < context["remaining"] <= 10_000
    assert context["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:test-test-app-api-GET_context"
    assert len(context["request_id"]) == 36


def test_each_invocation_prints_one_line_with_status_duration_and_cold(server: ServerThread) -> None:
    with server.client() as client:
        client.get("/items/7")
        client.get("/items/7")

    def printed() -> list[str]:
        return [line for line in server.output.getvalue().splitlines() if "GET    /items/7  200" in line]

    lines = eventually(lambda: len(printed()) >= 2 and printed())  # each line is printed once its response is sent
    assert " ms" in lines[-1] and "test-test-app-api-GET_items_id" in lines[-1]
    assert "cold" not in lines[-1]


def test_cors_preflight_is_answered_by_the_gateway(server: ServerThread) -> None:
    with server.client() as client:
        response = client.options(
            "/items/1", headers={"Origin": "http://example.com", "Access-Control-Request-Method": "GET"}
        )
        actual = client.get("/items/1", headers={"Origin": "http://example.com"})
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert actual.headers["access-control-allow-origin"] == "*"


def test_outputs_and_dev_files_describe_the_running_server(server: ServerThread) -> None:
    app_dir = server.server.app_dir
    dev = json.loads((app_dir / ".sst" / "dev.json").read_text())
    assert dev["app"] == "test-app" and dev["stage"] == "test"
    assert dev["api"]["api"]["url"] == server.url()
    assert dev["console"]["url"].endswith("/_sst/")
    assert json.loads((app_dir / ".sst" / "outputs.json").read_text()) == {"test-test-app-Main": {}}
    assert base64  # the echo handler decodes bodies with it


def test_handler_output_streams_to_the_terminal_prefixed_with_its_function(server: ServerThread) -> None:
    with server.client() as client:
        assert client.get("/chatty").status_code == 200
    output = server.wait_for_output("logged by the handler")
    assert "test-test-app-api-GET_chatty | printed by the handler" in output
    assert "test-test-app-api-GET_chatty |" in next(line for line in output.splitlines() if "logged by" in line)
