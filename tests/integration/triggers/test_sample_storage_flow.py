"""The sample app's storage flow through a running dev server, and the SSM store its bound values live in.

As the seeds' upload page does it: ask the API for a presigned form upload, POST a real PNG straight to the bucket,
let the `uploads/` notification write a thumbnail, then list, download and delete through the API.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.apps import copy_sample_app
from tests.integration.storage_support import APP_ORIGIN, bucket_name, running
from tests.servers import ServerThread

PREFIX = "/sst/sample-app/test/"


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_sample_app(tmp_path_factory.mktemp("sample") / "app")


@pytest.fixture(scope="module")
def server(app_dir: Path) -> Iterator[ServerThread]:
    with running(app_dir) as started:
        yield started


def png(width: int, height: int) -> bytes:
    image = Image.merge("RGB", [Image.effect_noise((width, height), sigma) for sigma in (32, 64, 96)])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def secrets_cli(app_dir: Path, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "devserver.cli", "secrets", *args, "--app", str(app_dir), "--stage", "test"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def ssm(server: ServerThread) -> Any:
    return server.server.aws.emulator.client("ssm")


def test_upload_a_png_with_a_presigned_post_then_thumbnail_list_download_and_delete(server: ServerThread) -> None:
    original = png(640, 480)
    dispatcher = server.server.aws.dispatcher
    dispatcher.mark()
    before = len(dispatcher.deliveries)
    with server.client() as api, httpx.Client(timeout=10, headers={"Origin": APP_ORIGIN}) as browser:
        upload = api.post("/presigned-url", json={"filename": "holiday photo.png", "contentType": "image/png"}).json()
        assert upload["key"] == "uploads/holiday-photo.png"

        posted = browser.post(upload["url"], data=upload["fields"], files={"file": ("holiday photo.png", original)})
        assert posted.status_code == 204, posted.text
        assert posted.headers["Access-Control-Allow-Origin"] == "*"

        [thumbnailed] = dispatcher.wait_blocking(1, timeout=30)
        assert thumbnailed.ok, thumbnailed.summary()
        assert thumbnailed.event_name == "ObjectCreated:Post"
        assert thumbnailed.invocation.result == {"thumbnails": ["thumbnails/holiday-photo.png"]}

        listed = api.get("/files").json()["files"]
        assert [item["key"] for item in listed] == ["thumbnails/holiday-photo.png", "uploads/holiday-photo.png"]
        assert listed[1]["size"] == len(original)

        downloaded = api.get("/files/uploads/holiday-photo.png")
        assert (downloaded.status_code, downloaded.headers["content-type"]) == (200, "image/png")
        assert downloaded.content == original
        thumbnail = Image.open(io.BytesIO(api.get("/files/thumbnails/holiday-photo.png").content))
        assert thumbnail.format == "PNG" and thumbnail.size == (128, 96)

        assert api.delete("/files/uploads/holiday-photo.png").status_code == 204
        assert [item["key"] for item in api.get("/files").json()["files"]] == ["thumbnails/holiday-photo.png"]
        assert api.get("/files/uploads/holiday-photo.png").status_code == 404
    # The thumbnail (outside uploads/) and the delete (not subscribed) went to no notification.
    assert len(dispatcher.deliveries) == before + 1


def test_an_upload_the_policy_refuses_never_reaches_the_bucket(server: ServerThread) -> None:
    with server.client() as api, httpx.Client(timeout=10) as browser:
        upload = api.post("/presigned-url", json={"filename": "notes.png", "contentType": "image/png"}).json()
        refused = browser.post(
            upload["url"], data={**upload["fields"], "Content-Type": "text/html"}, files={"file": b"<p>"}
        )
        listed = api.get("/files").json()["files"]

    assert refused.status_code == 403 and "<Code>AccessDenied</Code>" in refused.text
    assert "uploads/notes.png" not in [item["key"] for item in listed]


def test_every_bound_value_is_a_string_parameter_at_its_sst_path(server: ServerThread) -> None:
    pages = ssm(server).get_paginator("get_parameters_by_path").paginate(Path=PREFIX, Recursive=True)
    stored = {parameter["Name"]: parameter for page in pages for parameter in page["Parameters"]}

    expected = {
        f"{PREFIX}Bucket/myFiles/bucketName": bucket_name(server, "myFiles"),
        f"{PREFIX}Parameter/MY_CLUSTER_NAME/value": "dev-cluster",
        f"{PREFIX}Api/api/url": server.url(),
    }
    for name, value in expected.items():
        assert (stored[name]["Type"], stored[name]["Value"]) == ("String", value)


def test_secrets_are_secure_strings_read_back_with_decryption(server: ServerThread, app_dir: Path) -> None:
    secrets_cli(app_dir, "set", "STRIPE_KEY", "sk_test_stage_4242")
    secrets_cli(app_dir, "set", "STRIPE_KEY", "sk_test_fallback_0000", "--fallback")
    client = ssm(server)
    stage_path = f"{PREFIX}Secret/STRIPE_KEY/value"
    fallback_path = "/sst/sample-app/.fallback/Secret/STRIPE_KEY/value"

    decrypted = client.get_parameter(Name=stage_path, WithDecryption=True)["Parameter"]
    encrypted = client.get_parameter(Name=stage_path)["Parameter"]
    both = client.get_parameters(Names=[stage_path, fallback_path, f"{PREFIX}nope"], WithDecryption=True)
    by_path = client.get_parameters_by_path(Path=f"{PREFIX}Secret/", Recursive=True, WithDecryption=True)

    assert (decrypted["Type"], decrypted["Value"]) == ("SecureString", "sk_test_stage_4242")
    assert encrypted["Value"] != "sk_test_stage_4242"
    assert {p["Name"]: (p["Type"], p["Value"]) for p in both["Parameters"]} == {
        stage_path: ("SecureString", "sk_test_stage_4242"),
        fallback_path: ("SecureString", "sk_test_fallback_0000"),
    }
    assert both["InvalidParameters"] == [f"{PREFIX}nope"]
    assert [(p["Name"], p["Value"]) for p in by_path["Parameters"]] == [(stage_path, "sk_test_stage_4242")]
    with server.client() as api:
        assert api.get("/settings").json()["stripeKeyEnding"] == "4242"
