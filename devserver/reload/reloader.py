"""Hot reload, applied: each batch of changed files becomes a config reload, retired workers, or nothing.

How it works: a `SourceWatcher` reports changed files (the app folder, plus every folder a worker reports having
imported from). `plan_reload` decides what they mean. A change to `sst.config.py` or a module it imports calls
`reload_config` (the dev server re-loads the app and re-mounts its routes in place). A change to a handler's sources
retires that function's warm workers and starts one of the new code in the background (`WorkerPool.retire` with
`rewarm`), so the next invocation finds it warm. One change is applied at a time. A failure is printed and the
watcher goes on, or the next save would go unseen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from devserver.app.model import AppSpec
from devserver.reload.plan import plan_reload
from devserver.reload.watcher import SourceWatcher
from devserver.runtime.pool import WorkerPool

__all__ = ["Reloader"]


class Reloader:
    """Watches `app_dir` and the functions' sources, and applies each change to the running app."""

    def __init__(
        self,
        app_dir: Path,
        *,
        app: Callable[[], AppSpec],
        pool: WorkerPool,
        reload_config: Callable[[], Awaitable[None]],
        warn: Callable[[str], None],
    ) -> None:
        self._app = app
        self._pool = pool
        self._reload_config = reload_config
        self._warn = warn
        self._lock = asyncio.Lock()
        self._watcher = SourceWatcher([app_dir], self._on_change)

    def start(self) -> None:
        self._watcher.start()

    def watch_sources(self, function_name: str, sources: frozenset[Path]) -> None:
        """A worker of `function_name` imported `sources`: watch their folders too (`WorkerPool.on_sources`)."""
        self._watcher.watch(sources)

    async def aclose(self) -> None:
        await self._watcher.aclose()

    async def _on_change(self, changed: set[Path]) -> None:
        try:
            await self._apply(changed)
        except Exception as error:
            self._warn(f"reload failed ({type(error).__name__}: {error}); still watching for changes")

    async def _apply(self, changed: set[Path]) -> None:
        async with self._lock:
            app = self._app()
            plan = plan_reload(
                changed,
                config_sources=app.config_sources,
                function_sources={spec.name: self._pool.source_files(spec.name) for spec in app.all_functions()},
            )
            if plan.reload_config:
                await self._reload_config()
            elif plan.retire:
                self._pool.retire(lambda spec: spec.name in plan.retire, rewarm=True)
