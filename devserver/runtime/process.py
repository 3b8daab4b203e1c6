"""One worker's operating-system process: spawned in its own session, its output captured, killed as a group.

How it works: `WorkerProcess.spawn` starts the command with stdin from /dev/null and stdout and stderr on one pipe
(Lambda merges them into one log stream too). The parent reads that pipe with `loop.add_reader` and hands complete
lines to `on_line`; `drain()` reads whatever is already in the pipe synchronously, so a sandbox can collect every
line a handler printed before its answer, which travelled through a different channel. The exit is noticed through
a pidfd in the same loop (no watcher thread per child). The process leads a new session, so `kill()` reaches any
grandchild the handler started and none outlives the pool. `memory_size` becomes RLIMIT_DATA (see `memory_limit`).
"""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from devserver.runtime.protocol import LogLineBuffer

__all__ = ["THREAD_STACK_ALLOWANCE_MB", "WorkerProcess", "memory_limit"]

THREAD_STACK_ALLOWANCE_MB = 64
"""Room in the memory limit for reserved-but-untouched thread stacks (8 MB each); see `memory_limit`."""

_READ_SIZE = 1 << 16
_MIB = 1024 * 1024


def memory_limit(memory_size: int) -> int:
    """The RLIMIT_DATA, in bytes, for a function configured with `memory_size` MB.

    Lambda counts the memory a sandbox really touches; an rlimit can only count address space, so we pick the one
    closest to it. Measured on this project's Python 3.11: an idle worker with boto3 loaded has VmSize ≈ 56 MB,
    VmData ≈ 40 MB, RSS ≈ 51 MB; ten threads add ≈ 740 MB of VmSize (malloc arenas reserved, untouched) but only
    80 MB of VmData (their 8 MB stacks). RLIMIT_AS would thus fail any threaded handler (boto3's S3 transfers use
    ten threads); RLIMIT_DATA (Linux ≥ 4.7: heap and private writable mappings) tracks real use, plus reserved
    thread stacks, which Lambda would not count: `THREAD_STACK_ALLOWANCE_MB` leaves room for eight of them.
    So at `memory_size=128` a handler can allocate 100 MB, and one allocating 256 MB gets MemoryError (reported as
    `Runtime.OutOfMemory` for that request; the pool then replaces the worker, as Lambda replaces the sandbox).
    """
    return (memory_size + THREAD_STACK_ALLOWANCE_MB) * _MIB


class WorkerProcess:
    """A started worker process; see the module docstring."""

    def __init__(self, popen: subprocess.Popen[bytes], log_fd: int, on_line: Callable[[str], None]) -> None:
        self.pid = popen.pid
        self._popen = popen
        self._loop = asyncio.get_running_loop()
        self._log_fd: int | None = log_fd
        self._lines = LogLineBuffer()
        self._on_line = on_line
        self._exit_callbacks: list[Callable[[int], None]] = []
        self.exited: asyncio.Future[int] = self._loop.create_future()
        self._pidfd = os.pidfd_open(popen.pid)
        self._loop.add_reader(log_fd, self._read_logs)
        self._loop.add_reader(self._pidfd, self._reap)

    @classmethod
    def spawn(
        cls,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        memory_size: int,
        on_line: Callable[[str], None],
        pass_fds: Sequence[int] = (),
    ) -> WorkerProcess:
        """Start `argv`; must run inside the event loop that will serve it."""
        log_read, log_write = os.pipe()
        try:
            popen = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log_write,
                stderr=log_write,
                pass_fds=tuple(pass_fds),
                cwd=cwd,
                env=dict(env),
                start_new_session=True,
            )
        except BaseException:
            os.close(log_read)
            raise
        finally:
            os.close(log_write)
        limit = memory_limit(memory_size)
        try:
            resource.prlimit(popen.pid, resource.RLIMIT_DATA, (limit, limit))
        except ProcessLookupError:
            pass  # already gone; the exit is reported through the pidfd like any other
        os.set_blocking(log_read, False)
        return cls(popen, log_fd=log_read, on_line=on_line)

    @property
    def returncode(self) -> int | None:
        return self._popen.returncode

    def add_exit_callback(self, callback: Callable[[int], None]) -> None:
        """Call `callback(returncode)` once the process has exited (after its output was drained)."""
        self._exit_callbacks.append(callback)

    def drain(self) -> None:
        """Pass on every line already written, including a last line without its newline."""
        self._read_logs()
        for line in self._lines.flush():
            self._on_line(line)

    def kill(self) -> None:
        """SIGKILL the whole process group; a worker owes nothing at this point, so no grace period."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    async def wait(self) -> int:
        return await asyncio.shield(self.exited)

    def _read_logs(self) -> None:
        while self._log_fd is not None:
            try:
                data = os.read(self._log_fd, _READ_SIZE)
            except BlockingIOError:
                return
            if not data:
                self._close_logs()
                return
            for line in self._lines.feed(data):
                self._on_line(line)

    def _close_logs(self) -> None:
        if self._log_fd is not None:
            self._loop.remove_reader(self._log_fd)
            os.close(self._log_fd)
            self._log_fd = None

    def _reap(self) -> None:
        self._loop.remove_reader(self._pidfd)
        os.close(self._pidfd)
        returncode = self._popen.wait()
        self.drain()
        # Grandchildren may keep the log pipe open; they are killed with the group, so stop reading now.
        self.kill()
        self._close_logs()
        self.exited.set_result(returncode)
        for callback in self._exit_callbacks:
            callback(returncode)
