"""Worker faults stay with the request that caused them: timeouts, crashes, memory, and a clean shutdown."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from devserver.app.model import FunctionSpec
from devserver.runtime.pool import WorkerPool
from tests.apps import copy_fixture_app

pytestmark = pytest.mark.anyio


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    return copy_fixture_app("runtime_app", tmp_path)


def function(app_dir: Path, handler: str, **options: object) -> FunctionSpec:
    name = handler.replace("/", "-").replace(".", "-")
    return FunctionSpec(name=name, handler=handler, app_dir=app_dir, **options)  # type: ignore[arg-type]


def is_running(pid: int) -> bool:
    """Alive and not a zombie, read from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def wait_until(condition: Callable[[], bool]) -> None:
    """Poll `condition` (a killed process is reaped asynchronously); fails after five seconds."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition never became true")


def children_of(pid: int) -> set[int]:
    """Live direct children of `pid`, read from /proc."""
    children = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                children.add(int(entry))
    return children


async def test_a_timed_out_invocation_kills_its_worker_and_the_next_one_runs(app_dir: Path) -> None:
    pool = WorkerPool()
    try:
        sleeper = function(app_dir, "functions/faults.sleep", timeout=1)
        warm = await pool.invoke(sleeper, {"seconds": 0})
        timed_out = await pool.invoke(sleeper, {"seconds": 30})
        assert timed_out.error is not None
        assert (timed_out.error.error_type, timed_out.error.error_message) == (
            "Sandbox.Timedout",
            "Task timed out after 1.00 seconds",
        )
        await wait_until(lambda: not is_running(warm.result["pid"]))  # type: ignore[index]
        after = await pool.invoke(sleeper, {"seconds": 0})
        assert after.ok and after.cold
    finally:
        await pool.aclose()


@pytest.mark.parametrize(
    ("handler", "reason"),
    [
        ("functions/faults.exit", "Runtime exited with error: exit status 3"),
        ("functions/faults.hard_exit", "Runtime exited with error: exit status 7"),
        ("functions/faults.segfault", "Runtime exited with error: signal: segmentation fault"),
    ],
)
async def test_a_worker_that_dies_mid_invocation_is_reported_and_replaced(
    app_dir: Path, handler: str, reason: str
) -> None:
    pool = WorkerPool()
    try:
        dying = function(app_dir, handler)
        invocation = await pool.invoke(dying, {}, request_id="req-1")
        assert invocation.error is not None
        assert invocation.error.error_type == "Runtime.ExitError"
        assert invocation.error.error_message == f"RequestId: req-1 Error: {reason}"
        assert pool.worker_count() == 0
        hello = await pool.invoke(function(app_dir, "functions/hello.main"), {})
        assert hello.ok
        again = await pool.invoke(dying, {})
        assert again.cold and again.error is not None and again.error.error_type == "Runtime.ExitError"
    finally:
        await pool.aclose()


async def test_allocating_past_memory_size_fails_that_request_only(app_dir: Path) -> None:
    pool = WorkerPool()
    try:
        allocator = function(app_dir, "functions/faults.allocate", memory_size=128)
        small = await pool.invoke(allocator, {"mb": 32})
        assert small.ok and small.result["allocated"] == 32  # type: ignore[index]
        too_big = await pool.invoke(allocator, {"mb": 256}, request_id="req-oom")
        assert too_big.error is not None
        assert too_big.error.error_type == "Runtime.OutOfMemory"
        assert too_big.error.error_message == (
            "RequestId: req-oom Error: Runtime exited with error: memory_size of 128 MB exceeded"
        )
        roomy = function(app_dir, "functions/faults.allocate", memory_size=1024)
        assert (await pool.invoke(roomy, {"mb": 256})).ok  # other settings, other limit
        after = await pool.invoke(allocator, {"mb": 32})
        assert after.ok and after.cold  # the worker that ran out of memory was replaced, as Lambda does
    finally:
        await pool.aclose()


async def test_aclose_leaves_no_worker_or_grandchild_behind(app_dir: Path) -> None:
    pool = WorkerPool()
    before = children_of(os.getpid())
    spawner = await pool.invoke(function(app_dir, "functions/faults.spawn_grandchild"), {})
    grandchild = spawner.result["grandchild"]  # type: ignore[index]
    sleeper = function(app_dir, "functions/faults.sleep")
    busy = asyncio.ensure_future(pool.invoke(sleeper, {"seconds": 30}))
    await pool.invoke(function(app_dir, "functions/hello.main"), {})
    assert len(children_of(os.getpid()) - before) == 3 and is_running(grandchild)

    await pool.aclose()

    assert children_of(os.getpid()) - before == set()
    assert not is_running(grandchild)
    assert pool.worker_count() == 0
    interrupted = await busy
    assert interrupted.error is not None and interrupted.error.error_type == "Runtime.ExitError"


async def test_a_worker_that_cannot_be_spawned_raises_and_leaves_nothing_counted(app_dir: Path) -> None:
    pool = WorkerPool(python=str(app_dir / "no-such-python"))
    try:
        with pytest.raises(FileNotFoundError):
            await pool.invoke(function(app_dir, "functions/hello.main"), {})
        assert pool.worker_count() == 0
    finally:
        await pool.aclose()


async def test_a_worker_exiting_while_it_loads_the_handler_is_an_exit_error(app_dir: Path) -> None:
    pool = WorkerPool()
    try:
        invocation = await pool.invoke(function(app_dir, "functions/exits_at_import.main"), {}, request_id="req-4")
        assert invocation.cold and invocation.error is not None
        assert (invocation.error.error_type, invocation.error.error_message) == (
            "Runtime.ExitError",
            "RequestId: req-4 Error: Runtime exited with error: exit status 4",
        )
    finally:
        await pool.aclose()
