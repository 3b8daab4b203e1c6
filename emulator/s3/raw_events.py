"""How the emulator process mints a `RawS3Event` (defined in `emulator.s3.events`) for each S3 write and delete.

The raw event is the plain fact — which object changed, how, by whom, when. The notification dispatcher turns it into
the record AWS sends (URL-encoded key, ...), so the key here is raw and the ETag unquoted. For `ObjectRemoved:*`
events `size` and `eTag` describe the version that was removed or hidden behind the new delete marker; AWS leaves
both out of removal records. Nothing here does I/O and nothing here knows moto.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal

from emulator.s3.events import RawS3Event

__all__ = [
    "EventName",
    "Sequencer",
    "format_event_time",
    "raw_s3_event",
]

EventName = Literal[
    "ObjectCreated:Put",
    "ObjectCreated:Post",
    "ObjectCreated:Copy",
    "ObjectCreated:CompleteMultipartUpload",
    "ObjectRemoved:Delete",
    "ObjectRemoved:DeleteMarkerCreated",
]


def format_event_time(moment: datetime) -> str:
    """`2024-05-01T12:00:00.123Z`: AWS stamps records in UTC with milliseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Sequencer:
    """Hands out S3 `sequencer` values.

    AWS documents the sequencer as a hexadecimal value that only orders events for the same key when compared as
    strings of equal length. We hand out one strictly increasing, fixed-width value per event across all keys, which
    satisfies that. It starts from the clock (nanoseconds) so values also increase across emulator restarts.
    """

    WIDTH = 18

    def __init__(self, clock_ns: Callable[[], int]) -> None:
        self._clock_ns = clock_ns
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        """The next value: uppercase hex, `WIDTH` digits, greater than every previous one."""
        with self._lock:
            self._last = max(self._last + 1, self._clock_ns())
            return f"{self._last:0{self.WIDTH}X}"


def raw_s3_event(
    *,
    event_name: EventName,
    bucket: str,
    key: str,
    size: int,
    etag: str,
    version_id: str | None,
    sequencer: str,
    event_time: datetime,
    source_ip: str,
    request_id: str,
    host_id: str,
    principal_id: str,
    region: str,
) -> RawS3Event:
    """Build a `RawS3Event`; strips the quotes S3 puts around ETags, since event records carry them bare."""
    return RawS3Event(
        eventName=event_name,
        bucket=bucket,
        key=key,
        size=size,
        eTag=etag.strip('"'),
        versionId=version_id,
        sequencer=sequencer,
        eventTime=format_event_time(event_time),
        sourceIp=source_ip,
        requestId=request_id,
        hostId=host_id,
        principalId=principal_id,
        region=region,
    )
