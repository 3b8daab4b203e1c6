"""The sample app's `GET /upload` page in a real browser: a presigned POST to the emulator, then a thumbnail."""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import RunningApp

pytestmark = pytest.mark.browser


def test_a_png_picked_on_the_upload_page_is_listed_and_gets_a_thumbnail(
    context: BrowserContext, sample_app: RunningApp
) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (640, 480), "purple").save(picture, format="PNG")
    name = f"holiday-{uuid.uuid4().hex[:8]}.png"
    page = context.new_page()
    page.goto(sample_app.url + "/upload")

    page.get_by_label("File").set_input_files({"name": name, "mimeType": "image/png", "buffer": picture.getvalue()})
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_role("status")).to_have_text(f"Uploaded uploads/{name}")
    expect(page.get_by_role("link", name=f"uploads/{name} ({len(picture.getvalue())} bytes)")).to_be_visible()
    thumbnail = page.get_by_role("link", name=f"thumbnails/{name}")
    for _ in range(50):  # the notification runs after the upload answered; the page lists on load
        if thumbnail.count():
            break
        page.wait_for_timeout(200)
        page.reload()
    expect(thumbnail).to_be_visible()
    with sample_app.client() as client:
        stored = Image.open(io.BytesIO(client.get(f"/files/thumbnails/{name}").content))
    assert max(stored.size) == 128


def test_an_open_upload_page_is_told_of_each_new_thumbnail(context: BrowserContext, sample_app: RunningApp) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (300, 200), "teal").save(picture, format="PNG")
    name = f"live-{uuid.uuid4().hex[:8]}.png"
    watching = context.new_page()  # a second page, left open: it hears of the upload made from the first
    watching.goto(sample_app.url + "/upload")
    expect(watching.get_by_text("Live updates: on")).to_be_visible()  # its $connect has run: it is listed
    page = context.new_page()
    page.goto(sample_app.url + "/upload")

    page.get_by_label("File").set_input_files({"name": name, "mimeType": "image/png", "buffer": picture.getvalue()})
    page.get_by_role("button", name="Upload").click()

    notices = watching.get_by_role("list", name="New thumbnails")
    expect(notices.get_by_text(f"New thumbnail: thumbnails/{name}")).to_be_visible()
    expect(watching.get_by_role("link", name=f"thumbnails/{name}")).to_be_visible()  # the list refreshed, no reload
