"""Every S3 write and delete made against the emulator reaches `on_s3_event` once, as the raw facts AWS reports."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterator

import boto3
import httpx
import pytest
from botocore.client import BaseClient

from emulator.process import EmulatorProcess
from emulator.s3.events import RawS3Event
from tests.integration.emulator_support import S3EventLog

_bucket_numbers = itertools.count()


@pytest.fixture(scope="module")
def events() -> S3EventLog:
    return S3EventLog()


@pytest.fixture(scope="module")
def emulator(events: S3EventLog) -> Iterator[EmulatorProcess]:
    with EmulatorProcess(on_s3_event=events) as running:
        yield running


@pytest.fixture
def s3(emulator: EmulatorProcess) -> BaseClient:
    return emulator.client("s3")


@pytest.fixture
def bucket(s3: BaseClient) -> str:
    name = f"events-{next(_bucket_numbers)}"
    s3.create_bucket(Bucket=name)
    return name


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_put_object_reports_one_put_with_size_etag_and_request_facts(s3: BaseClient, bucket: str, events: S3EventLog):
    response = s3.put_object(Bucket=bucket, Key="photos/a b+c.txt", Body=b"hello")

    [event] = events.for_bucket(bucket, 1)
    assert event["eventName"] == "ObjectCreated:Put"
    assert event["key"] == "photos/a b+c.txt"  # raw: the record builder URL-encodes it
    assert (event["size"], event["eTag"]) == (5, md5(b"hello"))
    assert event["versionId"] is None
    assert event["region"] == "us-east-1"
    assert event["sourceIp"] == "127.0.0.1"
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert (event["requestId"], event["hostId"]) == (headers["x-amz-request-id"], headers["x-amz-id-2"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", event["eventTime"])
    assert re.fullmatch(r"[0-9A-F]+", event["sequencer"])


def test_sequencers_increase_for_writes_to_one_key(s3: BaseClient, bucket: str, events: S3EventLog):
    for body in (b"one", b"two", b"three"):
        s3.put_object(Bucket=bucket, Key="same", Body=body)

    sequencers = [event["sequencer"] for event in events.for_bucket(bucket, 3)]
    assert sequencers == sorted(sequencers) and len(set(sequencers)) == 3
    assert len({len(sequencer) for sequencer in sequencers}) == 1  # compared as strings, as AWS documents


def test_presigned_post_upload_reports_post(s3: BaseClient, bucket: str, events: S3EventLog):
    post = s3.generate_presigned_post(Bucket=bucket, Key="uploads/form.bin")

    response = httpx.post(post["url"], data=post["fields"], files={"file": ("form.bin", b"posted bytes")})

    assert response.status_code in (200, 201, 204)
    [event] = events.for_bucket(bucket, 1)
    assert (event["eventName"], event["key"]) == ("ObjectCreated:Post", "uploads/form.bin")
    assert (event["size"], event["eTag"]) == (12, md5(b"posted bytes"))


def test_copy_object_reports_copy_only(s3: BaseClient, bucket: str, events: S3EventLog):
    s3.put_object(Bucket=bucket, Key="source", Body=b"copied")

    s3.copy_object(Bucket=bucket, Key="target", CopySource={"Bucket": bucket, "Key": "source"})

    s3.put_object(Bucket=bucket, Key="after", Body=b"")  # a later write proves nothing else arrived in between
    names = [(event["eventName"], event["key"]) for event in events.for_bucket(bucket, 3)]
    assert names == [("ObjectCreated:Put", "source"), ("ObjectCreated:Copy", "target"), ("ObjectCreated:Put", "after")]
    copy = events.for_bucket(bucket, 3)[1]
    assert (copy["size"], copy["eTag"]) == (6, md5(b"copied"))


def test_complete_multipart_upload_reports_completion_and_no_put(s3: BaseClient, bucket: str, events: S3EventLog):
    parts = [b"a" * (5 * 1024 * 1024), b"tail"]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big.bin", Tagging="kind=big")
    etags = [
        s3.upload_part(Bucket=bucket, Key="big.bin", UploadId=upload["UploadId"], PartNumber=number, Body=data)["ETag"]
        for number, data in enumerate(parts, start=1)
    ]
    completed = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="big.bin",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"ETag": etag, "PartNumber": n} for n, etag in enumerate(etags, start=1)]},
    )

    s3.put_object(Bucket=bucket, Key="after", Body=b"")
    first, after = events.for_bucket(bucket, 2)[:2]
    assert (first["eventName"], first["key"]) == ("ObjectCreated:CompleteMultipartUpload", "big.bin")
    assert first["size"] == sum(len(part) for part in parts)
    assert first["eTag"] == completed["ETag"].strip('"') and first["eTag"].endswith("-2")
    assert (after["eventName"], after["key"]) == ("ObjectCreated:Put", "after")


def test_delete_object_reports_delete(s3: BaseClient, bucket: str, events: S3EventLog):
    s3.put_object(Bucket=bucket, Key="doomed", Body=b"bye")

    s3.delete_object(Bucket=bucket, Key="doomed")

    removed = events.for_bucket(bucket, 2)[1]
    assert (removed["eventName"], removed["key"], removed["versionId"]) == ("ObjectRemoved:Delete", "doomed", None)


def test_delete_objects_reports_one_delete_per_key(s3: BaseClient, bucket: str, events: S3EventLog):
    for key in ("one", "two", "three"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())

    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "one"}, {"Key": "two"}, {"Key": "three"}]})

    s3.put_object(Bucket=bucket, Key="after", Body=b"")
    removals = [(event["eventName"], event["key"]) for event in events.for_bucket(bucket, 7)[3:]]
    assert removals == [
        ("ObjectRemoved:Delete", "one"),
        ("ObjectRemoved:Delete", "two"),
        ("ObjectRemoved:Delete", "three"),
        ("ObjectCreated:Put", "after"),
    ]


def test_versioned_bucket_delete_creates_a_marker_and_deleting_a_version_reports_delete(
    s3: BaseClient, bucket: str, events: S3EventLog
):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    put = s3.put_object(Bucket=bucket, Key="kept", Body=b"v1")

    marker = s3.delete_object(Bucket=bucket, Key="kept")
    s3.delete_object(Bucket=bucket, Key="kept", VersionId=put["VersionId"])

    created, hidden, purged = events.for_bucket(bucket, 3)
    assert created["versionId"] == put["VersionId"]
    assert (hidden["eventName"], hidden["versionId"]) == ("ObjectRemoved:DeleteMarkerCreated", marker["VersionId"])
    assert (purged["eventName"], purged["versionId"]) == ("ObjectRemoved:Delete", put["VersionId"])


def test_tagging_and_reads_report_nothing(s3: BaseClient, bucket: str, events: S3EventLog):
    s3.put_object(Bucket=bucket, Key="tagged", Body=b"x")
    s3.put_object_tagging(Bucket=bucket, Key="tagged", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    s3.get_object(Bucket=bucket, Key="tagged")["Body"].read()
    s3.delete_object_tagging(Bucket=bucket, Key="tagged")

    s3.put_object(Bucket=bucket, Key="after", Body=b"")
    assert [event["key"] for event in events.for_bucket(bucket, 2)] == ["tagged", "after"]


class FailsOnFirstEvent(S3EventLog):
    """A consumer with a bug that shows on its first event only."""

    def __call__(self, event: RawS3Event) -> None:
        self.calls = getattr(self, "calls", 0) + 1
        if self.calls == 1:
            raise RuntimeError("consumer bug")
        super().__call__(event)


def test_a_failing_consumer_does_not_stop_later_events() -> None:
    consumer = FailsOnFirstEvent()
    with EmulatorProcess(on_s3_event=consumer) as other:
        s3 = other.client("s3")
        s3.create_bucket(Bucket="flaky-consumer")
        s3.put_object(Bucket="flaky-consumer", Key="first", Body=b"")
        s3.put_object(Bucket="flaky-consumer", Key="second", Body=b"")

        assert [event["key"] for event in consumer.for_bucket("flaky-consumer", 1)] == ["second"]


def test_an_iam_users_write_names_the_user_as_principal(emulator: EmulatorProcess, bucket: str, events: S3EventLog):
    iam = emulator.client("iam")
    user = iam.create_user(UserName="uploader")["User"]
    key = iam.create_access_key(UserName="uploader")["AccessKey"]
    s3 = boto3.session.Session().client(
        "s3",
        endpoint_url=emulator.endpoint,
        region_name=emulator.region,
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )

    s3.put_object(Bucket=bucket, Key="by-user", Body=b"")

    assert events.for_bucket(bucket, 1)[0]["principalId"] == f"AWS:{user['UserId']}"
