"""An aws-chunked body is read, as it arrives in any pieces, into its payload and its trailers; a body that breaks
the framing is S3's IncompleteBody."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.s3.checksum_trailers import ChunkedPayload, is_aws_chunked
from emulator.s3.errors import S3Error


def encode(chunks: list[bytes], trailers: dict[str, str], *, signed: bool = False) -> bytes:
    """The aws-chunked body an SDK sends for `chunks` (each with a chunk signature when `signed`)."""
    extension = b";chunk-signature=" + b"0" * 64 if signed else b""
    framed = b"".join(b"%x%s\r\n%s\r\n" % (len(chunk), extension, chunk) for chunk in chunks if chunk)
    lines = b"".join(f"{name}:{value}\r\n".encode() for name, value in trailers.items())
    return framed + b"0" + extension + b"\r\n" + lines + b"\r\n"


def decode(raw: bytes, cuts: list[int]) -> tuple[bytes, dict[str, str]]:
    """Feed `raw` to a `ChunkedPayload` cut at `cuts`, as the pieces of a request body arrive."""
    payload = ChunkedPayload()
    pieces: list[bytes] = []
    start = 0
    for end in [*sorted(cut % (len(raw) + 1) for cut in cuts), len(raw)]:
        pieces += payload.feed(raw[start:end])
        start = max(start, end)
    return b"".join(pieces), payload.trailers()


@given(
    chunks=st.lists(st.binary(min_size=1, max_size=40), max_size=5),
    trailers=st.dictionaries(st.sampled_from(["x-amz-checksum-crc32", "x-amz-trailer-signature"]), st.text("ab=+/")),
    cuts=st.lists(st.integers(min_value=0), max_size=6),
    signed=st.booleans(),
)
def test_any_body_in_any_pieces_decodes_to_its_payload_and_trailers(
    chunks: list[bytes], trailers: dict[str, str], cuts: list[int], signed: bool
) -> None:
    assert decode(encode(chunks, trailers, signed=signed), cuts) == (b"".join(chunks), trailers)


def test_trailer_names_are_case_insensitive_and_a_last_line_may_lack_its_break() -> None:
    payload = ChunkedPayload()
    assert payload.feed(b"5\r\nhello\r\n0\r\nX-Amz-Checksum-CRC32: NhCmhg==") == [b"hello"]
    assert payload.trailers() == {"x-amz-checksum-crc32": "NhCmhg=="}


@pytest.mark.parametrize(
    "raw",
    [
        b"5\r\nhel",  # ends inside a chunk
        b"zz\r\nhello\r\n0\r\n\r\n",  # a size that is not hexadecimal
        b"5\r\nhelloXX0\r\n\r\n",  # a chunk longer than its size
        b"5\r\nhello\r\n0\r\nnot a trailer\r\n\r\n",  # a trailer line without a colon
        b"0\r\n\r\nmore after the end",
        b"1" * 9000,  # a chunk header line that never ends
    ],
)
def test_a_body_that_breaks_the_framing_is_an_incomplete_body(raw: bytes) -> None:
    payload = ChunkedPayload()
    with pytest.raises(S3Error) as refused:
        payload.feed(raw)
        payload.trailers()
    assert (refused.value.code, refused.value.status) == ("IncompleteBody", 400)


def test_only_a_streaming_content_sha256_makes_a_body_aws_chunked() -> None:
    assert is_aws_chunked({"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"})
    assert is_aws_chunked({"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"})
    assert not is_aws_chunked({"x-amz-content-sha256": "UNSIGNED-PAYLOAD", "content-encoding": "aws-chunked"})
