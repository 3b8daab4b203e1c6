"""What `sst-dev start` prints: the startup summary, one line per invocation, handler output, errors.

Colour (through rich) only on a TTY. Under load an invocation line is printed thousands of times a second, and
rich's rendering of one (~40 us) would cost more than the invocation itself. So off a TTY every line is written
as plain text with one `write`; on a TTY, rich renders each style once (`_StyleCodes`) and a line made of
single-line parts is written as those codes around its text, the bytes rich would write for it. Text with a tab or
a newline, which rich lays out (tab stops, a style per line), still goes through rich.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from functools import lru_cache
from typing import TextIO

from rich.console import Console
from rich.control import strip_control_codes
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
        self._styles = _StyleCodes(self._rich)
        self._lock = threading.Lock()

    def _emit(self, *parts: tuple[str, str | None]) -> None:
        """Write one line made of (text, style) parts; styles apply only on a colour terminal."""
        with self._lock:
            if not self.color:
                line = "".join(text for text, _ in parts)
            elif any("\t" in text or "\n" in text for text, _ in parts):
                self._rich.print(Text.assemble(*((text, style or "") for text, style in parts)))
                return
            else:
                line = "".join(self._styles.wrap(strip_control_codes(text), style) for text, style in parts)
            self.stream.write(line + "\n")
            self.stream.flush()

    def ready(
        self,
        *,
        app: str,
        stage: str,
        apis: Sequence[tuple[str, str]],
        console_url: str | None,
        websocket_apis: Sequence[tuple[str, str]] = (),
        emulator: str | None,
        routes: Sequence[tuple[str, str]],
        seconds: float,
    ) -> None:
        """The startup summary: where everything is, and what is mounted."""
        self._emit((f"sst-dev  app {app}  stage {stage}  ready in {seconds * 1000:.0f} ms", "bold"))
        for api_id, url in apis:
            self._emit((f"  Api {api_id:<12} {url}", "bold"))
        for api_id, url in websocket_apis:
            self._emit((f"  WebSocketApi {api_id:<3} {url}", "bold"))
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

    def delivery(self, ok: bool, summary: str, function_name: str, invocation: Invocation) -> None:
        """One line per event delivered to a function (any trigger), and the handler's error when it failed."""
        if ok:
            self.info(summary)
            return
        self.warning(summary)
        if invocation.error is not None:
            self.error(function_name, invocation)

    def log(self, function_name: str, request_id: str | None, line: str) -> None:
        """A line a handler printed or logged, prefixed with its function."""
        self._emit((f"  {function_name} |", "dim"), (f" {line}", None))

    def info(self, message: str) -> None:
        self._emit((message, "cyan"))

    def warning(self, message: str) -> None:
        self._emit((message, "yellow"))


class _StyleCodes:
    """The escape codes rich writes before and after text in each style, rendered once per style by rich itself."""

    _PROBE = "\ue000"  # a private-use character: never restyled, never stripped

    def __init__(self, console: Console) -> None:
        self._console = console
        self._codes: dict[str, tuple[str, str]] = {}

    def wrap(self, text: str, style: str | None) -> str:
        if not style or not text:
            return text
        codes = self._codes.get(style)
        if codes is None:
            with self._console.capture() as captured:
                self._console.print(Text(self._PROBE, style=style), end="")
            before, _, after = captured.get().partition(self._PROBE)
            codes = self._codes[style] = (before, after)
        return f"{codes[0]}{text}{codes[1]}"


def _clock() -> str:
    return _clock_of_second(int(time.time()))


@lru_cache(maxsize=2)  # every line printed in the same second shares one string
def _clock_of_second(epoch_second: int) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch_second))
