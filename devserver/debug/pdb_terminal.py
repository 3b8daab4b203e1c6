"""The dev server's side of `breakpoint()`: lends its terminal to one worker's pdb session at a time.

How it works: `PdbTerminal.start()` listens on a Unix socket in a private temporary folder; workers get its path in
`SST_DEV_PDB_SOCKET` (see `devserver.runtime.worker_pdb` for the worker's side and the messages). A connecting worker
names its process id; `locate` turns that into the worker (function, request) and its clock is paused at once. Sessions
queue for the terminal; the one holding it gets a banner naming its function and request, everything pdb writes, and
every line typed on stdin (read with `loop.add_reader` only while a session holds the terminal, so the server never
competes with a shell). Other functions keep serving and their log lines keep printing meanwhile. When the worker closes
the session (`c`, `q`, the invocation ended or the worker died) the terminal passes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import struct
import tempfile
from collections.abc import Callable
from typing import TextIO

from devserver.runtime.debugging import DebuggedWorker
from devserver.runtime.protocol import LogLineBuffer, Message, encode_frame
from devserver.runtime.worker_pdb import ATTACHED, INPUT, OUTPUT, PAUSED, RESUMED, SESSION

__all__ = ["PdbTerminal"]

_HEADER = struct.Struct(">I")
_READ_SIZE = 4096


class PdbTerminal:
    """See the module docstring. `locate(pid)` finds the worker a session comes from (None if unknown)."""

    def __init__(self, locate: Callable[[int], DebuggedWorker | None], *, stdin_fd: int, output: TextIO) -> None:
        self._locate = locate
        self._stdin_fd = stdin_fd
        self._output = output
        self._turn = asyncio.Lock()
        self._folder = ""
        self._server: asyncio.AbstractServer | None = None
        self._sessions: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self.path = ""
        """The socket's path, for `SST_DEV_PDB_SOCKET`; set by `start()`."""

    async def start(self) -> None:
        self._folder = tempfile.mkdtemp(prefix="sst-dev-pdb-")  # mode 0700: only this user's workers connect
        self.path = os.path.join(self._folder, "pdb.sock")
        self._server = await asyncio.start_unix_server(self._serve, path=self.path)

    async def aclose(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        # Closing the connections ends the sessions on their own (cancelling a connection's task logs an error).
        for writer in self._sessions.values():
            writer.close()
        if self._sessions:
            await asyncio.wait(set(self._sessions), timeout=1)
        shutil.rmtree(self._folder, ignore_errors=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._sessions[task] = writer
        try:
            hello = await _read_message(reader)
            if hello is not None and hello.get("type") == SESSION:
                await self._hold_terminal(self._locate(int(hello.get("pid", 0))), reader, writer)
        finally:
            self._sessions.pop(task, None)
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _hold_terminal(
        self, worker: DebuggedWorker | None, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        paused = worker is not None
        if worker is not None:
            worker.pause()  # queued behind another session is paused too: the developer decides when it runs
        function = worker.function_name if worker else "unknown function"
        request = (worker.request_id if worker else None) or "init"
        try:
            async with self._turn:
                self._write(f"\n--- pdb: {function}, request {request} ('c' continues; other functions keep serving)\n")
                writer.write(encode_frame({"type": ATTACHED, "prompt": f"(Pdb {function} {request[:8]}) "}))
                self._read_stdin_into(writer)
                try:
                    while (message := await _read_message(reader)) is not None:
                        kind = message.get("type")
                        if kind == OUTPUT:
                            self._write(str(message.get("text", "")))
                        elif kind in (PAUSED, RESUMED) and worker is not None and paused != (kind == PAUSED):
                            paused = kind == PAUSED
                            if paused:
                                worker.pause()
                            else:
                                worker.resume()
                finally:
                    self._stop_reading_stdin()
                self._write(f"\n--- pdb session ended: {function}, request {request}\n")
        finally:
            if paused and worker is not None:
                worker.resume()

    def _read_stdin_into(self, writer: asyncio.StreamWriter) -> None:
        lines = LogLineBuffer()

        def forward() -> None:
            try:
                data = os.read(self._stdin_fd, _READ_SIZE)
            except BlockingIOError:
                return
            if not data:  # the terminal is gone: pdb reads EOF, which quits the session
                self._stop_reading_stdin()
                writer.write(encode_frame({"type": INPUT, "line": ""}))
                return
            for line in lines.feed(data):
                writer.write(encode_frame({"type": INPUT, "line": line + "\n"}))

        asyncio.get_running_loop().add_reader(self._stdin_fd, forward)

    def _stop_reading_stdin(self) -> None:
        asyncio.get_running_loop().remove_reader(self._stdin_fd)

    def _write(self, text: str) -> None:
        self._output.write(text)
        self._output.flush()


async def _read_message(reader: asyncio.StreamReader) -> Message | None:
    try:
        (length,) = _HEADER.unpack(await reader.readexactly(_HEADER.size))
        body = await reader.readexactly(length)
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    message = json.loads(body)
    return message if isinstance(message, dict) else None
