"""The pdb a handler's `breakpoint()` opens (worker side): it reports its prompt to the dev server's clock."""

from __future__ import annotations

import pdb
from collections.abc import Iterable
from types import FrameType, TracebackType
from typing import IO, Protocol, cast

__all__ = ["Console", "SessionPdb"]


class Console(Protocol):
    """The session's terminal: pdb's stdin and stdout, and the clock of the function it debugs."""

    def write(self, text: str) -> int: ...

    def readline(self, size: int = -1) -> str: ...

    def flush(self) -> None: ...

    def pause(self) -> None:
        """The handler stopped at the prompt."""

    def resume(self) -> None:
        """The handler runs again."""

    def close(self) -> None:
        """The session is over: the terminal goes back to the server."""


class SessionPdb(pdb.Pdb):
    """pdb on a `Console`: its prompt pauses the function's clock, and `c` or `q` end the session."""

    def __init__(self, console: Console, *, skip: Iterable[str]) -> None:
        stream = cast(IO[str], console)
        super().__init__(stdin=stream, stdout=stream, skip=skip, nosigint=True)
        self.console = console

    def interaction(self, frame: FrameType | None, traceback: TracebackType | None) -> None:
        self.console.pause()
        try:
            super().interaction(frame, traceback)
        finally:
            self.console.resume()

    def set_continue(self) -> None:
        super().set_continue()
        if not self.breaks:
            self.console.close()  # nothing can stop the handler again: give the terminal back now

    def set_quit(self) -> None:
        super().set_quit()
        self.console.close()
