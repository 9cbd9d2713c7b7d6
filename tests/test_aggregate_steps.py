"""Aggregates move only in steps of the group minimum, per workshop, so one answer cannot be
subtracted out of two aggregates (issue 11 §1.3)."""

import re

import pytest
from django.urls import reverse

from mapping import participation as rules
from mapping.models import Input

from .test_workshop import participant, rate


@pytest.fixture
def card(mapping):
    return mapping.initiatives.create(title="Teammøder", level="gruppe", dimension="struktur")


def board_rating(client, mapping) -> tuple[float, int] | None:
    """What a member sees on the card: ("3,0", 5) from "Medarbejdere: 3,0 / 5 (5 svar)"."""
    page = client.get(reverse("mapping:board", args=["forening", mapping.pk])).content.decode()
    found = re.search(r"Medarbejdere: (\d+,\d) / 5 \((\d+) svar\)", page)
    return (float(found[1].replace(",", ".")), int(found[2])) if found else None


def screen_rating(client, mapping) -> tuple[float, int] | None:
    """What the facilitator's workshop screen shows: "Virker 3,0 (5 svar)"."""
    page = client.get(reverse("mapping:workshop", args=["forening", mapping.pk])).content.decode()
    found = re.search(r"Virker (\d+,\d) \((\d+) svar\)", page)
    return (float(found[1].replace(",", ".")), int(found[2])) if found else None


def subtract(before, after) -> float | None:
    """The subtraction attack: the new answers' sum, per new answer."""
    if before is None or after is None or after[1] == before[1]:
        return None
    return (after[0] * after[1] - before[0] * before[1]) / (after[1] - before[1])


def test_the_rule_shows_from_the_minimum_and_then_moves_in_steps_of_it():
    assert not rules.is_release_due(4, 0, 5)
    assert rules.is_release_due(5, 0, 5)
    assert not rules.is_release_due(6, 5, 5)
    assert not rules.is_release_due(9, 5, 5)
    assert rules.is_release_due(10, 5, 5)
    assert not rules.is_release_due(2, 0, 2)  # never below the floor of three
    assert rules.is_release_due(3, 0, 2)


def test_bobs_rating_cannot_be_subtracted_from_the_board(mapping, card, member_client, facilitator_client):
    workshop = mapping.workshops.create(code="ABCD2345")
    for _ in range(5):
        rate(participant(workshop), workshop, card, purpose=3, works=3)
    before_board, before_screen = board_rating(member_client, mapping), screen_rating(facilitator_client, mapping)
    assert before_board == (3.0, 5) and before_screen == (3.0, 5)

    bob = participant(workshop)
    rate(bob, workshop, card, purpose=1, works=1)

    after_board, after_screen = board_rating(member_client, mapping), screen_rating(facilitator_client, mapping)
    assert subtract(before_board, after_board) is None
    assert subtract(before_screen, after_screen) is None
    assert after_board == (3.0, 5) and after_screen == (3.0, 5)
    assert workshop.inputs.filter(kind="rating").count() == 6  # Bob's answer is stored, just not shown alone


def test_the_aggregate_moves_after_enough_new_answers(mapping, card, member_client):
    workshop = mapping.workshops.create(code="ABCD2345")
    for works in [3, 3, 3, 3, 3, 1, 1, 1, 1]:
        rate(participant(workshop), workshop, card, works=works)
    assert board_rating(member_client, mapping) == (3.0, 5)
    rate(participant(workshop), workshop, card, works=1)
    assert board_rating(member_client, mapping) == (2.0, 10)


def test_changing_ones_answer_does_not_move_the_aggregate(mapping, card, member_client):
    workshop = mapping.workshops.create(code="ABCD2345")
    people = [participant(workshop) for _ in range(5)]
    for person in people:
        rate(person, workshop, card, works=3)
    rate(people[0], workshop, card, works=5)
    assert board_rating(member_client, mapping) == (3.0, 5)


def test_a_single_rating_in_a_new_workshop_cannot_be_subtracted_from_the_pooled_board(
    mapping, card, member_client, facilitator_client
):
    first = mapping.workshops.create(code="ABCD2345")
    for _ in range(5):
        rate(participant(first), first, card, works=3)
    first.close()
    before = board_rating(member_client, mapping)
    second = mapping.workshops.create(code="EFGH6789")
    rate(participant(second), second, card, works=1)
    assert board_rating(member_client, mapping) == before == (3.0, 5)
    assert screen_rating(facilitator_client, mapping) is None  # the new workshop: too few answers


def test_deleting_a_workshops_input_takes_its_aggregate_off_the_board(mapping, card, member_client):
    workshop = mapping.workshops.create(code="ABCD2345")
    for _ in range(5):
        rate(participant(workshop), workshop, card, works=4)
    workshop.delete_all_input()
    assert board_rating(member_client, mapping) is None
    assert not Input.objects.exists()
