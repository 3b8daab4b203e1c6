"""WebSocketApi latency and the cost of idle connections, as `sst-dev start` runs them: a real server and clients.

How it works: `sst-dev start` serves an app with an Api route (`GET /ping`, answering at once) and a WebSocketApi
whose `$default` handler replies to the sender through `apigatewaymanagementapi` (HTTPS to the local management
API, SigV4-signed with the function's credentials, IAM-checked by the emulator), exactly as AWS code does.
Latency: one client sends a message and waits for the reply frame, one at a time, warm (the first `--warmup` round
trips not measured); the HTTP route's round trip is measured the same way (httpx, one keep-alive connection) in
the same run, and the figure is the difference of the two p50s. The handler also times its own
`post_to_connection` calls (those of the worker that answers the last message, but its first, which connects) and
the part of each that botocore spends before sending (its `before-send` event); the rest of a call is the HTTPS
round trip to the management API, whose authorization the emulator checks. Idle: the RSS of the whole process tree
(dev server, emulator, workers) before and after 200 connections are opened and have settled, and its CPU over
`--idle` seconds while they stay open (the clients answer the server's pings).

Run: `python -m benchmarks.websocket_latency [--messages 500]`; prints one JSON object.
Targets (issue 20): message → reply p50 ≤ 2 ms over the HTTP route's p50; 200 idle connections ≤ 20 MB and
≤ 1 % of a core.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect as connect_async
from websockets.sync.client import connect

from benchmarks.devserver_http import running, sst_dev
from benchmarks.measure import app_folder, free_port, percentiles, tree_rss_mb
from benchmarks.process_cpu import tree_cpu_seconds
from tests.apps import make_app

STACK = """\
Api(stack, "api", routes={"GET /ping": "functions/ws.ping"})
WebSocketApi(stack, "live", routes={"$default": "functions/ws.reply"})
"""

HANDLERS = """\
import json
import time

import boto3

_clients = {}
_timings = {"post_ms": [], "before_send_ms": []}
_sent = {}


def ping(event, context):
    return "pong"


def _client(endpoint):
    if endpoint not in _clients:
        client = _clients[endpoint] = boto3.client("apigatewaymanagementapi", endpoint_url=endpoint)
        client.meta.events.register("before-send.*", lambda **_: _sent.__setitem__("at", time.perf_counter()))
    return _clients[endpoint]


def reply(event, context):
    request = event["requestContext"]
    client = _client(f"https://{request['domainName']}/{request['stage']}")
    if event["body"] == "timings":  # the benchmark's last message: what the replies before it cost in here
        client.post_to_connection(ConnectionId=request["connectionId"], Data=json.dumps(_timings).encode())
        return
    began = time.perf_counter()
    client.post_to_connection(ConnectionId=request["connectionId"], Data=event["body"].encode())
    _timings["post_ms"].append((time.perf_counter() - began) * 1000)
    _timings["before_send_ms"].append((_sent["at"] - began) * 1000)
"""

IDLE_CONNECTIONS = 200


def _websocket_url(app_dir: Path) -> str:
    for _ in range(200):
        dev = app_dir / ".sst" / "dev.json"
        if dev.is_file():
            return str(json.loads(dev.read_text())["resources"]["WebSocketApi"]["live"]["url"])
        time.sleep(0.05)
    raise RuntimeError("the server never wrote .sst/dev.json")


def round_trips(url: str, http_url: str, messages: int, warmup: int) -> dict[str, Any]:
    websocket_ms, http_ms = [], []
    with connect(url, open_timeout=30) as client, httpx.Client(timeout=30) as http:
        for index in range(warmup + messages):
            began = time.perf_counter()
            client.send(f"message {index}")
            reply = client.recv(timeout=30)
            took = (time.perf_counter() - began) * 1000
            assert reply == f"message {index}", reply
            began = time.perf_counter()
            assert http.get(http_url).text == "pong"
            http_took = (time.perf_counter() - began) * 1000
            if index >= warmup:
                websocket_ms.append(took)
                http_ms.append(http_took)
        client.send("timings")
        timings = json.loads(client.recv(timeout=30))
    websocket, route = percentiles(websocket_ms), percentiles(http_ms)
    return {
        "message_to_reply": websocket,
        "http_route": route,
        "added_p50_ms": round(websocket["p50_ms"] - route["p50_ms"], 3),
        "in_the_handler": {
            "post_to_connection": percentiles(timings["post_ms"][1:]),
            "botocore_before_send": percentiles(timings["before_send_ms"][1:]),
        },
    }


async def _idle(url: str, pid: int, idle_seconds: float) -> dict[str, Any]:
    before = tree_rss_mb(pid)
    clients = [await connect_async(url, open_timeout=30) for _ in range(IDLE_CONNECTIONS)]
    try:
        await asyncio.sleep(2.0)  # settled
        after = tree_rss_mb(pid)
        cpu_before, wall_before = tree_cpu_seconds(pid), time.monotonic()
        await asyncio.sleep(idle_seconds)
        cpu = tree_cpu_seconds(pid) - cpu_before
        wall = time.monotonic() - wall_before
    finally:
        await asyncio.gather(*(client.close() for client in clients))
    return {
        "connections": IDLE_CONNECTIONS,
        "tree_rss_before_mb": round(before, 1),
        "tree_rss_after_mb": round(after, 1),
        "added_rss_mb": round(after - before, 1),
        "tree_cpu_percent_of_a_core": round(100 * cpu / wall, 2),
        "seconds": round(wall, 1),
    }


def run(messages: int, warmup: int, idle_seconds: float) -> dict[str, Any]:
    with app_folder() as root:
        app_dir = make_app(root / "app", STACK, {"functions/ws.py": HANDLERS})
        port = free_port()
        with running(sst_dev(app_dir, port), f"http://127.0.0.1:{port}/_sst/api/health") as process:
            url = _websocket_url(app_dir)
            figures = round_trips(url, f"http://127.0.0.1:{port}/ping", messages, warmup)
            figures["idle"] = asyncio.run(_idle(url, process.pid, idle_seconds))
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--idle", type=float, default=30.0)
    args = parser.parse_args(argv)
    json.dump(run(args.messages, args.warmup, args.idle), sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
