"""Helpers for the emulator's integration tests: an S3 event log to wait on, a probe middleware, and an emulator
that a test restarts on the same state folder.

The probe is an ASGI middleware factory loaded into the emulator process by import path (as the request guard is):
it answers `GET /__probe/cors/<bucket>` and `GET /__probe/secret/<access key id>` with what the injected lookups
return, as JSON, so tests can see exactly what middleware in front of moto is told.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from emulator.middleware import ASGIApp, Receive, S3Lookups, Scope, Send
from emulator.process import EmulatorProcess
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


MOTO_SERIALIZER_PROBE = "tests.integration.emulator_support:moto_serializer_probe"
"""A middleware for the emulator process: see `moto_serializer_probe`."""
MOTO_SERIALIZER_HEADER = "x-probe-moto-serializer"


def moto_serializer_probe(app: ASGIApp, lookups: S3Lookups) -> ASGIApp:
    """A request carrying `x-probe-moto-serializer: 1` is answered with a listing's objects written by moto's own
    serializer instead of the emulator's writer (`emulator.s3.listing_xml`); every answer says, in
    `x-probe-contents-written`, whether the emulator's writer wrote them."""
    from emulator.moto import listing

    writer = listing.contents_xml
    wrote: list[bool] = []

    def probing(objects: Any) -> str | None:
        written = None if moto_only else writer(objects)
        wrote.append(written is not None)
        return written

    moto_only = False
    listing.contents_xml = probing  # type: ignore[assignment]

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal moto_only
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        moto_only = (MOTO_SERIALIZER_HEADER.encode(), b"1") in scope["headers"]
        wrote.clear()

        async def with_answer(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                flag = b"1" if any(wrote) else b"0"
                message = {**message, "headers": [*message.get("headers", []), (b"x-probe-contents-written", flag)]}
            await send(message)

        await app(scope, receive, with_answer)

    return middleware
