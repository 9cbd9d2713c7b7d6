"""In a browser: start the next round, change it on the board, and read what changed."""

import os
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from mapping.example import create_example

# Where the screenshot of the comparison goes, to look at it (SHOTS_DIR, else the temp folder).
SHOTS = Path(os.environ.get("SHOTS_DIR", tempfile.gettempdir())) / "iglo-shots"


@pytest.fixture
def example_round(transactional_db, organisation, facilitator):
    mapping = create_example(organisation)
    mapping.title = "Kortlægning 2026"
    mapping.save()
    return mapping


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill("pw-" + username)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_new_round_is_changed_and_compared(page: Page, live_server, example_round):
    old = example_round
    page.set_viewport_size({"width": 1920, "height": 1080})
    sign_in(page, live_server, "facilitator")
    page.goto(f"{live_server.url}/o/{old.organisation.slug}/m/{old.pk}/discussion/")
    page.get_by_role("button", name="Start næste runde").click()
    new = old.organisation.mappings.get(predecessor=old)
    page.wait_for_url(f"**/m/{new.pk}/")
    expect(page.locator("h1")).to_contain_text("Kortlægning 2027")
    # A new card in Individ · kultur, with the keyboard.
    field = page.get_by_label("Ny indsats i Individ · Kultur")
    field.fill("Mentorordning for nye kolleger")
    field.press("Enter")
    expect(page.locator("#cards-individ-kultur")).to_contain_text("Mentorordning for nye kolleger")
    page.get_by_role("link", name="Sammenlign med sidste runde").click()
    page.wait_for_url(f"**/compare/{old.pk}/")
    expect(page.locator("h1")).to_contain_text("Fra Kortlægning 2026 til Kortlægning 2027")
    added = page.locator("section", has=page.locator("#cmp-initiatives")).locator(".is-added")
    expect(added).to_contain_text("Mentorordning for nye kolleger")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "compare-1920.png"))
    # The old round reads, with no edit controls and a note that says why.
    page.goto(f"{live_server.url}/o/{old.organisation.slug}/m/{old.pk}/")
    expect(page.locator(".round-note")).to_contain_text("kan kun læses")
    expect(page.locator(".add-form")).to_have_count(0)
