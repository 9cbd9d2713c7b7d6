"""The printed overview of a mapping: context in, PDF bytes out (WeasyPrint).

``document_context`` reads one mapping into plain lists (the same grid the
board shows); ``render_pdf`` turns such a context into a PDF without touching
the database. ``chains`` is pure.

What the handout leaves out (the "internal notes"): initiative descriptions,
owners, cadence and effect assessments, and link notes. Those are working
notes of the people who map; a handout goes to every colleague at the house
meeting and may leave the building. The handout keeps titles, purposes,
levels, links and chains, the gap summary and the action plan; actions keep
their owners and due dates, because a plan without them is no plan.

Safety: every user text reaches WeasyPrint through the autoescaping Django
template, never through CSS; the URL fetcher serves our own static files (via
the staticfiles finders) and refuses everything else, so a document can never
make the server fetch from the network or read an arbitrary file.
"""

import datetime
import mimetypes
import threading
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .models import Dimension, Initiative, Level, Mapping
from .views.board import cards_queryset, grid

TEMPLATE = "mapping/pdf.html"
STYLESHEET = "css/pdf.css"
# The document's base URL. ".invalid" can never resolve (RFC 6761); the fetcher
# answers for this origin itself and never opens a connection.
ORIGIN = "https://iglo.invalid"

SECTIONS = ("grid", "purposes", "links", "gaps", "actions")
PAPERS = ("A4", "A3")

# Upper bounds of one document. 500 initiatives take about 2 s of CPU
# (tests/bench_pdf.py) and time grows about linearly, so 1000 keeps one
# request from tying up a worker for much longer than that.
MAX_INITIATIVES = 1000
MAX_LINKS = 2000
MAX_TEXT_CHARS = 400_000
MAX_CHAINS = 60
MAX_CHAIN_LENGTH = 12
# Initiatives named per purpose and level in "purposes and levels"; the rest are counted.
MAX_NAMED_PER_LEVEL = 6


class DocumentTooLarge(ValueError):
    """The mapping is past the document's size bound; the message says which bound, in the user's language."""


class FetchRefused(ValueError):
    """A URL the PDF may not load: anything but our own static files."""


class StaticOnlyFetcher(URLFetcher):
    """Serves ``ORIGIN`` + ``STATIC_URL`` paths from the staticfiles finders; refuses the rest.

    Refusals raise, and WeasyPrint skips the resource with a warning; nothing
    is ever fetched over the network or read outside the static folders.
    """

    def __init__(self):
        # Not URLFetcher.__init__: that builds a urllib opener whose HTTPS
        # handler loads the system CA store, 20-60 ms per document, for
        # connections this fetcher never opens. WeasyPrint reads only this flag.
        self._fail_on_errors = False

    def fetch(self, url, headers=None):
        path = static_path(url)
        if path is None:
            raise FetchRefused(f"Refused to fetch {url[:200]!r}: only our own static files are served.")
        found = finders.find(path)
        if not found:
            raise FetchRefused(f"No static file {path!r}.")
        with open(found, "rb") as file:
            body = file.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def static_prefix() -> str:
    return urljoin(ORIGIN + "/", settings.STATIC_URL)


def static_path(url: str) -> str | None:
    """The static file a URL names, or None when the URL is not one of ours."""
    prefix = urlsplit(static_prefix())
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (prefix.scheme, prefix.netloc) or parts.query:
        return None
    if not parts.path.startswith(prefix.path):
        return None
    path = unquote(parts.path.removeprefix(prefix.path))
    segments = path.split("/")
    if not path or any(s in {"", ".", ".."} for s in segments) or "\\" in path or "\x00" in path:
        return None
    return path


@dataclass(frozen=True)
class Chain:
    """A path through links: ``steps`` are (link, initiative reached) after ``start``."""

    start: Initiative
    steps: list[tuple[dict, Initiative]]


def chains(edges: list[tuple[int, int]], limit: int = MAX_CHAINS) -> list[list[int]]:
    """Maximal paths of two or more links through the directed link graph.

    A chain starts where no link comes in (or, inside a loop with no such
    start, at its lowest id) and follows outgoing links until none is left;
    no initiative appears twice in one chain. A single link is not a chain:
    it is already in the list of links. Returns at most ``limit`` chains of at
    most ``MAX_CHAIN_LENGTH`` initiatives, as lists of ids in path order.
    """
    successors: dict[int, list[int]] = defaultdict(list)
    has_incoming: set[int] = set()
    nodes: set[int] = set()
    for source, target in edges:
        successors[source].append(target)
        has_incoming.add(target)
        nodes.update((source, target))
    for targets in successors.values():
        targets.sort()
    found: list[list[int]] = []
    visited: set[int] = set()
    budget = 20_000  # walk steps: a dense graph must not explode

    def walk(path: list[int]) -> None:
        nonlocal budget
        budget -= 1
        visited.add(path[-1])
        nexts = [n for n in successors.get(path[-1], []) if n not in path]
        if not nexts or len(path) >= MAX_CHAIN_LENGTH:
            if len(path) >= 3:
                found.append(list(path))
            return
        for n in nexts:
            if len(found) >= limit or budget <= 0:
                return
            walk([*path, n])

    for start in sorted(n for n in nodes if n not in has_incoming):
        walk([start])
    for start in sorted(nodes):
        if start not in visited:
            walk([start])
    return found[:limit]


def card_lines(rows: list[dict], per_line: int = 2) -> list[dict]:
    """The grid as table lines: each level gets as many lines as its fuller cell needs.

    A line holds ``per_line`` slots per dimension (a card or None). Small
    lines instead of one tall row per level let a full cell continue on the
    next page without WeasyPrint splitting a table row, which is slow.
    """
    levels = []
    for row in rows:
        cells = [cell["cards"] for cell in row["cells"]]
        count = max(1, *(-(-len(cards) // per_line) for cards in cells))
        lines = []
        for n in range(count):
            slots = []
            for cards in cells:
                chunk = cards[n * per_line : (n + 1) * per_line]
                slots.append(chunk + [None] * (per_line - len(chunk)))
            lines.append(
                {
                    "cells": [
                        {"dimension": cell["dimension"], "slots": slot, "is_empty": n == 0 and not cell["cards"]}
                        for cell, slot in zip(row["cells"], slots, strict=True)
                    ]
                }
            )
        levels.append({"level": row["level"], "lines": lines})
    return levels


def shortlist(cards: list) -> dict:
    return {"cards": cards[:MAX_NAMED_PER_LEVEL], "more": max(0, len(cards) - MAX_NAMED_PER_LEVEL)}


def plain_link(link) -> dict:
    crosses = []
    if link.crosses_level:
        crosses.append(_("på tværs af niveauer"))
    if link.crosses_dimension:
        crosses.append(_("struktur ↔ kultur"))
    return {
        "source": link.source,
        "target": link.target,
        "kind_label": link.get_kind_display(),
        "crosses": ", ".join(str(c) for c in crosses),
        "note": link.note,
    }


def card_notes(cards: list) -> list[dict]:
    """The internal notes of the cards that have any (see the module docstring)."""
    return [
        {
            "card": card,
            "description": card.description,
            "owner": card.owner,
            "cadence": card.cadence,
            "effect": card.get_effect_display() if card.effect != card.Effect.UNKNOWN else "",
        }
        for card in cards
        if card.description or card.owner or card.cadence or card.effect != card.Effect.UNKNOWN
    ]


LEVEL_ORDER = {level.value: n for n, level in enumerate(Level)}
DIMENSION_ORDER = {dimension.value: n for n, dimension in enumerate(Dimension)}


def grid_order(card: Initiative) -> tuple:
    """Reading order of the grid: level by level, struktur before kultur, then position."""
    return LEVEL_ORDER[card.level], DIMENSION_ORDER[card.dimension], card.position, card.pk


def document_context(
    mapping: Mapping,
    *,
    sections=SECTIONS,
    findings: list | None = None,
    actions: list | None = None,
) -> dict:
    """Everything the document shows, read in a fixed number of queries.

    ``findings`` (code, severity, message, optionally severity_label and
    next_step) and ``actions`` (title, owner, due, status) are plain lists (dicts or objects) from the gap analysis and the
    action plan; None means that part is not available, and the document says so.
    """
    organisation = mapping.organisation
    cards = sorted(cards_queryset(mapping), key=grid_order)
    by_id = {card.pk: card for card in cards}
    purposes = list(mapping.purposes.all())
    serving: dict[int, dict[str, list]] = {p.pk: defaultdict(list) for p in purposes}
    without_purpose = []
    for card in cards:
        card_purposes = list(card.purposes.all())
        if not card_purposes:
            without_purpose.append(card)
        for purpose in card_purposes:
            serving[purpose.pk][card.level].append(card)
    links = {}
    for link in mapping.links.order_by("id"):
        if link.source_id in by_id and link.target_id in by_id:
            link.source, link.target = by_id[link.source_id], by_id[link.target_id]
            links[(link.source_id, link.target_id)] = plain_link(link)
    chain_list = [
        Chain(start=by_id[path[0]], steps=[(links[pair], by_id[pair[1]]) for pair in zip(path, path[1:], strict=False)])
        for path in chains(list(links))
    ]
    return {
        "organisation": organisation,
        "mapping": mapping,
        "printed": timezone.localdate(),
        "sections": [s for s in SECTIONS if s in sections],
        "rows": card_lines(grid(mapping, cards)),
        "levels": list(Level),
        "cards": cards,
        "notes": card_notes(cards),
        "purposes": [
            {"purpose": p, "levels": [shortlist(serving[p.pk].get(level.value, [])) for level in Level]}
            for p in purposes
        ],
        "without_purpose": without_purpose,
        "links": list(links.values()),
        "show_notes": True,
        "chains": chain_list,
        "chains_capped": len(chain_list) >= MAX_CHAINS,
        "findings": findings,
        "actions": actions,
    }


def without_internal_notes(context: dict) -> dict:
    """The handout's context: the same document with the internal notes removed from the data."""
    return {
        **context,
        "notes": [],
        "links": [{**link, "note": ""} for link in context.get("links", [])],
        "show_notes": False,
    }


SEVERITY_LABELS = {
    "high": _lazy("Høj"),
    "medium": _lazy("Middel"),
    "low": _lazy("Lav"),
    "warning": _lazy("Advarsel"),
    "info": _lazy("Til orientering"),
}
ACTION_STATUS_LABELS = {
    "open": _lazy("Åben"),
    "planned": _lazy("Planlagt"),
    "in_progress": _lazy("I gang"),
    "doing": _lazy("I gang"),
    "done": _lazy("Færdig"),
    "cancelled": _lazy("Droppet"),
}


def field(item, name: str, default=""):
    if isinstance(item, dict):
        return item.get(name, default)
    return getattr(item, name, default)


FINDINGS_SHOWN_PER_KIND = 3


def plain_findings(findings) -> list[dict] | None:
    """The gap summary: one entry per kind of finding, its count and the first few messages.

    A house meeting reads a summary, not 40 near-identical lines.
    """
    if findings is None:
        return None
    groups: dict[str, dict] = {}
    for finding in findings:
        raw = field(finding, "severity") or ""
        severity = str(getattr(raw, "value", raw))  # a plain string or an enum member
        label = (
            field(finding, "severity_label", None)
            or getattr(raw, "label", None)
            or SEVERITY_LABELS.get(severity.lower(), severity)
        )
        code = field(finding, "code")
        group = groups.setdefault(
            code,
            {
                "code": code,
                "heading": field(finding, "heading", "") or "",
                "severity": severity,
                "severity_label": label,
                "next_step": field(finding, "next_step"),
                "messages": [],
                "count": 0,
            },
        )
        group["count"] += 1
        if len(group["messages"]) < FINDINGS_SHOWN_PER_KIND:
            group["messages"].append(field(finding, "message"))
    for group in groups.values():
        group["more"] = group["count"] - len(group["messages"])
    return list(groups.values())


def plain_actions(actions) -> list[dict] | None:
    if actions is None:
        return None
    plain = []
    for action in actions:
        due = field(action, "due", None)
        if isinstance(due, datetime.date):
            due = date_format(due, "j. F Y")
        status = field(action, "status", "") or ""
        display = getattr(action, "get_status_display", None)
        if callable(display):
            status_label = display()
        else:
            value = str(getattr(status, "value", status))
            status_label = getattr(status, "label", None) or ACTION_STATUS_LABELS.get(value, value)
        plain.append(
            {
                "title": field(action, "title"),
                "owner": field(action, "owner"),
                "due_label": due or "",
                "status_label": status_label,
            }
        )
    return plain


def vars_of(item) -> list:
    return list(item.values()) if isinstance(item, dict) else [field(item, n) for n in ("title", "message", "owner")]


def check_size(context: dict) -> None:
    """Refuse a document past the bounds, before any layout work starts."""
    cards, links = context.get("cards", []), context.get("links", [])
    if len(cards) > MAX_INITIATIVES:
        raise DocumentTooLarge(
            _("Kortlægningen har %(count)s indsatser; PDF-oversigten kan højst vise %(max)s.")
            % {"count": len(cards), "max": MAX_INITIATIVES}
        )
    if len(links) > MAX_LINKS:
        raise DocumentTooLarge(
            _("Kortlægningen har %(count)s forbindelser; PDF-oversigten kan højst vise %(max)s.")
            % {"count": len(links), "max": MAX_LINKS}
        )
    text = sum(len(c.title) + len(c.description) + len(c.owner) for c in cards)
    text += sum(len(link["note"]) for link in links)
    for part in ("findings", "actions"):
        text += sum(len(str(value)) for item in context.get(part) or [] for value in vars_of(item))
    if text > MAX_TEXT_CHARS:
        raise DocumentTooLarge(_("Kortlægningen har for meget tekst til én PDF-oversigt."))


def render_html(context: dict, *, paper: str = "A4", handout: bool = False) -> str:
    """The document's HTML; the handout's context loses the internal notes before rendering."""
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {PAPERS}, not {paper!r}")
    context = {
        **context,
        "findings": plain_findings(context.get("findings")),
        "actions": plain_actions(context.get("actions")),
    }
    if handout:
        context = without_internal_notes(context)
    return render_to_string(
        TEMPLATE,
        {
            **context,
            "paper": paper,
            "handout": handout,
            "stylesheet_url": static_prefix() + STYLESHEET,
        },
    )


def render_pdf(context: dict, *, paper: str = "A4", handout: bool = False) -> bytes:
    """The PDF of a ``document_context``; raises DocumentTooLarge past the bounds."""
    check_size(context)
    html = render_html(context, paper=paper, handout=handout)
    document = HTML(string=html, base_url=ORIGIN + "/", url_fetcher=StaticOnlyFetcher())
    return document.write_pdf(font_config=font_config())


_fonts = threading.local()


def font_config() -> FontConfiguration:
    """This thread's fontconfig and Pango font map, reused from document to document.

    WeasyPrint otherwise builds a new one for every document (about 15 ms of
    font loading). One per thread, because Pango's font map is not thread-safe;
    the document declares no @font-face, so nothing accumulates in it.
    """
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config
