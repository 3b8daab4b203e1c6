"""Object and bucket tags answer as S3 documents: empty values kept, a tag set breaking S3's limits refused whole with
400 InvalidTag (and nothing written), and tags set through `x-amz-tagging` on PutObject, CreateMultipartUpload and
CopyObject (`x-amz-tagging-directive`)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.client import BaseClient

from tests.integration.s3.answers import error_of, refusal


def tag_set(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {"TagSet": [{"Key": key, "Value": value} for key, value in pairs]}


def tags_of(s3: BaseClient, bucket: str, key: str) -> list[tuple[str, str]]:
    return [(tag["Key"], tag["Value"]) for tag in s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]]


@pytest.fixture
def obj(s3: BaseClient, bucket: str) -> str:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    return bucket


def test_empty_tag_values_are_kept_on_objects_and_buckets(s3: BaseClient, obj: str) -> None:
    s3.put_object_tagging(Bucket=obj, Key="k", Tagging=tag_set(("a", ""), ("b", "1")))
    assert tags_of(s3, obj, "k") == [("a", ""), ("b", "1")]
    s3.put_bucket_tagging(Bucket=obj, Tagging=tag_set(("team", "")))
    assert s3.get_bucket_tagging(Bucket=obj)["TagSet"] == [{"Key": "team", "Value": ""}]


def test_ten_tags_of_the_longest_keys_and_values_are_allowed(s3: BaseClient, obj: str) -> None:
    pairs = [(f"{index}" + "k" * 127, "v" * 256) for index in range(10)]
    s3.put_object_tagging(Bucket=obj, Key="k", Tagging=tag_set(*pairs))
    assert tags_of(s3, obj, "k") == pairs


@pytest.mark.parametrize(
    "pairs",
    [
        [(f"k{index}", "v") for index in range(11)],
        [("a", "1"), ("a", "2")],
        [("k" * 129, "v")],
        [("k", "v" * 257)],
        [("aws:reserved", "v")],
    ],
    ids=["more-than-10", "duplicate-key", "key-over-128", "value-over-256", "aws-prefix"],
)
def test_an_object_tag_set_breaking_a_limit_is_invalid_and_changes_nothing(
    s3: BaseClient, obj: str, pairs: list[tuple[str, str]]
) -> None:
    s3.put_object_tagging(Bucket=obj, Key="k", Tagging=tag_set(("kept", "1")))
    assert error_of(lambda: s3.put_object_tagging(Bucket=obj, Key="k", Tagging=tag_set(*pairs))) == (400, "InvalidTag")
    assert tags_of(s3, obj, "k") == [("kept", "1")]


def test_more_than_10_object_tags_is_invalid_tag_with_s3s_message(s3: BaseClient, obj: str) -> None:
    eleven = tag_set(*[(f"k{index}", "v") for index in range(11)])
    refused = refusal(lambda: s3.put_object_tagging(Bucket=obj, Key="k", Tagging=eleven))
    assert (refused.code, refused.message) == ("InvalidTag", "Object tags cannot be greater than 10")


def test_bucket_tags_are_limited_to_50_unique_keys(s3: BaseClient, bucket: str) -> None:
    fifty = [(f"k{index}", "v") for index in range(50)]
    s3.put_bucket_tagging(Bucket=bucket, Tagging=tag_set(*fifty))
    assert len(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == 50
    too_many = tag_set(*fifty, ("k50", "v"))
    assert error_of(lambda: s3.put_bucket_tagging(Bucket=bucket, Tagging=too_many)) == (400, "InvalidTag")
    duplicated = tag_set(("a", "1"), ("a", "2"))
    assert error_of(lambda: s3.put_bucket_tagging(Bucket=bucket, Tagging=duplicated)) == (400, "InvalidTag")


def test_the_tagging_header_tags_put_object_with_empty_values_kept(s3: BaseClient, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="foo=bar&bar")
    assert tags_of(s3, bucket, "k") == [("bar", ""), ("foo", "bar")]
    assert s3.get_object(Bucket=bucket, Key="k")["TagCount"] == 2


def test_a_tagging_header_breaking_a_limit_is_refused_before_the_object_is_written(s3: BaseClient, bucket: str) -> None:
    header = "&".join(f"k{index}=v" for index in range(11))
    assert error_of(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging=header)) == (400, "InvalidTag")
    assert error_of(lambda: s3.head_object(Bucket=bucket, Key="k"))[0] == 404
    assert error_of(lambda: s3.create_multipart_upload(Bucket=bucket, Key="k", Tagging="a=1&a=2")) == (
        400,
        "InvalidTag",
    )


def test_a_multipart_object_gets_the_tags_of_its_upload(s3: BaseClient, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", Tagging="team=&env=dev")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"x")["ETag"]
    s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}
    )
    assert tags_of(s3, bucket, "k") == [("env", "dev"), ("team", "")]


def test_copy_object_copies_tags_or_replaces_them_with_the_header(s3: BaseClient, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="source", Body=b"x", Tagging="a=1&b=")
    source = {"Bucket": bucket, "Key": "source"}
    s3.copy_object(Bucket=bucket, Key="copied", CopySource=source)
    assert tags_of(s3, bucket, "copied") == [("a", "1"), ("b", "")]
    s3.copy_object(Bucket=bucket, Key="replaced", CopySource=source, TaggingDirective="REPLACE", Tagging="z=9")
    assert tags_of(s3, bucket, "replaced") == [("z", "9")]
    s3.copy_object(Bucket=bucket, Key="cleared", CopySource=source, TaggingDirective="REPLACE")
    assert tags_of(s3, bucket, "cleared") == []


def test_copy_object_refuses_bad_tags_or_directive_before_copying(s3: BaseClient, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="source", Body=b"x")
    source = {"Bucket": bucket, "Key": "source"}
    header = "&".join(f"k{index}=v" for index in range(11))
    assert error_of(
        lambda: s3.copy_object(Bucket=bucket, Key="copy", CopySource=source, TaggingDirective="REPLACE", Tagging=header)
    ) == (400, "InvalidTag")
    assert error_of(lambda: s3.copy_object(Bucket=bucket, Key="copy", CopySource=source, TaggingDirective="MOVE")) == (
        400,
        "InvalidArgument",
    )
    assert error_of(lambda: s3.head_object(Bucket=bucket, Key="copy"))[0] == 404
