"""One debugged function's debug port: relays an editor's DAP session to the function's current worker.

How it works: workers are disposable (a code change replaces them), so an editor never talks to one directly.
The relay listens on the function's printed port for the whole session and, when an editor connects, opens a
connection to the debugpy adapter of the function's live worker (its port comes with the worker's `next`
message) and copies bytes both ways unchanged. If no worker runs yet, the editor's first messages wait until the
next invocation starts one. Reading along (`dap.py`) tells the relay when the debuggee stops and runs again,
which pauses and resumes the worker's timeout, and when the editor has sent its breakpoints, which an
invocation waits for (`ready`). One editor at a time: a second connection is closed. When the worker goes away
the editor's session ends with it; attaching again reaches the new worker on the same port.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from devserver.debug.dap import DapDecoder, DapMessage, DapSession
from devserver.runtime.debugging import DebuggedWorker

__all__ = ["ATTACHING_GRACE_SECONDS", "DebugpyRelay"]

ATTACHING_GRACE_SECONDS = 10.0
"""How long an invocation waits for an editor that connected but has not sent its breakpoints yet."""

_READ_SIZE = 1 << 16


class DebugpyRelay:
    """See the module docstring."""

    def __init__(self, function_name: str, host: str, port: int) -> None:
        self.function_name = function_name
        self.host = host
        self.port = port
        """The port editors attach to; the bound one once `start()` returned (when asked for 0)."""
        self._server: asyncio.AbstractServer | None = None
        self._worker: DebuggedWorker | None = None
        self._worker_changed = asyncio.Event()
        self._editor: asyncio.Task[None] | None = None
        self._streams: list[asyncio.StreamWriter] = []
        self._session: DapSession | None = None
        self._configured = asyncio.Event()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve_editor, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def aclose(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        editor = self._editor
        if editor is not None:
            # Closing both ends lets the relay finish on its own (cancelling a connection's task logs an error).
            for stream in self._streams:
                stream.close()
            self._worker_changed.set()
            await asyncio.wait([editor], timeout=1)

    def worker_ready(self, worker: DebuggedWorker) -> None:
        """`worker` now serves the function under debugpy; the next editor (or a waiting one) reaches it."""
        self._worker = worker
        self._worker_changed.set()

    def worker_gone(self, worker: DebuggedWorker) -> None:
        if self._worker is worker:
            self._worker = None

    async def ready(self, *, wait_for_editor: bool) -> None:
        """Return when the worker may run an invocation: no editor is halfway through attaching.

        With `wait_for_editor`, wait (without limit) until an editor has attached and sent its breakpoints.
        """
        if wait_for_editor:
            await self._configured.wait()
        elif self._session is not None and not self._configured.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(ATTACHING_GRACE_SECONDS):
                    await self._configured.wait()

    async def _serve_editor(self, editor_reader: asyncio.StreamReader, editor_writer: asyncio.StreamWriter) -> None:
        if self._editor is not None:
            editor_writer.close()  # one debugging session per function: a second editor would steal the first's
            return
        self._editor = asyncio.current_task()
        self._streams = [editor_writer]
        session = self._session = DapSession()
        worker: DebuggedWorker | None = None
        try:
            worker = await self._live_worker()
            if worker is None:
                return
            assert worker.debug_port is not None
            adapter_reader, adapter_writer = await asyncio.open_connection("127.0.0.1", worker.debug_port)
            self._streams.append(adapter_writer)
            try:
                await _first_to_finish(
                    _relay(
                        editor_reader,
                        adapter_writer,
                        lambda message: self._observe(worker, session.from_editor, message),
                    ),
                    _relay(
                        adapter_reader,
                        editor_writer,
                        lambda message: self._observe(worker, session.from_adapter, message),
                    ),
                )
            finally:
                adapter_writer.close()
        except OSError:
            pass  # the worker died between its report and our connection; the editor sees its session end
        finally:
            if worker is not None and session.stopped:
                worker.resume()
            self._editor = self._session = None
            self._streams = []
            self._configured.clear()
            editor_writer.close()

    async def _live_worker(self) -> DebuggedWorker | None:
        """The worker to relay to, once there is one; None when the relay closed meanwhile."""
        while self._worker is None or self._worker.debug_port is None:
            if self._server is None:
                return None
            self._worker_changed.clear()
            await self._worker_changed.wait()
        return self._worker

    def _observe(self, worker: DebuggedWorker, read: Callable[[DapMessage], bool], message: DapMessage) -> None:
        session = self._session
        if session is None:
            return
        if read(message):
            if session.stopped:
                worker.pause()
            else:
                worker.resume()
        if session.configured:
            self._configured.set()


async def _relay(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, observe: Callable[[DapMessage], None]
) -> None:
    decoder = DapDecoder()
    while data := await reader.read(_READ_SIZE):
        writer.write(data)
        for message in decoder.feed(data):
            observe(message)
        await writer.drain()


async def _first_to_finish(*coroutines: object) -> None:
    tasks = [asyncio.ensure_future(coroutine) for coroutine in coroutines]  # type: ignore[call-overload]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
