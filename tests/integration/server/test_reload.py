"""Hot reload against a running dev server: saved edits are served without a restart."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from devserver.state.running_server import process_running
from tests.apps import make_app
from tests.servers import ServerThread, eventually

HANDLER = """\
from functions.words import WORD
from shared_lib.extra import EXTRA


def main(event, context):
    return {"word": WORD, "extra": EXTRA, "version": 1}
"""


def make_reload_app(tmp_path: Path) -> Path:
    # shared_lib lives outside the app folder and is reached through a symlink, as monorepo packages often are.
    outside = tmp_path / "outside" / "shared_lib"
    outside.mkdir(parents=True)
    (outside / "__init__.py").write_text("")
    (outside / "extra.py").write_text('EXTRA = "one"\n')
    app_dir = make_app(
        tmp_path / "app",
        'Api(stack, "api", routes={"GET /": "functions/hello.main"})',
        {"functions/__init__.py": "", "functions/hello.py": HANDLER, "functions/words.py": 'WORD = "alpha"\n'},
    )
    os.symlink(outside, app_dir / "shared_lib")
    return app_dir


def get(client: httpx.Client, path: str = "/") -> httpx.Response:
    return client.get(path)


def test_saving_a_handler_or_anything_it_imports_is_served_next(tmp_path: Path) -> None:
    app_dir = make_reload_app(tmp_path)
    with ServerThread(app_dir) as server, server.client() as client:
        answered: list[httpx.Response] = []
        client.event_hooks["response"].append(answered.append)
        assert get(client).json() == {"word": "alpha", "extra": "one", "version": 1}

        (app_dir / "functions" / "hello.py").write_text(HANDLER.replace('"version": 1', '"version": 2'))
        eventually(lambda: get(client).json()["version"] == 2)

        (app_dir / "functions" / "words.py").write_text('WORD = "beta"\n')
        eventually(lambda: get(client).json()["word"] == "beta")

        (tmp_path / "outside" / "shared_lib" / "extra.py").write_text('EXTRA = "two"\n')
        eventually(lambda: get(client).json()["extra"] == "two")

        first, second = get(client), get(client)
        assert first.status_code == second.status_code == 200

        def lines() -> list[str]:
            return [line for line in server.output.getvalue().splitlines() if "GET    /  200" in line]

        eventually(lambda: len(lines()) == len(answered))  # each line is printed once its response is sent
        assert not any("cold" in line for line in lines()[-2:]), "requests after the reloaded one run warm"


def test_saving_the_config_remounts_routes_and_a_bad_edit_keeps_the_last_good_app(tmp_path: Path) -> None:
    app_dir = make_reload_app(tmp_path)
    config = app_dir / "sst.config.py"
    with ServerThread(app_dir) as server, server.client() as client:
        assert get(client, "/new").status_code == 404

        config.write_text(
            config.read_text().replace('"GET /": "functions/hello.main"', '"GET /new": "functions/hello.main"')
        )
        eventually(lambda: get(client, "/new").status_code == 200)
        assert get(client, "/").status_code == 404
        server.wait_for_output("reloaded sst.config.py")

        emulator_pid = server.server.aws.emulator.pid
        s3 = server.server.aws.emulator.client("s3")
        s3.create_bucket(Bucket="kept-across-reloads")
        s3.put_object(Bucket="kept-across-reloads", Key="k", Body=b"v")

        config.write_text(config.read_text().replace('"GET /new"', '"GET new"'))
        server.wait_for_output('Route key "GET new"')
        assert "still serving the last good config" in server.output.getvalue()
        assert get(client, "/new").status_code == 200
        assert server.server.aws.emulator.pid == emulator_pid, "a reload never restarts the emulator"
        assert s3.get_object(Bucket="kept-across-reloads", Key="k")["Body"].read() == b"v"


PID_HANDLER = """\
import os


def main(event, context):
    return {{"pid": os.getpid(), "version": {version}}}
"""


def test_after_a_save_the_next_request_finds_a_worker_of_the_new_code_started_in_the_background(
    tmp_path: Path,
) -> None:
    app_dir = make_app(
        tmp_path / "app",
        'Api(stack, "api", routes={"GET /": "functions/pid.main"})',
        {"functions/pid.py": PID_HANDLER.format(version=1)},
    )
    with ServerThread(app_dir) as server, server.client() as client:
        old_pid = client.get("/").json()["pid"]
        (app_dir / "functions" / "pid.py").write_text(PID_HANDLER.format(version=2))
        # the old worker retired, and one of the new code started in the background
        eventually(lambda: not process_running(old_pid) and server.server.pool.worker_count() == 1)
        answer = client.get("/").json()
        assert answer["version"] == 2 and answer["pid"] != old_pid

        def lines() -> list[str]:
            return [line for line in server.output.getvalue().splitlines() if "GET    /  200" in line]

        eventually(lambda: len(lines()) == 2)  # each line is printed once its response is sent
        assert "cold start" in lines()[0] and "cold start" not in lines()[1], "it took the re-warmed worker"
