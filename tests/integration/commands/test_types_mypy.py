"""`sst-dev types` then mypy on the app's handlers: the app's own resource names type-check, others do not.

Two installs are covered: this repository's editable install (mypy cannot see `devserver` at all, so the stubs
stand alone) and a regular one (a venv whose site-packages holds `devserver`), where the stubs must overlay only
`devserver.resources` and leave the rest of the installed package visible.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.apps import REPO, copy_sample_app

USES_RESOURCES = """\
from devserver.resources import Api, Bucket, Config, ResourceNotBoundError


def main(event: dict[str, object], context: object) -> dict[str, str]:
    try:
        bucket: str = Bucket.myFiles.bucketName
    except ResourceNotBoundError as error:
        return {"error": str(error)}
    return {"bucket": bucket, "url": Api.api.url, "key": Config.STRIPE_KEY, "cluster": Config.MY_CLUSTER_NAME,
            "app": Config.APP, "stage": Config.STAGE}
"""

READS_UNDECLARED_BUCKET = """\
from devserver.resources import Bucket


def main(event: dict[str, object], context: object) -> str:
    return Bucket.notThere.bucketName
"""

MYPY_CONFIG = """\
[tool.mypy]
mypy_path = "$MYPY_CONFIG_FILE_DIR/.sst/types"

# What the sample app's own imports need, as in any project using boto3 without boto3-stubs.
[[tool.mypy.overrides]]
module = ["boto3.*", "botocore.*", "PIL.*"]
ignore_missing_imports = true
"""

MISUSES_THE_MODEL = """\
from devserver.app.model import AppSpec


def name(app: AppSpec) -> int:
    return app.name
"""


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    app = copy_sample_app(tmp_path_factory.mktemp("types") / "app")
    (app / "functions" / "uses_resources.py").write_text(USES_RESOURCES)
    (app / "functions" / "reads_undeclared.py").write_text(READS_UNDECLARED_BUCKET)
    return app


def sst_types(app_dir: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "devserver.cli", "types", "--app", str(app_dir), "--stage", "dev"]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=60)


def mypy(app_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}
    command = [sys.executable, "-m", "mypy", "--no-incremental", "--no-error-summary", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=app_dir, env=env, timeout=120)


def errors_by_file(output: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in output.splitlines():
        if match := re.match(r"^(\S+?):\d+: error: (.*)$", line):
            found.setdefault(Path(match[1]).name, []).append(match[2])
    return found


def test_types_writes_the_stubs_and_prints_the_line_to_add_to_the_mypy_config(app_dir: Path) -> None:
    result = sst_types(app_dir)
    assert result.returncode == 0, result.stderr
    assert (app_dir / ".sst" / "types" / "devserver" / "resources.pyi").is_file()
    assert 'add under [tool.mypy] in pyproject.toml: mypy_path = "$MYPY_CONFIG_FILE_DIR/.sst/types"' in result.stdout

    (app_dir / "pyproject.toml").write_text('[tool.mypy]\nmypy_path = "$MYPY_CONFIG_FILE_DIR/.sst/types"\n')
    assert "add under" not in sst_types(app_dir).stdout, "nothing to add once configured"


def test_mypy_accepts_the_app_s_handlers_and_names_an_undeclared_bucket(app_dir: Path) -> None:
    assert sst_types(app_dir).returncode == 0
    (app_dir / "pyproject.toml").write_text(MYPY_CONFIG)
    result = mypy(app_dir, "functions")
    assert errors_by_file(result.stdout) == {
        "reads_undeclared.py": ['"BucketResources" has no attribute "notThere"  [attr-defined]']
    }, result.stdout


def test_with_a_regular_install_only_devserver_resources_is_overlaid(app_dir: Path, tmp_path: Path) -> None:
    assert sst_types(app_dir).returncode == 0
    (app_dir / "pyproject.toml").write_text(MYPY_CONFIG)
    (app_dir / "functions" / "misuses_model.py").write_text(MISUSES_THE_MODEL)
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=False)
    site_packages = next(environment.glob("lib/python*/site-packages"))
    (site_packages / "devserver").symlink_to(REPO / "devserver")  # as `pip install sst-dev` would place it
    try:
        result = mypy(app_dir, "--python-executable", str(environment / "bin" / "python"), "functions")
    finally:
        (app_dir / "functions" / "misuses_model.py").unlink()
    assert errors_by_file(result.stdout) == {
        "reads_undeclared.py": ['"BucketResources" has no attribute "notThere"  [attr-defined]'],
        # devserver.app.model still comes from the installed package: its real types are checked.
        "misuses_model.py": ['Incompatible return value type (got "str", expected "int")  [return-value]'],
    }, result.stdout
