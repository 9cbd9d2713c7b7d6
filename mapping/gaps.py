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
    "related_unlinked": (2, LOW, gettext_lazy("Indsatser, der hører sammen, men ikke er forbundet")),
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


class Msg:
    """A message id (and its parameters), translated when shown: the analysis itself never calls gettext (it is hot)."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, params: dict | None = None):
        self.msgid, self.params = msgid, params

    def __mod__(self, params: dict) -> "Msg":
        return Msg(self.msgid, params)

    def render(self) -> str:
        text = gettext(self.msgid)
        return text if self.params is None else text % {key: str(value) for key, value in self.params.items()}


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
    findings += _overlaps(initiatives, links)
    findings += _link_rules(initiatives, by_id, links)
    findings.sort(key=lambda f: (f.step, SEVERITY_ORDER[f.severity], list(CODES).index(f.code)))
    return findings


def _cell_rules(initiatives: list[InitiativeData]) -> Iterator[Finding]:
    counts = coverage_counts(initiatives)
    for level in LEVELS:
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
        struktur, kultur = counts[(level, "struktur")], counts[(level, "kultur")]
        if struktur and not kultur:
            yield Finding(
                "one_sided_level",
                f"one_sided_level:{level}",
                _("På niveauet %(level)s er alt formelt (struktur); intet uformelt (kultur) bærer det.")
                % {"level": Level(level).label},
                _("Overvej, hvad der i hverdagen holder de formelle tiltag i live: sparring, fællesskab, tonen."),
                cells=((level, "kultur"),),
                levels=(level,),
            )
        elif kultur and not struktur:
            yield Finding(
                "one_sided_level",
                f"one_sided_level:{level}",
                _("På niveauet %(level)s er alt uformelt (kultur); intet er sat i system (struktur).")
                % {"level": Level(level).label},
                _("Overvej, om noget af det uformelle skal have en fast ramme, så det ikke hviler på få personer."),
                cells=((level, "struktur"),),
                levels=(level,),
            )


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
                _("Formålet “%(purpose)s” tjenes kun på niveauet %(level)s.")
                % {"purpose": purpose.title, "level": Level(level).label},
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
    "no_purpose": (
        _("“%(title)s” har ikke fået et formål."),
        _("Skriv i én sætning, hvad indsatsen skal gøre for arbejdsmiljøet, eller overvej, om I har brug for den."),
    ),
    "no_effect": (
        _("I har vurderet, at “%(title)s” ikke har nogen effekt."),
        _("Justér indsatsen, eller stop den og brug tiden på noget, der virker."),
    ),
    "unknown_effect": (
        _("I ved ikke, om “%(title)s” virker."),
        _("Aftal, hvordan I finder ud af det: spørg dem, det gælder, eller tag den op ved næste gennemgang."),
    ),
    "no_owner": (
        _("Ingen står som ansvarlig for “%(title)s”."),
        _("Aftal, hvem der holder indsatsen i gang: en person, en rolle eller en gruppe."),
    ),
    "stale": (
        _("“%(title)s” er ikke gennemgået i over et år."),
        _("Tag den op: Bliver den brugt, virker den, og passer den stadig til jeres behov?"),
    ),
    "no_employee_input": (
        _("Ingen medarbejder har bedømt “%(title)s” i en workshop."),
        _(
            "Spørg dem, indsatsen er til: Er formålet klart, og virker den? "
            "Sæt den på til bedømmelse ved næste workshop."
        ),
    ),
    "measurement_not_followed_up": (
        _("Resultaterne fra “%(title)s” går ikke videre til ledelsen eller til et sted, hvor der følges op."),
        _(
            "Forbind målingen med det møde, hvor ledelsen tager resultaterne op, "
            "og derfra videre til en snak med medarbejderne."
        ),
    ),
    "isolated": (
        _("“%(title)s” er ikke forbundet med nogen anden indsats."),
        _("Find ud af, hvad den bygger på eller giver videre til, og forbind dem på tavlen."),
    ),
    "individual_unsupported": (
        _("“%(title)s” handler om den enkelte, men intet i gruppen eller teamet bakker den op."),
        _("Overvej, hvordan teamet kan tage den op, fx som et fast punkt på teammøderne."),
    ),
}
NEVER_REVIEWED = _("“%(title)s” har været på kortet i over et år uden at blive gennemgået.")


def _about(item: InitiativeData, code: str, text: Msg | None = None) -> Finding:
    """A finding about one initiative, worded by ``ABOUT_ONE``: keyed by its id, pointing at its cell."""
    message, next_text = ABOUT_ONE[code]
    return Finding(
        code,
        f"{code}:i{item.id}",
        (text or message) % {"title": item.title},
        next_text,
        initiatives=(item.id,),
        cells=((item.level, item.dimension),),
    )


def _initiative_rules(initiatives: list[InitiativeData], today: date) -> Iterator[Finding]:
    for item in initiatives:
        if not item.purposes:
            yield _about(item, "no_purpose")
        if item.effect == "none":
            yield _about(item, "no_effect")
        elif item.effect == "unknown":
            yield _about(item, "unknown_effect")
        if not item.owner.strip():
            yield _about(item, "no_owner")
        seen = item.reviewed_at or item.created
        if seen is not None and today - seen > STALE_AFTER:
            yield _about(item, "stale", None if item.reviewed_at else NEVER_REVIEWED)


def _input_rules(initiatives: list[InitiativeData], data: MappingData) -> Iterator[Finding]:
    if data.has_workshop:
        for item in initiatives:
            if item.status == "active" and item.id not in data.rated:
                yield _about(item, "no_employee_input")


MAX_TITLES = 5  # a finding about a group of initiatives names this many titles; its ``initiatives`` lists them all
MAX_KEY_IDS = 8  # a group's key names this many ids, then how many there are, so it fits a dismissal


class TitleList:
    """Titles in quotes, “A”, “B” og “C”, at most ``MAX_TITLES`` and then how many more: worded when shown."""

    __slots__ = ("titles",)

    def __init__(self, titles: list[str]):
        self.titles = titles

    def __str__(self) -> str:
        quoted = [f"“{title}”" for title in self.titles[:MAX_TITLES]]
        more = len(self.titles) - len(quoted)
        if more:
            return gettext("%(titles)s og %(count)s flere") % {"titles": ", ".join(quoted), "count": more}
        return gettext("%(titles)s og %(last)s") % {"titles": ", ".join(quoted[:-1]), "last": quoted[-1]}


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
                "titles": TitleList(sorted(by_id[i].title for i in ids)),
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
            _("%(titles)s hører sammen, men er ikke forbundet. Forbind dem?") % {"titles": TitleList(titles)},
            _(
                "Forbind dem på tavlen, så det er tydeligt, hvordan de hænger sammen, "
                "fx at den ene følger op på den anden."
            ),
            initiatives=ids,
            cells=cells(ids),
        )


def _link_rules(
    initiatives: list[InitiativeData], by_id: dict[int, InitiativeData], links: list[LinkData]
) -> Iterator[Finding]:
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
    for item in initiatives:
        if item.is_measurement and not any(
            by_id[link.target].level == "ledelse" or link.kind in FOLLOW_UP_KINDS for link in outgoing[item.id]
        ):
            yield _about(item, "measurement_not_followed_up")
        if not neighbours[item.id]:
            yield _about(item, "isolated")
        elif item.level == "individ" and not any(by_id[n].level == "gruppe" for n in neighbours[item.id]):
            # An isolated card already says it has no links; this rule is about linked ones.
            yield _about(item, "individual_unsupported")
    present = {i.level for i in initiatives}
    if len(present) > 1:
        for level in LEVELS:
            if level in present and level not in linked_levels:
                yield Finding(
                    "disconnected_level",
                    f"disconnected_level:{level}",
                    _("Intet på niveauet %(level)s er forbundet med de andre niveauer.")
                    % {"level": Level(level).label},
                    _("Find mindst én indsats her, der hænger sammen med noget på et andet niveau, og forbind dem."),
                    initiatives=tuple(i.id for i in initiatives if i.level == level),
                    levels=(level,),
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
