"""Auth in a real browser: the sample app's /account page (sign up, upload to your folder, someone else's refused)
and the Console's Users view (create and delete a user)."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import RunningApp

pytestmark = pytest.mark.browser


def test_a_new_user_uploads_to_their_own_folder_and_is_refused_elsewhere(
    context: BrowserContext, sample_app: RunningApp
) -> None:
    username = f"user-{uuid.uuid4().hex[:8]}"
    page = context.new_page()
    page.goto(sample_app.url + "/account")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("password1")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text(f"Signed in as {username}; your folder is private/us-east-1:")).to_be_visible()

    page.get_by_label("File").set_input_files({"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"})
    page.get_by_role("button", name="Upload to my folder").click()
    expect(page.get_by_role("status")).to_contain_text("Uploaded private/us-east-1:")
    expect(page.get_by_text("notes.txt (5 bytes)")).to_be_visible()

    page.get_by_role("button", name="Try someone else's folder").click()
    expect(page.get_by_role("status")).to_contain_text("Refused (403 AccessDenied)")


def test_a_wrong_password_is_refused_on_the_account_page(context: BrowserContext, sample_app: RunningApp) -> None:
    page = context.new_page()
    page.goto(sample_app.url + "/account")
    page.get_by_label("Username").fill("nobody-" + uuid.uuid4().hex[:8])
    page.get_by_label("Password").fill("password1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status")).to_have_text("Sign-in failed: Incorrect username or password.")


def test_the_console_creates_and_deletes_users(console: Page) -> None:
    username = f"console-{uuid.uuid4().hex[:8]}"
    console.get_by_role("tab", name="Users").click()
    console.get_by_label("Username").fill(username)
    console.get_by_label("Password").fill("password1")
    console.get_by_role("button", name="Create user").click()
    expect(console.get_by_role("status")).to_have_text(f"Created {username}")
    row = console.locator(f'tr[data-user="{username}"]')
    expect(row).to_contain_text("us-east-1:")

    row.get_by_role("button", name=f"Delete {username}").click()
    console.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(console.get_by_role("status")).to_have_text(f"Deleted {username}")
    expect(row).to_have_count(0)
