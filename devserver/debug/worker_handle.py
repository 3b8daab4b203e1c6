"""What the debuggers need to know of a worker: which function and request it runs, and how to pause its clock."""

from __future__ import annotations

from typing import Protocol

__all__ = ["DebuggedWorker"]


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
