"""Workshop mode: the facilitator's screen, participants without accounts,
moderation, privacy (no author traces, minimum group size) and limits."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.test import Client, RequestFactory
from django.urls import reverse

from mapping import gaps, live
from mapping import participation as rules
from mapping.access import Need, WorkshopGone, participant_gate
from mapping.forms import WorkshopStepForm
from mapping.models import (
    Initiative,
    InitiativeStatus,
    Input,
    InputKind,
    InputStatus,
    Organisation,
    Workshop,
    WorkshopStatus,
    new_join_code,
    normalise_code,
)
from mapping.models.workshops import JOIN_CODE_ALPHABET


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def workshop(mapping):
    return mapping.workshops.create(code="ABCD2345", votes_per_participant=2)


@pytest.fixture
def card(mapping):
    return mapping.initiatives.create(title="Teammøder", level="gruppe", dimension="struktur")


def facilitator_url(name, mapping, *args):
    return reverse(f"mapping:{name}", args=[mapping.organisation.slug, mapping.pk, *args])


def join(client: Client, workshop: Workshop, name: str = "") -> Client:
    response = client.post(reverse("mapping:join", args=[workshop.code]), {"name": name})
    assert response.status_code == 302
    return client


def participant(workshop: Workshop, name: str = "") -> Client:
    return join(Client(), workshop, name)


_keys = iter(range(10**6))


def key() -> str:
    return f"test-key-{next(_keys):06d}"


def suggest(client, workshop, text="Fredagsmorgenmad", cell="gruppe:kultur", is_missing="0", form_key=None):
    return client.post(
        reverse("mapping:join-suggest", args=[workshop.code]),
        {"text": text, "cell": cell, "is_missing": is_missing, "key": form_key or key()},
    )


def rate(client, workshop, card, purpose=4, works=3, form_key=None):
    return client.post(
        reverse("mapping:join-rate", args=[workshop.code, card.pk]),
        {"rating_purpose": purpose, "rating_works": works, "key": form_key or key()},
    )


def vote(client, workshop, card, action="add", form_key=None):
    return client.post(
        reverse("mapping:join-vote", args=[workshop.code, card.pk]), {"action": action, "key": form_key or key()}
    )


def comment(client, workshop, card, text="Godt, men for lange", form_key=None):
    return client.post(
        reverse("mapping:join-comment", args=[workshop.code, card.pk]), {"text": text, "key": form_key or key()}
    )


def poll_form(page: str) -> dict:
    """What a page's #live-poll form sends (the one live protocol): its hidden inputs, by name."""
    form = re.search(r'<form id="live-poll".*?</form>', page, re.S).group(0)
    return dict(re.findall(r'<input type="hidden"[^>]*name="(\w+)" value="([^"]*)"', form))


# -- Models and pure rules -------------------------------------------------------------


def test_join_codes_are_eight_unambiguous_characters():
    codes = {new_join_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 8
        assert set(code) <= set(JOIN_CODE_ALPHABET)
        assert not set(code) & set("01OIL")


def test_typed_codes_are_normalised():
    assert normalise_code(" abcd-2345 ") == "ABCD2345"


def test_aggregate_hides_the_average_below_the_minimum():
    assert rules.aggregate(4, 16, 5).average is None
    assert rules.aggregate(4, 16, 5).count == 4
    assert rules.aggregate(5, 21, 5).average == 4.2
    assert rules.aggregate(3, 9, 3).average == 3.0


def test_aggregate_never_goes_below_three_answers():
    assert rules.aggregate(2, 8, 2).average is None
    assert rules.aggregate(1, 5, 0).average is None


def test_a_burden_comes_from_released_marks_only():
    rows = [(1, "", 5), (1, "a", 5)]  # workshop 1: five people marked anything, five marked "a"
    assert rules.burden(rows, {"a"}) == 5
    assert rules.burden(rows, {"b"}) is None  # nothing released on "b": the severity decides
    assert rules.burden([*rows, (2, "", 5)], {"a"}) == 3  # five of ten people
    assert rules.burden([(1, "", 5), (1, "a", 5), (1, "b", 5)], {"a", "b"}) == 5  # never above everybody


def test_steps_follow_the_method():
    assert [s.number for s in rules.STEPS] == [1, 2, 3, 4]
    assert all(s.questions for s in rules.STEPS)
    assert rules.step(99).number == 4


def test_the_step_form_takes_exactly_the_methods_steps():
    assert WorkshopStepForm({"step": len(rules.STEPS)}).is_valid()
    assert not WorkshopStepForm({"step": len(rules.STEPS) + 1}).is_valid()
    assert not WorkshopStepForm({"step": 0}).is_valid()


def test_the_database_refuses_a_step_the_method_does_not_have(workshop):
    with pytest.raises(IntegrityError), transaction.atomic():
        Workshop.objects.filter(pk=workshop.pk).update(step=len(rules.STEPS) + 1)


def test_participant_key_is_salted_with_the_workshop():
    person = rules.Participant(token="x" * 32)
    assert person.key(1) != person.key(2)
    assert len(person.key(1)) == 64
    assert "x" * 32 not in person.key(1)


def test_a_foreign_cookie_is_no_participant():
    assert rules.read_participant("not json", 1) is None
    assert rules.read_participant('{"t": 1, "w": 1}', 1) is None
    assert rules.read_participant('{"t": "short", "w": 1}', 1) is None
    assert rules.read_participant('{"t": "%s", "n": "Kim", "w": 1}' % ("a" * 20), 1).name == "Kim"
    assert rules.read_participant('{"t": "%s", "n": "Kim", "w": 2}' % ("a" * 20), 1) is None


def test_the_participant_gate_opens_the_workshop_of_a_typed_code(workshop):
    assert participant_gate(" abcd-2345 ") == workshop


def test_the_participant_gate_refuses_unknown_closed_and_expired_codes(workshop):
    with pytest.raises(WorkshopGone) as unknown:
        participant_gate("NOPE2345")
    assert unknown.value.workshop is None and not unknown.value.is_busy
    workshop.close()
    with pytest.raises(WorkshopGone) as closed:
        participant_gate(workshop.code)
    assert closed.value.workshop == workshop


def test_the_participant_gate_slows_down_guessing(db, monkeypatch):
    monkeypatch.setattr(rules, "UNKNOWN_CODES_PER_MINUTE", 1)
    with pytest.raises(WorkshopGone):
        participant_gate("GUESS001")
    with pytest.raises(WorkshopGone) as guessed:
        participant_gate("GUESS002")
    assert guessed.value.is_busy


def test_min_group_size_defaults_to_five(organisation):
    assert organisation.min_group_size == 5


def test_min_group_size_of_three_is_allowed(organisation):
    organisation.min_group_size = 3
    organisation.save()
    organisation.refresh_from_db()
    assert organisation.min_group_size == 3


def test_min_group_size_below_three_is_refused_by_the_database(organisation):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=organisation.pk).update(min_group_size=2)


def test_one_open_workshop_per_mapping(workshop, mapping):
    with pytest.raises(IntegrityError), transaction.atomic():
        mapping.workshops.create(code="ZZZZ2345")
    workshop.close()
    assert mapping.workshops.create(code="ZZZZ2345").is_open


def test_ratings_outside_one_to_five_are_refused_by_the_database(workshop, card):
    with pytest.raises(IntegrityError), transaction.atomic():
        Input.objects.create(
            workshop=workshop,
            kind=InputKind.RATING,
            initiative=card,
            rating_purpose=6,
            rating_works=3,
            participant="p",
            idempotency_key="k",
        )


# -- Facilitator screen ----------------------------------------------------------------


def test_the_workshop_page_offers_a_start(facilitator_client, mapping):
    response = facilitator_client.get(facilitator_url("workshop", mapping))
    assert response.status_code == 200
    assert "Start workshop" in response.text


def test_board_nav_links_to_the_workshop(facilitator_client, mapping):
    response = facilitator_client.get(mapping.get_absolute_url())
    assert facilitator_url("workshop", mapping) in response.text


def test_starting_gives_a_code_join_url_and_qr(facilitator_client, mapping):
    response = facilitator_client.post(facilitator_url("workshop-start", mapping), {"votes_per_participant": 4})
    assert response.status_code == 302
    workshop = mapping.workshops.get()
    assert workshop.is_open and workshop.votes_per_participant == 4
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    assert workshop.code_display in page
    assert f"http://testserver/j/{workshop.code}/" in page
    assert facilitator_url("workshop-qr", mapping) in page
    qr = facilitator_client.get(facilitator_url("workshop-qr", mapping))
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<svg")
    assert b"style=" not in qr.content
    assert qr["Cache-Control"] == "no-store"


def test_starting_twice_keeps_one_open_workshop(facilitator_client, mapping):
    facilitator_client.post(facilitator_url("workshop-start", mapping), {"votes_per_participant": 3})
    facilitator_client.post(facilitator_url("workshop-start", mapping), {"votes_per_participant": 3})
    assert mapping.workshops.count() == 1


def test_start_returns_the_workshop_already_open(workshop, mapping):
    assert Workshop.objects.start(mapping, votes_per_participant=5) == (workshop, False)
    workshop.close()
    started, is_new = Workshop.objects.start(mapping, votes_per_participant=5)
    assert is_new and started.is_open and started.votes_per_participant == 5 and started != workshop


def test_start_draws_another_code_after_a_collision(workshop, mapping, monkeypatch):
    workshop.close()
    codes = iter([workshop.code, "ZZZZ2345"])
    monkeypatch.setattr("mapping.models.workshops.new_join_code", lambda: next(codes))
    started, is_new = Workshop.objects.start(mapping, votes_per_participant=3)
    assert is_new and started.code == "ZZZZ2345"


def test_start_refuses_a_bad_number_of_votes(facilitator_client, mapping):
    response = facilitator_client.post(facilitator_url("workshop-start", mapping), {"votes_per_participant": 0})
    assert response.status_code == 400
    assert not mapping.workshops.exists()


def test_closing_ends_the_code(facilitator_client, mapping, workshop):
    facilitator_client.post(facilitator_url("workshop-close", mapping))
    workshop.refresh_from_db()
    assert workshop.status == WorkshopStatus.CLOSED
    assert workshop.closed_at is not None
    assert Client().get(reverse("mapping:join", args=[workshop.code])).status_code == 404


def test_the_screen_shows_the_steps_and_questions(facilitator_client, mapping, workshop):
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    for item in rules.STEPS:
        assert str(item.title) in page
    assert str(rules.STEPS[0].questions[0]) in page


def test_changing_step_reaches_participants(facilitator_client, mapping, workshop):
    phone = participant(workshop)
    version = workshop.version
    response = facilitator_client.post(facilitator_url("workshop-step", mapping), {"step": 4}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    workshop.refresh_from_db()
    assert workshop.step == 4 and workshop.version > version
    page = phone.get(reverse("mapping:join", args=[workshop.code])).text
    assert str(rules.STEPS[3].prompt) in page


@pytest.mark.parametrize(("number", "first"), [(1, "board"), (3, "suggest"), (4, "burden")])
def test_the_phone_shows_the_current_steps_task_first(workshop, number, first):
    workshop.move_to_step(number)
    page = participant(workshop).get(reverse("mapping:join", args=[workshop.code])).text
    tasks = page[page.index("data-join-tasks") :]
    assert re.search(r'data-task="(\w+)"', tasks).group(1) == first


def test_the_phones_board_offers_votes_in_the_voting_step(workshop, card):
    phone = participant(workshop)
    vote_url = reverse("mapping:join-vote", args=[workshop.code, card.pk])
    assert vote_url not in phone.get(reverse("mapping:join", args=[workshop.code])).text
    assert vote_url in phone.get(reverse("mapping:join-initiative", args=[workshop.code, card.pk])).text
    workshop.move_to_step(4)
    assert vote_url in phone.get(reverse("mapping:join", args=[workshop.code])).text


def test_members_cannot_open_the_facilitator_screen(client, member, mapping, workshop):
    client.force_login(member)
    assert client.get(facilitator_url("workshop", mapping)).status_code == 403
    assert client.get(facilitator_url("workshop-qr", mapping)).status_code == 403


def test_outsiders_get_404(client, outsider, mapping, workshop):
    client.force_login(outsider)
    assert client.get(facilitator_url("workshop", mapping)).status_code == 404
    assert client.post(facilitator_url("workshop-close", mapping)).status_code == 404


def test_amo_may_run_a_workshop(client, amo, mapping):
    client.force_login(amo)
    assert client.get(facilitator_url("workshop", mapping)).status_code == 200


# -- Presenter view (the projector) --------------------------------------------------------

PRIVATE = "Vores leder taler grimt til os på møderne"


def test_the_console_opens_the_presenter_view_in_a_new_window(facilitator_client, mapping, workshop):
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    link = re.search(rf'<a [^>]*href="{facilitator_url("workshop-present", mapping)}"[^>]*>', page).group(0)
    assert 'target="_blank"' in link and 'rel="noopener"' in link


def test_the_presenter_view_shows_code_qr_timer_step_and_questions(facilitator_client, mapping, workshop, card):
    workshop.move_to_step(2)
    page = facilitator_client.get(facilitator_url("workshop-present", mapping)).text
    assert workshop.code_display in page
    assert facilitator_url("workshop-qr", mapping) in page
    assert "data-timer" in page
    assert "Trin 2 af 4" in page
    for question in rules.STEPS[1].questions:
        assert str(question) in page
    assert "Teammøder" in page
    assert "Luk workshoppen" not in page and "Sæt på tavlen" not in page  # no controls, no inbox


def test_the_presenter_view_says_when_no_workshop_was_started(facilitator_client, mapping):
    page = facilitator_client.get(facilitator_url("workshop-present", mapping))
    assert page.status_code == 200
    assert "Ingen workshop endnu" in page.text


def pending_and_named_input(workshop, card) -> None:
    """What must never reach the wall: pending text, and names even on approved input."""
    suggest(participant(workshop, "Mette K."), workshop, text=PRIVATE)
    comment(participant(workshop, "Jonas P."), workshop, card, text="Møderne er for lange")
    named = participant(workshop, "Ole B.")
    suggest(named, workshop, text="Walk and talk")
    comment(named, workshop, card, text="Godt initiativ")
    for item in workshop.inputs.filter(text__in=["Walk and talk", "Godt initiativ"]):
        item.moderate(InputStatus.APPROVED)


def assert_nothing_private(text: str) -> None:
    for secret in (PRIVATE, "Møderne er for lange", "Mette K.", "Jonas P.", "Ole B.", "Godt initiativ"):
        assert secret not in text


def test_the_presenter_view_never_shows_pending_input_or_names(facilitator_client, mapping, workshop, card):
    pending_and_named_input(workshop, card)
    console = facilitator_client.get(facilitator_url("workshop", mapping)).text
    assert PRIVATE in console and "Mette K." in console  # the facilitator reads it before anyone else
    page = facilitator_client.get(facilitator_url("workshop-present", mapping)).text
    assert "Walk and talk" in page  # approved: on the board, without its author
    assert_nothing_private(page)


def test_the_presenter_poll_never_brings_pending_input_or_names(facilitator_client, mapping, workshop, card):
    poll = facilitator_url("workshop-present-poll", mapping)
    seen = poll_form(facilitator_client.get(facilitator_url("workshop-present", mapping)).text)
    assert set(seen) == {"v", "t"}
    assert facilitator_client.get(poll, seen, HTTP_HX_REQUEST="true").status_code == 204
    pending_and_named_input(workshop, card)
    response = facilitator_client.get(poll, seen, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    for region in ("present-join", "present-step", "workshop-board", "present-votes"):
        assert re.search(rf'id="{region}"[^>]*hx-swap-oob="true"', response.text)
    assert "workshop-inbox" not in response.text
    assert "Walk and talk" in response.text
    assert_nothing_private(response.text)


def test_the_presenter_shows_averages_and_votes_only_from_the_minimum(facilitator_client, mapping, workshop, card):
    ratings_from(4, workshop, card)
    for _ in range(2):
        vote(participant(workshop), workshop, card)
    page = facilitator_client.get(facilitator_url("workshop-present", mapping)).text
    assert "Formål klart" not in page and not re.search(r"\d+ stemme", page)
    # Not even that answers wait: the projector shows released figures alone (its state follows them).
    assert "For få har" not in page
    console = facilitator_client.get(facilitator_url("workshop", mapping)).text
    assert "For få har svaret" in console and "For få har stemt" in console
    ratings_from(1, workshop, card)
    page = facilitator_client.get(facilitator_url("workshop-present", mapping)).text
    assert "Formål klart 4,0 · Virker 3,0 (5 svar)" in page


def test_a_members_board_token_is_no_key_to_the_presenter_poll(member_client, mapping, workshop):
    board = poll_form(member_client.get(mapping.get_absolute_url()).text)
    seen = {"v": live.page_state(mapping, workshop=True), "t": board["t"]}
    response = member_client.get(facilitator_url("workshop-present-poll", mapping), seen, HTTP_HX_REQUEST="true")
    assert response.status_code == 403


# -- Participants ----------------------------------------------------------------------


def test_joining_without_an_account_is_anonymous_by_default(workshop):
    client = Client()
    welcome = client.get(reverse("mapping:join", args=[workshop.code]))
    assert welcome.status_code == 200
    assert "anonym" in welcome.text
    join(client, workshop)
    page = client.get(reverse("mapping:join", args=[workshop.code]))
    assert "Du deltager anonymt" in page.text
    assert "_auth_user_id" not in client.session


def test_the_participant_cookie_is_signed_and_scoped_to_the_workshop(workshop):
    client = participant(workshop)
    cookie = client.cookies[rules.COOKIE]
    assert cookie["path"] == f"/j/{workshop.code}/"
    assert cookie["httponly"]
    client.cookies[rules.COOKIE] = '{"t":"' + "a" * 30 + '","n":""}'
    response = suggest(client, workshop)
    assert response.status_code == 302
    assert not workshop.inputs.exists()


def test_lowercase_code_finds_the_workshop(workshop):
    assert Client().get(f"/j/{workshop.code.lower()}/").status_code == 200


def test_entering_a_code_redirects_to_the_workshop(workshop):
    response = Client().get(reverse("mapping:join-enter"), {"code": "abcd-2345"})
    assert response.status_code == 302
    assert response["Location"] == f"/j/{workshop.code}/"
    assert Client().get(reverse("mapping:join-enter")).status_code == 200
    odd = Client().get(reverse("mapping:join-enter"), {"code": "a/b?c#d ÆØ"})
    assert odd.status_code == 302
    assert odd["Location"] == "/j/ABCD/"
    assert Client().get("/j/ab%2Fcd/").status_code == 404


def test_an_unknown_code_is_a_clear_404_in_danish(db):
    response = Client().get("/j/NOPE2345/")
    assert response.status_code == 404
    assert "Vi kender ikke den kode" in response.text
    assert '<html lang="da">' in response.text


def test_a_closed_code_is_a_clear_404(workshop):
    workshop.close()
    response = Client().get(reverse("mapping:join", args=[workshop.code]))
    assert response.status_code == 404
    assert "Workshoppen er slut" in response.text


def test_a_closed_workshop_refuses_input(workshop, card):
    phone = participant(workshop)
    workshop.close()
    for response in (suggest(phone, workshop), rate(phone, workshop, card), comment(phone, workshop, card)):
        assert response.status_code == 404
        assert "der kan ikke længere gives input" in response.text
    assert not workshop.inputs.exists()


def test_a_polling_phone_reloads_when_the_workshop_closes(workshop):
    phone = participant(workshop)
    workshop.close()
    response = phone.get(reverse("mapping:join-poll", args=[workshop.code]), {"v": "1:1"}, HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"


def test_a_suggestion_waits_for_the_facilitator(workshop):
    phone = participant(workshop)
    response = suggest(phone, workshop, text="Walk and talk", cell="individ:kultur", is_missing="1")
    assert response.status_code == 302
    item = workshop.inputs.get()
    assert (item.kind, item.status, item.level, item.dimension, item.is_missing) == (
        InputKind.SUGGESTION,
        InputStatus.PENDING,
        "individ",
        "kultur",
        True,
    )
    assert "Walk and talk" not in participant(workshop).get(reverse("mapping:join", args=[workshop.code])).text


def test_a_double_submit_counts_once(workshop, card):
    phone = participant(workshop)
    assert suggest(phone, workshop, form_key="same-key-123").status_code == 302
    assert suggest(phone, workshop, form_key="same-key-123").status_code == 302
    assert comment(phone, workshop, card, form_key="same-key-456").status_code == 302
    assert comment(phone, workshop, card, form_key="same-key-456").status_code == 302
    assert workshop.inputs.filter(kind=InputKind.SUGGESTION).count() == 1
    assert workshop.inputs.filter(kind=InputKind.COMMENT).count() == 1


def test_two_people_may_send_the_same_text(workshop):
    suggest(participant(workshop), workshop, form_key="shared-key-1")
    suggest(participant(workshop), workshop, form_key="shared-key-1")
    assert workshop.inputs.count() == 2


def test_empty_and_too_long_input_is_refused(workshop, card):
    phone = participant(workshop)
    empty = suggest(phone, workshop, text="   ")
    assert empty.status_code == 400
    assert "Skriv, hvad du foreslår." in empty.text
    long = suggest(phone, workshop, text="x" * 201)
    assert long.status_code == 400
    assert comment(phone, workshop, card, text="y" * 1001).status_code == 400
    assert rate(phone, workshop, card, purpose=9).status_code == 400
    assert suggest(phone, workshop, form_key="bad key!").status_code == 400
    assert not workshop.inputs.exists()


def test_markup_is_shown_as_text(facilitator_client, mapping, workshop):
    suggest(participant(workshop), workshop, text="<script>alert(1)</script><b>fed</b>")
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;fed&lt;/b&gt;" in page
    assert "<b>fed</b>" not in page


def test_rating_again_replaces_the_first_answer(workshop, card):
    phone = participant(workshop)
    rate(phone, workshop, card, 2, 2)
    rate(phone, workshop, card, 5, 4)
    rating = workshop.inputs.get(kind=InputKind.RATING)
    assert (rating.rating_purpose, rating.rating_works) == (5, 4)
    page = phone.get(reverse("mapping:join-initiative", args=[workshop.code, card.pk])).text
    assert "Ret bedømmelse" in page


def test_votes_are_limited_to_the_facilitators_number(mapping, workshop):
    cards = [mapping.initiatives.create(title=f"Indsats {n}", level="individ", dimension="struktur") for n in range(3)]
    phone = participant(workshop)
    vote(phone, workshop, cards[0])
    vote(phone, workshop, cards[0])  # the same dot twice is one vote
    vote(phone, workshop, cards[1])
    vote(phone, workshop, cards[2])
    assert workshop.inputs.filter(kind=InputKind.VOTE).count() == 2
    vote(phone, workshop, cards[0], action="remove")
    vote(phone, workshop, cards[2])
    assert set(workshop.inputs.filter(kind=InputKind.VOTE).values_list("initiative", flat=True)) == {
        cards[1].pk,
        cards[2].pk,
    }


def test_a_vote_spends_the_budget_once_per_item(workshop, card, plan):
    Vote = Workshop.Vote
    assert workshop.vote("p" * 64, "k-1", initiative=card) is Vote.ADDED
    assert workshop.vote("p" * 64, "k-2", initiative=card) is Vote.ALREADY
    assert workshop.vote("p" * 64, "k-3", action=plan["first"]) is Vote.ADDED
    assert workshop.vote("p" * 64, "k-4", action=plan["doing"]) is Vote.NO_VOTES_LEFT  # two votes each
    assert workshop.vote("q" * 64, "k-4", action=plan["doing"]) is Vote.ADDED  # someone else's budget
    assert workshop.vote("p" * 64, "k-5", initiative=card, remove=True) is Vote.REMOVED
    assert workshop.vote("p" * 64, "k-3", action=plan["doing"]) is Vote.REPEATED  # a submission seen before
    assert workshop.vote("p" * 64, "k-6", action=plan["doing"]) is Vote.ADDED
    mine = workshop.inputs.filter(kind=InputKind.VOTE, participant="p" * 64)
    assert set(mine.values_list("action", flat=True)) == {plan["first"].pk, plan["doing"].pk}


def test_a_vote_moves_the_facilitators_screen_but_not_the_mapping(workshop, mapping, card):
    mapping.refresh_from_db()
    before = (mapping.version, workshop.version, workshop.input_version)
    workshop.vote("p" * 64, "k-1", initiative=card)
    mapping.refresh_from_db()
    workshop.refresh_from_db()
    assert (mapping.version, workshop.version, workshop.input_version) == (before[0], before[1], before[2] + 1)


def test_a_vote_has_one_target(workshop, card, plan):
    with pytest.raises(ValueError):
        workshop.vote("p" * 64, "k-1")
    with pytest.raises(ValueError):
        workshop.vote("p" * 64, "k-1", initiative=card, action=plan["first"])


def test_writing_needs_a_joined_participant(workshop):
    response = suggest(Client(), workshop)
    assert response.status_code == 302
    assert response["Location"] == f"/j/{workshop.code}/"
    assert not workshop.inputs.exists()


def test_a_display_name_is_shown_with_suggestions_but_never_with_ratings(facilitator_client, mapping, workshop, card):
    named = participant(workshop, name="Kirsten")
    suggest(named, workshop, text="Kaffeklub")
    rate(named, workshop, card)
    assert workshop.inputs.get(kind=InputKind.SUGGESTION).author_name == "Kirsten"
    assert workshop.inputs.get(kind=InputKind.RATING).author_name == ""
    assert "Kirsten" in facilitator_client.get(facilitator_url("workshop", mapping)).text


def test_a_participant_can_become_anonymous_again(workshop):
    phone = participant(workshop, name="Kirsten")
    join(phone, workshop, name="")
    suggest(phone, workshop)
    assert workshop.inputs.get().author_name == ""


# -- Moderation ------------------------------------------------------------------------


def moderate(client, mapping, item, action, **extra):
    return client.post(facilitator_url("workshop-input-moderate", mapping, item.pk), {"action": action, **extra})


def test_approving_a_suggestion_puts_it_on_the_board(facilitator_client, mapping, workshop):
    phone = participant(workshop)
    suggest(phone, workshop, text="Sparring i par", cell="individ:kultur", is_missing="1")
    item = workshop.inputs.get()
    version = mapping.version
    assert moderate(facilitator_client, mapping, item, "approve").status_code == 302
    moderate(facilitator_client, mapping, item, "approve")  # a double click
    created = mapping.initiatives.get(title="Sparring i par")
    assert (created.level, created.dimension, created.status) == ("individ", "kultur", InitiativeStatus.PLANNED)
    item.refresh_from_db()
    assert item.status == InputStatus.APPROVED and item.result == created
    mapping.refresh_from_db()
    assert mapping.version > version
    assert "Sparring i par" in phone.get(reverse("mapping:join", args=[workshop.code])).text


def test_an_untouched_suggestion_is_ved_ikke_and_waits_for_the_facilitator_to_place_it(
    facilitator_client, mapping, workshop
):
    page = participant(workshop).get(reverse("mapping:join", args=[workshop.code])).text
    select = re.search(r'<select id="suggest-cell".*?</select>', page, re.S).group(0)
    assert re.search(r'<option value="" selected>Ved ikke', select)  # the first option, empty, chosen
    assert suggest(participant(workshop), workshop, text="Supervision", cell="").status_code == 302
    item = workshop.inputs.get()
    assert (item.level, item.dimension) == ("", "")
    assert "ved ikke hvor" in facilitator_client.get(facilitator_url("workshop", mapping)).text
    moderate(facilitator_client, mapping, item, "approve")
    item.refresh_from_db()
    assert item.status == InputStatus.PENDING and not mapping.initiatives.exists()  # not silently misplaced
    moderate(facilitator_client, mapping, item, "approve", cell="ledelse:kultur")
    item.refresh_from_db()
    card = mapping.initiatives.get()
    assert item.status == InputStatus.APPROVED and item.result == card
    assert (card.level, card.dimension) == ("ledelse", "kultur")


def test_the_facilitator_may_move_a_suggestion_to_another_cell_when_approving(facilitator_client, mapping, workshop):
    suggest(participant(workshop), workshop, text="Kaffepause", cell="individ:struktur")
    item = workshop.inputs.get()
    moderate(facilitator_client, mapping, item, "approve", cell="gruppe:kultur")
    assert (mapping.initiatives.get().level, mapping.initiatives.get().dimension) == ("gruppe", "kultur")


def test_participants_see_what_became_of_their_own_suggestions(facilitator_client, mapping, workshop, card):
    phone = participant(workshop)
    suggest(phone, workshop, text="Mit forslag")
    suggest(participant(workshop), workshop, text="En andens forslag")
    page = phone.get(reverse("mapping:join", args=[workshop.code])).text
    assert "Mit forslag" in page and "Venter" in page
    assert "En andens forslag" not in page
    moderate(facilitator_client, mapping, workshop.inputs.get(text="Mit forslag"), "merge", initiative=card.pk)
    page = phone.get(reverse("mapping:join", args=[workshop.code])).text
    assert "Findes som “Teammøder”" in page


def test_merging_points_the_suggestion_at_an_existing_initiative(facilitator_client, mapping, workshop, card):
    suggest(participant(workshop), workshop, text="Vores teammøder")
    item = workshop.inputs.get()
    moderate(facilitator_client, mapping, item, "merge", initiative=card.pk)
    item.refresh_from_db()
    assert item.status == InputStatus.MERGED and item.result == card
    assert mapping.initiatives.count() == 1


def test_merging_needs_a_target(facilitator_client, mapping, workshop):
    suggest(participant(workshop), workshop)
    item = workshop.inputs.get()
    moderate(facilitator_client, mapping, item, "merge")
    item.refresh_from_db()
    assert item.status == InputStatus.PENDING


def test_merging_into_another_mappings_initiative_is_refused(facilitator_client, mapping, workshop, organisation):
    other = organisation.mappings.create(title="Anden")
    foreign = other.initiatives.create(title="Fremmed", level="individ", dimension="kultur")
    suggest(participant(workshop), workshop)
    item = workshop.inputs.get()
    moderate(facilitator_client, mapping, item, "merge", initiative=foreign.pk)
    item.refresh_from_db()
    assert item.status == InputStatus.PENDING


def test_comments_show_only_once_approved(facilitator_client, mapping, workshop, card):
    phone = participant(workshop)
    comment(phone, workshop, card, text="Det virker for mig")
    url = reverse("mapping:join-initiative", args=[workshop.code, card.pk])
    assert "Det virker for mig" not in phone.get(url).text
    moderate(facilitator_client, mapping, workshop.inputs.get(), "approve")
    assert "Det virker for mig" in participant(workshop).get(url).text


def test_hidden_input_stays_hidden(facilitator_client, mapping, workshop, card):
    comment(participant(workshop), workshop, card, text="Upassende")
    moderate(facilitator_client, mapping, workshop.inputs.get(), "hide")
    assert workshop.inputs.get().status == InputStatus.HIDDEN
    url = reverse("mapping:join-initiative", args=[workshop.code, card.pk])
    assert "Upassende" not in participant(workshop).get(url).text


def test_moderation_is_scoped_to_the_mapping(facilitator_client, organisation, workshop):
    suggest(participant(workshop), workshop)
    other = organisation.mappings.create(title="Anden")
    response = moderate(facilitator_client, other, workshop.inputs.get(), "approve")
    assert response.status_code == 404


def test_members_cannot_moderate(client, member, mapping, workshop):
    suggest(participant(workshop), workshop)
    client.force_login(member)
    assert moderate(client, mapping, workshop.inputs.get(), "approve").status_code == 403
    assert workshop.inputs.get().status == InputStatus.PENDING


def test_deleting_all_input_keeps_approved_initiatives(facilitator_client, mapping, workshop, card):
    phone = participant(workshop)
    suggest(phone, workshop, text="Fælles frokost")
    rate(phone, workshop, card)
    moderate(facilitator_client, mapping, workshop.inputs.get(kind=InputKind.SUGGESTION), "approve")
    url = facilitator_url("workshop-input-delete-all", mapping, workshop.pk)
    facilitator_client.post(url)  # not confirmed
    assert workshop.inputs.count() == 2
    facilitator_client.post(url, {"confirm": "1"})
    assert not workshop.inputs.exists()
    assert mapping.initiatives.filter(title="Fælles frokost").exists()


# -- Privacy -----------------------------------------------------------------------------


def test_input_rows_hold_no_user_ip_or_user_agent(workshop, card):
    phone = participant(workshop)
    marker_agent = "Mozilla/5.0 (PrivacyProbe 1.0)"
    phone.post(
        reverse("mapping:join-suggest", args=[workshop.code]),
        {"text": "Fredagsbar", "cell": "gruppe:kultur", "is_missing": "0", "key": key()},
        HTTP_USER_AGENT=marker_agent,
        REMOTE_ADDR="203.0.113.77",
    )
    rate(phone, workshop, card)
    vote(phone, workshop, card)
    field_names = {f.name for f in Input._meta.get_fields()}
    assert not field_names & {"user", "ip", "ip_address", "user_agent", "created", "session"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM mapping_input")
        rows = cursor.fetchall()
    assert len(rows) == 3
    dump = repr(rows)
    assert "203.0.113.77" not in dump
    assert "PrivacyProbe" not in dump
    assert "facilitator" not in dump
    assert cookie_participant(phone, workshop).token not in dump


def cookie_participant(client: Client, workshop: Workshop) -> rules.Participant:
    """The participant as the app reads it back from the cookie."""
    request = RequestFactory().get("/")
    request.COOKIES[rules.COOKIE] = client.cookies[rules.COOKIE].value
    return rules.read_participant(request.get_signed_cookie(rules.COOKIE, salt=rules.COOKIE_SALT), workshop.pk)


def test_the_database_keeps_only_a_hash_of_the_participant_token(workshop, card):
    phone = participant(workshop)
    suggest(phone, workshop)
    stored = workshop.inputs.get().participant
    assert re.fullmatch(r"[0-9a-f]{64}", stored)
    assert stored not in phone.cookies[rules.COOKIE].value
    assert stored == cookie_participant(phone, workshop).author_key(workshop.pk)
    rate(phone, workshop, card)
    rating = workshop.inputs.get(kind=InputKind.RATING).participant
    assert rating == cookie_participant(phone, workshop).rating_key(workshop.pk, card.pk)


def test_participant_keys_depend_on_the_name_only_for_authored_input():
    person = rules.Participant(token="x" * 32)
    named = rules.Participant(token="x" * 32, name="Kirsten")
    assert person.key(1) == named.key(1)  # ratings and votes: one per person, whatever the name
    assert len({person.key(1), person.author_key(1), named.author_key(1)}) == 3
    assert named.author_key(1) == person.key(1, "Kirsten") != named.author_key(2)


def test_anonymous_and_named_comments_of_one_person_are_not_linked(workshop, card):
    phone = participant(workshop)
    comment(phone, workshop, card, text="Anonym kommentar")
    vote(phone, workshop, card)
    rate(phone, workshop, card)
    join(phone, workshop, name="Kirsten")
    comment(phone, workshop, card, text="Kommentar med navn")
    suggest(phone, workshop, text="Forslag med navn")
    anonymous = workshop.inputs.get(text="Anonym kommentar")
    named = workshop.inputs.get(text="Kommentar med navn")
    assert (anonymous.author_name, named.author_name) == ("", "Kirsten")
    assert anonymous.participant != named.participant
    assert named.participant == workshop.inputs.get(text="Forslag med navn").participant  # same name, same key
    # Neither comment carries the key of the ratings and votes either, nor does the rating share the vote's.
    plain = set(
        workshop.inputs.filter(kind__in=[InputKind.RATING, InputKind.VOTE]).values_list("participant", flat=True)
    )
    assert len(plain) == 2 and not plain & {anonymous.participant, named.participant}
    # Nothing else in the database repeats a value of the anonymous row that names the person.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM mapping_input WHERE id <> %s", [anonymous.pk])
        others = repr(cursor.fetchall())
    assert anonymous.participant not in others and anonymous.idempotency_key not in others
    # The participant's page lists what they suggested under the current name.
    assert "Forslag med navn" in phone.get(reverse("mapping:join", args=[workshop.code])).text


def test_the_facilitator_page_reveals_no_anonymous_author(facilitator_client, mapping, workshop, card):
    anonymous = participant(workshop)
    suggest(anonymous, workshop, text="Anonymt forslag")
    comment(anonymous, workshop, card, text="Anonym kommentar")
    for _ in range(5):
        rate(participant(workshop), workshop, card, 4, 2)
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    assert "Anonymt forslag" in page and "Anonym kommentar" in page
    assert "inbox-author" not in page
    hashes = set(workshop.inputs.values_list("participant", flat=True))
    for value in hashes:
        assert value not in page
        assert value[:12] not in page
    assert "idempotency" not in page


def test_the_participant_page_reveals_no_other_author(workshop, card, facilitator_client, mapping):
    comment(participant(workshop, name="Kirsten"), workshop, card, text="Navngivet")
    comment(participant(workshop), workshop, card, text="Uden navn")
    for item in workshop.inputs.all():
        moderate(facilitator_client, mapping, item, "approve")
    page = participant(workshop).get(reverse("mapping:join-initiative", args=[workshop.code, card.pk])).text
    assert "Navngivet" in page and "Kirsten" in page
    assert "Uden navn" in page
    assert page.count("— ") == 1


def ratings_from(n, workshop, card, purpose=4, works=3):
    for _ in range(n):
        rate(participant(workshop), workshop, card, purpose, works)


def test_four_answers_are_too_few(facilitator_client, mapping, workshop, card):
    ratings_from(4, workshop, card)
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    assert "For få har svaret" in page
    assert "Formål klart" not in page


def test_five_answers_show_the_average(facilitator_client, mapping, workshop, card):
    ratings_from(4, workshop, card, 4, 3)
    ratings_from(1, workshop, card, 5, 5)
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    assert "Formål klart 4,2 · Virker 3,4 (5 svar)" in page
    assert "For få har svaret" not in page


def test_an_organisation_may_lower_the_minimum_to_three(facilitator_client, organisation, mapping, workshop, card):
    Organisation.objects.filter(pk=organisation.pk).update(min_group_size=3)
    ratings_from(3, workshop, card, 2, 4)
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    assert "Formål klart 2,0 · Virker 4,0 (3 svar)" in page


def test_vote_counts_wait_for_enough_voters(facilitator_client, mapping, workshop, card):
    for _ in range(4):
        vote(participant(workshop), workshop, card)
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    assert "4 stemmer</span>" not in page
    assert "For få har stemt" in page
    vote(participant(workshop), workshop, card)
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    assert "5 stemmer" in page
    assert "Flest stemmer" in page


# -- Live ---------------------------------------------------------------------------------


def test_the_facilitator_poll_is_empty_until_input_arrives(facilitator_client, mapping, workshop):
    poll = facilitator_url("workshop-poll", mapping)
    seen = poll_form(facilitator_client.get(facilitator_url("workshop", mapping)).text)
    response = facilitator_client.get(poll, seen, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    suggest(participant(workshop), workshop, text="Nyt fra telefonen")
    response = facilitator_client.get(poll, seen, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Nyt fra telefonen" in response.text
    assert 'id="live-version"' in response.text


def test_an_unchanged_facilitator_poll_is_one_query(
    facilitator_client, mapping, workshop, django_assert_max_num_queries
):
    poll = facilitator_url("workshop-poll", mapping)
    seen = poll_form(facilitator_client.get(facilitator_url("workshop", mapping)).text)
    assert set(seen) == {"v", "t"}
    with django_assert_max_num_queries(1):
        response = facilitator_client.get(poll, seen, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Reswap"] == "none"
    assert response.content == b""
    cache.clear()  # a poll on another process: no cached membership
    with django_assert_max_num_queries(1):
        assert facilitator_client.get(poll, seen, HTTP_HX_REQUEST="true").status_code == 204
    rate(
        participant(workshop), workshop, mapping.initiatives.create(title="MUS", level="individ", dimension="struktur")
    )
    response = facilitator_client.get(poll, seen, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    for region in ("workshop-steps", "workshop-board", "workshop-inbox"):
        assert re.search(rf'id="{region}"[^>]*hx-swap-oob="true"', response.text)
    assert "1 bedømmelse" in response.text
    state = poll_form(facilitator_client.get(facilitator_url("workshop", mapping)).text)["v"]
    assert f'id="live-version" name="v" value="{state}" hx-swap-oob="true"' in response.text
    assert 'id="live-token"' in response.text
    assert "<html" not in response.text


def test_a_members_board_token_is_no_key_to_the_facilitator_poll(member_client, member, mapping, workshop):
    board = poll_form(member_client.get(mapping.get_absolute_url()).text)
    seen = {"v": live.page_state(mapping, workshop=True), "t": board["t"]}
    response = member_client.get(facilitator_url("workshop-poll", mapping), seen, HTTP_HX_REQUEST="true")
    assert response.status_code == 403


def test_a_facilitator_made_member_stops_hearing_the_facilitator_poll(
    facilitator_client, facilitator, organisation, mapping, workshop
):
    poll = facilitator_url("workshop-poll", mapping)
    seen = poll_form(facilitator_client.get(facilitator_url("workshop", mapping)).text)
    assert facilitator_client.get(poll, seen, HTTP_HX_REQUEST="true").status_code == 204
    organisation.memberships.filter(user=facilitator).update(role="member")
    cache.clear()  # past the half second a process may remember the role
    assert facilitator_client.get(poll, seen, HTTP_HX_REQUEST="true").status_code == 403


def test_the_facilitator_poll_sees_a_change_of_the_board(facilitator_client, mapping, workshop):
    poll = facilitator_url("workshop-poll", mapping)
    seen = poll_form(facilitator_client.get(facilitator_url("workshop", mapping)).text)
    with mapping.change():
        mapping.initiatives.create(title="Fredagsbar", level="gruppe", dimension="kultur")
    response = facilitator_client.get(poll, seen, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Fredagsbar" in response.text


def test_the_facilitator_poll_answers_on_a_mapping_that_never_had_a_workshop(facilitator_client, facilitator, mapping):
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    assert 'id="live-poll"' not in page  # nothing to follow yet
    poll = facilitator_url("workshop-poll", mapping)
    token = live.poll_token(facilitator.pk, mapping.pk, Need.EDIT)
    seen = {"v": live.page_state(mapping, workshop=True), "t": token}
    assert facilitator_client.get(poll, seen, HTTP_HX_REQUEST="true").status_code == 204
    response = facilitator_client.get(poll, {"v": "0:-", "t": token}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="live-version"' in response.text and 'id="workshop-inbox"' not in response.text
    assert facilitator_client.get(poll, HTTP_HX_REQUEST="true").status_code == 200


def test_the_participant_poll_is_empty_until_something_is_approved(facilitator_client, mapping, workshop):
    phone = participant(workshop)
    poll = reverse("mapping:join-poll", args=[workshop.code])
    seen = {"v": poll_form(phone.get(workshop.get_absolute_url()).text)["v"]}
    assert phone.get(poll, seen, HTTP_HX_REQUEST="true").status_code == 204
    suggest(phone, workshop, text="Frokostgåtur")
    assert phone.get(poll, seen, HTTP_HX_REQUEST="true").status_code == 204  # waiting for moderation
    moderate(facilitator_client, mapping, workshop.inputs.get(), "approve")
    response = phone.get(poll, seen, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Frokostgåtur" in response.text
    state = poll_form(phone.get(workshop.get_absolute_url()).text)["v"]
    assert f'id="live-version" name="v" value="{state}" hx-swap-oob="true"' in response.text


def test_the_participant_page_polls_with_the_one_protocol_keyed_by_the_code(workshop):
    page = participant(workshop).get(workshop.get_absolute_url()).text
    form = re.search(r'<form id="live-poll"[^>]*>', page).group(0)
    assert f'hx-get="{reverse("mapping:join-poll", args=[workshop.code])}"' in form
    assert poll_form(page)["v"] == live.participant_state(workshop.code)
    assert "t" not in poll_form(page)  # no user, no token: the join code is the key


def test_the_unchanged_participant_poll_is_one_query(workshop, django_assert_num_queries):
    phone = participant(workshop)
    seen = {"v": poll_form(phone.get(workshop.get_absolute_url()).text)["v"]}
    with django_assert_num_queries(1):
        response = phone.get(reverse("mapping:join-poll", args=[workshop.code]), seen)
    assert response.status_code == 204
    assert response["HX-Reswap"] == "none"


def test_the_participant_page_queries_stay_flat(example, django_assert_max_num_queries):
    workshop = example.workshops.create(code="EXMP2345")
    phone = participant(workshop)
    with django_assert_max_num_queries(8):
        assert phone.get(reverse("mapping:join", args=[workshop.code])).status_code == 200


# -- Limits -------------------------------------------------------------------------------


def test_a_participant_who_writes_too_fast_is_slowed_down(workshop, monkeypatch):
    monkeypatch.setattr(rules, "PARTICIPANT_WRITES_PER_MINUTE", 3)
    phone = participant(workshop)
    statuses = [suggest(phone, workshop).status_code for _ in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert workshop.inputs.count() == 3
    assert "Vent et øjeblik" in suggest(phone, workshop).text
    assert suggest(participant(workshop), workshop).status_code == 302


def test_a_code_has_a_limit_across_participants(workshop, monkeypatch):
    monkeypatch.setattr(rules, "CODE_WRITES_PER_MINUTE", 4)
    statuses = [suggest(participant(workshop), workshop).status_code for _ in range(6)]
    assert statuses.count(429) == 2
    assert workshop.inputs.count() == 4


def test_new_identities_per_client_are_limited(workshop, monkeypatch):
    monkeypatch.setattr(rules, "JOINS_PER_CLIENT_PER_MINUTE", 2)
    statuses = [Client().post(reverse("mapping:join", args=[workshop.code])).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    other_address = Client(REMOTE_ADDR="10.0.0.2")
    assert other_address.post(reverse("mapping:join", args=[workshop.code])).status_code == 302


def test_guessing_codes_is_slowed_down_but_real_codes_keep_working(workshop, monkeypatch):
    monkeypatch.setattr(rules, "UNKNOWN_CODES_PER_MINUTE", 3)
    statuses = [Client().get(f"/j/GUESS{n:03d}/").status_code for n in range(5)]
    assert statuses == [404, 404, 404, 429, 429]
    assert Client().get(reverse("mapping:join", args=[workshop.code])).status_code == 200


def test_the_initiative_page_of_another_mapping_is_404(workshop, organisation):
    other = organisation.mappings.create(title="Anden")
    foreign = other.initiatives.create(title="Fremmed", level="individ", dimension="kultur")
    phone = participant(workshop)
    assert phone.get(reverse("mapping:join-initiative", args=[workshop.code, foreign.pk])).status_code == 404
    assert rate(phone, workshop, foreign).status_code == 404
    assert not workshop.inputs.exists()


def test_initiatives_created_by_approval_are_real_initiatives(facilitator_client, mapping, workshop):
    suggest(participant(workshop), workshop, text="Onboarding-makker", cell="individ:kultur")
    moderate(facilitator_client, mapping, workshop.inputs.get(), "approve")
    created = Initiative.objects.get(title="Onboarding-makker")
    assert created.mapping == mapping
    assert created.status == InitiativeStatus.ACTIVE


def test_a_code_expires_after_a_day(workshop):
    Workshop.objects.filter(pk=workshop.pk).update(created=workshop.created - timedelta(hours=25))
    response = Client().get(reverse("mapping:join", args=[workshop.code]))
    assert response.status_code == 404
    assert "Workshoppen er slut" in response.text
    poll = Client().get(reverse("mapping:join-poll", args=[workshop.code]), {"v": "1:1"}, HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"


def test_moderating_with_htmx_answers_with_the_live_regions(facilitator_client, mapping, workshop):
    suggest(participant(workshop), workshop, text="Sommerfest")
    response = facilitator_client.post(
        facilitator_url("workshop-input-moderate", mapping, workshop.inputs.get().pk),
        {"action": "approve"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    assert 'id="workshop-board"' in response.text and "Sommerfest" in response.text
    assert 'id="workshop-inbox"' in response.text


def test_the_json_export_holds_no_participant_data(facilitator_client, mapping, workshop, card):
    named = participant(workshop, name="Kirsten")
    suggest(named, workshop, text="Løbeklub")
    comment(named, workshop, card, text="Hemmelig kommentar")
    rate(named, workshop, card)
    moderate(facilitator_client, mapping, workshop.inputs.get(kind=InputKind.SUGGESTION), "approve")
    export = facilitator_client.get(facilitator_url("mapping-export-json", mapping)).text
    assert "Løbeklub" in export  # now an initiative of the mapping
    assert "Kirsten" not in export
    assert "Hemmelig kommentar" not in export
    for value in workshop.inputs.values_list("participant", flat=True):
        assert value not in export


@pytest.mark.parametrize("extra_cards", [0, 40])
def test_the_facilitator_screen_queries_stay_flat(
    facilitator_client, example, extra_cards, django_assert_max_num_queries
):
    for n in range(extra_cards):
        example.initiatives.create(title=f"Ekstra {n}", level="ledelse", dimension="kultur")
    workshop = example.workshops.create(code="EXMP2345")
    cards = list(example.initiatives.all()[:3])
    for _ in range(5):
        phone = participant(workshop)
        suggest(phone, workshop)
        for card in cards:
            rate(phone, workshop, card)
            vote(phone, workshop, card)
            comment(phone, workshop, card)
    with django_assert_max_num_queries(15):  # 15: released ratings and which cards were rated at all
        response = facilitator_client.get(facilitator_url("workshop", example))
    assert response.status_code == 200


def test_input_can_still_be_moderated_after_closing(facilitator_client, mapping, workshop):
    suggest(participant(workshop), workshop, text="Efter lukning")
    workshop.close()
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    assert "Efter lukning" in page and "Sæt på tavlen" in page
    moderate(facilitator_client, mapping, workshop.inputs.get(), "approve")
    assert mapping.initiatives.filter(title="Efter lukning").exists()


# -- Permissions: every workshop URL for every role ---------------------------------------

ROLES = ["anonymous", "outsider", "member", "amo", "facilitator"]

# name, method, expected status per role (anonymous, outsider, member, amo, facilitator)
FACILITATOR_URLS = [
    ("workshop", "get", (302, 404, 403, 200, 200)),
    ("workshop-poll", "get", (404, 404, 403, 200, 200)),
    ("workshop-qr", "get", (302, 404, 403, 200, 200)),
    ("workshop-present", "get", (302, 404, 403, 200, 200)),
    ("workshop-present-poll", "get", (404, 404, 403, 200, 200)),
    ("workshop-step", "post", (302, 404, 403, 302, 302)),
    ("workshop-input-moderate", "post", (302, 404, 403, 302, 302)),
    ("workshop-input-delete-all", "post", (302, 404, 403, 302, 302)),
    ("workshop-close", "post", (302, 404, 403, 302, 302)),
    ("workshop-start", "post", (302, 404, 403, 302, 302)),
]


@pytest.fixture
def role_client(request, organisation, outsider, member, amo, facilitator):
    def client_for(role: str) -> Client:
        client = Client()
        user = {"outsider": outsider, "member": member, "amo": amo, "facilitator": facilitator}.get(role)
        if user is not None:
            client.force_login(user)
        return client

    return client_for


@pytest.mark.parametrize(("name", "method", "expected"), FACILITATOR_URLS)
@pytest.mark.parametrize("role", ROLES)
def test_facilitator_urls_answer_each_role(role_client, mapping, workshop, card, name, method, expected, role):
    suggest(participant(workshop), workshop)
    args = {"workshop-input-moderate": [workshop.inputs.get().pk], "workshop-input-delete-all": [workshop.pk]}
    data = {"workshop-step": {"step": 2}, "workshop-input-moderate": {"action": "hide"}}
    data.update({"workshop-start": {"votes_per_participant": 3}, "workshop-input-delete-all": {"confirm": "1"}})
    url = facilitator_url(name, mapping, *args.get(name, []))
    response = getattr(role_client(role), method)(url, data.get(name, {}))
    assert response.status_code == expected[ROLES.index(role)]


PARTICIPANT_URLS = [
    # name, method, needs an initiative, status before joining, status once joined
    ("join", "get", False, 200, 200),
    ("join", "post", False, 302, 302),
    ("join-poll", "get", False, 200, 200),
    ("join-suggest", "post", False, 302, 302),
    ("join-initiative", "get", True, 302, 200),
    ("join-rate", "post", True, 302, 302),
    ("join-comment", "post", True, 302, 302),
    ("join-vote", "post", True, 302, 302),
    ("join-burden", "post", False, 302, 302),
]


@pytest.mark.parametrize(("name", "method", "on_card", "before", "joined"), PARTICIPANT_URLS)
@pytest.mark.parametrize("role", ROLES)
def test_participant_urls_are_the_same_for_everyone(
    role_client, workshop, card, name, method, on_card, before, joined, role
):
    args = [workshop.code, card.pk] if on_card else [workshop.code]
    data = {"text": "Tekst", "cell": "gruppe:kultur", "is_missing": "0", "action": "add"}
    data.update({"rating_purpose": 3, "rating_works": 3})
    client = role_client(role)
    url = reverse(f"mapping:{name}", args=args)
    assert getattr(client, method)(url, {**data, "key": key()}).status_code == before
    join(client, workshop)
    assert getattr(client, method)(url, {**data, "key": key()}).status_code == joined
    unknown = reverse(f"mapping:{name}", args=["NOPE2345", *args[1:]])
    response = getattr(client, method)(unknown, {**data, "key": key()})
    if name == "join-poll":  # a polling phone reloads into the 404 page
        assert response["HX-Refresh"] == "true"
    else:
        assert response.status_code == 404
    assert client.get(reverse("mapping:join-enter")).status_code == 200


def test_absurd_ids_are_404_not_errors(workshop, facilitator_client, mapping):
    phone = participant(workshop)
    huge = 10**20
    assert phone.get(f"/j/{workshop.code}/i/{huge}/").status_code == 404
    assert rate(phone, workshop, type("Card", (), {"pk": huge})).status_code == 404
    assert facilitator_client.post(facilitator_url("workshop-input-moderate", mapping, huge)).status_code == 404


def test_add_input_stores_a_submission_once(workshop):
    fields = {"kind": InputKind.SUGGESTION, "text": "x", "level": "individ", "dimension": "kultur"}
    assert workshop.add_input(participant="p" * 64, idempotency_key="k-1", **fields) is True
    assert workshop.add_input(participant="p" * 64, idempotency_key="k-1", **fields) is False
    assert workshop.inputs.count() == 1


def first_write_order(queries) -> list[str]:
    """The tables in the order a transaction first touches them (reads of the mapping included: its lock)."""
    order = []
    for query in queries:
        sql = query["sql"]
        for table in ("mapping_mapping", "mapping_input", "mapping_workshop"):
            if table in sql and table not in order and (table == "mapping_mapping" or not sql.startswith("SELECT")):
                order.append(table)
    return order


def test_approving_locks_the_mapping_before_the_input(workshop):
    from django.test.utils import CaptureQueriesContext

    item = Input.objects.create(
        workshop=workshop,
        kind=InputKind.SUGGESTION,
        text="Frokost",
        level="individ",
        dimension="kultur",
        participant="p",
        idempotency_key="k",
    )
    with CaptureQueriesContext(connection) as queries:
        assert item.moderate(InputStatus.APPROVED) is True
    assert first_write_order(queries) == ["mapping_mapping", "mapping_input", "mapping_workshop"]


def test_a_rating_locks_the_mapping_before_the_input(workshop, card):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        workshop.rate(card.pk, "p" * 64, "k-1", rating_purpose=3, rating_works=4)
    assert first_write_order(queries) == ["mapping_mapping", "mapping_input", "mapping_workshop"]


def test_a_vote_locks_the_mapping_before_the_input(workshop, card):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        workshop.vote("p" * 64, "k-1", initiative=card)
    assert first_write_order(queries) == ["mapping_mapping", "mapping_input", "mapping_workshop"]


def test_a_moderation_that_changes_nothing_leaves_the_version_alone(workshop, mapping):
    fields = {"kind": InputKind.SUGGESTION, "text": "Frokost", "level": "individ", "dimension": "kultur"}
    item = Input.objects.create(workshop=workshop, participant="p", idempotency_key="k", **fields)
    stale = Input.objects.get(pk=item.pk)  # a second facilitator's screen
    assert item.moderate(InputStatus.APPROVED) is True
    mapping.refresh_from_db()
    version = mapping.version
    assert stale.moderate(InputStatus.APPROVED) is False
    assert item.moderate(InputStatus.APPROVED) is False
    mapping.refresh_from_db()
    assert mapping.version == version
    assert stale.workshop.mapping.version == version
    assert mapping.initiatives.filter(title="Frokost").count() == 1


def test_an_approved_suggestion_goes_after_the_last_card_of_its_cell(workshop, mapping):
    from django.utils import timezone

    cards = [
        mapping.initiatives.create(title=f"K{n}", level="individ", dimension="kultur", position=n) for n in range(3)
    ]
    Initiative.objects.filter(pk=cards[0].pk).update(deleted_at=timezone.now())  # a gap: two left, the last at 2
    item = Input.objects.create(
        workshop=workshop,
        kind=InputKind.SUGGESTION,
        text="Ny",
        level="individ",
        dimension="kultur",
        participant="p",
        idempotency_key="k",
    )
    item.moderate(InputStatus.APPROVED)
    assert mapping.initiatives.get(title="Ny").position == 3


def test_deleting_no_input_leaves_the_version_alone(facilitator_client, mapping, workshop):
    mapping.refresh_from_db()
    version = mapping.version
    facilitator_client.post(facilitator_url("workshop-input-delete-all", mapping, workshop.pk), {"confirm": "1"})
    mapping.refresh_from_db()
    assert mapping.version == version


def test_moderate_merges_only_suggestions_with_a_target(workshop, card):
    item = Input.objects.create(
        workshop=workshop, kind=InputKind.COMMENT, initiative=card, text="Godt", participant="p", idempotency_key="k"
    )
    assert item.moderate(InputStatus.MERGED, card) is False
    assert item.moderate(InputStatus.APPROVED) is True
    assert item.moderate(InputStatus.APPROVED) is False
    item.refresh_from_db()
    assert item.status == InputStatus.APPROVED and item.result is None


# -- Into the analysis and onto the board -------------------------------------------------


def board_page(client, mapping) -> str:
    return client.get(reverse("mapping:board", args=[mapping.organisation.slug, mapping.pk])).text


def test_the_gap_analysis_asks_for_employee_input_until_a_workshop_has_had_some(mapping, card):
    def asked() -> list[str]:
        return [f.key for f in gaps.find_gaps(mapping.gap_data()) if f.code == "no_employee_input"]

    assert asked() == ["no_employee_input:alle"]
    workshop = mapping.workshops.create(code="ABCD2345")
    assert asked() == ["no_employee_input:alle"]  # a workshop without input is no input
    rate(participant(workshop), workshop, card)
    assert mapping.gap_data().has_employee_input is True
    assert asked() == []


def test_the_dashboard_asks_for_employee_input_until_employees_have_given_some(facilitator_client, mapping, card):
    url = facilitator_url("gaps", mapping)
    assert "Medarbejderne har ikke givet input til kortlægningen endnu." in facilitator_client.get(url).text
    workshop = mapping.workshops.create(code="ABCD2345")
    rate(participant(workshop), workshop, card)
    assert "Medarbejderne har ikke givet input" not in facilitator_client.get(url).text


def test_a_card_shows_the_employees_average_from_five_answers(member_client, mapping, workshop, card):
    ratings_from(4, workshop, card, works=4)
    assert "Medarbejdere:" not in board_page(member_client, mapping)  # four answers: nothing at all
    ratings_from(1, workshop, card, works=5)
    page = board_page(member_client, mapping)
    assert "Medarbejdere: 4,2 / 5 (5 svar)" in page
    assert "Ukendt effekt" not in page  # an effect never assessed is not shown on the card; the answers are


def test_ratings_from_several_workshops_count_together(member_client, organisation, mapping, workshop, card):
    Organisation.objects.filter(pk=organisation.pk).update(min_group_size=3)
    ratings_from(3, workshop, card, works=2)
    workshop.close()
    later = mapping.workshops.create(code="EFGH2345")
    ratings_from(2, later, card, works=5)
    assert "Medarbejdere: 2,0 / 5 (3 svar)" in board_page(member_client, mapping)  # each workshop releases alone
    ratings_from(1, later, card, works=5)
    assert "Medarbejdere: 3,5 / 5 (6 svar)" in board_page(member_client, mapping)


def test_ratings_above_the_minimum_wait_for_the_next_step(member_client, mapping, workshop, card):
    ratings_from(5, workshop, card, works=3)
    assert "Medarbejdere: 3,0 / 5 (5 svar)" in board_page(member_client, mapping)
    mapping.refresh_from_db()
    before = mapping.version
    phone = participant(workshop)
    rate(phone, workshop, card, works=5)
    rate(phone, workshop, card, works=4)  # a changed answer neither
    ratings_from(3, workshop, card, works=4)
    mapping.refresh_from_db()
    assert mapping.version == before  # phones and open boards are not made to fetch again
    assert "Medarbejdere: 3,0 / 5 (5 svar)" in board_page(member_client, mapping)
    ratings_from(1, workshop, card, works=3)  # the tenth: five new answers, the next step
    mapping.refresh_from_db()
    assert mapping.version == before + 1
    assert "Medarbejdere: 3,4 / 5 (10 svar)" in board_page(member_client, mapping)


def test_a_rating_below_the_minimum_leaves_the_phones_alone(mapping, workshop, card):
    ratings_from(1, workshop, card)  # the first one changes the gap analysis
    mapping.refresh_from_db()
    before = mapping.version
    ratings_from(2, workshop, card)
    phone = participant(workshop)
    rate(phone, workshop, card, works=1)
    rate(phone, workshop, card, works=2)  # changing one's answer, still four answers
    mapping.refresh_from_db()
    assert workshop.inputs.filter(kind=InputKind.RATING).count() == 4
    assert mapping.version == before
    ratings_from(1, workshop, card)  # the fifth puts the average on the card
    mapping.refresh_from_db()
    assert mapping.version == before + 1
    ratings_from(3, workshop, card)  # later ones wait for the next step of five
    mapping.refresh_from_db()
    assert mapping.version == before + 1


def test_deleting_a_workshops_input_takes_the_average_off_the_board(facilitator_client, mapping, workshop, card):
    ratings_from(5, workshop, card)
    assert "Medarbejdere:" in board_page(facilitator_client, mapping)
    facilitator_client.post(facilitator_url("workshop-input-delete-all", mapping, workshop.pk), {"confirm": "1"})
    assert "Medarbejdere:" not in board_page(facilitator_client, mapping)


# -- Votes on candidate actions -----------------------------------------------------------


@pytest.fixture
def plan(mapping):
    return {
        "first": mapping.actions.create(title="Følg op på trivselsmålingen", burden=5),
        "doing": mapping.actions.create(title="Fast punkt om stress på teammøder", burden=3, status="doing"),
        "done": mapping.actions.create(title="Ny APV", burden=4, status="done"),
    }


def action_vote(client, workshop, action, choice="add", form_key=None):
    return client.post(
        reverse("mapping:join-action-vote", args=[workshop.code, action.pk]),
        {"action": choice, "key": form_key or key()},
    )


def test_participants_see_the_open_actions_to_vote_on(workshop, plan):
    page = participant(workshop).get(workshop.get_absolute_url()).text
    assert "Hvad skal vi tage fat på først?" in page
    assert "Følg op på trivselsmålingen" in page and "Fast punkt om stress på teammøder" in page
    assert "Ny APV" not in page
    assert reverse("mapping:join-action-vote", args=[workshop.code, plan["first"].pk]) in page


def test_without_open_actions_the_section_says_so(workshop):
    page = participant(workshop).get(workshop.get_absolute_url()).text
    assert "Der er ingen handlinger at stemme om endnu." in page


def test_a_vote_on_an_action_is_stored_and_can_be_taken_back(workshop, plan):
    phone = participant(workshop)
    response = action_vote(phone, workshop, plan["first"])
    assert response.status_code == 302
    assert response["Location"].endswith(f"#candidate-{plan['first'].pk}")
    stored = workshop.inputs.get(kind=InputKind.VOTE)
    assert (stored.action_id, stored.initiative_id, stored.author_name) == (plan["first"].pk, None, "")
    page = phone.get(workshop.get_absolute_url()).text
    assert "Din stemme er givet til “Følg op på trivselsmålingen”." in page
    assert 'aria-pressed="true"' in page
    action_vote(phone, workshop, plan["first"], "remove")
    assert not workshop.inputs.filter(kind=InputKind.VOTE).exists()


def test_votes_on_actions_and_initiatives_share_one_budget(workshop, card, plan):
    phone = participant(workshop)  # the workshop fixture gives two votes
    vote(phone, workshop, card)
    action_vote(phone, workshop, plan["first"])
    action_vote(phone, workshop, plan["doing"])
    assert workshop.inputs.filter(kind=InputKind.VOTE).count() == 2
    page = phone.get(workshop.get_absolute_url()).text
    assert "Du har brugt alle dine stemmer." in page
    assert "Du har 0 stemmer tilbage." in page
    vote(phone, workshop, card, action="remove")
    action_vote(phone, workshop, plan["doing"])
    assert set(workshop.inputs.values_list("action", flat=True)) == {plan["first"].pk, plan["doing"].pk}


def test_a_double_submitted_action_vote_counts_once(workshop, plan):
    phone = participant(workshop)
    action_vote(phone, workshop, plan["first"], form_key="same-key-123")
    action_vote(phone, workshop, plan["first"], form_key="same-key-123")
    action_vote(phone, workshop, plan["first"])
    assert workshop.inputs.filter(kind=InputKind.VOTE).count() == 1


def test_the_database_keeps_one_vote_per_person_and_action(workshop, plan):
    fields = {"workshop": workshop, "kind": InputKind.VOTE, "action": plan["first"], "participant": "p"}
    Input.objects.create(idempotency_key="a", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Input.objects.create(idempotency_key="b", **fields)


def test_a_vote_has_exactly_one_target(workshop, card, plan):
    fields = {"workshop": workshop, "kind": InputKind.VOTE, "participant": "p"}
    with pytest.raises(IntegrityError), transaction.atomic():
        Input.objects.create(idempotency_key="a", initiative=card, action=plan["first"], **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Input.objects.create(idempotency_key="b", **fields)


def test_done_actions_and_actions_of_other_mappings_take_no_votes(workshop, plan, organisation):
    phone = participant(workshop)
    assert action_vote(phone, workshop, plan["done"]).status_code == 404
    elsewhere = organisation.mappings.create(title="Anden").actions.create(title="Fremmed")
    assert action_vote(phone, workshop, elsewhere).status_code == 404
    assert action_vote(phone, workshop, type("Action", (), {"pk": 10**20})).status_code == 404
    assert not workshop.inputs.exists()


def test_a_closed_workshop_takes_no_action_votes(workshop, plan):
    phone = participant(workshop)
    workshop.close()
    assert action_vote(phone, workshop, plan["first"]).status_code == 404
    assert not workshop.inputs.exists()


@pytest.mark.parametrize("role", ROLES)
def test_the_action_vote_url_is_the_same_for_everyone(role_client, workshop, plan, role):
    client = role_client(role)
    url = reverse("mapping:join-action-vote", args=[workshop.code, plan["first"].pk])
    assert client.post(url, {"action": "add", "key": key()})["Location"] == workshop.get_absolute_url()
    assert not workshop.inputs.exists()  # not joined yet
    join(client, workshop)
    assert client.post(url, {"action": "add", "key": key()}).status_code == 302
    assert workshop.inputs.filter(action=plan["first"]).count() == 1
    unknown = reverse("mapping:join-action-vote", args=["NOPE2345", plan["first"].pk])
    assert client.post(unknown, {"action": "add", "key": key()}).status_code == 404


def votes_on(action, workshop, n):
    for _ in range(n):
        action_vote(participant(workshop), workshop, action)


def test_the_facilitator_sees_action_votes_only_from_enough_voters(facilitator_client, mapping, workshop, card, plan):
    for _ in range(5):
        vote(participant(workshop), workshop, card)  # voters on initiatives do not count for actions
    votes_on(plan["doing"], workshop, 4)
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    assert "Stemmetallene vises, når nok har stemt." in page
    assert "4 stemmer" not in page
    votes_on(plan["doing"], workshop, 1)
    votes_on(plan["first"], workshop, 4)  # below the minimum: no figure at all
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    tally = page[page.index('class="top-votes candidate-votes"') :]
    assert tally.index("Fast punkt om stress på teammøder") < tally.index("Følg op på trivselsmålingen")
    assert 'Fast punkt om stress på teammøder <span class="count">(5 stemmer)' in tally
    assert "Følg op på trivselsmålingen</li>" in tally
    assert "Ny APV" not in tally


def test_the_action_plan_shows_the_workshops_votes_from_enough_voters(member_client, mapping, workshop, plan):
    url = facilitator_url("actions", mapping)
    assert "Stemmer i workshoppen" not in member_client.get(url).text
    votes_on(plan["first"], workshop, 4)
    page = member_client.get(url).text
    assert "Stemmer i workshoppen" not in page and "Stemmetallene er fra" not in page
    votes_on(plan["first"], workshop, 1)
    votes_on(plan["doing"], workshop, 1)
    page = member_client.get(url).text
    assert "Stemmetallene er fra workshoppen" in page
    first = page[page.index(f'id="action-{plan["first"].pk}"') :]
    assert "Stemmer i workshoppen</dt><dd>5 stemmer</dd>" in first[: first.index("</li>")]
    doing = page[page.index(f'id="action-{plan["doing"].pk}"') :]
    assert "Stemmer i workshoppen" not in doing[: doing.index("</li>")]  # one vote: no figure


def test_votes_on_actions_leave_the_initiative_tally_alone(facilitator_client, mapping, workshop, card, plan):
    for _ in range(4):
        vote(participant(workshop), workshop, card)
    votes_on(plan["first"], workshop, 5)
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    assert "Flest stemmer" not in page  # four people voted on initiatives: too few
    assert "For få har stemt til at vise stemmetal." in page


def test_votes_only_on_actions_say_nothing_about_initiative_votes(facilitator_client, mapping, workshop, plan):
    votes_on(plan["first"], workshop, 5)
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    assert "For få har stemt til at vise stemmetal." not in page
    assert 'Følg op på trivselsmålingen <span class="count">(5 stemmer)' in page


# -- Live polling on the client ----------------------------------------------------------


def test_one_script_keeps_busy_regions_during_a_poll():
    from django.conf import settings

    static = settings.BASE_DIR / "static" / "js"
    guards = [path.name for path in static.glob("*.js") if "shouldSwap = false" in path.read_text()]
    assert guards == ["iglo.js"]  # loaded on every page: the board, the gap analysis and the workshop


def test_every_polling_form_is_marked_for_the_guard(facilitator_client, mapping, workshop):
    pages = [
        board_page(facilitator_client, mapping),
        facilitator_client.get(facilitator_url("gaps", mapping)).text,
        facilitator_client.get(facilitator_url("workshop", mapping)).text,
        participant(workshop).get(reverse("mapping:join", args=[workshop.code])).text,
    ]
    for page in pages:
        polls = re.findall(r"<form [^>]*hx-trigger=\"every [^>]*>", page)
        assert polls and all("data-live-poll" in form for form in polls)
        versions = re.findall(r'<input type="hidden" id="live-version" [^>]*>', page)
        assert versions and all("data-live-version" in field for field in versions)


# -- "Kender den ikke": the rating's other answer ---------------------------------------------


def not_known(client, workshop, card, form_key=None):
    return client.post(
        reverse("mapping:join-rate", args=[workshop.code, card.pk]), {"unknown": "1", "key": form_key or key()}
    )


def test_kender_den_ikke_is_an_answer_in_place_of_a_rating(workshop, card):
    phone = participant(workshop)
    rate(phone, workshop, card)
    assert not_known(phone, workshop, card).status_code == 302
    assert list(workshop.inputs.values_list("kind", flat=True)) == [InputKind.UNKNOWN]
    assert Input.objects.filter(workshop__mapping=workshop.mapping).not_known_counts() == {card.pk: 1}
    page = phone.get(reverse("mapping:join-initiative", args=[workshop.code, card.pk])).text
    assert "Du har svaret, at du ikke kender indsatsen" in page
    board = phone.get(reverse("mapping:join", args=[workshop.code])).text
    assert "? Kender den ikke" in board and "✓ Bedømt" not in board
    rate(phone, workshop, card)  # knowing it after all: the rating replaces the answer
    assert list(workshop.inputs.values_list("kind", flat=True)) == [InputKind.RATING]


def test_a_rating_needs_both_numbers_unless_the_answer_is_kender_den_ikke(workshop, card):
    phone = participant(workshop)
    response = phone.post(
        reverse("mapping:join-rate", args=[workshop.code, card.pk]), {"rating_purpose": 3, "key": key()}
    )
    assert response.status_code == 400
    assert "Vælg et tal fra 1 til 5." in response.text
    assert not workshop.inputs.exists()


def test_kender_den_ikke_shows_as_its_own_figure_from_the_minimum(facilitator_client, mapping, workshop, card):
    for _ in range(4):
        not_known(participant(workshop), workshop, card)
    ratings_from(2, workshop, card)
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    assert "kender den ikke" not in page.split('id="workshop-board"')[1].split("</section>")[0]
    not_known(participant(workshop), workshop, card)
    for name in ("workshop", "workshop-present"):
        page = facilitator_client.get(facilitator_url(name, mapping)).text
        assert "5 kender den ikke" in page
        assert "Formål klart" not in page  # the average counts only those who rated: two


def test_kender_den_ikke_counts_towards_no_average(workshop, card, member_client, mapping):
    ratings_from(5, workshop, card, works=4)
    not_known(participant(workshop), workshop, card)
    rated = mapping.initiatives.for_board(5).get(pk=card.pk)
    assert rated.employee_count == 5 and rated.employee_works == 4


# -- "Belaster": what burdens employees most, in step 4 -------------------------------------------


def burden(client, workshop, finding, action="add", form_key=None):
    return client.post(
        reverse("mapping:join-burden", args=[workshop.code]),
        {"finding": finding, "action": action, "key": form_key or key()},
    )


def topics(mapping) -> list[str]:
    return [finding.key for finding in mapping.findings().open[:8]]


def test_step_four_asks_what_burdens_most(workshop, card, mapping):
    phone = participant(workshop)
    page = phone.get(reverse("mapping:join", args=[workshop.code])).text
    assert "Hvad belaster dig mest?" not in page
    workshop.move_to_step(4)
    page = phone.get(reverse("mapping:join", args=[workshop.code])).text
    assert "Hvad belaster dig mest?" in page
    first = mapping.findings().open[0]
    assert first.message in page
    tasks = page[page.index("data-join-tasks") :]
    assert re.search(r'data-task="(\w+)"', tasks).group(1) == "burden"


def test_a_burden_mark_is_stored_limited_and_can_be_taken_back(workshop, card, mapping):
    workshop.move_to_step(4)
    phone = participant(workshop)
    keys = topics(mapping)
    assert len(keys) >= 4
    for finding in keys[:4]:
        assert burden(phone, workshop, finding).status_code == 302
    assert workshop.inputs.filter(kind=InputKind.BURDEN).count() == 3  # three marks each
    burden(phone, workshop, keys[0], action="remove")
    assert set(workshop.inputs.filter(kind=InputKind.BURDEN).values_list("finding", flat=True)) == set(keys[1:3])


def test_a_burden_mark_on_something_not_shown_is_refused(workshop, card):
    workshop.move_to_step(4)
    phone = participant(workshop)
    assert burden(phone, workshop, "x" * 500).status_code == 302
    assert burden(phone, workshop, "no_such:finding").status_code == 302
    assert not workshop.inputs.exists()


def test_burden_marks_show_only_from_the_minimum_and_never_with_names(facilitator_client, mapping, workshop, card):
    workshop.move_to_step(4)
    first = topics(mapping)[0]
    for n in range(4):
        burden(participant(workshop, f"Person {n}"), workshop, first)
    page = facilitator_client.get(facilitator_url("workshop", mapping)).text
    assert "For få har markeret" in page and "Det belaster mest" not in page
    page = facilitator_client.get(facilitator_url("workshop-present", mapping)).text
    assert "For få har markeret" not in page and "Det belaster mest" not in page
    burden(participant(workshop), workshop, first)
    for name in ("workshop", "workshop-present"):
        page = facilitator_client.get(facilitator_url(name, mapping)).text
        assert "Det belaster mest" in page and "5 markeringer" in page
        assert "Person 0" not in page


def test_an_actions_burden_comes_from_the_employees_marks(mapping, workshop, card):
    from mapping.models import Action
    from mapping.models.plans import BURDEN_FOR_SEVERITY

    workshop.move_to_step(4)
    first, second = topics(mapping)[:2]
    for n in range(5):
        phone = participant(workshop)
        burden(phone, workshop, first)
        if n == 0:
            burden(phone, workshop, second)
    assert Action.from_finding(mapping, first).burden == 5  # everyone who marked anything marked this
    # One mark is no released figure: the finding's severity decides, as with too few marks.
    severity = {f.key: f.severity for f in mapping.findings().findings}[second]
    assert Action.from_finding(mapping, second).burden == BURDEN_FOR_SEVERITY[severity]


def test_too_few_marks_leave_the_burden_to_the_findings_severity(mapping, workshop, card):
    from mapping.models import Action
    from mapping.models.plans import BURDEN_FOR_SEVERITY

    workshop.move_to_step(4)
    first = mapping.findings().open[0]
    for _ in range(4):
        burden(participant(workshop), workshop, first.key)
    assert Action.from_finding(mapping, first.key).burden == BURDEN_FOR_SEVERITY[first.severity]
