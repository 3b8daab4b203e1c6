"""S3's data integrity through real clients: a body that does not match its Content-MD5 or x-amz-checksum-* is refused
with S3's error and nothing is stored; the checksum kept (the client's, or S3's default CRC64NVME) comes back with
ChecksumMode and GetObjectAttributes; multipart uploads keep part checksums and complete into COMPOSITE or FULL_OBJECT
checksums; and all of it survives a restart and a kill -9."""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from awscrt import checksums as crt
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from devserver.aws.local_aws import EXECUTE_API_MIDDLEWARE, GUARD_MIDDLEWARE, IAM_MIDDLEWARE
from emulator.process import EmulatorProcess
from tests.integration.s3.conftest import NO_RETRIES
from tests.integration.s3.raw_requests import UNSIGNED_STREAM, Answer, send, signed_headers

BODY = b"integrity matters " * 64
PART = 5 * 1024 * 1024  # S3's smallest part but the last
ALGORITHMS = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "SHA512", "MD5", "XXHASH64", "XXHASH3", "XXHASH128"]


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def checksum(algorithm: str, data: bytes) -> str:
    """The base64 checksum S3 computes, worked out here with the libraries directly, not the emulator's code."""
    raw = {
        "CRC32": lambda: zlib.crc32(data).to_bytes(4, "big"),
        "CRC32C": lambda: crt.crc32c(data).to_bytes(4, "big"),
        "CRC64NVME": lambda: crt.crc64nvme(data).to_bytes(8, "big"),
        "XXHASH64": lambda: crt.XXHash.compute_xxhash64(data),
        "XXHASH3": lambda: crt.XXHash.compute_xxhash3_64(data),
        "XXHASH128": lambda: crt.XXHash.compute_xxhash3_128(data),
    }.get(algorithm, lambda: hashlib.new(algorithm.lower(), data).digest())()
    return b64(raw)


def md5(data: bytes) -> str:
    return b64(hashlib.md5(data).digest())


def refused(call: Any, **parameters: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as error:
        call(**parameters)
    response = error.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def raw_put(emulator: EmulatorProcess, target: str, body: bytes, headers: dict[str, str], **signing: Any) -> Answer:
    """A SigV4-signed PUT with exactly these headers, which boto3 would correct or refuse to send."""
    return send(emulator, "PUT", target, signed_headers(emulator, "PUT", target, headers, body, **signing), body)


def xml_error(answer: Answer) -> tuple[int, str, str]:
    root = ElementTree.fromstring(answer.body)
    return answer.status, root.findtext("Code") or "", root.findtext("Message") or ""


def stored(s3: BaseClient, bucket: str, key: str) -> bytes | None:
    try:
        return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except ClientError as error:
        assert error.response["Error"]["Code"] == "NoSuchKey"
        return None


def kept(s3: BaseClient, bucket: str, key: str) -> dict[str, str]:
    """The checksum headers of a HeadObject with ChecksumMode=ENABLED."""
    headers = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")["ResponseMetadata"]["HTTPHeaders"]
    return {name: value for name, value in headers.items() if name.startswith("x-amz-checksum-")}


# Single PUTs --------------------------------------------------------------------------------------------------------


def test_a_put_with_its_bodys_content_md5_is_stored(s3: BaseClient, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="md5", Body=BODY, ContentMD5=md5(BODY))
    assert stored(s3, bucket, "md5") == BODY


def test_a_put_whose_content_md5_does_not_match_is_a_bad_digest_and_changes_nothing(
    s3: BaseClient, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="kept", Body=b"first version")
    for key in ("kept", "never"):
        assert refused(s3.put_object, Bucket=bucket, Key=key, Body=BODY, ContentMD5=md5(b"other")) == (
            400,
            "BadDigest",
            "The Content-MD5 you specified did not match what we received.",
        )
    assert stored(s3, bucket, "kept") == b"first version"
    assert stored(s3, bucket, "never") is None


@pytest.mark.parametrize("value", ["", "not-an-md5", hashlib.md5(BODY).hexdigest()])
def test_a_content_md5_that_is_not_an_md5_is_an_invalid_digest(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, value: str
) -> None:
    response = raw_put(emulator, f"/{bucket}/invalid-md5", BODY, {"Content-MD5": value})
    assert xml_error(response) == (400, "InvalidDigest", "The Content-MD5 you specified was invalid.")
    assert stored(s3, bucket, "invalid-md5") is None


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_each_algorithm_is_verified_kept_and_returned(s3: BaseClient, bucket: str, algorithm: str) -> None:
    expected = checksum(algorithm, BODY)  # boto3 computes only the first five itself
    answer = s3.put_object(Bucket=bucket, Key="checked", Body=BODY, **{f"Checksum{algorithm}": expected})
    assert (answer[f"Checksum{algorithm}"], answer["ChecksumType"]) == (expected, "FULL_OBJECT")
    got = s3.get_object(Bucket=bucket, Key="checked", ChecksumMode="ENABLED")  # botocore validates the body against it
    assert (got["Body"].read(), got[f"Checksum{algorithm}"], got["ChecksumType"]) == (BODY, expected, "FULL_OBJECT")
    assert kept(s3, bucket, "checked") == {
        f"x-amz-checksum-{algorithm.lower()}": expected,
        "x-amz-checksum-type": "FULL_OBJECT",
    }
    attributes = s3.get_object_attributes(Bucket=bucket, Key="checked", ObjectAttributes=["Checksum"])
    assert attributes["Checksum"] == {f"Checksum{algorithm}": expected, "ChecksumType": "FULL_OBJECT"}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_checksum_of_other_bytes_is_a_bad_digest_and_changes_nothing(
    s3: BaseClient, bucket: str, algorithm: str
) -> None:
    s3.put_object(Bucket=bucket, Key="kept", Body=b"first version")
    wrong = {f"Checksum{algorithm}": checksum(algorithm, b"other bytes")}
    for key in ("kept", "never"):
        assert refused(s3.put_object, Bucket=bucket, Key=key, Body=BODY, **wrong) == (
            400,
            "BadDigest",
            f"The {algorithm} you specified did not match the calculated checksum.",
        )
    assert stored(s3, bucket, "kept") == b"first version" and stored(s3, bucket, "never") is None


def test_without_a_checksum_an_object_gets_s3s_default_crc64nvme(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str
) -> None:
    assert raw_put(emulator, f"/{bucket}/plain", BODY, {}).status == 200
    assert kept(s3, bucket, "plain") == {
        "x-amz-checksum-crc64nvme": checksum("CRC64NVME", BODY),
        "x-amz-checksum-type": "FULL_OBJECT",
    }


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"x-amz-checksum-crc32": "bad"}, "Value for x-amz-checksum-crc32 header is invalid."),
        (
            {"x-amz-checksum-crc32": checksum("CRC32", BODY), "x-amz-checksum-sha1": checksum("SHA1", BODY)},
            "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
        ),
        (
            {"x-amz-sdk-checksum-algorithm": "SHA256"},
            "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers "
            "were found.",
        ),
    ],
)
def test_checksum_headers_s3_cannot_follow_are_invalid_requests(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, headers: dict[str, str], message: str
) -> None:
    assert xml_error(raw_put(emulator, f"/{bucket}/malformed", BODY, headers)) == (400, "InvalidRequest", message)
    assert stored(s3, bucket, "malformed") is None


# aws-chunked bodies with trailing checksums -------------------------------------------------------------------------


@pytest.fixture
def trailing_s3(emulator: EmulatorProcess) -> BaseClient:
    """boto3 sending its checksums in trailers of aws-chunked bodies, as it does over HTTPS (and the JS SDK always)."""
    client = emulator.client("s3", NO_RETRIES)

    def to_trailer(params: dict[str, Any], **_: Any) -> None:
        algorithm = params.get("context", {}).get("checksum", {}).get("request_algorithm")
        if algorithm:
            algorithm["in"] = "trailer"

    client.meta.events.register("before-call.s3.*", to_trailer)
    return client


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA256"])
def test_a_checksum_in_a_trailer_is_verified_and_kept(
    trailing_s3: BaseClient, s3: BaseClient, bucket: str, algorithm: str
) -> None:
    trailing_s3.put_object(Bucket=bucket, Key="trailed", Body=BODY, ChecksumAlgorithm=algorithm)
    assert stored(s3, bucket, "trailed") == BODY
    assert kept(s3, bucket, "trailed")[f"x-amz-checksum-{algorithm.lower()}"] == checksum(algorithm, BODY)


def test_a_trailer_of_other_bytes_is_a_bad_digest_and_a_missing_one_malformed(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str
) -> None:
    def chunked(trailers: str) -> bytes:
        return b"%x\r\n%s\r\n0\r\n%s\r\n" % (len(BODY), BODY, trailers.encode())

    headers = {
        "Content-Encoding": "aws-chunked",
        "X-Amz-Decoded-Content-Length": str(len(BODY)),
        "X-Amz-Trailer": "x-amz-checksum-crc32",
    }
    wrong = chunked(f"x-amz-checksum-crc32:{checksum('CRC32', b'other')}\r\n")
    assert xml_error(raw_put(emulator, f"/{bucket}/trailed", wrong, headers, payload=UNSIGNED_STREAM)) == (
        400,
        "BadDigest",
        "The CRC32 you specified did not match the calculated checksum.",
    )
    assert xml_error(raw_put(emulator, f"/{bucket}/trailed", chunked(""), headers, payload=UNSIGNED_STREAM))[1] == (
        "MalformedTrailerError"
    )
    assert stored(s3, bucket, "trailed") is None


# Multipart uploads --------------------------------------------------------------------------------------------------


def upload(
    s3: BaseClient, bucket: str, key: str, bodies: list[bytes], **create: Any
) -> tuple[str, list[dict[str, Any]]]:
    """Create an upload and send `bodies` as its parts, each with the upload's algorithm if it has one."""
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, **create)["UploadId"]
    algorithm = create.get("ChecksumAlgorithm")
    parts = []
    for number, body in enumerate(bodies, start=1):
        extra = {"ChecksumAlgorithm": algorithm} if algorithm else {}
        answer = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body, **extra)
        part = {"PartNumber": number, "ETag": answer["ETag"]}
        if algorithm:
            part[f"Checksum{algorithm}"] = answer[f"Checksum{algorithm}"]
        parts.append(part)
    return upload_id, parts


def test_an_upload_part_is_verified_like_a_put(s3: BaseClient, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="parts", ChecksumAlgorithm="SHA256")["UploadId"]
    part = {"Bucket": bucket, "Key": "parts", "UploadId": upload_id, "Body": BODY}
    s3.upload_part(PartNumber=1, ContentMD5=md5(BODY), ChecksumSHA256=checksum("SHA256", BODY), **part)
    assert refused(s3.upload_part, PartNumber=2, ContentMD5=md5(b"x"), ChecksumAlgorithm="SHA256", **part) == (
        400,
        "BadDigest",
        "The Content-MD5 you specified did not match what we received.",
    )
    assert refused(s3.upload_part, PartNumber=3, ChecksumSHA256=checksum("SHA256", b"x"), **part) == (
        400,
        "BadDigest",
        "The SHA256 you specified did not match the calculated checksum.",
    )
    assert refused(s3.upload_part, PartNumber=4, ChecksumCRC32=checksum("CRC32", BODY), **part) == (
        400,
        "InvalidRequest",
        "Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: crc32",
    )
    listed = s3.list_parts(Bucket=bucket, Key="parts", UploadId=upload_id)
    assert (listed["ChecksumAlgorithm"], listed["ChecksumType"]) == ("SHA256", "COMPOSITE")
    assert [(p["PartNumber"], p["ChecksumSHA256"]) for p in listed["Parts"]] == [(1, checksum("SHA256", BODY))]


def test_an_invalid_content_md5_on_an_upload_part_is_an_invalid_digest(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str
) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="parts")["UploadId"]
    answer = raw_put(emulator, f"/{bucket}/parts?partNumber=1&uploadId={upload_id}", BODY, {"Content-MD5": ""})
    assert xml_error(answer)[:2] == (400, "InvalidDigest")
    assert s3.list_parts(Bucket=bucket, Key="parts", UploadId=upload_id).get("Parts", []) == []


def test_a_composite_upload_completes_into_the_checksum_of_its_parts_checksums(s3: BaseClient, bucket: str) -> None:
    bodies = [os.urandom(PART), b"tail"]
    upload_id, parts = upload(s3, bucket, "composite", bodies, ChecksumAlgorithm="SHA256")
    missing = [{key: value for key, value in part.items() if key != "ChecksumSHA256"} for part in parts]
    assert refused(
        s3.complete_multipart_upload,
        Bucket=bucket,
        Key="composite",
        UploadId=upload_id,
        MultipartUpload={"Parts": missing},
    ) == (
        400,
        "InvalidRequest",
        "The upload was created using a sha256 checksum. The complete request must include the checksum for each "
        "part. It was missing for part 1 in the request.",
    )
    answer = s3.complete_multipart_upload(
        Bucket=bucket, Key="composite", UploadId=upload_id, MultipartUpload={"Parts": parts}
    )
    joined = b"".join(hashlib.sha256(body).digest() for body in bodies)
    composite = f"{b64(hashlib.sha256(joined).digest())}-2"
    assert (answer["ChecksumSHA256"], answer["ChecksumType"]) == (composite, "COMPOSITE")
    assert kept(s3, bucket, "composite") == {"x-amz-checksum-sha256": composite, "x-amz-checksum-type": "COMPOSITE"}
    got = s3.get_object(Bucket=bucket, Key="composite", ChecksumMode="ENABLED")
    assert got["ChecksumSHA256"] == composite and got["Body"].read() == b"".join(bodies)
    attributes = s3.get_object_attributes(Bucket=bucket, Key="composite", ObjectAttributes=["Checksum", "ObjectParts"])
    assert attributes["Checksum"] == {"ChecksumSHA256": composite.rpartition("-")[0], "ChecksumType": "COMPOSITE"}
    listed = [(part["PartNumber"], part["ChecksumSHA256"]) for part in attributes["ObjectParts"]["Parts"]]
    assert listed == [(1, checksum("SHA256", bodies[0])), (2, checksum("SHA256", bodies[1]))]


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME"])
def test_a_full_object_upload_completes_into_the_crc_of_the_whole_object(
    s3: BaseClient, bucket: str, algorithm: str
) -> None:
    bodies = [os.urandom(PART), b"tail"]
    whole = checksum(algorithm, b"".join(bodies))
    upload_id, parts = upload(s3, bucket, "full", bodies, ChecksumAlgorithm=algorithm, ChecksumType="FULL_OBJECT")
    complete = {"Bucket": bucket, "Key": "full", "UploadId": upload_id, "MultipartUpload": {"Parts": parts}}
    assert refused(s3.complete_multipart_upload, **complete, **{f"Checksum{algorithm}": checksum(algorithm, b"x")}) == (
        400,
        "BadDigest",
        f"The {algorithm.lower()} you specified did not match the calculated checksum.",
    )
    assert stored(s3, bucket, "full") is None  # and the upload is still there to complete
    answer = s3.complete_multipart_upload(**complete, **{f"Checksum{algorithm}": whole})
    assert (answer[f"Checksum{algorithm}"], answer["ChecksumType"]) == (whole, "FULL_OBJECT")
    assert kept(s3, bucket, "full") == {
        f"x-amz-checksum-{algorithm.lower()}": whole,
        "x-amz-checksum-type": "FULL_OBJECT",
    }


def test_an_upload_without_an_algorithm_completes_into_a_full_object_crc64nvme(s3: BaseClient, bucket: str) -> None:
    bodies = [os.urandom(PART), b"tail"]
    upload_id, parts = upload(s3, bucket, "default", bodies)
    s3.complete_multipart_upload(Bucket=bucket, Key="default", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert kept(s3, bucket, "default") == {
        "x-amz-checksum-crc64nvme": checksum("CRC64NVME", b"".join(bodies)),
        "x-amz-checksum-type": "FULL_OBJECT",
    }


def test_an_upload_whose_checksum_s3_cannot_keep_is_not_created(s3: BaseClient, bucket: str) -> None:
    create = {"Bucket": bucket, "Key": "never", "ChecksumAlgorithm": "SHA256", "ChecksumType": "FULL_OBJECT"}
    assert refused(s3.create_multipart_upload, **create) == (
        400,
        "InvalidRequest",
        "The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm.",
    )
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_a_copy_has_a_whole_object_checksum_of_its_bytes(s3: BaseClient, bucket: str) -> None:
    bodies = [os.urandom(PART), b"tail"]
    upload_id, parts = upload(s3, bucket, "composite", bodies, ChecksumAlgorithm="SHA256")
    s3.complete_multipart_upload(Bucket=bucket, Key="composite", UploadId=upload_id, MultipartUpload={"Parts": parts})
    source = {"Bucket": bucket, "Key": "composite"}
    copied = s3.copy_object(Bucket=bucket, Key="copy", CopySource=source)["CopyObjectResult"]
    whole = checksum("SHA256", b"".join(bodies))
    assert (copied["ChecksumSHA256"], copied["ChecksumType"]) == (whole, "FULL_OBJECT")
    assert s3.get_object(Bucket=bucket, Key="copy", ChecksumMode="ENABLED")["Body"].read() == b"".join(bodies)
    assert kept(s3, bucket, "copy") == {"x-amz-checksum-sha256": whole, "x-amz-checksum-type": "FULL_OBJECT"}
    s3.copy_object(Bucket=bucket, Key="crc32c", CopySource=source, ChecksumAlgorithm="CRC32C")
    assert kept(s3, bucket, "crc32c")["x-amz-checksum-crc32c"] == checksum("CRC32C", b"".join(bodies))


def test_a_part_copied_into_an_upload_has_a_checksum_to_complete_with(s3: BaseClient, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="source", Body=BODY)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="joined", ChecksumAlgorithm="SHA256")["UploadId"]
    copied = s3.upload_part_copy(
        Bucket=bucket, Key="joined", UploadId=upload_id, PartNumber=1, CopySource={"Bucket": bucket, "Key": "source"}
    )["CopyPartResult"]
    assert copied["ChecksumSHA256"] == checksum("SHA256", BODY)
    part = {"PartNumber": 1, "ETag": copied["ETag"], "ChecksumSHA256": copied["ChecksumSHA256"]}
    answer = s3.complete_multipart_upload(
        Bucket=bucket, Key="joined", UploadId=upload_id, MultipartUpload={"Parts": [part]}
    )
    assert answer["ChecksumSHA256"] == f"{b64(hashlib.sha256(hashlib.sha256(BODY).digest()).digest())}-1"


# Restarts -----------------------------------------------------------------------------------------------------------


@pytest.fixture
def state_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "state"


def started(state_dir: Path) -> EmulatorProcess:
    emulator = EmulatorProcess(
        middleware=[EXECUTE_API_MIDDLEWARE, GUARD_MIDDLEWARE, IAM_MIDDLEWARE], state_dir=state_dir
    )
    emulator.start()
    return emulator


@pytest.mark.parametrize("stop", ["restart", "kill -9"])
def test_checksums_survive_a_restart_and_a_kill(state_dir: Path, stop: str) -> None:
    emulator = started(state_dir)
    try:
        s3 = emulator.client("s3", NO_RETRIES)
        s3.create_bucket(Bucket="survivors")
        s3.put_object(Bucket="survivors", Key="sha1", Body=BODY, ChecksumAlgorithm="SHA1")
        bodies = [os.urandom(PART), b"tail"]
        upload_id, parts = upload(s3, "survivors", "composite", bodies, ChecksumAlgorithm="CRC32C")
        s3.complete_multipart_upload(
            Bucket="survivors", Key="composite", UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
        before = {key: kept(s3, "survivors", key) for key in ("sha1", "composite")}
        if stop == "kill -9":
            assert emulator.pid is not None
            os.kill(emulator.pid, signal.SIGKILL)
    finally:
        emulator.stop()
    emulator = started(state_dir)
    try:
        s3 = emulator.client("s3", NO_RETRIES)
        assert {key: kept(s3, "survivors", key) for key in ("sha1", "composite")} == before
        assert before["sha1"]["x-amz-checksum-sha1"] == checksum("SHA1", BODY)
        assert before["composite"]["x-amz-checksum-type"] == "COMPOSITE"
        attributes = s3.get_object_attributes(
            Bucket="survivors", Key="composite", ObjectAttributes=["Checksum", "ObjectParts"]
        )
        composite = before["composite"]["x-amz-checksum-crc32c"]
        assert attributes["Checksum"]["ChecksumCRC32C"] == composite.rpartition("-")[0]
        assert [part["ChecksumCRC32C"] for part in attributes["ObjectParts"]["Parts"]] == [
            part["ChecksumCRC32C"] for part in parts
        ]
    finally:
        emulator.stop()
