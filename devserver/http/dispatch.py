"""The ASGI app on each listener: `/_sst/...` goes to the Console, everything else to the Api's gateway.

`/_sst/` is reserved (the config loader rejects app routes under it), so the Console can never shadow a route.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["CONSOLE_PREFIX", "DevApp"]

CONSOLE_PREFIX = "/_sst"
_NOT_FOUND = b'{"message":"Not Found"}'


class DevApp:
    def __init__(self, gateway: ASGIApp | None, console: ASGIApp) -> None:
        self.gateway = gateway
        self.console = console

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if path == CONSOLE_PREFIX or path.startswith(CONSOLE_PREFIX + "/"):
            await self.console(scope, receive, send)
        elif self.gateway is not None:
            await self.gateway(scope, receive, send)
        elif scope["type"] == "http":
            await send(
                {"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": _NOT_FOUND})
