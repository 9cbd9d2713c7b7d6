"""The action plan: from mapping to action, a little at a time.

Facilitators and AMO edit; members read. The page and its fragments come from
``mapping/actions.html`` and one context builder (``actions_context``).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..access import HtmxHttpRequest, MappingAccess, Need, gate
from ..forms import ActionForm, ActionStatusForm, WipLimitForm
from ..models import Action, Conflict, Initiative, InputKind

ACTIONS = "mapping/actions.html"


def actions_url(access: MappingAccess, action: Action | None = None) -> str:
    url = reverse("mapping:actions", args=[access.organisation.slug, access.mapping.pk])
    return url + (f"#action-{action.pk}" if action else "")


@dataclass(frozen=True)
class PlanItem:
    """An action as the plan shows it: with whether it is past its due date and its released votes (None: none)."""

    action: Action
    is_overdue: bool
    votes: int | None


def actions_context(request: HtmxHttpRequest, access: MappingAccess, **extra) -> dict:
    mapping = access.mapping
    today = timezone.localdate()
    actions = list(
        mapping.actions.by_burden().prefetch_related(
            Prefetch("initiatives", queryset=Initiative.objects.active().order_by("title"))
        )
    )
    # Votes on actions: as released (``Release``) by the latest workshop that released any.
    vote_workshop = mapping.workshops.filter(releases__kind=InputKind.VOTE, releases__action__isnull=False).first()
    votes = {}
    if vote_workshop is not None:
        votes = dict(
            vote_workshop.releases.filter(kind=InputKind.VOTE, action__isnull=False).values_list("action", "count")
        )
    items = [PlanItem(action, action.is_overdue(today), votes.get(action.pk)) for action in actions]
    doing = sum(1 for a in actions if a.status == Action.Status.DOING)
    context = {
        "organisation": mapping.organisation,
        "mapping": mapping,
        "access": access,
        "can_edit": access.can_edit,
        "open_actions": [item for item in items if item.action.status != Action.Status.DONE],
        "done_actions": [item for item in items if item.action.status == Action.Status.DONE],
        "doing_count": doing,
        "overdue_count": sum(1 for item in items if item.is_overdue),
        "wip_limit": mapping.wip_limit,
        "over_limit": doing > mapping.wip_limit,
        "today": today,
        "status_choices": Action.Status.choices,
        "editing": None,
        "vote_workshop": vote_workshop,
    }
    if access.can_edit:
        context.setdefault("form", ActionForm(mapping=mapping))
        context["wip_form"] = WipLimitForm(initial={"wip_limit": mapping.wip_limit})
    context.update(extra)
    return context


def warn_if_over_limit(request: HtmxHttpRequest, access: MappingAccess) -> None:
    doing = access.mapping.actions.in_progress().count()
    if doing > access.mapping.wip_limit:
        messages.warning(
            request,
            _("Nu er %(doing)s handlinger i gang, og jeres grænse er %(limit)s. Gør noget færdigt, før I starter mere.")
            % {"doing": doing, "limit": access.mapping.wip_limit},
        )


@login_required
@require_http_methods(["GET"])
def action_list(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id)
    return render(request, ACTIONS, actions_context(request, access))


@login_required
@require_POST
def action_create(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    """A new action from the form. (From a finding in one click: ``gaps.action_from_finding``.)"""
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    form = ActionForm(request.POST, mapping=mapping)
    if not form.is_valid():
        return render(request, ACTIONS, actions_context(request, access, form=form), status=400)
    with mapping.change():
        action = form.save(commit=False)
        action.mapping = mapping
        action.save()
        form.save_m2m()
    messages.success(request, _("Handlingen er oprettet."))
    warn_if_over_limit(request, access)
    return redirect(actions_url(access, action))


@login_required
@require_http_methods(["GET", "POST"])
def action_update(request: HtmxHttpRequest, org: str, mapping_id: int, action_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    action = get_object_or_404(mapping.actions, pk=action_id)
    if request.method == "GET":
        return render_editor(request, access, action, ActionForm(instance=action, mapping=mapping, auto_id="edit-%s"))
    form = ActionForm(request.POST, instance=action, mapping=mapping, auto_id="edit-%s")
    if not form.is_valid():
        return render_editor(request, access, action, form, status=400)
    data = {name: form.cleaned_data[name] for name in ActionForm.Meta.fields}
    try:
        saved = action.save_edit(data, version=form.cleaned_data["version"])
    except Action.DoesNotExist:  # deleted by someone else meanwhile
        raise Http404 from None
    if isinstance(saved, Conflict):
        # The form comes back with the user's values and the version now saved:
        # saving it again replaces the other person's; leaving it keeps theirs.
        posted = request.POST.copy()
        posted["version"] = str(saved.theirs.version)
        again = ActionForm(posted, instance=saved.theirs, mapping=mapping, auto_id="edit-%s")
        return render_editor(request, access, saved.theirs, again, status=409, conflict=saved)
    messages.success(request, _("Handlingen er gemt."))
    warn_if_over_limit(request, access)
    return redirect(actions_url(access, action))


def render_editor(
    request: HtmxHttpRequest, access: MappingAccess, action: Action, form: ActionForm, status: int = 200, **extra
) -> HttpResponse:
    context = actions_context(request, access, editing=action.pk, edit_form=form, **extra)
    return render(request, ACTIONS, context, status=status)


@login_required
@require_POST
def action_status(request: HtmxHttpRequest, org: str, mapping_id: int, action_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    action = get_object_or_404(mapping.actions, pk=action_id)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        action.set_status(form.cleaned_data["status"])
    if request.htmx:
        return render(request, ACTIONS + "#plan", actions_context(request, access, focus_id=action.pk))
    if form.is_valid():
        warn_if_over_limit(request, access)
    else:
        messages.error(request, _("Ukendt status."))
    return redirect(actions_url(access, action))


@login_required
@require_POST
def action_delete(request: HtmxHttpRequest, org: str, mapping_id: int, action_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    action = get_object_or_404(mapping.actions, pk=action_id)
    with mapping.change():
        action.delete()
    messages.success(request, _("“%(title)s” er slettet fra handlingsplanen.") % {"title": action.title})
    return redirect(actions_url(access))


@login_required
@require_POST
def action_wip_limit(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    form = WipLimitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Grænsen skal være et tal fra 1 til 20."))
        return redirect(actions_url(access))
    with mapping.change():
        mapping.wip_limit = form.cleaned_data["wip_limit"]
        mapping.save(update_fields=["wip_limit"])
    messages.success(request, _("Grænsen er sat til %(limit)s.") % {"limit": mapping.wip_limit})
    return redirect(actions_url(access))
