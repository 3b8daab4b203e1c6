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
class TableSpec:
    id: str
    name: str
    fields: Mapping[str, str] = field(default_factory=frozen_mapping)
    primary_index: Mapping[str, str] = field(default_factory=frozen_mapping)


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
    resources: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=lambda: MappingProxyType({}))
    """What each construct exposes for binding, `{Type: {id: {prop: value}}}` (as in `.sst/dev.json`), e.g.
    `{"Bucket": {"myFiles": {"bucketName": "..."}}}`. A Secret's entry is `{}`: its value is never in the model."""
    config_sources: frozenset[Path] = frozenset()
    """`sst.config.py` and the app's own modules it imported: a change to any of them reloads the config."""

    def all_functions(self) -> tuple[FunctionSpec, ...]:
        """Every function of the app: standalone ones, route handlers and notification targets, each once."""
        seen: dict[str, FunctionSpec] = {}
        for spec in self.functions:
            seen.setdefault(spec.name, spec)
        for api in self.apis:
            for route in api.routes:
                seen.setdefault(route.function.name, route.function)
        for bucket in self.buckets:
            for notification in bucket.notifications:
                seen.setdefault(notification.function.name, notification.function)
        return tuple(seen.values())
