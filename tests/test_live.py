"""Live board: the cheap "nothing changed" poll and the fragments sent when something did."""

import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mapping import live
from mapping.models import Membership, Purpose

from .conftest import HTMX, add_card, client_for, fill_mapping


def poll_url(mapping) -> str:
    return reverse("mapping:board-poll", args=[mapping.organisation.slug, mapping.pk])


def poll_form(client, mapping) -> dict:
    """What the board page's #live-poll form sends: its hidden inputs, by name."""
    body = client.get(mapping.get_absolute_url()).content.decode()
    form = re.search(r'<form id="live-poll".*?</form>', body, re.S).group(0)
    assert f'hx-get="{poll_url(mapping)}"' in form
    return dict(re.findall(r'<input type="hidden"[^>]*name="(\w+)" value="([^"]*)"', form))


def test_the_board_page_carries_a_poll_token_for_its_viewer(member_client, member, mapping):
    data = poll_form(member_client, mapping)
    assert data["v"] == str(mapping.version)
    assert live.token_user(data["t"], mapping.pk) == member.pk


def test_an_unchanged_poll_answers_204_from_one_query(member_client, mapping, django_assert_max_num_queries):
    add_card(mapping, "MUS")
    data = poll_form(member_client, mapping)
    with django_assert_max_num_queries(1):
        response = member_client.get(poll_url(mapping), data, headers=HTMX)
    assert response.status_code == 204
    assert response.headers["HX-Reswap"] == "none"
    assert response.content == b""
    assert not response.cookies


def test_a_changed_poll_sends_every_cell_out_of_band(member_client, amo_client, mapping):
    data = poll_form(member_client, mapping)
    amo_client.post(
        reverse("mapping:initiative-create", args=["forening", mapping.pk]),
        {"title": "Fredagsbar", "level": "organisation", "dimension": "kultur"},
        headers=HTMX,
    )
    response = member_client.get(poll_url(mapping), data, headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Fredagsbar" in body
    for level in ["individ", "gruppe", "ledelse", "organisation"]:
        for dimension in ["struktur", "kultur"]:
            assert re.search(rf'<ol id="cards-{level}-{dimension}"[^>]*hx-swap-oob="true"', body)
    assert re.search(r'<section id="purposes"[^>]*hx-swap-oob="true"', body)
    assert re.search(r'<section id="trash"[^>]*hx-swap-oob="true"', body)
    mapping.refresh_from_db()
    assert f'id="live-version" name="v" value="{mapping.version}" hx-swap-oob="true"' in body
    assert "<html" not in body


def test_the_changed_cells_keep_the_viewers_purpose_filter(member_client, mapping):
    purpose = Purpose.objects.create(mapping=mapping, title="Trivsel")
    card = add_card(mapping, "Match")
    card.set_purposes([purpose])
    data = poll_form(member_client, mapping)
    with mapping.change():
        pass
    response = member_client.get(poll_url(mapping), {**data, "purpose": purpose.pk}, headers=HTMX)
    assert f'class="card is-match" id="initiative-{card.pk}"' in response.content.decode()


def test_a_member_sees_the_changes_without_edit_controls(member_client, mapping):
    add_card(mapping, "MUS")
    data = poll_form(member_client, mapping)
    with mapping.change():
        pass
    body = member_client.get(poll_url(mapping), data, headers=HTMX).content.decode()
    assert "MUS" in body
    assert "data-sortable" not in body and "data-move-url" not in body


def test_a_bad_token_falls_back_to_the_gate_and_gets_a_fresh_token(member_client, mapping):
    response = member_client.get(poll_url(mapping), {"v": mapping.version, "t": "forged"}, headers=HTMX)
    assert response.status_code == 200
    assert 'id="live-token"' in response.content.decode()
    changed = member_client.get(poll_url(mapping), {"v": mapping.version - 1, "t": "forged"}, headers=HTMX)
    assert 'id="cards-individ-struktur"' in changed.content.decode()


def test_an_outsider_with_a_bad_token_is_not_found(outsider_client, mapping):
    response = outsider_client.get(poll_url(mapping), {"v": mapping.version, "t": "forged"}, headers=HTMX)
    assert response.status_code == 404


def test_an_anonymous_poll_without_a_token_is_not_found(client, mapping):
    assert client.get(poll_url(mapping), {"v": mapping.version}, headers=HTMX).status_code == 404


def test_an_outsider_cannot_reuse_a_members_token_on_another_mapping(member_client, outsider_client, mapping):
    data = poll_form(member_client, mapping)
    other = mapping.organisation.mappings.create(title="Anden")
    response = outsider_client.get(poll_url(other), data, headers=HTMX)
    assert response.status_code == 404


def test_a_former_member_with_a_token_is_not_found(member_client, member, mapping):
    data = poll_form(member_client, mapping)
    Membership.objects.filter(user=member).delete()
    response = member_client.get(poll_url(mapping), data, headers=HTMX)
    assert response.status_code == 404


def test_a_deactivated_member_with_a_token_is_not_found(member_client, member, mapping):
    data = poll_form(member_client, mapping)
    member.is_active = False
    member.save()
    response = member_client.get(poll_url(mapping), data, headers=HTMX)
    assert response.status_code == 404


def test_a_valid_token_does_not_open_the_mapping_under_another_organisations_address(
    outsider, other_organisation, mapping
):
    own = other_organisation.mappings.create(title="Egen")
    token = live.poll_token(outsider.pk, own.pk)
    address = reverse("mapping:board-poll", args=["forening", own.pk])
    response = client_for(outsider).get(address, {"v": own.version, "t": token}, headers=HTMX)
    assert response.status_code == 404
    assert client_for(outsider).get(poll_url(own), {"v": own.version, "t": token}).status_code == 204


def test_an_expired_token_falls_back_to_the_gate(member_client, mapping, monkeypatch):
    data = poll_form(member_client, mapping)
    monkeypatch.setattr(live, "TOKEN_MAX_AGE", -1)
    response = member_client.get(poll_url(mapping), data, headers=HTMX)
    assert response.status_code == 200
    assert 'id="live-token"' in response.content.decode()


@pytest.mark.parametrize("seen", ["", "abc", "-1", "1.5"])
def test_a_strange_version_gets_the_whole_board(member_client, mapping, seen):
    data = poll_form(member_client, mapping)
    response = member_client.get(poll_url(mapping), {**data, "v": seen}, headers=HTMX)
    assert response.status_code == 200
    assert 'id="live-version"' in response.content.decode()


def test_the_poll_refuses_a_post(member_client, mapping):
    data = poll_form(member_client, mapping)
    assert member_client.post(poll_url(mapping), data).status_code == 405


def test_token_user_refuses_a_token_for_another_mapping_or_a_tampered_one(mapping):
    token = live.poll_token(7, mapping.pk)
    assert live.token_user(token, mapping.pk) == 7
    assert live.token_user(token, mapping.pk + 1) is None
    assert live.token_user(token[:-2] + "xx", mapping.pk) is None
    assert live.token_user("", mapping.pk) is None


def test_current_version_answers_only_for_members(mapping, member, outsider):
    assert live.current_state("forening", mapping.pk, member.pk) == str(mapping.version)
    assert live.current_state("forening", mapping.pk, outsider.pk) is None
    assert live.current_state("andre", mapping.pk, member.pk) is None


@pytest.mark.parametrize("seen", ["²", "9" * 30])
def test_a_version_in_other_digits_is_handled(member_client, mapping, seen):
    data = poll_form(member_client, mapping)
    response = member_client.get(poll_url(mapping), {**data, "v": seen}, headers=HTMX)
    assert response.status_code == 200


def test_a_changed_poll_costs_the_same_queries_for_10_and_500_cards(member_client, organisation):
    counts = []
    for size in (10, 500):
        mapping = organisation.mappings.create(title=f"{size} kort")
        fill_mapping(mapping, size)
        data = poll_form(member_client, mapping)
        with mapping.change():
            pass
        with CaptureQueriesContext(connection) as queries:
            response = member_client.get(poll_url(mapping), data, headers=HTMX)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12


def test_a_repeated_unchanged_poll_answers_from_the_cache(member_client, mapping, django_assert_num_queries):
    data = poll_form(member_client, mapping)
    assert member_client.get(poll_url(mapping), data, headers=HTMX).status_code == 204
    with django_assert_num_queries(0):
        response = member_client.get(poll_url(mapping), data, headers=HTMX)
    assert response.status_code == 204


def test_a_change_in_this_process_reaches_the_next_poll_at_once(member_client, mapping):
    data = poll_form(member_client, mapping)
    assert member_client.get(poll_url(mapping), data, headers=HTMX).status_code == 204
    with mapping.change():
        pass
    response = member_client.get(poll_url(mapping), data, headers=HTMX)
    assert response.status_code == 200
    assert f'id="live-version" name="v" value="{mapping.version}"' in response.content.decode()


def test_the_new_version_is_cached_when_the_write_commits(mapping, django_capture_on_commit_callbacks):
    cache.set(live.version_key(mapping.pk), mapping.version)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with mapping.change():
            pass
        assert cache.get(live.version_key(mapping.pk)) is None  # not committed yet
    assert cache.get(live.version_key(mapping.pk)) == mapping.version


def test_a_known_reader_costs_one_small_query_when_the_version_expired(member, mapping, django_assert_num_queries):
    assert live.current_state("forening", mapping.pk, member.pk) == str(mapping.version)
    cache.delete(live.version_key(mapping.pk))
    with django_assert_num_queries(1) as queries:
        assert live.current_state("forening", mapping.pk, member.pk) == str(mapping.version)
    assert "JOIN" not in queries.captured_queries[0]["sql"]


def test_a_poll_with_an_expired_token_gets_a_fresh_token_not_the_whole_board(facilitator_client, example):
    url = reverse("mapping:board-poll", args=[example.organisation.slug, example.pk])
    response = facilitator_client.get(url, {"v": example.version, "t": "expired"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="live-token"' in html and "hx-swap-oob" in html
    assert "cards-individ-struktur" not in html
    token = re.search(r'id="live-token" name="t" value="([^"]+)"', html).group(1)
    assert facilitator_client.get(url, {"v": example.version, "t": token}).status_code == 204


def test_the_gap_poll_refuses_odd_versions_without_an_error(facilitator_client, example):
    url = reverse("mapping:gaps-poll", args=[example.organisation.slug, example.pk])
    assert facilitator_client.get(url, {"v": "²", "t": "x"}).status_code == 200


def test_a_poll_filling_the_cache_never_takes_back_a_version_a_write_set_as_it_committed(mapping, member):
    """The race: a poll reads version N while a write commits N + 1 and caches it; the poll's fill
    comes after. Were it to overwrite, later polls would answer 204 to a board that missed the write."""
    read = mapping.version
    cache.set(live.version_key(mapping.pk), read + 1)  # the write's on-commit, between the poll's read and its fill
    assert live.current_state("forening", mapping.pk, member.pk) == str(read)  # this poll read the older row
    assert cache.get(live.version_key(mapping.pk)) == read + 1
    assert live.current_state("forening", mapping.pk, member.pk) == str(read + 1)  # the next poll: the write
