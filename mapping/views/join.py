"""Participants of a workshop: the phone pages at /j/<code>/, without an account.

Every view passes the participants' gate (``access.participant_view``: the
join code opens one workshop) and reads the participant from a signed cookie
(see mapping/participation.py); nothing here stores who someone is. Writes go
through the workshop (``add_input``, ``rate``, ``vote``). Phones poll with the
one live protocol (mapping/live.py), their state keyed by the join code.
The facilitator's side is views/workshop.py.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh, reswap

from .. import gaps, live
from .. import participation as rules
from ..access import HtmxHttpRequest, client_address, participant_requests_allowed, participant_view
from ..board import grid
from ..forms import BurdenForm, CommentForm, JoinForm, RatingForm, SuggestionForm, VoteForm, error_text
from ..models import Action, Initiative, InputKind, InputStatus, Mapping, Workshop, normalise_code
from ..models.workshops import BURDEN_MARKS

JOIN = "mapping/join.html"


def participant_from(request: HtmxHttpRequest, workshop: Workshop) -> rules.Participant | None:
    """The participant of this workshop in the cookie; a cookie from another workshop counts as none."""
    value = request.get_signed_cookie(rules.COOKIE, default=None, salt=rules.COOKIE_SALT, max_age=rules.COOKIE_MAX_AGE)
    return rules.read_participant(value, workshop.pk)


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


# The phone shows the current step's task first (the page follows the step live: static/js/workshop.js).
TASKS_BY_STEP = {
    1: ("board", "suggest", "candidates"),  # rate what exists
    2: ("board", "suggest", "candidates"),  # comment on what belongs together
    3: ("suggest", "board", "candidates"),  # suggest what else we do, or miss
    4: ("burden", "candidates", "board", "suggest"),  # what burdens most, and what to start with
}
BURDEN_TOPICS = 8  # the most important open findings: a phone is no place for a long report


def burden_topics(mapping: Mapping) -> list[gaps.Finding]:
    """What participants may mark as burdening them most in step 4: the first open findings, as the dashboard orders them."""
    return mapping.findings().open[:BURDEN_TOPICS]


def participant_context(request: HtmxHttpRequest, workshop: Workshop, participant: rules.Participant, **extra) -> dict:
    mapping = workshop.mapping
    state = live.participant_state(workshop.code)  # read before what it stands for: a change meanwhile shows next poll
    key = participant.key(workshop.pk)
    mine = list(
        workshop.inputs.filter(participant=key, kind__in=[InputKind.VOTE, InputKind.BURDEN]).values_list(
            "kind", "initiative", "action", "finding"
        )
    )
    voted = {pk for kind, pk, _action, _finding in mine if kind == InputKind.VOTE and pk is not None}
    voted_actions = {pk for kind, _initiative, pk, _finding in mine if kind == InputKind.VOTE and pk is not None}
    burdens = {finding for kind, _initiative, _action, finding in mine if kind == InputKind.BURDEN}
    candidates = list(
        mapping.actions.exclude(status=Action.Status.DONE).by_burden().only("pk", "title", "status", "burden", "due")
    )
    approved_comments = Q(
        inputs__workshop=workshop, inputs__kind=InputKind.COMMENT, inputs__status=InputStatus.APPROVED
    )
    cards = list(
        mapping.initiatives.active()
        .order_by("position", "id")
        .only("pk", "title", "level", "dimension")
        .annotate(comment_count=Count("inputs", filter=approved_comments))
    )
    # Each rating has a key of its own (see participation.rating_key): ask for this person's, card by card.
    rating_keys = {participant.rating_key(workshop.pk, card.pk): card.pk for card in cards}
    answered = list(
        workshop.inputs.filter(kind__in=[InputKind.RATING, InputKind.UNKNOWN], participant__in=rating_keys).values_list(
            "kind", "participant"
        )
    )
    rated = {rating_keys[stored] for kind, stored in answered if kind == InputKind.RATING}
    not_known = {rating_keys[stored] for kind, stored in answered if kind == InputKind.UNKNOWN}
    # Written under the current display name: what was sent under another name is not linked to it.
    own_suggestions = (
        workshop.inputs.filter(participant=participant.author_key(workshop.pk), kind=InputKind.SUGGESTION)
        .select_related("result")
        .order_by("-id")
    )
    context = {
        "workshop": workshop,
        "mapping": mapping,
        "organisation": mapping.organisation,
        "participant": participant,
        "rows": grid(cards),
        "step": rules.step(workshop.step),
        "tasks": TASKS_BY_STEP[rules.step(workshop.step).number],
        "burden_topics": burden_topics(mapping) if workshop.step == len(rules.STEPS) else [],
        "burdens": burdens,
        # Voting is step 4's task: before it the board's cards lead to rating and comments (and a vote on the card's page).
        "is_voting": workshop.step == len(rules.STEPS),
        "burden_marks_left": max(BURDEN_MARKS - len(burdens), 0),
        "votes_left": workshop.votes_left(len(voted) + len(voted_actions)),
        "candidate_actions": candidates,
        "rated": rated,
        "not_known": not_known,
        "voted": voted,
        "voted_actions": voted_actions,
        "own_suggestions": own_suggestions[:10],
        "form_key": rules.new_form_key(),
        "suggestion_form": SuggestionForm(),
        "join_form": JoinForm(initial={"name": participant.name}),
        "page": "board",
        "live_state": state,
        "poll_url": reverse("mapping:join-poll", args=[workshop.code]),
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


@never_cache
@require_http_methods(["GET", "POST"])
def join_enter(request: HtmxHttpRequest) -> HttpResponse:
    """/j/: type the code shown on the projector."""
    code = normalise_code(request.GET.get("code", "") or request.POST.get("code", ""))
    if code:
        return redirect(reverse("mapping:join", args=[code]))
    return render(request, JOIN, {"page": "enter"})


@require_http_methods(["GET", "POST"])
@participant_view
def join(request: HtmxHttpRequest, workshop: Workshop) -> HttpResponse:
    """Without a cookie: the welcome and the optional name. With one: the participant's page."""
    participant = participant_from(request, workshop)
    if request.method == "POST":
        form = JoinForm(request.POST)
        if not form.is_valid():
            return render(request, JOIN, welcome_context(workshop, join_form=form), status=400)
        name = form.cleaned_data["name"].strip()
        if participant is None:
            refused = admit(request, workshop)
            if refused is not None:
                return refused
        token = participant.token if participant else rules.new_participant(workshop.pk).token
        response = redirect(workshop.get_absolute_url())
        set_participant(response, workshop, rules.Participant(token=token, name=name, workshop=workshop.pk))
        if participant is not None:
            messages.success(request, _("Dit navn er gemt.") if name else _("Du deltager nu anonymt."))
        return response
    if participant is None:
        return render(request, JOIN, welcome_context(workshop))
    return render_participant(request, workshop, participant)


def admit(request: HtmxHttpRequest, workshop: Workshop) -> HttpResponse | None:
    """A new participant: None when admitted, else the page saying why not (the workshop is full,
    or this address makes new identities too fast)."""
    client = f"{workshop.pk}:{client_address(request)}"
    if not rules.allow("join-client", client, rules.JOINS_PER_CLIENT_PER_MINUTE):
        return too_many(request, workshop, None)
    if not workshop.admit():
        full = _("Workshoppen er fuld. Bed facilitatoren om at give plads til flere deltagere.")
        return render(request, JOIN, welcome_context(workshop, error=full), status=429)
    return None


@never_cache
@require_GET
def join_poll(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """The phone's poll: one indexed query while nothing moved; otherwise the board and the step again.

    The live protocol without a user token: the join code is the key. A code
    that opens nothing any more reloads the phone into the "gone" page. Polls
    count against the participant limits, and a code that opens nothing
    against the site's limit on guessing, like every participant request.
    """
    if not participant_requests_allowed(request, code):
        return HttpResponse(status=429)
    state = live.participant_state(normalise_code(code))
    if state is None:
        if not rules.allow("unknown-code", "site", rules.UNKNOWN_CODES_PER_MINUTE):
            return HttpResponse(status=429)
        return HttpResponseClientRefresh()
    if request.GET.get("v") == state:
        return live.nothing_changed()
    return join_live(request, code)


@participant_view
def join_live(request: HtmxHttpRequest, workshop: Workshop) -> HttpResponse:
    participant = participant_from(request, workshop)
    if participant is None:
        return HttpResponseClientRefresh()
    context = participant_context(request, workshop, participant, oob=True)
    return reswap(render(request, JOIN + "#live", context), "none")


def participant_writes(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A participant's write (under ``participant_view``): only from someone who joined, within the
    limits; the view is called with the participant after the workshop."""

    @functools.wraps(view)
    def wrapper(request: HtmxHttpRequest, workshop: Workshop, *args: Any, **kwargs: Any) -> HttpResponse:
        participant = participant_from(request, workshop)
        if participant is None:
            messages.info(request, _("Deltag i workshoppen først."))
            return redirect(workshop.get_absolute_url())
        key = participant.key(workshop.pk)
        if not (
            rules.allow("participant", key, rules.PARTICIPANT_WRITES_PER_MINUTE)
            and rules.allow("code", workshop.code, rules.CODE_WRITES_PER_MINUTE)
        ):
            return too_many(request, workshop, participant)
        return view(request, workshop, participant, *args, **kwargs)

    return wrapper


def too_many(request: HtmxHttpRequest, workshop: Workshop, participant: rules.Participant | None) -> HttpResponse:
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
@participant_writes
def join_suggest(request: HtmxHttpRequest, workshop: Workshop, participant: rules.Participant) -> HttpResponse:
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
def join_initiative(request: HtmxHttpRequest, workshop: Workshop, initiative_id: int) -> HttpResponse:
    participant = participant_from(request, workshop)
    if participant is None:
        return redirect(workshop.get_absolute_url())
    return render_initiative(request, workshop, participant, initiative_for(workshop, initiative_id))


def render_initiative(request, workshop, participant, initiative, status=200, **extra) -> HttpResponse:
    key = participant.key(workshop.pk)
    mine = workshop.inputs.filter(
        Q(participant=key, kind=InputKind.VOTE)
        | Q(
            participant=participant.rating_key(workshop.pk, initiative.pk),
            kind__in=[InputKind.RATING, InputKind.UNKNOWN],
        ),
        initiative=initiative,
    )
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
        "is_unknown": any(i.kind == InputKind.UNKNOWN for i in mine),
        "has_vote": any(i.kind == InputKind.VOTE for i in mine),
        "votes_left": workshop.votes_left(votes_used),
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
@participant_writes
def join_rate(
    request: HtmxHttpRequest, workshop: Workshop, participant: rules.Participant, initiative_id: int
) -> HttpResponse:
    initiative = initiative_for(workshop, initiative_id)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return render_initiative(request, workshop, participant, initiative, status=400, rating_form=form)
    if form.cleaned_data["unknown"]:
        workshop.not_known(initiative.pk, participant.rating_key(workshop.pk, initiative.pk), form.cleaned_data["key"])
        messages.success(
            request, _("Tak. Du kender ikke “%(title)s” – det er også et svar.") % {"title": initiative.title}
        )
        return to_card(workshop, initiative.pk)
    values = {k: form.cleaned_data[k] for k in ("rating_purpose", "rating_works")}
    # One rating per person and initiative: rating again replaces the earlier answer.
    workshop.rate(initiative.pk, participant.rating_key(workshop.pk, initiative.pk), form.cleaned_data["key"], **values)
    messages.success(request, _("Tak for din bedømmelse af “%(title)s”.") % {"title": initiative.title})
    return to_card(workshop, initiative.pk)


@require_POST
@participant_view
@participant_writes
def join_comment(
    request: HtmxHttpRequest, workshop: Workshop, participant: rules.Participant, initiative_id: int
) -> HttpResponse:
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
@participant_writes
def join_vote(
    request: HtmxHttpRequest, workshop: Workshop, participant: rules.Participant, initiative_id: int
) -> HttpResponse:
    initiative = initiative_for(workshop, initiative_id)
    cast_vote(request, workshop, participant, initiative.title, initiative=initiative)
    return to_card(workshop, initiative.pk)


def candidate_for(workshop: Workshop, action_id: int) -> Action:
    """An action participants may vote on: one of the mapping's actions not yet done."""
    return get_object_or_404(workshop.mapping.actions.exclude(status=Action.Status.DONE), pk=action_id)


@require_POST
@participant_view
@participant_writes
def join_action_vote(
    request: HtmxHttpRequest, workshop: Workshop, participant: rules.Participant, action_id: int
) -> HttpResponse:
    action = candidate_for(workshop, action_id)
    cast_vote(request, workshop, participant, action.title, action=action)
    return redirect(f"{workshop.get_absolute_url()}#candidate-{action.pk}")


def cast_vote(
    request: HtmxHttpRequest, workshop: Workshop, participant: rules.Participant, title: str, **target
) -> None:
    """Add or take back one vote on ``target`` (an initiative or an action), and say what became of it."""
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return
    result = workshop.vote(
        participant.key(workshop.pk),
        form.cleaned_data["key"],
        remove=form.cleaned_data["action"] == VoteForm.REMOVE,
        **target,
    )
    if result is Workshop.Vote.REMOVED:
        messages.success(request, _("Din stemme er taget tilbage."))
    elif result is Workshop.Vote.NO_VOTES_LEFT:
        messages.error(request, _("Du har brugt alle dine stemmer. Tag en stemme tilbage for at flytte den."))
    elif result in (Workshop.Vote.ADDED, Workshop.Vote.ALREADY):
        messages.success(request, _("Din stemme er givet til “%(title)s”.") % {"title": title})


@require_POST
@participant_view
@participant_writes
def join_burden(request: HtmxHttpRequest, workshop: Workshop, participant: rules.Participant) -> HttpResponse:
    """Step 4: mark a finding as what burdens you most ("belaster"), or take the mark back."""
    form = BurdenForm(request.POST)
    if not form.is_valid() or form.cleaned_data["finding"] not in {f.key for f in burden_topics(workshop.mapping)}:
        messages.error(request, error_text(form) if not form.is_valid() else _("Det punkt findes ikke længere."))
        return redirect(f"{workshop.get_absolute_url()}#burden")
    finding = form.cleaned_data["finding"]
    is_marked = workshop.mark_burden(
        participant.key(workshop.pk),
        form.cleaned_data["key"],
        finding,
        remove=form.cleaned_data["action"] == form.REMOVE,
    )
    if not is_marked:
        messages.error(request, _("Du har brugt dine markeringer. Tag en tilbage for at flytte den."))
    return redirect(f"{workshop.get_absolute_url()}#burden")
