"""The board's cached regions (mapping/cache.py): the page follows every input its regions read.

Each test renders the board once (filling the cache), changes one input the
regions read, and renders again. If that input were left out of the cache
key, the second page would be the first one's HTML and the test would fail.
"""

import re

from django.conf import settings
from django.test import Client

from mapping.cache import csrf_placeholder
from mapping.models import Purpose

from .conftest import add_card, client_for


def board(client: Client, mapping, **params) -> str:
    response = client.get(mapping.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_change_on_the_board_shows(amo_client, mapping):
    assert "Fredagsbar" not in board(amo_client, mapping)
    with mapping.change():
        add_card(mapping, "Fredagsbar")
    assert "Fredagsbar" in board(amo_client, mapping)


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
