"""Tag sets from XML bodies and `x-amz-tagging` headers are read and limited as S3 does."""

from __future__ import annotations

import pytest

from emulator.s3.errors import S3Error
from emulator.s3.tagging import BUCKET_TAG_LIMIT, OBJECT_TAG_LIMIT, checked_tags, header_tags, xml_tags


def tagging(*pairs: tuple[str, str | None]) -> bytes:
    tags = "".join(
        f"<Tag><Key>{key}</Key>" + ("" if value is None else f"<Value>{value}</Value>") + "</Tag>"
        for key, value in pairs
    )
    return f'<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>{tags}</TagSet></Tagging>'.encode()


def refusal(pairs: list[tuple[str, str]], limit: int = OBJECT_TAG_LIMIT) -> tuple[str, str]:
    with pytest.raises(S3Error) as caught:
        checked_tags(pairs, limit=limit)
    assert caught.value.status == 400
    return caught.value.code, caught.value.message


def test_empty_values_are_kept_from_bodies_and_headers() -> None:
    assert xml_tags(tagging(("a", ""), ("b", None), ("c", "1"))) == [("a", ""), ("b", ""), ("c", "1")]
    assert header_tags("foo=bar&bar&baz=") == [("foo", "bar"), ("bar", ""), ("baz", "")]


def test_a_header_is_url_decoded() -> None:
    assert header_tags("a%20b=c%2Bd") == [("a b", "c+d")]


@pytest.mark.parametrize("body", [b"", b"<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>", b"<Other/>"])
def test_a_body_that_is_no_tag_set_is_malformed(body: bytes) -> None:
    with pytest.raises(S3Error) as caught:
        xml_tags(body)
    assert caught.value.code == "MalformedXML"


def test_a_tag_set_is_sorted_by_key() -> None:
    assert list(checked_tags([("foo", "bar"), ("bar", "")], limit=OBJECT_TAG_LIMIT).items()) == [
        ("bar", ""),
        ("foo", "bar"),
    ]


def test_more_tags_than_the_resource_allows_are_invalid() -> None:
    assert refusal([(str(index), "v") for index in range(11)]) == (
        "InvalidTag",
        "Object tags cannot be greater than 10",
    )
    assert len(checked_tags([(str(index), "v") for index in range(50)], limit=BUCKET_TAG_LIMIT)) == 50
    bucket_tags = [(str(index), "v") for index in range(51)]
    assert refusal(bucket_tags, BUCKET_TAG_LIMIT) == ("InvalidTag", "Bucket tag count cannot be greater than 50")


def test_duplicate_long_empty_and_reserved_keys_and_long_values_are_invalid() -> None:
    assert refusal([("a", "1"), ("a", "2")])[0] == "InvalidTag"
    assert refusal([("k" * 129, "v")])[0] == "InvalidTag"
    assert refusal([("", "v")])[0] == "InvalidTag"
    assert refusal([("aws:owner", "v")])[0] == "InvalidTag"
    assert refusal([("k", "v" * 257)])[0] == "InvalidTag"
    assert checked_tags([("k" * 128, "v" * 256)], limit=OBJECT_TAG_LIMIT) == {"k" * 128: "v" * 256}
