"""Rounds: the next round carries what it should and closes the old one; two rounds compared;
the annual discussion, its goals and its PDF; the blank sheet."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mapping import rounds
from mapping.models import (
    Action,
    Discussion,
    FindingDismissal,
    Goal,
    Input,
    InputKind,
    Link,
    Mapping,
    Purpose,
    Release,
    RoundExists,
    RoundReadOnly,
    start_next_round,
)
from mapping.models.rounds import compare_rounds, rounds_overview

from .conftest import add_card, client_for
from .test_permissions import EXPECTED, ROLES, signed_in, world  # noqa: F401 - the matrix and its fixtures


def test_the_next_title_counts_the_year_up():
    assert rounds.next_title("Kortlægning 2026") == "Kortlægning 2027"
    assert rounds.next_title("2025/2026 kortlægning") == "2025/2027 kortlægning"
    assert rounds.next_title("Trivsel") == "Trivsel (runde 2)"
    assert rounds.next_title("Trivsel (runde 2)") == "Trivsel (runde 3)"
    assert rounds.next_title("Kortlægning 2026", {"Kortlægning 2027"}) == "Kortlægning 2027 (runde 2)"
    assert len(rounds.next_title("x" * 200)) == 200


@pytest.fixture
def round_one(mapping):
    """A round with two purposes, three cards (one deleted), two links, three actions (one done),
    a dismissed finding, a goal and a workshop with input."""
    mus = add_card(mapping, "MUS", "individ", "struktur", effect="some")
    team = add_card(mapping, "Teammøder", "gruppe", "struktur")
    add_card(mapping, "Slettet", deleted_at=timezone.now())
    trivsel = Purpose.objects.create(mapping=mapping, title="Trivsel")
    Purpose.objects.create(mapping=mapping, title="Læring")
    mus.purposes.add(trivsel)
    Link.objects.create(mapping=mapping, source=team, target=mus, kind="feeds_into")
    open_action = Action.objects.create(mapping=mapping, title="Følg op", status="doing")
    open_action.initiatives.add(mus)
    Action.objects.create(mapping=mapping, title="Lav politik", status="todo")
    Action.objects.create(mapping=mapping, title="Holdt seminar", status="done")
    FindingDismissal.objects.create(mapping=mapping, key=f"no_owner:i{team.pk}", code="no_owner")
    goal = Goal.objects.create(mapping=mapping, title="Færre sygedage")
    goal.initiatives.add(mus)
    goal.actions.add(open_action)
    workshop = mapping.workshops.create(code="ABCD2345")
    Input.objects.create(
        workshop=workshop, kind=InputKind.COMMENT, initiative=mus, text="Godt", participant="p", idempotency_key="k"
    )
    return mapping


def test_a_new_round_carries_exactly_what_it_should(round_one, facilitator_client):
    old = round_one
    response = facilitator_client.post(reverse("mapping:round-next", args=["forening", old.pk]))
    new = old.organisation.mappings.get(predecessor=old)
    assert response.status_code == 302 and response.url == new.get_absolute_url()
    assert new.title == "Kortlægning 2027"
    assert new.initiatives.count() == 2  # the deleted card stays behind
    assert {(i.title, i.predecessor.mapping_id) for i in new.initiatives.all()} == {
        ("MUS", old.pk),
        ("Teammøder", old.pk),
    }
    mus = new.initiatives.get(title="MUS")
    assert mus.predecessor == old.initiatives.get(title="MUS")
    assert mus.effect == "some"
    assert [p.title for p in mus.purposes.all()] == ["Trivsel"]
    assert mus.purposes.get().mapping == new
    assert new.purposes.count() == 2
    link = new.links.get()
    assert (link.source.title, link.target.title, link.kind) == ("Teammøder", "MUS", "feeds_into")
    assert link.source.mapping == new
    assert sorted(new.actions.values_list("title", flat=True)) == ["Følg op", "Lav politik"]
    carried = new.actions.get(title="Følg op")
    assert carried.predecessor == old.actions.get(title="Følg op")
    assert list(carried.initiatives.all()) == [mus]
    assert new.dismissals.get().key == f"no_owner:i{new.initiatives.get(title='Teammøder').pk}"
    assert new.workshops.count() == 0 and Input.objects.filter(workshop__mapping=new).count() == 0
    goal = new.goals.get()
    assert goal.is_carried and goal.title == "Færre sygedage" and goal.predecessor.mapping == old
    assert list(goal.initiatives.all()) == [mus] and list(goal.actions.all()) == [carried]
    # The old round keeps everything, is read-only, and its workshop is closed.
    old.refresh_from_db()
    assert old.is_read_only
    assert old.initiatives.count() == 3 and old.actions.count() == 3
    assert old.workshops.get().status == "closed"


def test_a_round_has_one_next_round(round_one, facilitator_client):
    first = start_next_round(round_one)
    with pytest.raises(RoundExists):
        start_next_round(round_one)
    response = facilitator_client.post(reverse("mapping:round-next", args=["forening", round_one.pk]))
    assert response.status_code == 302 and response.url == first.get_absolute_url()
    assert round_one.organisation.mappings.count() == 2


def test_every_write_to_a_read_only_round_is_refused_with_a_reason(round_one, facilitator_client, amo_client):
    start_next_round(round_one)
    version = round_one.organisation.mappings.get(pk=round_one.pk).version
    card = round_one.initiatives.get(title="MUS")
    posts = [
        ("mapping:initiative-create", [], {"title": "Ny", "level": "gruppe", "dimension": "kultur"}),
        ("mapping:initiative-update", [card.pk], {"title": "X", "effect": "some", "status": "active", "version": 1}),
        ("mapping:initiative-delete", [card.pk], {}),
        ("mapping:purpose-create", [], {"title": "Nyt"}),
        ("mapping:action-create", [], {"title": "Ny", "burden": 3, "effort": "small", "status": "todo"}),
        ("mapping:discussion", [], {"version": 0, "participants": "A"}),
        ("mapping:goal-create", [], {"title": "Mål"}),
    ]
    for client in (facilitator_client, amo_client):
        for name, extra, data in posts:
            response = client.post(reverse(name, args=["forening", round_one.pk, *extra]), data)
            assert response.status_code == 403, name
            assert "kan kun læses" in response.content.decode(), name
    round_one.refresh_from_db()
    assert round_one.version == version
    assert round_one.initiatives.count() == 3
    with pytest.raises(RoundReadOnly), round_one.change():
        pass
    # Reading still works, without edit controls.
    page = facilitator_client.get(round_one.get_absolute_url())
    assert page.status_code == 200 and "kan kun læses" in page.content.decode()


def test_a_facilitator_reopens_a_round(round_one, facilitator_client, amo_client):
    start_next_round(round_one)
    url = reverse("mapping:round-read-only", args=["forening", round_one.pk])
    assert amo_client.post(url).status_code == 403
    assert facilitator_client.post(url).status_code == 302
    round_one.refresh_from_db()
    assert not round_one.is_read_only
    response = amo_client.post(
        reverse("mapping:initiative-create", args=["forening", round_one.pk]),
        {"title": "Ny", "level": "gruppe", "dimension": "kultur"},
    )
    assert response.status_code == 302
    assert facilitator_client.post(url, {"is_read_only": "on"}).status_code == 302
    round_one.refresh_from_db()
    assert round_one.is_read_only


def test_compare_lists_each_kind_of_change(round_one, member):
    old = round_one
    new = start_next_round(old)
    old_team = old.initiatives.get(title="Teammøder")
    mus, team = new.initiatives.get(title="MUS"), new.initiatives.get(title="Teammøder")
    # moved and renamed, effect and purposes changed, one removed, one added
    with new.change():
        team.level = "ledelse"
        team.title = "Ledermøder"
        team.effect = "clear"
        team.save()
        mus.purposes.clear()
        mus.delete()
        add_card(new, "Mentorordning", "individ", "kultur")
        new.links.all().delete()
        Link.objects.create(mapping=new, source=team, target=new.initiatives.get(title="Mentorordning"))
        new.actions.filter(title="Følg op").update(status="done")
        new.actions.filter(title="Lav politik").delete()
        Action.objects.create(mapping=new, title="Ny handling")
    then, now, c = compare_rounds(new, old)
    assert (then, now) == (old, new)
    assert [x.title for x in c.added] == ["Mentorordning"]
    assert [x.title for x in c.removed] == ["MUS"]
    assert [(b.title, a.title, a.level) for b, a in c.moved] == [("Teammøder", "Ledermøder", "ledelse")]
    [(card, changes)] = c.changed
    assert card.id == team.pk
    assert {ch.label for ch in changes} == {"Titel", "Effekt"}
    assert ("Teammøder", "MUS") in c.links_removed
    assert c.links_added == [("Ledermøder", "Mentorordning")]
    assert {a.title for a in c.actions_done} == {"Følg op", "Holdt seminar"}
    assert [a.title for a in c.actions_dropped] == ["Lav politik"]
    assert [a.title for a in c.actions_new] == ["Ny handling"]
    assert c.actions_carried == []
    # Findings: the dismissed one about the old Teammøder stays dismissed; MUS's are resolved.
    assert all(f"i{old_team.pk}" not in f.key for f in c.findings_new)
    assert any("MUS" in f.message for f in c.findings_resolved)
    assert not any("MUS" in f.message for f in c.findings_new)
    client = client_for(member)
    page = client.get(reverse("mapping:round-compare", args=["forening", new.pk, old.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Mentorordning" in body and "Ledermøder" in body and "Lav politik" in body


def test_an_unchanged_round_compares_as_unchanged(round_one):
    new = start_next_round(round_one)
    _then, _now, c = compare_rounds(round_one, new)
    assert not (c.added or c.removed or c.moved or c.changed or c.links_added or c.links_removed)
    # The new round has no employee input yet (input stays with its round): not a change on the map.
    assert c.findings_new == [] and c.findings_resolved == []
    assert {a.title for a in c.actions_carried} == {"Følg op", "Lav politik"}
    assert [a.title for a in c.actions_done] == ["Holdt seminar"]


def test_findings_still_open_are_counted_as_the_dashboard_counts_them(organisation):
    from mapping.example import create_example
    from mapping.models.rounds import NOT_COMPARED

    old = create_example(organisation)
    new = start_next_round(old)
    _then, _now, c = compare_rounds(old, new)
    shown = [f for f in new.findings().open if f.code not in NOT_COMPARED]
    assert c.findings_kept == len(shown) < 20  # one per finding on the dashboard, not one per card


def test_a_finding_about_the_whole_mapping_resolved_in_the_next_round_is_listed(mapping):
    add_card(mapping, "MUS", "individ", "struktur")
    new = start_next_round(mapping)
    with new.change():
        new.initiatives.create(title="APV", level="organisation", dimension="struktur", is_measurement=True)
    _then, _now, c = compare_rounds(mapping, new)
    assert [f.key for f in c.findings_resolved if f.code == "no_apv"] == ["no_apv:alle"]
    assert not [f for f in c.findings_new if f.code == "no_apv"]


def test_a_level_that_got_its_structure_culture_link_is_resolved_in_the_next_round(mapping):
    add_card(mapping, "MUS", "individ", "struktur")
    add_card(mapping, "Kollegial sparring", "individ", "kultur")
    add_card(mapping, "Teammøder", "gruppe", "struktur")
    add_card(mapping, "Fredagsbar", "gruppe", "kultur")
    new = start_next_round(mapping)
    with new.change():
        Link.objects.create(
            mapping=new,
            source=new.initiatives.get(title="MUS"),
            target=new.initiatives.get(title="Kollegial sparring"),
        )
    _then, _now, c = compare_rounds(mapping, new)
    resolved = [f.key for f in c.findings_resolved if f.code == "no_structure_culture_link"]
    assert resolved == ["no_structure_culture_link:individ"]
    assert not [f for f in c.findings_new if f.code == "no_structure_culture_link"]
    assert c.findings_kept >= 1  # the group level still has no link


def test_compare_follows_lineage_over_rounds_in_between(round_one):
    second = start_next_round(round_one)
    third = start_next_round(second)
    _then, _now, c = compare_rounds(third, round_one)
    assert c.added == [] and c.removed == []


def test_ratings_show_only_where_both_rounds_had_enough_answers(round_one):
    new = start_next_round(round_one)
    old_mus, new_mus = round_one.initiatives.get(title="MUS"), new.initiatives.get(title="MUS")
    old_team, new_team = round_one.initiatives.get(title="Teammøder"), new.initiatives.get(title="Teammøder")
    old_ws = round_one.workshops.get()
    new_ws = new.workshops.create(code="EFGH2345")

    def rate(workshop, card, n, works):
        for k in range(n):
            Input.objects.create(
                workshop=workshop,
                kind=InputKind.RATING,
                initiative=card,
                rating_works=works,
                rating_purpose=3,
                participant=f"p{card.pk}-{k}",
                idempotency_key=f"r{card.pk}-{k}",
            )
        # What rating through the phone does: the aggregate people see (an old round is read-only by now).
        Release.objects.create(
            workshop=workshop, kind="rating", initiative=card, count=n, purpose_total=3 * n, works_total=works * n
        )

    rate(old_ws, old_mus, 5, 2)
    rate(new_ws, new_mus, 5, 4)
    rate(old_ws, old_team, 5, 3)
    rate(new_ws, new_team, 2, 5)  # too few now
    _then, _now, c = compare_rounds(round_one, new)
    assert c.ratings == [("MUS", 2.0, 4.0)]


def test_compare_refuses_rounds_of_another_series(round_one, facilitator_client, organisation):
    other = organisation.mappings.create(title="Andet")
    url = reverse("mapping:round-compare", args=["forening", round_one.pk, other.pk])
    assert facilitator_client.get(url).status_code == 404
    same = reverse("mapping:round-compare", args=["forening", round_one.pk, round_one.pk])
    assert facilitator_client.get(same).status_code == 404


def test_the_discussion_record_is_written_and_read(mapping, amo_client, member_client, organisation):
    url = reverse("mapping:discussion", args=["forening", mapping.pk])
    data = {
        "version": 0,
        "held_on": "2026-03-01",
        "participants": "Anna Holm, leder\nBo Berg, AMO",
        "cooperation": "AMO-møder",
        "meeting_interval": "Hvert kvartal",
        "competence_plan": "Kursus i psykisk arbejdsmiljø",
        "decisions": "Vi gentager målingen",
        "follow_up": "Anna, maj",
        "employee_count": "14",
        "has_amo": "on",
    }
    assert amo_client.post(url, data).status_code == 302
    record = Discussion.objects.get(mapping=mapping)
    assert record.held_on == date(2026, 3, 1) and record.participants.startswith("Anna Holm")
    assert record.version == 1
    organisation.refresh_from_db()
    assert organisation.employee_count == 14 and organisation.has_amo
    page = member_client.get(url).content.decode()
    assert "Bo Berg, AMO" in page and "Kursus i psykisk arbejdsmiljø" in page
    assert "Gem referatet" not in page  # members read
    assert member_client.post(url, data).status_code == 403


def test_a_stale_record_save_shows_a_conflict_and_overwrites_nothing(mapping, amo_client, facilitator_client):
    url = reverse("mapping:discussion", args=["forening", mapping.pk])
    assert facilitator_client.post(url, {"version": 0, "decisions": "Først"}).status_code == 302
    response = amo_client.post(url, {"version": 0, "decisions": "Anden"})
    assert response.status_code == 409
    assert "En anden har gemt referatet" in response.content.decode()
    assert Discussion.objects.get(mapping=mapping).decisions == "Først"
    assert amo_client.post(url, {"version": 1, "decisions": "Anden"}).status_code == 302
    assert Discussion.objects.get(mapping=mapping).decisions == "Anden"


def test_the_record_asks_the_knowledge_question_in_a_small_workplace(mapping, facilitator_client, organisation):
    url = reverse("mapping:discussion", args=["forening", mapping.pk])
    organisation.employee_count, organisation.has_amo = 6, False
    organisation.save()
    page = facilitator_client.get(url).content.decode()
    assert "Har vi den nødvendige viden om arbejdsmiljø?" in page and "Kompetenceplan for AMO" not in page
    organisation.employee_count = 25
    organisation.save()
    page = facilitator_client.get(url).content.decode()
    assert "Har vi den nødvendige viden om arbejdsmiljø?" not in page and "Kompetenceplan for AMO" in page


def test_goals_carry_over_and_are_evaluated_in_the_next_round(mapping, amo_client, facilitator_client):
    card = add_card(mapping, "Trivselsmåling")
    url = reverse("mapping:goal-create", args=["forening", mapping.pk])
    assert amo_client.post(url, {"title": "Alle kender stresspolitikken", "initiatives": [card.pk]}).status_code == 302
    goal = mapping.goals.get()
    assert list(goal.initiatives.all()) == [card]
    new = start_next_round(mapping)
    carried = new.goals.get()
    assert carried.is_carried and carried.predecessor == goal
    update = reverse("mapping:goal-update", args=["forening", new.pk, carried.pk])
    response = amo_client.post(update, {"evaluation": "partly", "comment": "Halvdelen", "version": 1})
    assert response.status_code == 302
    carried.refresh_from_db()
    assert (carried.evaluation, carried.comment) == ("partly", "Halvdelen")
    page = facilitator_client.get(reverse("mapping:discussion", args=["forening", new.pk])).content.decode()
    assert "Alle kender stresspolitikken" in page and "Sidste års mål" in page
    # A stale evaluation is a conflict, not an overwrite.
    stale = amo_client.post(update, {"evaluation": "reached", "comment": "Alle", "version": 1})
    assert stale.status_code == 409
    carried.refresh_from_db()
    assert carried.evaluation == "partly"
    # A carried goal cannot be deleted; a new one can.
    delete = reverse("mapping:goal-delete", args=["forening", new.pk, carried.pk])
    assert amo_client.post(delete).status_code == 404


def test_a_goal_links_only_its_own_rounds_cards(mapping, amo_client, organisation):
    other = organisation.mappings.create(title="Anden")
    foreign = add_card(other, "Fremmed")
    url = reverse("mapping:goal-create", args=["forening", mapping.pk])
    response = amo_client.post(url, {"title": "Mål", "initiatives": [foreign.pk]})
    assert response.status_code == 400
    assert mapping.goals.count() == 0


def test_bad_input_to_the_discussion_never_fails(mapping, amo_client):
    url = reverse("mapping:discussion", args=["forening", mapping.pk])
    for data in (
        {},
        {"version": "x"},
        {"version": -1},
        {"version": 0, "held_on": "igår"},
        {"version": 0, "employee_count": "-3"},
    ):
        assert amo_client.post(url, data).status_code == 400, data
    goal = Goal.objects.create(mapping=mapping, title="Mål")
    update = reverse("mapping:goal-update", args=["forening", mapping.pk, goal.pk])
    assert amo_client.post(update, {"title": ""}).status_code == 400
    assert amo_client.post(update, {"title": "Nyt"}).status_code == 400  # no version


def test_the_organisation_page_lists_series_and_the_next_discussion(round_one, member_client, organisation):
    second = start_next_round(round_one)
    organisation.mappings.create(title="Enkeltstående")
    Discussion.objects.create(mapping=round_one, held_on=date(2025, 1, 10))
    page = member_client.get(organisation.get_absolute_url()).content.decode()
    assert page.index("Kortlægning 2027") < page.index("Kortlægning 2026")
    assert "En serie med 2 runder" in page
    assert "10. januar 2025" in page and "forsinket" in page
    overview = rounds_overview(organisation, date(2025, 6, 1))
    assert overview["discussion_due"] == date(2026, 1, 10) and not overview["discussion_overdue"]
    assert [m.pk for m in overview["series"][-1]] == [second.pk, round_one.pk] or any(
        [m.pk for m in line] == [second.pk, round_one.pk] for line in overview["series"]
    )


def test_the_discussion_pdf_prints_the_record_and_the_summary(round_one, member_client):
    new = start_next_round(round_one)
    Discussion.objects.create(mapping=new, held_on=date(2027, 2, 1), participants="Anna Holm, leder")
    response = member_client.get(reverse("mapping:discussion-pdf", args=["forening", new.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    from mapping.pdf_rounds import SHEET_TEMPLATE, discussion_context, render_html  # noqa: PLC0415

    html = render_html("mapping/rounds/discussion_pdf.html", discussion_context(new))
    assert "Anna Holm, leder" in html and "ikke en juridisk vurdering" in html
    assert "Færre sygedage" in html and "Følg op" in html
    assert "Sammenlignet med Kortlægning 2026" in html
    assert SHEET_TEMPLATE


def test_the_discussion_summary_counts_open_findings_as_the_dashboard_shows_them(example):
    """A finding about many cards (one key for the whole rule) counts once, not once per card."""
    from mapping.pdf_rounds import SUMMARY_FINDINGS, discussion_context  # noqa: PLC0415

    open_findings = example.findings().open
    grouped = next(f for f in open_findings if f.is_grouped and len(f.initiatives) > 1)
    kinds = {kind["heading"]: kind["count"] for kind in discussion_context(example)["findings"]}
    assert kinds[grouped.heading] == len(example.findings().open_of_kind(grouped.code)) < len(grouped.initiatives)
    assert list(kinds) == list(dict.fromkeys(f.heading for f in open_findings))[:SUMMARY_FINDINGS]


@pytest.mark.parametrize("size", ["", "a3", "nonsense"])
def test_the_blank_sheet_prints(member_client, organisation, size):
    response = member_client.get(reverse("mapping:sheet-pdf", args=["forening"]), {"size": size} if size else {})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_blank_sheet_holds_the_grid_the_hints_and_the_questions(organisation):
    from mapping.levels import LEVEL_HINTS  # noqa: PLC0415
    from mapping.participation import STEPS  # noqa: PLC0415
    from mapping.pdf_rounds import SHEET_TEMPLATE, render_html, sheet_context  # noqa: PLC0415

    html = render_html(SHEET_TEMPLATE, sheet_context(organisation, "a4"))
    assert html.count('<td class="struktur">') == 4 and html.count('<td class="kultur">') == 4
    assert all(str(hint).split(":")[0] in html for hint in LEVEL_HINTS.values())
    assert str(STEPS[1].questions[0]) in html


def test_a_new_round_takes_a_fixed_number_of_queries(organisation, django_assert_max_num_queries):
    from .conftest import fill_mapping  # noqa: PLC0415

    for n in (10, 60):
        mapping = organisation.mappings.create(title=f"Stor {n}")
        fill_mapping(mapping, n)
        with django_assert_max_num_queries(30):
            start_next_round(mapping)


def test_due_is_twelve_months_later():
    assert Discussion(held_on=date(2024, 2, 29)).next_due == date(2025, 2, 28)
    assert Discussion(held_on=date(2026, 5, 4)).next_due == date(2027, 5, 4)
    assert Discussion().next_due is None
    assert timedelta(days=365) == date(2027, 5, 4) - date(2026, 5, 4)


def test_export_and_import_round_trip_a_series_of_two_rounds(round_one, organisation, other_organisation):
    from mapping.exchange import create_mapping, export_mapping, validate  # noqa: PLC0415

    second = start_next_round(round_one)
    carried = second.goals.get()
    carried.evaluation, carried.comment = "reached", "Klaret"
    carried.save()
    Goal.objects.create(mapping=second, title="Nyt mål")
    Discussion.objects.create(mapping=second, held_on=date(2027, 2, 1), participants="Anna, leder")
    with second.change():
        second.initiatives.get(title="Teammøder").delete()
        add_card(second, "Mentorordning", "individ", "kultur")
    document = export_mapping(second)
    assert document["previous"]["title"] == "Kortlægning 2026"
    imported = create_mapping(other_organisation, validate(document))
    first = imported.predecessor
    assert first is not None and first.organisation == other_organisation
    assert first.is_read_only and not imported.is_read_only
    assert imported.initiatives.get(title="MUS").predecessor == first.initiatives.get(title="MUS")
    assert imported.actions.get(title="Følg op").predecessor == first.actions.get(title="Følg op")
    goal = imported.goals.get(is_carried=True)
    assert (goal.evaluation, goal.comment, goal.predecessor) == ("reached", "Klaret", first.goals.get())
    assert imported.discussion.participants == "Anna, leder"
    # The comparison reads the same across the import.
    _t, _n, before = compare_rounds(round_one, second)
    _t, _n, after = compare_rounds(first, imported)
    assert [c.title for c in after.added] == [c.title for c in before.added] == ["Mentorordning"]
    assert [c.title for c in after.removed] == [c.title for c in before.removed] == ["Teammøder"]
    # Export -> import -> export gives the same document apart from ids and timestamps.
    again = export_mapping(imported)

    def shape(doc):
        return (
            doc["title"],
            [(i["title"], i["predecessor"] is not None) for i in doc["initiatives"]],
            [(g["title"], g["evaluation"], g["is_carried"]) for g in doc["goals"]],
            doc["discussion"],
            doc.get("previous") and shape(doc["previous"]),
        )

    assert shape(again) == shape(document)


def test_an_import_with_bad_round_data_is_refused(organisation):
    from mapping.exchange import ImportRefused, validate  # noqa: PLC0415

    base = {"format": "iglo-mapping", "format_version": 1, "title": "X"}
    for bad in (
        {"goals": [{"title": ""}]},
        {"goals": [{"title": "Mål", "initiatives": [99]}]},
        {"goals": [{"title": "Mål", "evaluation": "perfekt"}]},
        {"discussion": {"held_on": "igår"}},
        {"discussion": "tekst"},
        {"is_read_only": "ja"},
        {"previous": ["x"]},
        {"previous": {"title": ""}},
    ):
        with pytest.raises(ImportRefused):
            validate({**base, **bad})


def test_an_empty_mapping_prints_the_blank_sheet(mapping, member_client):
    import io  # noqa: PLC0415

    from pypdf import PdfReader  # noqa: PLC0415

    response = member_client.get(reverse("mapping:mapping-export-pdf", args=["forening", mapping.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "vores indsatser på fire niveauer" in text and "Ingen indsatser" not in text
    assert "Overblik og formål" in text


@pytest.mark.parametrize("role", ["amo", "facilitator"])
def test_every_write_url_refuses_a_read_only_round_with_a_reason(world, signed_in, role):  # noqa: F811
    """Every POST of the permission matrix on a read-only round: 403 with the reason, nothing changes.
    Participants' writes (a workshop still open) get a 4xx too, never a 500."""
    Mapping.objects.filter(pk=world.mapping.pk).update(is_read_only=True)
    version = Mapping.objects.get(pk=world.mapping.pk).version
    client = signed_in(role)
    for name, checks in EXPECTED.items():
        for check in checks:
            kwargs = check.kwargs(world)
            if check.method != "POST" or name in ("round-next", "round-read-only"):
                continue
            if check.statuses[ROLES.index(role)] == 405:
                continue  # not a write URL
            if "mapping_id" not in kwargs and "code" not in kwargs:
                continue  # the organisation's own pages
            response = client.post(reverse(f"mapping:{name}", kwargs=kwargs), check.data(world))
            if "code" in kwargs:
                assert response.status_code < 500, name
                continue
            assert response.status_code == 403, name
            if role == "facilitator":
                assert "kan kun læses" in response.content.decode(), name
    assert Mapping.objects.get(pk=world.mapping.pk).version == version
    assert world.mapping.initiatives.count() == 3


def test_compare_reports_status_and_purposes_by_lineage_not_by_title():
    card = rounds.CardData
    then = rounds.RoundData(
        cards=(card(1, None, "MUS", "individ", "struktur", "some", "active", frozenset({"Trivsel"})),),
        links=frozenset(),
        findings=(rounds.FindingData("no_owner", "no_owner:i1", "", ""),),
        actions=(),
    )
    now = rounds.RoundData(
        cards=(
            card(11, 1, "MUS", "individ", "struktur", "some", "paused", frozenset({"Læring"})),
            card(12, None, "MUS", "individ", "struktur", "some", "active"),  # same title, no lineage: new
        ),
        links=frozenset(),
        findings=(
            rounds.FindingData("no_owner", "no_owner:i11", "", ""),  # the same finding through lineage
            rounds.FindingData("no_owner", "no_owner:i12", "", ""),
        ),
        actions=(),
    )
    c = rounds.compare(then, now, labels={"status": {"active": "I gang", "paused": "Sat på pause"}})
    [(changed, changes)] = c.changed
    assert changed.id == 11
    assert [(x.label, x.before, x.after) for x in changes] == [
        ("Status", "I gang", "Sat på pause"),
        ("Formål", "Trivsel", "Læring"),
    ]
    assert [x.id for x in c.added] == [12] and c.removed == []
    assert [f.key for f in c.findings_new] == ["no_owner:i12"] and c.findings_resolved == [] and c.findings_kept == 1


def test_a_read_only_rounds_analysis_is_read_once_and_follows_a_reopening(round_one, django_assert_max_num_queries):
    from mapping.models import set_read_only  # noqa: PLC0415
    from mapping.models.rounds import closed_round_data  # noqa: PLC0415

    start_next_round(round_one)
    round_one.refresh_from_db()
    first = closed_round_data(round_one, 5)
    with django_assert_max_num_queries(0):
        assert closed_round_data(round_one, 5) == first
    # Reopened and changed: the version moved, so the analysis is read again.
    set_read_only(round_one, False)
    with round_one.change():
        add_card(round_one, "Mentorordning")
    set_read_only(round_one, True)
    round_one.refresh_from_db()
    assert "Mentorordning" in {c.title for c in closed_round_data(round_one, 5).cards}


def test_the_record_forms_help_texts_describe_their_fields(mapping, amo_client):
    page = amo_client.get(reverse("mapping:discussion", args=["forening", mapping.pk])).content.decode()
    assert 'aria-describedby="id_participants-help"' in page and 'id="id_participants-help"' in page


def test_a_link_to_a_deleted_card_is_no_removed_link(round_one):
    mus = round_one.initiatives.get(title="MUS")
    gone = add_card(round_one, "Væk", "gruppe", "kultur")
    Link.objects.create(mapping=round_one, source=mus, target=gone)
    gone.deleted_at = timezone.now()
    gone.save()
    new = start_next_round(round_one)
    _then, _now, c = compare_rounds(round_one, new)
    assert c.links_removed == [] and c.links_added == [] and c.removed == []
