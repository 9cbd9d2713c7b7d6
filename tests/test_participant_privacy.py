"""Nothing links one participant's input: independent keys per form, no-store pages, random ids,
and an identity that belongs to one workshop (issue 11 §1.2 and the identity part of §1.4)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from mapping import participation as rules
from mapping.models import Action, InputKind

from .test_permissions import EXPECTED
from .test_workshop import participant, rate, suggest

JOIN_URLS = sorted(name for name in EXPECTED if name.startswith("join"))


@pytest.fixture
def workshop(mapping):
    return mapping.workshops.create(code="ABCD2345", votes_per_participant=3)


@pytest.fixture
def cards(mapping):
    return [
        mapping.initiatives.create(title=f"Indsats {n}", level="gruppe", dimension="struktur", position=n)
        for n in range(3)
    ]


def url_for(name: str, workshop, cards, action) -> str:
    kwargs = {"code": workshop.code}
    if "initiative" in name or name in ("join-rate", "join-comment", "join-vote"):
        kwargs["initiative_id"] = cards[0].pk
    if name == "join-action-vote":
        kwargs["action_id"] = action.pk
    if name == "join-enter":
        kwargs = {}
    return reverse(f"mapping:{name}", kwargs=kwargs)


@pytest.mark.parametrize("name", JOIN_URLS)
def test_every_participant_page_and_answer_is_no_store(name, mapping, workshop, cards):
    action = Action.objects.create(mapping=mapping, title="Følg op", burden=3)
    phone = participant(workshop)
    url = url_for(name, workshop, cards, action)
    for method in ("GET", "POST"):
        response = phone.get(url) if method == "GET" else phone.post(url, {"key": "abcdefgh-1", "action": "add"})
        if response.status_code == 405:
            continue
        assert "no-store" in response.get("Cache-Control", ""), f"{method} {url} ({response.status_code})"


def test_a_code_that_opens_nothing_is_no_store_too(db):
    response = Client().get(reverse("mapping:join", args=["ZZZZ9999"]))
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]


def keys_in(page: str) -> list[str]:
    return re.findall(r'name="key" value="([^"]+)"', page)


def test_each_form_on_a_participant_page_has_its_own_random_key(workshop, cards):
    phone = participant(workshop)
    page = phone.get(reverse("mapping:join-initiative", args=[workshop.code, cards[0].pk])).content.decode()
    keys = keys_in(page)
    assert len(keys) >= 3  # rating, comment, vote
    random_parts = [key.split("-")[0] for key in keys]
    assert len(set(random_parts)) == len(keys), keys  # no shared stem that links the forms
    board = keys_in(phone.get(workshop.get_absolute_url()).content.decode())
    assert len({key.split("-")[0] for key in board}) == len(board)


def test_a_persons_ratings_and_votes_share_no_stored_key(workshop, cards):
    phone = participant(workshop)
    for card in cards:
        rate(phone, workshop, card)
    phone.post(reverse("mapping:join-vote", args=[workshop.code, cards[0].pk]), {"action": "add", "key": "vote-key-1"})
    rows = list(workshop.inputs.values_list("kind", "participant", "idempotency_key"))
    ratings = [who for kind, who, _key in rows if kind == InputKind.RATING]
    votes = [who for kind, who, _key in rows if kind == InputKind.VOTE]
    assert len(set(ratings)) == 3 and not set(ratings) & set(votes)


def test_rating_again_replaces_the_answer(workshop, cards):
    phone = participant(workshop)
    rate(phone, workshop, cards[0], works=2)
    rate(phone, workshop, cards[0], works=5)
    assert list(workshop.inputs.filter(kind=InputKind.RATING).values_list("rating_works", flat=True)) == [5]
    page = phone.get(reverse("mapping:join-initiative", args=[workshop.code, cards[0].pk])).content.decode()
    assert re.search(r'name="rating_works" value="5"[^>]*checked', page)


def test_stored_input_ids_do_not_tell_the_order_of_input(workshop):
    phone = participant(workshop)
    for n in range(20):
        suggest(phone, workshop, text=f"Forslag {n}")
    in_order = [row.pk for row in sorted(workshop.inputs.all(), key=lambda row: int(row.text.split()[1]))]
    assert len(in_order) == 20
    assert in_order != sorted(in_order)
    assert max(in_order) > 2**40  # not a sequence


def test_a_cookie_from_one_workshop_is_nobody_in_another(mapping, organisation, workshop, cards):
    phone = participant(workshop)
    other_mapping = organisation.mappings.create(title="Anden")
    other = other_mapping.workshops.create(code="EFGH6789")
    card = other_mapping.initiatives.create(title="Kaffe", level="gruppe", dimension="kultur")
    stranger = Client()
    stranger.cookies[rules.COOKIE] = phone.cookies[rules.COOKIE].value  # copied to the other workshop's path
    page = stranger.get(other.get_absolute_url())
    assert "Velkommen!" in page.content.decode()  # the welcome page: not a participant there
    response = rate(stranger, other, card)
    assert response.status_code == 302 and response.url == other.get_absolute_url()
    assert not other.inputs.exists()
