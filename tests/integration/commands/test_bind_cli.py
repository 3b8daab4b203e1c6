"""`sst-dev bind -- CMD` with no dev server running: an emulator is started for the command, with the app in it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from devserver.app.loader import load_app
from tests.apps import REPO, copy_sample_app

SECRET = "sk_test_4f9a1c"


def sst_dev(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devserver.cli", *args], capture_output=True, text=True, cwd=REPO, timeout=90
    )


def bind(app_dir: Path, stage: str, script: str) -> subprocess.CompletedProcess[str]:
    return sst_dev("bind", "--app", str(app_dir), "--stage", stage, "--", sys.executable, "-c", textwrap.dedent(script))


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    return copy_sample_app(tmp_path / "app")


def test_the_command_reads_bound_values_and_secrets_and_reaches_the_app_s_bucket(app_dir: Path) -> None:
    assert sst_dev("secrets", "set", "STRIPE_KEY", SECRET, "--app", str(app_dir), "--stage", "dev").returncode == 0
    result = bind(
        app_dir,
        "dev",
        """
        import boto3
        from devserver.resources import Bucket, Config
        print(Bucket.myFiles.bucketName)
        print(Config.MY_CLUSTER_NAME, Config.APP, Config.STAGE, Config.STRIPE_KEY)
        boto3.client("s3").head_bucket(Bucket=Bucket.myFiles.bucketName)  # raises unless the emulator has it
        print("bucket exists")
        """,
    )
    assert result.returncode == 0, result.stderr
    bucket = load_app(app_dir, stage="dev", api_url=lambda api_id: "").buckets[0].name
    assert result.stdout.splitlines() == [bucket, f"dev-cluster sample-app dev {SECRET}", "bucket exists"]


def test_an_unset_secret_gives_the_contract_s_message_and_the_exit_status_is_the_command_s(app_dir: Path) -> None:
    result = bind(
        app_dir,
        "qa",
        """
        import sys
        from devserver.resources import Config, SecretsNotSetError
        try:
            Config.STRIPE_KEY
        except SecretsNotSetError as error:
            print(error)
            sys.exit(7)
        """,
    )
    assert result.returncode == 7
    assert result.stdout.splitlines() == [
        'The following secret values are not set in the "qa stage": STRIPE_KEY',
        "Run: sst-dev secrets set STRIPE_KEY <value> --stage qa",
    ]


def test_bind_without_a_command_says_how_to_call_it(app_dir: Path) -> None:
    result = sst_dev("bind", "--app", str(app_dir), "--")
    assert (result.returncode, result.stderr) == (
        1,
        "sst-dev: error: bind needs a command to run: sst-dev bind -- CMD [ARGS...]\n",
    )


def test_bind_with_an_app_folder_that_does_not_exist_fails_in_one_line(tmp_path: Path) -> None:
    result = sst_dev("bind", "--app", str(tmp_path / "nowhere"), "--", "true")
    assert result.returncode == 1
    assert result.stderr.startswith("sst-dev: error: app folder") and len(result.stderr.splitlines()) == 1


def test_a_command_that_does_not_exist_fails_in_one_line(app_dir: Path) -> None:
    result = sst_dev("bind", "--app", str(app_dir), "--", "no-such-command-xyz")
    assert (result.returncode, result.stderr) == (1, "sst-dev: error: bind: command not found: no-such-command-xyz\n")
