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

Run: `python -m benchmarks.notification_latency [--puts 500]`; prints one JSON object.
Target (issue 3): p50 ≤ 10 ms, p99 ≤ 50 ms over 500 puts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
"""


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


def end_to_end(puts: int, warmup: int) -> dict[str, Any]:
    """PutObject returned → handler started, through the emulator process, the dispatcher and a real worker."""
    with app_folder() as app_dir, background_loop() as loop:
        (app_dir / "started.py").write_text(HANDLER)
        function = FunctionSpec(name="notification-latency-started", handler="started.main", app_dir=app_dir)
        notification = NotificationSpec(id="started", function=function, events=("object_created",))
        pool = WorkerPool()
        dispatcher = NotificationDispatcher(pool.invoke, on_delivery=lambda delivery: None)
        dispatcher.configure([BucketSpec(id="bench", name=BUCKET, notifications=(notification,))])
        asyncio.run_coroutine_threadsafe(dispatcher.start(), loop).result()
        with EmulatorProcess(on_s3_event=dispatcher.submit) as emulator:
            s3 = emulator.client("s3")
            s3.create_bucket(Bucket=BUCKET)
            body = b"x" * 1024
            latencies: list[float] = []
            from_call: list[float] = []
            early = 0
            for n in range(warmup + puts):
                called = time.time()
                s3.put_object(Bucket=BUCKET, Key=f"uploads/{n}.bin", Body=body)
                returned = time.time()
                [delivery] = dispatcher.wait_blocking(1, timeout=30)
                if n < warmup:
                    continue
                result = delivery.invocation.result
                if not delivery.ok or not isinstance(result, dict):
                    raise RuntimeError(f"delivery failed: {delivery.summary()}")
                latency_ms = (result["started"] - returned) * 1000
                early += latency_ms < 0
                latencies.append(max(0.0, latency_ms))
                from_call.append((result["started"] - called) * 1000)
        asyncio.run_coroutine_threadsafe(dispatcher.aclose(), loop).result()
        asyncio.run_coroutine_threadsafe(pool.aclose(), loop).result()
    return {
        "puts": puts,
        **percentiles(latencies),
        "handler_started_before_put_returned": early,
        "put_called_to_handler_started": percentiles(from_call),
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
    args = parser.parse_args(argv)
    report = {
        "put_returned_to_handler_started": end_to_end(args.puts, args.warmup),
        "dispatcher_submit_to_invoke": dispatcher_only(args.puts),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
