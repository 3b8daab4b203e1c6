"""The Console's Buckets tab in a real browser: upload, browse, download, preview, presign, delete."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningApp

pytestmark = pytest.mark.browser


def png_bytes(color: str = "orange", size: tuple[int, int] = (320, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def unique(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:8]}"


def open_folder(page: Page, name: str) -> None:
    """From the bucket's root, make sure folder `name` exists (creating it as S3's console does) and open it."""
    go_to_bucket_root(page)
    page.get_by_label("New folder").fill(name)
    page.get_by_role("button", name="Create folder").click()
    page.get_by_role("button", name=f"{name}/", exact=True).click()
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text(name)


def go_to_bucket_root(page: Page) -> None:
    page.get_by_role("complementary", name="Buckets").get_by_role("button", name="myFiles").click()


def emulator_s3(app: RunningApp) -> Any:
    """A full-access S3 client on the running server's emulator, found through `.sst/dev.json`."""
    document = json.loads((app.app_dir / ".sst" / "dev.json").read_text())
    emulator = document["emulator"]
    return boto3.client(
        "s3",
        endpoint_url=emulator["endpoint"],
        region_name=emulator["region"],
        aws_access_key_id=emulator["credentials"]["accessKeyId"],
        aws_secret_access_key=emulator["credentials"]["secretAccessKey"],
        config=Config(signature_version="s3v4"),
    )


def test_a_png_picked_into_uploads_is_listed_and_its_notification_writes_a_thumbnail(console: Page) -> None:
    name = unique("cat") + ".png"
    open_folder(console, "uploads")

    console.locator("#upload-input").set_input_files({"name": name, "mimeType": "image/png", "buffer": png_bytes()})

    listed = console.locator(f'tr[data-key="uploads/{name}"]')
    expect(listed).to_contain_text("image/png")
    expect(console.locator(f'li[data-upload="uploads/{name}"]')).to_contain_text("Uploaded")
    console.get_by_role("tab", name="Invocations").click()
    delivery = console.locator("#invocation-rows tr", has_text=f"uploads/{name} ObjectCreated:Put")
    expect(delivery).to_contain_text("ok")
    console.get_by_role("tab", name="Buckets").click()
    open_folder(console, "thumbnails")
    expect(console.locator(f'tr[data-key="thumbnails/{name}"]')).to_contain_text("image/png")


def test_a_folder_is_created_then_deleted_with_everything_in_it_after_a_confirm(
    console: Page, sample_app: RunningApp
) -> None:
    folder = unique("reports")
    open_folder(console, folder)
    console.locator("#upload-input").set_input_files({"name": "q1.txt", "mimeType": "text/plain", "buffer": b"q1"})
    expect(console.locator(f'tr[data-key="{folder}/q1.txt"]')).to_be_visible()
    console.get_by_role("navigation", name="Breadcrumb").get_by_role("button", name="myFiles").click()  # a crumb
    folder_row = console.locator(f'tr[data-prefix="{folder}/"]')
    expect(folder_row).to_be_visible()

    folder_row.get_by_role("button", name=f"Delete folder {folder}").click()
    dialog = console.get_by_role("dialog")
    expect(dialog).to_contain_text(f"{folder}/ and everything in it")
    dialog.get_by_role("button", name="Delete").click()

    expect(folder_row).to_have_count(0)
    with sample_app.client() as client:
        keys = [entry["key"] for entry in client.get("/files").json()["files"]]
    assert not [key for key in keys if key.startswith(folder)]


def test_cancelling_the_confirm_keeps_the_object(console: Page) -> None:
    name = unique("keep") + ".txt"
    console.locator("#upload-input").set_input_files({"name": name, "mimeType": "text/plain", "buffer": b"keep me"})
    listed = console.locator(f'tr[data-key="{name}"]')
    listed.get_by_role("button", name=f"Delete {name}").click()
    console.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    console.get_by_role("button", name="Refresh").click()
    expect(listed).to_be_visible()


def test_a_download_has_the_uploaded_bytes(console: Page) -> None:
    name = unique("blob") + ".bin"
    data = os.urandom(200_000)
    console.locator("#upload-input").set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": data}
    )
    listed = console.locator(f'tr[data-key="{name}"]')
    expect(listed).to_contain_text("195.3 KiB")

    with console.expect_download() as download:
        listed.get_by_role("link", name=f"Download {name}").click()

    assert download.value.suggested_filename == name
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == data


def test_text_and_images_preview_inline_and_a_presigned_link_serves_the_object(console: Page) -> None:
    text_name = unique("notes") + ".txt"
    image_name = unique("dot") + ".png"
    console.locator("#upload-input").set_input_files(
        [
            {"name": text_name, "mimeType": "text/plain", "buffer": b"line one\nline two\n"},
            {"name": image_name, "mimeType": "image/png", "buffer": png_bytes("teal")},
        ]
    )
    console.locator(f'tr[data-key="{text_name}"]').get_by_role("button", name=text_name, exact=True).click()
    expect(console.get_by_label(f"Preview of {text_name}")).to_have_text("line one\nline two\n")

    console.get_by_label("Link expires in").select_option(label="15 minutes")
    console.get_by_role("button", name="Copy presigned link").click()
    link = console.get_by_label("Presigned link")
    expect(link).to_have_value(re.compile(r"X-Amz-Expires=900"))
    assert httpx.get(link.input_value()).content == b"line one\nline two\n"

    console.locator(f'tr[data-key="{image_name}"]').get_by_role("button", name=image_name, exact=True).click()
    image = console.get_by_role("img", name=f"Preview of {image_name}")
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 320


def test_a_large_file_uploads_in_parts_with_its_progress_bar_filled(console: Page, sample_app: RunningApp) -> None:
    name = unique("video") + ".bin"
    data = os.urandom(9 * 1024 * 1024 + 123)  # past the 8 MiB multipart threshold: two parts
    console.locator("#upload-input").set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": data}
    )

    upload = console.locator(f'li[data-upload="{name}"]')
    expect(upload).to_contain_text("Uploaded")
    progress = upload.get_by_role("progressbar")
    assert progress.evaluate("bar => bar.value === bar.max")
    expect(console.locator(f'tr[data-key="{name}"]')).to_contain_text("9.0 MiB")
    stored = emulator_s3(sample_app).get_object(Bucket=bucket_name(sample_app), Key=name)
    assert stored["ETag"].endswith('-2"')  # S3's multipart ETag: md5-of-part-md5s, dash, part count
    assert hashlib.sha256(stored["Body"].read()).digest() == hashlib.sha256(data).digest()


def test_files_dropped_on_the_folder_are_uploaded_into_it(console: Page) -> None:
    name = unique("dropped") + ".txt"
    transfer = console.evaluate_handle(
        """name => { const t = new DataTransfer();
                     t.items.add(new File(["from a drop"], name, { type: "text/plain" })); return t; }""",
        name,
    )
    console.locator("#browser").dispatch_event("drop", {"dataTransfer": transfer})
    expect(console.locator(f'tr[data-key="{name}"]')).to_contain_text("text/plain")


def test_a_folder_past_a_thousand_keys_pages_with_load_more(console: Page, sample_app: RunningApp) -> None:
    folder = unique("many")
    s3 = emulator_s3(sample_app)
    bucket = bucket_name(sample_app)
    keys = [f"{folder}/item-{index:04d}.txt" for index in range(1050)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda key: s3.put_object(Bucket=bucket, Key=key, Body=b"x"), keys))
    try:
        page_through(console, folder, len(keys))
    finally:  # the sample app's GET /files lists one page: leave the bucket as small as we found it
        for start in range(0, len(keys), 1000):
            batch = keys[start : start + 1000]
            s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in batch]})


def page_through(console: Page, folder: str, total: int) -> None:
    console.get_by_role("button", name="Refresh").click()
    console.get_by_role("button", name=f"{folder}/", exact=True).click()

    rows = console.locator("#object-rows tr")
    load_more = console.get_by_role("button", name="Load more")
    pages = 1
    while True:
        expect(rows).to_have_count(min(total, 200 * pages))
        if pages * 200 >= total:
            break
        load_more.click()
        pages += 1
    expect(load_more).to_be_hidden()
    expect(console.locator(f'tr[data-key="{folder}/item-{total - 1:04d}.txt"]')).to_be_visible()


def test_tabs_are_reachable_with_the_arrow_keys(console: Page) -> None:
    console.get_by_role("tab", name="Buckets").focus()
    console.keyboard.press("ArrowRight")
    invocations = console.get_by_role("tab", name="Invocations")
    expect(invocations).to_have_attribute("aria-selected", "true")
    expect(invocations).to_be_focused()
    expect(console.get_by_role("tabpanel", name="Invocations")).to_be_visible()
    console.keyboard.press("End")
    expect(console.get_by_role("tab", name="Secrets & outputs")).to_have_attribute("aria-selected", "true")


def bucket_name(app: RunningApp) -> str:
    document = json.loads((app.app_dir / ".sst" / "dev.json").read_text())
    return str(document["resources"]["Bucket"]["myFiles"]["bucketName"])
