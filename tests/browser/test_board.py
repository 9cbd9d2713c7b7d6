"""The board in a real browser: add, edit in place, move by drag and by keyboard, link, delete and undo."""

from playwright.sync_api import expect


def card(page, initiative):
    return page.locator(f'[data-initiative="{initiative.pk}"]')


def open_editor(page, initiative):
    card(page, initiative).locator("a.card-title").click()
    editor = page.locator(f"#initiative-{initiative.pk}.is-editing")
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
    # The editor replaces the card where it stood, inside the same cell.
    expect(cell.locator(f"#initiative-{added.pk}.is-editing")).to_be_visible()
    editor.get_by_label("Titel").fill("Fredagskaffe med ledelsen")
    editor.get_by_role("button", name="Gem", exact=True).click()
    expect(cell.locator(f'[data-initiative="{added.pk}"]:not(.is-editing)')).to_contain_text(
        "Fredagskaffe med ledelsen"
    )
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
    editor = page.locator(f"#initiative-{moved.pk}.is-editing")
    expect(editor).to_be_visible()

    editor.get_by_role("button", name="Op").click()
    expect(page.locator("#cards-individ-struktur > li").first).to_have_attribute("data-initiative", str(moved.pk))
    moved.refresh_from_db()
    assert moved.position == 0

    editor = page.locator(f"#initiative-{moved.pk}.is-editing")
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
    undo = card(page, doomed).get_by_role("button", name="Fortryd")
    expect(undo).to_be_focused()
    expect(page.locator("#trash")).to_contain_text("Mentorordning")
    doomed.refresh_from_db()
    assert doomed.deleted_at is not None

    undo.click()
    expect(page.locator(f"#cell-individ-kultur [data-initiative='{doomed.pk}'] a.card-title")).to_be_visible()
    expect(page.locator("#trash")).not_to_contain_text("Mentorordning")
    doomed.refresh_from_db()
    assert doomed.deleted_at is None


def test_it_renames_a_purpose_in_the_panel_and_shows_a_rename_that_lost_the_race(board_page, board_mapping):
    from mapping.models import Purpose

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
