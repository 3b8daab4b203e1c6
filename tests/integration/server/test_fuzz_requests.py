"""Fuzzing the request → event path through a running server: whatever a client sends, our code answers without a
500 and the handler gets an event AWS's own model accepts."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventV2Model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.apps import make_app
from tests.servers import ServerThread

ECHO = """\
import json


def main(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
"""

segments = st.text(min_size=0, max_size=12).map(lambda text: quote(text, safe="!$&'()*+,;=:@%"))
paths = st.lists(segments, max_size=5).map(lambda parts: "/" + "/".join(parts))
queries = st.text(max_size=30).map(lambda text: quote(text, safe="=&+%"))
header_values = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
methods = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    app_dir = make_app(tmp_path_factory.mktemp("fuzz"), 'Api(stack, "api", routes={"$default": "functions/echo.main"})',
                       {"functions/echo.py": ECHO})  # fmt: skip
    with ServerThread(app_dir) as running:
        yield running


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=methods, path=paths, query=queries, header=header_values, body=st.binary(max_size=200))
def test_any_request_gets_an_answer_and_a_valid_event(
    server: ServerThread, method: str, path: str, query: str, header: str, body: bytes
) -> None:
    port = int(server.url().rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        target = path + ("?" + query if query else "")
        connection.request(method, target, body=body, headers={"X-Fuzz": header, "Content-Type": "text/plain"})
        response = connection.getresponse()
        answer = response.read()
    finally:
        connection.close()
    assert response.status != 500, answer
    if response.status == 200 and method not in ("HEAD", "OPTIONS"):
        event = json.loads(answer)
        parse(event=event, model=APIGatewayProxyEventV2Model)
        assert event["headers"]["x-fuzz"] == header.strip()
