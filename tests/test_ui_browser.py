"""The dashboard as a person uses it: Debian's Chromium (Playwright's Python client, sync API,
one browser for the module) against one real `flowdeck serve --demo` per database backend.

Expected values come from the contract (UI.md, LIFECYCLE.md, SERVER.md, FILTER.md), written
out here. Every wait is on something the page shows; no sleeps. Each test opens its own
browser context (a fresh sessionStorage, like a new tab) and fails on any console error.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import csv
import datetime as dt
import io
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import graphql
import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, WebSocketRoute, expect, sync_playwright

from app.db import close_db, init_db
from app.settings import Settings
from tests.conftest import BACKENDS
from tests.servers import FlowdeckServer, PostgresServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RUN_STATUSES = [
    "PENDING", "BLOCKED", "RUNNING", "PAUSED", "CANCELING", "COMPLETED", "FAILED", "TIMED_OUT", "CANCELED",
    "TERMINATED", "ABANDONED",
]  # fmt: skip
# RunAction / StepAction -> the button the dashboard shows for it
RUN_BUTTONS = {
    "CANCEL": "Cancel", "TERMINATE": "Terminate", "PAUSE": "Pause", "RESUME": "Resume", "RETRY": "Retry",
    "RESTART": "Restart", "UNBLOCK": "Unblock", "ABANDON": "Abandon", "SIGNAL": "Signal",
}  # fmt: skip
STEP_BUTTONS = {
    "APPROVE": "Approve", "REJECT": "Reject", "SKIP": "Skip", "FORCE_COMPLETE": "Force complete",
    "RETRY": "Retry step", "REPLAY_SUBTREE": "Replay subtree",
}  # fmt: skip
APPROVAL_WORKFLOW = "ui-approval"
T = TypeVar("T")
TIMEOUT = 15_000

pytestmark = pytest.mark.timeout(300)

START_RUN = """
mutation($input: StartRunInput!) { startRun(input: $input) { run { id } errors { code message } } }
"""
TRIGGER = """
mutation($input: TriggerWorkflowInput!) { triggerWorkflow(input: $input) { runs { id } errors { message } } }
"""
APPROVE = """
mutation($input: StepActionInput!) { approveStep(input: $input) { errors { message } } }
"""
RUN_STATE = """
query($id: ID!) { run(id: $id) { status availableActions steps { ref status availableActions }
  events(first: 100) { edges { node { seq type } } } } }
"""
RUNS = """
query($filter: String) { runs(filter: $filter, first: 100) { totalCount edges { node { id status } } } }
"""


@dataclass
class Demo:
    """The server, its keys by role, and API calls made beside the browser."""

    server: FlowdeckServer
    database_url: str
    keys: dict[str, str] = field(default_factory=dict)

    def api(self, query: str, variables: dict[str, Any] | None = None, role: str = "SUPERADMIN") -> dict[str, Any]:
        response = httpx.post(
            self.server.graphql_url,
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.keys[role]}"},
            timeout=15,
        )
        body = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def start_approval_run(self, **fields: Any) -> str:
        payload = self.api(START_RUN, {"input": {"workflowKey": APPROVAL_WORKFLOW, "project": "demo", **fields}})
        assert payload["startRun"]["errors"] == []
        run_id: str = payload["startRun"]["run"]["id"]
        return run_id

    def run(self, run_id: str, role: str = "SUPERADMIN") -> dict[str, Any]:
        run: dict[str, Any] = self.api(RUN_STATE, {"id": run_id}, role)["run"]
        return run

    def runs(self, filter_text: str) -> list[dict[str, Any]]:
        return [edge["node"] for edge in self.api(RUNS, {"filter": filter_text})["runs"]["edges"]]

    def in_database(self, work: Callable[[], Awaitable[T]]) -> T:
        """Runs `work` with the app's models on the server's database (rows made directly, fast)."""

        async def main() -> T:
            await init_db(Settings(database_url=self.database_url))
            try:
                return await work()
            finally:
                await close_db()

        # Playwright's sync API runs an event loop in this thread: the work gets a thread of its own
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, main()).result()

    def wait_for(self, check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
        """Polls the API (not the page) until `check()` is truthy."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")


def _database(backend: str, tmp: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite://{tmp / 'ui.db'}"
    postgres: PostgresServer = request.getfixturevalue("postgres_server")
    return postgres.create_database("flowdeck_ui")


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`flowdeck serve --demo` on its own database, with a key per role and an approval workflow."""
    url = _database(request.param, tmp_path_factory.mktemp("ui"), request)
    key = secrets.token_urlsafe(24)
    env = {"FLOWDECK_DATABASE_URL": url, "FLOWDECK_BOOTSTRAP_KEY": key, "FLOWDECK_ENGINE_POLL": "0.05"}
    server = FlowdeckServer(env, demo=True).start()
    try:
        assert f"http://127.0.0.1:{server.port}/#key={key}" in server.output()
        found = Demo(server, url, {"SUPERADMIN": key})
        for role in ("VIEWER", "OPERATOR", "ADMIN"):
            created = found.api(
                "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret errors { message } } }",
                {"input": {"name": f"ui-{role.lower()}", "role": role, "project": "demo"}},
            )
            found.keys[role] = created["createApiKey"]["secret"]
        steps = [
            {"ref": "prepare", "type": "TASK", "handler": "noop"},
            {"ref": "approve", "type": "APPROVAL", "dependsOn": ["prepare"], "name": "Manager approval"},
            {"ref": "finish", "type": "TASK", "handler": "noop", "dependsOn": ["approve"]},
        ]
        made = found.api(
            "mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { errors { message } } }",
            {"input": {"project": "demo", "key": APPROVAL_WORKFLOW, "name": "UI approval", "steps": steps}},
        )
        assert made["createWorkflow"]["errors"] == []
        # the demo comes to rest in every status (CANCELING once its engine has started a run)
        stats = "{ runStats { byStatus { status count } } }"
        found.wait_for(
            lambda: all(item["count"] > 0 for item in found.api(stats)["runStats"]["byStatus"]),
            "the demo's runs in every status",
        )
        yield found
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"Debian's Chromium is not installed ({CHROMIUM} is missing): apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Tab:
    context: BrowserContext
    errors: list[str]

    def new_page(self) -> Page:
        page = self.context.new_page()
        page.on("console", lambda message: self._console(message))
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    """A fresh browser context (a new tab's empty sessionStorage); no console error allowed."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT)
    found = Tab(context, [])
    try:
        yield found
    finally:
        context.close()
    assert found.errors == [], f"console errors: {found.errors}"


def signed_in(tab: Tab, demo: Demo, path: str = "/", role: str = "SUPERADMIN") -> Page:
    page = tab.new_page()
    page.goto(f"{demo.server.url}{path}#key={demo.keys[role]}")
    return page


def rows(page: Page) -> Any:
    return page.locator("table.runs tbody tr")


def row_statuses(page: Page) -> list[str]:
    return [status or "" for status in rows(page).evaluate_all("rows => rows.map(row => row.dataset.status)")]


def expect_only_statuses(page: Page, *statuses: str) -> None:
    """Waits for the list in which every row has one of `statuses`: the previous list stays on
    the page until the new one arrives, so its first row alone can match too early."""
    others = "".join(f":not([data-status={status}])" for status in statuses)
    expect(page.locator(f"table.runs tbody tr{others}")).to_have_count(0)
    expect(rows(page).first).to_have_attribute("data-status", re.compile(f"^({'|'.join(statuses)})$"))
    assert set(row_statuses(page)) <= set(statuses)


def apply_filter(page: Page, text: str) -> None:
    page.locator("input.filter-input").fill(text)
    page.locator(".filter-row button[type=submit]").click()


# ---------------------------------------------------------------- signing in


def test_key_in_the_fragment_signs_in_leaves_the_address_bar_and_shows_every_status(tab: Tab, demo: Demo) -> None:
    page = signed_in(tab, demo)
    expect(rows(page).first).to_be_visible()
    assert "#" not in page.url and demo.keys["SUPERADMIN"] not in page.url
    assert page.evaluate("sessionStorage.getItem('flowdeck.key')") == demo.keys["SUPERADMIN"]
    for status in RUN_STATUSES:
        expect(page.locator(f".counts .count[data-status={status}]")).to_be_visible()
    # the cookie jar stays empty: the key is never a cookie
    assert tab.context.cookies() == []
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("form input[name=key]")).to_be_focused()
    assert page.evaluate("sessionStorage.getItem('flowdeck.key')") is None


def test_sign_in_form_refuses_a_bad_key_with_the_servers_message_then_opens_the_asked_page(
    tab: Tab, demo: Demo
) -> None:
    page = tab.new_page()
    page.goto(f"{demo.server.url}/workflows")
    page.locator("input[name=key]").fill("not-a-key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile("key", re.IGNORECASE))
    expect(page.locator("input[name=key]")).to_be_visible()
    page.locator("input[name=key]").fill(demo.keys["VIEWER"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Workflows")
    assert page.url == f"{demo.server.url}/workflows"
    expect(page.locator(".who")).to_contain_text("VIEWER")


def test_a_bad_key_in_the_fragment_brings_the_form_back_with_the_servers_message(tab: Tab, demo: Demo) -> None:
    page = tab.new_page()
    page.goto(f"{demo.server.url}/jobs#key=not-a-key")
    expect(page.locator("input[name=key]")).to_be_focused()  # ready to type a key
    expect(page.get_by_role("alert")).to_contain_text(re.compile("key", re.IGNORECASE))
    assert page.url == f"{demo.server.url}/jobs"  # the fragment left the address bar
    assert page.evaluate("sessionStorage.getItem('flowdeck.key')") is None
    page.locator("input[name=key]").fill(demo.keys["OPERATOR"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Jobs")


def test_a_revoked_key_brings_the_form_back_with_the_servers_message(tab: Tab, demo: Demo) -> None:
    created = demo.api(
        "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }",
        {"input": {"name": "ui-revoked", "role": "OPERATOR", "project": "demo"}},
    )["createApiKey"]
    page = tab.new_page()
    page.goto(f"{demo.server.url}/#key={created['secret']}")
    expect(page.locator(".live")).to_have_attribute("data-state", "live")
    demo.api("mutation($id: ID!) { revokeApiKey(id: $id) { errors { message } } }", {"id": created["apiKey"]["id"]})
    # the server closes the key's sockets (4403); the form comes back without any click
    expect(page.locator("input[name=key]")).to_be_focused()
    expect(page.get_by_role("alert")).not_to_be_empty()
    assert page.evaluate("sessionStorage.getItem('flowdeck.key')") is None


def test_times_are_relative_with_the_absolute_time_on_hover_local_or_utc(tab: Tab, demo: Demo) -> None:
    page = signed_in(tab, demo)
    created = rows(page).first.locator("td[data-col=created] time")
    expect(created).to_have_text(re.compile(r"(ago|just now)$"))
    if page.get_by_role("button", name="Local").count():
        page.get_by_role("button", name="Local").click()
    expect(page.get_by_role("button", name="UTC")).to_be_visible()
    expect(created).to_have_attribute("title", re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$"))
    page.get_by_role("button", name="UTC").click()
    expect(created).not_to_have_attribute("title", re.compile("UTC"))


# ---------------------------------------------------------------- the runs list


def test_paging_page_size_and_ordering_by_header(tab: Tab, demo: Demo) -> None:
    subjects = [{"type": "user", "id": f"page-{index:02d}"} for index in range(30)]
    demo.api(TRIGGER, {"input": {"workflowKey": APPROVAL_WORKFLOW, "project": "demo", "subjects": subjects,
                                 "tags": [{"key": "batch", "value": "paging"}]}})  # fmt: skip
    page = signed_in(tab, demo, '/?filter=tags.batch+eq+"paging"&size=25')
    expect(rows(page)).to_have_count(25)
    expect(page.locator(".pager")).to_contain_text("30 runs")
    page.get_by_role("button", name="Older →").click()
    expect(rows(page)).to_have_count(5)
    assert "after=" in page.url
    page.get_by_role("button", name="← Newer").click()
    expect(rows(page)).to_have_count(25)
    page.locator("select", has=page.locator("option[value='50']")).first.select_option("50")
    expect(rows(page)).to_have_count(30)
    # 50 is the default page size, left out of the URL; paging starts again from the first page
    assert "size=" not in page.url and "after=" not in page.url and "before=" not in page.url
    # Created, descending by default: a click makes it ascending, the oldest first
    page.locator("th button.sort", has_text="Created").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Created")
    assert "order=CREATED_AT.ASC" in page.url
    first_subject = rows(page).first.locator("td[data-col=subject]")
    expect(first_subject).to_have_text("page-00")
    page.locator("th button.sort", has_text="Created").click()
    expect(first_subject).to_have_text("page-29")


def _selected_fields(document: str) -> set[str]:
    """Every field name a GraphQL document selects, its fragments' included."""
    names: set[str] = set()

    class Fields(graphql.Visitor):
        def enter_field(self, node: graphql.FieldNode, *_: Any) -> None:
            names.add(node.name.value)

    graphql.visit(graphql.parse(document), Fields())
    return names


def test_the_runs_list_asks_only_for_row_fields(tab: Tab, demo: Demo) -> None:
    page = tab.new_page()
    documents: list[str] = []

    def note(request: Any) -> None:
        body = json.loads(request.post_data or "null") if request.method == "POST" else None
        if isinstance(body, dict) and "runs(" in body.get("query", ""):
            documents.append(body["query"])

    page.on("request", note)
    page.goto(f"{demo.server.url}/#key={demo.keys['SUPERADMIN']}")
    expect(rows(page).first).to_be_visible()
    assert documents, "the runs page sent no runs query"
    # UI.md: steps, input and output load on demand (the run page), never with the list
    for document in documents:
        assert "runs" in _selected_fields(document)
        assert _selected_fields(document) & {"steps", "input", "output", "events", "updates"} == set(), document


def test_filter_bar_match_bad_filter_at_its_position_search_and_state_in_the_url(tab: Tab, demo: Demo) -> None:
    page = signed_in(tab, demo)
    expect(rows(page).first).to_be_visible()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.classList.contains('filter-input')")
    apply_filter(page, 'status eq "COMPLETED"')
    expect(page).to_have_url(re.compile(r"filter=status\+eq\+%22COMPLETED%22"))
    expect_only_statuses(page, "COMPLETED")
    # FILTER.md: an unknown field is reported at the field's position
    apply_filter(page, 'status eq "FAILED" and stauts eq "X"')
    bad = page.locator(".bad-filter")
    expect(bad).to_contain_text("unknown field 'stauts' at 23")
    expect(bad).to_have_attribute("data-position", "23")
    expect(bad.locator(".caret")).to_contain_text(" " * 23 + "^")
    # the input gets the focus and the caret in an effect after the paint that shows the error
    expect(page.locator("input.filter-input")).to_be_focused()
    assert page.evaluate("document.activeElement.selectionStart") == 23
    # the state survives a reload: it is all in the URL
    apply_filter(page, 'workflow_key eq "agent-conversation"')
    page.locator("input.search-input").fill("Customer 42")
    page.locator(".filter-row button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"q=Customer\+42"))
    expect(rows(page)).to_have_count(1)
    page.reload()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first.locator("td[data-col=subject]")).to_have_text("Customer 42")
    expect(page.locator("input.filter-input")).to_have_value('workflow_key eq "agent-conversation"')


def test_filter_builder_writes_filter_text_with_absolute_times(tab: Tab, demo: Demo) -> None:
    page = signed_in(tab, demo, '/?filter=tenant+ne+"nobody"')
    expect(rows(page).first).to_be_visible()
    page.get_by_role("button", name="Builder").click()
    builder = page.locator(".builder")
    builder.locator("label.chip", has_text="FAILED").locator("input").check()
    builder.locator("label.chip", has_text="TIMED_OUT").locator("input").check()
    builder.locator("select").first.select_option("billing-sync")
    builder.locator("select").nth(1).select_option("24h")
    before = time.time()
    builder.get_by_role("button", name="Add to filter").click()
    # added to what was there (never replacing), the preset turned into an absolute UTC time
    text = page.locator("input.filter-input")
    expect(text).to_have_value(
        re.compile(
            r'^tenant ne "nobody" and \(status eq "FAILED" or status eq "TIMED_OUT"\) and '
            r'workflow_key eq "billing-sync" and created_at ge "(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"$'
        )
    )
    match = re.search(r'created_at ge "([^"]+)"', text.input_value())
    assert match is not None
    since = dt.datetime.fromisoformat(match.group(1).replace("Z", "+00:00")).timestamp()
    assert abs((before - 86400) - since) < 60
    expect_only_statuses(page, "FAILED", "TIMED_OUT")


def test_status_counts_are_quick_filters_and_a_cell_value_adds_to_the_filter(tab: Tab, demo: Demo) -> None:
    page = signed_in(tab, demo)
    failed = page.locator(".counts .count[data-status=FAILED]")
    expect(failed).to_be_visible()
    count = int(failed.locator("b").inner_text())
    failed.click()
    expect(page.locator("input.filter-input")).to_have_value('status eq "FAILED"')
    expect_only_statuses(page, "FAILED")
    expect(rows(page)).to_have_count(count)
    rows(page).first.locator("td[data-col=workflow] .cell-value").click()
    workflow_filter = page.locator("input.filter-input")
    expect(workflow_filter).to_have_value(re.compile(r'^status eq "FAILED" and workflow_key eq "[a-z-]+"$'))


def test_column_chooser_adds_a_tag_column(tab: Tab, demo: Demo) -> None:
    page = signed_in(tab, demo, "/?filter=tags.region+pr")
    expect(rows(page).first).to_be_visible()
    page.locator("details.columns summary").click()
    page.locator("input[aria-label='Tag column']").fill("region")
    page.get_by_role("button", name="Add tags.KEY").click()
    expect(page.locator("th", has_text="tags.region")).to_be_visible()
    assert "tags.region" in page.url
    values = page.locator("td[data-col='tags.region']").all_inner_texts()
    assert values and all(value in {"us", "eu"} for value in values), values


# ---------------------------------------------------------------- live


def test_a_new_run_appears_without_reload_and_its_status_changes_in_place(tab: Tab, demo: Demo) -> None:
    page = signed_in(tab, demo, f'/?filter=workflow_key+eq+"{APPROVAL_WORKFLOW}"')
    expect(page.locator(".live")).to_have_attribute("data-state", "live")
    before = len(demo.runs(f'workflow_key eq "{APPROVAL_WORKFLOW}"'))
    assert before < 50  # all on the first page
    expect(rows(page)).to_have_count(before)
    run_id = demo.start_approval_run(subject={"type": "user", "id": "live-1"})
    new_row = page.locator(f"tr[data-run-id='{run_id}']")
    expect(new_row).to_be_visible()
    expect(rows(page)).to_have_count(before + 1)
    assert rows(page).first.get_attribute("data-run-id") == run_id  # on top: first page, nothing selected
    demo.wait_for(lambda: demo.run(run_id)["status"] == "RUNNING", "the run to start")
    expect(new_row).to_have_attribute("data-status", "RUNNING")
    demo.wait_for(
        lambda: any(step["ref"] == "approve" and step["status"] == "WAITING" for step in demo.run(run_id)["steps"]),
        "the approval step to wait",
    )
    demo.api(APPROVE, {"input": {"runId": run_id, "stepRef": "approve"}})
    expect(new_row).to_have_attribute("data-status", "COMPLETED")
    assert rows(page).first.get_attribute("data-run-id") == run_id  # in place, no reload


def test_new_runs_wait_behind_the_pill_while_a_row_is_selected(tab: Tab, demo: Demo) -> None:
    demo.start_approval_run()  # a row to select
    page = signed_in(tab, demo, f'/?filter=workflow_key+eq+"{APPROVAL_WORKFLOW}"')
    expect(page.locator(".live")).to_have_attribute("data-state", "live")
    rows(page).first.locator("input[type=checkbox]").check()
    first = rows(page).first.get_attribute("data-run-id")
    count = rows(page).count()
    run_id = demo.start_approval_run()
    pill = page.locator("button.pill")
    expect(pill).to_have_text("+1 new")
    assert rows(page).count() == count and rows(page).first.get_attribute("data-run-id") == first
    pill.click()
    expect(rows(page).first).to_have_attribute("data-run-id", run_id)
    expect(pill).to_have_count(0)


def test_status_counts_are_refreshed_at_most_every_ten_seconds_whatever_the_changes(tab: Tab, demo: Demo) -> None:
    page = tab.new_page()
    stats_requests: list[str] = []
    page.on(
        "request",
        lambda request: stats_requests.append(request.url) if "query RunStats" in (request.post_data or "") else None,
    )
    # the page's clock runs as the real one does, until the test moves it on
    page.clock.install()
    page.goto(f'{demo.server.url}/?filter=workflow_key+eq+"{APPROVAL_WORKFLOW}"#key={demo.keys["SUPERADMIN"]}')
    expect(page.locator(".live")).to_have_attribute("data-state", "live")
    running = page.locator(".counts .count[data-status=RUNNING] b")
    shown = running.inner_text()
    assert len(stats_requests) == 1
    # two runs start and change status: the list follows at once, the counts wait for their 10 s
    started = [demo.start_approval_run() for _ in range(2)]
    for run_id in started:
        expect(page.locator(f"tr[data-run-id='{run_id}']")).to_have_attribute("data-status", "RUNNING")
    assert len(stats_requests) == 1 and running.inner_text() == shown
    with page.expect_request(lambda request: "query RunStats" in (request.post_data or "")):
        page.clock.fast_forward(10_000)
    assert len(stats_requests) == 2
    count = "{ runStats { byStatus { status count } } }"

    def counts_agree() -> bool:
        by_status = {item["status"]: item["count"] for item in demo.api(count)["runStats"]["byStatus"]}
        return running.inner_text() == str(by_status["RUNNING"])

    demo.wait_for(counts_agree, "the RUNNING count to show the new runs")


def test_live_indicator_pauses_while_the_tab_is_hidden_and_by_the_button(tab: Tab, demo: Demo) -> None:
    page = signed_in(tab, demo, f'/?filter=workflow_key+eq+"{APPROVAL_WORKFLOW}"')
    live = page.locator(".live")
    expect(live).to_have_attribute("data-state", "live")
    expect(live).to_contain_text("updated")
    set_hidden = """hidden => {
        const state = () => (hidden ? 'hidden' : 'visible');
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: state });
        document.dispatchEvent(new Event('visibilitychange'));
    }"""
    page.evaluate(set_hidden, True)
    expect(live).to_have_attribute("data-state", "paused")
    expect(live).to_contain_text("tab hidden")
    hidden_run = demo.start_approval_run()
    demo.wait_for(lambda: demo.run(hidden_run)["status"] == "RUNNING", "the run to start")
    assert page.locator(f"tr[data-run-id='{hidden_run}']").count() == 0  # nothing arrives while paused
    page.evaluate(set_hidden, False)
    expect(live).to_have_attribute("data-state", "live")
    expect(page.locator(f"tr[data-run-id='{hidden_run}']")).to_be_visible()  # caught up on return
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(live).to_have_attribute("data-state", "paused")
    expect(live).to_contain_text("Paused")
    page.get_by_role("button", name="Resume", exact=True).click()
    expect(live).to_have_attribute("data-state", "live")


# ---------------------------------------------------------------- bulk and export


def preview_bulk_action(page: Page, matching: int, action: str, reason: str | None = None) -> None:
    """From the runs list: select every run matching the filter ("Select all N matching"), pick
    `action` in the bulk bar, give `reason` when set, and ask for the dry run."""
    rows(page).first.locator("input[type=checkbox]").check()
    page.get_by_role("button", name=f"Select all {matching} matching").click()
    page.locator("select[aria-label='Bulk action']").select_option(action)
    if reason is not None:
        page.locator(".bulk input[aria-label=Reason]").fill(reason)
    page.get_by_role("button", name="Preview").click()


def test_bulk_cancel_by_filter_shows_the_dry_run_count_and_needs_confirmation(tab: Tab, demo: Demo) -> None:
    subjects = [{"type": "user", "id": f"bulk-{index}"} for index in range(3)]
    demo.api(TRIGGER, {"input": {"workflowKey": APPROVAL_WORKFLOW, "project": "demo", "subjects": subjects,
                                 "tags": [{"key": "batch", "value": "bulk"}]}})  # fmt: skip
    page = signed_in(tab, demo, '/?filter=tags.batch+eq+"bulk"')
    expect(rows(page)).to_have_count(3)
    rows(page).first.locator("input[type=checkbox]").check()
    page.get_by_role("button", name="Select all 3 matching").click()
    expect(page.locator(".bulk")).to_contain_text("All 3 runs matching the filter")
    page.locator("select[aria-label='Bulk action']").select_option("CANCEL")
    page.locator(".bulk input[aria-label=Reason]").fill("cleanup")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".dry-count")).to_have_text("3")
    # a dry run changes nothing
    assert all(run["status"] not in {"CANCELING", "CANCELED"} for run in demo.runs('tags.batch eq "bulk"'))
    page.get_by_role("button", name="Confirm cancel").click()
    expect(page.locator(".bulk-result")).to_contain_text("3 succeeded")
    expect(page.locator(".bulk-result")).to_contain_text("0 failed")
    assert all(run["status"] in {"CANCELING", "CANCELED"} for run in demo.runs('tags.batch eq "bulk"'))
    # again: cancelRun starts only from PENDING, BLOCKED, RUNNING or PAUSED, so every run fails, listed
    page.locator(".bulk-result").get_by_role("button", name="Done").click()
    preview_bulk_action(page, 3, "CANCEL")
    expect(page.locator(".dry-count")).to_have_text("3")
    page.get_by_role("button", name="Confirm cancel").click()
    expect(page.locator(".bulk-result")).to_contain_text("0 succeeded")
    expect(page.locator(".bulk-result")).to_contain_text("3 failed")
    expect(page.locator(".bulk-result li")).to_have_count(3)


def test_export_of_the_current_filter_with_progress_and_download(tab: Tab, demo: Demo) -> None:
    page = signed_in(tab, demo, '/?filter=status+eq+"FAILED"')
    expect(rows(page).first).to_be_visible()
    expected = {run["id"] for run in demo.runs('status eq "FAILED"')}
    page.get_by_role("button", name="Export").click()
    job = page.locator(".export-job")
    expect(job).to_have_attribute("data-status", "COMPLETED")
    expect(job.locator("progress")).to_have_attribute("value", "1")
    expect(job).to_contain_text(f"{len(expected)} rows")
    with page.expect_download() as info:
        job.get_by_role("button", name="Download").click()
    download = info.value
    assert download.suggested_filename == "runs.csv"
    path = download.path()
    assert path is not None
    exported = list(csv.DictReader(io.StringIO(Path(path).read_text())))
    assert {row["id"] for row in exported} == expected
    # the other format: JSON lines, one run a line
    page.locator("select[aria-label='Export format']").select_option("JSONL")
    page.get_by_role("button", name="Export").click()
    # the page remembers the second export as it shows it in place of the first
    page.wait_for_function("JSON.parse(localStorage.getItem('flowdeck.exports') || '[]').length === 2")
    expect(job).to_have_attribute("data-status", "COMPLETED")
    with page.expect_download() as info:
        job.get_by_role("button", name="Download").click()
    assert info.value.suggested_filename == "runs.jsonl"
    lines_path = info.value.path()
    assert lines_path is not None
    lines = Path(lines_path).read_text().splitlines()
    assert {json.loads(line)["id"] for line in lines} == expected
    # the jobs page lists the exports started in this browser, with their download
    page.locator("nav a", has_text="Jobs").click()
    listed = page.locator("table.exports tr[data-export]").first
    expect(listed).to_have_attribute("data-status", "COMPLETED")
    expect(listed.get_by_role("button", name="Download")).to_be_visible()


def test_views_built_in_saved_default_and_shared_by_link(tab: Tab, demo: Demo) -> None:
    page = signed_in(tab, demo)
    expect(rows(page).first).to_be_visible()
    page.locator(".views button", has_text="Blocked").click()
    expect(page.locator("input.filter-input")).to_have_value('status eq "BLOCKED"')
    expect_only_statuses(page, "BLOCKED")
    apply_filter(page, 'status eq "PAUSED"')
    expect_only_statuses(page, "PAUSED")
    page.once("dialog", lambda dialog: dialog.accept("Paused ones"))
    page.get_by_role("button", name="Save view").click()
    saved = page.locator(".view.saved[data-view='Paused ones']")
    expect(saved).to_be_visible()
    assert json.loads(page.evaluate("localStorage.getItem('flowdeck.views')"))[0]["name"] == "Paused ones"
    link = saved.locator("a.view-link").get_attribute("href")
    assert link is not None and "PAUSED" in link
    saved.get_by_title("Open this view by default").click()
    # the link in a new tab: that tab has no key yet; the open tab hands it over (BroadcastChannel)
    other = tab.new_page()
    other.goto(f"{demo.server.url}{link}")
    expect(other.locator("input.filter-input")).to_have_value('status eq "PAUSED"')
    expect_only_statuses(other, "PAUSED")
    # the default view opens on a bare visit
    other.goto(f"{demo.server.url}/")
    expect(other.locator("input.filter-input")).to_have_value('status eq "PAUSED"')


def test_built_in_views_running_failed_in_the_last_day_and_started_by_me(tab: Tab, demo: Demo) -> None:
    started = demo.api(START_RUN, {"input": {"workflowKey": APPROVAL_WORKFLOW, "project": "demo"}}, "OPERATOR")
    mine = started["startRun"]["run"]["id"]
    page = signed_in(tab, demo, "/", "OPERATOR")
    expect(rows(page).first).to_be_visible()
    text = page.locator("input.filter-input")
    page.locator(".views button", has_text="Running").click()
    expect(text).to_have_value('status eq "RUNNING"')
    expect_only_statuses(page, "RUNNING")
    before = time.time()
    page.locator(".views button", has_text="Failed in the last 24 h").click()
    expect(text).to_have_value(re.compile(r'^status eq "FAILED" and finished_at ge "\d{4}-\d\d-\d\dT[\d:.]+Z"$'))
    match = re.search(r'finished_at ge "([^"]+)"', text.input_value())
    assert match is not None
    since = dt.datetime.fromisoformat(match.group(1).replace("Z", "+00:00")).timestamp()
    assert abs((before - 86400) - since) < 60
    expect_only_statuses(page, "FAILED")
    # initiatedBy is "apikey:<the key's name>" (the OPERATOR's key is named ui-operator)
    page.locator(".views button", has_text="Started by me").click()
    expect(text).to_have_value('initiated_by eq "apikey:ui-operator"')
    expect(page.locator(f"tr[data-run-id='{mine}']")).to_be_visible()
    shown = set(rows(page).evaluate_all("rows => rows.map(row => row.dataset.runId)"))
    assert shown == {run["id"] for run in demo.runs('initiated_by eq "apikey:ui-operator"')}


# ---------------------------------------------------------------- the run page


def _waiting_approval_run(demo: Demo) -> str:
    run_id = demo.start_approval_run(subject={"type": "user", "id": "run-page"}, input={"ticket": 42})
    demo.wait_for(
        lambda: any(step["ref"] == "approve" and step["status"] == "WAITING" for step in demo.run(run_id)["steps"]),
        "the approval step to wait",
    )
    return run_id


def seqs_shown(page: Page) -> list[int]:
    return [int(seq) for seq in page.locator(".events .event").evaluate_all("rows => rows.map(row => row.dataset.seq)")]


def test_run_page_dag_timeline_steps_history_live_without_gap_after_a_dropped_socket(tab: Tab, demo: Demo) -> None:
    run_id = _waiting_approval_run(demo)
    page = tab.new_page()
    sockets: list[WebSocketRoute] = []

    def through(socket: WebSocketRoute) -> None:
        socket.connect_to_server()
        sockets.append(socket)

    page.route_web_socket(re.compile(r"/graphql$"), through)
    page.goto(f"{demo.server.url}/runs/{run_id}#key={demo.keys['ADMIN']}")
    expect(page.locator(".run-header .badge")).to_have_text("RUNNING")
    expect(page).to_have_title(re.compile("^RUNNING · UI approval"))
    favicon = page.locator("link#favicon")
    running_icon = favicon.get_attribute("href")
    assert running_icon is not None and running_icon.startswith("data:image/svg+xml,")
    # the DAG: one node per step, colored by status; the timeline: a bar per started step
    expect(page.locator(".dag g.node")).to_have_count(3)
    expect(page.locator(".dag g.node[data-ref=approve]")).to_have_attribute("data-status", "WAITING")
    expect(page.locator(".dag g.node[data-ref=prepare]")).to_have_attribute("data-status", "COMPLETED")
    expect(page.locator(".timeline .bar-row[data-ref=prepare]")).to_be_visible()
    # selection is shared: a node click selects the step in the timeline and the URL
    page.locator(".dag g.node[data-ref=prepare]").click()
    expect(page.locator(".timeline .bar-row[data-ref=prepare]")).to_have_class(re.compile("selected"))
    assert "step=prepare" in page.url
    # the history: every event so far, newest first
    api_seqs = [edge["node"]["seq"] for edge in demo.run(run_id)["events"]["edges"]]
    expect(page.locator(".events .event")).to_have_count(len(api_seqs))
    assert seqs_shown(page) == sorted(api_seqs, reverse=True)
    # the steps: waitingFor and the actions offered
    page.get_by_role("tab", name="Steps").click()
    approve_row = page.locator("table.steps tr[data-ref=approve]")
    expect(approve_row.locator(".waiting-for")).to_have_text("approval")
    # progress updates arrive live (runUpdates)
    page.get_by_role("tab", name="Updates").click()
    posted = demo.api(
        "mutation($input: PostRunUpdateInput!) { postRunUpdate(input: $input) { errors { message } } }",
        {"input": {"runId": run_id, "message": "half of the pages read"}},
        "OPERATOR",
    )
    assert posted["postRunUpdate"]["errors"] == []
    expect(page.locator("ol.updates li")).to_contain_text("half of the pages read")
    # the socket drops; events happen meanwhile; the page resumes after its last seq
    assert sockets, "the page opened no websocket"
    expect(page.locator(".events .event")).to_have_count(len(api_seqs))
    sockets[-1].close()
    demo.api(APPROVE, {"input": {"runId": run_id, "stepRef": "approve", "reason": "while offline"}})
    demo.wait_for(lambda: demo.run(run_id)["status"] == "COMPLETED", "the run to complete")
    final = [edge["node"]["seq"] for edge in demo.run(run_id)["events"]["edges"]]
    expect(page.locator(".events .event")).to_have_count(len(final))
    assert seqs_shown(page) == sorted(final, reverse=True)  # no gap, no duplicate
    expect(page.locator(".run-header .badge")).to_have_text("COMPLETED")
    expect(page).to_have_title(re.compile("^COMPLETED · UI approval"))
    expect(favicon).not_to_have_attribute("href", running_icon)  # the status shows in the favicon too
    assert len(sockets) >= 2, "the page did not reconnect"
    # filters and download
    page.get_by_role("tab", name="History").click()
    page.locator("select[aria-label='Event type']").select_option("STEP_APPROVED")
    expect(page.locator(".events .event")).to_have_count(1)
    page.locator("select[aria-label='Event type']").select_option("")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download JSON").click()
    path = info.value.path()
    assert path is not None
    downloaded = json.loads(Path(path).read_text())
    assert downloaded["run"]["id"] == run_id
    assert [event["seq"] for event in downloaded["events"]] == sorted(final)


def test_run_page_deep_link_opens_the_tab_step_and_event(tab: Tab, demo: Demo) -> None:
    run_id = _waiting_approval_run(demo)
    tab.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo.server.url)
    page = signed_in(tab, demo, f"/runs/{run_id}?tab=steps&step=approve&seq=2")
    # the header's copy button puts the run's id on the clipboard
    page.locator(".run-header").get_by_title(f"Copy {run_id}").click()
    expect(page.locator(".run-header").get_by_title(f"Copy {run_id}")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == run_id
    expect(page.get_by_role("tab", name="Steps")).to_have_attribute("aria-selected", "true")
    expect(page.locator("table.steps tr[data-ref=approve]")).to_have_class(re.compile("selected"))
    expect(page.locator(".dag g.node[data-ref=approve]")).to_have_class(re.compile("selected"))
    page.get_by_role("tab", name="History").click()
    expect(page.locator(".events .event[data-seq='2']")).to_have_class(re.compile("selected"))
    page.get_by_role("tab", name="Input & output").click()
    expect(page.locator(".data details.json").first).to_contain_text('"ticket": 42')
    # the workflow's page, from the run's header, for a SUPERADMIN key that spans projects
    page.locator(".run-header h1 a").click()
    expect(page.locator(".workflow-page h1")).to_contain_text("UI approval")
    expect(page.locator(".start-form")).to_be_visible()


def test_a_run_is_found_and_steered_with_the_keyboard_alone(tab: Tab, demo: Demo) -> None:
    run_id = _waiting_approval_run(demo)
    page = signed_in(tab, demo, "/", "OPERATOR")
    expect(rows(page).first).to_be_visible()
    # `/` focuses the filter bar; Enter applies what was typed
    page.keyboard.press("/")
    page.keyboard.type(f'workflow_key eq "{APPROVAL_WORKFLOW}"')
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"filter=workflow_key\+eq\+%22ui-approval%22"))
    page.locator(f"tr[data-run-id='{run_id}'] a.run-link").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".run-header .badge")).to_have_text("RUNNING")
    # a DAG node is selected by Enter, as by a click
    page.locator(".dag g.node[data-ref=prepare]").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".dag g.node[data-ref=prepare]")).to_have_class(re.compile("selected"))
    page.get_by_role("tab", name="Steps").focus()
    page.keyboard.press("Enter")
    # an action's dialog opens with its reason focused; Escape closes it, Enter sends it
    approve = page.locator("table.steps tr[data-ref=approve] button.action[data-action=Approve]")
    approve.focus()
    page.keyboard.press("Enter")
    reason = page.get_by_role("dialog").locator("input[name=reason]")
    expect(reason).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert demo.run(run_id)["status"] == "RUNNING"
    approve.focus()
    page.keyboard.press("Enter")
    expect(reason).to_be_focused()
    page.keyboard.type("approved from the keyboard")
    page.keyboard.press("Enter")
    expect(page.locator(".run-header .badge")).to_have_text("COMPLETED")


def _buttons(page: Page, selector: str) -> set[str]:
    return {
        label or "" for label in page.locator(selector).evaluate_all("buttons => buttons.map(b => b.dataset.action)")
    }


APPROVAL_STEP_BUTTONS = {"Approve", "Reject", "Skip", "Force complete", "Replay subtree"}


@pytest.mark.parametrize(
    ("role", "run_buttons", "step_buttons"),
    [
        # LIFECYCLE.md / SERVER.md: a RUNNING run and its WAITING approval step (replaySubtree
        # resets a step and its dependents from any status)
        ("VIEWER", set(), set()),
        (
            "OPERATOR",
            {"Cancel", "Terminate", "Pause", "Signal"},
            {"Approve", "Reject", "Skip", "Force complete", "Replay subtree"},
        ),
        (
            "ADMIN",
            {"Cancel", "Terminate", "Pause", "Signal"},
            {"Approve", "Reject", "Skip", "Force complete", "Replay subtree"},
        ),
    ],
)
def test_run_page_offers_exactly_the_available_actions_of_each_role(
    tab: Tab, demo: Demo, role: str, run_buttons: set[str], step_buttons: set[str]
) -> None:
    run_id = _waiting_approval_run(demo)
    state = demo.run(run_id, role)
    assert {RUN_BUTTONS[action] for action in state["availableActions"]} == run_buttons
    approve_step = next(step for step in state["steps"] if step["ref"] == "approve")
    assert {STEP_BUTTONS[action] for action in approve_step["availableActions"]} == step_buttons
    page = signed_in(tab, demo, f"/runs/{run_id}?tab=steps", role)
    expect(page.locator(".run-header .badge")).to_have_text("RUNNING")
    expect(page.locator("table.steps tr[data-ref=approve]")).to_be_visible()
    assert _buttons(page, ".run-actions button.action") == run_buttons
    assert _buttons(page, "table.steps tr[data-ref=approve] button.action") == step_buttons
    if role == "VIEWER":
        return
    # a step action through its dialog, with a reason
    page.locator("table.steps tr[data-ref=approve] button.action[data-action=Approve]").click()
    page.get_by_role("dialog").locator("input[name=reason]").fill(f"approved by {role}")
    page.get_by_role("dialog").get_by_role("button", name="Approve").click()
    expect(page.locator(".run-header .badge")).to_have_text("COMPLETED")
    # COMPLETED: nothing to retry (retryRun starts from FAILED, TIMED_OUT, CANCELED, TERMINATED);
    # restartRun from any terminal status, for an ADMIN only (LIFECYCLE.md)
    expected = {"Restart"} if role == "ADMIN" else set()
    actions = page.locator(".run-actions button.action")
    if expected:
        expect(actions).to_have_count(len(expected))
    else:
        expect(actions).to_have_count(0)
    assert _buttons(page, ".run-actions button.action") == expected
    if role == "ADMIN":
        page.locator(".run-actions button[data-action=Restart]").click()
        page.get_by_role("dialog").get_by_role("button", name="Restart").click()
        made = page.locator(".run-ref", has_text="Made from this run")
        expect(made).to_be_visible()
        made.locator("a").click()
        expect(page.locator(".run-ref", has_text="Restart of")).to_be_visible()


def test_blocked_run_offers_unblock_and_abandon_and_abandons(tab: Tab, demo: Demo) -> None:
    blocked = demo.runs('status eq "BLOCKED"')
    assert blocked, "the demo has a BLOCKED run"
    run_id = blocked[-1]["id"]
    page = signed_in(tab, demo, f"/runs/{run_id}", "OPERATOR")
    expect(page.locator(".run-header .badge")).to_have_text("BLOCKED")
    assert {"Unblock", "Abandon"} <= _buttons(page, ".run-actions button.action")
    page.locator(".run-actions button[data-action=Abandon]").click()
    page.get_by_role("dialog").locator("input[name=reason]").fill("not needed")
    page.get_by_role("dialog").get_by_role("button", name="Abandon").click()
    expect(page.locator(".run-header .badge")).to_have_text("ABANDONED")
    assert demo.run(run_id)["status"] == "ABANDONED"


def test_a_failed_run_is_retried_from_its_page_and_the_runs_link_each_other(tab: Tab, demo: Demo) -> None:
    failed = demo.runs('status eq "FAILED" and workflow_key eq "billing-sync"')
    assert failed, "the demo has a FAILED billing-sync run"
    run_id = failed[0]["id"]
    page = signed_in(tab, demo, f"/runs/{run_id}", "OPERATOR")
    expect(page.locator(".run-header .badge")).to_have_text("FAILED")
    # LIFECYCLE.md: retryRun from FAILED, for an OPERATOR; restartRun is an ADMIN's
    assert "Retry" in _buttons(page, ".run-actions button.action")
    assert "Restart" not in _buttons(page, ".run-actions button.action")
    page.locator(".run-actions button[data-action=Retry]").click()
    page.get_by_role("dialog").locator("input[name=reason]").fill("upstream back")
    page.get_by_role("dialog").get_by_role("button", name="Retry").click()
    made = page.locator(".run-ref", has_text="Made from this run")
    expect(made).to_be_visible()
    made.locator("a").click()
    retry_of = page.locator(".run-ref", has_text="Retry of")
    expect(retry_of).to_be_visible()
    expect(retry_of.locator("a")).to_have_attribute("href", f"/runs/{quote(run_id, safe='')}")


# LIFECYCLE.md: from BLOCKED, cancelRun, terminateRun, unblockRuns (RUN or ABANDON), and signalRun
# (accepted by any run neither terminal nor CANCELING)
BLOCKED_RUN_BUTTONS = {"Cancel", "Terminate", "Unblock", "Abandon", "Signal"}


def test_blocked_runs_unblock_on_the_run_page_and_abandon_in_bulk(tab: Tab, demo: Demo) -> None:
    # a change limit of one run an hour: the first run of four starts, the other three are BLOCKED
    _create_workflow(
        demo,
        "ui-limited",
        "UI limited",
        [{"ref": "approve", "type": "APPROVAL"}],
        changeLimit={"maxRuns": 1, "windowSeconds": 3600},
    )
    subjects = [{"type": "user", "id": f"limited-{index}"} for index in range(4)]
    demo.api(TRIGGER, {"input": {"workflowKey": "ui-limited", "project": "demo", "subjects": subjects}})
    blocked = [run["id"] for run in demo.runs('workflow_key eq "ui-limited" and status eq "BLOCKED"')]
    assert len(blocked) == 3
    assert {RUN_BUTTONS[action] for action in demo.run(blocked[0], "OPERATOR")["availableActions"]} == (
        BLOCKED_RUN_BUTTONS
    )
    viewer = signed_in(tab, demo, f"/runs/{blocked[1]}", "VIEWER")
    expect(viewer.locator(".run-header .badge")).to_have_text("BLOCKED")
    expect(viewer.locator(".run-actions button.action")).to_have_count(0)
    page = signed_in(tab, demo, f"/runs/{blocked[0]}", "OPERATOR")
    expect(page.locator(".run-header .badge")).to_have_text("BLOCKED")
    expect(page.locator(".run-actions button.action")).to_have_count(len(BLOCKED_RUN_BUTTONS))
    assert _buttons(page, ".run-actions button.action") == BLOCKED_RUN_BUTTONS
    page.locator(".run-actions button[data-action=Unblock]").click()
    page.get_by_role("dialog").locator("input[name=reason]").fill("limit checked")
    page.get_by_role("dialog").get_by_role("button", name="Unblock").click()
    # PENDING, then RUNNING once the engine picks it (its approval step waits)
    expect(page.locator(".run-header .badge")).to_have_text("RUNNING")
    events = [edge["node"]["type"] for edge in demo.run(blocked[0])["events"]["edges"]]
    assert "RUN_UNBLOCKED" in events
    # the other two in bulk, by filter: the dry run counts the BLOCKED runs only
    page.goto(f'{demo.server.url}/?filter=workflow_key+eq+"ui-limited"')
    expect(rows(page)).to_have_count(4)
    rows(page).first.locator("input[type=checkbox]").check()
    page.get_by_role("button", name="Select all 4 matching").click()
    options = page.locator("select[aria-label='Bulk action'] option").all_inner_texts()
    assert {"Unblock", "Abandon"} <= set(options)
    page.locator("select[aria-label='Bulk action']").select_option("ABANDON")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".dry-count")).to_have_text("2")
    assert len(demo.runs('workflow_key eq "ui-limited" and status eq "BLOCKED"')) == 2  # nothing changed yet
    page.get_by_role("button", name="Confirm abandon").click()
    expect(page.locator(".bulk-result")).to_contain_text("2 succeeded")
    expect(page.locator(".bulk-result")).to_contain_text("0 failed")
    statuses = sorted(run["status"] for run in demo.runs('workflow_key eq "ui-limited"'))
    assert statuses == ["ABANDONED", "ABANDONED", "RUNNING", "RUNNING"]
    for run_id in blocked[1:]:
        expect(page.locator(f"tr[data-run-id='{run_id}']")).to_have_attribute("data-status", "ABANDONED")


# ---------------------------------------------------------------- workflows, schedules, jobs


def test_workflows_list_versions_dag_and_starting_a_run_with_json_input(tab: Tab, demo: Demo) -> None:
    earlier = demo.start_approval_run()
    page = signed_in(tab, demo, "/workflows", "OPERATOR")
    expect(page.locator("table.workflows tr[data-key=offboard-user]")).to_be_visible()
    page.locator(f"table.workflows tr[data-key={APPROVAL_WORKFLOW}] a").click()
    expect(page.locator(".workflow-page h1")).to_contain_text("UI approval")
    expect(page.locator(".dag g.node")).to_have_count(3)
    # its run counts by status (its runs wait for their approval: the counts stay put)
    stats = demo.api(RUN_STATS, {"filter": f'workflow_key eq "{APPROVAL_WORKFLOW}"'})["runStats"]["byStatus"]
    running = next(item["count"] for item in stats if item["status"] == "RUNNING")
    # the workflow's summary and its runs table's quick filters
    expect(page.locator(".counts .count[data-status=RUNNING] b")).to_have_text([str(running), str(running)])
    expect(page.locator(f"table.runs tbody tr[data-run-id='{earlier}']")).to_be_visible()
    page.locator("textarea[name=input]").fill("{not json")
    page.get_by_role("button", name="Start run").click()
    expect(page.locator(".start-form .error-box")).to_contain_text("not valid JSON")
    page.locator("textarea[name=input]").fill('{"ticket": 7, "note": "from the form"}')
    page.locator("input[name=subjectType]").fill("user")
    page.locator("input[name=subjectId]").fill("form-1")
    page.get_by_role("button", name="Start run").click()
    expect(page).to_have_url(re.compile(r"/runs/"))
    expect(page.locator(".run-header")).to_contain_text("UI approval")
    page.get_by_role("tab", name="Input & output").click()
    expect(page.locator(".data details.json").first).to_contain_text('"note": "from the form"')
    # "start a run like this one": the form prefilled from this run
    page.get_by_role("link", name="Start a run like this one").click()
    expect(page.locator("textarea[name=input]")).to_have_value(re.compile('"note": "from the form"'))
    expect(page.locator("input[name=subjectId]")).to_have_value("form-1")


def test_schedules_and_jobs_pages_say_what_the_server_offers(tab: Tab, demo: Demo) -> None:
    fields = {item["name"] for item in demo.api('{ __type(name: "Query") { fields { name } } }')["__type"]["fields"]}
    page = signed_in(tab, demo, "/schedules", "OPERATOR")
    if "schedules" in fields:
        # the demo's schedule (cron "* * * * *"), paused and resumed by an OPERATOR (JOBS.md)
        row = page.locator("tr[data-key=billing-sync-every-minute]")
        expect(row).to_contain_text("every minute")
        expect(row).to_have_attribute("data-state", "ACTIVE")
        row.get_by_role("button", name="Pause").click()
        expect(row).to_have_attribute("data-state", "PAUSED")
        row.get_by_role("button", name="Resume").click()
        expect(row).to_have_attribute("data-state", "ACTIVE")
        # one schedule, opened from the list by a SUPERADMIN (whose key spans projects): its
        # fires, its runs, and a backfill of three fire times
        admin = signed_in(tab, demo, "/schedules")
        admin.locator("tr[data-key=billing-sync-every-minute] a", has_text="billing-sync-every-minute").click()
        # the demo's first fire started a run; a later one may be SKIPPED while that run still
        # runs (the schedule's overlap policy), so look for a STARTED fire, not the newest
        expect(admin.locator("ul.fires li", has_text="STARTED").first).to_be_visible()
        expect(admin.locator("table.runs tbody tr").first).to_be_visible()
        admin.locator(".backfill input[name=from]").fill("2026-01-01T00:00")
        admin.locator(".backfill input[name=to]").fill("2026-01-01T00:03")
        admin.get_by_role("button", name="Backfill").click()
        expect(admin.locator(".backfill [role=status]")).to_contain_text("3 runs started")
    else:
        expect(page.locator(".not-offered")).to_have_text("This server does not offer schedules yet.")
    page.locator("nav a", has_text="Jobs").click()
    expect(page.locator("h1")).to_have_text("Jobs")
    if "bulkJobs" in fields:
        expect(page.locator("main table, main .empty").first).to_be_visible()
    else:
        expect(page.locator(".not-offered")).to_have_text("This server does not offer bulk jobs yet.")


def test_phone_viewport_never_scrolls_the_page_sideways(browser: Browser, demo: Demo) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(TIMEOUT)
    phone = Tab(context, [])
    try:
        page = signed_in(phone, demo)
        expect(rows(page).first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.locator("a.run-link").first.click()
        expect(page.locator(".run-header")).to_be_visible()
        expect(page.locator(".dag svg")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto(f"{demo.server.url}/workflows")
        expect(page.locator("table.workflows")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto(f"{demo.server.url}/schedules")
        expect(page.locator("tr[data-key=billing-sync-every-minute]")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto(f"{demo.server.url}/jobs")
        expect(page.locator("h2", has_text="Bulk jobs")).to_be_visible()
        expect(page.locator("main table, main .empty").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
    assert phone.errors == []


LUMINANCE = """element => {
    const style = getComputedStyle(element);
    const value = color => {
        const [r, g, b] = color.match(/\\d+/g).slice(0, 3).map(Number);
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    return [value(style.backgroundColor), value(style.color)];
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_pages_follow_the_light_and_dark_color_schemes(
    browser: Browser, demo: Demo, scheme: Literal["light", "dark"]
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    context.set_default_timeout(TIMEOUT)
    themed = Tab(context, [])
    try:
        page = signed_in(themed, demo)
        expect(rows(page).first).to_be_visible()
        background, text = page.locator("body").evaluate(LUMINANCE)
        # a light page with dark text, or a dark page with light text, both well apart
        if scheme == "light":
            assert background > 0.85 and text < 0.3, (background, text)
        else:
            assert background < 0.15 and text > 0.7, (background, text)
    finally:
        context.close()
    assert themed.errors == []


def test_every_dashboard_route_serves_the_app_uncached_and_assets_immutable(demo: Demo) -> None:
    for path in ("/", "/runs/abc", "/workflows", "/workflows/x", "/schedules", "/schedules/x", "/jobs"):
        response = httpx.get(f"{demo.server.url}{path}")
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert "no-store" in response.headers["cache-control"]
        assert '<div id="app">' in response.text
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+)"', httpx.get(demo.server.url).text)
    assert assets, "index.html names no assets"
    for asset in assets:
        assert re.search(r"-[A-Za-z0-9_-]{8}\.(js|css)$", asset), f"{asset} has no content hash"
        response = httpx.get(f"{demo.server.url}{asset}")
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert httpx.get(f"{demo.server.url}/assets/nope.js").status_code == 404
    graphiql = httpx.get(demo.server.graphql_url, headers={"Accept": "text/html"})
    assert "graphiql" in graphiql.text.lower()


# ---------------------------------------------------------------- retries, big runs, long histories

CREATE_WORKFLOW = """
mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { errors { message } } }
"""
STEP_ATTEMPTS = """
query($id: ID!) { run(id: $id) { status steps { ref status attempts { attempt status error } } } }
"""
RUN_SIZE = """
query($id: ID!) { run(id: $id) { status steps(includeLoopIterations: true) { ref } events(first: 1) { totalCount } } }
"""
TERMINATE = """
mutation($input: RunActionInput!) { terminateRun(input: $input) { errors { message } } }
"""
# UI.md: above 500 steps the DAG is drawn on request; a FOR_EACH of 520 iterations on a queue
# no worker serves makes a run of 523 steps that stays put (its iterations wait QUEUED)
BIG_ITERATIONS = 520
BIG_STEPS = BIG_ITERATIONS + 3
EVENTS_PAGE = 100  # the run page loads the history 100 events at a time (the API's page size)


def _create_workflow(demo: Demo, key: str, name: str, steps: list[dict[str, Any]], **fields: Any) -> None:
    made = demo.api(CREATE_WORKFLOW, {"input": {"project": "demo", "key": key, "name": name, "steps": steps, **fields}})
    assert made["createWorkflow"]["errors"] == []


def _start(demo: Demo, workflow: str, **fields: Any) -> str:
    payload = demo.api(START_RUN, {"input": {"workflowKey": workflow, "project": "demo", **fields}})
    assert payload["startRun"]["errors"] == []
    run_id: str = payload["startRun"]["run"]["id"]
    return run_id


@pytest.fixture(scope="module")
def big_run(demo: Demo) -> Iterator[str]:
    """A RUNNING run of 523 steps (a loop of 520 iterations waiting QUEUED) and over 500 events."""
    _create_workflow(
        demo,
        "ui-big",
        "UI big",
        [
            {"ref": "prepare", "type": "TASK", "handler": "noop"},
            {
                "ref": "fan",
                "type": "FOR_EACH",
                "dependsOn": ["prepare"],
                "config": {"items": "items", "body": {"type": "TASK", "handler": "noop", "queue": "ui-nobody"}},
            },
            {"ref": "report", "type": "TASK", "handler": "noop", "dependsOn": ["fan"]},
        ],
    )
    run_id = _start(demo, "ui-big", input={"items": list(range(BIG_ITERATIONS))})
    demo.wait_for(
        lambda: len(demo.api(RUN_SIZE, {"id": run_id})["run"]["steps"]) == BIG_STEPS, "the loop's iterations", 60
    )
    yield run_id
    demo.api(TERMINATE, {"input": {"id": run_id}})


def test_timeline_draws_one_bar_per_attempt_of_a_retried_step(tab: Tab, demo: Demo) -> None:
    # the built-in `fail` handler fails `times` times, then succeeds: attempts 1 and 2 fail
    _create_workflow(
        demo,
        "ui-flaky",
        "UI flaky",
        [
            {
                "ref": "fetch",
                "type": "TASK",
                "handler": "fail",
                "config": {"times": 2, "message": "upstream busy"},
                "retry": {"maxAttempts": 3, "backoffSeconds": 0.05, "backoffFactor": 1},
            },
            {"ref": "store", "type": "TASK", "handler": "noop", "dependsOn": ["fetch"]},
        ],
    )
    run_id = _start(demo, "ui-flaky")
    demo.wait_for(lambda: demo.api(STEP_ATTEMPTS, {"id": run_id})["run"]["status"] == "COMPLETED", "the run", 30)
    steps = {step["ref"]: step for step in demo.api(STEP_ATTEMPTS, {"id": run_id})["run"]["steps"]}
    assert steps["fetch"]["attempts"] == [
        {"attempt": 1, "status": "FAILED", "error": "upstream busy"},
        {"attempt": 2, "status": "FAILED", "error": "upstream busy"},
        {"attempt": 3, "status": "COMPLETED", "error": None},
    ]
    page = signed_in(tab, demo, f"/runs/{run_id}")
    bars = page.locator(".timeline .bar-row[data-ref=fetch]")
    expect(bars).to_have_count(3)
    assert bars.evaluate_all("rows => rows.map(row => [row.dataset.attempt, row.dataset.status])") == [
        ["1", "FAILED"],
        ["2", "FAILED"],
        ["3", "COMPLETED"],
    ]
    expect(bars.first).to_have_attribute("title", re.compile(r"^fetch attempt 1: FAILED, .*\(upstream busy\)$"))
    expect(page.locator(".timeline .bar-row[data-ref=store]")).to_have_count(1)
    # selection is shared: a click on the second attempt selects the step in the DAG
    bars.nth(1).click()
    expect(page.locator(".dag g.node[data-ref=fetch]")).to_have_class(re.compile("selected"))
    expect(bars.nth(2)).to_have_class(re.compile("selected"))
    # the timeline follows the local / UTC switch (UI.md)
    start = page.locator(".timeline-axis span").first
    page.get_by_role("button", name="Local").click()
    expect(start).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$"))
    page.get_by_role("button", name="UTC").click()
    expect(start).not_to_have_text(re.compile("UTC"))


def test_a_run_above_500_steps_draws_its_graph_on_request_with_collapse_all_and_full_screen(
    tab: Tab, demo: Demo, big_run: str
) -> None:
    page = signed_in(tab, demo, f"/runs/{big_run}")
    expect(page.locator(".run-header .badge")).to_have_text("RUNNING")
    on_request = page.locator(".dag-on-request")
    expect(on_request).to_contain_text(f"{BIG_STEPS} steps (3 in the graph, loop iterations grouped)")
    expect(page.locator(".dag svg")).to_have_count(0)
    page.get_by_role("button", name="Draw the graph").click()
    nodes = page.locator(".dag g.node")
    expect(nodes).to_have_count(3)  # the loop's 520 iterations grouped on their loop
    times = "\u00d7"  # the multiplication sign before a loop's count of iterations
    expect(page.locator(".dag g.node[data-ref=fan] .node-meta")).to_contain_text(f"{times}{BIG_ITERATIONS}")
    expect(page.get_by_role("button", name="Collapse all")).to_be_disabled()
    page.get_by_role("button", name="Expand all").click()
    expect(nodes).to_have_count(BIG_STEPS)
    expect(page.locator(".dag g.node[data-ref='fan[519]']")).to_have_attribute("data-status", "QUEUED")
    page.get_by_role("button", name="Collapse all").click()
    expect(nodes).to_have_count(3)
    # one loop on its own, by its toggle
    page.get_by_role("button", name=f"Expand the {BIG_ITERATIONS} iterations of fan").click()
    expect(nodes).to_have_count(BIG_STEPS)
    page.get_by_role("button", name=f"Collapse the {BIG_ITERATIONS} iterations of fan").click()
    expect(nodes).to_have_count(3)
    # and by the keyboard: the toggle takes the focus, Enter expands
    page.get_by_role("button", name=f"Expand the {BIG_ITERATIONS} iterations of fan").focus()
    page.keyboard.press("Enter")
    expect(nodes).to_have_count(BIG_STEPS)
    page.get_by_role("button", name="Collapse all").click()
    expect(nodes).to_have_count(3)
    page.get_by_role("button", name="Full screen").click()
    dag = page.locator(".dag.fullscreen")
    expect(dag).to_be_visible()
    box = dag.bounding_box()
    assert box is not None and box["width"] > 1200 and box["height"] > 750  # the whole 1280x800 window
    page.get_by_role("button", name="Exit full screen").click()
    expect(page.locator(".dag.fullscreen")).to_have_count(0)


def _count_text(page: Page) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+) of (\d+) events", page.locator(".event-count").inner_text())
    assert match, page.locator(".event-count").inner_text()
    return int(match.group(1)), int(match.group(2))


def _downloaded_seqs(page: Page) -> list[int]:
    with page.expect_download() as info:
        page.get_by_role("button", name="Download JSON").click()
    path = info.value.path()
    assert path is not None
    return [event["seq"] for event in json.loads(Path(path).read_text())["events"]]


def test_history_loads_its_latest_page_then_older_pages_by_click_and_scroll_then_live(
    tab: Tab, demo: Demo, big_run: str
) -> None:
    total = demo.api(RUN_SIZE, {"id": big_run})["run"]["events"]["totalCount"]
    assert total > 3 * EVENTS_PAGE
    page = signed_in(tab, demo, f"/runs/{big_run}")
    count = page.locator(".event-count")
    expect(count).to_have_text(f"{EVENTS_PAGE} of {total} events")
    expect(page.locator(".events .event").first).to_have_attribute("data-seq", str(total))  # newest first
    # virtualized: a page of 100 events puts only the rows in view in the DOM
    assert page.locator(".events .event").count() < 40
    page.locator("button.load-older").click()
    expect(count).to_have_text(f"{2 * EVENTS_PAGE} of {total} events")
    # scrolling to the oldest end (the bottom, newest first) loads the next older page
    page.locator(".events").evaluate("box => { box.scrollTop = box.scrollHeight; }")
    expect(count).to_have_text(f"{3 * EVENTS_PAGE} of {total} events")
    assert _downloaded_seqs(page) == list(range(total - 3 * EVENTS_PAGE + 1, total + 1))  # no gap, no duplicate
    # oldest first: the oldest end is the top
    page.get_by_role("button", name="Newest first").click()
    # where the view is when the older page shows (noted as the count changes, before any frame)
    page.locator(".event-count").evaluate(
        """count => new MutationObserver(() => {
            window.viewWhenShown ??= document.querySelector('.events').scrollTop;
        }).observe(count, { childList: true, subtree: true, characterData: true })"""
    )
    page.locator(".events").evaluate("box => { box.scrollTop = 0; box.dispatchEvent(new Event('scroll')); }")
    expect(count).to_have_text(f"{4 * EVENTS_PAGE} of {total} events")
    # the page came in above the view, which moved down by as much in the same render: the rows
    # looked at stay in place, and the view does not rest at the oldest end to load yet another
    row_height = page.locator(".events .event").first.evaluate("row => row.offsetHeight")
    assert page.evaluate("window.viewWhenShown") == EVENTS_PAGE * row_height
    # then live: terminating the run appends its events after the last one shown
    demo.api(TERMINATE, {"input": {"id": big_run, "reason": "ui history test"}})
    final = demo.wait_for(
        lambda: (
            (run := demo.api(RUN_SIZE, {"id": big_run})["run"])["status"] == "TERMINATED"
            and run["events"]["totalCount"]
        ),
        "the run to end",
    )
    expect(page.locator(".run-header .badge")).to_have_text("TERMINATED")
    expect(count).to_have_text(f"{4 * EVENTS_PAGE + final - total} of {final} events")
    assert _downloaded_seqs(page) == list(range(total - 4 * EVENTS_PAGE + 1, final + 1))


# ---------------------------------------------------------------- dialogs and bulk jobs

SIGNALS = """
query($id: ID!) { run(id: $id) { status signals { name payload consumedBy }
  steps { ref status output waitingFor } } }
"""


def test_signal_dialog_sends_the_signal_and_the_waiting_run_proceeds(tab: Tab, demo: Demo) -> None:
    _create_workflow(
        demo,
        "ui-signal",
        "UI signal",
        [
            {"ref": "paid", "type": "SIGNAL", "config": {"signal": "payment-received"}},
            {"ref": "ship", "type": "TASK", "handler": "noop", "dependsOn": ["paid"]},
        ],
    )
    run_id = _start(demo, "ui-signal")
    demo.wait_for(
        lambda: any(step["status"] == "WAITING" for step in demo.api(SIGNALS, {"id": run_id})["run"]["steps"]),
        "the signal step to wait",
    )
    page = signed_in(tab, demo, f"/runs/{run_id}?tab=steps", "OPERATOR")
    expect(page.locator("table.steps tr[data-ref=paid] .waiting-for")).to_have_text("signal:payment-received")
    page.locator(".run-actions button[data-action=Signal]").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("input[name=name]").fill("payment-received")
    dialog.locator("input[name=message]").fill("paid in full")
    # a payload that is not JSON is refused in the dialog, in words, and nothing is sent
    dialog.locator("textarea[name=payload]").fill('{"amount": 12,')
    dialog.get_by_role("button", name="Signal").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Payload is not valid JSON")
    assert demo.api(SIGNALS, {"id": run_id})["run"]["signals"] == []
    dialog.locator("textarea[name=payload]").fill('{"amount": 12, "currency": "EUR"}')
    dialog.get_by_role("button", name="Signal").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator(".run-header .badge")).to_have_text("COMPLETED")
    expect(page.locator("table.steps tr[data-ref=ship]")).to_have_attribute("data-status", "COMPLETED")
    run = demo.api(SIGNALS, {"id": run_id})["run"]
    assert run["signals"] == [
        {"name": "payment-received", "payload": {"amount": 12, "currency": "EUR"}, "consumedBy": "paid"}
    ]


def test_force_complete_dialog_takes_json_output_and_refuses_invalid_json(tab: Tab, demo: Demo) -> None:
    run_id = _waiting_approval_run(demo)
    page = signed_in(tab, demo, f"/runs/{run_id}?tab=steps", "OPERATOR")
    row = page.locator("table.steps tr[data-ref=approve]")
    row.locator("button.action[data-action='Force complete']").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("textarea[name=result]").fill("{approved: yes}")
    dialog.locator("input[name=reason]").fill("approved by phone")
    dialog.get_by_role("button", name="Force complete").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Result is not valid JSON")
    expect(dialog.locator("textarea[name=result]")).to_have_attribute("aria-invalid", "true")
    approve = next(step for step in demo.run(run_id)["steps"] if step["ref"] == "approve")
    assert approve["status"] == "WAITING"  # nothing was sent
    dialog.locator("textarea[name=result]").fill('{"approved_by": ["phone", 2]}')
    dialog.get_by_role("button", name="Force complete").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(row).to_have_attribute("data-status", "COMPLETED")
    expect(row.locator("td.output")).to_contain_text('{"approved_by":["phone",2]}')
    expect(page.locator(".run-header .badge")).to_have_text("COMPLETED")
    steps = {step["ref"]: step for step in demo.api(SIGNALS, {"id": run_id})["run"]["steps"]}
    assert steps["approve"]["output"] == {"approved_by": ["phone", 2]}


BULK_RUNS = 1050  # JOBS.md: a bulk action over more than 1,000 runs runs as a bulk job
RUN_STATS = "query($filter: String) { runStats(filter: $filter) { total byStatus { status count } } }"


def _seed_paused_runs(demo: Demo, count: int, batch: str, status: str = "PAUSED") -> None:
    """`count` runs of the approval workflow in `status` (PAUSED unless told) tagged
    batch=`batch`, inserted directly."""
    from app.enums import RunStatus
    from models import Project, RunTag, Workflow
    from tests.queries.factory import new_run, save_runs

    async def insert() -> None:
        project = await Project.get(key="demo")
        workflow = await Workflow.get(project=project, key=APPROVAL_WORKFLOW)
        now = dt.datetime.now(dt.UTC)
        runs = [
            new_run(
                project,
                workflow,
                status=RunStatus(status),
                subject_type="user",
                subject_id=f"{batch}-{index}",
                created_at=now - dt.timedelta(milliseconds=index),
            )
            for index in range(count)
        ]
        await save_runs(runs)
        await RunTag.bulk_create([RunTag(run_id=run.id, key="batch", value=batch) for run in runs], batch_size=500)

    demo.in_database(insert)


def test_bulk_action_over_a_thousand_matching_runs_goes_through_a_bulk_job(tab: Tab, demo: Demo) -> None:
    fields = {item["name"] for item in demo.api('{ __type(name: "Query") { fields { name } } }')["__type"]["fields"]}
    assert "bulkJobs" in fields, "JOBS.md's bulk jobs are served"
    _seed_paused_runs(demo, BULK_RUNS, "bulkjob")
    match = 'tags.batch eq "bulkjob"'
    assert demo.api(RUN_STATS, {"filter": match})["runStats"]["total"] == BULK_RUNS
    page = signed_in(tab, demo, '/?filter=tags.batch+eq+"bulkjob"', "OPERATOR")
    expect(page.locator(".pager")).to_contain_text(f"{BULK_RUNS} runs")
    preview_bulk_action(page, BULK_RUNS, "TERMINATE", reason="too many")
    expect(page.locator(".dry-count")).to_have_text(str(BULK_RUNS))
    page.get_by_role("button", name="Confirm terminate").click()
    # above the synchronous limit: a bulk job, its progress followed live, a link to the jobs page
    job = page.locator(".bulk-job tr[data-job]")
    expect(job).to_be_visible()
    expect(page.locator(".bulk-job")).to_contain_text("running as a bulk job")
    expect(job.locator("progress")).to_be_visible()
    expect(job).to_have_attribute("data-status", "COMPLETED", timeout=60_000)
    expect(job.locator(".job-progress")).to_contain_text(f"{BULK_RUNS}/{BULK_RUNS}")
    expect(job.locator(".job-result")).to_contain_text(f"{BULK_RUNS} ok, 0 failed")
    stats = demo.api(RUN_STATS, {"filter": match})["runStats"]["byStatus"]
    assert {item["status"]: item["count"] for item in stats if item["count"]} == {"TERMINATED": BULK_RUNS}
    job_id = job.get_attribute("data-job")
    page.locator(".bulk-job a", has_text="All jobs").click()
    expect(page.locator("h1")).to_have_text("Jobs")
    expect(page.locator(f"tr[data-job='{job_id}']")).to_have_attribute("data-status", "COMPLETED")


BACKGROUND_JOB = """
mutation($input: BulkRunActionInput!) { bulkRunAction(input: $input) { job { id } errors { message } } }
"""
BULK_JOB = "query($id: ID!) { bulkJob(id: $id) { status matched processed canceledBy } }"


def test_jobs_page_follows_a_bulk_jobs_progress_live_and_cancels_it(tab: Tab, demo: Demo) -> None:
    _seed_paused_runs(demo, 30, "slowjob")
    # JOBS.md: background: true makes a job of any size; maxPerSecond bounds its pace (2 runs a second)
    started = demo.api(
        BACKGROUND_JOB,
        {"input": {"action": "TERMINATE", "filter": 'tags.batch eq "slowjob"', "background": True, "maxPerSecond": 2}},
        "OPERATOR",
    )["bulkRunAction"]
    assert started["errors"] == []
    job_id = started["job"]["id"]
    page = signed_in(tab, demo, "/jobs", "OPERATOR")
    row = page.locator(f"tr[data-job='{job_id}']")
    expect(row).to_be_visible()
    # progress arrives live: the job has acted on some of its 30 runs, and not all
    expect(row).to_have_attribute("data-status", "RUNNING")
    expect(row.locator(".job-progress")).to_have_text(re.compile(r"^\s*([1-9]|1\d|2[0-8])/30$"))
    row.get_by_role("button", name="Cancel").click()
    expect(row).to_have_attribute("data-status", "CANCELED")
    expect(row.get_by_role("button", name="Cancel")).to_have_count(0)
    job = demo.api(BULK_JOB, {"id": job_id})["bulkJob"]
    assert job["status"] == "CANCELED" and job["canceledBy"] == "apikey:ui-operator"
    assert job["processed"] < job["matched"] == 30


def test_a_subworkflow_node_in_the_dag_links_to_its_child_run(tab: Tab, demo: Demo) -> None:
    _create_workflow(
        demo,
        "ui-parent",
        "UI parent",
        [{"ref": "child", "type": "SUBWORKFLOW", "config": {"workflowKey": APPROVAL_WORKFLOW}}],
    )
    parent = _start(demo, "ui-parent")
    children = demo.wait_for(
        lambda: demo.api("query($id: ID!) { run(id: $id) { childRuns { id } } }", {"id": parent})["run"]["childRuns"],
        "the child run",
    )
    page = signed_in(tab, demo, f"/runs/{parent}")
    child_path = f"/runs/{quote(children[0]['id'], safe='')}"
    link = page.locator(".dag g.node[data-ref=child] a.child-link")
    expect(link).to_have_attribute("href", child_path)
    link.click()
    expect(page).to_have_url(f"{demo.server.url}{child_path}")
    expect(page.locator(".run-ref", has_text="Parent")).to_be_visible()
    demo.api(TERMINATE, {"input": {"id": parent}})


# ---------------------------------------------------------------- schedules, bulk results, bulk jobs

CREATE_SCHEDULE = """
mutation($input: CreateScheduleInput!) { createSchedule(input: $input) { schedule { id } errors { message } } }
"""
SCHEDULE_FIRES = """
query($key: String!) { schedule(key: $key, project: "demo") { state recentFires(first: 10) { outcome run { id } } } }
"""
# a daily cron in UTC that cannot fire during the test: its next fire times are computed here
NIGHTLY_CRON = "0 3 * * *"
NIGHTLY_WORDS = "every day at 03:00"  # UI.md: the cron in words


def _next_fires_at_three(count: int) -> list[dt.datetime]:
    now = dt.datetime.now(dt.UTC)
    first = now.replace(hour=3, minute=0, second=0, microsecond=0)
    if first <= now:
        first += dt.timedelta(days=1)
    return [first + dt.timedelta(days=day) for day in range(count)]


def _shown_times(cell: Any) -> list[dt.datetime]:
    stamps = cell.locator("time").evaluate_all("times => times.map(time => time.getAttribute('datetime'))")
    return [dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")) for stamp in stamps]


def test_a_schedule_shows_its_next_fires_and_last_outcome_and_is_steered_by_the_roles_that_may(
    tab: Tab, demo: Demo
) -> None:
    # ALLOW_ALL (JOBS.md): every fire starts a run, whatever the schedule's runs still open, so
    # a trigger's outcome is certain (STARTED); runs of the approval workflow stay open
    made = demo.api(CREATE_SCHEDULE, {"input": {
        "key": "ui-nightly", "project": "demo", "workflowKey": APPROVAL_WORKFLOW, "cron": NIGHTLY_CRON,
        "timezone": "UTC", "overlap": "ALLOW_ALL", "note": "made by the browser test",
    }})["createSchedule"]  # fmt: skip
    assert made["errors"] == []
    schedule_id = made["schedule"]["id"]
    page = signed_in(tab, demo, "/schedules", "OPERATOR")
    row = page.locator("tr[data-key=ui-nightly]")
    expect(row).to_have_attribute("data-state", "ACTIVE")
    expect(row.locator("td").nth(2)).to_have_text("ACTIVE")
    expect(row.locator("td").nth(3)).to_contain_text(NIGHTLY_WORDS)
    expect(row.locator("td").nth(4).locator("time")).to_have_count(3)
    assert _shown_times(row.locator("td").nth(4)) == _next_fires_at_three(3)
    expect(row.locator("td").nth(5)).to_have_text("—")  # never fired
    # an OPERATOR pauses, resumes and triggers (no backfill: ADMIN)
    expect(page.locator(".backfill")).to_have_count(0)
    row.get_by_role("button", name="Pause").click()
    expect(row).to_have_attribute("data-state", "PAUSED")
    assert demo.api(SCHEDULE_FIRES, {"key": "ui-nightly"})["schedule"]["state"] == "PAUSED"
    row.get_by_role("button", name="Resume").click()
    expect(row).to_have_attribute("data-state", "ACTIVE")
    row.get_by_role("button", name="Trigger now").click()
    expect(row.locator("td").nth(5)).to_contain_text("STARTED")
    fires = demo.api(SCHEDULE_FIRES, {"key": "ui-nightly"})["schedule"]["recentFires"]
    assert [fire["outcome"] for fire in fires] == ["STARTED"]
    triggered = fires[0]["run"]["id"]
    # the schedule's page, opened from the list: its recent fires (linking their runs) and its runs
    row.get_by_role("link", name="ui-nightly").click()
    expect(page).to_have_url(f"{demo.server.url}/schedules/ui-nightly?project=demo")
    fire = page.locator("ul.fires li")
    expect(fire).to_have_count(1)
    expect(fire).to_contain_text("STARTED")
    expect(fire.locator("a")).to_have_attribute("href", f"/runs/{quote(triggered, safe='')}")
    expect(page.locator("table.runs tbody tr")).to_have_count(1)
    expect(page.locator("table.runs tbody tr").first).to_have_attribute("data-run-id", triggered)
    # a VIEWER reads all of it and is offered none of the actions
    viewer = signed_in(tab, demo, "/schedules/ui-nightly?project=demo", "VIEWER")
    expect(viewer.locator("ul.fires li")).to_have_count(1)
    expect(viewer.locator("table.runs tbody tr")).to_have_count(1)
    viewer_row = viewer.locator("tr[data-key=ui-nightly]")
    expect(viewer_row.locator("td").nth(5)).to_contain_text("STARTED")
    expect(viewer_row.get_by_role("button")).to_have_count(0)
    expect(viewer.locator(".backfill")).to_have_count(0)
    # an ADMIN backfills three days (three fire times) with the policy chosen: SKIP skips them all
    # while the triggered run is open, ALLOW_ALL starts them all (the default, BUFFER_ALL, would
    # start all three too, held), so the policy chosen is the one applied
    admin = signed_in(tab, demo, "/schedules/ui-nightly?project=demo", "ADMIN")
    backfill = admin.locator(".backfill")
    backfill.locator("input[name=from]").fill("2026-01-01T00:00")
    backfill.locator("input[name=to]").fill("2026-01-04T00:00")
    backfill.locator("select[name=overlap]").select_option("SKIP")
    backfill.get_by_role("button", name="Backfill").click()
    expect(backfill.locator("[role=status]")).to_contain_text("0 runs started")
    backfill.locator("select[name=overlap]").select_option("ALLOW_ALL")
    backfill.get_by_role("button", name="Backfill").click()
    expect(backfill.locator("[role=status]")).to_contain_text("3 runs started")
    backfilled = demo.runs(f'schedule_id eq "{schedule_id}" and id ne "{triggered}"')
    assert len(backfilled) == 3
    # none held back by the policy: each leaves PENDING and waits at its approval step
    demo.wait_for(
        lambda: all(run["status"] == "RUNNING" for run in demo.runs(f'schedule_id eq "{schedule_id}"')),
        "the backfilled runs running beside the triggered one",
    )
    for run in [triggered, *(run["id"] for run in backfilled)]:
        demo.api(TERMINATE, {"input": {"id": run}})


def test_bulk_result_lists_a_hundred_failures_and_says_how_many_more(tab: Tab, demo: Demo) -> None:
    # 105 COMPLETED runs: cancelRun starts only from PENDING, BLOCKED, RUNNING or PAUSED
    # (LIFECYCLE.md), so each fails; the API lists 100 failures, the page says "5 more"
    _seed_paused_runs(demo, 105, "finished", status="COMPLETED")
    page = signed_in(tab, demo, '/?filter=tags.batch+eq+"finished"', "OPERATOR")
    expect(page.locator(".pager")).to_contain_text("105 runs")
    preview_bulk_action(page, 105, "CANCEL")
    expect(page.locator(".dry-count")).to_have_text("105")
    page.get_by_role("button", name="Confirm cancel").click()
    result = page.locator(".bulk-result")
    expect(result).to_contain_text("0 succeeded")
    expect(result).to_contain_text("105 failed")
    expect(result.locator("li")).to_have_count(101)
    expect(result.locator("li a")).to_have_count(100)
    expect(result.locator("li").last).to_have_text("5 more")


def _job_status(demo: Demo, job_id: str) -> str:
    status: str = demo.api(BULK_JOB, {"id": job_id})["bulkJob"]["status"]
    return status


def test_a_bulk_job_started_from_the_bulk_bar_is_canceled_there(tab: Tab, demo: Demo) -> None:
    # JOBS.md: at most two bulk jobs of a project run at once, so with two slow jobs running
    # (1 run a second) the bulk bar's job waits PENDING until canceled from the bar
    _seed_paused_runs(demo, 60, "blocker")
    blockers = []
    for _ in range(2):
        started = demo.api(
            BACKGROUND_JOB,
            {"input": {"action": "TERMINATE", "filter": 'tags.batch eq "blocker"', "background": True,
                       "maxPerSecond": 1}},
            "OPERATOR",
        )["bulkRunAction"]  # fmt: skip
        assert started["errors"] == []
        blockers.append(started["job"]["id"])
    try:
        for job_id in blockers:
            demo.wait_for(lambda job_id=job_id: _job_status(demo, job_id) == "RUNNING", "a slow job running")
        _seed_paused_runs(demo, BULK_RUNS, "canceljob")
        page = signed_in(tab, demo, '/?filter=tags.batch+eq+"canceljob"', "OPERATOR")
        expect(page.locator(".pager")).to_contain_text(f"{BULK_RUNS} runs")
        preview_bulk_action(page, BULK_RUNS, "TERMINATE")
        expect(page.locator(".dry-count")).to_have_text(str(BULK_RUNS))
        page.get_by_role("button", name="Confirm terminate").click()
        job = page.locator(".bulk-job tr[data-job]")
        expect(job).to_have_attribute("data-status", "PENDING")
        job.get_by_role("button", name="Cancel").click()
        expect(job).to_have_attribute("data-status", "CANCELED")
        expect(job.get_by_role("button", name="Cancel")).to_have_count(0)
        expect(page.locator(".bulk .error-box")).to_have_count(0)
        found = demo.api(BULK_JOB, {"id": job.get_attribute("data-job")})["bulkJob"]
        assert found["status"] == "CANCELED" and found["canceledBy"] == "apikey:ui-operator"
        assert found["processed"] == 0
        stats = demo.api(RUN_STATS, {"filter": 'tags.batch eq "canceljob"'})["runStats"]["byStatus"]
        assert {item["status"]: item["count"] for item in stats if item["count"]} == {"PAUSED": BULK_RUNS}
    finally:
        for job_id in blockers:
            demo.api("mutation($id: ID!) { cancelBulkJob(id: $id) { errors { message } } }", {"id": job_id}, "OPERATOR")
        for job_id in blockers:
            demo.wait_for(
                lambda job_id=job_id: _job_status(demo, job_id) in {"CANCELED", "COMPLETED"},
                "the slow jobs to end",
            )
