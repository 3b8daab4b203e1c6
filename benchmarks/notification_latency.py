"""Notification latency: a PutObject returning → the subscribed handler starting, warm, wired as `sst-dev start` is.

How it works: the emulator runs in its own process (`EmulatorProcess`) and reports each write to a
`NotificationDispatcher`, whose asyncio loop runs on a background thread together with a real `WorkerPool`, as in the
dev server. The bucket's one notification invokes a handler that returns `time.time()` as its first act. This thread
makes sequential boto3 PUTs of 1 KiB; for each it notes when `put_object` was called and when it returned, and waits
(`wait_blocking`) for the delivery; latency = handler start − PUT return (same machine, same wall clock). The
emulator reports a write as it answers it, so the handler often starts before boto3 has read the response: such a
negative latency counts as 0 and is counted apart; handler start − PUT call is reported too. The first `--warmup`
PUTs (cold start included) are not measured. A second measurement times the dispatcher alone: `submit()` from another
thread until an in-process invoker is called, which is the dispatcher's share of the budget.

Under load (`under_load`): PUTs arrive faster than one handler finishes, as issue 21 specifies: 50 PUT/s on a fixed
clock (open loop: a late PUT does not delay the next one's schedule) for `--load-seconds`, against a handler that
takes 30 ms, on an emulator keeping its objects durably as `sst-dev start` runs it. Each delivery's wait is split
where it can be observed: PUT returned → the emulator's report reached the dispatcher (`submit`), and → the handler
started; the pool's worker count at the end says how far it scaled out.

Run: `python -m benchmarks.notification_latency [--puts 500]`; prints one JSON object.
Targets (issue 3): p50 ≤ 10 ms, p99 ≤ 50 ms over 500 puts; (issue 21) p50 ≤ 10 ms under that load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.measure import app_folder, percentiles
from devserver.app.model import BucketSpec, FunctionSpec, NotificationSpec
from devserver.runtime.invocation import Invocation
from devserver.runtime.pool import WorkerPool
from devserver.triggers.s3_notifications import NotificationDispatcher
from emulator.process import EmulatorProcess
from emulator.s3.events import RawS3Event

BUCKET = "notification-latency"
HANDLER = """\
import time


def main(event, context):
    return {"started": time.time()}


def slow(event, context):
    started = time.time()
    time.sleep(0.03)
    return {"started": started}
"""

LOAD_PUTS_PER_SECOND = 50


@contextmanager
def background_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop on its own thread, as the dev server's."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="dev-server-loop", daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()


@dataclass
class WiredBucket:
    """A bucket in an emulator process whose one notification invokes a handler in a real worker pool."""

    s3: Any
    dispatcher: NotificationDispatcher
    pool: WorkerPool
    submitted: dict[str, float]
    """When each key's event reached the dispatcher (`time.time()`)."""


@contextmanager
def wired_bucket(handler: str, *, durable: bool) -> Iterator[WiredBucket]:
    """The bucket `BUCKET`, its notification invoking `HANDLER`'s function `handler`, wired as `sst-dev start` wires
    it: the emulator in its own process (keeping objects durably when `durable`, as `start` does), the dispatcher and
    the pool on a background loop, as the dev server's."""
    with app_folder() as app_dir, background_loop() as loop:
        (app_dir / "started.py").write_text(HANDLER)
        function = FunctionSpec(name=f"notification-{handler}", handler=f"started.{handler}", app_dir=app_dir)
        notification = NotificationSpec(id=handler, function=function, events=("object_created",))
        pool = WorkerPool()
        dispatcher = NotificationDispatcher(pool.invoke, on_delivery=lambda delivery: None)
        dispatcher.configure([BucketSpec(id="bench", name=BUCKET, notifications=(notification,))])
        asyncio.run_coroutine_threadsafe(dispatcher.start(), loop).result()
        submitted: dict[str, float] = {}

        def submit(raw: RawS3Event) -> None:
            submitted[raw["key"]] = time.time()
            dispatcher.submit(raw)

        try:
            with EmulatorProcess(on_s3_event=submit, state_dir=app_dir / "state" if durable else None) as emulator:
                s3 = emulator.client("s3")
                s3.create_bucket(Bucket=BUCKET)
                yield WiredBucket(s3, dispatcher, pool, submitted)
        finally:
            asyncio.run_coroutine_threadsafe(dispatcher.aclose(), loop).result()
            asyncio.run_coroutine_threadsafe(pool.aclose(), loop).result()


def end_to_end(puts: int, warmup: int) -> dict[str, Any]:
    """PutObject returned → handler started, through the emulator process, the dispatcher and a real worker."""
    body = b"x" * 1024
    latencies: list[float] = []
    from_call: list[float] = []
    early = 0
    with wired_bucket("main", durable=False) as wired:
        for n in range(warmup + puts):
            called = time.time()
            wired.s3.put_object(Bucket=BUCKET, Key=f"uploads/{n}.bin", Body=body)
            returned = time.time()
            [delivery] = wired.dispatcher.wait_blocking(1, timeout=30)
            if n < warmup:
                continue
            result = delivery.invocation.result
            if not delivery.ok or not isinstance(result, dict):
                raise RuntimeError(f"delivery failed: {delivery.summary()}")
            latency_ms = (result["started"] - returned) * 1000
            early += latency_ms < 0
            latencies.append(max(0.0, latency_ms))
            from_call.append((result["started"] - called) * 1000)
    return {
        "puts": puts,
        **percentiles(latencies),
        "handler_started_before_put_returned": early,
        "put_called_to_handler_started": percentiles(from_call),
    }


def under_load(seconds: float, warmup: int) -> dict[str, Any]:
    """50 PUT/s for `seconds` against a 30 ms handler, durable emulator: PUT returned → handler started."""
    body = b"x" * 1024
    called: dict[str, float] = {}
    returned: dict[str, float] = {}
    puts = int(seconds * LOAD_PUTS_PER_SECOND)
    with wired_bucket("slow", durable=True) as wired:
        for n in range(warmup):  # the first worker's cold start, not measured
            wired.s3.put_object(Bucket=BUCKET, Key=f"warmup/{n}.bin", Body=body)
            wired.dispatcher.wait_blocking(1, timeout=30)
        wired.dispatcher.mark()
        began = time.perf_counter()
        for n in range(puts):
            time.sleep(max(0.0, began + n / LOAD_PUTS_PER_SECOND - time.perf_counter()))
            key = f"uploads/{n}.bin"
            called[key] = time.time()
            wired.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
            returned[key] = time.time()
        deliveries = wired.dispatcher.wait_blocking(puts, timeout=60)
        workers = wired.pool.worker_count()
        submitted = wired.submitted
    to_handler, to_dispatcher, from_call, failed = [], [], [], 0
    for delivery in deliveries:
        result = delivery.invocation.result
        if not delivery.ok or not isinstance(result, dict):
            failed += 1
            continue
        key = delivery.key
        to_handler.append(max(0.0, (result["started"] - returned[key]) * 1000))
        to_dispatcher.append(max(0.0, (submitted[key] - returned[key]) * 1000))
        from_call.append((result["started"] - called[key]) * 1000)
    return {
        "puts_per_second": LOAD_PUTS_PER_SECOND,
        "handler_ms": 30,
        "puts": puts,
        "failed": failed,
        "put_returned_to_handler_started": percentiles(to_handler),
        "put_returned_to_dispatcher_submit": percentiles(to_dispatcher),
        "put_called_to_handler_started": percentiles(from_call),
        "workers_at_the_end": workers,
    }


def dispatcher_only(events: int) -> dict[str, Any]:
    """`submit()` on another thread → invoker called, with an in-process invoker that only notes the time."""
    noop = FunctionSpec(name="noop", handler="noop.main", app_dir=Path("."))
    called: dict[str, float] = {}

    async def invoke(function: FunctionSpec, event: object, *, request_id: str | None = None) -> Invocation:
        called[str(request_id)] = time.perf_counter()
        return Invocation(request_id or "", function.name, duration_ms=0.0, cold=False)

    raw: RawS3Event = {
        "eventName": "ObjectCreated:Put",
        "bucket": BUCKET,
        "key": "uploads/a.bin",
        "size": 1024,
        "eTag": "0f343b0931126a20f133d67c2b018a3b",
        "versionId": None,
        "sequencer": "0",
        "eventTime": "2026-11-22T21:20:11.123Z",
        "sourceIp": "127.0.0.1",
        "requestId": "REQ",
        "hostId": "HOST",
        "principalId": "AWS:AIDAEXAMPLE",
        "region": "us-east-1",
    }
    latencies: list[float] = []
    with background_loop() as loop:
        dispatcher = NotificationDispatcher(invoke, on_delivery=lambda delivery: None)
        dispatcher.configure(
            [BucketSpec(id="b", name=BUCKET, notifications=(NotificationSpec(id="n", function=noop),))]
        )
        asyncio.run_coroutine_threadsafe(dispatcher.start(), loop).result()
        for n in range(events):
            submitted = time.perf_counter()
            dispatcher.submit({**raw, "sequencer": f"{n:018X}"})
            [delivery] = dispatcher.wait_blocking(1)
            latencies.append((called[delivery.id] - submitted) * 1000)
        asyncio.run_coroutine_threadsafe(dispatcher.aclose(), loop).result()
    return {"events": events, **percentiles(latencies)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.notification_latency", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--puts", type=int, default=500, help="measured PUTs (default 500)")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured PUTs first (default 20)")
    parser.add_argument("--load-seconds", type=float, default=10.0, help="length of the load run (default 10)")
    args = parser.parse_args(argv)
    report = {
        "put_returned_to_handler_started": end_to_end(args.puts, args.warmup),
        "under_load": under_load(args.load_seconds, args.warmup),
        "dispatcher_submit_to_invoke": dispatcher_only(args.puts),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
