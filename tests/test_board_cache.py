"""The board's cached regions (mapping/cache.py): the page follows every input its regions read.

Each test renders the board once (filling the cache), changes one input the
regions read, and renders again. If that input were left out of the cache
key, the second page would be the first one's HTML and the test would fail.
"""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mapping import live
from mapping.access import gate
from mapping.cache import csrf_placeholder, placeholder, remembered
from mapping.models import Conflict, Input, InputKind, Link, Membership, Purpose, Role
from mapping.views import board as board_views

from .conftest import add_card, client_for, make_user


def board(client: Client, mapping, **params) -> str:
    response = client.get(mapping.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_change_on_the_board_shows(amo_client, mapping):
    assert "Fredagsbar" not in board(amo_client, mapping)
    with mapping.change():
        add_card(mapping, "Fredagsbar")
    assert "Fredagsbar" in board(amo_client, mapping)


def test_the_page_marks_the_density_each_viewer_chose(amo_client, member_client, mapping):
    """The page is one region for every viewer of a state: the density switch is part of it."""
    for client, density in ((amo_client, "details"), (member_client, "projector"), (amo_client, "overview")):
        page = board(client, mapping, density=density)
        assert re.findall(r'href="\?density=(\w+)" aria-current="true"', page) == [density]


def test_each_mapping_shows_its_own_cards(amo_client, organisation, mapping):
    other = organisation.mappings.create(title="Anden")
    add_card(mapping, "Kun her")
    assert other.version == mapping.version
    assert "Kun her" in board(amo_client, mapping)
    assert "Kun her" not in board(amo_client, other)


def test_a_member_does_not_get_the_editors_controls(amo_client, member_client, mapping):
    add_card(mapping, "MUS")
    assert "data-sortable" in board(amo_client, mapping)
    page = board(member_client, mapping)
    assert "data-sortable" not in page and "data-move-url" not in page and 'class="add-form"' not in page


def test_the_group_size_decides_whether_employees_average_shows(member_client, mapping):
    card = add_card(mapping, "MUS")
    workshop = mapping.workshops.create(code="ABCDEFGH")
    mapping.organisation.min_group_size = 3
    mapping.organisation.save()
    for n in range(3):
        workshop.rate(card.pk, f"p{n}", f"k{n}", rating_purpose=4, rating_works=4)
    assert "Medarbejdere: 4,0 / 5 (3 svar)" in board(member_client, mapping)
    mapping.organisation.min_group_size = 5
    mapping.organisation.save()
    assert "Medarbejdere:" not in board(member_client, mapping)  # five answers needed now


def test_the_selected_purpose_is_highlighted(member_client, mapping):
    trivsel = Purpose.objects.create(mapping=mapping, title="Trivsel")
    ledelse = Purpose.objects.create(mapping=mapping, title="God ledelse")
    first, second = add_card(mapping, "MUS"), add_card(mapping, "Lederforum")
    first.set_purposes([trivsel])
    second.set_purposes([ledelse])
    page = board(member_client, mapping, purpose=trivsel.pk)
    assert f'class="card is-match" id="initiative-{first.pk}"' in page
    page = board(member_client, mapping, purpose=ledelse.pk)
    assert f'class="card is-match" id="initiative-{second.pk}"' in page
    assert f'class="card is-dimmed" id="initiative-{first.pk}"' in page


def test_show_only_leaves_out_the_other_cards(member_client, mapping):
    trivsel = Purpose.objects.create(mapping=mapping, title="Trivsel")
    add_card(mapping, "MUS").set_purposes([trivsel])
    add_card(mapping, "Lederforum")
    assert "Lederforum" in board(member_client, mapping, purpose=trivsel.pk)
    assert "Lederforum" not in board(member_client, mapping, purpose=trivsel.pk, only=1)


def test_each_language_gets_its_own_page(member_client, mapping):
    assert "Ingen indsatser endnu." in board(member_client, mapping)
    member_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = board(member_client, mapping)
    assert "No initiatives yet." in page and "Ingen indsatser endnu." not in page


def test_cached_forms_carry_this_visitors_csrf_token(facilitator, amo, mapping):
    first = board(client_for(facilitator), mapping)
    assert csrf_placeholder() not in first
    client = Client(enforce_csrf_checks=True)
    client.force_login(amo)
    page = board(client, mapping)
    assert csrf_placeholder() not in page
    token = re.search(r'id="add-gruppe-kultur".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S).group(1)
    response = client.post(
        f"{mapping.get_absolute_url()}initiatives/new/",
        {"csrfmiddlewaretoken": token, "title": "Fredagsbar", "level": "gruppe", "dimension": "kultur"},
    )
    assert response.status_code == 302
    assert mapping.initiatives.filter(title="Fredagsbar").exists()


# --- The whole page, per viewer: the regions' state and what the page's shell shows ----------


def test_the_whole_page_comes_from_the_cache_with_this_responses_own_tokens(amo, mapping):
    client = Client(enforce_csrf_checks=True)
    client.force_login(amo)
    first = client.get(mapping.get_absolute_url())
    key = first.context["regions"].page_key
    cached = remembered.get(key)
    for name in ("csrf_token", "csp_nonce", "next_path", "poll_token"):  # no one's values in the cache
        assert placeholder(name) in cached, name
    remembered.set(key, cached.replace("<h1>", "<h1>MARK "))

    response = client.get(mapping.get_absolute_url(), {"x": '"><b>'})  # another address: the same page
    page = response.content.decode()
    assert "<h1>MARK " in page  # the whole page, from the cache
    assert not [name for name in ("csrf_token", "csp_nonce", "next_path", "poll_token") if placeholder(name) in page]
    assert f'name="next" value="{mapping.get_absolute_url()}?x=%22%3E%3Cb%3E"' in page  # this address, escaped
    nonce = re.search(r'<script [^>]*nonce="([^"]+)"', page).group(1)
    assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
    assert nonce != re.search(r'<script [^>]*nonce="([^"]+)"', first.content.decode()).group(1)
    token = re.search(r'id="live-token" name="t" value="([^"]+)"', page).group(1)
    assert live.token_user(token, mapping.pk) == amo.pk
    csrf = re.search(r'id="add-gruppe-kultur".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S).group(1)
    response = client.post(
        f"{mapping.get_absolute_url()}initiatives/new/",
        {"csrfmiddlewaretoken": csrf, "title": "Fredagsbar", "level": "gruppe", "dimension": "kultur"},
    )
    assert response.status_code == 302 and mapping.initiatives.filter(title="Fredagsbar").exists()


def test_each_viewer_gets_a_page_of_their_own(amo, organisation, mapping):
    """Two people with the same role share the board's regions, never the page: it names who is signed in."""
    colleague = make_user("kollega")
    Membership.objects.create(user=colleague, organisation=organisation, role=Role.AMO)
    for user in (amo, colleague, amo, colleague):
        names = re.findall(r"Log ud \(([^)]*)\)", board(client_for(user), mapping))
        assert names == [user.username]


def test_the_page_follows_the_organisations_name_the_address_and_a_message(amo_client, organisation, mapping):
    board(amo_client, mapping)
    organisation.name = "Foreningen Nyt Navn"
    organisation.save()
    assert ">Foreningen Nyt Navn</a>" in board(amo_client, mapping)
    assert f'name="next" value="{mapping.get_absolute_url()}?density=details"' in board(
        amo_client, mapping, density="details"
    )
    card = add_card(mapping, "Fredagsbar")
    response = amo_client.post(reverse("mapping:initiative-delete", args=[organisation.slug, mapping.pk, card.pk]))
    assert response.status_code == 302
    assert "“Fredagsbar” er slettet." in board(amo_client, mapping)  # shown once, on the next page
    assert "“Fredagsbar” er slettet." not in board(amo_client, mapping)


# --- Per cell: after a change only the cells whose cards changed are rendered again ---------
#
# The board is rendered once (filling the cache), then the cached HTML of two cells is replaced
# by a marker: A (Individ · Struktur) and B (Organisation · Kultur). After a change, a marker
# still on the page is a cell taken from the cache; a marker gone is a cell rendered again.

A, B = "cell-individ-struktur", "cell-organisation-kultur"


def mark_cells(client: Client, mapping) -> None:
    response = client.get(mapping.get_absolute_url())
    keys = response.context["regions"].cell_keys
    remembered.set(keys[A], '<ol class="cards">MARK-A</ol>')
    remembered.set(keys[B], '<ol class="cards">MARK-B</ol>')


def marks(page: str) -> set[str]:
    return {mark for mark in ("MARK-A", "MARK-B") if mark in page}


@pytest.fixture
def two_cells(mapping):
    return add_card(mapping, "MUS"), add_card(mapping, "Fredagsbar", "organisation", "kultur")


def test_a_change_in_one_cell_leaves_the_other_cells_cached(amo_client, mapping, two_cells):
    a, b = two_cells
    mark_cells(amo_client, mapping)
    assert a.save_edit({"title": "Medarbejdersamtale"}, version=a.version) is not None
    page = board(amo_client, mapping)
    assert marks(page) == {"MARK-B"}
    assert "Medarbejdersamtale" in page


def test_the_poll_brings_only_the_changed_cell_rendered_again(amo_client, mapping, two_cells):
    a, b = two_cells
    page = board(amo_client, mapping)
    token = re.search(r'name="t" value="([^"]+)"', page).group(1)
    poll_url = f"{mapping.get_absolute_url()}poll/"
    response = amo_client.get(poll_url, {"v": mapping.version - 1, "t": token}, headers={"HX-Request": "true"})
    keys = response.context["regions"].cell_keys
    remembered.set(keys[A], '<ol class="cards">MARK-A</ol>')
    remembered.set(keys[B], '<ol class="cards">MARK-B</ol>')
    with mapping.change():
        add_card(mapping, "Trivselsmåling")
    response = amo_client.get(poll_url, {"v": mapping.version - 1, "t": token}, headers={"HX-Request": "true"})
    assert marks(response.content.decode()) == {"MARK-B"}
    assert "Trivselsmåling" in response.content.decode()


def edit_card(mapping, a, b):
    a.save_edit({"effect": "clear"}, version=a.version)


def move_card(mapping, a, b):
    with mapping.change():
        a.move("gruppe", "kultur", 0)


def delete_card(mapping, a, b):
    with mapping.change():
        mapping.initiatives.filter(pk=a.pk).update(deleted_at=timezone.now())


def link_cards(mapping, a, b):
    with mapping.change():
        Link.objects.create(mapping=mapping, source=a, target=b)


def rename_purpose(mapping, a, b):
    purpose = Purpose.objects.get(mapping=mapping, title="Trivsel")
    assert not isinstance(purpose.rename("Trivsel og sundhed", was="Trivsel"), Conflict)


def lower_group_size(mapping, a, b):
    workshop = mapping.workshops.create(code="ABCDEFGH")
    Input.objects.bulk_create(
        Input(
            workshop=workshop,
            kind=InputKind.RATING,
            initiative=a,
            rating_purpose=4,
            rating_works=4,
            participant=f"p{n}",
            idempotency_key=f"k{n}",
            status=Input.Status.APPROVED,
        )
        for n in range(3)
    )
    mapping.organisation.min_group_size = 3
    mapping.organisation.save()
    with mapping.change():  # any change: the grid is rendered again, and the cells follow their inputs
        pass


@pytest.mark.parametrize(
    ("change", "still_cached"),
    [
        (edit_card, {"MARK-B"}),
        (move_card, {"MARK-B"}),
        (delete_card, {"MARK-B"}),
        (link_cards, set()),  # both ends count the link
        (rename_purpose, {"MARK-B"}),  # only A's card has the purpose
        (lower_group_size, set()),  # employees' averages may show in every cell
    ],
)
def test_every_change_a_cell_shows_renders_it_again(amo_client, mapping, two_cells, change, still_cached):
    a, b = two_cells
    a.set_purposes([Purpose.objects.create(mapping=mapping, title="Trivsel")])
    mark_cells(amo_client, mapping)
    change(mapping, a, b)
    assert marks(board(amo_client, mapping)) == still_cached


def test_the_role_and_the_language_have_cells_of_their_own(amo_client, member_client, mapping, two_cells):
    mark_cells(amo_client, mapping)
    with mapping.change():
        pass
    assert marks(board(member_client, mapping)) == set()  # a reader's cells have no editing controls
    assert marks(board(amo_client, mapping)) == {"MARK-A", "MARK-B"}
    amo_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert marks(board(amo_client, mapping)) == set()


def test_a_change_to_one_card_renders_that_card_only(amo_client, mapping, two_cells):
    a, b = two_cells
    neighbour = add_card(mapping, "Trivselsmåling")  # in A's cell
    response = amo_client.get(mapping.get_absolute_url())
    remembered.set(response.context["regions"].card_keys[neighbour.pk], '<li class="card">MARK-NEIGHBOUR</li>')
    a.save_edit({"title": "Medarbejdersamtale"}, version=a.version)
    page = board(amo_client, mapping)
    assert "MARK-NEIGHBOUR" in page  # the unchanged card, from the cache
    assert "Medarbejdersamtale" in page and ">MUS<" not in page  # the changed one, rendered again


def test_cells_from_plain_rows_read_as_cells_from_the_database(amo, mapping, two_cells):
    """The cached path builds cards from plain rows (cache.as_models): the HTML is the same as from the ORM."""
    a, b = two_cells
    a.set_purposes(
        [
            Purpose.objects.create(mapping=mapping, title="Trivsel"),
            Purpose.objects.create(mapping=mapping, title="Arbejdsmiljø"),
        ]
    )
    Link.objects.create(mapping=mapping, source=a, target=b)
    client = client_for(amo)
    request = client.get(mapping.get_absolute_url()).wsgi_request
    cached = board(client, mapping)
    context = board_views.board_context(request, gate(request, mapping.organisation.slug, mapping.pk), focus="none")
    assert context["regions"].inputs is None  # a per-request state: rendered fresh, from the ORM
    fresh = render_to_string(board_views.BOARD + "#grid", context, request)

    def grid_of(html: str) -> str:
        table = re.search(r'<table class="board".*?</table>', html, re.S).group(0)
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", re.sub(r"\s+", " ", table))

    assert "Arbejdsmiljø" in grid_of(cached) and "1 forbindelse" in grid_of(cached)
    assert grid_of(cached) == grid_of(fresh)


def test_the_side_panel_follows_what_it_shows(amo_client, mapping, two_cells):
    """The purposes and the trash are named by their rows, not the version: each change to them shows."""
    a, b = two_cells
    trivsel = Purpose.objects.create(mapping=mapping, title="Trivsel")
    assert "(0)" in board(amo_client, mapping)
    a.set_purposes([trivsel])  # the count moves without a change of the version
    with mapping.change():
        pass
    assert "(1)" in board(amo_client, mapping)
    with mapping.change():
        mapping.initiatives.filter(pk=b.pk).update(deleted_at=timezone.now())
    side = board(amo_client, mapping).split('id="trash"')[1]
    assert "Fredagsbar" in side
    assert not isinstance(trivsel.rename("Trivsel og sundhed", was="Trivsel"), Conflict)
    assert "Trivsel og sundhed" in board(amo_client, mapping).split('id="purposes"')[1]


def test_the_list_of_links_follows_what_it_shows(amo_client, mapping, two_cells):
    """The links are named by their rows and their ends, not the version: a renamed end, a new kind
    or a deleted end shows at once."""
    a, b = two_cells
    with mapping.change():
        Link.objects.create(mapping=mapping, source=a, target=b)

    def links() -> str:
        return board(amo_client, mapping).split('id="board-links"')[1].split("</section>")[0]

    assert "MUS" in links() and "struktur ↔ kultur" in links()
    assert not isinstance(a.save_edit({"title": "Medarbejdersamtale"}, version=a.version), Conflict)
    assert "Medarbejdersamtale" in links() and "MUS" not in links()
    with mapping.change():
        Link.objects.filter(source=a).update(kind=Link.Kind.FOLLOWED_UP_AT)
    assert "følges op på" in links()
    with mapping.change():
        mapping.initiatives.filter(pk=b.pk).update(deleted_at=timezone.now())
    assert "Medarbejdersamtale" not in links()


def test_a_change_to_one_card_renders_only_the_links_it_touches(amo_client, mapping, two_cells):
    from mapping.cache import fingerprint, region_key
    from mapping.views.board import BOARD, LINK_ROW

    a, b = two_cells
    c, d = add_card(mapping, "Teammøder", "gruppe", "struktur"), add_card(mapping, "Husmøder", "gruppe", "kultur")
    with mapping.change():
        Link.objects.create(mapping=mapping, source=a, target=b)
        other = Link.objects.create(mapping=mapping, source=c, target=d)
    response = amo_client.get(mapping.get_absolute_url())
    row = Link.objects.filter(pk=other.pk).values_list(*LINK_ROW).get()
    key = region_key(BOARD, "board-link", (*response.context["regions"].cell_inputs, fingerprint([row])))
    assert "Husmøder" in remembered.get(key)
    remembered.set(key, "<li>MARK-LINK</li>")
    assert not isinstance(a.save_edit({"title": "Medarbejdersamtale"}, version=a.version), Conflict)
    links = board(amo_client, mapping).split('id="board-links"')[1].split("</section>")[0]
    assert "MARK-LINK" in links  # the untouched link, from the cache
    assert "Medarbejdersamtale" in links and ">MUS<" not in links  # the touched one, rendered again


def test_an_unchanged_board_reads_no_cards_and_no_purposes(amo_client, mapping, two_cells):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a, b = two_cells
    a.set_purposes([Purpose.objects.create(mapping=mapping, title="Trivsel")])
    board(amo_client, mapping)
    with CaptureQueriesContext(connection) as queries:
        assert "Fredagsbar" in board(amo_client, mapping)
    read = " ".join(query["sql"] for query in queries)
    assert "mapping_initiative" not in read and "mapping_purpose" not in read
    assert len(queries) <= 3  # session, user, and the gate's one query


def test_with_a_shared_cache_a_process_keeps_copies_of_what_it_read_and_forgets_the_oldest(monkeypatch):
    """``Remembered``: keys that name their content are asked of the shared cache once per process."""
    from mapping.cache import Remembered  # noqa: PLC0415

    monkeypatch.setattr(Remembered, "is_used", staticmethod(lambda: True))
    monkeypatch.setattr(Remembered, "MAX_CHARS", 10)
    copies = Remembered()
    asked = []
    shared_get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: asked.append(list(keys)) or shared_get_many(keys))
    cache.set("region:test:one", "12345")
    assert copies.get("region:test:one") == "12345" and copies.get("region:test:one") == "12345"
    assert asked == [["region:test:one"]]  # the second read came from this process
    copies.set("region:test:two", "abcdef")  # written through: the shared cache has it too
    assert cache.get("region:test:two") == "abcdef"
    assert list(copies.copies) == ["region:test:two"] and copies.chars == 6  # 11 characters > 10: the oldest went
    assert copies.get("region:test:one") == "12345" and len(asked) == 2  # asked again, and kept again
