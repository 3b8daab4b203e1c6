"""Event-source latency and idle cost, as `sst-dev start` runs them: a real server, messages sent with boto3.

How it works: `sst-dev start` serves an app with a queue and its consumer, a topic with two subscribers, a cron job
(once a day) and a table whose stream has a consumer. Each handler writes the time it started (`time.time()`, its
first act) into a DynamoDB table, keyed by the message. This process sends with boto3, paced so that nothing queues
(one message every `--gap` ms), and notes when each `send_message` / `publish` returned; latency = handler start −
send return (one machine, one wall clock). The first `--warmup` sends (cold starts included) are not measured. For
SNS, a publish's latency is when the later of its two subscribers started. Idle cost: with the app started, warm
and nothing sent, the CPU seconds of the whole process tree (dev server, emulator, workers) over `--idle` seconds,
as a share of one core.

Run: `python -m benchmarks.trigger_latency [--messages 200]`; prints one JSON object.
Targets (issue 18): SQS p50 ≤ 10 ms and p99 ≤ 50 ms; SNS (both subscribers started) p50 ≤ 15 ms; idle ≤ 1 % of
a core over 30 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.client import BaseClient

from benchmarks.devserver_http import running
from benchmarks.measure import app_folder, free_port, percentiles
from benchmarks.process_cpu import tree_cpu_seconds
from tests.apps import make_app

STACK = """\
starts = Table(stack, "starts", fields={"id": "string"}, primary_index={"partition_key": "id"})
defaults = {"bind": [starts]}
Queue(stack, "jobs", consumer={"function": {"handler": "functions/record.sqs", **defaults}})
Topic(stack, "news", subscribers={
    "a": {"function": {"handler": "functions/record.sns", **defaults}},
    "b": {"function": {"handler": "functions/record.sns", **defaults}},
})
Cron(stack, "daily", schedule="rate(1 day)", job="functions/record.nothing")
Table(stack, "notes", fields={"id": "string"}, primary_index={"partition_key": "id"}, stream=True,
      consumers={"indexer": "functions/record.nothing"})
"""

RECORD = """\
import time

import boto3

from devserver.resources import Table

dynamodb = boto3.client("dynamodb")


def _write(key, started):
    dynamodb.put_item(TableName=Table.starts.tableName, Item={"id": {"S": key}, "started": {"N": repr(started)}})


def sqs(event, context):
    started = time.time()
    for record in event["Records"]:
        _write("sqs-" + record["body"], started)


def sns(event, context):
    started = time.time()
    _write("sns-" + event["Records"][0]["Sns"]["Message"] + "-" + context.function_name[-1], started)


def nothing(event, context):
    return None
"""


def _dev_json(app_dir: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((app_dir / ".sst" / "dev.json").read_text())
    return document


def _client(dev: dict[str, Any], service: str) -> BaseClient:
    emulator = dev["emulator"]
    return boto3.client(
        service,
        endpoint_url=emulator["endpoint"],
        region_name=emulator["region"],
        aws_access_key_id=emulator["credentials"]["accessKeyId"],
        aws_secret_access_key=emulator["credentials"]["secretAccessKey"],
    )


def _starts(dynamodb: BaseClient, table: str, expected: int, timeout: float = 30.0) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    while True:
        items: list[dict[str, Any]] = []
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            items += page["Items"]
        if len(items) >= expected or time.monotonic() > deadline:
            return {item["id"]["S"]: float(item["started"]["N"]) for item in items}
        time.sleep(0.2)


def measure(messages: int, warmup: int, gap_ms: float, idle_seconds: float) -> dict[str, Any]:
    with app_folder() as scratch:
        app_dir = make_app(scratch / "app", STACK, {"functions/record.py": RECORD})
        port = free_port()
        command = [sys.executable, "-m", "devserver.cli", "start", "--app", str(app_dir), "--port", str(port)]
        with running(command, f"http://127.0.0.1:{port}/_sst/api/health") as process:
            deadline = time.monotonic() + 30
            while not (app_dir / ".sst" / "dev.json").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            dev = _dev_json(app_dir)
            resources = dev["resources"]
            sqs, sns, dynamodb = _client(dev, "sqs"), _client(dev, "sns"), _client(dev, "dynamodb")
            table = resources["Table"]["starts"]["tableName"]
            time.sleep(1.0)  # the app's resources are created and every consumer looked at its queue once
            before = tree_cpu_seconds(process.pid)
            time.sleep(idle_seconds)
            idle_share = (tree_cpu_seconds(process.pid) - before) / idle_seconds

            sent: dict[str, float] = {}
            for index in range(warmup + messages):
                sqs.send_message(QueueUrl=resources["Queue"]["jobs"]["queueUrl"], MessageBody=str(index))
                sent[f"sqs-{index}"] = time.time()
                time.sleep(gap_ms / 1000)
            for index in range(warmup + messages):
                sns.publish(TopicArn=resources["Topic"]["news"]["topicArn"], Message=str(index))
                sent[f"sns-{index}"] = time.time()
                time.sleep(gap_ms / 1000)
            started = _starts(dynamodb, table, 3 * (warmup + messages))

    measured = range(warmup, warmup + messages)
    sqs_ms = [max(0.0, started[f"sqs-{i}"] - sent[f"sqs-{i}"]) * 1000 for i in measured if f"sqs-{i}" in started]
    sns_ms = [
        max(0.0, max(started[f"sns-{i}-a"], started[f"sns-{i}-b"]) - sent[f"sns-{i}"]) * 1000
        for i in measured
        if f"sns-{i}-a" in started and f"sns-{i}-b" in started
    ]
    return {
        "messages": messages,
        "gap_ms": gap_ms,
        "sqs_sent_to_consumer_started": {**percentiles(sqs_ms), "delivered": len(sqs_ms)},
        "sns_published_to_both_subscribers_started": {**percentiles(sns_ms), "delivered": len(sns_ms)},
        "idle": {"seconds": idle_seconds, "tree_cpu_percent_of_a_core": round(idle_share * 100, 2)},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.trigger_latency", description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--gap", type=float, default=100.0, help="milliseconds between sends")
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of idle CPU measured")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.messages, args.warmup, args.gap, args.idle)))


if __name__ == "__main__":
    main()
