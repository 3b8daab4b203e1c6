"""How fast the local Lambda runtime answers: warm `WorkerPool.invoke` round trips and cold starts.

Run `python -m benchmarks.runtime_roundtrip` (or call `measure()`); prints one JSON object, times in ms:
`warm_p50_ms`/`warm_p99_ms` are the medians over `runs` runs of each run's percentile over `invocations` warm
invocations of a hello handler; `cold_start_ms` is the median time of a first invocation (process spawn, Python
start-up, handler import, one invocation) over `cold_starts` fresh workers. Both transports are measured:
`sst-dev` (the private pipe channel) and `awslambdaric` (the HTTP Runtime API).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from devserver.app.model import FunctionSpec
from devserver.runtime.pool import WorkerPool

__all__ = ["measure"]

HELLO = 'def main(event, context):\n    return {"statusCode": 200, "body": "hello"}\n'


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def _measure_client(
    app_dir: Path, runtime_client: str, runs: int, invocations: int, cold_starts: int
) -> dict[str, float]:
    pool = WorkerPool()
    try:
        function = FunctionSpec("hello", "hello.main", app_dir, runtime_client=runtime_client)
        p50s: list[float] = []
        p99s: list[float] = []
        await pool.invoke(function, {})
        for _ in range(runs):
            samples = []
            for _ in range(invocations):
                started = time.perf_counter()
                await pool.invoke(function, {"rawPath": "/"})
                samples.append((time.perf_counter() - started) * 1000)
            p50s.append(_percentile(samples, 0.5))
            p99s.append(_percentile(samples, 0.99))
        colds: list[float] = []
        for _ in range(cold_starts):
            pool.retire(lambda spec: True)
            started = time.perf_counter()
            invocation = await pool.invoke(function, {})
            assert invocation.cold and invocation.ok, invocation
            colds.append((time.perf_counter() - started) * 1000)
        return {
            "warm_p50_ms": round(statistics.median(p50s), 3),
            "warm_p99_ms": round(statistics.median(p99s), 3),
            "cold_start_ms": round(statistics.median(colds), 1),
        }
    finally:
        await pool.aclose()


def measure(
    *, runs: int = 5, invocations: int = 2000, cold_starts: int = 10, awslambdaric_invocations: int = 500
) -> dict[str, dict[str, float]]:
    """Measure both runtime clients; see the module docstring for what each figure means."""
    with tempfile.TemporaryDirectory() as folder:
        app_dir = Path(folder)
        (app_dir / "hello.py").write_text(HELLO)
        return {
            "sst-dev": asyncio.run(_measure_client(app_dir, "sst-dev", runs, invocations, cold_starts)),
            "awslambdaric": asyncio.run(
                _measure_client(app_dir, "awslambdaric", runs, awslambdaric_invocations, cold_starts)
            ),
        }


def main() -> None:
    print(json.dumps(measure()))


if __name__ == "__main__":
    main()
