"""An app's constructs, resolved into the frozen `devserver.app.model.AppSpec`: pure checks, no user code run.

Each construct is checked and turned into its spec: Apis with their routes and authorizers, buckets with their
notifications, Auths, tables, secrets and parameters, and every function with its defaults merged. Handler modules
are only parsed (`ast`) to check that the handler function exists: importing them would run user code in the server.
A problem raises `ConstructError` (or `RouteKeyError`, `NotificationConfigurationError`) naming the construct;
`devserver.app.loader` adds the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

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
from devserver.app.functions import FunctionResolver, with_bound
from devserver.app.model import (
    ApiSpec,
    AppSpec,
    AuthSpec,
    BucketSpec,
    IamAuthorizer,
    NotificationSpec,
    ParameterSpec,
    QueueSpec,
    RouteAuthorizer,
    RouteSpec,
    SecretSpec,
    StackSpec,
    TokenValidity,
    WebSocketApiSpec,
    WebSocketRouteSpec,
    frozen_mapping,
)
from devserver.app.naming import is_valid_bucket_name
from devserver.app.notification_rules import validate_bucket_notifications
from devserver.app.resolve_triggers import cron_spec, event_bus_spec, queue_spec, table_spec, topic_spec
from devserver.app.route_key import parse_route_key
from devserver.app.trigger_constructs import Cron, EventBus, Queue, Topic
from devserver.app.websocket_constructs import WebSocketApi

__all__ = ["RESERVED_PREFIX", "resolve_app"]

RESERVED_PREFIX = "/_sst"
_DEFAULT_NOTIFICATION_EVENTS = ("object_created", "object_removed")
_NOTIFICATION_OPTIONS = frozenset({"function", "events", "filters"})


def resolve_app(app: App, app_dir: Path) -> AppSpec:
    """The frozen `AppSpec` of an app whose `stacks(app)` has run: every construct checked, every function resolved."""
    resolver = FunctionResolver(app, app_dir)
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
        tables=tuple(table_spec(t, resolver) for t in constructs if isinstance(t, Table)),
        auths=auths,
        queues=_queues(constructs, resolver),
        topics=tuple(topic_spec(t, resolver) for t in constructs if isinstance(t, Topic)),
        crons=tuple(cron_spec(c, resolver) for c in constructs if isinstance(c, Cron)),
        event_buses=tuple(event_bus_spec(b, resolver) for b in constructs if isinstance(b, EventBus)),
        websocket_apis=tuple(_websocket_api(w, resolver) for w in constructs if isinstance(w, WebSocketApi)),
        resources=_freeze(_resources(constructs)),
    )


def _queues(constructs: list[Construct], resolver: FunctionResolver) -> tuple[QueueSpec, ...]:
    queues = [queue for queue in constructs if isinstance(queue, Queue)]
    for queue in queues:
        target = (queue.dead_letter_queue or {}).get("queue")
        if target is not None and target not in queues:
            raise ConstructError(f'Queue "{queue.id}": its dead-letter queue is not a Queue of this app')
    return tuple(queue_spec(queue, resolver) for queue in queues)


def _freeze(resources: dict[str, dict[str, dict[str, str]]]) -> Mapping[str, Mapping[str, Mapping[str, str]]]:
    return MappingProxyType(
        {
            kind: MappingProxyType({cid: frozen_mapping(props) for cid, props in ids.items()})
            for kind, ids in resources.items()
        }
    )


def _resources(constructs: list[Construct]) -> dict[str, dict[str, dict[str, str]]]:
    resources: dict[str, dict[str, dict[str, str]]] = {}
    for construct in constructs:
        resources.setdefault(construct.binding_type, {})[construct.id] = construct.exposed()
    return resources


def _api(api: Api, resolver: FunctionResolver, auths: tuple[AuthSpec, ...]) -> ApiSpec:
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
        defaults = with_bound(api.function_defaults, api)
        function = resolver.definition(definition, where, (api.id, key), defaults)
        routes.append(RouteSpec(key, function, _route_authorizer(route_auth, authorizers, where)))
    return ApiSpec(api.id, tuple(routes), cors=api.cors)


def _websocket_api(api: WebSocketApi, resolver: FunctionResolver) -> WebSocketApiSpec:
    defaults = with_bound(api.function_defaults, api)
    defaults["permissions"].append(api)  # as SST: its routes may manage its connections
    routes = tuple(
        WebSocketRouteSpec(
            key, resolver.definition(definition, f'WebSocketApi "{api.id}" route "{key}"', (api.id, key), defaults)
        )
        for key, definition in api.routes.items()
    )
    return WebSocketApiSpec(api.id, routes, api.route_selection_expression)


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


def _auth(auth: Auth, resolver: FunctionResolver) -> AuthSpec:
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


def _bucket(bucket: Bucket, resolver: FunctionResolver) -> BucketSpec:
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
    bucket: Bucket, notification_id: str, definition: object, where: str, resolver: FunctionResolver
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
    defaults = with_bound(bucket.function_defaults, bucket)
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
