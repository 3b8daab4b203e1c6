"""Requests become the API Gateway HTTP API payload format 2.0 events AWS sends."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote, urlencode

import pytest
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventV2Model
from hypothesis import given, settings
from hypothesis import strategies as st

from devserver.apigw import HttpRequest, RequestPathError, build_http_event, decode_request_path, is_text_media_type
from devserver.apigw.events import HttpApiEventV2
from devserver.apigw.routes import RouteTable

NOW = datetime(2026, 11, 22, 21, 20, 11, 123000, tzinfo=UTC)


def event_for(
    request: HttpRequest,
    route_key: str = "$default",
    path_parameters: Mapping[str, str] | None = None,
    now: datetime | float = NOW,
) -> HttpApiEventV2:
    event = build_http_event(
        request,
        route_key=route_key,
        path_parameters=path_parameters,
        api_id="api",
        account_id="123456789012",
        request_id="req-1",
        now=now,
    )
    # Every event must pass the AWS-published shape, and survive the JSON trip to the worker.
    parse(event=json.loads(json.dumps(event)), model=APIGatewayProxyEventV2Model)
    return event


def get(path: str = "/", query: str = "", headers: tuple[tuple[str, str], ...] = ()) -> HttpRequest:
    return HttpRequest(
        method="GET",
        raw_path=path,
        raw_query_string=query,
        headers=(("Host", "127.0.0.1:3000"), ("User-Agent", "curl/8.7.1"), *headers),
        source_ip="127.0.0.1",
    )


class TestGetWithQueryAndCookies:
    @pytest.fixture
    def event(self) -> HttpApiEventV2:
        request = get(
            "/hello",
            "repeat=one&repeat=two&redirect=https%3A%2F%2Fexample.com%2Fa&literalPlus=a+b&encodedPlus=a%2Bb&empty=",
            (("Cookie", "session=abc123; theme=dark"), ("X-Probe", "first "), ("x-probe", "\tsecond")),
        )
        return event_for(request, "GET /hello")

    def test_top_level_fields_are_aws_s(self, event: HttpApiEventV2) -> None:
        assert event["version"] == "2.0"
        assert event["routeKey"] == "GET /hello"
        assert event["rawPath"] == "/hello"
        assert event["isBase64Encoded"] is False
        assert "body" not in event and "pathParameters" not in event

    def test_raw_query_string_is_as_sent_and_parameters_are_decoded_and_comma_joined(
        self, event: HttpApiEventV2
    ) -> None:
        assert event["rawQueryString"].startswith("repeat=one&repeat=two&redirect=https%3A%2F%2F")
        assert event["queryStringParameters"] == {
            "repeat": "one,two",
            "redirect": "https://example.com/a",
            "literalPlus": "a b",
            "encodedPlus": "a+b",
            "empty": "",
        }

    def test_cookies_leave_the_headers_and_become_a_list(self, event: HttpApiEventV2) -> None:
        assert event["cookies"] == ["session=abc123", "theme=dark"]
        assert "cookie" not in event["headers"]

    def test_header_names_are_lower_case_values_trimmed_and_repeats_comma_joined(self, event: HttpApiEventV2) -> None:
        headers = event["headers"]
        assert headers["x-probe"] == "first,second"
        assert headers["host"] == "127.0.0.1:3000"
        assert headers["user-agent"] == "curl/8.7.1"
        assert all(name == name.lower() for name in headers)

    def test_api_gateway_s_forwarding_and_trace_headers_are_added(self, event: HttpApiEventV2) -> None:
        headers = event["headers"]
        assert headers["x-forwarded-for"] == "127.0.0.1"
        assert headers["x-forwarded-port"] == "3000"
        assert headers["x-forwarded-proto"] == "http"
        assert headers["x-amzn-trace-id"].startswith(f"Root=1-{int(NOW.timestamp()):08x}-")

    def test_request_context_has_every_field_aws_sends(self, event: HttpApiEventV2) -> None:
        assert event["requestContext"] == {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": "127.0.0.1",
            "domainPrefix": "127.0.0.1",
            "http": {
                "method": "GET",
                "path": "/hello",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "curl/8.7.1",
            },
            "requestId": "req-1",
            "routeKey": "GET /hello",
            "stage": "$default",
            "time": "22/Nov/2026:21:20:11 +0000",
            "timeEpoch": 1795382411123,
        }


class TestOptionalFieldsAreLeftOut:
    def test_a_bare_get_has_no_cookies_query_path_parameters_or_body(self) -> None:
        event = event_for(get("/"))
        for absent in ("cookies", "queryStringParameters", "pathParameters", "body"):
            assert absent not in event
        assert event["rawQueryString"] == ""

    def test_a_flag_without_a_value_is_an_empty_parameter(self) -> None:
        assert event_for(get("/", "flag"))["queryStringParameters"] == {"flag": ""}

    def test_a_missing_user_agent_is_an_empty_string(self) -> None:
        request = HttpRequest("GET", "/", headers=(("host", "localhost:3000"),))
        assert event_for(request)["requestContext"]["http"]["userAgent"] == ""


class TestBodies:
    @pytest.mark.parametrize(
        "content_type",
        ["application/json", "application/json; charset=utf-8", "text/plain", "TEXT/HTML", "application/xml"],
    )
    def test_text_bodies_arrive_as_strings(self, content_type: str) -> None:
        body = '{"name":"λ"}'.encode()
        event = event_for(_post(body, content_type))
        assert (event["body"], event["isBase64Encoded"]) == ('{"name":"λ"}', False)

    @pytest.mark.parametrize(
        "content_type",
        ["application/octet-stream", "image/png", "application/x-www-form-urlencoded", "multipart/form-data", None],
    )
    def test_other_bodies_arrive_base64_encoded(self, content_type: str | None) -> None:
        body = b"\x89PNG\r\n\x1a\n\x00\xff"
        event = event_for(_post(body, content_type))
        assert event["isBase64Encoded"] is True
        assert base64.b64decode(event["body"]) == body

    def test_a_text_body_that_is_not_utf8_is_base64_so_no_byte_is_lost(self) -> None:
        event = event_for(_post(b"caf\xe9", "text/plain"))
        assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"caf\xe9"

    def test_media_type_rule(self) -> None:
        assert is_text_media_type("text/csv") and is_text_media_type("application/javascript")
        assert not is_text_media_type("application/vnd.api+json") and not is_text_media_type("")


class TestPaths:
    def test_greedy_path_parameters_are_passed_on(self) -> None:
        table = RouteTable([("GET /files/{key+}", "download")])
        request = get("/files/photos/2024/cat%20one.png")
        found = table.match(request.method, request.path)
        assert found is not None
        event = event_for(request, found.route_key, found.path_parameters)
        assert event["pathParameters"] == {"key": "photos/2024/cat one.png"}
        assert event["rawPath"] == event["requestContext"]["http"]["path"] == "/files/photos/2024/cat one.png"

    def test_default_route_gets_the_full_path(self) -> None:
        event = event_for(get("/store/checkout"), "$default")
        assert (event["routeKey"], event["rawPath"]) == ("$default", "/store/checkout")

    @pytest.mark.parametrize(
        ("sent", "delivered"),
        [
            ("/capture/plain", "/capture/plain"),
            ("/capture/space%20value", "/capture/space value"),
            ("/capture/question%3Fvalue", "/capture/question"),
            ("/capture/hash%23value", "/capture/hash#value"),
            ("/capture/slash%2Fvalue", "/capture/slash/value"),
            ("/capture/unicode-%CE%BB-%E4%B8%96%E7%95%8C", "/capture/unicode-λ-世界"),
            ("/capture/literal%252Fvalue", "/capture/literal/value"),
            ("/capture/literal%253Fvalue", "/capture/literal?value"),
            ("/capture/literal%2525value", "/capture/literal%value"),
        ],
    )
    def test_paths_are_decoded_as_live_http_apis_decode_them(self, sent: str, delivered: str) -> None:
        assert decode_request_path(sent) == delivered
        assert event_for(get(sent))["rawPath"] == delivered

    def test_a_path_api_gateway_cannot_decode_is_refused(self) -> None:
        with pytest.raises(RequestPathError) as raised:
            decode_request_path("/capture/percent%25done")
        assert raised.value.raw_path == "/capture/percent%25done" and raised.value.code == "BadRequestPath"
        with pytest.raises(RequestPathError):
            get("/capture/percent%25done").path  # noqa: B018


class TestHostAndTime:
    def test_domain_name_is_the_host_header_without_its_port_and_prefix_its_first_label(self) -> None:
        request = HttpRequest("GET", "/", headers=(("Host", "api.localhost:3000"),), host="127.0.0.1:3000")
        context = event_for(request)["requestContext"]
        assert (context["domainName"], context["domainPrefix"]) == ("api.localhost", "api")

    def test_the_server_address_stands_in_for_a_missing_host_header(self) -> None:
        event = event_for(HttpRequest("GET", "/", host="[::1]:8080", source_ip="::1"))
        assert event["headers"]["host"] == "[::1]:8080" and event["headers"]["x-forwarded-port"] == "8080"
        assert event["requestContext"]["domainName"] == "::1"

    def test_epoch_seconds_and_other_time_zones_give_the_same_utc_time(self) -> None:
        as_float = event_for(get(), now=NOW.timestamp())["requestContext"]
        as_tokyo = event_for(get(), now=NOW.astimezone(timezone(timedelta(hours=9))))["requestContext"]
        assert as_float["time"] == as_tokyo["time"] == "22/Nov/2026:21:20:11 +0000"
        assert as_float["timeEpoch"] == as_tokyo["timeEpoch"] == 1795382411123

    def test_a_client_s_x_forwarded_for_is_extended_with_the_source_ip(self) -> None:
        event = event_for(get(headers=(("X-Forwarded-For", "203.0.113.7"),)))
        assert event["headers"]["x-forwarded-for"] == "203.0.113.7, 127.0.0.1"


_header_name = st.from_regex(r"\A[A-Za-z][A-Za-z0-9-]{0,15}\Z")
_header_value = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)
_path_char = st.characters(blacklist_categories=("Cs",), blacklist_characters="?#")


@settings(max_examples=200, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
    path_text=st.text(alphabet=_path_char, max_size=30),
    query=st.dictionaries(st.text(min_size=1, max_size=8), st.lists(st.text(max_size=8), min_size=1, max_size=3)),
    headers=st.lists(st.tuples(_header_name, _header_value), max_size=8),
    body=st.binary(max_size=64),
    content_type=st.sampled_from([None, "application/json", "text/plain", "image/png", "application/octet-stream"]),
)
def test_any_request_gives_a_valid_event_whose_body_round_trips(
    method: str,
    path_text: str,
    query: dict[str, list[str]],
    headers: list[tuple[str, str]],
    body: bytes,
    content_type: str | None,
) -> None:
    raw_path = "/" + quote(path_text, safe="/")
    raw_query = urlencode([(key, value) for key, values in query.items() for value in values])
    all_headers = [("Host", "localhost:3000"), *headers]
    if content_type:
        all_headers.append(("Content-Type", content_type))
    request = HttpRequest(method, raw_path, raw_query, tuple(all_headers), body)
    try:
        decode_request_path(raw_path)
    except RequestPathError:
        return  # API Gateway refuses these with 400 before any event exists.
    event = event_for(request)
    if not body:
        assert "body" not in event and event["isBase64Encoded"] is False
    elif event["isBase64Encoded"]:
        assert base64.b64decode(event["body"]) == body
    else:
        assert event["body"].encode() == body
    if query:
        assert set(event["queryStringParameters"]) == set(query)
        assert all(event["queryStringParameters"][k] == ",".join(v) for k, v in query.items())


def _post(body: bytes, content_type: str | None) -> HttpRequest:
    headers = [("Host", "localhost:3000")]
    if content_type:
        headers.append(("Content-Type", content_type))
    return HttpRequest("POST", "/upload", "", tuple(headers), body)
