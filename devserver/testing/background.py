"""A dev server on a thread of its own, with its own event loop, driven from synchronous code.

How it works: `start()` runs `DevServer.start()` on a new thread's loop and waits for it (re-raising its error in the
caller); the loop then waits for `stop()`, which stops the server on that loop and joins the thread. `run()` hands a
coroutine to the server's loop (`asyncio.run_coroutine_threadsafe`) and waits for its result. The pytest fixture's
session and the project's own tests both run their servers this way.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from devserver.server import DevServer

__all__ = ["BackgroundServer", "ServerStartTimeout"]

T = TypeVar("T")


class ServerStartTimeout(TimeoutError):
    """The server did not finish starting in time."""


class BackgroundServer:
    """`server` served on a daemon thread named `name` until `stop()`."""

    def __init__(self, server: DevServer, *, name: str = "sst-dev-server") -> None:
        self.server = server
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self, timeout: float) -> None:
        """Start the server and wait until it serves; its start-up error, if any, is raised here."""
        self._thread.start()
        if not self._started.wait(timeout):
            raise ServerStartTimeout(f"the dev server did not start within {timeout:g} s")
        if self._error is not None:
            self._thread.join()
            raise self._error

    def stop(self, timeout: float = 30) -> None:
        """Stop the server (every worker, the emulator and the sockets) and end the thread."""
        if self._thread.is_alive() and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(timeout)

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coroutine` on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def call(self, function: Callable[[], T]) -> T:
        """Call `function` on the server's loop (for objects that belong to it) and return its result."""

        async def call() -> T:
            return function()

        return self.run(call())

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        try:
            await self.server.start()
        except BaseException as error:
            self._error = error
            self._started.set()
            return
        self._started.set()
        await self._stop.wait()
        await self.server.stop()
