"""Run the dev server for a test: in-process on a thread with its own event loop, or as a real `sst-dev start`."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import httpx

from devserver.server import DevServer, ServerOptions
from devserver.terminal import Terminal
from devserver.testing.background import BackgroundServer

REPO = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def eventually(check: Callable[[], T], timeout: float = 20.0) -> T:
    """The first truthy result of `check()`, polled until `timeout` seconds have passed (then the test fails)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError("the condition never became true")


class ServerThread:
    """A `DevServer` on ephemeral loopback ports, its terminal output captured in `output`."""

    def __init__(self, app_dir: Path, stage: str = "test", *, publish: bool = True, enforce_iam: bool = True) -> None:
        self.output = io.StringIO()
        options = ServerOptions(app_dir=app_dir, stage=stage, port=0, publish=publish, enforce_iam=enforce_iam)
        self.server = DevServer(options, terminal=Terminal(self.output))
        self._background = BackgroundServer(self.server)

    def __enter__(self) -> ServerThread:
        self._background.start(30)
        return self

    def __exit__(self, *exc: object) -> None:
        self._background.stop(15)

    def call(self, function: Callable[[], T]) -> T:
        """Call `function` on the server's loop (for objects that belong to it) and return its result."""
        return self._background.call(function)

    def url(self, api_id: str = "api") -> str:
        return self.server.api_url(api_id)

    def client(self, api_id: str = "api") -> httpx.Client:
        return httpx.Client(base_url=self.url(api_id), timeout=30)

    def wait_for_output(self, text: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output.getvalue():
                return self.output.getvalue()
            time.sleep(0.02)
        raise AssertionError(f"{text!r} never printed; output was:\n{self.output.getvalue()}")


def sst_dev(*args: str, cwd: Path | None = None, **kwargs: object) -> subprocess.Popen[str]:
    """A real `sst-dev` process in its own process group, stdout and stderr merged."""
    return subprocess.Popen(
        [sys.executable, "-m", "devserver.cli", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        **kwargs,  # type: ignore[arg-type]
    )


@contextmanager
def started(app_dir: Path, *extra: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`sst-dev start` on a free port; yields the process and the Api's URL once it printed it."""
    process = sst_dev("start", "--app", str(app_dir), "--port", "0", "--stage", "test", *extra)
    assert process.stdout is not None
    try:
        url = ""
        for line in process.stdout:
            if line.strip().startswith("Api "):
                url = line.split()[-1]
                break
        assert url, f"sst-dev start never printed an Api URL (exit {process.poll()})"
        yield process, url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
