"""Hooks in moto's SQS, SNS, EventBridge and DynamoDB that report what the dev server's event sources need.

moto delivers some of these itself (SNS to SQS, EventBridge to SQS), but Lambda targets go through its own
Docker-backed Lambda and fail quietly, as with S3 (see `emulator.moto.s3_hooks`). So, as for S3, the emulator
reports and the dev server delivers:

- `sqs`: `{"queue": name, "delay": seconds}` whenever a message lands in a queue (SendMessage, SendMessageBatch, a
  redrive to a dead-letter queue). The dev server then receives it through the SQS API itself, so visibility
  timeouts, receive counts and redrive stay SQS's (moto's).
- `sns`: `{"topicArn", "messageId", "message", "subject", "messageAttributes", "messageStructure", "timestamp"}` for
  every publish to a topic, after moto's own subscriptions got it.
- `events`: `{"eventBusName", "event"}` for every event PutEvents accepted: the event as EventBridge delivers it
  to a target (`id` is the `EventId` the caller got back).
- `dynamodb`: `{"tableName", "streamArn", "record"}` for every stream record, shaped as DynamoDB Streams gives it.

`emit` is called on the request's thread before moto answers, so it must only hand the report off.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from moto.dynamodb.models.table import StreamShard
from moto.events.models import EventsBackend
from moto.sns.models import Topic
from moto.sqs.models import Queue

__all__ = ["ServiceEventHooks"]

Emit = Callable[[str, dict[str, object]], None]


def _iso_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ServiceEventHooks:
    """Wraps moto's four entry points once per process (`install()`); each report goes to `emit(service, event)`."""

    def __init__(self, emit: Emit, clock: Callable[[], str] = _iso_now) -> None:
        self._emit = emit
        self._clock = clock

    def install(self) -> None:
        self._wrap_sqs()
        self._wrap_sns()
        self._wrap_events()
        self._wrap_streams()

    def _wrap_sqs(self) -> None:
        add_message = Queue.add_message
        emit = self._emit

        def reporting_add_message(queue: Queue, message: Any) -> None:
            add_message(queue, message)
            delayed_until = getattr(message, "delayed_until", 0) or 0
            delay = max(0.0, (delayed_until - message.sent_timestamp) / 1000) if message.sent_timestamp else 0.0
            emit("sqs", {"queue": queue.name, "delay": delay})

        Queue.add_message = reporting_add_message  # type: ignore[method-assign,assignment]

    def _wrap_sns(self) -> None:
        publish = Topic.publish
        emit, clock = self._emit, self._clock

        def reporting_publish(topic: Topic, message: str, *args: Any, **kwargs: Any) -> str:
            message_id: str = publish(topic, message, *args, **kwargs)
            emit(
                "sns",
                {
                    "topicArn": topic.arn,
                    "messageId": message_id,
                    "message": message,
                    "subject": kwargs.get("subject"),
                    "messageAttributes": kwargs.get("message_attributes") or {},
                    "messageStructure": kwargs.get("message_structure"),
                    "timestamp": clock(),
                },
            )
            return message_id

        Topic.publish = reporting_publish  # type: ignore[method-assign,assignment]

    def _wrap_events(self) -> None:
        put_events = EventsBackend.put_events
        emit, clock = self._emit, self._clock

        def reporting_put_events(backend: EventsBackend, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
            entries = put_events(backend, events)
            for request, entry in zip(events, entries, strict=False):
                if "EventId" not in entry:
                    continue
                bus = str(request.get("EventBusName") or "default").rsplit("/", 1)[-1]
                event = {
                    "version": "0",
                    "id": entry["EventId"],
                    "detail-type": request["DetailType"],
                    "source": request["Source"],
                    "account": backend.account_id,
                    "time": _event_time(request.get("Time")) or clock(),
                    "region": backend.region_name,
                    "resources": list(request.get("Resources") or []),
                    "detail": json.loads(request["Detail"]),
                }
                emit("events", {"eventBusName": bus, "event": event})
            return entries

        EventsBackend.put_events = reporting_put_events  # type: ignore[method-assign,assignment]

    def _wrap_streams(self) -> None:
        add = StreamShard.add
        emit = self._emit

        def reporting_add(shard: StreamShard, old: Any, new: Any) -> None:
            add(shard, old, new)
            table = shard.table
            record = dict(shard.items[-1].to_json())
            dynamodb = dict(record["dynamodb"])
            created = dynamodb.get("ApproximateCreationDateTime")
            if isinstance(created, datetime):  # Streams gives epoch seconds, moto keeps a datetime
                dynamodb["ApproximateCreationDateTime"] = int(created.replace(tzinfo=created.tzinfo or UTC).timestamp())
            stream_arn = f"{table.table_arn}/stream/{table.latest_stream_label}"
            record.update(awsRegion=table.region_name, dynamodb=dynamodb, eventSourceARN=stream_arn)
            emit("dynamodb", {"tableName": table.name, "streamArn": stream_arn, "shardId": shard.id, "record": record})

        StreamShard.add = reporting_add  # type: ignore[method-assign,assignment]


def _event_time(value: object) -> str | None:
    """PutEvents' optional `Time` (a datetime or epoch seconds from the wire) as EventBridge's ISO form."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None
