"""Write `docs/console.png`: the Console of a running sample app with some data, as the README shows it.

Run from the repository root: `.venv/bin/python -m tests.browser.screenshot [OUTPUT]` (needs /usr/bin/chromium).
It starts `sst-dev start` on a temporary copy of the sample app, uploads a few files through the Console's API
(their notifications make thumbnails), calls some routes, then opens the Console in headless chromium.
"""

from __future__ import annotations

import io
import sys
import tempfile
import threading
from pathlib import Path

import httpx
from PIL import Image, ImageDraw
from playwright.sync_api import sync_playwright

from tests.apps import REPO, copy_sample_app
from tests.browser.chromium import launch, missing_reason
from tests.servers import started

OUTPUT = REPO / "docs" / "console.png"


def picture(color: str, label: str) -> bytes:
    image = Image.new("RGB", (480, 320), color)
    ImageDraw.Draw(image).text((24, 24), label, fill="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed(url: str) -> None:
    """Files in a few folders (PNGs under uploads/ fire the thumbnail notification) and some route invocations."""
    files = {
        "uploads/sunset.png": (picture("#e27152", "sunset.png"), "image/png"),
        "uploads/harbour.png": (picture("#2d6a8f", "harbour.png"), "image/png"),
        "uploads/notes.txt": (b"Ideas for the launch:\n- thumbnails\n- offline console\n", "text/plain"),
        "reports/2024/q1.csv": (b"month,visits\njan,120\nfeb,180\nmar,240\n", "text/csv"),
    }
    with httpx.Client(base_url=url, timeout=30) as client:
        for key, (body, content_type) in files.items():
            answer = client.put(
                "/_sst/api/buckets/myFiles/object",
                params={"key": key},
                content=body,
                headers={"content-type": content_type},
            )
            answer.raise_for_status()
        for path in ("/", "/hello/Ada", "/files", "/boom"):
            client.get(path)


def main(output: Path = OUTPUT) -> None:
    reason = missing_reason()
    if reason:
        sys.exit(reason)
    with tempfile.TemporaryDirectory() as scratch, started(copy_sample_app(Path(scratch) / "sample_app")) as run:
        process, url = run
        threading.Thread(target=lambda: [None for _ in process.stdout or ()], daemon=True).start()
        seed(url)
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page(viewport={"width": 1280, "height": 760}, device_scale_factor=1)
            page.goto(url + "/_sst/")
            page.get_by_role("button", name="uploads/", exact=True).click()
            row = page.locator('tr[data-key="uploads/sunset.png"]')
            row.get_by_role("button", name="sunset.png", exact=True).click()
            page.get_by_role("img", name="Preview of sunset.png").evaluate("img => img.decode()")
            page.evaluate("document.fonts.ready")
            output.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(output), full_page=True)
            browser.close()
    print(f"wrote {output}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT)
