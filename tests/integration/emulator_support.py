"""Helpers for the emulator's integration tests: an S3 event log to wait on, a probe middleware, an emulator that
a test restarts on the same state folder, and the emulator's app served on a thread of the test's own process (where
a test can patch it; `benchmarks.emulator_s3` measures it there too).

The probe is an ASGI middleware factory loaded into the emulator process by import path (as the request guard is):
it answers `GET /__probe/cors/<bucket>` and `GET /__probe/secret/<access key id>` with what the injected lookups
return, as JSON, so tests can see exactly what middleware in front of moto is told.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import uvicorn
from botocore.config import Config

from emulator.middleware import ASGIApp, Receive, S3Lookups, Scope, Send
from emulator.process import EmulatorCredentials, EmulatorProcess
from emulator.s3.events import RawS3Event
from emulator.store.state_lock import s3_root

PROBE_MIDDLEWARE = "tests.integration.emulator_support:probe_middleware"


class S3EventLog:
    """Collects `on_s3_event` calls from the emulator's reader thread; tests wait for a count."""

    def __init__(self) -> None:
        self._events: list[RawS3Event] = []
        self._changed = threading.Condition()

    def __call__(self, event: RawS3Event) -> None:
        with self._changed:
            self._events.append(event)
            self._changed.notify_all()

    def for_bucket(self, bucket: str, count: int, timeout: float = 5.0) -> list[RawS3Event]:
        """The bucket's events once there are at least `count` (fails after `timeout` seconds)."""

        def matching() -> list[RawS3Event]:
            return [event for event in self._events if event["bucket"] == bucket]

        with self._changed:
            self._changed.wait_for(lambda: len(matching()) >= count, timeout)
            found = matching()
        assert len(found) >= count, f"expected {count} events for {bucket}, got {found}"
        return found


def probe_middleware(app: ASGIApp, lookups: S3Lookups) -> ASGIApp:
    async def probe(scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/__probe/"):
            await app(scope, receive, send)
            return
        _, _, question, subject = path.split("/", 3)
        answer = lookups.lookup_bucket_cors(subject) if question == "cors" else lookups.lookup_secret_key(subject)
        body = json.dumps(answer).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    return probe


def virtual_host_s3_client(emulator: EmulatorProcess) -> Any:
    """boto3 sending `bucket.localhost:PORT` requests. Browsers resolve `*.localhost` to loopback; glibc here does not,
    so requests go through the emulator as their HTTP proxy, which keeps the request line and Host header intact,
    exactly as a resolving client would send them."""
    return boto3.session.Session().client(
        "s3",
        endpoint_url=f"http://localhost:{emulator.port}",
        region_name=emulator.region,
        aws_access_key_id=emulator.credentials.access_key_id,
        aws_secret_access_key=emulator.credentials.secret_access_key,
        config=Config(
            signature_version="s3v4", s3={"addressing_style": "virtual"}, proxies={"http": emulator.endpoint}
        ),
    )


class Restartable:
    """An emulator on `state_dir` that a test stops and starts again."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.emulator: EmulatorProcess | None = None

    def start(self) -> EmulatorProcess:
        self.stop()
        self.emulator = EmulatorProcess(state_dir=self.state_dir)
        self.emulator.start()
        return self.emulator

    def stop(self) -> None:
        if self.emulator is not None:
            self.emulator.stop()
            self.emulator = None

    @property
    def services(self) -> Path:
        """Where the emulator keeps its SQS and DynamoDB snapshots."""
        return s3_root(self.state_dir) / "services"


@contextmanager
def emulator_in_thread() -> Iterator[str]:
    """Our emulator app served by uvicorn on a thread of this process; yields its endpoint."""
    from emulator.channel_writer import ChannelWriter
    from emulator.server import build_app
    from emulator.store.object_store import ObjectStore

    read_fd, write_fd = os.pipe()
    threading.Thread(target=_drain, args=(read_fd,), daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="sst-dev-s3-") as scratch:
        store = ObjectStore(Path(scratch), durable=False)
        app = build_app("us-east-1", EmulatorCredentials(), ChannelWriter(write_fd), (), store)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # see EmulatorProcess._bind
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
        thread = threading.Thread(target=asyncio.run, args=(server.serve(sockets=[listener]),), daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{listener.getsockname()[1]}"
        finally:
            server.should_exit = True
            thread.join(10)


def _drain(fd: int) -> None:
    with open(fd, "rb") as pipe:
        for _ in pipe:
            pass
