"""Pure parts of the emulator's S3 event reporting: times, sequencers, the channel's lines, who signed a request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from emulator.channel import ChannelError, Ready, S3EventMessage, decode_message, encode_ready, encode_s3_event
from emulator.request_context import access_key_from_request, new_host_id, new_request_id
from emulator.s3.raw_events import Sequencer, format_event_time, raw_s3_event


def test_event_time_is_utc_with_milliseconds_and_z() -> None:
    moment = datetime(2024, 5, 1, 14, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert format_event_time(moment) == "2024-05-01T12:00:00.123Z"


def test_sequencer_strictly_increases_even_when_the_clock_stalls_or_goes_back() -> None:
    readings = iter([100, 100, 50, 200])
    sequencer = Sequencer(lambda: next(readings))

    values = [sequencer.next() for _ in range(4)]

    assert values == sorted(values) and len(set(values)) == 4
    assert {len(value) for value in values} == {Sequencer.WIDTH}
    assert int(values[-1], 16) == 200


def test_raw_event_carries_the_etag_without_quotes() -> None:
    event = raw_s3_event(**{**_builder_arguments(), "event_name": "ObjectCreated:Put", "etag": '"abc"'})
    assert event["eTag"] == "abc"


def test_channel_lines_round_trip() -> None:
    event = raw_s3_event(**{"event_name": "ObjectRemoved:Delete", **_builder_arguments()})
    assert decode_message(encode_ready()) == Ready()
    line = encode_s3_event(event)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert decode_message(line) == S3EventMessage(event)


def _builder_arguments() -> dict[str, object]:
    return {
        "bucket": "bucket",
        "key": "line\nbreak",
        "size": 0,
        "etag": "",
        "version_id": "v1",
        "sequencer": "01",
        "event_time": datetime(2024, 1, 1, tzinfo=UTC),
        "source_ip": "127.0.0.1",
        "request_id": "R",
        "host_id": "H",
        "principal_id": "P",
        "region": "us-east-1",
    }


@pytest.mark.parametrize("line", [b"not json\n", b"[1]\n", b'{"kind":"other"}\n', b'{"kind":"s3_event"}\n'])
def test_anything_else_on_the_channel_is_an_error_naming_the_line(line: bytes) -> None:
    with pytest.raises(ChannelError) as raised:
        decode_message(line)
    assert raised.value.code == "EmulatorChannel.InvalidMessage" and raised.value.line == line


@pytest.mark.parametrize(
    ("authorization", "query", "expected"),
    [
        ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, "
         "Signature=abc", "", "AKIDEXAMPLE"),
        ("AWS AKIDV2:signature", "", "AKIDV2"),
        (None, "X-Amz-Credential=AKIDQUERY%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=x", "AKIDQUERY"),
        (None, "AWSAccessKeyId=AKIDOLD&Signature=x", "AKIDOLD"),
        (None, "", None),
    ],
)  # fmt: skip
def test_the_access_key_is_read_from_header_or_presigned_query(
    authorization: str | None, query: str, expected: str | None
) -> None:
    assert access_key_from_request(authorization, query) == expected


def test_request_and_host_ids_have_s3s_shapes() -> None:
    assert new_request_id(lambda n: bytes(range(n))) == "0001020304050607"
    assert len(new_host_id(lambda n: b"\xff" * n)) == 64
