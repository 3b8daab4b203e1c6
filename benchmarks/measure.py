"""Measuring helpers shared by the benchmarks: percentiles, process-tree memory, free ports, wrk runs."""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

__all__ = [
    "app_folder",
    "file_create_us",
    "free_port",
    "percentiles",
    "process_tree",
    "rss_mb",
    "tree_rss_mb",
    "wait_until_up",
    "wrk",
]

# Where the benchmarks put the apps they run, and the emulator state folders they use: inside this checkout (under
# the git-ignored `.sst/`), as a user's app and its `.sst/state/` live in a project folder. Not the system's temp
# folder: how fast a file is created there says more about that folder than about sst-dev (see `file_create_us`).
BENCH_ROOT = Path(__file__).resolve().parent.parent / ".sst" / "bench"


@contextmanager
def app_folder(prefix: str = "sst-dev-bench-") -> Iterator[Path]:
    """A new empty folder under `BENCH_ROOT`, removed afterwards."""
    BENCH_ROOT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=prefix, dir=BENCH_ROOT) as folder:
        yield Path(folder)


def file_create_us(parent: Path, files: int = 300) -> float:
    """Median microseconds to create and close one new empty file in a fresh folder under `parent`: the per-object
    cost the emulator pays for each body it stages there."""
    samples = []
    with tempfile.TemporaryDirectory(dir=parent) as folder:
        for _ in range(files):
            started = time.perf_counter()
            os.close(os.open(os.path.join(folder, uuid.uuid4().hex), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            samples.append((time.perf_counter() - started) * 1e6)
    return round(statistics.median(samples), 1)


def durable_write_us(parent: Path, size: int = 1024, writes: int = 100) -> float:
    """Median microseconds to write `size` bytes durably in a fresh folder under `parent`, as the least a durable
    store can do for one acknowledged write: a new file written and fsynced, renamed into place, its folder fsynced."""
    samples = []
    data = os.urandom(size)
    with tempfile.TemporaryDirectory(dir=parent) as folder:
        for index in range(writes):
            staged, final = os.path.join(folder, f"staged-{index}"), os.path.join(folder, f"final-{index}")
            started = time.perf_counter()
            with open(staged, "xb", buffering=0) as file:
                file.write(data)
                os.fsync(file.fileno())
            os.rename(staged, final)
            folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(folder_fd)
            finally:
                os.close(folder_fd)
            samples.append((time.perf_counter() - started) * 1e6)
    return round(statistics.median(samples), 1)


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    """p50, p99 and max of a list of milliseconds, rounded for reading."""
    ordered = sorted(samples_ms)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3),
        "max_ms": round(ordered[-1], 3),
        "n": len(ordered),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_tree(pid: int) -> list[int]:
    """`pid` and every live process below it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    tree, stack = [pid], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            tree.append(child)
            stack.append(child)
    return tree


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    return round(sum(_rss_kb(member) for member in process_tree(pid)) / 1024, 1)


def rss_mb(pid: int) -> float:
    """Resident memory of one process, in MB."""
    return round(_rss_kb(pid) / 1024, 1)


def module_of(pid: int) -> str:
    """The `python -m` module a process runs (`devserver.cli`, `emulator.server`, ...), else its command; raises
    OSError when it has exited."""
    command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    name = command[command.index(b"-m") + 1] if b"-m" in command[:-1] else command[0]
    return name.decode(errors="replace")


def rss_mb_by_module(pid: int) -> dict[str, float]:
    """Resident memory of `pid` and every live process below it, summed per module they run (`module_of`), MB."""
    kilobytes: dict[str, int] = {}
    for member in process_tree(pid):
        try:
            name = module_of(member)
        except OSError:
            continue  # exited meanwhile
        kilobytes[name] = kilobytes.get(name, 0) + _rss_kb(member)
    return {name: round(used / 1024, 1) for name, used in kilobytes.items()}


def _rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0  # gone meanwhile
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) if found else 0


def wait_until_up(url: str, timeout: float = 20.0) -> float:
    """Poll `url` until it answers; returns the seconds it took."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        try:
            httpx.get(url, timeout=1)
            return time.perf_counter() - began
        except httpx.TransportError:
            time.sleep(0.005)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def _wrk_latency_ms(output: str, label: str) -> float:
    found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if not found:
        raise ValueError(f"no {label}% latency in wrk output:\n{output}")
    value, unit = float(found.group(1)), found.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def wrk(url: str, *, connections: int, seconds: int, threads: int = 1) -> dict[str, float]:
    """Requests/s and p50/p99 latency from `wrk --latency`."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: `apt-get install wrk` (make bench installs it)")
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if rps is None:
        raise ValueError(f"no Requests/sec in wrk output:\n{output}")
    return {
        "rps": round(float(rps.group(1))),
        "p50_ms": round(_wrk_latency_ms(output, "50"), 3),
        "p99_ms": round(_wrk_latency_ms(output, "99"), 3),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }
