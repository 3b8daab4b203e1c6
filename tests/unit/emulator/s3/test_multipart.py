"""Completion bodies, part numbers, part ranges, copy ranges and ObjectParts follow S3's multipart rules."""

from __future__ import annotations

import pytest

from emulator.s3.errors import S3Error
from emulator.s3.multipart import (
    completed_parts,
    copy_source,
    copy_source_range,
    object_parts,
    part_number,
    part_range,
)

NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


def refusal(call: object, *args: object, **kwargs: object) -> tuple[str, int]:
    with pytest.raises(S3Error) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value.code, caught.value.status


def completion(*parts: tuple[str, str]) -> bytes:
    listed = "".join(f"<Part><PartNumber>{number}</PartNumber><ETag>{etag}</ETag></Part>" for number, etag in parts)
    return f"<CompleteMultipartUpload {NS}>{listed}</CompleteMultipartUpload>".encode()


def test_a_completion_lists_its_parts_in_order() -> None:
    assert completed_parts(completion(("1", '"a"'), ("3", "b"))) == [(1, '"a"'), (3, "b")]


@pytest.mark.parametrize(
    "body",
    [b"", b"not xml", completion(), completion(("one", "a")), b"<Other><Part/></Other>", completion(("1", "a"))[:-5]],
)
def test_a_completion_body_that_lists_no_readable_part_is_malformed(body: bytes) -> None:
    assert refusal(completed_parts, body) == ("MalformedXML", 400)


@pytest.mark.parametrize("order", [("2", "1"), ("1", "1")])
def test_parts_out_of_ascending_order_are_refused(order: tuple[str, str]) -> None:
    assert refusal(completed_parts, completion((order[0], "a"), (order[1], "b"))) == ("InvalidPartOrder", 400)


@pytest.mark.parametrize("raw", ["0", "10001", "-1", "one", ""])
def test_a_part_number_is_an_integer_from_1_to_10000(raw: str) -> None:
    assert refusal(part_number, raw) == ("InvalidArgument", 400)
    assert part_number("10000") == 10000


def test_a_part_of_a_multipart_object_is_its_byte_range_with_the_parts_count() -> None:
    part = part_range([5, 5, 2], 12, 2)
    assert (part.start, part.end, part.parts_count, part.content_range) == (5, 9, 3, "bytes 5-9/12")


def test_part_one_of_an_object_not_uploaded_in_parts_is_the_whole_object() -> None:
    part = part_range(None, 4, 1)
    assert (part.start, part.end, part.parts_count, part.content_range) == (0, 3, None, "bytes 0-3/4")


def test_a_part_past_the_last_is_not_satisfiable() -> None:
    assert refusal(part_range, [5, 2], 7, 3) == ("InvalidPartNumber", 416)
    assert refusal(part_range, None, 4, 2) == ("InvalidPartNumber", 416)


def test_a_copy_range_is_first_to_last_within_the_source() -> None:
    assert copy_source_range("bytes=0-4", 5) == (0, 4)
    assert refusal(copy_source_range, "bytes=0-5", 5) == ("InvalidRange", 416)


@pytest.mark.parametrize("header", ["0-2", "bytes=0", "bytes=hello-world", "bytes=0-bar", "bytes=3-1", "bytes=0-2,3-5"])
def test_a_copy_range_not_of_the_form_bytes_first_last_is_invalid(header: str) -> None:
    assert refusal(copy_source_range, header, 100) == ("InvalidArgument", 400)


def test_a_copy_source_names_bucket_key_and_version() -> None:
    assert copy_source("/bucket/a%20b/c?versionId=v1") == ("bucket", "a b/c", "v1")
    assert copy_source("bucket/key") == ("bucket", "key", None)


def test_object_parts_page_by_marker_and_max_parts() -> None:
    parts = object_parts([5, 5, 2], max_parts="1", marker="1")
    assert parts == {
        "TotalPartsCount": 3,
        "PartNumberMarker": 1,
        "MaxParts": 1,
        "IsTruncated": True,
        "NextPartNumberMarker": 2,
        "Parts": [{"PartNumber": 2, "Size": 5}],
    }
    assert object_parts([5, 2], max_parts=None, marker=None)["Parts"] == [
        {"PartNumber": 1, "Size": 5},
        {"PartNumber": 2, "Size": 2},
    ]
    assert refusal(object_parts, [5], max_parts="many", marker=None) == ("InvalidArgument", 400)
