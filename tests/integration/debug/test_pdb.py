"""`breakpoint()` in a handler: a pdb prompt on the terminal, driven through a pseudo-terminal or a pipe."""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pexpect
import pytest

from devserver.app.model import FunctionSpec
from devserver.debug.debugger import Debugger
from devserver.debug.settings import DebugSettings
from devserver.runtime.pool import WorkerPool

pytestmark = pytest.mark.timeout(60)

FIXTURE_APP = Path(__file__).parents[2] / "fixtures" / "debug_app"
PROMPT = r"\(Pdb stepper [0-9a-f]{8}\) "


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE_APP, tmp_path / "app"))


def invoke_here(app_dir: Path, timeout: float, event: object) -> list[str]:
    return [sys.executable, str(app_dir / "invoke_here.py"), "functions/stepper.main", str(timeout), json.dumps(event)]


@pytest.fixture
def terminal(app_dir: Path) -> Iterator[pexpect.spawn]:
    """The stepper function invoked from a terminal (a pty), with a 1 s timeout."""
    argv = invoke_here(app_dir, 1, {"a": 1, "b": 2})
    child = pexpect.spawn(argv[0], argv[1:], cwd=str(app_dir), encoding="utf-8", timeout=20)
    yield child
    child.close(force=True)


def test_breakpoint_opens_pdb_in_the_terminal_naming_the_function_and_request_and_steps_and_continues(
    terminal: pexpect.spawn,
) -> None:
    terminal.expect(r"--- pdb: stepper, request ([0-9a-f-]{36})")
    request_id = terminal.match.group(1)
    terminal.expect(PROMPT)
    assert terminal.after.strip() == f"(Pdb stepper {request_id[:8]})"
    terminal.sendline("p total")
    terminal.expect(r"\r\n1\r\n")
    terminal.sendline("n")
    terminal.expect(r'-> return \{"total"')
    terminal.expect(PROMPT)
    terminal.sendline("p total")
    terminal.expect(r"\r\n3\r\n")
    terminal.sendline("c")
    terminal.expect("--- pdb session ended: stepper")
    terminal.expect(r"result: (.*)\r\n")
    assert json.loads(terminal.match.group(1))["total"] == 3


def test_time_at_the_prompt_does_not_count_against_the_timeout_or_the_remaining_time(terminal: pexpect.spawn) -> None:
    terminal.expect(PROMPT)
    time.sleep(1.5)  # longer than the function's 1 s timeout
    terminal.sendline("c")
    terminal.expect(r"(result|error): (.*)\r\n")
    assert terminal.match.group(1) == "result", terminal.match.group(2)
    assert 0 < json.loads(terminal.match.group(2))["remaining_ms"] <= 1000


def test_without_a_terminal_breakpoint_is_ignored_with_a_warning_and_the_request_completes(app_dir: Path) -> None:
    completed = subprocess.run(
        invoke_here(app_dir, 5, {"a": 2, "b": 3}),
        cwd=app_dir,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "[WARNING] breakpoint() ignored: sst-dev has no terminal to open pdb in" in completed.stdout
    assert completed.stdout.splitlines()[-1].startswith('result: {"total": 5')


class PipeTerminal:
    """A terminal made of a pipe (what the developer types) and a buffer (what the server shows)."""

    def __init__(self) -> None:
        self.stdin_fd, self._typing = os.pipe()
        self.output = io.StringIO()

    def type(self, line: str) -> None:
        os.write(self._typing, f"{line}\n".encode())

    async def shows(self, text: str, count: int = 1) -> None:
        async with asyncio.timeout(20):
            while self.output.getvalue().count(text) < count:
                await asyncio.sleep(0.02)

    def close(self) -> None:
        os.close(self.stdin_fd)
        os.close(self._typing)


@pytest.fixture
async def pipe_terminal() -> AsyncIterator[PipeTerminal]:
    terminal = PipeTerminal()
    yield terminal
    terminal.close()


@pytest.fixture
async def pool(pipe_terminal: PipeTerminal) -> AsyncIterator[WorkerPool]:
    debugger = Debugger(DebugSettings(pdb=True), stdin_fd=pipe_terminal.stdin_fd, output=pipe_terminal.output)
    await debugger.start()
    pool = WorkerPool(debug=debugger)
    yield pool
    await pool.aclose()
    await debugger.aclose()


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_other_functions_keep_serving_while_one_waits_at_its_prompt(
    app_dir: Path, pool: WorkerPool, pipe_terminal: PipeTerminal, anyio_backend: str
) -> None:
    stepper = FunctionSpec("stepper", "functions/stepper.main", app_dir, timeout=1)
    paused = asyncio.create_task(pool.invoke(stepper, {"a": 10, "b": 5}))
    await pipe_terminal.shows("(Pdb stepper ")
    other = await asyncio.wait_for(
        pool.invoke(FunctionSpec("greeter", "functions/greeter.main", app_dir), {"name": "Ed"}), 20
    )
    assert other.result == {"greeting": "hello Ed"} and not paused.done()
    await asyncio.sleep(1.2)  # past the 1 s timeout, at the prompt
    pipe_terminal.type("c")
    result = await asyncio.wait_for(paused, 20)
    assert result.ok, result.error
    assert result.result["total"] == 15  # type: ignore[index]


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_two_requests_at_breakpoints_take_turns_at_the_terminal(
    app_dir: Path, pool: WorkerPool, pipe_terminal: PipeTerminal, anyio_backend: str
) -> None:
    stepper = FunctionSpec("stepper", "functions/stepper.main", app_dir, timeout=1)
    first = asyncio.create_task(pool.invoke(stepper, {"a": 1, "b": 1}, request_id="first-request"))
    await pipe_terminal.shows("(Pdb stepper first-re) ")
    second = asyncio.create_task(pool.invoke(stepper, {"a": 2, "b": 2}, request_id="second-request"))
    await asyncio.sleep(1.5)  # the second waits its turn, paused too: no timeout
    assert "second-request" not in pipe_terminal.output.getvalue()
    pipe_terminal.type("c")
    await pipe_terminal.shows("(Pdb stepper second-r) ")
    assert (await asyncio.wait_for(first, 20)).result["total"] == 2  # type: ignore[index]
    pipe_terminal.type("c")
    assert (await asyncio.wait_for(second, 20)).result["total"] == 4  # type: ignore[index]
