"""HTTP as S3 speaks it: `Expect: 100-continue`, connections after a refusal, CORS on anonymous and presigned calls,
aws-chunked bodies, and methods S3 has no operation for. Real requests to the emulator as `sst-dev start` runs it."""

from __future__ import annotations

import hashlib
import http.client
import socket
import uuid

import httpx
import pytest
from botocore.client import BaseClient

from emulator.process import EmulatorProcess
from emulator.store.state_lock import s3_root
from tests.integration.s3.raw_requests import SIGNED_STREAM, UNSIGNED_STREAM, aws_chunked, send, signed_headers


def exchange_with_expect(emulator: EmulatorProcess, target: str, headers: dict[str, str], body: bytes) -> list[bytes]:
    """Send a request announcing its body with `Expect: 100-continue`, send the body only once told to, and return the
    status lines and headers of every answer, in order (the last one the final answer)."""
    lines = [f"PUT {target} HTTP/1.1", f"Host: 127.0.0.1:{emulator.port}", f"Content-Length: {len(body)}"]
    lines += ["Expect: 100-continue", *(f"{name}: {value}" for name, value in headers.items()), "", ""]
    answers: list[bytes] = []
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=10) as connection:
        connection.sendall("\r\n".join(lines).encode())
        received = b""
        while True:
            while b"\r\n\r\n" not in received:
                chunk = connection.recv(65536)
                assert chunk, f"the connection closed after {answers}"
                received += chunk
            head, received = received.split(b"\r\n\r\n", 1)
            answers.append(head.lower())
            if not head.startswith(b"HTTP/1.1 100"):
                return answers
            connection.sendall(body)


def test_a_signed_put_with_expect_gets_100_continue_then_is_stored(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str
) -> None:
    body = b"sent once asked"
    headers = signed_headers(emulator, "PUT", f"/{bucket}/expected.txt", {"Expect": "100-continue"}, body)
    del headers["Expect"]  # written by exchange_with_expect, as clients leave it out of the signature
    answers = exchange_with_expect(emulator, f"/{bucket}/expected.txt", headers, body)
    assert [answer.split(b"\r\n")[0] for answer in answers] == [b"http/1.1 100 continue", b"http/1.1 200 ok"]
    assert s3.get_object(Bucket=bucket, Key="expected.txt")["Body"].read() == body


def test_an_anonymous_put_with_expect_to_a_private_bucket_is_refused_before_its_body(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str
) -> None:
    [answer] = exchange_with_expect(emulator, f"/{bucket}/refused.txt", {}, b"never sent")
    assert answer.startswith(b"http/1.1 403") and b"connection: close" in answer
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_an_anonymous_put_with_expect_to_a_public_read_write_bucket_is_stored(
    emulator: EmulatorProcess, s3: BaseClient
) -> None:
    s3.create_bucket(Bucket="expect-public-write", ACL="public-read-write")
    answers = exchange_with_expect(emulator, "/expect-public-write/dropped.txt", {}, b"from anyone")
    assert [answer.split(b"\r\n")[0] for answer in answers] == [b"http/1.1 100 continue", b"http/1.1 200 ok"]
    assert s3.get_object(Bucket="expect-public-write", Key="dropped.txt")["Body"].read() == b"from anyone"


def test_a_refusal_before_the_body_is_read_leaves_the_next_request_on_the_connection_whole(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="kept.txt", Body=b"kept")
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=10)
    try:
        connection.request("PUT", f"/{bucket}/refused.txt", body=b"unread body")
        refused = connection.getresponse()
        refused.read()
        target = f"/{bucket}/kept.txt"
        connection.request("GET", target, headers=signed_headers(emulator, "GET", target, {}))
        served = connection.getresponse()
        assert (refused.status, served.status, served.read()) == (403, 200, b"kept")
    finally:
        connection.close()


CORS_RULES = [
    {"AllowedMethods": ["PUT", "DELETE"], "AllowedOrigins": ["http://www.example1.com"], "AllowedHeaders": ["*"]},
    {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "AllowedHeaders": ["*"]},
    {"AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["http://*.example.com"], "AllowedHeaders": ["x-amz-meta-*"]},
]


@pytest.fixture
def public_cors_bucket(s3: BaseClient) -> str:
    name = f"cors-public-read-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name, ACL="public-read")
    s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": CORS_RULES})
    return name


def allowed(answer: httpx.Response) -> tuple[int, str | None, str | None]:
    return (
        answer.status_code,
        answer.headers.get("access-control-allow-origin"),
        answer.headers.get("access-control-allow-methods"),
    )


def test_anonymous_calls_from_an_allowed_origin_get_their_answer_with_cors_headers(
    emulator: EmulatorProcess, public_cors_bucket: str
) -> None:
    url = f"{emulator.endpoint}/{public_cors_bucket}"
    assert allowed(httpx.get(url, headers={"Origin": "http://www.example1.com"})) == (200, "*", "GET")
    assert allowed(httpx.get(f"{url}/missing", headers={"Origin": "http://not.exists"})) == (404, "*", "GET")
    refused = httpx.put(f"{url}/x", content=b"x", headers={"Origin": "http://www.example1.com"})
    assert allowed(refused) == (403, "http://www.example1.com", "PUT, DELETE")
    assert allowed(httpx.put(f"{url}/x", content=b"x", headers={"Origin": "http://not.exists"})) == (403, None, None)


def test_a_presigned_call_from_an_origin_matching_a_wildcard_gets_cors_headers(
    s3: BaseClient, public_cors_bucket: str
) -> None:
    s3.put_object(Bucket=public_cors_bucket, Key="private.txt", Body=b"private")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": public_cors_bucket, "Key": "private.txt"})
    answer = httpx.get(url, headers={"Origin": "http://app.example.com"})
    assert allowed(answer)[:2] == (200, "*") and answer.content == b"private"  # the first rule that matches: "*"
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": public_cors_bucket, "Key": "up.txt"})
    put = httpx.put(put_url, content=b"up", headers={"Origin": "http://app.example.com"})
    assert allowed(put) == (200, "http://app.example.com", "GET, PUT")


def test_a_preflight_matches_methods_and_headers_whatever_their_case(
    emulator: EmulatorProcess, public_cors_bucket: str
) -> None:
    preflight = httpx.options(
        f"{emulator.endpoint}/{public_cors_bucket}/k",
        headers={
            "Origin": "http://app.example.com",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "X-Amz-Meta-Owner, x-amz-meta-TAG",
        },
    )
    assert allowed(preflight) == (200, "http://app.example.com", "GET, PUT")


@pytest.mark.parametrize("stream", [SIGNED_STREAM, UNSIGNED_STREAM], ids=["signed", "unsigned"])
@pytest.mark.parametrize(
    ("content_encoding", "stored"),
    [("aws-chunked", None), ("aws-chunked,gzip", "gzip"), ("gzip, aws-chunked", "gzip"), ("AWS-Chunked", None)],
)
def test_an_aws_chunked_upload_is_decoded_and_stored_without_its_framing_coding(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, stream: str, content_encoding: str, stored: str | None
) -> None:
    data = b"a body sent in five-byte chunks"
    target = f"/{bucket}/chunked.txt"
    headers = {"Content-Encoding": content_encoding, "x-amz-decoded-content-length": str(len(data))}
    if stream == UNSIGNED_STREAM:
        headers["x-amz-trailer"] = "x-amz-checksum-crc32"
    headers = signed_headers(emulator, "PUT", target, headers, payload=stream)
    answer = send(emulator, "PUT", target, headers, aws_chunked(data, headers, signed=stream == SIGNED_STREAM))
    assert answer.status == 200, answer.body
    head = s3.head_object(Bucket=bucket, Key="chunked.txt")
    assert (head.get("ContentEncoding"), head["ContentLength"]) == (stored, len(data))
    assert s3.get_object(Bucket=bucket, Key="chunked.txt")["Body"].read() == data


@pytest.mark.parametrize("stream", [SIGNED_STREAM, UNSIGNED_STREAM], ids=["signed", "unsigned"])
def test_aws_chunked_parts_are_stored_as_their_decoded_bytes(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, stream: str
) -> None:
    """Parts are written to disk as they are decoded (emulator.moto.streamed_bodies): a first part of 5 MiB, larger
    than a body the emulator keeps in memory, and a small last one."""
    parts_data = [bytes(range(256)) * (5 * 4096), b"the last part"]
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="chunked-parts")["UploadId"]
    completed = []
    for number, data in enumerate(parts_data, start=1):
        target = f"/{bucket}/chunked-parts?partNumber={number}&uploadId={upload_id}"
        headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data))}
        if stream == UNSIGNED_STREAM:
            headers["x-amz-trailer"] = "x-amz-checksum-crc32"
        headers = signed_headers(emulator, "PUT", target, headers, payload=stream)
        framed = aws_chunked(data, headers, signed=stream == SIGNED_STREAM, chunk_size=64 * 1024)
        answer = send(emulator, "PUT", target, headers, framed)
        assert answer.status == 200, answer.body
        assert answer.headers["etag"] == f'"{hashlib.md5(data).hexdigest()}"'
        completed.append({"PartNumber": number, "ETag": answer.headers["etag"]})
    s3.complete_multipart_upload(
        Bucket=bucket, Key="chunked-parts", UploadId=upload_id, MultipartUpload={"Parts": completed}
    )
    assert s3.get_object(Bucket=bucket, Key="chunked-parts")["Body"].read() == b"".join(parts_data)


def test_an_upload_part_with_broken_framing_is_refused_and_leaves_no_part_or_file(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str
) -> None:
    assert emulator.state_dir is not None
    staged = s3_root(emulator.state_dir) / "tmp"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="broken-part")["UploadId"]
    before = set(staged.iterdir())
    target = f"/{bucket}/broken-part?partNumber=1&uploadId={upload_id}"
    extra = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": "7"}
    headers = signed_headers(emulator, "PUT", target, extra, payload=UNSIGNED_STREAM)
    answer = send(emulator, "PUT", target, headers, b"3\r\nabc\r\nzz\r\nnot hex\r\n")
    assert (answer.status, b"<Code>IncompleteBody</Code>" in answer.body) == (400, True), answer.body
    assert s3.list_parts(Bucket=bucket, Key="broken-part", UploadId=upload_id).get("Parts", []) == []
    assert set(staged.iterdir()) == before


@pytest.mark.parametrize(
    "extra",
    [{}, {"Tagging": "kind=video", "ACL": "public-read"}],
    ids=["plain write", "through moto's handler"],
)
def test_a_large_put_object_is_stored_as_sent(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, extra: dict[str, str]
) -> None:
    """Object bodies are written to disk as they are verified (emulator.moto.streamed_bodies), on the plain-write
    path and on moto's own: 6 MiB, larger than a body the emulator keeps in memory, and a small one."""
    for key, data in (("large.bin", bytes(range(256)) * (6 * 4096)), ("small.txt", b"small")):
        answer = s3.put_object(Bucket=bucket, Key=key, Body=data, **extra)
        assert answer["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
        stored = s3.get_object(Bucket=bucket, Key=key)
        assert (stored["Body"].read(), stored["ContentLength"]) == (data, len(data))
    if extra:
        assert s3.get_object_tagging(Bucket=bucket, Key="large.bin")["TagSet"] == [{"Key": "kind", "Value": "video"}]


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({"If-None-Match": "*"}, 412, "PreconditionFailed"),
        ({"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="}, 400, "BadDigest"),
    ],
    ids=["refused by moto", "refused by its checksum"],
)
def test_a_refused_put_object_keeps_the_object_and_leaves_no_file(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, headers: dict[str, str], status: int, code: str
) -> None:
    """Both refusals come after the body was written to the store: the staged file goes with the request."""
    assert emulator.state_dir is not None
    staged = s3_root(emulator.state_dir) / "tmp"
    s3.put_object(Bucket=bucket, Key="kept.txt", Body=b"the first version")
    before = set(staged.iterdir())
    target = f"/{bucket}/kept.txt"
    body = b"x" * (2 * 1024 * 1024)
    answer = send(emulator, "PUT", target, signed_headers(emulator, "PUT", target, headers, body), body)
    assert (answer.status, f"<Code>{code}</Code>".encode() in answer.body) == (status, True), answer.body
    assert s3.get_object(Bucket=bucket, Key="kept.txt")["Body"].read() == b"the first version"
    assert set(staged.iterdir()) == before


@pytest.mark.parametrize(
    ("stream", "extra", "body", "status", "code"),
    [
        (UNSIGNED_STREAM, {"x-amz-decoded-content-length": "7"}, b"zz\r\nnot hex\r\n", 400, "IncompleteBody"),
        (SIGNED_STREAM, {}, b"3;chunk-signature=0\r\nabc\r\n", 411, "MissingContentLength"),
    ],
    ids=["broken framing", "no decoded length"],
)
def test_a_broken_aws_chunked_upload_is_refused_and_stores_nothing(
    emulator: EmulatorProcess,
    s3: BaseClient,
    bucket: str,
    stream: str,
    extra: dict[str, str],
    body: bytes,
    status: int,
    code: str,
) -> None:
    target = f"/{bucket}/broken.txt?tagging"
    headers = signed_headers(emulator, "PUT", target, {"Content-Encoding": "aws-chunked", **extra}, payload=stream)
    answer = send(emulator, "PUT", target, headers, body)
    assert (answer.status, f"<Code>{code}</Code>".encode() in answer.body) == (status, True), answer.body
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


@pytest.mark.parametrize(
    ("method", "target", "content_type", "status", "code"),
    [
        ("PATCH", "/{bucket}/k", "text/plain", 405, "MethodNotAllowed"),
        ("POST", "/{bucket}/k", "text/plain", 405, "MethodNotAllowed"),
        ("POST", "/{bucket}", "text/plain", 412, "PreconditionFailed"),
    ],
)
def test_a_method_s3_has_no_operation_for_is_refused(
    emulator: EmulatorProcess, bucket: str, method: str, target: str, content_type: str, status: int, code: str
) -> None:
    path = target.format(bucket=bucket)
    body = b"x"
    headers = signed_headers(emulator, method, path, {"Content-Type": content_type}, body)
    answer = send(emulator, method, path, headers, body)
    assert (answer.status, f"<Code>{code}</Code>".encode() in answer.body) == (status, True), answer.body
