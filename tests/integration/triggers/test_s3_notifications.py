"""S3 event notifications through a running dev server: every write and delete, by anyone, reaches its handler.

One server runs the whole module. Its notification handlers parse their event with powertools' `S3Model` (the record
shape is proven where it is consumed) and return what the records say, which the tests read from the dispatcher's
deliveries. Writes come from the test's own boto3 client, from a route handler's unmodified `boto3.client("s3")`,
and from httpx with URLs a handler presigned, as a browser would send them.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.apps import make_app
from tests.integration.storage_support import (
    RECORD_HANDLER,
    bucket_name,
    events_by_key,
    records,
    running,
    s3_client,
    wait_until,
)
from tests.servers import ServerThread

STACK = """
record = "functions/record.main"
listed = Bucket(stack, "listed", notifications=[record])
filtered = Bucket(stack, "filtered", notifications={
    "pngs": {"function": record, "events": ["object_created"],
             "filters": [{"prefix": "uploads/"}, {"suffix": ".png"}]},
})
versioned = Bucket(stack, "versioned", notifications={
    "removals": {"function": record, "events": ["object_removed"]},
    "puts": {"function": record, "events": ["object_created_put"]},
})
thumbs = Bucket(stack, "thumbs", notifications={
    "thumbnailer": {"function": "functions/thumbnail.main", "events": ["object_created_put"],
                    "filters": [{"prefix": "uploads/"}]},
})
gated = Bucket(stack, "gated", notifications={
    "gated": {"function": "functions/gated.main", "filters": [{"prefix": "work/"}]},
})
failing = Bucket(stack, "failing", notifications=[Function(stack, "failer", handler="functions/fail.main")])
thumbs.bind([thumbs])  # the thumbnailer writes into its own bucket
gated.bind([gated])
Api(stack, "api",
    defaults={"function": {"bind": [listed, filtered, versioned, thumbs, gated, failing]}},
    routes={"POST /scenario": "functions/scenario.handler", "POST /presign": "functions/presign.main"})
"""

# One sequence of writes and deletes, run by the test's client and by a route handler alike.
SCENARIO = """\
import json

import boto3

from devserver.resources import Bucket


def write_and_delete(s3, bucket, prefix):
    report, copy, big = f"{prefix}/report 1.txt", f"{prefix}/copy.txt", f"{prefix}/big.bin"
    s3.put_object(Bucket=bucket, Key=report, Body=b"hello")
    s3.copy_object(Bucket=bucket, Key=copy, CopySource={"Bucket": bucket, "Key": report})
    upload = s3.create_multipart_upload(Bucket=bucket, Key=big)["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key=big, UploadId=upload, PartNumber=1, Body=b"parts")
    parts = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}
    s3.complete_multipart_upload(Bucket=bucket, Key=big, UploadId=upload, MultipartUpload=parts)
    s3.delete_object(Bucket=bucket, Key=copy)
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": report}, {"Key": big}]})


def handler(event, context):
    request = json.loads(event["body"])
    write_and_delete(boto3.client("s3"), getattr(Bucket, request["bucket"]).bucketName, request["prefix"])
    return {"done": True}
"""

PRESIGN = """\
import json

import boto3
from botocore.config import Config

from devserver.resources import Bucket

s3 = boto3.client("s3", config=Config(signature_version="s3v4"))


def main(event, context):
    request = json.loads(event["body"])
    params = {"Bucket": getattr(Bucket, request["bucket"]).bucketName, "Key": request["key"]}
    return {
        "put": s3.generate_presigned_url("put_object", Params=params, ExpiresIn=60),
        "delete": s3.generate_presigned_url("delete_object", Params=params, ExpiresIn=60),
        "post": s3.generate_presigned_post(params["Bucket"], params["Key"], ExpiresIn=60),
    }
"""

THUMBNAIL = """\
from urllib.parse import unquote_plus

import boto3

s3 = boto3.client("s3")


def main(event, context):
    record = event["Records"][0]["s3"]
    bucket, key = record["bucket"]["name"], unquote_plus(record["object"]["key"])
    thumbnail = "thumbnails/" + key.removeprefix("uploads/")
    s3.put_object(Bucket=bucket, Key=thumbnail, Body=s3.get_object(Bucket=bucket, Key=key)["Body"].read()[:4])
    return thumbnail
"""

# Waits for an object the test writes only after its own PutObject returned: were delivery synchronous, the put would
# wait for the handler and the handler for the test, and the handler would report that the gate never opened.
GATED = """\
import time

import boto3

s3 = boto3.client("s3")


def main(event, context):
    bucket = event["Records"][0]["s3"]["bucket"]["name"]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            s3.head_object(Bucket=bucket, Key="gate/open")
            return "gate opened"
        except s3.exceptions.ClientError:
            time.sleep(0.02)
    return "gate never opened"
"""

FAIL = """\
from urllib.parse import unquote_plus


def main(event, context):
    key = unquote_plus(event["Records"][0]["s3"]["object"]["key"])
    print(f"attempt for {key} as {context.aws_request_id}")
    raise RuntimeError(f"cannot process {key}")
"""

SCENARIO_EVENTS = [
    ("ObjectCreated:CompleteMultipartUpload", "big.bin"),
    ("ObjectCreated:Copy", "copy.txt"),
    ("ObjectCreated:Put", "report 1.txt"),
    ("ObjectRemoved:Delete", "big.bin"),
    ("ObjectRemoved:Delete", "copy.txt"),
    ("ObjectRemoved:Delete", "report 1.txt"),
]


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = {
        "functions/record.py": RECORD_HANDLER,
        "functions/scenario.py": SCENARIO,
        "functions/presign.py": PRESIGN,
        "functions/thumbnail.py": THUMBNAIL,
        "functions/gated.py": GATED,
        "functions/fail.py": FAIL,
    }
    return make_app(tmp_path_factory.mktemp("notifications"), STACK, files)


@pytest.fixture(scope="module")
def server(app_dir: Path) -> Iterator[ServerThread]:
    with running(app_dir) as started:
        yield started


@pytest.fixture
def s3(server: ServerThread) -> Any:
    server.server.aws.dispatcher.mark()
    return s3_client(server)


def load_scenario(app_dir: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("notification_scenario", app_dir / "functions" / "scenario.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def with_prefix(prefix: str, expected: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(event, f"{prefix}/{key}") for event, key in expected]


def test_every_write_and_delete_by_a_test_client_reaches_a_list_notification(
    server: ServerThread, s3: Any, app_dir: Path
) -> None:
    dispatcher = server.server.aws.dispatcher
    before = len(dispatcher.deliveries)
    load_scenario(app_dir).write_and_delete(s3, bucket_name(server, "listed"), "by-test")

    delivered = dispatcher.wait_blocking(len(SCENARIO_EVENTS), timeout=20)

    # A list of handlers subscribes to object_created and object_removed, as in SST.
    assert events_by_key(delivered) == with_prefix("by-test", SCENARIO_EVENTS)
    # CompleteMultipartUpload is one event, not a Put and then a completion.
    assert dispatcher.in_flight == 0 and len(dispatcher.deliveries) == before + len(SCENARIO_EVENTS)
    # As S3 does, removal records carry neither size nor eTag.
    for record in records(delivered):
        created = record["eventName"].startswith("ObjectCreated:")
        assert (record["size"] is not None, record["eTag"] is not None) == (created, created), record


def test_every_write_and_delete_by_a_handler_with_plain_boto3_is_notified(server: ServerThread, s3: Any) -> None:
    with server.client() as api:
        answer = api.post("/scenario", json={"bucket": "listed", "prefix": "by-handler"})
    assert answer.status_code == 200, answer.text

    delivered = server.server.aws.dispatcher.wait_blocking(len(SCENARIO_EVENTS), timeout=20)

    assert events_by_key(delivered) == with_prefix("by-handler", SCENARIO_EVENTS)


def test_browser_uploads_and_deletes_with_presigned_urls_are_notified(server: ServerThread, s3: Any) -> None:
    dispatcher = server.server.aws.dispatcher
    with server.client() as api, httpx.Client(timeout=10) as browser:
        put = api.post("/presign", json={"bucket": "listed", "key": "browser/put.txt"}).json()
        assert browser.put(put["put"], content=b"put by a browser").status_code == 200
        [created_by_put] = dispatcher.wait_blocking(1)

        post = api.post("/presign", json={"bucket": "listed", "key": "browser/post.txt"}).json()
        form = browser.post(post["post"]["url"], data=post["post"]["fields"], files={"file": b"posted"})
        assert form.status_code == 204, form.text
        [created_by_post] = dispatcher.wait_blocking(1)

        assert browser.delete(put["delete"]).status_code == 204
        [removed] = dispatcher.wait_blocking(1)

    assert events_by_key([created_by_put, created_by_post, removed]) == [
        ("ObjectCreated:Post", "browser/post.txt"),
        ("ObjectCreated:Put", "browser/put.txt"),
        ("ObjectRemoved:Delete", "browser/put.txt"),
    ]
    [post_record] = records([created_by_post])
    assert post_record["size"] == len(b"posted") and post_record["eTag"] == form.headers["ETag"].strip('"')


def test_a_record_carries_the_encoded_key_size_etag_and_configuration_as_aws_sends_them(
    server: ServerThread, s3: Any
) -> None:
    bucket = bucket_name(server, "filtered")
    put = s3.put_object(Bucket=bucket, Key="uploads/red flower+1 é.png", Body=b"\x89PNG....")

    [record] = records(server.server.aws.dispatcher.wait_blocking(1))

    assert record == {
        "eventName": "ObjectCreated:Put",
        "configurationId": "pngs",
        "bucket": bucket,
        "encodedKey": "uploads/red+flower%2B1+%C3%A9.png",
        "key": "uploads/red flower+1 é.png",
        "size": 8,
        "eTag": put["ETag"].strip('"'),
        "versionId": None,
    }


def test_prefix_and_suffix_filters_leave_other_keys_undelivered(server: ServerThread, s3: Any) -> None:
    dispatcher = server.server.aws.dispatcher
    bucket = bucket_name(server, "filtered")
    unmatched, delivered = dispatcher.unmatched, len(dispatcher.deliveries)
    for key in ("uploads/photo.jpg", "other/photo.png", "uploads.png"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    s3.put_object(Bucket=bucket, Key="uploads/photo.png", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="uploads/photo.png")  # the notification takes object_created only

    [only] = dispatcher.wait_blocking(1)
    wait_until(lambda: dispatcher.unmatched == unmatched + 4, 5, "the five events to be routed")

    assert events_by_key([only]) == [("ObjectCreated:Put", "uploads/photo.png")]
    assert len(dispatcher.deliveries) == delivered + 1


def test_deleting_in_a_versioned_bucket_creates_a_delete_marker_event(server: ServerThread, s3: Any) -> None:
    bucket = bucket_name(server, "versioned")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"v1")["VersionId"]
    [put] = records(server.server.aws.dispatcher.wait_blocking(1))

    marker = s3.delete_object(Bucket=bucket, Key="doc.txt")["VersionId"]
    [marker_created] = records(server.server.aws.dispatcher.wait_blocking(1))
    s3.delete_object(Bucket=bucket, Key="doc.txt", VersionId=first)
    [version_deleted] = records(server.server.aws.dispatcher.wait_blocking(1))

    assert (put["eventName"], put["configurationId"], put["versionId"]) == ("ObjectCreated:Put", "puts", first)
    assert (marker_created["eventName"], marker_created["configurationId"], marker_created["versionId"]) == (
        "ObjectRemoved:DeleteMarkerCreated",
        "removals",
        marker,
    )
    assert (version_deleted["eventName"], version_deleted["versionId"]) == ("ObjectRemoved:Delete", first)

    for key in ("a.txt", "b.txt"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"v1")
    server.server.aws.dispatcher.wait_blocking(2)
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a.txt"}, {"Key": "b.txt"}]})
    assert events_by_key(server.server.aws.dispatcher.wait_blocking(2)) == [
        ("ObjectRemoved:DeleteMarkerCreated", "a.txt"),
        ("ObjectRemoved:DeleteMarkerCreated", "b.txt"),
    ]


def test_the_s3_call_returns_before_the_handler_runs_to_its_end(server: ServerThread, s3: Any) -> None:
    bucket = bucket_name(server, "gated")
    s3.put_object(Bucket=bucket, Key="work/job.txt", Body=b"job")
    s3.put_object(Bucket=bucket, Key="gate/open", Body=b"")  # outside the notification's prefix

    [delivery] = server.server.aws.dispatcher.wait_blocking(1, timeout=15)

    assert delivery.ok and delivery.invocation.result == "gate opened"


def test_a_handler_writing_thumbnails_into_its_own_bucket_does_not_trigger_itself(
    server: ServerThread, s3: Any
) -> None:
    dispatcher = server.server.aws.dispatcher
    bucket = bucket_name(server, "thumbs")
    unmatched, delivered = dispatcher.unmatched, len(dispatcher.deliveries)
    s3.put_object(Bucket=bucket, Key="uploads/cat.png", Body=b"\x89PNG-cat")

    [delivery] = dispatcher.wait_blocking(1, timeout=15)
    # The thumbnail's own ObjectCreated:Put arrives and matches nothing, because of the uploads/ prefix.
    wait_until(lambda: dispatcher.unmatched == unmatched + 1, 5, "the thumbnail's event to be routed")

    assert delivery.ok and delivery.invocation.result == "thumbnails/cat.png"
    assert s3.get_object(Bucket=bucket, Key="thumbnails/cat.png")["Body"].read() == b"\x89PNG"
    assert dispatcher.in_flight == 0 and len(dispatcher.deliveries) == delivered + 1
    server.wait_for_output(f"s3://{bucket}/uploads/cat.png ObjectCreated:Put -> {delivery.function_name}: ok in ")


def test_a_failing_handler_is_retried_twice_then_kept_in_failed_and_printed(server: ServerThread, s3: Any) -> None:
    dispatcher = server.server.aws.dispatcher
    s3.put_object(Bucket=bucket_name(server, "failing"), Key="broken/input.txt", Body=b"?")

    [delivery] = dispatcher.wait_blocking(1, timeout=15)

    assert (delivery.status, delivery.attempts, delivery.key) == ("failed", 3, "broken/input.txt")
    assert delivery.invocation.error is not None
    assert delivery.invocation.error.error_message == "cannot process broken/input.txt"
    assert delivery in dispatcher.failed
    output = server.wait_for_output("after 3 attempts (RuntimeError: cannot process broken/input.txt)")
    # Lambda keeps one request id across the retries of an asynchronous invocation.
    assert output.count(f"attempt for broken/input.txt as {delivery.id}") == 3
    assert f"{delivery.function_name} {delivery.id} RuntimeError: cannot process broken/input.txt" in output
