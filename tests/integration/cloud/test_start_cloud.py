"""`sst-dev start --cloud` against a stand-in account: resources created there under the stage's tags, routes
reading the real names with the developer's credentials, and S3 uploads in the account reaching local handlers
through the account's own S3 → SQS path."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from devserver.app.naming import bucket_name
from tests.apps import make_app
from tests.cloud_account import StandInAccount, stand_in_account
from tests.servers import eventually, sst_dev

HANDLERS = """\
import json

import boto3

from devserver.resources import Bucket, Config

s3 = boto3.client("s3")


def read(event, context):
    listed = s3.list_objects_v2(Bucket=Bucket.files.bucketName).get("Contents", [])
    body = {"bucket": Bucket.files.bucketName, "secret": Config.STRIPE_KEY, "keys": [o["Key"] for o in listed]}
    return {"statusCode": 200, "body": json.dumps(body)}


def uploaded(event, context):
    for record in event["Records"]:
        s3.put_object(Bucket=record["s3"]["bucket"]["name"], Key="seen/" + record["s3"]["object"]["key"], Body=b"")
"""

STACK = """\
files = Bucket(stack, "files", notifications={
    "uploaded": {
        "function": "functions/cloud.uploaded", "events": ["object_created"], "filters": [{"prefix": "uploads/"}]
    },
})
secret = Config.Secret(stack, "STRIPE_KEY")
Api(stack, "api", routes={"GET /": {"function": {"handler": "functions/cloud.read", "bind": [files, secret]}}})
"""


@pytest.fixture(scope="module")
def account() -> Iterator[StandInAccount]:
    with stand_in_account() as started:
        yield started


def cli(app: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "devserver.cli", *args, "--app", str(app)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


@dataclass
class CloudServer:
    process: subprocess.Popen[str]
    url: str
    printed: list[str]

    def stop(self) -> str:
        """Ctrl-C, as a user stops it; everything it printed."""
        os.killpg(self.process.pid, signal.SIGINT)
        rest, _ = self.process.communicate(timeout=20)
        return "".join(self.printed) + rest


def start_cloud(app: Path, env: dict[str, str], *extra: str) -> CloudServer | str:
    """A started `sst-dev start --cloud`, or what it printed before it exited."""
    process = sst_dev("start", "--app", str(app), "--port", "0", "--stage", "dev", "--cloud", *extra, env=env)
    assert process.stdout is not None
    printed: list[str] = []
    for line in process.stdout:
        printed.append(line)
        if line.strip().startswith("Api "):
            return CloudServer(process, line.split()[-1], printed)
    process.wait(10)
    return "".join(printed)


def keys(s3: Any, bucket: str) -> list[str]:
    return [found["Key"] for found in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_resources_are_created_in_the_account_and_uploads_there_reach_the_local_handler(
    tmp_path: Path, account: StandInAccount
) -> None:
    app = make_app(tmp_path / "app", STACK, {"functions/cloud.py": HANDLERS})
    env = account.environment(tmp_path)
    assert cli(app, env, "secrets", "set", "STRIPE_KEY", "sk_cloud", "--stage", "dev", "--cloud").returncode == 0

    server = start_cloud(app, env)
    assert isinstance(server, CloudServer), server
    try:
        eventually(lambda: (app / ".sst" / "dev.json").exists())
        document = json.loads((app / ".sst" / "dev.json").read_text())
        bucket = document["resources"]["Bucket"]["files"]["bucketName"]
        assert document["emulator"] is None
        assert document["cloud"] == {"account": "123456789012", "region": "us-east-1"}

        s3, ssm, sqs = account.client("s3"), account.client("ssm"), account.client("sqs")
        tags = {tag["Key"]: tag["Value"] for tag in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}
        assert tags == {"sst:app": "test-app", "sst:stage": "dev"}
        assert ssm.get_parameter(Name="/sst/test-app/dev/Bucket/files/bucketName")["Parameter"]["Value"] == bucket
        queue_url = sqs.get_queue_url(QueueName="dev-test-app-sst-dev-bucket-events")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        [configuration] = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]
        assert (configuration["Id"], configuration["QueueArn"]) == ("sst-dev-uploaded", queue_arn)
        rules = configuration["Filter"]["Key"]["FilterRules"]
        assert [(rule["Name"].lower(), rule["Value"]) for rule in rules] == [("prefix", "uploads/")]  # S3 says Prefix

        answer = httpx.get(server.url, timeout=30).json()
        assert answer == {"bucket": bucket, "secret": "sk_cloud", "keys": []}

        s3.put_object(Bucket=bucket, Key="uploads/cat.png", Body=b"png")
        eventually(lambda: "seen/uploads/cat.png" in keys(s3, bucket))
    finally:
        output = server.stop()
    assert "AWS          account 123456789012, region us-east-1 (--cloud)" in output
    assert "uploaded" in output and "ObjectCreated:Put" in output  # the delivery's terminal line
    assert "Emulator" not in output  # no emulator was started


def test_a_production_stage_is_refused_without_allow_prod(tmp_path: Path, account: StandInAccount) -> None:
    app = make_app(tmp_path / "app", STACK, {"functions/cloud.py": HANDLERS})
    process = sst_dev("start", "--app", str(app), "--port", "0", "--stage", "prod", "--cloud",
                      env=account.environment(tmp_path))  # fmt: skip
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert 'stage "prod" looks like production' in output and "--allow-prod" in output
    assert not any(found["Name"].startswith("prod-") for found in account.client("s3").list_buckets()["Buckets"])


def test_without_credentials_start_stops_with_one_line(tmp_path: Path, account: StandInAccount) -> None:
    app = make_app(tmp_path / "app", STACK, {"functions/cloud.py": HANDLERS})
    env = account.environment(tmp_path)
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    result = start_cloud(app, env)
    assert isinstance(result, str)
    assert "NoCredentialsError: no AWS credentials for the AWS account (sts:GetCallerIdentity)" in result
    assert "Traceback" not in result


def test_a_bucket_that_is_not_the_stages_is_never_used(tmp_path: Path, account: StandInAccount) -> None:
    app = make_app(tmp_path / "app", STACK.replace('"files"', '"shared"'), {"functions/cloud.py": HANDLERS})
    name = bucket_name("dev", "test-app", "shared")
    account.client("s3").create_bucket(Bucket=name)  # someone else's: no sst tags
    result = start_cloud(app, account.environment(tmp_path))
    assert isinstance(result, str)
    assert f'Bucket "shared": the bucket {name} exists in this account but is not this app stage\'s' in result
    assert "NoSuchTagSet" not in result and "Traceback" not in result


def test_notifications_sst_dev_did_not_make_are_never_overwritten(tmp_path: Path, account: StandInAccount) -> None:
    app = make_app(tmp_path / "app", STACK.replace('"files"', '"guarded"'), {"functions/cloud.py": HANDLERS})
    name = bucket_name("dev", "test-app", "guarded")
    s3, sqs = account.client("s3"), account.client("sqs")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "sst:app", "Value": "test-app"},
                                                           {"Key": "sst:stage", "Value": "dev"}]})  # fmt: skip
    theirs = sqs.create_queue(QueueName="theirs")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=theirs, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    mine = {"QueueConfigurations": [{"Id": "audit", "QueueArn": arn, "Events": ["s3:ObjectRemoved:*"]}]}
    s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration=mine)

    result = start_cloud(app, account.environment(tmp_path))

    assert isinstance(result, str)
    assert f'Bucket "guarded": {name} has notifications sst-dev did not make (audit)' in result
    kept = s3.get_bucket_notification_configuration(Bucket=name)["QueueConfigurations"]
    assert [configuration["Id"] for configuration in kept] == ["audit"]
