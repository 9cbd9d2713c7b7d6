"""Overlap detection (mapping/overlaps.py, the ``overlap`` and ``related_unlinked`` findings): plain data, no database."""

import json
import random
from datetime import date
from itertools import combinations
from pathlib import Path

import pytest
from django.utils import translation

from mapping import danish, gaps, overlaps
from mapping.example import example_data
from mapping.gaps import InitiativeData, LinkData, MappingData
from tests.bench_gaps import gaps_json_bytes, similar_data

TODAY = date(2026, 6, 1)
PAIRS = json.loads((Path(__file__).parent / "data" / "overlap_pairs.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def in_danish():
    with translation.override("da"):
        yield


def card(id, title, level="individ", dimension="struktur", **fields) -> InitiativeData:
    """A card that no other rule would mention: a purpose of its own, owner, effect, reviewed."""
    defaults = {"purposes": frozenset({id}), "effect": "clear", "owner": "Ledelsen", "reviewed_at": TODAY}
    return InitiativeData(id=id, title=title, level=level, dimension=dimension, **{**defaults, **fields})


def findings(cards, links=(), code=None) -> list[gaps.Finding]:
    found = gaps.find_gaps(MappingData(tuple(cards), links=tuple(links), today=TODAY))
    return [f for f in found if code is None or f.code == code]


def verdict(a: str, b: str) -> str:
    """What the analysis says of two cards titled ``a`` and ``b`` in different cells, with different purposes."""
    found = {f.code for f in findings([card(1, a), card(2, b, "organisation", "kultur")])}
    if "overlap" in found:
        return "overlap"
    return "related" if "related_unlinked" in found else "different"


# The labelled set


def test_the_labelled_set_is_large_and_has_hard_negatives():
    assert len(PAIRS["overlap"]) + len(PAIRS["related"]) + len(PAIRS["different"]) >= 150
    assert len(PAIRS["overlap"]) >= 50 and len(PAIRS["different"]) >= 50 and len(PAIRS["related"]) >= 15
    pairs = [frozenset(pair) for label in ("overlap", "related", "different") for pair in PAIRS[label]]
    assert len(pairs) == len(set(pairs)), "a pair is labelled twice"


def test_precision_and_recall_on_the_labelled_set():
    """Precision: of the pairs called an overlap, how many are one; recall: of the overlaps, how many are found."""
    said = {label: [verdict(a, b) for a, b in PAIRS[label]] for label in ("overlap", "related", "different")}
    true_positives = said["overlap"].count("overlap")
    false_positives = said["related"].count("overlap") + said["different"].count("overlap")
    precision = true_positives / (true_positives + false_positives)
    recall = true_positives / len(PAIRS["overlap"])
    print(f"overlap precision {precision:.3f}, recall {recall:.3f} on {sum(map(len, said.values()))} pairs")
    assert precision >= 0.95
    assert recall >= 0.90


def test_a_title_already_there_is_one_the_analysis_calls_alike_never_one_it_calls_different():
    """``already_there`` (the ideas catalogue's check) is the analysis's notion: on the labelled set, a pair the
    analysis calls an overlap is there both ways, a pair it calls different neither way."""
    for label in ("overlap", "different"):
        for a, b in PAIRS[label]:
            said = verdict(a, b)
            if said != "related":
                there = [*overlaps.already_there([a], [b]), *overlaps.already_there([b], [a])]
                assert there == [said == "overlap"] * 2, (a, b, said)


def test_a_card_about_a_title_has_it_but_not_the_other_way_round():
    assert overlaps.already_there(["Supervision", "APV", "Trivselsmålinger"], ["Opfølgning på supervision"]) == [
        True,
        False,
        False,
    ]
    assert overlaps.already_there(["Handlingsplan for APV", "Opfølgning på supervision"], ["APV", "Supervision"]) == [
        True,  # names the APV
        False,  # an activity about what the board has is something new
    ]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Teammøde", "Teammøder"),
        ("Husmøde", "Husmøder"),
        ("GRUS", "Gruppeudviklingssamtale"),
        ("Personalemøde", "Husmøde"),
        ("Introforløb", "Onboarding af nyansatte"),
        ("Kollegial sparring", "Sparring mellem kolleger"),
        ("Trivselsundersøgelser", "Trivselsmålinger"),
        ("MED-udvalg", "Medudvalget"),
        ("Medarbejdersamtaler", "MUS"),
        ("Opfølgning på MUS", "MUS-opfølgning"),
    ],
)
def test_the_known_misses_are_overlaps(a, b):
    assert verdict(a, b) == "overlap", (danish.title_variants(a), danish.title_variants(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("APV", "Handlingsplan for APV"),
        ("AMO-møder", "Uddannelse af AMO"),
        ("Trivselsmåling", "Opfølgning på trivselsmålingen"),
    ],
)
def test_a_shared_acronym_or_a_follow_up_is_related_not_an_overlap(a, b):
    assert verdict(a, b) == "related"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Teammøder", "Husmøder"),
        ("Teammøde", "Ledermøde"),
        ("GRUS", "MUS"),
        ("Gruppemøde", "Ledergruppemøde"),
        ("Opfølgning på GRUS", "Opfølgning på MUS"),
        ("Kursus i MUS for ledere", "Ledelsesudviklingskurser"),
        ("Feedback fra ledelsen", "Feedback til ledelsen"),
    ],
)
def test_titles_that_share_a_word_but_not_a_meaning_are_different(a, b):
    assert verdict(a, b) == "different"


def test_med_in_capitals_is_the_committee_and_in_small_letters_a_small_word():
    assert danish.concepts("MED-udvalg") == danish.concepts("Medudvalget") == {"med", "udvalg"}
    assert "med" not in danish.concepts("Sparring med kolleger")
    assert danish.acronyms("MED-møder") == {"med"} and danish.acronyms("Sparring med kolleger") == set()
    assert verdict("MED-udvalg", "MED-møder") == "related"
    assert verdict("Sparring med kolleger", "MED-udvalg") == "different"


# Clusters: one finding per group of alike titles


def test_three_alike_titles_are_one_finding_listing_all_three():
    cards = [card(1, "Teammøder"), card(2, "Kollegial sparring"), card(5, "Team-møder"), card(9, "Teammøde")]
    (finding,) = findings(cards, code="overlap")
    assert finding.initiatives == (1, 5, 9)
    assert finding.key == "overlap:i1-i5-i9"
    assert finding.message == "3 indsatser ligner hinanden: “Team-møder”, “Teammøde” og “Teammøder”."


def test_a_chain_of_likenesses_does_not_make_unlike_titles_one_cluster():
    cards = [card(1, "Teammøder"), card(2, "Trivselsmøder i teamet"), card(3, "Trivselsmøder")]
    assert [f.initiatives for f in findings(cards, code="overlap")] == [(1, 2)]


def test_a_pair_keeps_its_key_and_message():
    (finding,) = findings([card(4, "Trivselsmålinger"), card(3, "Trivselsundersøgelser")], code="overlap")
    assert finding.key == "overlap:i3-i4"
    assert finding.message == "“Trivselsundersøgelser” og “Trivselsmålinger” ligner hinanden."


def test_a_large_cluster_names_five_titles_and_a_key_that_fits_a_dismissal():
    cards = [card(n, f"Indsats nummer {n:03d}") for n in range(1, 121)]
    (finding,) = findings(cards, code="overlap")
    assert len(finding.initiatives) == 120
    assert finding.message.endswith("“Indsats nummer 005” og 115 flere.")
    assert finding.key == "overlap:i1-i2-i3-i4-i5-i6-i7-i8-n120"
    assert gaps.remap_key(finding.key, {f"i{n}": f"i{n + 100}" for n in range(1, 121)}).startswith("overlap:i101-")


def test_the_cluster_message_reads_in_english():
    cards = [card(n, f"Indsats nummer {n:03d}") for n in range(1, 8)]
    with translation.override("en"):
        (finding,) = findings(cards, code="overlap")
        assert finding.message.startswith("7 initiatives look alike: “Indsats nummer 001”")
        assert finding.message.endswith("and 2 more.")


def test_a_thousand_alike_titles_give_a_small_gaps_json():
    data = similar_data()
    found = gaps.find_gaps(data)
    overlap = [f for f in found if f.code == "overlap"]
    assert len(data.initiatives) == 1000
    # "Indsats nummer …", "Teammøde om trivsel og arbejdsmiljø i afdeling …", "Trivselsmåling(er) …"; not
    # "Teammøder i team <name>", alike but for a name each.
    assert [len(f.initiatives) for f in overlap] == [250, 125, 500]
    assert gaps_json_bytes(data) <= 200 * 1024
    assert all(len(f.key) <= 200 for f in found)


def test_leader_clustering_misses_no_overlap_and_joins_nothing_unlike_its_leader():
    """Each member overlaps its cluster's leader, and no two leaders overlap (prefix filtering missed nothing)."""
    rng = random.Random(9)
    words = [f"w{n}" for n in range(12)]
    sets = [frozenset(rng.sample(words, rng.randint(1, 5))) for _ in range(300)]
    clusters = overlaps._leaders([(n, (s,)) for n, s in enumerate(sets)], overlaps.titles_overlap)
    leaders = [members[0] for members in clusters]
    assert all(overlaps.titles_overlap(sets[m], sets[members[0]]) for members in clusters for m in members)
    clustered = {m for members in clusters for m in members}
    singles = [n for n in range(len(sets)) if n not in clustered]
    for a, b in combinations([*leaders, *singles], 2):
        assert not overlaps.titles_overlap(sets[a], sets[b]) or sets[a] == sets[b] == frozenset()
    contained = {(a, b) for a in sets for b in sets if a < b}
    assert set(overlaps._contained_sets(list(set(sets)))) == contained


def test_a_pasted_run_of_word_parts_is_analysed_without_error():
    text = "teammøde" * 600 + " Vi taler om trivsel, opgaver og fordeling af arbejdet"
    cards = [card(1, "teammøde" * 25, description=text), card(2, "Husmøder", description=text)]
    (finding,) = findings(cards, code="overlap")
    assert (finding.initiatives, finding.reason) == ((1, 2), "description")


# Related: a suggestion to link, left out once linked


def test_related_fires_once_for_initiatives_about_the_same_thing_and_names_them():
    cards = [card(1, "APV"), card(2, "Handlingsplan for APV", "ledelse"), card(3, "Opfølgning på APV", "gruppe")]
    assert findings(cards, code="overlap") == []
    (finding,) = findings(cards, code="related_unlinked")
    assert finding.initiatives == (1, 2, 3)
    assert finding.severity == "low" and finding.step == 2
    assert finding.message == (
        "“APV”, “Handlingsplan for APV” og “Opfølgning på APV” hører sammen, men er ikke forbundet. Forbind dem?"
    )


def test_related_does_not_fire_once_they_are_linked_directly_or_through_a_chain():
    cards = [card(1, "APV"), card(2, "Handlingsplan for APV", "ledelse"), card(3, "Husmøder", "organisation")]
    assert findings(cards, [LinkData(1, 2)], code="related_unlinked") == []
    assert findings(cards, [LinkData(1, 3), LinkData(3, 2)], code="related_unlinked") == []
    assert len(findings(cards, [LinkData(1, 3)], code="related_unlinked")) == 1


def test_related_groups_what_is_about_one_thing_around_it_not_around_a_common_word():
    cards = [
        card(1, "God ledelse", "ledelse", "kultur"),
        card(2, "Ledermøder", "ledelse"),
        card(3, "Lederuddannelse", "ledelse"),
        card(4, "Ledelsesevaluering", "ledelse"),
        card(5, "Ledersparring", "ledelse", "kultur"),
        card(6, "Lederudvikling", "ledelse"),
        card(7, "Trivselsmåling", "organisation"),
        card(8, "Opfølgning på trivselsmålingen", "gruppe"),
    ]
    (finding,) = findings(cards, code="related_unlinked")
    assert finding.initiatives == (7, 8)
    # In a mapping where "ledelse" is not said on every other card, God ledelse is the thing they are about.
    (finding,) = findings([cards[0], cards[2], cards[3]], code="related_unlinked")
    assert finding.message.startswith("“God ledelse”, “Ledelsesevaluering” og “Lederuddannelse” hører sammen")


def test_related_does_not_fire_for_unrelated_titles_or_for_an_overlap():
    assert findings([card(1, "MUS"), card(2, "Kollegial sparring")], code="related_unlinked") == []
    assert findings([card(1, "MUS"), card(2, "Medarbejdersamtaler (MUS)")], code="related_unlinked") == []


# The shipped example


def example_mapping() -> MappingData:
    data = example_data()
    cards = tuple(
        InitiativeData(id=i["id"], title=i["title"], level=i["level"], dimension=i["dimension"])
        for i in data["initiatives"]
    )
    links = tuple(LinkData(link["source"], link["target"], link["kind"]) for link in data["links"])
    return MappingData(cards, links=links, today=TODAY)


def test_on_the_example_only_the_two_wellbeing_surveys_overlap_and_nothing_is_merely_related():
    found = [f for f in gaps.find_gaps(example_mapping()) if f.code in ("overlap", "related_unlinked")]
    assert [(f.code, f.initiatives, f.message) for f in found] == [
        (
            "overlap",
            ("trivselsmaling", "trivselsundersogelser"),
            "“Trivselsmålinger” og “Trivselsundersøgelser” ligner hinanden.",
        )
    ]
