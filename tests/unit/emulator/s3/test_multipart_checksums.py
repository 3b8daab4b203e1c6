"""S3's checksum rules for multipart uploads: which algorithm and type an upload may have, the COMPOSITE checksum,
and what a CompleteMultipartUpload must list and may state."""

from __future__ import annotations

import base64
import hashlib
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.s3.checksums import checksum_of
from emulator.s3.errors import S3Error
from emulator.s3.multipart_checksums import (
    CompletedPart,
    check_completed_part,
    check_object_checksum,
    check_part_algorithm,
    completion_checksum,
    composite_checksum,
    listed_parts,
    upload_checksum,
)


def refusal(error: pytest.ExceptionInfo[S3Error]) -> tuple[str, str]:
    return error.value.code, error.value.message


@pytest.mark.parametrize(
    ("algorithm", "checksum_type", "upload"),
    [
        (None, None, None),
        ("SHA256", None, ("SHA256", "COMPOSITE")),
        ("crc32", None, ("CRC32", "COMPOSITE")),
        ("CRC64NVME", None, ("CRC64NVME", "FULL_OBJECT")),
        ("CRC32C", "FULL_OBJECT", ("CRC32C", "FULL_OBJECT")),
        ("CRC32", "composite", ("CRC32", "COMPOSITE")),
        ("md5", None, ("MD5", "COMPOSITE")),
    ],
)
def test_an_upload_takes_its_algorithm_and_s3s_default_type_for_it(
    algorithm: str | None, checksum_type: str | None, upload: tuple[str, str] | None
) -> None:
    assert upload_checksum(algorithm, checksum_type) == upload


@pytest.mark.parametrize(
    ("algorithm", "checksum_type", "message"),
    [
        ("SHA1", "FULL_OBJECT", "The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm."),
        ("SHA256", "FULL_OBJECT", "The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm."),
        ("CRC64NVME", "COMPOSITE", "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm."),
        (
            None,
            "COMPOSITE",
            "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.",
        ),
        ("CRC32", "PARTIAL", "Value for x-amz-checksum-type header is invalid."),
        ("CRC32", "", "Value for x-amz-checksum-type header is invalid."),
        ("XXHASH3", "FULL_OBJECT", "The FULL_OBJECT checksum type cannot be used with the xxhash3 checksum algorithm."),
        (
            "MD4",
            None,
            "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
            "[CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5, XXHASH64, XXHASH3, XXHASH128]",
        ),
    ],
)
def test_an_upload_s3_cannot_keep_a_checksum_for_is_an_invalid_request(
    algorithm: str | None, checksum_type: str, message: str
) -> None:
    with pytest.raises(S3Error) as refused:
        upload_checksum(algorithm, checksum_type)
    assert refusal(refused) == ("InvalidRequest", message)


def test_a_part_must_have_its_uploads_algorithm_and_a_composite_uploads_part_a_checksum() -> None:
    check_part_algorithm(("SHA256", "COMPOSITE"), "SHA256")
    check_part_algorithm(("CRC32", "FULL_OBJECT"), None)
    check_part_algorithm(None, "CRC32")
    check_part_algorithm(None, None)
    for stated, named in (("CRC32", "crc32"), (None, "null")):
        with pytest.raises(S3Error) as refused:
            check_part_algorithm(("SHA256", "COMPOSITE"), stated)
        assert refusal(refused) == (
            "InvalidRequest",
            f"Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: {named}",
        )


def test_a_composite_checksum_hashes_the_parts_raw_checksums_and_counts_them() -> None:
    parts = [b"first part", b"second", b"3"]
    raw = [hashlib.sha256(part).digest() for part in parts]
    expected = base64.b64encode(hashlib.sha256(b"".join(raw)).digest()).decode()
    assert composite_checksum("SHA256", [base64.b64encode(value).decode() for value in raw]) == f"{expected}-3"


@given(st.lists(st.binary(max_size=32), min_size=1, max_size=5))
def test_a_composite_crc32_is_the_crc32_of_the_parts_crc32s(parts: list[bytes]) -> None:
    joined = b"".join(zlib.crc32(part).to_bytes(4, "big") for part in parts)
    value, _, count = composite_checksum("CRC32", [checksum_of("CRC32", [part]) for part in parts]).partition("-")
    assert (value, int(count)) == (checksum_of("CRC32", [joined]), len(parts))


COMPLETION = b"""<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Part><PartNumber>1</PartNumber><ETag>"e1"</ETag><ChecksumSHA256>c1</ChecksumSHA256></Part>
  <Part><ETag>e2</ETag><PartNumber>2</PartNumber></Part>
</CompleteMultipartUpload>"""


def test_a_completion_lists_its_parts_with_their_checksums_in_any_namespace() -> None:
    assert listed_parts(COMPLETION) == [
        CompletedPart(1, '"e1"', {"SHA256": "c1"}),
        CompletedPart(2, "e2", {}),
    ]
    assert listed_parts(COMPLETION.replace(b' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"', b"")) == [
        CompletedPart(1, '"e1"', {"SHA256": "c1"}),
        CompletedPart(2, "e2", {}),
    ]


@pytest.mark.parametrize(
    "body", [b"not xml", b"<Other/>", b"<CompleteMultipartUpload><Part/></CompleteMultipartUpload>"]
)
def test_a_body_that_is_not_a_completion_is_left_to_the_completions_own_checks(body: bytes) -> None:
    assert listed_parts(body) is None


SHA = ("SHA256", "COMPOSITE")
INVALID_PART = (
    "InvalidPart",
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified "
    "entity tag may not match the part's entity tag.",
)


def check(part: CompletedPart, upload: tuple[str, str] | None) -> tuple[str, str] | None:
    try:
        check_completed_part(part, upload, uploaded_checksum="stored", upload_id="U")
    except S3Error as error:
        return error.code, error.message
    return None


def test_a_composite_upload_needs_each_parts_stored_checksum() -> None:
    assert check(CompletedPart(1, "e", {"SHA256": "stored"}), SHA) is None
    assert check(CompletedPart(1, "e", {"SHA256": "other"}), SHA) == INVALID_PART
    assert check(CompletedPart(7, "e", {}), SHA) == (
        "InvalidRequest",
        "The upload was created using a sha256 checksum. The complete request must include the checksum for each "
        "part. It was missing for part 7 in the request.",
    )
    assert check(CompletedPart(2, "e", {"CRC32": "stored"}), SHA) == (
        "BadDigest",
        "The crc32 you specified for part 2 did not match what we received.",
    )


def test_a_full_object_upload_takes_part_checksums_or_not_and_a_default_one_takes_none() -> None:
    full = ("CRC32", "FULL_OBJECT")
    assert check(CompletedPart(1, "e", {}), full) is None
    assert check(CompletedPart(1, "e", {"CRC32": "stored"}), full) is None
    assert check(CompletedPart(1, "e", {"CRC32": "other"}), full) == INVALID_PART
    assert check(CompletedPart(1, "e", {}), None) is None
    with pytest.raises(S3Error) as refused:
        check_completed_part(CompletedPart(3, '"e"', {"CRC32": "x"}), None, None, "U")
    assert refused.value.details == {"ETag": '"e"', "PartNumber": "3", "UploadId": "U"}


def test_a_completion_states_the_object_checksum_of_its_upload_in_its_form() -> None:
    crc = checksum_of("CRC32", [b"x"])
    assert completion_checksum({}, ("CRC32", "FULL_OBJECT")) is None
    assert completion_checksum({"x-amz-checksum-crc32": crc}, ("CRC32", "FULL_OBJECT")) == crc
    assert completion_checksum({"x-amz-checksum-crc32": f"{crc}-2"}, ("CRC32", "COMPOSITE")) == f"{crc}-2"
    refusals = {
        "x-amz-checksum-type": ("FULL_OBJECT", "The upload was created using the COMPOSITE checksum mode. "),
        "x-amz-checksum-sha1": (checksum_of("SHA1", [b""]), "Checksum Type mismatch occurred, expected checksum "),
        "x-amz-checksum-crc32": (crc, "Value for x-amz-checksum-crc32 header is invalid."),  # no part count
    }
    for header, (value, message) in refusals.items():
        with pytest.raises(S3Error) as refused:
            completion_checksum({header: value}, ("CRC32", "COMPOSITE"))
        assert refused.value.code == "InvalidRequest" and refused.value.message.startswith(message)


def test_a_stated_object_checksum_must_be_the_computed_one() -> None:
    check_object_checksum(SHA, None, "abc-2")
    check_object_checksum(SHA, "abc-2", "abc-2")
    with pytest.raises(S3Error) as refused:
        check_object_checksum(SHA, "abd-2", "abc-2")
    assert refusal(refused) == ("BadDigest", "The sha256 you specified did not match the calculated checksum.")
