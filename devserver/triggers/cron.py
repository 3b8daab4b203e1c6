"""Cron jobs on the wall clock: each enabled job fires at its schedule's ticks, as an EventBridge schedule does.

How it works: one asyncio task per job sleeps until the next tick (`devserver.app.schedule`, UTC), then invokes the
job asynchronously with a scheduled event, as EventBridge does (with Lambda's retries). Ticks are computed from the
time the job is configured, so ticks missed while the server was down are not replayed. Sleeping tasks cost no
CPU. `fire(cron_id)` runs a job now (`sst-dev invoke`, the Console).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from devserver.app.model import CronSpec
from devserver.app.naming import ACCOUNT_ID
from devserver.app.schedule import parse_schedule
from devserver.triggers.deliveries import TriggerDeliveries
from devserver.triggers.event_shapes import scheduled_event

__all__ = ["CronJobs", "UnknownCronError"]


class UnknownCronError(LookupError):
    """`fire()` named no Cron of the app."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CronJobs:
    def __init__(
        self,
        deliveries: TriggerDeliveries,
        *,
        app: str,
        stage: str,
        region: str,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._deliveries = deliveries
        self._rule_prefix = f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{stage}-{app}-"
        self._region = region
        self._clock = clock
        self._jobs: dict[str, CronSpec] = {}
        self._timers: dict[str, asyncio.Task[None]] = {}

    def configure(self, crons: Sequence[CronSpec]) -> None:
        """Schedule these jobs (on the loop); a job whose spec changed starts over from now."""
        wanted = {cron.id: cron for cron in crons if cron.enabled}
        for cron_id, timer in list(self._timers.items()):
            if wanted.get(cron_id) != self._jobs.get(cron_id):
                timer.cancel()
                del self._timers[cron_id]
        self._jobs = {cron.id: cron for cron in crons}
        for cron_id, cron in wanted.items():
            if cron_id not in self._timers:
                self._timers[cron_id] = asyncio.get_running_loop().create_task(self._run(cron))

    def fire(self, cron_id: str) -> None:
        """Run the job now, as its schedule would (on the loop)."""
        cron = self._jobs.get(cron_id)
        if cron is None:
            raise UnknownCronError(f"no Cron {cron_id!r} in the app (valid: {', '.join(sorted(self._jobs)) or 'none'})")
        self._fire(cron)

    async def _run(self, cron: CronSpec) -> None:
        schedule = parse_schedule(cron.schedule)
        tick = schedule.next_after(self._clock())
        while tick is not None:
            await asyncio.sleep(max(0.0, (tick - self._clock()).total_seconds()))
            self._fire(cron)
            tick = schedule.next_after(max(tick, self._clock()))

    def _fire(self, cron: CronSpec) -> None:
        event = scheduled_event(
            rule_arn=self._rule_prefix + cron.id,
            account=ACCOUNT_ID,
            region=self._region,
            time=self._clock().strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        self._deliveries.invoke_async("cron", cron.id, cron.job, event)

    async def aclose(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        await asyncio.gather(*self._timers.values(), return_exceptions=True)
        self._timers.clear()
