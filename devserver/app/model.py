"""The resolved app: what `sst.config.py` declares, as frozen data the server, the workers and the emulator share.

`devserver.app.constructs` holds the objects a user writes in `sst.config.py`; `devserver.app.loader` loads
that file and turns them into these dataclasses. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_MEMORY_MB = 1024


def frozen_mapping(values: Mapping[str, str] | None = None) -> Mapping[str, str]:
    """A read-only copy, so a frozen dataclass really is frozen."""
    return MappingProxyType(dict(values or {}))


@dataclass(frozen=True)
class PermissionSpec:
    """One IAM statement a function's role gets: `permissions=[...]` entries and bindings both become these."""

    actions: tuple[str, ...]
    resources: tuple[str, ...] = ("*",)
    effect: str = "Allow"

    def to_statement(self) -> dict[str, object]:
        return {"Effect": self.effect, "Action": list(self.actions), "Resource": list(self.resources)}


@dataclass(frozen=True)
class FunctionSpec:
    """One Lambda function: a handler plus the settings its worker processes run with.

    `name` is the function's Lambda name, unique within the app (`AWS_LAMBDA_FUNCTION_NAME`).
    `environment` is everything the function sees besides what the Lambda runtime itself sets: the user's
    `environment`, bound resources, and the emulator's endpoint and credentials.
    """

    name: str
    handler: str
    app_dir: Path
    environment: Mapping[str, str] = field(default_factory=frozen_mapping)
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    memory_size: int = DEFAULT_MEMORY_MB
    bind: tuple[str, ...] = ()
    permissions: tuple[PermissionSpec, ...] = ()
    runtime_client: str = "sst-dev"
    """`sst-dev` (our worker, private channel) or `awslambdaric` (the official client, over the Runtime API)."""


@dataclass(frozen=True)
class RouteAuthorizer:
    """A route's JWT authorizer, backed by the app's `Auth` `auth_id` (SST's `type: "user_pool"`).

    A token passes when its signature, issuer and expiry are right and its `aud` (id tokens) or `client_id`
    (access tokens) is one of `client_ids`; when `scopes` is set, its `scope` claim must hold one of them.
    """

    name: str
    auth_id: str
    client_ids: tuple[str, ...]
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class IamAuthorizer:
    """A route's `iam` authorizer (SST's built-in `"iam"`): requests must be SigV4-signed for `execute-api` by a
    caller whose policies allow `execute-api:Invoke` on the route."""

    name: str = "iam"


@dataclass(frozen=True)
class RouteSpec:
    """One API route: its key as written (`GET /files/{key+}`, `$default`), the function serving it, and the
    authorizer requests must pass first (None: open)."""

    key: str
    function: FunctionSpec
    authorizer: RouteAuthorizer | IamAuthorizer | None = None


@dataclass(frozen=True)
class ApiSpec:
    id: str
    routes: tuple[RouteSpec, ...]
    cors: bool = True


@dataclass(frozen=True)
class WebSocketRouteSpec:
    """One WebSocket route: `$connect`, `$disconnect`, `$default` or a value the selection expression picks."""

    key: str
    function: FunctionSpec


@dataclass(frozen=True)
class WebSocketApiSpec:
    """A WebSocket API: its routes, and where in a message's JSON body the route key is (`$request.body.action`)."""

    id: str
    routes: tuple[WebSocketRouteSpec, ...]
    route_selection_expression: str = "$request.body.action"

    def route(self, key: str) -> WebSocketRouteSpec | None:
        return next((route for route in self.routes if route.key == key), None)


@dataclass(frozen=True)
class NotificationSpec:
    """One S3 notification target: which events and key filters invoke which function."""

    id: str
    function: FunctionSpec
    events: tuple[str, ...] = ("object_created", "object_removed")
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class BucketSpec:
    id: str
    name: str
    notifications: tuple[NotificationSpec, ...] = ()
    cors: bool = True


@dataclass(frozen=True)
class ParameterSpec:
    id: str
    value: str


@dataclass(frozen=True)
class SecretSpec:
    id: str


@dataclass(frozen=True)
class StreamConsumerSpec:
    """A function reading a table's stream: records in order per shard, `batch_size` at a time (Lambda's default
    for DynamoDB streams is 100)."""

    id: str
    function: FunctionSpec
    batch_size: int = 100


@dataclass(frozen=True)
class TableSpec:
    id: str
    name: str
    fields: Mapping[str, str] = field(default_factory=frozen_mapping)
    primary_index: Mapping[str, str] = field(default_factory=frozen_mapping)
    stream: str | None = None
    """The stream's view type as DynamoDB names it (`NEW_AND_OLD_IMAGES`, `NEW_IMAGE`, `OLD_IMAGE`, `KEYS_ONLY`), or
    None for a table without a stream."""
    consumers: tuple[StreamConsumerSpec, ...] = ()


@dataclass(frozen=True)
class QueueConsumerSpec:
    """The function Lambda's event source mapping feeds a queue's messages to, and how it batches them."""

    function: FunctionSpec
    batch_size: int = 10
    max_batching_window: float = 0.0
    """Seconds to wait for a fuller batch once a message is there (Lambda's `MaximumBatchingWindowInSeconds`)."""


@dataclass(frozen=True)
class DeadLetterSpec:
    """Where a message goes once it has been received `max_receive_count` times (SQS's redrive policy)."""

    queue_id: str
    max_receive_count: int


@dataclass(frozen=True)
class QueueSpec:
    id: str
    name: str
    url: str
    arn: str
    consumer: QueueConsumerSpec | None = None
    visibility_timeout: float = 30.0
    dead_letter: DeadLetterSpec | None = None


@dataclass(frozen=True)
class SubscriberSpec:
    id: str
    function: FunctionSpec


@dataclass(frozen=True)
class TopicSpec:
    id: str
    name: str
    arn: str
    subscribers: tuple[SubscriberSpec, ...] = ()


@dataclass(frozen=True)
class CronSpec:
    """A scheduled job: `schedule` is the expression as written (`rate(1 minute)`, `cron(0 3 * * ? *)`), already
    checked against EventBridge's grammar."""

    id: str
    schedule: str
    job: FunctionSpec
    enabled: bool = True


@dataclass(frozen=True)
class EventTargetSpec:
    id: str
    function: FunctionSpec


@dataclass(frozen=True)
class EventRuleSpec:
    """One rule of an event bus: its event pattern (checked, as canonical JSON text) and the functions it invokes."""

    id: str
    pattern: str
    targets: tuple[EventTargetSpec, ...] = ()


@dataclass(frozen=True)
class EventBusSpec:
    id: str
    name: str
    arn: str
    rules: tuple[EventRuleSpec, ...] = ()


@dataclass(frozen=True)
class TokenValidity:
    """Lifetimes in seconds; Cognito's defaults (one hour, 30 days, and one-hour identity credentials)."""

    id_token: float = 3600.0
    access_token: float = 3600.0
    refresh_token: float = 30 * 86400.0
    credentials: float = 3600.0
    """The temporary AWS credentials of an identity (GetCredentialsForIdentity's are one hour)."""


@dataclass(frozen=True)
class AuthSpec:
    """One `Auth`: a local user pool (its ids as Cognito shapes them) and its identity pool's policies."""

    id: str
    user_pool_id: str
    user_pool_client_id: str
    identity_pool_id: str
    token_validity: TokenValidity = field(default_factory=TokenValidity)
    auth_permissions: tuple[PermissionSpec, ...] = ()
    """Signed-in identities' grants; resources may hold `${cognito-identity.amazonaws.com:sub}`."""
    unauth_permissions: tuple[PermissionSpec, ...] = ()
    """Guest identities' grants."""


@dataclass(frozen=True)
class Trigger:
    """One event source of a function, as the terminal and the Console name it: `source` is `api`, `websocket`, `s3`,
    `sqs`, `sns`, `cron`, `events` or `dynamodb`; `detail` names the construct (and route, rule or subscriber)."""

    source: str
    detail: str
    function: FunctionSpec


@dataclass(frozen=True)
class StackSpec:
    name: str
    outputs: Mapping[str, str] = field(default_factory=frozen_mapping)


@dataclass(frozen=True)
class AppSpec:
    """Everything one load of `sst.config.py` produced."""

    name: str
    region: str
    stage: str
    app_dir: Path
    stacks: tuple[StackSpec, ...] = ()
    apis: tuple[ApiSpec, ...] = ()
    functions: tuple[FunctionSpec, ...] = ()
    buckets: tuple[BucketSpec, ...] = ()
    parameters: tuple[ParameterSpec, ...] = ()
    secrets: tuple[SecretSpec, ...] = ()
    tables: tuple[TableSpec, ...] = ()
    auths: tuple[AuthSpec, ...] = ()
    queues: tuple[QueueSpec, ...] = ()
    topics: tuple[TopicSpec, ...] = ()
    crons: tuple[CronSpec, ...] = ()
    event_buses: tuple[EventBusSpec, ...] = ()
    websocket_apis: tuple[WebSocketApiSpec, ...] = ()
    resources: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=lambda: MappingProxyType({}))
    """What each construct exposes for binding, `{Type: {id: {prop: value}}}` (as in `.sst/dev.json`), e.g.
    `{"Bucket": {"myFiles": {"bucketName": "..."}}}`. A Secret's entry is `{}`: its value is never in the model."""
    config_sources: frozenset[Path] = frozenset()
    """`sst.config.py` and the app's own modules it imported: a change to any of them reloads the config."""

    def all_functions(self) -> tuple[FunctionSpec, ...]:
        """Every function of the app, each once: standalone ones, route handlers, and every trigger's targets."""
        seen: dict[str, FunctionSpec] = {}
        for spec in (*self.functions, *(trigger.function for trigger in self.triggers())):
            seen.setdefault(spec.name, spec)
        return tuple(seen.values())

    def triggers(self) -> tuple[Trigger, ...]:
        """Every (source, function) pair of the app: routes, notifications, consumers, subscribers, jobs, targets."""
        found: list[Trigger] = []
        found += [Trigger("api", f"{api.id} {route.key}", route.function) for api in self.apis for route in api.routes]
        found += [
            Trigger("websocket", f"{api.id} {route.key}", route.function)
            for api in self.websocket_apis
            for route in api.routes
        ]
        for bucket in self.buckets:
            found += [Trigger("s3", f"{bucket.id} {n.id}", n.function) for n in bucket.notifications]
        found += [Trigger("sqs", queue.id, queue.consumer.function) for queue in self.queues if queue.consumer]
        for topic in self.topics:
            found += [Trigger("sns", f"{topic.id} {s.id}", s.function) for s in topic.subscribers]
        found += [Trigger("cron", cron.id, cron.job) for cron in self.crons]
        for bus in self.event_buses:
            for rule in bus.rules:
                found += [Trigger("events", f"{bus.id} {rule.id} {t.id}", t.function) for t in rule.targets]
        for table in self.tables:
            found += [Trigger("dynamodb", f"{table.id} {c.id}", c.function) for c in table.consumers]
        return tuple(found)
