"""Which initiatives of a mapping overlap: the pairs behind the gap analysis's ``overlap`` finding.

Pure, like gaps.py: initiatives in (``gaps.InitiativeData``), pairs of their
ids out, each with the reason it overlaps; gaps.py words the findings.

What counts as an overlap: two initiatives whose titles say the same thing,
whose descriptions say nearly the same thing, or that sit in the same cell and
serve exactly the same purposes. Titles are compared as sets of *concepts*
(see danish.py):

- words are lower-cased, small words (og, i, for, af …) are dropped, and an
  acronym in the title, e.g. "(MUS)", is expanded to what it stands for;
- Danish compounds are split into their parts at known word parts, with or
  without the joining "s" or "e" ("trivsels|undersøgelser" -> trivsel +
  undersøgelser);
- each part is reduced to its stem with the Danish Snowball rules, so
  inflections meet ("målinger", "måling", "målingerne" -> "måling");
- parts that mean the same are mapped onto one concept (undersøgelse, måling,
  survey, spørgeskema -> måling; leder, ledelse -> ledelse; …);
- left-over spelling variants are joined when their first four letters agree
  and their character trigrams mostly agree (across the whole mapping).

Two titles overlap when their concept sets agree on at least three quarters
(Dice coefficient >= 0.75), or when both name the same acronym. So
"Trivselsundersøgelser" and "Trivselsmålinger" (both trivsel + måling)
overlap; "Medarbejdersamtaler (MUS)" and "Kollegial sparring" share nothing
and do not; "Teammøder" and "Husmøder" (team + møde, hus + møde: 0.5) do not.
Descriptions overlap when both have at least four concepts and agree on at
least 0.6.

A mapping of 500 initiatives must be analysed in well under 100 ms, so pairs
are never compared all against all: see ``_prefix_index``.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from .danish import (
    DESCRIPTION_MIN_CONCEPTS,
    DESCRIPTION_OVERLAP,
    TITLE_OVERLAP,
    acronyms,
    concepts,
    dice,
    unify_variants,
)

if TYPE_CHECKING:
    from .gaps import InitiativeData  # gaps.py builds on this module

Reason = Literal["title", "description", "purpose"]
Pair = tuple[int, int]


def overlapping_pairs(initiatives: Iterable["InitiativeData"]) -> dict[Pair, Reason]:
    """Every overlapping pair of initiatives (ids, lower id first) and why it overlaps.

    A pair whose titles overlap is reported for its title, else for its
    description, else for its purposes."""
    initiatives = list(initiatives)
    by_id = {i.id: i for i in initiatives}
    title_concepts = {i.id: concepts(i.title) for i in initiatives}
    description_concepts = {i.id: concepts(i.description) for i in initiatives if i.description}
    canonical = unify_variants([*title_concepts.values(), *description_concepts.values()])
    if canonical:
        title_concepts = {k: frozenset(canonical.get(c, c) for c in v) for k, v in title_concepts.items()}
        description_concepts = {k: frozenset(canonical.get(c, c) for c in v) for k, v in description_concepts.items()}

    def candidates(index: dict) -> set[Pair]:
        pairs = set()
        for ids in index.values():
            for n, a in enumerate(ids):
                for b in ids[n + 1 :]:
                    pairs.add(_pair_key(a, b))
        return pairs

    reasons: dict[Pair, Reason] = {}
    for pair in candidates(_prefix_index(title_concepts, TITLE_OVERLAP)):
        if dice(title_concepts[pair[0]], title_concepts[pair[1]]) >= TITLE_OVERLAP:
            reasons[pair] = "title"
    acronym_index: dict[str, list] = defaultdict(list)
    for item in initiatives:
        for acronym in acronyms(item.title):
            acronym_index[acronym].append(item.id)
    for pair in candidates(acronym_index):
        reasons[pair] = "title"

    long_descriptions = {k: v for k, v in description_concepts.items() if len(v) >= DESCRIPTION_MIN_CONCEPTS}
    for pair in candidates(_prefix_index(long_descriptions, DESCRIPTION_OVERLAP)):
        if pair not in reasons and dice(long_descriptions[pair[0]], long_descriptions[pair[1]]) >= DESCRIPTION_OVERLAP:
            reasons[pair] = "description"

    purpose_index: dict[tuple, list] = defaultdict(list)
    for item in initiatives:
        if item.purposes:
            purpose_index[(item.level, item.dimension, item.purposes)].append(item.id)
    for pair in candidates(purpose_index):
        reasons.setdefault(pair, "purpose")
    return {pair: reasons[pair] for pair in sorted(reasons, key=lambda p: (by_id[p[0]].title, by_id[p[1]].title))}


def _prefix_index(sets: dict, threshold: float) -> dict[str, list]:
    """Index each set under its rarest few concepts only (prefix filtering).

    Two sets with Dice >= t share at least k = ceil(t / (2 - t) * |A|) concepts,
    so they must meet within the |A| - k + 1 rarest concepts of each (ordered
    by how common a concept is across the mapping). This keeps the number of
    pairs compared near the number of true overlaps, not n squared."""
    frequency: dict[str, int] = defaultdict(int)
    for concept_set in sets.values():
        for concept in concept_set:
            frequency[concept] += 1
    share = threshold / (2 - threshold)
    index: dict[str, list] = defaultdict(list)
    for item_id, concept_set in sets.items():
        if not concept_set:
            continue
        size = len(concept_set)
        needed = max(1, math.ceil(share * size - 1e-9))
        for concept in sorted(concept_set, key=lambda c: (frequency[c], c))[: size - needed + 1]:
            index[concept].append(item_id)
    return index


def _pair_key(a: int, b: int) -> Pair:
    try:
        first = a <= b
    except TypeError:  # ids of mixed types, e.g. keys of a file being imported
        first = str(a) <= str(b)
    return (a, b) if first else (b, a)
