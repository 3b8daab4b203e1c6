"""The emulator's memory with S3 data stored: many small objects, a 1 GiB multipart upload and download, 100 MiB.

How it works: each scenario starts a fresh `EmulatorProcess` on a temporary state folder (durable, as `sst-dev
start` runs it) and drives it from this process with boto3, reading the emulator's `VmRSS` (resident now) and
`VmHWM` (peak since start) from /proc/PID/status before and after:
- `small_objects`: 500 MiB as 2,000 objects of 256 KiB, 4 client threads; moto alone keeps all of it in RAM.
- `multipart_1GiB`: a 1 GiB file uploaded with boto3's default transfer (8 MiB parts, 10 threads), then downloaded
  (ranged GETs, 10 threads) into a hash, both through the emulator.
- `multipart_100MiB`: the upload `benchmarks.emulator_s3` measures (moto alone: ≈ 670-700 MB peak).
- `single_put_100MiB`: the same file in one PutObject (boto3's `put_object` with the open file as its body).

Run: `python -m benchmarks.emulator_memory [--small-mib 500] [--large-mib 1024]`; prints one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from botocore.config import Config

from benchmarks.measure import app_folder
from emulator.process import EmulatorProcess

MIB = 1024 * 1024
SMALL_OBJECT = 256 * 1024


def memory_mb(pid: int) -> dict[str, float]:
    """`VmRSS` and `VmHWM` of `pid`, in MB."""
    found: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found["rss_mb" if name == "VmRSS" else "peak_mb"] = round(int(value.split()[0]) / 1024, 1)
    return found


@contextmanager
def emulator_on_disk() -> Iterator[EmulatorProcess]:
    with app_folder() as folder:
        emulator = EmulatorProcess(state_dir=folder)
        emulator.start()
        try:
            yield emulator
        finally:
            emulator.stop()


def small_objects(total_mib: int) -> dict[str, Any]:
    with emulator_on_disk() as emulator:
        assert emulator.pid is not None
        s3 = emulator.client("s3", Config(max_pool_connections=4))
        s3.create_bucket(Bucket="small")
        before = memory_mb(emulator.pid)
        body = os.urandom(SMALL_OBJECT)
        count = total_mib * MIB // SMALL_OBJECT
        started = time.perf_counter()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda n: s3.put_object(Bucket="small", Key=f"object-{n:05d}", Body=body), range(count)))
        seconds = time.perf_counter() - started
        return {
            "objects": count,
            "stored_mib": total_mib,
            "puts_per_s": round(count / seconds, 1),
            "before": before,
            "after": memory_mb(emulator.pid),
        }


def multipart_round_trip(size_mib: int, download: bool) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(prefix="sst-dev-bench-") as source, emulator_on_disk() as emulator:
        assert emulator.pid is not None
        block = os.urandom(MIB)
        for number in range(size_mib):
            source.write(number.to_bytes(8, "big") + block[8:])
        source.flush()
        s3 = emulator.client("s3")
        s3.create_bucket(Bucket="large")
        result: dict[str, Any] = {"object_mib": size_mib, "before": memory_mb(emulator.pid)}
        started = time.perf_counter()
        s3.upload_file(source.name, "large", "big.bin")
        result["upload_s"] = round(time.perf_counter() - started, 1)
        result["after_upload"] = memory_mb(emulator.pid)
        if download:
            digest = _HashingSink()
            started = time.perf_counter()
            s3.download_fileobj("large", "big.bin", digest)
            result["download_s"] = round(time.perf_counter() - started, 1)
            result["after_download"] = memory_mb(emulator.pid)
            result["downloaded_mib"] = digest.size / MIB
        return result


def single_put(size_mib: int) -> dict[str, Any]:
    with tempfile.TemporaryFile(prefix="sst-dev-bench-") as source, emulator_on_disk() as emulator:
        assert emulator.pid is not None
        source.write(os.urandom(size_mib * MIB))
        source.seek(0)
        s3 = emulator.client("s3")
        s3.create_bucket(Bucket="large")
        result: dict[str, Any] = {"object_mib": size_mib, "before": memory_mb(emulator.pid)}
        started = time.perf_counter()
        s3.put_object(Bucket="large", Key="big.bin", Body=source)
        result["put_s"] = round(time.perf_counter() - started, 1)
        result["after_put"] = memory_mb(emulator.pid)
        return result


class _HashingSink:
    """A write-only file that keeps a running MD5 and the size; boto3's download may write out of order."""

    def __init__(self) -> None:
        self._md5 = hashlib.md5()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._md5.update(data)
        self.size += len(data)
        return len(data)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.emulator_memory", description=__doc__.split("\n\n")[0])
    parser.add_argument("--small-mib", type=int, default=500, help="MiB stored as 256 KiB objects")
    parser.add_argument("--large-mib", type=int, default=1024, help="size of the multipart object")
    args = parser.parse_args(argv)
    results = {
        "small_objects": small_objects(args.small_mib),
        f"multipart_{args.large_mib}MiB": multipart_round_trip(args.large_mib, download=True),
        "multipart_100MiB": multipart_round_trip(100, download=False),
        "single_put_100MiB": single_put(100),
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
