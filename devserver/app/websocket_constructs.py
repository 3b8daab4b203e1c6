"""SST v2's `WebSocketApi`: `WebSocketApi(stack, "chat", routes={"$connect": ..., "sendmessage": ...})`.

Like the other constructs it records and checks what was declared; `devserver.app.resolve` turns it into a
`WebSocketApiSpec`. Its `url` is real as soon as it is created: the dev server binds the API's socket when asked.
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
from devserver.app.naming import websocket_api_id, websocket_listener, websocket_url

__all__ = ["DEFAULT_ROUTE_SELECTION", "SPECIAL_ROUTES", "WebSocketApi"]

DEFAULT_ROUTE_SELECTION = "$request.body.action"
"""SST's (and the AWS console's) default route selection expression."""
SPECIAL_ROUTES = ("$connect", "$disconnect", "$default")
_MAX_ROUTE_KEY = 128


class WebSocketApi(_HasFunctions, Construct):
    """A WebSocket API: `WebSocketApi(stack, "chat", routes={"$connect": handler, "sendmessage": handler},
    defaults={"function": {...}}, route_selection_expression="$request.body.action")`.

    As in SST, every route's function may manage this API's connections (`execute-api:ManageConnections`), and
    binding the API to another function grants it the same and `WebSocketApi.<id>.url`.
    """

    binding_type = "WebSocketApi"
    options = frozenset({"routes", "defaults", "route_selection_expression"})

    def __init__(self, stack: Stack, id: str, **props: Any) -> None:
        super().__init__(stack, id, props)
        defaults = props.get("defaults", {})
        if not isinstance(defaults, Mapping) or set(defaults) - {"function"}:
            raise ConstructError(f'WebSocketApi "{id}": "defaults" takes only {{"function": {{...Function options}}}}')
        self.function_defaults: Mapping[str, Any] = defaults.get("function", {})
        expression = props.get("route_selection_expression", DEFAULT_ROUTE_SELECTION)
        if not isinstance(expression, str) or not expression.startswith("$request.body."):
            raise ConstructError(
                f'WebSocketApi "{id}": route_selection_expression {expression!r} must name a field of the message\'s '
                'JSON body, like "$request.body.action" or "$request.body.message.type"'
            )
        self.route_selection_expression = expression
        self.routes: dict[str, FunctionDefinition] = {}
        self.add_routes(stack, props.get("routes", {}))
        self.url = websocket_url(stack.app._api_url(websocket_listener(id)), stack.stage)
        self.bound = []
        self.attached_permissions = []

    def add_routes(self, stack: Stack, routes: object) -> None:
        """More routes, as SST's `api.addRoutes(stack, {...})`."""
        if not isinstance(routes, Mapping):
            raise ConstructError(f'WebSocketApi "{self.id}": "routes" must be a dict of route key to handler')
        for key, definition in routes.items():
            where = f'WebSocketApi "{self.id}" route "{key}"'
            if not isinstance(key, str) or not key or len(key) > _MAX_ROUTE_KEY:
                raise ConstructError(f"{where}: a route key is 1 to {_MAX_ROUTE_KEY} characters")
            if key.startswith("$") and key not in SPECIAL_ROUTES:
                raise ConstructError(f"{where}: the only route keys starting with $ are {', '.join(SPECIAL_ROUTES)}")
            if key in self.routes:
                raise ConstructError(f"{where} is defined twice")
            self.routes[key] = definition
        for function in _function_constructs(routes.values()):
            function.attach_permissions([self])  # as SST: its routes may manage its connections

    def _functions(self) -> list[Function]:
        return _function_constructs(self.routes.values())

    @property
    def api_id(self) -> str:
        return websocket_api_id(self.stack.app.name, self.stack.stage, self.id)

    def exposed(self) -> dict[str, str]:
        return {"url": self.url}
