"""The sample app's own tests (`sample_app/tests/`, written as a user would) pass, run as a user runs them.

They run in a copy of the app (so a `make dev` on the real folder is untouched) by pytest in a subprocess, from the
app's folder, where its `pytest.ini` names the app for the `emulator` fixture.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.apps import copy_sample_app


def test_the_sample_apps_own_tests_pass(tmp_path: Path) -> None:
    app_dir = copy_sample_app(tmp_path / "sample_app")
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", "-q"],
        cwd=app_dir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "17 passed" in done.stdout.splitlines()[-1]
