"""An app's constructs, resolved into the frozen `devserver.app.model.AppSpec`: pure checks, no user code run.

Each construct is checked and turned into its spec: Apis with their routes and authorizers, buckets with their
notifications, Auths, tables, secrets and parameters, and every function with its defaults merged. Handler modules
are only parsed (`ast`) to check that the handler function exists: importing them would run user code in the server.
A problem raises `ConstructError` (or `RouteKeyError`, `NotificationConfigurationError`) naming the construct;
`devserver.app.loader` adds the file.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from devserver.app.constructs import (
    ROUTE_AUTH_OPTIONS,
    Api,
    App,
    Auth,
    Bucket,
    Construct,
    ConstructError,
    Function,
    Table,
    _Parameter,
    _Secret,
)
from devserver.app.model import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_SECONDS,
    ApiSpec,
    AppSpec,
    AuthSpec,
    BucketSpec,
    FunctionSpec,
    IamAuthorizer,
    NotificationSpec,
    ParameterSpec,
    PermissionSpec,
    RouteAuthorizer,
    RouteSpec,
    SecretSpec,
    StackSpec,
    TableSpec,
    TokenValidity,
    frozen_mapping,
)
from devserver.app.naming import function_name, is_valid_bucket_name
from devserver.app.notification_rules import validate_bucket_notifications
from devserver.app.permissions import PermissionEntryError, api_invoke_grant, construct_grants, permission_from_entry
from devserver.app.route_key import parse_route_key

__all__ = ["RESERVED_PREFIX", "resolve_app"]

RESERVED_PREFIX = "/_sst"
_HANDLER = re.compile(r"^[^.\s]+\.[A-Za-z_][A-Za-z0-9_]*$")
_RUNTIME_CLIENTS = ("sst-dev", "awslambdaric")
_DEFAULT_NOTIFICATION_EVENTS = ("object_created", "object_removed")
_NOTIFICATION_OPTIONS = frozenset({"function", "events", "filters"})


def resolve_app(app: App, app_dir: Path) -> AppSpec:
    """The frozen `AppSpec` of an app whose `stacks(app)` has run: every construct checked, every function resolved."""
    resolver = _FunctionResolver(app, app_dir)
    constructs = app.constructs()
    auths = tuple(_auth(auth, resolver) for auth in constructs if isinstance(auth, Auth))
    return AppSpec(
        name=app.name,
        region=app.region,
        stage=app.stage,
        app_dir=app_dir,
        stacks=tuple(StackSpec(stack.name, frozen_mapping(stack.outputs)) for stack in app.stacks),
        apis=tuple(_api(api, resolver, auths) for api in constructs if isinstance(api, Api)),
        functions=tuple(resolver.function(f) for f in constructs if isinstance(f, Function)),
        buckets=tuple(_bucket(bucket, resolver) for bucket in constructs if isinstance(bucket, Bucket)),
        parameters=tuple(ParameterSpec(p.id, p.value) for p in constructs if isinstance(p, _Parameter)),
        secrets=tuple(SecretSpec(s.id) for s in constructs if isinstance(s, _Secret)),
        tables=tuple(
            TableSpec(t.id, t.table_name, frozen_mapping(t.fields), frozen_mapping(t.primary_index))
            for t in constructs
            if isinstance(t, Table)
        ),
        auths=auths,
        resources=_freeze(_resources(constructs)),
    )


def _freeze(resources: dict[str, dict[str, dict[str, str]]]) -> Mapping[str, Mapping[str, Mapping[str, str]]]:
    return MappingProxyType(
        {
            kind: MappingProxyType({cid: frozen_mapping(props) for cid, props in ids.items()})
            for kind, ids in resources.items()
        }
    )


def _exposed(construct: Construct) -> dict[str, str]:
    """The values binding exposes, by SST's names: Bucket.bucketName, Api.url, Function.functionName, ..."""
    if isinstance(construct, Bucket):
        return {"bucketName": construct.bucket_name}
    if isinstance(construct, Api):
        return {"url": construct.url}
    if isinstance(construct, Function):
        return {"functionName": construct.function_name}
    if isinstance(construct, Table):
        return {"tableName": construct.table_name}
    if isinstance(construct, _Parameter):
        return {"value": construct.value}
    if isinstance(construct, Auth):
        return {
            "userPoolId": construct.user_pool_id,
            "userPoolClientId": construct.user_pool_client_id,
            "identityPoolId": construct.identity_pool_id,
        }
    return {}  # a Secret's value is never part of the app model


def _resources(constructs: list[Construct]) -> dict[str, dict[str, dict[str, str]]]:
    resources: dict[str, dict[str, dict[str, str]]] = {}
    for construct in constructs:
        resources.setdefault(construct.binding_type, {})[construct.id] = _exposed(construct)
    return resources


def _api(api: Api, resolver: _FunctionResolver, auths: tuple[AuthSpec, ...]) -> ApiSpec:
    authorizers = {name: _authorizer(api, name, props, auths) for name, props in api.authorizers.items()}
    routes = []
    for key, definition in api.routes.items():
        parsed = parse_route_key(key)
        if parsed.path is not None and (
            parsed.path == RESERVED_PREFIX or parsed.path.startswith(RESERVED_PREFIX + "/")
        ):
            raise ConstructError(f'Api "{api.id}": route "{key}" is under {RESERVED_PREFIX}/, reserved for the Console')
        where = f'Api "{api.id}" route "{key}"'
        route_auth = dict(api.route_defaults)
        if isinstance(definition, Mapping) and not ROUTE_AUTH_OPTIONS.isdisjoint(definition):
            route_auth.update({k: v for k, v in definition.items() if k in ROUTE_AUTH_OPTIONS})
            definition = {k: v for k, v in definition.items() if k not in ROUTE_AUTH_OPTIONS}
        defaults = _with_bound(api.function_defaults, api)
        function = resolver.definition(definition, where, (api.id, key), defaults)
        routes.append(RouteSpec(key, function, _route_authorizer(route_auth, authorizers, where)))
    return ApiSpec(api.id, tuple(routes), cors=api.cors)


def _authorizer(api: Api, name: str, props: object, auths: tuple[AuthSpec, ...]) -> RouteAuthorizer:
    # SST's user_pool authorizer names a Cognito pool by id; locally it must be one of the app's own `Auth`s,
    # whose keys sst-dev holds. ("iam" is a built-in name in SST, not a declared authorizer.)
    where = f'Api "{api.id}" authorizer "{name}"'
    pool = props.get("user_pool") if isinstance(props, Mapping) else None
    if not isinstance(props, Mapping) or props.get("type") != "user_pool" or not isinstance(pool, Mapping):
        raise ConstructError(
            f'{where}: expected {{"type": "user_pool", "user_pool": {{"id": auth.user_pool_id, '
            f'"client_ids": [auth.user_pool_client_id]}}}}, got {props!r} (other types are not supported locally)'
        )
    auth = next((a for a in auths if a.user_pool_id == pool.get("id")), None)
    if auth is None:
        raise ConstructError(f"{where}: user pool {pool.get('id')!r} is not the user_pool_id of an Auth in this app")
    client_ids = pool.get("client_ids", [auth.user_pool_client_id])
    if not isinstance(client_ids, list | tuple) or not all(isinstance(c, str) for c in client_ids):
        raise ConstructError(f'{where}: "client_ids" must be a list of client ids, got {client_ids!r}')
    return RouteAuthorizer(name, auth.id, tuple(client_ids))


def _route_authorizer(
    options: Mapping[str, object], authorizers: Mapping[str, RouteAuthorizer], where: str
) -> RouteAuthorizer | IamAuthorizer | None:
    name = options.get("authorizer", "none")
    if name == "none":
        return None
    scopes = options.get("authorization_scopes", [])
    if name == "iam":  # built in, as in SST: requests must be SigV4-signed by a caller allowed execute-api:Invoke
        if scopes:
            raise ConstructError(f'{where}: "authorization_scopes" needs a jwt authorizer, not "iam"')
        return IamAuthorizer()
    if name not in authorizers:
        known = ", ".join(["none", "iam", *sorted(authorizers)])
        raise ConstructError(f"{where}: authorizer {name!r} is not declared in the Api's authorizers (valid: {known})")
    if not isinstance(scopes, list | tuple) or not all(isinstance(s, str) for s in scopes):
        raise ConstructError(f'{where}: "authorization_scopes" must be a list of scope names, got {scopes!r}')
    return replace(authorizers[str(name)], scopes=tuple(scopes))


def _auth(auth: Auth, resolver: _FunctionResolver) -> AuthSpec:
    where = f'Auth "{auth.id}"'
    return AuthSpec(
        id=auth.id,
        user_pool_id=auth.user_pool_id,
        user_pool_client_id=auth.user_pool_client_id,
        identity_pool_id=auth.identity_pool_id,
        token_validity=TokenValidity(**auth.token_validity),
        auth_permissions=resolver.permissions(auth.auth_permissions, f"{where} auth users"),
        unauth_permissions=resolver.permissions(auth.unauth_permissions, f"{where} unauth users"),
    )


def _bucket(bucket: Bucket, resolver: _FunctionResolver) -> BucketSpec:
    if bucket.name is not None and not is_valid_bucket_name(bucket.name):
        raise ConstructError(
            f'Bucket "{bucket.id}": name "{bucket.name}" is not a valid S3 bucket name '
            "(3-63 characters of a-z 0-9 . -, starting and ending with a letter or digit)"
        )
    notifications = bucket.notifications
    if isinstance(notifications, list | tuple):
        notifications = {str(index): {"function": target} for index, target in enumerate(notifications)}
    if not isinstance(notifications, Mapping):
        raise ConstructError(f'Bucket "{bucket.id}": "notifications" must be a list of handlers or a dict by name')
    specs = []
    for notification_id, definition in notifications.items():
        where = f'Bucket "{bucket.id}" notification "{notification_id}"'
        specs.append(_notification(bucket, str(notification_id), definition, where, resolver))
    spec = BucketSpec(bucket.id, bucket.bucket_name, tuple(specs), cors=bucket.cors)
    validate_bucket_notifications(spec)
    return spec


def _notification(
    bucket: Bucket, notification_id: str, definition: object, where: str, resolver: _FunctionResolver
) -> NotificationSpec:
    # The dict form ({"function": ..., "events": ..., "filters": ...}) or a bare handler / Function, as in SST.
    if isinstance(definition, Mapping) and set(definition) - {"function"}:
        options = definition
    elif isinstance(definition, Mapping):
        options = {"function": definition["function"]}
    else:
        options = {"function": definition}
    unknown = set(options) - _NOTIFICATION_OPTIONS
    if unknown:
        raise ConstructError(f"{where}: unknown option {sorted(unknown)[0]!r} (valid: events, filters, function)")
    if "function" not in options:
        raise ConstructError(f'{where}: the "function" option is required')
    defaults = _with_bound(bucket.function_defaults, bucket)
    function = resolver.definition(options["function"], where, (bucket.id, notification_id), defaults)
    events = tuple(options.get("events") or _DEFAULT_NOTIFICATION_EVENTS)
    prefix, suffix = _filters(options.get("filters", []), where)
    return NotificationSpec(notification_id, function, events, prefix, suffix)


def _filters(filters: object, where: str) -> tuple[str, str]:
    prefix = suffix = ""
    if not isinstance(filters, list | tuple):
        raise ConstructError(f'{where}: "filters" must be a list like [{{"prefix": "uploads/"}}, {{"suffix": ".png"}}]')
    for item in filters:
        if not isinstance(item, Mapping) or not set(item) <= {"prefix", "suffix"}:
            raise ConstructError(f'{where}: each filter is {{"prefix": "..."}} or {{"suffix": "..."}}, got {item!r}')
        prefix = str(item.get("prefix", prefix))
        suffix = str(item.get("suffix", suffix))
    return prefix, suffix


class _FunctionResolver:
    """Turns every way of naming a function (handler string, `Function`, `{"function": {...}}`) into a FunctionSpec."""

    def __init__(self, app: App, app_dir: Path) -> None:
        self.app = app
        self.app_dir = app_dir

    def definition(
        self, definition: object, where: str, path: tuple[str, ...], defaults: Mapping[str, Any]
    ) -> FunctionSpec:
        # As in SST, a `Function` construct keeps its own props: `defaults.function` applies to inline ones only.
        if isinstance(definition, Function):
            return self.function(definition)
        if isinstance(definition, str):
            props: Mapping[str, Any] = {"handler": definition}
        elif isinstance(definition, Mapping) and isinstance(definition.get("function"), Mapping):
            props = definition["function"]
        elif isinstance(definition, Mapping) and isinstance(definition.get("function"), str | Function):
            return self.definition(definition["function"], where, path, defaults)
        elif isinstance(definition, Mapping) and "handler" in definition:
            props = definition  # Function props themselves, as SST's FunctionDefinition allows
        else:
            raise ConstructError(
                f'{where}: expected a handler string, a Function, {{"handler": ...}} or '
                f'{{"function": {{"handler": ...}}}}, got {definition!r}'
            )
        unknown = set(props) - Function.options
        if unknown:
            raise ConstructError(f"{where}: unknown function option {sorted(unknown)[0]!r}")
        merged = _merge_function_props(defaults, props)
        if "handler" not in merged:
            raise ConstructError(f'{where}: the "handler" option is required')
        return self._spec(function_name(self.app.stage, self.app.name, *path), merged, where)

    def function(self, construct: Function) -> FunctionSpec:
        merged = _merge_function_props({}, construct.props)
        return self._spec(construct.function_name, merged, f'Function "{construct.id}"')

    def _spec(self, name: str, props: Mapping[str, Any], where: str) -> FunctionSpec:
        handler = props["handler"]
        _check_handler(self.app_dir, handler, where)
        timeout = props.get("timeout", DEFAULT_TIMEOUT_SECONDS)
        memory_size = props.get("memory_size", DEFAULT_MEMORY_MB)
        if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout <= 900:
            raise ConstructError(f"{where}: timeout must be a number of seconds between 1 and 900, got {timeout!r}")
        if not isinstance(memory_size, int) or isinstance(memory_size, bool) or not 128 <= memory_size <= 10240:
            raise ConstructError(f"{where}: memory_size must be MB between 128 and 10240, got {memory_size!r}")
        environment = props.get("environment", {})
        if not isinstance(environment, Mapping):
            raise ConstructError(f'{where}: "environment" must be a dict of strings')
        runtime_client = props.get("runtime_client", "sst-dev")
        if runtime_client not in _RUNTIME_CLIENTS:
            raise ConstructError(f"{where}: runtime_client must be one of {', '.join(_RUNTIME_CLIENTS)}")
        bind = props.get("bind", [])
        for target in bind:
            if not isinstance(target, Construct):
                raise ConstructError(
                    f"{where}: bind takes constructs (Bucket, Api, Config.Secret, ...), got {target!r}"
                )
        return FunctionSpec(
            name=name,
            handler=handler,
            app_dir=self.app_dir,
            environment=frozen_mapping({str(k): str(v) for k, v in environment.items()}),
            timeout=float(timeout),
            memory_size=memory_size,
            bind=tuple(f"{target.binding_type}.{target.id}" for target in bind),
            permissions=self.permissions(props.get("permissions", []), where),
            runtime_client=runtime_client,
        )

    def permissions(self, entries: object, where: str) -> tuple[PermissionSpec, ...]:
        """`permissions=[...]` entries (constructs, services, actions, statements) as IAM grants."""
        if not isinstance(entries, list | tuple):
            raise ConstructError(f'{where}: "permissions" must be a list')
        grants: list[PermissionSpec] = []
        app = self.app
        for entry in entries:
            if isinstance(entry, Api):
                grants.append(api_invoke_grant(app=app.name, stage=app.stage, region=app.region, api_id=entry.id))
            elif isinstance(entry, Construct):
                grants += construct_grants(
                    entry.binding_type, entry.id, _exposed(entry), app=app.name, stage=app.stage, region=app.region
                )
            else:
                try:
                    grants.append(permission_from_entry(entry, where))
                except PermissionEntryError as error:
                    raise ConstructError(str(error)) from None
        return tuple(grants)


def _with_bound(defaults: Mapping[str, Any], owner: Api | Bucket) -> dict[str, Any]:
    """`defaults.function` plus what `owner.bind()` / `owner.attach_permissions()` added (for inline functions;
    `Function` constructs got theirs when those were called)."""
    return _merge_function_props(defaults, {"bind": owner.bound, "permissions": owner.attached_permissions})


def _merge_function_props(defaults: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """SST's merge: later props win, except `environment` merges and `bind`/`permissions` concatenate."""
    merged = {**defaults, **props}
    merged["environment"] = {**defaults.get("environment", {}), **props.get("environment", {})}
    for key in ("bind", "permissions"):
        merged[key] = [*defaults.get(key, []), *props.get(key, [])]
    return merged


def _check_handler(app_dir: Path, handler: object, where: str) -> None:
    if not isinstance(handler, str) or not _HANDLER.match(handler):
        raise ConstructError(f'{where}: handler {handler!r} must look like "dir/module.function"')
    module_path, attribute = handler.rsplit(".", 1)
    source = app_dir / f"{module_path}.py"
    if not source.is_file():
        raise ConstructError(f'{where}: handler "{handler}": file {module_path}.py not found in {app_dir}')
    try:
        tree = ast.parse(source.read_bytes(), filename=str(source))
    except SyntaxError:
        # The worker reports Runtime.UserCodeSyntaxError with the line; a half-saved handler must not stop start.
        return
    if attribute not in _top_level_names(tree):
        raise ConstructError(f'{where}: handler "{handler}": {module_path}.py has no function "{attribute}"')


def _top_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.If | ast.Try):
            # Handlers defined under `if`/`try` (feature flags, optional imports) still count.
            names.update(_top_level_names(ast.Module(body=_children(node), type_ignores=[])))
    return names


def _children(node: ast.If | ast.Try) -> list[ast.stmt]:
    if isinstance(node, ast.If):
        return [*node.body, *node.orelse]
    return [*node.body, *node.orelse, *node.finalbody, *(s for h in node.handlers for s in h.body)]
