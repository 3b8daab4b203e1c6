"""Plain GetObject, HeadObject and PutObject calls, which the emulator serves without moto's web stack, get the very
answer moto gives. Each is compared with the same call made non-plain by a header no one reads (so moto serves it):
same status, headers and body for reads; for writes the same answer, and the same object read back."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from emulator.process import EmulatorProcess

PER_RESPONSE = {"date", "x-amzn-requestid", "x-amz-request-id", "x-amz-id-2"}
PER_WRITE = {"last-modified", "x-amz-version-id"}  # two writes differ in these even when moto does both
Answer = tuple[int, dict[str, str], bytes]


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess() as process:
        client = process.client("s3")
        client.create_bucket(Bucket="reads")
        client.create_bucket(Bucket="reads-versioned")
        client.put_bucket_versioning(Bucket="reads-versioned", VersioningConfiguration={"Status": "Enabled"})
        yield process


@pytest.fixture(scope="module")
def s3(emulator: EmulatorProcess) -> BaseClient:
    return emulator.client("s3")


@pytest.fixture(scope="module")
def via_moto(emulator: EmulatorProcess) -> BaseClient:
    """A client whose every request carries a header outside the plain-request allow-list: moto serves it all."""
    client = emulator.client("s3")

    def add_header(request: Any, **_: Any) -> None:
        request.headers["x-sst-test-via-moto"] = "1"

    client.meta.events.register("before-sign.s3", add_header)
    return client


def answer(response: dict[str, Any], body: bytes = b"", *, ignore: set[str] = PER_RESPONSE) -> Answer:
    metadata = response["ResponseMetadata"]
    headers = {name: value for name, value in metadata["HTTPHeaders"].items() if name not in ignore}
    return metadata["HTTPStatusCode"], headers, body


def get(s3: BaseClient, *, ignore: set[str] = PER_RESPONSE, **parameters: Any) -> Answer:
    response = s3.get_object(**parameters)
    return answer(response, response["Body"].read(), ignore=ignore)


OBJECTS: dict[str, dict[str, Any]] = {
    "plain": {"Body": b"hello"},
    "typed, with metadata and caching headers": {
        "Body": b"<p>hi</p>",
        "ContentType": "text/html",
        "Metadata": {"Owner": "ana", "camelCase": "Yes"},
        "CacheControl": "max-age=60",
        "ContentDisposition": 'attachment; filename="hi.html"',
        "ContentLanguage": "en",
        "Expires": "Wed, 21 Oct 2026 07:28:00 GMT",
    },
    "untyped": {"Body": b"\x00\x01binary"},
    "empty": {"Body": b""},
    "with a SHA-256 checksum": {"Body": b"checked", "ChecksumAlgorithm": "SHA256"},
    "larger than the in-memory body limit": {"Body": b"L" * (1024 * 1024 + 7)},
    "tagged, encrypted, infrequent access": {
        "Body": b"x" * 2048,
        "Tagging": "team=photos&stage=dev",
        "ServerSideEncryption": "AES256",
        "StorageClass": "STANDARD_IA",
    },
    "with a website redirect": {"Body": b"moved", "WebsiteRedirectLocation": "/elsewhere"},
}
KEYS = ["photo.png", "a b/ü+%?#.txt", "./dots/../x", "deep/" * 20 + "leaf"]


@pytest.mark.parametrize("kind", OBJECTS)
@pytest.mark.parametrize("bucket", ["reads", "reads-versioned"])
def test_a_plain_write_and_its_plain_reads_get_the_answers_moto_gives(
    s3: BaseClient, via_moto: BaseClient, kind: str, bucket: str
) -> None:
    plain_key, moto_key = f"plain/{kind}", f"moto/{kind}"
    ignore = PER_RESPONSE | PER_WRITE
    written = answer(s3.put_object(Bucket=bucket, Key=plain_key, **OBJECTS[kind]), ignore=ignore)
    assert written == answer(via_moto.put_object(Bucket=bucket, Key=moto_key, **OBJECTS[kind]), ignore=ignore)
    plain = get(s3, Bucket=bucket, Key=plain_key, ignore=ignore)
    assert plain[0] == 200 and plain[2] == OBJECTS[kind]["Body"]
    assert plain == get(via_moto, Bucket=bucket, Key=moto_key, ignore=ignore)
    assert get(s3, Bucket=bucket, Key=plain_key) == get(via_moto, Bucket=bucket, Key=plain_key)
    for checksum_mode in ({}, {"ChecksumMode": "ENABLED"}):
        head = answer(s3.head_object(Bucket=bucket, Key=plain_key, **checksum_mode))
        assert head == answer(via_moto.head_object(Bucket=bucket, Key=plain_key, **checksum_mode))
        assert head[1]["content-length"] == str(len(OBJECTS[kind]["Body"]))
    for read_back in ("get_object_acl", "get_object_tagging"):
        plain_side, moto_side = (
            answer(getattr(client, read_back)(Bucket=bucket, Key=key), ignore=ignore)
            for client, key in ((s3, plain_key), (s3, moto_key))
        )
        assert plain_side == moto_side


def test_a_plain_write_is_private_in_a_public_bucket_as_through_moto(s3: BaseClient, via_moto: BaseClient) -> None:
    s3.create_bucket(Bucket="reads-shared", ACL="public-read")
    s3.put_object(Bucket="reads-shared", Key="plain", Body=b"x")
    via_moto.put_object(Bucket="reads-shared", Key="moto", Body=b"x")
    grants = [s3.get_object_acl(Bucket="reads-shared", Key=key)["Grants"] for key in ("plain", "moto")]
    assert grants[0] == grants[1] and len(grants[0]) == 1  # the owner's only: S3 does not pass the bucket's ACL on


def test_a_small_multipart_object_reads_with_its_composite_checksum_as_from_moto(
    s3: BaseClient, via_moto: BaseClient
) -> None:
    upload = s3.create_multipart_upload(Bucket="reads", Key="joined", ChecksumAlgorithm="SHA256")
    part = s3.upload_part(
        Bucket="reads",
        Key="joined",
        UploadId=upload["UploadId"],
        PartNumber=1,
        Body=b"one part",
        ChecksumAlgorithm="SHA256",
    )
    s3.complete_multipart_upload(
        Bucket="reads",
        Key="joined",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"], "ChecksumSHA256": part["ChecksumSHA256"]}]},
    )
    plain = get(s3, Bucket="reads", Key="joined", ChecksumMode="ENABLED")
    assert plain[1]["x-amz-checksum-type"] == "COMPOSITE" and plain[1]["x-amz-checksum-sha256"].endswith("-1")
    assert plain == get(via_moto, Bucket="reads", Key="joined", ChecksumMode="ENABLED")


@pytest.mark.parametrize("key", KEYS)
def test_keys_are_found_as_moto_finds_them(s3: BaseClient, via_moto: BaseClient, key: str) -> None:
    body = hashlib.sha256(key.encode()).digest()
    s3.put_object(Bucket="reads", Key=key, Body=body)
    plain = get(s3, Bucket="reads", Key=key)
    assert plain[2] == body
    assert plain == get(via_moto, Bucket="reads", Key=key)
    assert [item["Key"] for item in s3.list_objects_v2(Bucket="reads", Prefix=key)["Contents"]][0] == key


def test_what_a_plain_request_cannot_answer_is_still_answered_by_moto(s3: BaseClient) -> None:
    with pytest.raises(ClientError) as missing:
        s3.get_object(Bucket="reads", Key="never-written")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"
    with pytest.raises(ClientError) as no_bucket:
        s3.put_object(Bucket="never-created", Key="a", Body=b"x")
    assert no_bucket.value.response["Error"]["Code"] == "NoSuchBucket"
    s3.put_object(Bucket="reads-versioned", Key="gone", Body=b"soon deleted")
    s3.delete_object(Bucket="reads-versioned", Key="gone")
    with pytest.raises(ClientError) as deleted:
        s3.head_object(Bucket="reads-versioned", Key="gone")
    assert deleted.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    s3.put_object(Bucket="reads", Key="cold", Body=b"archived", StorageClass="GLACIER")
    with pytest.raises(ClientError) as archived:
        s3.get_object(Bucket="reads", Key="cold")
    assert archived.value.response["Error"]["Code"] == "InvalidObjectState"
