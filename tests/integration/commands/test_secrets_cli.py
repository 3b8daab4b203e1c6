"""`sst-dev secrets` as a user runs it (no dev server running): what it stores, prints, masks and refuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.apps import REPO, copy_sample_app

SECRET = "sk_test_4f9a1c"


def secrets(app_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "devserver.cli", "secrets", *args, "--app", str(app_dir), "--stage", "dev"]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, cwd=REPO, timeout=60)


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    return copy_sample_app(tmp_path / "app")


def store_file(app_dir: Path) -> Path:
    return app_dir / ".sst" / "state" / "secrets" / "stages" / "dev.json"


def test_set_stores_the_value_without_printing_it_and_get_prints_it(app_dir: Path) -> None:
    result = secrets(app_dir, "set", "STRIPE_KEY", SECRET)
    assert result.returncode == 0, result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert 'Set STRIPE_KEY (stage "dev")' in result.stdout
    assert json.loads(store_file(app_dir).read_text()) == {"STRIPE_KEY": SECRET}
    assert secrets(app_dir, "get", "STRIPE_KEY").stdout == SECRET + "\n"


def test_a_value_of_dash_is_read_from_stdin(app_dir: Path) -> None:
    assert secrets(app_dir, "set", "STRIPE_KEY", "-", stdin=SECRET + "\n").returncode == 0
    assert secrets(app_dir, "get", "STRIPE_KEY").stdout == SECRET + "\n"


def test_list_masks_values_unless_revealed_in_every_format(app_dir: Path) -> None:
    secrets(app_dir, "set", "STRIPE_KEY", SECRET)
    secrets(app_dir, "set", "SHARED", "shared-value", "--fallback")
    table = secrets(app_dir, "list").stdout
    assert SECRET not in table and "shared-value" not in table
    assert table.splitlines()[1:] == ["SHARED      ********  fallback", "STRIPE_KEY  ********  stage"]
    assert json.loads(secrets(app_dir, "list", "--format", "json").stdout) == {
        "SHARED": "********",
        "STRIPE_KEY": "********",
    }
    revealed = secrets(app_dir, "list", "--format", "env", "--reveal").stdout
    assert revealed.splitlines() == ['SHARED="shared-value"', f'STRIPE_KEY="{SECRET}"']


def test_get_falls_back_and_remove_forgets_the_stage_value(app_dir: Path) -> None:
    secrets(app_dir, "set", "STRIPE_KEY", "fallback-value", "--fallback")
    secrets(app_dir, "set", "STRIPE_KEY", SECRET)
    assert secrets(app_dir, "remove", "STRIPE_KEY").returncode == 0
    assert secrets(app_dir, "get", "STRIPE_KEY").stdout == "fallback-value\n"


def test_get_of_an_unset_secret_says_how_to_set_it(app_dir: Path) -> None:
    result = secrets(app_dir, "get", "STRIPE_KEY")
    assert result.returncode == 1
    assert result.stderr == (
        'sst-dev: error: secret STRIPE_KEY is not set for stage "dev"; '
        "set it with: sst-dev secrets set STRIPE_KEY <value> --stage dev\n"
    )


def test_a_secret_name_that_is_no_identifier_is_refused_and_nothing_is_written(app_dir: Path) -> None:
    result = secrets(app_dir, "set", "stripe-key", SECRET)
    assert result.returncode == 1
    assert result.stderr.startswith("sst-dev: error: secret name 'stripe-key' is not a valid identifier")
    assert len(result.stderr.splitlines()) == 1
    assert not store_file(app_dir).exists()


def test_load_sets_every_value_of_a_dotenv_file(app_dir: Path, tmp_path: Path) -> None:
    dotenv = tmp_path / "dev.env"
    dotenv.write_text(f'# secrets for dev\nSTRIPE_KEY={SECRET}\nexport DB_PASSWORD="p w"\n')
    result = secrets(app_dir, "load", str(dotenv))
    assert result.returncode == 0, result.stderr
    assert SECRET not in result.stdout
    assert json.loads(store_file(app_dir).read_text()) == {"DB_PASSWORD": "p w", "STRIPE_KEY": SECRET}


def test_loading_a_malformed_dotenv_file_names_the_line_and_writes_nothing(app_dir: Path, tmp_path: Path) -> None:
    dotenv = tmp_path / "dev.env"
    dotenv.write_text(f"STRIPE_KEY={SECRET}\n{SECRET}\n")
    result = secrets(app_dir, "load", str(dotenv))
    assert result.returncode == 1
    assert result.stderr == f"sst-dev: error: {dotenv}:2: expected NAME=value (this line has no '=')\n"
    assert not store_file(app_dir).exists()


def test_a_folder_without_an_app_is_refused_and_left_untouched(tmp_path: Path) -> None:
    result = secrets(tmp_path, "set", "STRIPE_KEY", SECRET)
    assert result.returncode == 1
    assert result.stderr.startswith(f"sst-dev: error: {tmp_path} has no sst.config.py (pass --app DIR")
    assert list(tmp_path.iterdir()) == []
