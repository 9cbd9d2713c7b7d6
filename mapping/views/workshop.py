"""Workshops: the facilitator's projector screen and the participants' phones.

Facilitator views go through the gate like every other mapping view.
Participant views have no account: they resolve the workshop by its join code
and the participant by a signed cookie (see mapping/workshop.py).
"""

import functools
from io import BytesIO

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh, reswap

from .. import workshop as rules
from ..access import Access, Need, gate
from ..forms import (
    CommentForm,
    JoinForm,
    ModerateForm,
    RatingForm,
    SuggestionForm,
    VoteForm,
    WorkshopStartForm,
    WorkshopStepForm,
)
from ..models import (
    Action,
    Initiative,
    Input,
    InputKind,
    InputStatus,
    Mapping,
    Workshop,
    WorkshopStatus,
    new_join_code,
    normalise_code,
)
from .board import cards_queryset, grid

WORKSHOP = "mapping/workshop.html"
JOIN = "mapping/join.html"
INBOX_SIZE = 40  # a projector shows a handful; the rest follows as these are handled


# -- Facilitator ---------------------------------------------------------------


def latest_workshop(mapping: Mapping) -> Workshop | None:
    """The open workshop, else the most recent one (its results stay on screen)."""
    return mapping.workshops.order_by("-created", "-id").first()


def join_url(request: HttpRequest, workshop: Workshop) -> str:
    return request.build_absolute_uri(workshop.get_absolute_url())


def workshop_context(request: HttpRequest, access: Access, **extra) -> dict:
    mapping = access.mapping
    workshop = latest_workshop(mapping)
    context = {
        "organisation": access.organisation,
        "mapping": mapping,
        "access": access,
        "can_edit": access.can_edit,
        "workshop": workshop,
        "start_form": WorkshopStartForm(),
        "steps": rules.STEPS,
        "version": mapping.version,
        "oob": False,
    }
    if workshop is not None:
        context.update(results_context(access, workshop))
        context["step"] = rules.step(workshop.step)
        context["join_url"] = join_url(request, workshop)
        context["earlier"] = mapping.workshops.exclude(pk=workshop.pk).annotate(input_count=Count("inputs"))[:5]
    context.update(extra)
    return context


def results_context(access: Access, workshop: Workshop) -> dict:
    """The board with aggregates, and the input waiting for moderation.

    Nothing here is per person: ratings and votes arrive as sums and counts,
    and an author name appears only where a participant chose to give one.
    """
    mapping = access.mapping
    minimum = access.organisation.min_group_size
    inputs = workshop.inputs
    rating_rows = (
        inputs.of_kind(InputKind.RATING)
        .order_by()
        .values("initiative")
        .annotate(n=Count("id"), purpose=Sum("rating_purpose"), works=Sum("rating_works"))
        .values_list("initiative", "n", "purpose", "works")
    )
    ratings = rules.rating_aggregates(rating_rows, minimum)
    # One row per vote: a workshop has at most participants x votes_per_participant of them.
    votes = list(inputs.of_kind(InputKind.VOTE).order_by().values_list("initiative", "action", "participant"))
    tally = rules.tally_votes(((card, who) for card, _action, who in votes if card is not None), minimum)
    action_tally = rules.tally_votes(((action, who) for _card, action, who in votes if action is not None), minimum)
    candidates = list(mapping.actions.exclude(status=Action.Status.DONE).by_burden())
    if action_tally is not None:
        for action in candidates:
            action.votes = action_tally.get(action.pk, 0)
        candidates.sort(key=lambda action: -action.votes)  # a stable sort: ties keep the plan's order
    cards = list(cards_queryset(mapping))
    for card in cards:
        card.ratings = ratings.get(card.pk)
        card.votes = tally.get(card.pk, 0) if tally is not None else None
    top = []
    if tally:
        titles = {card.pk: card for card in cards}
        top = [
            (titles[pk], n)
            for pk, n in sorted(tally.items(), key=lambda item: (-item[1], item[0]))
            if pk in titles and n > 0
        ][:5]
    pending = inputs.filter(kind__in=[InputKind.SUGGESTION, InputKind.COMMENT], status=InputStatus.PENDING)
    inbox = list(pending.select_related("initiative")[:INBOX_SIZE])
    handled = list(
        inputs.filter(kind__in=[InputKind.SUGGESTION, InputKind.COMMENT])
        .exclude(status=InputStatus.PENDING)
        .select_related("initiative", "result")
        .order_by("-id")[:30]
    )
    counts = dict(inputs.order_by().values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    return {
        "rows": grid(mapping, cards),
        "inbox": inbox,
        "pending_count": len(inbox) if len(inbox) < INBOX_SIZE else pending.count(),
        "handled": handled,
        "counts": {kind: counts.get(kind, 0) for kind in InputKind.values},
        "voters_enough": tally is not None,
        "has_initiative_votes": any(card is not None for card, _action, _who in votes),
        "top_votes": top,
        "candidate_actions": candidates,
        "action_votes_enough": action_tally is not None,
        "minimum": max(minimum, 3),
        "merge_targets": cards,
        "input_version": workshop.input_version,
    }


def back_to_workshop(access: Access) -> HttpResponse:
    return redirect(reverse("mapping:workshop", args=[access.organisation.slug, access.mapping.pk]))


def live_response(request: HttpRequest, access: Access) -> HttpResponse:
    access.mapping.refresh_from_db(fields=["version"])
    context = workshop_context(request, access, oob=True)
    return reswap(render(request, WORKSHOP + "#live", context), "none")


@login_required
@require_GET
def workshop(request: HttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    return render(request, WORKSHOP, workshop_context(request, access))


@require_GET
def workshop_poll(request: HttpRequest, org: str, mapping_id: int) -> HttpResponse:
    """204 while neither the board nor the input moved; otherwise the live regions."""
    access = gate(request, org, mapping_id, Need.EDIT)
    current = access.mapping.workshops.order_by("-created", "-id").values_list("pk", "input_version").first()
    seen = (request.GET.get("w", ""), request.GET.get("v", ""))
    if current is not None and seen == (f"{current[0]}:{current[1]}", str(access.mapping.version)):
        return reswap(HttpResponse(status=204), "none")
    return live_response(request, access)


@login_required
@require_POST
def workshop_start(request: HttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    form = WorkshopStartForm(request.POST)
    if not form.is_valid():
        return render(request, WORKSHOP, workshop_context(request, access, start_form=form), status=400)
    if mapping.workshops.filter(status=WorkshopStatus.OPEN).exists():
        return back_to_workshop(access)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                mapping.workshops.create(
                    code=new_join_code(), votes_per_participant=form.cleaned_data["votes_per_participant"]
                )
            break
        except IntegrityError:
            # A code collision (rare) or a workshop started at the same moment.
            if mapping.workshops.filter(status=WorkshopStatus.OPEN).exists():
                break
    messages.success(request, _("Workshoppen er startet. Vis koden eller QR-koden for deltagerne."))
    return back_to_workshop(access)


@login_required
@require_POST
def workshop_close(request: HttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    workshop = access.mapping.workshops.filter(status=WorkshopStatus.OPEN).first()
    if workshop is not None:
        workshop.close()
        messages.success(request, _("Workshoppen er lukket. Koden virker ikke længere."))
    return back_to_workshop(access)


@login_required
@require_POST
def workshop_step(request: HttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    workshop = get_object_or_404(access.mapping.workshops, status=WorkshopStatus.OPEN)
    form = WorkshopStepForm(request.POST)
    if form.is_valid():
        Workshop.objects.filter(pk=workshop.pk).update(step=form.cleaned_data["step"])
        workshop.bump()
    if request.htmx:
        return live_response(request, access)
    return back_to_workshop(access)


@login_required
@require_GET
def workshop_qr(request: HttpRequest, org: str, mapping_id: int) -> HttpResponse:
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
def workshop_input_moderate(request: HttpRequest, org: str, mapping_id: int, input_id: int) -> HttpResponse:
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
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    else:
        item.moderate(form.status(), form.cleaned_data.get("initiative"))
    if request.htmx:
        return live_response(request, access)
    return back_to_workshop(access)


@login_required
@require_POST
def workshop_input_delete_all(request: HttpRequest, org: str, mapping_id: int, workshop_id: int) -> HttpResponse:
    """Delete every input of a workshop; initiatives already approved stay on the board."""
    access = gate(request, org, mapping_id, Need.EDIT)
    workshop = get_object_or_404(access.mapping.workshops, pk=workshop_id)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Sæt kryds for at bekræfte, at alt input skal slettes."))
        return back_to_workshop(access)
    with transaction.atomic():
        # First the mapping's row lock, as every write on the mapping: ratings leave the board's
        # cards and the gap analysis, votes leave the plan.
        access.mapping.bump()
        deleted, _detail = workshop.inputs.all().delete()
        if deleted:
            workshop.bump()
        else:
            transaction.set_rollback(True)  # nothing to delete: the version stays where it was
    messages.success(request, _("Alt input fra workshoppen er slettet (%(count)s).") % {"count": deleted})
    return back_to_workshop(access)


# -- Participants ----------------------------------------------------------------


def gone(request: HttpRequest, workshop: Workshop | None, status: int = 404) -> HttpResponse:
    """Unknown or closed code: a clear page, status 404; a polling phone reloads into it."""
    if request.htmx:
        return HttpResponseClientRefresh()
    context = {"page": "gone", "is_closed": workshop is not None, "is_busy": status == 429}
    return render(request, JOIN, context, status=status)


def participant_view(view):
    """Resolve the open workshop from the code in the URL, or answer with the 404 page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, code: str, *args, **kwargs) -> HttpResponse:
        code = normalise_code(code)
        workshop = Workshop.objects.select_related("mapping__organisation").filter(code=code).first()
        if workshop is None and not rules.allow("unknown-code", "site", rules.UNKNOWN_CODES_PER_MINUTE):
            return gone(request, None, status=429)
        if workshop is None or not workshop.is_joinable:
            return gone(request, workshop)
        return view(request, workshop, *args, **kwargs)

    return wrapper


def participant_from(request: HttpRequest) -> rules.Participant | None:
    value = request.get_signed_cookie(rules.COOKIE, default=None, salt=rules.COOKIE_SALT, max_age=rules.COOKIE_MAX_AGE)
    return rules.read_participant(value)


def set_participant(response: HttpResponse, workshop: Workshop, participant: rules.Participant) -> None:
    response.set_signed_cookie(
        rules.COOKIE,
        participant.cookie_value(),
        salt=rules.COOKIE_SALT,
        max_age=rules.COOKIE_MAX_AGE,
        path=workshop.get_absolute_url(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def participant_context(request: HttpRequest, workshop: Workshop, participant: rules.Participant, **extra) -> dict:
    mapping = workshop.mapping
    key = participant.key(workshop.pk)
    mine = list(
        workshop.inputs.filter(participant=key, kind__in=[InputKind.RATING, InputKind.VOTE]).values_list(
            "kind", "initiative", "action"
        )
    )
    rated = {pk for kind, pk, _action in mine if kind == InputKind.RATING}
    voted = {pk for kind, pk, _action in mine if kind == InputKind.VOTE and pk is not None}
    voted_actions = {pk for kind, _initiative, pk in mine if kind == InputKind.VOTE and pk is not None}
    candidates = list(
        mapping.actions.exclude(status=Action.Status.DONE).by_burden().only("pk", "title", "status", "burden", "due")
    )
    for action in candidates:
        action.has_vote = action.pk in voted_actions
    comment_counts = dict(
        workshop.inputs.visible()
        .of_kind(InputKind.COMMENT)
        .order_by()
        .values("initiative")
        .annotate(n=Count("id"))
        .values_list("initiative", "n")
    )
    cards = list(mapping.initiatives.active().order_by("position", "id").only("pk", "title", "level", "dimension"))
    # Written under the current display name: what was sent under another name is not linked to it.
    own_suggestions = (
        workshop.inputs.filter(participant=participant.author_key(workshop.pk), kind=InputKind.SUGGESTION)
        .select_related("result")
        .order_by("-id")
    )
    for card in cards:
        card.is_rated = card.pk in rated
        card.has_vote = card.pk in voted
        card.comment_count = comment_counts.get(card.pk, 0)
    context = {
        "workshop": workshop,
        "mapping": mapping,
        "organisation": mapping.organisation,
        "participant": participant,
        "rows": grid(mapping, cards),
        "step": rules.step(workshop.step),
        "votes_left": max(workshop.votes_per_participant - len(voted) - len(voted_actions), 0),
        "candidate_actions": candidates,
        "own_suggestions": own_suggestions[:10],
        "form_key": rules.new_form_key(),
        "suggestion_form": SuggestionForm(),
        "join_form": JoinForm(initial={"name": participant.name}),
        "page": "board",
        "oob": False,
    }
    context.update(extra)
    return context


def welcome_context(workshop: Workshop, **extra) -> dict:
    return {
        "page": "welcome",
        "workshop": workshop,
        "mapping": workshop.mapping,
        "organisation": workshop.mapping.organisation,
        "join_form": JoinForm(),
        **extra,
    }


def render_participant(request, workshop, participant, status=200, **extra) -> HttpResponse:
    return render(request, JOIN, participant_context(request, workshop, participant, **extra), status=status)


@require_http_methods(["GET", "POST"])
def join_enter(request: HttpRequest) -> HttpResponse:
    """/j/: type the code shown on the projector."""
    code = normalise_code(request.GET.get("code", "") or request.POST.get("code", ""))
    if code:
        return redirect(reverse("mapping:join", args=[code]))
    return render(request, JOIN, {"page": "enter"})


@require_http_methods(["GET", "POST"])
@participant_view
def join(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    """Without a cookie: the welcome and the optional name. With one: the participant's page."""
    participant = participant_from(request)
    if request.method == "POST":
        form = JoinForm(request.POST)
        if not rules.allow("join", workshop.code, rules.CODE_JOINS_PER_MINUTE):
            return too_many(request, workshop, participant)
        if not form.is_valid():
            return render(request, JOIN, welcome_context(workshop, join_form=form), status=400)
        name = form.cleaned_data["name"].strip()
        token = participant.token if participant else rules.new_participant().token
        response = redirect(workshop.get_absolute_url())
        set_participant(response, workshop, rules.Participant(token=token, name=name))
        if participant is not None:
            messages.success(request, _("Dit navn er gemt.") if name else _("Du deltager nu anonymt."))
        return response
    if participant is None:
        return render(request, JOIN, welcome_context(workshop))
    return render_participant(request, workshop, participant)


@require_GET
def join_poll(request: HttpRequest, code: str) -> HttpResponse:
    """One indexed query while nothing moved; otherwise the board and the step again."""
    code = normalise_code(code)
    current = Workshop.objects.joinable().filter(code=code).values_list("mapping__version", "version").first()
    if current is None:
        return HttpResponseClientRefresh()
    if request.GET.get("v") == f"{current[0]}:{current[1]}":
        return reswap(HttpResponse(status=204), "none")
    return join_live(request, code)


@participant_view
def join_live(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    participant = participant_from(request)
    if participant is None:
        return HttpResponseClientRefresh()
    context = participant_context(request, workshop, participant, oob=True)
    return reswap(render(request, JOIN + "#live", context), "none")


def admit(request: HttpRequest, workshop: Workshop) -> tuple[rules.Participant | None, HttpResponse | None]:
    """A write's preconditions: a joined participant within the limits."""
    participant = participant_from(request)
    if participant is None:
        messages.info(request, _("Deltag i workshoppen først."))
        return None, redirect(workshop.get_absolute_url())
    key = participant.key(workshop.pk)
    if not (
        rules.allow("participant", key, rules.PARTICIPANT_WRITES_PER_MINUTE)
        and rules.allow("code", workshop.code, rules.CODE_WRITES_PER_MINUTE)
    ):
        return None, too_many(request, workshop, participant)
    return participant, None


def too_many(request: HttpRequest, workshop: Workshop, participant: rules.Participant | None) -> HttpResponse:
    message = _("Der kommer meget input lige nu. Vent et øjeblik, og prøv igen.")
    if participant is None:
        return render(request, JOIN, welcome_context(workshop, error=message), status=429)
    return render_participant(request, workshop, participant, status=429, error=message)


def initiative_for(workshop: Workshop, initiative_id: int) -> Initiative:
    return get_object_or_404(workshop.mapping.initiatives.active(), pk=initiative_id)


def to_card(workshop: Workshop, initiative_id: int) -> HttpResponse:
    return redirect(f"{workshop.get_absolute_url()}#card-{initiative_id}")


@require_POST
@participant_view
def join_suggest(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    participant, refused = admit(request, workshop)
    if refused:
        return refused
    form = SuggestionForm(request.POST)
    if not form.is_valid():
        return render_participant(request, workshop, participant, status=400, suggestion_form=form)
    level, dimension = form.cell_parts()
    workshop.add_input(
        kind=InputKind.SUGGESTION,
        level=level,
        dimension=dimension,
        is_missing=form.cleaned_data["is_missing"],
        text=form.cleaned_data["text"],
        author_name=participant.name,
        participant=participant.author_key(workshop.pk),
        idempotency_key=form.cleaned_data["key"],
    )
    messages.success(request, _("Tak! Dit forslag er sendt til facilitatoren."))
    return redirect(workshop.get_absolute_url())  # the top of the page, where the thanks shows


@require_GET
@participant_view
def join_initiative(request: HttpRequest, workshop: Workshop, initiative_id: int) -> HttpResponse:
    participant = participant_from(request)
    if participant is None:
        return redirect(workshop.get_absolute_url())
    return render_initiative(request, workshop, participant, initiative_for(workshop, initiative_id))


def render_initiative(request, workshop, participant, initiative, status=200, **extra) -> HttpResponse:
    key = participant.key(workshop.pk)
    mine = workshop.inputs.filter(participant=key, initiative=initiative, kind__in=[InputKind.RATING, InputKind.VOTE])
    rating = next((i for i in mine if i.kind == InputKind.RATING), None)
    initial = {"rating_purpose": rating.rating_purpose, "rating_works": rating.rating_works} if rating else {}
    votes_used = workshop.inputs.filter(participant=key, kind=InputKind.VOTE).count()
    context = {
        "workshop": workshop,
        "mapping": workshop.mapping,
        "participant": participant,
        "card": initiative,
        "purposes": initiative.purposes.all(),
        "comments": workshop.inputs.visible().of_kind(InputKind.COMMENT).filter(initiative=initiative),
        "rating": rating,
        "has_vote": any(i.kind == InputKind.VOTE for i in mine),
        "votes_left": max(workshop.votes_per_participant - votes_used, 0),
        "rating_form": RatingForm(initial=initial),
        "comment_form": CommentForm(),
        "form_key": rules.new_form_key(),
        "step": rules.step(workshop.step),
        "page": "initiative",
    }
    context.update(extra)
    return render(request, JOIN, context, status=status)


@require_POST
@participant_view
def join_rate(request: HttpRequest, workshop: Workshop, initiative_id: int) -> HttpResponse:
    participant, refused = admit(request, workshop)
    if refused:
        return refused
    initiative = initiative_for(workshop, initiative_id)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return render_initiative(request, workshop, participant, initiative, status=400, rating_form=form)
    values = {k: form.cleaned_data[k] for k in ("rating_purpose", "rating_works")}
    # One rating per person and initiative: rating again replaces the earlier answer.
    workshop.rate(initiative.pk, participant.key(workshop.pk), form.cleaned_data["key"], **values)
    messages.success(request, _("Tak for din bedømmelse af “%(title)s”.") % {"title": initiative.title})
    return to_card(workshop, initiative.pk)


@require_POST
@participant_view
def join_comment(request: HttpRequest, workshop: Workshop, initiative_id: int) -> HttpResponse:
    participant, refused = admit(request, workshop)
    if refused:
        return refused
    initiative = initiative_for(workshop, initiative_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return render_initiative(request, workshop, participant, initiative, status=400, comment_form=form)
    workshop.add_input(
        kind=InputKind.COMMENT,
        initiative=initiative,
        text=form.cleaned_data["text"],
        author_name=participant.name,
        participant=participant.author_key(workshop.pk),
        idempotency_key=form.cleaned_data["key"],
    )
    messages.success(request, _("Tak! Din kommentar vises, når facilitatoren har godkendt den."))
    return redirect(reverse("mapping:join-initiative", args=[workshop.code, initiative.pk]))


@require_POST
@participant_view
def join_vote(request: HttpRequest, workshop: Workshop, initiative_id: int) -> HttpResponse:
    participant, refused = admit(request, workshop)
    if refused:
        return refused
    initiative = initiative_for(workshop, initiative_id)
    cast_vote(request, workshop, participant, initiative.title, initiative=initiative)
    return to_card(workshop, initiative.pk)


def candidate_for(workshop: Workshop, action_id: int) -> Action:
    """An action participants may vote on: one of the mapping's actions not yet done."""
    return get_object_or_404(workshop.mapping.actions.exclude(status=Action.Status.DONE), pk=action_id)


@require_POST
@participant_view
def join_action_vote(request: HttpRequest, workshop: Workshop, action_id: int) -> HttpResponse:
    participant, refused = admit(request, workshop)
    if refused:
        return refused
    action = candidate_for(workshop, action_id)
    cast_vote(request, workshop, participant, action.title, action=action)
    return redirect(f"{workshop.get_absolute_url()}#candidate-{action.pk}")


def cast_vote(request: HttpRequest, workshop: Workshop, participant: rules.Participant, title: str, **target) -> None:
    """Add or take back one vote on ``target`` (an initiative or an action).

    Every vote of the workshop, on initiatives and actions alike, spends the same budget.
    """
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return
    key = participant.key(workshop.pk)
    mine = workshop.inputs.filter(participant=key, kind=InputKind.VOTE)
    if form.cleaned_data["action"] == VoteForm.REMOVE:
        deleted, _detail = mine.filter(**target).delete()
        if deleted:
            workshop.bump(public=False)
        messages.success(request, _("Din stemme er taget tilbage."))
        return
    with transaction.atomic():
        # Lock the workshop row so two quick taps cannot both spend the last vote (PostgreSQL).
        list(Workshop.objects.select_for_update().filter(pk=workshop.pk).values_list("pk", flat=True))
        if mine.filter(**target).exists():
            is_stored = True
        elif mine.count() >= workshop.votes_per_participant:
            messages.error(request, _("Du har brugt alle dine stemmer. Tag en stemme tilbage for at flytte den."))
            return
        else:
            is_stored = workshop.add_input(
                kind=InputKind.VOTE,
                participant=key,
                idempotency_key=form.cleaned_data["key"],
                status=InputStatus.APPROVED,
                **target,
            )
    if is_stored:
        messages.success(request, _("Din stemme er givet til “%(title)s”.") % {"title": title})
