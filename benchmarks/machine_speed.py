"""How fast this machine ran Python during the run: the yardstick for comparing one `make bench` with another.

How it works: a fixed pure-Python workload (summing the integers below 20 million in a loop, nothing allocated,
nothing read) runs `--runs` times in this process, and the median wall time is reported with the CPU time it took.
On a shared machine the same code can run markedly slower from one hour to the next (a neighbour on the same
physical core, a lower clock) while the operating system still reports the core as ours; every figure of that run
then moves with it, ratios against same-run floors much less. `make bench` runs this first and again last
(`before` and `after`), so a reader can tell a slower machine from slower code, and a run whose machine changed
speed midway.

Run: `python -m benchmarks.machine_speed [--runs 3]`; prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

__all__ = ["loop_seconds"]

LOOP_LENGTH = 20_000_000


def loop_seconds(runs: int) -> dict[str, float]:
    """Median wall and CPU seconds of the fixed loop over `runs` runs."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        total = 0
        for number in range(LOOP_LENGTH):
            total += number
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {"pure_python_loop_s": round(statistics.median(walls), 2), "cpu_s": round(statistics.median(cpus), 2)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.machine_speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of the loop; the median is reported")
    args = parser.parse_args(argv)
    print(json.dumps(loop_seconds(args.runs)))


if __name__ == "__main__":
    main()
