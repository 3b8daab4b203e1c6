"""A record of recent invocations, newest last, that the Console lists, streams and replays.

Every API request and every notification delivery the server runs is recorded with its trigger, event and
outcome. Subscribers (the Console's live stream) get each new record as it is added. Kept in memory, bounded.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

from devserver.app.model import FunctionSpec
from devserver.runtime.invocation import Invocation

__all__ = ["InvocationLog", "InvocationRecord"]


@dataclass(frozen=True)
class InvocationRecord:
    id: int
    trigger: str
    """`api` (a route: `detail` is the route key) or `s3` (a notification: `detail` is `bucket/key eventName`) or
    `console` (invoked from the Console or `sst-dev invoke`)."""
    detail: str
    function: FunctionSpec
    event: Mapping[str, object]
    invocation: Invocation
    at: float

    def summary(self) -> dict[str, object]:
        """The JSON the Console lists: everything but the event and the full outcome."""
        invocation = self.invocation
        return {
            "id": self.id,
            "trigger": self.trigger,
            "detail": self.detail,
            "function": self.function.name,
            "handler": self.function.handler,
            "requestId": invocation.request_id,
            "status": "ok" if invocation.ok else "error",
            "durationMs": round(invocation.duration_ms, 2),
            "cold": invocation.cold,
            "at": self.at,
        }

    def details(self) -> dict[str, object]:
        """The summary plus the event, the result or error (with traceback) and the log lines."""
        invocation = self.invocation
        return {
            **self.summary(),
            "event": self.event,
            "result": invocation.result,
            "error": None if invocation.error is None else invocation.error.to_payload(),
            "logs": list(invocation.logs),
        }


class InvocationLog:
    """The last `capacity` invocations, with live subscribers. Use from the server's event loop only."""

    def __init__(self, capacity: int = 500) -> None:
        self._records: deque[InvocationRecord] = deque(maxlen=capacity)
        self._ids = itertools.count(1)
        self._subscribers: set[asyncio.Queue[InvocationRecord]] = set()

    def record(
        self, trigger: str, detail: str, function: FunctionSpec, event: Mapping[str, object], invocation: Invocation
    ) -> InvocationRecord:
        entry = InvocationRecord(next(self._ids), trigger, detail, function, event, invocation, time.time())
        self._records.append(entry)
        for queue in self._subscribers:
            queue.put_nowait(entry)
        return entry

    def recent(self) -> list[InvocationRecord]:
        return list(self._records)

    def get(self, record_id: int) -> InvocationRecord | None:
        return next((entry for entry in self._records if entry.id == record_id), None)

    async def subscribe(self) -> AsyncIterator[InvocationRecord]:
        """Every record added from now on, until the consumer stops iterating."""
        queue: asyncio.Queue[InvocationRecord] = asyncio.Queue()
        self._subscribers.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._subscribers.discard(queue)
