"""S3 event notification records, shaped exactly as Amazon S3 sends them to a Lambda function.

Pure functions: the emulator reports each write or delete as a `RawS3Event`; `s3_event_record` turns one into the
record AWS documents under "Event message structure" (event version 2.1), and `s3_event` wraps records in the
`{"Records": [...]}` envelope a handler receives. Nothing here does I/O.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from typing import NotRequired, TypedDict, cast
from urllib.parse import quote_plus

from emulator.account import ACCOUNT_ID

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "RawS3Event",
    "S3Event",
    "S3EventRecord",
    "bucket_arn",
    "bucket_owner_id",
    "encode_object_key",
    "s3_event",
    "s3_event_record",
]

DEFAULT_ACCOUNT_ID = ACCOUNT_ID
"""The emulator's account, as LocalStack and moto use a fixed one."""

_LOCAL_SOURCE_IP = "127.0.0.1"


class RawS3Event(TypedDict):
    """One write or delete as the emulator observed it; the key is the raw (decoded) object key.

    `eventName` is AWS's event type without the `s3:` prefix (`ObjectCreated:Put`, `ObjectRemoved:Delete`, ...).
    `versionId` is None unless the bucket is versioned. `eventTime` is ISO-8601 with milliseconds and `Z`.
    """

    eventName: str
    bucket: str
    key: str
    size: int
    eTag: str
    versionId: str | None
    sequencer: str
    eventTime: str
    sourceIp: str
    requestId: str
    hostId: str
    principalId: str
    region: str


class UserIdentity(TypedDict):
    principalId: str


class RequestParameters(TypedDict):
    sourceIPAddress: str


ResponseElements = TypedDict("ResponseElements", {"x-amz-request-id": str, "x-amz-id-2": str})


class OwnerIdentity(TypedDict):
    principalId: str


class S3Bucket(TypedDict):
    name: str
    ownerIdentity: OwnerIdentity
    arn: str


class S3Object(TypedDict):
    key: str
    size: NotRequired[int]
    eTag: NotRequired[str]
    versionId: NotRequired[str]
    sequencer: str


class S3Entity(TypedDict):
    s3SchemaVersion: str
    configurationId: str
    bucket: S3Bucket
    object: S3Object


class S3EventRecord(TypedDict):
    """One entry of `Records`, field for field as AWS documents it."""

    eventVersion: str
    eventSource: str
    awsRegion: str
    eventTime: str
    eventName: str
    userIdentity: UserIdentity
    requestParameters: RequestParameters
    responseElements: ResponseElements
    s3: S3Entity


class S3Event(TypedDict):
    """What a Lambda function subscribed to a bucket receives."""

    Records: list[S3EventRecord]


def encode_object_key(key: str) -> str:
    """The object key as S3 writes it into an event record: form-encoded, with `/` left alone.

    AWS documents the key as URL-encoded with `application/x-www-form-urlencoded` rules ("red flower.jpg" becomes
    "red+flower.jpg"); production events show `+` as `%2B`, `=` as `%3D`, `:` as `%3A`, non-ASCII as UTF-8
    percent-escapes, and `/` unescaped. Handlers must `unquote_plus` it before calling S3, so we encode the same way
    and their decoding bug shows up locally.
    """
    return quote_plus(key, safe="/")


def bucket_arn(bucket: str, region: str) -> str:
    """`arn:aws:s3:::bucket` (S3 bucket ARNs carry no region or account; only the partition varies)."""
    if region.startswith("cn-"):
        partition = "aws-cn"
    elif region.startswith("us-gov-"):
        partition = "aws-us-gov"
    else:
        partition = "aws"
    return f"arn:{partition}:s3:::{bucket}"


def bucket_owner_id(account_id: str) -> str:
    """A stable stand-in for the bucket owner's Amazon customer ID (`A3NL1KOZZKExample`-shaped), per account."""
    digest = base64.b32encode(hashlib.sha256(account_id.encode()).digest()).decode()
    return f"A{digest[:13]}"


def _source_ip(value: str) -> str:
    # S3 reports a bare IP address; a proxy header list or a test client's placeholder would make the record fail
    # validation in the handler (powertools' S3Model requires an IP), so anything else becomes the loopback address.
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return _LOCAL_SOURCE_IP


def s3_event_record(raw: RawS3Event, *, configuration_id: str, account_id: str = DEFAULT_ACCOUNT_ID) -> S3EventRecord:
    """The record S3 sends for one event to the notification configuration `configuration_id`.

    As S3 does, `size` and `eTag` appear only for `ObjectCreated:*` events (a delete has neither), and `versionId`
    only when the bucket is versioned (the raw event carries one).
    """
    # Built in AWS's documented key order, so a printed event reads like one from the console.
    s3_object: dict[str, str | int] = {"key": encode_object_key(raw["key"])}
    if raw["eventName"].startswith("ObjectCreated:"):
        s3_object["size"] = raw["size"]
        s3_object["eTag"] = raw["eTag"]
    if raw["versionId"] is not None:
        s3_object["versionId"] = raw["versionId"]
    s3_object["sequencer"] = raw["sequencer"]
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": raw["region"],
        "eventTime": raw["eventTime"],
        "eventName": raw["eventName"],
        "userIdentity": {"principalId": raw["principalId"]},
        "requestParameters": {"sourceIPAddress": _source_ip(raw["sourceIp"])},
        "responseElements": {"x-amz-request-id": raw["requestId"], "x-amz-id-2": raw["hostId"]},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration_id,
            "bucket": {
                "name": raw["bucket"],
                "ownerIdentity": {"principalId": bucket_owner_id(account_id)},
                "arn": bucket_arn(raw["bucket"], raw["region"]),
            },
            "object": cast(S3Object, s3_object),
        },
    }


def s3_event(records: list[S3EventRecord]) -> S3Event:
    """The event envelope: S3 puts one record in each message, but the shape allows several."""
    return {"Records": list(records)}
