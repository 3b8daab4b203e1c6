"""Who may do what, as S3 decides it: signatures checked on every call, presigned expiries, anonymous access.

Every call is a real request to the emulator as `sst-dev start` runs it; the expectations are S3's (see
`docs/s3-access.md`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

import boto3
import httpx
import pytest
from botocore import UNSIGNED
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError

from emulator.process import EmulatorProcess
from tests.integration.s3.conftest import NO_RETRIES
from tests.integration.s3.raw_requests import send, signed_headers


def client_with(emulator: EmulatorProcess, access_key: str, secret: str, signature_version: str = "s3v4") -> Any:
    return boto3.client(
        "s3",
        endpoint_url=emulator.endpoint,
        region_name=emulator.region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
        config=NO_RETRIES.merge(Config(signature_version=signature_version)),
    )


def anonymous(emulator: EmulatorProcess) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=emulator.endpoint,
        region_name=emulator.region,
        config=NO_RETRIES.merge(Config(signature_version=UNSIGNED)),
    )


def refusal(call: Callable[[], object]) -> tuple[int, str]:
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return int(response["ResponseMetadata"]["HTTPStatusCode"]), str(response["Error"]["Code"])


def calls(client: Any, bucket: str) -> dict[str, Callable[[], object]]:
    """One call of each kind S3 signs the same way: the service, a bucket, an object read, write and delete."""
    return {
        "ListBuckets": client.list_buckets,
        "ListObjectsV2": lambda: client.list_objects_v2(Bucket=bucket),
        "HeadBucket": lambda: client.head_bucket(Bucket=bucket),
        "GetObject": lambda: client.get_object(Bucket=bucket, Key="kept.txt"),
        "PutObject": lambda: client.put_object(Bucket=bucket, Key="written.txt", Body=b"x"),
        "DeleteObject": lambda: client.delete_object(Bucket=bucket, Key="kept.txt"),
        "PutBucketTagging": lambda: client.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": []}),
    }


@pytest.mark.parametrize(
    ("access_key", "secret", "signature_version", "code"),
    [
        ("AKIANOBODYKNOWS", "whatever", "s3v4", "InvalidAccessKeyId"),
        ("test", "not-the-secret", "s3v4", "SignatureDoesNotMatch"),
        ("AKIANOBODYKNOWS", "whatever", "s3", "InvalidAccessKeyId"),
        ("test", "not-the-secret", "s3", "SignatureDoesNotMatch"),
    ],
    ids=["unknown key", "wrong secret", "unknown key sigv2", "wrong secret sigv2"],
)
def test_every_call_with_a_bad_credential_is_refused_and_changes_nothing(
    emulator: EmulatorProcess,
    s3: BaseClient,
    bucket: str,
    access_key: str,
    secret: str,
    signature_version: str,
    code: str,
) -> None:
    s3.put_object(Bucket=bucket, Key="kept.txt", Body=b"kept")
    intruder = client_with(emulator, access_key, secret, signature_version)
    for name, call in calls(intruder, bucket).items():
        expected_code = "403" if name == "HeadBucket" else code  # a HEAD answer has no body: boto3 names its status
        assert refusal(call) == (403, expected_code), name
    assert [item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["kept.txt"]
    assert refusal(lambda: s3.get_bucket_tagging(Bucket=bucket)) == (404, "NoSuchTagSet")


def test_the_accounts_key_signs_with_either_signature_version_and_an_iam_users_key_too(
    emulator: EmulatorProcess, bucket: str
) -> None:
    iam = emulator.client("iam")
    iam.create_user(UserName="signer")
    allow_s3 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    iam.put_user_policy(UserName="signer", PolicyName="s3", PolicyDocument=json.dumps(allow_s3))
    key = iam.create_access_key(UserName="signer")["AccessKey"]
    for client in (
        client_with(emulator, "test", "test", "s3"),
        client_with(emulator, "test", "test", "s3v4"),
        client_with(emulator, key["AccessKeyId"], key["SecretAccessKey"]),
    ):
        client.put_object(Bucket=bucket, Key="a b+c=d.txt", Body=b"ok", Metadata={"m": "v"}, Tagging="t=1")
        assert client.get_object(Bucket=bucket, Key="a b+c=d.txt", Range="bytes=0-0")["Body"].read() == b"o"
        assert client.list_objects_v2(Bucket=bucket, Prefix="a b", MaxKeys=1)["KeyCount"] == 1


@pytest.mark.parametrize(
    ("authorization", "status", "code"),
    [
        ("Bearer", 400, "InvalidArgument"),
        (
            "AWS4-ECDSA-P256-SHA256 Credential=test/20240101/s3/aws4_request, SignedHeaders=host, Signature=00",
            400,
            "InvalidArgument",
        ),
        ("AWS HAHAHA", 400, "InvalidArgument"),
        (
            "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws4_request, Signature=abc",
            400,
            "AuthorizationHeaderMalformed",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws5_request, SignedHeaders=host, Signature=abc",
            400,
            "AuthorizationHeaderMalformed",
        ),
    ],
)
def test_a_malformed_authorization_header_is_refused_as_s3_refuses_it(
    emulator: EmulatorProcess, bucket: str, authorization: str, status: int, code: str
) -> None:
    for path in (f"/{bucket}", "/"):  # a bucket's call, and ListBuckets
        answer = httpx.get(emulator.endpoint + path, headers={"Authorization": authorization})
        assert (answer.status_code, f"<Code>{code}</Code>" in answer.text) == (status, True), (path, answer.text)


@pytest.mark.parametrize(
    ("amz_date", "code"),
    [("20100707T215304Z", "RequestTimeTooSkewed"), ("99990707T215304Z", "RequestTimeTooSkewed"),
     ("19500707T215304Z", "AccessDenied"), ("yesterday", "AccessDenied")],
)  # fmt: skip
def test_a_signing_time_far_from_now_or_unreadable_is_refused(
    emulator: EmulatorProcess, bucket: str, amz_date: str, code: str
) -> None:
    headers = signed_headers(emulator, "GET", f"/{bucket}", {})
    today = headers["X-Amz-Date"][:8]
    headers["Authorization"] = headers["Authorization"].replace(f"/{today}/", f"/{amz_date[:8]}/")
    headers["X-Amz-Date"] = amz_date
    answer = send(emulator, "GET", f"/{bucket}", headers)
    assert (answer.status, f"<Code>{code}</Code>".encode() in answer.body) == (403, True), answer.body


def test_an_empty_authorization_header_is_an_anonymous_request(emulator: EmulatorProcess, bucket: str) -> None:
    answer = httpx.get(f"{emulator.endpoint}/{bucket}", headers={"Authorization": ""})
    assert (answer.status_code, "<Code>AccessDenied</Code>" in answer.text) == (403, True)


@pytest.mark.parametrize(
    ("expires", "code"),
    [
        ("609901", "AuthorizationQueryParametersError"),
        ("-7", "AuthorizationQueryParametersError"),
        ("soon", "AuthorizationQueryParametersError"),
        ("0", "AccessDenied"),
    ],
    ids=["beyond a week", "negative", "not a number", "zero"],
)
def test_a_presigned_url_with_an_expiry_out_of_range_is_forbidden(
    s3: BaseClient, bucket: str, expires: str, code: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60)
    # botocore (its CRT signer) signs no expiry under 1 s: the URL is edited; S3 reads the expiry before the signature
    answer = httpx.get(url.replace("X-Amz-Expires=60", f"X-Amz-Expires={expires}"))
    assert (answer.status_code, f"<Code>{code}</Code>" in answer.text) == (403, True), answer.text


def test_anyone_is_told_a_missing_bucket_is_missing(emulator: EmulatorProcess) -> None:
    public = anonymous(emulator)
    assert refusal(lambda: public.list_objects_v2(Bucket="never-made")) == (404, "NoSuchBucket")
    assert refusal(lambda: public.get_object(Bucket="never-made", Key="k")) == (404, "NoSuchBucket")
    assert refusal(lambda: public.create_bucket(Bucket="made-by-nobody")) == (403, "AccessDenied")
    assert refusal(lambda: public.head_bucket(Bucket="made-by-nobody")) == (404, "404")


def test_a_private_bucket_hides_its_objects_and_their_absence(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="secret.txt", Body=b"s")
    public = anonymous(emulator)
    assert refusal(lambda: public.get_object(Bucket=bucket, Key="secret.txt")) == (403, "AccessDenied")
    assert refusal(lambda: public.get_object(Bucket=bucket, Key="missing.txt")) == (403, "AccessDenied")
    assert refusal(lambda: public.list_objects_v2(Bucket=bucket)) == (403, "AccessDenied")
    assert refusal(lambda: public.put_object(Bucket=bucket, Key="x", Body=b"x")) == (403, "AccessDenied")


def test_a_public_read_bucket_lists_and_serves_public_objects_to_anyone(
    emulator: EmulatorProcess, s3: BaseClient
) -> None:
    s3.create_bucket(Bucket="public-read-bucket", ACL="public-read")
    s3.put_object(Bucket="public-read-bucket", Key="open.txt", Body=b"open", ACL="public-read")
    s3.put_object(Bucket="public-read-bucket", Key="default.txt", Body=b"private by default")
    public = anonymous(emulator)
    assert [o["Key"] for o in public.list_objects_v2(Bucket="public-read-bucket")["Contents"]] == [
        "default.txt",
        "open.txt",
    ]
    assert public.get_object(Bucket="public-read-bucket", Key="open.txt")["Body"].read() == b"open"
    assert refusal(lambda: public.get_object(Bucket="public-read-bucket", Key="default.txt")) == (403, "AccessDenied")
    assert refusal(lambda: public.get_object(Bucket="public-read-bucket", Key="gone.txt")) == (404, "NoSuchKey")
    assert refusal(lambda: public.put_object(Bucket="public-read-bucket", Key="x", Body=b"x")) == (403, "AccessDenied")


def test_a_public_read_write_bucket_takes_anonymous_writes_and_deletes(
    emulator: EmulatorProcess, s3: BaseClient
) -> None:
    s3.create_bucket(Bucket="public-write-bucket", ACL="public-read-write")
    public = anonymous(emulator)
    public.put_object(Bucket="public-write-bucket", Key="dropped.txt", Body=b"from anyone")
    assert s3.get_object(Bucket="public-write-bucket", Key="dropped.txt")["Body"].read() == b"from anyone"
    public.delete_object(Bucket="public-write-bucket", Key="dropped.txt")
    assert s3.list_objects_v2(Bucket="public-write-bucket")["KeyCount"] == 0


def everyone(bucket: str, *statements: tuple[str, str, str]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": effect, "Principal": "*", "Action": action, "Resource": f"arn:aws:s3:::{bucket}{resource}"}
                for effect, action, resource in statements
            ],
        }
    )


def test_a_bucket_policy_opens_reads_and_only_listing_reveals_absence(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="shared.txt", Body=b"shared")
    s3.put_bucket_policy(Bucket=bucket, Policy=everyone(bucket, ("Allow", "s3:GetObject", "/*")))
    public = anonymous(emulator)
    assert public.get_object(Bucket=bucket, Key="shared.txt")["Body"].read() == b"shared"
    assert refusal(lambda: public.get_object(Bucket=bucket, Key="missing.txt")) == (403, "AccessDenied")

    listing = everyone(bucket, ("Allow", "s3:GetObject", "/*"), ("Allow", "s3:ListBucket", ""))
    s3.put_bucket_policy(Bucket=bucket, Policy=listing)
    assert refusal(lambda: public.get_object(Bucket=bucket, Key="missing.txt")) == (404, "NoSuchKey")


def test_an_explicit_deny_and_ignored_public_acls_close_a_public_bucket(
    emulator: EmulatorProcess, s3: BaseClient
) -> None:
    s3.create_bucket(Bucket="closed-again", ACL="public-read")
    s3.put_object(Bucket="closed-again", Key="k", Body=b"x", ACL="public-read")
    public = anonymous(emulator)
    assert public.get_object(Bucket="closed-again", Key="k")["Body"].read() == b"x"

    s3.put_bucket_policy(Bucket="closed-again", Policy=everyone("closed-again", ("Deny", "s3:GetObject", "/k")))
    assert refusal(lambda: public.get_object(Bucket="closed-again", Key="k")) == (403, "AccessDenied")
    s3.delete_bucket_policy(Bucket="closed-again")
    s3.put_public_access_block(
        Bucket="closed-again",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": False,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )
    assert refusal(lambda: public.list_objects_v2(Bucket="closed-again")) == (403, "AccessDenied")


def test_a_bucket_policy_s3_would_not_take_is_refused_and_the_bucket_keeps_serving(s3: BaseClient, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for policy in ("{}\n{", "[]", '{"Version": "2012-10-17"}', '{"Statement": [{"Effect": "Allow"}]}'):
        put = partial(s3.put_bucket_policy, Bucket=bucket, Policy=policy)
        assert refusal(put) == (400, "MalformedPolicy"), policy
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"
    assert refusal(lambda: s3.get_bucket_policy(Bucket=bucket)) == (404, "NoSuchBucketPolicy")
