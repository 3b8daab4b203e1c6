"""Shared by the storage tests: a dev server whose emulator holds the app, and ways to read what it delivered."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx

from devserver.triggers.s3_notifications import Delivery
from tests.servers import ServerThread

APP_ORIGIN = "http://localhost:3000"
"""Where a page served by the dev server comes from, as the browser names it."""

RECORD_HANDLER = """\
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import S3Model


def main(event, context):
    # Parsed as a real handler would: a record that is not shaped as AWS sends it fails here.
    records = parse(event=event, model=S3Model).Records
    return [
        {
            "eventName": record.eventName,
            "configurationId": record.s3.configurationId,
            "bucket": record.s3.bucket.name,
            "encodedKey": record.s3.object.key,
            "key": unquote_plus(record.s3.object.key),
            "size": record.s3.object.size,
            "eTag": record.s3.object.eTag,
            "versionId": record.s3.object.versionId,
        }
        for record in records
    ]
"""
"""A notification handler that parses its event with powertools' `S3Model` and returns what each record says."""


@contextmanager
def running(app_dir: Path, timeout: float = 30) -> Iterator[ServerThread]:
    """A started dev server whose emulator has created the app's buckets and parameters."""
    with ServerThread(app_dir) as server:
        wait_until(lambda: server.server.aws.is_ready, timeout, "the emulator to hold the app's resources")
        yield server


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting {timeout:g} s for {what}")
        time.sleep(0.01)


def bucket_name(server: ServerThread, bucket_id: str) -> str:
    name = server.server.app.resources["Bucket"][bucket_id]["bucketName"]
    assert isinstance(name, str)
    return name


def s3_client(server: ServerThread) -> Any:
    """A test's own S3 client: the emulator's account credentials, SigV4, path-style (boto3's default here)."""
    return server.server.aws.emulator.client("s3")


def records(deliveries: list[Delivery]) -> list[dict[str, Any]]:
    """Every record the recording handler returned, across `deliveries`, each asserted to have succeeded."""
    found: list[dict[str, Any]] = []
    for delivery in deliveries:
        assert delivery.ok, delivery.summary()
        assert isinstance(delivery.invocation.result, list), delivery.invocation.result
        found.extend(delivery.invocation.result)
    return found


def events_by_key(deliveries: list[Delivery]) -> list[tuple[str, str]]:
    """(eventName, decoded key) of every delivered record, sorted: deliveries run concurrently, finish in any order."""
    return sorted((record["eventName"], record["key"]) for record in records(deliveries))


def s3_error(response: httpx.Response) -> tuple[int, str, str]:
    """(status, S3 error Code, Message) of an S3 XML error answer."""
    root = ElementTree.fromstring(response.content)
    return response.status_code, root.findtext("Code") or "", root.findtext("Message") or ""
