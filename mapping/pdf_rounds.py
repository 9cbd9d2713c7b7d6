"""The printed pages of the rounds: the annual discussion's record (``discussion.pdf``) and the blank
IGLO sheet (``sheet.pdf``). Context in, PDF bytes out, laid out as the overview is (``pdf.layout``:
our own static files only, its fonts and user-agent stylesheet), with a stylesheet in its style.
"""

from collections import Counter

from django.template.loader import render_to_string
from django.utils import timezone

from . import rounds
from .levels import DIMENSION_HINTS, LEVEL_HINTS, Dimension, Level
from .models import Discussion, Mapping, Organisation
from .models.rounds import compare_rounds, round_data
from .participation import STEPS
from .pdf import collection_paused, layout, static_prefix

STYLESHEET = "css/pdf_rounds.css"
DISCUSSION_TEMPLATE = "mapping/rounds/discussion_pdf.html"
SHEET_TEMPLATE = "mapping/rounds/sheet_pdf.html"
# Open findings and actions printed on the summary page; the rest are counted.
SUMMARY_FINDINGS = 8
SUMMARY_ACTIONS = 10
SUMMARY_CHANGES = 6


def discussion_topics(organisation: Organisation) -> dict[str, bool]:
    return rounds.discussion_topics(organisation.employee_count, organisation.has_amo)


def discussion_context(mapping: Mapping) -> dict:
    """The record and the round's one-page summary: grid counts, what changed since the round
    before, the open findings and the action plan."""
    organisation = mapping.organisation
    counts = Counter(mapping.initiatives.active().values_list("level", "dimension"))
    grid = [
        {"level": level, "cells": [counts[(level.value, dimension.value)] for dimension in Dimension]}
        for level in Level
    ]
    previous = mapping.predecessor
    # One analysis of this round serves the comparison and the open findings (as the dashboard counts them).
    analysis = mapping.findings()
    now = round_data(mapping, organisation.group_minimum, analysis)
    compared = compare_rounds(mapping, previous, known={mapping.pk: now}) if previous is not None else None
    kinds = finding_kinds(analysis.open)
    actions = list(mapping.actions.by_burden())
    goals = list(mapping.goals.prefetch_related("actions", "initiatives"))
    return {
        "organisation": organisation,
        "mapping": mapping,
        "discussion": Discussion.of(mapping),
        "carried": [g for g in goals if g.is_carried],
        "new_goals": [g for g in goals if not g.is_carried],
        "grid": grid,
        "dimensions": list(Dimension),
        "total": sum(counts.values()),
        "previous": previous,
        "comparison": compared[2] if compared else None,
        "changes_shown": SUMMARY_CHANGES,
        "findings": kinds[:SUMMARY_FINDINGS],
        "findings_more": max(0, len(kinds) - SUMMARY_FINDINGS),
        "actions": [a for a in actions if a.status != a.Status.DONE][:SUMMARY_ACTIONS],
        "actions_more": max(0, sum(a.status != a.Status.DONE for a in actions) - SUMMARY_ACTIONS),
        "printed": timezone.localdate(),
        **discussion_topics(organisation),
    }


def finding_kinds(findings: list) -> list[dict]:
    """Open findings by kind, in the analysis's order (the most important first): the heading, how many
    the dashboard shows, and the first one's message."""
    kinds: dict[str, dict] = {}
    for finding in findings:
        kind = kinds.setdefault(finding.code, {"heading": finding.heading, "count": 0, "example": finding.message})
        kind["count"] += 1
    return list(kinds.values())


def render_discussion(mapping: Mapping) -> bytes:
    return _render(DISCUSSION_TEMPLATE, discussion_context(mapping))


def sheet_context(organisation: Organisation, size: str) -> dict:
    return {
        "organisation": organisation,
        "paper": "a3" if size == "a3" else "a4",
        "rows": [{"level": level, "hint": LEVEL_HINTS[level]} for level in Level],
        "columns": [{"dimension": d, "hint": DIMENSION_HINTS[d]} for d in Dimension],
        "steps": STEPS,
    }


def render_sheet(organisation: Organisation, size: str = "a4") -> bytes:
    return _render(SHEET_TEMPLATE, sheet_context(organisation, size))


def render_html(template: str, context: dict) -> str:
    return render_to_string(template, {**context, "stylesheet_url": static_prefix() + STYLESHEET})


def _render(template: str, context: dict) -> bytes:
    html = render_html(template, context)
    with collection_paused():
        return layout(html).write_pdf()
