"""The Console behind `/_sst/`, built on its first request.

Why: the Console is a FastAPI app with a dozen routers (the `Auth` endpoints among them): it brings FastAPI,
pydantic and their dependencies into the dev server, about a third of its start-up time and of its memory. A
session that only serves routes never pays for them. `/_sst/api/health`, which tools poll (`sst-dev bind`, the
pytest fixture, scripts waiting for a server), is answered here without building it.
The first other request under `/_sst/` builds the Console in a thread, so routes keep being served meanwhile;
requests arriving during the build wait for it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["HEALTH_PATH", "ConsoleOnDemand"]

HEALTH_PATH = "/_sst/api/health"


class ConsoleOnDemand:
    """An ASGI app standing for the Console that `build()` makes; `health()` is the health check's JSON answer."""

    def __init__(self, build: Callable[[], ASGIApp], health: Callable[[], Mapping[str, object]]) -> None:
        self._build = build
        self._health = health
        self._console: ASGIApp | None = None
        self._building = asyncio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == HEALTH_PATH:
            if scope["method"] == "GET":
                await _send_json(send, 200, self._health())
            else:
                await _send_json(send, 405, {"detail": "Method Not Allowed"}, [(b"allow", b"GET")])
            return
        console = await self.console()
        await console(scope, receive, send)

    async def console(self) -> ASGIApp:
        """The Console, built now if this is the first time it is needed."""
        async with self._building:
            if self._console is None:
                self._console = await asyncio.to_thread(self._build)
        return self._console


async def _send_json(
    send: Send, status: int, document: Mapping[str, object], headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps(document).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(headers or [])]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})
