"""The emulator endpoint as clients outside functions see it: the app's buckets, both addressing styles, and CORS.

A page served by the dev server (origin `http://localhost:PORT`) talks to buckets on the emulator's own port, so
every request it makes is cross-origin: preflights and response headers must follow the bucket's `cors` option as
S3 applies it (SST's default rules when unset; none with `cors=False`, where S3 answers preflights 403).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from devserver.app.naming import bucket_name as deterministic_bucket_name
from tests.apps import make_app
from tests.integration.emulator_support import virtual_host_s3_client
from tests.integration.storage_support import bucket_name, running, s3_client, s3_error
from tests.servers import ServerThread

STACK = """
Bucket(stack, "open")
Bucket(stack, "closed", cors=False)
Bucket(stack, "named", name="sst-dev-explicitly-named")
Api(stack, "api", routes={"GET /": "functions/hello.main"})
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    with running(make_app(tmp_path_factory.mktemp("cors"), STACK)) as started:
        yield started


@pytest.fixture(scope="module")
def origin(server: ServerThread) -> str:
    """The dev server's page origin as a browser names it."""
    return f"http://localhost:{urlsplit(server.url()).port}"


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def object_url(server: ServerThread, bucket_id: str, key: str) -> str:
    return f"{server.server.aws.emulator.endpoint}/{bucket_name(server, bucket_id)}/{key}"


def preflight(browser: httpx.Client, url: str, origin: str, method: str = "PUT") -> httpx.Response:
    return browser.options(
        url,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type,x-amz-meta-owner",
        },
    )


def presigned_get(server: ServerThread, bucket: str, key: str) -> str:
    url: str = s3_client(server).generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key})
    return url


def test_the_apps_buckets_exist_at_start_with_deterministic_names(server: ServerThread) -> None:
    names = {bucket["Name"] for bucket in s3_client(server).list_buckets()["Buckets"]}

    assert bucket_name(server, "open") == deterministic_bucket_name("test", "test-app", "open")
    assert bucket_name(server, "open").startswith("test-test-app-open-")
    assert bucket_name(server, "named") == "sst-dev-explicitly-named"
    assert {bucket_name(server, bucket_id) for bucket_id in ("open", "closed", "named")} <= names


def test_path_style_requests_with_boto3_defaults_reach_the_bucket(server: ServerThread) -> None:
    s3 = s3_client(server)
    sent: list[str] = []
    s3.meta.events.register("before-send", lambda request, **_: sent.append(request.url))

    s3.put_object(Bucket=bucket_name(server, "open"), Key="path/style.txt", Body=b"path")

    assert sent == [object_url(server, "open", "path/style.txt")]
    assert s3.get_object(Bucket=bucket_name(server, "open"), Key="path/style.txt")["Body"].read() == b"path"


def test_virtual_host_style_requests_reach_the_same_bucket(server: ServerThread) -> None:
    bucket = bucket_name(server, "open")
    s3 = virtual_host_s3_client(server.server.aws.emulator)
    sent: list[str] = []
    s3.meta.events.register("before-send", lambda request, **_: sent.append(request.url))

    s3.put_object(Bucket=bucket, Key="virtual/style.txt", Body=b"virtual")

    assert sent == [f"http://{bucket}.localhost:{server.server.aws.emulator.port}/virtual/style.txt"]
    assert s3_client(server).get_object(Bucket=bucket, Key="virtual/style.txt")["Body"].read() == b"virtual"
    assert [item["Key"] for item in s3.list_objects_v2(Bucket=bucket, Prefix="virtual/")["Contents"]] == [
        "virtual/style.txt"
    ]


def test_keys_with_query_and_percent_characters_keep_their_exact_names(server: ServerThread) -> None:
    s3 = s3_client(server)
    bucket = bucket_name(server, "open")
    keys = ["odd/what?x=1&y#2.txt", "odd/100%25 done.txt", "odd/plus+sign.txt"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())

    listed = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket, Prefix="odd/")["Contents"]]

    assert sorted(listed) == sorted(keys)


def test_a_preflight_to_a_bucket_with_default_cors_is_allowed(
    server: ServerThread, browser: httpx.Client, origin: str
) -> None:
    answer = preflight(browser, object_url(server, "open", "uploads/photo.png"), origin)

    assert answer.status_code == 200, answer.text
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["Access-Control-Allow-Methods"] == "GET, PUT, HEAD, POST, DELETE"
    assert answer.headers["Access-Control-Allow-Headers"] == "content-type, x-amz-meta-owner"
    assert answer.headers["Access-Control-Expose-Headers"] == "ETag"


def test_a_preflight_to_a_virtual_host_bucket_url_is_allowed(server: ServerThread, origin: str) -> None:
    emulator = server.server.aws.emulator
    url = f"http://{bucket_name(server, 'open')}.localhost:{emulator.port}/uploads/photo.png"
    with httpx.Client(proxy=emulator.endpoint, timeout=10) as browser:
        answer = preflight(browser, url, origin, method="POST")

    assert answer.status_code == 200, answer.text
    assert answer.headers["Access-Control-Allow-Origin"] == "*"


def test_a_preflight_to_a_bucket_with_cors_off_is_refused_as_s3_does(
    server: ServerThread, browser: httpx.Client, origin: str
) -> None:
    answer = preflight(browser, object_url(server, "closed", "uploads/photo.png"), origin)

    assert s3_error(answer) == (403, "CORSResponse", "CORS is not enabled for this bucket.")
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_a_cross_origin_get_is_answered_with_cors_headers_only_where_the_bucket_allows(
    server: ServerThread, browser: httpx.Client, origin: str
) -> None:
    s3 = s3_client(server)
    for bucket_id in ("open", "closed"):
        s3.put_object(Bucket=bucket_name(server, bucket_id), Key="page/data.json", Body=b"{}")

    allowed = browser.get(
        presigned_get(server, bucket_name(server, "open"), "page/data.json"), headers={"Origin": origin}
    )
    closed = browser.get(
        presigned_get(server, bucket_name(server, "closed"), "page/data.json"), headers={"Origin": origin}
    )

    assert (allowed.status_code, allowed.headers["Access-Control-Allow-Origin"]) == (200, "*")
    assert allowed.headers["Access-Control-Expose-Headers"] == "ETag"
    # moto adds permissive CORS headers to every answer; S3 sends none when the bucket has no CORS configuration.
    assert closed.status_code == 200 and closed.content == b"{}"
    assert not [name for name in closed.headers if name.lower().startswith("access-control-")]


def test_a_bucket_allowing_one_origin_answers_only_that_origin(
    server: ServerThread, browser: httpx.Client, origin: str
) -> None:
    s3 = s3_client(server)
    s3.create_bucket(Bucket="one-origin-only")
    rule = {"AllowedOrigins": [origin], "AllowedMethods": ["GET"], "AllowedHeaders": ["*"], "MaxAgeSeconds": 600}
    s3.put_bucket_cors(Bucket="one-origin-only", CORSConfiguration={"CORSRules": [rule]})
    s3.put_object(Bucket="one-origin-only", Key="data.json", Body=b"{}")
    url = presigned_get(server, "one-origin-only", "data.json")

    same = browser.get(url, headers={"Origin": origin})
    other = browser.get(url, headers={"Origin": "http://evil.localhost:4000"})
    other_preflight = preflight(browser, url.split("?")[0], "http://evil.localhost:4000", method="GET")
    wrong_method = preflight(browser, url.split("?")[0], origin, method="DELETE")

    assert same.headers["Access-Control-Allow-Origin"] == origin
    assert same.headers["Access-Control-Allow-Credentials"] == "true"
    assert other.status_code == 200 and "Access-Control-Allow-Origin" not in other.headers
    for refused in (other_preflight, wrong_method):
        status, code, message = s3_error(refused)
        assert (status, code) == (403, "CORSResponse") and message.startswith("This CORS request is not allowed.")
