"""Which imported modules are the user's own source files, so hot reload can watch them.

A worker reports the real path of every module file that is not part of Python itself, an installed package or
sst-dev. Real paths matter: a handler importing `lib.shared` through a symlinked folder must make the reloader
watch the folder the link points to, since that is where the edit is saved (a gap SST users report).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from types import ModuleType

__all__ = ["SourceTracker", "default_excluded_roots", "local_source_files"]


def default_excluded_roots() -> tuple[str, ...]:
    """Folders whose modules are never the user's: the interpreter, every site-packages and sst-dev's two packages.

    Built from `sys` alone (no `sysconfig`, no `pathlib`): this runs in every worker's cold start.
    """
    roots = {sys.base_prefix, sys.prefix, sys.exec_prefix, os.path.dirname(os.__file__)}  # stdlib
    roots.update(entry for entry in sys.path if entry.endswith(("site-packages", "dist-packages")))
    devserver = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    # sst-dev is two packages, side by side: a worker imports `emulator.account` too (through devserver.app.naming),
    # and reporting it made the reloader watch sst-dev's own emulator folder.
    roots.update((devserver, os.path.join(os.path.dirname(devserver), "emulator")))
    return tuple(sorted(os.path.realpath(root) + os.sep for root in roots if root))


def local_source_files(files: Iterable[str], excluded_roots: tuple[str, ...]) -> frozenset[str]:
    """The real paths among `files` that lie outside every one of `excluded_roots` (each ending with a separator)."""
    local: set[str] = set()
    for file in files:
        real = os.path.realpath(file)
        if not real.startswith(excluded_roots):
            local.add(real)
    return frozenset(local)


class SourceTracker:
    """Remembers what was reported, so each report holds only source files imported since the last one."""

    def __init__(self, excluded_roots: tuple[str, ...]) -> None:
        self._excluded_roots = excluded_roots
        self._module_count = 0
        self._reported: set[str] = set()

    def new_sources(self, modules: Mapping[str, ModuleType]) -> list[str]:
        """Local files of `modules` not reported before; cheap when no module was imported since last time."""
        if len(modules) == self._module_count:
            return []
        self._module_count = len(modules)
        files = [
            file for module in list(modules.values()) if isinstance(file := getattr(module, "__file__", None), str)
        ]
        fresh = local_source_files(files, self._excluded_roots) - self._reported
        self._reported.update(fresh)
        return sorted(fresh)
