"""The gap analysis on plain data: no database."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from mapping import danish, gaps, ideas
from mapping.example import example_data
from mapping.gaps import InitiativeData, LinkData, MappingData, PurposeData
from mapping.levels import CELLS

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def in_danish():
    """Messages are read in Danish, whatever an earlier test left active."""
    with translation.override("da"):
        yield


def card(id, title=None, level="individ", dimension="struktur", **fields):
    defaults = {"purposes": frozenset({1}), "effect": "clear", "owner": "Ledelsen", "reviewed_at": TODAY}
    return InitiativeData(
        id=id, title=title or f"Kort {id}", level=level, dimension=dimension, **{**defaults, **fields}
    )


def healthy_grid() -> list[InitiativeData]:
    """One well-kept card in each of the eight cells, with distinct titles."""
    titles = [
        "Medarbejdersamtaler (MUS)",
        "Kollegial sparring",
        "Teammøder",
        "Sociale arrangementer",
        "Ledelsesfundament",
        "Psykologisk tryghed",
        "Good governance",
        "Åben kommunikationskultur",
    ]
    return [
        card(n, title, level, dimension)
        for n, (title, (level, dimension)) in enumerate(zip(titles, CELLS, strict=True), 1)
    ]


def chain_links(cards) -> list[LinkData]:
    """Link the cards in a chain, so nothing is isolated and every level meets another."""
    return [LinkData(a.id, b.id, "related") for a, b in zip(cards, cards[1:], strict=False)]


TRIVSEL = (PurposeData(1, "Trivsel"),)


# Rules about the mapping as a whole (APV, AMO, employees' input) stay quiet in the tests of the other rules.
WELL_RUN = "Ledelsen og AMO"


def analyse(initiatives, links=None, purposes=TRIVSEL, **data):
    initiatives = list(initiatives)
    if links is None:
        links = chain_links(initiatives)
    data = {"has_employee_input": True, "actions": (gaps.ActionData(owner="AMO", due=TODAY),), **data}
    return gaps.find_gaps(MappingData(tuple(initiatives), tuple(purposes), tuple(links), today=TODAY, **data))


def codes(findings, code):
    return [f for f in findings if f.code == code]


def test_a_healthy_grid_has_few_findings():
    findings = analyse(healthy_grid())
    # The single purpose is served at every level and on both sides; nothing else is wrong except
    # that there is no APV, individual cards are not linked to a group-level card, and nobody acted on that.
    assert {f.code for f in findings} == {"no_apv", "individual_unsupported", "important_without_action"}


def test_an_empty_mapping_has_no_findings():
    assert gaps.find_gaps(MappingData((), TRIVSEL, today=TODAY)) == []


def test_findings_come_most_important_first():
    grid = [c for c in healthy_grid() if c.level != "gruppe"]
    grid += [card(9, "Pulsmåling", "organisation", "struktur", owner="", effect="unknown")]
    findings = analyse(grid, chain_links(grid[:-1]))
    ranks = [gaps.RANK[f.code] for f in findings]
    assert ranks == sorted(ranks)
    order = [f.code for f in findings]
    assert order.index("measurement_not_followed_up") < order.index("no_apv") < order.index("empty_cell")
    assert [f.code for f in findings][-2:] == ["unknown_effect", "no_owner"]
    assert [f.severity for f in findings][-2:] == ["low", "low"]


# empty_cell


def test_empty_cell_fires_for_the_cells_of_a_level_without_active_initiatives():
    grid = [c for c in healthy_grid() if c.level != "gruppe"]
    found = codes(analyse(grid), "empty_cell")
    assert [f.cells for f in found] == [(("gruppe", "struktur"),), (("gruppe", "kultur"),)]
    assert found[1].key == "empty_cell:gruppe-kultur"
    assert found[0].severity == "high"


def test_empty_cell_counts_only_active_initiatives():
    grid = [
        c if c.level != "gruppe" else card(c.id, c.title, c.level, c.dimension, status="paused") for c in healthy_grid()
    ]
    assert [f.key for f in codes(analyse(grid), "empty_cell")] == [
        "empty_cell:gruppe-struktur",
        "empty_cell:gruppe-kultur",
    ]


def test_empty_cell_does_not_fire_when_every_cell_has_one():
    assert codes(analyse(healthy_grid()), "empty_cell") == []


# one_sided_level


def test_one_sided_level_fires_for_a_level_with_only_struktur():
    grid = [c for c in healthy_grid() if (c.level, c.dimension) != ("ledelse", "kultur")]
    found = codes(analyse(grid), "one_sided_level")
    assert [f.levels for f in found] == [("ledelse",)]
    assert "formelt" in found[0].message


def test_one_sided_level_fires_for_a_level_with_only_kultur():
    grid = [c for c in healthy_grid() if (c.level, c.dimension) != ("individ", "struktur")]
    found = codes(analyse(grid), "one_sided_level")
    assert [f.levels for f in found] == [("individ",)]
    assert "uformelt" in found[0].message


def test_one_sided_level_is_said_once_not_again_as_an_empty_cell():
    grid = [c for c in healthy_grid() if (c.level, c.dimension) != ("ledelse", "kultur")]
    findings = analyse(grid)
    assert [f.key for f in codes(findings, "one_sided_level")] == ["one_sided_level:ledelse"]
    assert codes(findings, "empty_cell") == []
    assert codes(findings, "one_sided_level")[0].message.startswith("På ledelsesniveau er alt formelt")


def test_one_sided_level_does_not_fire_for_an_empty_level_or_a_full_one():
    grid = [c for c in healthy_grid() if c.level != "ledelse"]
    assert codes(analyse(grid), "one_sided_level") == []
    assert codes(analyse(healthy_grid()), "one_sided_level") == []


# purposes


def test_no_purpose_fires_for_an_initiative_without_a_purpose_sentence_or_themes():
    grid = healthy_grid()
    grid[0] = card(1, "Medarbejdersamtaler (MUS)", purposes=frozenset())
    found = codes(analyse(grid), "no_purpose")
    assert [f.initiatives for f in found] == [(1,)]
    assert found[0].key == "no_purpose:alle"
    assert found[0].message == "“Medarbejdersamtaler (MUS)” har hverken en formålssætning eller et formål."


def test_no_purpose_is_one_finding_for_many_cards():
    grid = [card(c.id, c.title, c.level, c.dimension, purposes=frozenset()) for c in healthy_grid()]
    found = codes(analyse(grid, purposes=()), "no_purpose")
    assert len(found) == 1 and found[0].initiatives == tuple(range(1, 9))
    assert found[0].message.startswith("8 af 8 indsatser har hverken en formålssætning eller et formål, fx “")


def test_a_purpose_sentence_is_a_purpose():
    grid = healthy_grid()
    grid[0] = card(1, "Medarbejdersamtaler (MUS)", purposes=frozenset(), purpose_text="Trivsel og udvikling.")
    assert codes(analyse(grid), "no_purpose") == []


def test_no_purpose_does_not_fire_when_every_initiative_has_one():
    assert codes(analyse(healthy_grid()), "no_purpose") == []


def test_unused_purpose_fires_for_a_purpose_nothing_serves():
    purposes = (PurposeData(1, "Trivsel"), PurposeData(2, "Færre konflikter"))
    found = codes(analyse(healthy_grid(), purposes=purposes), "unused_purpose")
    assert [f.purposes for f in found] == [(2,)]
    assert "Færre konflikter" in found[0].message


def test_unused_purpose_does_not_fire_for_a_served_purpose():
    assert codes(analyse(healthy_grid()), "unused_purpose") == []


def test_single_level_purpose_fires_when_served_at_one_level_only():
    grid = [
        c if c.level == "gruppe" else card(c.id, c.title, c.level, c.dimension, purposes=frozenset())
        for c in healthy_grid()
    ]
    found = codes(analyse(grid), "single_level_purpose")
    assert [(f.purposes, f.levels) for f in found] == [((1,), ("gruppe",))]
    assert set(found[0].initiatives) == {3, 4}


def test_single_level_purpose_does_not_fire_across_levels():
    assert codes(analyse(healthy_grid()), "single_level_purpose") == []


def test_one_sided_purpose_fires_when_served_only_by_kultur():
    grid = [
        c if c.dimension == "kultur" else card(c.id, c.title, c.level, c.dimension, purposes=frozenset())
        for c in healthy_grid()
    ]
    found = codes(analyse(grid), "one_sided_purpose")
    assert len(found) == 1
    assert "uformelle" in found[0].message


def test_one_sided_purpose_does_not_fire_with_both_sides():
    assert codes(analyse(healthy_grid()), "one_sided_purpose") == []


# effect


def test_unknown_effect_is_one_low_finding_and_no_effect_one_per_initiative():
    grid = healthy_grid()
    grid[0] = card(1, "Medarbejdersamtaler (MUS)", effect="unknown")
    grid[2] = card(3, "Teammøder", "gruppe", "struktur", effect="unknown")
    grid[1] = card(2, "Kollegial sparring", "individ", "kultur", effect="none")
    findings = analyse(grid)
    unknown = codes(findings, "unknown_effect")
    assert [(f.key, f.initiatives, f.severity) for f in unknown] == [("unknown_effect:alle", (1, 3), "low")]
    assert unknown[0].message == "Effekten er ikke vurderet for 2 af 8 indsatser."
    assert [f.initiatives for f in codes(findings, "no_effect")] == [(2,)]
    assert codes(findings, "no_effect")[0].severity == "high"


def test_known_effects_do_not_fire():
    grid = healthy_grid()
    grid[0] = card(1, "Medarbejdersamtaler (MUS)", effect="some")
    findings = analyse(grid)
    assert codes(findings, "unknown_effect") == [] and codes(findings, "no_effect") == []


# links


def test_isolated_fires_for_an_initiative_without_links():
    grid = healthy_grid()
    links = chain_links(grid[:7])
    found = codes(analyse(grid, links), "isolated")
    assert [f.initiatives for f in found] == [(8,)]
    assert found[0].key == "isolated:alle"


def test_isolated_is_one_finding_listing_every_lonely_card():
    grid = healthy_grid()
    found = codes(analyse(grid, chain_links(grid[:4])), "isolated")
    assert [f.initiatives for f in found] == [(5, 6, 7, 8)]
    assert found[0].message == (
        "4 af 8 indsatser er ikke forbundet med nogen anden indsats, "
        "fx “Ledelsesfundament”, “Psykologisk tryghed” og “Good governance”."
    )


def test_isolated_ignores_links_to_initiatives_not_in_the_data():
    grid = healthy_grid()
    links = [*chain_links(grid[:7]), LinkData(8, 999)]
    assert [f.initiatives for f in codes(analyse(grid, links), "isolated")] == [(8,)]


def test_isolated_does_not_fire_for_linked_initiatives():
    assert codes(analyse(healthy_grid()), "isolated") == []


def test_disconnected_level_fires_for_a_level_linked_only_inside_itself():
    grid = healthy_grid()
    links = [LinkData(1, 2), LinkData(3, 5), LinkData(5, 7), LinkData(4, 6), LinkData(6, 8)]
    found = codes(analyse(grid, links), "disconnected_level")
    assert [f.levels for f in found] == [("individ",)]
    assert set(found[0].initiatives) == {1, 2}


def test_disconnected_level_does_not_fire_when_levels_meet():
    assert codes(analyse(healthy_grid()), "disconnected_level") == []


def test_individual_unsupported_fires_for_a_linked_individual_card_without_group_support():
    grid = healthy_grid()
    links = [LinkData(1, 5), LinkData(2, 3), LinkData(3, 5), LinkData(4, 6), LinkData(6, 7), LinkData(7, 8)]
    found = codes(analyse(grid, links), "individual_unsupported")
    assert [f.initiatives for f in found] == [(1,)]


def test_individual_unsupported_does_not_fire_with_group_support():
    grid = healthy_grid()
    links = [LinkData(3, 1), LinkData(2, 3), LinkData(3, 5), LinkData(4, 6), LinkData(6, 7), LinkData(7, 8)]
    assert codes(analyse(grid, links), "individual_unsupported") == []


def test_individual_unsupported_also_names_individual_cards_without_links_after_the_linked_ones():
    grid = [card(9, "Fleksible arbejdstider"), *healthy_grid()]
    links = [LinkData(1, 5), LinkData(2, 3), LinkData(3, 5), LinkData(4, 6), LinkData(6, 7), LinkData(7, 8)]
    found = codes(analyse(grid, links), "individual_unsupported")
    assert [(f.key, f.initiatives) for f in found] == [("individual_unsupported:alle", (1, 9))]
    assert found[0].message.startswith("2 af 3 indsatser for den enkelte har ingen opbakning i gruppen")
    assert [f.initiatives for f in codes(analyse(grid, links), "isolated")] == [(9,)]


def survey_grid(**survey_fields):
    grid = healthy_grid()
    grid.append(card(9, "Trivselsmåling", "organisation", "struktur", **{"is_measurement": True, **survey_fields}))
    return grid


def test_measurement_not_followed_up_fires_without_a_link_to_leadership_or_follow_up():
    grid = survey_grid()
    links = [*chain_links(grid[:8]), LinkData(9, 8, "related")]  # to an organisation-level card, merely related
    found = codes(analyse(grid, links), "measurement_not_followed_up")
    assert [f.initiatives for f in found] == [(9,)]
    assert found[0].severity == "high"


def test_measurement_is_followed_up_by_a_link_to_leadership():
    grid = survey_grid()
    links = [*chain_links(grid[:8]), LinkData(9, 5, "related")]
    assert codes(analyse(grid, links), "measurement_not_followed_up") == []


def test_measurement_is_followed_up_at_a_forum_on_any_level():
    grid = survey_grid()
    links = [*chain_links(grid[:8]), LinkData(9, 3, "followed_up_at")]
    assert codes(analyse(grid, links), "measurement_not_followed_up") == []


def test_a_title_suggests_a_measurement_until_someone_says_otherwise():
    for title in ["Pulsmåling", "APV 2026", "Medarbejdertilfredshedsundersøgelse", "Trivselsundersøgelse"]:
        grid = [*healthy_grid(), card(9, title, "organisation", "struktur")]
        links = [*chain_links(grid[:8]), LinkData(9, 8, "related")]
        assert [f.initiatives for f in codes(analyse(grid, links), "measurement_not_followed_up")] == [(9,)], title
        turned_off = [*healthy_grid(), card(9, title, "organisation", "struktur", is_measurement=False)]
        assert codes(analyse(turned_off, links), "measurement_not_followed_up") == [], title
    plain = [*healthy_grid(), card(9, "Fredagsbar", "gruppe", "kultur")]
    assert codes(analyse(plain, [*chain_links(plain[:8]), LinkData(9, 8)]), "measurement_not_followed_up") == []


def test_an_incoming_link_does_not_follow_a_measurement_up():
    grid = survey_grid()
    links = [*chain_links(grid[:8]), LinkData(5, 9, "followed_up_at")]
    assert len(codes(analyse(grid, links), "measurement_not_followed_up")) == 1


# owner and review


def test_no_owner_fires_for_an_initiative_without_owner():
    grid = healthy_grid()
    grid[0] = card(1, "Medarbejdersamtaler (MUS)", owner="  ")
    assert [f.initiatives for f in codes(analyse(grid), "no_owner")] == [(1,)]


def test_no_owner_does_not_fire_with_an_owner():
    assert codes(analyse(healthy_grid()), "no_owner") == []


def test_stale_fires_after_twelve_months_without_review():
    grid = healthy_grid()
    grid[0] = card(1, "Medarbejdersamtaler (MUS)", reviewed_at=TODAY - timedelta(days=400))
    grid[1] = card(2, "Kollegial sparring", "individ", "kultur", reviewed_at=None, created=TODAY - timedelta(days=500))
    found = codes(analyse(grid), "stale")
    assert [(f.key, f.initiatives) for f in found] == [("stale:alle", (1, 2))]
    assert found[0].message.startswith("2 af 8 indsatser er ikke gennemgået i over et år")


def test_stale_does_not_fire_within_twelve_months_or_for_new_cards():
    grid = healthy_grid()
    grid[0] = card(1, "Medarbejdersamtaler (MUS)", reviewed_at=TODAY - timedelta(days=300))
    grid[1] = card(2, "Kollegial sparring", "individ", "kultur", reviewed_at=None, created=TODAY - timedelta(days=20))
    grid[2] = card(3, "Teammøder", "gruppe", "struktur", reviewed_at=None, created=None)
    assert codes(analyse(grid), "stale") == []


# overlap


def overlap_reasons(a: str, b: str) -> list[str]:
    """Why the overlap rule finds two cards titled ``a`` and ``b`` overlapping (in different cells, other purposes)."""
    pair = (card(1, a, purposes=frozenset({1})), card(2, b, "organisation", "kultur", purposes=frozenset({2})))
    return [f.reason for f in codes(gaps.find_gaps(MappingData(pair, today=TODAY)), "overlap")]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Trivselsundersøgelser", "Trivselsmålinger"),
        ("Trivselsmåling", "Trivselsmålingerne"),
        ("Teammøder", "Team-møder"),
        ("MUS", "Medarbejdersamtaler (MUS)"),
        ("Medarbejderudviklingssamtaler", "MUS-samtaler"),
        ("Arbejdspladsvurdering (APV)", "APV"),
        ("Ledermøder", "Ledelsesmøde"),
        ("Personalehåndbog", "Medarbejderhåndbøger"),
        ("Mentorordning", "Mentorordninger for nye"),
    ],
)
def test_titles_that_say_the_same_overlap(a, b):
    assert overlap_reasons(a, b) == ["title"], (a, b, danish.concepts(a), danish.concepts(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Medarbejdersamtaler (MUS)", "Kollegial sparring"),
        ("Medarbejdersamtaler (MUS)", "Medarbejderhåndbøger"),
        ("Teammøder", "Husmøder"),
        ("Mentorordning", "Whistleblower-ordning"),
        ("Ledelsesfundament", "Synlig ledelse"),
        ("Kompetenceudvikling", "Ledelsesudviklingskurser"),
        ("Åben kommunikationskultur", "Tydelig kommunikationsstrategi"),
        ("Trivselsmålinger", "Arbejdspladsvurdering (APV)"),
    ],
)
def test_titles_that_only_share_a_word_do_not_overlap(a, b):
    assert overlap_reasons(a, b) == [], (a, b, danish.concepts(a), danish.concepts(b))


def test_danish_stems_meet_across_inflections():
    assert danish.stem("målinger") == danish.stem("måling") == danish.stem("målingerne")
    assert danish.split_compound("trivselsundersøgelser") == ("trivsel", "undersøgelser")
    assert danish.concepts("Ledelsesudviklingskurser") == {"led", "udvikling", "kurs"}


def test_overlap_fires_for_similar_titles_anywhere_in_the_mapping():
    grid = [
        *healthy_grid(),
        card(9, "Trivselsundersøgelser", "gruppe", "struktur", purposes=frozenset({9})),
        card(10, "Trivselsmålinger", "organisation", "struktur", purposes=frozenset({10})),
    ]
    found = codes(analyse(grid), "overlap")
    assert [(f.initiatives, f.reason) for f in found] == [((9, 10), "title")]
    assert found[0].key == "overlap:i9-i10"


def test_overlap_fires_for_near_identical_descriptions():
    text = "Vi samler hele personalegruppen hver fredag og taler om ugens opgaver, trivsel og fordeling af arbejdet."
    grid = [
        *healthy_grid(),
        card(9, "Fredagsmøde", purposes=frozenset({9}), description=text),
        card(10, "Ugestart", "gruppe", "kultur", purposes=frozenset({10}), description=text + " Kaffe."),
    ]
    found = codes(analyse(grid), "overlap")
    assert [(f.initiatives, f.reason) for f in found] == [((9, 10), "description")]


def test_overlap_fires_for_the_same_purposes_in_the_same_cell():
    grid = [*healthy_grid(), card(9, "Fredagsbar", "gruppe", "kultur", purposes=frozenset({1}))]
    grid[3] = card(4, "Sociale arrangementer", "gruppe", "kultur", purposes=frozenset({1}))
    found = codes(analyse(grid), "overlap")
    assert [(f.initiatives, f.reason) for f in found] == [((4, 9), "purpose")]


def test_overlap_does_not_fire_for_same_purposes_in_different_cells_or_different_purposes():
    grid = [*healthy_grid(), card(9, "Fredagsbar", "gruppe", "kultur", purposes=frozenset({1, 2}))]
    assert codes(analyse(grid, purposes=(PurposeData(1, "Trivsel"), PurposeData(2, "Fællesskab"))), "overlap") == []


# no_employee_input


def test_no_employee_input_fires_once_for_a_mapping_without_input_from_employees():
    found = codes(analyse(healthy_grid(), has_employee_input=False), "no_employee_input")
    assert [(f.key, f.initiatives, f.step) for f in found] == [("no_employee_input:alle", (), 3)]
    assert found[0].message == "Medarbejderne har ikke givet input til kortlægningen endnu."


def test_no_employee_input_does_not_fire_once_employees_have_given_input():
    assert codes(analyse(healthy_grid(), has_employee_input=True), "no_employee_input") == []


# The mapping as a whole: APV, AMO, struktur and kultur, results that reach employees


def test_no_apv_fires_when_nothing_is_the_workplace_assessment():
    found = codes(analyse(healthy_grid()), "no_apv")
    assert [(f.key, f.severity) for f in found] == [("no_apv:alle", "high")]


def test_no_apv_does_not_fire_with_an_apv_by_either_name():
    for title in ["APV 2026", "Arbejdspladsvurdering"]:
        grid = [*healthy_grid(), card(9, title, "organisation", "struktur")]
        assert codes(analyse(grid), "no_apv") == [], title


def test_amo_not_involved_fires_when_the_amo_owns_nothing_and_is_linked_to_nothing():
    grid = healthy_grid()
    assert len(codes(analyse(grid, actions=()), "amo_not_involved")) == 1
    lonely_amo = [*grid, card(9, "AMO-møder", "organisation", "struktur")]
    assert len(codes(analyse(lonely_amo, chain_links(grid), actions=()), "amo_not_involved")) == 1


def test_amo_not_involved_does_not_fire_when_the_amo_owns_or_is_linked():
    grid = healthy_grid()
    assert codes(analyse(grid, actions=(gaps.ActionData(owner="AMO"),)), "amo_not_involved") == []
    owned = [
        *grid[:-1],
        card(8, "Åben kommunikationskultur", "organisation", "kultur", owner="Arbejdsmiljørepræsentanten"),
    ]
    assert codes(analyse(owned, actions=()), "amo_not_involved") == []
    linked = [*grid, card(9, "AMO-møder", "organisation", "struktur")]
    links = [*chain_links(grid), LinkData(7, 9, "followed_up_at")]
    assert codes(analyse(linked, links, actions=()), "amo_not_involved") == []


def test_no_structure_culture_link_names_the_levels_where_nothing_joins_the_two():
    grid = healthy_grid()
    links = [
        LinkData(1, 3),
        LinkData(2, 4),
        LinkData(3, 4),
        LinkData(3, 5),
        LinkData(5, 6),
        LinkData(5, 7),
        LinkData(7, 8),
    ]
    found = codes(analyse(grid, links), "no_structure_culture_link")
    assert [(f.key, f.levels) for f in found] == [("no_structure_culture_link:alle", ("individ",))]
    assert found[0].message == "Intet formelt (struktur) er forbundet med noget uformelt (kultur) på individniveau."
    assert found[0].action_title == "Forbind struktur og kultur på individniveau"


def test_no_structure_culture_link_lists_only_the_cards_that_serve_a_purpose_on_both_sides_of_a_level():
    grid = [
        *healthy_grid(),  # every card serves purpose 1
        card(9, "Kompetenceudvikling", "individ", "struktur", purposes=frozenset({2})),
        card(10, "Fredagsbar", "gruppe", "kultur", purposes=frozenset({2})),
    ]
    found = codes(analyse(grid, [LinkData(1, 3), LinkData(3, 5), LinkData(5, 7)]), "no_structure_culture_link")
    assert found[0].levels == ("individ", "gruppe", "ledelse", "organisation")
    # Purpose 2 is served on one side of each level only: its cards are not a pair a link would join.
    assert found[0].initiatives == (1, 2, 3, 4, 5, 6, 7, 8)
    assert found[0].next_step.endswith(
        "Begynd med dem, der tjener samme formål: “Medarbejdersamtaler (MUS)”, “Kollegial sparring”, "
        "“Teammøder”, “Sociale arrangementer”, “Ledelsesfundament” og 3 flere."
    )


def test_no_structure_culture_link_names_no_cards_when_no_purpose_is_shared():
    grid = [card(1, "MUS", "individ", "struktur"), card(2, "Sparring", "individ", "kultur", purposes=frozenset())]
    (found,) = codes(analyse(grid, links=[]), "no_structure_culture_link")
    assert found.initiatives == () and found.levels == ("individ",)
    assert "(fx MUS og den daglige sparring)" in found.next_step
    with translation.override("en"):
        assert found.message.endswith("(culture) at the individual level.")
        assert found.as_json()["next_step"].startswith("On each level, find a formal measure")


def test_no_structure_culture_link_does_not_fire_when_every_level_joins_them():
    assert codes(analyse(healthy_grid()), "no_structure_culture_link") == []


def forum_grid():
    """A survey followed up at the leaders' meeting; the house meeting is where employees hear of it."""
    grid = [*healthy_grid(), card(9, "Trivselsmåling", "organisation", "struktur"), card(10, "Ledermøder", "ledelse")]
    grid += [card(11, "Husmøder", "organisation", "struktur")]
    return grid


def test_results_not_shared_fires_when_a_followed_up_measurement_never_reaches_employees():
    grid = forum_grid()
    links = [*chain_links(grid[:8]), LinkData(9, 10, "followed_up_at"), LinkData(11, 8)]
    found = codes(analyse(grid, links), "results_not_shared")
    assert [(f.key, f.severity) for f in found] == [("results_not_shared:i9", "high")]
    assert codes(analyse(grid, links), "measurement_not_followed_up") == []


def test_results_not_shared_does_not_fire_when_a_chain_reaches_a_dialogue_forum():
    grid = forum_grid()
    links = [*chain_links(grid[:8]), LinkData(9, 10, "followed_up_at"), LinkData(10, 11, "followed_up_at")]
    assert codes(analyse(grid, links), "results_not_shared") == []


def test_results_not_shared_does_not_repeat_a_measurement_not_followed_up():
    grid = forum_grid()
    links = [*chain_links(grid[:8]), LinkData(10, 11), LinkData(11, 9)]
    findings = analyse(grid, links)
    assert len(codes(findings, "measurement_not_followed_up")) == 1 and codes(findings, "results_not_shared") == []


# The action plan


def survey_findings(**data):
    grid = survey_grid()
    return analyse(grid, [*chain_links(grid[:8]), LinkData(9, 8, "related")], **data)


def test_important_without_action_counts_open_important_findings_nobody_acted_on():
    important = [f.key for f in survey_findings() if f.severity == "high"]
    assert "measurement_not_followed_up:i9" in important
    found = codes(survey_findings(), "important_without_action")
    assert [f.key for f in found] == ["important_without_action:alle"] and 9 in found[0].initiatives
    assert found[0].message == f"{len(important)} vigtige fund har endnu ingen handling." and len(important) > 1
    acted = tuple(gaps.ActionData(key=key, owner="AMO", due=TODAY) for key in important[1:])
    fewer = codes(survey_findings(actions=acted), "important_without_action")
    assert fewer[0].message == "Et vigtigt fund har endnu ingen handling."


def test_important_without_action_does_not_fire_once_acted_on_or_dismissed():
    important = [f.key for f in survey_findings() if f.severity == "high"]
    acted = tuple(gaps.ActionData(key=key, owner="AMO", due=TODAY) for key in important)
    assert codes(survey_findings(actions=acted), "important_without_action") == []
    assert codes(survey_findings(dismissed=frozenset(important)), "important_without_action") == []


def test_actions_incomplete_fires_for_unfinished_actions_without_owner_or_due_date():
    actions = (
        gaps.ActionData(owner="AMO", due=TODAY),
        gaps.ActionData(owner="", due=TODAY),
        gaps.ActionData(owner="AMO", due=None),
        gaps.ActionData(owner="", due=None, is_done=True),
    )
    found = codes(analyse(healthy_grid(), actions=actions), "actions_incomplete")
    assert [f.message for f in found] == ["2 handlinger mangler en ansvarlig eller en frist."]
    found = codes(analyse(healthy_grid(), actions=actions[:2]), "actions_incomplete")
    assert [f.message for f in found] == ["En handling mangler en ansvarlig eller en frist."]


def test_actions_incomplete_does_not_fire_for_complete_or_finished_actions():
    actions = (gaps.ActionData(owner="AMO", due=TODAY), gaps.ActionData(is_done=True))
    assert codes(analyse(healthy_grid(), actions=actions), "actions_incomplete") == []


def test_an_action_made_from_a_finding_is_titled_as_something_to_do():
    grid = survey_grid()
    links = [*chain_links(grid[:8]), LinkData(9, 8, "related")]
    (finding,) = codes(analyse(grid, links), "measurement_not_followed_up")
    assert finding.action_title == "Aftal, hvordan resultaterne fra “Trivselsmåling” følges op"
    assert all(code in gaps.ACTION_TITLES for code in gaps.CODES)


# The example mapping, as plain data


def example_mapping() -> MappingData:
    data = example_data()
    return MappingData(
        initiatives=tuple(
            InitiativeData(
                id=i["id"],
                title=i["title"],
                level=i["level"],
                dimension=i["dimension"],
                is_measurement=i["is_measurement"],
            )
            for i in data["initiatives"]
        ),
        links=tuple(LinkData(link["source"], link["target"], link["kind"]) for link in data["links"]),
        today=TODAY,
    )


def test_golden_example():
    data = example_mapping()
    findings = gaps.find_gaps(data)
    by_code = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding)
    assert len(data.initiatives) == 38
    assert len(findings) <= 12, [f.message for f in findings]
    first = [(f.code, set(f.initiatives)) for f in findings[:4]]
    assert first[0] == ("overlap", {"trivselsundersogelser", "trivselsmaling"})
    assert sorted(first[1:3], key=str) == [
        ("measurement_not_followed_up", {"apv"}),
        ("measurement_not_followed_up", {"trivselsundersogelser"}),
    ]
    assert first[3][0] == "individual_unsupported" and findings[3].initiatives[0] == "mus"
    assert [len(f.initiatives) for f in by_code["isolated"]] == [31]
    assert "empty_cell" not in by_code
    assert "one_sided_level" not in by_code
    assert "disconnected_level" not in by_code
    assert "results_not_shared" not in by_code  # Trivselsmålinger → Ledermøder → Husmøder
    assert "no_apv" not in by_code
    for code in ("no_purpose", "no_owner", "unknown_effect"):
        assert [len(f.initiatives) for f in by_code[code]] == [38]
    assert [f.severity for f in by_code["no_owner"] + by_code["unknown_effect"]] == ["low", "low"]
    # No level joins struktur and kultur, and no purpose points at a pair: the levels, not all 38 cards.
    (unmixed,) = by_code["no_structure_culture_link"]
    assert unmixed.levels == ("individ", "gruppe", "ledelse", "organisation") and unmixed.initiatives == ()
    assert len(by_code["no_employee_input"]) == 1  # the example has had no workshop
    assert len({f.key for f in findings}) == len(findings)


# chains


def chain_ids(edges) -> list[list[int]]:
    """The chains through links between cards numbered by their ids, as lists of ids."""
    ids = sorted({n for edge in edges for n in edge})
    data = MappingData(tuple(card(n) for n in ids), links=tuple(LinkData(a, b) for a, b in edges), today=TODAY)
    return [[item.id for item, _link in path] for path in gaps.chains(data)]


def test_the_example_has_one_chain_across_three_levels():
    chains = gaps.chains(example_mapping())
    assert [[item.title for item, _link in chain] for chain in chains] == [
        ["Trivselsmålinger", "Ledermøder", "Husmøder"]
    ]
    assert [link.kind if link else None for _item, link in chains[0]] == [None, "followed_up_at", "followed_up_at"]


def test_a_chain_is_a_path_of_two_or_more_links():
    assert chain_ids([(1, 2), (2, 3)]) == [[1, 2, 3]]
    assert chain_ids([(1, 2)]) == []
    assert chain_ids([(1, 2), (2, 3), (2, 4), (5, 6)]) == [[1, 2, 3], [1, 2, 4]]


def test_chains_are_longest_first():
    assert chain_ids([(1, 2), (2, 3), (4, 5), (5, 6), (6, 7)]) == [[4, 5, 6, 7], [1, 2, 3]]


def test_a_loop_ends_the_chain_and_a_loop_without_a_start_still_shows():
    assert chain_ids([(1, 2), (2, 3), (3, 1)]) == [[1, 2, 3]]
    assert chain_ids([(0, 1), (1, 2), (2, 1)]) == [[0, 1, 2]]


def test_a_ten_link_path_is_one_chain_and_a_longer_one_is_cut_not_split():
    assert chain_ids([(n, n + 1) for n in range(1, 11)]) == [list(range(1, 12))]
    long = chain_ids([(n, n + 1) for n in range(1, 20)])
    assert long == [list(range(1, gaps.MAX_CHAIN_LENGTH + 1))]


def test_chains_ignore_links_to_initiatives_not_in_the_data():
    items = tuple(card(n) for n in (1, 2))
    data = MappingData(items, links=(LinkData(1, 2), LinkData(2, 99)), today=TODAY)
    assert gaps.chains(data) == []


def test_chains_are_capped_in_a_dense_graph():
    edges = [(a, b) for a in range(1, 31) for b in range(1, 31) if a != b]
    found = chain_ids(edges)
    assert len(found) == gaps.MAX_CHAINS
    assert all(3 <= len(chain) <= gaps.MAX_CHAIN_LENGTH and len(set(chain)) == len(chain) for chain in found)


def test_coverage_and_purpose_matrix():
    grid = [*healthy_grid(), card(9, "Trivselsmålinger", "organisation", "struktur", purposes=frozenset({2}))]
    data = MappingData(tuple(grid), (PurposeData(1, "Trivsel"), PurposeData(2, "Måling")), today=TODAY)
    counts = gaps.coverage_counts(data.initiatives)
    assert counts[("organisation", "struktur")] == 2
    assert gaps.coverage_band(0) == "empty" and gaps.coverage_band(1) == "thin" and gaps.coverage_band(5) == "full"
    matrix = {row["purpose"].title: row for row in gaps.purpose_matrix(data)}
    assert [c["total"] for c in matrix["Trivsel"]["cells"]] == [2, 2, 2, 2]
    assert [c["struktur"] for c in matrix["Måling"]["cells"]] == [0, 0, 0, 1]


def test_ideas_skip_what_the_mapping_has():
    data = MappingData((card(1, "Kollegial sparring", "individ", "kultur"),), today=TODAY)
    suggested = ideas.ideas_for(data, [("individ", "kultur"), ("gruppe", "kultur")])
    titles = [i["title"] for i in suggested[("individ", "kultur")]]
    assert "Kollegial sparring" not in titles and "Mentorordning" in titles
    assert suggested[("gruppe", "kultur")]
    assert all(i["purpose"] for cell in suggested.values() for i in cell)
    assert ("organisation", "struktur") not in suggested


def test_ideas_skip_what_a_card_is_alike_or_about_anywhere_in_the_mapping():
    board = (
        card(1, "Trivselsundersøgelser", "gruppe", "struktur"),  # alike "Trivselsmålinger" (organisation)
        card(2, "Opfølgning på supervision", "ledelse", "kultur"),  # about "Supervision" (individ)
        card(3, "Sparring mellem kolleger", "gruppe", "kultur"),  # alike "Kollegial sparring"
    )
    suggested = ideas.ideas_for(MappingData(board, today=TODAY), CELLS)
    titles = {i["title"] for cell in suggested.values() for i in cell}
    assert not titles & {"Trivselsmålinger", "Supervision", "Kollegial sparring"}
    assert {"Mentorordning", "Teammøder", "Husmøder"} <= titles


def test_thin_cells_are_those_with_fewer_than_two_active_cards():
    grid = [*healthy_grid(), card(9, "Mentorordning", "individ", "kultur")]
    thin = ideas.thin_cells(MappingData(tuple(grid), today=TODAY))
    assert ("individ", "kultur") not in thin and ("gruppe", "kultur") in thin


def test_a_list_in_a_message_quotes_titles_names_levels_and_says_how_many_it_leaves_out():
    listed = gaps.Msg("%(items)s.")
    assert (listed % {"items": ("MUS",)}).render() == "“MUS”."
    assert (listed % {"items": ("MUS", "APV")}).render() == "“MUS” og “APV”."
    levels = tuple(gaps.LEVEL_NAMES[level] for level in ("individ", "gruppe", "ledelse"))
    assert (listed % {"items": levels}).render() == "individniveau, gruppeniveau og ledelsesniveau."
    titles = tuple(f"Kort {n}" for n in range(1, gaps.MAX_TITLES + 3))
    assert (listed % {"items": titles}).render() == "“Kort 1”, “Kort 2”, “Kort 3”, “Kort 4”, “Kort 5” og 2 flere."
    with translation.override("en"):
        assert (listed % {"items": levels}).render() == (
            "the individual level, the group level and the leadership level."
        )
        assert (listed % {"items": titles}).render().endswith("“Kort 5” and 2 more.")


def test_finding_json_has_the_documented_fields():
    finding = codes(analyse(survey_grid(), chain_links(healthy_grid())), "measurement_not_followed_up")[0]
    data = finding.as_json()
    assert {"code", "severity", "initiatives", "message", "next_step", "key", "step"} <= set(data)
    assert data["initiatives"] == [9]


def test_remap_key_rewrites_ids_and_drops_unknown_ones():
    mapping = {"i1": "i10", "i2": "i20", "p3": "p30"}
    assert gaps.remap_key("overlap:i1-i2", mapping) == "overlap:i10-i20"
    assert gaps.remap_key("unused_purpose:p3", mapping) == "unused_purpose:p30"
    assert gaps.remap_key("empty_cell:individ-kultur", mapping) == "empty_cell:individ-kultur"
    assert gaps.remap_key("isolated:i5", mapping) == ""


def test_the_catalogue_carries_the_methods_own_ideas():
    titles = {item["title"]: item for item in ideas.catalogue()}
    for title in [
        "AMO og arbejdsmiljørepræsentant",
        "Årlig arbejdsmiljødrøftelse",
        "Supervision",
        "Debriefing efter kritiske hændelser",
        "Retningslinjer om vold og trusler",
        "Aftaler om tilgængelighed uden for arbejdstid",
        "Gruppeudviklingssamtale (GRUS)",
        "Åbenhed om projektfinansiering og jobsikkerhed",
    ]:
        assert titles[title]["purpose"], title
    keys = [item["key"] for item in ideas.catalogue()]
    assert len(keys) == len(set(keys))
    assert all((item["level"], item["dimension"]) in CELLS for item in ideas.catalogue())


def test_a_card_dismissed_for_a_rule_is_left_out_of_the_finding_that_lists_many():
    grid = healthy_grid()
    links = chain_links(grid[:4])
    (found,) = codes(analyse(grid, links, dismissed=frozenset({"isolated:i6"})), "isolated")
    assert found.initiatives == (5, 7, 8) and found.message.startswith("3 af 8 indsatser")
    every = frozenset(f"isolated:i{n}" for n in (5, 6, 7, 8))
    assert codes(analyse(grid, links, dismissed=every), "isolated") == []
