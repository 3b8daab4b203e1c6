"""What a set of changed files means for the running app: reload `sst.config.py`, retire some workers, or nothing.

Pure: the watcher (`devserver.reload.watcher`) supplies the changed paths, the files the config imported and the files
each function's workers imported; this decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ReloadPlan", "plan_reload"]

SOURCE_SUFFIXES = frozenset({".py"})


@dataclass(frozen=True)
class ReloadPlan:
    reload_config: bool = False
    retire: frozenset[str] = frozenset()
    """Names of functions whose warm workers must be retired."""

    @property
    def empty(self) -> bool:
        return not self.reload_config and not self.retire


def plan_reload(
    changed: Iterable[Path],
    *,
    config_sources: Iterable[Path],
    function_sources: Mapping[str, Iterable[Path]],
) -> ReloadPlan:
    """Decide what to do about `changed` (real paths; the watcher has left out ignored folders and files).

    - a file the config read (`sst.config.py`, or a stack module it imports) → reload the config, which
      also retires every worker, since any function's settings may have changed;
    - a Python file some function's workers imported → retire those functions' workers;
    - any other non-ignored, non-Python file (templates, JSON a handler reads at import) → retire every
      function: we cannot know who reads it, and a cold start costs tens of milliseconds;
    - a Python file nobody imported yet → nothing: the next import reads it fresh.
    """
    changed = list(changed)
    config_files = set(config_sources)
    if any(path in config_files for path in changed):
        return ReloadPlan(reload_config=True, retire=frozenset(function_sources))
    retire: set[str] = set()
    for path in changed:
        if path.suffix not in SOURCE_SUFFIXES:
            return ReloadPlan(retire=frozenset(function_sources))
        retire.update(name for name, sources in function_sources.items() if path in set(sources))
    return ReloadPlan(retire=frozenset(retire))
