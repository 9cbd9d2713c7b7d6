"""Browser tests: a live server, the system Chromium (see tests/conftest.py), signed-in pages."""

import os

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

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
