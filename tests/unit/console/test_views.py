"""The Console's pure rules: folders and breadcrumbs, key and expiry checks, secret masking, events, the live feed."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from devserver.app.model import FunctionSpec
from devserver.console.browse import breadcrumbs, check_expiry, check_key, folder_key, listing_page
from devserver.console.errors import ConsoleError
from devserver.console.functions import parse_event
from devserver.console.invocations import live_records, sse_frame
from devserver.console.secrets import mask
from devserver.invocations import InvocationLog
from devserver.runtime.invocation import Invocation


def test_breadcrumbs_walk_from_the_bucket_root_to_the_folder() -> None:
    assert [(c.label, c.prefix) for c in breadcrumbs("myFiles", "a/b/")] == [
        ("myFiles", ""),
        ("a", "a/"),
        ("b", "a/b/"),
    ]
    assert [c.label for c in breadcrumbs("myFiles", "")] == ["myFiles"]


def test_a_folder_is_a_key_ending_in_a_slash_inside_the_current_prefix() -> None:
    assert folder_key("uploads/", " 2024 ") == "uploads/2024/"


@pytest.mark.parametrize(
    ("prefix", "name", "code"),
    [
        ("", "a/b", "InvalidFolderName"),
        ("", "", "InvalidFolderName"),
        ("", "..", "InvalidFolderName"),
        ("docs", "x", "InvalidPrefix"),
    ],
)
def test_bad_folder_names_are_refused_with_a_code(prefix: str, name: str, code: str) -> None:
    with pytest.raises(ConsoleError) as raised:
        folder_key(prefix, name)
    assert raised.value.code == code


def test_keys_and_expiries_are_held_to_s3s_limits() -> None:
    assert check_key("é" * 512) == "é" * 512
    with pytest.raises(ConsoleError, match="1 to 1024 bytes"):
        check_key("é" * 513)
    assert check_expiry(604800) == 604800
    for bad in (0, 604801):
        with pytest.raises(ConsoleError) as raised:
            check_expiry(bad)
        assert (raised.value.code, raised.value.value) == ("InvalidExpiry", str(bad))


def test_a_listing_page_shows_folders_and_objects_but_not_the_folders_own_marker() -> None:
    when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    page = {
        "CommonPrefixes": [{"Prefix": "docs/sub/"}],
        "Contents": [
            {"Key": "docs/", "Size": 0, "LastModified": when},
            {"Key": "docs/a.txt", "Size": 3, "LastModified": when},
        ],
        "IsTruncated": True,
        "NextContinuationToken": "token-2",
    }
    view = listing_page("myFiles", "docs/", page, {"docs/a.txt": "text/plain"})
    assert view["folders"] == [{"prefix": "docs/sub/", "name": "sub"}]
    assert view["objects"] == [
        {
            "key": "docs/a.txt",
            "name": "a.txt",
            "size": 3,
            "lastModified": "2024-05-01T12:00:00+00:00",
            "contentType": "text/plain",
        }
    ]
    assert view["nextToken"] == "token-2"


def test_secrets_are_masked_showing_at_most_their_last_two_characters() -> None:
    assert mask("sk_live_abcdef12") == "••••••12"
    assert mask("short") == "••••••"


def test_an_event_is_a_json_object_and_anything_else_is_refused() -> None:
    assert parse_event(b"  ") == {}
    assert parse_event(b'{"a": 1}') == {"a": 1}
    for bad in (b"[1]", b"{oops"):
        with pytest.raises(ConsoleError) as raised:
            parse_event(bad)
        assert raised.value.code == "InvalidPayload"


def record_into(log: InvocationLog, detail: str) -> None:
    function = FunctionSpec(name="fn", handler="functions/fn.main", app_dir=Path("."))
    log.record("api", detail, function, {"detail": detail}, Invocation("req-" + detail, "fn", 1.0, cold=False))


def test_the_live_feed_sends_the_backlog_then_new_records_once_each_with_keepalives_between() -> None:
    async def scenario() -> list[str | None]:
        log = InvocationLog()
        record_into(log, "old")
        feed = live_records(log, keepalive=0.01)
        seen = [await anext(feed)]
        record_into(log, "new")
        seen.append(await anext(feed))
        seen.append(await anext(feed))  # quiet: a keep-alive
        await feed.aclose()
        return [None if r is None else r.detail for r in seen]

    assert asyncio.run(scenario()) == ["old", "new", None]


def test_an_sse_frame_carries_the_record_id_and_its_summary() -> None:
    log = InvocationLog()
    record_into(log, "GET /")
    frame = sse_frame(log.recent()[0])
    lines = frame.split("\n")
    assert lines[:2] == ["id: 1", "event: invocation"] and frame.endswith("\n\n")
    assert json.loads(lines[2].removeprefix("data: "))["requestId"] == "req-GET /"
