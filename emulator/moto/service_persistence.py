"""SQS queues and DynamoDB tables survive a restart: snapshots written shortly after each change, and at stop.

How it works: at start, before any request, `restore()` reads each service's last snapshot from the state folder
(`ObjectStore.read_service`) and recreates its resources in moto (`emulator.moto.service_state`). Then
`middleware()` watches the requests: one signed for `sqs` or `dynamodb` whose operation may change something (all but
reads: `Get*`, `List*`, `Describe*`, `Query`, `Scan`, `BatchGet*`, `TransactGet*`), or a call to moto's own API (a
reset), marks the services changed. A writer thread waits `SNAPSHOT_DELAY_SECONDS` after the first mark, so a burst
of changes costs one write, then writes every changed service's snapshot durably (temporary file, fsync, rename).
`close()` writes what is left when the emulator stops (Ctrl-C, the dev server stopping or dying).

Why snapshots rather than a commit per request, as S3 objects have: a snapshot is the whole service's state, so
writing one per request would make each SQS send or DynamoDB write cost a rewrite of every queue or table, and it
would sit in the path of every queue consumer's receive and delete. The price, written down in docs/triggers.md:
when the machine or the emulator process dies without stopping (a power cut, `kill -9`), changes of the last
`SNAPSHOT_DELAY_SECONDS` are lost. A stop that runs (SIGTERM, Ctrl-C, the parent dying) loses nothing. Idle, the
writer thread blocks without a timeout: no CPU.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from emulator.asgi_messages import HEADER_MAP_KEY
from emulator.iam.signer import access_key_of
from emulator.moto.service_state import capture_queues, capture_tables, restore_queues, restore_tables
from emulator.store.object_store import ObjectStore

__all__ = ["SNAPSHOT_DELAY_SECONDS", "ServicePersistence", "changed_service"]

logger = logging.getLogger(__name__)

SNAPSHOT_DELAY_SECONDS = 0.2
"""How long after a change its snapshot is written: a burst of changes within it costs one write."""

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_SERVICES: dict[str, tuple[Callable[[], list[dict[str, Any]]], Callable[[list[dict[str, Any]]], int]]] = {
    "sqs": (capture_queues, restore_queues),
    "dynamodb": (capture_tables, restore_tables),
}
_READ_PREFIXES = ("Get", "List", "Describe", "Query", "Scan", "BatchGet", "TransactGet")
_ALL = frozenset(_SERVICES)


def changed_service(path: str, headers: dict[str, str], query: str) -> frozenset[str]:
    """The persisted services a request may change: pure. `headers` has lower-case names."""
    if path.startswith("/moto-api"):
        return _ALL  # a reset empties every service
    signer = access_key_of(headers, dict(parse_qsl(query)))
    if signer is None or signer.service not in _SERVICES:
        return frozenset()
    operation = headers.get("x-amz-target", "").rpartition(".")[2]
    if operation.startswith(_READ_PREFIXES):
        return frozenset()
    return frozenset({signer.service})  # a write, or a query-protocol call whose operation is in its body


class ServicePersistence:
    """Snapshots of SQS and DynamoDB in `store` (see the module docstring): `restore()`, `start()`, `close()`."""

    def __init__(self, store: ObjectStore, delay: float = SNAPSHOT_DELAY_SECONDS) -> None:
        self._store = store
        self._delay = delay
        self._changed: set[str] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._write_changes, name="service-snapshots", daemon=True)

    def restore(self) -> dict[str, int]:
        """Recreate what the last snapshots hold; per service, how many messages or items came back."""
        restored = {}
        for service, (_, restore) in _SERVICES.items():
            document = self._store.read_service(service)
            if document is not None:
                restored[service] = restore(document["resources"])
        return restored

    def start(self) -> None:
        self._thread.start()

    def middleware(self, app: WSGIApp) -> WSGIApp:
        """WSGI middleware marking the services each request may have changed, once it is answered."""

        def watching(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            try:
                return app(environ, start_response)
            finally:
                services = changed_service(
                    environ.get("PATH_INFO", ""), environ[HEADER_MAP_KEY], environ.get("QUERY_STRING", "")
                )
                if services:
                    self.mark_changed(services)

        return watching

    def close(self) -> None:
        """Write what changed since the last snapshot, and stop the writer."""
        self._closing.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join()
        self._write()

    def mark_changed(self, services: frozenset[str]) -> None:
        """Have the snapshots of `services` written shortly (a change made other than through a request)."""
        with self._lock:
            self._changed |= services
        self._wake.set()

    def _write_changes(self) -> None:
        while not self._closing.is_set():
            self._wake.wait()
            self._closing.wait(self._delay)  # gather a burst; cut short by close(), which writes the rest itself
            if self._closing.is_set():
                return
            self._wake.clear()
            self._write()

    def _write(self) -> None:
        with self._lock:
            services, self._changed = self._changed, set()
        for service in sorted(services):
            try:
                self._store.write_service(service, {"resources": _capture(service)})
            except Exception:  # noqa: BLE001 - the snapshot before stays; this one is tried again at the next change
                logger.exception("ServicePersistence.SnapshotFailed: %s (tried again at the next change)", service)
                with self._lock:
                    self._changed.add(service)


def _capture(service: str, attempts: int = 5) -> list[dict[str, Any]]:
    """The service's resources; read again when a request changed one of moto's containers while it was read."""
    capture, _ = _SERVICES[service]
    for _ in range(attempts - 1):
        try:
            return capture()
        except RuntimeError:  # "dictionary changed size during iteration"
            continue
    return capture()
