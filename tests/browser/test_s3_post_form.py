"""A plain HTML form, signed with `generate_presigned_post`, submitted by a real chromium straight to the emulator.

No script: the page is what AWS's browser-upload guide shows (hidden fields, the file input last, a submit button
after it, which S3 ignores), served from an app origin of its own. The browser sends its own multipart body; S3's
answer sends it on to the app's page (303 to ``success_action_redirect``) or shows S3's XML error.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.client import BaseClient
from playwright.sync_api import Browser, Page, Response

from devserver.aws.local_aws import EXECUTE_API_MIDDLEWARE, GUARD_MIDDLEWARE, IAM_MIDDLEWARE
from emulator.process import EmulatorProcess

pytestmark = pytest.mark.browser

PICTURE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


class AppPages:
    """The app's two pages: the upload form (whatever `form` holds) and the page S3 redirects to."""

    def __init__(self) -> None:
        self.form = ""
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        pages = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path == "/upload":
                    body = pages.form
                else:
                    query = {name: escape(values[0]) for name, values in parse_qs(parts.query).items()}
                    body = f"<p role=status>Uploaded {query.get('key')} to {query.get('bucket')}</p>"
                encoded = f"<!doctype html><html><body>{body}</body></html>".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(encoded)))
                self.end_headers()
                self.wfile.write(encoded)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def upload_form(post: dict[str, Any]) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">' for name, value in post["fields"].items()
    )
    return (
        f'<form action="{escape(post["url"])}" method="post" enctype="multipart/form-data">{hidden}'
        '<label>File <input type="file" name="file"></label>'
        '<input type="submit" name="submit" value="Upload"></form>'
    )


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(middleware=[EXECUTE_API_MIDDLEWARE, GUARD_MIDDLEWARE, IAM_MIDDLEWARE]) as running:
        yield running


@pytest.fixture(scope="module")
def app_pages() -> Iterator[AppPages]:
    pages = AppPages()
    thread = threading.Thread(target=pages.server.serve_forever, daemon=True)
    thread.start()
    yield pages
    pages.server.shutdown()
    thread.join()


@pytest.fixture
def s3_bucket(emulator: EmulatorProcess) -> tuple[BaseClient, str]:
    s3 = emulator.client("s3")
    name = f"form-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return s3, name


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def pick_and_submit(page: Page, app_pages: AppPages, name: str) -> Response:
    """Pick `name` in the app's form and submit it; S3's answer to the browser's POST."""
    page.goto(app_pages.url + "/upload")
    page.get_by_label("File").set_input_files({"name": name, "mimeType": "image/png", "buffer": PICTURE})
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Upload").click()
    return answer.value


def test_a_signed_html_form_uploads_the_picked_file_and_s3_sends_the_browser_on(
    page: Page, app_pages: AppPages, s3_bucket: tuple[BaseClient, str]
) -> None:
    s3, bucket = s3_bucket
    done = app_pages.url + "/done"
    app_pages.form = upload_form(
        s3.generate_presigned_post(
            bucket,
            "uploads/${filename}",
            Fields={"Content-Type": "image/png", "success_action_redirect": done, "x-amz-meta-source": "form"},
            Conditions=[
                {"Content-Type": "image/png"},
                {"success_action_redirect": done},
                {"x-amz-meta-source": "form"},
                ["content-length-range", 1, 10_000],
            ],
        )
    )

    answer = pick_and_submit(page, app_pages, "holiday photo.png")

    assert answer.status == 303
    page.get_by_role("status").wait_for()
    assert page.get_by_role("status").inner_text() == f"Uploaded uploads/holiday photo.png to {bucket}"
    assert page.url.startswith(done + "?bucket=")
    stored = s3.get_object(Bucket=bucket, Key="uploads/holiday photo.png")
    assert stored["Body"].read() == PICTURE
    assert (stored["ContentType"], stored["Metadata"]) == ("image/png", {"source": "form"})


def test_a_form_breaking_its_policy_shows_s3s_error_and_stores_nothing(
    page: Page, app_pages: AppPages, s3_bucket: tuple[BaseClient, str]
) -> None:
    s3, bucket = s3_bucket
    app_pages.form = upload_form(
        s3.generate_presigned_post(bucket, "uploads/${filename}", Conditions=[["content-length-range", 1, 100]])
    )

    answer = pick_and_submit(page, app_pages, "too-large.png")

    assert (answer.status, answer.header_value("content-type")) == (400, "application/xml")
    assert "<Code>EntityTooLarge</Code>" in answer.text()
    page.wait_for_load_state()
    assert "EntityTooLarge" in page.content()  # what the browser shows its user
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
