"""`WebSocketApi` in `sst.config.py`: what it resolves to, what its routes and binders may do, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from devserver.app.binding import binding_environment
from devserver.app.loader import AppConfigError, load_app
from devserver.app.model import AppSpec
from devserver.app.permissions import function_policy
from tests.apps import make_app

HANDLER = {"functions/h.py": "def main(event, context):\n    return event\n"}


def load(app_dir: Path) -> AppSpec:
    return load_app(app_dir, stage="dev", api_url=lambda name: {"WebSocketApi.chat": "http://127.0.0.1:3001"}[name])


def test_a_websocket_api_resolves_with_its_url_routes_and_grants(tmp_path: Path) -> None:
    app = load(
        make_app(
            tmp_path,
            """
            chat = WebSocketApi(stack, "chat", defaults={"function": {"timeout": 3}}, routes={
                "$connect": "functions/h.main", "sendmessage": {"function": "functions/h.main"}})
            Function(stack, "pusher", handler="functions/h.main", bind=[chat])
            Function(stack, "bystander", handler="functions/h.main")
            """,
            HANDLER,
        )
    )
    [api] = app.websocket_apis
    assert [route.key for route in api.routes] == ["$connect", "sendmessage"]
    assert api.route_selection_expression == "$request.body.action"
    assert all(route.function.timeout == 3 for route in api.routes)
    assert app.resources["WebSocketApi"]["chat"] == {"url": "ws://127.0.0.1:3001/dev"}
    assert {(t.source, t.detail) for t in app.triggers()} == {
        ("websocket", "chat $connect"),
        ("websocket", "chat sendmessage"),
    }

    def manages(name: str) -> list[object]:
        function = next(f for f in app.all_functions() if f.name.endswith(name))
        statements = function_policy(app, function)["Statement"]
        return [s["Resource"] for s in statements if "execute-api:ManageConnections" in s["Action"]]  # type: ignore[index, operator]

    arn_prefix = "arn:aws:execute-api:us-east-1:"
    [[grant]] = manages("chat-sendmessage")
    assert grant.startswith(arn_prefix) and grant.endswith("/dev/*/@connections/*")
    assert manages("pusher") == [[grant]]
    assert manages("bystander") == []
    pusher = next(f for f in app.all_functions() if f.name.endswith("pusher"))
    assert binding_environment(app, pusher)["SST_WebSocketApi_url_chat"] == "ws://127.0.0.1:3001/dev"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('WebSocketApi(stack, "chat", routes={"$connected": "functions/h.main"})', '"$connected": the only route keys'),
        ('WebSocketApi(stack, "chat", routes=["functions/h.main"])', '"routes" must be a dict'),
        ('WebSocketApi(stack, "chat", defaults={"authorizer": "iam"})', '"defaults" takes only'),
        ('WebSocketApi(stack, "chat", route_selection_expression="$request.header.x")', "must name a field"),
        ('WebSocketApi(stack, "chat", routez={})', 'unknown option "routez"'),
        ('WebSocketApi(stack, "chat", routes={"go": "functions/missing.main"})', "functions/missing.py"),
    ],
)
def test_each_mistake_is_one_line_naming_the_construct(tmp_path: Path, body: str, expected: str) -> None:
    with pytest.raises(AppConfigError) as caught:
        load(make_app(tmp_path, body, HANDLER))
    message = str(caught.value)
    assert "\n" not in message and "sst.config.py" in message
    assert 'WebSocketApi "chat"' in message and expected in message
