"""The WSGI bridge: moto gets each request body whole, read once, and long answers leave in pieces."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from emulator.wsgi_bridge import BUFFERED_RESPONSE_BYTES, SPOOLED_BODY_BYTES, WSGIBridge

pytestmark = pytest.mark.anyio

Message = dict[str, Any]


class BodyEcho:
    """A WSGI app answering with what it saw of the request body: its size and MD5, and how many reads it took."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.calls += 1
        stream = environ["wsgi.input"]
        reads = [stream.read()]  # werkzeug reads a terminated stream this way: one read() to the end
        while chunk := stream.read():
            reads.append(chunk)
        body = b"".join(reads)
        start_response("200 OK", [("Content-Type", "text/plain")])
        terminated = environ.get("wsgi.input_terminated", False)
        return [f"{len(body)} {hashlib.md5(body).hexdigest()} {len(reads)} {terminated}".encode()]


def big_answer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Length", str(3 * BUFFERED_RESPONSE_BYTES))])
    return (bytes([n]) * BUFFERED_RESPONSE_BYTES for n in range(3))


def http_scope(body_size: int) -> dict[str, Any]:
    return {
        "type": "http",
        "http_version": "1.1",
        "method": "PUT",
        "path": "/bucket/key",
        "raw_path": b"/bucket/key",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:4566"), (b"content-length", str(body_size).encode())],
        "server": ("127.0.0.1", 4566),
        "client": ("127.0.0.1", 50000),
    }


async def serve(app: WSGIBridge, scope: dict[str, Any], incoming: list[Message]) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def in_chunks(body: bytes, size: int) -> list[Message]:
    pieces = [body[start : start + size] for start in range(0, len(body), size)]
    return [
        {"type": "http.request", "body": piece, "more_body": index < len(pieces) - 1}
        for index, piece in enumerate(pieces)
    ]


@pytest.mark.parametrize("size", [0, 1024, SPOOLED_BODY_BYTES, SPOOLED_BODY_BYTES + 1, 5 * SPOOLED_BODY_BYTES])
async def test_a_body_sent_in_pieces_reaches_the_app_whole_in_one_read(size: int) -> None:
    body = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    bridge = WSGIBridge(BodyEcho(), workers=2)

    sent = await serve(bridge, http_scope(size), in_chunks(body, 65536) or [{"type": "http.request"}])

    assert sent[0] == {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
    assert sent[1]["body"].decode() == f"{size} {hashlib.md5(body).hexdigest()} 1 True"


async def test_a_client_gone_before_its_body_ended_never_reaches_the_app() -> None:
    app = BodyEcho()
    bridge = WSGIBridge(app, workers=2)
    size = 3 * SPOOLED_BODY_BYTES
    partial = in_chunks(b"y" * size, 65536)[:40]

    sent = await serve(bridge, http_scope(size), partial)

    assert sent == [] and app.calls == 0


async def test_a_long_answer_is_sent_in_pieces_in_order() -> None:
    bridge = WSGIBridge(big_answer, workers=2)

    sent = await serve(bridge, http_scope(0), [{"type": "http.request"}])

    bodies = [message["body"] for message in sent[1:]]
    assert len(bodies) > 2 and all(message.get("more_body") for message in sent[1:-1])
    assert b"".join(bodies) == b"".join(bytes([n]) * BUFFERED_RESPONSE_BYTES for n in range(3))


def threads_seen(names: list[str]) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        names.append(threading.current_thread().name)
        environ["wsgi.input"].read()
        start_response("204 No Content", [])
        return []

    return app


async def test_a_small_request_the_policy_picks_runs_on_the_loop_and_others_on_worker_threads() -> None:
    names: list[str] = []
    bridge = WSGIBridge(threads_seen(names), workers=2, inline=lambda scope: scope["method"] == "PUT")
    loop_thread = threading.current_thread().name

    await serve(bridge, http_scope(10), in_chunks(b"x" * 10, 65536))
    await serve(bridge, {**http_scope(0), "method": "POST"}, [{"type": "http.request"}])
    large = SPOOLED_BODY_BYTES + 1
    await serve(bridge, http_scope(large), in_chunks(b"x" * large, 65536))

    assert names[0] == loop_thread
    assert names[1] != loop_thread and names[2] != loop_thread
