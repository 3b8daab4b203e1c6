"""The app's event sources besides HTTP and S3, in one place: queues, topics, schedules, buses and table streams.

The emulator's reports arrive on its reader thread (`submit`, thread-safe); they are routed on the dev server's loop
to the source they belong to. Reports that arrive before `configure()` has run (the app's resources are still being
created) wait, in order, and are routed then. `configure(app)` runs again on every config reload.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

from devserver.app.model import AppSpec
from devserver.http.aws_json import AwsJsonClient
from devserver.runtime.invocation import Invoker
from devserver.triggers.cron import CronJobs
from devserver.triggers.deliveries import TriggerDeliveries, TriggerDelivery
from devserver.triggers.event_bus import EventBuses
from devserver.triggers.queues import Queues
from devserver.triggers.streams import Streams
from devserver.triggers.topics import Topics

__all__ = ["EventSources"]

logger = logging.getLogger(__name__)


class EventSources:
    """Lifecycle: `await configure(app, client)` on the loop once the app's resources exist (and on each reload),
    `submit(service, report)` from any thread, `fire_cron(id)` on the loop, `await aclose()`."""

    def __init__(self, invoke: Invoker, *, on_delivery: Callable[[TriggerDelivery], None] | None = None) -> None:
        self.deliveries = TriggerDeliveries(invoke, on_delivery=on_delivery)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[tuple[str, dict[str, Any]]] = []
        self._holding = True
        """Reports wait in `_pending` while the sources are being (re)configured, so none is routed out of order."""
        self._queues: Queues | None = None
        self._topics: Topics | None = None
        self._buses = EventBuses(self.deliveries)
        self._streams = Streams(self.deliveries)
        self._cron: CronJobs | None = None
        self._client: AwsJsonClient | None = None

    async def configure(self, app: AppSpec, client: AwsJsonClient) -> None:
        """Deliver for `app`'s sources from now on; reports held so far are routed now."""
        with self._lock:
            self._holding = True
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            self.deliveries.bind(self._loop)
            self._client = client
            self._queues = Queues(client, self.deliveries, region=app.region)
            self._topics = Topics(self.deliveries, region=app.region)
            self._cron = CronJobs(self.deliveries, app=app.name, stage=app.stage, region=app.region)
        assert self._queues is not None and self._topics is not None and self._cron is not None
        self._topics.configure(app.topics)
        self._buses.configure(app.event_buses)
        self._cron.configure(app.crons)
        await self._streams.configure(app.tables)
        await self._queues.configure(app.queues)
        with self._lock:
            pending, self._pending = self._pending, []
            self._holding = False
        for service, report in pending:
            self._route(service, report)

    def submit(self, service: str, report: dict[str, Any]) -> None:
        """One report from the emulator; returns at once, from any thread."""
        with self._lock:
            loop = self._loop
            if loop is None or self._holding:
                self._pending.append((service, report))
                return
        loop.call_soon_threadsafe(self._route, service, report)

    async def drop_pending(self) -> None:
        """Forget the stream records the consumers hold (the pytest fixture's reset, after emptying the tables)."""
        await self._streams.restart()

    def fire_cron(self, cron_id: str) -> None:
        """Run a Cron's job now (on the loop); `UnknownCronError` names the valid ids."""
        if self._cron is None:
            raise RuntimeError("event sources are not configured yet")
        self._cron.fire(cron_id)

    def _route(self, service: str, report: dict[str, Any]) -> None:
        with self._lock:
            if self._holding:  # submitted before a (re)configuration began, routed after it
                self._pending.append((service, report))
                return
        assert self._queues is not None and self._topics is not None
        if service == "sqs":
            self._queues.on_message(report)
        elif service == "sns":
            self._topics.on_publish(report)
        elif service == "events":
            self._buses.on_event(report)
        elif service == "dynamodb":
            self._streams.on_record(report)
        else:
            logger.warning("ignoring a report from an unknown event source %r", service)

    async def aclose(self) -> None:
        """Stop every poller and schedule, let asynchronous deliveries under way finish briefly."""
        if self._cron is not None:
            await self._cron.aclose()
        if self._queues is not None:
            await self._queues.aclose()
        await self._streams.aclose()
        await self.deliveries.aclose()
        if self._client is not None:
            await self._client.aclose()
