"""Delivers S3 event notifications to the app's functions: asynchronously, with Lambda's retries, every outcome kept.

How it works
------------
The emulator reports each write or delete as a raw event from its own thread (`submit`, thread-safe and
non-blocking). `submit` hands the event to the dispatcher's asyncio loop with `loop.call_soon_threadsafe`; events
submitted before `start()` wait in a small buffer and are routed, in order, when it runs. On the loop, the event is
matched against the bucket's notifications (`notification_rules.matches`); for each match, one S3 event with one
record (S3 sends one record per message) is built (`emulator.s3.events`) and delivered by its own task, so the S3 call
that caused it has long returned, as with S3's asynchronous invocation of Lambda. Tasks are created in arrival order,
which is sequencer order, so deliveries for one key start in the order the writes happened (S3 does not promise an
order; we just do not scramble it).

A delivery that fails is retried twice, as Lambda retries an asynchronous invocation, with the same request id on
every attempt, as Lambda keeps it. AWS waits about one and then two minutes between attempts; a local dev loop (and a
test waiting for the outcome) cannot, so the default waits are 0.1 s and 0.2 s: same count, same growth, compressed.

Every final outcome becomes a `Delivery`, passed to `on_delivery` (the server prints it as one line) and kept in
`deliveries`; failures are also kept in `failed`, for the console and the pytest fixture. `wait()` lets a test block
until a number of deliveries have finished. An event for a bucket the app does not declare, or that no notification
matches, is counted in `unmatched` and sends nothing, as in S3.

Recursive invocation: a function that writes into the bucket that triggers it (a thumbnailer writing next to its
uploads) is invoked again by its own output, forever, unless the notification's prefix or suffix excludes what it
writes. AWS warns about exactly this ("recursive invocation") and recommends separate buckets or filters; the
dispatcher does not break such loops (AWS's loop detection relies on tracing headers a local emulator never sees),
so the filters must, as they must in production. `notification_rules` is where a bucket's filters are checked.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from devserver.app.model import BucketSpec, NotificationSpec
from devserver.app.notification_rules import matches
from devserver.runtime.invocation import Invocation, Invoker
from devserver.triggers.delivery_log import DeliveryLog, attempt
from emulator.s3.events import DEFAULT_ACCOUNT_ID, RawS3Event, S3Event, s3_event, s3_event_record

__all__ = ["LAMBDA_ASYNC_RETRY_DELAYS", "Delivery", "DeliveryStatus", "NotificationDispatcher"]

logger = logging.getLogger(__name__)

DeliveryStatus = Literal["ok", "failed"]

LAMBDA_ASYNC_RETRY_DELAYS = (0.1, 0.2)
"""Two retries, as Lambda's asynchronous invocation makes; AWS waits ~60 s and ~120 s, we wait 0.1 s and 0.2 s."""


@dataclass(frozen=True)
class Delivery:
    """The final outcome of sending one S3 event to one notification's function.

    `id` is the Lambda request id, the same for every attempt. `duration_ms` runs from the first attempt to the final
    outcome, retry waits included; `invocation` is the last attempt (its own `duration_ms` is the handler's).
    """

    id: str
    bucket: str
    key: str
    event_name: str
    notification_id: str
    function_name: str
    attempts: int
    status: DeliveryStatus
    duration_ms: float
    started_at: datetime
    invocation: Invocation
    event: S3Event

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def summary(self) -> str:
        """One line for the server's log: bucket, key, event, function, status, time."""
        line = (
            f"s3://{self.bucket}/{self.key} {self.event_name} -> {self.function_name}: {self.status} "
            f"in {self.duration_ms:.0f} ms"
        )
        if self.attempts > 1:
            line += f" after {self.attempts} attempts"
        if self.invocation.error is not None:
            line += f" ({self.invocation.error.error_type}: {self.invocation.error.error_message})"
        return line


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


class NotificationDispatcher:
    """Matches raw S3 events to bucket notifications and invokes their functions, as S3 and Lambda would.

    Lifecycle: `configure(buckets)` (again on every config reload), `await start()` on the loop that should run
    deliveries, `submit(raw)` from any thread, `await aclose()`. `wait()` runs on the dispatcher's loop;
    `wait_blocking()` is the same for code running on another thread (a synchronous test).
    """

    def __init__(
        self,
        invoke: Invoker,
        *,
        retry_delays: Sequence[float] = LAMBDA_ASYNC_RETRY_DELAYS,
        on_delivery: Callable[[Delivery], None] | None = None,
        history: int = 1000,
        clock: Callable[[], float] = time.time,
        account_id: str = DEFAULT_ACCOUNT_ID,
    ) -> None:
        self._invoke = invoke
        self._retry_delays = tuple(retry_delays)
        self._clock = clock
        self._account_id = account_id
        self._rules: dict[str, tuple[NotificationSpec, ...]] = {}
        # Shared with other threads (submit, readers of the history): guarded by _lock.
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._pending: list[RawS3Event] = []
        self._unmatched = 0
        self._log: DeliveryLog[Delivery] = DeliveryLog(
            "notification deliveries",
            history=history,
            describe=self._progress_report,
            on_delivery=on_delivery,
            logger=logger,
        )
        # Loop-only state.
        self._tasks: set[asyncio.Task[None]] = set()

    def configure(self, buckets: Sequence[BucketSpec]) -> None:
        """Replace every bucket's notifications (on start and on each config reload); safe from any thread.

        Deliveries already under way finish with the function they started with.
        """
        self._rules = {bucket.name: bucket.notifications for bucket in buckets if bucket.notifications}

    async def start(self) -> None:
        """Bind to the running loop and route the events submitted so far."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._loop is not None or self._closed:
                raise RuntimeError("NotificationDispatcher is already started (or closed); make a new one")
            self._log.bind(loop)
            self._loop = loop
            pending, self._pending = self._pending, []
        for raw in pending:
            self._route(raw)

    def submit(self, raw_event: RawS3Event) -> None:
        """Queue one raw event for delivery; returns at once and may be called from any thread."""
        with self._lock:
            if self._closed:
                logger.warning("notification dispatcher is closed: no delivery for %s", _describe(raw_event))
                return
            loop = self._loop
            if loop is None:
                self._pending.append(raw_event)
                return
        loop.call_soon_threadsafe(self._route, raw_event)

    async def aclose(self, timeout: float = 5.0) -> None:
        """Stop accepting events, let deliveries under way finish for up to `timeout` seconds, cancel the rest."""
        with self._lock:
            self._closed = True
        if self._tasks:
            _, unfinished = await asyncio.wait(set(self._tasks), timeout=timeout)
            for task in unfinished:
                task.cancel()
            if unfinished:
                logger.warning("abandoned %d notification deliveries still running at shutdown", len(unfinished))
                await asyncio.gather(*unfinished, return_exceptions=True)

    @property
    def deliveries(self) -> list[Delivery]:
        """Recent final outcomes, oldest first (at most `history`)."""
        return self._log.deliveries

    @property
    def failed(self) -> list[Delivery]:
        """Recent deliveries whose every attempt failed, oldest first (at most `history`)."""
        return self._log.failed

    @property
    def unmatched(self) -> int:
        """Events that went to no notification: a bucket outside the app, or no matching event type or filter."""
        with self._lock:
            return self._unmatched

    @property
    def in_flight(self) -> int:
        """Deliveries started and not yet finished."""
        return len(self._tasks)

    def mark(self) -> None:
        """Forget finished deliveries no `wait()` has returned yet, so the next `wait()` counts from now."""
        self._log.mark()

    async def wait(self, count: int = 1, timeout: float = 5.0) -> list[Delivery]:
        """The next `count` deliveries to finish since the last `wait()` or `mark()`, in finishing order.

        Deliveries beyond `count` stay for the next call. Raises `TimeoutError` saying how many finished if fewer
        than `count` do within `timeout` seconds. Must run on the dispatcher's loop.
        """
        return await self._log.wait(count, timeout)

    def wait_blocking(self, count: int = 1, timeout: float = 5.0) -> list[Delivery]:
        """`wait()` for a caller on another thread than the dispatcher's loop (which it would otherwise deadlock)."""
        return self._log.wait_blocking(count, timeout)

    def _progress_report(self) -> str:
        return f"{self.in_flight} still running, {self.unmatched} events matched no notification so far"

    def _route(self, raw: RawS3Event) -> None:
        missing = RawS3Event.__required_keys__ - raw.keys()
        if missing:
            logger.error("ignoring a malformed S3 event (missing %s): %r", ", ".join(sorted(missing)), raw)
            return
        with self._lock:
            if self._closed:
                logger.warning("notification dispatcher is closed: no delivery for %s", _describe(raw))
                return
        targets = [n for n in self._rules.get(raw["bucket"], ()) if matches(n, raw["eventName"], raw["key"])]
        if not targets:
            with self._lock:
                self._unmatched += 1
            return
        for notification in targets:
            record = s3_event_record(raw, configuration_id=notification.id, account_id=self._account_id)
            task = asyncio.get_running_loop().create_task(self._deliver(raw, notification, s3_event([record])))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, raw: RawS3Event, notification: NotificationSpec, event: S3Event) -> None:
        request_id = str(uuid.uuid4())
        started = self._clock()
        attempts = 0
        while True:
            attempts += 1
            invocation = await attempt(self._invoke, notification.function, event, request_id, self._clock)
            if invocation.ok or attempts > len(self._retry_delays):
                break
            await asyncio.sleep(self._retry_delays[attempts - 1])
        delivery = Delivery(
            id=request_id,
            bucket=raw["bucket"],
            key=raw["key"],
            event_name=raw["eventName"],
            notification_id=notification.id,
            function_name=notification.function.name,
            attempts=attempts,
            status="ok" if invocation.ok else "failed",
            duration_ms=(self._clock() - started) * 1000,
            started_at=_utc(started),
            invocation=invocation,
            event=event,
        )
        await self._record(delivery)

    async def _record(self, delivery: Delivery) -> None:
        await self._log.record(delivery)


def _describe(raw: RawS3Event) -> str:
    return f"{raw.get('eventName')} s3://{raw.get('bucket')}/{raw.get('key')}"
