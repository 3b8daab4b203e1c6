"""What `sst-dev start` prints: the startup summary, one line per invocation, handler output, errors.

Colour (through rich) only on a TTY. Off a TTY every line is written as plain text with one `write`, because
under load an invocation line is printed thousands of times a second and rich's rendering would cost more than
the invocation itself.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from devserver.runtime.invocation import Invocation

__all__ = ["Terminal"]

_STATUS_STYLE = {2: "green", 3: "cyan", 4: "yellow", 5: "red"}


class Terminal:
    """Writes the dev server's output to one stream (stdout by default), safely from several threads."""

    def __init__(self, stream: TextIO | None = None, *, color: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.color = self.stream.isatty() if color is None else color
        self._rich = Console(file=self.stream, force_terminal=self.color, highlight=False, soft_wrap=True)
        self._lock = threading.Lock()

    def _emit(self, plain: str, markup: str | None = None) -> None:
        with self._lock:
            if self.color and markup is not None:
                self._rich.print(markup)
            else:
                self.stream.write(plain + "\n")
                self.stream.flush()

    def ready(
        self,
        *,
        app: str,
        stage: str,
        apis: Sequence[tuple[str, str]],
        console_url: str | None,
        emulator: str | None,
        routes: Sequence[tuple[str, str]],
        seconds: float,
    ) -> None:
        """The startup summary: where everything is, and what is mounted."""
        lines = [f"sst-dev  app {app}  stage {stage}  ready in {seconds * 1000:.0f} ms"]
        lines += [f"  Api {api_id:<12} {url}" for api_id, url in apis]
        if console_url:
            lines.append(f"  Console      {console_url}")
        if emulator:
            lines.append(f"  Emulator     {emulator}")
        lines += [f"    {key:<32} {handler}" for key, handler in routes]
        for line in lines:
            self._emit(line, f"[bold]{escape(line)}[/]" if not line.startswith("    ") else f"[dim]{escape(line)}[/]")

    def request(self, method: str, path: str, status: int, invocation: Invocation | None) -> None:
        """One line per API request: method, path, status, duration, cold, function."""
        if invocation is None:
            line = f"{_clock()} {method:<6} {path}  {status}  (no route)"
            self._emit(line, f"[dim]{escape(line)}[/]")
            return
        cold = " cold" if invocation.cold else ""
        took = f"{invocation.duration_ms:.0f} ms{cold}"
        line = f"{_clock()} {method:<6} {path}  {status}  {took}  {invocation.function_name}"
        style = _STATUS_STYLE.get(status // 100, "white")
        self._emit(line, f"[{style}]{escape(line)}[/]")
        if invocation.error is not None:
            self.error(invocation.function_name, invocation)

    def error(self, function_name: str, invocation: Invocation) -> None:
        """A handler error with its traceback, as Lambda would log it."""
        error = invocation.error
        assert error is not None
        text = f"  {function_name} {invocation.request_id} {error.error_type}: {error.error_message}"
        trace = "".join(error.stack_trace).rstrip()
        self._emit(
            text + ("\n" + trace if trace else ""), f"[red]{escape(text)}[/]" + (f"\n{escape(trace)}" if trace else "")
        )

    def log(self, function_name: str, request_id: str | None, line: str) -> None:
        """A line a handler printed or logged, prefixed with its function."""
        prefix = f"  {function_name} |"
        self._emit(f"{prefix} {line}", f"[dim]{escape(prefix)}[/] {escape(line)}")

    def info(self, message: str) -> None:
        self._emit(message, f"[cyan]{escape(message)}[/]")

    def warning(self, message: str) -> None:
        self._emit(message, f"[yellow]{escape(message)}[/]")


def _clock() -> str:
    return time.strftime("%H:%M:%S")
