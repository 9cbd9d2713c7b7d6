"""The action plan: actions (often made from a finding) and the findings a team dismissed."""

from datetime import date
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .. import gaps, participation
from .choices import ActionStatus, Effort, InputKind, choices_check
from .mappings import EditedTogether, Initiative, Mapping

# An action made from a finding starts with a burden after the finding's severity.
BURDEN_FOR_SEVERITY = {gaps.HIGH: 4, gaps.MEDIUM: 3, gaps.LOW: 2}


class ActionQuerySet(models.QuerySet["Action"]):
    def by_burden(self) -> Self:
        """What burdens most first; then the nearest due date; undated last."""
        return self.order_by("-burden", F("due").asc(nulls_last=True), "created", "id")

    def in_progress(self) -> Self:
        return self.filter(status=ActionStatus.DOING)


class Action(EditedTogether):
    """One item of the action plan, often made from a finding of the gap analysis."""

    Status = ActionStatus
    Effort = Effort

    mapping = models.ForeignKey(Mapping, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("handling"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True, max_length=5000)
    solution = models.TextField(
        _("løsning"),
        blank=True,
        max_length=2000,
        help_text=_("Hvad vil I gøre? Skriv det, så alle kan se, hvad der er aftalt."),
    )
    follow_up = models.TextField(
        _("opfølgning"),
        blank=True,
        max_length=1000,
        help_text=_("Hvordan og hvornår følger I op, og hvem gør det? Fx: AMO følger op på mødet i juni."),
    )
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
    # Moves on every save of the action, so an edit started from an older one is caught (``save_edit``).
    version = models.PositiveIntegerField(default=1)
    # The same action in the round before: an open action is carried over to the next round.
    predecessor = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="successors", editable=False
    )
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

    def is_overdue(self, today: date) -> bool:
        return self.due is not None and self.status != ActionStatus.DONE and self.due < today

    conflict_message = _("En anden har gemt handlingen, mens du redigerede.")

    def set_status(self, status: str) -> None:
        """The last status wins, but it moves the version: an edit form opened before must not quietly undo it."""
        with self.mapping.change():
            Action.objects.filter(pk=self.pk).update(status=status, version=F("version") + 1, updated=timezone.now())
        self.status = status

    @classmethod
    def from_finding(cls, mapping: Mapping, key: str) -> "Action | None":
        """The action for a finding (its key), or for every open finding of a kind (``gaps.group_key``).

        One click makes it: titled as something to do about the finding, with
        the finding as its context (the description), the finding's next step
        as a first suggestion for the solution, its initiatives attached, and a
        burden from employees' "belaster" marks on it (from its severity while
        too few marked anything).
        An action already made for the key is returned as it is; None when
        no open finding has the key.
        """
        existing = mapping.actions.filter(finding_key=key).first()
        if existing is not None:
            return existing
        analysis = mapping.findings()
        finding = analysis.find(key)
        code = gaps.group_code(key) if finding is None else None
        if code is not None:  # every open finding of a kind, each about something of its own
            group = analysis.open_of_kind(code)
            title = f"{group[0].heading} ({len(group)})" if group else ""
        else:
            group = [finding] if finding is not None else []
            title = group[0].action_title if group else ""
        if not group:
            return None
        with mapping.change() as change:
            # Under the lock: a double click (or two people) makes one action.
            released_marks = mapping.workshops.filter(releases__kind=InputKind.BURDEN).values_list(
                "pk", "releases__finding", "releases__count"
            )
            existing = mapping.actions.filter(finding_key=key).first()
            if existing is not None:
                change.cancel()
                return existing
            action = mapping.actions.create(
                title=Truncator(title).chars(200),
                description=group[0].message if code is None else group[0].heading,
                solution=group[0].next_step,
                finding_code=group[0].code,
                finding_key=key,
                burden=participation.burden(released_marks, {key, *(f.key for f in group)})
                or BURDEN_FOR_SEVERITY[group[0].severity],
            )
            action.initiatives.set(
                mapping.initiatives.active().filter(pk__in={i for finding in group for i in finding.initiatives})
            )
        return action


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
