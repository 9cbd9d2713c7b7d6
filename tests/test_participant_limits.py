"""Joins and every participant request are limited, in Django's cache (shared across processes
with a shared cache), without locking out real people (issue 11 §1.4)."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from mapping import participation as rules

from .test_workshop import participant


@pytest.fixture(autouse=True)
def one_window(monkeypatch):
    """Counters count in fixed one-minute windows: a slow test must not cross into the next one."""
    monkeypatch.setattr(rules, "time", SimpleNamespace(time=lambda: 1_000_000.0))


@pytest.fixture
def workshop(mapping):
    return mapping.workshops.create(code="ABCD2345", participant_limit=2)


def join(client: Client, workshop, name: str = ""):
    return client.post(reverse("mapping:join", args=[workshop.code]), {"name": name})


def workshop_page(client, mapping) -> str:
    return client.get(reverse("mapping:workshop", args=["forening", mapping.pk])).content.decode()


def test_a_full_workshop_says_so_and_the_facilitator_can_make_room(workshop, mapping, facilitator_client):
    first, second = participant(workshop), participant(workshop)
    third = join(Client(REMOTE_ADDR="10.0.0.3"), workshop)
    assert third.status_code == 429
    assert "Workshoppen er fuld" in third.content.decode()
    assert "2 af højst 2 deltagere er med." in workshop_page(facilitator_client, mapping)
    assert join(first, workshop, name="Kim").status_code == 302  # those already in stay in

    facilitator_client.post(
        reverse("mapping:workshop-participant-limit", args=["forening", mapping.pk]), {"participant_limit": 3}
    )
    workshop.refresh_from_db()
    assert workshop.participant_limit == 3
    assert join(Client(REMOTE_ADDR="10.0.0.3"), workshop).status_code == 302
    assert second.get(workshop.get_absolute_url()).status_code == 200


def test_the_limit_form_refuses_nonsense(workshop, mapping, facilitator_client):
    url = reverse("mapping:workshop-participant-limit", args=["forening", mapping.pk])
    facilitator_client.post(url, {"participant_limit": "0"})
    workshop.refresh_from_db()
    assert workshop.participant_limit == 2


def test_a_flood_from_one_address_does_not_lock_out_people_elsewhere(mapping, monkeypatch):
    workshop = mapping.workshops.create(code="EFGH6789", participant_limit=100)
    monkeypatch.setattr(rules, "JOINS_PER_CLIENT_PER_MINUTE", 5)
    flood = [join(Client(REMOTE_ADDR="10.6.6.6"), workshop).status_code for _ in range(20)]
    assert flood.count(302) == 5 and flood.count(429) == 15
    workshop.refresh_from_db()
    assert workshop.participants_joined == 5  # the script took five seats, not the workshop
    assert join(Client(REMOTE_ADDR="10.0.0.7"), workshop).status_code == 302


def test_a_room_of_sixty_behind_one_office_router_all_get_in(mapping):
    """DESIGN.md's workshop: 60 phones on the office wifi, one public address, joining at the start."""
    workshop = mapping.workshops.create(code="ROOM6060")
    answers = [join(Client(REMOTE_ADDR="192.0.2.10"), workshop).status_code for _ in range(60)]
    assert answers.count(302) == 60
    workshop.refresh_from_db()
    assert workshop.participants_joined == 60


def test_polls_are_limited_per_phone(workshop, monkeypatch):
    monkeypatch.setattr(rules, "REQUESTS_PER_PARTICIPANT_PER_MINUTE", 3)
    phone = participant(workshop)
    poll = reverse("mapping:join-poll", args=[workshop.code])
    statuses = [phone.get(poll, {"v": "x"}).status_code for _ in range(5)]
    assert statuses[-1] == 429
    assert participant(workshop).get(poll, {"v": "x"}).status_code == 200  # another phone polls on


def test_every_participant_request_is_limited_per_address(workshop, monkeypatch):
    monkeypatch.setattr(rules, "REQUESTS_PER_CLIENT_PER_MINUTE", 4)
    client = Client(REMOTE_ADDR="10.9.9.9")
    statuses = [client.get(workshop.get_absolute_url()).status_code for _ in range(6)]
    assert statuses[:4] == [200] * 4 and statuses[4:] == [429, 429]


def test_polling_codes_that_open_nothing_counts_as_guessing(db, monkeypatch):
    monkeypatch.setattr(rules, "UNKNOWN_CODES_PER_MINUTE", 2)
    statuses = [Client().get(f"/j/GUESS{n:03d}/poll/", {"v": "1"}).status_code for n in range(4)]
    assert statuses == [200, 200, 429, 429]


def test_the_counters_live_in_djangos_cache(workshop, monkeypatch):
    monkeypatch.setattr(rules, "JOINS_PER_CLIENT_PER_MINUTE", 1)
    assert join(Client(), workshop).status_code == 302
    assert join(Client(), workshop).status_code == 429
    cache.clear()  # the configured cache (shared across processes when one is configured) holds them
    assert join(Client(), workshop).status_code == 302
