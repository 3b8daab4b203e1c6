"""Bound resources inside handlers of a running server: buckets, parameters, secrets set while it runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.apps import copy_sample_app, make_app
from tests.servers import ServerThread


def secrets(app_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devserver.cli", "secrets", *args, "--app", str(app_dir), "--stage", "test"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_secret_set_while_the_server_runs_is_read_by_the_next_invocation(tmp_path: Path) -> None:
    app_dir = copy_sample_app(tmp_path / "app")
    with ServerThread(app_dir) as server, server.client() as client:
        missing = client.get("/settings")
        assert missing.status_code == 500
        output = server.wait_for_output('The following secret values are not set in the "test stage": STRIPE_KEY')
        assert "sst-dev secrets set STRIPE_KEY" in output

        assert secrets(app_dir, "set", "STRIPE_KEY", "sk_test_abc1234").returncode == 0
        settings = client.get("/settings").json()
        assert settings == {"app": "sample-app", "stage": "test", "cluster": "dev-cluster", "stripeKeyEnding": "1234"}
        assert "sk_test_abc1234" not in server.output.getvalue(), "no log line prints a secret value"

        assert secrets(app_dir, "set", "STRIPE_KEY", "sk_test_new5678").returncode == 0
        assert client.get("/settings").json()["stripeKeyEnding"] == "5678"


def test_a_handler_reading_a_resource_it_is_not_bound_to_gets_the_contract_message(tmp_path: Path) -> None:
    app_dir = make_app(
        tmp_path,
        """
        Bucket(stack, "myFiles")
        Api(stack, "api", routes={"GET /": "functions/reader.main"})
        """,
        {"functions/reader.py": "from devserver.resources import Bucket\n\n\ndef main(e, c):\n"
         "    return Bucket.myFiles.bucketName\n"},
    )  # fmt: skip
    with ServerThread(app_dir) as server, server.client() as client:
        assert client.get("/").status_code == 500
        server.wait_for_output("Cannot use Bucket.myFiles. Please make sure it is bound to this function.")


def test_bound_bucket_works_with_unmodified_boto3_in_the_handler(tmp_path: Path) -> None:
    app_dir = copy_sample_app(tmp_path / "app")
    with ServerThread(app_dir) as server, server.client() as client:
        assert client.get("/files").json() == {"files": []}
        bucket = server.server.app.resources["Bucket"]["myFiles"]["bucketName"]
        s3 = server.server.aws.emulator.client("s3")
        s3.put_object(Bucket=bucket, Key="docs/readme.txt", Body=b"hello", ContentType="text/plain")
        assert client.get("/files").json() == {"files": [{"key": "docs/readme.txt", "size": 5}]}
        download = client.get("/files/docs/readme.txt")
        assert download.content == b"hello" and download.headers["content-type"] == "text/plain"
        assert client.delete("/files/docs/readme.txt").status_code == 204
        assert client.get("/files").json() == {"files": []}


TABLE_HANDLER = """\
import boto3
from devserver.resources import Table

table = boto3.resource("dynamodb").Table(Table.notes.tableName)


def put(event, context):
    table.put_item(Item={"id": event["pathParameters"]["id"], "n": 1})
    return table.get_item(Key={"id": event["pathParameters"]["id"]})["Item"]["id"]
"""


def test_a_bound_table_is_created_in_the_emulators_dynamodb(tmp_path: Path) -> None:
    app_dir = make_app(
        tmp_path,
        """
        notes = Table(stack, "notes", fields={"id": "string", "n": "number"}, primary_index={"partition_key": "id"})
        Api(stack, "api", defaults={"function": {"bind": [notes]}}, routes={"PUT /notes/{id}": "functions/notes.put"})
        """,
        {"functions/notes.py": TABLE_HANDLER},
    )
    with ServerThread(app_dir) as server, server.client() as client:
        assert client.put("/notes/a1").text == "a1"
        dynamodb = server.server.aws.emulator.client("dynamodb")
        assert dynamodb.describe_table(TableName="test-test-app-notes")["Table"]["KeySchema"] == [
            {"AttributeName": "id", "KeyType": "HASH"}
        ]


def test_a_server_that_does_not_publish_leaves_no_outputs_or_dev_file(tmp_path: Path) -> None:
    app_dir = make_app(tmp_path, 'Api(stack, "api", routes={"GET /": "functions/hello.main"})')
    with ServerThread(app_dir, publish=False) as server, server.client() as client:
        assert client.get("/").json() == {"hello": "world"}
        assert not (app_dir / ".sst" / "dev.json").exists()
        assert not (app_dir / ".sst" / "outputs.json").exists()
        assert (app_dir / ".sst" / "types" / "devserver" / "resources.pyi").exists()


PERMISSIONS_STACK = """
mine = Bucket(stack, "mine")
theirs = Bucket(stack, "theirs")
secret = Config.Secret(stack, "THEIRS")
Api(stack, "api", defaults={"function": {"bind": [mine]}}, routes={
    "GET /mine": "functions/touch.mine",
    "GET /theirs": "functions/touch.theirs",
    "GET /secret": "functions/touch.secret",
    "GET /granted": {"function": {"handler": "functions/touch.theirs", "permissions": ["s3:ListBucket"]}},
})
"""
TOUCH = """\
import os

import boto3

s3, ssm = boto3.client("s3"), boto3.client("ssm")


def mine(event, context):
    return s3.list_objects_v2(Bucket=os.environ["SST_Bucket_bucketName_mine"])["KeyCount"]


def theirs(event, context):
    return s3.list_objects_v2(Bucket=event["queryStringParameters"]["bucket"])["KeyCount"]


def secret(event, context):
    return ssm.get_parameters(Names=["/sst/test-app/test/Secret/THEIRS/value"])["Parameters"]
"""


def test_functions_may_use_what_they_bind_and_are_refused_the_rest(tmp_path: Path) -> None:
    app_dir = make_app(tmp_path, PERMISSIONS_STACK, {"functions/touch.py": TOUCH})
    with ServerThread(app_dir) as server, server.client() as client:
        theirs = server.server.app.resources["Bucket"]["theirs"]["bucketName"]
        assert client.get("/mine").json() == 0
        assert client.get("/theirs", params={"bucket": theirs}).status_code == 500
        output = server.wait_for_output("may not s3:ListBucket")
        assert f"may not s3:ListBucket on arn:aws:s3:::{theirs}: bind Bucket.theirs to it (bind=[...])" in output
        assert "AccessDenied" in output
        assert client.get("/secret").status_code == 500
        server.wait_for_output("may not ssm:GetParameters")
        assert client.get("/granted", params={"bucket": theirs}).json() == 0, "permissions=[...] grants by hand"


def test_no_iam_lets_every_function_use_everything(tmp_path: Path) -> None:
    app_dir = make_app(tmp_path, PERMISSIONS_STACK, {"functions/touch.py": TOUCH})
    with ServerThread(app_dir, enforce_iam=False) as server, server.client() as client:
        theirs = server.server.app.resources["Bucket"]["theirs"]["bucketName"]
        assert client.get("/theirs", params={"bucket": theirs}).json() == 0
