"""Watch the app's source folders and report changed files.

How it works: watchfiles watches a set of folders (the app folder, plus every folder outside it that a
handler imported from, through symlinks too: workers report the real paths of what they import). When that
set grows, the watch is restarted on the larger set. Changes are reported as real paths, in batches, to an
async callback; the watcher polls every 10 ms with a short debounce so a save is seen within ~30 ms
(watchfiles' defaults wait up to 1.6 s).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

import watchfiles

from devserver.reload_plan import IGNORED_DIRS

__all__ = ["SourceWatcher"]

OnChange = Callable[[set[Path]], Awaitable[None]]


def _interesting(change: watchfiles.Change, path: str) -> bool:
    return not IGNORED_DIRS.intersection(Path(path).parts) and not path.endswith((".pyc", "~", ".swp", ".tmp"))


def _covering_roots(folders: Iterable[Path]) -> list[Path]:
    """The folders to watch: the given ones minus those already inside another."""
    roots: list[Path] = []
    for folder in sorted(set(folders), key=lambda p: len(p.parts)):
        if folder.is_dir() and not any(folder.is_relative_to(root) for root in roots):
            roots.append(folder)
    return roots


class SourceWatcher:
    """Reports changed files under a growing set of folders until `aclose()`."""

    def __init__(self, folders: Iterable[Path], on_change: OnChange) -> None:
        self._folders = {Path(os.path.realpath(f)) for f in folders}
        self._on_change = on_change
        self._restart = asyncio.Event()
        self._closed = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    def watch(self, paths: Iterable[Path]) -> None:
        """Also watch the folders holding `paths` (real paths of imported files)."""
        before = set(_covering_roots(self._folders))
        self._folders.update(Path(os.path.realpath(p)).parent for p in paths)
        if set(_covering_roots(self._folders)) != before:
            self._restart.set()

    @property
    def roots(self) -> list[Path]:
        return _covering_roots(self._folders)

    async def _run(self) -> None:
        while not self._closed:
            self._restart.clear()
            async for changes in watchfiles.awatch(
                *self.roots,
                watch_filter=_interesting,
                stop_event=self._restart,
                step=10,
                debounce=50,
                recursive=True,
            ):
                await self._on_change({Path(os.path.realpath(path)) for _, path in changes})

    async def aclose(self) -> None:
        self._closed = True
        self._restart.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
