"""moto's limits are not sst-dev's: objects take no RAM while stored and no file descriptor at all.

moto keeps objects under ~5 MiB in memory and holds one open temporary file per larger object; the emulator keeps
bodies in files it opens only while reading them (see `emulator.moto.bodies`).
"""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config

from emulator.process import EmulatorProcess

MIB = 1024 * 1024
FD_LIMIT = 128


def spawn_with_fd_limit(command: list[str], **options: Any) -> subprocess.Popen[bytes]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))

    return subprocess.Popen(command, preexec_fn=limit, **options)


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture
def limited() -> Iterator[EmulatorProcess]:
    # No state folder: the same file-backed bodies without the fsyncs, so the test spends its time on the limits.
    emulator = EmulatorProcess(spawn=spawn_with_fd_limit)
    emulator.start()
    yield emulator
    emulator.stop()


def test_200_objects_of_6_mib_are_stored_and_read_back_under_a_128_fd_limit(limited: EmulatorProcess) -> None:
    assert limited.pid is not None
    assert f"{FD_LIMIT}" in Path(f"/proc/{limited.pid}/limits").read_text().split("Max open files")[1].split("\n")[0]
    s3 = limited.client("s3", Config(max_pool_connections=4))
    s3.create_bucket(Bucket="large")
    base = os.urandom(6 * MIB)

    def body(number: int) -> bytes:
        return number.to_bytes(4, "big") + base[4:]

    def put(number: int) -> str:
        return str(s3.put_object(Bucket="large", Key=f"object-{number}", Body=body(number))["ETag"])

    def get(number: int) -> bytes:
        return hashlib.md5(s3.get_object(Bucket="large", Key=f"object-{number}")["Body"].read()).digest()

    with ThreadPoolExecutor(4) as pool:
        etags = list(pool.map(put, range(200)))
        digests = list(pool.map(get, range(200)))

    assert etags == [f'"{hashlib.md5(body(n)).hexdigest()}"' for n in range(200)]
    assert digests == [hashlib.md5(body(n)).digest() for n in range(200)]
    assert len(os.listdir(f"/proc/{limited.pid}/fd")) < 64


def test_stored_objects_do_not_stay_in_memory(limited: EmulatorProcess) -> None:
    assert limited.pid is not None
    s3 = limited.client("s3", Config(max_pool_connections=4))
    s3.create_bucket(Bucket="small")
    s3.put_object(Bucket="small", Key="warm-up", Body=b"x" * 256 * 1024)
    before = resident_mb(limited.pid)
    chunk = os.urandom(256 * 1024)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda n: s3.put_object(Bucket="small", Key=f"small-{n}", Body=chunk), range(600)))

    # 150 MiB stored; moto alone would hold all of it in RAM.
    assert resident_mb(limited.pid) - before < 60
    assert s3.get_object(Bucket="small", Key="small-599")["Body"].read() == chunk
