"""Vote, "kender den ikke" and "belaster" counts move only in steps of the group minimum, like
ratings (``Release``): one more tap changes nothing anyone sees until a full step is in. The
presenter's poll state follows what it shows, so its refresh tells no one that someone answered."""

import json
import re

import pytest

from mapping.models import Action

from .test_workshop import (  # the workshop tests' fixtures, the phone's requests
    action_vote,
    burden,
    card,
    facilitator_url,
    fresh_limits,
    not_known,
    participant,
    poll_form,
    rate,
    suggest,
    topics,
    vote,
    workshop,
)

__all__ = ["card", "fresh_limits", "workshop"]  # fixtures, used by name


@pytest.fixture
def action(mapping):
    return mapping.actions.create(title="Følg op på trivselsmålingen", burden=3)


def figures(client, mapping, name: str, pattern: str) -> list[str]:
    page = client.get(facilitator_url(name, mapping)).text
    return re.findall(pattern, page)


SCREENS = ("workshop", "workshop-present")
VOTES = r'class="(?:votes|count)">\(?(\d+ stemmer?)\b'  # a card's or a list's figure


def test_a_cards_vote_count_moves_only_in_full_steps_on_both_screens(facilitator_client, mapping, workshop, card):
    for _ in range(4):
        vote(participant(workshop), workshop, card)
    for name in SCREENS:
        assert figures(facilitator_client, mapping, name, VOTES) == []  # below the minimum: nothing
    vote(participant(workshop), workshop, card)
    for name in SCREENS:
        assert set(figures(facilitator_client, mapping, name, VOTES)) == {"5 stemmer"}
    for _ in range(4):
        vote(participant(workshop), workshop, card)  # the sixth to ninth vote
        for name in SCREENS:
            assert set(figures(facilitator_client, mapping, name, VOTES)) == {"5 stemmer"}
    vote(participant(workshop), workshop, card)
    for name in SCREENS:
        assert set(figures(facilitator_client, mapping, name, VOTES)) == {"10 stemmer"}


def test_taking_a_vote_back_does_not_show_either(facilitator_client, mapping, workshop, card):
    phones = [participant(workshop) for _ in range(5)]
    for phone in phones:
        vote(phone, workshop, card)
    vote(phones[0], workshop, card, action="remove")
    for name in SCREENS:
        assert set(figures(facilitator_client, mapping, name, VOTES)) == {"5 stemmer"}


def test_kender_den_ikke_moves_only_in_full_steps(facilitator_client, mapping, workshop, card):
    for _ in range(5):
        not_known(participant(workshop), workshop, card)
    not_known(participant(workshop), workshop, card)
    for name in SCREENS:
        assert figures(facilitator_client, mapping, name, r"\d+ kender den ikke") == ["5 kender den ikke"]


def test_action_votes_move_only_in_full_steps_on_the_screens_and_the_plan(
    facilitator_client, member_client, mapping, workshop, action
):
    for _ in range(6):
        action_vote(participant(workshop), workshop, action)
    for name in SCREENS:
        assert figures(facilitator_client, mapping, name, r"\((\d+) stemmer?\)") == ["5"]
    plan = member_client.get(facilitator_url("actions", mapping)).text
    assert re.findall(r"Stemmer i workshoppen</dt><dd>(\d+) stemmer?", plan) == ["5"]


def test_burden_marks_move_only_in_full_steps(facilitator_client, mapping, workshop, card):
    workshop.move_to_step(4)
    first = topics(mapping)[0]
    for _ in range(6):
        burden(participant(workshop), workshop, first)
    for name in SCREENS:
        assert figures(facilitator_client, mapping, name, r"\((\d+) markering") == ["5"]


def test_an_actions_burden_in_the_plan_and_the_export_comes_from_released_marks(
    facilitator_client, mapping, workshop, card
):
    workshop.move_to_step(4)
    first, second = topics(mapping)[:2]
    for _ in range(5):
        burden(participant(workshop), workshop, first)
    for _ in range(4):  # four more people, all on something else: not yet a released figure
        burden(participant(workshop), workshop, second)
    made = Action.from_finding(mapping, first)
    assert made.burden == 5  # five of five released, not five of nine
    plan = facilitator_client.get(facilitator_url("actions", mapping)).text
    assert f'id="action-{made.pk}"' in plan and "5/5" in plan
    exported = json.loads(facilitator_client.get(facilitator_url("mapping-export-json", mapping)).content)
    assert [item["burden"] for item in exported["actions"] if item["title"] == made.title] == [5]


def test_the_phones_show_no_counts(mapping, workshop, card, action):
    for _ in range(5):
        vote(participant(workshop), workshop, card)
        action_vote(participant(workshop), workshop, action)
    phone = participant(workshop)
    for url in (workshop.get_absolute_url(), f"{workshop.get_absolute_url()}i/{card.pk}/"):
        assert not re.search(r"\d+ stemmer?\b(?! tilbage)", phone.get(url).text)  # but "Du har 2 stemmer tilbage"


# -- The presenter's poll state ------------------------------------------------------------


def present_poll(client, mapping, seen):
    return client.get(facilitator_url("workshop-present-poll", mapping), seen, HTTP_HX_REQUEST="true")


def test_the_presenter_does_not_refresh_for_input_it_does_not_show(facilitator_client, mapping, workshop, card, action):
    for _ in range(5):  # the card's first ratings, released: from here a new rating shows nothing
        rate(participant(workshop), workshop, card)
    workshop.move_to_step(4)
    seen = poll_form(facilitator_client.get(facilitator_url("workshop-present", mapping)).text)
    console = poll_form(facilitator_client.get(facilitator_url("workshop", mapping)).text)
    phone = participant(workshop)
    rate(phone, workshop, card)
    vote(phone, workshop, card)
    action_vote(phone, workshop, action)
    not_known(participant(workshop), workshop, card)
    burden(phone, workshop, topics(mapping)[0])
    suggest(phone, workshop)  # pending: never on the wall
    assert present_poll(facilitator_client, mapping, seen).status_code == 204
    # The console shows the inbox, so it does refresh.
    response = facilitator_client.get(facilitator_url("workshop-poll", mapping), console, HTTP_HX_REQUEST="true")
    assert response.status_code == 200


def test_the_presenter_refreshes_when_a_figure_is_released(facilitator_client, mapping, workshop, card):
    for _ in range(4):
        vote(participant(workshop), workshop, card)
    seen = poll_form(facilitator_client.get(facilitator_url("workshop-present", mapping)).text)
    assert present_poll(facilitator_client, mapping, seen).status_code == 204
    vote(participant(workshop), workshop, card)
    response = present_poll(facilitator_client, mapping, seen)
    assert response.status_code == 200 and "5 stemmer" in response.text
