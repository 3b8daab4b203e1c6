"""CPU time a process tree spends, from /proc: a per-request cost that a neighbour's load on a shared machine moves
far less than it moves requests/s (a busy neighbour takes the CPU away; it does not make our work longer)."""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.measure import process_tree

__all__ = ["tree_cpu_seconds"]

_UTIME, _STIME = 11, 12  # fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends the command name


def tree_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds used so far by `pid` and every live process below it."""
    ticks = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        ticks += int(fields[_UTIME]) + int(fields[_STIME])
    return ticks / os.sysconf("SC_CLK_TCK")
