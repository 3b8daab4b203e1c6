"""Real Lambda tooling, unmodified, served as routes and notification targets by a running dev server.

The tooling app's handlers are written with aws-lambda-powertools (`APIGatewayHttpResolver`, parser models),
FastAPI behind Mangum, and the official `awslambdaric` client; each must work as it does on AWS.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from devserver.triggers.s3_notifications import Delivery
from tests.servers import ServerThread

TOOLING_APP = Path(__file__).parents[2] / "fixtures" / "tooling_app"
BINARY = bytes(range(256)) * 4


@pytest.fixture(scope="module")
def tooling(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    app_dir = Path(shutil.copytree(TOOLING_APP, tmp_path_factory.mktemp("tooling") / "app"))
    with ServerThread(app_dir) as thread:
        wait_until(lambda: thread.server.aws.is_ready)  # the inbox bucket exists
        yield thread


@pytest.fixture
def api(tooling: ServerThread) -> Iterator[httpx.Client]:
    with tooling.client() as client:
        yield client


@pytest.fixture
def inbox(tooling: ServerThread) -> str:
    dispatcher = tooling.server.aws.dispatcher
    wait_until(lambda: dispatcher.in_flight == 0)  # an earlier test's deliveries are not this test's
    dispatcher.mark()
    return tooling.server.app.buckets[0].name


def wait_until(condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def deliveries(tooling: ServerThread, count: int) -> list[Delivery]:
    found = tooling.server.aws.dispatcher.wait_blocking(count, timeout=20)
    failures = [(d.event_name, d.invocation.error) for d in found if not d.ok]
    assert not failures, failures
    return found


def test_powertools_resolver_reads_path_parameters_query_strings_and_cookies(api: httpx.Client) -> None:
    api.cookies.update({"session": "abc", "theme": "dark"})
    answer = api.get("/powertools/items/42", params=[("color", "red"), ("color", "blue"), ("size", "L")])

    assert answer.status_code == 200
    body = answer.json()
    assert body["item"] == "42"
    assert body["query"] == {"color": "red,blue", "size": "L"}
    assert sorted(body["cookies"]) == ["session=abc", "theme=dark"]
    assert body["userAgent"].startswith("python-httpx/")


def test_fastapi_behind_mangum_reads_path_parameters_query_strings_and_cookies(api: httpx.Client) -> None:
    api.cookies.update({"session": "abc"})
    answer = api.get("/fastapi/items/42", params={"q": "needle"})

    assert answer.status_code == 200
    assert answer.json() == {"item": "42", "q": "needle", "session": "abc"}


@pytest.mark.parametrize("framework", ["powertools", "fastapi"])
def test_json_bodies_round_trip(api: httpx.Client, framework: str) -> None:
    document = {"name": "Zoë", "tags": ["a", "b"], "nested": {"n": 1.5, "ok": True, "none": None}}

    answer = api.post(f"/{framework}/echo", json=document)

    assert answer.status_code == 200
    assert answer.json() == {"received": document}


@pytest.mark.parametrize("framework", ["powertools", "fastapi"])
def test_binary_bodies_round_trip(api: httpx.Client, framework: str) -> None:
    answer = api.post(f"/{framework}/binary", content=BINARY, headers={"content-type": "application/octet-stream"})

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/octet-stream"
    assert answer.content == bytes(reversed(BINARY))


@pytest.mark.parametrize("framework", ["powertools", "fastapi"])
def test_cookies_set_by_the_handler_reach_the_client(api: httpx.Client, framework: str) -> None:
    answer = api.get(f"/{framework}/cookie")

    assert answer.status_code == 200
    assert answer.cookies["flavour"] == "oat"


@pytest.mark.parametrize(
    ("method", "path", "options"),
    [
        ("GET", "/parsed/a/b", {"params": {"x": "1", "y": ""}}),
        ("POST", "/parsed/json", {"json": {"a": [1, 2]}}),
        ("PUT", "/parsed/binary", {"content": BINARY}),
        ("PATCH", "/parsed/form", {"data": {"field": "value"}}),
        ("DELETE", "/parsed/%C3%A9t%C3%A9/x%2By", {"cookies": {"c": "1"}, "headers": {"X-Many": "1"}}),
        ("OPTIONS", "/parsed/plain", {}),
    ],
)
def test_every_route_event_passes_the_powertools_v2_model(
    api: httpx.Client, method: str, path: str, options: dict[str, object]
) -> None:
    cookies = options.pop("cookies", None)
    if cookies:
        api.cookies.update(cookies)  # type: ignore[arg-type]
    answer = api.request(method, path, **options)  # type: ignore[arg-type]

    assert answer.status_code == 200, answer.text
    parsed = answer.json()
    assert parsed["routeKey"] == "ANY /parsed/{proxy+}"
    assert parsed["method"] == method
    assert parsed["rawPath"].startswith("/parsed/")


def test_every_notification_event_passes_the_powertools_s3_model(tooling: ServerThread, inbox: str) -> None:
    s3 = tooling.server.aws.emulator.client("s3")
    s3.put_object(Bucket=inbox, Key="put/a b+c.txt", Body=b"hello")
    s3.copy_object(Bucket=inbox, Key="copy/a.txt", CopySource={"Bucket": inbox, "Key": "put/a b+c.txt"})
    form = s3.generate_presigned_post(Bucket=inbox, Key="post/form.txt")
    assert httpx.post(form["url"], data=form["fields"], files={"file": ("form.txt", b"posted")}).status_code == 204
    upload = s3.create_multipart_upload(Bucket=inbox, Key="multipart/big.bin")
    part = s3.upload_part(Bucket=inbox, Key="multipart/big.bin", UploadId=upload["UploadId"], PartNumber=1, Body=b"x")
    s3.complete_multipart_upload(
        Bucket=inbox,
        Key="multipart/big.bin",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    s3.delete_object(Bucket=inbox, Key="copy/a.txt")

    results = [d.invocation.result for d in deliveries(tooling, 5)]

    assert sorted((r[0]["eventName"], r[0]["key"]) for r in results) == [  # type: ignore[index]
        ("ObjectCreated:CompleteMultipartUpload", "multipart/big.bin"),
        ("ObjectCreated:Copy", "copy/a.txt"),
        ("ObjectCreated:Post", "post/form.txt"),
        ("ObjectCreated:Put", "put/a+b%2Bc.txt"),
        ("ObjectRemoved:Delete", "copy/a.txt"),
    ]


def test_versioned_deletes_pass_the_powertools_s3_model(tooling: ServerThread, inbox: str) -> None:
    s3 = tooling.server.aws.emulator.client("s3")
    s3.put_bucket_versioning(Bucket=inbox, VersioningConfiguration={"Status": "Enabled"})
    try:
        version = s3.put_object(Bucket=inbox, Key="versioned.txt", Body=b"v1")["VersionId"]
        s3.delete_object(Bucket=inbox, Key="versioned.txt")
        s3.delete_object(Bucket=inbox, Key="versioned.txt", VersionId=version)

        names = sorted(d.invocation.result[0]["eventName"] for d in deliveries(tooling, 3))  # type: ignore[index]
    finally:
        s3.put_bucket_versioning(Bucket=inbox, VersioningConfiguration={"Status": "Suspended"})

    assert names == ["ObjectCreated:Put", "ObjectRemoved:Delete", "ObjectRemoved:DeleteMarkerCreated"]


def test_awslambdaric_serves_a_route_through_the_runtime_api(api: httpx.Client) -> None:
    first = api.get("/ric/Ada")
    second = api.get("/ric/Grace")

    assert first.status_code == 200, first.text
    assert first.json() | {"requestId": None} == {
        "hello": "Ada",
        "runtimeApi": True,
        "awslambdaric": True,
        "requestId": None,
    }
    assert second.json()["hello"] == "Grace"
    assert second.json()["requestId"] != first.json()["requestId"]
