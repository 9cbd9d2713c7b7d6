"""Which initiatives of a mapping overlap, and which are related but not linked.

Pure, like gaps.py: initiatives (``gaps.InitiativeData``) and links in, groups
of their ids out; gaps.py words the findings. ideas.py asks ``already_there``
whether a mapping has an idea of its catalogue, by the same rules.

**What counts as an overlap.** Two initiatives overlap when their titles say
the same thing, their descriptions say nearly the same thing, or they sit in
the same cell and serve exactly the same purposes. Titles are compared as sets
of *concepts* (see danish.py): small words and words of frequency ("årlig",
"fast") dropped, acronyms expanded (MUS, GRUS, APV, AMO; "MED" in capitals is
the committee, "med" the small word), compounds split at known word parts,
every part stemmed, and words that mean the same mapped onto one concept
(undersøgelse = måling, kolleger = kollegial, personalemøde = husmøde,
introforløb = onboarding …). Two titles overlap when their concept sets are
equal, or agree on at least three quarters (Dice >= 0.75) and what one adds is
not an activity *about* the other (``danish.RELATIONAL``: opfølgning,
handlingsplan, uddannelse, møde …). So "Trivselsundersøgelser" and
"Trivselsmålinger" overlap, "Teammøder" and "Husmøder" do not, and neither do
"APV" and "Opfølgning på APV". Descriptions overlap when both have at least
four concepts and agree on at least 0.6.

A title can be read in more than one way ("Trivselsmåling (pilot)" also
without its parentheses, "Supervision af medarbejdere" also without its
audience); two titles overlap when any readings do.

**Clusters.** Overlapping initiatives are grouped into clusters, so a mapping
where 1,000 cards are titled alike gives one finding, not half a million.
A cluster has a leader that every other member overlaps (``_leaders``): a
chain of likenesses ("Teammøder" ~ "Trivselsmøder i teamet" ~ "Trivselsmøder")
does not make one cluster of unlike things.

**Related.** Initiatives that are not the same but belong together — they
name the same acronym ("APV" and "Handlingsplan for APV", "AMO-møder" and
"Uddannelse af AMO"), or one is an activity about the other ("Opfølgning på
trivselsmålingen") — are *related*: a suggestion to link them, grouped around
the thing they are about (``_related``), and left out once links connect them
to it (directly or through a chain).

**Bounded cost.** Titles are compared per distinct concept set, each only
with the leaders of the clusters found so far, found by prefix filtering
(``_leaders``); related titles by their rarest concept (``_contained_sets``).
Nothing is compared all against all.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .danish import (
    DESCRIPTION_MIN_CONCEPTS,
    DESCRIPTION_OVERLAP,
    RELATIONAL,
    TITLE_OVERLAP,
    acronyms,
    concepts,
    covered_acronyms,
    dice,
    split_by_vocabulary,
    title_variants,
    unify_variants,
)

if TYPE_CHECKING:
    from .gaps import InitiativeData, LinkData  # gaps.py builds on this module

Reason = Literal["title", "description", "purpose"]
REASONS: tuple[Reason, ...] = ("title", "description", "purpose")
Concepts = frozenset[str]


@dataclass(frozen=True)
class Cluster:
    """Initiatives that overlap (their ids, in id order), why, and the one every other overlaps (its leader)."""

    ids: tuple
    reason: Reason
    leader: Hashable


def titles_overlap(a: Concepts, b: Concepts) -> bool:
    """Two titles' concept sets say the same thing (the rule in the module's docstring)."""
    if not a or not b:
        return False
    return a == b or (dice(a, b) >= TITLE_OVERLAP and not (a ^ b) & RELATIONAL and _same_acronyms(a, b))


def _same_acronyms(a: Concepts, b: Concepts) -> bool:
    """Titles about different acronyms are different things ("Opfølgning på GRUS", "Opfølgning på MUS"); one
    about an acronym is the same as one without it only if that says most of what it stands for
    ("Medarbejdersamtaler" is the MUS, "Ledelsesudviklingskurser" not "Kursus i MUS for ledere")."""
    in_a, in_b = covered_acronyms(a), covered_acronyms(b)
    if in_a and in_b:
        return bool(in_a.keys() & in_b.keys())
    for expansion, other in [*((e, b) for e in in_a.values()), *((e, a) for e in in_b.values())]:
        if 3 * len(expansion & other) < 2 * len(expansion):
            return False
    return True


def titles_related(a: Concepts, b: Concepts) -> bool:
    """One title is an activity about the other: all of the one, plus an activity ("APV" / "Opfølgning på APV")."""
    smaller, larger = sorted((a, b), key=len)
    return bool(smaller < larger and (larger - smaller) & RELATIONAL and smaller - RELATIONAL)


def id_order(item_id: Hashable) -> tuple:
    """Ids in order: numbers by value, the keys of a file being imported (strings) after them."""
    return (isinstance(item_id, str), item_id)


class _Groups:
    """Union-find over hashable ids: which are connected (through links)."""

    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, item: Hashable) -> Hashable:
        parent = self.parent.setdefault(item, item)
        while parent != item:
            self.parent[item] = self.parent.setdefault(parent, parent)
            item, parent = parent, self.parent[parent]
        return item

    def join(self, a: Hashable, b: Hashable) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _title_sets(initiatives: list["InitiativeData"]) -> tuple[dict, dict]:
    """Each initiative's title readings (``_readings``) and description concepts, spelled alike."""
    descriptions = {i.id: concepts(i.description) for i in initiatives if i.description}
    readings, canonical = _readings([i.title for i in initiatives], set(descriptions.values()))
    titles = {i.id: variants for i, variants in zip(initiatives, readings, strict=True)}
    if canonical:
        descriptions = {k: frozenset(canonical.get(c, c) for c in v) for k, v in descriptions.items()}
    return titles, descriptions


def _readings(titles: Sequence[str], more: Iterable[Concepts] = ()) -> tuple[list[tuple[Concepts, ...]], dict]:
    """Each title's readings (``danish.title_variants``), read together as one mapping's titles.

    Compounds are split at words other titles use on their own, and spelling
    variants are joined (across the titles and ``more``, e.g. descriptions);
    the spellings joined are returned with the readings."""
    readings = [title_variants(title) for title in titles]
    vocabulary = set().union(*(v for variants in readings for v in variants))
    split = split_by_vocabulary(vocabulary)
    if split:
        readings = [
            tuple(frozenset(p for c in v for p in split.get(c, (c,))) for v in variants) for variants in readings
        ]
    canonical = unify_variants([*{v for variants in readings for v in variants}, *more])
    if canonical:
        readings = [tuple(frozenset(canonical.get(c, c) for c in v) for v in variants) for variants in readings]
    return readings, canonical


def already_there(titles: Sequence[str], board: Sequence[str]) -> list[bool]:
    """For each of ``titles``, whether the ``board``'s titles already have it: one overlaps it (the rule
    above, all read as one mapping's titles), or is about it: names an acronym it names, or is it plus an
    activity ("Opfølgning på teammøder" has the team meetings). Compared only where a concept is shared."""
    readings, _canonical = _readings([*titles, *board])
    holding: dict[str, set[Concepts]] = defaultdict(set)
    for variants in readings[len(titles) :]:
        for concept_set in variants:
            for concept in concept_set:
                holding[concept].add(concept_set)
    board_acronyms = set().union(*(acronyms(title) for title in board))
    return [
        bool(acronyms(title) & board_acronyms)
        or any(
            titles_overlap(mine, other) or (mine < other and titles_related(mine, other))
            for mine in variants
            for other in set().union(*(holding.get(c, ()) for c in mine))
        )
        for title, variants in zip(titles, readings[: len(titles)], strict=True)
    ]


def _by_set(titles: dict) -> dict[Concepts, list]:
    """Ids per distinct title reading: 1,000 alike titles are looked at once, not 1,000 times."""
    members: dict[Concepts, list] = defaultdict(list)
    for item_id, readings in titles.items():
        for concept_set in readings:
            members[concept_set].append(item_id)
    return members


def analyse(
    initiatives: Iterable["InitiativeData"], links: Iterable["LinkData"] = ()
) -> tuple[list[Cluster], list[tuple[tuple, tuple]]]:
    """The mapping's clusters of overlapping initiatives, and its groups of related ones not yet linked."""
    initiatives = list(initiatives)
    titles, descriptions = _title_sets(initiatives)
    clusters = _clusters(initiatives, titles, descriptions)
    return clusters, _related(initiatives, links, clusters, titles)


def _clusters(initiatives: list["InitiativeData"], titles: dict, descriptions: dict) -> list[Cluster]:
    """Clusters of overlapping initiatives, in the order of their titles.

    Titles first; then descriptions and same cell and purposes, each only where
    it groups initiatives that no title cluster already holds together."""
    by_id = {i.id: i for i in initiatives}
    main_reading = Counter(variants[0] for variants in titles.values() if variants)
    ordered = sorted(
        (i for i in initiatives if titles[i.id]),
        key=lambda i: (-main_reading[titles[i.id][0]], len(titles[i.id][0]), i.title, id_order(i.id)),
    )
    found: list[tuple[list, Reason]] = [
        (members, "title") for members in _leaders([(i.id, titles[i.id]) for i in ordered], titles_overlap)
    ]

    def described_alike(a: Concepts, b: Concepts) -> bool:
        return dice(a, b) >= DESCRIPTION_OVERLAP

    described: list[tuple[Hashable, tuple[Concepts, ...]]] = [
        (i.id, (descriptions[i.id],))
        for i in sorted(initiatives, key=lambda i: (i.title, id_order(i.id)))
        if len(descriptions.get(i.id, ())) >= DESCRIPTION_MIN_CONCEPTS
    ]
    same_cell_and_purposes: dict[tuple, list] = defaultdict(list)
    for item in initiatives:
        if item.purposes:
            same_cell_and_purposes[(item.level, item.dimension, item.purposes)].append(item.id)
    held = {member: n for n, (members, _reason) in enumerate(found) for member in members}
    more: list[tuple[list, Reason]] = [
        *((members, "description") for members in _leaders(described, described_alike, DESCRIPTION_OVERLAP)),
        *((members, "purpose") for members in same_cell_and_purposes.values() if len(members) > 1),
    ]
    for members, reason in more:
        if len({held.get(m, m) for m in members}) > 1:  # something no cluster holds together yet
            found.append((members, reason))
            held.update((m, len(found) - 1) for m in members if m not in held)
    clusters = [Cluster(tuple(sorted(members, key=id_order)), reason, members[0]) for members, reason in found]
    clusters.sort(key=lambda c: sorted(by_id[m].title for m in c.ids)[:2])
    return clusters


def _leaders(
    items: Sequence[tuple[Hashable, tuple[Concepts, ...]]],
    same: Callable[[Concepts, Concepts], bool],
    threshold: float = TITLE_OVERLAP,
) -> list[list]:
    """Leader clustering: each item, in the order given, joins the first earlier leader it overlaps, or leads.

    Every member of a cluster overlaps its leader, so a chain (A like B, B like
    C, C unlike A) does not make one cluster of unlike things. Only leaders are
    indexed, each set under its rarest concepts (prefix filtering: two sets with
    Dice >= t share at least t / (2 - t) of the larger's concepts, so they meet
    within the first |s| - ceil(|s| t / (2 - t)) + 1 concepts of each, rarest
    first). 1,000 alike titles then cost 1,000 look-ups, not 500,000 pairs.
    ``items`` pairs an id with its readings (sets of concepts)."""
    frequency: Counter[str] = Counter(c for s in {s for _id, sets in items for s in sets} for c in s)
    share = threshold / (2 - threshold)
    index: dict[str, list[int]] = defaultdict(list)
    exact: dict[Concepts, int] = {}
    leaders: list[tuple[Concepts, ...]] = []
    clusters: list[list] = []

    def prefix(concept_set: Concepts) -> list[str]:
        size = len(concept_set)
        rarest_first = sorted(concept_set, key=lambda c: (frequency[c], c))
        return rarest_first[: size - math.ceil(share * size - 1e-9) + 1]

    for item_id, sets in items:
        joined = next((exact[s] for s in sets if s in exact), None)
        if joined is None:
            seen: set[int] = set()
            for concept_set in sets:
                for concept in prefix(concept_set):
                    for n in index[concept]:
                        if n not in seen and (joined is None or n < joined):
                            seen.add(n)
                            if any(
                                share * len(concept_set) - 1e-9 <= len(lead) and same(concept_set, lead)
                                for lead in leaders[n]
                            ):
                                joined = n
        if joined is not None:
            clusters[joined].append(item_id)
            continue
        leaders.append(sets)
        clusters.append([item_id])
        for concept_set in sets:
            exact.setdefault(concept_set, len(leaders) - 1)
            for concept in prefix(concept_set):
                index[concept].append(len(leaders) - 1)
    return [members for members in clusters if len(members) > 1]


def _related(
    initiatives: list["InitiativeData"], links: Iterable["LinkData"], clusters: list[Cluster], titles: dict
) -> list[tuple[tuple, tuple]]:
    """Groups of initiatives about one thing, not yet linked to it: (the thing's ids, the others' ids).

    The thing is an initiative and those overlapping it (its cluster). About
    it are those naming the same acronym ("Handlingsplan for APV" is about
    "APV"), and those whose title is the thing's plus an activity
    (``titles_related``: "Opfølgning på trivselsmålingen"), unless all the
    thing's concepts are common in the mapping ("God ledelse" is not the thing
    every "Leder…" title is about). One group per thing, the things most
    talked about first; an initiative is about one thing at most. Whatever
    links already connect to the thing, directly or through a chain, is left
    out, and a thing with nothing left is no finding."""
    by_id = {i.id: i for i in initiatives}
    unit_of: dict[Hashable, Hashable] = {}
    for n, cluster in sorted(enumerate(clusters), key=lambda nc: REASONS.index(nc[1].reason)):
        for member in cluster.ids:  # in two clusters (alike titles, and the same purposes): the title's
            unit_of.setdefault(member, ("cluster", n))
    members_of: dict[Hashable, list] = defaultdict(list)
    for item in initiatives:
        members_of[unit_of.setdefault(item.id, ("initiative", item.id))].append(item.id)

    def first_title(unit: Hashable) -> str:
        return min(by_id[m].title for m in members_of[unit])

    def hub_first(unit: Hashable, bare: Concepts) -> tuple:
        """The acronym itself ("APV", "Arbejdspladsvurdering"), else the shortest title, else the largest cluster."""
        readings = [concepts(by_id[m].title) for m in members_of[unit]]
        return (not any(r <= bare for r in readings), min(map(len, readings)), -len(readings), first_title(unit))

    about: dict[Hashable, set] = defaultdict(set)
    by_acronym: dict[str, list] = defaultdict(list)
    for item in initiatives:
        for acronym in acronyms(item.title):
            by_acronym[acronym].append(item.id)
    for acronym, ids in by_acronym.items():
        units = list(dict.fromkeys(unit_of[i] for i in ids))
        if len(units) < 2:
            continue
        bare = concepts(acronym.upper())
        _rank, hub = min((hub_first(u, bare), n, u) for n, u in enumerate(units))[::2]
        about[hub].update(u for u in units if u != hub)

    # A cluster is about what its leader is about: "Trivselsmøder i teamet" overlapping "Teammøder" does
    # not make the team meetings about "Trivsel i teamet".
    leaders = {cluster.leader for cluster in clusters}
    clustered = {member for cluster in clusters for member in cluster.ids}
    title_members = _by_set({k: v for k, v in titles.items() if k in leaders or k not in clustered})
    sets = list(title_members)
    frequency = Counter(c for concept_set in sets for c in concept_set)
    common = max(4, len(sets) // 10)
    for a, b in _contained_sets(sets):
        thing, other = sorted((a, b), key=lambda s: (len(s), sorted(s)))
        if titles_related(a, b) and any(frequency[c] <= common for c in thing - RELATIONAL):
            hub, unit = unit_of[title_members[thing][0]], unit_of[title_members[other][0]]
            if hub != unit:
                about[hub].add(unit)

    connected = _Groups()
    for link in links:
        if link.source in by_id and link.target in by_id:
            connected.join(link.source, link.target)
    taken: set = set()
    groups = []
    for hub in sorted(about, key=lambda u: (-len(about[u]), first_title(u))):
        reached = {connected.find(m) for m in members_of[hub]}
        others = [
            u
            for u in sorted(about[hub] - taken - {hub}, key=first_title)
            if not {connected.find(m) for m in members_of[u]} & reached
        ]
        if others:
            taken.update(others)
            ids = [m for u in others for m in members_of[u]]
            groups.append((tuple(sorted(members_of[hub], key=id_order)), tuple(sorted(ids, key=id_order))))
    return groups


def _contained_sets(sets: list[Concepts]) -> list[tuple[Concepts, Concepts]]:
    """Pairs (a, b) of distinct sets where a is a proper part of b: b holds a's rarest concept, so look only there."""
    holding: dict[str, list[Concepts]] = defaultdict(list)
    for concept_set in sets:
        for concept in concept_set:
            holding[concept].append(concept_set)
    pairs = []
    for a in sets:
        rarest = min((c for c in a if c not in RELATIONAL), key=lambda c: (len(holding[c]), c), default=None)
        if rarest is not None:
            pairs += [(a, b) for b in holding[rarest] if len(b) > len(a) and a < b]
    return pairs
