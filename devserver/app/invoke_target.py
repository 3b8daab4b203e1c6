"""Which function `sst-dev invoke FUNCTION` and the pytest fixture's `emulator.invoke(FUNCTION)` mean.

FUNCTION is, tried in this order: a route key as written in the config (`GET /hello/{name}`, `$default`), a
`Cron`'s id (its job), a function's Lambda name (`FunctionSpec.name`), the id of a `Function` construct
(`Function(stack, "worker", ...)`), or a handler string (`functions/hello.main`). A handler string that several
differently configured functions share is ambiguous; the error lists the route keys and names that pick one. The
function's trigger (the route, bucket notification, queue, topic, schedule, rule or stream that invokes it in the
app) decides its default event. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from devserver.app.model import AppSpec, BucketSpec, FunctionSpec, NotificationSpec
from devserver.errors import UserError

__all__ = [
    "AmbiguousFunctionError",
    "InvokeTarget",
    "NotificationTrigger",
    "RouteTrigger",
    "SourceTrigger",
    "UnknownFunctionError",
    "find_target",
]


@dataclass(frozen=True)
class RouteTrigger:
    """The function serves the route `route_key` of the Api `api_id`."""

    api_id: str
    route_key: str


@dataclass(frozen=True)
class NotificationTrigger:
    """The function is the target of one of a bucket's notifications."""

    bucket: BucketSpec
    notification: NotificationSpec


@dataclass(frozen=True)
class SourceTrigger:
    """The function is fed by an event source: `source` is `websocket`, `sqs`, `sns`, `cron`, `events` or
    `dynamodb`, `construct_id` the WebSocketApi, Queue, Topic, Cron, EventBus or Table it belongs to, and `member`
    the rest of the trigger's detail (the WebSocket route key, the subscriber, rule or consumer)."""

    source: str
    construct_id: str
    member: str = ""


@dataclass(frozen=True)
class InvokeTarget:
    """A function to invoke and what triggers it in the app (None for a standalone `Function`)."""

    function: FunctionSpec
    trigger: RouteTrigger | NotificationTrigger | SourceTrigger | None


class UnknownFunctionError(UserError):
    """No route key, function name or handler string of the app is `value`."""

    code = "Invoke.UnknownFunction"

    def __init__(self, value: str, known: list[str]) -> None:
        listed = "; ".join(known) if known else "the app has no functions"
        super().__init__(f"no function {value!r}: give a route key, a function name or a handler string ({listed})")
        self.value = value


class AmbiguousFunctionError(UserError):
    """The handler string `value` names several functions with different settings."""

    code = "Invoke.AmbiguousFunction"

    def __init__(self, value: str, choices: list[str]) -> None:
        super().__init__(f"handler {value!r} serves several functions; name one of: {'; '.join(choices)}")
        self.value = value


def _targets(app: AppSpec) -> Iterator[InvokeTarget]:
    for api in app.apis:
        for route in api.routes:
            yield InvokeTarget(route.function, RouteTrigger(api.id, route.key))
    for bucket in app.buckets:
        for notification in bucket.notifications:
            yield InvokeTarget(notification.function, NotificationTrigger(bucket, notification))
    for trigger in app.triggers():
        if trigger.source not in ("api", "s3"):
            construct_id, _, member = trigger.detail.partition(" ")
            yield InvokeTarget(trigger.function, SourceTrigger(trigger.source, construct_id, member))
    for function in app.functions:
        yield InvokeTarget(function, None)


def _label(target: InvokeTarget) -> str:
    trigger = target.trigger
    if isinstance(trigger, RouteTrigger):
        return trigger.route_key
    return target.function.name


def _normalized_route_key(value: str) -> str:
    method, _, path = value.strip().partition(" ")
    return f"{method.upper()} {path.strip()}" if path else method


def find_target(app: AppSpec, value: str) -> InvokeTarget:
    """The function `value` names in `app`; raises `UnknownFunctionError` or `AmbiguousFunctionError`."""
    targets = list(_targets(app))
    route_key = _normalized_route_key(value)
    for target in targets:
        if isinstance(target.trigger, RouteTrigger) and target.trigger.route_key == route_key:
            return target
    for target in targets:
        if isinstance(target.trigger, SourceTrigger) and target.trigger.source == "cron":
            if target.trigger.construct_id == value:
                return target
    construct = app.resources.get("Function", {}).get(value, {}).get("functionName")
    for name in (value, construct):
        for target in targets:
            if target.function.name == name:
                return target
    by_handler = [target for target in targets if target.function.handler == value]
    distinct = {target.function.name: target for target in by_handler}
    if len(distinct) == 1:
        return by_handler[0]
    if distinct:
        raise AmbiguousFunctionError(value, [_label(target) for target in distinct.values()])
    raise UnknownFunctionError(value, sorted({_label(target) for target in targets}))
