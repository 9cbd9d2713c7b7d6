"""The gap analysis: what is missing, unclear or disconnected in a mapping.

Pure: plain data in (``MappingData``), plain data out (``Finding``, coverage,
purpose matrix, chains). No request, no database, no writes, so the tests run
without a database and the benchmark times the analysis alone.

The findings read as a consultant's short report: **one finding per rule and
scope**, most important first. A rule about cards that concerns many of them
(``isolated``, ``no_purpose``, ``unknown_effect``, ``no_owner``, ``stale``,
``individual_unsupported``) is one finding for the whole mapping that lists
every card ("31 af 38 indsatser …"); a default nobody filled in (effect,
owner) is a gap in the mapping, not a problem per card, and ranks low. What
matters for the method ranks first: a measurement nobody follows up, a level
without support, an overlap, a purpose on one level only. ``CODES`` is in
that order; ``find_gaps`` returns the findings in it.

Each finding has a stable ``key``: code plus what it concerns, e.g.
``overlap:i3-i9``, ``empty_cell:gruppe-kultur``, or ``isolated:alle`` for a
finding about the whole mapping (``group_key``), which keeps its key while the
cards it lists change. A dismissal and an action store that key.

Texts are the product's own words, translatable; they are translated when
shown (``Finding.message``), not while analysing.

Rules that are not obvious from their names:

- A mapping without initiatives has no findings: there is nothing to analyse
  yet, and the dashboard says what to do first instead.
- ``empty_cell`` counts active initiatives only: planned or paused ones do not
  cover a cell. ``one_sided_level`` needs a level with initiatives on one side
  only, and then says it instead of ``empty_cell`` for the empty side; a
  wholly empty level shows as two empty cells.
- A *measurement* is an initiative marked as one (``is_measurement``), or,
  when nobody has said (None), one whose title names one (APV, trivselsmåling,
  pulsmåling …: ``danish.looks_like_measurement``): a suggestion the team
  confirms or turns off on the card.
- ``measurement_not_followed_up``: a measurement is followed up when it has an
  outgoing link to a leadership-level initiative, or an outgoing "følges op
  på" / "giver input til" link to any initiative.
- ``results_not_shared``: a followed-up measurement whose results never reach
  the employees: no path of outgoing links from it leads to a forum where
  employees meet (team meeting, husmøde …: ``danish.is_dialogue_forum``).
- ``individual_unsupported``: individual-level initiatives with no link to the
  group level, linked or not (the linked ones are named first).
- ``disconnected_level``: a level with initiatives and no link crossing to
  another level (only once the mapping uses more than one level).
- ``no_structure_culture_link``: the levels with both struktur and kultur
  where no link joins a struktur card to a kultur card of that level. It is
  about those levels (``levels``); its cards are only those that could be
  linked: a struktur and a kultur card of such a level serving a purpose in
  common (none if no purpose is shared), not every card of the levels.
- ``no_apv``: no initiative is the statutory workplace assessment (APV).
- ``amo_not_involved``: nothing names the AMO as owner (of an initiative or an
  action), and no AMO initiative is linked to anything.
- ``no_employee_input``: the mapping has never had input from employees in a
  workshop (one finding for the mapping, not one per card).
- ``important_without_action``: open "Vigtig" findings that no action is made
  for; ``actions_incomplete``: unfinished actions without owner or due date.
- ``stale``: last reviewed (or, if never reviewed, created) over 365 days ago.
- ``overlap``: two initiatives that say the same thing in their titles or
  descriptions, or serve the same purposes in the same cell (overlaps.py).
- What counts as a chain of links is stated at ``chains``.
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext, gettext_lazy

from . import danish
from .levels import CELLS, Dimension, Level, cell_label
from .overlaps import analyse as analyse_overlaps
from .overlaps import id_order

LEVELS: tuple[str, ...] = tuple(Level.values)
DIMENSIONS: tuple[str, ...] = tuple(Dimension.values)

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

# code -> (step, severity, heading), in the order the findings are shown: most important first.
CODES: dict[str, tuple[int, str, object]] = {
    "overlap": (1, HIGH, gettext_lazy("Mulige overlap")),
    "measurement_not_followed_up": (2, HIGH, gettext_lazy("Målinger uden opfølgning")),
    "results_not_shared": (3, HIGH, gettext_lazy("Resultater, der ikke når medarbejderne")),
    "individual_unsupported": (2, HIGH, gettext_lazy("Individindsatser uden opbakning i gruppen")),
    "no_apv": (3, HIGH, gettext_lazy("Ingen APV")),
    "disconnected_level": (2, HIGH, gettext_lazy("Niveauer uden forbindelse til resten")),
    "empty_cell": (1, HIGH, gettext_lazy("Tomme felter")),
    "no_effect": (1, HIGH, gettext_lazy("Indsatser uden effekt")),
    "one_sided_level": (1, MEDIUM, gettext_lazy("Niveauer med kun struktur eller kun kultur")),
    "single_level_purpose": (1, MEDIUM, gettext_lazy("Formål på kun ét niveau")),
    "no_structure_culture_link": (2, MEDIUM, gettext_lazy("Struktur og kultur hænger ikke sammen")),
    "amo_not_involved": (3, MEDIUM, gettext_lazy("AMO er ikke med i opfølgningen")),
    "no_employee_input": (3, MEDIUM, gettext_lazy("Intet input fra medarbejderne")),
    "important_without_action": (3, MEDIUM, gettext_lazy("Vigtige fund uden handling")),
    "isolated": (2, MEDIUM, gettext_lazy("Indsatser uden forbindelser")),
    "no_purpose": (1, MEDIUM, gettext_lazy("Indsatser uden formål")),
    "one_sided_purpose": (1, MEDIUM, gettext_lazy("Formål med kun struktur eller kun kultur")),
    "actions_incomplete": (3, MEDIUM, gettext_lazy("Handlinger uden ansvarlig eller frist")),
    "unused_purpose": (1, LOW, gettext_lazy("Formål, som ingen indsats tjener")),
    "related_unlinked": (2, LOW, gettext_lazy("Indsatser, der hører sammen, men ikke er forbundet")),
    "unknown_effect": (1, LOW, gettext_lazy("Effekt ikke vurderet")),
    "no_owner": (3, LOW, gettext_lazy("Ansvarlig ikke angivet")),
    "stale": (3, LOW, gettext_lazy("Ikke gennemgået i over et år")),
}
RANK = {code: (SEVERITY_ORDER[severity], n) for n, (code, (_step, severity, _h)) in enumerate(CODES.items())}
IMPORTANT = frozenset(code for code, (_step, severity, _h) in CODES.items() if severity == HIGH)
STALE_AFTER = timedelta(days=365)
THIN_CELL = 2  # a cell with fewer active initiatives than this is "thin"
FOLLOW_UP_KINDS = {"followed_up_at", "feeds_into"}
GRID_ORDER = {cell: n for n, cell in enumerate(CELLS)}
TITLES_NAMED = 3  # a finding about many cards ("31 af 38 …, fx …") names this many as examples
MAX_TITLES = 5  # a list in a message names at most this many, then how many more (``_listed``)


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
    is_measurement: bool | None = None  # None: nobody said; the title decides
    reviewed_at: date | None = None
    created: date | None = None
    purpose_text: str = ""

    @property
    def measures(self) -> bool:
        """A measurement: marked as one, or (until someone says) titled like one."""
        if self.is_measurement is None:
            return danish.looks_like_measurement(self.title)
        return self.is_measurement


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
class ActionData:
    """An action of the plan: the finding it was made for (``key``, may be ""), owner, due date, whether done."""

    key: str = ""
    owner: str = ""
    due: date | None = None
    is_done: bool = False


@dataclass(frozen=True)
class MappingData:
    """One mapping's non-deleted initiatives, its purposes and its links; its actions and dismissed keys.

    ``has_employee_input``: employees have given input (of any kind) in a workshop of the mapping.
    """

    initiatives: tuple[InitiativeData, ...]
    purposes: tuple[PurposeData, ...] = ()
    links: tuple[LinkData, ...] = ()
    today: date = field(default_factory=date.today)
    has_employee_input: bool = False
    actions: tuple[ActionData, ...] = ()
    dismissed: frozenset[str] = frozenset()


class Msg:
    """A message id (and its parameters), translated when shown: the analysis itself never calls gettext (it is hot).

    A parameter may be a title (str), another ``Msg``, or a tuple of them: a list, worded by ``_listed``."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, params: dict | None = None):
        self.msgid, self.params = msgid, params

    def __mod__(self, params: dict) -> "Msg":
        return Msg(self.msgid, params)

    def render(self) -> str:
        text = gettext(self.msgid)
        return text if self.params is None else text % {key: _shown(value) for key, value in self.params.items()}


def _shown(value: object) -> str:
    if isinstance(value, Msg):
        return value.render()
    if isinstance(value, tuple):
        return _listed(value)
    return str(value)


def _listed(items: tuple) -> str:
    """A list in a sentence: titles (str) in quotes, named things (Msg) as they read: “a”, “b” og “c”.

    At most ``MAX_TITLES``, then how many more ("“a”, … og 3 flere"); the finding's ``initiatives`` lists them all."""
    named = [item.render() if isinstance(item, Msg) else f"“{item}”" for item in items[:MAX_TITLES]]
    more = len(items) - len(named)
    if more:
        return gettext("%(titles)s og %(count)s flere") % {"titles": ", ".join(named), "count": more}
    if len(named) == 1:
        return named[0]
    return gettext("%(first)s og %(last)s") % {"first": ", ".join(named[:-1]), "last": named[-1]}


_ = Msg  # marks a message for makemessages: _("...") % {...}


@dataclass
class Finding:
    code: str
    key: str
    text: Msg
    next_text: Msg
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
    def step_title(self) -> str:
        return str(STEPS[self.step])

    @property
    def severity_label(self) -> str:
        return str(SEVERITY_LABELS[self.severity])

    @property
    def heading(self) -> str:
        return str(CODES[self.code][2])

    @property
    def action_title(self) -> str:
        """What an action made from the finding is called: something to do."""
        try:
            return (ACTION_TITLES[self.code] % (self.text.params or {})).render()
        except (KeyError, TypeError):  # a finding worded without what the title names
            return gettext("Tag stilling til: %(heading)s") % {"heading": self.heading}

    @property
    def is_grouped(self) -> bool:
        """About the whole mapping (``code:alle``): lists its cards rather than being about one."""
        return self.key == group_key(self.code)

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


# --- The rules -------------------------------------------------------------------------


def find_gaps(data: MappingData) -> list[Finding]:
    """Every finding for the mapping, most important first (``CODES`` order), none for an empty one."""
    # In the grid's order (Individ first), so a finding about many names them as the board shows them.
    initiatives = sorted(data.initiatives, key=lambda i: GRID_ORDER.get((i.level, i.dimension), len(GRID_ORDER)))
    if not initiatives:
        return []
    by_id = {i.id: i for i in initiatives}
    links = [link for link in data.links if link.source in by_id and link.target in by_id]
    findings: list[Finding] = []
    findings += _cell_rules(initiatives)
    findings += _purpose_rules(initiatives, data.purposes)
    findings += _initiative_rules(initiatives, data.today, data.dismissed)
    findings += _overlaps(initiatives, links)
    findings += _link_rules(initiatives, by_id, links, data.dismissed)
    findings += _follow_up_rules(initiatives, links, data)
    findings += _plan_rules(findings, data)
    findings.sort(key=lambda f: RANK[f.code])
    return findings


def _cell_rules(initiatives: list[InitiativeData]) -> Iterator[Finding]:
    counts = coverage_counts(initiatives)
    for level in LEVELS:
        struktur, kultur = counts[(level, "struktur")], counts[(level, "kultur")]
        if struktur and not kultur:
            yield Finding(
                "one_sided_level",
                f"one_sided_level:{level}",
                _("%(on_level)s er alt formelt (struktur); intet uformelt (kultur) bærer det.")
                % {"on_level": ON_LEVEL[level], "at_level": AT_LEVEL[level]},
                _("Overvej, hvad der i hverdagen holder de formelle tiltag i live: sparring, fællesskab, tonen."),
                cells=((level, "kultur"),),
                levels=(level,),
            )
        elif kultur and not struktur:
            yield Finding(
                "one_sided_level",
                f"one_sided_level:{level}",
                _("%(on_level)s er alt uformelt (kultur); intet er sat i system (struktur).")
                % {"on_level": ON_LEVEL[level], "at_level": AT_LEVEL[level]},
                _("Overvej, om noget af det uformelle skal have en fast ramme, så det ikke hviler på få personer."),
                cells=((level, "struktur"),),
                levels=(level,),
            )
        else:  # the empty side of a one-sided level is said above, once
            for dimension in DIMENSIONS:
                if counts[(level, dimension)] == 0:
                    yield Finding(
                        "empty_cell",
                        f"empty_cell:{level}-{dimension}",
                        _("Der er ingen aktive indsatser i feltet %(cell)s.") % {"cell": cell_label(level, dimension)},
                        _(
                            "Se idéerne til feltet nedenfor, eller tal om, hvad der faktisk sker her, "
                            "som I ikke har skrevet op."
                        ),
                        cells=((level, dimension),),
                        levels=(level,),
                    )


# What an action made from a finding is called: something to do. The finding's own parameters fill it in.
ACTION_TITLES: dict[str, Msg] = {
    "overlap": _("Afklar, om “%(a)s” og “%(b)s” er det samme"),
    "related_unlinked": _("Forbind %(titles)s"),
    "measurement_not_followed_up": _("Aftal, hvordan resultaterne fra “%(title)s” følges op"),
    "results_not_shared": _("Få resultaterne fra “%(title)s” ud til medarbejderne"),
    "individual_unsupported": _("Giv indsatserne for den enkelte opbakning i gruppen"),
    "no_apv": _("Sæt APV'en på tavlen, og aftal opfølgningen"),
    "disconnected_level": _("Forbind indsatserne %(at_level)s med de andre niveauer"),
    "empty_cell": _("Find indsatser til feltet %(cell)s"),
    "no_effect": _("Justér eller stop “%(title)s”"),
    "one_sided_level": _("Find balancen mellem struktur og kultur %(at_level)s"),
    "single_level_purpose": _("Få formålet “%(purpose)s” båret på flere niveauer"),
    "no_structure_culture_link": _("Forbind struktur og kultur på %(levels)s"),
    "amo_not_involved": _("Aftal, hvad AMO følger op på"),
    "no_employee_input": _("Hold en workshop med medarbejderne"),
    "important_without_action": _("Beslut, hvad I gør ved de vigtige fund"),
    "isolated": _("Forbind de indsatser, der står alene"),
    "no_purpose": _("Skriv formålet med hver indsats"),
    "one_sided_purpose": _("Giv formålet “%(purpose)s” både struktur og kultur"),
    "actions_incomplete": _("Giv handlingerne en ansvarlig og en frist"),
    "unused_purpose": _("Knyt formålet “%(purpose)s” til indsatser, eller slet det"),
    "unknown_effect": _("Vurdér, om indsatserne virker"),
    "no_owner": _("Sæt en ansvarlig på indsatserne"),
    "stale": _("Gennemgå de indsatser, I ikke har set på i over et år"),
}

# "På ledelsesniveau": how a sentence names a level.
ON_LEVEL = {
    "individ": _("På individniveau"),
    "gruppe": _("På gruppeniveau"),
    "ledelse": _("På ledelsesniveau"),
    "organisation": _("På organisationsniveau"),
}
LEVEL_NAMES = {
    "individ": _("individniveau"),
    "gruppe": _("gruppeniveau"),
    "ledelse": _("ledelsesniveau"),
    "organisation": _("organisationsniveau"),
}
AT_LEVEL = {
    "individ": _("på individniveau"),
    "gruppe": _("på gruppeniveau"),
    "ledelse": _("på ledelsesniveau"),
    "organisation": _("på organisationsniveau"),
}


def _purpose_rules(initiatives: list[InitiativeData], purposes: Iterable[PurposeData]) -> Iterator[Finding]:
    served: dict[int, list[InitiativeData]] = defaultdict(list)
    for item in initiatives:
        for pid in item.purposes:
            served[pid].append(item)
    for purpose in purposes:
        items = served.get(purpose.id, [])
        ids = tuple(i.id for i in items)
        if not items:
            yield Finding(
                "unused_purpose",
                f"unused_purpose:p{purpose.id}",
                _("Ingen indsats tjener formålet “%(purpose)s”.") % {"purpose": purpose.title},
                _("Knyt formålet til de indsatser, der skal opfylde det, eller slet det, hvis det ikke gælder mere."),
                purposes=(purpose.id,),
            )
            continue
        levels = {i.level for i in items}
        if len(levels) == 1:
            (level,) = levels
            yield Finding(
                "single_level_purpose",
                f"single_level_purpose:p{purpose.id}",
                _("Formålet “%(purpose)s” tjenes kun %(at_level)s.")
                % {"purpose": purpose.title, "at_level": AT_LEVEL[level]},
                _("Tal om, hvem der ellers skal bære formålet: teamet, ledelsen eller organisationen som helhed."),
                initiatives=ids,
                purposes=(purpose.id,),
                levels=(level,),
            )
        dimensions = {i.dimension for i in items}
        if len(dimensions) == 1:
            message = (
                _("Formålet “%(purpose)s” tjenes kun af formelle tiltag (struktur).")
                if "struktur" in dimensions
                else _("Formålet “%(purpose)s” tjenes kun af uformelle tiltag (kultur).")
            )
            yield Finding(
                "one_sided_purpose",
                f"one_sided_purpose:p{purpose.id}",
                message % {"purpose": purpose.title},
                _("Overvej, hvad der mangler på den anden side, så formålet både har en ramme og lever i hverdagen."),
                initiatives=ids,
                purposes=(purpose.id,),
            )


# What a finding about one initiative says, and the next step it suggests. "%(title)s" is its title.
ABOUT_ONE: dict[str, tuple[Msg, Msg]] = {
    "no_effect": (
        _("I har vurderet, at “%(title)s” ikke har nogen effekt."),
        _("Justér indsatsen, eller stop den og brug tiden på noget, der virker."),
    ),
    "measurement_not_followed_up": (
        _("Resultaterne fra “%(title)s” går ikke videre til ledelsen eller til et sted, hvor der følges op."),
        _(
            "Forbind målingen med det møde, hvor ledelsen tager resultaterne op, "
            "og derfra videre til en snak med medarbejderne."
        ),
    ),
    "results_not_shared": (
        _("Resultaterne fra “%(title)s” bliver fulgt op, men når aldrig ud til medarbejderne."),
        _(
            "Aftal, hvor medarbejderne hører om resultaterne og taler om dem, fx på et teammøde eller husmøde, "
            "og forbind det på tavlen."
        ),
    ),
}
# What a finding about many cards says ("%(count)s af %(total)s", "%(titles)s": the first few), and its next step.
ABOUT_MANY: dict[str, tuple[Msg, Msg]] = {
    "isolated": (
        _("%(count)s af %(total)s indsatser er ikke forbundet med nogen anden indsats, fx %(titles)s."),
        _("Tag dem én ad gangen: hvad bygger indsatsen på, og hvad giver den videre til? Forbind dem på tavlen."),
    ),
    "no_purpose": (
        _("%(count)s af %(total)s indsatser har hverken en formålssætning eller et formål, fx %(titles)s."),
        _(
            "Skriv i én sætning pr. indsats, hvad den skal gøre for arbejdsmiljøet, eller overvej, om I har brug for den."
        ),
    ),
    "unknown_effect": (
        _("Effekten er ikke vurderet for %(count)s af %(total)s indsatser."),
        _("Aftal, hvordan I finder ud af, om de virker: spørg dem, det gælder, eller tag det op ved næste gennemgang."),
    ),
    "no_owner": (
        _("Der står ingen ansvarlig på %(count)s af %(total)s indsatser."),
        _("Aftal for hver, hvem der holder den i gang: en person, en rolle eller en gruppe."),
    ),
    "stale": (
        _("%(count)s af %(total)s indsatser er ikke gennemgået i over et år, fx %(titles)s."),
        _("Tag dem op: Bliver de brugt, virker de, og passer de stadig til jeres behov?"),
    ),
    "individual_unsupported": (
        _("%(count)s af %(total)s indsatser for den enkelte har ingen opbakning i gruppen, fx %(titles)s."),
        _("Overvej, hvordan teamet kan tage dem op, fx som et fast punkt på teammøderne, og forbind dem på tavlen."),
    ),
}
# The same, when the finding concerns a single card.
ABOUT_MANY_ONE: dict[str, Msg] = {
    "isolated": _("“%(title)s” er ikke forbundet med nogen anden indsats."),
    "no_purpose": _("“%(title)s” har hverken en formålssætning eller et formål."),
    "unknown_effect": _("Effekten af “%(title)s” er ikke vurderet."),
    "no_owner": _("Der står ingen ansvarlig på “%(title)s”."),
    "stale": _("“%(title)s” er ikke gennemgået i over et år."),
    "individual_unsupported": _("“%(title)s” handler om den enkelte, men intet i gruppen bakker den op."),
}


def _about(item: InitiativeData, code: str) -> Finding:
    """A finding about one initiative, worded by ``ABOUT_ONE``: keyed by its id, pointing at its cell."""
    message, next_text = ABOUT_ONE[code]
    return Finding(
        code,
        f"{code}:i{item.id}",
        message % {"title": item.title},
        next_text,
        initiatives=(item.id,),
        cells=((item.level, item.dimension),),
    )


def _about_many(code: str, items: list[InitiativeData], total: int, dismissed: frozenset[str]) -> Iterator[Finding]:
    """One finding about every card a rule names (none if it names none), keyed for the whole mapping.

    A card someone judged not relevant for the rule (a dismissed ``code:i<id>``, as keys
    were when each card was a finding of its own) is left out.
    """
    if dismissed:
        items = [i for i in items if f"{code}:i{i.id}" not in dismissed]
    if not items:
        return
    message, next_text = ABOUT_MANY[code]
    if len(items) == 1:
        message = ABOUT_MANY_ONE[code]
    yield Finding(
        code,
        group_key(code),
        message
        % {
            "title": items[0].title,
            "count": len(items),
            "total": total,
            "titles": tuple(i.title for i in items[:TITLES_NAMED]),
        },
        next_text,
        initiatives=tuple(i.id for i in items),
        cells=tuple(dict.fromkeys((i.level, i.dimension) for i in items)),
    )


def _initiative_rules(initiatives: list[InitiativeData], today: date, dismissed: frozenset[str]) -> Iterator[Finding]:
    total = len(initiatives)
    no_purpose: list[InitiativeData] = []
    unknown: list[InitiativeData] = []
    no_owner: list[InitiativeData] = []
    stale: list[InitiativeData] = []
    for item in initiatives:
        if not item.purposes and not item.purpose_text.strip():
            no_purpose.append(item)
        if item.effect == "none":
            yield _about(item, "no_effect")
        elif item.effect == "unknown":
            unknown.append(item)
        if not item.owner.strip():
            no_owner.append(item)
        seen = item.reviewed_at or item.created
        if seen is not None and today - seen > STALE_AFTER:
            stale.append(item)
    yield from _about_many("no_purpose", no_purpose, total, dismissed)
    yield from _about_many("unknown_effect", unknown, total, dismissed)
    yield from _about_many("no_owner", no_owner, total, dismissed)
    yield from _about_many("stale", stale, total, dismissed)


MAX_KEY_IDS = 8  # a group's key names this many ids, then how many there are, so it fits a dismissal


def _group_key(code: str, ids: tuple) -> str:
    """``overlap:i3-i9`` for a pair (ids in id order); a large group names its first ids and its size."""
    key = f"{code}:" + "-".join(f"i{i}" for i in ids[:MAX_KEY_IDS])
    return key if len(ids) <= MAX_KEY_IDS else f"{key}-n{len(ids)}"


def _overlaps(initiatives: list[InitiativeData], links: list[LinkData]) -> Iterator[Finding]:
    """One finding per cluster of overlapping initiatives, and one per group of related ones not yet linked.

    What counts as an overlap, and as related, is stated in overlaps.py."""
    by_id = {i.id: i for i in initiatives}
    messages = {
        "title": _("“%(a)s” og “%(b)s” ligner hinanden."),
        "description": _("“%(a)s” og “%(b)s” er beskrevet næsten ens."),
        "purpose": _("“%(a)s” og “%(b)s” står i samme felt og tjener de samme formål."),
    }
    clusters, related = analyse_overlaps(initiatives, links)

    def cells(ids: tuple) -> tuple[tuple[str, str], ...]:
        return tuple(dict.fromkeys((by_id[i].level, by_id[i].dimension) for i in ids))

    for cluster in clusters:
        ids = cluster.ids
        if len(ids) == 2:
            text = messages[cluster.reason] % {"a": by_id[ids[0]].title, "b": by_id[ids[1]].title}
            next_text = _(
                "Tal om, hvorvidt de to er det samme. Læg dem sammen, eller skriv tydeligt, hvad der skiller dem ad."
            )
        else:
            text = _("%(count)s indsatser ligner hinanden: %(titles)s.") % {
                "count": len(ids),
                "titles": tuple(sorted(by_id[i].title for i in ids)),
            }
            next_text = _(
                "Tal om, hvilke af dem der er det samme. Læg dem sammen, eller skriv, hvad der skiller dem ad."
            )
        yield Finding(
            "overlap",
            _group_key("overlap", ids),
            text,
            next_text,
            initiatives=ids,
            cells=cells(ids),
            reason=cluster.reason,
        )
    for about, others in related:
        ids = tuple(sorted([*about, *others], key=id_order))
        titles = sorted(by_id[i].title for i in about) + sorted(by_id[i].title for i in others)
        yield Finding(
            "related_unlinked",
            _group_key("related_unlinked", ids),
            _("%(titles)s hører sammen, men er ikke forbundet. Forbind dem?") % {"titles": tuple(titles)},
            _(
                "Forbind dem på tavlen, så det er tydeligt, hvordan de hænger sammen, "
                "fx at den ene følger op på den anden."
            ),
            initiatives=ids,
            cells=cells(ids),
        )


def _link_rules(
    initiatives: list[InitiativeData],
    by_id: dict[int, InitiativeData],
    links: list[LinkData],
    dismissed: frozenset[str],
) -> Iterator[Finding]:
    neighbours: dict[int, set[int]] = defaultdict(set)
    outgoing: dict[int, list[LinkData]] = defaultdict(list)
    linked_levels: set[str] = set()
    mixed_levels: set[str] = set()  # levels with a link between a struktur and a kultur card of the level
    for link in links:
        neighbours[link.source].add(link.target)
        neighbours[link.target].add(link.source)
        outgoing[link.source].append(link)
        source, target = by_id[link.source], by_id[link.target]
        if source.level != target.level:
            linked_levels.update((source.level, target.level))
        elif source.dimension != target.dimension:
            mixed_levels.add(source.level)
    isolated: list[InitiativeData] = []
    unsupported_linked: list[InitiativeData] = []
    unsupported_alone: list[InitiativeData] = []
    for item in initiatives:
        if item.measures:
            targets = [by_id[link.target] for link in outgoing[item.id]]
            if not any(
                target.level == "ledelse" or link.kind in FOLLOW_UP_KINDS
                for link, target in zip(outgoing[item.id], targets, strict=True)
            ):
                yield _about(item, "measurement_not_followed_up")
            elif not _reaches_employees(item.id, by_id, outgoing):
                yield _about(item, "results_not_shared")
        if not neighbours[item.id]:
            isolated.append(item)
        if item.level == "individ" and not any(by_id[n].level == "gruppe" for n in neighbours[item.id]):
            (unsupported_linked if neighbours[item.id] else unsupported_alone).append(item)
    yield from _about_many("isolated", isolated, len(initiatives), dismissed)
    individual = sum(1 for i in initiatives if i.level == "individ")
    yield from _about_many("individual_unsupported", unsupported_linked + unsupported_alone, individual, dismissed)
    present = {i.level for i in initiatives}
    if len(present) > 1:
        for level in LEVELS:
            if level in present and level not in linked_levels:
                yield Finding(
                    "disconnected_level",
                    f"disconnected_level:{level}",
                    _("Intet %(at_level)s er forbundet med de andre niveauer.") % {"at_level": AT_LEVEL[level]},
                    _("Find mindst én indsats her, der hænger sammen med noget på et andet niveau, og forbind dem."),
                    initiatives=tuple(i.id for i in initiatives if i.level == level),
                    levels=(level,),
                )
    both = [
        level for level in LEVELS if {"struktur", "kultur"} <= {i.dimension for i in initiatives if i.level == level}
    ]
    unmixed = tuple(level for level in both if level not in mixed_levels)
    if unmixed:
        pairable = _same_purpose_across(initiatives, unmixed)
        yield Finding(
            "no_structure_culture_link",
            group_key("no_structure_culture_link"),
            _("Intet formelt (struktur) er forbundet med noget uformelt (kultur) på %(levels)s.")
            % {"levels": tuple(LEVEL_NAMES[level] for level in unmixed)},
            (
                _(
                    "Find på hvert niveau et formelt tiltag og det uformelle, der holder det i live, og forbind dem. "
                    "Begynd med dem, der tjener samme formål: %(titles)s."
                )
                % {"titles": tuple(i.title for i in pairable)}
                if pairable
                else _(
                    "Find på hvert niveau et formelt tiltag og det uformelle, der holder det i live "
                    "(fx MUS og den daglige sparring), og forbind dem."
                )
            ),
            initiatives=tuple(i.id for i in pairable),
            levels=unmixed,
        )


def _same_purpose_across(initiatives: list[InitiativeData], levels: tuple[str, ...]) -> list[InitiativeData]:
    """The cards of ``levels`` that serve a purpose some card on the other side of their level serves too:
    a struktur and a kultur card for the same thing are the pair a link would join (in the order given)."""
    served: dict[tuple[str, str], set[int]] = defaultdict(set)
    for item in initiatives:
        if item.level in levels:
            served[(item.level, item.dimension)].update(item.purposes)
    shared = {level: served[(level, "struktur")] & served[(level, "kultur")] for level in levels}
    return [i for i in initiatives if i.level in shared and i.purposes & shared[i.level]]


def _reaches_employees(start: int, by_id: dict[int, InitiativeData], outgoing: dict[int, list[LinkData]]) -> bool:
    """Whether a path of outgoing links from ``start`` leads to a forum where employees meet."""
    seen, frontier = {start}, [start]
    while frontier:
        for link in outgoing[frontier.pop()]:
            if link.target not in seen:
                if danish.is_dialogue_forum(by_id[link.target].title):
                    return True
                seen.add(link.target)
                frontier.append(link.target)
    return False


def _follow_up_rules(initiatives: list[InitiativeData], links: list[LinkData], data: MappingData) -> Iterator[Finding]:
    titles = "\n".join(i.title for i in initiatives)  # one search over all titles, not one per title
    if not danish.is_apv(titles):
        yield Finding(
            "no_apv",
            group_key("no_apv"),
            _("Der er ingen APV på tavlen. Arbejdspladsvurderingen er lovpligtig og skal også dække det psykiske."),
            _("Sæt jeres APV på tavlen, eller aftal med AMO, hvornår den næste bliver lavet og fulgt op."),
        )
    amo_cards = {i.id for i in initiatives if danish.names_amo(i.title)} if danish.names_amo(titles) else set()
    amo_linked = any(link.source in amo_cards or link.target in amo_cards for link in links)
    amo_owns = danish.names_amo("\n".join([*(i.owner for i in initiatives), *(a.owner for a in data.actions)]))
    if not (amo_linked or amo_owns):
        yield Finding(
            "amo_not_involved",
            group_key("amo_not_involved"),
            _("AMO (arbejdsmiljøorganisationen) står ikke som ansvarlig for noget og er ikke forbundet med noget."),
            _("Aftal, hvad AMO følger op på, fx APV'en og trivselsmålingen, og skriv AMO som ansvarlig der."),
            initiatives=tuple(amo_cards),
        )
    if not data.has_employee_input:
        yield Finding(
            "no_employee_input",
            group_key("no_employee_input"),
            _("Medarbejderne har ikke givet input til kortlægningen endnu."),
            _(
                "Hold en workshop, hvor medarbejderne fra deres telefon foreslår, bedømmer og kommenterer "
                "det, der står på tavlen."
            ),
        )


def _plan_rules(findings: list[Finding], data: MappingData) -> Iterator[Finding]:
    acted = {action.key for action in data.actions if action.key}
    wanted = IMPORTANT - {group_code(key) for key in acted}  # an action for a whole kind covers each of it
    skip = acted | data.dismissed
    important = [f for f in findings if f.code in wanted and f.key not in skip]
    if important:
        yield Finding(
            "important_without_action",
            group_key("important_without_action"),
            (
                _("Et vigtigt fund har endnu ingen handling.")
                if len(important) == 1
                else _("%(count)s vigtige fund har endnu ingen handling.") % {"count": len(important)}
            ),
            _(
                "Beslut for hvert vigtigt fund, hvad I vil gøre, og opret en handling, eller afvis fundet som ikke relevant."
            ),
            initiatives=tuple(dict.fromkeys(i for f in important for i in f.initiatives)),
        )
    incomplete = [a for a in data.actions if not a.is_done and (not a.owner.strip() or a.due is None)]
    if incomplete:
        yield Finding(
            "actions_incomplete",
            group_key("actions_incomplete"),
            (
                _("En handling mangler en ansvarlig eller en frist.")
                if len(incomplete) == 1
                else _("%(count)s handlinger mangler en ansvarlig eller en frist.") % {"count": len(incomplete)}
            ),
            _("Giv hver handling en ansvarlig og en frist, så den ikke går i glemmebogen."),
        )


# --- Overviews for the dashboard and the printed overview -------------------------------


def coverage_counts(initiatives: Iterable[InitiativeData]) -> dict[tuple[str, str], int]:
    """Active initiatives per cell (planned and paused ones do not cover a cell)."""
    counts = dict.fromkeys(CELLS, 0)
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
    return "some" if count < 4 else "full"


def purpose_matrix(data: MappingData) -> list[dict]:
    """For each purpose: per level, how many initiatives serve it (and in which dimension)."""
    counts = {p.id: dict.fromkeys(CELLS, 0) for p in data.purposes}
    for item in data.initiatives:
        for pid in item.purposes:
            if pid in counts:
                counts[pid][(item.level, item.dimension)] += 1
    result = []
    for purpose in {p.id: p for p in data.purposes}.values():
        served = counts[purpose.id]
        cells: list[dict] = []
        for level in LEVELS:
            struktur, kultur = served[(level, "struktur")], served[(level, "kultur")]
            cells.append({"level": level, "struktur": struktur, "kultur": kultur, "total": struktur + kultur})
        result.append({"purpose": purpose, "cells": cells, "total": sum(c["total"] for c in cells)})
    return result


MAX_CHAINS = 50
MAX_CHAIN_LENGTH = 12  # initiatives; a longer path is cut here
CHAIN_WALK_BUDGET = 20_000  # steps of the walk, so a dense web of links cannot explode

ChainStep = tuple[InitiativeData, LinkData | None]


def chains(data: MappingData) -> list[list[ChainStep]]:
    """The paths a reader can follow through the links, longest first: the dashboard and the PDF show them.

    A chain is a path of at least two links (three initiatives) in the links'
    direction. It starts at an initiative no link points to (in a loop with no
    such start: at a member no chain has visited yet) and goes on until no link
    leads further or the next would repeat an initiative; where links fork,
    each branch is a chain of its own. A single link is not a chain: the list
    of links shows it. At most ``MAX_CHAINS`` chains of at most
    ``MAX_CHAIN_LENGTH`` initiatives, found within ``CHAIN_WALK_BUDGET`` steps.
    Each step is (initiative, the link that led there); the first has None.
    """
    by_id = {i.id: i for i in data.initiatives}
    outgoing: dict[int, list[LinkData]] = defaultdict(list)
    has_incoming: set[int] = set()
    for link in data.links:
        if link.source in by_id and link.target in by_id:
            outgoing[link.source].append(link)
            has_incoming.add(link.target)
    found: list[list[ChainStep]] = []
    budget = CHAIN_WALK_BUDGET

    def walk(path: list[ChainStep]) -> None:
        nonlocal budget
        budget -= 1
        current = path[-1][0].id
        reached.add(current)
        on_path = {item.id for item, _link in path}
        nexts = [link for link in outgoing[current] if link.target not in on_path]
        if not nexts or len(path) >= MAX_CHAIN_LENGTH:
            if len(path) >= 3:
                found.append(path)
            return
        for link in nexts:
            if len(found) >= MAX_CHAINS or budget <= 0:
                return
            walk([*path, (by_id[link.target], link)])

    linked = [i for i in data.initiatives if outgoing[i.id]]
    starts = [i for i in linked if i.id not in has_incoming]
    reached: set[int] = set()
    frontier = [i.id for i in starts]
    while frontier:
        if (current := frontier.pop()) not in reached:
            reached.add(current)
            frontier += [link.target for link in outgoing[current]]
    for item in starts:
        walk([(item, None)])
    for item in linked:  # a loop that no start leads into begins at its first member
        if item.id not in reached:
            walk([(item, None)])
    found.sort(key=lambda path: (-len(path), path[0][0].title))
    return found


def summary(findings: Iterable[Finding]) -> dict:
    findings = list(findings)
    severities, steps = Counter(f.severity for f in findings), Counter(f.step for f in findings)
    return {
        "total": len(findings),
        "by_severity": {severity: severities[severity] for severity in SEVERITY_ORDER},
        "by_step": {step: steps[step] for step in STEPS},
    }


# --- Keys: an action for every finding of a kind; keys across an export and import -------

GROUP_SUFFIX = ":alle"


def group_key(code: str) -> str:
    """The key an action made for all findings of one kind carries."""
    return code + GROUP_SUFFIX


def group_code(key: str) -> str | None:
    """The kind of finding a ``group_key`` names; None for the key of a single finding."""
    code = key.removesuffix(GROUP_SUFFIX)
    return code if code != key and code in CODES else None


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
