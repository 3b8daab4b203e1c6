"""The debugging a worker pool offers: pdb prompts on the server's terminal and editor attach through debugpy.

How it works: the pool owns one `Debugger` (see `WorkerPool(debug=...)`). It adds to each worker's environment
what its debugging needs (the pdb socket; `SST_DEV_DEBUGPY` for functions run under debugpy), limits a debugged
function to one worker so one editor session sees every invocation (requests queue behind a stopped one, as the
client's request waits), hands each debugged worker to its function's `DebugpyRelay` once it reported its
adapter port, and holds an invocation while an editor is attaching. `PdbTerminal` finds a worker by process id
through the pool's `locate` function. Both pause the worker's timeout while the developer holds the function.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from devserver.app.model import FunctionSpec
from devserver.debug.debugpy_relay import DebugpyRelay
from devserver.debug.pdb_terminal import PdbTerminal
from devserver.debug.settings import DebugSettings, DebugSettingsError, debugpy_ports
from devserver.runtime.debugging import DebuggedWorker
from devserver.runtime.worker_pdb import SOCKET_ENV

__all__ = ["DEBUGPY_ENV", "Debugger"]

DEBUGPY_ENV = "SST_DEV_DEBUGPY"
"""Set to 1 in a worker that must listen for an editor with debugpy (it reports the port in `next`)."""


class Debugger:
    """See the module docstring.

    `stdin_fd` and `output` are the terminal pdb sessions use (the server's own stdin and stdout by default);
    `announce` receives one line per debug port opened (`debugpy: hello (functions/hello.main) on 127.0.0.1:5678`).
    """

    def __init__(
        self,
        settings: DebugSettings,
        *,
        stdin_fd: int = 0,
        output: TextIO | None = None,
        announce: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self._stdin_fd = stdin_fd
        self._output = output or sys.stdout
        self._announce = announce
        self._locate: Callable[[int], DebuggedWorker | None] = lambda pid: None
        self._terminal: PdbTerminal | None = None
        self._relays: dict[str, DebugpyRelay] = {}
        self._ports: dict[str, int] = {}

    def locate_workers(self, locate: Callable[[int], DebuggedWorker | None]) -> None:
        """How to find a live worker by process id (the pool passes its own lookup)."""
        self._locate = locate

    async def start(self) -> None:
        """Open the pdb terminal's socket when pdb is on; refuse debugpy settings when debugpy is not installed."""
        if self.settings.debugpy and importlib.util.find_spec("debugpy") is None:
            raise DebugSettingsError(
                "DebugpyNotInstalled", "debugpy", "--debug runs workers under debugpy: pip install debugpy"
            )
        if self.settings.pdb and self._terminal is None:
            self._terminal = PdbTerminal(lambda pid: self._locate(pid), stdin_fd=self._stdin_fd, output=self._output)
            await self._terminal.start()

    async def expose(self, functions: Sequence[FunctionSpec]) -> dict[str, int]:
        """Open the debug port of every debugged function among `functions`, in order; returns name → port.

        Call it at start with the app's functions so editors can attach before the first request; call it again
        after a config reload: known functions keep their ports, new ones get the next ports. A function invoked
        without having been exposed gets its port then.
        """
        debugged = [function for function in functions if self.debugs(function)]
        wanted = debugpy_ports([function.name for function in debugged], self.settings.debugpy_port, self._ports)
        for function in debugged:
            if function.name not in self._relays:
                relay = DebugpyRelay(function.name, self.settings.debugpy_host, wanted[function.name])
                await relay.start()
                self._relays[function.name] = relay
                self._ports[function.name] = relay.port
                if self._announce is not None:
                    waiting = " (waiting for a debugger to attach)" if self.settings.wait_for_debugger else ""
                    where = f"{self.settings.debugpy_host}:{relay.port}"
                    self._announce(f"debugpy: {function.name} ({function.handler}) on {where}{waiting}")
        return {function.name: self._ports[function.name] for function in debugged}

    def debugs(self, function: FunctionSpec) -> bool:
        """Whether `function` runs under debugpy (only the sst-dev runtime client can)."""
        return function.runtime_client == "sst-dev" and self.settings.debugs(function)

    def concurrency(self, function: FunctionSpec, default: int) -> int:
        return 1 if self.debugs(function) else default

    def environment(self, function: FunctionSpec) -> dict[str, str]:
        """Variables a worker of `function` gets on top of the pool's base environment."""
        env: dict[str, str] = {}
        if self._terminal is not None:
            env[SOCKET_ENV] = self._terminal.path
        if self.debugs(function):
            # debugpy warns on every start that Python's frozen modules may hide breakpoints; they are stdlib only.
            env.update({DEBUGPY_ENV: "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
        return env

    async def worker_ready(self, function: FunctionSpec, worker: DebuggedWorker) -> None:
        """A worker of `function` finished its cold start; debugged ones become reachable through their relay."""
        if worker.debug_port is not None and self.debugs(function):
            await self.expose([function])
            self._relays[function.name].worker_ready(worker)

    def worker_gone(self, function_name: str, worker: DebuggedWorker) -> None:
        relay = self._relays.get(function_name)
        if relay is not None:
            relay.worker_gone(worker)

    async def before_invoke(self, function: FunctionSpec) -> None:
        """Hold an invocation of a debugged function while an editor attaches (or until one has, if asked)."""
        relay = self._relays.get(function.name)
        if relay is not None:
            await relay.ready(wait_for_editor=self.settings.wait_for_debugger)

    async def aclose(self) -> None:
        for relay in self._relays.values():
            await relay.aclose()
        self._relays.clear()
        if self._terminal is not None:
            await self._terminal.aclose()
            self._terminal = None
