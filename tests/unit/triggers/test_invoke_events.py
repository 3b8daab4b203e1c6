"""The fixture's event factories and `sst-dev invoke`'s target lookup and default events, without a server."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from types import MappingProxyType

import pytest
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventV2Model, S3Model

from devserver.app.invoke_target import AmbiguousFunctionError, UnknownFunctionError, find_target
from devserver.app.model import ApiSpec, AppSpec, BucketSpec, FunctionSpec, NotificationSpec, RouteSpec
from devserver.app.naming import api_id_for
from devserver.testing.session import parameter_changes
from devserver.triggers.invoke_events import DEFAULT_CONFIGURATION_ID, AppEvents, EventFactoryError, route_example_path

APP_DIR = Path("/app")
NOW = 1_700_000_000.0


def function(name: str, handler: str) -> FunctionSpec:
    return FunctionSpec(name=name, handler=handler, app_dir=APP_DIR)


HELLO = function("dev-app-api-GET_hello", "functions/hello.main")
FILES = function("dev-app-api-GET_files", "functions/files.get")
FILES_TOO = function("dev-app-api-GET_other", "functions/files.get")
THUMBS = function("dev-app-photos-thumbs", "functions/thumbs.main")
AUDIT = function("dev-app-photos-audit", "functions/audit.main")
CRON = function("dev-app-cron", "functions/cron.main")

APP = AppSpec(
    name="app",
    region="eu-west-1",
    stage="dev",
    app_dir=APP_DIR,
    apis=(
        ApiSpec(
            "api",
            (
                RouteSpec("GET /hello/{name}", HELLO),
                RouteSpec("ANY /files/{key+}", FILES),
                RouteSpec("GET /other", FILES_TOO),
            ),
        ),
        ApiSpec("admin", (RouteSpec("$default", HELLO),)),
    ),
    buckets=(
        BucketSpec(
            "photos",
            "dev-app-photos-1234",
            (
                NotificationSpec("thumbs", THUMBS, ("object_created",), prefix="uploads/", suffix=".png"),
                NotificationSpec("audit", AUDIT, ("object_removed",)),
            ),
        ),
    ),
    functions=(CRON,),
    resources=MappingProxyType({"Function": {"cron": {"functionName": "dev-app-cron"}}}),
)


@pytest.fixture
def events() -> AppEvents:
    urls = {"api": "http://127.0.0.1:3000", "admin": "http://127.0.0.1:3001"}
    return AppEvents(APP, api_url=urls.__getitem__, clock=lambda: NOW)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("GET /hello/{name}", HELLO),
        ("get  /hello/{name}", HELLO),
        ("dev-app-api-GET_files", FILES),
        ("functions/thumbs.main", THUMBS),
        ("cron", CRON),
        ("functions/cron.main", CRON),
    ],
)
def test_a_function_is_found_by_route_key_name_construct_id_or_handler(value: str, expected: FunctionSpec) -> None:
    assert find_target(APP, value).function == expected


def test_a_handler_shared_by_two_functions_is_ambiguous_and_the_error_names_both() -> None:
    with pytest.raises(AmbiguousFunctionError) as error:
        find_target(APP, "functions/files.get")

    assert "ANY /files/{key+}" in str(error.value) and "GET /other" in str(error.value)
    assert error.value.code == "Invoke.AmbiguousFunction"


def test_an_unknown_function_lists_what_can_be_invoked() -> None:
    with pytest.raises(UnknownFunctionError) as error:
        find_target(APP, "GET /nope")

    assert error.value.value == "GET /nope"
    assert "GET /hello/{name}" in str(error.value) and "dev-app-photos-thumbs" in str(error.value)


@pytest.mark.parametrize(
    ("route_key", "request_line"),
    [
        ("GET /hello/{name}", ("GET", "/hello/name")),
        ("ANY /files/{key+}", ("GET", "/files/key")),
        ("$default", ("GET", "/")),
        ("POST /", ("POST", "/")),
    ],
)
def test_a_route_gets_a_request_its_key_matches(route_key: str, request_line: tuple[str, str]) -> None:
    assert route_example_path(route_key) == request_line


def test_an_http_event_is_routed_as_the_gateway_routes_it(events: AppEvents) -> None:
    event = events.http("put", "/files/a%20b/c.txt", query={"v": ["1", "2"]}, cookies={"s": "x"}, body={"k": "v"})

    assert event["routeKey"] == "ANY /files/{key+}"
    assert event["pathParameters"] == {"key": "a b/c.txt"}
    assert event["rawPath"] == "/files/a b/c.txt"
    assert event["queryStringParameters"] == {"v": "1,2"}
    assert event["cookies"] == ["s=x"]
    assert (event["body"], event["isBase64Encoded"]) == ('{"k": "v"}', False)
    assert event["headers"]["host"] == "127.0.0.1:3000"
    assert event["requestContext"]["apiId"] == api_id_for("app", "dev", "api")
    assert event["requestContext"]["timeEpoch"] == NOW * 1000
    parse(event=event, model=APIGatewayProxyEventV2Model)


def test_binary_bodies_are_base64_as_api_gateway_sends_them(events: AppEvents) -> None:
    event = events.http("POST", "/files/x", body=b"\x00\xff")

    assert (event["body"], event["isBase64Encoded"]) == (base64.b64encode(b"\x00\xff").decode(), True)


def test_another_api_is_named_and_an_unrouted_request_is_refused(events: AppEvents) -> None:
    assert events.http("DELETE", "/anything", api="admin")["routeKey"] == "$default"
    with pytest.raises(EventFactoryError, match="no route of Api 'api' matches POST /hello/x"):
        events.http("POST", "/hello/x")
    with pytest.raises(EventFactoryError, match="the app has no Api 'nope'"):
        events.http(api="nope")


def test_an_s3_put_carries_the_matching_notifications_id_and_passes_the_s3_model(events: AppEvents) -> None:
    event = events.s3_put("photos", "uploads/red flower.png", body=b"png")

    [record] = event["Records"]
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["awsRegion"] == "eu-west-1"
    assert record["s3"]["configurationId"] == "thumbs"
    assert record["s3"]["bucket"]["name"] == "dev-app-photos-1234"
    assert record["s3"]["object"]["key"] == "uploads/red+flower.png"
    assert record["s3"]["object"]["size"] == 3
    assert record["s3"]["object"]["eTag"] == hashlib.md5(b"png").hexdigest()
    parse(event=event, model=S3Model)


def test_an_s3_delete_has_no_size_and_a_key_no_notification_matches_gets_the_default_id(events: AppEvents) -> None:
    removed = events.s3_delete("dev-app-photos-1234", "docs/a.txt")["Records"][0]
    unmatched = events.s3_put("photos", "docs/a.txt")["Records"][0]

    assert removed["s3"]["configurationId"] == "audit"
    assert "size" not in removed["s3"]["object"]
    assert unmatched["s3"]["configurationId"] == DEFAULT_CONFIGURATION_ID
    parse(event={"Records": [removed]}, model=S3Model)
    with pytest.raises(EventFactoryError, match="the app has no bucket 'nope'"):
        events.s3_put("nope", "k")


def test_default_events_follow_each_functions_trigger(events: AppEvents) -> None:
    route = events.for_target(find_target(APP, "GET /hello/{name}"))
    created = events.for_target(find_target(APP, "functions/thumbs.main"))
    removed = events.for_target(find_target(APP, "functions/audit.main"))

    assert route["pathParameters"] == {"name": "name"}  # type: ignore[index]
    assert created["Records"][0]["s3"]["object"]["key"] == "uploads/example.png"  # type: ignore[index]
    assert removed["Records"][0]["eventName"] == "ObjectRemoved:Delete"  # type: ignore[index]
    assert events.for_target(find_target(APP, "cron")) == {}


def test_parameter_changes_put_back_changed_and_missing_values_and_delete_extras() -> None:
    expected = {"/a": ("1", False), "/b": ("2", True), "/c": ("3", False)}

    to_put, to_delete = parameter_changes(expected, {"/a": "1", "/b": "changed", "/x": "extra"})

    assert to_put == {"/b": ("2", True), "/c": ("3", False)}
    assert to_delete == ["/x"]
