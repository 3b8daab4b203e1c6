"""The local API Gateway of one `WebSocketApi`: an ASGI app that holds its connections and invokes its routes.

How it works: a handshake on `/<stage>` runs `$connect` (when the API has one) before it is answered: a 2xx result
(or none) accepts it, anything else refuses it with that status. Each message then runs, concurrently as on AWS,
the route `devserver.apigw.websocket.routing` selects; a message no route takes gets API Gateway's `Forbidden`
frame, a failed function its `Internal server error` frame. A route's result is not sent back (API Gateway's routes
are one-way unless given a route response, which SST's are not): functions reply through the management API
(`devserver.apigw.websocket.management`), reached at the event's `domainName` and `stage`. When either side closes,
or the server stops (`aclose`), `$disconnect` runs once, after the connection's messages in flight.
`mount()` swaps the routes when `sst.config.py` changes; open connections use the new ones from their next message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from starlette.types import Receive, Scope, Send

from devserver.apigw.websocket.connections import Connection, ConnectionRegistry, now_ms
from devserver.apigw.websocket.events import (
    ConnectAnswer,
    ConnectionContext,
    connect_answer,
    connect_event,
    disconnect_event,
    error_frame,
    message_event,
    new_gateway_id,
)
from devserver.apigw.websocket.routing import select_route
from devserver.app.model import FunctionSpec, WebSocketApiSpec, WebSocketRouteSpec
from devserver.app.naming import websocket_api_id
from devserver.runtime.invocation import Invocation, Invoker
from devserver.runtime.request_ids import new_request_id
from devserver.terminal import Terminal

__all__ = ["GOING_AWAY", "WebSocketGateway", "WebSocketObserver"]

WebSocketObserver = Callable[[str, FunctionSpec, Mapping[str, object], Invocation], None]
"""`(detail, function, event, invocation)` after each invocation; `detail` is `<api id> <route key>`."""

GOING_AWAY = (1001, "Going away")
"""The close code and reason clients get when the server stops."""
_NO_STATUS = 1005
_SHUTDOWN_SECONDS = 10.0
_FORBIDDEN = b'{"message":"Forbidden"}'
_UPGRADE_REQUIRED = b'{"message":"Upgrade Required: this is a WebSocket API, connect with a WebSocket client"}'


class WebSocketGateway:
    """Serves one WebSocket API; `mount()` gives it (or replaces) its routes, `None` when it is removed."""

    def __init__(
        self,
        api: WebSocketApiSpec,
        *,
        app: str,
        stage: str,
        invoke: Invoker,
        terminal: Terminal,
        domain_name: Callable[[], str],
    ) -> None:
        self.stage = stage
        self.gateway_id = websocket_api_id(app, stage, api.id)
        self.invoke = invoke
        self.terminal = terminal
        self.domain_name = domain_name
        """The management API's `host:port`: the `domainName` events carry, so `https://{domainName}/{stage}`
        reaches it."""
        self.connections = ConnectionRegistry()
        self.observers: list[WebSocketObserver] = []
        self._serving: set[asyncio.Task[None]] = set()
        self._api: WebSocketApiSpec | None = None
        self.mount(api)

    def mount(self, api: WebSocketApiSpec | None) -> None:
        self._api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await _answer_http(send, 426, _UPGRADE_REQUIRED)
        elif scope["type"] == "websocket":
            task = asyncio.current_task()
            assert task is not None
            self._serving.add(task)
            try:
                await self._serve(scope, receive, send)
            finally:
                self._serving.discard(task)

    async def aclose(self) -> None:
        """Close every connection (1001, as API Gateway going away) and wait for their `$disconnect`s."""
        for connection in self.connections:
            await connection.close(*GOING_AWAY)
        if self._serving:
            await asyncio.wait(self._serving, timeout=_SHUTDOWN_SECONDS)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        await receive()  # websocket.connect
        api = self._api
        if api is None or scope["path"].rstrip("/") != f"/{self.stage}":
            # As API Gateway answers a path that is not the stage's (or an API that is gone).
            await _refuse(scope, send, ConnectAnswer(403, _FORBIDDEN))
            return
        headers = tuple((name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"])
        client = scope.get("client") or ("127.0.0.1", 0)
        context = ConnectionContext(
            connection_id=new_gateway_id(),
            api_id=self.gateway_id,
            stage=self.stage,
            domain_name=self.domain_name(),
            source_ip=client[0],
            user_agent=next((value for name, value in headers if name == "user-agent"), None),
            connected_at_ms=now_ms(),
        )
        connection = Connection(context, headers, (client[0], int(client[1])), send)
        answer = await self._connect(api, connection, scope.get("query_string", b"").decode("latin-1"))
        if not answer.accepted:
            await _refuse(scope, send, answer)
            return
        await send({"type": "websocket.accept", "subprotocol": answer.subprotocol})
        connection.touch()
        self.connections.add(connection)
        in_flight: set[asyncio.Task[None]] = set()
        code, reason = _NO_STATUS, ""
        try:
            code, reason = await self._receive(connection, receive, in_flight)
        finally:
            connection.closed_by = connection.closed_by or (code, reason)
            try:
                if in_flight:
                    await asyncio.wait(in_flight)
                await self._disconnect(connection)
            finally:
                self.connections.remove(connection)
                connection.finished.set()

    async def _connect(self, api: WebSocketApiSpec, connection: Connection, query_string: str) -> ConnectAnswer:
        route = api.route("$connect")
        if route is None:
            return ConnectAnswer(200)
        request_id = new_gateway_id()
        event = connect_event(
            connection.context,
            headers=connection.headers,
            query_string=query_string,
            request_id=request_id,
            now_ms=now_ms(),
        )
        invocation = await self._invoke(api, route, event)
        answer = connect_answer(invocation.result, failed=invocation.error is not None)
        self._print(api, route, answer.status, invocation)
        return answer

    async def _receive(
        self, connection: Connection, receive: Receive, in_flight: set[asyncio.Task[None]]
    ) -> tuple[int, str]:
        """Start a task per message until the connection closes; returns the close code and reason."""
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                code = int(message.get("code") or _NO_STATUS)
                reason = message.get("reason") or (
                    "Client-side close frame status not set" if code == _NO_STATUS else ""
                )
                return code, reason
            if message["type"] != "websocket.receive":
                continue
            text = message.get("text")
            data: str | bytes = text if text is not None else message.get("bytes") or b""
            connection.touch()
            task = asyncio.create_task(self._message(connection, data))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)

    async def _message(self, connection: Connection, data: str | bytes) -> None:
        api = self._api
        request_id = new_gateway_id()
        key = None if api is None else select_route(data, api.route_selection_expression, [r.key for r in api.routes])
        route = None if api is None or key is None else api.route(key)
        if api is None or route is None:
            await connection.send(error_frame("Forbidden", connection.id, request_id))
            self.terminal.request("WS", f"{api.id if api else '?'} (no route)", 403, None)
            return
        event = message_event(
            connection.context,
            route_key=route.key,
            data=data,
            message_id=new_gateway_id(),
            request_id=request_id,
            now_ms=now_ms(),
        )
        invocation = await self._invoke(api, route, event)
        if invocation.error is not None:
            await connection.send(error_frame("Internal server error", connection.id, request_id))
        self._print(api, route, 500 if invocation.error is not None else 200, invocation)

    async def _disconnect(self, connection: Connection) -> None:
        api = self._api
        route = None if api is None else api.route("$disconnect")
        if api is None or route is None:
            return
        code, reason = connection.closed_by or (_NO_STATUS, "")
        event = disconnect_event(
            connection.context,
            headers=connection.headers,
            status_code=code,
            reason=reason,
            request_id=new_gateway_id(),
            now_ms=now_ms(),
        )
        invocation = await self._invoke(api, route, event)
        self._print(api, route, 500 if invocation.error is not None else 200, invocation)

    async def _invoke(self, api: WebSocketApiSpec, route: WebSocketRouteSpec, event: dict[str, object]) -> Invocation:
        invocation = await self.invoke(route.function, event, request_id=new_request_id())
        for observe in self.observers:
            observe(f"{api.id} {route.key}", route.function, event, invocation)
        return invocation

    def _print(self, api: WebSocketApiSpec, route: WebSocketRouteSpec, status: int, invocation: Invocation) -> None:
        self.terminal.request("WS", f"{api.id} {route.key}", status, invocation)


async def _refuse(scope: Scope, send: Send, answer: ConnectAnswer) -> None:
    """Refuse a handshake with `answer`'s status and body (ASGI's WebSocket denial response), or a bare 403 from a
    server without that extension."""
    if "websocket.http.response" not in (scope.get("extensions") or {}):
        await send({"type": "websocket.close", "code": 1008})
        return
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(answer.body)).encode())]
    await send({"type": "websocket.http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": answer.body})


async def _answer_http(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
