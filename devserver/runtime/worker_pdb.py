"""`breakpoint()` in a handler: a pdb prompt on the developer's terminal, lent by the dev server (worker side).

How it works: every worker starts with `PYTHONBREAKPOINT=devserver.runtime.worker_pdb.breakpointhook` and, when
the dev server has a terminal, `SST_DEV_PDB_SOCKET` naming the server's Unix socket (`pdb_terminal.py`).
`breakpoint()` connects there and says which process it is; the server queues it until its terminal is free,
then answers `attached` with the prompt to show (naming the function and the request). pdb reads the lines the
server forwards from its stdin and writes through the server to its stdout, in frames of the private channel's
format (`devserver.runtime.protocol`). The session reports when the handler stops at the prompt (`paused`) and
runs again (`resumed`): the server holds the function's timeout still meanwhile, and this process's pause clock
(`paused_seconds`) keeps `context.get_remaining_time_in_millis()` honest. `c` with no breakpoint left, `q`, or the
end of the invocation (`end_session`) ends the session and gives the terminal back.

Without the socket (no terminal: tests, CI, a server in the background) `breakpoint()` prints one warning line
and the handler goes on: a prompt nobody can answer would only hang the request.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING

from devserver.runtime.protocol import encode_frame, read_frame, write_frame

if TYPE_CHECKING:
    import socket

    from devserver.runtime.session_pdb import SessionPdb

__all__ = [
    "ATTACHED",
    "INPUT",
    "OUTPUT",
    "PAUSED",
    "RESUMED",
    "SESSION",
    "SOCKET_ENV",
    "breakpointhook",
    "end_session",
    "paused_seconds",
]

SOCKET_ENV = "SST_DEV_PDB_SOCKET"
SESSION = "session"
"""worker → server, first: `{"type": "session", "pid": N}`; the server pauses that invocation's timeout."""
ATTACHED = "attached"
"""server → worker: the terminal is this session's; `prompt` is what pdb shows."""
INPUT = "input"
"""server → worker: one `line` typed at the terminal."""
OUTPUT = "output"
"""worker → server: `text` pdb wrote."""
PAUSED = "paused"
RESUMED = "resumed"

IGNORED_WARNING = (
    "[WARNING] breakpoint() ignored: sst-dev has no terminal to open pdb in "
    "(run `sst-dev start` in a terminal, or attach an editor with --debug)"
)

# pdb must not stop in the runtime around the handler (`python -m devserver.runtime.worker` runs as __main__).
_SKIPPED_MODULES = ("devserver.*", "__main__", "awslambdaric.*")

_session: _Session | None = None
_paused_total = 0.0


def paused_seconds() -> float:
    """Seconds this process has spent stopped at a pdb prompt (or waiting for the terminal), all sessions so far."""
    if _session is not None and _session.paused_since is not None:
        return _paused_total + time.monotonic() - _session.paused_since
    return _paused_total


def breakpointhook(*args: object, **kwargs: object) -> None:
    """`sys.breakpointhook` for workers: stop the caller in pdb on the dev server's terminal, or warn and go on."""
    global _session
    path = os.environ.get(SOCKET_ENV)
    if not path:
        print(IGNORED_WARNING, file=sys.stderr, flush=True)
        return
    end_session()
    _session = _Session.connect(path)
    _session.debugger().set_trace(sys._getframe(1))


def end_session() -> None:
    """End the pdb session, if any: the invocation is over, so is its debugging (the worker calls this)."""
    global _session
    if _session is not None:
        sys.settrace(None)
        _session.close()
        _session = None


class _Session:
    """One connection to the server's terminal, used as pdb's stdin and stdout (a `Console`)."""

    def __init__(self, sock: socket.socket, prompt: str) -> None:
        self._sock: socket.socket | None = sock
        self._prompt = prompt
        self.paused_since: float | None = None

    @classmethod
    def connect(cls, path: str) -> _Session:
        import socket

        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(path)
        session = cls(sock, "(Pdb) ")
        write_frame(sock.fileno(), encode_frame({"type": SESSION, "pid": os.getpid()}))
        # The server counts the session as paused from here: waiting for the terminal is the developer's time too.
        session.paused_since = time.monotonic()
        reply = read_frame(sock.fileno())
        if reply is not None and reply.get("type") == ATTACHED:
            session._prompt = str(reply.get("prompt") or session._prompt)
        return session

    def debugger(self) -> SessionPdb:
        from devserver.runtime.session_pdb import SessionPdb  # pdb costs a cold start ~15 ms: only when asked for

        debugger = SessionPdb(self, skip=_SKIPPED_MODULES)
        debugger.prompt = self._prompt
        return debugger

    def pause(self) -> None:
        if self.paused_since is None and self._sock is not None:
            self.paused_since = time.monotonic()
            self._send({"type": PAUSED})

    def resume(self) -> None:
        global _paused_total
        if self.paused_since is not None:
            _paused_total += time.monotonic() - self.paused_since
            self.paused_since = None
            self._send({"type": RESUMED})

    def write(self, text: str) -> int:
        self._send({"type": OUTPUT, "text": text})
        return len(text)

    def readline(self, size: int = -1) -> str:
        """The next line typed at the terminal; "" (pdb's EOF, which quits) once the server is gone."""
        while self._sock is not None:
            message = read_frame(self._sock.fileno())
            if message is None:
                break
            if message.get("type") == INPUT:
                return str(message.get("line", ""))
        return ""

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.resume()
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _send(self, message: dict[str, object]) -> None:
        if self._sock is None:
            return
        try:
            write_frame(self._sock.fileno(), encode_frame(message))
        except OSError:
            self._sock.close()  # the server went away; the handler runs on without a debugger
            self._sock = None
