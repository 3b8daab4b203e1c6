"""Versioning answers as S3 documents: delete markers announced on deletes and reads, suspended buckets keeping their
versions beside the `null` one, and DeleteObjects' limits, quiet mode and delete-marker results. Suspended versions
survive an emulator restart."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from botocore.client import BaseClient

from tests.integration.s3.answers import error_of, refusal


def versioning(s3: BaseClient, bucket: str, status: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})


def versions_of(s3: BaseClient, bucket: str) -> list[tuple[str, str, bool, bool]]:
    """(key, version id, is latest, is a delete marker) of every version, as ListObjectVersions lists them."""
    answer = s3.list_object_versions(Bucket=bucket)
    listed = [(v["Key"], v["VersionId"], v["IsLatest"], False) for v in answer.get("Versions", [])]
    listed += [(m["Key"], m["VersionId"], m["IsLatest"], True) for m in answer.get("DeleteMarkers", [])]
    return sorted(listed, key=lambda version: (version[0], not version[2]))


@pytest.fixture
def versioned(s3: BaseClient, bucket: str) -> str:
    versioning(s3, bucket, "Enabled")
    return bucket


def test_a_delete_on_a_versioned_bucket_answers_its_delete_marker(s3: BaseClient, versioned: str) -> None:
    s3.put_object(Bucket=versioned, Key="k", Body=b"1")
    deleted = s3.delete_object(Bucket=versioned, Key="k")
    assert deleted["DeleteMarker"] is True
    assert deleted["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    assert versions_of(s3, versioned)[0] == ("k", deleted["VersionId"], True, True)


def test_reading_a_key_whose_latest_version_is_a_delete_marker_is_404_naming_the_marker(
    s3: BaseClient, versioned: str
) -> None:
    s3.put_object(Bucket=versioned, Key="k", Body=b"1")
    marker = s3.delete_object(Bucket=versioned, Key="k")["VersionId"]
    for read in (s3.get_object, s3.head_object):
        refused = refusal(lambda read=read: read(Bucket=versioned, Key="k"))  # type: ignore[misc]
        headers = refused.headers
        assert (refused.status, headers["x-amz-delete-marker"], headers["x-amz-version-id"]) == (404, "true", marker)


def test_reading_a_delete_markers_own_version_is_405(s3: BaseClient, versioned: str) -> None:
    s3.put_object(Bucket=versioned, Key="k", Body=b"1")
    marker = s3.delete_object(Bucket=versioned, Key="k")["VersionId"]
    refused = refusal(lambda: s3.get_object(Bucket=versioned, Key="k", VersionId=marker))
    headers = refused.headers
    assert (refused.status, refused.code, headers["x-amz-delete-marker"], headers["x-amz-version-id"]) == (
        405,
        "MethodNotAllowed",
        "true",
        marker,
    )
    assert "last-modified" in headers
    assert error_of(lambda: s3.head_object(Bucket=versioned, Key="k", VersionId=marker))[0] == 405


def test_deleting_a_delete_marker_says_so_and_brings_the_object_back(s3: BaseClient, versioned: str) -> None:
    s3.put_object(Bucket=versioned, Key="k", Body=b"1")
    marker = s3.delete_object(Bucket=versioned, Key="k")["VersionId"]
    removed = s3.delete_object(Bucket=versioned, Key="k", VersionId=marker)
    assert (removed["DeleteMarker"], removed["VersionId"]) == (True, marker)
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"1"


def test_delete_objects_names_the_delete_markers_it_creates_and_removes(s3: BaseClient, versioned: str) -> None:
    for key in ("a", "b"):
        s3.put_object(Bucket=versioned, Key=key, Body=b"1")
    created = s3.delete_objects(Bucket=versioned, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}]})["Deleted"]
    assert all(entry["DeleteMarker"] is True and entry["DeleteMarkerVersionId"] for entry in created)
    markers = [{"Key": entry["Key"], "VersionId": entry["DeleteMarkerVersionId"]} for entry in created]
    removed = s3.delete_objects(Bucket=versioned, Delete={"Objects": markers})["Deleted"]
    assert sorted((e["Key"], e["VersionId"], e["DeleteMarker"], e["DeleteMarkerVersionId"]) for e in removed) == sorted(
        (m["Key"], m["VersionId"], True, m["VersionId"]) for m in markers
    )
    assert [version[3] for version in versions_of(s3, versioned)] == [False, False]


def test_delete_objects_in_quiet_mode_lists_only_errors(s3: BaseClient, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="a", Body=b"1")
    answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}], "Quiet": True})
    assert ("Deleted" in answer, "Errors" in answer) == (False, False)
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_delete_objects_takes_at_most_1000_keys(s3: BaseClient, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="key-0", Body=b"1")
    objects = [{"Key": f"key-{index}"} for index in range(1001)]
    assert error_of(lambda: s3.delete_objects(Bucket=bucket, Delete={"Objects": objects})) == (400, "MalformedXML")
    assert s3.head_object(Bucket=bucket, Key="key-0")["ContentLength"] == 1
    assert len(s3.delete_objects(Bucket=bucket, Delete={"Objects": objects[:1000]})["Deleted"]) == 1000


def test_a_suspended_bucket_keeps_earlier_versions_beside_its_null_one(s3: BaseClient, versioned: str) -> None:
    enabled = s3.put_object(Bucket=versioned, Key="k", Body=b"enabled")["VersionId"]
    versioning(s3, versioned, "Suspended")
    s3.put_object(Bucket=versioned, Key="k", Body=b"first null")
    s3.put_object(Bucket=versioned, Key="k", Body=b"second null")
    assert versions_of(s3, versioned) == [("k", "null", True, False), ("k", enabled, False, False)]
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"second null"
    assert s3.get_object(Bucket=versioned, Key="k", VersionId="null")["Body"].read() == b"second null"
    assert s3.head_object(Bucket=versioned, Key="k", VersionId="null")["ContentLength"] == len(b"second null")
    assert s3.get_object(Bucket=versioned, Key="k", VersionId=enabled)["Body"].read() == b"enabled"
    assert s3.head_object(Bucket=versioned, Key="k", VersionId=enabled)["ContentLength"] == len(b"enabled")


def test_a_delete_on_a_suspended_bucket_makes_the_null_delete_marker(s3: BaseClient, versioned: str) -> None:
    enabled = s3.put_object(Bucket=versioned, Key="k", Body=b"enabled")["VersionId"]
    versioning(s3, versioned, "Suspended")
    s3.put_object(Bucket=versioned, Key="k", Body=b"null")
    deleted = s3.delete_object(Bucket=versioned, Key="k")
    assert (deleted["DeleteMarker"], deleted["VersionId"]) == (True, "null")
    assert versions_of(s3, versioned) == [("k", "null", True, True), ("k", enabled, False, False)]
    assert error_of(lambda: s3.get_object(Bucket=versioned, Key="k")) == (404, "NoSuchKey")
    s3.delete_object(Bucket=versioned, Key="k", VersionId="null")
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"enabled"


def test_deleting_one_version_of_a_suspended_bucket_keeps_the_others(s3: BaseClient, versioned: str) -> None:
    first = s3.put_object(Bucket=versioned, Key="k", Body=b"first")["VersionId"]
    second = s3.put_object(Bucket=versioned, Key="k", Body=b"second")["VersionId"]
    versioning(s3, versioned, "Suspended")
    s3.delete_object(Bucket=versioned, Key="k", VersionId=second)
    assert versions_of(s3, versioned) == [("k", first, True, False)]


def test_a_never_versioned_bucket_reads_its_null_version(s3: BaseClient, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"x"
    assert s3.head_object(Bucket=bucket, Key="k", VersionId="null")["ContentLength"] == 1


def test_suspended_versions_survive_a_restart(restart: Callable[[], BaseClient]) -> None:
    s3 = restart()
    s3.create_bucket(Bucket="suspended")
    versioning(s3, "suspended", "Enabled")
    enabled = s3.put_object(Bucket="suspended", Key="k", Body=b"enabled")["VersionId"]
    versioning(s3, "suspended", "Suspended")
    s3.put_object(Bucket="suspended", Key="k", Body=b"null")
    s3 = restart()
    assert versions_of(s3, "suspended") == [("k", "null", True, False), ("k", enabled, False, False)]
    assert s3.get_object(Bucket="suspended", Key="k", VersionId="null")["Body"].read() == b"null"
    assert s3.get_object(Bucket="suspended", Key="k", VersionId=enabled)["Body"].read() == b"enabled"
