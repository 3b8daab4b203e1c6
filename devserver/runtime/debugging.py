"""How the worker pool and a debugger meet: what a debugger needs of a worker, and what the pool needs of a debugger.

Both are Protocols, so the runtime imports nothing of `devserver.debug`: the dev server hands the pool its
`devserver.debug.debugger.Debugger`, which satisfies `WorkerDebugger`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from devserver.app.model import FunctionSpec

__all__ = ["DebuggedWorker", "WorkerDebugger"]


class DebuggedWorker(Protocol):
    """A running worker as the debuggers see it (the runtime's `Sandbox` is one)."""

    @property
    def pid(self) -> int | None:
        """The worker's process id, once spawned."""

    @property
    def function_name(self) -> str: ...

    @property
    def request_id(self) -> str | None:
        """The invocation in flight; None while the worker loads the handler."""

    @property
    def debug_port(self) -> int | None:
        """The port the worker's debugpy listens on, when it runs under debugpy."""

    def pause(self) -> None:
        """The function is stopped in a debugger: its timeout stands still until `resume()`."""

    def resume(self) -> None: ...


class WorkerDebugger(Protocol):
    """Breakpoints and editor attach for the pool's workers; the pool calls it around each worker's life."""

    def locate_workers(self, locate: Callable[[int], DebuggedWorker | None]) -> None:
        """How the debugger finds the worker behind a process id (a pdb session names its pid)."""

    def debugs(self, function: FunctionSpec) -> bool:
        """Whether an editor debugs `function` (its workers run under debugpy): those start only for an invocation."""

    def concurrency(self, function: FunctionSpec, default: int) -> int:
        """How many workers `function` may run at once: one while an editor debugs it."""

    def environment(self, function: FunctionSpec) -> dict[str, str]:
        """Variables a worker of `function` starts with (the pdb socket, debugpy's switch)."""

    async def worker_ready(self, function: FunctionSpec, worker: DebuggedWorker) -> None:
        """A new worker of `function` has loaded its handler."""

    def worker_gone(self, function_name: str, worker: DebuggedWorker) -> None: ...

    async def before_invoke(self, function: FunctionSpec) -> None:
        """Let an attaching editor finish before `function` runs."""
