"""The `emulator` fixture as a user's pytest run sees it: a project of its own, run by pytest in a subprocess.

The project's tests (below) run in order and depend on the reset between them: what one test writes, sets or
breaks, the next must not see. Two of them fail on purpose, to show what pytest reports for a failing handler.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import pytest

CONFIG = """\
from devserver.constructs import Api, Bucket, Config


def config(_input):
    return {"name": "fixture-app", "region": "us-east-1"}


def stacks(app):
    app.stack(Main)


def Main(stack):
    docs = Bucket(stack, "docs", notifications={"audit": "functions/audit.main"})
    token = Config.Secret(stack, "API_TOKEN")
    level = Config.Parameter(stack, "LEVEL", value="info")
    Api(
        stack,
        "api",
        defaults={"function": {"bind": [docs, token, level]}},
        routes={
            "GET /token": "functions/token.main",
            "GET /divide/{n}": "functions/divide.main",
            "GET /whoami": {"function": "functions/whoami.main", "authorizer": "iam"},
        },
    )
"""

FUNCTIONS = {
    "functions/__init__.py": "",
    "functions/audit.py": """\
        from urllib.parse import unquote_plus


        def main(event, context):
            record = event["Records"][0]
            key = unquote_plus(record["s3"]["object"]["key"])
            if key.startswith("bad"):
                raise ValueError(f"refusing {key}")
            return {"event": record["eventName"], "key": key}
        """,
    "functions/token.py": """\
        from devserver.resources import Config


        def main(event, context):
            return {"token": Config.API_TOKEN, "level": Config.LEVEL}
        """,
    "functions/whoami.py": """\
        def main(event, context):
            return event["requestContext"]["authorizer"]["iam"]
        """,
    "functions/divide.py": """\
        def main(event, context):
            print("dividing by", event["pathParameters"]["n"])
            return {"result": 100 / int(event["pathParameters"]["n"])}
        """,
}

USER_TESTS = """\
import os

import boto3
import pytest

from devserver.resources import Bucket, Config
from devserver.testing.fixture import HandlerError


def test_01_a_write_is_delivered_to_the_notification(emulator):
    emulator.s3.put_object(Bucket=Bucket.docs.bucketName, Key="a.txt", Body=b"a")
    [delivery] = emulator.notifications.wait(count=1, timeout=10)
    assert delivery.invocation.result == {"event": "ObjectCreated:Put", "key": "a.txt"}


def test_02_the_next_test_starts_empty_and_the_reset_ran_no_removal_handler(emulator):
    assert "Contents" not in emulator.s3.list_objects_v2(Bucket=Bucket.docs.bucketName)
    with pytest.raises(TimeoutError):
        emulator.notifications.wait(count=1, timeout=0.5)


def test_03_a_secret_set_through_the_fixture_reaches_functions_and_the_test(emulator):
    emulator.secrets.set("API_TOKEN", "t0k3n")
    assert emulator.http.get("/token").json() == {"token": "t0k3n", "level": "info"}
    assert Config.API_TOKEN == "t0k3n"


def test_04_the_secret_is_unset_again(emulator):
    assert emulator.http.get("/token").status_code == 500


def test_05_a_test_changes_a_parameter(emulator):
    name = "/sst/fixture-app/test/Parameter/LEVEL/value"
    emulator.ssm.put_parameter(Name=name, Value="debug", Type="String", Overwrite=True)
    emulator.ssm.put_parameter(Name="/sst/fixture-app/test/Extra/x/value", Value="1", Type="String")


def test_06_the_parameter_is_restored(emulator):
    found = emulator.ssm.get_parameters_by_path(Path="/sst/fixture-app/test/", Recursive=True)["Parameters"]
    assert {p["Name"]: p["Value"] for p in found}["/sst/fixture-app/test/Parameter/LEVEL/value"] == "info"
    assert "/sst/fixture-app/test/Extra/x/value" not in {p["Name"] for p in found}


def test_07_invoke_takes_a_route_key_a_handler_or_a_function_name(emulator):
    event = emulator.events.http("GET", "/divide/4")
    assert emulator.invoke("GET /divide/{n}", event) == {"result": 25.0}
    assert emulator.invoke("functions/divide.main", event) == {"result": 25.0}
    assert emulator.invoke("test-fixture-app-api-GET_divide_n", event) == {"result": 25.0}


def test_08_FAILS_a_failing_handler_shows_its_traceback(emulator):
    emulator.invoke("GET /divide/{n}", emulator.events.http("GET", "/divide/0"))


def test_09_FAILS_a_failing_route_shows_the_server_output(emulator):
    assert emulator.http.get("/divide/0").status_code == 200


def test_10_a_failed_delivery_raises_with_its_traceback(emulator):
    emulator.s3.put_object(Bucket=Bucket.docs.bucketName, Key="bad.txt", Body=b"x")
    with pytest.raises(HandlerError, match="refusing bad.txt"):
        emulator.notifications.wait(count=1, timeout=10)


def test_11_the_test_process_has_the_app_bound(emulator):
    assert os.environ["SST_Bucket_bucketName_docs"] == Bucket.docs.bucketName
    assert os.environ["AWS_ENDPOINT_URL"] == emulator.endpoint
    assert Bucket.docs.bucketName in [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]]


def test_12_a_signed_client_passes_an_iam_route(emulator):
    assert emulator.http.get("/whoami").status_code == 403
    assert emulator.signed().get("/whoami").json()["userArn"] == "arn:aws:iam::123456789012:root"
"""

CONFTEST = """\
import json
import os
import tempfile
from pathlib import Path


def scratch_folders():
    return sorted(name for name in os.listdir(tempfile.gettempdir()) if name.startswith("sst-dev-s3-"))


def pytest_runtest_call(item):
    # While the session's emulator runs: the temporary folders it keeps S3 bodies in.
    during = Path(item.config.rootpath, "scratch-during.json")
    if not during.exists():
        during.write_text(json.dumps(scratch_folders()))


def pytest_unconfigure(config):
    # After the session's fixtures are torn down: what of the app's binding is left in the environment, and on disk.
    left = sorted(name for name in os.environ if name.startswith("SST_") or name == "AWS_ENDPOINT_URL")
    Path(config.rootpath, "environment-after.json").write_text(json.dumps(left))
    Path(config.rootpath, "scratch-after.json").write_text(json.dumps(scratch_folders()))
"""


@dataclass(frozen=True)
class UserRun:
    project: Path
    output: str
    outcomes: dict[str, str]


def write_project(root: Path) -> Path:
    for relative, source in {
        "sst.config.py": CONFIG,
        **FUNCTIONS,
        "pyproject.toml": '[tool.pytest.ini_options]\nsst_app = "."\n',
        "conftest.py": CONFTEST,
        "tests/test_app.py": USER_TESTS,
    }.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return root


def run_pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    temporary = project / "tmp"  # the run's own temporary folder, so what it leaves there can be seen
    temporary.mkdir(exist_ok=True)
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    environment["TMPDIR"] = str(temporary)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", *args],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def outcomes(junit: Path) -> dict[str, str]:
    found = {}
    for case in ElementTree.parse(junit).iter("testcase"):
        failed = case.find("failure") is not None or case.find("error") is not None
        found[case.attrib["name"]] = "failed" if failed else "passed"
    return found


def failure_reports(output: str) -> dict[str, str]:
    """Each failed test's report in pytest's output, by test name (`____ test_name ____` starts one)."""
    parts = re.split(r"\n_{3,} (test_\w+) _{3,}\n", output)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.fixture(scope="module")
def user_run(tmp_path_factory: pytest.TempPathFactory) -> UserRun:
    project = write_project(tmp_path_factory.mktemp("user-project"))
    done = run_pytest(project, "--junitxml=results.xml", "-p", "no:randomly")
    return UserRun(project, done.stdout + done.stderr, outcomes(project / "results.xml"))


def test_every_test_starts_from_the_apps_initial_state(user_run: UserRun) -> None:
    expected_failures = {name for name in user_run.outcomes if "_FAILS_" in name}
    assert len(user_run.outcomes) == 12, user_run.output
    assert {name for name, outcome in user_run.outcomes.items() if outcome == "failed"} == expected_failures, (
        user_run.output
    )


def test_a_failing_invoke_reports_the_handlers_error_and_traceback(user_run: UserRun) -> None:
    section = failure_reports(user_run.output)["test_08_FAILS_a_failing_handler_shows_its_traceback"]

    assert "HandlerError: test-fixture-app-api-GET_divide_n failed with ZeroDivisionError: division by zero" in section
    assert "Handler traceback (most recent call last):" in section
    assert 'functions/divide.py", line 3, in main' in section
    assert "dividing by 0" in section  # the function's log lines


def test_a_failing_route_adds_the_dev_servers_output_to_the_report(user_run: UserRun) -> None:
    section = failure_reports(user_run.output)["test_09_FAILS_a_failing_route_shows_the_server_output"]

    assert "sst-dev output (call)" in section
    assert re.search(r"GET +/divide/0 +500", section)
    assert "ZeroDivisionError: division by zero" in section


def test_the_environment_is_given_back_at_the_end_of_the_session(user_run: UserRun) -> None:
    assert json.loads((user_run.project / "environment-after.json").read_text()) == []


def test_the_emulators_temporary_s3_folder_is_removed_when_the_session_ends(user_run: UserRun) -> None:
    assert len(json.loads((user_run.project / "scratch-during.json").read_text())) == 1
    assert json.loads((user_run.project / "scratch-after.json").read_text()) == []


def test_without_an_app_the_fixture_says_how_to_name_one(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text("def test_x(emulator):\n    pass\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")

    done = run_pytest(tmp_path)

    assert done.returncode != 0
    assert "the emulator fixture needs an app: pass --sst-app DIR or set sst_app" in done.stdout + done.stderr
