"""Finding a running `sst-dev start` through `.sst/dev.json`: trusted only when its pid and health agree."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devserver.state.running_server import EmulatorEndpoint, find_running_server, parse_dev_document

DEV = {
    "app": "sample-app",
    "stage": "dev",
    "pid": 4242,
    "api": {"api": {"url": "http://127.0.0.1:3000"}},
    "console": {"url": "http://127.0.0.1:3000/_sst/"},
    "emulator": {
        "endpoint": "http://127.0.0.1:4566",
        "region": "eu-west-1",
        "credentials": {"accessKeyId": "AK", "secretAccessKey": "SK"},
    },
    "resources": {"Bucket": {"myFiles": {"bucketName": "b"}}},
}
HEALTHY = {"status": "ok", "app": "sample-app", "stage": "dev", "pid": 4242}


class FakeHealth:
    def __init__(self, answer: Mapping[str, Any] | None) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, url: str) -> Mapping[str, Any] | None:
        self.asked.append(url)
        return self.answer


def alive(pid: int) -> bool:
    return True


def write_dev(app_dir: Path, document: dict[str, Any]) -> Path:
    (app_dir / ".sst").mkdir(parents=True, exist_ok=True)
    (app_dir / ".sst" / "dev.json").write_text(json.dumps(document))
    return app_dir


def test_dev_json_describes_the_server_and_its_emulator() -> None:
    server = parse_dev_document(DEV)
    assert server is not None
    assert (server.app, server.stage, server.pid) == ("sample-app", "dev", 4242)
    assert server.emulator == EmulatorEndpoint("http://127.0.0.1:4566", "eu-west-1", "AK", "SK")
    assert server.api_urls == {"api": "http://127.0.0.1:3000"}


def test_the_emulator_environment_points_boto3_at_it() -> None:
    assert EmulatorEndpoint("http://127.0.0.1:4566", "eu-west-1", "AK", "SK").environment() == {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "AK",
        "AWS_SECRET_ACCESS_KEY": "SK",
    }


def test_a_foreign_document_is_no_server() -> None:
    assert parse_dev_document({"app": "x"}) is None
    assert parse_dev_document([1, 2]) is None


def test_a_live_healthy_server_of_the_same_app_and_stage_is_found(tmp_path: Path) -> None:
    health = FakeHealth(HEALTHY)
    server = find_running_server(write_dev(tmp_path, DEV), "dev", app_name="sample-app", probe=health, pid_alive=alive)
    assert server is not None and server.console_url == "http://127.0.0.1:3000/_sst/"
    assert health.asked == ["http://127.0.0.1:3000/_sst/api/health"]


def test_no_dev_json_means_no_server(tmp_path: Path) -> None:
    assert find_running_server(tmp_path, "dev", probe=FakeHealth(HEALTHY), pid_alive=alive) is None


def test_a_server_for_another_stage_or_app_is_not_used(tmp_path: Path) -> None:
    write_dev(tmp_path, DEV)
    assert find_running_server(tmp_path, "prod", probe=FakeHealth(HEALTHY), pid_alive=alive) is None
    assert find_running_server(tmp_path, "dev", app_name="other", probe=FakeHealth(HEALTHY), pid_alive=alive) is None


def test_a_file_left_by_a_dead_server_is_ignored_without_asking_it(tmp_path: Path) -> None:
    health = FakeHealth(HEALTHY)
    assert find_running_server(write_dev(tmp_path, DEV), "dev", probe=health, pid_alive=lambda pid: False) is None
    assert health.asked == []


def test_a_port_now_served_by_another_server_is_not_trusted(tmp_path: Path) -> None:
    write_dev(tmp_path, DEV)
    assert find_running_server(tmp_path, "dev", probe=FakeHealth(HEALTHY | {"pid": 7}), pid_alive=alive) is None
    assert find_running_server(tmp_path, "dev", probe=FakeHealth(None), pid_alive=alive) is None
