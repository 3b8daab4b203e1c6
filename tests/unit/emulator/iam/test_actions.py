"""The IAM action and resources AWS checks for each kind of request."""

from __future__ import annotations

import pytest

from emulator.iam.actions import RequiredPermission, dynamodb_permissions, s3_permissions, ssm_permissions


@pytest.mark.parametrize(
    ("method", "bucket", "key", "query", "headers", "expected"),
    [
        ("GET", None, None, {}, {}, [("s3:ListAllMyBuckets", "*")]),
        ("GET", "b", None, {"list-type": "2"}, {}, [("s3:ListBucket", "arn:aws:s3:::b")]),
        ("HEAD", "b", None, {}, {}, [("s3:ListBucket", "arn:aws:s3:::b")]),
        ("PUT", "b", None, {}, {}, [("s3:CreateBucket", "arn:aws:s3:::b")]),
        ("PUT", "b", None, {"cors": ""}, {}, [("s3:PutBucketCORS", "arn:aws:s3:::b")]),
        ("POST", "b", None, {"delete": ""}, {}, [("s3:DeleteObject", "arn:aws:s3:::b/*")]),
        ("GET", "b", "k/x", {}, {}, [("s3:GetObject", "arn:aws:s3:::b/k/x")]),
        ("HEAD", "b", "k", {}, {}, [("s3:GetObject", "arn:aws:s3:::b/k")]),
        ("GET", "b", "k", {"versionId": "1"}, {}, [("s3:GetObjectVersion", "arn:aws:s3:::b/k")]),
        ("PUT", "b", "k", {"partNumber": "1", "uploadId": "u"}, {}, [("s3:PutObject", "arn:aws:s3:::b/k")]),
        ("POST", "b", "k", {"uploads": ""}, {}, [("s3:PutObject", "arn:aws:s3:::b/k")]),
        ("DELETE", "b", "k", {"uploadId": "u"}, {}, [("s3:AbortMultipartUpload", "arn:aws:s3:::b/k")]),
        ("DELETE", "b", "k", {}, {}, [("s3:DeleteObject", "arn:aws:s3:::b/k")]),
        ("PUT", "b", "k", {"tagging": ""}, {}, [("s3:PutObjectTagging", "arn:aws:s3:::b/k")]),
        (
            "PUT", "b", "k", {}, {"x-amz-copy-source": "/src/a%20b.txt"},
            [("s3:PutObject", "arn:aws:s3:::b/k"), ("s3:GetObject", "arn:aws:s3:::src/a b.txt")],
        ),
    ],
)  # fmt: skip
def test_s3_requests_need_the_documented_actions(
    method: str,
    bucket: str | None,
    key: str | None,
    query: dict,
    headers: dict,
    expected: list,  # type: ignore[type-arg]
) -> None:
    assert s3_permissions(method, bucket, key, query, headers) == [RequiredPermission(a, (r,)) for a, r in expected]


def test_ssm_resources_are_parameter_arns_without_the_leading_slash() -> None:
    needed = ssm_permissions("GetParameters", {"Names": ["/sst/a/b", "/sst/a/c"]}, region="eu-west-1", account="1")
    assert needed == RequiredPermission(
        "ssm:GetParameters",
        ("arn:aws:ssm:eu-west-1:1:parameter/sst/a/b", "arn:aws:ssm:eu-west-1:1:parameter/sst/a/c"),
    )
    assert ssm_permissions("DescribeParameters", {}, region="r", account="1").resources == ("*",)


def test_dynamodb_resources_are_the_tables_named_in_the_body() -> None:
    assert dynamodb_permissions("PutItem", {"TableName": "t"}, region="r", account="1").resources == (
        "arn:aws:dynamodb:r:1:table/t",
    )
    batch = dynamodb_permissions("BatchGetItem", {"RequestItems": {"a": {}, "b": {}}}, region="r", account="1")
    assert batch.resources == ("arn:aws:dynamodb:r:1:table/a", "arn:aws:dynamodb:r:1:table/b")
