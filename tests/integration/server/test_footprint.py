"""What the dev server keeps out of its own process: the Console's libraries until it is first opened, Auth's until
an `Auth` is first used (opening the Console does not use one), and boto3 for good (the emulator creates the app's
resources itself, from the plan the dev server sends)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.apps import copy_sample_app
from tests.servers import REPO, ServerThread

HEAVY = ("fastapi", "pydantic", "boto3", "botocore.client", "jwt", "cryptography")

# Runs `sst-dev start` as the CLI does, and reports from inside it which of HEAVY are loaded after each request.
PROBE = textwrap.dedent(
    """
    import json, os, signal, sys, threading, time
    import httpx
    from devserver.cli import main

    app_dir, port, heavy = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    base = f"http://127.0.0.1:{port}"

    def loaded():
        return sorted(name for name in heavy if name in sys.modules)

    def probe():
        for _ in range(300):
            try:
                httpx.get(base + "/_sst/api/health", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        report = {"health": loaded()}
        report["files"] = httpx.get(base + "/files", timeout=30).json()  # held until the app's bucket exists
        report["after_routes"] = loaded()
        report["console"] = httpx.get(base + "/_sst/api/app", timeout=30).json()["app"]
        report["after_console"] = loaded()
        report["jwks"] = httpx.get(base + "/_sst/auth/auth/.well-known/jwks.json", timeout=30).json()
        report["after_auth"] = loaded()
        print("REPORT " + json.dumps(report), flush=True)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=probe, daemon=True).start()
    sys.exit(main(["start", "--app", app_dir, "--port", port, "--stage", "test"]))
    """
)


@pytest.mark.slow
def test_routes_load_neither_boto3_nor_the_console_libraries_and_the_console_loads_no_auth_library(
    tmp_path: Path,
) -> None:
    app_dir = copy_sample_app(tmp_path / "app")
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    result = subprocess.run(
        [sys.executable, str(script), str(app_dir), str(_free_port()), json.dumps(HEAVY)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("REPORT ")]
    assert lines, f"no report; output:\n{result.stdout}\n{result.stderr}"
    report = json.loads(lines[0].removeprefix("REPORT "))
    assert report["files"] == {"files": []}, "the app's bucket was created (by the provisioning child)"
    assert report["health"] == [] and report["after_routes"] == []
    assert report["console"] == "sample-app"
    assert {"fastapi", "pydantic"} <= set(report["after_console"])
    assert "boto3" not in report["after_console"], "the Console's S3 client is made when a bucket is browsed"
    assert not {"jwt", "cryptography"} & set(report["after_console"]), "Auth's libraries wait for its first use"
    assert [key["alg"] for key in report["jwks"]["keys"]] == ["RS256"]
    assert {"jwt", "cryptography"} <= set(report["after_auth"])


def test_the_console_built_on_first_use_answers_every_request_that_waited_for_it(tmp_path: Path) -> None:
    with ServerThread(copy_sample_app(tmp_path / "app")) as running:
        url = running.server.console_url + "api/app"
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: httpx.get(url, timeout=30), range(8)))
        assert [answer.status_code for answer in answers] == [200] * 8
        assert {answer.json()["app"] for answer in answers} == {"sample-app"}
        health = httpx.get(running.server.console_url + "api/health", timeout=5)
        assert health.headers["content-type"] == "application/json"
        assert health.json() == {
            "status": "ok",
            "app": "sample-app",
            "stage": "test",
            "pid": os.getpid(),
        }
        assert httpx.post(running.server.console_url + "api/health", timeout=5).status_code == 405


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
