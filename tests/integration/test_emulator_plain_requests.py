"""Plain GetObject and HeadObject calls, which the emulator answers without moto's web stack, get the very answer
moto gives: for each kind of object, a plain read and the same read made non-plain (a condition that does not hold,
so moto answers it) return the same status, headers and body."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from emulator.process import EmulatorProcess

PER_RESPONSE = {"date", "x-amzn-requestid", "x-amz-request-id", "x-amz-id-2"}
NOT_THE_ETAG = '"not-the-etag"'


@pytest.fixture(scope="module")
def s3() -> Iterator[BaseClient]:
    with EmulatorProcess() as emulator:
        client = emulator.client("s3")
        client.create_bucket(Bucket="reads")
        client.create_bucket(Bucket="reads-versioned")
        client.put_bucket_versioning(Bucket="reads-versioned", VersioningConfiguration={"Status": "Enabled"})
        yield client


def answer(response: dict[str, Any], body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    metadata = response["ResponseMetadata"]
    headers = {name: value for name, value in metadata["HTTPHeaders"].items() if name not in PER_RESPONSE}
    return metadata["HTTPStatusCode"], headers, body


def get(s3: BaseClient, **parameters: Any) -> tuple[int, dict[str, str], bytes]:
    response = s3.get_object(**parameters)
    return answer(response, response["Body"].read())


OBJECTS: dict[str, dict[str, Any]] = {
    "plain": {"Body": b"hello"},
    "typed, with metadata and caching headers": {
        "Body": b"<p>hi</p>",
        "ContentType": "text/html",
        "Metadata": {"Owner": "ana", "camelCase": "Yes"},
        "CacheControl": "max-age=60",
        "ContentDisposition": 'attachment; filename="hi.html"',
        "ContentEncoding": "identity",
        "ContentLanguage": "en",
    },
    "untyped": {"Body": b"\x00\x01binary"},
    "empty": {"Body": b""},
    "tagged, encrypted, infrequent access": {
        "Body": b"x" * 2048,
        "Tagging": "team=photos&stage=dev",
        "ServerSideEncryption": "AES256",
        "StorageClass": "STANDARD_IA",
    },
    "with a SHA-256 checksum": {"Body": b"checked", "ChecksumAlgorithm": "SHA256"},
    "with a website redirect": {"Body": b"moved", "WebsiteRedirectLocation": "/elsewhere"},
}
KEYS = ["photo.png", "a b/ü+%?#.txt", "./dots/../x", "deep/" * 20 + "leaf"]


@pytest.mark.parametrize("kind", OBJECTS)
@pytest.mark.parametrize("bucket", ["reads", "reads-versioned"])
def test_a_plain_read_gets_the_answer_moto_gives(s3: BaseClient, kind: str, bucket: str) -> None:
    key = f"objects/{kind}"
    s3.put_object(Bucket=bucket, Key=key, **OBJECTS[kind])
    plain = get(s3, Bucket=bucket, Key=key)
    assert plain[0] == 200 and plain[2] == OBJECTS[kind]["Body"]
    assert plain == get(s3, Bucket=bucket, Key=key, IfNoneMatch=NOT_THE_ETAG)
    for checksum_mode in ({}, {"ChecksumMode": "ENABLED"}):
        head = answer(s3.head_object(Bucket=bucket, Key=key, **checksum_mode))
        assert head == answer(s3.head_object(Bucket=bucket, Key=key, IfNoneMatch=NOT_THE_ETAG, **checksum_mode))
        assert head[1]["content-length"] == str(len(OBJECTS[kind]["Body"]))


def test_a_small_multipart_object_reads_with_its_composite_checksum_as_from_moto(s3: BaseClient) -> None:
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
    assert plain == get(s3, Bucket="reads", Key="joined", ChecksumMode="ENABLED", IfNoneMatch=NOT_THE_ETAG)


@pytest.mark.parametrize("key", KEYS)
def test_keys_are_found_as_moto_finds_them(s3: BaseClient, key: str) -> None:
    body = hashlib.sha256(key.encode()).digest()
    s3.put_object(Bucket="reads", Key=key, Body=body)
    plain = get(s3, Bucket="reads", Key=key)
    assert plain[2] == body
    assert plain == get(s3, Bucket="reads", Key=key, IfNoneMatch=NOT_THE_ETAG)


def test_what_a_plain_read_cannot_answer_is_still_answered_by_moto(s3: BaseClient) -> None:
    with pytest.raises(ClientError) as missing:
        s3.get_object(Bucket="reads", Key="never-written")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"
    s3.put_object(Bucket="reads-versioned", Key="gone", Body=b"soon deleted")
    s3.delete_object(Bucket="reads-versioned", Key="gone")
    with pytest.raises(ClientError) as deleted:
        s3.head_object(Bucket="reads-versioned", Key="gone")
    assert deleted.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    s3.put_object(Bucket="reads", Key="cold", Body=b"archived", StorageClass="GLACIER")
    with pytest.raises(ClientError) as archived:
        s3.get_object(Bucket="reads", Key="cold")
    assert archived.value.response["Error"]["Code"] == "InvalidObjectState"
    large = b"L" * (1024 * 1024 + 1)  # beyond what a plain read answers at once: moto's path streams it
    s3.put_object(Bucket="reads", Key="large", Body=large)
    assert s3.get_object(Bucket="reads", Key="large")["Body"].read() == large
