"""Deliveries of the event sources other than S3: one record per invocation, and Lambda's asynchronous retries.

SNS, EventBridge rules and schedules invoke their functions asynchronously: Lambda retries a failed asynchronous
invocation twice, with the same request id (AWS waits about one and two minutes; locally 0.1 s and 0.2 s, as for
S3 notifications). Queues and streams have retry rules of their own (visibility timeouts, blocking retries) and
record each invocation through `invoke_once`. Every final outcome is one `TriggerDelivery`: the terminal prints it,
the Console lists it, and tests wait for it (`log.wait`).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from devserver.app.model import FunctionSpec
from devserver.runtime.invocation import Invocation, Invoker
from devserver.triggers.delivery_log import DeliveryLog, attempt
from devserver.triggers.s3_notifications import LAMBDA_ASYNC_RETRY_DELAYS

__all__ = ["TriggerDeliveries", "TriggerDelivery"]

logger = logging.getLogger(__name__)

Source = Literal["sqs", "sns", "events", "cron", "dynamodb"]


@dataclass(frozen=True)
class TriggerDelivery:
    """One event source's event, delivered to one function: its final outcome, or (queues, streams) one attempt.

    `detail` names what triggered it (`news`, `bus orders`, `jobs: 3 messages`); `note` says what happens next
    after a failure (a queue's redelivery, a stream's retry).
    """

    id: str
    source: Source
    detail: str
    function_name: str
    attempts: int
    duration_ms: float
    invocation: Invocation
    event: Mapping[str, Any]
    note: str = field(default="")

    @property
    def ok(self) -> bool:
        return self.invocation.ok

    def summary(self) -> str:
        """One line for the terminal: source, what, function, status, time."""
        line = f"{self.source} {self.detail} -> {self.function_name}: {'ok' if self.ok else 'failed'}"
        line += f" in {self.duration_ms:.0f} ms"
        if self.attempts > 1:
            line += f" after {self.attempts} attempts"
        if self.invocation.error is not None:
            line += f" ({self.invocation.error.error_type}: {self.invocation.error.error_message})"
        return f"{line}; {self.note}" if self.note else line


class TriggerDeliveries:
    """Invokes functions for the event sources and keeps every outcome (`log`)."""

    def __init__(
        self,
        invoke: Invoker,
        *,
        on_delivery: Callable[[TriggerDelivery], None] | None = None,
        retry_delays: Sequence[float] = LAMBDA_ASYNC_RETRY_DELAYS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._invoke = invoke
        self._retry_delays = tuple(retry_delays)
        self._clock = clock
        self._tasks: set[asyncio.Task[None]] = set()
        self._running = 0
        self.log: DeliveryLog[TriggerDelivery] = DeliveryLog(
            "trigger deliveries",
            describe=lambda: f"{len(self._tasks)} still running",
            on_delivery=on_delivery,
            logger=logger,
        )

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self.log.bind(loop)

    @property
    def in_flight(self) -> int:
        """Invocations under way, asynchronous retries included."""
        return len(self._tasks) + self._running

    def invoke_async(self, source: Source, detail: str, function: FunctionSpec, event: Mapping[str, Any]) -> None:
        """Deliver `event` as Lambda's asynchronous invocation does (two retries); returns at once (on the loop)."""
        task = asyncio.get_running_loop().create_task(self._with_retries(source, detail, function, event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def invoke_once(
        self,
        source: Source,
        detail: str,
        function: FunctionSpec,
        event: Mapping[str, Any],
        *,
        note_on_failure: Callable[[Invocation], str] = lambda invocation: "",
    ) -> Invocation:
        """One invocation, recorded; the caller applies its source's retry rule (`note_on_failure` says which)."""
        request_id = str(uuid.uuid4())
        started = self._clock()
        self._running += 1
        try:
            invocation = await attempt(self._invoke, function, event, request_id, self._clock)
        finally:
            self._running -= 1
        note = "" if invocation.ok else note_on_failure(invocation)
        await self._record(
            TriggerDelivery(
                request_id, source, detail, function.name, 1, (self._clock() - started) * 1000, invocation, event, note
            )
        )
        return invocation

    async def _with_retries(
        self, source: Source, detail: str, function: FunctionSpec, event: Mapping[str, Any]
    ) -> None:
        request_id = str(uuid.uuid4())  # Lambda keeps one request id across an asynchronous event's attempts
        started = self._clock()
        attempts = 0
        while True:
            attempts += 1
            invocation = await attempt(self._invoke, function, event, request_id, self._clock)
            if invocation.ok or attempts > len(self._retry_delays):
                break
            await asyncio.sleep(self._retry_delays[attempts - 1])
        note = "" if invocation.ok else "retries exhausted: the event is dropped, as Lambda does without a DLQ"
        duration = (self._clock() - started) * 1000
        await self._record(
            TriggerDelivery(request_id, source, detail, function.name, attempts, duration, invocation, event, note)
        )

    async def _record(self, delivery: TriggerDelivery) -> None:
        await self.log.record(delivery)

    async def aclose(self, timeout: float = 5.0) -> None:
        """Let asynchronous deliveries under way finish for up to `timeout` seconds, then cancel the rest."""
        if not self._tasks:
            return
        _, unfinished = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
