"""The board page and everything edited on it: cards, moves, deletes, links, purposes."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mapping.forms import LinkForm, PurposeForm
from mapping.levels import LEVEL_HINTS
from mapping.models import Level, Link, Mapping, Purpose

from .conftest import HTMX, add_card, fill_mapping


def url(name: str, mapping, *args) -> str:
    return reverse(f"mapping:{name}", args=[mapping.organisation.slug, mapping.pk, *args])


def text(response) -> str:
    return response.content.decode()


def version_of(mapping) -> int:
    mapping.refresh_from_db()
    return mapping.version


def cell(mapping, level: str, dimension: str) -> list[str]:
    cards = mapping.initiatives.active().in_cell(level, dimension).order_by("position", "id")
    return [c.title for c in cards]


# The board page


def test_the_board_shows_the_eight_cells_and_the_cards(member_client, mapping):
    add_card(mapping, "Medarbejdersamtaler", "individ", "struktur")
    add_card(mapping, "Fredagsbar", "organisation", "kultur")
    response = member_client.get(mapping.get_absolute_url())
    assert response.status_code == 200
    body = text(response)
    for level in ["individ", "gruppe", "ledelse", "organisation"]:
        for dimension in ["struktur", "kultur"]:
            assert f'id="cell-{level}-{dimension}"' in body
    assert "Medarbejdersamtaler" in body and "Fredagsbar" in body
    assert body.index("Medarbejdersamtaler") < body.index("Fredagsbar")


def test_a_member_sees_the_board_without_edit_controls(member_client, mapping):
    add_card(mapping, "MUS")
    body = text(member_client.get(mapping.get_absolute_url()))
    assert "data-sortable" not in body
    assert "add-individ-struktur" not in body
    assert "data-move-url" not in body


def test_an_editor_sees_the_add_forms_and_can_drag(amo_client, mapping):
    add_card(mapping, "MUS")
    body = text(amo_client.get(mapping.get_absolute_url()))
    assert 'id="add-individ-struktur"' in body
    assert "data-sortable" in body
    assert "data-move-url" in body


def test_the_board_hides_deleted_cards_and_lists_them_under_deleted(member_client, mapping):
    add_card(mapping, "Synlig")
    add_card(mapping, "Væk", deleted_at="2026-01-01T00:00:00Z")
    body = text(member_client.get(mapping.get_absolute_url()))
    trash = body[body.index('id="trash"') :]
    grid = body[: body.index('id="trash"')]
    assert "Synlig" in grid and "Væk" not in grid
    assert "Væk" in trash


def test_the_board_shows_a_cards_purposes_effect_and_link_count(member_client, mapping):
    a = add_card(mapping, "Trivselsmåling", effect="clear")
    b = add_card(mapping, "Ledermøder", "ledelse", "struktur")
    c = add_card(mapping, "Slettet", deleted_at="2026-01-01T00:00:00Z")
    a.set_purposes([Purpose.objects.create(mapping=mapping, title="Opfølgning")])
    Link.objects.create(mapping=mapping, source=a, target=b)
    Link.objects.create(mapping=mapping, source=c, target=a)
    body = text(member_client.get(mapping.get_absolute_url()))
    card = body[body.index(f'id="initiative-{a.pk}"') : body.index(f'id="initiative-{b.pk}"')]
    assert "Opfølgning" in card
    assert "Tydelig effekt" in card
    assert "1 forbindelse<" in card


def test_every_way_a_card_is_printed_counts_its_links_alike(amo_client, mapping):
    """The page, a cell after a move and a saved card (and the page rendered fresh: test_board_cache) each
    count a card's links either way, and not those whose other end is deleted."""
    a = add_card(mapping, "Trivselsmåling")
    b = add_card(mapping, "Ledermøder", "ledelse", "struktur")
    c = add_card(mapping, "Fredagsbar", "organisation", "kultur")
    gone = add_card(mapping, "Slettet", deleted_at="2026-01-01T00:00:00Z")
    for source, target in ((a, b), (c, a), (a, gone)):
        Link.objects.create(mapping=mapping, source=source, target=target)

    def count_in(html: str, card) -> str:
        start = html.index(f'id="initiative-{card.pk}"')
        return re.search(r'<span class="link-count[^"]*">([^<]*)<', html[start:]).group(1)

    page = text(amo_client.get(mapping.get_absolute_url()))
    assert [count_in(page, card) for card in (a, b, c)] == ["2 forbindelser", "1 forbindelse", "1 forbindelse"]
    moved = text(amo_client.post(url("initiative-move", mapping, b.pk), {"cell": "gruppe:kultur"}, headers=HTMX))
    assert count_in(moved, b) == "1 forbindelse"
    saved = text(amo_client.post(url("initiative-update", mapping, a.pk), edit(a, title="Trivsel"), headers=HTMX))
    assert count_in(saved, a) == "2 forbindelser"
    mapping.initiatives.filter(pk=gone.pk).update(deleted_at=None)  # restored: its link counts again
    with mapping.change():
        pass
    assert count_in(text(amo_client.get(mapping.get_absolute_url())), a) == "3 forbindelser"


def test_the_board_highlights_cards_with_a_chosen_purpose(member_client, mapping):
    purpose = Purpose.objects.create(mapping=mapping, title="Trivsel")
    match = add_card(mapping, "Match")
    add_card(mapping, "Andet")
    match.set_purposes([purpose])
    body = text(member_client.get(mapping.get_absolute_url(), {"purpose": purpose.pk}))
    assert "Fremhæver indsatser med formålet “Trivsel”" in body
    assert f'class="card is-match" id="initiative-{match.pk}"' in body
    assert "is-dimmed" in body


def test_the_board_can_show_only_cards_with_a_chosen_purpose(member_client, mapping):
    purpose = Purpose.objects.create(mapping=mapping, title="Trivsel")
    add_card(mapping, "Match").set_purposes([purpose])
    add_card(mapping, "Andet")
    body = text(member_client.get(mapping.get_absolute_url(), {"purpose": purpose.pk, "only": "1"}))
    assert "Match" in body and "Andet" not in body


def test_an_unknown_purpose_filter_shows_the_whole_board(member_client, mapping):
    add_card(mapping, "Andet")
    response = member_client.get(mapping.get_absolute_url(), {"purpose": "nonsense", "only": "1"})
    assert response.status_code == 200
    assert "Andet" in text(response)


def test_the_board_refuses_a_post(facilitator_client, mapping):
    assert facilitator_client.post(mapping.get_absolute_url()).status_code == 405


def board_queries(client, mapping, cached: bool = False, **params) -> int:
    cache.clear()
    if cached:
        client.get(mapping.get_absolute_url(), params)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(mapping.get_absolute_url(), params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("only", ["", "1"])
def test_board_queries_are_few_and_do_not_grow_with_the_cards(
    amo_client, organisation, django_assert_max_num_queries, only
):
    small, large = organisation.mappings.create(title="Lille"), organisation.mappings.create(title="Stor")
    fill_mapping(small, 10)
    fill_mapping(large, 500)
    with django_assert_max_num_queries(10):
        amo_client.get(small.get_absolute_url())
    with django_assert_max_num_queries(10):
        response = amo_client.get(large.get_absolute_url())
    assert "Indsats 498" in text(response)
    assert board_queries(amo_client, small) == board_queries(amo_client, large)
    assert board_queries(amo_client, small, cached=True) == board_queries(amo_client, large, cached=True)
    filtered = [board_queries(amo_client, m, purpose=m.purposes.first().pk, only=only) for m in (small, large)]
    assert filtered[0] == filtered[1] <= 10


# Adding a card


def test_it_adds_a_card_at_the_end_of_its_cell(amo_client, mapping):
    add_card(mapping, "Først", "gruppe", "kultur")
    before = version_of(mapping)
    response = amo_client.post(
        url("initiative-create", mapping),
        {"title": "  Fredagsbar ", "level": "gruppe", "dimension": "kultur"},
        headers=HTMX,
    )
    assert response.status_code == 200
    card = mapping.initiatives.get(title="Fredagsbar")
    assert (card.level, card.dimension, card.position) == ("gruppe", "kultur", 1)
    assert 'id="cards-gruppe-kultur"' in text(response)
    assert 'id="add-gruppe-kultur"' in text(response)
    assert 'hx-swap-oob="true"' in text(response)
    assert "Fredagsbar" in text(response)
    assert version_of(mapping) == before + 1


def test_adding_without_javascript_redirects_to_the_new_card(amo_client, mapping):
    response = amo_client.post(
        url("initiative-create", mapping), {"title": "MUS", "level": "individ", "dimension": "struktur"}
    )
    card = mapping.initiatives.get()
    assert response.status_code == 302
    assert response.url == f"{mapping.get_absolute_url()}#initiative-{card.pk}"


@pytest.mark.parametrize("title", ["", "   "])
def test_it_refuses_an_empty_title_in_the_cells_form(amo_client, mapping, title):
    before = version_of(mapping)
    response = amo_client.post(
        url("initiative-create", mapping), {"title": title, "level": "ledelse", "dimension": "kultur"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#add-ledelse-kultur"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert 'id="add-ledelse-kultur"' in text(response)
    assert 'aria-invalid="true"' in text(response)
    assert "HX-Trigger" not in response.headers
    assert "Skriv en titel." in text(response) or "Dette felt er påkrævet." in text(response)
    assert not mapping.initiatives.exists()
    assert version_of(mapping) == before


def test_it_refuses_a_ten_thousand_character_title(amo_client, mapping):
    response = amo_client.post(
        url("initiative-create", mapping),
        {"title": "x" * 10_000, "level": "ledelse", "dimension": "kultur"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "højst have 200 tegn (den har 10000)" in text(response)
    assert not mapping.initiatives.exists()


@pytest.mark.parametrize(
    ("level", "dimension", "message"),
    [
        ("kælder", "kultur", "Ukendt niveau."),
        ("ledelse", "mellem", "Ukendt dimension (struktur eller kultur)."),
        ("", "kultur", "Dette felt er påkrævet."),
    ],
)
def test_it_refuses_an_unknown_cell_with_a_message_above_the_board(amo_client, mapping, level, dimension, message):
    response = amo_client.post(
        url("initiative-create", mapping), {"title": "MUS", "level": level, "dimension": dimension}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#board-errors"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert message in text(response)
    assert not mapping.initiatives.exists()


def test_bad_input_without_javascript_goes_back_to_the_board_with_a_message(amo_client, mapping):
    response = amo_client.post(
        url("initiative-create", mapping), {"title": "", "level": "kælder", "dimension": "kultur"}, follow=True
    )
    assert response.redirect_chain == [(mapping.get_absolute_url(), 302)]
    assert "Ukendt niveau." in text(response)
    assert not mapping.initiatives.exists()


# Opening a card


def test_a_card_opens_as_an_editor_in_the_panel(amo_client, mapping):
    card = add_card(mapping, "MUS", description="Én gang om året")
    response = amo_client.get(url("initiative-detail", mapping, card.pk), headers=HTMX)
    assert response.status_code == 200
    body = text(response)
    assert 'class="editor is-editing"' in body
    assert "<html" not in body
    assert 'name="version" value="1"' in body
    assert "Én gang om året" in body


def test_a_save_puts_the_card_back_in_its_cell_and_empties_the_panel(amo_client, mapping):
    card = add_card(mapping, "MUS")
    response = amo_client.post(url("initiative-update", mapping, card.pk), edit(card, title="MUS 2"), headers=HTMX)
    body = text(response).strip()
    # Out of band, found by its id whatever a poll swapped meanwhile; nothing else, so the panel empties.
    assert body.startswith('<li class="card" id="initiative-') and body.endswith("</li>")
    assert 'hx-swap-oob="true"' in body and "data-focus" in body and "MUS 2" in body


def test_the_editor_offers_the_move_button_and_focuses_its_heading(amo_client, mapping):
    card = add_card(mapping, "MUS")
    body = text(amo_client.get(url("initiative-detail", mapping, card.pk), headers=HTMX))
    assert f'id="editor-title-{card.pk}" tabindex="-1" data-focus' in body
    assert 'class="button-small move-button" hidden' in body  # shown by iglo.js: the arrow keys need it


def test_a_card_has_its_own_page_without_javascript(amo_client, mapping):
    card = add_card(mapping, "MUS")
    response = amo_client.get(url("initiative-detail", mapping, card.pk))
    assert response.status_code == 200
    assert "<html" in text(response)
    assert "Tilbage til tavlen" in text(response)


def test_a_member_sees_the_card_read_only(member_client, mapping):
    card = add_card(mapping, "MUS", owner="Ledergruppen")
    body = text(member_client.get(url("initiative-detail", mapping, card.pk), headers=HTMX))
    assert "Ledergruppen" in body
    assert "editor-form" not in body
    assert "Slet indsats" not in body


def test_a_deleted_card_or_a_card_of_another_mapping_is_not_found(amo_client, mapping, organisation):
    other = organisation.mappings.create(title="Anden")
    foreign = add_card(other, "Fremmed")
    gone = add_card(mapping, "Væk", deleted_at="2026-01-01T00:00:00Z")
    assert amo_client.get(url("initiative-detail", mapping, foreign.pk)).status_code == 404
    assert amo_client.get(url("initiative-detail", mapping, gone.pk)).status_code == 404
    assert amo_client.get(url("initiative-detail", mapping, 999_999)).status_code == 404


# Editing a card


def edit(card, **changes) -> dict:
    data = {
        "title": card.title,
        "description": card.description,
        "effect": card.effect,
        "status": card.status,
        "owner": card.owner,
        "cadence": card.cadence,
        "reviewed_at": "",
        "version": card.version,
    }
    data.update(changes)
    return data


def test_it_saves_an_edit_and_sends_the_card(amo_client, mapping):
    card = add_card(mapping, "MUS")
    purpose = Purpose.objects.create(mapping=mapping, title="Udvikling")
    before = version_of(mapping)
    response = amo_client.post(
        url("initiative-update", mapping, card.pk),
        edit(card, title="MUS-samtaler", owner="Leder", effect="some", purposes=[purpose.pk], reviewed_at="2026-03-01"),
        headers=HTMX,
    )
    assert response.status_code == 200
    body = text(response)
    assert body.strip().startswith('<li class="card"')
    assert "MUS-samtaler" in body and "Udvikling" in body and "Nogen effekt" in body
    assert version_of(mapping) == before + 1
    card.refresh_from_db()
    assert (card.title, card.owner, card.effect, card.version) == ("MUS-samtaler", "Leder", "some", 2)
    assert str(card.reviewed_at) == "2026-03-01"
    assert list(card.purposes.all()) == [purpose]
    assert version_of(mapping) == before + 1


def test_an_edit_without_javascript_redirects_to_the_board(amo_client, mapping):
    card = add_card(mapping, "MUS")
    response = amo_client.post(url("initiative-update", mapping, card.pk), edit(card, title="Ny"), follow=True)
    assert response.redirect_chain == [(f"{mapping.get_absolute_url()}#initiative-{card.pk}", 302)]
    assert "Gemt." in text(response)
    card.refresh_from_db()
    assert card.title == "Ny"


def test_a_stale_edit_shows_both_versions_and_overwrites_nothing(amo_client, facilitator_client, mapping):
    card = add_card(mapping, "MUS")
    first = facilitator_client.post(
        url("initiative-update", mapping, card.pk), edit(card, title="Hendes titel"), headers=HTMX
    )
    assert first.status_code == 200
    before = version_of(mapping)
    response = amo_client.post(url("initiative-update", mapping, card.pk), edit(card, title="Min titel"), headers=HTMX)
    assert response.status_code == 409
    body = text(response)
    assert "En anden har gemt kortet" in body
    assert "<td>Hendes titel</td><td>Min titel</td>" in body
    assert 'name="title" value="Min titel"' in body
    assert 'name="version" value="2"' in body
    card.refresh_from_db()
    assert (card.title, card.version) == ("Hendes titel", 2)
    assert version_of(mapping) == before


def test_a_stale_edit_without_javascript_answers_conflict(amo_client, mapping):
    card = add_card(mapping, "MUS")
    mapping.initiatives.filter(pk=card.pk).update(title="Hendes titel", version=5)
    response = amo_client.post(url("initiative-update", mapping, card.pk), edit(card, title="Min titel", version=1))
    assert response.status_code == 409
    assert "<html" in text(response)
    assert "Hendes titel" in text(response) and "Min titel" in text(response)
    card.refresh_from_db()
    assert card.title == "Hendes titel"


def test_choosing_my_version_after_a_conflict_saves_it(amo_client, mapping):
    card = add_card(mapping, "MUS")
    mapping.initiatives.filter(pk=card.pk).update(title="Hendes titel", version=2)
    amo_client.post(url("initiative-update", mapping, card.pk), edit(card, title="Min titel", version=1), headers=HTMX)
    response = amo_client.post(
        url("initiative-update", mapping, card.pk), edit(card, title="Min titel", version=2), headers=HTMX
    )
    assert response.status_code == 200
    card.refresh_from_db()
    assert (card.title, card.version) == ("Min titel", 3)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "Dette felt er påkrævet."),
        ({"title": "x" * 10_000}, "højst have 200 tegn (den har 10000)"),
        ({"effect": "enormous"}, "Marker en gyldig valgmulighed."),
        ({"reviewed_at": "i går"}, "Indtast en gyldig dato."),
        ({"version": ""}, ""),
        ({"version": "zero"}, ""),
    ],
)
def test_it_refuses_a_bad_edit_in_the_editor(amo_client, mapping, changes, message):
    card = add_card(mapping, "MUS")
    response = amo_client.post(url("initiative-update", mapping, card.pk), edit(card, **changes), headers=HTMX)
    assert response.status_code == 200
    assert 'class="editor is-editing"' in text(response)
    assert message in text(response)
    assert "HX-Trigger" not in response.headers
    card.refresh_from_db()
    assert (card.title, card.version) == ("MUS", 1)


def test_it_refuses_a_purpose_of_another_mapping_in_an_edit(amo_client, mapping, organisation):
    other = organisation.mappings.create(title="Anden")
    foreign = Purpose.objects.create(mapping=other, title="Fremmed")
    card = add_card(mapping, "MUS")
    response = amo_client.post(
        url("initiative-update", mapping, card.pk), edit(card, purposes=[foreign.pk]), headers=HTMX
    )
    assert response.status_code == 200
    assert "Marker en gyldig valgmulighed." in text(response)
    assert not card.purposes.exists()


def test_a_deleted_card_cannot_be_edited(amo_client, mapping):
    card = add_card(mapping, "MUS", deleted_at="2026-01-01T00:00:00Z")
    response = amo_client.post(url("initiative-update", mapping, card.pk), edit(card, title="Ny"), headers=HTMX)
    assert response.status_code == 409
    assert "En anden har slettet kortet" in response.content.decode()
    card.refresh_from_db()
    assert card.title == "MUS"


# Moving a card


@pytest.fixture
def abc(mapping):
    return [add_card(mapping, t) for t in "ABC"]


def test_a_step_down_moves_the_card_one_place(amo_client, mapping, abc):
    before = version_of(mapping)
    response = amo_client.post(url("initiative-move", mapping, abc[0].pk), {"step": "1"}, headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Reswap"] == "none"
    assert version_of(mapping) == before + 1
    assert cell(mapping, "individ", "struktur") == ["B", "A", "C"]
    body = text(response)
    assert 'id="cards-individ-struktur"' in body and 'hx-swap-oob="true"' in body
    assert body.index(">B<") < body.index(">A<") < body.index(">C<")


def test_a_step_up_moves_the_card_one_place(amo_client, mapping, abc):
    amo_client.post(url("initiative-move", mapping, abc[2].pk), {"step": "-1"}, headers=HTMX)
    assert cell(mapping, "individ", "struktur") == ["A", "C", "B"]


def test_a_step_past_either_end_keeps_the_card_there(amo_client, mapping, abc):
    amo_client.post(url("initiative-move", mapping, abc[0].pk), {"step": "-1"}, headers=HTMX)
    amo_client.post(url("initiative-move", mapping, abc[2].pk), {"step": "1"}, headers=HTMX)
    assert cell(mapping, "individ", "struktur") == ["A", "B", "C"]
    assert [c.position for c in mapping.initiatives.order_by("position")] == [0, 1, 2]


def test_the_move_menu_puts_the_card_last_in_another_cell(amo_client, mapping, abc):
    add_card(mapping, "X", "ledelse", "kultur")
    response = amo_client.post(url("initiative-move", mapping, abc[0].pk), {"cell": "ledelse:kultur"}, headers=HTMX)
    assert response.status_code == 200
    assert cell(mapping, "ledelse", "kultur") == ["X", "A"]
    assert cell(mapping, "individ", "struktur") == ["B", "C"]
    assert [c.position for c in mapping.initiatives.in_cell("individ", "struktur").order_by("position")] == [0, 1]
    body = text(response)
    assert 'id="cards-ledelse-kultur"' in body and 'id="cards-individ-struktur"' in body


def test_a_drop_puts_the_card_at_the_index_of_the_cell(amo_client, mapping, abc):
    add_card(mapping, "X", "gruppe", "kultur")
    add_card(mapping, "Y", "gruppe", "kultur")
    response = amo_client.post(
        url("initiative-move", mapping, abc[1].pk),
        {"level": "gruppe", "dimension": "kultur", "index": "1"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert cell(mapping, "gruppe", "kultur") == ["X", "B", "Y"]
    assert cell(mapping, "individ", "struktur") == ["A", "C"]


def test_a_drop_within_the_cell_reorders_it(amo_client, mapping, abc):
    amo_client.post(
        url("initiative-move", mapping, abc[0].pk),
        {"level": "individ", "dimension": "struktur", "index": "2"},
        headers=HTMX,
    )
    assert cell(mapping, "individ", "struktur") == ["B", "C", "A"]


def test_a_move_from_the_editor_keeps_the_editor_open(amo_client, mapping, abc):
    response = amo_client.post(
        url("initiative-move", mapping, abc[0].pk), {"step": "1", "from": "editor"}, headers=HTMX
    )
    assert 'class="editor is-editing"' in text(response)
    assert cell(mapping, "individ", "struktur") == ["B", "A", "C"]


@pytest.mark.parametrize(
    "data",
    [
        {"cell": "kælder:kultur"},
        {"cell": "individ"},
        {"level": "kælder", "dimension": "kultur", "index": "0"},
        {"level": "individ", "dimension": "struktur", "index": "-1"},
        {"index": "first"},
        {"step": "5"},
    ],
)
def test_it_refuses_a_move_to_nowhere(amo_client, mapping, abc, data):
    before = version_of(mapping)
    response = amo_client.post(url("initiative-move", mapping, abc[0].pk), data, headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#board-errors"
    assert "HX-Trigger" not in response.headers
    assert cell(mapping, "individ", "struktur") == ["A", "B", "C"]
    assert version_of(mapping) == before


def test_a_move_without_javascript_redirects_to_the_card(amo_client, mapping, abc):
    response = amo_client.post(url("initiative-move", mapping, abc[0].pk), {"cell": "gruppe:struktur"})
    assert response.status_code == 302
    assert response.url == f"{mapping.get_absolute_url()}#initiative-{abc[0].pk}"
    assert cell(mapping, "gruppe", "struktur") == ["A"]


def test_a_bad_move_without_javascript_says_so(amo_client, mapping, abc):
    response = amo_client.post(url("initiative-move", mapping, abc[0].pk), {"cell": "kælder:kultur"}, follow=True)
    assert "Ugyldig placering." in text(response)
    assert cell(mapping, "individ", "struktur") == ["A", "B", "C"]


# Deleting and restoring


def test_deleting_a_card_is_soft_and_offers_undo(amo_client, mapping, abc):
    before = version_of(mapping)
    response = amo_client.post(url("initiative-delete", mapping, abc[1].pk), headers=HTMX)
    assert response.status_code == 200
    body = text(response)
    assert "“B” er slettet." in body
    assert url("initiative-restore", mapping, abc[1].pk) in body
    assert 'id="trash"' in body
    assert version_of(mapping) == before + 1
    abc[1].refresh_from_db()
    assert abc[1].deleted_at is not None
    assert cell(mapping, "individ", "struktur") == ["A", "C"]


def test_deleting_without_javascript_redirects_with_a_message(amo_client, mapping, abc):
    response = amo_client.post(url("initiative-delete", mapping, abc[1].pk), follow=True)
    assert response.redirect_chain == [(mapping.get_absolute_url(), 302)]
    assert "“B” er slettet. Du kan fortryde under “Slettet”." in text(response)


def test_restoring_puts_the_card_back_last_in_its_cell(amo_client, mapping, abc):
    amo_client.post(url("initiative-delete", mapping, abc[0].pk), headers=HTMX)
    before = version_of(mapping)
    response = amo_client.post(url("initiative-restore", mapping, abc[0].pk), headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Reswap"] == "none"
    assert version_of(mapping) == before + 1
    assert 'id="cards-individ-struktur"' in text(response) and 'id="trash"' in text(response)
    assert cell(mapping, "individ", "struktur") == ["B", "C", "A"]
    abc[0].refresh_from_db()
    assert abc[0].deleted_at is None


def test_restoring_without_javascript_redirects_to_the_card(amo_client, mapping, abc):
    amo_client.post(url("initiative-delete", mapping, abc[0].pk))
    response = amo_client.post(url("initiative-restore", mapping, abc[0].pk), follow=True)
    assert "“A” er tilbage på tavlen." in text(response)


def test_a_new_card_goes_last_even_after_deletes_left_gaps(amo_client, mapping, abc):
    add_card(mapping, "D")
    for card in abc[:2]:
        amo_client.post(url("initiative-delete", mapping, card.pk), headers=HTMX)
    amo_client.post(
        url("initiative-create", mapping), {"title": "E", "level": "individ", "dimension": "struktur"}, headers=HTMX
    )
    assert cell(mapping, "individ", "struktur") == ["C", "D", "E"]


def test_only_a_deleted_card_can_be_restored_and_only_once_deleted_cards_are_gone(amo_client, mapping, abc):
    assert amo_client.post(url("initiative-restore", mapping, abc[0].pk), headers=HTMX).status_code == 404
    amo_client.post(url("initiative-delete", mapping, abc[0].pk), headers=HTMX)
    assert amo_client.post(url("initiative-delete", mapping, abc[0].pk), headers=HTMX).status_code == 404


# Links


@pytest.fixture
def pair(mapping):
    return add_card(mapping, "Trivselsmåling", "organisation", "struktur"), add_card(
        mapping, "Ledermøder", "ledelse", "struktur"
    )


def test_it_links_two_cards_across_levels(amo_client, mapping, pair):
    source, target = pair
    before = version_of(mapping)
    response = amo_client.post(
        url("link-create", mapping, source.pk),
        {"target": target.pk, "kind": "followed_up_at", "note": "hvert kvartal"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.headers["HX-Reswap"] == "none"
    assert version_of(mapping) == before + 1
    link = mapping.links.get()
    assert (link.source, link.target, link.kind, link.note) == (source, target, "followed_up_at", "hvert kvartal")
    body = text(response)
    assert "følges op på" in body and "på tværs af niveauer" in body and "hvert kvartal" in body
    assert body.count("1 forbindelse<") == 2  # both cards, in their cells; the editor comes out of band
    assert '<div id="editor-panel" hx-swap-oob="innerHTML">' in body
    assert 'class="editor is-editing"' in body


def test_the_target_card_lists_the_incoming_link(member_client, mapping, pair):
    source, target = pair
    Link.objects.create(mapping=mapping, source=source, target=target, kind="feeds_into")
    body = text(member_client.get(url("initiative-detail", mapping, target.pk), headers=HTMX))
    assert "← <strong>Trivselsmåling</strong>" in body
    assert "giver input til" in body


def test_linking_without_javascript_redirects_to_the_card(amo_client, mapping, pair):
    source, target = pair
    response = amo_client.post(url("link-create", mapping, source.pk), {"target": target.pk, "kind": "related"})
    assert response.status_code == 302
    assert response.url == source.get_absolute_url()
    assert mapping.links.count() == 1


def test_it_refuses_a_link_to_another_mappings_initiative(amo_client, mapping, organisation, pair):
    other = organisation.mappings.create(title="Anden")
    foreign = add_card(other, "Fremmed")
    before = version_of(mapping)
    response = amo_client.post(
        url("link-create", mapping, pair[0].pk), {"target": foreign.pk, "kind": "related"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Vælg en indsats fra denne kortlægning." in text(response)
    assert "HX-Trigger" not in response.headers
    assert not Link.objects.exists()
    assert version_of(mapping) == before


def test_it_refuses_a_link_to_itself(amo_client, mapping, pair):
    response = amo_client.post(
        url("link-create", mapping, pair[0].pk), {"target": pair[0].pk, "kind": "related"}, headers=HTMX
    )
    assert "Vælg en indsats fra denne kortlægning." in text(response)
    assert not Link.objects.exists()


def test_it_refuses_a_duplicate_link(amo_client, mapping, pair):
    Link.objects.create(mapping=mapping, source=pair[0], target=pair[1])
    response = amo_client.post(
        url("link-create", mapping, pair[0].pk), {"target": pair[1].pk, "kind": "feeds_into"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Der er allerede en forbindelse til den indsats." in text(response)
    assert Link.objects.get().kind == "related"


def test_it_refuses_a_link_to_a_deleted_card(amo_client, mapping, pair):
    mapping.initiatives.filter(pk=pair[1].pk).update(deleted_at="2026-01-01T00:00:00Z")
    response = amo_client.post(
        url("link-create", mapping, pair[0].pk), {"target": pair[1].pk, "kind": "related"}, headers=HTMX
    )
    assert "Vælg en indsats fra denne kortlægning." in text(response)
    assert not Link.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"target": "", "kind": "related"}, "Dette felt er påkrævet."),
        ({"target": "abc", "kind": "related"}, "Vælg en indsats fra denne kortlægning."),
        ({"kind": "loves"}, "Marker en gyldig valgmulighed."),
        ({"note": "x" * 10_000}, "højst have 1000 tegn"),
    ],
)
def test_it_refuses_a_bad_link(amo_client, mapping, pair, data, message):
    data = {"target": pair[1].pk, "kind": "related", **data}
    response = amo_client.post(url("link-create", mapping, pair[0].pk), data, headers=HTMX)
    assert response.status_code == 200
    assert message in text(response)
    assert not Link.objects.exists()


def test_a_refused_link_without_javascript_says_why(amo_client, mapping, pair):
    response = amo_client.post(
        url("link-create", mapping, pair[0].pk), {"target": pair[0].pk, "kind": "related"}, follow=True
    )
    assert response.redirect_chain == [(pair[0].get_absolute_url(), 302)]
    assert "Vælg en indsats fra denne kortlægning." in text(response)


def test_it_deletes_a_link_and_keeps_the_editor_open(amo_client, mapping, pair):
    link = Link.objects.create(mapping=mapping, source=pair[0], target=pair[1])
    before = version_of(mapping)
    response = amo_client.post(url("link-delete", mapping, link.pk), {"initiative": pair[1].pk}, headers=HTMX)
    assert response.status_code == 200
    assert version_of(mapping) == before + 1
    assert f'id="initiative-{pair[1].pk}"' in text(response)
    assert 'class="editor is-editing"' in text(response)
    assert not Link.objects.exists()


def test_deleting_a_link_without_javascript_returns_to_the_card(amo_client, mapping, pair):
    link = Link.objects.create(mapping=mapping, source=pair[0], target=pair[1])
    response = amo_client.post(url("link-delete", mapping, link.pk))
    assert response.status_code == 302
    assert response.url == pair[0].get_absolute_url()
    assert not Link.objects.exists()


@pytest.mark.parametrize("back", ["abc", "999999", ""])
def test_deleting_a_link_with_a_strange_card_returns_to_its_source(amo_client, mapping, pair, back):
    link = Link.objects.create(mapping=mapping, source=pair[0], target=pair[1])
    response = amo_client.post(url("link-delete", mapping, link.pk), {"initiative": back})
    assert response.status_code == 302
    assert response.url == pair[0].get_absolute_url()


def test_a_link_to_a_card_deleted_meanwhile_can_still_be_removed(amo_client, mapping, pair):
    link = Link.objects.create(mapping=mapping, source=pair[0], target=pair[1])
    mapping.initiatives.filter(pk=pair[0].pk).update(deleted_at="2026-01-01T00:00:00Z")
    response = amo_client.post(url("link-delete", mapping, link.pk), {"initiative": pair[1].pk}, headers=HTMX)
    assert response.status_code == 200
    assert not Link.objects.exists()


def test_a_link_of_another_mapping_is_not_found(amo_client, mapping, organisation):
    other = organisation.mappings.create(title="Anden")
    link = Link.objects.create(mapping=other, source=add_card(other, "A"), target=add_card(other, "B"))
    assert amo_client.post(url("link-delete", mapping, link.pk), headers=HTMX).status_code == 404
    assert Link.objects.exists()


# Purposes


def test_it_creates_a_purpose(amo_client, mapping):
    before = version_of(mapping)
    response = amo_client.post(url("purpose-create", mapping), {"title": " Trivsel "}, headers=HTMX)
    assert response.status_code == 200
    assert 'id="purposes"' in text(response) and "Trivsel" in text(response)
    assert version_of(mapping) == before + 1
    assert list(mapping.purposes.values_list("title", flat=True)) == ["Trivsel"]


def test_creating_a_purpose_without_javascript_redirects_to_the_board(amo_client, mapping):
    response = amo_client.post(url("purpose-create", mapping), {"title": "Trivsel"})
    assert response.status_code == 302
    assert response.url == mapping.get_absolute_url()
    assert mapping.purposes.count() == 1


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("trivsel", "Det formål findes allerede."),
        ("   ", "Dette felt er påkrævet."),
        ("x" * 10_000, "højst have 200 tegn"),
    ],
)
def test_it_refuses_a_bad_purpose_title(amo_client, mapping, title, message):
    Purpose.objects.create(mapping=mapping, title="Trivsel")
    before = version_of(mapping)
    response = amo_client.post(url("purpose-create", mapping), {"title": title}, headers=HTMX)
    assert response.status_code == 200
    assert message in text(response)
    assert "HX-Trigger" not in response.headers
    assert mapping.purposes.count() == 1
    assert version_of(mapping) == before


def test_a_refused_purpose_without_javascript_says_why(amo_client, mapping):
    Purpose.objects.create(mapping=mapping, title="Trivsel")
    response = amo_client.post(url("purpose-create", mapping), {"title": "TRIVSEL"}, follow=True)
    assert "Det formål findes allerede." in text(response)
    assert mapping.purposes.count() == 1


def test_it_offers_a_rename_form(amo_client, mapping):
    purpose = Purpose.objects.create(mapping=mapping, title="Trivsel")
    response = amo_client.get(url("purpose-update", mapping, purpose.pk), headers=HTMX)
    assert response.status_code == 200
    assert f'id="purpose-rename-{purpose.pk}"' in text(response)
    assert "HX-Trigger" not in response.headers
    page = amo_client.get(url("purpose-update", mapping, purpose.pk))
    assert page.status_code == 200
    assert "<html" in text(page) and f'id="purpose-rename-{purpose.pk}"' in text(page)


def test_it_renames_a_purpose_and_updates_the_chips(amo_client, mapping):
    purpose = Purpose.objects.create(mapping=mapping, title="Trivsel")
    add_card(mapping, "MUS").set_purposes([purpose])
    response = amo_client.post(url("purpose-update", mapping, purpose.pk), {"title": "Godt arbejdsmiljø"}, headers=HTMX)
    assert response.status_code == 200
    body = text(response)
    assert body.count("Godt arbejdsmiljø") >= 2  # the panel and the card's chip
    assert 'id="cards-individ-struktur" ' in body
    purpose.refresh_from_db()
    assert purpose.title == "Godt arbejdsmiljø"


def test_renaming_a_purpose_to_its_own_title_in_other_case_is_allowed(amo_client, mapping):
    purpose = Purpose.objects.create(mapping=mapping, title="Trivsel")
    amo_client.post(url("purpose-update", mapping, purpose.pk), {"title": "TRIVSEL"}, headers=HTMX)
    purpose.refresh_from_db()
    assert purpose.title == "TRIVSEL"


def test_it_refuses_renaming_a_purpose_to_another_ones_title(amo_client, mapping):
    Purpose.objects.create(mapping=mapping, title="Trivsel")
    purpose = Purpose.objects.create(mapping=mapping, title="Udvikling")
    response = amo_client.post(url("purpose-update", mapping, purpose.pk), {"title": "trivsel"}, headers=HTMX)
    assert response.status_code == 200
    assert "Det formål findes allerede." in text(response)
    assert "HX-Trigger" not in response.headers
    purpose.refresh_from_db()
    assert purpose.title == "Udvikling"


def test_renaming_without_javascript_redirects_to_the_board(amo_client, mapping):
    purpose = Purpose.objects.create(mapping=mapping, title="Trivsel")
    response = amo_client.post(url("purpose-update", mapping, purpose.pk), {"title": "Ny"})
    assert response.status_code == 302
    purpose.refresh_from_db()
    assert purpose.title == "Ny"


def test_it_deletes_a_purpose_and_takes_it_off_the_cards(amo_client, mapping):
    purpose = Purpose.objects.create(mapping=mapping, title="Trivsel")
    card = add_card(mapping, "MUS")
    card.set_purposes([purpose])
    before = version_of(mapping)
    response = amo_client.post(url("purpose-delete", mapping, purpose.pk), headers=HTMX)
    assert response.status_code == 200
    assert "Trivsel" not in text(response)
    assert version_of(mapping) == before + 1
    assert not mapping.purposes.exists()
    assert not card.purposes.exists()


def test_deleting_a_purpose_without_javascript_redirects_to_the_board(amo_client, mapping):
    purpose = Purpose.objects.create(mapping=mapping, title="Trivsel")
    response = amo_client.post(url("purpose-delete", mapping, purpose.pk))
    assert response.status_code == 302
    assert response.url == mapping.get_absolute_url()
    assert not mapping.purposes.exists()


def test_a_purpose_of_another_mapping_is_not_found(amo_client, mapping, organisation):
    other = organisation.mappings.create(title="Anden")
    foreign = Purpose.objects.create(mapping=other, title="Fremmed")
    assert amo_client.post(url("purpose-delete", mapping, foreign.pk), headers=HTMX).status_code == 404
    assert amo_client.post(url("purpose-update", mapping, foreign.pk), {"title": "X"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.title == "Fremmed"


def test_level_labels_are_danish_on_the_board_and_each_row_says_what_belongs_there(member_client, mapping):
    body = text(member_client.get(mapping.get_absolute_url()))
    for level in Level:
        assert f'</span> {level.label}<span class="level-hint">{LEVEL_HINTS[level]}</span></th>' in body


def test_the_add_form_describes_its_level_and_column(amo_client, mapping):
    body = text(amo_client.get(mapping.get_absolute_url()))
    assert 'aria-describedby="add-hint-ledelse-kultur"' in body
    assert f'id="add-hint-ledelse-kultur">{LEVEL_HINTS[Level.LEDELSE]} (uformelle tiltag)</p>' in body


@pytest.mark.parametrize("asked", ["overview", "details", "projector"])
def test_the_density_is_chosen_in_the_url_and_remembered(amo_client, mapping, asked):
    body = text(amo_client.get(mapping.get_absolute_url(), {"density": asked}))
    assert f'class="page-board density-{asked}"' in body
    assert f'href="?density={asked}" aria-current="true"' in body
    # Remembered for this person; nonsense in the URL changes nothing.
    assert f"density-{asked}" in text(amo_client.get(mapping.get_absolute_url()))
    assert f"density-{asked}" in text(amo_client.get(mapping.get_absolute_url(), {"density": "<huge>"}))


def test_the_board_starts_in_the_overview(member_client, mapping):
    assert 'class="page-board density-overview"' in text(member_client.get(mapping.get_absolute_url()))


def test_a_card_shows_its_effect_only_when_known(member_client, mapping):
    add_card(mapping, "Ukendt")
    add_card(mapping, "Kendt", effect="clear")
    body = text(member_client.get(mapping.get_absolute_url()))
    assert "effect-unknown" not in body
    assert body.count('class="effect effect-clear"') == 1


def test_an_empty_board_shows_the_first_run_guide(amo_client, mapping):
    body = text(amo_client.get(mapping.get_absolute_url()))
    assert 'id="first-run"' in body
    for level in Level:
        assert str(LEVEL_HINTS[level]) in body
    assert "Vælg fra idékataloget" in body and "Start fra eksemplet" in body and "Skriv, hvad I gør" in body
    for name in ("workshop", "gaps", "actions"):
        assert url(name, mapping) in body
    with mapping.change():
        add_card(mapping, "MUS")
    assert 'id="first-run"' not in text(amo_client.get(mapping.get_absolute_url()))


# Robustness: whatever the request holds, the answer is never a 500.


def test_user_text_is_escaped_everywhere_it_is_shown(amo_client, mapping):
    evil = '<script>alert("x")</script>'
    a = add_card(mapping, evil, owner=evil, description=evil)
    b = add_card(mapping, "B", "gruppe", "kultur")
    Link.objects.create(mapping=mapping, source=a, target=b, note=evil)
    a.set_purposes([Purpose.objects.create(mapping=mapping, title=evil)])
    responses = [
        amo_client.get(mapping.get_absolute_url()),
        amo_client.get(url("initiative-detail", mapping, a.pk)),
        amo_client.get(url("initiative-detail", mapping, b.pk), headers=HTMX),
        amo_client.post(url("initiative-update", mapping, a.pk), edit(a, title=evil, version=9), headers=HTMX),
    ]
    for response in responses:
        body = text(response)
        assert "<script>alert" not in body
        assert "&lt;script&gt;alert" in body


def test_an_absurd_version_is_refused_not_a_crash(amo_client, mapping):
    card = add_card(mapping, "MUS")
    response = amo_client.post(
        url("initiative-update", mapping, card.pk), edit(card, title="Ny", version=10**20), headers=HTMX
    )
    assert response.status_code < 500  # the form refuses a version past any the card can have
    card.refresh_from_db()
    assert (card.title, card.version) == ("MUS", 1)


def test_the_conflict_shows_every_field_someone_else_changed(amo_client, facilitator_client, mapping):
    card = add_card(mapping, "MUS")
    trivsel = Purpose.objects.create(mapping=mapping, title="Trivsel")
    theirs = edit(card, status="paused", cadence="Hver uge", reviewed_at="2026-11-02", purposes=[trivsel.pk])
    assert facilitator_client.post(url("initiative-update", mapping, card.pk), theirs, headers=HTMX).status_code == 200
    response = amo_client.post(url("initiative-update", mapping, card.pk), edit(card, owner="AMO"), headers=HTMX)
    assert response.status_code == 409
    table = text(response)[text(response).index("<table") : text(response).index("</table>")]
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th><td>([^<]*)</td>', table))
    assert rows == {
        "Formål": "Trivsel",
        "Status": "Sat på pause",
        "Ansvarlig": "—",
        "Hyppighed": "Hver uge",
        "Sidst gennemgået": "2. november 2026",
    }


def test_the_conflict_shows_my_effect_in_words(amo_client, mapping):
    card = add_card(mapping, "MUS")
    mapping.initiatives.filter(pk=card.pk).update(version=2, effect="clear")
    response = amo_client.post(url("initiative-update", mapping, card.pk), edit(card, effect="some"), headers=HTMX)
    conflict = text(response)[: text(response).index("</table>")]
    assert "Tydelig effekt" in conflict and "Nogen effekt" in conflict


def test_a_card_moved_by_someone_else_a_moment_ago_still_moves(amo_client, mapping, abc, monkeypatch):
    """Another move commits between this request reading the card and taking the mapping's lock."""
    lock = Mapping.lock_and_bump

    def someone_else_moves_it_first(self):
        mapping.initiatives.filter(pk=abc[0].pk).update(level="ledelse", dimension="kultur", position=0)
        monkeypatch.setattr(Mapping, "lock_and_bump", lock)
        return lock(self)

    monkeypatch.setattr(Mapping, "lock_and_bump", someone_else_moves_it_first)
    response = amo_client.post(url("initiative-move", mapping, abc[0].pk), {"step": "1"}, headers=HTMX)
    assert response.status_code == 200
    abc[0].refresh_from_db()
    assert (abc[0].level, abc[0].dimension) == ("ledelse", "kultur")
    assert cell(mapping, "individ", "struktur") == ["B", "C"]


def test_a_card_deleted_by_someone_else_a_moment_ago_is_not_moved(amo_client, mapping, abc, monkeypatch):
    lock = Mapping.lock_and_bump

    def someone_else_deletes_it_first(self):
        mapping.initiatives.filter(pk=abc[0].pk).update(deleted_at="2026-01-01T00:00:00Z")
        monkeypatch.setattr(Mapping, "lock_and_bump", lock)
        return lock(self)

    monkeypatch.setattr(Mapping, "lock_and_bump", someone_else_deletes_it_first)
    before = version_of(mapping)
    response = amo_client.post(url("initiative-move", mapping, abc[0].pk), {"step": "1"}, headers=HTMX)
    assert response.status_code == 404
    assert version_of(mapping) == before


@pytest.mark.parametrize("number", ["²", "١", "99999999999999999999999"])
def test_strange_numbers_in_a_link_delete_are_handled(amo_client, mapping, pair, number):
    link = Link.objects.create(mapping=mapping, source=pair[0], target=pair[1])
    response = amo_client.post(url("link-delete", mapping, link.pk), {"initiative": number})
    assert response.status_code == 302
    assert not Link.objects.exists()


def test_a_purpose_created_by_someone_else_a_moment_ago_is_refused_not_a_crash(amo_client, mapping, monkeypatch):
    """The other request committed after this one checked the title, before it saved."""
    Purpose.objects.create(mapping=mapping, title="Trivsel")
    monkeypatch.setattr(PurposeForm, "clean_title", lambda form: form.cleaned_data["title"])
    response = amo_client.post(url("purpose-create", mapping), {"title": "Trivsel"}, headers=HTMX)
    assert response.status_code == 200
    assert "Det formål findes allerede." in text(response)
    assert "HX-Trigger" not in response.headers
    assert mapping.purposes.count() == 1
    purpose = Purpose.objects.create(mapping=mapping, title="Udvikling")
    response = amo_client.post(url("purpose-update", mapping, purpose.pk), {"title": "Trivsel"}, headers=HTMX)
    assert response.status_code == 200
    assert "Det formål findes allerede." in text(response)
    purpose.refresh_from_db()
    assert purpose.title == "Udvikling"


def test_a_link_made_by_someone_else_a_moment_ago_is_refused_not_a_crash(amo_client, mapping, pair, monkeypatch):
    """The other request committed after this one checked for a duplicate, before it saved."""
    Link.objects.create(mapping=mapping, source=pair[0], target=pair[1])
    before = version_of(mapping)
    monkeypatch.setattr(LinkForm, "clean_target", lambda form: form.cleaned_data["target"])
    response = amo_client.post(
        url("link-create", mapping, pair[0].pk), {"target": pair[1].pk, "kind": "feeds_into"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Der er allerede en forbindelse til den indsats." in text(response)
    assert "HX-Trigger" not in response.headers
    assert Link.objects.get().kind == "related"
    assert version_of(mapping) == before


def editor_queries(client, mapping, card) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("initiative-detail", mapping, card.pk), headers=HTMX)
    assert response.status_code == 200
    return len(queries)


def test_the_editor_costs_the_same_queries_for_few_and_many_links(amo_client, organisation):
    counts = []
    for size in (10, 200):
        mapping = organisation.mappings.create(title=f"{size}")
        fill_mapping(mapping, size)
        cards = list(mapping.initiatives.active().order_by("id"))
        hub = cards[0]
        Link.objects.bulk_create(
            [Link(mapping=mapping, source=other, target=hub, kind="feeds_into") for other in cards[2:]]
        )
        hub.set_purposes(mapping.purposes.all())
        counts.append(editor_queries(amo_client, mapping, hub))
    assert counts[0] == counts[1] <= 10


def test_the_board_never_shows_an_older_grid_after_a_change(amo_client, member_client, mapping):
    a = add_card(mapping, "Trivselsmåling")
    b = add_card(mapping, "Ledermøder", "ledelse", "struktur")
    purpose = Purpose.objects.create(mapping=mapping, title="Opfølgning")

    def grid_seen_by(client) -> str:
        body = text(client.get(mapping.get_absolute_url()))
        return body[body.index('<table class="board"') : body.index("</table>")]

    def after(name, *args, **data) -> str:
        for client in (amo_client, member_client):
            grid_seen_by(client)
        response = amo_client.post(url(name, mapping, *args), data, headers=HTMX)
        assert response.status_code == 200
        return grid_seen_by(member_client)

    assert "Første udgave" in after("initiative-update", a.pk, **edit(a, title="Første udgave", purposes=[purpose.pk]))
    assert "Omdøbt formål" in after("purpose-update", purpose.pk, title="Omdøbt formål")
    assert "1 forbindelse<" in after("link-create", a.pk, target=b.pk, kind="feeds_into")
    assert "Ny indsats" in after("initiative-create", title="Ny indsats", level="gruppe", dimension="kultur")
    assert "Ledermøder" not in after("initiative-delete", b.pk)
    assert "Ledermøder" in after("initiative-restore", b.pk)


def test_an_oversized_request_is_refused_as_bad(amo_client, mapping):
    card = add_card(mapping, "MUS")
    response = amo_client.post(
        url("initiative-update", mapping, card.pk), edit(card, description="x" * (6 * 1024 * 1024)), headers=HTMX
    )
    assert response.status_code == 400
    card.refresh_from_db()
    assert card.description == ""


def test_an_editors_board_is_never_shown_to_a_member(amo_client, member_client, mapping):
    add_card(mapping, "MUS")
    assert "data-move-url" in text(amo_client.get(mapping.get_absolute_url()))
    assert "data-move-url" not in text(member_client.get(mapping.get_absolute_url()))
    assert "data-move-url" in text(amo_client.get(mapping.get_absolute_url()))


def test_a_filtered_board_is_never_shown_unfiltered(member_client, mapping):
    purpose = Purpose.objects.create(mapping=mapping, title="Trivsel")
    add_card(mapping, "Match").set_purposes([purpose])
    add_card(mapping, "Andet")
    filtered = text(member_client.get(mapping.get_absolute_url(), {"purpose": purpose.pk, "only": "1"}))
    assert "Andet" not in filtered
    assert "Andet" in text(member_client.get(mapping.get_absolute_url()))
    assert "is-match" in text(member_client.get(mapping.get_absolute_url(), {"purpose": purpose.pk}))
    assert "is-match" not in text(member_client.get(mapping.get_absolute_url()))


def test_an_htmx_request_with_an_expired_session_loads_the_login_page_whole(client, example):
    card = example.initiatives.first()
    url = reverse("mapping:initiative-detail", args=[example.organisation.slug, example.pk, card.pk])
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))


# The page's cached regions (see mapping/cache.py and tests/test_board_cache.py)


def csrf_values(body: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', body))


def test_a_cached_board_page_gives_every_form_this_responses_own_csrf_token(amo, mapping):
    from django.test import Client

    add_card(mapping, "MUS")
    client = Client(enforce_csrf_checks=True)
    client.force_login(amo)
    first, second = (text(client.get(mapping.get_absolute_url())) for _ in range(2))
    for body in (first, second):
        tokens = csrf_values(body)
        assert len(tokens) == 1 and "csrf-" not in body
        assert body.count("csrfmiddlewaretoken") >= 9  # eight add forms and the purpose form
    assert csrf_values(first) != csrf_values(second)  # masked afresh, as {% csrf_token %} does
    response = client.post(
        url("initiative-create", mapping),
        {
            "title": "Fra cachen",
            "level": "gruppe",
            "dimension": "kultur",
            "csrfmiddlewaretoken": csrf_values(second).pop(),
        },
    )
    assert response.status_code == 302
    assert cell(mapping, "gruppe", "kultur") == ["Fra cachen"]


def test_the_cached_page_shows_a_change_at_once(amo_client, mapping):
    add_card(mapping, "Før")
    assert "Før" in text(amo_client.get(mapping.get_absolute_url()))
    amo_client.post(url("initiative-create", mapping), {"title": "Efter", "level": "individ", "dimension": "kultur"})
    body = text(amo_client.get(mapping.get_absolute_url()))
    assert "Før" in body and "Efter" in body


def test_a_cached_page_for_an_editor_is_not_shown_to_a_member(amo_client, member_client, mapping):
    add_card(mapping, "MUS")
    assert 'id="add-individ-struktur"' in text(amo_client.get(mapping.get_absolute_url()))
    body = text(member_client.get(mapping.get_absolute_url()))
    assert 'id="add-individ-struktur"' not in body and "csrfmiddlewaretoken" in body  # the language form's


def test_a_save_refuses_an_unknown_effect_with_a_field_error(amo_client, mapping):
    card = add_card(mapping, "MUS")
    response = amo_client.post(url("initiative-update", mapping, card.pk), edit(card, effect="magic"), headers=HTMX)
    assert response.status_code == 200
    assert 'class="field-error"' in text(response)
    card.refresh_from_db()
    assert card.effect == "unknown" and card.version == 1


def test_a_save_asks_the_database_no_constraint_questions(amo_client, mapping):
    card = add_card(mapping, "MUS")
    with CaptureQueriesContext(connection) as queries:
        response = amo_client.post(url("initiative-update", mapping, card.pk), edit(card, title="Ny"), headers=HTMX)
    assert response.status_code == 200 and "Ny" in text(response)
    assert not [q for q in queries.captured_queries if '"_check"' in q["sql"]]
    # Session, user, gate, the card, its purposes, the version with the lock, the card's row
    # (and a savepoint and its release in the test's transaction).
    assert len(queries) <= 9


def test_a_save_that_keeps_the_purposes_reads_them_once_and_writes_none(amo_client, mapping):
    card = add_card(mapping, "MUS")
    trivsel = Purpose.objects.create(mapping=mapping, title="Trivsel")
    card.set_purposes([trivsel])
    card.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        response = amo_client.post(
            url("initiative-update", mapping, card.pk), edit(card, title="Ny", purposes=[trivsel.pk]), headers=HTMX
        )
    assert response.status_code == 200
    assert len([q for q in queries.captured_queries if "mapping_initiative_purposes" in q["sql"]]) == 1
    assert list(card.purposes.all()) == [trivsel]
    card.refresh_from_db()
    response = amo_client.post(url("initiative-update", mapping, card.pk), edit(card, purposes=[]), headers=HTMX)
    assert response.status_code == 200 and list(card.purposes.all()) == []


def test_saving_a_card_someone_deleted_keeps_the_text_and_says_so(facilitator_client, example):
    card = example.initiatives.get(title="Teammøder")
    example.initiatives.filter(pk=card.pk).update(deleted_at="2026-01-01T00:00:00Z")
    url = reverse("mapping:initiative-update", args=[example.organisation.slug, example.pk, card.pk])
    data = {"title": "Teammøder hver uge", "effect": "some", "status": "active", "version": card.version}
    response = facilitator_client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    html = response.content.decode()
    assert "En anden har slettet kortet" in html
    assert "Teammøder hver uge" in html
    card.refresh_from_db()
    assert card.title == "Teammøder" and card.deleted_at is not None
    assert facilitator_client.post(url, data).status_code == 409


def test_a_stale_save_does_not_move_the_board_version(facilitator_client, example):
    card = example.initiatives.get(title="Teammøder")
    version = example.version
    url = reverse("mapping:initiative-update", args=[example.organisation.slug, example.pk, card.pk])
    data = {"title": "Andet", "effect": "some", "status": "active", "version": card.version + 5}
    assert facilitator_client.post(url, data, HTTP_HX_REQUEST="true").status_code == 409
    example.refresh_from_db()
    assert example.version == version


def test_renaming_a_purpose_someone_renamed_meanwhile_is_refused(facilitator_client, example):
    purpose = Purpose.objects.create(mapping=example, title="Trivsel")
    url = reverse("mapping:purpose-update", args=[example.organisation.slug, example.pk, purpose.pk])
    Purpose.objects.filter(pk=purpose.pk).update(title="Trivsel og tryghed")
    response = facilitator_client.post(url, {"title": "Arbejdsglæde", "was": "Trivsel"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    html = response.content.decode()
    assert "En anden har omdøbt formålet" in html
    assert "<td>Trivsel og tryghed</td><td>Arbejdsglæde</td>" in html
    purpose.refresh_from_db()
    assert purpose.title == "Trivsel og tryghed"
    facilitator_client.post(url, {"title": "Arbejdsglæde", "was": "Trivsel og tryghed"}, HTTP_HX_REQUEST="true")
    purpose.refresh_from_db()
    assert purpose.title == "Arbejdsglæde"


def test_the_board_lists_every_link_with_what_it_crosses(member_client, mapping, pair):
    source, target = pair  # Organisation · Struktur -> Ledelse · Struktur
    kultur = add_card(mapping, "Sparring", "ledelse", "kultur")
    with mapping.change():
        Link.objects.create(mapping=mapping, source=source, target=target, kind="feeds_into")
        Link.objects.create(mapping=mapping, source=target, target=kultur, kind="supplemented_by")
    body = text(member_client.get(mapping.get_absolute_url()))
    listed = body[body.index('id="board-links"') :]
    assert f'data-source="{source.pk}" data-target="{target.pk}"' in listed
    assert 'class="board-link crosses-level"' in listed  # drawn solid
    assert 'class="board-link crosses-dimension"' in listed  # drawn dashed
    assert "på tværs af niveauer" in listed and "struktur ↔ kultur" in listed


def test_a_poll_brings_the_links_along(member_client, mapping, pair):
    before = version_of(mapping)
    with mapping.change():
        Link.objects.create(mapping=mapping, source=pair[0], target=pair[1])
    response = member_client.get(url("board-poll", mapping), {"v": before}, headers=HTMX)
    assert re.search(r'<section id="board-links"[^>]*hx-swap-oob="true"', text(response))
