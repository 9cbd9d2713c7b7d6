"""The workshop, as the facilitator runs it: the console (starting and closing, steps,
moderation) and the presenter view for the projector.

Facilitators and AMO members (``Need.EDIT``). Both screens poll with the one
live protocol (mapping/live.py). The console's state adds the latest workshop's
``input_version``, so every input shows within a second; the presenter's adds
its public ``version`` instead, which moves only with what the projector shows
(released figures, moderation, steps), so a refresh tells no one that someone
just answered. Each page and its
live regions come from one template and one context builder:
``workshop_context`` for the console (everything, the inbox with names
included), ``presenter_context`` for the projector (approved content and
aggregates only). The participants' side is views/join.py.
"""

from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap

from .. import live
from .. import participation as rules
from ..access import HtmxHttpRequest, MappingAccess, Need, gate
from ..board import grid
from ..forms import (
    CELL_CHOICES,
    ModerateForm,
    ParticipantLimitForm,
    WorkshopStartForm,
    WorkshopStepForm,
    cell_parts,
    error_text,
)
from ..models import Action, Initiative, Input, InputKind, InputStatus, Mapping, Workshop, WorkshopStatus

WORKSHOP = "mapping/workshop.html"
PRESENT = "mapping/workshop_present.html"
INBOX_SIZE = 40  # a projector shows a handful; the rest follows as these are handled


def latest_workshop(mapping: Mapping) -> Workshop | None:
    """The open workshop, else the most recent one (its results stay on screen)."""
    return mapping.workshops.first()  # newest first (Workshop.Meta)


def join_url(request: HtmxHttpRequest, workshop: Workshop) -> str:
    return request.build_absolute_uri(workshop.get_absolute_url())


def screen_context(
    request: HtmxHttpRequest,
    access: MappingAccess,
    *,
    poll: str,
    results: Callable[[MappingAccess, Workshop], dict],
    public: bool = False,
) -> dict:
    """What both workshop screens show: the latest workshop, its step, the join URL, the live state,
    and ``results``: the console's (inbox and names included) or the presenter's (``board_results``),
    whose state is ``public`` (see ``live.page_state``)."""
    mapping = access.mapping
    # The state first: input arriving while the rest is read shows with the next poll, never gets lost.
    state = live.page_state(mapping, workshop=True, public=public)
    workshop = latest_workshop(mapping)
    context: dict[str, object] = {
        "organisation": access.organisation,
        "mapping": mapping,
        "workshop": workshop,
        "steps": rules.STEPS,
        "live_state": state,
        "poll_token": live.poll_token(access.membership.user_id, mapping.pk, Need.EDIT),
        "poll_url": reverse(poll, args=[access.organisation.slug, mapping.pk]),
        "oob": False,
    }
    if workshop is not None:
        context.update(results(access, workshop))
        context["step"] = rules.step(workshop.step)
        context["join_url"] = join_url(request, workshop)
    return context


def workshop_context(request: HtmxHttpRequest, access: MappingAccess, **extra) -> dict:
    """The console: everything, the inbox with its names included."""
    context = screen_context(request, access, poll="mapping:workshop-poll", results=results_context)
    context.update({"access": access, "can_edit": access.can_edit, "start_form": WorkshopStartForm()})
    workshop = context["workshop"]
    if isinstance(workshop, Workshop):
        context["earlier"] = access.mapping.workshops.exclude(pk=workshop.pk).annotate(input_count=Count("inputs"))[:5]
    context.update(extra)
    return context


@dataclass(frozen=True)
class ScreenCard:
    """A card on the workshop screen with employees' released aggregates: None where nothing may be shown."""

    card: Initiative
    ratings: dict[str, rules.Aggregate] | None
    votes: int | None  # released counts (``Release``); None while none is
    unknown: int | None = None  # how many answered "kender den ikke", as released

    @property
    def level(self) -> str:
        return self.card.level

    @property
    def dimension(self) -> str:
        return self.card.dimension


def board_results(access: MappingAccess, workshop: Workshop) -> dict:
    """What employees gave, as everyone in the room may see it: the board with aggregates, the votes.

    Released figures only (``Release``: shown from the group minimum on, moved
    in steps of it), never the input itself: nothing here is per person or
    waiting for moderation, and nothing moves with one person's tap, so the
    presenter's state (``live.page_state`` with ``public``) follows exactly this. The
    presenter view shows this alone; the console adds the inbox (``results_context``).
    """
    mapping = access.mapping
    minimum = access.organisation.group_minimum
    released = list(workshop.releases.values_list("kind", "initiative", "action", "finding", "count"))
    ratings = rules.rating_aggregates(
        workshop.releases.filter(kind=InputKind.RATING).values_list(
            "initiative", "count", "purpose_total", "works_total"
        ),
        minimum,
    )
    votes = {card: n for kind, card, _action, _finding, n in released if kind == InputKind.VOTE and card}
    action_votes = {action: n for kind, _card, action, _finding, n in released if kind == InputKind.VOTE and action}
    not_known = {card: n for kind, card, _action, _finding, n in released if kind == InputKind.UNKNOWN}
    marks = {finding: n for kind, _card, _action, finding, n in released if kind == InputKind.BURDEN and finding}
    candidates = [
        (action, action_votes.get(action.pk))
        for action in mapping.actions.exclude(status=Action.Status.DONE).by_burden()
    ]
    candidates.sort(key=lambda pair: -(pair[1] or 0))  # a stable sort: ties keep the plan's order
    cards = list(mapping.initiatives.for_board(minimum))
    shown = [ScreenCard(card, ratings.get(card.pk), votes.get(card.pk), not_known.get(card.pk)) for card in cards]
    titles = {card.pk: card for card in cards}
    top = [(titles[pk], n) for pk, n in sorted(votes.items(), key=lambda item: (-item[1], item[0])) if pk in titles][:5]
    burdens = []
    if marks:
        messages_by_key = {finding.key: finding.message for finding in mapping.findings().findings}
        burdens = [
            (messages_by_key[key], n)
            for key, n in sorted(marks.items(), key=lambda item: (-item[1], item[0]))
            if key in messages_by_key
        ][:5]
    return {
        "rows": grid(shown),
        "cards": cards,
        "burdens": burdens,
        "top_votes": top,
        "candidate_actions": candidates,
        "action_votes_enough": bool(action_votes),
        "minimum": minimum,
    }


def waiting_hints(workshop: Workshop) -> dict:
    """The console's hints that answers wait for the minimum ("for få har svaret"): read from the
    input itself, so never on the presenter view, whose figures and state move only with releases."""
    rows = set(
        workshop.inputs.filter(kind__in=[InputKind.RATING, InputKind.VOTE, InputKind.BURDEN])
        .order_by()
        .values_list("kind", "initiative")
        .distinct()
    )
    return {
        "waiting_cards": {card for kind, card in rows if kind == InputKind.RATING},
        "has_initiative_votes": any(kind == InputKind.VOTE and card for kind, card in rows),
        "has_burden_marks": any(kind == InputKind.BURDEN for kind, _card in rows),
    }


def results_context(access: MappingAccess, workshop: Workshop) -> dict:
    """The console's results: the board with aggregates, and the input waiting for moderation.

    An author name appears only where a participant chose to give one, and
    only here: never on the presenter view.
    """
    context = board_results(access, workshop) | waiting_hints(workshop)
    inputs = workshop.inputs
    pending = inputs.filter(kind__in=[InputKind.SUGGESTION, InputKind.COMMENT], status=InputStatus.PENDING)
    inbox = list(pending.select_related("initiative")[:INBOX_SIZE])
    handled = list(
        inputs.filter(kind__in=[InputKind.SUGGESTION, InputKind.COMMENT])
        .exclude(status=InputStatus.PENDING)
        .select_related("initiative", "result")
        .order_by("-id")[:30]
    )
    counts = dict(inputs.order_by().values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    context.update(
        {
            "inbox": inbox,
            "pending_count": len(inbox) if len(inbox) < INBOX_SIZE else pending.count(),
            "handled": handled,
            "counts": {kind: counts.get(kind, 0) for kind in InputKind.values},
            "merge_targets": context["cards"],
            "cell_choices": CELL_CHOICES,
        }
    )
    return context


def presenter_context(request: HtmxHttpRequest, access: MappingAccess, **extra) -> dict:
    """The presenter view's data, and nothing else: what the whole room may see.

    Its results are ``board_results`` alone: pending input and display names
    are not in the context, so no template slip can put them on the wall.
    """
    context = screen_context(request, access, poll="mapping:workshop-present-poll", results=board_results, public=True)
    context.update(extra)
    return context


def back_to_workshop(access: MappingAccess) -> HttpResponse:
    return redirect(reverse("mapping:workshop", args=[access.organisation.slug, access.mapping.pk]))


def live_context(request: HtmxHttpRequest, access: MappingAccess) -> dict:
    return workshop_context(request, access, oob=True)


def live_response(request: HtmxHttpRequest, access: MappingAccess) -> HttpResponse:
    """After an HTMX write: the live regions at once, as the next poll would bring them."""
    access.mapping.refresh_from_db(fields=["version"])  # the write moved it on another instance
    return reswap(render(request, WORKSHOP + "#live", live_context(request, access)), "none")


@login_required
@require_GET
def workshop(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    return render(request, WORKSHOP, workshop_context(request, access))


@login_required
@require_GET
def workshop_present(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    """The presenter view for the projector: approved content and aggregates only, no names.

    The same people as the console (``Need.EDIT``) open it: it shows the join
    code, which the facilitator hands out, and members give their input on
    their phones like everyone else.
    """
    access = gate(request, org, mapping_id, Need.EDIT)
    return render(request, PRESENT, presenter_context(request, access))


@require_GET
def workshop_present_poll(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    """The presenter's poll: the one live protocol with the presenter's own regions."""
    return live.poll(
        request,
        org,
        mapping_id,
        template=PRESENT,
        context=lambda request, access: presenter_context(request, access, oob=True),
        need=Need.EDIT,
        workshop=True,
        public=True,
    )


@require_GET
def workshop_poll(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    """204 while neither the board nor the latest workshop's input moved (one query); otherwise the live regions."""
    return live.poll(request, org, mapping_id, template=WORKSHOP, context=live_context, need=Need.EDIT, workshop=True)


@login_required
@require_POST
def workshop_start(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    form = WorkshopStartForm(request.POST)
    if not form.is_valid():
        return render(request, WORKSHOP, workshop_context(request, access, start_form=form), status=400)
    _workshop, is_started = Workshop.objects.start(
        mapping, votes_per_participant=form.cleaned_data["votes_per_participant"]
    )
    if is_started:  # else one was open already, perhaps started by someone else a moment ago
        messages.success(request, _("Workshoppen er startet. Vis koden eller QR-koden for deltagerne."))
    return back_to_workshop(access)


@login_required
@require_POST
def workshop_close(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    workshop = access.mapping.workshops.filter(status=WorkshopStatus.OPEN).first()
    if workshop is not None:
        workshop.close()
        messages.success(request, _("Workshoppen er lukket. Koden virker ikke længere."))
    return back_to_workshop(access)


@login_required
@require_POST
def workshop_step(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    workshop = get_object_or_404(access.mapping.workshops, status=WorkshopStatus.OPEN)
    form = WorkshopStepForm(request.POST)
    if form.is_valid():
        workshop.move_to_step(form.cleaned_data["step"])
    if request.htmx:
        return live_response(request, access)
    return back_to_workshop(access)


@login_required
@require_GET
def workshop_qr(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    """The join URL as an SVG image (an <img>, so the strict CSP needs no exception)."""
    access = gate(request, org, mapping_id, Need.EDIT)
    workshop = get_object_or_404(access.mapping.workshops, status=WorkshopStatus.OPEN)
    buffer = BytesIO()
    segno.make(join_url(request, workshop), error="m").save(
        buffer, kind="svg", scale=8, border=2, dark="#1d2330", light="#ffffff", xmldecl=False
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    # One URL for whichever workshop is open: a cached image could show a closed workshop's code.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def workshop_input_moderate(request: HtmxHttpRequest, org: str, mapping_id: int, input_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    item = get_object_or_404(
        Input.objects.select_related("workshop__mapping").filter(
            workshop__mapping=mapping, kind__in=[InputKind.SUGGESTION, InputKind.COMMENT]
        ),
        pk=input_id,
    )
    form = ModerateForm(request.POST, mapping=mapping)
    if not form.is_valid():
        messages.error(request, error_text(form))
    else:
        level, dimension = cell_parts(form.cleaned_data["cell"])
        if not level and item.needs_cell(form.status()):
            messages.error(request, _("Vælg, hvor på tavlen forslaget hører hjemme."))
        else:
            item.moderate(
                form.status(), form.cleaned_data.get("initiative"), cell=(level, dimension) if level else None
            )
    if request.htmx:
        return live_response(request, access)
    return back_to_workshop(access)


@login_required
@require_POST
def workshop_input_delete_all(request: HtmxHttpRequest, org: str, mapping_id: int, workshop_id: int) -> HttpResponse:
    """Delete every input of a workshop; initiatives already approved stay on the board."""
    access = gate(request, org, mapping_id, Need.EDIT)
    workshop = get_object_or_404(access.mapping.workshops, pk=workshop_id)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Sæt kryds for at bekræfte, at alt input skal slettes."))
        return back_to_workshop(access)
    deleted = workshop.delete_all_input()
    messages.success(request, _("Alt input fra workshoppen er slettet (%(count)s).") % {"count": deleted})
    return back_to_workshop(access)


@login_required
@require_POST
def workshop_participant_limit(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    """Raise (or lower) how many participants may join the open workshop."""
    access = gate(request, org, mapping_id, Need.EDIT)
    workshop = get_object_or_404(access.mapping.workshops, status=WorkshopStatus.OPEN)
    form = ParticipantLimitForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return back_to_workshop(access)
    Workshop.objects.filter(pk=workshop.pk).update(participant_limit=form.cleaned_data["participant_limit"])
    messages.success(request, _("Nu kan %(limit)s deltage.") % {"limit": form.cleaned_data["participant_limit"]})
    return back_to_workshop(access)
