"""Runs one of the app's functions as its Lambda would: with its bindings, its credentials, and its resources in place.

The gateway, the notification dispatcher, the Console and `sst-dev invoke` all invoke through one `FunctionInvoker`:
it waits until the emulator holds the app's resources (so no handler sees a bucket that does not exist yet), adds
the function's bound variables and its own access key to its environment, runs the event in the worker pool, and
turns an `AccessDenied` in a failure into a hint naming the permission to add.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Protocol

from devserver.app.binding import binding_environment
from devserver.app.model import AppSpec, FunctionSpec, frozen_mapping
from devserver.app.permissions import missing_permission_hint
from devserver.runtime.invocation import Invocation
from devserver.runtime.pool import WorkerPool

__all__ = ["AppResources", "FunctionInvoker"]


class AppResources(Protocol):
    """Where the app's resources live: the dev server's `LocalAws` is one."""

    def invocable(self) -> Awaitable[None]:
        """Resolves once functions may run: their credentials are known, and their AWS calls will find the app's
        resources (the local emulator holds those calls until the resources exist)."""

    def credentials_for(self, function_name: str) -> Mapping[str, str]:
        """The function's own access key variables (empty when IAM is not enforced)."""


class FunctionInvoker:
    """`invoke(function, event)` for every caller; `attach()` hands it the pool and resources once they exist."""

    def __init__(self, *, app: Callable[[], AppSpec], warn: Callable[[str], None]) -> None:
        self._app = app
        self._warn = warn
        self._pool: WorkerPool | None = None
        self._resources: AppResources | None = None
        self._bound: dict[str, tuple[FunctionSpec, FunctionSpec]] = {}

    def attach(self, pool: WorkerPool, resources: AppResources) -> None:
        self._pool = pool
        self._resources = resources

    def forget_bindings(self) -> None:
        """The app was reloaded: compute every function's bound environment afresh."""
        self._bound.clear()

    async def invoke(self, function: FunctionSpec, event: object, *, request_id: str | None = None) -> Invocation:
        """Run one event through `function` with its bindings, once functions may run (`AppResources.invocable`)."""
        if self._pool is None or self._resources is None:
            raise RuntimeError("the dev server is not started")
        await self._resources.invocable()
        outcome = await self._pool.invoke(self._with_bindings(function), event, request_id=request_id)
        if outcome.error is not None:
            text = f"{outcome.error.error_message} {''.join(outcome.error.stack_trace)}"
            hint = missing_permission_hint(self._app(), function, text)
            if hint is not None:
                self._warn(hint)
        return outcome

    def _with_bindings(self, function: FunctionSpec) -> FunctionSpec:
        # Bindings are part of the spec the pool runs, so a changed binding gets a fresh worker like any edit.
        assert self._resources is not None
        cached = self._bound.get(function.name)
        if cached is not None and cached[0] is function:
            return cached[1]
        environment = {
            **binding_environment(self._app(), function),
            **self._resources.credentials_for(function.name),
            **function.environment,
        }
        bound = replace(function, environment=frozen_mapping(environment))
        self._bound[function.name] = (function, bound)
        return bound
