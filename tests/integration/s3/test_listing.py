"""ListObjects, ListObjectsV2 and ListObjectVersions answer as S3 documents: pages that count keys and common prefixes
together, echoed markers, continuation tokens, `encoding-type=url` on every key-like field, the owner only when asked,
and 400 InvalidArgument for a query S3 refuses."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.client import BaseClient

from emulator.process import EmulatorProcess
from tests.integration.s3.answers import error_of
from tests.integration.s3.conftest import NO_RETRIES

ENCODING_KEYS = ["foo+1/bar", "foo/bar/xyzzy", "quux ab/thud", "asdf+b"]
FOLDER_KEYS = ["asdf", "boo/bar", "boo/baz/xyzzy", "cquux/thud", "cquux/bla"]


def put_keys(s3: BaseClient, bucket: str, keys: list[str]) -> None:
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())


def keys_of(answer: dict[str, Any]) -> list[str]:
    return [item["Key"] for item in answer.get("Contents", [])]


def prefixes_of(answer: dict[str, Any]) -> list[str]:
    return [item["Prefix"] for item in answer.get("CommonPrefixes", [])]


def client_adding_to_query(emulator: EmulatorProcess, operation: str, extra: str) -> BaseClient:
    """A client that appends `extra` (raw) to the query of every `operation` call, as boto3 would never send it."""
    client = emulator.client("s3", NO_RETRIES)

    def add(params: dict[str, Any], **_: Any) -> None:
        params["url"] += ("&" if "?" in params["url"] else "?") + extra

    client.meta.events.register(f"before-call.s3.{operation}", add)
    return client


@pytest.mark.parametrize("operation", ["list_objects", "list_objects_v2"])
def test_encoding_type_url_encodes_keys_common_prefixes_and_prefix(s3: BaseClient, bucket: str, operation: str) -> None:
    put_keys(s3, bucket, ENCODING_KEYS)
    answer = getattr(s3, operation)(Bucket=bucket, Delimiter="/", EncodingType="url")
    assert (answer["EncodingType"], answer["Delimiter"]) == ("url", "/")
    assert keys_of(answer) == ["asdf%2Bb"]
    assert prefixes_of(answer) == ["foo%2B1/", "foo/", "quux%20ab/"]
    assert getattr(s3, operation)(Bucket=bucket, Prefix="quux ", EncodingType="url")["Prefix"] == "quux%20"


def test_v1_encodes_its_markers(s3: BaseClient, bucket: str) -> None:
    put_keys(s3, bucket, ["a b/1", "a b/2", "c+d"])
    answer = s3.list_objects(Bucket=bucket, Delimiter="/", Marker="a b", MaxKeys=1, EncodingType="url")
    assert (answer["Marker"], answer["NextMarker"], prefixes_of(answer)) == ("a%20b", "a%20b/", ["a%20b/"])


@pytest.mark.parametrize("operation", ["list_objects", "list_objects_v2"])
def test_keys_and_prefixes_with_plus_and_space_come_back_intact_to_an_sdk(
    s3: BaseClient, bucket: str, operation: str
) -> None:
    put_keys(s3, bucket, ENCODING_KEYS)
    answer = getattr(s3, operation)(Bucket=bucket, Delimiter="/")  # boto3 asks for url encoding and decodes
    assert keys_of(answer) == ["asdf+b"]
    assert prefixes_of(answer) == ["foo+1/", "foo/", "quux ab/"]


def test_v1_always_echoes_the_marker(s3: BaseClient, bucket: str) -> None:
    put_keys(s3, bucket, ["bar", "baz", "foo", "quxx"])
    assert s3.list_objects(Bucket=bucket)["Marker"] == ""
    answer = s3.list_objects(Bucket=bucket, Marker="blah")
    assert (answer["Marker"], keys_of(answer)) == ("blah", ["foo", "quxx"])


@pytest.mark.parametrize(
    ("prefix", "marker", "max_keys", "page"),
    [
        ("", "", 1, (True, "asdf", ["asdf"], [])),
        ("", "asdf", 1, (True, "boo/", [], ["boo/"])),
        ("", "boo/", 1, (False, None, [], ["cquux/"])),
        ("", "", 2, (True, "boo/", ["asdf"], ["boo/"])),
        ("boo/", "", 1, (True, "boo/bar", ["boo/bar"], [])),
        ("boo/", "boo/bar", 1, (False, None, [], ["boo/baz/"])),
        ("boo/", "", 2, (False, None, ["boo/bar"], ["boo/baz/"])),
    ],
)
def test_v1_pages_count_keys_and_common_prefixes_together(
    s3: BaseClient, bucket: str, prefix: str, marker: str, max_keys: int, page: tuple[Any, ...]
) -> None:
    put_keys(s3, bucket, FOLDER_KEYS)
    answer = s3.list_objects(Bucket=bucket, Delimiter="/", Prefix=prefix, Marker=marker, MaxKeys=max_keys)
    assert (answer["IsTruncated"], answer.get("NextMarker"), keys_of(answer), prefixes_of(answer)) == page


def test_v1_without_a_delimiter_gives_no_next_marker(s3: BaseClient, bucket: str) -> None:
    put_keys(s3, bucket, ["bar", "baz", "foo"])
    answer = s3.list_objects(Bucket=bucket, MaxKeys=2)
    assert (answer["IsTruncated"], keys_of(answer), "NextMarker" in answer) == (True, ["bar", "baz"], False)


def test_v2_pages_through_keys_and_prefixes_with_continuation_tokens(s3: BaseClient, bucket: str) -> None:
    put_keys(s3, bucket, FOLDER_KEYS)
    seen: list[str] = []
    answer = s3.list_objects_v2(Bucket=bucket, Delimiter="/", MaxKeys=1)
    while True:
        seen += keys_of(answer) + prefixes_of(answer)
        assert answer["KeyCount"] == 1
        if not answer["IsTruncated"]:
            break
        token = answer["NextContinuationToken"]
        answer = s3.list_objects_v2(Bucket=bucket, Delimiter="/", MaxKeys=1, ContinuationToken=token)
        assert answer["ContinuationToken"] == token
    assert seen == ["asdf", "boo/", "cquux/"]


def test_a_continuation_token_wins_over_start_after_which_is_still_echoed(s3: BaseClient, bucket: str) -> None:
    put_keys(s3, bucket, ["bar", "baz", "foo", "quxx"])
    first = s3.list_objects_v2(Bucket=bucket, StartAfter="bar", MaxKeys=1)
    assert keys_of(first) == ["baz"]
    token = first["NextContinuationToken"]
    second = s3.list_objects_v2(Bucket=bucket, StartAfter="bar", ContinuationToken=token)
    assert (second["ContinuationToken"], second["StartAfter"], second["IsTruncated"]) == (token, "bar", False)
    assert keys_of(second) == ["foo", "quxx"]


@pytest.mark.parametrize("token", ["", "this is not a token"])
def test_an_empty_or_unknown_continuation_token_is_invalid(s3: BaseClient, bucket: str, token: str) -> None:
    assert error_of(lambda: s3.list_objects_v2(Bucket=bucket, ContinuationToken=token)) == (400, "InvalidArgument")


def test_v2_lists_owners_only_with_fetch_owner_true(s3: BaseClient, bucket: str) -> None:
    put_keys(s3, bucket, ["k"])
    assert "Owner" not in s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert "Owner" not in s3.list_objects_v2(Bucket=bucket, FetchOwner=False)["Contents"][0]
    assert "ID" in s3.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"][0]["Owner"]


@pytest.mark.parametrize("operation", ["ListObjects", "ListObjectsV2", "ListObjectVersions"])
@pytest.mark.parametrize("max_keys", ["blah", "-1"])
def test_a_max_keys_that_is_not_a_non_negative_integer_is_invalid(
    emulator: EmulatorProcess, bucket: str, operation: str, max_keys: str
) -> None:
    client = client_adding_to_query(emulator, operation, f"max-keys={max_keys}")
    call = {"ListObjects": client.list_objects, "ListObjectsV2": client.list_objects_v2}
    list_call = call.get(operation, client.list_object_versions)
    assert error_of(lambda: list_call(Bucket=bucket)) == (400, "InvalidArgument")


def test_an_unknown_encoding_type_is_invalid(s3: BaseClient, bucket: str) -> None:
    assert error_of(lambda: s3.list_objects_v2(Bucket=bucket, EncodingType="base64")) == (400, "InvalidArgument")


def test_zero_max_keys_lists_nothing_and_is_not_truncated(s3: BaseClient, bucket: str) -> None:
    put_keys(s3, bucket, ["a", "b"])
    answer = s3.list_objects(Bucket=bucket, MaxKeys=0)
    assert (keys_of(answer), answer["IsTruncated"]) == ([], False)


@pytest.mark.parametrize(
    ("keys", "prefix", "delimiter", "listed"),
    [
        (FOLDER_KEYS, "bo", "/", ([], ["boo/"])),
        (["a--b--c", "a-b", "x", "x--"], "", "--", (["a-b", "x"], ["a--", "x--"])),
        (["asdf/", "asdf/x/y"], "asdf/", "/", (["asdf/"], ["asdf/x/"])),
        (["bar", "bazar", "cab"], "ba", "a", (["bar"], ["baza"])),
    ],
)
@pytest.mark.parametrize("operation", ["list_objects", "list_objects_v2"])
def test_common_prefixes_roll_up_from_the_prefix_to_the_delimiter(
    s3: BaseClient,
    bucket: str,
    operation: str,
    keys: list[str],
    prefix: str,
    delimiter: str,
    listed: tuple[list[str], list[str]],
) -> None:
    put_keys(s3, bucket, keys)
    answer = getattr(s3, operation)(Bucket=bucket, Prefix=prefix, Delimiter=delimiter)
    assert (keys_of(answer), prefixes_of(answer)) == listed


@pytest.mark.parametrize("operation", ["list_objects", "list_objects_v2"])
def test_a_folder_whose_keys_are_all_deleted_is_not_listed(s3: BaseClient, bucket: str, operation: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    put_keys(s3, bucket, ["gone/a", "kept/b"])
    s3.delete_object(Bucket=bucket, Key="gone/a")
    assert prefixes_of(getattr(s3, operation)(Bucket=bucket, Delimiter="/")) == ["kept/"]


def test_version_listings_encode_keys_and_markers(s3: BaseClient, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    put_keys(s3, bucket, ["a b", "c+d", "c+d"])
    s3.delete_object(Bucket=bucket, Key="a b")
    answer = s3.list_object_versions(Bucket=bucket, EncodingType="url", KeyMarker="a")
    assert (answer["EncodingType"], answer["KeyMarker"]) == ("url", "a")
    assert [item["Key"] for item in answer["Versions"]] == ["a%20b", "c%2Bd", "c%2Bd"]
    assert [item["Key"] for item in answer["DeleteMarkers"]] == ["a%20b"]
    decoded = s3.list_object_versions(Bucket=bucket, KeyMarker="a b")
    assert [item["Key"] for item in decoded["Versions"]] == ["c+d", "c+d"]


def test_a_key_marker_skips_every_version_of_that_key(s3: BaseClient, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    put_keys(s3, bucket, ["a", "b", "b", "c"])
    assert [item["Key"] for item in s3.list_object_versions(Bucket=bucket, KeyMarker="b")["Versions"]] == ["c"]
    assert [item["Key"] for item in s3.list_object_versions(Bucket=bucket, KeyMarker="bb")["Versions"]] == ["c"]


def test_paging_through_versions_lists_each_version_once_newest_first(s3: BaseClient, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    written = [(key, s3.put_object(Bucket=bucket, Key=key, Body=b"x")["VersionId"]) for key in ["a", "b", "b", "d/x"]]
    seen: list[tuple[str, str]] = []
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 1}):
        seen += [(item["Key"], item["VersionId"]) for item in page.get("Versions", [])]
    assert seen == [written[0], written[2], written[1], written[3]]
    latest = s3.list_object_versions(Bucket=bucket, Prefix="b")["Versions"]
    assert [item["IsLatest"] for item in latest] == [True, False]
