"""The listing's `<Contents>` writer: what it writes, and which objects it leaves to moto's serializer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from emulator.s3.listing_xml import contents_xml

WHEN = datetime(2026, 12, 3, 9, 12, 35, 250000, tzinfo=UTC)
LISTED: dict[str, Any] = {
    "Key": "a&b<c>.txt",
    "LastModified": WHEN,
    "ETag": '"9dd4e461268c8034f5c8564e155c67a6"',
    "ChecksumAlgorithm": ["CRC32", "SHA256"],
    "Size": 1,
    "StorageClass": "STANDARD",
    "Owner": {"DisplayName": "webfile", "ID": "75aa"},
}


def test_members_are_written_in_the_models_order_escaped_with_zeroed_milliseconds() -> None:
    assert contents_xml([LISTED]) == (
        "<Contents><Key>a&amp;b&lt;c&gt;.txt</Key><LastModified>2026-12-03T09:12:35.000Z</LastModified>"
        '<ETag>"9dd4e461268c8034f5c8564e155c67a6"</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm>'
        "<ChecksumAlgorithm>SHA256</ChecksumAlgorithm><Size>1</Size><StorageClass>STANDARD</StorageClass>"
        "<Owner><DisplayName>webfile</DisplayName><ID>75aa</ID></Owner></Contents>"
    )
    assert contents_xml([]) == ""


def test_a_time_given_as_moto_writes_it_is_written_as_it_is() -> None:
    as_moto_gives_it = {**LISTED, "LastModified": "2026-12-03T09:12:35.000Z"}
    assert contents_xml([as_moto_gives_it]) == contents_xml([LISTED])


@pytest.mark.parametrize(
    "change",
    [
        {"RestoreStatus": {"IsRestoreInProgress": False}},
        {"ETag": ""},
        {"LastModified": "2026-12-03T09:12:35.250Z"},
        {"LastModified": "2026-12-03 09:12:35"},
        {"LastModified": WHEN.astimezone(timezone(timedelta(hours=2)))},
        {"Size": True},
        {"ChecksumAlgorithm": "CRC32"},
        {"Owner": {}},
        {"Owner": {"ID": "75aa", "Extra": "x"}},
    ],
)
def test_an_object_it_cannot_write_exactly_leaves_the_whole_page_to_moto(change: dict[str, Any]) -> None:
    assert contents_xml([LISTED, {**LISTED, **change}]) is None
