"""The events API Gateway sends a WebSocket API's functions, and the frames it sends its clients. Pure.

Shapes as AWS sends them (and as powertools' `APIGatewayWebSocket{Connect,Message,Disconnect}EventModel` read
them): every event's `requestContext` carries the route, the event type, the connection and its API, stage and
domain; `$connect` adds the handshake's headers and query string, a message its body (base64 for a binary frame),
`$disconnect` the close code and reason. Header names arrive lower-cased from the HTTP server; they are given back
in their usual spelling (`Sec-WebSocket-Key`, `Host`), as clients send them and as AWS passes them on.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from devserver.apigw.request import request_time

__all__ = [
    "ConnectAnswer",
    "ConnectionContext",
    "connect_answer",
    "connect_event",
    "disconnect_event",
    "error_frame",
    "header_name",
    "iso_time",
    "message_event",
    "new_gateway_id",
]


@dataclass(frozen=True)
class ConnectionContext:
    """What every event of one connection repeats in its `requestContext`."""

    connection_id: str
    api_id: str
    stage: str
    domain_name: str
    source_ip: str
    user_agent: str | None
    connected_at_ms: int


@dataclass(frozen=True)
class ConnectAnswer:
    """What `$connect`'s result makes of the handshake: accepted (2xx) with an optional subprotocol, or refused
    with `status` and `body`."""

    status: int
    body: bytes = b""
    subprotocol: str | None = None

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300


_INTERNAL_ERROR = b'{"message": "Internal server error"}'


def new_gateway_id() -> str:
    """An id shaped like API Gateway's connection, message and request ids (`L0SM9cOFvHcCIhw=`), safe in a URL."""
    return base64.urlsafe_b64encode(secrets.token_bytes(11)).decode()


def header_name(lowered: str) -> str:
    """A header's usual spelling: `sec-websocket-key` → `Sec-WebSocket-Key`, `x-amzn-trace-id` → `X-Amzn-Trace-Id`."""
    return "-".join(part.capitalize() for part in lowered.split("-")).replace("Websocket", "WebSocket")


def iso_time(epoch_ms: int) -> str:
    """`2026-12-02T21:50:54.123Z`: the management API's timestamps."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{epoch_ms % 1000:03d}Z"


def _request_context(
    context: ConnectionContext, route_key: str, event_type: str, request_id: str, now_ms: int
) -> dict[str, Any]:
    identity: dict[str, str] = {"sourceIp": context.source_ip}
    if context.user_agent is not None and event_type != "MESSAGE":
        identity["userAgent"] = context.user_agent
    return {
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": request_time(now_ms / 1000),
        "messageDirection": "IN",
        "stage": context.stage,
        "connectedAt": context.connected_at_ms,
        "requestTimeEpoch": now_ms,
        "identity": identity,
        "requestId": request_id,
        "domainName": context.domain_name,
        "connectionId": context.connection_id,
        "apiId": context.api_id,
    }


def _headers(pairs: Sequence[tuple[str, str]], source_ip: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(header_name(name.lower()), []).append(value)
    multi.setdefault("X-Forwarded-For", []).append(source_ip)
    multi.setdefault("X-Forwarded-Proto", ["http"])
    return {name: ",".join(values) for name, values in multi.items()}, multi


def connect_event(
    context: ConnectionContext,
    *,
    headers: Sequence[tuple[str, str]],
    query_string: str,
    request_id: str,
    now_ms: int,
) -> dict[str, Any]:
    """The `$connect` event: the handshake's headers and query string."""
    single, multi = _headers(headers, context.source_ip)
    event: dict[str, Any] = {"headers": single, "multiValueHeaders": multi}
    query = parse_qsl(query_string, keep_blank_values=True)
    if query:
        multi_query: dict[str, list[str]] = {}
        for key, value in query:
            multi_query.setdefault(key, []).append(value)
        event["queryStringParameters"] = {key: values[-1] for key, values in multi_query.items()}
        event["multiValueQueryStringParameters"] = multi_query
    event["requestContext"] = _request_context(context, "$connect", "CONNECT", request_id, now_ms)
    event["isBase64Encoded"] = False
    return event


def message_event(
    context: ConnectionContext, *, route_key: str, data: str | bytes, message_id: str, request_id: str, now_ms: int
) -> dict[str, Any]:
    """A message's event: its text as `body`, or a binary frame base64-encoded with `isBase64Encoded`."""
    request_context = _request_context(context, route_key, "MESSAGE", request_id, now_ms)
    request_context["messageId"] = message_id
    binary = isinstance(data, bytes)
    body = base64.b64encode(data).decode() if isinstance(data, bytes) else data
    return {"requestContext": request_context, "body": body, "isBase64Encoded": binary}


def disconnect_event(
    context: ConnectionContext,
    *,
    headers: Sequence[tuple[str, str]],
    status_code: int,
    reason: str,
    request_id: str,
    now_ms: int,
) -> dict[str, Any]:
    """The `$disconnect` event: who closed, with which code and reason."""
    single, multi = _headers([(name, value) for name, value in headers if name.lower() == "host"], context.source_ip)
    request_context = _request_context(context, "$disconnect", "DISCONNECT", request_id, now_ms)
    request_context["disconnectStatusCode"] = status_code
    request_context["disconnectReason"] = reason
    return {"headers": single, "multiValueHeaders": multi, "requestContext": request_context, "isBase64Encoded": False}


def error_frame(message: str, connection_id: str, request_id: str) -> str:
    """The frame API Gateway sends a client when it cannot deliver a message: `Forbidden` (no route takes it) or
    `Internal server error` (the function failed)."""
    return json.dumps({"message": message, "connectionId": connection_id, "requestId": request_id})


def connect_answer(result: object, *, failed: bool) -> ConnectAnswer:
    """The handshake's fate from `$connect`'s result: a failed function refuses with 500; a `statusCode` outside
    2xx refuses with that status and the result's `body`; anything else (no `statusCode`, no result) accepts. A
    `Sec-WebSocket-Protocol` header in the result picks the subprotocol."""
    if failed:
        return ConnectAnswer(500, _INTERNAL_ERROR)
    if not isinstance(result, Mapping):
        return ConnectAnswer(200)
    status = result.get("statusCode", 200)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        return ConnectAnswer(502, _INTERNAL_ERROR)
    headers = result.get("headers")
    subprotocol = None
    if isinstance(headers, Mapping):
        subprotocol = next(
            (str(value) for name, value in headers.items() if str(name).lower() == "sec-websocket-protocol"), None
        )
    body = result.get("body")
    return ConnectAnswer(status, str(body).encode() if body is not None else b"", subprotocol)
