"""The constructs a user writes in `sst.config.py`: `Api`, `Auth`, `Bucket`, `Config.Secret`, `Config.Parameter`,
`Function`, `Table`, and the `App`/`Stack` they are registered with.

They are plain records of what was declared, checked as they are created (unknown options, duplicate ids,
malformed values raise `ConstructError` naming the construct). `devserver.app.loader` turns them into the frozen
`devserver.app.model` the server runs.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from devserver.app.naming import ACCOUNT_ID

__all__ = ["Api", "App", "Auth", "Bucket", "Config", "Construct", "ConstructError", "Function", "Stack", "Table"]


TABLE_FIELD_TYPES = ("string", "number", "binary")


class ConstructError(ValueError):
    """A construct was declared wrongly; the message names it and says what to change."""


def _check_options(kind: str, construct_id: str, given: Mapping[str, object], allowed: Iterable[str]) -> None:
    allowed = sorted(allowed)
    for name in given:
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f'did you mean "{close[0]}"? ' if close else ""
            raise ConstructError(
                f'{kind} "{construct_id}": unknown option "{name}" ({hint}valid: {", ".join(allowed)})'
            )


class App:
    """The app being defined: its name, region and stage, and the stacks `stacks(app)` registers. `account` is the
    AWS account its queue URLs and ARNs name: the emulator's, or with `--cloud` the real one."""

    def __init__(
        self, name: str, region: str, stage: str, api_url: Callable[[str], str], account: str = ACCOUNT_ID
    ) -> None:
        self.name = name
        self.region = region
        self.stage = stage
        self.account = account
        self.stacks: list[Stack] = []
        self._api_url = api_url
        self._ids: dict[tuple[str, str], Construct] = {}

    def stack(self, define: Callable[[Stack], object], id: str | None = None) -> Stack:
        """Run a stack function, as SST's `app.stack(MyStack)` does."""
        name = id or getattr(define, "__name__", None) or f"Stack{len(self.stacks) + 1}"
        stack = Stack(self, str(name))
        if any(existing.name == stack.name for existing in self.stacks):
            raise ConstructError(f'stack "{stack.name}" is defined twice')
        self.stacks.append(stack)
        define(stack)
        return stack

    def _register(self, construct: Construct) -> None:
        # Binding variables are named by type and id (SST_Bucket_bucketName_myFiles), so an id may appear once per type.
        key = (construct.binding_type, construct.id)
        if key in self._ids:
            raise ConstructError(f'duplicate construct id: {construct.binding_type} "{construct.id}" is defined twice')
        self._ids[key] = construct

    def constructs(self) -> list[Construct]:
        return list(self._ids.values())


class Stack:
    def __init__(self, app: App, name: str) -> None:
        self.app = app
        self.name = name
        self.stage = app.stage
        self.outputs: dict[str, str] = {}

    def add_outputs(self, outputs: Mapping[str, object]) -> None:
        for key, value in outputs.items():
            if value is None:
                continue
            self.outputs[key] = str(value)


class Construct:
    """Base of every construct: registered with its stack's app under a unique id."""

    binding_type = "Construct"
    options: frozenset[str] = frozenset()

    def __init__(self, stack: Stack, id: str, given: Mapping[str, object]) -> None:
        if not isinstance(stack, Stack):
            raise ConstructError(f'{type(self).__name__} "{id}": the first argument must be the stack')
        if not isinstance(id, str) or not id:
            raise ConstructError(f"{type(self).__name__}: the id must be a non-empty string, got {id!r}")
        _check_options(type(self).__name__, id, given, self.options)
        self.stack = stack
        self.id = id
        stack.app._register(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id!r})"

    def exposed(self) -> dict[str, str]:
        """The values binding this construct exposes, by SST's names (`bucketName`, `url`, `queueUrl`, ...)."""
        return {}


class _HasFunctions:
    """SST's `bind()` and `attach_permissions()` on a construct that owns functions (an Api's routes, a Bucket's
    notifications): they apply to every function it has, `Function` constructs included, as in SST."""

    bound: list[Construct]
    attached_permissions: list[object]

    def _functions(self) -> list[Function]:
        raise NotImplementedError

    def bind(self, constructs: Sequence[Construct]) -> None:
        self.bound.extend(constructs)
        for function in self._functions():
            function.bind(constructs)

    def attach_permissions(self, permissions: Sequence[object]) -> None:
        self.attached_permissions.extend(permissions)
        for function in self._functions():
            function.attach_permissions(permissions)


def _function_constructs(definitions: Iterable[object]) -> list[Function]:
    found = []
    for definition in definitions:
        if isinstance(definition, Mapping):
            definition = definition.get("function")
        if isinstance(definition, Function):
            found.append(definition)
    return found


class Function(Construct):
    """A Lambda function: `Function(stack, "worker", handler="functions/worker.main", bind=[...], ...)`."""

    binding_type = "Function"
    options = frozenset({"handler", "bind", "environment", "timeout", "memory_size", "permissions", "runtime_client"})

    def __init__(self, stack: Stack, id: str, **props: Any) -> None:
        super().__init__(stack, id, props)
        if "handler" not in props:
            raise ConstructError(f'Function "{id}": the "handler" option is required (e.g. "functions/worker.main")')
        self.props = props

    def bind(self, constructs: Sequence[Construct]) -> None:
        """Bind more constructs to this function, as SST's `fn.bind([...])`."""
        self.props["bind"] = [*self.props.get("bind", []), *constructs]

    def attach_permissions(self, permissions: Sequence[object]) -> None:
        """Grant more permissions, as SST's `fn.attachPermissions([...])`."""
        self.props["permissions"] = [*self.props.get("permissions", []), *permissions]

    @property
    def function_name(self) -> str:
        from devserver.app.naming import function_name

        return function_name(self.stack.stage, self.stack.app.name, self.id)

    def exposed(self) -> dict[str, str]:
        return {"functionName": self.function_name}


FunctionDefinition = str | Function | Mapping[str, Any]
"""A handler string, a `Function`, or `{"function": {"handler": ..., other Function options}}`."""


ROUTE_AUTH_OPTIONS = frozenset({"authorizer", "authorization_scopes"})
"""What a route (or an Api's `defaults`) may say about authorization besides its function, as in SST."""


class Api(_HasFunctions, Construct):
    """An HTTP API: `Api(stack, "api", routes={"GET /": "functions/hello.main"}, defaults={"function": {...}})`.

    JWT authorizers as SST's: `authorizers={"jwt": {"type": "user_pool", "user_pool": {"id": auth.user_pool_id,
    "client_ids": [auth.user_pool_client_id]}}}`, used by a route (`{"function": ..., "authorizer": "jwt"}`) or by
    every route (`defaults={"authorizer": "jwt"}`); `"authorizer": "none"` opens one route again.
    """

    binding_type = "Api"
    options = frozenset({"routes", "defaults", "cors", "authorizers"})

    def __init__(self, stack: Stack, id: str, **props: Any) -> None:
        super().__init__(stack, id, props)
        routes = props.get("routes", {})
        if not isinstance(routes, Mapping):
            raise ConstructError(f'Api "{id}": "routes" must be a dict of route key to handler')
        defaults = props.get("defaults", {})
        if not isinstance(defaults, Mapping) or set(defaults) - {"function", *ROUTE_AUTH_OPTIONS}:
            raise ConstructError(
                f'Api "{id}": "defaults" takes only "function" ({{...Function options}}), "authorizer" '
                'and "authorization_scopes"'
            )
        authorizers = props.get("authorizers", {})
        if not isinstance(authorizers, Mapping):
            raise ConstructError(f'Api "{id}": "authorizers" must be a dict of name to authorizer')
        self.routes: dict[str, FunctionDefinition] = dict(routes)
        self.function_defaults: Mapping[str, Any] = defaults.get("function", {})
        self.route_defaults: Mapping[str, Any] = {k: v for k, v in defaults.items() if k in ROUTE_AUTH_OPTIONS}
        self.authorizers: Mapping[str, Any] = dict(authorizers)
        self.cors = bool(props.get("cors", True))
        self.url = stack.app._api_url(id)
        self.bound = []
        self.attached_permissions = []

    def _functions(self) -> list[Function]:
        return _function_constructs(self.routes.values())

    def exposed(self) -> dict[str, str]:
        return {"url": self.url}


class Auth(Construct):
    """Local users and an identity pool, as SST's Cognito-backed `Auth`: `Auth(stack, "auth")`.

    Users sign up and in with a username and password and get RS256 JWTs; `Api` routes can require them (see
    `Api`). `attach_permissions_for_auth_users` grants signed-in users' temporary credentials; resource ARNs may use
    `${cognito-identity.amazonaws.com:sub}`, replaced by each user's identity id. `token_validity` gives lifetimes
    in seconds: `{"id_token": 3600, "access_token": 3600, "refresh_token": 2592000, "credentials": 3600}`
    (Cognito's defaults; `credentials`, the identity pool's temporary AWS credentials, is sst-dev's addition).
    """

    binding_type = "Auth"
    options = frozenset({"login", "token_validity"})
    TOKEN_KINDS = ("id_token", "access_token", "refresh_token", "credentials")

    def __init__(self, stack: Stack, id: str, **props: Any) -> None:
        super().__init__(stack, id, props)
        login = props.get("login", ["username"])
        if list(login) != ["username"]:
            raise ConstructError(f'Auth "{id}": login {login!r} is not supported locally (only ["username"])')
        validity = props.get("token_validity", {})
        if not isinstance(validity, Mapping) or set(validity) - set(self.TOKEN_KINDS):
            raise ConstructError(f'Auth "{id}": "token_validity" takes seconds for {", ".join(self.TOKEN_KINDS)}')
        for kind, seconds in validity.items():
            if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds <= 0:
                raise ConstructError(f'Auth "{id}": token_validity {kind} must be a positive number, got {seconds!r}')
        self.token_validity: Mapping[str, float] = {k: float(v) for k, v in validity.items()}
        self.auth_permissions: list[object] = []
        self.unauth_permissions: list[object] = []

    def attach_permissions_for_auth_users(self, stack: Stack, permissions: Sequence[object]) -> None:
        """Grant signed-in users' identities these permissions, as SST's `attachPermissionsForAuthUsers`."""
        self.auth_permissions.extend(permissions)

    def attach_permissions_for_unauth_users(self, stack: Stack, permissions: Sequence[object]) -> None:
        """Grant unauthenticated (guest) identities these permissions, as SST's `attachPermissionsForUnauthUsers`."""
        self.unauth_permissions.extend(permissions)

    @property
    def user_pool_id(self) -> str:
        from devserver.app.auth_ids import user_pool_id

        app = self.stack.app
        return user_pool_id(app.region, app.name, app.stage, self.id)

    @property
    def user_pool_client_id(self) -> str:
        from devserver.app.auth_ids import user_pool_client_id

        return user_pool_client_id(self.stack.app.name, self.stack.app.stage, self.id)

    @property
    def identity_pool_id(self) -> str:
        from devserver.app.auth_ids import identity_pool_id

        app = self.stack.app
        return identity_pool_id(app.region, app.name, app.stage, self.id)

    def exposed(self) -> dict[str, str]:
        return {
            "userPoolId": self.user_pool_id,
            "userPoolClientId": self.user_pool_client_id,
            "identityPoolId": self.identity_pool_id,
        }


class Bucket(_HasFunctions, Construct):
    """An S3 bucket: `Bucket(stack, "myFiles", notifications={...}, cors=True, name=None)`."""

    binding_type = "Bucket"
    options = frozenset({"notifications", "cors", "name", "defaults"})

    def __init__(self, stack: Stack, id: str, **props: Any) -> None:
        super().__init__(stack, id, props)
        self.notifications: object = props.get("notifications", {})
        self.cors = bool(props.get("cors", True))
        self.name: str | None = props.get("name")
        defaults = props.get("defaults", {})
        if not isinstance(defaults, Mapping) or set(defaults) - {"function"}:
            raise ConstructError(f'Bucket "{id}": "defaults" takes only {{"function": {{...Function options}}}}')
        self.function_defaults: Mapping[str, Any] = defaults.get("function", {})
        self.bound = []
        self.attached_permissions = []

    def _functions(self) -> list[Function]:
        notifications = self.notifications
        if isinstance(notifications, Mapping):
            return _function_constructs(notifications.values())
        return _function_constructs(notifications if isinstance(notifications, list | tuple) else [])

    @property
    def bucket_name(self) -> str:
        from devserver.app.naming import bucket_name

        return self.name or bucket_name(self.stack.stage, self.stack.app.name, self.id)

    def exposed(self) -> dict[str, str]:
        return {"bucketName": self.bucket_name}


TABLE_STREAMS = {
    True: "NEW_AND_OLD_IMAGES",
    "new_and_old_images": "NEW_AND_OLD_IMAGES",
    "new_image": "NEW_IMAGE",
    "old_image": "OLD_IMAGE",
    "keys_only": "KEYS_ONLY",
}
"""SST's `stream` values and the DynamoDB stream view type each stands for (`True`: both images, as in SST)."""


class Table(_HasFunctions, Construct):
    """A DynamoDB table: `Table(stack, "notes", fields={"id": "string"}, primary_index={"partition_key": "id"})`.

    `stream=True` (or `"keys_only"`, `"new_image"`, `"old_image"`, `"new_and_old_images"`) turns on its stream;
    `consumers={"indexer": handler or {"function": ..., "batch_size": N}}` are functions fed its records.
    """

    binding_type = "Table"
    options = frozenset({"fields", "primary_index", "stream", "consumers"})

    def __init__(self, stack: Stack, id: str, **props: Any) -> None:
        super().__init__(stack, id, props)
        self.fields: Mapping[str, str] = props.get("fields", {})
        self.primary_index: Mapping[str, str] = props.get("primary_index", {})
        where = f'Table "{id}"'
        for name, kind in self.fields.items():
            if kind not in TABLE_FIELD_TYPES:
                raise ConstructError(
                    f'{where}: field "{name}" has type {kind!r} (valid: {", ".join(TABLE_FIELD_TYPES)})'
                )
        keys = dict(self.primary_index)
        if set(keys) - {"partition_key", "sort_key"} or "partition_key" not in keys:
            raise ConstructError(
                f'{where}: primary_index must be {{"partition_key": FIELD, "sort_key": FIELD (optional)}}'
            )
        for role, field in keys.items():
            if field not in self.fields:
                raise ConstructError(f'{where}: primary_index {role} "{field}" is not one of its fields')
        stream = props.get("stream", False)
        if stream is not False and stream not in TABLE_STREAMS:
            valid = ", ".join(repr(value) for value in TABLE_STREAMS)
            raise ConstructError(f"{where}: stream {stream!r} is not one of False, {valid}")
        self.stream: str | None = None if stream is False else TABLE_STREAMS[stream]
        consumers = props.get("consumers", {})
        if not isinstance(consumers, Mapping):
            raise ConstructError(f'{where}: "consumers" must be a dict of name to handler')
        if consumers and self.stream is None:
            raise ConstructError(f"{where}: consumers read the table's stream: set stream=True (or a view type)")
        self.consumers: dict[str, FunctionDefinition] = {str(name): c for name, c in consumers.items()}
        self.bound = []
        self.attached_permissions = []

    def _functions(self) -> list[Function]:
        return _function_constructs(self.consumers.values())

    @property
    def table_name(self) -> str:
        return f"{self.stack.stage}-{self.stack.app.name}-{self.id}"

    def exposed(self) -> dict[str, str]:
        return {"tableName": self.table_name}


class _Secret(Construct):
    """`Config.Secret(stack, "STRIPE_KEY")`: a value set with `sst-dev secrets set`, never in the environment."""

    binding_type = "Secret"

    def __init__(self, stack: Stack, id: str, **props: Any) -> None:
        # The id becomes `Config.<id>` in handlers and the KEY of `sst-dev secrets set`: it must be an identifier.
        if not isinstance(id, str) or not id.isidentifier():
            raise ConstructError(f"Config.Secret {id!r}: the name must be a Python identifier (letters, digits, _)")
        super().__init__(stack, id, props)


class _Parameter(Construct):
    """`Config.Parameter(stack, "MY_CLUSTER_NAME", value="dev-cluster")`: a plain value bound to functions."""

    binding_type = "Parameter"
    options = frozenset({"value"})

    def __init__(self, stack: Stack, id: str, **props: Any) -> None:
        super().__init__(stack, id, props)
        if "value" not in props:
            raise ConstructError(f'Config.Parameter "{id}": the "value" option is required')
        self.value = str(props["value"])

    def exposed(self) -> dict[str, str]:
        return {"value": self.value}


class Config:
    """Namespace matching SST's `Config.Secret` and `Config.Parameter`."""

    Secret = _Secret
    Parameter = _Parameter
