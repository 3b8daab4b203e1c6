"""`sst-dev invoke --debug`: the command waits for an editor, stops at its breakpoint, then prints the result."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.apps import make_app
from tests.integration.debug_support import DapClient

GREETER = """\
def main(event, context):
    greeting = "hello " + event["name"]
    return {"greeting": greeting}
"""


@pytest.mark.slow
def test_invoke_debug_waits_for_the_editor_and_stops_at_its_breakpoint(tmp_path: Path) -> None:
    app_dir = make_app(tmp_path / "app", 'Function(stack, "greeter", handler="functions/greeter.main")',
                       {"functions/greeter.py": GREETER})  # fmt: skip
    (tmp_path / "event.json").write_text(json.dumps({"name": "Dee"}))
    command = [sys.executable, "-m", "devserver.cli", "invoke", "greeter", "--app", str(app_dir), "--stage", "test",
               "--event", str(tmp_path / "event.json"), "--debug", "--debug-port", "0"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    try:
        announced = next(line for line in process.stderr if line.startswith("debugpy: "))
        assert "(waiting for a debugger to attach)" in announced
        port = int(announced.split(" on 127.0.0.1:")[1].split()[0])

        async def debug() -> None:
            editor = await DapClient.connect(port)
            try:
                await editor.attach({str(app_dir / "functions" / "greeter.py"): [2]})
                thread_id, _, line = await editor.stopped_line()
                assert line == 2
                editor.send("continue", threadId=thread_id)
            finally:
                await editor.close()

        asyncio.run(debug())
        stdout, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert json.loads(stdout) == {"greeting": "hello Dee"}
