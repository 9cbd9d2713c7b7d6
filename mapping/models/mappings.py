"""A mapping and what is on its board: purposes, initiatives (cards) and the links between them.

``Mapping.change()`` is the one write protocol: every write inside a mapping
runs in it, so writers take turns and the live boards see the version move.
An edit that lost a race comes back as a ``Conflict`` that knows every field.
"""

import functools
from collections.abc import Iterable, Iterator
from collections.abc import Mapping as MappingType
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Self

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Func, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .. import gaps
from ..levels import Dimension, Level
from ..participation import group_minimum
from .choices import ActionStatus, Effect, InitiativeStatus, InputKind, LinkKind, choices_check
from .organisations import Organisation


@dataclass
class Change:
    """What a write inside ``Mapping.change()`` says about itself.

    ``bumps``: whether members see the change, so the version moves (a write
    that learns it only at the end sets it). ``cancel()`` is final: the write
    is rolled back and the version stays, whatever ``bumps`` says afterwards.
    """

    bumps: bool = True
    is_cancelled: bool = False

    def cancel(self) -> None:
        """Nothing changed after all (a lost race, a double click): roll the write back; the version stays."""
        transaction.set_rollback(True)
        self.is_cancelled = True


@dataclass(frozen=True)
class Conflict[Edited: models.Model]:
    """A save that lost the race: someone saved the same thing after this user started editing.

    ``theirs`` is the row as saved now, ``mine`` what this user sent;
    ``rows`` are (label, theirs, mine) as text, one for every edited field
    whose saved value differs from the user's.
    """

    theirs: Edited
    mine: MappingType[str, Any]
    rows: tuple[tuple[str, str, str], ...]
    message: Promise  # the headline: what someone else did meanwhile
    is_deleted: bool = False

    @classmethod
    def between(cls, theirs: Edited, mine: MappingType[str, Any], message: Promise) -> "Conflict[Edited]":
        rows = []
        for name, value in mine.items():
            field = _field(theirs, name)
            saved = getattr(theirs, name)
            if field.many_to_many:
                saved = list(_offered(saved.all()))
                value = list(value)
                differs = {o.pk for o in saved} != {o.pk for o in value}
            else:
                differs = (saved or "") != (value or "")
            if differs:
                rows.append((str(field.verbose_name).capitalize(), _shown(field, saved), _shown(field, value)))
        is_deleted = bool(getattr(theirs, "deleted_at", None))
        return cls(theirs=theirs, mine=mine, rows=tuple(rows), message=message, is_deleted=is_deleted)


def _offered(related: models.QuerySet) -> models.QuerySet:
    """What an editor could have chosen: a deleted card is not offered, so it is no difference."""
    if any(field.name == "deleted_at" for field in related.model._meta.fields):
        return related.filter(deleted_at__isnull=True)
    return related


def _field(row: models.Model, name: str) -> models.Field:
    field = row._meta.get_field(name)
    assert isinstance(field, models.Field)  # noqa: S101 - an edited name is one of the model's own fields
    return field


def _shown(field: models.Field, value: Any) -> str:
    """A field's value as the conflict table shows it."""
    if value is None or value == "" or value == []:
        return "—"
    if field.many_to_many:
        return ", ".join(str(item) for item in value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("Ja") if value else gettext("Nej")
    if isinstance(value, date):
        return date_format(value, "j. F Y")
    return str(value)


class RoundReadOnly(PermissionDenied):
    """A write to a round that is read-only (a later round took over): refused with a 403 that says why."""

    def __init__(self) -> None:
        super().__init__(
            gettext("Denne runde er afsluttet og kan kun læses. En facilitator kan genåbne den fra tavlen.")
        )


class EditedTogether(models.Model):
    """A row of a mapping that several people edit in forms at once.

    Its ``version`` moves on every save, and ``save_edit`` refuses a save
    started from an older version: a conditional UPDATE under the mapping's
    lock only hits the row if it still has the version the editor started
    from. The loser gets a ``Conflict``; nothing is overwritten silently.
    """

    if TYPE_CHECKING:  # the fields every such model has
        mapping: "Mapping"
        mapping_id: int
        version: int
    conflict_message: Promise  # the conflict's headline: what someone else did meanwhile

    class Meta:
        abstract = True

    def save_edit(self, data: dict[str, Any], *, version: int) -> Self | Conflict[Self]:
        """Save an editor's fields (many-to-many ones too); returns the row, or a Conflict when it moved on."""
        related = {name: value for name, value in data.items() if _field(self, name).many_to_many}
        fields = {name: value for name, value in data.items() if name not in related}
        with self.mapping.change() as change:
            saved = (
                self.edited_rows().filter(version=version).update(version=version + 1, updated=timezone.now(), **fields)
            )
            if not saved:
                change.cancel()
            for name, values in related.items() if saved else ():
                self.set_related(name, values)
        if not saved:
            # Raises DoesNotExist when the row itself is gone (an action deleted meanwhile).
            return Conflict.between(type(self)._default_manager.get(pk=self.pk), data, self.conflict_message)
        for name, value in fields.items():
            setattr(self, name, value)
        self.version = version + 1
        return self

    def edited_rows(self) -> "models.QuerySet[Self]":
        return type(self)._default_manager.filter(pk=self.pk, mapping_id=self.mapping_id)

    def set_related(self, name: str, values: Iterable[models.Model]) -> None:
        manager = getattr(self, name)
        read = getattr(self, "_prefetched_objects_cache", {}).get(manager.prefetch_cache_name)
        values = list(values)
        if read is not None and {v.pk for v in read} == {v.pk for v in values}:
            return  # as read with the row: nothing to write, and what was read stays right
        manager.set(values)


@dataclass(frozen=True)
class Analysis:
    """The gap analysis of a mapping (``Mapping.findings()``): its data, every finding, the dismissed keys."""

    data: gaps.MappingData
    findings: tuple[gaps.Finding, ...]
    dismissed_keys: frozenset[str]

    @property
    def open(self) -> list[gaps.Finding]:
        return [f for f in self.findings if f.key not in self.dismissed_keys]

    @property
    def dismissed(self) -> list[gaps.Finding]:
        return [f for f in self.findings if f.key in self.dismissed_keys]

    def find(self, key: str) -> gaps.Finding | None:
        return next((f for f in self.findings if f.key == key), None)

    def open_of_kind(self, code: str) -> list[gaps.Finding]:
        return [f for f in self.open if f.code == code]


class Mapping(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="mappings")
    title = models.CharField(_("titel"), max_length=200)
    version = models.PositiveBigIntegerField(default=1)
    wip_limit = models.PositiveSmallIntegerField(
        _("højst handlinger i gang"),
        default=3,
        help_text=_("Gør lidt ad gangen: I får en advarsel, når flere handlinger end dette er i gang."),
    )
    # Rounds: the round this one followed, and whether it is closed for writes (a later round took over).
    predecessor = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successor",
        verbose_name=_("forrige runde"),
    )
    is_read_only = models.BooleanField(_("kun til læsning"), default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(wip_limit__gte=1, wip_limit__lte=20), name="mapping_wip_limit_range"),
        ]
        verbose_name = _("kortlægning")
        verbose_name_plural = _("kortlægninger")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("mapping:board", args=[self.organisation.slug, self.pk])

    @contextmanager
    def change(self, *, bumps: bool = True, admits_read_only: bool = False) -> Iterator["Change"]:
        """The one write protocol: every write inside the mapping happens in here.

        One transaction; the mapping's row lock first, so every writer takes
        the same lock order (mapping, then what it holds: no deadlocks) and
        concurrent writers on one mapping take turns; then the body; then the
        version moves, which is what the live boards poll. The body may call
        ``change.cancel()`` when nothing changed after all (a lost race, a
        double click): the transaction rolls back and the version stays. A
        write members do not see (``bumps=False``) may set ``change.bumps``
        once it knows (only that way: a write that bumps moved the version with its lock). A read-only round refuses the write (``RoundReadOnly``,
        a 403) unless the write is the one that opens or closes it.
        """
        with transaction.atomic():
            # A write everyone sees takes the lock by moving the version: one statement, not two.
            # Cancelled or refused, the transaction takes the new version back with the rest.
            locked, is_read_only = self.lock_and_bump() if bumps else self.lock()
            if is_read_only and not admits_read_only:
                raise RoundReadOnly
            change = Change(bumps=bumps)
            yield change
            if change.is_cancelled:
                return
            if bumps:
                self._bumped(locked)
            elif change.bumps:
                self._bump(locked)

    def lock(self) -> tuple[int, bool]:
        """Take the mapping's row lock; returns its version (which stays put while the lock is held)
        and whether it is read-only.

        On SQLite the transaction itself holds the write lock (IMMEDIATE mode in settings).
        """
        return Mapping.objects.select_for_update().values_list("version", "is_read_only").get(pk=self.pk)

    def lock_and_bump(self) -> tuple[int, bool]:
        """``lock`` for a write that moves the version: the update takes the row lock. Returns the
        version before it, and whether the round is read-only."""
        table = connection.ops.quote_name(Mapping._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET version = version + 1, updated = %s WHERE id = %s "  # noqa: S608 - our table
                "RETURNING version, is_read_only",
                [connection.ops.adapt_datetimefield_value(timezone.now()), self.pk],
            )
            row = cursor.fetchone()
        if row is None:
            raise Mapping.DoesNotExist
        return row[0] - 1, bool(row[1])

    def _bump(self, locked: int) -> None:
        Mapping.objects.filter(pk=self.pk).update(version=F("version") + 1, updated=timezone.now())
        self._bumped(locked)

    def _bumped(self, locked: int) -> None:
        from ..live import version_changed  # live.py builds on the models

        self.version = locked + 1
        version_changed(self.pk, self.version)

    def findings(self, today: date | None = None) -> "Analysis":
        """The gap analysis of the mapping as it is now, with the team's dismissals: the one entry point."""
        dismissed = frozenset(self.dismissals.values_list("key", flat=True))
        return Analysis(
            data=(data := self.gap_data(today, dismissed)),
            findings=tuple(gaps.find_gaps(data)),
            dismissed_keys=dismissed,
        )

    def gap_data(self, today: date | None = None, dismissed: frozenset[str] | None = None) -> gaps.MappingData:
        """The mapping as plain data for the gap analysis, in six queries (seven without ``dismissed``)."""
        if dismissed is None:
            dismissed = frozenset(self.dismissals.values_list("key", flat=True))
        # Plain rows, not model instances: at 500 cards building models was most of the analysis's time.
        fields = (
            *("pk", "title", "level", "dimension", "description", "status", "effect", "owner"),
            *("is_measurement", "reviewed_at", "created", "purpose_text"),
        )
        rows = list(self.initiatives.active().order_by("level", "dimension", "position", "id").values_list(*fields))
        active = {row[0] for row in rows}
        purposes_of: dict[int, set[int]] = {}
        through = Initiative.purposes.through.objects.filter(initiative__mapping=self)
        for initiative, purpose in through.values_list("initiative_id", "purpose_id"):
            purposes_of.setdefault(initiative, set()).add(purpose)
        return gaps.MappingData(
            initiatives=tuple(
                gaps.InitiativeData(
                    id=pk,
                    title=title,
                    level=level,
                    dimension=dimension,
                    description=description,
                    purposes=frozenset(purposes_of.get(pk, ())),
                    status=status,
                    effect=effect,
                    owner=owner,
                    is_measurement=is_measurement,
                    reviewed_at=reviewed_at,
                    created=timezone.localdate(created) if created else None,
                    purpose_text=purpose_text,
                )
                for pk, title, level, dimension, description, status, effect, owner, is_measurement, reviewed_at, created, purpose_text in rows
            ),
            purposes=tuple(gaps.PurposeData(id=p.pk, title=p.title) for p in self.purposes.all()),
            links=tuple(
                gaps.LinkData(source=source, target=target, kind=kind)
                for source, target, kind in self.links.order_by("id").values_list("source_id", "target_id", "kind")
                if source in active and target in active
            ),
            today=today or timezone.localdate(),
            has_employee_input=self.workshops.filter(inputs__isnull=False).exists(),
            actions=tuple(
                gaps.ActionData(key=key, owner=owner, due=due, is_done=status == ActionStatus.DONE)
                for key, owner, due, status in self.actions.order_by("id").values_list(
                    "finding_key", "owner", "due", "status"
                )
            ),
            dismissed=dismissed,
        )


class Purpose(models.Model):
    mapping = models.ForeignKey(Mapping, on_delete=models.CASCADE, related_name="purposes")
    title = models.CharField(_("formål"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True, max_length=2000)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            # Case-insensitive: "Trivsel" and "trivsel" are one purpose, also when two people add them at once.
            models.UniqueConstraint(
                F("mapping"),
                Lower("title"),
                name="purpose_unique_title_ci",
                violation_error_message=_("Det formål findes allerede."),
            ),
        ]
        verbose_name = _("formål")
        verbose_name_plural = pgettext_lazy("plural", "formål")

    def __str__(self) -> str:
        return self.title

    conflict_message = _("En anden har omdøbt formålet, mens du skrev.")

    def rename(self, title: str, *, was: str | None) -> "Purpose | Conflict[Purpose]":
        """Rename, unless someone renamed it since the form showed ``was`` (then a Conflict).

        Raises IntegrityError when another purpose of the mapping has the title.
        """
        with self.mapping.change() as change:
            current = Purpose.objects.filter(pk=self.pk).values_list("title", flat=True).get()
            if was is not None and current != was:
                change.cancel()
                self.title = current
                return Conflict.between(self, {"title": title}, self.conflict_message)
            Purpose.objects.filter(pk=self.pk).update(title=title)
        self.title = title
        return self


class InitiativeQuerySet(models.QuerySet["Initiative"]):
    def active(self) -> Self:
        return self.filter(deleted_at__isnull=True)

    def deleted(self) -> Self:
        return self.filter(deleted_at__isnull=False)

    def in_cell(self, level: str, dimension: str) -> Self:
        return self.filter(level=level, dimension=dimension)

    def next_position(self, level: str, dimension: str) -> int:
        """After the last active card of the cell: deletes leave gaps, so counting is not enough."""
        last = self.active().in_cell(level, dimension).aggregate(last=models.Max("position"))["last"]
        return 0 if last is None else last + 1

    def with_employee_rating(self, minimum: int) -> Self:
        """Annotate ``employee_count`` and ``employee_works``: how many rated the card in the
        mapping's workshops, and their average "it works" (1-5), as released.

        Only released aggregates count (``workshops.Release``: per workshop, shown from
        the group minimum on and moved in steps of at least that many answers), so the pooled
        figure also moves in such steps and no single answer can be subtracted out. Both are
        None below ``minimum`` (never below the floor).
        """
        return self.annotate(**_employee_rating(group_minimum(minimum)))

    def with_link_count(self) -> Self:
        """Annotate ``link_count``: the card's links on the board, either way (``Link.objects.live()``),
        counted per card: for a few cards (a cell, a saved card, a grid rendered afresh). The board's
        cached cells count them from the links it reads anyway (``board.link_counts``)."""
        links = Link.objects.live().filter(Q(source=OuterRef("pk")) | Q(target=OuterRef("pk"))).order_by()
        # COUNT as a plain function, not the Count aggregate: an aggregate would group the subquery by
        # its columns, and the subquery must give one row, the number.
        count = links.annotate(n=Func(F("pk"), function="COUNT")).values("n")
        return self.annotate(link_count=Subquery(count, output_field=models.IntegerField()))

    def for_board(self, minimum: int) -> Self:
        """The active cards as the board, the workshop screens and the PDF show them: in position
        order, with their purposes and employees' rating (see ``board.grid``). The board's cards also
        show how many links each has: ``board.link_counts``, from the links the board reads anyway."""
        return self.active().order_by("position", "id").prefetch_related("purposes").with_employee_rating(minimum)


@functools.cache
def _employee_rating(minimum: int) -> dict[str, Subquery]:
    """``with_employee_rating``'s two annotations, built once per minimum (annotate copies them)."""
    from .workshops import Release  # releases are about cards: workshops.py builds on this module

    released = (
        Release.objects.filter(initiative=OuterRef("pk"), kind=InputKind.RATING)
        .order_by()
        .values("initiative")
        .annotate(n=Sum("count"), works=Sum("works_total"))
        .filter(n__gte=minimum)
    )
    return {
        "employee_count": Subquery(released.values("n"), output_field=models.IntegerField()),
        "employee_works": Subquery(
            released.annotate(average=Cast(F("works"), models.FloatField()) / F("n")).values("average"),
            output_field=models.FloatField(),
        ),
    }


class Initiative(EditedTogether):
    Status = InitiativeStatus
    Effect = Effect

    mapping = models.ForeignKey(Mapping, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True, max_length=5000)
    purpose_text = models.CharField(_("formålet i én sætning"), max_length=300, blank=True)
    level = models.CharField(_("niveau"), max_length=20, choices=Level.choices)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    owner = models.CharField(_("ansvarlig"), max_length=200, blank=True)
    cadence = models.CharField(_("hyppighed"), max_length=100, blank=True)
    effect = models.CharField(_("effekt"), max_length=20, choices=Effect.choices, default=Effect.UNKNOWN)
    is_measurement = models.BooleanField(
        _("er en måling"),
        null=True,
        blank=True,
        default=None,
        help_text=_(
            "Fx trivselsmåling, APV eller spørgeskema, hvis resultater skal følges op. "
            "Står det åbent, gætter analysen ud fra titlen."
        ),
    )
    reviewed_at = models.DateField(_("sidst gennemgået"), null=True, blank=True)
    purposes = models.ManyToManyField(
        Purpose, blank=True, related_name="initiatives", verbose_name=pgettext_lazy("plural", "formål")
    )
    version = models.PositiveIntegerField(default=1)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # The same initiative in the round before (rounds.py carries it over); lets two rounds be compared.
    predecessor = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="successors", editable=False
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = InitiativeQuerySet.as_manager()

    # How many links the card has, either way, where the board shows it (``with_link_count``,
    # ``board.link_counts``): not a column.
    link_count: int

    class Meta:
        ordering = ["level", "dimension", "position", "id"]
        indexes = [models.Index(fields=["mapping", "level", "dimension", "position"])]
        constraints = [
            choices_check("level", Level, "initiative"),
            choices_check("dimension", Dimension, "initiative"),
            choices_check("status", InitiativeStatus, "initiative"),
            choices_check("effect", Effect, "initiative"),
            models.CheckConstraint(condition=~Q(title=""), name="initiative_title_not_empty"),
        ]
        verbose_name = _("indsats")
        verbose_name_plural = _("indsatser")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "mapping:initiative-detail",
            args=[self.mapping.organisation.slug, self.mapping_id, self.pk],
        )

    def clean(self):
        super().clean()
        if self.title is not None and not self.title.strip():
            raise ValidationError({"title": _("Skriv en titel.")})

    def move(self, level: str, dimension: str, index: int) -> None:
        """Put the card at ``index`` (0-based) in a cell and renumber both cells.

        Call it inside ``Mapping.change()``."""
        source_cell = (self.level, self.dimension)
        siblings = list(
            self.mapping.initiatives.active().in_cell(level, dimension).exclude(pk=self.pk).order_by("position", "id")
        )
        index = max(0, min(index, len(siblings)))
        self.level, self.dimension = level, dimension
        siblings.insert(index, self)
        for position, card in enumerate(siblings):
            card.position = position
        changed = siblings
        if source_cell != (level, dimension):
            left = list(
                self.mapping.initiatives.active().in_cell(*source_cell).exclude(pk=self.pk).order_by("position", "id")
            )
            for position, card in enumerate(left):
                card.position = position
            changed = siblings + left
        Initiative.objects.bulk_update(changed, ["level", "dimension", "position"])

    conflict_message = _("En anden har gemt kortet, mens du redigerede.")

    def edited_rows(self) -> "models.QuerySet[Initiative]":
        """A card deleted meanwhile is not saved: the editor gets a conflict that keeps the typed text."""
        return Initiative.objects.filter(pk=self.pk, mapping_id=self.mapping_id, deleted_at__isnull=True)

    def set_related(self, name: str, values: Iterable[models.Model]) -> None:
        values = list(values)
        if name == "purposes" and any(getattr(p, "mapping_id", None) != self.mapping_id for p in values):
            raise ValidationError(_("Formålet hører til en anden kortlægning."))
        super().set_related(name, values)

    def set_purposes(self, purposes) -> None:
        """Assign purposes; a purpose from another mapping is refused, never stored."""
        self.set_related("purposes", purposes)


class LinkQuerySet(models.QuerySet["Link"]):
    def live(self) -> Self:
        """The links whose ends are both on the board: a deleted card's links wait for its restore."""
        return self.filter(source__deleted_at__isnull=True, target__deleted_at__isnull=True)


class Link(models.Model):
    Kind = LinkKind

    mapping = models.ForeignKey(Mapping, on_delete=models.CASCADE, related_name="links")
    source = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="outgoing_links")
    target = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="incoming_links")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.RELATED)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(source=F("target")), name="link_not_self"),
            models.UniqueConstraint(fields=["source", "target"], name="link_unique_pair"),
            choices_check("kind", LinkKind, "link"),
        ]
        verbose_name = _("forbindelse")
        verbose_name_plural = _("forbindelser")

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"

    def clean(self):
        super().clean()
        if not (self.source_id and self.target_id):
            return  # the form reports the missing end
        if self.source_id == self.target_id:
            raise ValidationError(_("En indsats kan ikke forbindes med sig selv."))
        for end in (self.source, self.target):
            if end.mapping_id != self.mapping_id:
                raise ValidationError(_("Begge ender skal høre til samme kortlægning."))

    @property
    def crosses_level(self) -> bool:
        return self.source.level != self.target.level

    @property
    def crosses_dimension(self) -> bool:
        return self.source.dimension != self.target.dimension
