"""Load: 32 concurrent clients for 60 s mixing route calls, S3 PUT/GET and the notifications the PUTs fire.

How it works: a real `sst-dev start` serves a small app: a hello route, an `inbox` bucket whose notification
function writes a receipt for every object into a `receipts` bucket. 32 client threads, each with its own httpx
and boto3 clients, loop for `--seconds`: half their calls are the route, a quarter PUT a 1 KiB object into `inbox`,
a quarter GET one back. Every error (a non-200 route answer, an S3 exception) is counted. Afterwards we wait for
the notifications to drain and count receipts: each PUT must have produced exactly one (zero lost). The RSS of the
whole process tree (server, emulator, workers) is sampled every 5 s; the first samples grow as the load starts a
worker per concurrent request (up to 8 per function), so "stable" compares the end with the sample at 15 s. The
emulator's growth after that is data, not a leak: it keeps each stored object's metadata, and the load stores
thousands (each PUT and its receipt), more the faster it runs. So the serving processes (dev server and workers)
are reported apart, and the emulator's growth is divided by the objects stored meanwhile: a leak would show as the
first growing, or as the second moving from run to run.

Run: `python -m benchmarks.load_mix [--seconds 60] [--clients 32]`; prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import httpx

from benchmarks.measure import app_folder, free_port, process_tree, rss_mb, tree_rss_mb, wait_until_up

CONFIG = """\
from devserver.constructs import Api, Bucket


def config(_input):
    return {"name": "load", "region": "us-east-1"}


def stacks(app):
    app.stack(Load)


def Load(stack):
    receipts = Bucket(stack, "receipts")
    receipt = {"handler": "functions/receipt.main", "bind": [receipts]}
    Bucket(stack, "inbox", notifications={"receipt": {"function": receipt, "events": ["object_created"]}})
    Api(stack, "api", routes={"GET /": "functions/hello.main"})
"""
HELLO = 'def main(event, context):\n    return {"hello": "load"}\n'
RECEIPT = """\
import boto3

from devserver.resources import Bucket

s3 = boto3.client("s3")


def main(event, context):
    for record in event["Records"]:
        s3.put_object(Bucket=Bucket.receipts.bucketName, Key=record["s3"]["object"]["key"], Body=b"")
"""
BODY = b"x" * 1024


def write_app(root: Path) -> Path:
    app = root / "app"
    (app / "functions").mkdir(parents=True)
    (app / "sst.config.py").write_text(CONFIG)
    (app / "functions" / "hello.py").write_text(HELLO)
    (app / "functions" / "receipt.py").write_text(RECEIPT)
    return app


class Client(threading.Thread):
    """One client: loops over the mix until `deadline`, counting calls and errors."""

    def __init__(self, number: int, url: str, emulator: dict[str, Any], inbox: str, deadline: float) -> None:
        super().__init__(daemon=True)
        self.number, self.url, self.inbox, self.deadline = number, url, inbox, deadline
        credentials = emulator["credentials"]
        self.s3 = boto3.session.Session().client(
            "s3",
            endpoint_url=emulator["endpoint"],
            region_name=emulator["region"],
            aws_access_key_id=credentials["accessKeyId"],
            aws_secret_access_key=credentials["secretAccessKey"],
        )
        self.calls = {"route": 0, "put": 0, "get": 0}
        self.errors: list[str] = []
        self.keys: list[str] = []

    def run(self) -> None:
        chooser = random.Random(self.number)
        with httpx.Client(base_url=self.url, timeout=30) as http:
            while time.monotonic() < self.deadline:
                kind = chooser.choice(("route", "route", "put", "get"))
                try:
                    if kind == "route":
                        if http.get("/").status_code != 200:
                            raise RuntimeError("route answered non-200")
                    elif kind == "put" or not self.keys:
                        key = f"c{self.number}/{len(self.keys)}"
                        self.s3.put_object(Bucket=self.inbox, Key=key, Body=BODY)
                        self.keys.append(key)
                        kind = "put"
                    else:
                        if self.s3.get_object(Bucket=self.inbox, Key=chooser.choice(self.keys))["Body"].read() != BODY:
                            raise RuntimeError("GET returned other bytes")
                    self.calls[kind] += 1
                except Exception as error:
                    self.errors.append(f"{kind}: {type(error).__name__}: {error}")


def count_receipts(s3: Any, bucket: str) -> int:
    return sum(page.get("KeyCount", 0) for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket))


def run(seconds: int, clients: int) -> dict[str, Any]:
    with app_folder("sst-dev-load-") as root:
        app = write_app(root)
        port = free_port()
        command = [sys.executable, "-m", "devserver.cli", "start", "--app", str(app), "--port", str(port),
                   "--stage", "load"]  # fmt: skip
        log = (root / "server.log").open("w")
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_up(f"http://127.0.0.1:{port}/_sst/api/health")
            dev = Path(app / ".sst" / "dev.json")
            while not dev.exists():
                time.sleep(0.05)
            document = json.loads(dev.read_text())
            buckets = document["resources"]["Bucket"]
            httpx.get(f"http://127.0.0.1:{port}/", timeout=30)
            deadline = time.monotonic() + seconds
            workers = [
                Client(n, f"http://127.0.0.1:{port}", document["emulator"], buckets["inbox"]["bucketName"], deadline)
                for n in range(clients)
            ]
            emulator_pid = _emulator_pid(server.pid)
            samples = [_sample(server.pid, emulator_pid, workers)]
            for worker in workers:
                worker.start()
            while any(worker.is_alive() for worker in workers):
                time.sleep(5)
                samples.append(_sample(server.pid, emulator_pid, workers))
            puts = sum(worker.calls["put"] for worker in workers)
            s3 = workers[0].s3
            drain_started = time.monotonic()
            receipts = count_receipts(s3, buckets["receipts"]["bucketName"])
            while receipts < puts and time.monotonic() - drain_started < 120:
                time.sleep(1)
                receipts = count_receipts(s3, buckets["receipts"]["bucketName"])
            errors = [error for worker in workers for error in worker.errors]
            return {
                "seconds": seconds,
                "clients": clients,
                "calls": {kind: sum(w.calls[kind] for w in workers) for kind in ("route", "put", "get")},
                "calls_per_s": round(sum(sum(w.calls.values()) for w in workers) / seconds, 1),
                "errors": len(errors),
                "first_errors": errors[:5],
                "notifications_expected": puts,
                "notifications_delivered": receipts,
                "lost_notifications": puts - receipts,
                "drain_s": round(time.monotonic() - drain_started, 1),
                **_memory_figures(samples),
                "processes_at_end": len(process_tree(server.pid)),
            }
        finally:
            server.terminate()
            server.wait(10)
            log.close()


def _emulator_pid(server_pid: int) -> int:
    for pid in process_tree(server_pid):
        if b"emulator.server" in Path(f"/proc/{pid}/cmdline").read_bytes():
            return pid
    raise RuntimeError("no emulator process under the dev server")


def _sample(server_pid: int, emulator_pid: int, clients: list[Client]) -> dict[str, float]:
    """Tree and emulator RSS, and the objects stored so far (each PUT stores its object and then its receipt)."""
    tree, emulator = tree_rss_mb(server_pid), rss_mb(emulator_pid)
    return {
        "tree": tree,
        "emulator": emulator,
        "serving": tree - emulator,
        "objects": 2 * sum(c.calls["put"] for c in clients),
    }


def _memory_figures(samples: list[dict[str, float]]) -> dict[str, Any]:
    first, at_15s, end = samples[0], samples[min(3, len(samples) - 1)], samples[-1]
    stored = end["objects"] - at_15s["objects"]
    return {
        "tree_rss_mb": {
            "idle": first["tree"],
            "at_15s": at_15s["tree"],
            "end": end["tree"],
            "max": max(sample["tree"] for sample in samples),
        },  # fmt: skip
        "rss_growth_after_15s_percent": round(100 * (end["tree"] / at_15s["tree"] - 1), 1),
        "serving_rss_mb": {"at_15s": round(at_15s["serving"], 1), "end": round(end["serving"], 1)},
        "serving_rss_growth_after_15s_percent": round(100 * (end["serving"] / at_15s["serving"] - 1), 1),
        "emulator_rss_mb": {"at_15s": at_15s["emulator"], "end": end["emulator"]},
        "objects_stored_after_15s": stored,
        "emulator_kb_per_object_stored_after_15s": round((end["emulator"] - at_15s["emulator"]) * 1024 / stored, 2)
        if stored
        else None,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load_mix", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.seconds, args.clients), indent=2))


if __name__ == "__main__":
    main()
