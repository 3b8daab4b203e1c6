"""The Console's Invocations, Functions and Secrets tabs in a real browser, against a running `sst-dev start`."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningApp

pytestmark = pytest.mark.browser


def open_invocations(page: Page) -> None:
    page.get_by_role("tab", name="Invocations").click()
    expect(page.get_by_role("status").filter(has_text="Live")).to_be_visible()


def test_a_route_invocation_appears_live_and_shows_its_event_response_and_logs(
    console: Page, sample_app: RunningApp
) -> None:
    open_invocations(console)
    name = f"ada-{uuid.uuid4().hex[:6]}"
    rows = console.locator("#invocation-rows tr", has_text="api: GET /hello/{name}")
    before = rows.count()

    with sample_app.client() as client:
        assert client.get(f"/hello/{name}").text == f"Hello, {name}!"

    expect(rows).to_have_count(before + 1)
    newest = rows.first
    expect(newest).to_contain_text("ok")
    expect(newest).to_contain_text(re.compile(r"cold|warm"))
    newest.get_by_role("button").click()
    expect(console.locator("#invocation-event")).to_contain_text(f'"rawPath": "/hello/{name}"')
    expect(console.locator("#invocation-outcome")).to_contain_text(f"Hello, {name}!")


def test_a_failing_route_shows_its_error_with_the_traceback_and_replays_with_one_click(
    console: Page, sample_app: RunningApp
) -> None:
    open_invocations(console)
    with sample_app.client() as client:
        assert client.get("/boom").status_code == 500
    failed = console.locator("#invocation-rows tr", has_text="api: GET /boom").first
    expect(failed).to_contain_text("error")
    failed.get_by_role("button").click()
    expect(console.get_by_role("heading", name="Error", exact=True)).to_be_visible()
    outcome = console.locator("#invocation-outcome")
    expect(outcome).to_contain_text("RuntimeError: boom: this handler fails on purpose")
    expect(outcome).to_contain_text('boom.py", line')

    replays = console.locator("#invocation-rows tr", has_text="console: replay of #")
    before = replays.count()
    console.get_by_role("button", name="Replay").click()
    expect(replays).to_have_count(before + 1)
    expect(console.locator("#invocation-title")).to_contain_text("replay of #")


def test_a_function_is_invoked_from_the_functions_tab_with_a_typed_json_event(console: Page) -> None:
    console.get_by_role("tab", name="Functions").click()
    greet = console.locator("tr", has=console.get_by_text("functions/hello.greet", exact=True))
    expect(greet).to_contain_text("Bucket.myFiles")
    expect(greet).to_contain_text("10 s")
    expect(greet).to_contain_text("1024 MB")
    greet.get_by_role("button", name=re.compile("^Invoke ")).click()

    console.get_by_label("Event (JSON)").fill(
        '{"pathParameters": {"name": "Grace"}, "queryStringParameters": {"shout": "1"}}'
    )
    console.get_by_role("button", name="Invoke", exact=True).click()

    expect(console.locator("#invoke-status")).to_contain_text("ok in")
    expect(console.get_by_label("Invocation result")).to_contain_text("HELLO, GRACE!")
    console.get_by_role("tab", name="Invocations").click()
    expect(console.locator("#invocation-rows tr", has_text="console: invoked from the Console").first).to_be_visible()


def test_a_cron_job_is_fired_from_the_console_with_its_scheduled_event(console: Page) -> None:
    console.get_by_role("tab", name="Functions").click()
    cleanup = console.locator("tr", has=console.get_by_text("functions/cleanup.main", exact=True))
    expect(cleanup).to_contain_text("cron: cleanup")
    cleanup.get_by_role("button", name=re.compile("^Invoke ")).click()

    expect(console.get_by_label("Event (JSON)")).to_have_value(re.compile('"detail-type": "Scheduled Event"'))
    console.get_by_role("button", name="Invoke", exact=True).click()

    expect(console.locator("#invoke-status")).to_contain_text("ok in")
    expect(console.get_by_label("Invocation result")).to_contain_text('"deleted": []')


def test_an_invalid_json_event_is_refused_with_a_reason(console: Page) -> None:
    console.get_by_role("tab", name="Functions").click()
    console.locator("tr", has=console.get_by_text("functions/hello.main", exact=True)).get_by_role("button").click()
    console.get_by_label("Event (JSON)").fill("{not json")
    console.get_by_role("button", name="Invoke", exact=True).click()
    expect(console.locator("#invoke-status")).to_contain_text("InvalidPayload")


def test_a_secret_set_in_the_console_is_masked_and_reaches_the_function(console: Page, sample_app: RunningApp) -> None:
    console.get_by_role("tab", name="Secrets & outputs").click()
    stripe = console.locator('tr[data-secret="STRIPE_KEY"]')
    expect(stripe).to_be_visible()

    console.get_by_label("Name", exact=True).fill("STRIPE_KEY")
    console.get_by_label("Value", exact=True).fill("sk_test_console_9876")
    console.get_by_role("button", name="Set secret").click()

    expect(console.locator("#secret-status")).to_contain_text("Set STRIPE_KEY")
    expect(stripe).to_contain_text("••••••76")
    expect(stripe).not_to_contain_text("sk_test")
    with sample_app.client() as client:
        assert client.get("/settings").json()["stripeKeyEnding"] == "9876"

    stripe.get_by_role("button", name="Remove STRIPE_KEY").click()
    console.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(stripe).to_contain_text("not set")


def test_stack_outputs_and_bound_resource_values_are_shown(console: Page, sample_app: RunningApp) -> None:
    console.get_by_role("tab", name="Secrets & outputs").click()
    expect(console.locator("#output-rows")).to_contain_text("ApiEndpoint")
    expect(console.locator("#output-rows")).to_contain_text(sample_app.url)
    expect(console.locator("#resource-rows")).to_contain_text("Parameter.MY_CLUSTER_NAME")
    expect(console.locator("#resource-rows")).to_contain_text("dev-cluster")
