"""The notification dispatcher, driven by real asyncio and a fake Lambda that implements the invoker interface."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import S3Model

from devserver.app.model import BucketSpec, FunctionSpec, NotificationSpec
from devserver.runtime.invocation import Invocation, LambdaError
from devserver.triggers.s3_notifications import Delivery, NotificationDispatcher
from emulator.s3.events import RawS3Event

BUCKET = "dev-sample-app-myfiles-1a2b3c4d"
THUMBS = FunctionSpec(name="dev-sample-app-thumbs", handler="functions/thumbs.main", app_dir=Path("."))
CLEANUP = FunctionSpec(name="dev-sample-app-cleanup", handler="functions/cleanup.main", app_dir=Path("."))
NO_WAIT = (0.0, 0.0)


@dataclass
class Call:
    function: str
    event: Any
    request_id: str | None


@dataclass
class FakeLambda:
    """Records every invocation; fails (or raises) a function's first N attempts on demand."""

    failures: dict[str, int] = field(default_factory=dict)
    raises: dict[str, int] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    gate: asyncio.Event | None = None

    async def invoke(self, function: FunctionSpec, event: object, *, request_id: str | None = None) -> Invocation:
        self.calls.append(Call(function.name, event, request_id))
        if self.gate is not None:
            await self.gate.wait()
        if self.raises.get(function.name, 0) > 0:
            self.raises[function.name] -= 1
            raise ConnectionResetError("worker pipe closed")
        if self.failures.get(function.name, 0) > 0:
            self.failures[function.name] -= 1
            error = LambdaError("Exception", "cannot identify image file", ("  File thumbs.py, line 3",))
            return Invocation(request_id or "", function.name, duration_ms=2.0, cold=False, error=error)
        return Invocation(request_id or "", function.name, duration_ms=1.0, cold=False, result={"ok": True})


def buckets(*notifications: NotificationSpec, name: str = BUCKET) -> list[BucketSpec]:
    return [BucketSpec(id="myFiles", name=name, notifications=notifications)]


THUMBS_ON_UPLOADS = NotificationSpec(
    id="thumbs", function=THUMBS, events=("object_created",), prefix="uploads/", suffix=".png"
)
CLEANUP_ON_DELETE = NotificationSpec(id="cleanup", function=CLEANUP, events=("object_removed",))


def raw_event(key: str = "uploads/cat.png", event_name: str = "ObjectCreated:Put", sequencer: int = 1) -> RawS3Event:
    return {
        "eventName": event_name,
        "bucket": BUCKET,
        "key": key,
        "size": 2048,
        "eTag": "9b2cf535f27731c974343645a3985328",
        "versionId": None,
        "sequencer": f"{sequencer:018X}",
        "eventTime": "2026-11-22T21:20:11.123Z",
        "sourceIp": "127.0.0.1",
        "requestId": f"REQ{sequencer:013d}",
        "hostId": "host/id+2",
        "principalId": "AWS:AIDAEXAMPLE",
        "region": "us-east-1",
    }


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(asyncio.wait_for(scenario(), timeout=10))


def dispatcher(fake: FakeLambda, **options: Any) -> NotificationDispatcher:
    options.setdefault("retry_delays", NO_WAIT)
    return NotificationDispatcher(fake.invoke, **options)


def deliver_one(fake: FakeLambda, **options: Any) -> tuple[Delivery, NotificationDispatcher]:
    """One upload to the thumbnail notification, delivered to the end; the dispatcher is closed after."""
    notifier = dispatcher(fake, **options)
    found: list[Delivery] = []

    async def scenario() -> None:
        notifier.configure(buckets(THUMBS_ON_UPLOADS))
        await notifier.start()
        notifier.submit(raw_event())
        found.extend(await notifier.wait())
        await notifier.aclose()

    run(scenario)
    [delivery] = found
    return delivery, notifier


def test_a_matching_write_invokes_the_function_with_a_valid_s3_event() -> None:
    fake = FakeLambda()
    seen: list[Delivery] = []

    async def scenario() -> None:
        notifier = dispatcher(fake, on_delivery=seen.append)
        notifier.configure(buckets(THUMBS_ON_UPLOADS))
        await notifier.start()
        notifier.submit(raw_event("uploads/my cat.png"))
        [delivery] = await notifier.wait()
        await notifier.aclose()

        assert (delivery.status, delivery.attempts, delivery.function_name) == ("ok", 1, THUMBS.name)
        assert (delivery.bucket, delivery.key, delivery.event_name) == (
            BUCKET,
            "uploads/my cat.png",
            "ObjectCreated:Put",
        )
        assert delivery.notification_id == "thumbs"
        assert seen == [delivery] and notifier.deliveries == [delivery] and notifier.failed == []

    run(scenario)
    [call] = fake.calls
    assert call.function == THUMBS.name
    parsed = parse(event=call.event, model=S3Model)
    [record] = parsed.Records
    assert record.s3.configurationId == "thumbs"
    assert record.s3.object is not None and record.s3.object.key == "uploads/my+cat.png"
    assert call.event == seen[0].event


def test_writes_the_filters_exclude_invoke_nothing_and_are_counted() -> None:
    fake = FakeLambda()

    async def scenario() -> None:
        notifier = dispatcher(fake)
        notifier.configure(buckets(THUMBS_ON_UPLOADS))
        await notifier.start()
        notifier.submit(raw_event("thumbnails/cat.png"))  # the thumbnailer's own output
        notifier.submit(raw_event("uploads/cat.jpg"))
        notifier.submit(raw_event("uploads/cat.png", "ObjectRemoved:Delete"))
        notifier.submit({**raw_event(), "bucket": "someone-elses-bucket"})
        with pytest.raises(TimeoutError, match="0 finished"):
            await notifier.wait(timeout=0.05)
        assert notifier.unmatched == 4
        await notifier.aclose()

    run(scenario)
    assert fake.calls == []


def test_a_failing_handler_is_tried_three_times_then_kept_as_failed() -> None:
    fake = FakeLambda(failures={THUMBS.name: 99})
    seen: list[Delivery] = []
    delivery, notifier = deliver_one(fake, on_delivery=seen.append)

    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert delivery.invocation.error == LambdaError(
        "Exception", "cannot identify image file", ("  File thumbs.py, line 3",)
    )
    assert notifier.failed == [delivery] and seen == [delivery]
    assert len(fake.calls) == 3
    # Lambda keeps one request id across the retries of an asynchronous invocation.
    assert len({call.request_id for call in fake.calls}) == 1
    assert fake.calls[0].request_id == seen[0].id == seen[0].invocation.request_id


def test_a_handler_that_fails_once_succeeds_on_the_retry() -> None:
    delivery, notifier = deliver_one(FakeLambda(failures={THUMBS.name: 1}))

    assert (delivery.status, delivery.attempts) == ("ok", 2)
    assert delivery.invocation.result == {"ok": True}
    assert notifier.failed == []


def test_retries_wait_the_configured_delays() -> None:
    ticks = iter(range(100))
    delivery, _ = deliver_one(
        FakeLambda(failures={THUMBS.name: 99}), retry_delays=(0.05,), clock=lambda: float(next(ticks))
    )

    assert delivery.attempts == 2  # one retry delay configured: one retry
    assert delivery.started_at == datetime.fromtimestamp(0, tz=UTC)
    # The injected clock ticks once per reading: delivery start, each attempt's start, delivery end.
    assert delivery.duration_ms == 3000.0


def test_an_invoker_that_raises_is_a_failed_attempt_not_a_lost_delivery() -> None:
    delivery, _ = deliver_one(FakeLambda(raises={THUMBS.name: 3}))

    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert delivery.invocation.error is not None
    assert delivery.invocation.error.error_type == "ConnectionResetError"
    assert delivery.invocation.error.error_message == "worker pipe closed"
    assert "failed" in delivery.summary() and "ConnectionResetError" in delivery.summary()


def test_every_final_outcome_reaches_on_delivery_even_when_the_callback_breaks() -> None:
    fake = FakeLambda(failures={CLEANUP.name: 99})
    seen: list[Delivery] = []

    def flaky_printer(delivery: Delivery) -> None:
        seen.append(delivery)
        raise BrokenPipeError("terminal gone")

    async def scenario() -> None:
        notifier = dispatcher(fake, on_delivery=flaky_printer)
        notifier.configure(buckets(THUMBS_ON_UPLOADS, CLEANUP_ON_DELETE))
        await notifier.start()
        notifier.submit(raw_event("uploads/a.png", sequencer=1))
        notifier.submit(raw_event("uploads/a.png", "ObjectRemoved:Delete", sequencer=2))
        notifier.submit(raw_event("uploads/b.png", sequencer=3))
        finished = await notifier.wait(3)
        await notifier.aclose()

        assert sorted(d.status for d in finished) == ["failed", "ok", "ok"]
        assert sorted(seen, key=id) == sorted(finished, key=id)

    run(scenario)


def test_wait_returns_deliveries_in_batches_and_mark_forgets_unclaimed_ones() -> None:
    fake = FakeLambda()

    async def scenario() -> None:
        notifier = dispatcher(fake)
        notifier.configure(buckets(THUMBS_ON_UPLOADS))
        await notifier.start()
        for n in range(3):
            notifier.submit(raw_event(f"uploads/{n}.png", sequencer=n))
        first_two = await notifier.wait(2)
        [third] = await notifier.wait(1)
        assert {d.key for d in [*first_two, third]} == {"uploads/0.png", "uploads/1.png", "uploads/2.png"}

        notifier.submit(raw_event("uploads/3.png", sequencer=3))
        while len(notifier.deliveries) < 4:
            await asyncio.sleep(0)
        notifier.mark()
        with pytest.raises(TimeoutError) as caught:
            await notifier.wait(1, timeout=0.05)
        assert str(caught.value) == (
            "waited 0.05 s for 1 notification deliveries, 0 finished "
            "(0 still running, 0 events matched no notification so far)"
        )
        assert len(notifier.deliveries) == 4
        await notifier.aclose()

    run(scenario)


def test_a_wait_timeout_says_how_many_arrived_and_how_many_are_running() -> None:
    fake = FakeLambda()

    async def scenario() -> None:
        fake.gate = asyncio.Event()
        notifier = dispatcher(fake)
        notifier.configure(buckets(THUMBS_ON_UPLOADS))
        await notifier.start()
        notifier.submit(raw_event("uploads/a.png"))
        notifier.submit(raw_event("uploads/b.png"))
        with pytest.raises(TimeoutError, match=r"for 3 notification deliveries, 0 finished \(2 still running"):
            await notifier.wait(3, timeout=0.05)
        fake.gate.set()
        assert len(await notifier.wait(2)) == 2
        await notifier.aclose()

    run(scenario)


def test_deliveries_for_one_key_start_in_sequencer_order() -> None:
    fake = FakeLambda()

    async def scenario() -> None:
        notifier = dispatcher(fake)
        notifier.configure(buckets(NotificationSpec(id="all", function=THUMBS)))
        await notifier.start()
        for n in range(20):
            notifier.submit(raw_event("uploads/a.png", "ObjectCreated:Put" if n % 2 else "ObjectRemoved:Delete", n))
        await notifier.wait(20)
        await notifier.aclose()

    run(scenario)
    sequencers = [call.event["Records"][0]["s3"]["object"]["sequencer"] for call in fake.calls]
    assert sequencers == sorted(sequencers) and len(sequencers) == 20


def test_submit_is_safe_from_other_threads_and_before_start() -> None:
    fake = FakeLambda()

    async def scenario() -> None:
        notifier = dispatcher(fake)
        notifier.configure(buckets(THUMBS_ON_UPLOADS))
        notifier.submit(raw_event("uploads/early.png", sequencer=0))  # before start: buffered, not lost
        await notifier.start()

        def writer(thread: int) -> None:
            for n in range(25):
                notifier.submit(raw_event(f"uploads/{thread}-{n}.png", sequencer=1 + thread * 100 + n))

        threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
        for thread in threads:
            thread.start()
        finished = await notifier.wait(101)
        for thread in threads:
            thread.join()
        await notifier.aclose()

        assert len({d.key for d in finished}) == 101
        assert all(d.ok for d in finished)

    run(scenario)


def test_configure_replaces_the_rules() -> None:
    fake = FakeLambda()

    async def scenario() -> None:
        notifier = dispatcher(fake)
        notifier.configure(buckets(THUMBS_ON_UPLOADS))
        await notifier.start()
        notifier.configure(buckets(CLEANUP_ON_DELETE))
        notifier.submit(raw_event("uploads/a.png"))
        notifier.submit(raw_event("uploads/a.png", "ObjectRemoved:Delete", sequencer=2))
        [delivery] = await notifier.wait()
        assert delivery.function_name == CLEANUP.name
        assert notifier.unmatched == 1

        notifier.configure([])
        notifier.submit(raw_event("uploads/b.png", "ObjectRemoved:Delete", sequencer=3))
        with pytest.raises(TimeoutError):
            await notifier.wait(timeout=0.05)
        assert notifier.unmatched == 2
        await notifier.aclose()

    run(scenario)
    assert [call.function for call in fake.calls] == [CLEANUP.name]


def test_wait_blocking_serves_a_test_thread_while_the_loop_runs_elsewhere() -> None:
    fake = FakeLambda()
    loop = asyncio.new_event_loop()
    loop_thread = threading.Thread(target=loop.run_forever, daemon=True)
    loop_thread.start()
    notifier = dispatcher(fake)
    notifier.configure(buckets(THUMBS_ON_UPLOADS))
    try:
        asyncio.run_coroutine_threadsafe(notifier.start(), loop).result(timeout=5)
        notifier.submit(raw_event())

        [delivery] = notifier.wait_blocking()

        assert delivery.ok
        with pytest.raises(TimeoutError, match="0 finished"):
            notifier.wait_blocking(timeout=0.05)
    finally:
        asyncio.run_coroutine_threadsafe(notifier.aclose(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        loop_thread.join(timeout=5)
        loop.close()


def test_wait_refuses_to_run_off_the_dispatchers_loop() -> None:
    notifier = dispatcher(FakeLambda())

    with pytest.raises(RuntimeError, match="not started"):
        notifier.wait_blocking()
    with pytest.raises(RuntimeError, match="wait_blocking"):
        asyncio.run(notifier.wait())


@pytest.fixture
def warnings_from_dispatcher(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level("WARNING", logger="devserver.triggers.s3_notifications"):
        yield caplog


def test_closing_finishes_running_deliveries_and_reports_later_events(
    warnings_from_dispatcher: pytest.LogCaptureFixture,
) -> None:
    fake = FakeLambda()

    async def scenario() -> None:
        notifier = dispatcher(fake)
        notifier.configure(buckets(THUMBS_ON_UPLOADS))
        await notifier.start()
        notifier.submit(raw_event("uploads/running.png"))
        await asyncio.sleep(0)
        await notifier.aclose()
        notifier.submit(raw_event("uploads/late.png"))

        assert [d.key for d in notifier.deliveries] == ["uploads/running.png"]

    run(scenario)
    assert "no delivery for ObjectCreated:Put s3://" in warnings_from_dispatcher.text
    assert "uploads/late.png" in warnings_from_dispatcher.text


def test_closing_abandons_deliveries_that_outlive_the_timeout(
    warnings_from_dispatcher: pytest.LogCaptureFixture,
) -> None:
    fake = FakeLambda()

    async def scenario() -> None:
        fake.gate = asyncio.Event()  # never opened: the handler hangs
        notifier = dispatcher(fake)
        notifier.configure(buckets(THUMBS_ON_UPLOADS))
        await notifier.start()
        notifier.submit(raw_event())
        await asyncio.sleep(0)
        await notifier.aclose(timeout=0.05)
        assert notifier.in_flight == 0 and notifier.deliveries == []

    run(scenario)
    assert "abandoned 1 notification deliveries" in warnings_from_dispatcher.text


def test_without_a_callback_outcomes_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeLambda(failures={THUMBS.name: 99})

    async def scenario() -> None:
        notifier = dispatcher(fake)
        notifier.configure(buckets(THUMBS_ON_UPLOADS))
        await notifier.start()
        notifier.submit(raw_event("uploads/cat.png"))
        await notifier.wait()
        await notifier.aclose()

    with caplog.at_level("INFO", logger="devserver.triggers.s3_notifications"):
        run(scenario)
    [line] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert line.getMessage().startswith(f"s3://{BUCKET}/uploads/cat.png ObjectCreated:Put -> {THUMBS.name}: failed in ")
    assert "after 3 attempts (Exception: cannot identify image file)" in line.getMessage()


def test_a_malformed_raw_event_is_reported_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        notifier = dispatcher(FakeLambda())
        notifier.configure(buckets(THUMBS_ON_UPLOADS))
        await notifier.start()
        notifier.submit({"eventName": "ObjectCreated:Put", "bucket": BUCKET})  # type: ignore[typeddict-item]
        await asyncio.sleep(0.01)
        await notifier.aclose()

    with caplog.at_level("ERROR", logger="devserver.triggers.s3_notifications"):
        run(scenario)
    assert "malformed S3 event (missing eTag, eventTime, hostId" in caplog.text
