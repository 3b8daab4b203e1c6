"""Fixtures for the Console's browser tests: one real `sst-dev start` of the sample app per session, one chromium per
module.

Outside CI a missing chromium skips these tests with the command that installs it; in CI (`CI=true`) it fails them,
so CI can never pass without having driven a real browser.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.apps import copy_sample_app
from tests.browser.chromium import in_ci, launch, missing_reason
from tests.servers import started

TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)  # a cold worker on a busy 2-core CI box can take seconds


@dataclass
class RunningApp:
    """A running `sst-dev start` of a copy of the sample app."""

    url: str
    app_dir: Path
    output: list[str] = field(default_factory=list)

    @property
    def console_url(self) -> str:
        return self.url + "/_sst/"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)


# Module scope, not session: Playwright's sync API keeps an event loop running on this thread while it is started,
# and any later test in the run that calls `asyncio.run` would fail. Chromium launches in about a second.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    reason = missing_reason()
    if reason is not None:
        if in_ci():
            pytest.fail(f"CI must run the browser tests: {reason}", pytrace=False)
        pytest.skip(f"SKIPPING THE CONSOLE'S BROWSER TESTS: {reason}")
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def sample_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    app_dir = copy_sample_app(tmp_path_factory.mktemp("console") / "sample_app")
    with started(app_dir) as (process, url):
        running = RunningApp(url, app_dir)
        # Keep reading the server's output: a full pipe would block its terminal writes, and with them the server.
        assert process.stdout is not None
        drain = threading.Thread(target=lambda: running.output.extend(process.stdout or ()), daemon=True)
        drain.start()
        with running.client() as client:  # the Console waits for the emulator; so does this
            assert client.get("/_sst/api/buckets").status_code == 200
        yield running


@pytest.fixture
def context(browser: Browser, sample_app: RunningApp) -> Iterator[BrowserContext]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def console(context: BrowserContext, sample_app: RunningApp) -> Iterator[Page]:
    """The Console's page, loaded; an uncaught script error fails the test."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(sample_app.console_url)
    page.get_by_text("sample-app · stage test").wait_for()
    yield page
    assert not errors, f"the Console's script failed: {errors}"
