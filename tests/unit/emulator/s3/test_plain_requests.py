"""Which requests are plain object reads and writes: the very requests boto3 sends are, and anything that changes
the answer is not."""

from __future__ import annotations

import base64
import zlib
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from emulator.s3.plain_requests import PlainPut, PlainRead, plain_object_put, plain_object_read

SIGNED = "AWS4-HMAC-SHA256 Credential=AKID/20261123/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=ab"
HOST = "127.0.0.1:4566"


class _NoBody:
    """The raw stream of a response with an empty body, as botocore reads it."""

    def stream(self, **_: Any) -> list[bytes]:
        return []


def sent_by_boto3(operation: str, **parameters: Any) -> tuple[str, bytes, bytes, dict[str, str]]:
    """The method, raw path, query and lower-case headers boto3 sends for an S3 call (answered without a server)."""
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=f"http://{HOST}",
        region_name="eu-west-1",
        aws_access_key_id="AKID",
        aws_secret_access_key="secret",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    sent: list[Any] = []

    def capture(request: Any, **_: Any) -> AWSResponse:
        sent.append(request)
        return AWSResponse(request.url, 200, {"content-length": "0"}, _NoBody())

    client.meta.events.register("before-send.s3.*", capture)
    getattr(client, operation)(**parameters)
    request = sent[0]
    path, _, query = request.url.removeprefix(f"http://{HOST}").partition("?")
    headers = {
        name.lower(): value.decode() if isinstance(value, bytes) else value for name, value in request.headers.items()
    }
    return request.method, path.encode(), query.encode(), {"host": HOST, **headers}


def test_the_get_and_head_object_calls_of_boto3_are_plain_reads() -> None:
    assert plain_object_read(*sent_by_boto3("get_object", Bucket="photos", Key="a b/ü?#.png")) == PlainRead(
        bucket="photos", key="a b/ü?#.png", head=False, access_key_id="AKID", region="eu-west-1", checksum_mode=True
    )
    head = plain_object_read(*sent_by_boto3("head_object", Bucket="photos", Key="notes.txt"))
    assert head is not None and (head.head, head.checksum_mode) == (True, False)


@pytest.mark.parametrize(
    ("operation", "parameters"),
    [
        ("get_object", {"Range": "bytes=0-1"}),
        ("get_object", {"IfNoneMatch": '"etag"'}),
        ("get_object", {"VersionId": "v1"}),
        ("get_object", {"ResponseContentType": "text/plain"}),
        ("get_object", {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": "k" * 32}),
        ("get_object", {"ExpectedBucketOwner": "123456789012"}),
        ("head_object", {"PartNumber": 1}),
        ("get_object_tagging", {}),
        ("delete_object", {}),
    ],
)
def test_a_read_that_asks_for_more_than_the_whole_object_is_left_to_moto(
    operation: str, parameters: dict[str, Any]
) -> None:
    assert plain_object_read(*sent_by_boto3(operation, Bucket="photos", Key="a.png", **parameters)) is None


def test_requests_moto_may_route_differently_are_left_to_it() -> None:
    signed = {"host": HOST, "authorization": SIGNED}
    assert plain_object_read("GET", b"/photos/a.png", b"", signed) is not None
    assert plain_object_read("GET", b"/photos/a.png", b"", {**signed, "host": "photos.localhost:4566"}) is None
    assert plain_object_read("GET", b"/photos/a.png", b"", {**signed, "origin": "http://localhost:3000"}) is None
    assert plain_object_read("GET", b"/photos/a.png", b"", {"host": HOST}) is None  # unsigned: ACLs apply
    assert plain_object_read("GET", b"/photos/a.png", b"", {"host": HOST, "authorization": "AWS AKID:sig"}) is None
    for_ssm = {**signed, "authorization": SIGNED.replace("/s3/", "/ssm/")}
    assert plain_object_read("GET", b"/photos/a.png", b"", for_ssm) is None
    presigned = b"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID"
    assert plain_object_read("GET", b"/photos/a.png", presigned, {"host": HOST}) is None
    for path in (b"/photos", b"/photos/", b"/photos//a.png", b"/photos/a//b.png", "/photos/ü".encode()):
        assert plain_object_read("GET", path, b"", signed) is None, path
    assert plain_object_read("GET", b"/photos/a%2Fb.png", b"", signed).key == "a/b.png"  # type: ignore[union-attr]


def test_the_put_object_calls_of_boto3_are_plain_writes_with_their_stated_checksum() -> None:
    put = plain_object_put(
        *sent_by_boto3(
            "put_object",
            Bucket="photos",
            Key="a b/ü.png",
            Body=b"png",
            ContentType="image/png",
            Metadata={"Owner": "ana"},
            CacheControl="max-age=60",
        )
    )
    assert put == PlainPut(
        bucket="photos",
        key="a b/ü.png",
        access_key_id="AKID",
        region="eu-west-1",
        checksum_algorithm="CRC32",
        checksum=base64.b64encode(zlib.crc32(b"png").to_bytes(4, "big")).decode(),
    )
    sha256 = plain_object_put(
        *sent_by_boto3("put_object", Bucket="photos", Key="a", Body=b"", ChecksumAlgorithm="SHA256")
    )
    assert sha256 is not None and sha256.checksum_algorithm == "SHA256"


@pytest.mark.parametrize(
    "parameters",
    [
        {"ACL": "public-read"},
        {"Tagging": "team=photos"},
        {"ServerSideEncryption": "AES256"},
        {"StorageClass": "STANDARD_IA"},
        {"IfNoneMatch": "*"},
        {"WebsiteRedirectLocation": "/x"},
        {"ObjectLockLegalHoldStatus": "ON"},
        {"ContentEncoding": "gzip"},
        {"ContentType": "multipart/form-data; boundary=x"},
    ],
)
def test_a_write_that_asks_for_more_than_storing_the_body_is_left_to_moto(parameters: dict[str, Any]) -> None:
    assert plain_object_put(*sent_by_boto3("put_object", Bucket="photos", Key="a.png", Body=b"x", **parameters)) is None


def test_writes_whose_body_or_checksum_moto_works_out_itself_are_left_to_it() -> None:
    signed = {"host": HOST, "authorization": SIGNED, "content-length": "3"}
    assert plain_object_put("PUT", b"/photos/a.png", b"", signed) is not None
    streaming = {**signed, "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}
    assert plain_object_put("PUT", b"/photos/a.png", b"", streaming) is None
    assert plain_object_put("PUT", b"/photos/a.png", b"", {**signed, "x-amz-sdk-checksum-algorithm": "CRC32"}) is None
    assert plain_object_put("PUT", b"/photos/a.png", b"uploadId=1&partNumber=1", signed) is None
    assert plain_object_put("PUT", b"/photos/a.png", b"", {**signed, "x-amz-copy-source": "/photos/b.png"}) is None
    assert plain_object_put("POST", b"/photos/a.png", b"", signed) is None
