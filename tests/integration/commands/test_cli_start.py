"""`sst-dev start` as a user runs it: a real process, its output, its exit, and what it leaves behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.apps import copy_sample_app, make_app
from tests.servers import eventually, sst_dev, started


def descendants(pid: int) -> set[int]:
    """Every live process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_the_sample_app_is_served_and_a_signal_stops_everything_cleanly(tmp_path: Path, signum: int) -> None:
    app_dir = copy_sample_app(tmp_path / "app")
    with started(app_dir) as (process, url):
        assert process.stdout is not None
        mounted = [process.stdout.readline() for _ in range(4)]
        assert mounted[0].split()[:2] == ["WebSocketApi", "live"] and mounted[0].split()[2].startswith("ws://")
        assert "Console" in mounted[1] and "/_sst/" in mounted[1]
        assert "Emulator" in mounted[2]
        assert mounted[3].split() == ["GET", "/", "functions/hello.main"]
        # Asked while the emulator is still starting: the worker starts at once, and the handler's S3 call waits at
        # the emulator until the app's bucket and the function's IAM user exist.
        assert httpx.get(url + "/files", timeout=30).json() == {"files": []}
        assert httpx.get(url + "/", timeout=30).json()["message"] == "Hello from sst-dev!"
        assert httpx.get(url + "/hello/ada").text == "Hello, ada!"
        # dev.json is written once the emulator holds the app; a request does not wait for that (the emulator holds
        # the request's own AWS calls instead).
        dev_file = app_dir / ".sst" / "dev.json"
        dev = json.loads(eventually(lambda: dev_file.is_file() and dev_file.read_text()))
        assert dev["pid"] == process.pid and dev["api"]["api"]["url"] == url
        workers = descendants(process.pid)
        assert workers, "the requests ran in worker processes"

        began = time.monotonic()
        process.send_signal(signum)
        assert process.wait(5) == 0
        stopped_in = time.monotonic() - began
        assert not [pid for pid in workers if alive(pid)], "no worker outlives the server"
        assert not (app_dir / ".sst" / "dev.json").exists()
        assert stopped_in < 5
        outputs = json.loads((app_dir / ".sst" / "outputs.json").read_text())
        assert outputs["test-sample-app-Storage"]["ApiEndpoint"] == url


@pytest.mark.slow
def test_a_taken_port_is_one_line_naming_the_port_and_the_flag(tmp_path: Path) -> None:
    app_dir = copy_sample_app(tmp_path / "app")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = sst_dev("start", "--app", str(app_dir), "--port", str(port))
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 1
    assert (
        output.strip() == f"sst-dev: error: port {port} on 127.0.0.1 is already in use: pass --port PORT to use another"
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("missing", "does not exist (pass --app DIR)"),
        ("raising", "sst.config.py:9: RuntimeError: no stacks today"),
        ("bad_route", 'Route key "GET nope"'),
    ],
)
def test_a_bad_app_exits_non_zero_with_one_line(tmp_path: Path, setup: str, expected: str) -> None:
    app_dir = tmp_path / "app"
    if setup == "raising":
        make_app(app_dir, "pass")
        (app_dir / "sst.config.py").write_text(
            (app_dir / "sst.config.py")
            .read_text()
            .replace("    app.stack(Main)", '    raise RuntimeError("no stacks today")')
        )
    elif setup == "bad_route":
        make_app(app_dir, 'Api(stack, "api", routes={"GET nope": "functions/hello.main"})')
    process = sst_dev("start", "--app", str(app_dir), "--port", "0")
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 1
    assert len(output.strip().splitlines()) == 1, output
    assert output.startswith("sst-dev: error: ") and expected in output


@pytest.mark.slow
def test_an_unwritable_state_folder_is_one_line(tmp_path: Path) -> None:
    app_dir = copy_sample_app(tmp_path / "app")
    (app_dir / ".sst").write_text("a file where the state folder should be")
    process = sst_dev("start", "--app", str(app_dir), "--port", "0")
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 1
    assert output.startswith("sst-dev: error: state folder") and "is not writable" in output


def test_help_describes_every_flag() -> None:
    process = sst_dev("start", "--help")
    output, _ = process.communicate(timeout=30)
    for flag in ("--app", "--stage", "--host", "--port"):
        assert flag in output


@pytest.mark.slow
def test_start_debug_opens_a_debugpy_port_per_named_function_and_refuses_unknown_ones(tmp_path: Path) -> None:
    app_dir = copy_sample_app(tmp_path / "app")
    process = sst_dev("start", "--app", str(app_dir), "--port", "0", "--debug", "nope")
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert output.strip() == "sst-dev: error: --debug names no function of the app: nope"

    process = sst_dev("start", "--app", str(app_dir), "--port", "0", "--debug", "functions/hello.main",
                      "--debug-port", "0")  # fmt: skip
    assert process.stdout is not None
    try:
        before_ready = []
        for line in process.stdout:
            before_ready.append(line)
            if line.startswith("sst-dev  app"):
                break
    finally:
        process.terminate()
        process.wait(10)
    announced = [line for line in before_ready if line.startswith("debugpy: ")]
    assert len(announced) == 1 and "(functions/hello.main) on 127.0.0.1:" in announced[0]
