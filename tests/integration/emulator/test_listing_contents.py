"""A listing's `<Contents>`, which the emulator writes itself (`emulator.s3.listing_xml`), are byte for byte what
moto's own serializer writes: the same listings are answered with that writer and without it, and compared."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.config import Config

from emulator.moto import listing
from tests.integration.emulator_support import emulator_in_thread

BUCKET = "listing-contents"
KEYS = ["a/1", "a/2", "a b&<>\"'.txt", "ключ/数据/🙂", "k" * 1024, "trailing/", "z"]


@pytest.fixture(scope="module")
def s3() -> Iterator[BaseClient]:
    with emulator_in_thread() as url:
        client = boto3.client(
            "s3",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 0}),
        )
        client.create_bucket(Bucket=BUCKET)
        for key in KEYS:
            client.put_object(Bucket=BUCKET, Key=key, Body=b"x")
        client.put_object(Bucket=BUCKET, Key="a/sha", Body=b"y", ChecksumAlgorithm="SHA256")
        client.put_object(Bucket=BUCKET, Key="a/cold", Body=b"z", StorageClass="STANDARD_IA")
        yield client


def _answer(s3: BaseClient, call: Callable[..., Any], **parameters: Any) -> bytes:
    """The raw XML body of one listing call."""
    raw: list[bytes] = []

    def keep(http_response: Any, **_: Any) -> None:
        raw.append(http_response.content)

    s3.meta.events.register("after-call.s3.*", keep)
    try:
        call(Bucket=BUCKET, **parameters)
    finally:
        s3.meta.events.unregister("after-call.s3.*", keep)
    return raw[-1]


@pytest.mark.parametrize(
    ("operation", "parameters"),
    [
        ("list_objects_v2", {}),
        ("list_objects_v2", {"Delimiter": "/"}),
        ("list_objects_v2", {"FetchOwner": True, "Prefix": "a/"}),
        ("list_objects_v2", {"MaxKeys": 2, "StartAfter": "a/1"}),
        ("list_objects", {}),
        ("list_objects", {"Delimiter": "/", "Marker": "a"}),
    ],
)
def test_the_written_contents_are_what_moto_writes(
    s3: BaseClient, operation: str, parameters: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    call = getattr(s3, operation)
    writer = listing.contents_xml
    wrote: list[str | None] = []
    monkeypatch.setattr(listing, "contents_xml", lambda objects: wrote.append(writer(objects)) or wrote[-1])
    written = _answer(s3, call, **parameters)
    assert wrote and wrote[-1] is not None and wrote[-1] in written.decode(), "the emulator wrote the contents"
    monkeypatch.setattr(listing, "contents_xml", lambda objects: None)  # moto serializes the whole answer
    assert _answer(s3, call, **parameters) == written
