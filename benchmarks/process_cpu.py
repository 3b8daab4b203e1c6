"""CPU time a process tree spends, from /proc: a per-request cost that a neighbour's load on a shared machine moves
far less than it moves requests/s (a busy neighbour takes the CPU away; it does not make our work longer)."""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.measure import module_of, process_tree

__all__ = ["cpu_seconds_by_module", "tree_cpu_seconds"]

_UTIME, _STIME = 11, 12  # fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends the command name


def tree_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds used so far by `pid` and every live process below it."""
    return sum(cpu_seconds_by_module(pid).values())


def cpu_seconds_by_module(pid: int) -> dict[str, float]:
    """CPU seconds used so far by `pid` and every live process below it, summed per `python -m` module they run
    (`devserver.cli`, `emulator.server`, `devserver.runtime.worker`, ...; the command itself for others)."""
    used: dict[str, float] = {}
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            name = module_of(member)
        except OSError:
            continue  # exited meanwhile
        seconds = (int(fields[_UTIME]) + int(fields[_STIME])) / os.sysconf("SC_CLK_TCK")
        used[name] = used.get(name, 0.0) + seconds
    return used
