"""Listing pages, query checks, tokens and answers follow S3's listing rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from emulator.s3.errors import S3Error
from emulator.s3.listing import (
    check_listing_query,
    list_page,
    shaped_listing,
    token_for,
    token_start,
    with_parsed_times,
)

KEYS = ["asdf", "boo/bar", "boo/baz/xyzzy", "cquux/bla", "cquux/thud"]


def objects(names: list[str]) -> list[tuple[str, str | None]]:
    return [(name, None) for name in names]


def page_of(names: list[str], **options: object) -> tuple[list[str], list[str], bool, str | None]:
    page = list_page(objects(names), **options)  # type: ignore[arg-type]
    return [names[position] for position in page.listed], page.common_prefixes, page.truncated, page.next_marker


def test_keys_and_common_prefixes_share_max_keys_in_key_order() -> None:
    assert page_of(KEYS, delimiter="/", max_keys=1) == (["asdf"], [], True, "asdf")
    assert page_of(KEYS, delimiter="/", max_keys=2) == (["asdf"], ["boo/"], True, "boo/")
    assert page_of(KEYS, delimiter="/", max_keys=3) == (["asdf"], ["boo/", "cquux/"], False, None)


def test_a_page_resumes_after_a_common_prefix_marker_without_listing_it_again() -> None:
    assert page_of(KEYS, delimiter="/", marker="boo/", max_keys=1) == ([], ["cquux/"], False, None)
    assert page_of(KEYS, delimiter="/", marker="asdf", max_keys=1) == ([], ["boo/"], True, "boo/")


def test_prefix_and_delimiter_roll_up_below_the_prefix() -> None:
    assert page_of(KEYS, prefix="boo/", delimiter="/", max_keys=None) == (["boo/bar"], ["boo/baz/"], False, None)
    assert page_of(["bar", "bazar", "cab"], prefix="ba", delimiter="a", max_keys=None) == (
        ["bar"],
        ["baza"],
        False,
        None,
    )


def test_a_prefix_that_does_not_end_at_the_delimiter_rolls_up_to_the_next_delimiter() -> None:
    assert page_of(KEYS, prefix="bo", delimiter="/", max_keys=None) == ([], ["boo/"], False, None)


def test_a_delimiter_of_several_characters_is_one_delimiter() -> None:
    names = ["a--b--c", "a-b", "x", "x--"]
    assert page_of(names, delimiter="--", max_keys=None) == (["a-b", "x"], ["a--", "x--"], False, None)


def test_a_key_equal_to_the_prefix_is_a_key() -> None:
    assert page_of(["asdf/"], prefix="asdf/", delimiter="/", max_keys=None) == (["asdf/"], [], False, None)


def test_zero_max_keys_lists_nothing_and_is_not_truncated() -> None:
    assert page_of(KEYS, max_keys=0) == ([], [], False, None)


def test_a_key_marker_skips_every_version_of_that_key_and_a_version_marker_those_up_to_it() -> None:
    versions = [("a", "1"), ("b", "3"), ("b", "2"), ("b", "1"), ("c", "1")]
    after_key = list_page(versions, marker="b", max_keys=None)
    assert [versions[position] for position in after_key.listed] == [("c", "1")]
    after_version = list_page(versions, marker="b", version_marker="3", max_keys=2)
    assert [versions[position] for position in after_version.listed] == [("b", "2"), ("b", "1")]
    assert (after_version.truncated, after_version.next_marker, after_version.next_version_marker) == (True, "b", "1")


def test_a_key_marker_that_is_no_key_resumes_after_it() -> None:
    assert page_of(["b", "c"], marker="bb", max_keys=None) == (["c"], [], False, None)


def test_continuation_tokens_carry_the_key_they_resume_after() -> None:
    assert token_start(token_for("ключ/🙂 +%")) == "ключ/🙂 +%"
    with pytest.raises(S3Error) as caught:
        token_start("not a token!")
    assert (caught.value.code, caught.value.status) == ("InvalidArgument", 400)


@pytest.mark.parametrize("value", ["blah", "-1", "2147483648", "1.5", ""])
def test_a_max_keys_that_is_not_an_integer_from_0_to_2_31_is_invalid(value: str) -> None:
    with pytest.raises(S3Error) as caught:
        check_listing_query({"max-keys": [value]})
    assert (caught.value.code, caught.value.status, caught.value.details["ArgumentName"]) == (
        "InvalidArgument",
        400,
        "max-keys",
    )


def test_an_encoding_type_other_than_url_is_invalid() -> None:
    check_listing_query({"encoding-type": ["url"], "max-keys": ["0"]})
    with pytest.raises(S3Error):
        check_listing_query({"encoding-type": ["base64"]})


def test_v1_echoes_the_marker_and_gives_next_marker_only_with_a_delimiter() -> None:
    result = {"Name": "b", "NextMarker": "k", "Contents": []}
    assert shaped_listing("ListObjects", result, {})["Marker"] == ""
    assert "NextMarker" not in shaped_listing("ListObjects", result, {"marker": ["a"]})
    assert shaped_listing("ListObjects", result, {"delimiter": ["/"]})["NextMarker"] == "k"


def test_v2_echoes_token_and_start_after_and_lists_owners_only_when_asked() -> None:
    result = {"Contents": [{"Key": "k", "Owner": {"ID": "o"}}]}
    shaped = shaped_listing("ListObjectsV2", result, {"continuation-token": ["t"], "start-after": ["s"]})
    assert (shaped["ContinuationToken"], shaped["StartAfter"], shaped["Contents"]) == ("t", "s", [{"Key": "k"}])
    owned = shaped_listing("ListObjectsV2", result, {"fetch-owner": ["true"]})
    assert owned["Contents"] == [{"Key": "k", "Owner": {"ID": "o"}}]


def test_url_encoding_covers_keys_prefixes_and_markers_and_keeps_slashes() -> None:
    result = {
        "Prefix": "a b/",
        "Delimiter": "/",
        "NextMarker": "a b/c+d",
        "Contents": [{"Key": "a b/c+d"}],
        "CommonPrefixes": [{"Prefix": "ключ/"}],
    }
    shaped = shaped_listing("ListObjects", result, {"encoding-type": ["url"], "marker": ["m%"], "delimiter": ["/"]})
    assert shaped["EncodingType"] == "url"
    assert (shaped["Prefix"], shaped["Marker"], shaped["NextMarker"]) == ("a%20b/", "m%25", "a%20b/c%2Bd")
    assert shaped["Contents"] == [{"Key": "a%20b/c%2Bd"}]
    assert shaped["CommonPrefixes"] == [{"Prefix": "%D0%BA%D0%BB%D1%8E%D1%87/"}]


def test_version_listings_encode_their_key_markers_and_both_lists() -> None:
    result = {"KeyMarker": "a b", "NextKeyMarker": "c d", "Versions": [{"Key": "+"}], "DeleteMarkers": [{"Key": " "}]}
    shaped = shaped_listing("ListObjectVersions", result, {"encoding-type": ["url"]})
    assert (shaped["KeyMarker"], shaped["NextKeyMarker"]) == ("a%20b", "c%20d")
    assert (shaped["Versions"], shaped["DeleteMarkers"]) == ([{"Key": "%2B"}], [{"Key": "%20"}])


def test_keys_rolled_up_are_skipped_whatever_characters_follow_the_prefix() -> None:
    names = sorted(["p/a", "p/" + chr(0x10FFFF), "p/" + chr(0x10FFFF) + "z", "q"])
    assert page_of(names, delimiter="/", max_keys=None) == (["q"], ["p/"], False, None)


def test_a_marker_before_or_after_the_prefix_range_starts_the_page_where_s3_does() -> None:
    names = ["a1", "b1", "b2", "c1"]
    assert page_of(names, prefix="b", marker="a9", max_keys=None) == (["b1", "b2"], [], False, None)
    assert page_of(names, prefix="b", marker="b1", max_keys=None) == (["b2"], [], False, None)
    assert page_of(names, prefix="b", marker="bz", max_keys=None) == ([], [], False, None)


def test_each_listed_time_is_handed_to_the_serializer_as_the_same_utc_instant() -> None:
    result = {
        "Contents": [{"Key": "k", "LastModified": "2026-12-03T09:12:35.000Z"}],
        "Versions": [{"Key": "k", "LastModified": "2026-12-03T09:12:35.250Z"}],
        "DeleteMarkers": [{"Key": "k", "LastModified": "2026-12-03T09:12:36.000Z"}],
    }
    shaped = with_parsed_times(shaped_listing("ListObjectVersions", result, {}))
    assert shaped["Contents"][0]["LastModified"] == datetime(2026, 12, 3, 9, 12, 35, tzinfo=UTC)
    assert shaped["Versions"][0]["LastModified"] == datetime(2026, 12, 3, 9, 12, 35, 250000, tzinfo=UTC)
    assert shaped["DeleteMarkers"][0]["LastModified"] == datetime(2026, 12, 3, 9, 12, 36, tzinfo=UTC)
    assert result["Contents"][0]["LastModified"] == "2026-12-03T09:12:35.000Z", "the input is left as it was"
