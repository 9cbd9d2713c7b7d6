"""Workshops: a live session on a mapping that employees join from their phones, and their input."""

import re
import secrets
from datetime import timedelta
from enum import Enum

from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..levels import Dimension, Level, cell_label
from ..participation import STEPS, is_release_due
from .choices import InitiativeStatus, InputKind, InputStatus, WorkshopStatus, choices_check
from .mappings import Initiative, Mapping
from .plans import Action

# No 0/O, 1/I/L: a code read off a projector is typed without mix-ups.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8  # 31**8 ≈ 8.5e11 codes; with rate limits not guessable


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_code(code: str) -> str:
    """What a person typed (lower case, dashes, spaces) as a stored code."""
    return re.sub(r"[^A-Z0-9]", "", code.upper())[:32]


def random_id() -> int:
    """A primary key that says nothing about when a row was stored (see ``Input``)."""
    return secrets.randbits(62) + 1


WORKSHOP_MAX_AGE = timedelta(hours=24)
INPUT_KEPT_DAYS = 90  # a new workshop's input is deleted this long after it ends
BURDEN_MARKS = 3  # "what burdens you most": a few marks each, so they say what matters most
PARTICIPANT_LIMIT = 100  # the facilitator can raise it on the workshop screen
CODE_ATTEMPTS = 5  # 31**8 codes: a second collision in a row does not happen


class WorkshopQuerySet(models.QuerySet["Workshop"]):
    def with_expired_input(self, now=None) -> list["Workshop"]:
        """Workshops that still hold input past its ``input_expires`` (see ``purge_expired``)."""
        now = now or timezone.now()
        candidates = self.filter(input_kept_days__isnull=False, inputs__isnull=False).distinct()
        return [workshop for workshop in candidates.select_related("mapping") if workshop.input_expires <= now]

    def joinable(self):
        """Open, and not older than a working day and a night: a forgotten workshop stops taking input."""
        return self.filter(status=WorkshopStatus.OPEN, created__gte=timezone.now() - WORKSHOP_MAX_AGE)

    def start(self, mapping: Mapping, *, votes_per_participant: int) -> tuple["Workshop", bool]:
        """Open a workshop on the mapping with a fresh join code; like ``get_or_create``, True when it is new.

        A mapping has at most one open workshop (a constraint): when one is
        open already, perhaps started by someone else a moment ago, that one
        is returned. A code that collides with an existing one (rare) is
        drawn again.
        """
        attempts_left = CODE_ATTEMPTS
        while True:
            current = self.filter(mapping=mapping, status=WorkshopStatus.OPEN).first()
            if current is not None:
                return current, False
            attempts_left -= 1
            try:
                with transaction.atomic():  # a savepoint: the loop goes on after a collision
                    return self.create(
                        mapping=mapping, code=new_join_code(), votes_per_participant=votes_per_participant
                    ), True
            except IntegrityError:
                if not attempts_left:
                    raise


class Workshop(models.Model):
    """A live session on a mapping.

    ``version`` moves when something participants see changes (moderation,
    step, status); ``input_version`` moves on every input, so the
    facilitator's screen refreshes on it and participants' phones do not.
    """

    Status = WorkshopStatus

    class Vote(Enum):
        """What became of a participant's vote (``Workshop.vote``)."""

        ADDED = "added"
        ALREADY = "already"  # the vote was there before: nothing more spent
        REPEATED = "repeated"  # this very submission was stored before (a double submit)
        REMOVED = "removed"
        NO_VOTES_LEFT = "no-votes-left"

    mapping = models.ForeignKey(Mapping, on_delete=models.CASCADE, related_name="workshops")
    code = models.CharField(_("kode"), max_length=16, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    votes_per_participant = models.PositiveSmallIntegerField(_("stemmer pr. deltager"), default=3)
    step = models.PositiveSmallIntegerField(_("trin"), default=1)
    # Joins are counted against a cap the facilitator sees and can raise: a script cannot mint
    # identities (each with a fresh vote budget) without the facilitator seeing it.
    participant_limit = models.PositiveIntegerField(_("højst deltagere"), default=PARTICIPANT_LIMIT)
    participants_joined = models.PositiveIntegerField(_("deltagere"), default=0)
    version = models.PositiveBigIntegerField(default=1)
    input_version = models.PositiveBigIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # i11b: employees' input is not kept for ever; `manage.py purge_expired` deletes it.
    input_kept_days = models.PositiveSmallIntegerField(
        _("input gemmes i dage"),
        null=True,
        blank=True,
        default=INPUT_KEPT_DAYS,
        help_text=_("Input slettes så mange dage efter workshoppens afslutning. Tomt: indtil I sletter det."),
    )

    objects = WorkshopQuerySet.as_manager()

    # What the workshop screen offers for ``input_kept_days``.
    RETENTION_CHOICES = [
        (30, _("30 dage efter workshoppen")),
        (INPUT_KEPT_DAYS, _("90 dage efter workshoppen")),
        (365, _("et år efter workshoppen")),
        (None, _("aldrig (vi sletter det selv)")),
    ]

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
            models.CheckConstraint(condition=Q(step__gte=1, step__lte=len(STEPS)), name="workshop_step_range"),
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

    def admit(self) -> bool:
        """Count one new participant; False (and nothing counted) once ``participant_limit`` have joined."""
        return bool(
            Workshop.objects.filter(pk=self.pk, participants_joined__lt=F("participant_limit")).update(
                participants_joined=F("participants_joined") + 1, input_version=F("input_version") + 1
            )
        )

    def bump(self, *, public: bool = True) -> None:
        """Record a change: always for the facilitator, and for participants when ``public``."""
        changes = {"input_version": F("input_version") + 1}
        if public:
            changes["version"] = F("version") + 1
        Workshop.objects.filter(pk=self.pk).update(**changes)

    def move_to_step(self, number: int) -> None:
        """Show the method's step ``number`` (see ``participation.STEPS``) on the screen and the phones."""
        Workshop.objects.filter(pk=self.pk).update(
            step=number, version=F("version") + 1, input_version=F("input_version") + 1
        )
        self.step = number

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

        Inside the mapping's ``change()``, like every write on the mapping: its
        row lock first (it serialises the answers of one mapping, so ``release``
        counts exactly), then the input, then the workshop.
        """
        return self.answer(InputKind.RATING, initiative_id, participant, idempotency_key, **values)

    def not_known(self, initiative_id: int, participant: str, idempotency_key: str) -> bool:
        """A participant answers "kender den ikke" about an initiative, in place of a rating; True when new."""
        return self.answer(InputKind.UNKNOWN, initiative_id, participant, idempotency_key)

    def answer(self, kind: str, initiative_id: int, participant: str, idempotency_key: str, **values) -> bool:
        """A participant's answer about an initiative: a rating (``values``) or "kender den ikke"; True when new.

        One answer each: it replaces the participant's earlier answer of either
        kind. Inside the mapping's ``change()``; the answer's count is released
        (``release``) when the rule allows. The mapping's version moves when
        members see the difference: a released rating, or the card's first
        rating come or its last gone (the gap analysis), or the card's ratings
        gone below the minimum.
        """
        other = InputKind.UNKNOWN if kind == InputKind.RATING else InputKind.RATING
        on_card = Input.objects.filter(workshop=self, participant=participant, initiative_id=initiative_id)
        with self.mapping.change(bumps=False) as change:
            dropped, _detail = on_card.filter(kind=other).delete()
            is_new = not (values and on_card.filter(kind=kind).update(**values))
            if is_new:
                try:
                    with transaction.atomic():
                        Input.objects.create(
                            workshop=self,
                            kind=kind,
                            initiative_id=initiative_id,
                            participant=participant,
                            idempotency_key=idempotency_key,
                            status=InputStatus.APPROVED,
                            **values,
                        )
                except IntegrityError:  # stored meanwhile (a double submit), or given before: replace it
                    if values:
                        on_card.filter(kind=kind).update(**values)
                    is_new = False
            is_released = self.release(kind, initiative_id=initiative_id)
            self.bump(public=is_released)
            if kind == InputKind.RATING:
                change.bumps = is_released or (is_new and self.is_first_rating(initiative_id))
            elif dropped:
                left = Input.objects.filter(initiative_id=initiative_id, kind=InputKind.RATING).count()
                change.bumps = left in (0, self.mapping.organisation.group_minimum - 1)
        return is_new

    def mark_burden(self, participant: str, idempotency_key: str, finding: str, *, remove: bool = False) -> bool:
        """A participant marks a finding as what burdens them most ("belaster"), or takes it back.

        At most ``BURDEN_MARKS`` marks each, one per finding (``mark``); False
        when the mark is refused (none left). Members see nothing of it until
        an action is made from released marks (``participation.burden``).
        """
        result = self.mark(InputKind.BURDEN, participant, idempotency_key, {"finding": finding}, BURDEN_MARKS, remove)
        return result is not Workshop.Vote.NO_VOTES_LEFT

    def vote(
        self,
        participant: str,
        idempotency_key: str,
        *,
        initiative: Initiative | None = None,
        action: Action | None = None,
        remove: bool = False,
    ) -> "Workshop.Vote":
        """Give a participant's vote to an initiative or a candidate action, or take it back (``remove``).

        Every vote of the workshop, on initiatives and actions alike, spends
        one budget, ``votes_per_participant``; one vote per person and item.
        """
        if (initiative is None) == (action is None):
            raise ValueError("a vote goes to an initiative or to an action")
        target = {"initiative": initiative} if initiative is not None else {"action": action}
        return self.mark(InputKind.VOTE, participant, idempotency_key, target, self.votes_per_participant, remove)

    def mark(
        self, kind: str, participant: str, idempotency_key: str, target: dict, budget: int, remove: bool
    ) -> "Workshop.Vote":
        """A participant's mark of ``kind`` (a vote, a "belaster") on ``target``, or its removal.

        One mark per person and target, at most ``budget`` marks of the kind
        each. Inside the mapping's ``change()``, like every write on the
        mapping: its row lock makes two quick taps take turns, so they cannot
        both spend the last mark, and keeps the one lock order (mapping,
        input, workshop). The target's count is released in steps (``release``);
        only a release moves what people see: the workshop's ``version``, and
        the mapping's for a vote on an action (the action plan shows it).
        """
        mine = Input.objects.filter(workshop=self, participant=participant, kind=kind)
        with self.mapping.change(bumps=False) as change:
            if remove:
                deleted, _detail = mine.filter(**target).delete()
                if deleted:
                    self.bump(public=False)
                return Workshop.Vote.REMOVED
            if mine.filter(**target).exists():
                return Workshop.Vote.ALREADY
            if mine.count() >= budget:
                return Workshop.Vote.NO_VOTES_LEFT
            is_new = self.add_input(
                kind=kind,
                participant=participant,
                idempotency_key=idempotency_key,
                status=InputStatus.APPROVED,
                **target,
            )
            is_released = self.release(kind, **target)
            if kind == InputKind.BURDEN:  # the people who marked anything: the burden's denominator
                is_released = self.release(kind, finding="") or is_released
            if is_released:
                self.bump()
                change.bumps = "action" in target
        return Workshop.Vote.ADDED if is_new else Workshop.Vote.REPEATED

    def release(self, kind: str, **subject) -> bool:
        """Make the current count of the workshop's ``kind`` input on ``subject`` (``initiative_id``,
        ``action_id`` or ``finding``) the shown one, when the rule allows (``participation.is_release_due``);
        True when it moved. Ratings carry their sums along.

        ``finding=""`` with "belaster" counts the people who marked anything. Ask
        inside the write's ``Mapping.change()``: under the mapping's lock the counts are exact.
        """
        answers = Input.objects.filter(workshop=self, kind=kind)
        if subject == {"finding": ""}:
            totals = {"n": answers.values("participant").distinct().count()}
        else:
            totals = answers.filter(**subject).aggregate(
                n=Count("pk"), purpose=Sum("rating_purpose"), works=Sum("rating_works")
            )
        released = Release.objects.filter(workshop=self, kind=kind, **subject).values_list("count", flat=True).first()
        if not is_release_due(totals["n"], released or 0, self.mapping.organisation.group_minimum):
            return False
        Release.objects.update_or_create(
            workshop=self,
            kind=kind,
            **subject,
            defaults={
                "count": totals["n"],
                "purpose_total": totals.get("purpose") or 0,
                "works_total": totals.get("works") or 0,
            },
        )
        return True

    def votes_left(self, used: int) -> int:
        """What remains of the budget after ``used`` votes (on initiatives and actions together)."""
        return max(self.votes_per_participant - used, 0)

    def is_first_rating(self, initiative_id: int) -> bool:
        """Whether the card now has its first rating in any workshop: the gap analysis stops naming it
        as having no employee input, so the mapping's version must move.

        Every move of the mapping's version makes every phone and open board
        fetch again, so otherwise only a release of an aggregate moves it
        (``release``). Ask inside the rating's ``Mapping.change()``.
        """
        return Input.objects.filter(initiative_id=initiative_id, kind=InputKind.RATING).count() == 1

    @property
    def ended(self):
        """When the workshop stopped taking input: closed, or no longer joinable."""
        return self.closed_at or self.created + WORKSHOP_MAX_AGE

    @property
    def input_expires(self):
        """When ``purge_expired`` deletes the input; None while it is kept until someone deletes it."""
        return None if self.input_kept_days is None else self.ended + timedelta(days=self.input_kept_days)

    def delete_all_input(self) -> int:
        """Delete every input of the workshop; initiatives already approved stay on the board.

        Ratings leave the board's cards and the gap analysis, votes leave the plan: a change of the mapping.
        """
        with self.mapping.change() as change:
            deleted, _detail = self.inputs.all().delete()
            self.releases.all().delete()
            if deleted:
                self.bump()
            else:
                change.cancel()  # nothing to delete: the version stays where it was
        return deleted

    def close(self) -> None:
        Workshop.objects.filter(pk=self.pk).update(
            status=WorkshopStatus.CLOSED,
            closed_at=timezone.now(),
            version=F("version") + 1,
            input_version=F("input_version") + 1,
        )
        self.status = WorkshopStatus.CLOSED


RATING_RANGE = Q(rating_purpose__isnull=True) | Q(rating_purpose__gte=1, rating_purpose__lte=5)
WORKS_RANGE = Q(rating_works__isnull=True) | Q(rating_works__gte=1, rating_works__lte=5)


class InputQuerySet(models.QuerySet["Input"]):
    def visible(self):
        return self.filter(status=InputStatus.APPROVED)

    def of_kind(self, kind: str):
        return self.filter(kind=kind)

    def not_known_counts(self) -> dict[int, int]:
        """How many answered "kender den ikke" per initiative: not knowing an initiative is itself a finding.

        Raw counts, for the analysis (``Input.objects.filter(workshop__mapping=m).not_known_counts()``);
        a page shows them only through the group minimum (``participation``).
        """
        rows = self.filter(kind=InputKind.UNKNOWN).order_by().values("initiative").annotate(n=models.Count("id"))
        return {row["initiative"]: row["n"] for row in rows}


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

    # Random, not a sequence: ids must not tell in which order input arrived.
    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="inputs")
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, null=True, blank=True, related_name="inputs", verbose_name=_("indsats")
    )
    level = models.CharField(_("niveau"), max_length=20, choices=Level.choices, blank=True)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices, blank=True)
    finding = models.CharField(_("fund"), max_length=200, blank=True)
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
            models.UniqueConstraint(
                fields=["workshop", "participant", "initiative"],
                condition=Q(kind="unknown"),
                name="input_one_unknown_each",
            ),
            models.UniqueConstraint(
                fields=["workshop", "participant", "finding"],
                condition=Q(kind="burden"),
                name="input_one_burden_per_finding",
            ),
            models.CheckConstraint(
                condition=~Q(kind="unknown") | Q(initiative__isnull=False), name="input_unknown_has_initiative"
            ),
            models.CheckConstraint(condition=~Q(kind="burden") | ~Q(finding=""), name="input_burden_has_finding"),
        ]
        verbose_name = _("medarbejderinput")
        verbose_name_plural = _("medarbejderinput")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def needs_cell(self, status: str) -> bool:
        """Whether moderating to ``status`` needs a cell from the facilitator: approving a "ved ikke" suggestion."""
        creates = self.kind == InputKind.SUGGESTION and status == InputStatus.APPROVED and self.result_id is None
        return creates and not (self.level and self.dimension)

    def moderate(self, status: str, target: Initiative | None = None, *, cell: tuple[str, str] | None = None) -> bool:
        """Approve, merge or hide a suggestion or comment; a repeated click changes nothing.

        An approved suggestion becomes an initiative in its cell ("we miss" as
        planned): ``cell`` (level, dimension) when the facilitator placed it,
        else where the participant put it; a "ved ikke" suggestion is not
        approved without a cell. A merged one points at the initiative it duplicates.
        """
        if status == InputStatus.MERGED and (self.kind != InputKind.SUGGESTION or target is None):
            return False
        if cell is not None and self.kind == InputKind.SUGGESTION:
            self.level, self.dimension = cell
        if self.needs_cell(status):
            return False
        mapping = self.workshop.mapping
        creates = self.kind == InputKind.SUGGESTION and status == InputStatus.APPROVED and self.result_id is None
        with mapping.change(bumps=creates) as change:
            # The conditional update makes a double click (or two facilitators) create one initiative.
            claimed = Input.objects.filter(pk=self.pk, status=self.status).exclude(status=status).update(status=status)
            if not claimed:
                change.cancel()
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
            Input.objects.filter(pk=self.pk).update(result=self.result, level=self.level, dimension=self.dimension)
            self.status = status
            self.workshop.bump()
        return True

    @property
    def cell_label(self) -> str:
        if not (self.level and self.dimension):
            return ""
        return cell_label(self.level, self.dimension)


class Release(models.Model):
    """A count of employees' input in one workshop as people see it: a card's ratings (with their
    sums), its votes or "kender den ikke" answers, an action's votes, a finding's "belaster" marks
    (``finding=""``: the people who marked anything).

    It moves only in steps of at least the group minimum of new answers
    (``participation.is_release_due``), so no two figures anyone sees differ
    by one person's answer. Every page and export that shows such a figure reads
    these rows, never the input itself.
    """

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="releases")
    kind = models.CharField(_("type"), max_length=12, choices=InputKind.choices)
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, null=True, blank=True, related_name="releases")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, null=True, blank=True, related_name="releases")
    finding = models.CharField(_("fund"), max_length=200, blank=True)
    count = models.PositiveIntegerField()
    purpose_total = models.PositiveIntegerField(default=0)
    works_total = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            choices_check("kind", InputKind, "release"),
            models.UniqueConstraint(
                fields=["workshop", "kind", "initiative"],
                condition=Q(initiative__isnull=False),
                name="release_unique_initiative",
            ),
            models.UniqueConstraint(
                fields=["workshop", "kind", "action"], condition=Q(action__isnull=False), name="release_unique_action"
            ),
            models.UniqueConstraint(
                fields=["workshop", "kind", "finding"],
                condition=Q(initiative__isnull=True, action__isnull=True),
                name="release_unique_finding",
            ),
        ]
        verbose_name = _("offentliggjort tal")
        verbose_name_plural = _("offentliggjorte tal")

    def __str__(self) -> str:
        return f"{self.kind} {self.initiative_id or self.action_id or self.finding} @ {self.workshop_id} ({self.count})"
