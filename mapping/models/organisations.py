"""Organisations (the tenants), who belongs to them, and invitations to join."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..participation import MIN_GROUP_SIZE_FLOOR, group_minimum
from .choices import Role, choices_check

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Organisation(models.Model):
    name = models.CharField(_("navn"), max_length=200)
    slug = models.SlugField(_("kort navn"), max_length=60, unique=True)
    min_group_size = models.PositiveSmallIntegerField(
        _("mindste antal svar"),
        default=5,
        help_text=_("Gennemsnit og stemmetal vises først, når så mange har svaret (mindst 3)."),
    )
    # What the annual discussion must cover depends on these (rounds: the competence plan or the knowledge question).
    employee_count = models.PositiveIntegerField(_("antal ansatte"), null=True, blank=True)
    has_amo = models.BooleanField(_("har en arbejdsmiljøorganisation (AMO)"), default=False)
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

    @property
    def group_minimum(self) -> int:
        """Answers needed before an aggregate of employees' input shows (see participation.group_minimum)."""
        return group_minimum(self.min_group_size)


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

    EDITORS = (Role.FACILITATOR, Role.AMO)  # change the board
    MANAGERS = (Role.FACILITATOR,)  # members and mappings

    @property
    def can_edit(self) -> bool:
        return self.role in self.EDITORS

    @property
    def can_manage(self) -> bool:
        return self.role in self.MANAGERS

    def set_role(self, role: str) -> bool:
        """Change the role; False (and nothing changed) when it would leave the organisation without a facilitator.

        The organisation's facilitators are locked first: two facilitators
        demoting each other at the same moment must not leave it with none.
        """
        with transaction.atomic():
            facilitators = list(
                Membership.objects.select_for_update()
                .filter(organisation_id=self.organisation_id, role=Role.FACILITATOR)
                .values_list("pk", flat=True)
            )
            self.refresh_from_db(fields=["role"])
            if facilitators == [self.pk] and role != Role.FACILITATOR:
                return False
            self.role = role
            self.save(update_fields=["role"])
        return True

    def leave(self) -> bool:
        """Leave the organisation; False (and nothing changed) when this is its last facilitator.

        The facilitators are locked first, as in ``set_role``: two facilitators
        leaving at the same moment must not leave the organisation with none.
        """
        with transaction.atomic():
            facilitators = list(
                Membership.objects.select_for_update()
                .filter(organisation_id=self.organisation_id, role=Role.FACILITATOR)
                .values_list("pk", flat=True)
            )
            if facilitators == [self.pk]:
                return False
            Membership.objects.filter(pk=self.pk).delete()
        return True


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

    def accept(self, user: "User") -> bool:
        """Make ``user`` a member with the invitation's role; False when the link was used already (it works once)."""
        with transaction.atomic():
            claimed = Invitation.objects.filter(pk=self.pk, used_at__isnull=True).update(used_at=timezone.now())
            if claimed:
                Membership.objects.get_or_create(
                    user=user, organisation_id=self.organisation_id, defaults={"role": self.role}
                )
        return bool(claimed)
