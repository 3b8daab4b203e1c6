"""The embedded uvicorn server: it serves with a Date header, sleeps while idle, and stops as soon as it is told."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
import uvicorn

from devserver.http.listeners import EmbeddedServer, bind_socket

pytestmark = pytest.mark.anyio


async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hi"})


class CountingServer(EmbeddedServer):
    ticks = 0

    async def on_tick(self, counter: int) -> bool:
        self.ticks += 1
        return await super().on_tick(counter)


async def test_serves_sleeps_while_idle_and_stops_at_once() -> None:
    sock = bind_socket("127.0.0.1", 0, "--port")
    server = CountingServer(uvicorn.Config(hello, lifespan="off", log_level="warning", access_log=False))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{sock.getsockname()[1]}/")
    assert response.text == "hi" and response.headers["date"].endswith(" GMT")

    before = server.ticks
    await asyncio.sleep(1.05)
    assert server.ticks - before <= 2, "one tick a second (for the Date header), not uvicorn's ten"

    started = time.monotonic()
    server.should_exit = True
    await asyncio.wait_for(serving, 5)
    assert time.monotonic() - started < 0.5, "setting should_exit wakes the server (its shutdown waits 0.1 s)"
