"""What a worker starts with and how its faults read: environment, context, exit wording, local sources."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime
from pathlib import Path

from devserver.app.model import FunctionSpec, frozen_mapping
from devserver.runtime.context import LambdaContext, function_arn
from devserver.runtime.environment import EXECUTION_ENV, log_stream_name, worker_environment
from devserver.runtime.errors import exit_error, out_of_memory_error, timeout_error
from devserver.runtime.sources import SourceTracker, local_source_files

SERVER_ENV = {"PATH": "/usr/bin", "HOME": "/home/dev", "GITHUB_TOKEN": "secret", "AWS_PROFILE": "prod"}


def spec(**overrides: object) -> FunctionSpec:
    values: dict[str, object] = {"name": "app-hello", "handler": "functions/hello.main", "app_dir": Path("/app")}
    values.update(overrides)
    return FunctionSpec(**values)  # type: ignore[arg-type]


def environment(function: FunctionSpec, base: dict[str, str] | None = None) -> dict[str, str]:
    return worker_environment(function, base_environment=base or {}, server_environ=SERVER_ENV, log_stream="s")


def test_a_worker_sees_none_of_the_servers_environment_but_the_basics() -> None:
    env = environment(spec())
    assert env["PATH"] == "/usr/bin" and env["HOME"] == "/home/dev"
    assert "GITHUB_TOKEN" not in env and "AWS_PROFILE" not in env
    assert (env["LANG"], env["TZ"]) == ("C.UTF-8", ":UTC")


def test_a_worker_gets_the_variables_the_lambda_runtime_sets() -> None:
    env = environment(spec(memory_size=512))
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "app-hello"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/app-hello"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == "s"
    assert env["LAMBDA_TASK_ROOT"] == "/app"
    assert env["_HANDLER"] == "functions/hello.main"
    assert env["AWS_EXECUTION_ENV"] == EXECUTION_ENV
    assert (env["AWS_REGION"], env["AWS_DEFAULT_REGION"]) == ("us-east-1", "us-east-1")


def test_the_functions_environment_wins_over_the_pools_but_not_over_reserved_names() -> None:
    function = spec(environment=frozen_mapping({"STAGE": "dev", "AWS_REGION": "eu-west-1", "_HANDLER": "x.y"}))
    env = environment(function, base={"STAGE": "base", "AWS_ENDPOINT_URL": "http://127.0.0.1:4566"})
    assert env["STAGE"] == "dev"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"
    assert (env["AWS_REGION"], env["AWS_DEFAULT_REGION"]) == ("eu-west-1", "eu-west-1")
    assert env["_HANDLER"] == "functions/hello.main"


def test_a_users_pythonpath_is_kept_after_the_one_that_finds_sst_dev() -> None:
    env = environment(spec(environment=frozen_mapping({"PYTHONPATH": "/shared/lib"})))
    devserver_root, user_path = env["PYTHONPATH"].split(os.pathsep)
    assert (Path(devserver_root) / "devserver" / "runtime" / "worker.py").is_file()
    assert user_path == "/shared/lib"


def test_log_streams_are_named_like_lambdas() -> None:
    assert log_stream_name(datetime(2024, 5, 1, tzinfo=UTC), "ab12") == "2024/05/01/[$LATEST]ab12"


def test_the_context_reads_the_lambda_variables_and_counts_down_to_the_deadline() -> None:
    environ = {"AWS_LAMBDA_FUNCTION_NAME": "f", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256"}
    context = LambdaContext(
        aws_request_id="r-1", invoked_function_arn=function_arn("eu-west-1", "f"), deadline_ms=10_000,
        environ=environ, clock=lambda: 7.5,
    )  # fmt: skip
    assert context.invoked_function_arn == "arn:aws:lambda:eu-west-1:123456789012:function:f"
    assert (context.function_name, context.memory_limit_in_mb, context.function_version) == ("f", "256", "$LATEST")
    assert context.get_remaining_time_in_millis() == 2_500
    late = LambdaContext(aws_request_id="r", invoked_function_arn="", deadline_ms=0, environ={}, clock=lambda: 9.0)
    assert late.get_remaining_time_in_millis() == 0


def test_runtime_errors_use_lambdas_wording() -> None:
    assert timeout_error(3).error_message == "Task timed out after 3.00 seconds"
    assert timeout_error(3).error_type == "Sandbox.Timedout"
    assert exit_error("r", 2).error_message == "RequestId: r Error: Runtime exited with error: exit status 2"
    assert exit_error("r", -signal.SIGSEGV).error_message.endswith(
        "Runtime exited with error: signal: segmentation fault"
    )
    assert exit_error("r", -signal.SIGKILL).error_message.endswith("signal: killed")
    assert exit_error("r", 0).error_message == "RequestId: r Error: Runtime exited without providing a reason"
    assert out_of_memory_error("r", 128).error_type == "Runtime.OutOfMemory"


def test_local_sources_are_real_paths_outside_the_excluded_roots(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "shared.py").write_text("")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "linked").symlink_to(tmp_path / "lib")
    (tmp_path / "venv").mkdir()
    files = [str(tmp_path / "app" / "linked" / "shared.py"), str(tmp_path / "venv" / "boto3.py")]
    assert local_source_files(files, (f"{tmp_path / 'venv'}/",)) == {str((tmp_path / "lib" / "shared.py").resolve())}


def test_each_source_report_holds_only_files_not_reported_before(tmp_path: Path) -> None:
    tracker = SourceTracker(excluded_roots=())
    first = type(os)("first")
    first.__file__ = str(tmp_path / "first.py")
    second = type(os)("second")
    second.__file__ = str(tmp_path / "second.py")
    assert tracker.new_sources({"first": first}) == [str(tmp_path / "first.py")]
    assert tracker.new_sources({"first": first}) == []
    assert tracker.new_sources({"first": first, "second": second}) == [str(tmp_path / "second.py")]
