"""Presigned URLs and form POSTs that handlers make, used from httpx as a browser or curl would, checked as S3 does.

moto accepts any presigned request; the emulator refuses what S3 refuses, so a bug in signing code shows up locally.
The handlers presign with their own boto3 clients: SigV4 as production (`signature_version="s3v4"`), and boto3's
default, which against a custom endpoint is SigV2.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from tests.apps import make_app
from tests.integration.storage_support import bucket_name, running, s3_client, s3_error
from tests.servers import ServerThread

STACK = """
uploads = Bucket(stack, "uploads")
Api(stack, "api", defaults={"function": {"bind": [uploads]}}, routes={
    "POST /presign": "functions/presign.sigv4",
    "POST /presign-default": "functions/presign.default",
    "GET /env": "functions/presign.environment",
})
"""

PRESIGN = """\
import json
import os

import boto3
from botocore.config import Config

from devserver.resources import Bucket

production_like = boto3.client("s3", config=Config(signature_version="s3v4"))
unmodified = boto3.client("s3")


def presign(s3, event):
    request = json.loads(event["body"])
    bucket, key, expires = Bucket.uploads.bucketName, request["key"], request.get("expires", 60)
    put_params = {"Bucket": bucket, "Key": key}
    if "contentType" in request:
        put_params["ContentType"] = request["contentType"]
    return {
        "put": s3.generate_presigned_url("put_object", Params=put_params, ExpiresIn=expires),
        "get": s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires),
        "list": s3.generate_presigned_url(
            "list_objects_v2", Params={"Bucket": bucket, "Prefix": key}, ExpiresIn=expires
        ),
        "post": s3.generate_presigned_post(
            bucket,
            key,
            Fields={"Content-Type": "image/png"},
            Conditions=[
                ["starts-with", "$key", "uploads/"],
                ["starts-with", "$Content-Type", "image/"],
                ["content-length-range", 4, 16],
            ],
            ExpiresIn=expires,
        ),
    }


def sigv4(event, context):
    return presign(production_like, event)


def default(event, context):
    return presign(unmodified, event)


def environment(event, context):
    names = ("AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    listing = unmodified.list_objects_v2(Bucket=Bucket.uploads.bucketName)
    return {"environment": {name: os.environ.get(name) for name in names}, "listed": listing["KeyCount"] >= 0}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    app_dir = make_app(tmp_path_factory.mktemp("presign"), STACK, {"functions/presign.py": PRESIGN})
    with running(app_dir) as started:
        yield started


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def presigned(server: ServerThread, key: str, route: str = "/presign", **options: object) -> dict[str, Any]:
    with server.client() as api:
        answer = api.post(route, json={"key": key, **options})
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit(parts._replace(query=urlencode({**query, **changes})))


def tampered(signature: str) -> str:
    # A digit that differs whatever the case: the guard reads SigV4 hex case-insensitively, so "a" -> "A" is no change.
    return ("0" if signature[0] != "0" else "1") + signature[1:]


def form_post(browser: httpx.Client, post: dict[str, Any], content: bytes, **fields: str) -> httpx.Response:
    return browser.post(post["url"], data={**post["fields"], **fields}, files={"file": ("photo.png", content)})


def test_a_handler_gets_the_emulator_endpoint_region_and_credentials(server: ServerThread) -> None:
    with server.client() as api:
        answer = api.get("/env").json()

    environment = answer["environment"]
    assert environment["AWS_ENDPOINT_URL"] == server.server.aws.emulator.endpoint
    assert environment["AWS_REGION"] == environment["AWS_DEFAULT_REGION"] == "us-east-1"
    # The function's own credentials (scoped to its bindings where permissions are enforced): they must be there,
    # and unmodified boto3 code must reach its bound bucket with them.
    assert environment["AWS_ACCESS_KEY_ID"] and environment["AWS_SECRET_ACCESS_KEY"]
    assert answer["listed"] is True


def test_presigned_put_and_get_from_a_handler_work_from_httpx(server: ServerThread, browser: httpx.Client) -> None:
    urls = presigned(server, "docs/notes 1.txt", contentType="text/plain")

    put = browser.put(urls["put"], content=b"signed upload", headers={"Content-Type": "text/plain"})
    get = browser.get(urls["get"])

    assert put.status_code == 200, put.text
    assert (get.status_code, get.content, get.headers["content-type"]) == (200, b"signed upload", "text/plain")
    listing = browser.get(urls["list"])
    assert listing.status_code == 200 and "<Key>docs/notes%201.txt</Key>" in listing.text
    stored = s3_client(server).head_object(Bucket=bucket_name(server, "uploads"), Key="docs/notes 1.txt")
    assert stored["ETag"] == put.headers["ETag"]


def test_a_presigned_form_post_from_a_handler_uploads_with_s3s_answer(
    server: ServerThread, browser: httpx.Client
) -> None:
    post = presigned(server, "uploads/photo.png")["post"]

    answer = form_post(browser, post, b"\x89PNG1234", success_action_status="201")

    # generate_presigned_post does not cover success_action_status: without a condition S3 calls it an extra field.
    assert s3_error(answer)[:2] == (403, "AccessDenied")
    answer = form_post(browser, post, b"\x89PNG1234")
    assert answer.status_code == 204, answer.text
    bucket = bucket_name(server, "uploads")
    assert answer.headers["Location"] == f"{server.server.aws.emulator.endpoint}/{bucket}/uploads%2Fphoto.png"
    stored = s3_client(server).get_object(Bucket=bucket, Key="uploads/photo.png")
    assert (stored["Body"].read(), stored["ContentType"]) == (b"\x89PNG1234", "image/png")
    assert stored["ETag"] == answer.headers["ETag"]


def test_a_form_post_to_a_filename_key_is_stored_and_located_under_the_files_name(
    server: ServerThread, browser: httpx.Client
) -> None:
    post = presigned(server, "uploads/${filename}")["post"]

    answer = browser.post(post["url"], data=post["fields"], files={"file": ("my photo.png", b"\x89PNG")})

    assert answer.status_code == 204, answer.text
    bucket = bucket_name(server, "uploads")
    assert answer.headers["Location"] == f"{server.server.aws.emulator.endpoint}/{bucket}/uploads%2Fmy%20photo.png"
    assert s3_client(server).get_object(Bucket=bucket, Key="uploads/my photo.png")["Body"].read() == b"\x89PNG"


def test_expired_presigned_urls_and_posts_are_refused(server: ServerThread, browser: httpx.Client) -> None:
    s3_client(server).put_object(Bucket=bucket_name(server, "uploads"), Key="uploads/old.png", Body=b"old!")
    sigv4 = presigned(server, "uploads/old.png", expires=1)
    sigv2 = presigned(server, "uploads/old.png", route="/presign-default", expires=1)
    time.sleep(2.1)  # X-Amz-Date and Expires have whole seconds: a 1 s URL is certainly expired 2 s later

    for urls in (sigv4, sigv2):
        assert s3_error(browser.get(urls["get"])) == (403, "AccessDenied", "Request has expired")
        assert s3_error(browser.put(urls["put"], content=b"new!")) == (403, "AccessDenied", "Request has expired")
        expired_post = form_post(browser, urls["post"], b"new!")
        assert s3_error(expired_post) == (403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    assert browser.get(presigned(server, "uploads/old.png")["get"]).content == b"old!"


def test_a_tampered_or_repointed_presigned_url_does_not_match_its_signature(
    server: ServerThread, browser: httpx.Client
) -> None:
    urls = presigned(server, "docs/secret.txt")
    signature = dict(parse_qsl(urlsplit(urls["get"]).query))["X-Amz-Signature"]

    forged = browser.get(with_query(urls["get"], **{"X-Amz-Signature": tampered(signature)}))
    repointed = browser.put(urls["put"].replace("docs/secret.txt", "docs/other.txt"), content=b"sneaky")
    as_put = browser.put(urls["get"], content=b"sneaky")

    for refused in (forged, repointed, as_put):
        assert s3_error(refused)[:2] == (403, "SignatureDoesNotMatch"), (refused.request.method, refused.text)
    assert "<StringToSign>" in forged.text and "<CanonicalRequest>" in forged.text


def test_changing_a_signed_content_type_does_not_match_the_signature(
    server: ServerThread, browser: httpx.Client
) -> None:
    put_url = presigned(server, "docs/picture.png", contentType="image/png")["put"]

    changed = browser.put(put_url, content=b"<html>", headers={"Content-Type": "text/html"})
    kept = browser.put(put_url, content=b"\x89PNG", headers={"Content-Type": "image/png"})

    assert s3_error(changed)[:2] == (403, "SignatureDoesNotMatch")
    assert kept.status_code == 200


@pytest.mark.parametrize(
    ("content", "fields", "expected"),
    [
        (b"x" * 17, {}, (400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")),
        (b"x" * 3, {}, (400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")),
        (
            b"\x89PNG",
            {"key": "elsewhere/photo.png"},
            (
                403,
                "AccessDenied",
                'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/"]',
            ),
        ),
        (
            b"\x89PNG",
            {"Content-Type": "text/html"},
            (
                403,
                "AccessDenied",
                'Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]',
            ),
        ),
        (
            b"\x89PNG",
            {"acl": "public-read"},
            (403, "AccessDenied", "Invalid according to Policy: Extra input fields: acl"),
        ),
    ],
    ids=["too-large", "too-small", "key-outside-prefix", "wrong-content-type", "extra-field"],
)
def test_a_form_post_breaking_its_policy_is_refused_and_stores_nothing(
    server: ServerThread, browser: httpx.Client, content: bytes, fields: dict[str, str], expected: tuple[int, str, str]
) -> None:
    post = presigned(server, "uploads/refused.png")["post"]

    refused = form_post(browser, post, content, **fields)

    assert s3_error(refused) == expected
    listing = s3_client(server).list_objects_v2(Bucket=bucket_name(server, "uploads"), Prefix="uploads/refused")
    assert listing["KeyCount"] == 0
    assert (
        s3_client(server).list_objects_v2(Bucket=bucket_name(server, "uploads"), Prefix="elsewhere/")["KeyCount"] == 0
    )


def test_urls_presigned_with_boto3_defaults_work_and_are_checked(server: ServerThread, browser: httpx.Client) -> None:
    urls = presigned(server, "uploads/default.png", route="/presign-default")
    query = dict(parse_qsl(urlsplit(urls["put"]).query))
    assert {"AWSAccessKeyId", "Signature", "Expires"} <= query.keys(), "boto3 signs with SigV2 here"

    put = browser.put(urls["put"], content=b"v2 upload")
    get = browser.get(urls["get"])
    listing = browser.get(urls["list"])
    post = form_post(browser, urls["post"], b"\x89PNG-v2")
    forged = browser.get(with_query(urls["get"], Signature=tampered(query["Signature"])))

    assert put.status_code == 200, put.text
    assert (get.status_code, get.content) == (200, b"v2 upload")
    assert listing.status_code == 200 and "<Key>uploads/default.png</Key>" in listing.text
    assert post.status_code == 204, post.text
    assert s3_error(forged)[:2] == (403, "SignatureDoesNotMatch")


def test_anonymous_requests_to_a_private_bucket_are_refused(server: ServerThread, browser: httpx.Client) -> None:
    bucket = bucket_name(server, "uploads")
    endpoint = server.server.aws.emulator.endpoint
    s3_client(server).put_object(Bucket=bucket, Key="private.txt", Body=b"secret")
    for method in ("GET", "PUT", "DELETE"):
        response = browser.request(
            method, f"{endpoint}/{bucket}/private.txt", content=b"x" if method == "PUT" else None
        )
        assert s3_error(response) == (403, "AccessDenied", "Access Denied"), method
    assert s3_client(server).get_object(Bucket=bucket, Key="private.txt")["Body"].read() == b"secret"
