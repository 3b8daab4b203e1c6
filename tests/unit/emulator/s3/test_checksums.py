"""S3's integrity checks on one body: each algorithm's checksum as S3 computes it, and every way a request's
`Content-MD5` and `x-amz-checksum-*` headers (or trailers) are refused, with S3's code and message."""

from __future__ import annotations

import base64
import hashlib
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.s3.checksums import (
    ALGORITHMS,
    ChecksumRequest,
    ChecksumResult,
    Digester,
    checksum_of,
    verify_request_checksums,
)
from emulator.s3.errors import S3Error

BODY = b"The quick brown fox jumps over the lazy dog"


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def crc32(data: bytes) -> str:
    return b64(zlib.crc32(data).to_bytes(4, "big"))


def md5(data: bytes) -> str:
    return b64(hashlib.md5(data).digest())


def refusal(headers: dict[str, str], trailers: dict[str, str] | None = None) -> tuple[str, str, int]:
    with pytest.raises(S3Error) as refused:
        verify_request_checksums(headers, BODY, trailers=trailers)
    return refused.value.code, refused.value.message, refused.value.status


# Each CRC's standard check value (of "123456789"), the xxHash reference values of "abc", and hashlib's digests.
CHECK_VALUES = {
    "CRC32": (b"123456789", "cbf43926"),
    "CRC32C": (b"123456789", "e3069283"),
    "CRC64NVME": (b"123456789", "ae8b14860a799888"),
    "XXHASH64": (b"abc", "44bc2cf5ad770999"),
    "XXHASH3": (b"abc", "78af5f94892f3950"),
    "XXHASH128": (b"abc", "06b05ab6733a618578af5f94892f3950"),
    **{name: (b"abc", hashlib.new(name.lower(), b"abc").hexdigest()) for name in ("SHA1", "SHA256", "SHA512", "MD5")},
}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_each_algorithm_gives_its_reference_value_big_endian_in_base64(algorithm: str) -> None:
    data, digest = CHECK_VALUES[algorithm]
    assert checksum_of(algorithm, [data[:2], data[2:]]) == b64(bytes.fromhex(digest))


@given(st.lists(st.binary(max_size=64), max_size=8))
def test_a_body_hashed_in_pieces_has_the_checksums_of_the_whole(pieces: list[bytes]) -> None:
    digester = Digester([*ALGORITHMS, "MD5"])
    for piece in pieces:
        digester.update(piece)
    whole = b"".join(pieces)
    assert digester.digests()["MD5"] == hashlib.md5(whole).digest()
    assert all(digester.checksum(algorithm) == checksum_of(algorithm, [whole]) for algorithm in ALGORITHMS)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_stated_checksum_that_matches_is_the_one_kept(algorithm: str) -> None:
    value = checksum_of(algorithm, [BODY])
    headers = {f"x-amz-checksum-{algorithm.lower()}": value, "x-amz-sdk-checksum-algorithm": algorithm}
    assert verify_request_checksums(headers, BODY) == ChecksumResult(algorithm, value, "FULL_OBJECT")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_stated_checksum_of_other_bytes_is_a_bad_digest_naming_the_algorithm(algorithm: str) -> None:
    headers = {f"x-amz-checksum-{algorithm.lower()}": checksum_of(algorithm, [b"other bytes"])}
    assert refusal(headers) == (
        "BadDigest",
        f"The {algorithm} you specified did not match the calculated checksum.",
        400,
    )


def test_without_a_stated_checksum_s3_keeps_a_crc64nvme_of_its_own() -> None:
    assert verify_request_checksums({}, [b"The quick ", b"brown fox jumps over the lazy dog"]) == ChecksumResult(
        "CRC64NVME", checksum_of("CRC64NVME", [BODY])
    )
    assert verify_request_checksums({"content-md5": md5(BODY)}, BODY).algorithm == "CRC64NVME"


def test_a_matching_content_md5_is_accepted_and_another_is_a_bad_digest_with_both_digests() -> None:
    verify_request_checksums({"content-md5": md5(BODY)}, BODY)
    with pytest.raises(S3Error) as refused:
        verify_request_checksums({"content-md5": md5(b"")}, BODY)
    assert (refused.value.code, refused.value.message) == (
        "BadDigest",
        "The Content-MD5 you specified did not match what we received.",
    )
    assert refused.value.details == {
        "ExpectedDigest": hashlib.md5(b"").hexdigest(),  # S3 takes base64 and reflects it back in hex
        "CalculatedDigest": md5(BODY),
    }


@pytest.mark.parametrize("value", ["", "invalid", hashlib.md5(BODY).hexdigest(), b64(b"\x00" * 15), "AAAA=A=="])
def test_a_content_md5_that_is_not_16_bytes_of_base64_is_an_invalid_digest(value: str) -> None:
    with pytest.raises(S3Error) as refused:
        ChecksumRequest.parse({"content-md5": value})
    assert (refused.value.code, refused.value.message, refused.value.status) == (
        "InvalidDigest",
        "The Content-MD5 you specified was invalid.",
        400,
    )
    assert refused.value.details == {"Content-MD5": value}


@pytest.mark.parametrize("value", ["", "bad", "NhCmhg", b64(b"\x00" * 8), "NhCm hg=="])
def test_a_checksum_value_that_is_not_base64_of_the_right_size_is_an_invalid_request(value: str) -> None:
    assert refusal({"x-amz-checksum-crc32": value}) == (
        "InvalidRequest",
        "Value for x-amz-checksum-crc32 header is invalid.",
        400,
    )


SINGLE = "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
HEADER_REFUSALS = {
    "two checksums": ({"x-amz-checksum-crc32": crc32(BODY), "x-amz-checksum-sha1": b64(b"\0" * 20)}, SINGLE),
    "an unknown algorithm": (
        {"x-amz-checksum-md4": crc32(BODY)},
        "The algorithm type you specified in x-amz-checksum- header is invalid.",
    ),
    "an algorithm announced without a value": (
        {"x-amz-sdk-checksum-algorithm": "CRC32"},
        "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were "
        "found.",
    ),
    "an announced algorithm that is not the given one": (
        {"x-amz-sdk-checksum-algorithm": "CRC32C", "x-amz-checksum-crc32": crc32(BODY)},
        "Value for x-amz-sdk-checksum-algorithm header is invalid.",
    ),
    "an announced algorithm S3 does not have": (
        {"x-amz-sdk-checksum-algorithm": "MD4", "x-amz-checksum-crc32": crc32(BODY)},
        "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
        "[CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5, XXHASH64, XXHASH3, XXHASH128]",
    ),
    "a trailer of an unknown name": (
        {"x-amz-trailer": "x-amz-checksum-md4"},
        "The value specified in the x-amz-trailer header is not supported",
    ),
    "two trailers": ({"x-amz-trailer": "x-amz-checksum-crc32, x-amz-checksum-crc32c"}, SINGLE),
    "a checksum in a header and another in a trailer": (
        {"x-amz-checksum-crc32": crc32(BODY), "x-amz-trailer": "x-amz-checksum-crc32"},
        "Expecting a single x-amz-checksum- header",
    ),
}


@pytest.mark.parametrize("case", HEADER_REFUSALS)
def test_checksum_headers_s3_cannot_follow_are_invalid_requests_before_the_body_is_read(case: str) -> None:
    headers, message = HEADER_REFUSALS[case]
    with pytest.raises(S3Error) as refused:
        ChecksumRequest.parse(headers, chunked=True)
    assert (refused.value.code, refused.value.message, refused.value.status) == ("InvalidRequest", message, 400)


def test_headers_that_are_not_checksum_values_are_not_taken_for_one() -> None:
    headers = {"x-amz-checksum-mode": "ENABLED", "x-amz-checksum-type": "FULL_OBJECT", "x-amz-checksum-algorithm": "X"}
    assert verify_request_checksums(headers, BODY).algorithm == "CRC64NVME"


def test_a_checksum_announced_in_a_trailer_is_verified_against_the_trailer() -> None:
    headers = {"x-amz-trailer": "x-amz-checksum-crc32", "x-amz-sdk-checksum-algorithm": "CRC32"}
    trailers = {"x-amz-checksum-crc32": crc32(BODY)}
    assert verify_request_checksums(headers, BODY, trailers=trailers) == ChecksumResult("CRC32", crc32(BODY))
    assert refusal(headers, trailers={"x-amz-checksum-crc32": crc32(b"x")})[:2] == (
        "BadDigest",
        "The CRC32 you specified did not match the calculated checksum.",
    )
    assert refusal(headers, trailers={"x-amz-checksum-crc32": "bad"})[:2] == (
        "InvalidRequest",
        "Value for x-amz-checksum-crc32 trailing header is invalid.",
    )


MALFORMED_TRAILER = (
    "MalformedTrailerError",
    "The request contained trailing data that was not well-formed or did not conform to our published schema.",
    400,
)


def test_a_trailer_that_cannot_come_or_did_not_is_a_malformed_trailer() -> None:
    headers = {"x-amz-trailer": "x-amz-checksum-sha256"}
    with pytest.raises(S3Error) as not_chunked:
        ChecksumRequest.parse(headers, chunked=False)
    assert (not_chunked.value.code, not_chunked.value.message, not_chunked.value.status) == MALFORMED_TRAILER
    assert refusal(headers, trailers={"x-amz-checksum-crc32": crc32(BODY)}) == MALFORMED_TRAILER


def test_a_checksum_mismatch_is_reported_before_a_content_md5_mismatch() -> None:
    headers = {"content-md5": md5(b"x"), "x-amz-checksum-crc32": crc32(b"x")}
    assert refusal(headers)[1] == "The CRC32 you specified did not match the calculated checksum."


def test_a_request_that_states_nothing_and_has_no_default_keeps_nothing() -> None:
    request = ChecksumRequest.parse({"content-md5": md5(BODY)})
    digester = request.digester(default_algorithm=None)
    digester.update(BODY)
    assert request.verify(digester.digests()) is None
