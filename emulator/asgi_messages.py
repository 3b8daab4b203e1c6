"""Small ASGI helpers the middleware in front of moto shares: headers, whole bodies, and where a request went."""

from __future__ import annotations

from collections.abc import Mapping

from emulator.middleware import Message, Receive, Scope
from emulator.s3.addressing import S3Address, resolve_s3_address

__all__ = ["HEADER_MAP_KEY", "close_if_body_unread", "header_map", "read_body", "replay_body", "s3_address_of"]


HEADER_MAP_KEY = "sst_dev.header_map"
"""Where `header_map` keeps a request's map: in its ASGI scope, and (put there by the WSGI bridge) its environ."""


def header_map(scope: Scope) -> dict[str, str]:
    """Lower-case header names to values; repeated headers joined with ``,`` as SigV4 canonicalises them.

    Built once per request and kept in the scope, as every layer in front of moto asks for it and none rewrites the
    request's headers; callers must not modify it.
    """
    cached: dict[str, str] | None = scope.get(HEADER_MAP_KEY)
    if cached is not None:
        return cached
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name, value = bytes(raw_name).decode("latin-1").lower(), bytes(raw_value).decode("latin-1")
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    scope[HEADER_MAP_KEY] = headers
    return headers


def s3_address_of(scope: Scope, headers: dict[str, str]) -> S3Address:
    """The bucket and key a request names, path-style or virtual-host style; raises `S3Error` like S3 does."""
    server = scope.get("server") or ("", None)
    return resolve_s3_address(
        headers.get("host", ""),
        scope.get("raw_path") or scope["path"].encode(),
        endpoint_host=f"{server[0]}:{server[1]}",
    )


def close_if_body_unread(headers: Mapping[str, str]) -> dict[str, str]:
    """``Connection: close`` for an answer sent without reading the body the request announced (`headers` lower-case),
    as S3 does; nothing for a request without one.

    Why: the connection stays mid-request. A client that waited on ``Expect: 100-continue`` and got the answer instead
    sends no body, one that did not wait sends it anyway, and either way the server would take the next bytes — the
    body or the next request — for the rest of this one: the next request on the connection fails.
    """
    announced = headers.get("content-length", "0").strip() not in ("", "0") or "transfer-encoding" in headers
    return {"Connection": "close"} if announced else {}


async def read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands `body` over once, then defers to the client's (for its disconnect)."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
