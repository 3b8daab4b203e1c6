"""A user's project that installs sst-dev from a wheel (not this repository) gets the `emulator` fixture.

The wheel is built from a copy of the project's sources, installed with pytest into a new, empty virtual
environment (its dependencies resolved from the package index, through pip's cache), and a tiny app with a test
of its own is run by that environment's pytest, which finds the plugin through the wheel's `pytest11` entry point.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

CONFIG = """\
from devserver.constructs import Api, Bucket


def config(_input):
    return {"name": "tiny", "region": "us-east-1"}


def stacks(app):
    app.stack(Main)


def Main(stack):
    notes = Bucket(stack, "notes")
    Api(stack, "api", defaults={"function": {"bind": [notes]}}, routes={"GET /notes": "functions/notes.main"})
"""

HANDLER = """\
import boto3

from devserver.resources import Bucket


def main(event, context):
    listing = boto3.client("s3").list_objects_v2(Bucket=Bucket.notes.bucketName)
    return {"notes": [item["Key"] for item in listing.get("Contents", [])]}
"""

TESTS = """\
import devserver

from devserver.resources import Bucket


def test_sst_dev_comes_from_the_installed_wheel():
    assert "site-packages" in devserver.__file__


def test_a_note_written_in_the_test_is_listed_by_the_route(emulator):
    emulator.s3.put_object(Bucket=Bucket.notes.bucketName, Key="first.txt", Body=b"hi")

    assert emulator.http.get("/notes").json() == {"notes": ["first.txt"]}
    assert emulator.invoke("GET /notes") == {"notes": ["first.txt"]}
"""


def run(command: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    # Nothing of this checkout or of the outer pytest may leak into the new environment.
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTEST_", "VIRTUAL_ENV")) and name != "PYTHONPATH"
    }
    done = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.mark.slow
def test_a_project_using_the_installed_wheel_runs_its_emulator_tests(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for package in ("devserver", "emulator"):
        shutil.copytree(REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__", ".sst"))
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(source), "-w", "wheels"], tmp_path)
    [wheel] = (tmp_path / "wheels").glob("sst_dev-*.whl")
    run([sys.executable, "-m", "venv", "--without-pip", "venv"], tmp_path)
    python = tmp_path / "venv" / "bin" / "python"
    # This environment's pip installs into the new one, which saves bootstrapping a pip of its own there.
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-compile",
            str(wheel),
            "pytest",
        ],
        tmp_path,
    )
    project = tmp_path / "project"
    for relative, text in {
        "app/sst.config.py": CONFIG,
        "app/functions/notes.py": HANDLER,
        "tests/test_tiny.py": TESTS,
    }.items():
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text(textwrap.dedent(text))

    done = run([str(python), "-m", "pytest", "--sst-app", "app", "-p", "no:cacheprovider", "-q"], project)

    assert done.stdout.splitlines()[-1].startswith("2 passed"), done.stdout
    assert "invoke" in run([str(tmp_path / "venv" / "bin" / "sst-dev"), "--help"], project).stdout
