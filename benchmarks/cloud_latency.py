"""`--cloud` bucket events: what the local hop adds to the account's own S3 → SQS latency, and idle cost.

How it works: a stand-in account (moto's server in its own process, reached through `AWS_ENDPOINT_URL`, as the tests
use it) plays AWS. First the floor: a bucket whose notifications go to an SQS queue, one PutObject at a time, and a
long-polling receive (20 s wait, as sst-dev's poller uses) that notes when each event arrives; latency = received −
PutObject returned. Then `sst-dev start --cloud` serves an app whose bucket notification handler writes the time it
started (`time.time()`, its first act) into a file, keyed by the object; latency = handler started − PutObject
returned (one machine, one wall clock). Objects are put `--gap` ms apart so that nothing queues; the first
`--warmup` (the cold start among them) are not measured. Idle cost: with the app started and nothing put, the CPU
seconds of the whole `sst-dev start --cloud` process tree over `--idle` seconds, as a share of one core.

Run: `python -m benchmarks.cloud_latency [--objects 100]`; prints one JSON object.
Targets (issue 19): the local hop adds ≤ 100 ms p50 over S3 → SQS; idle ≤ 1 % of a core.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

from benchmarks.measure import app_folder, free_port, percentiles, wait_until_up
from benchmarks.process_cpu import tree_cpu_seconds
from tests.apps import make_app
from tests.cloud_account import StandInAccount, stand_in_account

STACK = """\
Bucket(stack, "drop", notifications={"started": {"function": "functions/record.started", "events": ["object_created"]}})
Api(stack, "api", routes={"GET /": "functions/record.started"})
"""

RECORD = """\
import os
import time

LOG = os.path.join(os.path.dirname(__file__), "started.log")


def started(event, context):
    now = time.time()
    with open(LOG, "a") as log:
        for record in event.get("Records", []):
            log.write(f"{record['s3']['object']['key']} {now!r}\\n")
    return {"statusCode": 200, "body": "ok"}
"""


def s3_to_sqs_ms(account: StandInAccount, objects: int, warmup: int, gap_ms: float) -> list[float]:
    """The floor: PutObject returned → the event received by a long-polling SQS consumer."""
    s3, sqs = account.client("s3"), account.client("sqs")
    url = sqs.create_queue(QueueName="bench-floor")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.create_bucket(Bucket="bench-floor")
    configuration = {"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]}
    s3.put_bucket_notification_configuration(Bucket="bench-floor", NotificationConfiguration=configuration)
    received: dict[str, float] = {}
    done = threading.Event()

    def consume() -> None:
        while not done.is_set():
            for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []
            ):
                now = time.time()
                for record in json.loads(message["Body"]).get("Records", []):
                    received[record["s3"]["object"]["key"]] = now
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    sent = _put(s3, "bench-floor", objects + warmup, gap_ms)
    deadline = time.monotonic() + 30
    while len(received) < len(sent) and time.monotonic() < deadline:
        time.sleep(0.05)
    done.set()
    return [(received[key] - sent[key]) * 1000 for key in list(sent)[warmup:] if key in received]


def _put(s3: Any, bucket: str, count: int, gap_ms: float) -> dict[str, float]:
    sent: dict[str, float] = {}
    for index in range(count):
        key = f"object-{index}"
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
        sent[key] = time.time()
        time.sleep(gap_ms / 1000)
    return sent


def through_sst_dev(
    account: StandInAccount, objects: int, warmup: int, gap_ms: float, idle_seconds: float
) -> dict[str, Any]:
    with app_folder() as scratch:
        app_dir = make_app(scratch / "app", STACK, {"functions/record.py": RECORD})
        port = free_port()
        command = [sys.executable, "-m", "devserver.cli", "start", "--app", str(app_dir), "--port", str(port),
                   "--stage", "bench", "--cloud"]  # fmt: skip
        process = subprocess.Popen(
            command, env=account.environment(scratch), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/_sst/api/health")
            while not (app_dir / ".sst" / "dev.json").exists():
                time.sleep(0.05)
            bucket = json.loads((app_dir / ".sst" / "dev.json").read_text())["resources"]["Bucket"]["drop"]
            time.sleep(1.0)
            before = tree_cpu_seconds(process.pid)
            time.sleep(idle_seconds)
            idle_share = (tree_cpu_seconds(process.pid) - before) / idle_seconds
            sent = _put(account.client("s3"), bucket["bucketName"], objects + warmup, gap_ms)
            log = app_dir / "functions" / "started.log"
            deadline = time.monotonic() + 30
            started: dict[str, float] = {}
            while len(started) < len(sent) and time.monotonic() < deadline:
                time.sleep(0.1)
                if log.exists():
                    started = {k: float(v) for k, v in (line.split() for line in log.read_text().splitlines())}
        finally:
            process.terminate()
            process.wait(20)
    latencies = [(started[key] - sent[key]) * 1000 for key in list(sent)[warmup:] if key in started]
    return {"latencies": latencies, "idle_share": idle_share, "delivered": len(started), "sent": len(sent)}


def run(objects: int, warmup: int, gap_ms: float, idle_seconds: float) -> dict[str, Any]:
    with stand_in_account() as account:
        floor = s3_to_sqs_ms(account, objects, warmup, gap_ms)
        ours = through_sst_dev(account, objects, warmup, gap_ms, idle_seconds)
    return {
        "objects": objects,
        "gap_ms": gap_ms,
        "s3_to_sqs_received": percentiles(floor),
        "s3_put_returned_to_handler_started": {
            **percentiles(ours["latencies"]),
            "delivered": ours["delivered"] - warmup,
        },
        "added_p50_ms": round(statistics.median(ours["latencies"]) - statistics.median(floor), 3),
        "idle": {"seconds": idle_seconds, "tree_cpu_percent_of_a_core": round(100 * ours["idle_share"], 2)},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cloud_latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--gap", type=float, default=100.0, help="milliseconds between PutObject calls")
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of idle CPU measurement")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.objects, args.warmup, args.gap, args.idle), indent=2))


if __name__ == "__main__":
    main()
