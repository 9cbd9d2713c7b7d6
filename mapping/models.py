"""IGLO's data: organisations, their mappings, and the initiatives on the 4 x 2 grid.

Every row belongs to exactly one organisation, reached through its mapping.
A mapping's ``version`` increments on every change inside it; the live board
polls that number (see live.py).
"""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Avg, Count, F, FilteredRelation, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import gaps


class Level(models.TextChoices):
    INDIVID = "individ", _("Individ")
    GRUPPE = "gruppe", _("Gruppe")
    LEDELSE = "ledelse", _("Ledelse")
    ORGANISATION = "organisation", _("Organisation")


class Dimension(models.TextChoices):
    STRUKTUR = "struktur", _("Struktur")
    KULTUR = "kultur", _("Kultur")


DIMENSION_HINTS = {
    Dimension.STRUKTUR: _("formelle tiltag"),
    Dimension.KULTUR: _("uformelle tiltag"),
}


def choices_check(field: str, choices: type[models.TextChoices], model: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=f"{model}_{field}_valid",
    )


class MappingStatus(models.TextChoices):
    ACTIVE = "active", _("Aktiv")
    ARCHIVED = "archived", _("Arkiveret")


class InitiativeStatus(models.TextChoices):
    ACTIVE = "active", _("I gang")
    PLANNED = "planned", _("Planlagt")
    PAUSED = "paused", _("Sat på pause")


class Effect(models.TextChoices):
    UNKNOWN = "unknown", _("Ukendt effekt")
    NONE = "none", _("Ingen effekt")
    SOME = "some", _("Nogen effekt")
    CLEAR = "clear", _("Tydelig effekt")


class LinkKind(models.TextChoices):
    FEEDS_INTO = "feeds_into", _("giver input til")
    FOLLOWED_UP_AT = "followed_up_at", _("følges op på")
    BUILT_INTO = "built_into", _("indgår i")
    SUPPLEMENTED_BY = "supplemented_by", _("suppleres af")
    RELATED = "related", _("hænger sammen med")


MIN_GROUP_SIZE_FLOOR = 3


class Organisation(models.Model):
    name = models.CharField(_("navn"), max_length=200)
    slug = models.SlugField(_("kort navn"), max_length=60, unique=True)
    min_group_size = models.PositiveSmallIntegerField(
        _("mindste antal svar"),
        default=5,
        help_text=_("Gennemsnit og stemmetal vises først, når så mange har svaret (mindst 3)."),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_group_size__gte=MIN_GROUP_SIZE_FLOOR), name="organisation_min_group_size_floor"
            ),
        ]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("mapping:organisation-detail", args=[self.slug])


class Role(models.TextChoices):
    FACILITATOR = "facilitator", _("Facilitator")
    AMO = "amo", _("AMO")
    MEMBER = "member", _("Medlem")


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
            choices_check("role", Role, "membership"),
        ]
        verbose_name = _("medlemskab")
        verbose_name_plural = _("medlemskaber")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def can_edit(self) -> bool:
        return self.role in {Role.FACILITATOR, Role.AMO}

    @property
    def can_manage(self) -> bool:
        return self.role == Role.FACILITATOR


class Invitation(models.Model):
    """A single-use link that makes whoever opens it (signed in) a member with ``role``."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True)
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [choices_check("role", Role, "invitation")]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitationer")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.role})"

    def get_absolute_url(self) -> str:
        return reverse("mapping:invitation-accept", args=[self.token])


class Mapping(models.Model):
    Status = MappingStatus

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="mappings")
    title = models.CharField(_("titel"), max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    version = models.PositiveBigIntegerField(default=1)
    wip_limit = models.PositiveSmallIntegerField(
        _("højst handlinger i gang"),
        default=3,
        help_text=_("Gør lidt ad gangen: I får en advarsel, når flere handlinger end dette er i gang."),
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            choices_check("status", MappingStatus, "mapping"),
            models.CheckConstraint(condition=Q(wip_limit__gte=1, wip_limit__lte=20), name="mapping_wip_limit_range"),
        ]
        verbose_name = _("kortlægning")
        verbose_name_plural = _("kortlægninger")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("mapping:board", args=[self.organisation.slug, self.pk])

    def bump(self) -> int:
        """Record a change inside the mapping; returns the new version.

        Call it first inside the write's transaction: the row lock it takes
        serialises concurrent writers on one mapping.
        """
        from .live import version_changed  # live.py builds on the models

        Mapping.objects.filter(pk=self.pk).update(version=F("version") + 1, updated=timezone.now())
        self.version = Mapping.objects.values_list("version", flat=True).get(pk=self.pk)
        version_changed(self.pk, self.version)
        return self.version

    def lock(self) -> None:
        """Take the row lock ``bump()`` takes, without moving the version.

        For a write that learns only after writing whether members see a
        change (a rating): it locks first, like every writer on the mapping,
        and bumps afterwards if it must. On SQLite the write itself serialises.
        """
        list(Mapping.objects.select_for_update().filter(pk=self.pk).values_list("pk", flat=True))

    def gap_data(self, today=None) -> gaps.MappingData:
        """The mapping as plain data for the gap analysis, in five queries."""
        initiatives = list(
            self.initiatives.active().order_by("level", "dimension", "position", "id").prefetch_related("purposes")
        )
        active = {i.pk for i in initiatives}
        # One row per workshop and rated initiative; a workshop without ratings gives one row with None.
        rated_rows = list(
            self.workshops.annotate(ratings=FilteredRelation("inputs", condition=Q(inputs__kind=InputKind.RATING)))
            .order_by()
            .values_list("pk", "ratings__initiative_id")
            .distinct()
        )
        return gaps.MappingData(
            initiatives=tuple(
                gaps.InitiativeData(
                    id=i.pk,
                    title=i.title,
                    level=i.level,
                    dimension=i.dimension,
                    description=i.description,
                    purposes=frozenset(p.pk for p in i.purposes.all()),
                    status=i.status,
                    effect=i.effect,
                    owner=i.owner,
                    is_measurement=i.is_measurement,
                    reviewed_at=i.reviewed_at,
                    created=timezone.localdate(i.created) if i.created else None,
                )
                for i in initiatives
            ),
            purposes=tuple(gaps.PurposeData(id=p.pk, title=p.title) for p in self.purposes.all()),
            links=tuple(
                gaps.LinkData(source=source, target=target, kind=kind)
                for source, target, kind in self.links.order_by("id").values_list("source_id", "target_id", "kind")
                if source in active and target in active
            ),
            today=today or timezone.localdate(),
            has_workshop=bool(rated_rows),
            rated=frozenset(initiative for _workshop, initiative in rated_rows if initiative is not None),
        )


class Purpose(models.Model):
    mapping = models.ForeignKey(Mapping, on_delete=models.CASCADE, related_name="purposes")
    title = models.CharField(_("formål"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True, max_length=2000)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mapping", "title"], name="purpose_unique_title"),
        ]
        verbose_name = _("formål")
        verbose_name_plural = pgettext_lazy("plural", "formål")

    def __str__(self) -> str:
        return self.title


class InitiativeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)

    def in_cell(self, level: str, dimension: str):
        return self.filter(level=level, dimension=dimension)

    def next_position(self, level: str, dimension: str) -> int:
        """After the last active card of the cell: deletes leave gaps, so counting is not enough."""
        last = self.active().in_cell(level, dimension).aggregate(last=models.Max("position"))["last"]
        return 0 if last is None else last + 1

    def with_employee_rating(self, minimum: int):
        """Annotate ``employee_count`` and ``employee_works``: how many rated the card in the
        mapping's workshops, and their average "it works" (1-5).

        Both are None below ``minimum`` answers (never below the floor), so a small
        group's answers never reach a page. Answers from several workshops count
        together: participants cannot be linked across workshops, by design.
        """
        minimum = max(minimum, MIN_GROUP_SIZE_FLOOR)
        ratings = (
            Input.objects.filter(initiative=OuterRef("pk"), kind=InputKind.RATING)
            .order_by()
            .values("initiative")
            .annotate(n=Count("pk"), works=Avg("rating_works"))
            .filter(n__gte=minimum)
        )
        return self.annotate(
            employee_count=Subquery(ratings.values("n"), output_field=models.IntegerField()),
            employee_works=Subquery(ratings.values("works"), output_field=models.FloatField()),
        )


class Initiative(models.Model):
    Status = InitiativeStatus
    Effect = Effect

    mapping = models.ForeignKey(Mapping, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True, max_length=5000)
    level = models.CharField(_("niveau"), max_length=20, choices=Level.choices)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    owner = models.CharField(_("ansvarlig"), max_length=200, blank=True)
    cadence = models.CharField(_("hyppighed"), max_length=100, blank=True)
    effect = models.CharField(_("effekt"), max_length=20, choices=Effect.choices, default=Effect.UNKNOWN)
    is_measurement = models.BooleanField(
        _("er en måling"),
        default=False,
        help_text=_("Fx trivselsmåling, APV eller spørgeskema, hvis resultater skal følges op."),
    )
    reviewed_at = models.DateField(_("sidst gennemgået"), null=True, blank=True)
    purposes = models.ManyToManyField(
        Purpose, blank=True, related_name="initiatives", verbose_name=pgettext_lazy("plural", "formål")
    )
    version = models.PositiveIntegerField(default=1)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = InitiativeQuerySet.as_manager()

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

    @property
    def cell_id(self) -> str:
        return f"cell-{self.level}-{self.dimension}"

    def clean(self):
        super().clean()
        if self.title is not None and not self.title.strip():
            raise ValidationError({"title": _("Skriv en titel.")})

    def move(self, level: str, dimension: str, index: int) -> None:
        """Put the card at ``index`` (0-based) in a cell and renumber both cells.

        Caller holds the mapping lock (``Mapping.bump``)."""
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

    def set_purposes(self, purposes) -> None:
        """Assign purposes; a purpose from another mapping is refused, never stored."""
        purposes = list(purposes)
        if any(p.mapping_id != self.mapping_id for p in purposes):
            raise ValidationError(_("Formålet hører til en anden kortlægning."))
        self.purposes.set(purposes)


class Link(models.Model):
    Kind = LinkKind

    mapping = models.ForeignKey(Mapping, on_delete=models.CASCADE, related_name="links")
    source = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="outgoing_links")
    target = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="incoming_links")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.RELATED)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    created = models.DateTimeField(auto_now_add=True)

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


class ActionStatus(models.TextChoices):
    TODO = "todo", _("Ikke startet")
    DOING = "doing", _("I gang")
    DONE = "done", _("Færdig")


class Effort(models.TextChoices):
    SMALL = "small", _("Lille")
    MEDIUM = "medium", _("Mellem")
    LARGE = "large", _("Stor")


class ActionQuerySet(models.QuerySet):
    def by_burden(self):
        """What burdens most first; then the nearest due date; undated last."""
        return self.order_by("-burden", F("due").asc(nulls_last=True), "created", "id")

    def in_progress(self):
        return self.filter(status=ActionStatus.DOING)

    def overdue(self, today):
        return self.exclude(status=ActionStatus.DONE).filter(due__lt=today)


class Action(models.Model):
    """One item of the action plan, often made from a finding of the gap analysis."""

    Status = ActionStatus
    Effort = Effort

    mapping = models.ForeignKey(Mapping, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("handling"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True, max_length=5000)
    initiatives = models.ManyToManyField(
        Initiative, blank=True, related_name="actions", verbose_name=_("indsatser, det handler om")
    )
    finding_code = models.CharField(_("fund"), max_length=40, blank=True)
    finding_key = models.CharField(max_length=200, blank=True)
    owner = models.CharField(_("ansvarlig"), max_length=200, blank=True)
    due = models.DateField(_("frist"), null=True, blank=True)
    burden = models.PositiveSmallIntegerField(
        _("belastning nu"),
        default=3,
        help_text=_("Hvor meget belaster problemet lige nu? 1 = lidt, 5 = meget."),
    )
    effort = models.CharField(_("omfang"), max_length=20, choices=Effort.choices, default=Effort.MEDIUM)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.TODO)
    # Moves on every save of the action, so an edit started from an older one is caught (see action_update).
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["-burden", "due", "id"]
        indexes = [models.Index(fields=["mapping", "status"])]
        constraints = [
            choices_check("status", ActionStatus, "action"),
            choices_check("effort", Effort, "action"),
            models.CheckConstraint(condition=Q(burden__gte=1, burden__lte=5), name="action_burden_1_to_5"),
            models.CheckConstraint(condition=~Q(title=""), name="action_title_not_empty"),
        ]
        verbose_name = _("handling")
        verbose_name_plural = _("handlinger")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("mapping:actions", args=[self.mapping.organisation.slug, self.mapping_id]) + f"#action-{self.pk}"

    def is_overdue(self, today) -> bool:
        return self.due is not None and self.status != ActionStatus.DONE and self.due < today


class FindingDismissal(models.Model):
    """A finding someone judged not relevant; it stays hidden while its key still applies."""

    mapping = models.ForeignKey(Mapping, on_delete=models.CASCADE, related_name="dismissals")
    key = models.CharField(max_length=200)
    code = models.CharField(max_length=40)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [models.UniqueConstraint(fields=["mapping", "key"], name="dismissal_unique_key")]
        verbose_name = _("afvist fund")
        verbose_name_plural = _("afviste fund")

    def __str__(self) -> str:
        return self.key


# Workshops: a live session on a mapping that employees join from their phones.

# No 0/O, 1/I/L: a code read off a projector is typed without mix-ups.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8  # 31**8 ≈ 8.5e11 codes; with rate limits not guessable


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_code(code: str) -> str:
    """What a person typed (lower case, dashes, spaces) as a stored code."""
    return re.sub(r"[^A-Z0-9]", "", code.upper())[:32]


class WorkshopStatus(models.TextChoices):
    OPEN = "open", _("Åben")
    CLOSED = "closed", _("Lukket")


class WorkshopQuerySet(models.QuerySet):
    def joinable(self):
        """Open, and not older than a working day and a night: a forgotten workshop stops taking input."""
        return self.filter(status=WorkshopStatus.OPEN, created__gte=timezone.now() - WORKSHOP_MAX_AGE)


WORKSHOP_MAX_AGE = timedelta(hours=24)


class Workshop(models.Model):
    """A live session on a mapping.

    ``version`` moves when something participants see changes (moderation,
    step, status); ``input_version`` moves on every input, so the
    facilitator's screen refreshes on it and participants' phones do not.
    """

    Status = WorkshopStatus
    STEPS = 4

    mapping = models.ForeignKey(Mapping, on_delete=models.CASCADE, related_name="workshops")
    code = models.CharField(_("kode"), max_length=16, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    votes_per_participant = models.PositiveSmallIntegerField(_("stemmer pr. deltager"), default=3)
    step = models.PositiveSmallIntegerField(_("trin"), default=1)
    version = models.PositiveBigIntegerField(default=1)
    input_version = models.PositiveBigIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            choices_check("status", WorkshopStatus, "workshop"),
            models.UniqueConstraint(
                fields=["mapping"], condition=Q(status="open"), name="workshop_one_open_per_mapping"
            ),
            models.CheckConstraint(
                condition=Q(votes_per_participant__gte=1, votes_per_participant__lte=20), name="workshop_votes_range"
            ),
            models.CheckConstraint(condition=Q(step__gte=1, step__lte=4), name="workshop_step_range"),
        ]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def __str__(self) -> str:
        return f"{self.mapping} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("mapping:join", args=[self.code])

    @property
    def is_open(self) -> bool:
        return self.status == WorkshopStatus.OPEN

    @property
    def is_joinable(self) -> bool:
        return self.is_open and self.created >= timezone.now() - WORKSHOP_MAX_AGE

    @property
    def code_display(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"

    def bump(self, *, public: bool = True) -> None:
        """Record a change: always for the facilitator, and for participants when ``public``."""
        changes = {"input_version": F("input_version") + 1}
        if public:
            changes["version"] = F("version") + 1
        Workshop.objects.filter(pk=self.pk).update(**changes)

    def add_input(self, **fields) -> bool:
        """Store one input; False when this exact submission was stored before (a double submit)."""
        try:
            with transaction.atomic():
                Input.objects.create(workshop=self, **fields)
        except IntegrityError:
            return False
        self.bump(public=False)
        return True

    def rate(self, initiative_id: int, participant: str, idempotency_key: str, **values) -> bool:
        """Store a participant's rating of an initiative, or replace their earlier one; True when new.

        One transaction in the order of every write on the mapping: the
        mapping's row lock first (it serialises the ratings of one mapping, so
        ``note_rating`` counts exactly), then the input, then the workshop.
        """
        mine = Input.objects.filter(
            workshop=self, participant=participant, kind=InputKind.RATING, initiative_id=initiative_id
        )
        with transaction.atomic():
            self.mapping.lock()
            is_new = not mine.update(**values)
            if is_new:
                try:
                    with transaction.atomic():
                        Input.objects.create(
                            workshop=self,
                            kind=InputKind.RATING,
                            initiative_id=initiative_id,
                            participant=participant,
                            idempotency_key=idempotency_key,
                            status=InputStatus.APPROVED,
                            **values,
                        )
                except IntegrityError:  # stored meanwhile (a double submit): replace it
                    mine.update(**values)
                    is_new = False
            self.bump(public=False)
            self.note_rating(initiative_id, is_new=is_new)
        return is_new

    def note_rating(self, initiative_id: int, *, is_new: bool) -> None:
        """A rating was stored or changed: move the mapping's version if members would see it.

        Every move of the mapping's version makes every phone and open board
        fetch again, so only two ratings move it: a card's first rating (the
        gap analysis stops naming it as having no employee input) and the one
        that brings it to the minimum group size (the card's average appears).
        Later ratings, and changed answers, move the average without moving
        the version: boards and phones show the new average with the next
        change on the board, whose cells are cached by the mapping's version.

        Call it inside the rating's transaction, after ``Mapping.lock()``:
        the count is then exact even when people rate at the same moment.
        """
        if not is_new:
            return
        count = Input.objects.filter(initiative_id=initiative_id, kind=InputKind.RATING).count()
        minimum = max(self.mapping.organisation.min_group_size, MIN_GROUP_SIZE_FLOOR)
        if count in (1, minimum):
            self.mapping.bump()

    def close(self) -> None:
        Workshop.objects.filter(pk=self.pk).update(
            status=WorkshopStatus.CLOSED,
            closed_at=timezone.now(),
            version=F("version") + 1,
            input_version=F("input_version") + 1,
        )
        self.status = WorkshopStatus.CLOSED


class InputKind(models.TextChoices):
    SUGGESTION = "suggestion", _("Forslag")
    RATING = "rating", _("Bedømmelse")
    COMMENT = "comment", _("Kommentar")
    VOTE = "vote", _("Stemme")


class InputStatus(models.TextChoices):
    PENDING = "pending", _("Venter")
    APPROVED = "approved", _("Godkendt")
    HIDDEN = "hidden", _("Skjult")
    MERGED = "merged", _("Slået sammen")


RATING_RANGE = Q(rating_purpose__isnull=True) | Q(rating_purpose__gte=1, rating_purpose__lte=5)
WORKS_RANGE = Q(rating_works__isnull=True) | Q(rating_works__gte=1, rating_works__lte=5)


class InputQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(status=InputStatus.APPROVED)

    def pending(self):
        return self.filter(status=InputStatus.PENDING)

    def of_kind(self, kind: str):
        return self.filter(kind=kind)


class Input(models.Model):
    """One participant's suggestion, rating, comment or vote.

    A vote goes to an initiative or to an open action of the plan (a
    "candidate action"), never both; every vote spends the same budget.

    Privacy: no user, IP address or user agent. ``participant`` is a keyed
    hash of a random token kept in the participant's cookie, salted with the
    workshop, so it only serves limits and "one rating each", and cannot link
    a phone across workshops. On suggestions and comments the hash also covers
    the display name used, so what someone wrote anonymously is not linked to
    what they wrote under their name (nor to their ratings and votes).
    ``author_name`` is set only when the participant chose a display name, and
    only on suggestions and comments. No timestamps either: when someone typed
    can tell who it was.
    """

    Kind = InputKind
    Status = InputStatus

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="inputs")
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, null=True, blank=True, related_name="inputs", verbose_name=_("indsats")
    )
    level = models.CharField(_("niveau"), max_length=20, choices=Level.choices, blank=True)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices, blank=True)
    finding = models.CharField(_("fund"), max_length=100, blank=True)
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="inputs", verbose_name=_("handling")
    )
    is_missing = models.BooleanField(_("mangler"), default=False)
    text = models.CharField(_("tekst"), max_length=1000, blank=True)
    rating_purpose = models.PositiveSmallIntegerField(_("formålet er klart"), null=True, blank=True)
    rating_works = models.PositiveSmallIntegerField(_("det virker"), null=True, blank=True)
    author_name = models.CharField(_("navn"), max_length=60, blank=True)
    participant = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=64)
    result = models.ForeignKey(
        Initiative, on_delete=models.SET_NULL, null=True, blank=True, related_name="workshop_sources"
    )

    objects = InputQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["workshop", "kind", "status"])]
        constraints = [
            choices_check("kind", InputKind, "input"),
            choices_check("status", InputStatus, "input"),
            models.CheckConstraint(condition=Q(level="") | Q(level__in=Level.values), name="input_level_valid"),
            models.CheckConstraint(
                condition=Q(dimension="") | Q(dimension__in=Dimension.values), name="input_dimension_valid"
            ),
            models.CheckConstraint(condition=RATING_RANGE, name="input_rating_purpose_range"),
            models.CheckConstraint(condition=WORKS_RANGE, name="input_rating_works_range"),
            models.CheckConstraint(
                condition=~Q(kind="rating")
                | Q(initiative__isnull=False, rating_purpose__isnull=False, rating_works__isnull=False),
                name="input_rating_complete",
            ),
            models.CheckConstraint(
                condition=~Q(kind="vote")
                | Q(initiative__isnull=False, action__isnull=True)
                | Q(initiative__isnull=True, action__isnull=False),
                name="input_vote_has_target",
            ),
            models.UniqueConstraint(
                fields=["workshop", "participant", "idempotency_key"], name="input_unique_submission"
            ),
            models.UniqueConstraint(
                fields=["workshop", "participant", "initiative"],
                condition=Q(kind="rating"),
                name="input_one_rating_each",
            ),
            models.UniqueConstraint(
                fields=["workshop", "participant", "initiative"],
                condition=Q(kind="vote"),
                name="input_one_vote_per_item",
            ),
            models.UniqueConstraint(
                fields=["workshop", "participant", "action"],
                condition=Q(kind="vote"),
                name="input_one_vote_per_action",
            ),
        ]
        verbose_name = _("medarbejderinput")
        verbose_name_plural = _("medarbejderinput")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def moderate(self, status: str, target: Initiative | None = None) -> bool:
        """Approve, merge or hide a suggestion or comment; a repeated click changes nothing.

        An approved suggestion becomes an initiative in its cell ("we miss" as
        planned); a merged one points at the initiative it duplicates.
        """
        if status == InputStatus.MERGED and (self.kind != InputKind.SUGGESTION or target is None):
            return False
        mapping = self.workshop.mapping
        creates = self.kind == InputKind.SUGGESTION and status == InputStatus.APPROVED and self.result_id is None
        version = mapping.version
        with transaction.atomic():
            if creates:
                # First the mapping's row lock, as every write on the mapping: mapping, input, workshop.
                mapping.bump()
            # The conditional update makes a double click (or two facilitators) create one initiative.
            claimed = Input.objects.filter(pk=self.pk, status=self.status).exclude(status=status).update(status=status)
            if not claimed:
                transaction.set_rollback(True)  # nothing changed: the version stays where it was
                mapping.version = version
                return False
            if creates:
                self.result = Initiative.objects.create(
                    mapping=mapping,
                    title=self.text[:200],
                    level=self.level,
                    dimension=self.dimension,
                    status=InitiativeStatus.PLANNED if self.is_missing else InitiativeStatus.ACTIVE,
                    position=mapping.initiatives.next_position(self.level, self.dimension),
                )
            elif status == InputStatus.MERGED:
                self.result = target
            Input.objects.filter(pk=self.pk).update(result=self.result)
            self.status = status
            self.workshop.bump()
        return True

    @property
    def cell_label(self) -> str:
        if not (self.level and self.dimension):
            return ""
        return f"{Level(self.level).label} · {Dimension(self.dimension).label}"
