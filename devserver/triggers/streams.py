"""DynamoDB stream consumers: every table write reaches the table's consumers in order, as Lambda reads a shard.

How it works: the emulator reports each stream record as DynamoDB Streams would give it
(`emulator.moto.service_events`). Each consumer keeps the records of its table in arrival order, which is the
shard's sequence-number order, and one task hands them over in batches of up to `batch_size`. A failed batch is
retried, whole and in order, with growing waits (`STREAM_RETRY_DELAYS`, then the last one) until it succeeds or its
oldest record is older than the stream keeps records (24 hours), as Lambda does: a poisoned record blocks its shard,
and every failed attempt says so on the terminal. An idle consumer waits on an event and costs no CPU.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from devserver.app.model import StreamConsumerSpec, TableSpec
from devserver.runtime.invocation import Invocation
from devserver.triggers.deliveries import TriggerDeliveries
from devserver.triggers.event_shapes import stream_event

__all__ = ["STREAM_RETENTION_SECONDS", "STREAM_RETRY_DELAYS", "Streams"]

STREAM_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
"""Seconds between retries of a failed batch; after the last, every retry waits that long."""
STREAM_RETENTION_SECONDS = 24 * 3600
"""DynamoDB Streams keeps a record for 24 hours; a batch still failing by then is skipped, as on AWS."""


def _always(note: str) -> Callable[[Invocation], str]:
    return lambda _: note


class _StreamConsumer:
    def __init__(
        self,
        table: TableSpec,
        consumer: StreamConsumerSpec,
        deliveries: TriggerDeliveries,
        clock: Callable[[], float],
    ) -> None:
        self.table = table
        self.consumer = consumer
        self._deliveries = deliveries
        self._clock = clock
        self._records: deque[tuple[float, dict[str, Any]]] = deque()
        self._arrived = asyncio.Event()
        self._runner = asyncio.get_running_loop().create_task(self._run())

    def add(self, record: dict[str, Any]) -> None:
        self._records.append((self._clock(), record))
        self._arrived.set()

    async def _run(self) -> None:
        while True:
            await self._arrived.wait()
            self._arrived.clear()
            while self._records:
                batch = [self._records[i] for i in range(min(self.consumer.batch_size, len(self._records)))]
                await self._deliver_until_done(batch)
                for _ in batch:
                    self._records.popleft()

    async def _deliver_until_done(self, batch: list[tuple[float, dict[str, Any]]]) -> None:
        event = stream_event([record for _, record in batch])
        detail = f"{self.table.id} ({len(batch)} record{'s' if len(batch) != 1 else ''})"
        failures = 0
        while True:
            delay = STREAM_RETRY_DELAYS[min(failures, len(STREAM_RETRY_DELAYS) - 1)]
            expired = self._clock() - batch[0][0] > STREAM_RETENTION_SECONDS
            note = (
                "its records expired: skipped, as the stream no longer holds them"
                if expired
                else f"retrying in {delay:g} s: this shard is blocked until the batch succeeds (or expires in 24 h)"
            )
            invocation = await self._deliveries.invoke_once(
                "dynamodb", detail, self.consumer.function, event, note_on_failure=_always(note)
            )
            if invocation.ok or expired:
                return
            failures += 1
            await asyncio.sleep(delay)

    async def aclose(self) -> None:
        self._runner.cancel()
        await asyncio.gather(self._runner, return_exceptions=True)


class Streams:
    """The app's stream consumers, by table name."""

    def __init__(self, deliveries: TriggerDeliveries, clock: Callable[[], float] = time.time) -> None:
        self._deliveries = deliveries
        self._clock = clock
        self._consumers: dict[str, list[_StreamConsumer]] = {}

    async def configure(self, tables: Sequence[TableSpec]) -> None:
        """Run a consumer task per table consumer (on the loop); a changed consumer drops the records it holds."""
        wanted = {table.name: table for table in tables if table.consumers}
        for name, consumers in list(self._consumers.items()):
            if wanted.get(name) != consumers[0].table:
                for consumer in consumers:
                    await consumer.aclose()
                del self._consumers[name]
        for name, table in wanted.items():
            if name not in self._consumers:
                self._consumers[name] = [
                    _StreamConsumer(table, consumer, self._deliveries, self._clock) for consumer in table.consumers
                ]

    async def restart(self) -> None:
        """Drop every record held (a blocked batch included) and start each consumer afresh."""
        tables = [consumers[0].table for consumers in self._consumers.values()]
        await self.aclose()
        await self.configure(tables)

    def on_record(self, report: Mapping[str, Any]) -> None:
        """One stream record, as the emulator reported it (on the loop)."""
        record = report.get("record")
        if not isinstance(record, dict):
            return
        for consumer in self._consumers.get(str(report.get("tableName")), ()):
            consumer.add(record)

    async def aclose(self) -> None:
        for consumers in self._consumers.values():
            for consumer in consumers:
                await consumer.aclose()
        self._consumers.clear()
