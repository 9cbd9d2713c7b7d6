"""Browser tests: a live server, the system Chromium (see tests/conftest.py), signed-in pages."""

import os
import re

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, Page, expect

from mapping.example import create_example

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

# Generous for a busy CI machine; the live-update promise (3 s) is asserted with its own timeout.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="package", autouse=True)
def allow_orm_beside_playwright(django_db_setup):
    """Playwright's sync API runs an event loop in the test thread; Django refuses
    ORM calls "inside" a running loop unless told the access is deliberate.
    Only for these tests: elsewhere the variable would leak into subprocesses
    (``check --deploy`` rightly refuses it). Requesting ``django_db_setup``
    here creates the test database before Playwright starts its loop."""
    before = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    yield
    if before is None:
        os.environ.pop(ASYNC_UNSAFE, None)
    else:
        os.environ[ASYNC_UNSAFE] = before


# Chromium reports a CSP violation on the console too; this makes sure, whatever the wording.
REPORT_CSP = """document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});"""


class Console:
    """What the pages of one test said on the console that a user would call an error."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.allowed: list[re.Pattern[str]] = []
        self.visited: set[str] = set()
        self.test_done = False  # after the test body, pages still polling meet a flushed database

    def allow(self, pattern: str) -> None:
        """A test that provokes an error on purpose names it (e.g. the browser's own log line for a 409)."""
        self.allowed.append(re.compile(pattern))

    def watch(self, context) -> None:
        context.add_init_script(REPORT_CSP)
        context.on("console", self.on_console)
        context.on("request", self.on_request)
        context.on("weberror", lambda error: self.errors.append(f"uncaught: {error.error}"))

    def on_request(self, request) -> None:
        # A page visited on purpose may answer 404 or 403 (the browser logs its status): that
        # is the page a person sees, not a fault in it. Fetches and assets get no such pass.
        if request.is_navigation_request():
            self.visited.add(request.url)

    def on_console(self, message) -> None:
        if self.test_done or message.type not in ("error", "assert"):
            return
        url = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and url in self.visited:
            return
        self.errors.append(f"{message.text} ({url})")

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """What a page logs once the test is over (its database torn down under a poll) is not the page's fault."""
    try:
        return (yield)
    finally:
        watched = item.funcargs.get("console")
        if isinstance(watched, Console):
            watched.test_done = True


@pytest.fixture(autouse=True)
def console(monkeypatch):
    """Every browser test fails on a console error, an uncaught exception or a CSP violation,
    in every context it opens (pytest-playwright's page and any made with browser.new_context)."""
    watched = Console()
    new_context = Browser.new_context

    def new_watched_context(self, *args, **kwargs):
        context = new_context(self, *args, **kwargs)
        watched.watch(context)
        return context

    monkeypatch.setattr(Browser, "new_context", new_watched_context)
    yield watched
    unexpected = watched.unexpected()
    assert not unexpected, "the browser console reported errors:\n" + "\n".join(unexpected)


@pytest.fixture(autouse=True)
def empty_cache():
    """Rendered board cells are cached per mapping id and version; ids come back after a flush."""
    cache.clear()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Danish UI whatever the machine's locale; a projector-ish viewport.
    return {**browser_context_args, "locale": "da-DK", "viewport": {"width": 1600, "height": 1000}}


@pytest.fixture
def board_mapping(transactional_db, organisation, facilitator, amo):
    return create_example(organisation)


def sign_in(page: Page, live_server, username: str) -> None:
    """Through the real login form, as a person would."""
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill("pw-" + username)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def open_board(page: Page, live_server, mapping, username: str = "facilitator") -> Page:
    sign_in(page, live_server, username)
    page.goto(live_server.url + mapping.get_absolute_url())
    return page


@pytest.fixture
def board_page(page, live_server, board_mapping):
    return open_board(page, live_server, board_mapping)
