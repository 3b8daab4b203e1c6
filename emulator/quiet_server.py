"""uvicorn's server without its ten wake-ups a second: an idle server sleeps until it is told to stop.

Why: uvicorn's `main_loop` wakes every 100 ms to see whether `should_exit` was set and, every tenth time, to refresh
the Date header. Those 10 wake-ups a second cost an idle server 0.24–0.33 % of a core (a lone `uvicorn.Server`
under uvloop, its CPU time from getrusage over 20 s; the emulator's main thread of an idle `sst-dev start`, from
/proc over 30 s), a third of the idle budget of the whole dev server. Here setting `should_exit` wakes the loop
itself, so the server ticks once a second, for the Date header, and stopping does not wait for a tick. The emulator
process and the dev server's embedded servers (`devserver.http.listeners`) both use it, and both processes run on the
loop `event_loop_factory()` picks.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from types import FrameType

import uvicorn

__all__ = ["QuietServer", "event_loop_factory"]

_TICKS_PER_SECOND = 10
"""uvicorn's `on_tick` counts 100 ms ticks and does its once-a-second work on every tenth."""


class QuietServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        self._exit_requested = asyncio.Event()  # before uvicorn's __init__, which sets should_exit
        self._loop: asyncio.AbstractEventLoop | None = None
        super().__init__(config)

    @property
    def should_exit(self) -> bool:
        return self._exit_requested.is_set()

    @should_exit.setter
    def should_exit(self, value: bool) -> None:
        if value:
            self._exit_requested.set()
        else:
            self._exit_requested.clear()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """A signal handler runs between the loop's steps, not in one: wake the loop so that it sees the request."""
        super().handle_exit(sig, frame)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._exit_requested.set)

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        ticks = 0
        while not await self.on_tick(ticks):
            ticks += _TICKS_PER_SECOND  # on_tick refreshes the Date header when the count is a multiple of 10
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1.0):
                    await self._exit_requested.wait()


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop where it is installed (uvicorn[standard] ships it, but not on Windows): the loop uvicorn itself
    would pick. None: asyncio's own."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop
