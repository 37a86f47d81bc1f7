"""GraphiQL, as a person uses it: Debian's Chromium, headless, against a real flowdeck server.

The page must work with no internet access: every request the browser makes is recorded,
and any that leaves the loopback interface is refused and fails the test. Playwright's
Python package only drives the browser; it never downloads one.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, Request, Response, Route, WebSocket, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from app.graphiql import STATIC_DIR, STATIC_URL, graphiql_html
from tests.servers import FlowdeckServer

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home, which this
# machine's closed network refuses (and which would count as leaving loopback).
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
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
ME_QUERY = "{ me { name role } }"

QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RESULT = ".result-window .CodeMirror"


# The async API, because the sync one runs an event loop of its own that would clash with
# the loop pytest-asyncio runs the database fixtures in.
@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Debian's Chromium is not installed ({CHROMIUM} is missing): run `apt-get install chromium` "
            "(.ci/run does). The GraphiQL test needs a real browser and never downloads one."
        )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class Traffic:
    """What the page asked for: everything, what left loopback, and what failed."""

    urls: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"data", "blob", "about"} or parts.hostname in LOCAL_HOSTS


@pytest.fixture
async def graphiql_page(chromium: Browser) -> AsyncIterator[tuple[Page, Traffic]]:
    context = await chromium.new_context()
    traffic = Traffic()

    async def guard(route: Route, request: Request) -> None:
        traffic.urls.append(request.url)
        if _is_local(request.url):
            await route.continue_()
        else:
            traffic.foreign.append(request.url)
            await route.abort()

    def record_socket(socket: WebSocket) -> None:
        traffic.urls.append(socket.url)
        if not _is_local(socket.url):
            traffic.foreign.append(socket.url)

    def record_failure(response: Response) -> None:
        if response.status >= 400:
            traffic.failed.append(f"{response.status} {response.url}")

    await context.route("**/*", guard)
    page = await context.new_page()
    page.on("websocket", record_socket)
    page.on("response", record_failure)
    try:
        yield page, traffic
    finally:
        await context.close()


async def replace_editor_text(page: Page, editor: str, text: str) -> None:
    """Click into a CodeMirror editor, select everything, and type `text` in its place.

    insert_text types the text as one input event, as a paste would, so the editor's
    bracket auto-closing does not double the braces.
    """
    await page.locator(editor).click()
    await page.keyboard.press("Control+A")
    await page.keyboard.press("Delete")
    await page.keyboard.insert_text(text)


async def run_and_read_result(page: Page, expected_text: str) -> dict[str, object]:
    await page.locator(".graphiql-execute-button").click()
    await page.wait_for_function(
        "([selector, text]) => document.querySelector(selector).CodeMirror.getValue().includes(text)",
        arg=[RESULT, expected_text],
        timeout=15_000,
    )
    value: str = await page.locator(RESULT).evaluate("element => element.CodeMirror.getValue()")
    result: dict[str, object] = json.loads(value)
    return result


async def open_graphiql(page: Page, traffic: Traffic, server: FlowdeckServer) -> None:
    response = await page.goto(server.graphql_url)
    assert response is not None and response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    try:
        await page.wait_for_selector(".graphiql-container", timeout=15_000)
    except PlaywrightTimeoutError:
        pytest.fail(
            f"GraphiQL did not render. Requests refused for leaving loopback: {traffic.foreign}; "
            f"failed responses: {traffic.failed}"
        )


async def test_graphiql_runs_me_with_the_key_typed_in_the_headers_editor(
    live_server: FlowdeckServer, graphiql_page: tuple[Page, Traffic]
) -> None:
    browser_page, traffic = graphiql_page
    await open_graphiql(browser_page, traffic, live_server)

    # Without a key (the editor's placeholder header), the server refuses.
    await replace_editor_text(browser_page, QUERY_EDITOR, ME_QUERY)
    refused = await run_and_read_result(browser_page, "UNAUTHENTICATED")
    assert refused.get("data") in (None, {"me": None})
    errors = refused["errors"]
    assert isinstance(errors, list)
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"

    await replace_editor_text(browser_page, HEADERS_EDITOR, json.dumps({"Authorization": f"Bearer {live_server.key}"}))
    answered = await run_and_read_result(browser_page, "SUPERADMIN")
    assert "errors" not in answered
    me = answered["data"]["me"]  # type: ignore[index]
    assert me["role"] == "SUPERADMIN"
    assert isinstance(me["name"], str) and me["name"]

    # Everything came from flowdeck itself: no CDN, nothing off this machine, nothing missing.
    assert traffic.foreign == []
    assert traffic.failed == []
    assert any(url.endswith(f"{STATIC_URL}/graphiql.min.js") for url in traffic.urls)


def test_graphiql_page_only_references_vendored_assets() -> None:
    page = graphiql_html("/graphql")
    referenced = re.findall(r'(?:src|href)="([^"]+)"', page)
    assets = [url for url in referenced if not url.startswith("data:")]
    assert assets, "the page references no assets"
    for url in assets:
        assert url.startswith(f"{STATIC_URL}/"), f"{url} is not served by flowdeck"
        name = url.removeprefix(f"{STATIC_URL}/")
        vendored = (STATIC_DIR / name).is_file() or (STATIC_DIR / f"{name}.gz").is_file()  # plain or gzipped
        assert vendored, f"{url} is not vendored"
    assert 'data-endpoint="/graphql"' in page
    for license_file in ("LICENSE-graphiql.txt", "LICENSE-react.txt", "LICENSE-react-dom.txt"):
        assert (STATIC_DIR / license_file).is_file()


def test_graphiql_page_escapes_the_endpoint() -> None:
    page = graphiql_html('/graphql?x="><script>')
    assert '"><script>' not in page
    assert 'data-endpoint="/graphql?x=&quot;&gt;&lt;script&gt;"' in page
