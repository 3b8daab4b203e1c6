"""`sst-dev invoke`: a real CLI process, against a running dev server or with one embedded for its lifetime."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devserver.state.files import dev_file
from tests.apps import make_app
from tests.servers import ServerThread

STACK = """\
seen = {"function": "functions/seen.main", "filters": [{"prefix": "in/"}, {"suffix": ".txt"}]}
files = Bucket(stack, "files", notifications={"seen": seen})
Function(stack, "cron", handler="functions/seen.standalone")
Api(stack, "api", routes={
    "GET /hello/{name}": "functions/hello.main",
    "POST /fail": "functions/hello.fail",
})
"""

FILES = {
    "functions/__init__.py": "",
    "functions/hello.py": """\
        def main(event, context):
            print("greeting", event["pathParameters"]["name"])
            return {"hello": event["pathParameters"]["name"], "route": event["routeKey"], "body": event.get("body")}


        def fail(event, context):
            raise KeyError("missing-thing")
        """,
    "functions/seen.py": """\
        def main(event, context):
            record = event["Records"][0]
            return {"event": record["eventName"], "key": record["s3"]["object"]["key"]}


        def standalone(event, context):
            return {"got": event}
        """,
}


def sst_dev_invoke(app_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devserver.cli", "invoke", "--app", str(app_dir), "--stage", "test", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    return make_app(tmp_path / "app", STACK, FILES)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    app_dir = make_app(tmp_path_factory.mktemp("running") / "app", STACK, FILES)
    with ServerThread(app_dir) as thread:
        deadline = time.monotonic() + 30
        while not dev_file(app_dir).exists():  # written once the emulator holds the app
            assert time.monotonic() < deadline, "dev.json never written"
            time.sleep(0.02)
        yield thread


def test_without_a_server_it_runs_the_route_with_its_default_event(app_dir: Path) -> None:
    done = sst_dev_invoke(app_dir, "GET /hello/{name}")

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"hello": "name", "route": "GET /hello/{name}", "body": None}
    assert "greeting name" in done.stderr
    assert "REPORT RequestId: " in done.stderr and "Init Duration: " in done.stderr
    assert not dev_file(app_dir).exists()  # the embedded server is gone


def test_a_handler_error_prints_lambdas_payload_and_exits_1(app_dir: Path) -> None:
    done = sst_dev_invoke(app_dir, "functions/hello.fail", "--event", "-", stdin='{"x": 1}')

    assert done.returncode == 1
    assert json.loads(done.stdout)["errorType"] == "KeyError"
    assert "test-test-app-api-POST_fail failed: KeyError: 'missing-thing'" in done.stderr
    assert 'functions/hello.py", line 7, in fail' in done.stderr


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["nope"], None, "sst-dev: error: no function 'nope': give a route key, a function name or a handler string"),
        (["cron", "--event", "-"], "{not json", "sst-dev: error: --event stdin: not valid JSON"),
        (["cron", "--event", "-"], "[1, 2]", "sst-dev: error: --event stdin: the event must be a JSON object"),
        (["cron", "--event", "missing.json"], None, "sst-dev: error: --event missing.json: cannot read it"),
    ],
)
def test_bad_input_is_one_line_and_starts_nothing(
    app_dir: Path, args: list[str], stdin: str | None, message: str
) -> None:
    done = sst_dev_invoke(app_dir, *args, stdin=stdin)

    assert done.returncode == 1
    assert done.stderr.startswith(message)
    assert done.stderr.count("\n") == 1
    assert not (app_dir / ".sst").exists()


def test_with_a_running_server_it_invokes_there_and_is_recorded(running: ServerThread) -> None:
    app_dir = running.server.app_dir
    first = sst_dev_invoke(app_dir, "GET /hello/{name}")
    second = sst_dev_invoke(app_dir, "test-test-app-api-GET_hello_name")

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert json.loads(second.stdout)["hello"] == "name"
    assert "Init Duration" not in second.stderr  # the running server's worker was warm
    recorded = [r for r in running.server.invocations.recent() if r.trigger == "cli"]
    assert [r.function.name for r in recorded[-2:]] == ["test-test-app-api-GET_hello_name"] * 2


def test_a_notification_function_gets_a_write_its_filters_match(running: ServerThread) -> None:
    done = sst_dev_invoke(running.server.app_dir, "functions/seen.main")

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"event": "ObjectCreated:Put", "key": "in/example.txt"}


def test_an_event_file_is_passed_as_is(running: ServerThread, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"detail": {"n": 3}}))

    done = sst_dev_invoke(running.server.app_dir, "cron", "--event", str(event))

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"got": {"detail": {"n": 3}}}
