"""`sst-dev secrets ... --cloud`: secret values in the account's SSM, as SST keeps them, and clear errors."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.apps import make_app
from tests.cloud_account import StandInAccount, stand_in_account

STAGE_PATH = "/sst/test-app/dev/Secret/STRIPE_KEY/value"
FALLBACK_PATH = "/sst/test-app/.fallback/Secret/STRIPE_KEY/value"


@pytest.fixture(scope="module")
def account() -> Iterator[StandInAccount]:
    with stand_in_account() as started:
        yield started


def secrets(app: Path, env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "devserver.cli", "secrets", *args, "--app", str(app), "--stage", "dev", "--cloud"]
    return subprocess.run(command, env=env, input=stdin, capture_output=True, text=True, timeout=60)


def test_set_get_list_and_remove_work_on_securestring_parameters_tagged_with_the_stage(
    tmp_path: Path, account: StandInAccount
) -> None:
    app = make_app(tmp_path / "app", 'Config.Secret(stack, "STRIPE_KEY")')
    env = account.environment(tmp_path)
    ssm = account.client("ssm")

    assert secrets(app, env, "set", "STRIPE_KEY", "sk_live_1").returncode == 0
    parameter = ssm.get_parameter(Name=STAGE_PATH, WithDecryption=True)["Parameter"]
    assert (parameter["Type"], parameter["Value"]) == ("SecureString", "sk_live_1")
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=STAGE_PATH)["TagList"]
    assert {tag["Key"]: tag["Value"] for tag in tags} == {"sst:app": "test-app", "sst:stage": "dev"}

    assert secrets(app, env, "set", "STRIPE_KEY", "-", stdin="sk_live_2\n").returncode == 0  # overwrite
    assert ssm.get_parameter(Name=STAGE_PATH, WithDecryption=True)["Parameter"]["Value"] == "sk_live_2"
    assert secrets(app, env, "set", "STRIPE_KEY", "fb", "--fallback").returncode == 0
    assert ssm.get_parameter(Name=FALLBACK_PATH, WithDecryption=True)["Parameter"]["Value"] == "fb"

    got = secrets(app, env, "get", "STRIPE_KEY")
    assert got.stdout == "sk_live_2\n"
    listed = secrets(app, env, "list")
    assert "STRIPE_KEY" in listed.stdout and "sk_live_2" not in listed.stdout  # masked
    assert "sk_live_2" in secrets(app, env, "list", "--reveal").stdout

    assert secrets(app, env, "remove", "STRIPE_KEY").returncode == 0
    assert ssm.get_parameters(Names=[STAGE_PATH])["InvalidParameters"] == [STAGE_PATH]
    assert secrets(app, env, "get", "STRIPE_KEY").stdout == "fb\n"  # the fallback stays
    missing = secrets(app, env, "remove", "STRIPE_KEY")
    assert missing.returncode != 0 and "no stage" in missing.stderr
    assert not (app / ".sst" / "state" / "secrets").exists()  # nothing went to the local store


def test_without_credentials_the_error_names_the_cause_and_the_fix(tmp_path: Path, account: StandInAccount) -> None:
    app = make_app(tmp_path / "app", 'Config.Secret(stack, "STRIPE_KEY")')
    env = account.environment(tmp_path)
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]

    result = secrets(app, env, "set", "STRIPE_KEY", "sk")

    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    expected = "sst-dev: error: NoCredentialsError: no AWS credentials for the SSM parameters of stage 'dev'"
    assert line.startswith(expected)
    assert "aws configure" in line and "Traceback" not in result.stderr


def test_a_denial_and_unknown_credentials_each_get_their_line(tmp_path: Path) -> None:
    app = make_app(tmp_path / "app", 'Config.Secret(stack, "STRIPE_KEY")')
    with stand_in_account(unauthenticated_actions=2) as guarded:
        iam = guarded.client("iam")
        iam.create_user(UserName="intern")  # with no policy: may do nothing
        key = iam.create_access_key(UserName="intern")["AccessKey"]
        env = guarded.environment(tmp_path)

        unknown = secrets(app, env, "set", "STRIPE_KEY", "sk")
        assert unknown.returncode != 0
        assert "InvalidClientTokenId: the account does not accept these AWS credentials" in unknown.stderr

        env |= {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
        denied = secrets(app, env, "set", "STRIPE_KEY", "sk")
    assert denied.returncode != 0
    [line] = denied.stderr.strip().splitlines()
    assert "AccessDenied" in line and "may not use the SSM parameters of stage 'dev'" in line
    assert "grant the IAM permission" in line and "sk" not in line.split("'dev'")[1]
