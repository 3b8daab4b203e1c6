"""S3 throughput and memory of the emulator endpoint, against moto's own `ThreadedMotoServer` in the same run.

How it works: each server runs in its own process on an ephemeral 127.0.0.1 port — ours through
`EmulatorProcess`, moto's through a small child that starts `ThreadedMotoServer` and prints its port — and this
process drives it with one sequential boto3 client (`s3v4`, path-style). For each object size it times PUTs, then
GETs of the same keys. The servers take turns, one run each, `--runs` times, so that a change in the machine's load
between runs touches them alike, each turn starting once the previous one's unflushed writes are on disk (`os.sync`);
ops/s are medians over runs, and each ratio is the median of the runs' ratios.
Servers measured:
- `ours`: the emulator without a state folder, as moto's server keeps objects and as the pytest fixture runs it:
  nothing is fsynced (bodies still go to files in the system's temp folder). This is the like-for-like comparison
  the `ours_vs_moto` ratios report.
- `ours_durable`: the emulator as `sst-dev start` runs it, on a state folder inside this checkout (where an app's
  `.sst/state/` lives: `benchmarks.measure.app_folder`): every acknowledged write is fsynced and atomically renamed
  first (a guarantee moto's server does not give), so its writes are slower by an fsync.
- `ours_in_thread`: our exact app served on a thread of this process instead, which is what an in-process emulator
  would cost the dev server (one GIL for both).
- `ours_durable_glibc_trim`: `ours_durable` with glibc's own trim threshold, as the emulator ran before 2026-12-03;
  `ours_durable_vs_glibc_trim` is what keeping freed heap pages (`emulator.process._child_environment`) buys.
`list_1000_keys_ms` is the median time of one ListObjectsV2 that returns 1,000 keys (one page, boto3, 20 calls per
server after the bucket is filled), with ours / moto's time in the same run; `list_1000_keys_boto3_after_answer_ms`
is the part of it boto3 spends once the answer is in (parsing it, decoding the keys): the client's floor.
`file_create_us` is the median cost of creating one empty file in the system's temp folder and in that app
folder: each stored object costs one, and on some machines the two differ by an order of magnitude.
`durable_write_us` is, per object size, the median cost of the least a durable store does for one write in that app
folder (write a new file, fsync it, rename it into place, fsync the folder): the floor under `ours_durable`'s PUTs.
Finally a fresh emulator takes a 100 MiB multipart upload (boto3's default transfer: 8 MiB parts, 10 threads)
and we read its peak resident set (`VmHWM` in /proc/PID/status).

`--baseline DIR` adds one more server to the turns: the emulator as the checkout in DIR has it (its `emulator`
package, started by this checkout's `EmulatorProcess`), reported as `baseline` with its own ratios to moto, so a
change can be compared with the code before it in the same run (`git worktree add /tmp/before REV`).

Run: `python -m benchmarks.emulator_s3 [--runs 3] [--baseline DIR]`; prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import boto3
import uvicorn
from botocore.client import BaseClient
from botocore.config import Config

from benchmarks.measure import app_folder, durable_write_us, file_create_us
from emulator.process import EmulatorCredentials, EmulatorProcess

KIB = 1024
MIB = 1024 * KIB
SIZES = {"1KiB": (KIB, 300), "1MiB": (MIB, 30)}
MULTIPART_BYTES = 100 * MIB

Samples = dict[str, dict[str, list[float]]]  # size label -> operation -> ops/s of each run

_MOTO_CHILD = """
import logging, sys
from moto.server import ThreadedMotoServer
logging.getLogger("werkzeug").setLevel(logging.ERROR)  # as our emulator does: no line per request
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()
server.stop()
"""


def s3_client(endpoint: str) -> BaseClient:
    client: BaseClient = boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    return client


def ops_per_second(client: BaseClient, bucket: str, size: int, count: int) -> dict[str, float]:
    """Sequential PUTs of `count` objects of `size` bytes, then GETs of each; ops/s for both."""
    body = os.urandom(size)
    started = time.perf_counter()
    for index in range(count):
        client.put_object(Bucket=bucket, Key=f"object-{index}", Body=body)
    put_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for index in range(count):
        client.get_object(Bucket=bucket, Key=f"object-{index}")["Body"].read()
    get_seconds = time.perf_counter() - started
    return {"put": count / put_seconds, "get": count / get_seconds}


def measure(endpoints: dict[str, str], runs: int) -> dict[str, Samples]:
    """ops/s of every run, per server, size and operation; the servers take turns, each run in a fresh bucket,
    each turn after the machine's unflushed writes went to disk."""
    clients = {name: s3_client(endpoint) for name, endpoint in endpoints.items()}
    samples: dict[str, Samples] = {name: {label: {"put": [], "get": []} for label in SIZES} for name in endpoints}
    for run in range(runs):
        for name, client in clients.items():
            os.sync()  # a durable server's fsyncs would otherwise also flush what the previous server left unflushed
            for label, (size, count) in SIZES.items():
                bucket = f"bench-{label.lower()}-{run}-{time.time_ns()}"
                client.create_bucket(Bucket=bucket)
                ops_per_second(client, bucket, size, 10)  # connection set-up and first-use costs
                for operation, value in ops_per_second(client, bucket, size, count).items():
                    samples[name][label][operation].append(value)
    return samples


def list_1000_keys_ms(endpoints: dict[str, str], calls: int = 20) -> tuple[dict[str, float], dict[str, float]]:
    """Median ms of a ListObjectsV2 returning 1,000 keys, per server (the buckets hold 1,000 one-byte objects); and
    of boto3's own part of it once the answer has arrived (from its `before-parse` event to the call's return:
    parsing the XML and decoding the keys), which no server can make shorter."""
    found, client_side = {}, {}
    for name, endpoint in endpoints.items():
        client = s3_client(endpoint)
        bucket = f"bench-list-{time.time_ns()}"
        client.create_bucket(Bucket=bucket)
        for index in range(1000):
            client.put_object(Bucket=bucket, Key=f"dir/key-{index:04d}", Body=b"x")
        answered: list[float] = []
        client.meta.events.register(
            "before-parse.s3.ListObjectsV2", lambda stamps=answered, **_: stamps.append(time.perf_counter())
        )
        samples, parsing = [], []
        for _ in range(calls):
            started = time.perf_counter()
            assert client.list_objects_v2(Bucket=bucket)["KeyCount"] == 1000
            ended = time.perf_counter()
            samples.append((ended - started) * 1000)
            parsing.append((ended - answered[-1]) * 1000)
        found[name] = round(statistics.median(samples), 1)
        client_side[name] = round(statistics.median(parsing), 1)
    return found, client_side


def medians(of: Samples) -> dict[str, dict[str, float]]:
    return {label: {op: round(statistics.median(runs), 1) for op, runs in ops.items()} for label, ops in of.items()}


def ratios(ours: Samples, moto: Samples) -> dict[str, dict[str, float]]:
    """Per size and operation, the median over runs of ours / moto's ops/s in the same run."""
    return {
        label: {
            op: round(statistics.median(a / b for a, b in zip(ours[label][op], moto[label][op], strict=True)), 2)
            for op in ("put", "get")
        }
        for label in SIZES
    }


@contextmanager
def moto_threaded_server() -> Iterator[str]:
    """moto's `ThreadedMotoServer` in a child process; yields its endpoint."""
    child = subprocess.Popen(
        [sys.executable, "-c", _MOTO_CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        yield f"http://127.0.0.1:{int(child.stdout.readline())}"
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(10)


@contextmanager
def ours_in_thread() -> Iterator[str]:
    """Our emulator app served by uvicorn on a thread of this process; yields its endpoint."""
    from emulator.channel_writer import ChannelWriter
    from emulator.quiet_server import event_loop_factory
    from emulator.server import build_app
    from emulator.store.object_store import ObjectStore

    read_fd, write_fd = os.pipe()
    threading.Thread(target=_drain, args=(read_fd,), daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="sst-dev-s3-") as scratch:
        store = ObjectStore(Path(scratch), durable=False)
        app = build_app("us-east-1", EmulatorCredentials(), ChannelWriter(write_fd), (), store)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # see EmulatorProcess._bind
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))

        def serve() -> None:  # on the event loop the emulator process runs
            with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
                runner.run(server.serve(sockets=[listener]))

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{listener.getsockname()[1]}"
        finally:
            server.should_exit = True
            thread.join(10)


def _drain(fd: int) -> None:
    with open(fd, "rb") as pipe:
        for _ in pipe:
            pass


def peak_rss_mb(pid: int) -> float:
    """`VmHWM`: the process's peak resident set since it started, in MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no VmHWM for pid {pid}")


def multipart_peak_rss() -> dict[str, float]:
    """Peak RSS of a fresh emulator before and after a 100 MiB multipart upload (boto3's default transfer)."""
    with EmulatorProcess() as emulator:
        assert emulator.pid is not None
        client = emulator.client("s3")
        client.create_bucket(Bucket="bench-multipart")
        before = peak_rss_mb(emulator.pid)
        client.upload_fileobj(io.BytesIO(os.urandom(MULTIPART_BYTES)), "bench-multipart", "big.bin")
        after = peak_rss_mb(emulator.pid)
        size = client.head_object(Bucket="bench-multipart", Key="big.bin")["ContentLength"]
    return {"object_mib": size / MIB, "peak_rss_mb_before": before, "peak_rss_mb_after": after}


def startup_seconds(runs: int) -> float:
    """Median time from `EmulatorProcess.start()` to its return (ready, SSM warmed)."""
    samples = []
    for _ in range(runs):
        emulator = EmulatorProcess()
        started = time.perf_counter()
        emulator.start()
        samples.append(time.perf_counter() - started)
        emulator.stop()
    return round(statistics.median(samples), 3)


def _emulator_from(checkout: Path) -> Callable[..., subprocess.Popen[bytes]]:
    """An `EmulatorProcess` spawner that runs the emulator package of another checkout."""

    def spawn(command: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        # `python -m` puts its working folder first on sys.path, ahead of PYTHONPATH: run it in the other checkout.
        env = {**kwargs.pop("env"), "PYTHONPATH": str(checkout)}
        return subprocess.Popen(command, env=env, cwd=checkout, **kwargs)

    return spawn


def _with_glibc_trim_threshold(command: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """An `EmulatorProcess` spawner that leaves glibc's trim threshold at its default."""
    env = {name: value for name, value in kwargs.pop("env").items() if name != "MALLOC_TRIM_THRESHOLD_"}
    return subprocess.Popen(command, env=env, **kwargs)


def run(runs: int, with_thread: bool, baseline: Path | None = None) -> dict[str, Any]:
    report: dict[str, Any] = {"runs": runs, "startup_seconds": startup_seconds(runs)}
    with app_folder() as folder:
        system_temp = file_create_us(Path(tempfile.gettempdir()))
        report["file_create_us"] = {"system_temp": system_temp, "app_folder": file_create_us(folder)}
        report["durable_write_us"] = {label: durable_write_us(folder, size) for label, (size, _) in SIZES.items()}
    with ExitStack() as servers, app_folder() as state_dir:
        endpoints = {"moto_threaded_server": servers.enter_context(moto_threaded_server())}
        endpoints["ours"] = servers.enter_context(EmulatorProcess()).endpoint
        endpoints["ours_durable"] = servers.enter_context(EmulatorProcess(state_dir=state_dir)).endpoint
        untrimmed = EmulatorProcess(state_dir=servers.enter_context(app_folder()), spawn=_with_glibc_trim_threshold)
        endpoints["ours_durable_glibc_trim"] = servers.enter_context(untrimmed).endpoint
        if with_thread:
            endpoints["ours_in_thread"] = servers.enter_context(ours_in_thread())
        if baseline is not None:
            endpoints["baseline"] = servers.enter_context(EmulatorProcess(spawn=_emulator_from(baseline))).endpoint
        samples = measure(endpoints, runs)
        report["list_1000_keys_ms"], report["list_1000_keys_boto3_after_answer_ms"] = list_1000_keys_ms(endpoints)
    for name, server_samples in samples.items():
        report[name] = medians(server_samples)
    moto = samples["moto_threaded_server"]
    report["ours_vs_moto"] = ratios(samples["ours"], moto)
    report["ours_durable_vs_moto"] = ratios(samples["ours_durable"], moto)
    report["ours_durable_vs_glibc_trim"] = ratios(samples["ours_durable"], samples["ours_durable_glibc_trim"])
    listing = report["list_1000_keys_ms"]
    report["list_1000_keys_time_vs_moto"] = {
        name: round(listing[name] / listing["moto_threaded_server"], 2) for name in ("ours", "ours_durable")
    }
    if baseline is not None:
        report["baseline_vs_moto"] = ratios(samples["baseline"], moto)
    report["multipart_100MiB"] = multipart_peak_rss()
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.emulator_s3", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; medians are reported")
    parser.add_argument("--no-thread", action="store_true", help="skip the in-process (thread) variant")
    parser.add_argument("--baseline", type=Path, help="also measure the emulator of the checkout in this folder")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.runs, not args.no_thread, args.baseline), indent=2))


if __name__ == "__main__":
    main()
