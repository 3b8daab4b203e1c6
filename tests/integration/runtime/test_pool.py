"""The worker pool with real worker processes: cold and warm starts, errors, concurrency, reload, isolation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from devserver.app.model import FunctionSpec, frozen_mapping
from devserver.runtime.pool import REWARM_DELAY_SECONDS, WorkerPool
from tests.apps import copy_fixture_app

pytestmark = pytest.mark.anyio


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    return copy_fixture_app("runtime_app", tmp_path)


@pytest.fixture
def log_lines() -> list[tuple[str, str | None, str]]:
    return []


@pytest.fixture
async def pool(log_lines: list[tuple[str, str | None, str]]) -> AsyncIterator[WorkerPool]:
    pool = WorkerPool(max_workers_per_function=2, log_sink=lambda *line: log_lines.append(line))
    yield pool
    await pool.aclose()


def function(app_dir: Path, handler: str, name: str | None = None, **options: object) -> FunctionSpec:
    return FunctionSpec(
        name=name or handler.replace("/", "-").replace(".", "-"), handler=handler, app_dir=app_dir, **options
    )  # type: ignore[arg-type]


async def test_the_first_invocation_is_cold_and_the_next_ones_reuse_the_warm_worker(
    app_dir: Path, pool: WorkerPool
) -> None:
    hello = function(app_dir, "functions/hello.main")
    first = await pool.invoke(hello, {"name": "Ada"})
    second = await pool.invoke(hello, {"name": "Bob"})
    assert first.ok and first.cold and first.init_duration_ms is not None
    assert first.result == {"message": "hello Ada", "calls": 1, "pid": first.result["pid"]}  # type: ignore[index]
    assert not second.cold and second.init_duration_ms is None
    assert second.result["calls"] == 2 and second.result["pid"] == first.result["pid"]  # type: ignore[index]
    assert pool.worker_count() == 1


async def test_a_handler_exception_returns_lambdas_error_and_the_worker_stays_warm(
    app_dir: Path, pool: WorkerPool
) -> None:
    failing = function(app_dir, "functions/faults.raise_error")
    first = await pool.invoke(failing, {"value": 42})
    assert first.error is not None
    assert (first.error.error_type, first.error.error_message) == ("ValueError", "bad input: 42")
    assert len(first.error.stack_trace) == 1
    assert first.error.stack_trace[0].startswith(f'  File "{app_dir}/functions/faults.py", line 11, in raise_error')
    again = await pool.invoke(failing, {"value": 1})
    assert not again.cold and again.error is not None


NO_MODULE = "Unable to import module 'functions/nope': No module named 'functions.nope'"
NO_DEPENDENCY = "Unable to import module 'functions/imports_missing': No module named 'no_such_dependency'"
BAD_SYNTAX = "Syntax error in module 'functions/broken_syntax': expected ':' (broken_syntax.py, line 1)"


@pytest.mark.parametrize(
    ("handler", "error_type", "message"),
    [
        ("functions/nope.main", "Runtime.ImportModuleError", NO_MODULE),
        ("functions/imports_missing.main", "Runtime.ImportModuleError", NO_DEPENDENCY),
        ("functions/hello.nope", "Runtime.HandlerNotFound", "Handler 'nope' missing on module 'functions/hello'"),
        ("functions/broken_syntax.main", "Runtime.UserCodeSyntaxError", BAD_SYNTAX),
        ("functions/raises_at_import.main", "RuntimeError", "cannot start: missing configuration"),
    ],
)
async def test_init_errors_are_reported_with_lambdas_type_and_wording(
    app_dir: Path, pool: WorkerPool, handler: str, error_type: str, message: str
) -> None:
    invocation = await pool.invoke(function(app_dir, handler), {})
    assert invocation.cold and invocation.error is not None
    assert (invocation.error.error_type, invocation.error.error_message) == (error_type, message)
    assert pool.worker_count() == 0


async def test_an_import_time_error_shows_the_users_frame_not_the_runtimes(app_dir: Path, pool: WorkerPool) -> None:
    invocation = await pool.invoke(function(app_dir, "functions/raises_at_import.main"), {})
    assert invocation.error is not None
    assert invocation.error.stack_trace[-1].startswith(f'  File "{app_dir}/functions/raises_at_import.py", line 1')
    assert not any("devserver" in frame for frame in invocation.error.stack_trace)


async def test_a_failed_init_is_retried_on_the_next_invocation(app_dir: Path, pool: WorkerPool) -> None:
    broken = function(app_dir, "functions/broken_syntax.main")
    assert (await pool.invoke(broken, {})).error is not None
    (app_dir / "functions" / "broken_syntax.py").write_text("def main(event, context):\n    return 'fixed'\n")
    assert (await pool.invoke(broken, {})).result == "fixed"


async def test_a_return_value_json_cannot_encode_is_a_marshal_error(app_dir: Path, pool: WorkerPool) -> None:
    invocation = await pool.invoke(function(app_dir, "functions/faults.unserialisable"), {})
    assert invocation.error is not None
    assert invocation.error.error_type == "Runtime.MarshalError"
    assert (
        invocation.error.error_message == "Unable to marshal response: Object of type object is not JSON serializable"
    )


async def test_an_event_larger_than_a_pipe_buffer_arrives_whole(app_dir: Path, pool: WorkerPool) -> None:
    echo = app_dir / "functions" / "echo.py"
    echo.write_text("def main(event, context):\n    return event\n")
    event = {"body": "x" * 1_000_000, "n": 1}
    assert (await pool.invoke(function(app_dir, "functions/echo.main"), event)).result == event


async def test_concurrent_invocations_start_workers_up_to_the_cap_then_queue(app_dir: Path, pool: WorkerPool) -> None:
    sleeper = function(app_dir, "functions/faults.sleep")
    invocations = await asyncio.gather(*(pool.invoke(sleeper, {"seconds": 0.3}) for _ in range(5)))
    assert all(invocation.ok for invocation in invocations)
    assert len({invocation.result["pid"] for invocation in invocations}) == 2  # type: ignore[index]
    assert sum(invocation.cold for invocation in invocations) == 2
    assert pool.worker_count() == 2


async def test_a_burst_against_a_cold_function_starts_one_worker_at_a_time(app_dir: Path) -> None:
    """The burst waits for the starting worker instead of starting eight at once on a machine's few cores; once that
    one has started while still busy, the next start begins (scaling out, one start at a time)."""
    (app_dir / "functions" / "slow_init.py").write_text(
        "import os, time\ntime.sleep(0.5)\n\ndef main(event, context):\n    return {'pid': os.getpid()}\n"
    )
    slow_init = function(app_dir, "functions/slow_init.main")
    pool = WorkerPool(max_workers_per_function=8)
    try:
        invocations = await asyncio.gather(*(pool.invoke(slow_init, {}) for _ in range(8)))
    finally:
        await pool.aclose()
    assert all(invocation.ok for invocation in invocations)
    assert sum(invocation.cold for invocation in invocations) <= 2


async def test_an_invocation_cancelled_while_waiting_for_a_start_leaves_the_start_to_its_owner(
    app_dir: Path, pool: WorkerPool
) -> None:
    """A client that goes away while its invocation waits for another's cold start (a closed connection cancels it)
    does not cancel that start: the owner gets its answer and the worker stays warm for the next request."""
    (app_dir / "functions" / "slow_init.py").write_text(
        "import os, time\ntime.sleep(0.5)\n\ndef main(event, context):\n    return {'pid': os.getpid()}\n"
    )
    slow_init = function(app_dir, "functions/slow_init.main")
    owner = asyncio.ensure_future(pool.invoke(slow_init, {}))
    await asyncio.sleep(0.1)  # the owner's worker is starting
    waiter = asyncio.ensure_future(pool.invoke(slow_init, {}))
    await asyncio.sleep(0.1)
    waiter.cancel()
    first = await owner
    assert first.ok and first.cold
    assert waiter.cancelled()
    second = await pool.invoke(slow_init, {})
    assert not second.cold and second.result == first.result


async def test_retiring_a_function_makes_the_next_invocation_run_the_edited_code(
    app_dir: Path, pool: WorkerPool
) -> None:
    hello = function(app_dir, "functions/hello.main")
    before = await pool.invoke(hello, {"name": "Ada"})
    (app_dir / "functions" / "greeting.py").write_text("def greet(name):\n    return f'hi {name}'\n")
    assert pool.retire(lambda spec: spec.name == hello.name) == 1
    assert pool.worker_count() == 0
    after = await pool.invoke(hello, {"name": "Ada"})
    assert after.cold and after.result["message"] == "hi Ada"  # type: ignore[index]
    assert after.result["pid"] != before.result["pid"]  # type: ignore[index]


async def settled(pool: WorkerPool, workers: int, timeout: float = 10.0) -> None:
    """Wait until `workers` workers are alive and the re-warm delay has long passed."""
    deadline = asyncio.get_running_loop().time() + timeout
    await asyncio.sleep(REWARM_DELAY_SECONDS * 3)
    while pool.worker_count() != workers and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.02)


async def test_a_rewarming_retire_leaves_a_warm_worker_of_the_edited_code(app_dir: Path, pool: WorkerPool) -> None:
    hello = function(app_dir, "functions/hello.main")
    before = await pool.invoke(hello, {"name": "Ada"})
    (app_dir / "functions" / "greeting.py").write_text("def greet(name):\n    return f'hi {name}'\n")
    assert pool.retire(lambda spec: spec.name == hello.name, rewarm=True) == 1
    await settled(pool, workers=1)
    await asyncio.sleep(0.5)  # long enough for a worker to be up
    after = await pool.invoke(hello, {"name": "Ada"})
    assert not after.cold, "the worker started in the background is warm"
    assert after.result["message"] == "hi Ada" and after.result["pid"] != before.result["pid"]  # type: ignore[index]
    assert pool.worker_count() == 1


async def test_a_burst_of_retires_starts_one_worker_and_an_early_request_waits_for_it(
    app_dir: Path, pool: WorkerPool
) -> None:
    hello = function(app_dir, "functions/hello.main")
    await pool.invoke(hello, {"name": "Ada"})
    for _ in range(5):  # a `git checkout`: the reloader retires again for each batch
        pool.retire(lambda spec: spec.name == hello.name, rewarm=True)
        await asyncio.sleep(REWARM_DELAY_SECONDS / 5)
    await asyncio.sleep(REWARM_DELAY_SECONDS * 1.5)  # the re-warm has begun, its worker is still starting
    early = await pool.invoke(hello, {"name": "Bob"})
    assert not early.cold, "it took the worker being started rather than starting a second one"
    assert pool.worker_count() == 1


async def test_a_request_right_after_a_retire_begins_the_rewarm_at_once_and_takes_its_worker(
    app_dir: Path, pool: WorkerPool
) -> None:
    hello = function(app_dir, "functions/hello.main")
    await pool.invoke(hello, {"name": "Ada"})
    pool.retire(lambda spec: spec.name == hello.name, rewarm=True)
    at_once = await pool.invoke(hello, {"name": "Bob"})  # within the re-warm delay: not a second, separate start
    assert not at_once.cold
    await asyncio.sleep(REWARM_DELAY_SECONDS * 3)  # no re-warm is left to start one more
    assert pool.worker_count() == 1


async def test_a_retire_while_the_rewarm_starts_queues_one_more_and_a_request_takes_that_one(
    app_dir: Path, pool: WorkerPool
) -> None:
    hello = function(app_dir, "functions/hello.main")
    await pool.invoke(hello, {"name": "Ada"})
    pool.retire(lambda spec: spec.name == hello.name, rewarm=True)
    await asyncio.sleep(REWARM_DELAY_SECONDS * 1.5)  # the re-warm has begun, its worker is still starting
    pool.retire(lambda spec: spec.name == hello.name, rewarm=True)  # a later batch of the same save
    answer = await pool.invoke(hello, {"name": "Bob"})
    assert not answer.cold, "it waited for the re-warm queued after the retired start"
    await settled(pool, workers=1)
    assert pool.worker_count() == 1


async def test_a_retire_without_rewarm_starts_nothing(app_dir: Path, pool: WorkerPool) -> None:
    hello = function(app_dir, "functions/hello.main")
    await pool.invoke(hello, {"name": "Ada"})
    pool.retire(lambda spec: True)  # a config reload: the specs themselves change
    await asyncio.sleep(REWARM_DELAY_SECONDS * 5)
    assert pool.worker_count() == 0


async def test_a_busy_worker_is_retired_once_its_invocation_finishes(app_dir: Path, pool: WorkerPool) -> None:
    sleeper = function(app_dir, "functions/faults.sleep")
    busy = asyncio.ensure_future(pool.invoke(sleeper, {"seconds": 0.5}))
    while pool.worker_count() == 0:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)  # starting or inside the handler: busy either way
    assert pool.retire(lambda spec: spec.handler == sleeper.handler) == 1
    finished = await busy
    assert finished.ok and finished.result["slept"] == 0.5  # type: ignore[index]
    await asyncio.sleep(0.05)
    assert pool.worker_count() == 0
    assert (await pool.invoke(sleeper, {"seconds": 0})).cold


async def test_a_changed_function_spec_gets_a_fresh_worker(app_dir: Path, pool: WorkerPool) -> None:
    env_reader = function(app_dir, "functions/introspect.environment", name="reader")
    await pool.invoke(env_reader, {})
    changed = function(
        app_dir, "functions/introspect.environment", name="reader", environment=frozen_mapping({"MODE": "new"})
    )
    invocation = await pool.invoke(changed, {})
    assert invocation.cold and invocation.result["MODE"] == "new"  # type: ignore[index]


async def test_a_function_sees_only_its_own_environment(
    app_dir: Path, pool: WorkerPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEVELOPER_SHELL_SECRET", "do-not-leak")
    first = function(
        app_dir, "functions/introspect.environment", name="first", environment=frozen_mapping({"ONLY_FIRST": "1"})
    )
    second = function(
        app_dir, "functions/introspect.environment", name="second", environment=frozen_mapping({"ONLY_SECOND": "2"})
    )
    first_env, second_env = (await pool.invoke(first, {})).result, (await pool.invoke(second, {})).result
    assert isinstance(first_env, dict) and isinstance(second_env, dict)
    assert first_env["ONLY_FIRST"] == "1" and "ONLY_SECOND" not in first_env
    assert second_env["ONLY_SECOND"] == "2" and "ONLY_FIRST" not in second_env
    assert "DEVELOPER_SHELL_SECRET" not in first_env
    assert first_env["AWS_LAMBDA_FUNCTION_NAME"] == "first" and first_env["LAMBDA_TASK_ROOT"] == str(app_dir)


async def test_the_task_root_is_the_working_directory_and_first_on_sys_path(app_dir: Path, pool: WorkerPool) -> None:
    result = (await pool.invoke(function(app_dir, "functions/introspect.cwd_and_path"), {})).result
    assert result == {"cwd": str(app_dir), "path0": str(app_dir)}


async def test_the_context_has_what_the_aws_context_has(app_dir: Path, pool: WorkerPool) -> None:
    spec = function(app_dir, "functions/introspect.context_fields", name="ctx", timeout=5, memory_size=256)
    invocation = await pool.invoke(spec, {}, request_id="req-123")
    fields = invocation.result
    assert isinstance(fields, dict)
    remaining = fields.pop("remaining_ms")
    assert 0 < remaining <= 5000
    assert fields.pop("log_stream_name").startswith(("20", "21"))
    assert fields == {
        "aws_request_id": "req-123",
        "function_name": "ctx",
        "function_version": "$LATEST",
        "invoked_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:ctx",
        "memory_limit_in_mb": "256",
        "log_group_name": "/aws/lambda/ctx",
        "identity": None,
        "client_context": None,
    }


async def test_print_and_logging_reach_the_log_sink_with_the_function_and_request(
    app_dir: Path, pool: WorkerPool, log_lines: list[tuple[str, str | None, str]]
) -> None:
    chatty = function(app_dir, "functions/faults.chatty", name="chatty")
    invocation = await pool.invoke(chatty, {"what": "careful"}, request_id="req-9")
    assert invocation.logs[:2] == ("printed line one", "printed line two")
    level, _timestamp, request_id, message = invocation.logs[2].split("\t")
    assert (level, request_id, message) == ("[WARNING]", "req-9", "logged careful")
    assert log_lines == [("chatty", "req-9", line) for line in invocation.logs]


async def test_import_time_output_is_logged_without_a_request_and_kept_with_the_cold_invocation(
    app_dir: Path, pool: WorkerPool, log_lines: list[tuple[str, str | None, str]]
) -> None:
    invocation = await pool.invoke(function(app_dir, "functions/prints_at_import.main", name="p"), {})
    assert invocation.logs == ("loading configuration",)
    assert log_lines == [("p", None, "loading configuration")]


async def test_source_files_include_modules_outside_the_app_and_behind_symlinks(
    app_dir: Path, pool: WorkerPool, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "outside_helpers.py").write_text("VALUE = 'outside'\n")
    linked_target = tmp_path / "linked_target"
    linked_target.mkdir()
    (linked_target / "__init__.py").write_text("")
    (linked_target / "tools.py").write_text("VALUE = 'linked'\n")
    (app_dir / "linked").symlink_to(linked_target)
    (app_dir / "functions" / "uses_outside.py").write_text(
        "def main(event, context):\n"
        "    import outside_helpers\n    from linked import tools\n"
        "    return [outside_helpers.VALUE, tools.VALUE]\n"
    )
    reported: list[tuple[str, frozenset[Path]]] = []
    pool.on_sources = lambda name, files: reported.append((name, files))
    spec = function(
        app_dir, "functions/uses_outside.main", name="uses", environment=frozen_mapping({"PYTHONPATH": str(outside)})
    )
    assert (await pool.invoke(spec, {})).result == ["outside", "linked"]
    files = pool.source_files("uses")
    assert (outside / "outside_helpers.py").resolve() in files
    assert (linked_target / "tools.py").resolve() in files
    assert (app_dir / "functions" / "uses_outside.py").resolve() in files
    assert not any("site-packages" in str(file) or "/devserver/" in str(file) for file in files)
    assert not any("/emulator/" in str(file) for file in files), "sst-dev's other package is not the user's either"
    assert reported[-1] == ("uses", files)
