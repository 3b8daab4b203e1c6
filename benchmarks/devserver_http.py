"""Route round trip, throughput, hot-reload latency, start-up time and idle memory of `sst-dev start`.

How it works: every figure is measured against a floor taken in the same run. The floor is a bare
uvicorn + Starlette hello app (`benchmarks.bare_app`) run with uvicorn's defaults, which log one line per request —
as sst-dev prints one per invocation, and as the peer figures the issue quotes were taken (a bare app at ~10k req/s
on this kind of machine). A second floor, the same app with its access log off, is reported beside it: the
cost of a request with nothing printed. A third, `benchmarks.bare_app_with_worker`, is the bare app with its answer
made in one of 8 child processes over pipes: about the least any design that runs handlers in processes of their
own can cost, so sst-dev's ratios against it show what is sst-dev's own work. All servers get
`wrk -t1 -c1` for the p50 round trip and `wrk -t1 -c16` for requests/s (an httpx client saturates before the
server does); each run also reports `cpu_us_per_request`, the CPU time the server's whole process tree (workers
included) spent per request, which a neighbour's load moves far less than requests/s. sst-dev serves a copy of
the sample app with hot reload on, its `GET /` handled by a warm worker.
Both servers run side by side and are measured in turn, `--rounds` times; each figure is the median over rounds,
so a neighbour's load on a shared machine weighs on both sides of a ratio rather than on one.
Reload: a handler is saved 20 times, each time with a new version, and the time from the write to the first
response showing it is recorded, while wrk keeps another route busy; process count and RSS are read before and
after. Then `request_after_save`: the handler of `GET /files` (it imports boto3) is saved 10 times, and the first
request 1 s after each save is timed, beside a warm request before it (workers are re-warmed in the background
after a save). Start-up: spawn `sst-dev start` until `/_sst/api/health` answers (`start_to_ready_s`), and on until
`GET /files`, a route whose handler lists the sample app's bucket, first answers 200 (`start_to_first_bucket_route_s`:
the emulator started, the bucket created and a worker cold-started), median of 5, with the CPU seconds each live
process of the tree had used by then (`cpu_s_at_first_bucket_route`, per `python -m` module; children that already
exited, such as the TLS certificate's, are not counted); then the same two times again with the dev server and the
emulator run from a copy of their sources that nothing compiled (`without_bytecode`: what `make bytecode` saves
where Python writes no bytecode, as on this machine). The idle RSS of the whole process tree is read 0.5 s
after `GET /` is served (`idle_tree_rss_mb_before_console`), and again with the Console loaded (`GET /_sst/`), whole
and per module (`idle_rss_mb_by_module`: the workers of both routes are summed under `devserver.runtime.worker`).
Their floors (`floors`): a fresh Python importing moto's S3 and IAM models, and one making a boto3 S3 client, each
timed from spawn and its RSS read then; `idle_floor_rss_mb` is the two RSS together. Last, a 100 MiB multipart
upload into the app's bucket, with the whole tree's RSS sampled every 10 ms (`multipart_100MiB`).

Run: `python -m benchmarks.devserver_http [--seconds 10] [--rounds 3]`; prints one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from benchmarks.measure import (
    app_folder,
    free_port,
    process_tree,
    rss_mb,
    rss_mb_by_module,
    tree_rss_mb,
    wait_until_up,
    wrk,
)
from benchmarks.process_cpu import cpu_seconds_by_module, tree_cpu_seconds

REPO = Path(__file__).resolve().parent.parent
SAMPLE_APP = REPO / "sample_app"
VERSIONED_HANDLER = """\
def main(event, context):
    return {{"message": "Hello from sst-dev!", "version": {version}}}
"""


@contextmanager
def running(
    command: list[str], health_url: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    try:
        wait_until_up(health_url)
        yield process
    finally:
        process.terminate()
        process.wait(10)


def bare_app(port: int, *, access_log: bool = True, module: str = "benchmarks.bare_app") -> list[str]:
    command = [sys.executable, "-m", "uvicorn", f"{module}:app", "--port", str(port)]
    return command if access_log else [*command, "--log-level", "warning", "--no-access-log"]


def sst_dev(app_dir: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "devserver.cli", "start", "--app", str(app_dir), "--port", str(port),
            "--stage", "bench"]  # fmt: skip


def copy_sample(root: Path) -> Path:
    return Path(shutil.copytree(SAMPLE_APP, root / "app", ignore=shutil.ignore_patterns(".sst", "__pycache__")))


def route_figures(servers: dict[str, tuple[str, int]], seconds: int, rounds: int) -> dict[str, dict[str, Any]]:
    """For each named server `(url, pid)`, the median over `rounds` of its `-c1` (latency) and `-c16` (throughput)
    wrk runs."""
    runs: dict[str, dict[str, list[dict[str, float]]]] = {name: {"latency": [], "throughput": []} for name in servers}
    for url, _ in servers.values():
        httpx.get(url)  # the cold start is not what this measures
    for _ in range(rounds):
        for name, (url, pid) in servers.items():
            runs[name]["latency"].append(_wrk_with_cpu(url, pid, connections=1, seconds=max(3, seconds // 2)))
            runs[name]["throughput"].append(_wrk_with_cpu(url, pid, connections=16, seconds=seconds))
    return {name: {kind: _median_run(samples) for kind, samples in kinds.items()} for name, kinds in runs.items()}


def _wrk_with_cpu(url: str, pid: int, *, connections: int, seconds: int) -> dict[str, float]:
    before = tree_cpu_seconds(pid)
    figures = wrk(url, connections=connections, seconds=seconds)
    requests = figures["rps"] * seconds
    figures["cpu_us_per_request"] = round((tree_cpu_seconds(pid) - before) / requests * 1e6, 1) if requests else 0.0
    return figures


def _median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def reload_figures(app_dir: Path, url: str, saves: int = 20) -> dict[str, Any]:
    handler = app_dir / "functions" / "hello.py"
    original = handler.read_text()
    pid = int(json.loads((app_dir / ".sst" / "dev.json").read_text())["pid"])
    load = threading.Thread(target=wrk, args=(url + "/hello/load",), kwargs={"connections": 4, "seconds": 6})
    before = {"processes": len(process_tree(pid)), "rss_mb": tree_rss_mb(pid)}
    load.start()
    samples = []
    with httpx.Client(timeout=10) as client:
        for version in range(1, saves + 1):
            began = time.perf_counter()
            handler.write_text(VERSIONED_HANDLER.format(version=version))
            while client.get(url + "/").json().get("version") != version:
                if time.perf_counter() - began > 30:
                    raise RuntimeError(f"saving {handler} did not reload it within 30 s")
            samples.append((time.perf_counter() - began) * 1000)
    load.join()
    after = {"processes": len(process_tree(pid)), "rss_mb": tree_rss_mb(pid)}
    handler.write_text(original)
    return {"save_to_new_code_ms": {"median": round(statistics.median(samples), 1), "max": round(max(samples), 1)},
            "before": before, "after": after}  # fmt: skip


def first_request_after_save(url: str, handler: Path, saves: int = 10, pause: float = 1.0) -> dict[str, float]:
    """`GET /files` (its handler imports boto3 and lists a bucket) right after a warm request, and the first one
    `pause` s after each save of its handler (the time to switch to the browser): ms, medians."""
    original = handler.read_text()
    warm, after_save = [], []
    with httpx.Client(timeout=30) as client:
        for version in range(saves):
            client.get(url + "/files")
            started = time.perf_counter()
            client.get(url + "/files")
            warm.append((time.perf_counter() - started) * 1000)
            handler.write_text(f"{original}\n# saved {version}\n")
            time.sleep(pause)
            started = time.perf_counter()
            assert client.get(url + "/files").status_code == 200
            after_save.append((time.perf_counter() - started) * 1000)
    handler.write_text(original)
    return {
        "warm_ms": round(statistics.median(warm), 1),
        "first_after_save_ms": round(statistics.median(after_save), 1),
    }


def startup_figures(app_dir: Path, runs: int = 5, sources: Path | None = None) -> dict[str, Any]:
    """Start-up and idle figures (module docstring); with `sources`, of the `devserver` and `emulator` packages in that
    folder, run with no bytecode written (`without_bytecode`)."""
    env = None if sources is None else {**os.environ, "PYTHONPATH": str(sources), "PYTHONDONTWRITEBYTECODE": "1"}
    seconds, to_bucket_route, idle_rss, before_console = [], [], [], []
    cpu: dict[str, list[float]] = {}
    idle_by_module: dict[str, list[float]] = {}
    for _ in range(runs):
        port = free_port()
        began = time.perf_counter()
        # `python -m` puts its working folder first on sys.path: run it where the packages to measure are.
        with running(sst_dev(app_dir, port), f"http://127.0.0.1:{port}/_sst/api/health", env, sources) as process:
            seconds.append(time.perf_counter() - began)
            assert httpx.get(f"http://127.0.0.1:{port}/files", timeout=30).status_code == 200
            to_bucket_route.append(time.perf_counter() - began)
            for module, used in cpu_seconds_by_module(process.pid).items():
                cpu.setdefault(module, []).append(used)
            httpx.get(f"http://127.0.0.1:{port}/")
            time.sleep(0.5)
            before_console.append(tree_rss_mb(process.pid))
            httpx.get(f"http://127.0.0.1:{port}/_sst/")
            time.sleep(0.5)
            idle_rss.append(tree_rss_mb(process.pid))
            for module, resident in rss_mb_by_module(process.pid).items():
                idle_by_module.setdefault(module, []).append(resident)
    return {
        "start_to_ready_s": round(statistics.median(seconds), 3),
        "start_to_first_bucket_route_s": round(statistics.median(to_bucket_route), 3),
        "cpu_s_at_first_bucket_route": {module: round(statistics.median(used), 2) for module, used in cpu.items()},
        "idle_tree_rss_mb_before_console": statistics.median(before_console),
        "idle_tree_rss_mb": statistics.median(idle_rss),
        "idle_rss_mb_by_module": {module: statistics.median(resident) for module, resident in idle_by_module.items()},
    }


@contextmanager
def without_bytecode(root: Path) -> Iterator[Path]:
    """A folder holding a copy of this checkout's `devserver` and `emulator` with no compiled modules: run from it
    with no bytecode written (`startup_figures(sources=...)`), each process compiles them as it starts, as an
    editable install does where `PYTHONDONTWRITEBYTECODE` is set and nothing compiled them ahead."""
    copy = root / "uncompiled"
    for package in ("devserver", "emulator"):
        shutil.copytree(REPO / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    try:
        yield copy
    finally:
        shutil.rmtree(copy)


FLOORS = {
    "emulator_imports": "import moto.s3.models, moto.iam.models",
    "handler_with_boto3_client": "import boto3; boto3.client('s3', region_name='us-east-1')",
}
"""What no design built on moto, serving a handler that uses boto3, can avoid: the two modules the emulator's first
answer needs (its bucket, and its IAM check), and a handler's boto3 client."""


def floor_figures(runs: int = 5) -> dict[str, dict[str, float]]:
    """For each of `FLOORS`, a fresh `python -c` doing just that: seconds from spawn to done, and its RSS then
    (MB); medians of `runs`."""
    figures = {}
    for name, code in FLOORS.items():
        seconds, rss = [], []
        for _ in range(runs):
            began = time.perf_counter()
            with subprocess.Popen(
                [sys.executable, "-c", f"{code}; print(flush=True); import sys; sys.stdin.read()"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            ) as process:
                assert process.stdout is not None and process.stdin is not None
                process.stdout.readline()
                seconds.append(time.perf_counter() - began)
                rss.append(rss_mb(process.pid))
                process.stdin.close()
        figures[name] = {"seconds": round(statistics.median(seconds), 3), "rss_mb": statistics.median(rss)}
    return figures


def multipart_tree_peak(app_dir: Path, size: int = 100 * 1024 * 1024) -> dict[str, float]:
    """The whole `sst-dev start` tree's RSS, sampled every 10 ms, while boto3 uploads `size` random bytes to the
    app's bucket with its default multipart transfer (8 MiB parts, 10 threads), outside the prefix that fires the
    bucket's notification; and its RSS idle before."""
    import boto3

    port = free_port()
    with running(sst_dev(app_dir, port), f"http://127.0.0.1:{port}/_sst/api/health") as process:
        dev_file = app_dir / ".sst" / "dev.json"
        while not dev_file.exists():  # written once the emulator holds the app
            time.sleep(0.05)
        dev = json.loads(dev_file.read_text())
        credentials = dev["emulator"]["credentials"]
        s3 = boto3.session.Session().client(
            "s3",
            endpoint_url=dev["emulator"]["endpoint"],
            region_name=dev["emulator"]["region"],
            aws_access_key_id=credentials["accessKeyId"],
            aws_secret_access_key=credentials["secretAccessKey"],
        )
        before = tree_rss_mb(process.pid)
        peak, uploading = before, threading.Event()
        uploading.set()

        def sample() -> None:
            nonlocal peak
            while uploading.is_set():
                peak = max(peak, tree_rss_mb(process.pid))
                time.sleep(0.01)

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            s3.upload_fileobj(
                io.BytesIO(os.urandom(size)), dev["resources"]["Bucket"]["myFiles"]["bucketName"], "bench/big"
            )
        finally:
            uploading.clear()
            sampler.join()
    return {"object_mib": size / (1024 * 1024), "tree_rss_mb_before": before, "tree_peak_rss_mb": peak}


def run(seconds: int, rounds: int = 3) -> dict[str, Any]:
    with app_folder() as root:
        app_dir = copy_sample(root)
        bare_port, silent_port, worker_port, port = free_port(), free_port(), free_port(), free_port()
        bare_url, silent_url = f"http://127.0.0.1:{bare_port}/", f"http://127.0.0.1:{silent_port}/"
        worker_url = f"http://127.0.0.1:{worker_port}/"
        url = f"http://127.0.0.1:{port}"
        with running(sst_dev(app_dir, port), f"{url}/_sst/api/health") as ours_process:
            with (
                running(bare_app(bare_port), bare_url) as bare_process,
                running(bare_app(silent_port, access_log=False), silent_url) as silent_process,
                running(bare_app(worker_port, module="benchmarks.bare_app_with_worker"), worker_url) as worker_process,
            ):
                routes = route_figures(
                    {
                        "bare": (bare_url, bare_process.pid),
                        "silent": (silent_url, silent_process.pid),
                        "worker": (worker_url, worker_process.pid),
                        "ours": (url + "/", ours_process.pid),
                    },
                    seconds,
                    rounds,
                )
            reload = reload_figures(app_dir, url)
            reload["request_after_save"] = first_request_after_save(url, app_dir / "functions" / "files.py")
        startup = startup_figures(app_dir)
        with without_bytecode(root) as sources:
            uncompiled = startup_figures(app_dir, sources=sources)
        startup["without_bytecode"] = {
            name: uncompiled[name] for name in ("start_to_ready_s", "start_to_first_bucket_route_s")
        }
        startup["floors"] = floor_figures()
        startup["idle_floor_rss_mb"] = round(sum(floor["rss_mb"] for floor in startup["floors"].values()), 1)
        multipart = multipart_tree_peak(app_dir)
    ours = routes["ours"]
    return {
        "bare_uvicorn_starlette": routes["bare"],
        "bare_uvicorn_starlette_no_access_log": routes["silent"],
        "bare_app_with_worker_process": routes["worker"],
        "sst_dev_hot_reload_on": ours,
        "ratios": _ratios(ours, routes["bare"]),
        "ratios_vs_no_access_log": _ratios(ours, routes["silent"]),
        "worker_process_floor_vs_bare": _ratios(routes["worker"], routes["bare"]),
        "ratios_vs_worker_process_floor": _ratios(ours, routes["worker"]),
        "reload": reload,
        "startup": startup,
        "multipart_100MiB": multipart,
    }


def _ratios(ours: dict[str, dict[str, float]], floor: dict[str, dict[str, float]]) -> dict[str, float]:
    """`ours`' figures divided by `floor`'s."""
    return {
        "p50_latency": round(ours["latency"]["p50_ms"] / floor["latency"]["p50_ms"], 2),
        "requests_per_s": round(ours["throughput"]["rps"] / floor["throughput"]["rps"], 2),
        "cpu_per_request": round(
            ours["throughput"]["cpu_us_per_request"] / floor["throughput"]["cpu_us_per_request"], 2
        ),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration for the throughput run")
    parser.add_argument("--rounds", type=int, default=3, help="turns each server gets; figures are their medians")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.seconds, args.rounds), indent=2))


if __name__ == "__main__":
    main()
