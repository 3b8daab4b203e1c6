"""The `apigatewaymanagementapi` endpoint of one WebSocket API: `PostToConnection`, `GetConnection` and
`DeleteConnection` on `/<stage>/@connections/<id>`, as AWS answers them.

Functions reach it exactly as on AWS, `boto3.client("apigatewaymanagementapi",
endpoint_url=f"https://{domainName}/{stage}")`: the dev server serves this app over TLS at the `domainName` its
events carry, with a certificate the workers trust (`devserver.http.tls`). Each call must be SigV4-signed by a
caller allowed `execute-api:ManageConnections` on the connection (the emulator decides, as for `iam` routes; a
WebSocketApi's own routes and functions that bind it are). A closed or unknown connection is `GoneException` (410).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from urllib.parse import unquote

from starlette.types import Receive, Scope, Send

from devserver.apigw import HttpRequest, HttpResponse
from devserver.apigw.gateway import read_request, send_response
from devserver.apigw.iam_authorizer import MANAGE_CONNECTIONS
from devserver.apigw.jwt_authorizer import AuthorizerDecision
from devserver.apigw.websocket.events import iso_time
from devserver.apigw.websocket.gateway import WebSocketGateway
from devserver.app.naming import connections_arn

__all__ = ["MAX_POST_BYTES", "ManagementApi", "ManageAuthorize", "connection_of_path"]

ManageAuthorize = Callable[[HttpRequest, str, str], Awaitable[AuthorizerDecision]]
"""`(request, resource ARN, action) -> decision`: the emulator's SigV4 and policy check."""

MAX_POST_BYTES = 128 * 1024
"""API Gateway's limit on one message to a connection."""
DELETED = (1000, "")
"""The close code a client sees when a function deletes its connection."""
_OPERATIONS = frozenset({"POST", "GET", "DELETE"})


def connection_of_path(path: str, stage: str) -> str | None:
    """The connection id in `/<stage>/@connections/<id>`, or None for any other path."""
    prefix = f"/{stage}/@connections/"
    if not path.startswith(prefix):
        return None
    connection_id = unquote(path[len(prefix) :])
    return connection_id if connection_id and "/" not in connection_id else None


def _error(status: int, code: str, message: str | None) -> HttpResponse:
    headers = (("content-type", "application/json"), ("x-amzn-errortype", code))
    return HttpResponse(status, headers, json.dumps({"message": message}).encode())


_FORBIDDEN = _error(403, "ForbiddenException", "Forbidden")
_GONE = _error(410, "GoneException", None)


class ManagementApi:
    """The ASGI app of one WebSocket API's management endpoint (see the module docstring)."""

    def __init__(self, gateway: WebSocketGateway, *, region: str, authorize: ManageAuthorize) -> None:
        self.gateway = gateway
        self.region = region
        self.authorize = authorize

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = await read_request(scope, receive)
        await send_response(send, await self._answer(request))

    async def _answer(self, request: HttpRequest) -> HttpResponse:
        gateway = self.gateway
        connection_id = connection_of_path(request.raw_path.split("?", 1)[0], gateway.stage)
        if connection_id is None or request.method not in _OPERATIONS:
            return _FORBIDDEN
        arn = connections_arn(self.region, gateway.gateway_id, gateway.stage, request.method, connection_id)
        decision = await self.authorize(request, arn, MANAGE_CONNECTIONS)
        if decision.refusal is not None:
            message = _message_of(decision.refusal.body)
            code = "AccessDeniedException" if "is not authorized to perform" in message else "ForbiddenException"
            return _error(decision.refusal.status, code, message)
        connection = gateway.connections.get(connection_id)
        if connection is None:
            return _GONE
        if request.method == "GET":
            identity = {"sourceIp": connection.context.source_ip, "userAgent": connection.context.user_agent or ""}
            body = {
                "connectedAt": iso_time(connection.context.connected_at_ms),
                "identity": identity,
                "lastActiveAt": iso_time(connection.last_active_ms),
            }
            return HttpResponse(200, (("content-type", "application/json"),), json.dumps(body).encode())
        if request.method == "DELETE":
            await connection.close(*DELETED)
            return HttpResponse(204, (), b"")
        if len(request.body) > MAX_POST_BYTES:
            return _error(413, "PayloadTooLargeException", f"Message too long: {len(request.body)} bytes")
        if not await connection.send(_frame(request.body)):
            return _GONE
        return HttpResponse(200, (), b"")


def _message_of(body: bytes) -> str:
    try:
        answer = json.loads(body)
    except ValueError:
        return "Forbidden"
    return str(answer.get("message", "Forbidden")) if isinstance(answer, dict) else "Forbidden"


def _frame(data: bytes) -> str | bytes:
    """What a client receives for posted `data`: a text frame when it is UTF-8 (as a JSON reply is), else binary."""
    try:
        return data.decode()
    except UnicodeDecodeError:
        return data
