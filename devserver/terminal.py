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
from rich.text import Text

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

    def _emit(self, *parts: tuple[str, str | None]) -> None:
        """Write one line made of (text, style) parts; styles apply only on a colour terminal."""
        with self._lock:
            if self.color:
                self._rich.print(Text.assemble(*((text, style or "") for text, style in parts)))
            else:
                self.stream.write("".join(text for text, _ in parts) + "\n")
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
        self._emit((f"sst-dev  app {app}  stage {stage}  ready in {seconds * 1000:.0f} ms", "bold"))
        for api_id, url in apis:
            self._emit((f"  Api {api_id:<12} {url}", "bold"))
        if console_url:
            self._emit((f"  Console      {console_url}", "bold"))
        if emulator:
            self._emit((f"  Emulator     {emulator}", "bold"))
        for key, handler in routes:
            self._emit((f"    {key:<32} {handler}", "dim"))

    def request(self, method: str, path: str, status: int, invocation: Invocation | None) -> None:
        """One line per API request: method, path, status, duration, cold, function."""
        if invocation is None:
            # Answered by the gateway itself: no route (404), a path it refuses (400), the authorizer (401/403).
            reason = {404: "no route", 400: "bad path", 401: "unauthorized", 403: "forbidden"}.get(status, "")
            self._emit((f"{_clock()} {method:<6} {path}  {status}  ({reason})", "dim"))
            return
        # As Lambda's REPORT line: the handler's duration, and the cold start's init duration apart from it.
        init = invocation.init_duration_ms
        cold = "" if not invocation.cold else " cold" if init is None else f" (cold start {init:.0f} ms)"
        took = f"{invocation.duration_ms:.0f} ms{cold}"
        line = f"{_clock()} {method:<6} {path}  {status}  {took}  {invocation.function_name}"
        self._emit((line, _STATUS_STYLE.get(status // 100)))
        if invocation.error is not None:
            self.error(invocation.function_name, invocation)

    def error(self, function_name: str, invocation: Invocation) -> None:
        """A handler error with its traceback, as Lambda would log it."""
        error = invocation.error
        assert error is not None
        trace = "".join(error.stack_trace).rstrip()
        self._emit(
            (f"  {function_name} {invocation.request_id} {error.error_type}: {error.error_message}", "red"),
            ("\n" + trace if trace else "", None),
        )

    def log(self, function_name: str, request_id: str | None, line: str) -> None:
        """A line a handler printed or logged, prefixed with its function."""
        self._emit((f"  {function_name} |", "dim"), (f" {line}", None))

    def info(self, message: str) -> None:
        self._emit((message, "cyan"))

    def warning(self, message: str) -> None:
        self._emit((message, "yellow"))


def _clock() -> str:
    return time.strftime("%H:%M:%S")
