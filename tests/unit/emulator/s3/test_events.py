"""S3 event records are shaped as AWS sends them, and powertools' S3Model accepts every one."""

from __future__ import annotations

from urllib.parse import unquote_plus

import pytest
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import S3Model

from emulator.s3.events import RawS3Event, bucket_arn, encode_object_key, s3_event, s3_event_record

KEYS = [
    "uploads/photo.png",
    "uploads/red flower.jpg",
    "c++/a+b=c.txt",
    "100%/done?.txt",
    "files/2017-11-15 14:22:21_file.csv",
    "naïve/日本語 ファイル.png",
    "deep/nested/path/",
    "(1) copy & paste #2.txt",
]


def raw_event(event_name: str = "ObjectCreated:Put", key: str = "uploads/photo.png", **changes: object) -> RawS3Event:
    raw: RawS3Event = {
        "eventName": event_name,
        "bucket": "dev-sample-app-myfiles-1a2b3c4d",
        "key": key,
        "size": 1024,
        "eTag": "d41d8cd98f00b204e9800998ecf8427e",
        "versionId": None,
        "sequencer": "0055AED6DCD90281E5",
        "eventTime": "2026-11-22T21:20:11.123Z",
        "sourceIp": "127.0.0.1",
        "requestId": "C3D13FE58DE4C810",
        "hostId": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
        "principalId": "AWS:AIDAJDPLRKLG7UEXAMPLE",
        "region": "us-east-1",
    }
    raw.update(changes)  # type: ignore[typeddict-item]
    return raw


def test_a_put_record_carries_every_field_aws_documents() -> None:
    record = s3_event_record(raw_event(), configuration_id="thumbs")

    assert record == {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": "2026-11-22T21:20:11.123Z",
        "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "AWS:AIDAJDPLRKLG7UEXAMPLE"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {
            "x-amz-request-id": "C3D13FE58DE4C810",
            "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "thumbs",
            "bucket": {
                "name": "dev-sample-app-myfiles-1a2b3c4d",
                "ownerIdentity": {"principalId": record["s3"]["bucket"]["ownerIdentity"]["principalId"]},
                "arn": "arn:aws:s3:::dev-sample-app-myfiles-1a2b3c4d",
            },
            "object": {
                "key": "uploads/photo.png",
                "size": 1024,
                "eTag": "d41d8cd98f00b204e9800998ecf8427e",
                "sequencer": "0055AED6DCD90281E5",
            },
        },
    }
    assert list(record["s3"]["object"]) == ["key", "size", "eTag", "sequencer"]


@pytest.mark.parametrize(
    ("key", "encoded"),
    [
        ("red flower.jpg", "red+flower.jpg"),  # AWS's documented example
        ("this im + age blah.txt", "this+im+%2B+age+blah.txt"),  # seen from production S3
        ("something/dt=2018-05-04/_SUCCESS", "something/dt%3D2018-05-04/_SUCCESS"),
        ("files/14:22:21.csv", "files/14%3A22%3A21.csv"),
        ("100%.txt", "100%25.txt"),
        ("naïve.png", "na%C3%AFve.png"),
    ],
)
def test_object_keys_are_form_encoded_with_slashes_kept(key: str, encoded: str) -> None:
    assert encode_object_key(key) == encoded
    assert s3_event_record(raw_event(key=key), configuration_id="c")["s3"]["object"]["key"] == encoded


@pytest.mark.parametrize("key", KEYS)
def test_handlers_get_the_raw_key_back_with_unquote_plus(key: str) -> None:
    record = s3_event_record(raw_event(key=key), configuration_id="c")

    assert unquote_plus(record["s3"]["object"]["key"]) == key


@pytest.mark.parametrize("event_name", ["ObjectRemoved:Delete", "ObjectRemoved:DeleteMarkerCreated"])
def test_removed_records_have_no_size_or_etag(event_name: str) -> None:
    record = s3_event_record(raw_event(event_name, size=0, eTag=""), configuration_id="c")

    assert record["eventName"] == event_name
    assert record["s3"]["object"] == {"key": "uploads/photo.png", "sequencer": "0055AED6DCD90281E5"}


def test_version_id_appears_only_for_versioned_buckets() -> None:
    unversioned = s3_event_record(raw_event(), configuration_id="c")
    versioned = s3_event_record(raw_event(versionId="096fKKXTRTtl3on89fVO.nfljtsv6qko"), configuration_id="c")

    assert "versionId" not in unversioned["s3"]["object"]
    assert versioned["s3"]["object"]["versionId"] == "096fKKXTRTtl3on89fVO.nfljtsv6qko"
    assert list(versioned["s3"]["object"]) == ["key", "size", "eTag", "versionId", "sequencer"]


def test_a_source_that_is_not_an_ip_address_is_reported_as_loopback() -> None:
    assert s3_event_record(raw_event(sourceIp="testclient"), configuration_id="c")["requestParameters"] == {
        "sourceIPAddress": "127.0.0.1"
    }
    assert s3_event_record(raw_event(sourceIp="::1"), configuration_id="c")["requestParameters"] == {
        "sourceIPAddress": "::1"
    }


def test_the_bucket_owner_is_stable_per_account_and_differs_between_accounts() -> None:
    def owner(account: str) -> str:
        return s3_event_record(raw_event(), configuration_id="c", account_id=account)["s3"]["bucket"]["ownerIdentity"][
            "principalId"
        ]

    assert owner("000000000000") == owner("000000000000")
    assert owner("000000000000") != owner("123456789012")
    assert owner("000000000000").startswith("A") and owner("000000000000").isalnum()


@pytest.mark.parametrize(
    ("region", "arn"),
    [
        ("eu-west-1", "arn:aws:s3:::b"),
        ("cn-north-1", "arn:aws-cn:s3:::b"),
        ("us-gov-west-1", "arn:aws-us-gov:s3:::b"),
    ],
)
def test_bucket_arns_use_the_regions_partition(region: str, arn: str) -> None:
    assert bucket_arn("b", region) == arn


EVENT_NAMES = [
    "ObjectCreated:Put",
    "ObjectCreated:Post",
    "ObjectCreated:Copy",
    "ObjectCreated:CompleteMultipartUpload",
    "ObjectRemoved:Delete",
    "ObjectRemoved:DeleteMarkerCreated",
]


@pytest.mark.parametrize("event_name", EVENT_NAMES)
@pytest.mark.parametrize("key", KEYS)
def test_powertools_s3_model_accepts_every_record(event_name: str, key: str) -> None:
    event = s3_event([s3_event_record(raw_event(event_name, key=key, versionId="v1"), configuration_id="thumbs")])

    parsed = parse(event=dict(event), model=S3Model)

    record = parsed.Records[0]
    assert record.eventName == event_name
    assert record.s3.object is not None
    assert unquote_plus(record.s3.object.key) == key
    assert record.s3.configurationId == "thumbs"


def test_an_event_wraps_its_records() -> None:
    first = s3_event_record(raw_event(key="a"), configuration_id="c")
    second = s3_event_record(raw_event(key="b"), configuration_id="c")

    assert s3_event([first, second]) == {"Records": [first, second]}
