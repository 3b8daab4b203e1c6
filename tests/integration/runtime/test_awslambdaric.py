"""The official `awslambdaric` client serves a function through our Runtime API, with the same pool rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from devserver.app.model import FunctionSpec
from devserver.runtime.pool import WorkerPool
from devserver.runtime.protocol import Message
from devserver.runtime.runtime_api import RuntimeApi, runtime_api_app
from devserver.runtime.sandbox import InvokeRequest
from tests.apps import copy_fixture_app

pytestmark = pytest.mark.anyio

PREFIX = "http://runtime/2018-06-01/runtime"


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    return copy_fixture_app("runtime_app", tmp_path)


@pytest.fixture
async def pool() -> AsyncIterator[WorkerPool]:
    pool = WorkerPool(max_workers_per_function=2)
    yield pool
    await pool.aclose()


def ric_function(app_dir: Path, handler: str, **options: object) -> FunctionSpec:
    name = "ric-" + handler.replace("/", "-").replace(".", "-")
    return FunctionSpec(name=name, handler=handler, app_dir=app_dir, runtime_client="awslambdaric", **options)  # type: ignore[arg-type]


async def test_awslambdaric_serves_a_function_cold_then_warm(app_dir: Path, pool: WorkerPool) -> None:
    hello = ric_function(app_dir, "functions/hello.main")
    first = await pool.invoke(hello, {"name": "Ada"})
    second = await pool.invoke(hello, {"name": "Bob"})
    assert first.cold and first.result["message"] == "hello Ada"  # type: ignore[index]
    assert not second.cold and second.result["calls"] == 2  # type: ignore[index]
    assert second.result["pid"] == first.result["pid"]  # type: ignore[index]


async def test_awslambdaric_reports_a_handler_exception_and_stays_warm(app_dir: Path, pool: WorkerPool) -> None:
    failing = ric_function(app_dir, "functions/faults.raise_error")
    first = await pool.invoke(failing, {"value": 7})
    assert first.error is not None
    assert (first.error.error_type, first.error.error_message) == ("ValueError", "bad input: 7")
    assert "functions/faults.py" in first.error.stack_trace[0]
    assert "[ERROR] ValueError: bad input: 7" in first.logs  # awslambdaric logs it, as in CloudWatch
    assert not (await pool.invoke(failing, {})).cold


async def test_awslambdaric_init_errors_arrive_through_init_error(app_dir: Path, pool: WorkerPool) -> None:
    invocation = await pool.invoke(ric_function(app_dir, "functions/hello.nope"), {})
    assert invocation.error is not None
    assert (invocation.error.error_type, invocation.error.error_message) == (
        "Runtime.HandlerNotFound",
        "Handler 'nope' missing on module 'functions/hello'",
    )


async def test_awslambdaric_gets_the_same_timeout(app_dir: Path, pool: WorkerPool) -> None:
    sleeper = ric_function(app_dir, "functions/faults.sleep", timeout=1)
    invocation = await pool.invoke(sleeper, {"seconds": 30})
    assert invocation.error is not None and invocation.error.error_message == "Task timed out after 1.00 seconds"
    assert (await pool.invoke(sleeper, {"seconds": 0})).ok


async def test_the_runtime_api_rejects_answers_for_another_request_and_late_init_errors() -> None:
    delivered: list[Message] = []
    api = RuntimeApi(delivered.append)
    transport = httpx.ASGITransport(app=runtime_api_app(api))
    async with httpx.AsyncClient(transport=transport) as client:
        api.queue(InvokeRequest("req-1", {"a": 1}, deadline_ms=123, invoked_function_arn="arn:f"))
        next_response = await client.get(f"{PREFIX}/invocation/next")
        assert next_response.status_code == 200 and next_response.json() == {"a": 1}
        assert next_response.headers["Lambda-Runtime-Aws-Request-Id"] == "req-1"
        assert next_response.headers["Lambda-Runtime-Deadline-Ms"] == "123"
        assert next_response.headers["Lambda-Runtime-Invoked-Function-Arn"] == "arn:f"
        assert next_response.headers["Lambda-Runtime-Trace-Id"].startswith("Root=1-")

        wrong = await client.post(f"{PREFIX}/invocation/req-2/response", json={"ok": True})
        assert (wrong.status_code, wrong.json()["errorType"]) == (400, "InvalidRequestID")
        right = await client.post(f"{PREFIX}/invocation/req-1/response", json={"ok": True})
        assert (right.status_code, right.json()) == (202, {"status": "OK"})
        late = await client.post(f"{PREFIX}/init/error", json={"errorType": "X", "errorMessage": "y"})
        assert (late.status_code, late.json()["errorType"]) == (403, "InvalidStateTransition")
    assert delivered == [{"type": "next"}, {"type": "response", "result": {"ok": True}}]
