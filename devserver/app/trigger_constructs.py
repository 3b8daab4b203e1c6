"""The constructs whose functions run on events other than HTTP requests, as SST v2 names them: `Queue`, `Topic`,
`Cron` and `EventBus` (a `Table`'s stream consumers are options of `Table`).

Like the other constructs they only record and check what was declared; `devserver.app.resolve_triggers` turns them
into specs. A consumer, subscriber, job or target is anything a route accepts: a handler string, a `Function`, or
`{"function": {...Function options}}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from devserver.app.constructs import (
    Construct,
    ConstructError,
    Function,
    FunctionDefinition,
    Stack,
    _function_constructs,
    _HasFunctions,
)
from devserver.app.event_patterns import EventPatternError, check_pattern
from devserver.app.schedule import ScheduleError, parse_schedule

__all__ = ["Cron", "EventBus", "Queue", "Topic"]

QUEUE_CONSUMER_OPTIONS = frozenset({"function", "batch_size", "max_batching_window"})


def _named_functions(kind: str, construct_id: str, option: str, given: object) -> dict[str, FunctionDefinition]:
    if not isinstance(given, Mapping):
        raise ConstructError(f'{kind} "{construct_id}": "{option}" must be a dict of name to handler')
    return {str(name): definition for name, definition in given.items()}


class Queue(_HasFunctions, Construct):
    """An SQS queue: `Queue(stack, "jobs", consumer="functions/jobs.main")`.

    `consumer` may be `{"function": ..., "batch_size": 1-10, "max_batching_window": seconds}`. `visibility_timeout`
    (seconds) defaults to the consumer's timeout, as SST sets it (30 s without a consumer).
    `dead_letter_queue={"queue": other_queue, "max_receive_count": 3}` is SQS's redrive policy.
    """

    binding_type = "Queue"
    options = frozenset({"consumer", "visibility_timeout", "dead_letter_queue"})

    def __init__(self, stack: Stack, id: str, **props: Any) -> None:
        super().__init__(stack, id, props)
        self.consumer: object = None
        if props.get("consumer") is not None:
            self.add_consumer(stack, props["consumer"])
        timeout = props.get("visibility_timeout")
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int | float)):
            raise ConstructError(f'Queue "{id}": visibility_timeout must be seconds (0-43200), got {timeout!r}')
        if timeout is not None and not 0 <= timeout <= 43200:
            raise ConstructError(f'Queue "{id}": visibility_timeout must be seconds (0-43200), got {timeout!r}')
        self.visibility_timeout: float | None = None if timeout is None else float(timeout)
        self.dead_letter_queue: Mapping[str, Any] | None = props.get("dead_letter_queue")
        if self.dead_letter_queue is not None:
            dlq = self.dead_letter_queue
            if (
                not isinstance(dlq, Mapping)
                or not isinstance(dlq.get("queue"), Queue)
                or set(dlq)
                - {
                    "queue",
                    "max_receive_count",
                }
            ):
                raise ConstructError(
                    f'Queue "{id}": dead_letter_queue must be {{"queue": another Queue, "max_receive_count": N}}'
                )
        self.bound = []
        self.attached_permissions = []

    def add_consumer(self, stack: Stack, consumer: object) -> None:
        """Set the queue's consumer, as SST's `queue.addConsumer(stack, ...)`."""
        if self.consumer is not None:
            raise ConstructError(f'Queue "{self.id}": it already has a consumer (a queue has one)')
        if isinstance(consumer, Mapping) and set(consumer) - QUEUE_CONSUMER_OPTIONS and "handler" not in consumer:
            unknown = sorted(set(consumer) - QUEUE_CONSUMER_OPTIONS)[0]
            raise ConstructError(
                f'Queue "{self.id}" consumer: unknown option {unknown!r} (valid: '
                f"{', '.join(sorted(QUEUE_CONSUMER_OPTIONS))})"
            )
        self.consumer = consumer

    def _functions(self) -> list[Function]:
        return _function_constructs([self.consumer])

    @property
    def queue_name(self) -> str:
        from devserver.app.naming import resource_name

        return resource_name(self.stack.stage, self.stack.app.name, self.id)

    @property
    def queue_url(self) -> str:
        from devserver.app.naming import queue_url

        return queue_url(self.stack.app.region, self.queue_name, self.stack.app.account)

    def exposed(self) -> dict[str, str]:
        return {"queueUrl": self.queue_url}


class Topic(_HasFunctions, Construct):
    """An SNS topic: `Topic(stack, "news", subscribers={"mailer": "functions/mail.main"})`."""

    binding_type = "Topic"
    options = frozenset({"subscribers"})

    def __init__(self, stack: Stack, id: str, **props: Any) -> None:
        super().__init__(stack, id, props)
        self.subscribers: dict[str, FunctionDefinition] = {}
        self.add_subscribers(stack, props.get("subscribers", {}))
        self.bound = []
        self.attached_permissions = []

    def add_subscribers(self, stack: Stack, subscribers: object) -> None:
        """More subscribers, as SST's `topic.addSubscribers(stack, {...})`."""
        for name, definition in _named_functions("Topic", self.id, "subscribers", subscribers).items():
            if name in self.subscribers:
                raise ConstructError(f'Topic "{self.id}": subscriber "{name}" is defined twice')
            self.subscribers[name] = definition

    def _functions(self) -> list[Function]:
        return _function_constructs(list(self.subscribers.values()))

    @property
    def topic_name(self) -> str:
        from devserver.app.naming import resource_name

        return resource_name(self.stack.stage, self.stack.app.name, self.id)

    @property
    def topic_arn(self) -> str:
        from devserver.app.naming import topic_arn

        return topic_arn(self.stack.app.region, self.topic_name, self.stack.app.account)

    def exposed(self) -> dict[str, str]:
        return {"topicArn": self.topic_arn}


class Cron(Construct):
    """A scheduled job: `Cron(stack, "nightly", schedule="cron(0 3 * * ? *)", job="functions/nightly.main")`.

    `schedule` is EventBridge's `rate(...)` or `cron(...)` (UTC). `job` becomes a `Function` (`cron.job`), named
    `<id>Job` unless it is one already.
    """

    binding_type = "Cron"
    options = frozenset({"schedule", "job", "enabled"})

    def __init__(self, stack: Stack, id: str, **props: Any) -> None:
        super().__init__(stack, id, props)
        if "schedule" not in props or "job" not in props:
            raise ConstructError(f'Cron "{id}": "schedule" and "job" are required')
        try:
            self.schedule = parse_schedule(props["schedule"]).expression
        except ScheduleError as error:
            raise ConstructError(f'Cron "{id}": {error}') from None
        self.enabled = bool(props.get("enabled", True))
        self.job = _as_function(stack, f"{id}Job", props["job"], f'Cron "{id}" job')


def _as_function(stack: Stack, function_id: str, definition: object, where: str) -> Function:
    if isinstance(definition, Function):
        return definition
    if isinstance(definition, str):
        return Function(stack, function_id, handler=definition)
    if isinstance(definition, Mapping) and isinstance(definition.get("function"), Function | str | Mapping):
        return _as_function(stack, function_id, definition["function"], where)
    if isinstance(definition, Mapping) and "handler" in definition:
        return Function(stack, function_id, **definition)
    raise ConstructError(
        f'{where}: expected a handler string, a Function or {{"function": {{...}}}}, got {definition!r}'
    )


class EventBus(_HasFunctions, Construct):
    """An EventBridge bus with rules: `EventBus(stack, "bus", rules={"orders": {"pattern": {...}, "targets": {...}}})`.

    Each rule's `pattern` is an EventBridge event pattern; its `targets` map names to functions.
    """

    binding_type = "EventBus"
    options = frozenset({"rules"})

    def __init__(self, stack: Stack, id: str, **props: Any) -> None:
        super().__init__(stack, id, props)
        self.rules: dict[str, tuple[Mapping[str, Any], dict[str, FunctionDefinition]]] = {}
        self.add_rules(stack, props.get("rules", {}))
        self.bound = []
        self.attached_permissions = []

    def add_rules(self, stack: Stack, rules: object) -> None:
        """More rules, as SST's `bus.addRules(stack, {...})`."""
        if not isinstance(rules, Mapping):
            raise ConstructError(f'EventBus "{self.id}": "rules" must be a dict of rule name to rule')
        for name, rule in rules.items():
            where = f'EventBus "{self.id}" rule "{name}"'
            if name in self.rules:
                raise ConstructError(f"{where} is defined twice")
            if not isinstance(rule, Mapping) or set(rule) - {"pattern", "targets"} or "pattern" not in rule:
                raise ConstructError(f'{where}: a rule is {{"pattern": {{...}}, "targets": {{name: handler}}}}')
            try:
                check_pattern(rule["pattern"])
            except EventPatternError as error:
                raise ConstructError(f"{where}: invalid pattern: {error}") from None
            targets = _named_functions("EventBus", self.id, f'rules["{name}"]["targets"]', rule.get("targets", {}))
            self.rules[str(name)] = (rule["pattern"], targets)

    def _functions(self) -> list[Function]:
        return _function_constructs([target for _, targets in self.rules.values() for target in targets.values()])

    @property
    def event_bus_name(self) -> str:
        from devserver.app.naming import resource_name

        return resource_name(self.stack.stage, self.stack.app.name, self.id)

    def exposed(self) -> dict[str, str]:
        return {"eventBusName": self.event_bus_name}
