"""Rounds: a mapping comes back every year as the next round of its series.

``start_next_round`` carries a round over (initiatives, purposes, links, open
actions, the goals set for the coming year, each remembering its
predecessor) and closes the old round for writes. The annual
work-environment discussion of a round is its ``Discussion`` and its
``Goal``s: goals set in one round come back in the next to be evaluated.
"""

from collections.abc import Iterable, Iterator
from datetime import date

from django.core.cache import cache
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .. import gaps
from ..levels import Level
from ..rounds import ActionData, CardData, Comparison, FindingData, RoundData, compare, next_title
from .choices import ActionStatus, Effect, InitiativeStatus, WorkshopStatus, choices_check
from .mappings import Analysis, Conflict, EditedTogether, Initiative, Link, Mapping, Purpose
from .plans import Action, FindingDismissal

# The record's text fields, in the order the form and the PDF show them.
DISCUSSION_TEXTS = (
    "participants",
    "cooperation",
    "meeting_interval",
    "competence_plan",
    "knowledge",
    "decisions",
    "follow_up",
)
INITIATIVE_CARRIED = (
    "title",
    "description",
    "level",
    "dimension",
    "position",
    "status",
    "owner",
    "cadence",
    "effect",
    "is_measurement",
    "reviewed_at",
)
ACTION_CARRIED = ("title", "description", "finding_code", "owner", "due", "burden", "effort", "status")


class RoundExists(Exception):
    """The round already has a next round: a series is a line, one round after another."""

    def __init__(self, successor: Mapping):
        super().__init__(successor)
        self.successor = successor


class GoalEvaluation(models.TextChoices):
    NONE = "", _("Ikke vurderet")
    REACHED = "reached", _("Nået")
    PARTLY = "partly", _("Delvist nået")
    NOT_REACHED = "not_reached", _("Ikke nået")


class Discussion(EditedTogether):
    """The record of a round's annual work-environment discussion (den årlige arbejdsmiljødrøftelse)."""

    mapping = models.OneToOneField(Mapping, on_delete=models.CASCADE, related_name="discussion")
    held_on = models.DateField(_("dato for drøftelsen"), null=True, blank=True)
    participants = models.TextField(
        _("deltagere"), blank=True, max_length=3000, help_text=_("Navne og roller, fx “Anna Holm, leder”.")
    )
    cooperation = models.TextField(
        _("sådan samarbejder vi om arbejdsmiljøet"),
        blank=True,
        max_length=5000,
        help_text=_("Formen: fx AMO-møder, punkt på personalemøder, en arbejdsmiljørepræsentant."),
    )
    meeting_interval = models.CharField(
        _("mødeintervaller"), blank=True, max_length=500, help_text=_("Fx “AMO mødes hvert kvartal”.")
    )
    competence_plan = models.TextField(
        _("kompetenceplan for AMO's medlemmer"),
        blank=True,
        max_length=5000,
        help_text=_("Hvilken uddannelse og viden AMO's medlemmer skal have det kommende år."),
    )
    knowledge = models.TextField(
        _("har vi den nødvendige viden om arbejdsmiljø?"),
        blank=True,
        max_length=5000,
        help_text=_("Hvor der ikke er en AMO: hvilken viden har I, og hvad mangler I?"),
    )
    decisions = models.TextField(_("beslutninger"), blank=True, max_length=5000)
    follow_up = models.TextField(_("opfølgning"), blank=True, max_length=5000, help_text=_("Hvem gør hvad, hvornår."))
    version = models.PositiveIntegerField(default=1)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("drøftelse")
        verbose_name_plural = _("drøftelser")

    def __str__(self) -> str:
        return str(self.mapping)

    conflict_message = _("En anden har gemt referatet, mens du skrev.")

    @classmethod
    def of(cls, mapping: Mapping) -> "Discussion":
        """The round's record; an empty one (not saved) until someone writes it."""
        try:
            return mapping.discussion
        except cls.DoesNotExist:
            return cls(mapping=mapping, version=0)

    def save_record(self, data: dict, *, version: int) -> "Discussion | Conflict[Discussion]":
        """Save the form's fields: the first save creates the record (version 0 means "none yet")."""
        if version == 0 and self.pk is None:
            with self.mapping.change() as change:
                existing = Discussion.objects.filter(mapping=self.mapping).first()
                if existing is not None:
                    change.cancel()
                else:
                    for name, value in data.items():
                        setattr(self, name, value)
                    self.version = 1
                    self.save()
                    return self
            assert existing is not None  # noqa: S101 - set when the first save lost the race
            return existing.save_edit(data, version=version)
        return self.save_edit(data, version=version)

    @property
    def next_due(self):
        """Twelve months after the discussion was held."""
        if self.held_on is None:
            return None
        try:
            return self.held_on.replace(year=self.held_on.year + 1)
        except ValueError:  # 29 February
            return self.held_on.replace(year=self.held_on.year + 1, day=28)


class Goal(EditedTogether):
    """A goal of the annual discussion. Set in one round for the coming year (``is_carried`` False);
    carried to the next round (``is_carried`` True) to be evaluated there."""

    Evaluation = GoalEvaluation

    mapping = models.ForeignKey(Mapping, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("mål"), max_length=300)
    is_carried = models.BooleanField(default=False, editable=False)
    predecessor = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="successors", editable=False
    )
    evaluation = models.CharField(
        _("vurdering"), max_length=20, blank=True, choices=GoalEvaluation.choices, default=GoalEvaluation.NONE
    )
    comment = models.TextField(_("kommentar"), blank=True, max_length=3000)
    actions = models.ManyToManyField(Action, blank=True, related_name="goals", verbose_name=_("handlinger"))
    initiatives = models.ManyToManyField(Initiative, blank=True, related_name="goals", verbose_name=_("indsatser"))
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            choices_check("evaluation", GoalEvaluation, "goal"),
            models.CheckConstraint(condition=~Q(title=""), name="goal_title_not_empty"),
        ]
        verbose_name = _("mål")
        verbose_name_plural = _("mål")

    def __str__(self) -> str:
        return self.title

    conflict_message = _("En anden har gemt målet, mens du skrev.")

    def set_related(self, name: str, values: Iterable[models.Model]) -> None:
        """Only the round's own actions and initiatives; anything else is left out, never stored."""
        values = [v for v in values if getattr(v, "mapping_id", None) == self.mapping_id]
        super().set_related(name, values)


def start_next_round(mapping: Mapping) -> Mapping:
    """Carry ``mapping`` over to its next round and close it for writes; returns the new round.

    Carried: purposes, active initiatives (with their purposes), links between
    them, actions not yet done (with their initiatives), dismissed findings,
    and the goals set for the coming year, which come back to be evaluated.
    Finished actions, deleted cards and the workshops' input stay with the old
    round. Raises ``RoundExists`` when the round already has a next one.
    """
    with mapping.change(admits_read_only=True):
        successor = Mapping.objects.filter(predecessor=mapping).first()
        if successor is not None:
            raise RoundExists(successor)
        titles = set(mapping.organisation.mappings.values_list("title", flat=True))
        try:
            with transaction.atomic():
                new = Mapping.objects.create(
                    organisation=mapping.organisation,
                    title=next_title(mapping.title, titles),
                    wip_limit=mapping.wip_limit,
                    predecessor=mapping,
                )
        except IntegrityError:
            raise RoundExists(Mapping.objects.get(predecessor=mapping)) from None
        _carry(mapping, new)
        Mapping.objects.filter(pk=mapping.pk).update(is_read_only=True)
        mapping.is_read_only = True
        for workshop in mapping.workshops.filter(status=WorkshopStatus.OPEN):
            workshop.close()
    return new


def _carry(old: Mapping, new: Mapping) -> None:
    """The bulk copy of ``start_next_round``: a fixed number of queries, whatever the size."""
    purposes = list(old.purposes.order_by("id"))
    new_purposes = Purpose.objects.bulk_create(
        [Purpose(mapping=new, title=p.title, description=p.description) for p in purposes]
    )
    purpose_map = {p.pk: n.pk for p, n in zip(purposes, new_purposes, strict=True)}

    initiatives = list(old.initiatives.active().order_by("level", "dimension", "position", "id"))
    new_initiatives = Initiative.objects.bulk_create(
        [
            Initiative(mapping=new, predecessor_id=i.pk, **{f: getattr(i, f) for f in INITIATIVE_CARRIED})
            for i in initiatives
        ]
    )
    card_map = {i.pk: n.pk for i, n in zip(initiatives, new_initiatives, strict=True)}
    Through = Initiative.purposes.through
    Through.objects.bulk_create(
        [
            Through(initiative_id=card_map[initiative], purpose_id=purpose_map[purpose])
            for initiative, purpose in Through.objects.filter(initiative__in=card_map).values_list(
                "initiative_id", "purpose_id"
            )
        ]
    )
    Link.objects.bulk_create(
        [
            Link(mapping=new, source_id=card_map[s], target_id=card_map[t], kind=kind, note=note)
            for s, t, kind, note in old.links.values_list("source_id", "target_id", "kind", "note")
            if s in card_map and t in card_map
        ]
    )

    # Finding keys name cards and purposes by id: the carried ones by their new ids.
    id_map = {f"i{o}": f"i{n}" for o, n in card_map.items()} | {f"p{o}": f"p{n}" for o, n in purpose_map.items()}
    actions = list(old.actions.exclude(status=ActionStatus.DONE).order_by("id"))
    new_actions = Action.objects.bulk_create(
        [
            Action(
                mapping=new,
                predecessor_id=a.pk,
                finding_key=gaps.remap_key(a.finding_key, id_map),
                **{f: getattr(a, f) for f in ACTION_CARRIED},
            )
            for a in actions
        ]
    )
    action_map = {a.pk: n.pk for a, n in zip(actions, new_actions, strict=True)}
    ActionThrough = Action.initiatives.through
    ActionThrough.objects.bulk_create(
        [
            ActionThrough(action_id=action_map[a], initiative_id=card_map[i])
            for a, i in ActionThrough.objects.filter(action__in=action_map).values_list("action_id", "initiative_id")
            if i in card_map
        ]
    )
    FindingDismissal.objects.bulk_create(
        [
            FindingDismissal(mapping=new, key=key, code=d.code)
            for d in old.dismissals.order_by("id")
            if (key := gaps.remap_key(d.key, id_map))
        ],
        ignore_conflicts=True,
    )

    goals = list(old.goals.filter(is_carried=False).prefetch_related("actions", "initiatives"))
    new_goals = Goal.objects.bulk_create(
        [Goal(mapping=new, title=g.title, is_carried=True, predecessor=g) for g in goals]
    )
    Goal.actions.through.objects.bulk_create(
        [
            Goal.actions.through(goal_id=n.pk, action_id=action_map[a.pk])
            for g, n in zip(goals, new_goals, strict=True)
            for a in g.actions.all()
            if a.pk in action_map
        ]
    )
    Goal.initiatives.through.objects.bulk_create(
        [
            Goal.initiatives.through(goal_id=n.pk, initiative_id=card_map[i.pk])
            for g, n in zip(goals, new_goals, strict=True)
            for i in g.initiatives.all()
            if i.pk in card_map
        ]
    )


def set_read_only(mapping: Mapping, is_read_only: bool) -> None:
    """Close a round for writes or reopen it (a facilitator's choice); live pages see it change."""
    with mapping.change(admits_read_only=True):
        Mapping.objects.filter(pk=mapping.pk).update(is_read_only=is_read_only)
    mapping.is_read_only = is_read_only


def series(mapping: Mapping) -> list[Mapping]:
    """The rounds of ``mapping``'s series, oldest first."""
    rounds = {m.pk: m for m in mapping.organisation.mappings.all()}
    return next((s for s in series_of(list(rounds.values())) if mapping.pk in {m.pk for m in s}), [mapping])


def series_of(mappings: list[Mapping]) -> list[list[Mapping]]:
    """Mappings grouped into series (each oldest first); the series with the newest round first."""
    by_pk = {m.pk: m for m in mappings}
    successor = {m.predecessor_id: m for m in mappings if m.predecessor_id in by_pk}
    found = []
    for m in mappings:
        if m.predecessor_id in by_pk:
            continue  # not the first of its series
        line = [m]
        while line[-1].pk in successor:
            line.append(successor[line[-1].pk])
        found.append(line)
    found.sort(key=lambda line: (max(r.created for r in line), max(r.pk for r in line)), reverse=True)
    return found


def last_discussion(organisation) -> Discussion | None:
    """The organisation's most recent annual discussion that has a date."""
    return (
        Discussion.objects.filter(mapping__organisation=organisation, held_on__isnull=False)
        .select_related("mapping")
        .order_by("-held_on", "-id")
        .first()
    )


# Where a round is in its own work, not what changed on the map: every new round starts without input.
NOT_COMPARED = frozenset({"no_employee_input"})


def _per_card(findings: list, card_titles: dict[int, str]) -> Iterator[FindingData]:
    """Findings as rounds compare them: by rule and card, each with its heading and what it is about
    (the pages print "heading: message"). A finding that names every card of a
    rule (one key for the whole mapping) counts once per card, so a card that left it is resolved;
    one about levels (``no_structure_culture_link``) once per level, so a level that got its link is."""
    for f in findings:
        if gaps.group_code(f.key) is None:
            yield FindingData(f.code, f.key, f.message, f.heading)
            continue
        heading = f.heading
        if f.levels:
            for level in f.levels:
                yield FindingData(f.code, f"{f.code}:{level}", str(Level(level).label), heading, is_share=True)
            continue
        if not f.initiatives:  # about the whole mapping (no APV, the AMO not involved): once, by its key
            if f.code not in NOT_COMPARED:
                yield FindingData(f.code, f.key, f.message, heading)
            continue
        for pk in f.initiatives:
            yield FindingData(f.code, f"{f.code}:i{pk}", f"“{card_titles.get(pk, '')}”", heading, is_share=True)


def round_data(mapping: Mapping, minimum: int, analysis: Analysis | None = None) -> RoundData:
    """A round as plain data for ``rounds.compare``, read with its analysis (``Mapping.findings()``,
    or the one the caller already has): its active cards and the links between them, open findings,
    actions, and employees' ratings only where at least ``minimum`` answered (``with_employee_rating``)."""
    analysis = analysis or mapping.findings()
    data = analysis.data
    purposes = {p.id: p.title for p in data.purposes}
    lineage = {
        pk: (predecessor, works)
        for pk, predecessor, works in mapping.initiatives.active()
        .with_employee_rating(minimum)
        .values_list("pk", "predecessor_id", "employee_works")  # type: ignore[misc]
    }
    return RoundData(
        cards=tuple(
            CardData(
                i.id,
                lineage.get(i.id, (None, None))[0],
                i.title,
                i.level,
                i.dimension,
                i.effect,
                i.status,
                frozenset(purposes[p] for p in i.purposes if p in purposes),
            )
            for i in data.initiatives
        ),
        links=frozenset((link.source, link.target) for link in data.links),
        findings=tuple(_per_card(analysis.open, {i.id: i.title for i in data.initiatives})),
        actions=tuple(
            ActionData(pk, pred, title, status, status == ActionStatus.DONE)
            for pk, pred, title, status in mapping.actions.order_by("-burden", "id").values_list(
                "pk", "predecessor_id", "title", "status"
            )
        ),
        purposes=purposes,
        ratings={pk: works for pk, (_pred, works) in lineage.items() if works is not None},
    )


ROUND_DATA_SECONDS = 3600


def closed_round_data(mapping: Mapping, minimum: int) -> RoundData:
    """``round_data``, from the cache for a read-only round: nothing in it moves (its workshops are
    closed, writes refused), so its analysis is read once. The key names all it reads besides the
    round: its version, the group size, the day (findings age) and the language (messages)."""
    if not mapping.is_read_only:
        return round_data(mapping, minimum)
    key = "round-data:" + ":".join(
        str(part) for part in (mapping.pk, mapping.version, minimum, timezone.localdate(), get_language())
    )
    data = cache.get(key)
    if data is None:
        data = round_data(mapping, minimum)
        cache.set(key, data, ROUND_DATA_SECONDS)
    return data


def compare_rounds(
    one: Mapping, other: Mapping, known: dict[int, RoundData] | None = None
) -> tuple[Mapping, Mapping, Comparison] | None:
    """The earlier and the later of two rounds of one series, and what changed; None when they are
    not of one series. ``known``: rounds already read (``round_data``), by id."""
    line = series(one)
    ids = [m.pk for m in line]
    if other.pk not in ids or one.pk == other.pk:
        return None
    then, now = sorted((one, other), key=lambda m: ids.index(m.pk))
    between = [m.pk for m in line[ids.index(then.pk) + 1 : ids.index(now.pk)]]
    card_lineage = dict(Initiative.objects.filter(mapping__in=between).values_list("pk", "predecessor_id"))
    action_lineage = dict(Action.objects.filter(mapping__in=between).values_list("pk", "predecessor_id"))
    minimum = one.organisation.group_minimum
    labels = {
        "effect": {value: str(label) for value, label in Effect.choices},
        "status": {value: str(label) for value, label in InitiativeStatus.choices},
    }
    known = known or {}
    datas = [known.get(m.pk) or closed_round_data(m, minimum) for m in (then, now)]
    result = compare(datas[0], datas[1], card_lineage, action_lineage, labels=labels)
    return then, now, result


def rounds_overview(organisation, today: date) -> dict:
    """For the organisation page: its series of rounds (newest series first, each newest round
    first), and the last annual discussion, the next one due 12 months later, and whether it is overdue."""
    last = last_discussion(organisation)
    due = last.next_due if last is not None else None
    return {
        "series": [list(reversed(line)) for line in series_of(list(organisation.mappings.all()))],
        "last_discussion": last,
        "discussion_due": due,
        "discussion_overdue": due is not None and due < today,
    }
