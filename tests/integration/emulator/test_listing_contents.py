"""A listing's `<Contents>`, which the emulator writes itself (`emulator.s3.listing_xml`), are byte for byte what
moto's own serializer writes: the same listings are answered with that writer and without it (a probe middleware in
the emulator process switches it off per request), and compared."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.client import BaseClient

from emulator.process import EmulatorProcess
from tests.integration.emulator_support import MOTO_SERIALIZER_HEADER, MOTO_SERIALIZER_PROBE

BUCKET = "listing-contents"
KEYS = ["a/1", "a/2", "a b&<>\"'.txt", "ключ/数据/🙂", "k" * 1024, "trailing/", "z"]


@pytest.fixture(scope="module")
def s3() -> Iterator[BaseClient]:
    with EmulatorProcess(middleware=[MOTO_SERIALIZER_PROBE]) as emulator:
        client = emulator.client("s3")
        client.create_bucket(Bucket=BUCKET)
        for key in KEYS:
            client.put_object(Bucket=BUCKET, Key=key, Body=b"x")
        client.put_object(Bucket=BUCKET, Key="a/sha", Body=b"y", ChecksumAlgorithm="SHA256")
        client.put_object(Bucket=BUCKET, Key="a/cold", Body=b"z", StorageClass="STANDARD_IA")
        yield client


def _answer(s3: BaseClient, call: Callable[..., Any], *, moto_only: bool, **parameters: Any) -> tuple[bytes, bool]:
    """The raw XML body of one listing call, and whether the emulator's writer wrote its objects."""
    raw: list[tuple[bytes, bool]] = []

    def ask_for_moto(request: Any, **_: Any) -> None:
        if moto_only:
            request.headers[MOTO_SERIALIZER_HEADER] = "1"

    def keep(http_response: Any, **_: Any) -> None:
        raw.append((http_response.content, http_response.headers.get("x-probe-contents-written") == "1"))

    s3.meta.events.register("before-send.s3.*", ask_for_moto)
    s3.meta.events.register("after-call.s3.*", keep)
    try:
        call(Bucket=BUCKET, **parameters)
    finally:
        s3.meta.events.unregister("before-send.s3.*", ask_for_moto)
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
def test_the_written_contents_are_what_moto_writes(s3: BaseClient, operation: str, parameters: dict[str, Any]) -> None:
    call = getattr(s3, operation)
    written, by_the_emulator = _answer(s3, call, moto_only=False, **parameters)
    assert by_the_emulator and b"<Contents>" in written
    by_moto, moto_used_the_writer = _answer(s3, call, moto_only=True, **parameters)
    assert not moto_used_the_writer
    assert by_moto == written
