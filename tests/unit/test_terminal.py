"""What the dev server prints: the same bytes rich would write on a colour terminal, plain text elsewhere."""

from __future__ import annotations

import io
import re

from rich.console import Console
from rich.text import Text

from devserver.runtime.invocation import Invocation, LambdaError
from devserver.terminal import Terminal


def _rich_line(*parts: tuple[str, str]) -> str:
    """How rich itself renders one line of (text, style) parts on a colour terminal."""
    stream = io.StringIO()
    Console(file=stream, force_terminal=True, highlight=False, soft_wrap=True).print(Text.assemble(*parts))
    return stream.getvalue()


def _colour_terminal() -> tuple[Terminal, io.StringIO]:
    stream = io.StringIO()
    return Terminal(stream, color=True), stream


def _invocation(status_error: LambdaError | None = None) -> Invocation:
    return Invocation(request_id="req-1", function_name="hello", duration_ms=1.2, cold=False, error=status_error)


def test_a_handler_line_on_a_colour_terminal_is_what_rich_writes() -> None:
    terminal, stream = _colour_terminal()
    terminal.log("hello", "req-1", "it works ✓")
    terminal.info("Reloaded")
    assert stream.getvalue() == _rich_line(("  hello |", "dim"), (" it works ✓", "")) + _rich_line(("Reloaded", "cyan"))


def test_a_line_with_tabs_is_laid_out_by_rich_at_its_tab_stops() -> None:
    terminal, stream = _colour_terminal()
    terminal.log("hello", "req-1", "[INFO]\t2026-11-22T10:00:00.000Z\treq-1\tmessage")
    assert stream.getvalue() == _rich_line(
        ("  hello |", "dim"), (" [INFO]\t2026-11-22T10:00:00.000Z\treq-1\tmessage", "")
    )
    assert "\t" not in stream.getvalue()


def test_an_invocation_line_is_coloured_by_its_status_and_carries_no_control_characters_from_the_path() -> None:
    terminal, stream = _colour_terminal()
    terminal.request("GET", "/ring\x07bell", 200, _invocation())
    assert re.fullmatch(r"\x1b\[32m\d\d:\d\d:\d\d GET    /ringbell  200  1 ms  hello\x1b\[0m\n", stream.getvalue())


def test_a_failed_invocation_prints_its_line_then_the_error_with_its_traceback() -> None:
    terminal, stream = _colour_terminal()
    error = LambdaError("ValueError", "boom", ('  File "/app/handler.py", line 2, in main\n',))
    terminal.request("GET", "/boom", 500, _invocation(error))
    line, error_lines = stream.getvalue().split("\n", 1)
    assert line.startswith("\x1b[31m") and line.endswith("GET    /boom  500  1 ms  hello\x1b[0m")
    assert error_lines == _rich_line(
        ("  hello req-1 ValueError: boom", "red"), ('\n  File "/app/handler.py", line 2, in main', "")
    )


def test_off_a_terminal_lines_are_plain_text() -> None:
    stream = io.StringIO()
    terminal = Terminal(stream, color=False)
    terminal.request("GET", "/", 200, _invocation())
    terminal.log("hello", "req-1", "[INFO]\tmessage")
    printed = stream.getvalue().splitlines()
    assert re.fullmatch(r"\d\d:\d\d:\d\d GET    /  200  1 ms  hello", printed[0])
    assert printed[1] == "  hello | [INFO]\tmessage"
