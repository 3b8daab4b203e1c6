"""Multipart uploads answer as S3 documents: reads of one part (`partNumber`), `ObjectParts`, part copies with a range,
re-sent parts, completion checks (unknown upload, no parts, order, size, conditions), and no version id on an
unversioned bucket. Objects keep their part layout across an emulator restart."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from botocore.client import BaseClient

from emulator.process import EmulatorProcess
from tests.integration.s3.answers import error_of
from tests.integration.s3.conftest import NO_RETRIES
from tests.integration.s3.raw_requests import send, signed_headers

MIB = 1024 * 1024
PART = 5 * MIB


def upload(s3: BaseClient, bucket: str, key: str, parts: list[bytes]) -> tuple[str, list[dict[str, Any]]]:
    """An upload of `parts` (numbered from 1), not completed: its id and the parts to complete it with."""
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    listed = [
        {
            "PartNumber": number,
            "ETag": s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data)["ETag"],
        }
        for number, data in enumerate(parts, start=1)
    ]
    return upload_id, listed


def complete(s3: BaseClient, bucket: str, key: str, upload_id: str, parts: list[dict[str, Any]], **extra: Any) -> Any:
    return s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}, **extra
    )


@pytest.fixture(scope="module")
def three_parts() -> list[bytes]:
    return [os.urandom(PART), os.urandom(PART), os.urandom(1000)]


@pytest.fixture
def multipart_object(s3: BaseClient, bucket: str, three_parts: list[bytes]) -> tuple[str, str]:
    """`bucket`'s object `mp`, completed from `three_parts`; returns its bucket and ETag."""
    upload_id, parts = upload(s3, bucket, "mp", three_parts)
    return bucket, complete(s3, bucket, "mp", upload_id, parts)["ETag"]


def test_reading_a_part_answers_its_bytes_with_the_objects_etag_and_parts_count(
    s3: BaseClient, multipart_object: tuple[str, str], three_parts: list[bytes]
) -> None:
    bucket, etag = multipart_object
    assert etag.endswith('-3"')
    start, total = 0, sum(map(len, three_parts))
    for number, data in enumerate(three_parts, start=1):
        read = s3.get_object(Bucket=bucket, Key="mp", PartNumber=number)
        assert read["ResponseMetadata"]["HTTPStatusCode"] == 206
        assert (read["ETag"], read["PartsCount"], read["ContentLength"]) == (etag, 3, len(data))
        assert read["ContentRange"] == f"bytes {start}-{start + len(data) - 1}/{total}"
        assert read["Body"].read() == data
        head = s3.head_object(Bucket=bucket, Key="mp", PartNumber=number)
        assert (head["ETag"], head["PartsCount"], head["ContentLength"]) == (etag, 3, len(data))
        assert head["ResponseMetadata"]["HTTPStatusCode"] == 206
        start += len(data)


def test_a_part_past_the_last_is_416_invalid_part_number(s3: BaseClient, multipart_object: tuple[str, str]) -> None:
    bucket, _ = multipart_object
    assert error_of(lambda: s3.get_object(Bucket=bucket, Key="mp", PartNumber=4)) == (416, "InvalidPartNumber")
    assert error_of(lambda: s3.head_object(Bucket=bucket, Key="mp", PartNumber=4))[0] == 416


def test_part_one_of_an_object_not_uploaded_in_parts_is_the_whole_object(s3: BaseClient, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="single", Body=b"body")["ETag"]
    read = s3.get_object(Bucket=bucket, Key="single", PartNumber=1)
    assert (read["ETag"], read["Body"].read(), read["ContentRange"], "PartsCount" in read) == (
        etag,
        b"body",
        "bytes 0-3/4",
        False,
    )
    assert error_of(lambda: s3.get_object(Bucket=bucket, Key="single", PartNumber=2)) == (416, "InvalidPartNumber")


@pytest.mark.parametrize("number", ["0", "10001", "one"])
def test_a_part_number_outside_1_to_10000_is_invalid(emulator: EmulatorProcess, bucket: str, number: str) -> None:
    s3 = emulator.client("s3", NO_RETRIES)
    s3.put_object(Bucket=bucket, Key="single", Body=b"body")
    target = f"/{bucket}/single?partNumber={number}"
    answer = send(
        emulator, "GET", target, signed_headers(emulator, "GET", target, {"Host": f"127.0.0.1:{emulator.port}"})
    )
    assert (answer.status, b"<Code>InvalidArgument</Code>" in answer.body) == (400, True)


def test_a_part_number_with_a_range_is_an_invalid_request(s3: BaseClient, multipart_object: tuple[str, str]) -> None:
    bucket, _ = multipart_object
    assert error_of(lambda: s3.get_object(Bucket=bucket, Key="mp", PartNumber=1, Range="bytes=0-1")) == (
        400,
        "InvalidRequest",
    )


def test_object_attributes_list_the_parts_page_by_page(s3: BaseClient, multipart_object: tuple[str, str]) -> None:
    bucket, etag = multipart_object
    attributes = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=["ObjectParts", "ETag"])
    assert attributes["ETag"] == etag.strip('"')
    parts = attributes["ObjectParts"]
    assert (parts["TotalPartsCount"], parts["IsTruncated"]) == (3, False)
    assert [(part["PartNumber"], part["Size"]) for part in parts["Parts"]] == [(1, PART), (2, PART), (3, 1000)]
    paged = s3.get_object_attributes(
        Bucket=bucket, Key="mp", ObjectAttributes=["ObjectParts"], MaxParts=1, PartNumberMarker=1
    )["ObjectParts"]
    assert (paged["IsTruncated"], paged["NextPartNumberMarker"], paged["MaxParts"]) == (True, 2, 1)
    assert [part["PartNumber"] for part in paged["Parts"]] == [2]


def test_a_re_sent_part_replaces_the_earlier_one(s3: BaseClient, bucket: str) -> None:
    first, second, tail = os.urandom(PART), os.urandom(PART), b"tail"
    upload_id, parts = upload(s3, bucket, "resent", [first, tail])
    again = s3.upload_part(Bucket=bucket, Key="resent", UploadId=upload_id, PartNumber=1, Body=first)["ETag"]
    assert again == parts[0]["ETag"]
    latest = s3.upload_part(Bucket=bucket, Key="resent", UploadId=upload_id, PartNumber=1, Body=second)["ETag"]
    assert error_of(lambda: complete(s3, bucket, "resent", upload_id, parts)) == (400, "InvalidPart")
    complete(s3, bucket, "resent", upload_id, [{"PartNumber": 1, "ETag": latest}, parts[1]])
    assert s3.get_object(Bucket=bucket, Key="resent")["Body"].read() == second + tail


def test_completing_an_upload_that_does_not_exist_is_no_such_upload(s3: BaseClient, bucket: str) -> None:
    parts = [{"PartNumber": 1, "ETag": '"0123456789abcdef0123456789abcdef"'}]
    assert error_of(lambda: complete(s3, bucket, "k", "no-such-upload", parts)) == (404, "NoSuchUpload")
    assert error_of(
        lambda: s3.upload_part(Bucket=bucket, Key="k", UploadId="no-such-upload", PartNumber=1, Body=b"x")
    ) == (
        404,
        "NoSuchUpload",
    )


def test_a_completion_listing_no_part_is_malformed(s3: BaseClient, bucket: str) -> None:
    upload_id, _ = upload(s3, bucket, "k", [b"x"])
    assert error_of(lambda: complete(s3, bucket, "k", upload_id, [])) == (400, "MalformedXML")
    assert error_of(lambda: s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id)) == (
        400,
        "MalformedXML",
    )


def test_a_completion_body_that_is_not_xml_is_malformed(emulator: EmulatorProcess, bucket: str) -> None:
    s3 = emulator.client("s3", NO_RETRIES)
    upload_id, _ = upload(s3, bucket, "k", [b"x"])
    target, body = f"/{bucket}/k?uploadId={upload_id}", b"<CompleteMultipartUpload><Part>"
    headers = signed_headers(emulator, "POST", target, {"Host": f"127.0.0.1:{emulator.port}"}, body)
    answer = send(emulator, "POST", target, headers, body)
    assert (answer.status, b"<Code>MalformedXML</Code>" in answer.body) == (400, True)


def test_parts_out_of_order_are_invalid_part_order(s3: BaseClient, bucket: str) -> None:
    upload_id, parts = upload(s3, bucket, "k", [os.urandom(PART), b"tail"])
    assert error_of(lambda: complete(s3, bucket, "k", upload_id, parts[::-1])) == (400, "InvalidPartOrder")


def test_a_part_smaller_than_5_mib_that_is_not_the_last_is_entity_too_small(s3: BaseClient, bucket: str) -> None:
    upload_id, parts = upload(s3, bucket, "k", [b"small", b"tail"])
    assert error_of(lambda: complete(s3, bucket, "k", upload_id, parts)) == (400, "EntityTooSmall")


def test_a_completion_holds_to_if_none_match_and_if_match(s3: BaseClient, bucket: str) -> None:
    upload_id, parts = upload(s3, bucket, "k", [b"first"])
    assert error_of(lambda: complete(s3, bucket, "k", upload_id, parts, IfMatch='"any"')) == (404, "NoSuchKey")
    etag = complete(s3, bucket, "k", upload_id, parts, IfNoneMatch="*")["ETag"]
    upload_id, parts = upload(s3, bucket, "k", [b"second"])
    assert error_of(lambda: complete(s3, bucket, "k", upload_id, parts, IfNoneMatch="*")) == (412, "PreconditionFailed")
    assert error_of(lambda: complete(s3, bucket, "k", upload_id, parts, IfMatch='"other"')) == (
        412,
        "PreconditionFailed",
    )
    complete(s3, bucket, "k", upload_id, parts, IfMatch=etag)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"second"


def test_put_object_holds_to_if_none_match_and_if_match(s3: BaseClient, bucket: str) -> None:
    assert error_of(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x", IfMatch='"any"')) == (404, "NoSuchKey")
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"x", IfNoneMatch="*")["ETag"]
    assert error_of(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"y", IfNoneMatch="*")) == (
        412,
        "PreconditionFailed",
    )
    assert error_of(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"y", IfMatch='"other"')) == (
        412,
        "PreconditionFailed",
    )
    s3.put_object(Bucket=bucket, Key="k", Body=b"y", IfMatch=etag)


def test_multipart_answers_on_an_unversioned_bucket_carry_no_version_id(s3: BaseClient, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="source", Body=b"0123456789")
    upload_id, parts = upload(s3, bucket, "k", [])
    copied = s3.upload_part_copy(
        Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, CopySource={"Bucket": bucket, "Key": "source"}
    )
    completed = complete(s3, bucket, "k", upload_id, [{"PartNumber": 1, "ETag": copied["CopyPartResult"]["ETag"]}])
    for answer in (copied, completed):
        assert "VersionId" not in answer
        assert "x-amz-version-id" not in answer["ResponseMetadata"]["HTTPHeaders"]


@pytest.mark.parametrize(
    "copy_range", ["0-2", "bytes=0", "bytes=hello-world", "bytes=0-bar", "bytes=3-1", "bytes=0-2,3-5"]
)
def test_a_copy_range_not_of_the_form_bytes_first_last_is_invalid(s3: BaseClient, bucket: str, copy_range: str) -> None:
    s3.put_object(Bucket=bucket, Key="source", Body=b"01234")
    upload_id, _ = upload(s3, bucket, "k", [])
    source = {"Bucket": bucket, "Key": "source"}
    call = lambda: s3.upload_part_copy(  # noqa: E731
        Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, CopySource=source, CopySourceRange=copy_range
    )
    assert error_of(call) == (400, "InvalidArgument")


def test_a_copy_range_past_the_source_is_invalid_range_and_one_within_copies_those_bytes(
    s3: BaseClient, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="source", Body=b"01234")
    upload_id, _ = upload(s3, bucket, "k", [])
    source = {"Bucket": bucket, "Key": "source"}

    def copy(copy_range: str) -> Any:
        return s3.upload_part_copy(
            Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, CopySource=source, CopySourceRange=copy_range
        )

    assert error_of(lambda: copy("bytes=0-21")) == (416, "InvalidRange")
    etag = copy("bytes=1-3")["CopyPartResult"]["ETag"]
    complete(s3, bucket, "k", upload_id, [{"PartNumber": 1, "ETag": etag}])
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"123"


def test_an_object_keeps_its_parts_across_a_restart(restart: Callable[[], BaseClient]) -> None:
    s3 = restart()
    s3.create_bucket(Bucket="parts")
    data = [os.urandom(PART), b"tail"]
    upload_id, parts = upload(s3, "parts", "mp", data)
    complete(s3, "parts", "mp", upload_id, parts)
    s3 = restart()
    read = s3.get_object(Bucket="parts", Key="mp", PartNumber=2)
    assert (read["PartsCount"], read["Body"].read()) == (2, b"tail")
    parts_listed = s3.get_object_attributes(Bucket="parts", Key="mp", ObjectAttributes=["ObjectParts"])["ObjectParts"]
    assert [part["Size"] for part in parts_listed["Parts"]] == [PART, 4]
