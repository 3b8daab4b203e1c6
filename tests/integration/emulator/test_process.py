"""The emulator process starts on its port, stops cleanly, never outlives its parent, and says why it cannot start."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from emulator.process import EmulatorProcess, EmulatorStartError


def is_running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def wait_until_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_running(pid):
            return True
        time.sleep(0.05)
    return False


def test_start_answers_on_the_endpoint_and_stop_leaves_no_process() -> None:
    emulator = EmulatorProcess()
    emulator.start()
    pid = emulator.pid
    assert pid is not None and emulator.endpoint == f"http://127.0.0.1:{emulator.port}"
    assert emulator.client("s3").list_buckets()["Buckets"] == []

    emulator.stop()
    emulator.stop()  # idempotent

    assert not is_running(pid)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", emulator.port), timeout=1).close()


def test_the_emulator_never_loads_a_websocket_library() -> None:
    with EmulatorProcess() as emulator:
        emulator.client("s3").list_buckets()
        upgrade = {"connection": "Upgrade", "upgrade": "websocket", "sec-websocket-version": "13"}
        answer = httpx.get(emulator.endpoint + "/", headers={**upgrade, "sec-websocket-key": "dGhlIHNhbXBsZQ=="})
        libraries = Path(f"/proc/{emulator.pid}/maps").read_text()
    assert answer.status_code != 101, "no AWS API the emulator serves is a WebSocket"
    assert "websockets/" not in libraries, "uvicorn's WebSocket protocol (the websockets library) is loaded"


def test_a_taken_port_is_a_one_line_error_naming_the_port_and_the_flag() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(EmulatorStartError) as raised:
            EmulatorProcess(port=port).start()

    assert raised.value.code == "Emulator.PortInUse"
    message = str(raised.value)
    assert str(port) in message and "--emulator-port" in message and "\n" not in message


def test_a_process_that_dies_before_ready_is_reported() -> None:
    def spawn_failing(command: list[str], **options: object) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"], **options)  # type: ignore[call-overload]

    with pytest.raises(EmulatorStartError) as raised:
        EmulatorProcess(spawn=spawn_failing).start()

    assert raised.value.code == "Emulator.ProcessExited" and "status 3" in str(raised.value)


def test_the_emulator_exits_when_its_parent_is_killed_and_removes_its_temporary_folder(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from emulator.process import EmulatorProcess\n"
            "emulator = EmulatorProcess()\n"
            "emulator.start()\n"
            "print(emulator.pid, flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert parent.stdout is not None
    emulator_pid = int(parent.stdout.readline())
    assert is_running(emulator_pid)
    assert len(list(tmp_path.glob("sst-dev-s3-*"))) == 1  # where the emulator keeps S3 bodies without a state folder

    parent.kill()
    parent.wait()

    assert wait_until_gone(emulator_pid)
    assert list(tmp_path.glob("sst-dev-s3-*")) == []


def test_spawn_returns_before_ready_and_early_requests_are_answered_once_ready() -> None:
    emulator = EmulatorProcess()
    emulator.spawn()
    try:
        # The socket listens from spawn() on: a request sent now waits in the backlog instead of failing.
        with socket.create_connection(("127.0.0.1", emulator.port), timeout=15) as early:
            early.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            emulator.wait_ready()
            assert early.recv(12).startswith(b"HTTP/1.1 200")
    finally:
        emulator.stop()
