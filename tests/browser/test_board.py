"""The board in a real browser: add, edit in place, move by drag and by keyboard, link, delete and undo."""

from django.db import models
from playwright.sync_api import expect


def card(page, initiative):
    return page.locator(f'[data-initiative="{initiative.pk}"]')


def open_editor(page, initiative):
    card(page, initiative).locator("a.card-title").click()
    editor = page.locator(f"#editor-{initiative.pk}")
    expect(editor).to_be_visible()
    return editor


def test_it_adds_and_edits_a_card_in_place(board_page, board_mapping):
    page = board_page
    cell = page.locator("#cell-gruppe-kultur")
    cell.get_by_label("Ny indsats i Gruppe · Kultur").fill("Fredagskaffe")
    cell.get_by_role("button", name="Sæt på tavlen").click()
    expect(cell.locator("li.card", has_text="Fredagskaffe")).to_be_visible()
    added = board_mapping.initiatives.get(title="Fredagskaffe")
    assert (added.level, added.dimension) == ("gruppe", "kultur")

    editor = open_editor(page, added)
    # The editor opens in the panel beside the grid, focused; the card stays in its cell.
    expect(page.locator(f"#editor-panel #editor-{added.pk}")).to_be_visible()
    expect(editor.get_by_role("heading", name="Fredagskaffe")).to_be_focused()
    expect(cell.locator(f"#initiative-{added.pk}")).to_be_visible()
    editor.get_by_label("Titel").fill("Fredagskaffe med ledelsen")
    editor.get_by_role("button", name="Gem", exact=True).click()
    expect(cell.locator(f"#initiative-{added.pk}")).to_contain_text("Fredagskaffe med ledelsen")
    added.refresh_from_db()
    assert added.title == "Fredagskaffe med ledelsen"
    assert added.version == 2


def test_it_moves_a_card_by_drag_and_drop(board_page, board_mapping):
    page = board_page
    dragged = board_mapping.initiatives.get(title="Kollegial sparring")
    target = board_mapping.initiatives.get(title="Arbejdsfordelingsprincipper")
    with page.expect_response(lambda response: response.url.endswith(f"/i/{dragged.pk}/move/")) as moved:
        card(page, dragged).drag_to(card(page, target))
    assert moved.value.ok
    expect(page.locator(f"#cell-gruppe-struktur [data-initiative='{dragged.pk}']")).to_be_visible()
    expect(page.locator(f"#cell-individ-kultur [data-initiative='{dragged.pk}']")).to_have_count(0)
    dragged.refresh_from_db()
    assert (dragged.level, dragged.dimension) == ("gruppe", "struktur")
    in_cell = list(
        board_mapping.initiatives.active()
        .in_cell("gruppe", "struktur")
        .order_by("position")
        .values_list("pk", flat=True)
    )
    assert in_cell.index(dragged.pk) in (0, 1, 2)  # dropped near the second card, not appended


def test_it_moves_a_card_with_the_keyboard(board_page, board_mapping):
    page = board_page
    moved = board_mapping.initiatives.get(title="Kompetenceudvikling")  # second in Individ · Struktur
    card(page, moved).locator("a.card-title").focus()
    page.keyboard.press("Enter")
    editor = page.locator(f"#editor-{moved.pk}")
    expect(editor).to_be_visible()

    editor.get_by_role("button", name="Op").click()
    expect(page.locator("#cards-individ-struktur > li").first).to_have_attribute("data-initiative", str(moved.pk))
    moved.refresh_from_db()
    assert moved.position == 0

    editor = page.locator(f"#editor-{moved.pk}")
    editor.get_by_label("Flyt til celle").select_option("ledelse:kultur")
    editor.get_by_role("button", name="Flyt", exact=True).click()
    expect(page.locator(f"#cell-ledelse-kultur [data-initiative='{moved.pk}']")).to_be_visible()
    expect(page.locator(f"#cell-individ-struktur [data-initiative='{moved.pk}']")).to_have_count(0)
    moved.refresh_from_db()
    assert (moved.level, moved.dimension) == ("ledelse", "kultur")


def test_it_links_two_cards_across_levels(board_page, board_mapping):
    page = board_page
    source = board_mapping.initiatives.get(title="Sociale arrangementer")  # Gruppe · Kultur
    target = board_mapping.initiatives.get(title="Synlig ledelse")  # Ledelse · Kultur
    editor = open_editor(page, source)
    editor.get_by_label("Forbind til").select_option(str(target.pk))
    editor.get_by_role("button", name="Forbind").click()
    links = page.locator(f"#links-{source.pk}")
    expect(links.locator("li", has_text="Synlig ledelse")).to_contain_text("på tværs af niveauer")
    assert source.outgoing_links.filter(target=target).exists()
    expect(card(page, target)).to_contain_text("1 forbindelse")


def test_it_deletes_a_card_and_undoes_it(board_page, board_mapping):
    page = board_page
    doomed = board_mapping.initiatives.get(title="Mentorordning")
    editor = open_editor(page, doomed)
    editor.get_by_role("button", name="Slet indsats").click()
    # The card leaves its cell; the undo waits in the panel, where no live update can take it away.
    expect(card(page, doomed)).to_have_count(0)
    undo = page.locator("#editor-panel").get_by_role("button", name="Fortryd")
    expect(undo).to_be_focused()
    expect(page.locator("#trash")).to_contain_text("Mentorordning")
    doomed.refresh_from_db()
    assert doomed.deleted_at is not None

    undo.click()
    expect(page.locator(f"#cell-individ-kultur [data-initiative='{doomed.pk}'] a.card-title")).to_be_focused()
    expect(page.locator("#editor-panel")).to_be_empty()
    expect(page.locator("#trash")).not_to_contain_text("Mentorordning")
    doomed.refresh_from_db()
    assert doomed.deleted_at is None


def test_it_renames_a_purpose_in_the_panel_and_shows_a_rename_that_lost_the_race(board_page, board_mapping, console):
    from mapping.models import Purpose

    console.allow(r"status of 409 \(Conflict\)")  # the browser's own log of the conflict answer

    page = board_page
    with board_mapping.change():
        purpose = Purpose.objects.create(mapping=board_mapping, title="Trivsel")
    page.reload()
    panel = page.locator("#purposes")
    panel.get_by_role("link", name="Omdøb Trivsel").click()
    field = panel.get_by_label("Nyt navn")
    expect(field).to_be_focused()
    field.fill("Trivsel og tryghed")
    panel.get_by_role("button", name="Gem").click()
    expect(panel.get_by_role("link", name="Trivsel og tryghed", exact=True)).to_be_visible()
    purpose.refresh_from_db()
    assert purpose.title == "Trivsel og tryghed"

    panel.get_by_role("link", name="Omdøb Trivsel og tryghed").click()
    expect(panel.get_by_label("Nyt navn")).to_be_focused()
    Purpose.objects.filter(pk=purpose.pk).update(title="Arbejdsglæde")  # someone else, meanwhile
    panel.get_by_label("Nyt navn").fill("Tryghed")
    panel.get_by_role("button", name="Gem").click()
    expect(panel.locator(".conflict")).to_contain_text("En anden har omdøbt formålet")
    expect(panel.locator(".conflict tr", has_text="Formål")).to_contain_text("Arbejdsglæde")
    expect(panel.get_by_label("Nyt navn")).to_have_value("Tryghed")
    purpose.refresh_from_db()
    assert purpose.title == "Arbejdsglæde"


# The room test (issue 12): the whole grid at a glance, big type for a projector, a keyboard path.


def inside(box, width: int, height: int) -> bool:
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height


def test_the_overview_shows_the_whole_example_grid_on_a_laptop(board_page, board_mapping):
    page = board_page
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(page.url.split("?")[0] + "?density=overview")
    cards = page.locator(".board li.card")
    expect(cards).to_have_count(38)
    outside = [card.inner_text() for card in cards.all() if not inside(card.bounding_box(), 1366, 768)]
    assert outside == []
    assert page.evaluate("window.scrollY") == 0


def test_the_projector_density_has_titles_readable_across_a_room(board_page):
    page = board_page
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(page.url.split("?")[0] + "?density=projector")
    sizes = page.eval_on_selector_all(
        ".board a.card-title", "links => links.map(a => parseFloat(getComputedStyle(a).fontSize))"
    )
    assert len(sizes) == 38
    assert min(sizes) >= 24
    # The choice is remembered: the next visit without the parameter is still the projector.
    page.goto(page.url.split("?")[0])
    expect(page.locator("body.density-projector")).to_have_count(1)


def test_nothing_scrolls_sideways_on_a_phone(board_page, board_mapping):
    page = board_page
    page.set_viewport_size({"width": 360, "height": 740})
    base = page.url.split("?")[0]
    for density in ("overview", "details", "projector"):
        page.goto(f"{base}?density={density}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, density
    open_editor(page, board_mapping.initiatives.get(title="Ledermøder"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")


def tab_to(page, locator, limit: int = 40) -> None:
    """Tab forward until the locator has focus; focus never leaves the editor on the way."""
    for _ in range(limit):
        if locator.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
        assert page.evaluate("document.getElementById('editor-panel').contains(document.activeElement)")
    raise AssertionError(f"never reached {locator}")


def test_the_keyboard_alone_opens_edits_saves_moves_and_links_a_card(board_page, board_mapping):
    page = board_page
    moved = board_mapping.initiatives.get(title="Kollegial sparring")  # Individ · Kultur
    title = card(page, moved).locator("a.card-title")
    title.focus()

    # Open: focus goes into the editor, to its heading.
    page.keyboard.press("Enter")
    editor = page.locator(f"#editor-{moved.pk}")
    expect(editor.get_by_role("heading", name="Kollegial sparring")).to_be_focused()

    # Edit and save: focus comes back to the card.
    tab_to(page, editor.get_by_label("Titel"))
    page.keyboard.press("End")
    page.keyboard.type(" i teamet")
    page.keyboard.press("Enter")
    expect(page.locator("#editor-panel")).to_be_empty()
    expect(title).to_be_focused()
    expect(title).to_have_text("Kollegial sparring i teamet")
    moved.refresh_from_db()
    assert moved.title == "Kollegial sparring i teamet"

    # Move: the move button, arrows to choose the cell (announced), Enter moves it.
    page.keyboard.press("Enter")
    expect(editor.locator("h2.editor-title")).to_be_focused()
    move = editor.get_by_role("button", name="Flyt …")
    tab_to(page, move)
    page.keyboard.press("Enter")
    expect(page.locator("#board-announce")).to_contain_text("Individ · Kultur")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#board-announce")).to_contain_text("Gruppe · Kultur")
    expect(page.locator("#cell-gruppe-kultur.is-move-target")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator(f"#cell-gruppe-kultur [data-initiative='{moved.pk}']")).to_be_visible()
    expect(editor.get_by_role("button", name="Flyt …")).to_be_focused()
    moved.refresh_from_db()
    assert (moved.level, moved.dimension) == ("gruppe", "kultur")

    # Link: the other card chosen in the list by typing, then Forbind; focus stays in the links.
    target = board_mapping.initiatives.get(title="Synlig ledelse")
    other = editor.get_by_label("Forbind til")
    tab_to(page, other)
    page.keyboard.type("Synlig")
    expect(other).to_have_value(str(target.pk))
    tab_to(page, editor.get_by_role("button", name="Forbind", exact=True))
    page.keyboard.press("Enter")
    expect(editor.locator(f"#links-{moved.pk} li", has_text="Synlig ledelse")).to_be_visible()
    expect(editor.get_by_label("Forbind til")).to_be_focused()
    assert moved.outgoing_links.filter(target=target).exists()

    # Escape closes the editor, focus back on the card.
    page.keyboard.press("Escape")
    expect(page.locator("#editor-panel")).to_be_empty()
    expect(card(page, moved).locator("a.card-title")).to_be_focused()


def test_a_link_can_start_from_the_board_by_picking_the_other_card(board_page, board_mapping):
    page = board_page
    source = board_mapping.initiatives.get(title="Teammøder")
    target = board_mapping.initiatives.get(title="Husmøder")
    editor = open_editor(page, source)
    editor.get_by_role("button", name="Vælg på tavlen").click()
    card(page, target).locator("a.card-title").click()
    expect(editor.get_by_label("Forbind til")).to_have_value(str(target.pk))
    expect(page.locator(f"#editor-{target.pk}")).to_have_count(0)  # picking does not open the card
    editor.get_by_role("button", name="Forbind", exact=True).click()
    expect(editor.locator(f"#links-{source.pk} li", has_text="Husmøder")).to_be_visible()


def test_a_click_right_after_saving_opens_the_card(board_page, board_mapping):
    """The click race: saving moves the version, so the next poll replaces every cell;
    a click landing then must still open the card."""
    page = board_page
    titles = ["Teammøder", "Husmøder", "Mentorordning", "Synlig ledelse", "Trivselsmålinger", "Teammøder"]
    for edited, clicked in zip(titles, titles[1:], strict=False):
        a = board_mapping.initiatives.get(title=edited)
        b = board_mapping.initiatives.get(title=clicked)
        editor = open_editor(page, a)
        editor.get_by_label("Ansvarlig").fill(f"Ansvarlig for {clicked}")
        editor.get_by_role("button", name="Gem", exact=True).click()
        # At once: no waiting for the save or a poll. One click event, not a mouse press and
        # release: the save's answer closes the panel and reflows the board, and on a slow
        # machine that reflow can fall between the two, so the click lands beside the card.
        card(page, b).locator("a.card-title").dispatch_event("click")
        expect(page.locator(f"#editor-{b.pk}")).to_be_visible()
        # Focus is in the new editor whatever order the two answers came in.
        expect(page.locator(f"#editor-title-{b.pk}")).to_be_focused()
        page.keyboard.press("Escape")
        expect(page.locator("#editor-panel")).to_be_empty()


def test_links_are_drawn_for_the_open_card_and_all_at_once_on_request(board_page, board_mapping):
    page = board_page
    ledermoder = board_mapping.initiatives.get(title="Ledermøder")
    linked = {link.source_id for link in ledermoder.incoming_links.all()} | {
        link.target_id for link in ledermoder.outgoing_links.all()
    }
    assert linked
    expect(page.locator("#link-lines")).to_have_count(0)
    open_editor(page, ledermoder)
    # The open card's links: its linked cards marked (not by colour alone: a dashed outline) and lines drawn.
    expect(page.locator("li.card.is-linked")).to_have_count(len(linked))
    expect(page.locator("#link-lines path.link-line")).to_have_count(len(linked))
    page.keyboard.press("Escape")
    expect(page.locator("#link-lines")).to_have_count(0)

    toggle = page.get_by_role("button", name="Vis forbindelser")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    total = board_mapping.links.count()
    expect(page.locator("#link-lines path.link-line")).to_have_count(total)
    expect(page.locator("#link-lines text.link-label")).to_have_count(total)
    # Struktur <-> kultur is dashed, across levels solid: told apart without colour.
    dashed = board_mapping.links.exclude(source__dimension=models.F("target__dimension")).count()
    expect(page.locator("#link-lines path.link-line.is-dimension")).to_have_count(dashed)
    assert page.locator("#link-lines path.link-line.is-dimension").first.evaluate(
        "el => getComputedStyle(el).strokeDasharray"
    ) not in ("none", "")
    toggle.click()
    expect(page.locator("#link-lines")).to_have_count(0)
