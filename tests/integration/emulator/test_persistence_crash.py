"""kill -9 of the emulator during concurrent uploads loses no acknowledged object and leaves no torn one."""

from __future__ import annotations

import hashlib
import os
import signal
import threading
from pathlib import Path

from botocore.config import Config

from emulator.process import EmulatorProcess

UPLOADERS = 20
ACKNOWLEDGED_BEFORE_KILL = 60


def body_for(key: str) -> bytes:
    """A body of 1 KiB .. 1.5 MiB derived from the key, so a restored object can be checked byte for byte."""
    seed = hashlib.sha256(key.encode()).digest()
    size = 1024 + int.from_bytes(seed[:4], "big") % (1536 * 1024)
    return (seed * (size // len(seed) + 1))[:size]


def test_kill_9_during_20_concurrent_uploads_keeps_every_acknowledged_object(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    emulator = EmulatorProcess(state_dir=state_dir)
    emulator.start()
    emulator.client("s3").create_bucket(Bucket="crash")
    acknowledged: dict[str, str] = {}
    lock = threading.Lock()
    enough = threading.Event()
    killed = threading.Event()

    def upload(worker: int) -> None:
        s3 = emulator.client("s3", Config(retries={"max_attempts": 1}, max_pool_connections=1))
        number = 0
        while not killed.is_set():
            key = f"worker-{worker}/object-{number}"
            number += 1
            try:
                etag = s3.put_object(Bucket="crash", Key=key, Body=body_for(key))["ETag"]
            except Exception:
                continue  # the emulator is gone: this PUT was never acknowledged
            with lock:
                acknowledged[key] = etag
                if len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL:
                    enough.set()

    threads = [threading.Thread(target=upload, args=(worker,)) for worker in range(UPLOADERS)]
    for thread in threads:
        thread.start()
    assert enough.wait(120), "the uploads did not get going"
    assert emulator.pid is not None
    os.kill(emulator.pid, signal.SIGKILL)
    killed.set()
    for thread in threads:
        thread.join(60)
    emulator.stop()

    restarted = EmulatorProcess(state_dir=state_dir)
    restarted.start()
    try:
        s3 = restarted.client("s3")
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket="crash")
        listed = {obj["Key"]: obj for page in pages for obj in page.get("Contents", [])}

        assert set(acknowledged) <= set(listed), f"lost: {sorted(set(acknowledged) - set(listed))}"
        for key, obj in listed.items():  # acknowledged or not, every object there is whole
            body = s3.get_object(Bucket="crash", Key=key)["Body"].read()
            assert body == body_for(key), f"torn object {key}: {len(body)} bytes"
            assert obj["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
            assert acknowledged.get(key, obj["ETag"]) == obj["ETag"]
        assert not list((state_dir / "s3" / "tmp").iterdir()), "a restart leaves no half-written body behind"
    finally:
        restarted.stop()
