"""IGLO's data: organisations, their mappings, and the initiatives on the 4 x 2 grid.

Every row belongs to exactly one organisation, reached through its mapping.
A mapping's ``version`` increments on every change inside it; the live board
polls that number (see live.py).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


class Organisation(models.Model):
    name = models.CharField(_("navn"), max_length=200)
    slug = models.SlugField(_("kort navn"), max_length=60, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
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
        Mapping.objects.filter(pk=self.pk).update(version=F("version") + 1, updated=timezone.now())
        self.version = Mapping.objects.values_list("version", flat=True).get(pk=self.pk)
        return self.version

    def gap_data(self, today=None) -> gaps.MappingData:
        """The mapping as plain data for the gap analysis, in four queries."""
        initiatives = list(
            self.initiatives.active().order_by("level", "dimension", "position", "id").prefetch_related("purposes")
        )
        active = {i.pk for i in initiatives}
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
        verbose_name_plural = _("formål")

    def __str__(self) -> str:
        return self.title


class InitiativeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)

    def in_cell(self, level: str, dimension: str):
        return self.filter(level=level, dimension=dimension)


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
    purposes = models.ManyToManyField(Purpose, blank=True, related_name="initiatives", verbose_name=_("formål"))
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
