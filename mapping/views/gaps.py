"""The gap dashboard: what the analysis finds, its JSON, dismissals, and ideas for thin cells.

Full page and HTMX fragments come from ``mapping/gaps.html`` and one context
builder (``gaps_context``); the analysis itself is ``gaps.py``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap

from .. import gaps, ideas, live
from ..access import HtmxHttpRequest, MappingAccess, Need, SignedInRequest, gate
from ..levels import Dimension, Level, cell_label
from ..models import Action, FindingDismissal, Link

GAPS = "mapping/gaps.html"
CARDS_PREVIEW = 12  # cards a finding about many lists until someone asks for all of them


def gaps_url(access: MappingAccess, anchor: str = "") -> str:
    url = reverse("mapping:gaps", args=[access.organisation.slug, access.mapping.pk])
    return url + (f"#{anchor}" if anchor else "")


def gaps_context(request: HtmxHttpRequest, access: MappingAccess, **extra) -> dict:
    mapping = access.mapping
    analysis = access.mapping.findings()
    data, findings, dismissed_keys = analysis.data, analysis.findings, analysis.dismissed_keys
    by_id = {i.id: i for i in data.initiatives}
    purposes = {p.id: p for p in data.purposes}
    actions = dict(mapping.actions.exclude(finding_key="").values_list("finding_key", "pk"))

    expanded = request.GET.get("all", "")

    def item(finding: gaps.Finding) -> dict:
        cards = [by_id[i] for i in finding.initiatives if i in by_id]
        shown = cards if finding.code == expanded or not finding.is_grouped else cards[:CARDS_PREVIEW]
        return {
            "finding": finding,
            "anchor": "finding-" + finding.key.replace(":", "-"),
            "cards": shown,
            "hidden_count": len(cards) - len(shown),
            "purposes": [purposes[p] for p in finding.purposes if p in purposes],
            "action_id": actions.get(finding.key) or actions.get(gaps.group_key(finding.code)),
        }

    open_findings = analysis.open
    sections = [
        {
            "severity": severity,
            "label": label,
            "items": [item(f) for f in open_findings if f.severity == severity],
        }
        for severity, label in gaps.SEVERITY_LABELS.items()
    ]
    sections = [section for section in sections if section["items"]]

    counts = gaps.coverage_counts(data.initiatives)
    coverage = [
        {
            "level": level,
            "label": Level(level).label,
            "cells": [
                {
                    "dimension": dimension,
                    "label": Dimension(dimension).label,
                    "count": counts[(level, dimension)],
                    "band": gaps.coverage_band(counts[(level, dimension)]),
                }
                for dimension in gaps.DIMENSIONS
            ],
        }
        for level in gaps.LEVELS
    ]
    show_all_ideas = request.GET.get("ideas") == "all"
    idea_cells = list(counts) if show_all_ideas else ideas.thin_cells(data)
    suggested = ideas.ideas_for(data, idea_cells)
    isolated = sum(len(f.initiatives) for f in findings if f.code == "isolated")
    context = {
        "organisation": access.organisation,
        "mapping": mapping,
        "access": access,
        "can_edit": access.can_edit,
        "summary": gaps.summary(open_findings),
        "severity_labels": gaps.SEVERITY_LABELS,
        "initiative_count": len(data.initiatives),
        "isolated_count": isolated,
        "link_count": len(data.links),
        "dismissed_count": len(dismissed_keys & {f.key for f in findings}),
        "action_count": mapping.actions.count(),
        "sections": sections,
        "is_empty": not data.initiatives,
        "dismissed": [item(f) for f in analysis.dismissed],
        "coverage": coverage,
        "dimension_labels": [dimension.label for dimension in Dimension],
        "level_labels": [level.label for level in Level],
        "matrix": gaps.purpose_matrix(data),
        "chains": [
            [
                {
                    "card": card,
                    "kind": Link.Kind(link.kind).label if link else "",
                    "cell": cell_label(card.level, card.dimension),
                }
                for card, link in chain
            ]
            for chain in gaps.chains(data)
        ],
        "ideas": [
            {"level": level, "dimension": dimension, "label": cell_label(level, dimension), "items": items}
            for (level, dimension), items in sorted(
                suggested.items(), key=lambda kv: (gaps.LEVELS.index(kv[0][0]), gaps.DIMENSIONS.index(kv[0][1]))
            )
        ],
        "show_all_ideas": show_all_ideas,
        "expanded": expanded,
        "live_state": live.page_state(mapping),
        "poll_token": live.poll_token(access.membership.user_id, mapping.pk),
        "poll_url": reverse("mapping:gaps-poll", args=[access.organisation.slug, mapping.pk]),
        "poll_every": "2s",
        "poll_params": ([("ideas", "all")] if show_all_ideas else []) + ([("all", expanded)] if expanded else []),
    }
    context.update(extra)
    return context


@login_required
@require_GET
def gaps_dashboard(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id)
    return render(request, GAPS, gaps_context(request, access))


@require_GET
def gaps_poll(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    return live.poll(request, org, mapping_id, template=GAPS, context=poll_context)


def poll_context(request: HtmxHttpRequest, access: MappingAccess) -> dict:
    return gaps_context(request, access, oob=True)


@login_required
@require_GET
def gaps_json(request: HtmxHttpRequest, org: str, mapping_id: int) -> JsonResponse:
    access = gate(request, org, mapping_id)
    analysis = access.mapping.findings()
    return JsonResponse(
        {
            "mapping": access.mapping.pk,
            "version": access.mapping.version,
            "summary": gaps.summary(analysis.open),
            "findings": [f.as_json() for f in analysis.open],
            "dismissed": [f.as_json() for f in analysis.dismissed],
        },
        json_dumps_params={"ensure_ascii": False},
    )


def after_change(request: HtmxHttpRequest, access: MappingAccess, anchor: str = "", **extra) -> HttpResponse:
    """Redirect a plain form post; send an HTMX request every region of the dashboard again."""
    if not request.htmx:
        return redirect(gaps_url(access, anchor))
    access.mapping.refresh_from_db(fields=["version"])
    return reswap(render(request, GAPS + "#live", gaps_context(request, access, oob=True, **extra)), "none")


@login_required
@require_POST
def finding_dismiss(request: SignedInRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    finding = access.mapping.findings().find(request.POST.get("key", ""))
    if finding is None:
        raise Http404
    try:
        with access.mapping.change():
            FindingDismissal.objects.create(
                mapping=access.mapping, key=finding.key, code=finding.code, dismissed_by=request.user
            )
    except IntegrityError:
        pass  # already dismissed, perhaps by someone else a moment ago
    if not request.htmx:
        messages.success(request, _("Fundet er afvist. Du finder det under “Afviste fund”."))
    return after_change(request, access, f"step-{finding.step}", focus="dismissed")


@login_required
@require_POST
def finding_restore(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    key = request.POST.get("key", "")
    dismissal = access.mapping.dismissals.filter(key=key).first()
    if dismissal is None:
        raise Http404
    with access.mapping.change():
        dismissal.delete()
    if not request.htmx:
        messages.success(request, _("Fundet er vist igen."))
    return after_change(request, access, "finding-" + key.replace(":", "-"), focus_key=key)


@login_required
@require_POST
def idea_add(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    """Put one idea from the catalogue on the board, in its cell."""
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    idea = ideas.idea(request.POST.get("idea", ""))
    if idea is None:
        raise Http404
    with mapping.change():  # under the mapping's lock, two ideas for one cell get two positions
        initiative = mapping.initiatives.create(
            title=idea["title"],
            purpose_text=idea["purpose"],
            level=idea["level"],
            dimension=idea["dimension"],
            position=mapping.initiatives.next_position(idea["level"], idea["dimension"]),
        )
    added = _("“%(title)s” er sat på tavlen i %(cell)s.") % {
        "title": initiative.title,
        "cell": cell_label(initiative.level, initiative.dimension),
    }
    if not request.htmx:
        messages.success(request, added)
    return after_change(request, access, "ideas", added=added, added_id=initiative.pk)


@login_required
@require_POST
def finding_act(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    """One click from a finding (``finding`` = its key), or from a kind of finding (``group`` = its code), to an action."""
    access = gate(request, org, mapping_id, Need.EDIT)
    code = request.POST.get("group")
    key = gaps.group_key(code) if code is not None else request.POST.get("finding", "")
    action = Action.from_finding(access.mapping, key)
    if action is None:
        raise Http404
    if request.htmx:
        return after_change(request, access, focus_key=key)
    messages.success(request, _("Handlingen er oprettet. Sæt en ansvarlig og en frist på."))
    return redirect(action.get_absolute_url())
