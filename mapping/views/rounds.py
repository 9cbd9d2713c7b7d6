"""Rounds: the next round of a mapping, two rounds compared, the annual discussion and its PDF, the blank sheet.

The facilitator starts a round and opens or closes one; the facilitator and
the AMO write the discussion record and its goals; every member reads.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import pdf_rounds as pdf
from ..access import HtmxHttpRequest, MappingAccess, Need, gate
from ..discussion_forms import DiscussionForm, GoalEvaluationForm, GoalForm, OrganisationFactsForm, ReadOnlyForm
from ..models import Conflict, Discussion, Goal, RoundExists, set_read_only, start_next_round
from ..models.rounds import compare_rounds, series

DISCUSSION = "mapping/rounds/discussion.html"
COMPARE = "mapping/rounds/compare.html"


def discussion_url(access: MappingAccess, anchor: str = "") -> str:
    url = reverse("mapping:discussion", args=[access.organisation.slug, access.mapping.pk])
    return url + (f"#{anchor}" if anchor else "")


@login_required
@require_POST
def round_next(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.MANAGE)
    try:
        new = start_next_round(access.mapping)
    except RoundExists as exists:
        messages.info(
            request, _("Runden har allerede en næste runde: “%(title)s”.") % {"title": exists.successor.title}
        )
        return redirect(exists.successor)
    messages.success(
        request,
        _("“%(title)s” er startet. “%(old)s” kan nu kun læses.") % {"title": new.title, "old": access.mapping.title},
    )
    return redirect(new)


@login_required
@require_POST
def round_read_only(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.MANAGE)
    form = ReadOnlyForm(request.POST)
    form.is_valid()  # an unchecked box is False: the form cannot be invalid
    is_read_only = form.cleaned_data.get("is_read_only", False)
    set_read_only(access.mapping, is_read_only)
    if is_read_only:
        messages.success(request, _("Runden kan nu kun læses."))
    else:
        messages.success(request, _("Runden er genåbnet: den kan redigeres igen."))
    return redirect(access.mapping)


@login_required
@require_GET
def round_compare(request: HtmxHttpRequest, org: str, mapping_id: int, other_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id)
    other = access.organisation.mappings.filter(pk=other_id).first()
    compared = compare_rounds(access.mapping, other) if other is not None else None
    if compared is None:
        raise Http404
    then, now, comparison = compared
    context = {
        "organisation": access.organisation,
        "mapping": access.mapping,
        "access": access,
        "can_edit": access.can_edit,
        "then": then,
        "now": now,
        "comparison": comparison,
    }
    return render(request, COMPARE, context)


def discussion_context(request: HtmxHttpRequest, access: MappingAccess, **extra) -> dict:
    mapping = access.mapping
    organisation = access.organisation
    discussion = Discussion.of(mapping)
    goals = list(mapping.goals.prefetch_related("actions", "initiatives"))
    forms_for = extra.pop("goal_forms", {})
    carried = [
        (g, forms_for.get(g.pk) or GoalEvaluationForm(instance=g, auto_id=f"goal-{g.pk}-%s"))
        for g in goals
        if g.is_carried
    ]
    new = [
        (g, forms_for.get(g.pk) or GoalForm(instance=g, mapping=mapping, auto_id=f"goal-{g.pk}-%s"))
        for g in goals
        if not g.is_carried
    ]
    line = series(mapping)
    context = {
        "organisation": organisation,
        "mapping": mapping,
        "access": access,
        "can_edit": access.can_edit,
        "can_manage": access.can_manage,
        "discussion": discussion,
        "form": DiscussionForm(instance=discussion),
        "facts_form": OrganisationFactsForm(instance=organisation),
        "carried": carried,
        "new_goals": new,
        "goal_form": GoalForm(mapping=mapping, auto_id="new-goal-%s"),
        "series": line,
        "has_successor": line[-1].pk != mapping.pk,
        **pdf.discussion_topics(organisation),
        **extra,
    }
    return context


@login_required
@require_http_methods(["GET", "POST"])
def discussion(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.READ if request.method == "GET" else Need.EDIT)
    if request.method == "GET":
        return render(request, DISCUSSION, discussion_context(request, access))
    record = Discussion.of(access.mapping)
    form = DiscussionForm(request.POST, instance=record)
    facts = OrganisationFactsForm(request.POST, instance=access.organisation)
    if not (form.is_valid() and facts.is_valid()):
        return render(request, DISCUSSION, discussion_context(request, access, form=form, facts_form=facts), status=400)
    data = {name: form.cleaned_data[name] for name in DiscussionForm.Meta.fields}
    saved = record.save_record(data, version=form.cleaned_data["version"])
    facts.save()
    if isinstance(saved, Conflict):
        posted = request.POST.copy()
        posted["version"] = str(saved.theirs.version)
        again = DiscussionForm(posted, instance=saved.theirs)
        context = discussion_context(request, access, form=again, conflict=saved)
        return render(request, DISCUSSION, context, status=409)
    messages.success(request, _("Referatet er gemt."))
    return redirect(discussion_url(access, "record"))


@login_required
@require_POST
def goal_create(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    form = GoalForm(request.POST, mapping=mapping, auto_id="new-goal-%s")
    if not form.is_valid():
        return render(request, DISCUSSION, discussion_context(request, access, goal_form=form), status=400)
    with mapping.change():
        goal = mapping.goals.create(title=form.cleaned_data["title"])
        goal.actions.set(form.cleaned_data["actions"])
        goal.initiatives.set(form.cleaned_data["initiatives"])
    messages.success(request, _("Målet er tilføjet."))
    return redirect(discussion_url(access, "goals"))


@login_required
@require_POST
def goal_update(request: HtmxHttpRequest, org: str, mapping_id: int, goal_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    goal = get_object_or_404(mapping.goals, pk=goal_id)
    auto_id = f"goal-{goal.pk}-%s"
    form: GoalForm | GoalEvaluationForm
    if goal.is_carried:
        form = GoalEvaluationForm(request.POST, instance=goal, auto_id=auto_id)
        fields = GoalEvaluationForm.Meta.fields
    else:
        form = GoalForm(request.POST, instance=goal, mapping=mapping, auto_id=auto_id)
        fields = GoalForm.Meta.fields
    if not form.is_valid() or form.cleaned_data.get("version") is None:
        if form.is_valid():
            form.add_error("version", _("Formularen mangler den udgave, du begyndte fra. Åbn siden igen."))
        return render(request, DISCUSSION, discussion_context(request, access, goal_forms={goal.pk: form}), status=400)
    try:
        saved = goal.save_edit({name: form.cleaned_data[name] for name in fields}, version=form.cleaned_data["version"])
    except Goal.DoesNotExist:
        raise Http404 from None
    if isinstance(saved, Conflict):
        posted = request.POST.copy()
        posted["version"] = str(saved.theirs.version)
        again = type(form)(
            posted, instance=saved.theirs, auto_id=auto_id, **({} if goal.is_carried else {"mapping": mapping})
        )
        context = discussion_context(request, access, goal_forms={goal.pk: again}, conflict=saved)
        return render(request, DISCUSSION, context, status=409)
    messages.success(request, _("Målet er gemt."))
    return redirect(discussion_url(access, f"goal-{goal.pk}"))


@login_required
@require_POST
def goal_delete(request: HtmxHttpRequest, org: str, mapping_id: int, goal_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    goal = get_object_or_404(mapping.goals.filter(is_carried=False), pk=goal_id)
    with mapping.change():
        goal.delete()
    messages.success(request, _("“%(title)s” er slettet.") % {"title": goal.title})
    return redirect(discussion_url(access, "goals"))


@login_required
@require_GET
def discussion_pdf(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id)
    body = pdf.render_discussion(access.mapping)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="iglo-droftelse-{access.mapping.pk}.pdf"'
    return response


@login_required
@require_GET
def sheet_pdf(request: HtmxHttpRequest, org: str) -> HttpResponse:
    access = gate(request, org)
    size = "a3" if request.GET.get("size") == "a3" else "a4"
    body = pdf.render_sheet(access.organisation, size)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="iglo-ark-{size}.pdf"'
    return response
