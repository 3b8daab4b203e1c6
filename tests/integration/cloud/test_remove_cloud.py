"""`sst-dev remove --cloud` deletes what `start --cloud` created for the stage, and nothing of anyone else's."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devserver.app.naming import bucket_name
from tests.apps import make_app
from tests.cloud_account import StandInAccount, stand_in_account
from tests.integration.cloud.test_start_cloud import HANDLERS, STACK, CloudServer, start_cloud

OURS = {"sst:app": "test-app", "sst:stage": "dev"}


@pytest.fixture
def account() -> Iterator[StandInAccount]:
    with stand_in_account() as started:
        yield started


def remove(app: Path, env: dict[str, str], *flags: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "devserver.cli", "remove", "--app", str(app), "--stage", "dev", *flags]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def test_remove_deletes_the_stages_resources_and_leaves_everything_else(
    tmp_path: Path, account: StandInAccount
) -> None:
    app = make_app(tmp_path / "app", STACK, {"functions/cloud.py": HANDLERS})
    env = account.environment(tmp_path)
    server = start_cloud(app, env)
    assert isinstance(server, CloudServer), server
    server.stop()
    s3, ssm, sqs = account.client("s3"), account.client("ssm"), account.client("sqs")
    ours = bucket_name("dev", "test-app", "files")
    s3.put_bucket_versioning(Bucket=ours, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=ours, Key="a.txt", Body=b"1")
    s3.put_object(Bucket=ours, Key="a.txt", Body=b"2")
    s3.delete_object(Bucket=ours, Key="a.txt")  # a delete marker too
    # Someone else's, some under the stage's own names and paths:
    s3.create_bucket(Bucket="another-teams-bucket")
    s3.create_bucket(Bucket="other-stage-bucket")
    s3.put_bucket_tagging(Bucket="other-stage-bucket", Tagging={"TagSet": tag_list({**OURS, "sst:stage": "qa"})})
    ssm.put_parameter(Name="/sst/test-app/dev/Manual/thing/value", Value="kept", Type="String")
    ssm.put_parameter(Name="/sst/test-app/qa/Bucket/files/bucketName", Value="kept", Type="String",
                      Tags=tag_list({**OURS, "sst:stage": "qa"}))  # fmt: skip
    sqs.create_queue(QueueName="dev-test-app-handmade")

    listed = remove(app, env, "--cloud", "--dry-run")
    assert listed.returncode == 0, listed.stderr
    assert f"bucket {ours}" in listed.stdout and "SQS queue dev-test-app-sst-dev-bucket-events" in listed.stdout
    assert "SSM parameter /sst/test-app/dev/Bucket/files/bucketName" in listed.stdout
    assert "Manual" not in listed.stdout and "handmade" not in listed.stdout and "Dry run" in listed.stdout
    assert ours in [b["Name"] for b in s3.list_buckets()["Buckets"]]

    refused = remove(app, env, "--cloud")  # no terminal to ask on, no --yes
    assert refused.returncode != 0 and "pass --yes" in refused.stderr

    removed = remove(app, env, "--cloud", "--yes")
    assert removed.returncode == 0, removed.stderr
    buckets = sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
    assert buckets == ["another-teams-bucket", "other-stage-bucket"]
    left = sorted(p["Name"] for p in ssm.get_parameters_by_path(Path="/sst/test-app", Recursive=True)["Parameters"])
    assert left == ["/sst/test-app/dev/Manual/thing/value", "/sst/test-app/qa/Bucket/files/bucketName"]
    assert [url.rsplit("/", 1)[1] for url in sqs.list_queues()["QueueUrls"]] == ["dev-test-app-handmade"]
    assert "Nothing of test-app stage 'dev'" in remove(app, env, "--cloud", "--yes").stdout


def test_remove_without_cloud_points_at_reset(tmp_path: Path, account: StandInAccount) -> None:
    app = make_app(tmp_path / "app", STACK, {"functions/cloud.py": HANDLERS})
    result = remove(app, account.environment(tmp_path))
    assert result.returncode != 0 and "pass --cloud (for offline data: sst-dev reset)" in result.stderr
