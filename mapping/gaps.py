"""The gap analysis: what is missing, unclear or disconnected in a mapping.

Pure: plain data in (``MappingData``), plain data out (``Finding``, coverage,
purpose matrix, chains). No request, no database, no writes, so the tests run
without a database and the benchmark times the analysis alone.

Each finding has a stable ``key`` (code plus what it concerns, e.g.
``isolated:i12`` or ``empty_cell:gruppe-kultur``). A dismissal stores that key,
so a dismissed finding stays dismissed for as long as the same thing is true.

The findings follow the method's steps: 1 overview and purpose, 2 connect,
3 involve and follow up. Texts are the product's own words, translatable;
they are translated when shown (``Finding.message``), not while analysing.

Rules that are not obvious from their names:

- ``empty_cell`` counts active initiatives only: planned or paused ones do not
  cover a cell. ``one_sided_level`` needs a level with initiatives on one side
  only; a wholly empty level shows as two empty cells instead.
- ``measurement_not_followed_up``: a measurement (``is_measurement``) is
  followed up when it has an outgoing link to a leadership-level initiative,
  or an outgoing "følges op på" / "giver input til" link to any initiative.
- ``individual_unsupported`` concerns individual-level initiatives that have
  links, but none to the group level; an unlinked one is already ``isolated``.
- ``disconnected_level``: a level with initiatives and no link crossing to
  another level (only once the mapping uses more than one level).
- ``stale``: last reviewed (or, if never reviewed, created) over 365 days ago.
- ``no_employee_input``: an active initiative that no participant has rated
  in any workshop of the mapping. It applies only once the mapping has had a
  workshop (``MappingData.has_workshop``): before that, no rating is expected,
  and the rule would name every card of every mapping. Planned and paused
  initiatives are left out: there is nothing running for employees to judge.

What counts as an overlap (``overlap``): two active initiatives of the mapping
whose titles say the same thing, whose descriptions say nearly the same thing,
or that sit in the same cell and serve exactly the same purposes. Titles are
compared as sets of *concepts* (see danish.py):

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
  and their character trigrams mostly agree.

Two titles overlap when their concept sets agree on at least three quarters
(Dice coefficient >= 0.75), or when both name the same acronym. So
"Trivselsundersøgelser" and "Trivselsmålinger" (both trivsel + måling)
overlap; "Medarbejdersamtaler (MUS)" and "Kollegial sparring" share nothing
and do not; "Teammøder" and "Husmøder" (team + møde, hus + møde: 0.5) do not.
Descriptions overlap when both have at least four concepts and agree on at
least 0.6.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext, gettext_lazy

from .danish import (
    DESCRIPTION_MIN_CONCEPTS,
    DESCRIPTION_OVERLAP,
    TITLE_OVERLAP,
    acronyms,
    concepts,
    dice,
    unify_variants,
)

LEVELS = ("individ", "gruppe", "ledelse", "organisation")
DIMENSIONS = ("struktur", "kultur")
LEVEL_LABELS = {
    "individ": gettext_lazy("Individ"),
    "gruppe": gettext_lazy("Gruppe"),
    "ledelse": gettext_lazy("Ledelse"),
    "organisation": gettext_lazy("Organisation"),
}
DIMENSION_LABELS = {"struktur": gettext_lazy("Struktur"), "kultur": gettext_lazy("Kultur")}

HIGH, MEDIUM, LOW = "high", "medium", "low"
SEVERITY_ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}
SEVERITY_LABELS = {
    HIGH: gettext_lazy("Vigtig"),
    MEDIUM: gettext_lazy("Bør ses på"),
    LOW: gettext_lazy("Til overvejelse"),
}

STEPS = {
    1: gettext_lazy("1. Overblik og formål"),
    2: gettext_lazy("2. Forbind niveauer og struktur med kultur"),
    3: gettext_lazy("3. Involvér og følg op"),
}
STEP_INTROS = {
    1: gettext_lazy("Hvad har I på hvert niveau, hvad skal det gøre godt for, og gør det en forskel?"),
    2: gettext_lazy("Hænger indsatserne sammen på tværs af niveauer, og bliver resultater fulgt op?"),
    3: gettext_lazy("Hvem holder indsatserne i live, og hvornår har I sidst set på dem?"),
}

# code -> (step, severity, group heading)
CODES: dict[str, tuple[int, str, object]] = {
    "empty_cell": (1, HIGH, gettext_lazy("Tomme felter")),
    "one_sided_level": (1, MEDIUM, gettext_lazy("Niveauer med kun struktur eller kun kultur")),
    "no_purpose": (1, MEDIUM, gettext_lazy("Indsatser uden formål")),
    "unused_purpose": (1, LOW, gettext_lazy("Formål, som ingen indsats tjener")),
    "single_level_purpose": (1, LOW, gettext_lazy("Formål på kun ét niveau")),
    "one_sided_purpose": (1, LOW, gettext_lazy("Formål med kun struktur eller kun kultur")),
    "no_effect": (1, HIGH, gettext_lazy("Indsatser uden effekt")),
    "unknown_effect": (1, LOW, gettext_lazy("Indsatser med ukendt effekt")),
    "overlap": (1, MEDIUM, gettext_lazy("Mulige overlap")),
    "measurement_not_followed_up": (2, HIGH, gettext_lazy("Målinger uden opfølgning")),
    "disconnected_level": (2, HIGH, gettext_lazy("Niveauer uden forbindelse til resten")),
    "individual_unsupported": (2, MEDIUM, gettext_lazy("Individindsatser uden opbakning i gruppen")),
    "isolated": (2, MEDIUM, gettext_lazy("Indsatser uden forbindelser")),
    "no_owner": (3, LOW, gettext_lazy("Indsatser uden ansvarlig")),
    "no_employee_input": (3, MEDIUM, gettext_lazy("Indsatser, som ingen medarbejder har bedømt")),
    "stale": (3, LOW, gettext_lazy("Ikke gennemgået i over et år")),
}
STALE_AFTER = timedelta(days=365)
THIN_CELL = 2  # a cell with fewer active initiatives than this is "thin"
FOLLOW_UP_KINDS = {"followed_up_at", "feeds_into"}


@dataclass(frozen=True)
class InitiativeData:
    id: int
    title: str
    level: str
    dimension: str
    description: str = ""
    purposes: frozenset[int] = frozenset()
    status: str = "active"
    effect: str = "unknown"
    owner: str = ""
    is_measurement: bool = False
    reviewed_at: date | None = None
    created: date | None = None


@dataclass(frozen=True)
class PurposeData:
    id: int
    title: str


@dataclass(frozen=True)
class LinkData:
    source: int
    target: int
    kind: str = "related"


@dataclass(frozen=True)
class MappingData:
    """One mapping's non-deleted initiatives, its purposes and its links.

    ``has_workshop``: the mapping has had at least one workshop; ``rated``: the
    ids of initiatives someone rated in one of them.
    """

    initiatives: tuple[InitiativeData, ...]
    purposes: tuple[PurposeData, ...] = ()
    links: tuple[LinkData, ...] = ()
    today: date = field(default_factory=date.today)
    has_workshop: bool = False
    rated: frozenset[int] = frozenset()


class Deferred:
    """A message with its parameters, translated when shown."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, params: dict):
        self.msgid, self.params = msgid, params

    def render(self) -> str:
        return gettext(self.msgid) % {key: str(value) for key, value in self.params.items()}


class Msg(str):
    """A message id, translated when shown: the analysis itself never calls gettext (it is hot)."""

    def __mod__(self, params: dict) -> Deferred:
        return Deferred(self, params)

    def render(self) -> str:
        return gettext(self)


def _(msgid: str) -> Msg:
    """Marks a message for makemessages; see Msg."""
    return Msg(msgid)


@dataclass
class Finding:
    code: str
    key: str
    text: Msg | Deferred
    next_text: Msg | Deferred
    initiatives: tuple[int, ...] = ()
    cells: tuple[tuple[str, str], ...] = ()
    purposes: tuple[int, ...] = ()
    levels: tuple[str, ...] = ()
    reason: str = ""

    @property
    def message(self) -> str:
        return self.text.render()

    @property
    def next_step(self) -> str:
        return self.next_text.render()

    @property
    def step(self) -> int:
        return CODES[self.code][0]

    @property
    def severity(self) -> str:
        return CODES[self.code][1]

    @property
    def severity_label(self) -> str:
        return str(SEVERITY_LABELS[self.severity])

    @property
    def heading(self) -> str:
        return str(CODES[self.code][2])

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "key": self.key,
            "severity": self.severity,
            "step": self.step,
            "initiatives": list(self.initiatives),
            "cells": [{"level": level, "dimension": dim} for level, dim in self.cells],
            "purposes": list(self.purposes),
            "levels": list(self.levels),
            "message": self.message,
            "next_step": self.next_step,
        }


def group_key(code: str) -> str:
    """The key an action made for all findings of one kind carries."""
    return f"{code}:alle"


def cell_key(level: str, dimension: str) -> str:
    return f"{level}-{dimension}"


def cell_label(level: str, dimension: str) -> str:
    return f"{LEVEL_LABELS[level]} · {DIMENSION_LABELS[dimension]}"


# --- The rules -------------------------------------------------------------------------


def find_gaps(data: MappingData) -> list[Finding]:
    """Every finding for the mapping, most important first within each step."""
    initiatives = list(data.initiatives)
    by_id = {i.id: i for i in initiatives}
    links = [link for link in data.links if link.source in by_id and link.target in by_id]
    findings: list[Finding] = []
    findings += _cell_rules(initiatives)
    findings += _purpose_rules(initiatives, data.purposes)
    findings += _initiative_rules(initiatives, data.today)
    findings += _input_rules(initiatives, data)
    findings += _overlaps(initiatives)
    findings += _link_rules(initiatives, by_id, links)
    findings.sort(key=lambda f: (f.step, SEVERITY_ORDER[f.severity], list(CODES).index(f.code)))
    return findings


def _cell_rules(initiatives: list[InitiativeData]) -> list[Finding]:
    counts = coverage_counts(initiatives)
    findings = []
    for level in LEVELS:
        for dimension in DIMENSIONS:
            if counts[(level, dimension)] == 0:
                findings.append(
                    Finding(
                        "empty_cell",
                        f"empty_cell:{cell_key(level, dimension)}",
                        _("Der er ingen aktive indsatser i feltet %(cell)s.") % {"cell": cell_label(level, dimension)},
                        _(
                            "Se idéerne til feltet nedenfor, eller tal om, hvad der faktisk sker her, "
                            "som I ikke har skrevet op."
                        ),
                        cells=((level, dimension),),
                        levels=(level,),
                    )
                )
        struktur, kultur = counts[(level, "struktur")], counts[(level, "kultur")]
        if struktur and not kultur:
            findings.append(
                Finding(
                    "one_sided_level",
                    f"one_sided_level:{level}",
                    _("På niveauet %(level)s er alt formelt (struktur); intet uformelt (kultur) bærer det.")
                    % {"level": LEVEL_LABELS[level]},
                    _("Overvej, hvad der i hverdagen holder de formelle tiltag i live: sparring, fællesskab, tonen."),
                    cells=((level, "kultur"),),
                    levels=(level,),
                )
            )
        elif kultur and not struktur:
            findings.append(
                Finding(
                    "one_sided_level",
                    f"one_sided_level:{level}",
                    _("På niveauet %(level)s er alt uformelt (kultur); intet er sat i system (struktur).")
                    % {"level": LEVEL_LABELS[level]},
                    _("Overvej, om noget af det uformelle skal have en fast ramme, så det ikke hviler på få personer."),
                    cells=((level, "struktur"),),
                    levels=(level,),
                )
            )
    return findings


def _purpose_rules(initiatives: list[InitiativeData], purposes: Iterable[PurposeData]) -> list[Finding]:
    served: dict[int, list[InitiativeData]] = defaultdict(list)
    for item in initiatives:
        for pid in item.purposes:
            served[pid].append(item)
    findings = []
    for purpose in purposes:
        items = served.get(purpose.id, [])
        ids = tuple(i.id for i in items)
        if not items:
            findings.append(
                Finding(
                    "unused_purpose",
                    f"unused_purpose:p{purpose.id}",
                    _("Ingen indsats tjener formålet “%(purpose)s”.") % {"purpose": purpose.title},
                    _(
                        "Knyt formålet til de indsatser, der skal opfylde det, eller slet det, hvis det ikke gælder mere."
                    ),
                    purposes=(purpose.id,),
                )
            )
            continue
        levels = {i.level for i in items}
        if len(levels) == 1:
            (level,) = levels
            findings.append(
                Finding(
                    "single_level_purpose",
                    f"single_level_purpose:p{purpose.id}",
                    _("Formålet “%(purpose)s” tjenes kun på niveauet %(level)s.")
                    % {"purpose": purpose.title, "level": LEVEL_LABELS[level]},
                    _("Tal om, hvem der ellers skal bære formålet: teamet, ledelsen eller organisationen som helhed."),
                    initiatives=ids,
                    purposes=(purpose.id,),
                    levels=(level,),
                )
            )
        dimensions = {i.dimension for i in items}
        if len(dimensions) == 1:
            message = (
                _("Formålet “%(purpose)s” tjenes kun af formelle tiltag (struktur).")
                if "struktur" in dimensions
                else _("Formålet “%(purpose)s” tjenes kun af uformelle tiltag (kultur).")
            )
            findings.append(
                Finding(
                    "one_sided_purpose",
                    f"one_sided_purpose:p{purpose.id}",
                    message % {"purpose": purpose.title},
                    _(
                        "Overvej, hvad der mangler på den anden side, så formålet både har en ramme og lever i hverdagen."
                    ),
                    initiatives=ids,
                    purposes=(purpose.id,),
                )
            )
    return findings


def _initiative_rules(initiatives: list[InitiativeData], today: date) -> list[Finding]:
    findings = []
    for item in initiatives:
        params = {"title": item.title}
        ids = (item.id,)
        cells = ((item.level, item.dimension),)
        if not item.purposes:
            findings.append(
                Finding(
                    "no_purpose",
                    f"no_purpose:i{item.id}",
                    _("“%(title)s” har ikke fået et formål.") % params,
                    _(
                        "Skriv i én sætning, hvad indsatsen skal gøre for arbejdsmiljøet, eller overvej, om I har brug for den."
                    ),
                    initiatives=ids,
                    cells=cells,
                )
            )
        if item.effect == "none":
            findings.append(
                Finding(
                    "no_effect",
                    f"no_effect:i{item.id}",
                    _("I har vurderet, at “%(title)s” ikke har nogen effekt.") % params,
                    _("Justér indsatsen, eller stop den og brug tiden på noget, der virker."),
                    initiatives=ids,
                    cells=cells,
                )
            )
        elif item.effect == "unknown":
            findings.append(
                Finding(
                    "unknown_effect",
                    f"unknown_effect:i{item.id}",
                    _("I ved ikke, om “%(title)s” virker.") % params,
                    _(
                        "Aftal, hvordan I finder ud af det: spørg dem, det gælder, eller tag den op ved næste gennemgang."
                    ),
                    initiatives=ids,
                    cells=cells,
                )
            )
        if not item.owner.strip():
            findings.append(
                Finding(
                    "no_owner",
                    f"no_owner:i{item.id}",
                    _("Ingen står som ansvarlig for “%(title)s”.") % params,
                    _("Aftal, hvem der holder indsatsen i gang: en person, en rolle eller en gruppe."),
                    initiatives=ids,
                    cells=cells,
                )
            )
        seen = item.reviewed_at or item.created
        if seen is not None and today - seen > STALE_AFTER:
            message = (
                _("“%(title)s” er ikke gennemgået i over et år.")
                if item.reviewed_at
                else _("“%(title)s” har været på kortet i over et år uden at blive gennemgået.")
            )
            findings.append(
                Finding(
                    "stale",
                    f"stale:i{item.id}",
                    message % params,
                    _("Tag den op: Bliver den brugt, virker den, og passer den stadig til jeres behov?"),
                    initiatives=ids,
                    cells=cells,
                )
            )
    return findings


def _input_rules(initiatives: list[InitiativeData], data: MappingData) -> list[Finding]:
    if not data.has_workshop:
        return []
    return [
        Finding(
            "no_employee_input",
            f"no_employee_input:i{item.id}",
            _("Ingen medarbejder har bedømt “%(title)s” i en workshop.") % {"title": item.title},
            _(
                "Spørg dem, indsatsen er til: Er formålet klart, og virker den? "
                "Sæt den på til bedømmelse ved næste workshop."
            ),
            initiatives=(item.id,),
            cells=((item.level, item.dimension),),
        )
        for item in initiatives
        if item.status == "active" and item.id not in data.rated
    ]


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


def _pair_key(a: InitiativeData, b: InitiativeData) -> tuple[int, int]:
    try:
        first = a.id <= b.id
    except TypeError:  # ids of mixed types, e.g. keys of a file being imported
        first = str(a.id) <= str(b.id)
    return (a.id, b.id) if first else (b.id, a.id)


def _overlaps(initiatives: list[InitiativeData]) -> list[Finding]:
    title_concepts = {i.id: concepts(i.title) for i in initiatives}
    description_concepts = {i.id: concepts(i.description) for i in initiatives if i.description}
    canonical = unify_variants([*title_concepts.values(), *description_concepts.values()])

    def canon(cs: frozenset[str]) -> frozenset[str]:
        return frozenset(canonical.get(c, c) for c in cs) if canonical else cs

    title_concepts = {k: canon(v) for k, v in title_concepts.items()}
    description_concepts = {k: canon(v) for k, v in description_concepts.items()}
    title_acronyms = {i.id: acronyms(i.title) for i in initiatives}
    by_id = {i.id: i for i in initiatives}

    reasons: dict[tuple[int, int], str] = {}

    def candidates(index: dict) -> set[tuple[int, int]]:
        pairs = set()
        for ids in index.values():
            for n, a in enumerate(ids):
                for b in ids[n + 1 :]:
                    pairs.add(_pair_key(by_id[a], by_id[b]))
        return pairs

    for pair in candidates(_prefix_index(title_concepts, TITLE_OVERLAP)):
        if dice(title_concepts[pair[0]], title_concepts[pair[1]]) >= TITLE_OVERLAP:
            reasons[pair] = "title"
    acronym_index: dict[str, list] = defaultdict(list)
    for item_id, found in title_acronyms.items():
        for acronym in found:
            acronym_index[acronym].append(item_id)
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

    messages = {
        "title": _("“%(a)s” og “%(b)s” ligner hinanden."),
        "description": _("“%(a)s” og “%(b)s” er beskrevet næsten ens."),
        "purpose": _("“%(a)s” og “%(b)s” står i samme felt og tjener de samme formål."),
    }
    findings = []
    for (a, b), reason in sorted(reasons.items(), key=lambda kv: (by_id[kv[0][0]].title, by_id[kv[0][1]].title)):
        first, second = by_id[a], by_id[b]
        cells = tuple(dict.fromkeys([(first.level, first.dimension), (second.level, second.dimension)]))
        findings.append(
            Finding(
                "overlap",
                f"overlap:i{a}-i{b}",
                messages[reason] % {"a": first.title, "b": second.title},
                _(
                    "Tal om, hvorvidt de to er det samme. Læg dem sammen, eller skriv tydeligt, hvad der skiller dem ad."
                ),
                initiatives=(a, b),
                cells=cells,
                reason=reason,
            )
        )
    return findings


def _link_rules(
    initiatives: list[InitiativeData], by_id: dict[int, InitiativeData], links: list[LinkData]
) -> list[Finding]:
    neighbours: dict[int, set[int]] = defaultdict(set)
    outgoing: dict[int, list[LinkData]] = defaultdict(list)
    linked_levels: set[str] = set()
    for link in links:
        neighbours[link.source].add(link.target)
        neighbours[link.target].add(link.source)
        outgoing[link.source].append(link)
        source_level, target_level = by_id[link.source].level, by_id[link.target].level
        if source_level != target_level:
            linked_levels.update((source_level, target_level))
    findings = []
    for item in initiatives:
        params = {"title": item.title}
        ids = (item.id,)
        cells = ((item.level, item.dimension),)
        if item.is_measurement and not any(
            by_id[link.target].level == "ledelse" or link.kind in FOLLOW_UP_KINDS for link in outgoing[item.id]
        ):
            findings.append(
                Finding(
                    "measurement_not_followed_up",
                    f"measurement_not_followed_up:i{item.id}",
                    _(
                        "Resultaterne fra “%(title)s” går ikke videre til ledelsen eller til et sted, hvor der følges op."
                    )
                    % params,
                    _(
                        "Forbind målingen med det møde, hvor ledelsen tager resultaterne op, "
                        "og derfra videre til en snak med medarbejderne."
                    ),
                    initiatives=ids,
                    cells=cells,
                )
            )
        if not neighbours[item.id]:
            findings.append(
                Finding(
                    "isolated",
                    f"isolated:i{item.id}",
                    _("“%(title)s” er ikke forbundet med nogen anden indsats.") % params,
                    _("Find ud af, hvad den bygger på eller giver videre til, og forbind dem på tavlen."),
                    initiatives=ids,
                    cells=cells,
                )
            )
        elif item.level == "individ" and not any(by_id[n].level == "gruppe" for n in neighbours[item.id]):
            # An isolated card already says it has no links; this rule is about linked ones.
            findings.append(
                Finding(
                    "individual_unsupported",
                    f"individual_unsupported:i{item.id}",
                    _("“%(title)s” handler om den enkelte, men intet i gruppen eller teamet bakker den op.") % params,
                    _("Overvej, hvordan teamet kan tage den op, fx som et fast punkt på teammøderne."),
                    initiatives=ids,
                    cells=cells,
                )
            )
    present = {i.level for i in initiatives}
    if len(present) > 1:
        for level in LEVELS:
            if level in present and level not in linked_levels:
                findings.append(
                    Finding(
                        "disconnected_level",
                        f"disconnected_level:{level}",
                        _("Intet på niveauet %(level)s er forbundet med de andre niveauer.")
                        % {"level": LEVEL_LABELS[level]},
                        _(
                            "Find mindst én indsats her, der hænger sammen med noget på et andet niveau, og forbind dem."
                        ),
                        initiatives=tuple(i.id for i in initiatives if i.level == level),
                        levels=(level,),
                    )
                )
    return findings


# --- Overviews for the dashboard --------------------------------------------------------


def coverage_counts(initiatives: Iterable[InitiativeData]) -> dict[tuple[str, str], int]:
    """Active initiatives per cell (planned and paused ones do not cover a cell)."""
    counts = {(level, dimension): 0 for level in LEVELS for dimension in DIMENSIONS}
    for item in initiatives:
        if item.status == "active" and (item.level, item.dimension) in counts:
            counts[(item.level, item.dimension)] += 1
    return counts


def coverage_band(count: int) -> str:
    """A word for how full a cell is, so the heat map reads without colour."""
    if count == 0:
        return "empty"
    if count < THIN_CELL:
        return "thin"
    if count < 4:
        return "some"
    return "full"


def thin_cells(data: MappingData) -> list[tuple[str, str]]:
    counts = coverage_counts(data.initiatives)
    return [cell for cell, count in counts.items() if count < THIN_CELL]


def purpose_matrix(data: MappingData) -> list[dict]:
    """For each purpose: per level, how many initiatives serve it (and in which dimension)."""
    rows = {p.id: {"purpose": p, "levels": {lv: {"struktur": 0, "kultur": 0} for lv in LEVELS}} for p in data.purposes}
    for item in data.initiatives:
        for pid in item.purposes:
            if pid in rows:
                rows[pid]["levels"][item.level][item.dimension] += 1
    result = []
    for row in rows.values():
        cells = []
        for level in LEVELS:
            counts = row["levels"][level]
            cells.append(
                {
                    "level": level,
                    "struktur": counts["struktur"],
                    "kultur": counts["kultur"],
                    "total": sum(counts.values()),
                }
            )
        result.append({"purpose": row["purpose"], "cells": cells, "total": sum(c["total"] for c in cells)})
    return result


MAX_CHAINS = 50
MAX_CHAIN_LENGTH = 8


def chains(data: MappingData) -> list[list[tuple[InitiativeData, LinkData | None]]]:
    """Readable paths through the links, longest first.

    A chain starts at an initiative no link points to (or, in a cycle, at any
    unvisited one) and follows outgoing links until it ends or would repeat an
    initiative. Each step is (initiative, link that led there)."""
    by_id = {i.id: i for i in data.initiatives}
    outgoing: dict[int, list[LinkData]] = defaultdict(list)
    has_incoming: set[int] = set()
    for link in data.links:
        if link.source in by_id and link.target in by_id:
            outgoing[link.source].append(link)
            has_incoming.add(link.target)
    paths: list[list[tuple[InitiativeData, LinkData | None]]] = []
    covered: set[int] = set()

    def walk(path: list[tuple[InitiativeData, LinkData | None]], seen: set[int]) -> None:
        if len(paths) >= MAX_CHAINS:
            return
        current = path[-1][0].id
        nexts = [link for link in outgoing[current] if link.target not in seen]
        if not nexts or len(path) >= MAX_CHAIN_LENGTH:
            if len(path) > 1:
                paths.append(list(path))
                covered.update(step[0].id for step in path)
            return
        for link in nexts:
            path.append((by_id[link.target], link))
            seen.add(link.target)
            walk(path, seen)
            seen.discard(link.target)
            path.pop()

    starts = [i for i in data.initiatives if outgoing[i.id] and i.id not in has_incoming]
    for start in starts:
        walk([(start, None)], {start.id})
    for item in data.initiatives:  # cycles have no start: begin at a member not yet shown
        if outgoing[item.id] and item.id not in covered and len(paths) < MAX_CHAINS:
            walk([(item, None)], {item.id})
    paths.sort(key=lambda p: (-len(p), p[0][0].title))
    return paths


def summary(findings: Iterable[Finding]) -> dict:
    by_severity = dict.fromkeys(SEVERITY_ORDER, 0)
    by_step = dict.fromkeys(STEPS, 0)
    total = 0
    for finding in findings:
        total += 1
        by_severity[finding.severity] += 1
        by_step[finding.step] += 1
    return {"total": total, "by_severity": by_severity, "by_step": by_step}


# --- Ideas for empty and thin cells -----------------------------------------------------

IDEAS_FILE = Path(__file__).parent / "data" / "ideas.json"


@lru_cache(maxsize=1)
def catalogue() -> tuple[dict, ...]:
    """The shipped ideas: initiatives commonly run in each cell, each with a one-line purpose."""
    return tuple(json.loads(IDEAS_FILE.read_text(encoding="utf-8"))["ideas"])


def idea(key: str) -> dict | None:
    return next((item for item in catalogue() if item["key"] == key), None)


def ideas_for(data: MappingData, cells: Iterable[tuple[str, str]], ideas: Iterable[dict] | None = None) -> dict:
    """Ideas per cell, leaving out what the mapping already has (a similar title anywhere in it)."""
    wanted = set(cells)
    existing = [concepts(i.title) for i in data.initiatives]
    existing_acronyms = set().union(*(acronyms(i.title) for i in data.initiatives)) if data.initiatives else set()
    result: dict[tuple[str, str], list[dict]] = {cell: [] for cell in wanted}
    for item in catalogue() if ideas is None else ideas:
        cell = (item["level"], item["dimension"])
        if cell not in wanted:
            continue
        if acronyms(item["title"]) & existing_acronyms:
            continue
        mine = concepts(item["title"])
        if any(dice(mine, other) >= TITLE_OVERLAP for other in existing):
            continue
        result[cell].append(item)
    return result


KEY_TOKEN = re.compile(r"(?<=[:-])[ip]\d+(?=$|-)")


def remap_key(key: str, id_map: dict[str, str]) -> str:
    """A finding key with its initiative/purpose ids (``i12``, ``p3``) replaced; "" if one is unknown."""
    missing = False

    def swap(match: re.Match) -> str:
        nonlocal missing
        if match.group(0) not in id_map:
            missing = True
        return id_map.get(match.group(0), "")

    code, sep, subject = key.partition(":")
    new = KEY_TOKEN.sub(swap, sep + subject)
    return "" if missing or not key else code + new
