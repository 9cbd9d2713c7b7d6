"""Choices shared by several models, and the check constraint that keeps a column to its choices."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def choices_check(field: str, choices: type[models.TextChoices], model: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=f"{model}_{field}_valid",
    )


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


class Role(models.TextChoices):
    FACILITATOR = "facilitator", _("Facilitator")
    AMO = "amo", _("AMO-medlem (arbejdsmiljøorganisationen)")
    MEMBER = "member", _("Medlem")


class ActionStatus(models.TextChoices):
    TODO = "todo", _("Ikke startet")
    DOING = "doing", _("I gang")
    DONE = "done", _("Færdig")


class Effort(models.TextChoices):
    SMALL = "small", _("Lille")
    MEDIUM = "medium", _("Mellem")
    LARGE = "large", _("Stor")


class WorkshopStatus(models.TextChoices):
    OPEN = "open", _("Åben")
    CLOSED = "closed", _("Lukket")


class InputKind(models.TextChoices):
    SUGGESTION = "suggestion", _("Forslag")
    RATING = "rating", _("Bedømmelse")
    COMMENT = "comment", _("Kommentar")
    VOTE = "vote", _("Stemme")
    UNKNOWN = "unknown", _("Kender den ikke")  # a rating's other answer: not knowing an initiative is a finding
    BURDEN = "burden", _("Belaster")  # "this burdens me most": a mark on a finding, in step 4


class InputStatus(models.TextChoices):
    PENDING = "pending", _("Venter")
    APPROVED = "approved", _("Godkendt")
    HIDDEN = "hidden", _("Skjult")
    MERGED = "merged", _("Slået sammen")
