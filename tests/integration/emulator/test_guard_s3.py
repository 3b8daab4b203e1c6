"""The guard in front of moto, served by uvicorn: presigned URLs, form POST uploads and CORS behave as on S3.

moto's WSGI app runs through a2wsgi inside the guard, on an ephemeral port, with moto's global permissive CORS left
on (the guard must make the bucket's rules the only source either way). Time moves through the guard's clock.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import boto3
import httpx
import pytest
import uvicorn
from a2wsgi import WSGIMiddleware
from botocore.config import Config
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.s3.models import s3_backends

from emulator.s3.guard import S3RequestGuard

APP_ORIGIN = "http://localhost:3000"
_bucket_numbers = itertools.count()


class MovableClock:
    """The real time plus an offset a test can move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def moto_bucket_cors(name: str) -> list[dict[str, object]] | None:
    bucket = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets.get(name)
    if bucket is None or not bucket.cors:
        return None
    return [
        {
            "AllowedOrigins": rule.allowed_origins,
            "AllowedMethods": rule.allowed_methods,
            "AllowedHeaders": rule.allowed_headers or [],
            "ExposeHeaders": rule.exposed_headers or [],
        }
        for rule in bucket.cors
    ]


@dataclass
class Endpoint:
    url: str
    clock: MovableClock

    def s3(self, signature_version: str = "s3v4", **config: Any) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(signature_version=signature_version, **config),
        )


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    clock = MovableClock()
    moto_app = WSGIMiddleware(DomainDispatcherApplication(create_backend_app))
    guard = S3RequestGuard(
        moto_app, lookup_secret_key={"test": "test"}.get, lookup_bucket_cors=moto_bucket_cors, clock=clock
    )
    server = uvicorn.Server(uvicorn.Config(guard, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "uvicorn exited before it started"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield Endpoint(f"http://127.0.0.1:{port}", clock)
    server.should_exit = True
    thread.join()


@pytest.fixture
def bucket(endpoint: Endpoint) -> Iterator[str]:
    name = f"guard-bucket-{next(_bucket_numbers)}"
    endpoint.s3().create_bucket(Bucket=name)
    endpoint.clock.offset = 0.0
    yield name
    endpoint.clock.offset = 0.0


def s3_error(response: httpx.Response) -> tuple[int, str, str]:
    root = ElementTree.fromstring(response.content)
    assert root.findtext("RequestId")
    return response.status_code, root.findtext("Code") or "", root.findtext("Message") or ""


# --- presigned URLs ---------------------------------------------------------------------------------------------


def test_a_presigned_put_then_get_round_trips(endpoint: Endpoint, bucket: str) -> None:
    s3 = endpoint.s3()
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "a b.txt"})
    assert httpx.put(put_url, content=b"hello").status_code == 200
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "a b.txt"})
    assert httpx.get(get_url).content == b"hello"


def test_default_boto3_sigv2_presigned_urls_work_too(endpoint: Endpoint, bucket: str) -> None:
    s3 = endpoint.s3(signature_version="s3")
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "k"})
    assert "Signature=" in put_url
    assert httpx.put(put_url, content=b"v2").status_code == 200
    assert s3_error(httpx.put(put_url.replace("/k?", "/other?"), content=b"x"))[1] == "SignatureDoesNotMatch"


def test_an_expired_presigned_url_is_refused(endpoint: Endpoint, bucket: str) -> None:
    url = endpoint.s3().generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60)
    endpoint.clock.offset = 61
    assert s3_error(httpx.get(url)) == (403, "AccessDenied", "Request has expired")


def test_a_tampered_signature_is_refused(endpoint: Endpoint, bucket: str) -> None:
    url = endpoint.s3().generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "k"})
    head, _, signature = url.partition("X-Amz-Signature=")
    tampered = head + "X-Amz-Signature=" + signature[::-1]
    assert s3_error(httpx.put(tampered, content=b"x"))[:2] == (403, "SignatureDoesNotMatch")
    assert endpoint.s3().list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_a_changed_content_type_is_refused(endpoint: Endpoint, bucket: str) -> None:
    url = endpoint.s3().generate_presigned_url(
        "put_object", Params={"Bucket": bucket, "Key": "pic.png", "ContentType": "image/png"}
    )
    refused = httpx.put(url, content=b"x", headers={"Content-Type": "text/html"})
    assert s3_error(refused)[:2] == (403, "SignatureDoesNotMatch")
    assert httpx.put(url, content=b"x", headers={"Content-Type": "image/png"}).status_code == 200


def test_a_url_re_pointed_at_another_key_or_method_is_refused(endpoint: Endpoint, bucket: str) -> None:
    url = endpoint.s3().generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "mine"})
    assert s3_error(httpx.put(url.replace("/mine?", "/yours?"), content=b"x"))[1] == "SignatureDoesNotMatch"
    assert s3_error(httpx.delete(url))[1] == "SignatureDoesNotMatch"


def test_header_signed_boto3_calls_pass_through(endpoint: Endpoint, bucket: str) -> None:
    s3 = endpoint.s3()
    s3.put_object(Bucket=bucket, Key="k", Body=b"direct")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"direct"


# --- form POST uploads ------------------------------------------------------------------------------------------


def post_upload(endpoint: Endpoint, bucket: str, content: bytes, **overrides: str) -> httpx.Response:
    post = endpoint.s3().generate_presigned_post(
        bucket,
        "uploads/${filename}",
        Fields={"success_action_status": "201"},
        Conditions=[
            ["content-length-range", 1, 1024],
            ["starts-with", "$key", "uploads/"],
            {"success_action_status": "201"},
        ],
        ExpiresIn=60,
    )
    fields = {**post["fields"], "key": "uploads/cat.png", **overrides}
    return httpx.post(post["url"], data=fields, files={"file": ("cat.png", content, "image/png")})


def test_a_form_post_within_the_policy_uploads_and_answers_s3s_post_response(endpoint: Endpoint, bucket: str) -> None:
    response = post_upload(endpoint, bucket, b"x" * 1024)
    assert response.status_code == 201
    etag = f'"{hashlib.md5(b"x" * 1024).hexdigest()}"'
    assert response.headers["ETag"] == etag
    root = ElementTree.fromstring(response.content)
    assert root.tag == "PostResponse"
    assert (root.findtext("Bucket"), root.findtext("Key"), root.findtext("ETag")) == (bucket, "uploads/cat.png", etag)
    assert root.findtext("Location") == f"{endpoint.url}/{bucket}/uploads%2Fcat.png"  # S3 encodes the key's "/" too
    assert endpoint.s3().get_object(Bucket=bucket, Key="uploads/cat.png")["ETag"] == etag


def test_a_form_post_answers_204_with_etag_by_default(endpoint: Endpoint, bucket: str) -> None:
    post = endpoint.s3().generate_presigned_post(bucket, "k")
    response = httpx.post(post["url"], data=post["fields"], files={"file": ("k", b"abc")})
    assert (response.status_code, response.headers["ETag"]) == (204, f'"{hashlib.md5(b"abc").hexdigest()}"')
    assert response.headers["Location"] == f"{endpoint.url}/{bucket}/k"


def test_a_too_large_form_post_is_entity_too_large(endpoint: Endpoint, bucket: str) -> None:
    assert s3_error(post_upload(endpoint, bucket, b"x" * 1025))[:2] == (400, "EntityTooLarge")
    assert endpoint.s3().list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_a_form_post_outside_the_key_prefix_is_refused(endpoint: Endpoint, bucket: str) -> None:
    status, code, message = s3_error(post_upload(endpoint, bucket, b"x", key="private/cat.png"))
    assert (status, code) == (403, "AccessDenied")
    assert message == 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/"]'


def test_a_form_post_with_an_expired_policy_is_refused(endpoint: Endpoint, bucket: str) -> None:
    endpoint.clock.offset = 61
    assert s3_error(post_upload(endpoint, bucket, b"x")) == (
        403,
        "AccessDenied",
        "Invalid according to Policy: Policy expired.",
    )


def test_a_form_post_with_an_unconditioned_field_is_refused(endpoint: Endpoint, bucket: str) -> None:
    message = s3_error(post_upload(endpoint, bucket, b"x", **{"Content-Type": "image/png"}))[2]
    assert message == "Invalid according to Policy: Extra input fields: Content-Type"


# --- CORS -------------------------------------------------------------------------------------------------------


def put_app_cors(endpoint: Endpoint, bucket: str) -> None:
    rule = {"AllowedOrigins": [APP_ORIGIN], "AllowedMethods": ["PUT", "GET"], "AllowedHeaders": ["*"]}
    endpoint.s3().put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [rule]})


def preflight(endpoint: Endpoint, bucket: str, origin: str, method: str) -> httpx.Response:
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "content-type",
    }
    return httpx.options(f"{endpoint.url}/{bucket}/upload.png", headers=headers)


def test_an_allowed_preflight_is_answered_from_the_buckets_rules(endpoint: Endpoint, bucket: str) -> None:
    put_app_cors(endpoint, bucket)
    response = preflight(endpoint, bucket, APP_ORIGIN, "PUT")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert response.headers["Access-Control-Allow-Methods"] == "PUT, GET"
    assert response.headers["Access-Control-Allow-Headers"] == "content-type"


def test_a_preflight_no_rule_allows_is_refused(endpoint: Endpoint, bucket: str) -> None:
    put_app_cors(endpoint, bucket)
    assert s3_error(preflight(endpoint, bucket, "http://evil.test", "PUT"))[:2] == (403, "CORSResponse")
    assert s3_error(preflight(endpoint, bucket, APP_ORIGIN, "DELETE"))[:2] == (403, "CORSResponse")


def test_a_preflight_to_a_bucket_without_cors_is_refused(endpoint: Endpoint, bucket: str) -> None:
    assert s3_error(preflight(endpoint, bucket, APP_ORIGIN, "PUT")) == (
        403,
        "CORSResponse",
        "CORS is not enabled for this bucket.",
    )


def test_cross_origin_answers_carry_only_the_buckets_cors_headers(endpoint: Endpoint, bucket: str) -> None:
    s3 = endpoint.s3()
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    without_cors = httpx.get(url, headers={"Origin": APP_ORIGIN})
    assert without_cors.status_code == 200
    assert not [name for name in without_cors.headers if name.lower().startswith("access-control-")]
    put_app_cors(endpoint, bucket)
    with_cors = httpx.get(url, headers={"Origin": APP_ORIGIN})
    assert with_cors.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert "Origin" in with_cors.headers["Vary"]


def test_virtual_host_addressing_reaches_the_same_bucket(endpoint: Endpoint, bucket: str) -> None:
    localhost_url = endpoint.url.replace("127.0.0.1", "localhost")
    client = boto3.client(
        "s3",
        endpoint_url=localhost_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(signature_version="s3v4", s3={"addressing_style": "virtual"}),
    )
    url = client.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "v.txt"})
    assert url.startswith(f"http://{bucket}.localhost:")
    port = localhost_url.rsplit(":", 1)[1]
    direct = url.replace(f"http://{bucket}.localhost:{port}", endpoint.url)
    response = httpx.put(direct, content=b"virtual", headers={"Host": f"{bucket}.localhost:{port}"})
    assert response.status_code == 200
    assert endpoint.s3().get_object(Bucket=bucket, Key="v.txt")["Body"].read() == b"virtual"
