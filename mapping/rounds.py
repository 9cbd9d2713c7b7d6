"""Rounds without a database: the next round's title, and what changed between two rounds.

Two rounds are compared through lineage, never through text: a carried card
remembers its predecessor, so a renamed card is the same card, and a card
with the same title but no lineage is new. Findings are the same finding
when their rule and their cards (through lineage) are the same.
"""

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import gaps
from .levels import cell_label

YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
ROUND = re.compile(r"\s*\((?:runde|round)\s+(\d+)\)\s*$", re.IGNORECASE)
MAX_TITLE = 200


def next_title(title: str, taken: Collection[str] = ()) -> str:
    """ "Kortlægning 2027" after "Kortlægning 2026"; without a year, "… (runde 2)", "… (runde 3)".

    A title already in ``taken`` gets a round number after it instead.
    """
    years = list(YEAR.finditer(title))
    if years:
        last = years[-1]
        candidate = title[: last.start()] + str(int(last.group()) + 1) + title[last.end() :]
    else:
        candidate = _numbered(title)
    while candidate in taken:
        candidate = _numbered(candidate)
    return candidate


def _numbered(title: str) -> str:
    match = ROUND.search(title)
    base, number = (title[: match.start()], int(match.group(1)) + 1) if match else (title, 2)
    word = gettext("runde")
    suffix = f" ({word} {number})"
    return base[: MAX_TITLE - len(suffix)] + suffix


@dataclass(frozen=True)
class CardData:
    id: int
    predecessor: int | None
    title: str
    level: str
    dimension: str
    effect: str
    status: str
    purposes: frozenset[str] = frozenset()  # titles: purposes are matched by name across rounds

    @property
    def cell(self) -> str:
        return cell_label(self.level, self.dimension)


@dataclass(frozen=True)
class ActionData:
    id: int
    predecessor: int | None
    title: str
    status: str
    is_done: bool


@dataclass(frozen=True)
class FindingData:
    code: str
    key: str
    message: str
    heading: str
    # One card's or level's share of a finding the dashboard shows as one (``gaps.group_code``).
    is_share: bool = False


@dataclass(frozen=True)
class RoundData:
    """One round as plain data: its cards, links (source, target), open findings, actions and
    employees' average "it works" per card where the group was large enough (others absent)."""

    cards: tuple[CardData, ...]
    links: frozenset[tuple[int, int]]
    findings: tuple[FindingData, ...]
    actions: tuple[ActionData, ...]
    purposes: Mapping[int, str] = field(default_factory=dict)  # id -> title
    ratings: Mapping[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass
class Comparison:
    added: list[CardData] = field(default_factory=list)
    removed: list[CardData] = field(default_factory=list)
    moved: list[tuple[CardData, CardData]] = field(default_factory=list)
    changed: list[tuple[CardData, list[Change]]] = field(default_factory=list)
    links_added: list[tuple[str, str]] = field(default_factory=list)
    links_removed: list[tuple[str, str]] = field(default_factory=list)
    findings_resolved: list[FindingData] = field(default_factory=list)
    findings_new: list[FindingData] = field(default_factory=list)
    findings_kept: int = 0
    actions_done: list[ActionData] = field(default_factory=list)
    actions_carried: list[ActionData] = field(default_factory=list)
    actions_dropped: list[ActionData] = field(default_factory=list)
    actions_new: list[ActionData] = field(default_factory=list)
    ratings: list[tuple[str, float, float]] = field(default_factory=list)  # title, then, now

    @property
    def is_empty(self) -> bool:
        return not any(
            (self.added, self.removed, self.moved, self.changed, self.links_added, self.links_removed)
            + (self.findings_resolved, self.findings_new, self.actions_done, self.actions_dropped, self.actions_new)
        )


def ancestor(start: int | None, targets: Collection[int], lineage: Mapping[int, int | None]) -> int | None:
    """Follow predecessors from ``start`` until one is in ``targets`` (rounds between are in ``lineage``)."""
    seen = 0
    while start is not None and start not in targets and seen <= len(lineage):
        start = lineage.get(start)
        seen += 1
    return start if start in targets else None


def compare(
    then: RoundData,
    now: RoundData,
    card_lineage: Mapping[int, int | None] | None = None,
    action_lineage: Mapping[int, int | None] | None = None,
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> Comparison:
    """What changed from round ``then`` to the later round ``now`` of the same series.

    ``card_lineage`` and ``action_lineage``: id -> predecessor for the rounds
    in between, when the two are not neighbours. ``labels``: the display
    names of effect and status values.
    """
    card_lineage = card_lineage or {}
    action_lineage = action_lineage or {}
    labels = labels or {}
    result = Comparison()
    old_cards = {c.id: c for c in then.cards}
    # now's card id -> then's card id, through lineage
    matched: dict[int, int] = {}
    for card in now.cards:
        origin = ancestor(card.predecessor, old_cards, card_lineage)
        if origin is None or origin in matched.values():
            result.added.append(card)
            continue
        matched[card.id] = origin
        before = old_cards[origin]
        if (before.level, before.dimension) != (card.level, card.dimension):
            result.moved.append((before, card))
        changes = _changes(before, card, labels)
        if changes:
            result.changed.append((card, changes))
        if origin in then.ratings and card.id in now.ratings:
            result.ratings.append((card.title, then.ratings[origin], now.ratings[card.id]))
    kept = set(matched.values())
    result.removed = [c for c in then.cards if c.id not in kept]

    titles_then = {c.id: c.title for c in then.cards}
    titles_now = {c.id: c.title for c in now.cards}
    carried_links = set()
    for source, target in sorted(now.links):
        pair = (matched.get(source), matched.get(target))
        if pair in then.links:
            carried_links.add(pair)
        else:
            result.links_added.append((titles_now.get(source, "?"), titles_now.get(target, "?")))
    result.links_removed = [
        (titles_then.get(s, "?"), titles_then.get(t, "?")) for s, t in sorted(then.links) if (s, t) not in carried_links
    ]

    # A finding of ``now`` is the same as one of ``then`` when its key, with now's card
    # and purpose ids put back to then's, is then's key.
    purpose_ids = {title.casefold(): pk for pk, title in then.purposes.items()}
    id_map = {f"i{new}": f"i{old}" for new, old in matched.items()}
    id_map |= {
        f"p{pk}": f"p{purpose_ids[title.casefold()]}"
        for pk, title in now.purposes.items()
        if title.casefold() in purpose_ids
    }
    old_keys = {f.key for f in then.findings}
    still = set()
    open_still: set[str] = set()  # as the dashboard counts them: a grouped finding once
    for finding in now.findings:
        key = gaps.remap_key(finding.key, id_map)
        if key in old_keys:
            still.add(key)
            open_still.add(finding.code if finding.is_share else key)
        else:
            result.findings_new.append(finding)
    result.findings_kept = len(open_still)
    result.findings_resolved = [f for f in then.findings if f.key not in still]

    old_actions = {a.id: a for a in then.actions}
    followed: dict[int, ActionData] = {}
    for action in now.actions:
        origin = ancestor(action.predecessor, old_actions, action_lineage)
        if origin is None or origin in followed:
            result.actions_new.append(action)
        else:
            followed[origin] = action
    for action in then.actions:
        later = followed.get(action.id)
        if action.is_done or (later is not None and later.is_done):
            result.actions_done.append(later or action)
        elif later is not None:
            result.actions_carried.append(later)
        else:
            result.actions_dropped.append(action)
    return result


def _changes(before: CardData, after: CardData, labels: Mapping[str, Mapping[str, str]]) -> list[Change]:
    changes = []
    if before.title != after.title:
        changes.append(Change(gettext("Titel"), before.title, after.title))
    for name, label in (("effect", _("Effekt")), ("status", _("Status"))):
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            shown = labels.get(name, {})
            changes.append(Change(str(label), shown.get(old, old), shown.get(new, new)))
    if {p.casefold() for p in before.purposes} != {p.casefold() for p in after.purposes}:
        changes.append(
            Change(
                gettext("Formål"), ", ".join(sorted(before.purposes)) or "—", ", ".join(sorted(after.purposes)) or "—"
            )
        )
    return changes


def discussion_topics(employee_count: int | None, has_amo: bool) -> dict[str, bool]:
    """What the annual discussion covers besides goals and cooperation: with an AMO (required from
    10 employees) the competence plan of its members; below 10 without one, whether the needed
    work-environment knowledge is present. An unknown size without an AMO asks both."""
    asks_competence_plan = has_amo or (employee_count is not None and employee_count >= 10)
    asks_knowledge = not has_amo and (employee_count is None or employee_count < 10)
    return {"asks_competence_plan": asks_competence_plan, "asks_knowledge": asks_knowledge}
