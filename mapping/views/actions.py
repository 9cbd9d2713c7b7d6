"""The action plan: from mapping to action, a little at a time.

Facilitators and AMO edit; members read. The page and its fragments come from
``mapping/actions.html`` and one context builder (``actions_context``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import gaps
from .. import workshop as workshop_rules
from ..access import Access, Need, gate
from ..forms import ActionForm, ActionStatusForm, WipLimitForm
from ..models import Action, Initiative, InputKind
from .analysis import after_change, analyse

ACTIONS = "mapping/actions.html"
BURDEN_FOR_SEVERITY = {gaps.HIGH: 4, gaps.MEDIUM: 3, gaps.LOW: 2}


def actions_url(access: Access, action: Action | None = None) -> str:
    url = reverse("mapping:actions", args=[access.organisation.slug, access.mapping.pk])
    return url + (f"#action-{action.pk}" if action else "")


def actions_context(request: HttpRequest, access: Access, **extra) -> dict:
    mapping = access.mapping
    today = timezone.localdate()
    actions = list(
        mapping.actions.by_burden().prefetch_related(
            Prefetch("initiatives", queryset=Initiative.objects.active().order_by("title"))
        )
    )
    # Votes on actions come from the latest workshop that had any, shown only once enough voted.
    vote_workshop = (
        mapping.workshops.filter(inputs__kind=InputKind.VOTE, inputs__action__isnull=False)
        .order_by("-created", "-id")
        .first()
    )
    tally = None
    if vote_workshop is not None:
        rows = vote_workshop.inputs.filter(kind=InputKind.VOTE, action__isnull=False).values_list(
            "action", "participant"
        )
        tally = workshop_rules.tally_votes(rows, mapping.organisation.min_group_size)
    for action in actions:
        action.overdue = action.is_overdue(today)
        action.votes = tally.get(action.pk, 0) if tally is not None else None
    doing = sum(1 for a in actions if a.status == Action.Status.DOING)
    context = {
        "organisation": mapping.organisation,
        "mapping": mapping,
        "access": access,
        "can_edit": access.can_edit,
        "open_actions": [a for a in actions if a.status != Action.Status.DONE],
        "done_actions": [a for a in actions if a.status == Action.Status.DONE],
        "doing_count": doing,
        "overdue_count": sum(1 for a in actions if a.overdue),
        "wip_limit": mapping.wip_limit,
        "over_limit": doing > mapping.wip_limit,
        "today": today,
        "status_choices": Action.Status.choices,
        "editing": None,
        "vote_workshop": vote_workshop,
        "action_votes_enough": tally is not None,
    }
    if access.can_edit:
        context.setdefault("form", ActionForm(mapping=mapping))
        context["wip_form"] = WipLimitForm(initial={"wip_limit": mapping.wip_limit})
    context.update(extra)
    return context


def warn_if_over_limit(request: HttpRequest, access: Access) -> None:
    doing = access.mapping.actions.in_progress().count()
    if doing > access.mapping.wip_limit:
        messages.warning(
            request,
            _("Nu er %(doing)s handlinger i gang, og jeres grænse er %(limit)s. Gør noget færdigt, før I starter mere.")
            % {"doing": doing, "limit": access.mapping.wip_limit},
        )


@login_required
@require_http_methods(["GET"])
def action_list(request: HttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id)
    return render(request, ACTIONS, actions_context(request, access))


@login_required
@require_POST
def action_create(request: HttpRequest, org: str, mapping_id: int) -> HttpResponse:
    """A new action: from a finding in one click (``finding`` = its key), or from the form."""
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    key = request.POST.get("finding")
    if key is not None:
        return action_from_finding(request, access, key)
    code = request.POST.get("group")
    if code is not None:
        return action_from_group(request, access, code)
    form = ActionForm(request.POST, mapping=mapping)
    if not form.is_valid():
        return render(request, ACTIONS, actions_context(request, access, form=form), status=400)
    with transaction.atomic():
        mapping.bump()
        action = form.save(commit=False)
        action.mapping = mapping
        action.save()
        form.save_m2m()
    messages.success(request, _("Handlingen er oprettet."))
    warn_if_over_limit(request, access)
    return redirect(actions_url(access, action))


def action_from_finding(request: HttpRequest, access: Access, key: str) -> HttpResponse:
    mapping = access.mapping
    existing = mapping.actions.filter(finding_key=key).first()
    if existing is None:
        _data, findings, _dismissed = analyse(access)
        finding = next((f for f in findings if f.key == key), None)
        if finding is None:
            raise Http404
        with transaction.atomic():
            mapping.bump()
            existing = mapping.actions.create(
                title=Truncator(finding.message).chars(200),
                description=finding.next_step,
                finding_code=finding.code,
                finding_key=finding.key,
                burden=BURDEN_FOR_SEVERITY[finding.severity],
            )
            existing.initiatives.set(mapping.initiatives.active().filter(pk__in=finding.initiatives))
    if request.htmx:
        return after_change(request, access, focus_key=key)
    messages.success(request, _("Handlingen er oprettet. Sæt en ansvarlig og en frist på."))
    return redirect(actions_url(access, existing))


def action_from_group(request: HttpRequest, access: Access, code: str) -> HttpResponse:
    """One action for every open finding of a kind, e.g. all initiatives without an owner."""
    mapping = access.mapping
    key = gaps.group_key(code)
    existing = mapping.actions.filter(finding_key=key).first()
    if existing is None:
        _data, findings, dismissed = analyse(access)
        group = [f for f in findings if f.code == code and f.key not in dismissed]
        if not group:
            raise Http404
        initiative_ids = {i for f in group for i in f.initiatives}
        with transaction.atomic():
            mapping.bump()
            existing = mapping.actions.create(
                title=Truncator(f"{group[0].heading} ({len(group)})").chars(200),
                description=group[0].next_step,
                finding_code=code,
                finding_key=key,
                burden=BURDEN_FOR_SEVERITY[group[0].severity],
            )
            existing.initiatives.set(mapping.initiatives.active().filter(pk__in=initiative_ids))
    if request.htmx:
        return after_change(request, access)
    messages.success(request, _("Handlingen er oprettet. Sæt en ansvarlig og en frist på."))
    return redirect(actions_url(access, existing))


@login_required
@require_http_methods(["GET", "POST"])
def action_update(request: HttpRequest, org: str, mapping_id: int, action_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    action = get_object_or_404(mapping.actions, pk=action_id)
    if request.method == "GET":
        return render_editor(request, access, action, ActionForm(instance=action, mapping=mapping, auto_id="edit-%s"))
    form = ActionForm(request.POST, instance=action, mapping=mapping, auto_id="edit-%s")
    if not form.is_valid():
        return render_editor(request, access, action, form, status=400)
    data = form.cleaned_data
    fields = [f for f in ActionForm.Meta.fields if f != "initiatives"]
    with transaction.atomic():
        mapping.bump()
        # The lost-update guard: the row only changes if nobody saved the action
        # since this form was opened. Under the mapping's lock, so nobody can in between.
        saved = mapping.actions.filter(pk=action.pk, version=data["version"]).update(
            version=F("version") + 1, updated=timezone.now(), **{f: data[f] for f in fields}
        )
        if saved:
            action.initiatives.set(data["initiatives"])
        else:
            transaction.set_rollback(True)  # nothing changed: the mapping's version stays
    if not saved:
        mapping.refresh_from_db(fields=["version"])
        return action_conflict(request, access, action.pk, form)
    if request.htmx:  # the plan says itself when too much is in progress
        return render(request, ACTIONS + "#plan", actions_context(request, access, focus_id=action.pk))
    messages.success(request, _("Handlingen er gemt."))
    warn_if_over_limit(request, access)
    return redirect(actions_url(access, action))


def action_conflict(request: HttpRequest, access: Access, action_id: int, form: ActionForm) -> HttpResponse:
    """Someone saved the action after this form was opened: show both, keep the user's text.

    The form comes back with the user's values and the version now saved, so
    saving it again replaces the other person's; leaving it keeps theirs.
    """
    current = get_object_or_404(access.mapping.actions, pk=action_id)
    data = form.cleaned_data
    mine = {
        **data,
        "effort": Action.Effort(data["effort"]).label,
        "status": Action.Status(data["status"]).label,
    }
    posted = request.POST.copy()
    posted["version"] = current.version
    again = ActionForm(posted, instance=current, mapping=access.mapping, auto_id="edit-%s")
    return render_editor(request, access, current, again, status=409, conflict=True, mine=mine)


def render_editor(
    request: HttpRequest, access: Access, action: Action, form: ActionForm, status: int = 200, **extra
) -> HttpResponse:
    context = actions_context(request, access, editing=action.pk, edit_form=form, **extra)
    # htmx does not swap 4xx answers: over htmx a conflict comes with 200, marked by a header.
    if request.htmx:
        response = render(request, ACTIONS + "#plan", context)
    else:
        response = render(request, ACTIONS, context, status=status)
    if status == 409:
        response["X-Iglo-Conflict"] = "1"
    return response


@login_required
@require_POST
def action_status(request: HttpRequest, org: str, mapping_id: int, action_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    action = get_object_or_404(mapping.actions, pk=action_id)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            mapping.bump()
            # The last status wins, but an edit form opened before it must not quietly undo it.
            mapping.actions.filter(pk=action.pk).update(
                status=form.cleaned_data["status"], version=F("version") + 1, updated=timezone.now()
            )
    if request.htmx:
        return render(request, ACTIONS + "#plan", actions_context(request, access, focus_id=action.pk))
    if form.is_valid():
        warn_if_over_limit(request, access)
    else:
        messages.error(request, _("Ukendt status."))
    return redirect(actions_url(access, action))


@login_required
@require_POST
def action_delete(request: HttpRequest, org: str, mapping_id: int, action_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    action = get_object_or_404(mapping.actions, pk=action_id)
    with transaction.atomic():
        mapping.bump()
        action.delete()
    messages.success(request, _("“%(title)s” er slettet fra handlingsplanen.") % {"title": action.title})
    return redirect(actions_url(access))


@login_required
@require_POST
def action_wip_limit(request: HttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    form = WipLimitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Grænsen skal være et tal fra 1 til 20."))
        return redirect(actions_url(access))
    with transaction.atomic():
        mapping.bump()
        mapping.wip_limit = form.cleaned_data["wip_limit"]
        mapping.save(update_fields=["wip_limit"])
    messages.success(request, _("Grænsen er sat til %(limit)s.") % {"limit": mapping.wip_limit})
    return redirect(actions_url(access))
