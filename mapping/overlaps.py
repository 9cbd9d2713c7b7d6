"""Which initiatives of a mapping overlap, and which are related but not linked.

Pure, like gaps.py: initiatives (``gaps.InitiativeData``) and links in, groups
of their ids out; gaps.py words the findings.

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

**Clusters.** Overlapping initiatives are grouped into clusters (connected
through overlapping pairs), so a mapping where 1,000 cards are titled alike
gives one finding, not half a million.

**Related.** Two initiatives that are not the same but belong together —
they name the same acronym ("APV" and "Handlingsplan for APV", "AMO-møder"
and "Uddannelse af AMO"), or one is an activity about the other ("Opfølgning
på trivselsmålingen") — are *related*: a suggestion to link them, grouped the
same way, and left out once they are connected by links (directly or through a
chain).

**Bounded cost.** Titles are compared per distinct concept set, and pairs are
found by prefix filtering (``_similar_sets``), never all against all.
"""

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .danish import (
    DESCRIPTION_MIN_CONCEPTS,
    DESCRIPTION_OVERLAP,
    RELATIONAL,
    TITLE_OVERLAP,
    acronyms,
    concepts,
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
    """Initiatives that overlap (their ids, in id order) and the strongest reason any two of them do."""

    ids: tuple
    reason: Reason


def titles_overlap(a: Concepts, b: Concepts) -> bool:
    """Two titles' concept sets say the same thing (the rule in the module's docstring)."""
    if not a or not b:
        return False
    return a == b or (dice(a, b) >= TITLE_OVERLAP and not (a ^ b) & RELATIONAL)


def titles_related(a: Concepts, b: Concepts) -> bool:
    """One title is an activity about the other: all but the activity agree ("APV" / "Opfølgning på APV")."""
    if not a or not b or not (a ^ b) & RELATIONAL:
        return False
    smaller, larger = sorted((a, b), key=len)
    return (smaller < larger and bool(smaller - RELATIONAL)) or dice(a, b) >= TITLE_OVERLAP


def id_order(item_id: Hashable) -> tuple:
    """Ids in order: numbers by value, the keys of a file being imported (strings) after them."""
    return (isinstance(item_id, str), item_id)


class _Groups:
    """Union-find over hashable ids: which belong to one group."""

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

    def join_all(self, items: list) -> None:
        for other in items[1:]:
            self.join(items[0], other)

    def groups(self, items: Iterable, key=lambda item: item) -> list[list]:
        """The items grouped by the group of ``key(item)``."""
        by_root: dict = defaultdict(list)
        for item in list(items):
            by_root[self.find(key(item))].append(item)
        return list(by_root.values())


def _title_sets(initiatives: list["InitiativeData"]) -> tuple[dict, dict]:
    """Each initiative's title readings (``danish.title_variants``) and description concepts.

    Across the mapping, compounds are split at words other titles use on their
    own, and spelling variants are joined."""
    titles = {i.id: title_variants(i.title) for i in initiatives}
    descriptions = {i.id: concepts(i.description) for i in initiatives if i.description}
    vocabulary = set().union(*(v for variants in titles.values() for v in variants))
    split = split_by_vocabulary(vocabulary)
    if split:
        titles = {
            k: tuple(frozenset(p for c in v for p in split.get(c, (c,))) for v in variants)
            for k, variants in titles.items()
        }
    canonical = unify_variants([*{v for variants in titles.values() for v in variants}, *set(descriptions.values())])
    if canonical:
        titles = {
            k: tuple(frozenset(canonical.get(c, c) for c in v) for v in variants) for k, variants in titles.items()
        }
        descriptions = {k: frozenset(canonical.get(c, c) for c in v) for k, v in descriptions.items()}
    return titles, descriptions


def _by_set(sets: dict) -> dict[Concepts, list]:
    """Ids per distinct non-empty concept set: 1,000 alike titles are compared once, not 500,000 times.

    ``sets`` maps an id to one set, or (titles) to a tuple of the ways it can be read."""
    members: dict[Concepts, list] = defaultdict(list)
    for item_id, found in sets.items():
        for concept_set in found if isinstance(found, tuple) else (found,):
            if concept_set:
                members[concept_set].append(item_id)
    return members


def analyse(
    initiatives: Iterable["InitiativeData"], links: Iterable["LinkData"] = ()
) -> tuple[list[Cluster], list[tuple]]:
    """The mapping's clusters of overlapping initiatives, and its groups of related ones not yet linked."""
    initiatives = list(initiatives)
    titles, descriptions = _title_sets(initiatives)
    clusters = _clusters(initiatives, titles, descriptions)
    return clusters, _related(initiatives, links, clusters, titles)


def _clusters(initiatives: list["InitiativeData"], titles: dict, descriptions: dict) -> list[Cluster]:
    """Clusters of overlapping initiatives, in the order of their titles."""
    by_id = {i.id: i for i in initiatives}
    groups = _Groups()
    reasons: dict = defaultdict(set)  # a member of a joined pair -> why it was joined

    def join(members: list, reason: Reason) -> None:
        groups.join_all(members)
        for member in members:
            reasons[member].add(reason)

    title_members = _by_set(titles)
    for members in title_members.values():
        if len(members) > 1:
            join(members, "title")
    for a, b in _similar_sets(list(title_members), TITLE_OVERLAP):
        if titles_overlap(a, b):
            join([title_members[a][0], title_members[b][0]], "title")

    long_descriptions = {k: v for k, v in descriptions.items() if len(v) >= DESCRIPTION_MIN_CONCEPTS}
    description_members = _by_set(long_descriptions)
    for members in description_members.values():
        if len(members) > 1:
            join(members, "description")
    for a, b in _similar_sets(list(description_members), DESCRIPTION_OVERLAP):
        join([description_members[a][0], description_members[b][0]], "description")

    same_cell_and_purposes: dict[tuple, list] = defaultdict(list)
    for item in initiatives:
        if item.purposes:
            same_cell_and_purposes[(item.level, item.dimension, item.purposes)].append(item.id)
    for members in same_cell_and_purposes.values():
        if len(members) > 1:
            join(members, "purpose")

    clusters = []
    for members in groups.groups(groups.parent):
        if len(members) < 2:
            continue
        found = set().union(*(reasons[m] for m in members))
        clusters.append(Cluster(tuple(sorted(members, key=id_order)), next(r for r in REASONS if r in found)))
    clusters.sort(key=lambda c: sorted(by_id[m].title for m in c.ids)[:2])
    return clusters


def _related(
    initiatives: list["InitiativeData"], links: Iterable["LinkData"], clusters: list[Cluster], titles: dict
) -> list[tuple]:
    """Groups of initiatives that belong together but are not the same, and are not yet connected by links.

    Overlapping initiatives (``clusters``) count as one. A group is left out
    when links already connect all of its members, directly or through a chain."""
    by_id = {i.id: i for i in initiatives}
    unit = _Groups()  # overlapping initiatives are one unit
    for cluster in clusters:
        unit.join_all(list(cluster.ids))
    related = _Groups()

    by_acronym: dict[str, list] = defaultdict(list)
    for item in initiatives:
        for acronym in acronyms(item.title):
            by_acronym[acronym].append(unit.find(item.id))
    for units in by_acronym.values():
        related.join_all(units)

    title_members = _by_set(titles)
    sets = list(title_members)
    for a, b in [*_similar_sets(sets, TITLE_OVERLAP), *_contained_sets(sets)]:
        if titles_related(a, b):
            related.join(unit.find(title_members[a][0]), unit.find(title_members[b][0]))

    connected = _Groups()
    for link in links:
        if link.source in by_id and link.target in by_id:
            connected.join(link.source, link.target)
    result = []
    for members in related.groups(by_id, key=unit.find):
        if len({unit.find(m) for m in members}) < 2 or len({connected.find(m) for m in members}) < 2:
            continue
        result.append(tuple(sorted(members, key=id_order)))
    result.sort(key=lambda ids: sorted(by_id[m].title for m in ids)[:2])
    return result


def _rarest_first(sets: list[Concepts]) -> tuple[dict[str, int], dict[Concepts, list[str]]]:
    frequency: dict[str, int] = defaultdict(int)
    for concept_set in sets:
        for concept in concept_set:
            frequency[concept] += 1
    return frequency, {s: sorted(s, key=lambda c: (frequency[c], c)) for s in sets}


def _similar_sets(sets: list[Concepts], threshold: float) -> list[tuple[Concepts, Concepts]]:
    """Pairs of distinct sets with Dice >= threshold, found by prefix filtering (PPJoin's prefix and size filters).

    Sets are visited smallest first, their concepts rarest first. Two sets x, y
    (|y| <= |x|) with Dice >= t share at least a = ceil(t (|x| + |y|) / 2)
    concepts, so they meet within the |x| - a + 1 rarest concepts of x and the
    |y| - a + 1 rarest of y: y is indexed under its |y| - ceil(t |y|) + 1
    rarest, x looks in its |x| - ceil(t |x| / (2 - t)) + 1 rarest, and a y
    smaller than t |x| / (2 - t) cannot reach t at all. Near-identical titles
    that differ in one rare word are then never compared with each other."""
    _frequency, ordered = _rarest_first(sets)
    share = threshold / (2 - threshold)
    index: dict[str, list[Concepts]] = defaultdict(list)
    pairs = []
    for x in sorted(sets, key=lambda s: (len(s), ordered[s])):
        size = len(x)
        tokens = ordered[x]
        seen: set[Concepts] = set()
        for concept in tokens[: size - math.ceil(share * size - 1e-9) + 1]:
            for y in index[concept]:
                if y not in seen and len(y) >= share * size - 1e-9:
                    seen.add(y)
                    if dice(x, y) >= threshold:
                        pairs.append((y, x))
        for concept in tokens[: size - math.ceil(threshold * size - 1e-9) + 1]:
            index[concept].append(x)
    return pairs


def _contained_sets(sets: list[Concepts]) -> list[tuple[Concepts, Concepts]]:
    """Pairs (a, b) of distinct sets where a is a proper part of b: b holds a's rarest concept, so look only there."""
    _frequency, ordered = _rarest_first(sets)
    holding: dict[str, list[Concepts]] = defaultdict(list)
    for concept_set in sets:
        for concept in concept_set:
            holding[concept].append(concept_set)
    pairs = []
    for a in sets:
        rarest = next((c for c in ordered[a] if c not in RELATIONAL), None)
        if rarest is None:
            continue
        pairs += [(a, b) for b in holding[rarest] if len(b) > len(a) and a < b]
    return pairs
