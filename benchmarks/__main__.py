"""`make bench`: run every benchmark, each in its own process, and write BENCHMARKS.md.

Each benchmark module prints one JSON object; this collects them, puts the figures the issues set targets for
into one table (ratios against the floor measured in the same run), and keeps every raw figure below it. A full run
also times `benchmarks.machine_speed` before the first module and after the last: the machine's own speed, which
moves every absolute figure of the run.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCHMARKS = (
    "devserver_http",
    "runtime_roundtrip",
    "emulator_s3",
    "notification_latency",
    "trigger_latency",
    "websocket_latency",
    "cloud_latency",
    "emulator_memory",
    "load_mix",
)
REPORT = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"

Results = dict[str, dict[str, Any]]


def _get(results: Results, path: str) -> Any:
    node: Any = results
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


_NOTIFY = "notification_latency.put_returned_to_handler_started"

# (what, path into the results, target, how to check it; None: shown for context, no target)
HEADLINES: tuple[tuple[str, str, str, Callable[[float], bool] | None], ...] = (
    ("Machine speed as the run began: a fixed pure-Python loop, s (lower is faster)",
     "machine_speed.before.pure_python_loop_s", "(context: compare runs by it)", None),
    ("… the same as the run ended, s", "machine_speed.after.pure_python_loop_s", "(context)", None),
    ("Route p50 vs bare uvicorn+Starlette (hot reload on)", "devserver_http.ratios.p50_latency",
     "≤ 2× (first target; issue 21 restates it below)",
     lambda v: v <= 2),
    ("Route req/s vs bare app (`wrk -t1 -c16`)", "devserver_http.ratios.requests_per_s",
     "≥ 0.75× (first target; issue 21 restates it below)",
     lambda v: v >= 0.75),
    ("Route p50 vs bare app with its access log off", "devserver_http.ratios_vs_no_access_log.p50_latency",
     "(context)", None),
    ("Route req/s vs bare app with its access log off", "devserver_http.ratios_vs_no_access_log.requests_per_s",
     "(context)", None),
    ("Bare app + one pipe round trip to a worker process: p50 vs bare app",
     "devserver_http.worker_process_floor_vs_bare.p50_latency", "(context: a floor)", None),
    ("Bare app + one pipe round trip to a worker process: req/s vs bare app",
     "devserver_http.worker_process_floor_vs_bare.requests_per_s", "(context: a floor)", None),
    ("Route p50 vs that worker-process floor", "devserver_http.ratios_vs_worker_process_floor.p50_latency",
     "≤ 1.05× (issue 21)", lambda v: v <= 1.05),
    ("Route req/s vs that worker-process floor", "devserver_http.ratios_vs_worker_process_floor.requests_per_s",
     "≥ 0.95× (issue 21)", lambda v: v >= 0.95),
    ("Route p50, ms (sst-dev)", "devserver_http.sst_dev_hot_reload_on.latency.p50_ms", "(peer: 0.8 ms)",
     lambda v: v <= 0.8),
    ("First request 1 s after saving a boto3 handler, ms (re-warmed in the background)",
     "devserver_http.reload.request_after_save.first_after_save_ms", "≤ 50 (issue 21)", lambda v: v <= 50),
    ("Save → new code served, median of 20, ms", "devserver_http.reload.save_to_new_code_ms.median", "≤ 300",
     lambda v: v <= 300),
    ("`sst-dev start` → ready, s", "devserver_http.startup.start_to_ready_s", "≤ 1.0", lambda v: v <= 1.0),
    ("`sst-dev start` → first answer of a route that lists a bucket, s",
     "devserver_http.startup.start_to_first_bucket_route_s", "≤ 1.0 (issue 21)", lambda v: v <= 1.0),
    ("… the same with the project's modules left uncompiled (no `make bytecode`), s",
     "devserver_http.startup.without_bytecode.start_to_first_bucket_route_s", "(context: a lever)", None),
    ("… floor: a fresh Python importing moto's S3 and IAM models, s",
     "devserver_http.startup.floors.emulator_imports.seconds", "(context: a floor)", None),
    ("Idle RSS of the process tree (Console loaded), MB", "devserver_http.startup.idle_tree_rss_mb",
     "≤ 120 (issue 21; ≤ 150 before)", lambda v: v <= 120),
    ("… the same before the Console is first opened, MB", "devserver_http.startup.idle_tree_rss_mb_before_console",
     "(context)", None),
    ("… floor: a Python holding moto's S3 and IAM models plus one holding a boto3 S3 client, MB",
     "devserver_http.startup.idle_floor_rss_mb", "(context: a floor)", None),
    ("S3 1 KiB PUT ops/s vs ThreadedMotoServer", "emulator_s3.ours_vs_moto.1KiB.put", "≥ 2×", lambda v: v >= 2),
    ("S3 1 KiB GET ops/s vs ThreadedMotoServer", "emulator_s3.ours_vs_moto.1KiB.get", "≥ 2×", lambda v: v >= 2),
    ("S3 1 MiB PUT ops/s vs ThreadedMotoServer", "emulator_s3.ours_vs_moto.1MiB.put", "≥ 0.9×", lambda v: v >= 0.9),
    ("S3 1 MiB GET ops/s vs ThreadedMotoServer", "emulator_s3.ours_vs_moto.1MiB.get", "≥ 0.9×", lambda v: v >= 0.9),
    ("S3 1 KiB PUT ops/s vs ThreadedMotoServer, durable (as `start` runs it)",
     "emulator_s3.ours_durable_vs_moto.1KiB.put", "≥ 2× (issue 21)", lambda v: v >= 2),
    ("S3 1 MiB PUT ops/s, durable", "emulator_s3.ours_durable.1MiB.put", "≥ 90 (issue 21)", lambda v: v >= 90),
    ("… vs the same emulator with glibc's own trim threshold (as before 2026-12-03)",
     "emulator_s3.ours_durable_vs_glibc_trim.1MiB.put", "(context: a lever)", None),
    ("S3 LIST 1,000 keys, durable, ms", "emulator_s3.list_1000_keys_ms.ours_durable", "≤ 90 (issue 21)",
     lambda v: v <= 90),
    ("S3 LIST 1,000 keys, durable, time vs ThreadedMotoServer", "emulator_s3.list_1000_keys_time_vs_moto.ours_durable",
     "≤ 0.55× (issue 21)", lambda v: v <= 0.55),
    ("… of which boto3's own time once the answer is in (parsing it: the client's floor), ms",
     "emulator_s3.list_1000_keys_boto3_after_answer_ms.ours_durable", "(context: a floor)", None),
    ("100 MiB multipart upload, emulator peak RSS, MB", "emulator_memory.multipart_100MiB.after_upload.peak_mb",
     "≤ 200", lambda v: v <= 200),
    ("100 MiB in one PutObject, emulator peak RSS, MB", "emulator_memory.single_put_100MiB.after_put.peak_mb",
     "(context: bodies stay out of memory)", None),
    ("100 MiB multipart upload under `sst-dev start`: whole tree's peak RSS, MB",
     "devserver_http.multipart_100MiB.tree_peak_rss_mb", "≤ 150 (issue 21)", lambda v: v <= 150),
    ("1 GiB multipart upload, emulator peak RSS, MB", "emulator_memory.multipart_1024MiB.after_upload.peak_mb",
     "≤ 300", lambda v: v <= 300),
    ("RSS after downloading it, MB", "emulator_memory.multipart_1024MiB.after_download.rss_mb", "≤ 300",
     lambda v: v <= 300),
    ("RSS after storing 500 MiB of 256 KiB objects, MB", "emulator_memory.small_objects.after.rss_mb", "≤ 300",
     lambda v: v <= 300),
    ("Notification PUT returned → handler started, p50 ms", f"{_NOTIFY}.p50_ms", "≤ 10", lambda v: v <= 10),
    ("Notification PUT returned → handler started, p99 ms", f"{_NOTIFY}.p99_ms", "≤ 50", lambda v: v <= 50),
    ("Notification under 50 PUT/s, 30 ms handler, durable: PUT returned → handler started, p50 ms",
     "notification_latency.under_load.put_returned_to_handler_started.p50_ms", "≤ 10 (issue 21)", lambda v: v <= 10),
    ("… the same, p99 ms (extra workers cold-start as the pool scales out)",
     "notification_latency.under_load.put_returned_to_handler_started.p99_ms", "(context)", None),
    ("SQS message sent → consumer started, p50 ms", "trigger_latency.sqs_sent_to_consumer_started.p50_ms", "≤ 10",
     lambda v: v <= 10),
    ("SQS message sent → consumer started, p99 ms", "trigger_latency.sqs_sent_to_consumer_started.p99_ms", "≤ 50",
     lambda v: v <= 50),
    ("SNS publish → both subscribers started, p50 ms",
     "trigger_latency.sns_published_to_both_subscribers_started.p50_ms", "≤ 15", lambda v: v <= 15),
    ("… the same, p99 ms (1.1-1.9 s in every run before workers started one at a time)",
     "trigger_latency.sns_published_to_both_subscribers_started.p99_ms", "(context)", None),
    ("Idle with a queue, a cron and a stream: whole tree, % of a core over 30 s",
     "trigger_latency.idle.tree_cpu_percent_of_a_core", "≤ 1", lambda v: v <= 1),
    ("WebSocket message → reply frame (via the management API), warm: p50 ms over the HTTP route's p50",
     "websocket_latency.added_p50_ms", "≤ 2 (issue 20)", lambda v: v <= 2),
    ("200 idle WebSocket connections: added RSS of the whole tree, MB", "websocket_latency.idle.added_rss_mb",
     "≤ 20 (issue 20)", lambda v: v <= 20),
    ("200 idle WebSocket connections: whole tree, % of a core", "websocket_latency.idle.tree_cpu_percent_of_a_core",
     "≤ 1 (issue 20)", lambda v: v <= 1),
    ("`--cloud`: S3 PUT → local handler started, p50 ms over the account's own S3 → SQS p50 (stand-in)",
     "cloud_latency.added_p50_ms", "≤ 100", lambda v: v <= 100),
    ("`--cloud` idle: whole tree, % of a core over 30 s", "cloud_latency.idle.tree_cpu_percent_of_a_core", "≤ 1",
     lambda v: v <= 1),
    ("Load, 32 clients × 60 s: errors", "load_mix.errors", "0", lambda v: v == 0),
    ("Load: lost notifications", "load_mix.lost_notifications", "0", lambda v: v == 0),
    ("Load: dev server + workers RSS growth after the first 15 s, %",
     "load_mix.serving_rss_growth_after_15s_percent", "stable (≤ 10 %)", lambda v: v <= 10),
    ("Load: emulator RSS growth per object stored meanwhile, KB",
     "load_mix.emulator_kb_per_object_stored_after_15s", "(context: data)", None),
    ("Load: whole tree RSS growth after the first 15 s, % (stored data included)",
     "load_mix.rss_growth_after_15s_percent", "(context)", None),
)  # fmt: skip


def run_one(name: str) -> dict[str, Any]:
    print(f"running benchmarks.{name} ...", file=sys.stderr, flush=True)
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    result: dict[str, Any] = json.loads(done.stdout)
    print(f"  done in {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    return result


def this_machine() -> str:
    return f"{platform.machine()}, Python {platform.python_version()}"


def render(results: Results, command: str, date: str, machine: str) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Produced by `{command}` on {date}, {machine}, on this project's 2-core machine. "
        "Every ratio is against a floor measured in the same run; medians unless said otherwise. "
        "Each module's docstring says how it measures.",
        "",
        "| Figure | Measured | Target | Met |",
        "|---|---|---|---|",
    ]
    for what, path, target, check in HEADLINES:
        value = _get(results, path)
        shown = "not measured" if value is None else f"{value}"
        met = "" if value is None or check is None else ("yes" if check(float(value)) else "**no**")
        lines.append(f"| {what} | {shown} | {target} | {met} |")
    lines += ["", "## Raw figures", ""]
    for name, result in results.items():
        lines += [f"### `python -m benchmarks.{name}`", "", "```json", json.dumps(result, indent=2), "```", ""]
    return "\n".join(lines)


_HEADER = re.compile(
    r"Produced by `(?P<command>[^`]+)` on (?P<date>\d{4}-\d{2}-\d{2}), (?P<machine>[^,]+, Python [^,]+),"
)
_RAW = re.compile(
    r"^### `python -m benchmarks\.(?P<name>\w+)`\n\n```json\n(?P<json>.*?)\n```$", re.MULTILINE | re.DOTALL
)


def recorded(report: str) -> tuple[Results, str, str, str]:
    """The raw figures, the command, the date and the machine of the run `report` (a BENCHMARKS.md) records."""
    header = _HEADER.search(report)
    if header is None:
        raise ValueError("the report does not say which run produced it")
    results = {match["name"]: json.loads(match["json"]) for match in _RAW.finditer(report)}
    return results, header["command"], header["date"], header["machine"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", choices=[[], *BENCHMARKS], help="run only these (default: all)")
    parser.add_argument(
        "--table-only",
        action="store_true",
        help="measure nothing: rebuild BENCHMARKS.md's table from the raw figures it holds (after a target changed)",
    )
    args = parser.parse_args(argv)
    if args.table_only:
        REPORT.write_text(render(*recorded(REPORT.read_text())))
    else:
        names = args.only or BENCHMARKS
        speed_before = None if args.only else run_one("machine_speed")
        results = {name: run_one(name) for name in names}
        if speed_before is not None:
            results["machine_speed"] = {"before": speed_before, "after": run_one("machine_speed")}
        command = "make bench" if not args.only else f"python -m benchmarks {' '.join(names)}"
        REPORT.write_text(render(results, command, time.strftime("%Y-%m-%d"), this_machine()))
    print(f"wrote {REPORT}", file=sys.stderr)


if __name__ == "__main__":
    main()
