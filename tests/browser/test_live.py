"""Two people on one board: changes arrive within seconds and never wipe an open editor."""

import pytest
from playwright.sync_api import expect

from .conftest import open_board


@pytest.fixture
def two_boards(browser, browser_context_args, live_server, board_mapping):
    contexts = [browser.new_context(**browser_context_args) for _ in range(2)]
    pages = [
        open_board(context.new_page(), live_server, board_mapping, username)
        for context, username in zip(contexts, ["facilitator", "amo"], strict=True)
    ]
    yield pages
    for context in contexts:
        context.close()


def add(page, cell_id: str, title: str) -> None:
    cell = page.locator(f"#{cell_id}")
    cell.locator("input[name=title]").fill(title)
    cell.get_by_role("button", name="Sæt på tavlen").click()
    expect(cell.locator("li.card", has_text=title)).to_be_visible()
    # Focus comes back to an empty field, ready for the next one; wait for it
    # before typing elsewhere.
    expect(cell.locator("input[name=title]")).to_be_focused()
    expect(cell.locator("input[name=title]")).to_have_value("")


def test_a_change_in_one_browser_shows_in_the_other(two_boards):
    a, b = two_boards
    add(a, "cell-ledelse-struktur", "Lederforum hver måned")
    expect(b.locator("#cell-ledelse-struktur li.card", has_text="Lederforum hver måned")).to_be_visible(timeout=3000)


def test_an_open_editor_survives_a_change_to_its_cell(two_boards, board_mapping):
    a, b = two_boards
    edited = board_mapping.initiatives.get(title="Teammøder")  # Gruppe · Struktur
    b.locator(f'[data-initiative="{edited.pk}"] a.card-title').click()
    editor = b.locator(f"#editor-{edited.pk}")
    description = editor.get_by_label("Beskrivelse")
    description.fill("Hver tirsdag, med fast punkt om arbejdsmiljø")

    add(a, "cell-gruppe-struktur", "Fælles kalender")
    add(a, "cell-individ-kultur", "Gåture i frokosten")
    # B has polled since A's changes (the other cell arrived) ...
    expect(b.locator("#cell-individ-kultur li.card", has_text="Gåture i frokosten")).to_be_visible(timeout=3000)
    # ... yet its editor, and what was typed in it, is untouched.
    expect(description).to_have_value("Hver tirsdag, med fast punkt om arbejdsmiljø")
    expect(editor).to_be_visible()

    editor.get_by_role("button", name="Gem", exact=True).click()
    expect(b.locator("#editor-panel")).to_be_empty()
    edited.refresh_from_db()
    assert edited.description == "Hver tirsdag, med fast punkt om arbejdsmiljø"
    # The skipped cell catches up once the editor is closed.
    expect(b.locator("#cell-gruppe-struktur li.card", has_text="Fælles kalender")).to_be_visible(timeout=3000)


def test_a_save_that_lost_the_race_shows_both_versions(two_boards, board_mapping, console):
    console.allow(r"status of 409 \(Conflict\)")  # the browser's own log of the conflict answer
    a, b = two_boards
    edited = board_mapping.initiatives.get(title="Teammøder")
    editors = []
    for page in (a, b):
        page.locator(f'[data-initiative="{edited.pk}"] a.card-title').click()
        editors.append(page.locator(f"#editor-{edited.pk}"))
    editors[0].get_by_label("Ansvarlig").fill("Teamleder")
    editors[0].get_by_role("button", name="Gem", exact=True).click()
    expect(a.locator("#editor-panel")).to_be_empty()

    editors[1].get_by_label("Ansvarlig").fill("AMO")
    editors[1].get_by_role("button", name="Gem", exact=True).click()
    # htmx swaps the 409 answer: the editor stays open with the comparison and the typed text.
    conflict = b.locator(f"#editor-{edited.pk} .conflict")
    expect(conflict).to_contain_text("En anden har gemt kortet")
    # Focus (and so the view) goes to the explanation and the comparison, not to a button below them.
    expect(b.locator(f"#editor-{edited.pk} .conflict-wrap")).to_be_focused()
    assert conflict.evaluate(
        "el => el.getBoundingClientRect().top >= 0 && el.getBoundingClientRect().top < innerHeight"
    )
    expect(conflict.locator("tr", has_text="Ansvarlig")).to_contain_text("Teamleder")
    expect(conflict.locator("tr", has_text="Ansvarlig")).to_contain_text("AMO")
    expect(b.locator(f"#editor-{edited.pk}").get_by_label("Ansvarlig")).to_have_value("AMO")
    edited.refresh_from_db()
    assert edited.owner == "Teamleder"
