"""`sst-dev bind` and `sst-dev secrets` when `start` runs: they use its emulator and tell it what changed.

The running server here is a stand-in with the real interface tools rely on: a `.sst/dev.json` naming a live pid
(this test process), a console answering `GET api/health` and recording `POST api/secrets/changed`, and a real
emulator process. It does nothing on a change itself, so the SSM writes seen are the CLI's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.process import EmulatorProcess
from tests.apps import REPO, copy_sample_app

SECRET = "sk_test_4f9a1c"
STAGE_PATH = "/sst/sample-app/dev/Secret/STRIPE_KEY/value"
FALLBACK_PATH = "/sst/sample-app/.fallback/Secret/STRIPE_KEY/value"


@dataclass
class StandInServer:
    app_dir: Path
    emulator: EmulatorProcess
    changes: list[dict[str, Any]] = field(default_factory=list)


def console_handler(changes: list[dict[str, Any]]) -> type[BaseHTTPRequestHandler]:
    class Console(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if self.path != "/_sst/api/health":
                self.send_error(404)
                return
            self.answer({"status": "ok", "app": "sample-app", "stage": "dev", "pid": os.getpid()})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers["Content-Length"])
            changes.append(json.loads(self.rfile.read(length)))
            self.answer({"retired": 0})

        def answer(self, document: dict[str, Any]) -> None:
            body = json.dumps(document).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Console


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess() as process:
        yield process


@pytest.fixture
def server(tmp_path: Path, emulator: EmulatorProcess) -> Iterator[StandInServer]:
    app_dir = copy_sample_app(tmp_path / "app")
    stand_in = StandInServer(app_dir, emulator)
    console = ThreadingHTTPServer(("127.0.0.1", 0), console_handler(stand_in.changes))
    threading.Thread(target=console.serve_forever, daemon=True).start()
    dev = {
        "app": "sample-app",
        "stage": "dev",
        "pid": os.getpid(),
        "api": {"api": {"url": "http://127.0.0.1:3999"}},
        "console": {"url": f"http://127.0.0.1:{console.server_address[1]}/_sst/"},
        "emulator": {
            "endpoint": emulator.endpoint,
            "region": emulator.region,
            "credentials": {"accessKeyId": "test", "secretAccessKey": "test"},
        },
    }
    (app_dir / ".sst").mkdir()
    (app_dir / ".sst" / "dev.json").write_text(json.dumps(dev))
    try:
        yield stand_in
    finally:
        console.shutdown()
        console.server_close()
        ssm = emulator.client("ssm")
        for name in (STAGE_PATH, FALLBACK_PATH):
            try:
                ssm.delete_parameter(Name=name)
            except ClientError:
                pass


def sst_dev(subcommand: str, app_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`sst-dev <subcommand> --app APP --stage dev ARGS...`"""
    command = [sys.executable, "-m", "devserver.cli", *subcommand.split(), "--app", str(app_dir), "--stage", "dev"]
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=REPO, timeout=60)


def secrets(app_dir: Path, action: str, *args: str) -> subprocess.CompletedProcess[str]:
    return sst_dev(f"secrets {action}", app_dir, *args)


def parameter(emulator: EmulatorProcess, name: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = emulator.client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]
    except ClientError:
        return None
    return found


def test_set_writes_a_secure_string_to_the_server_s_ssm_and_tells_the_server(server: StandInServer) -> None:
    result = secrets(server.app_dir, "set", "STRIPE_KEY", SECRET)
    assert result.returncode == 0, result.stderr
    stored = parameter(server.emulator, STAGE_PATH)
    assert stored is not None and (stored["Type"], stored["Value"]) == ("SecureString", SECRET)
    assert server.changes == [{"names": ["STRIPE_KEY"]}]
    assert "bound functions see it on their next invocation" in result.stdout
    assert SECRET not in result.stdout + result.stderr


def test_a_fallback_goes_to_the_fallback_path_and_remove_deletes_the_stage_value(server: StandInServer) -> None:
    assert secrets(server.app_dir, "set", "STRIPE_KEY", "shared", "--fallback").returncode == 0
    assert secrets(server.app_dir, "set", "STRIPE_KEY", SECRET).returncode == 0
    assert (parameter(server.emulator, FALLBACK_PATH) or {}).get("Value") == "shared"
    assert secrets(server.app_dir, "remove", "STRIPE_KEY").returncode == 0
    assert parameter(server.emulator, STAGE_PATH) is None
    assert server.changes[-1] == {"names": ["STRIPE_KEY"]}


def test_load_pushes_every_value_in_one_notification(server: StandInServer, tmp_path: Path) -> None:
    dotenv = tmp_path / "dev.env"
    dotenv.write_text(f"STRIPE_KEY={SECRET}\nOTHER=o\n")
    assert secrets(server.app_dir, "load", str(dotenv)).returncode == 0
    assert server.changes == [{"names": ["STRIPE_KEY", "OTHER"]}]


def test_bind_runs_against_the_running_server_s_emulator(server: StandInServer) -> None:
    assert secrets(server.app_dir, "set", "STRIPE_KEY", SECRET).returncode == 0
    s3 = server.emulator.client("s3")
    s3.create_bucket(Bucket="made-by-the-running-server")
    script = (
        "import boto3, os\n"
        "from devserver.resources import Api, Config\n"
        "print(os.environ['AWS_ENDPOINT_URL'])\n"
        "print(Api.api.url, Config.STRIPE_KEY)\n"
        "print([b['Name'] for b in boto3.client('s3').list_buckets()['Buckets']])\n"
    )
    result = sst_dev("bind", server.app_dir, "--", sys.executable, "-c", script)
    assert result.returncode == 0, result.stderr
    endpoint, values, buckets = result.stdout.splitlines()
    assert endpoint == server.emulator.endpoint
    assert values == f"http://127.0.0.1:3999 {SECRET}"  # the Api URL the server wrote in dev.json
    assert "made-by-the-running-server" in buckets
    s3.delete_bucket(Bucket="made-by-the-running-server")
