"""Editors attach to debugged functions through debugpy: a DAP client stands in for VS Code."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from devserver.app.model import FunctionSpec
from devserver.commands.invoke_debug import invoke_settings, invoke_with_debugger
from devserver.debug.debugger import Debugger
from devserver.debug.settings import DebugSettings
from devserver.runtime.pool import WorkerPool
from tests.apps import copy_fixture_app
from tests.integration.debug_support import DapClient

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

GREETING_LINE = 2  # `greeting = "hello " + event["name"]` in functions/greeter.py


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    return copy_fixture_app("debug_app", tmp_path)


def greeter(app_dir: Path, timeout: float = 10) -> FunctionSpec:
    return FunctionSpec("greeter", "functions/greeter.main", app_dir, timeout=timeout)


@pytest.fixture
async def debugger() -> AsyncIterator[Debugger]:
    announced: list[str] = []
    debugger = Debugger(
        DebugSettings(debugpy=True, debugpy_functions=("greeter",), debugpy_port=0), announce=announced.append
    )
    await debugger.start()
    yield debugger
    await debugger.aclose()


@pytest.fixture
async def pool(debugger: Debugger) -> AsyncIterator[WorkerPool]:
    pool = WorkerPool(debug=debugger)
    yield pool
    await pool.aclose()


async def test_an_editor_attached_before_the_first_request_stops_at_its_breakpoint_and_the_request_waits(
    app_dir: Path, debugger: Debugger, pool: WorkerPool
) -> None:
    function = greeter(app_dir, timeout=1)
    port = (await debugger.expose([function]))["greeter"]
    editor = await DapClient.connect(port)
    try:
        attaching = asyncio.create_task(editor.attach({str(app_dir / "functions" / "greeter.py"): [GREETING_LINE]}))
        invocation = asyncio.create_task(pool.invoke(function, {"name": "Ada"}))
        await attaching
        thread_id, path, line = await editor.stopped_line()
        assert (Path(path).name, line) == ("greeter.py", GREETING_LINE)
        await asyncio.sleep(1.5)  # stopped longer than the function's 1 s timeout: the clock stands still
        assert not invocation.done()
        await editor.request("setBreakpoints", source={"path": path}, breakpoints=[])
        await editor.request("continue", threadId=thread_id)
        result = await asyncio.wait_for(invocation, 20)
        assert result.ok, result.error
        assert result.result == {"greeting": "hello Ada"}
    finally:
        await editor.close()


async def test_other_functions_keep_serving_while_one_is_stopped_in_the_editor(
    app_dir: Path, debugger: Debugger, pool: WorkerPool
) -> None:
    function = greeter(app_dir)
    port = (await debugger.expose([function]))["greeter"]
    await pool.invoke(function, {"name": "warm"})  # a live worker: the editor reaches it at once
    editor = await DapClient.connect(port)
    try:
        await editor.attach({str(app_dir / "functions" / "greeter.py"): [GREETING_LINE]})
        invocation = asyncio.create_task(pool.invoke(function, {"name": "Bob"}))
        thread_id, _, _ = await editor.stopped_line()
        other = FunctionSpec("other", "functions/greeter.main", app_dir)
        served = await asyncio.wait_for(pool.invoke(other, {"name": "Cy"}), 20)
        assert served.result == {"greeting": "hello Cy"} and not invocation.done()
        await editor.request("continue", threadId=thread_id)
        assert (await asyncio.wait_for(invocation, 20)).result == {"greeting": "hello Bob"}
    finally:
        await editor.close()


async def test_the_timeout_still_applies_while_the_editor_is_attached_but_the_function_runs(
    app_dir: Path, debugger: Debugger, pool: WorkerPool
) -> None:
    (app_dir / "functions" / "spinner.py").write_text("import time\n\ndef main(event, context):\n    time.sleep(30)\n")
    function = FunctionSpec("greeter", "functions/spinner.main", app_dir, timeout=1)
    port = (await debugger.expose([function]))["greeter"]
    await pool.invoke(greeter(app_dir), {"name": "warm"})
    editor = await DapClient.connect(port)
    try:
        await editor.attach({})
        result = await asyncio.wait_for(pool.invoke(function, {}), 20)
        assert result.error is not None and result.error.error_type == "Sandbox.Timedout"
    finally:
        await editor.close()


async def test_invoke_debug_waits_for_the_editor_then_stops_at_its_breakpoint(app_dir: Path) -> None:
    function = greeter(app_dir)
    announced: asyncio.Queue[str] = asyncio.Queue()
    settings = invoke_settings(function, debugpy=True, terminal=False, port=0)
    invocation = asyncio.create_task(
        invoke_with_debugger(function, {"name": "Dee"}, settings, announce=announced.put_nowait)
    )
    line = await asyncio.wait_for(announced.get(), 20)
    assert line.startswith("debugpy: greeter (functions/greeter.main) on 127.0.0.1:")
    assert line.endswith(" (waiting for a debugger to attach)")
    editor = await DapClient.connect(int(line.split(" on 127.0.0.1:")[1].split()[0]))
    try:
        await asyncio.sleep(0.5)
        assert not invocation.done()  # nothing runs before the editor is there
        await editor.attach({str(app_dir / "functions" / "greeter.py"): [GREETING_LINE]})
        thread_id, _, stopped_at = await editor.stopped_line()
        assert stopped_at == GREETING_LINE
        editor.send("continue", threadId=thread_id)  # the answer may not come: the worker ends with the invocation
        result = await asyncio.wait_for(invocation, 20)
        assert result.result == {"greeting": "hello Dee"}
    finally:
        await editor.close()
