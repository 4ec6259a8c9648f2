"""The dashboard in a real browser against the real services: `waymark gateway` serving the built web/ app, the
compiler, scheduler, timer and a worker, all as processes on one Postgres. Everything is observed through the UI
without reloading the page: live rows come from the `runsChanged` subscription, live run pages from `run(runId)`."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import CHROMIUM, Gateway, start_gateway

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no Chromium at {CHROMIUM}: `make browser` installs Debian's chromium (CI does so before the tests)",
)

START = """
mutation Start($workflowName: String!, $input: String!, $workflowId: String) {
  startRun(workflowName: $workflowName, input: $input, workflowId: $workflowId) { runId status }
}
"""


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def test_overview_lists_the_registered_workflows(page: Any) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    workflows = page.get_by_role("table", name="Workflows")
    expect(workflows.get_by_role("link", name="Echo", exact=True)).to_be_visible()
    expect(workflows.get_by_role("link", name="LongJob", exact=True)).to_be_visible()
    expect(page.get_by_role("meter", name="Pending timers")).to_be_visible()


def test_a_run_appears_live_and_its_detail_follows_it(page: Any, gateway: Gateway) -> None:
    page.goto("/#/runs")
    expect(page.get_by_role("status", name=re.compile("Live updates"))).to_have_text("Live")

    gateway.data(START, {"workflowName": "Echo", "input": '{"text": "seen live"}', "workflowId": "e2e-live"})

    link = page.get_by_role("table", name="Runs").get_by_role("link", name="e2e-live", exact=True)
    expect(link).to_be_visible()  # arrived through runsChanged: the page was not reloaded
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Echo")
    expect(page.get_by_label("Run status")).to_have_text("Completed")
    expect(page.get_by_label("Result", exact=True)).to_have_text("'seen live'")
    expect(page.get_by_label("Input", exact=True)).to_have_text("{'text': 'seen live'}")
    expect(page.get_by_role("table", name="Events")).to_contain_text("start")


def test_a_run_started_from_the_form_reaches_completed(page: Any) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Start a run").click()
    page.get_by_label("Workflow", exact=True).select_option("Echo")
    expect(page.get_by_role("list", name="Parameters")).to_contain_text("text")  # Workflow.parameters
    expect(page.get_by_label("Input (JSON)")).to_have_value('{\n  "text": null\n}')  # required ones prefilled
    page.get_by_label("Input (JSON)").fill('{"text": "from the form"}')
    page.get_by_label("Workflow id (optional)").fill("e2e-form")
    page.get_by_role("button", name="Start run").click()

    expect(page).to_have_url(re.compile(r"#/runs/[0-9a-f-]+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("e2e-form")
    expect(page.get_by_label("Run status")).to_have_text("Completed")  # via the run subscription, no reload
    expect(page.get_by_label("Result", exact=True)).to_have_text("'from the form'")


def test_cancelling_a_waiting_run(page: Any, gateway: Gateway) -> None:
    started = gateway.data(START, {"workflowName": "LongJob", "input": '{"label": "e2e"}', "workflowId": "e2e-cancel"})
    page.goto(f"/#/runs/{started['startRun']['runId']}")
    expect(page.get_by_label("Run status")).to_have_text("Waiting")  # asleep on a durable timer
    expect(page.get_by_role("table", name="Timers")).to_contain_text("sleep")

    page.get_by_role("button", name="Cancel run").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Cancel e2e-cancel?")
    dialog.get_by_role("button", name="Yes, cancel the run").click()

    expect(page.get_by_label("Run status")).to_have_text("Cancelled")
    expect(page.get_by_role("button", name="Cancel run")).to_have_count(0)


def test_a_bad_start_input_shows_the_gateway_error(page: Any, gateway: Gateway) -> None:
    bad = '{"wrong": 1}'
    document = gateway.graphql(START, {"workflowName": "Echo", "input": bad})
    message = document["errors"][0]["message"]  # what the dashboard must show, verbatim

    page.goto("/#/start?workflow=Echo")
    page.get_by_label("Input (JSON)").fill(bad)
    page.get_by_role("button", name="Start run").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The gateway refused to start the run")
    expect(alert).to_contain_text(message)
    expect(page).to_have_url(re.compile(r"#/start"))


def test_signalling_a_waiting_run(page: Any, gateway: Gateway) -> None:
    started = gateway.data(START, {"workflowName": "Approval", "input": '{"timeout": 600}', "workflowId": "e2e-signal"})
    page.goto(f"/#/runs/{started['startRun']['runId']}")
    expect(page.get_by_label("Run status")).to_have_text("Waiting")

    page.get_by_label("Signal name").fill("decision")
    page.get_by_label("Signal value (JSON)").fill('{"by": "ana"}')
    page.get_by_role("button", name="Send signal").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Yes, send it").click()

    expect(page.get_by_label("Run status")).to_have_text("Completed")
    expect(page.get_by_label("Result", exact=True)).to_have_text("'decided: ana'")
    expect(page.get_by_role("table", name="Events")).to_contain_text("signal")


def test_a_gateway_with_a_token_asks_for_it_once(browser: Any, gateway: Gateway) -> None:
    guarded = start_gateway(gateway.cluster, "gateway-token", {"WAYMARK_GATEWAY_TOKEN": "e2e-secret-token"})
    context = browser.new_context(base_url=guarded.url)
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        page.goto("/#/runs")
        dialog = page.get_by_role("dialog", name="Access token required")
        expect(dialog).to_be_visible()  # the gateway answered 401
        dialog.get_by_label("Token").fill("e2e-secret-token")
        dialog.get_by_role("button", name="Save token").click()

        expect(dialog).to_have_count(0)
        expect(page.get_by_role("status", name=re.compile("Live updates"))).to_have_text("Live")  # ws accepted it
        gateway.data(START, {"workflowName": "Echo", "input": '{"text": "t"}', "workflowId": "e2e-token"})
        expect(page.get_by_role("link", name="e2e-token", exact=True)).to_be_visible()
        assert page.evaluate("localStorage.getItem('waymark.token')") == "e2e-secret-token"
    finally:
        context.close()
        guarded.proc.stop()
