"""Route selection for WebSocket messages, as API Gateway does it with a `$request.body.<path>` expression. Pure.

A text message that is a JSON object whose field at the path holds a route key goes to that route. Everything
else (no such field, a value no route has, a message that is not JSON, a binary message) goes to `$default`, and
with no `$default` route nowhere: the client then gets API Gateway's `Forbidden` frame.
"""

from __future__ import annotations

import json
from collections.abc import Collection

__all__ = ["BODY_PREFIX", "select_route"]

BODY_PREFIX = "$request.body."
_DEFAULT = "$default"
_SPECIAL = frozenset({"$connect", "$disconnect", "$default"})


def select_route(message: str | bytes, expression: str, route_keys: Collection[str]) -> str | None:
    """The route key `message` goes to, or None when no route takes it."""
    key = _selected_value(message, expression)
    if key is not None and key in route_keys and key not in _SPECIAL:
        return key
    return _DEFAULT if _DEFAULT in route_keys else None


def _selected_value(message: str | bytes, expression: str) -> str | None:
    if isinstance(message, bytes) or not message.lstrip().startswith("{"):
        return None
    try:
        value: object = json.loads(message)
    except ValueError:
        return None
    for field in expression.removeprefix(BODY_PREFIX).split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(field)
    return value if isinstance(value, str) else None
