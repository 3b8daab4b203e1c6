"""Function results become the HTTP responses an HTTP API (payload format 2.0) sends."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devserver.apigw import (
    BAD_REQUEST,
    INTERNAL_SERVER_ERROR,
    NOT_FOUND,
    HttpResponse,
    MalformedLambdaResponseError,
    parse_lambda_response,
    response_from_result,
)

JSON_HEADERS = (("content-type", "application/json"),)


class TestFullResponses:
    def test_status_headers_and_body_are_used(self) -> None:
        response = response_from_result(
            {"statusCode": 201, "headers": {"Content-Type": "text/html", "X-Id": "7"}, "body": "<p>hi</p>"}
        )
        assert response == HttpResponse(201, (("Content-Type", "text/html"), ("X-Id", "7")), b"<p>hi</p>")

    def test_each_cookie_becomes_its_own_set_cookie_header(self) -> None:
        response = response_from_result(
            {"statusCode": 200, "cookies": ["a=1; Path=/", "b=2; HttpOnly"], "headers": {"content-type": "text/plain"}}
        )
        assert [value for name, value in response.headers if name == "set-cookie"] == ["a=1; Path=/", "b=2; HttpOnly"]

    def test_a_missing_body_is_an_empty_body(self) -> None:
        assert response_from_result({"statusCode": 204}).body == b""
        assert response_from_result({"statusCode": 204, "body": None}).body == b""

    def test_without_a_content_type_http_apis_answer_text_plain(self) -> None:
        response = response_from_result({"statusCode": 200, "body": "hello"})
        assert response.headers == (("content-type", "text/plain; charset=utf-8"),)

    def test_a_base64_body_is_decoded_whatever_the_content_type(self) -> None:
        png = b"\x89PNG\r\n\x1a\n\x00\xff"
        response = response_from_result(
            {
                "statusCode": 200,
                "headers": {"content-type": "application/json"},
                "body": base64.b64encode(png).decode(),
                "isBase64Encoded": True,
            }
        )
        assert response.body == png

    def test_scalar_header_values_are_written_as_text(self) -> None:
        response = response_from_result(
            {"statusCode": 200, "headers": {"content-length-hint": 42, "x-ratio": 0.5, "x-cached": False}}
        )
        assert ("content-length-hint", "42") in response.headers
        assert ("x-ratio", "0.5") in response.headers and ("x-cached", "false") in response.headers

    def test_unicode_bodies_are_sent_as_utf8(self) -> None:
        assert response_from_result({"statusCode": 200, "body": "λ 世界"}).body == "λ 世界".encode()

    def test_a_lone_surrogate_from_a_json_escape_does_not_break_the_response(self) -> None:
        assert response_from_result({"statusCode": 200, "body": "a\ud800b"}).body == b"a?b"
        assert response_from_result("a\ud800b").body == b"a?b"

    def test_unknown_keys_are_ignored_as_http_apis_ignore_them(self) -> None:
        response = response_from_result({"statusCode": 202, "body": "ok", "multiValueHeaders": {"x": ["1"]}})
        assert response.status == 202 and all(name != "x" for name, _ in response.headers)


class TestInferredResponses:
    @pytest.mark.parametrize(
        ("result", "body"),
        [
            ({"message": "Hello from Lambda!"}, b'{"message": "Hello from Lambda!"}'),
            ([1, "two"], b'[1, "two"]'),
            (42, b"42"),
            (None, b"null"),
            (True, b"true"),
            ({}, b"{}"),
            ({"status": 404}, b'{"status": 404}'),
        ],
    )
    def test_results_without_status_code_are_200_json(self, result: object, body: bytes) -> None:
        assert response_from_result(result) == HttpResponse(200, JSON_HEADERS, body)

    def test_a_string_result_is_the_body_itself_as_in_aws_s_example(self) -> None:
        assert response_from_result("Hello from Lambda!") == HttpResponse(200, JSON_HEADERS, b"Hello from Lambda!")


class TestMalformedResponses:
    @pytest.mark.parametrize(
        ("result", "says"),
        [
            ({"statusCode": "200"}, "statusCode must be an integer from 100 to 599, not '200'"),
            ({"statusCode": 99}, "statusCode must be an integer"),
            ({"statusCode": 600}, "statusCode must be an integer"),
            ({"statusCode": True}, "statusCode must be an integer"),
            ({"statusCode": 200.0}, "statusCode must be an integer"),
            ({"statusCode": None}, "statusCode must be an integer"),
            ({"statusCode": 200, "body": {"a": 1}}, "body must be a string, not dict"),
            ({"statusCode": 200, "headers": ["x"]}, "headers must be an object of strings"),
            ({"statusCode": 200, "headers": {"x": ["1", "2"]}}, "header 'x' must be a string"),
            ({"statusCode": 200, "headers": {"x": None}}, "header 'x' must be a string"),
            ({"statusCode": 200, "headers": {"bad name": "1"}}, "'bad name' is not a valid header name"),
            ({"statusCode": 200, "headers": {"x": "1\r\nInjected: yes"}}, "line break"),
            ({"statusCode": 200, "cookies": "a=1"}, "cookies must be a list of strings"),
            ({"statusCode": 200, "cookies": [1]}, "cookies must be a list of strings"),
            ({"statusCode": 200, "cookies": ["a=1\nb"]}, "line break"),
            ({"statusCode": 200, "body": "!!", "isBase64Encoded": True}, "not valid base64"),
            ({"statusCode": 200, "body": "aGk=", "isBase64Encoded": "true"}, "isBase64Encoded must be true or false"),
        ],
    )
    def test_malformed_responses_are_500_and_say_why(self, result: object, says: str) -> None:
        assert response_from_result(result) == INTERNAL_SERVER_ERROR
        with pytest.raises(MalformedLambdaResponseError) as raised:
            parse_lambda_response(result)
        assert str(raised.value).startswith("Malformed Lambda proxy response: ")
        assert says in str(raised.value)
        assert raised.value.result is result and raised.value.code == "MalformedLambdaProxyResponse"

    def test_a_result_that_is_not_json_is_malformed(self) -> None:
        assert response_from_result({1, 2}) == INTERNAL_SERVER_ERROR


class TestApiGatewayOwnResponses:
    @pytest.mark.parametrize(
        ("response", "status", "message"),
        [
            (NOT_FOUND, 404, "Not Found"),
            (INTERNAL_SERVER_ERROR, 500, "Internal Server Error"),
            (BAD_REQUEST, 400, "Bad Request"),
        ],
    )
    def test_error_responses_are_api_gateway_s_json_messages(
        self, response: HttpResponse, status: int, message: str
    ) -> None:
        assert response.status == status
        assert response.body == f'{{"message":"{message}"}}'.encode()
        assert response.headers == JSON_HEADERS


_json_scalars = st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False, allow_infinity=False)
_json = st.recursive(_json_scalars, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=10)


@settings(max_examples=200, deadline=None)
@given(result=_json)
def test_any_json_result_gives_a_response_and_never_raises(result: object) -> None:
    response = response_from_result(result)
    assert 100 <= response.status <= 599
    if not (isinstance(result, dict) and "statusCode" in result):
        assert response.status == 200
        expected = result if isinstance(result, str) else json.dumps(result)
        assert response.body.decode() == expected


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=256), status=st.integers(min_value=100, max_value=599))
def test_any_binary_body_round_trips_through_base64(body: bytes, status: int) -> None:
    result = {"statusCode": status, "body": base64.b64encode(body).decode(), "isBase64Encoded": True}
    response = response_from_result(result)
    assert (response.status, response.body) == (status, body)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=64))
def test_any_text_body_is_sent_as_its_utf8(text: str) -> None:
    assert response_from_result({"statusCode": 200, "body": text}).body == text.encode()
