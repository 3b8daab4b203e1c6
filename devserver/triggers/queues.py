"""SQS queues with consumers: Lambda's event source mapping, run against the emulator's SQS.

How it works: the emulator reports every message that lands in a queue (`emulator.moto.service_events`), which
wakes that queue's consumer; a consumer also wakes when a delayed or returned message is due, and once when it is
configured (for messages sent before the server started). Awake, it receives batches through the SQS API itself
(`ReceiveMessage`, up to `batch_size`, waiting up to `max_batching_window` for a fuller batch) until the queue has
nothing visible, and invokes the consumer with each batch, up to `MAX_BATCHES_IN_FLIGHT` at once. Nothing polls while
nothing is due, so an idle queue costs no CPU.

What follows an invocation is Lambda's: success deletes the batch; a `batchItemFailures` answer deletes all but the
messages it names; a failure deletes nothing, so the batch becomes visible again after the queue's visibility
timeout and is received again, its `ApproximateReceiveCount` one higher. SQS itself (moto) moves a message to the
dead-letter queue once it has been received `maxReceiveCount` times; without one, the message stays and is retried
until it succeeds or expires, and the terminal says so on every failure.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from devserver.app.model import QueueSpec
from devserver.http.aws_json import AwsApiError, AwsJsonClient
from devserver.runtime.invocation import Invocation
from devserver.triggers.deliveries import TriggerDeliveries
from devserver.triggers.event_shapes import sqs_event

__all__ = ["MAX_BATCHES_IN_FLIGHT", "Queues", "failed_message_ids"]

logger = logging.getLogger(__name__)

MAX_BATCHES_IN_FLIGHT = 5
"""Lambda starts an SQS event source with five concurrent pollers."""
_DUE_SLACK = 0.05
"""Seconds added to a due time, so a returned message is visible again when the consumer looks."""


def failed_message_ids(result: object, batch: Sequence[str]) -> set[str] | None:
    """The messages a `batchItemFailures` answer (ReportBatchItemFailures) names; None when the answer is malformed
    or names a message outside the batch, which Lambda treats as the whole batch failing."""
    if not isinstance(result, Mapping) or "batchItemFailures" not in result:
        return set()
    failures = result["batchItemFailures"]
    if not isinstance(failures, list):
        return None
    named = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
        if not isinstance(identifier, str) or identifier not in batch:
            return None
        named.add(identifier)
    return named


class _Consumer:
    """One queue's event source mapping."""

    def __init__(self, queue: QueueSpec, client: AwsJsonClient, deliveries: TriggerDeliveries, region: str) -> None:
        assert queue.consumer is not None
        self.queue = queue
        self._consumer = queue.consumer
        self._client = client
        self._deliveries = deliveries
        self._region = region
        self._awake = asyncio.Event()
        self._in_flight = asyncio.Semaphore(MAX_BATCHES_IN_FLIGHT)
        self._tasks: set[asyncio.Task[None]] = set()
        self._due: set[asyncio.TimerHandle] = set()
        self._runner = asyncio.get_running_loop().create_task(self._run())

    def wake(self, after: float = 0.0) -> None:
        if after <= 0:
            self._awake.set()
            return
        handle = asyncio.get_running_loop().call_later(after + _DUE_SLACK, self._awake.set)
        self._due.add(handle)

    async def _run(self) -> None:
        while True:
            await self._awake.wait()
            self._awake.clear()
            try:
                await self._drain()
            except AwsApiError as error:
                logger.warning("queue %s: receiving failed (%s); retrying when a message arrives", self.queue.id, error)
            except OSError as error:
                logger.warning("queue %s: the emulator did not answer (%s)", self.queue.id, error)

    async def _drain(self) -> None:
        while True:
            await self._in_flight.acquire()
            try:
                messages = await self._receive(self._consumer.batch_size)
                if messages and self._consumer.max_batching_window and len(messages) < self._consumer.batch_size:
                    messages += await self._fill(self._consumer.batch_size - len(messages))
            except BaseException:
                self._in_flight.release()
                raise
            if not messages:
                self._in_flight.release()
                return
            task = asyncio.get_running_loop().create_task(self._deliver(messages))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _fill(self, room: int) -> list[dict[str, Any]]:
        """More messages for a batch, for up to the batching window (Lambda's MaximumBatchingWindowInSeconds)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._consumer.max_batching_window
        found: list[dict[str, Any]] = []
        while len(found) < room and loop.time() < deadline:
            try:
                await asyncio.wait_for(self._awake.wait(), deadline - loop.time())
            except TimeoutError:
                break
            self._awake.clear()
            found += await self._receive(room - len(found))
        return found

    async def _receive(self, count: int) -> list[dict[str, Any]]:
        answer = await self._client.call(
            "sqs",
            "AmazonSQS.ReceiveMessage",
            {
                "QueueUrl": self.queue.url,
                "MaxNumberOfMessages": count,
                "WaitTimeSeconds": 0,
                "MessageSystemAttributeNames": ["All"],
                "MessageAttributeNames": ["All"],
            },
        )
        return list(answer.get("Messages") or [])

    async def _deliver(self, messages: list[dict[str, Any]]) -> None:
        try:
            event = sqs_event(messages, queue_arn=self.queue.arn, region=self._region)
            detail = f"{self.queue.id} ({len(messages)} message{'s' if len(messages) != 1 else ''})"
            invocation = await self._deliveries.invoke_once(
                "sqs", detail, self._consumer.function, event, note_on_failure=lambda _: self._retry_note(messages)
            )
            ids = [message["MessageId"] for message in messages]
            failed = self._failed(invocation, ids)
            done = [message for message in messages if message["MessageId"] not in failed]
            if done:
                await self._delete(done)
            if failed:
                self.wake(after=self.queue.visibility_timeout)
        except (AwsApiError, OSError) as error:
            logger.warning("queue %s: could not settle a batch (%s); it returns when visible", self.queue.id, error)
            self.wake(after=self.queue.visibility_timeout)
        finally:
            self._in_flight.release()
            self._awake.set()  # a free slot: look for more

    def _failed(self, invocation: Invocation, ids: list[str]) -> set[str]:
        if not invocation.ok:
            return set(ids)
        named = failed_message_ids(invocation.result, ids)
        return set(ids) if named is None else named

    async def _delete(self, messages: list[dict[str, Any]]) -> None:
        entries = [{"Id": str(index), "ReceiptHandle": m["ReceiptHandle"]} for index, m in enumerate(messages)]
        await self._client.call("sqs", "AmazonSQS.DeleteMessageBatch", {"QueueUrl": self.queue.url, "Entries": entries})

    def _retry_note(self, messages: list[dict[str, Any]]) -> str:
        received = max(int((m.get("Attributes") or {}).get("ApproximateReceiveCount", 1)) for m in messages)
        returns = f"returns in {self.queue.visibility_timeout:g} s (received {received}"
        if self.queue.dead_letter is None:
            return f"{returns} times; no dead-letter queue, so it is retried until it succeeds or expires)"
        limit = self.queue.dead_letter.max_receive_count
        if received >= limit:
            return f"{returns}/{limit} times: next it moves to dead-letter queue {self.queue.dead_letter.queue_id})"
        return f"{returns}/{limit} times before dead-letter queue {self.queue.dead_letter.queue_id})"

    async def aclose(self) -> None:
        self._runner.cancel()
        for handle in self._due:
            handle.cancel()
        await asyncio.gather(self._runner, *self._tasks, return_exceptions=True)


class Queues:
    """The app's queue consumers, by queue name."""

    def __init__(self, client: AwsJsonClient, deliveries: TriggerDeliveries, *, region: str) -> None:
        self._client = client
        self._deliveries = deliveries
        self._region = region
        self._consumers: dict[str, _Consumer] = {}

    async def configure(self, queues: Sequence[QueueSpec]) -> None:
        """Run a consumer for each queue that has one (on the loop); each looks at its queue once now."""
        wanted = {queue.name: queue for queue in queues if queue.consumer is not None}
        for name, consumer in list(self._consumers.items()):
            if wanted.get(name) != consumer.queue:
                await consumer.aclose()
                del self._consumers[name]
        for name, queue in wanted.items():
            if name not in self._consumers:
                self._consumers[name] = _Consumer(queue, self._client, self._deliveries, self._region)
            self._consumers[name].wake()

    def on_message(self, report: Mapping[str, Any]) -> None:
        """A message landed in a queue, as the emulator reported it (on the loop)."""
        consumer = self._consumers.get(str(report.get("queue")))
        if consumer is not None:
            consumer.wake(after=float(report.get("delay") or 0))

    async def aclose(self) -> None:
        for consumer in self._consumers.values():
            await consumer.aclose()
        self._consumers.clear()
