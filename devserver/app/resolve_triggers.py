"""The event-source constructs (`Queue`, `Topic`, `Cron`, `EventBus`, a `Table`'s stream) resolved into specs.

Every consumer, subscriber, job and target becomes a `FunctionSpec` named by its construct path (e.g.
`dev-app-jobs-consumer`), with the owner's `bind()` and `attach_permissions()` applied, as SST does. Options are
checked against the limits AWS enforces (batch sizes, receive counts, visibility timeouts).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from devserver.app.constructs import Construct, ConstructError, Table
from devserver.app.event_patterns import canonical_pattern
from devserver.app.functions import FunctionResolver, with_bound
from devserver.app.model import (
    CronSpec,
    DeadLetterSpec,
    EventBusSpec,
    EventRuleSpec,
    EventTargetSpec,
    QueueConsumerSpec,
    QueueSpec,
    StreamConsumerSpec,
    SubscriberSpec,
    TableSpec,
    TopicSpec,
    frozen_mapping,
)
from devserver.app.naming import event_bus_arn, queue_arn
from devserver.app.trigger_constructs import Cron, EventBus, Queue, Topic

__all__ = ["cron_spec", "event_bus_spec", "queue_spec", "table_spec", "topic_spec"]

DEFAULT_VISIBILITY_TIMEOUT = 30.0
"""SQS's default, for a queue without a consumer."""
MAX_QUEUE_BATCH = 10
MAX_BATCHING_WINDOW = 300.0
MAX_STREAM_BATCH = 10000
DEFAULT_STREAM_BATCH = 100


def queue_spec(queue: Queue, resolver: FunctionResolver) -> QueueSpec:
    where = f'Queue "{queue.id}"'
    consumer = None
    if queue.consumer is not None:
        options = _options(queue.consumer, where + " consumer")
        function = resolver.definition(options["function"], where + " consumer", (queue.id, "consumer"), _bound(queue))
        consumer = QueueConsumerSpec(
            function,
            batch_size=_whole(options.get("batch_size", MAX_QUEUE_BATCH), 1, MAX_QUEUE_BATCH, f"{where} batch_size"),
            max_batching_window=_seconds(
                options.get("max_batching_window", 0), MAX_BATCHING_WINDOW, f"{where} max_batching_window"
            ),
        )
    # As SST sets it: a message is hidden for as long as its consumer may run before it can be received again.
    default_timeout = consumer.function.timeout if consumer else DEFAULT_VISIBILITY_TIMEOUT
    dead_letter = None
    if queue.dead_letter_queue is not None:
        target = queue.dead_letter_queue["queue"]
        if target is queue:
            raise ConstructError(f"{where}: a queue cannot be its own dead-letter queue")
        count = _whole(queue.dead_letter_queue.get("max_receive_count", 3), 1, 1000, f"{where} max_receive_count")
        dead_letter = DeadLetterSpec(target.id, count)
    app = queue.stack.app
    return QueueSpec(
        id=queue.id,
        name=queue.queue_name,
        url=queue.queue_url,
        arn=queue_arn(app.region, queue.queue_name, app.account),
        consumer=consumer,
        visibility_timeout=queue.visibility_timeout if queue.visibility_timeout is not None else default_timeout,
        dead_letter=dead_letter,
    )


def topic_spec(topic: Topic, resolver: FunctionResolver) -> TopicSpec:
    subscribers = tuple(
        SubscriberSpec(
            name,
            resolver.definition(definition, f'Topic "{topic.id}" subscriber "{name}"', (topic.id, name), _bound(topic)),
        )
        for name, definition in topic.subscribers.items()
    )
    arn = topic.topic_arn
    return TopicSpec(topic.id, topic.topic_name, arn, tuple(subscribers))


def cron_spec(cron: Cron, resolver: FunctionResolver) -> CronSpec:
    return CronSpec(cron.id, cron.schedule, resolver.function(cron.job), enabled=cron.enabled)


def event_bus_spec(bus: EventBus, resolver: FunctionResolver) -> EventBusSpec:
    rules = []
    for rule_name, (pattern, targets) in bus.rules.items():
        where = f'EventBus "{bus.id}" rule "{rule_name}"'
        specs = tuple(
            EventTargetSpec(
                name, resolver.definition(d, f'{where} target "{name}"', (bus.id, rule_name, name), _bound(bus))
            )
            for name, d in targets.items()
        )
        rules.append(EventRuleSpec(rule_name, canonical_pattern(pattern), specs))
    name = bus.event_bus_name
    app = bus.stack.app
    return EventBusSpec(bus.id, name, event_bus_arn(app.region, name, app.account), tuple(rules))


def table_spec(table: Table, resolver: FunctionResolver) -> TableSpec:
    consumers = []
    for name, definition in table.consumers.items():
        where = f'Table "{table.id}" consumer "{name}"'
        options = _options(definition, where, extra=("batch_size",))
        function = resolver.definition(options["function"], where, (table.id, name), _bound(table))
        batch = _whole(options.get("batch_size", DEFAULT_STREAM_BATCH), 1, MAX_STREAM_BATCH, f"{where} batch_size")
        consumers.append(StreamConsumerSpec(name, function, batch_size=batch))
    return TableSpec(
        table.id,
        table.table_name,
        frozen_mapping(table.fields),
        frozen_mapping(table.primary_index),
        stream=table.stream,
        consumers=tuple(consumers),
    )


def _options(
    definition: object, where: str, extra: tuple[str, ...] = ("batch_size", "max_batching_window")
) -> dict[str, Any]:
    """`{"function": ..., <extra options>}`, or a bare definition standing for its function."""
    if isinstance(definition, Mapping) and "function" in definition and set(definition) <= {"function", *extra}:
        return dict(definition)
    if isinstance(definition, Mapping) and "function" not in definition and set(definition) & set(extra):
        raise ConstructError(f'{where}: the "function" option is required')
    return {"function": definition}


def _bound(owner: Construct) -> dict[str, Any]:
    return with_bound({}, owner)


def _whole(value: object, low: int, high: int, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConstructError(f"{where} must be a whole number from {low} to {high}, got {value!r}")
    return value


def _seconds(value: object, high: float, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= high:
        raise ConstructError(f"{where} must be seconds from 0 to {high:g}, got {value!r}")
    return float(value)
