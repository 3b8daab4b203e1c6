"""The loopback client against a real uvicorn server: bodies both ways, kept-alive connections reused, a connection
the server closed replaced, and failures as `LoopbackHttpError`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn

from devserver.http.listeners import EmbeddedServer, bind_socket
from devserver.http.loopback_client import LoopbackHttpClient, LoopbackHttpError

pytestmark = pytest.mark.anyio


async def echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["path"] == "/slow":
        await asyncio.sleep(1)
    answer = {
        "path": scope["path"],
        "body": body.decode(),
        "host": dict(scope["headers"])[b"host"].decode(),
        "client_port": scope["client"][1],
    }
    status = 418 if scope["path"] == "/teapot" else 200
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": json.dumps(answer).encode()})


@pytest.fixture
async def served() -> AsyncIterator[tuple[str, EmbeddedServer]]:
    sock = bind_socket("127.0.0.1", 0, "--port")
    config = uvicorn.Config(echo, lifespan="off", log_level="warning", access_log=False, timeout_keep_alive=1)
    server = EmbeddedServer(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", server
    server.should_exit = True
    await serving


@pytest.fixture
async def client(served: tuple[str, EmbeddedServer]) -> AsyncIterator[LoopbackHttpClient]:
    client = LoopbackHttpClient(served[0])
    yield client
    await client.aclose()


async def test_posts_a_body_and_reads_the_answer_whatever_its_status(client: LoopbackHttpClient) -> None:
    answer = await client.post("/echo", b'{"a": 1}', headers=[("content-type", "application/json")])
    assert answer.status_code == 200
    assert answer.json()["body"] == '{"a": 1}' and answer.json()["host"] == client.base_url.removeprefix("http://")
    assert (await client.post("/teapot", b"")).status_code == 418
    assert (await client.post("/x", b"", headers=[("Host", "example.test")])).json()["host"] == "example.test"


async def test_keeps_a_connection_alive_and_replaces_one_the_server_closed(client: LoopbackHttpClient) -> None:
    ports = [(await client.post("/", b"")).json()["client_port"] for _ in range(3)]
    assert len(set(ports)) == 1, "one kept-alive connection served all three"
    await asyncio.sleep(1.6)  # past the server's keep-alive timeout: it closes the idle connection
    assert (await client.post("/", b"")).json()["client_port"] != ports[0]


async def test_concurrent_calls_each_get_a_connection(client: LoopbackHttpClient) -> None:
    answers = await asyncio.gather(*(client.post(f"/{n}", str(n).encode()) for n in range(5)))
    assert [answer.json()["body"] for answer in answers] == [str(n) for n in range(5)]


async def test_a_timeout_or_nothing_listening_is_a_loopback_error(client: LoopbackHttpClient) -> None:
    with pytest.raises(LoopbackHttpError):
        await client.post("/slow", b"", timeout=0.2)
    assert (await client.post("/after", b"")).status_code == 200, "the timed-out connection was not reused"
    sock = bind_socket("127.0.0.1", 0, "--port")
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(LoopbackHttpError):
        await LoopbackHttpClient(f"http://127.0.0.1:{port}").post("/", b"")
