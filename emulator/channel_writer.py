"""The emulator's end of the channel to its parent: lines written in order, never blocking the request that sends.

How it works: the pipe is made non-blocking. `send` writes a line at once when no earlier line is still waiting and
the pipe has room — the usual case, so a PutObject's event costs one `write` and wakes no thread. Otherwise the line
(or the part the pipe did not take) joins a backlog, and a writer thread drains it, waiting for room between
writes, so lines keep their order and a parent slow to read never stalls a request. Waking that thread for every
line instead cost more than moto's own handling of a small PutObject on a busy 2-core machine. A broken pipe (the
parent is gone) drops lines from then on; the lifeline ends the process.
"""

from __future__ import annotations

import os
import select
import threading
from collections import deque

from emulator.channel import encode_s3_event, encode_service_event
from emulator.s3.events import RawS3Event

__all__ = ["ChannelWriter"]

ROOM_WAIT_SECONDS = 1.0


class ChannelWriter:
    """Writes lines to the pipe `fd` (which it owns and closes) as described in the module docstring."""

    def __init__(self, fd: int) -> None:
        os.set_blocking(fd, False)
        self._fd = fd
        self._lock = threading.Lock()
        self._waiting = threading.Condition(self._lock)
        self._backlog: deque[bytes] = deque()
        self._closing = False
        self._broken = False
        self._thread = threading.Thread(target=self._drain, name="emulator-channel", daemon=True)
        self._thread.start()

    def send(self, line: bytes) -> None:
        with self._lock:
            if self._broken or self._closing:
                return
            if not self._backlog:
                line = self._write_some(line)
                if not line:
                    return
            self._backlog.append(line)
            self._waiting.notify()

    def send_s3_event(self, event: RawS3Event) -> None:
        self.send(encode_s3_event(event))

    def send_service_event(self, service: str, event: dict[str, object]) -> None:
        self.send(encode_service_event(service, event))

    def close(self, timeout: float = 5.0) -> None:
        """Write what is waiting (for up to `timeout` seconds), then close the pipe."""
        with self._lock:
            self._closing = True
            self._waiting.notify()
        self._thread.join(timeout)

    def _write_some(self, data: bytes) -> bytes:
        """Write what the pipe takes of `data` now; the rest. Called with the lock held."""
        try:
            written = os.write(self._fd, data)
        except BlockingIOError:
            return data
        except BrokenPipeError:
            self._broken = True
            self._backlog.clear()
            return b""
        return data[written:]

    def _drain(self) -> None:
        try:
            while True:
                with self._lock:
                    while not self._backlog and not self._closing:
                        self._waiting.wait()
                    if not self._backlog:
                        return  # closing, and everything is written
                    rest = self._write_some(self._backlog[0])
                    if rest:
                        self._backlog[0] = rest
                    else:
                        self._backlog.popleft()
                if rest:
                    select.select([], [self._fd], [], ROOM_WAIT_SECONDS)  # outside the lock: senders queue meanwhile
        finally:
            os.close(self._fd)
