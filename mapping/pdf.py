"""The printed overview of a mapping, for the house meeting: context in, PDF bytes out (WeasyPrint).

Two steps, so each can be tested and timed on its own:

1. ``document_context(mapping, ...)`` reads one mapping in a fixed number of
   queries into the plain data the document shows: the grid as the board
   shows it (``board.grid`` over ``for_board()``), purposes per level, links
   and the chains through them (``gaps.chains``, the same chains as the gap
   dashboard), and the gap findings and action plan the caller passes in.
2. ``render_pdf(context, paper=..., handout=...)`` turns such a context into
   a PDF through ``templates/mapping/pdf.html`` and ``static/css/pdf.css``,
   without touching the database. ``render_html`` is the same without the PDF.

The document's sections, in order, are ``SECTIONS``; the caller picks which.

The handout leaves out the "internal notes": initiative descriptions, owners,
cadence and effect assessments, and link notes. Those are working notes of
the people who map; a handout goes to every colleague at the house meeting
and may leave the building. The handout keeps titles, purposes, levels, links
and chains, the gap summary and the action plan; actions keep their owners
and due dates, because a plan without them is no plan.

Safety: every user text reaches WeasyPrint through the autoescaping Django
template, never through CSS; the URL fetcher serves our own static files (via
the staticfiles finders) and refuses everything else, so a document can never
make the server fetch from the network or read an arbitrary file. A mapping
past the size bounds (``MAX_*``) is refused before any layout work.
"""

import mimetypes
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import board, gaps
from .levels import Level
from .models import Action, Initiative, Link, Mapping

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
# Initiatives named per purpose and level in "purposes and levels"; the rest are counted.
MAX_NAMED_PER_LEVEL = 6
# Messages printed per kind of finding in the gap summary; the rest are counted.
FINDINGS_SHOWN_PER_KIND = 3


class DocumentTooLarge(ValueError):
    """The mapping is past the document's size bound; the message says which bound, in the user's language."""


# --- 1. The context: what the document shows ---------------------------------------------


@dataclass(frozen=True)
class Chain:
    """A chain as printed: ``steps`` are (printed link, card reached) after ``start``."""

    start: Initiative
    steps: list[tuple[dict, Initiative]]


def document_context(
    mapping: Mapping,
    *,
    sections: Iterable[str] = SECTIONS,
    findings: list[gaps.Finding] | None = None,
    actions: list[Action] | None = None,
) -> dict:
    """Everything the document shows, read in a fixed number of queries.

    ``findings`` are the open findings of the gap analysis and ``actions`` the
    action plan, in the order to print; None means that part is not
    available, and the document says so.
    """
    organisation = mapping.organisation
    rows = board.grid(mapping.initiatives.for_board(organisation.group_minimum))
    cards = [card for row in rows for cell in row.cells for card in cell.cards]  # reading order
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
    chains = document_chains(cards, links)
    return {
        "organisation": organisation,
        "mapping": mapping,
        "printed": timezone.localdate(),
        "sections": [s for s in SECTIONS if s in sections],
        "rows": card_lines(rows),
        "columns": rows[0].cells,  # the grid's two columns, with their labels and hints
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
        "chains": chains,
        "chains_capped": len(chains) >= gaps.MAX_CHAINS,
        "findings": findings,
        "actions": actions,
    }


def card_lines(rows: list[board.Row], per_line: int = 2) -> list[dict]:
    """The grid as table lines: each level gets as many lines as its fuller cell needs.

    A line holds ``per_line`` slots per dimension (a card or None). Small
    lines instead of one tall row per level let a full cell continue on the
    next page without WeasyPrint splitting a table row, which is slow.
    """
    levels = []
    for row in rows:
        count = max(1, *(-(-len(cell.cards) // per_line) for cell in row.cells))
        lines = []
        for n in range(count):
            line = []
            for cell in row.cells:
                chunk = cell.cards[n * per_line : (n + 1) * per_line]
                slots = chunk + [None] * (per_line - len(chunk))
                line.append({"dimension": cell.dimension, "slots": slots, "is_empty": n == 0 and not cell.cards})
            lines.append({"cells": line})
        levels.append({"level": row.level, "lines": lines})
    return levels


def shortlist(cards: list) -> dict:
    return {"cards": cards[:MAX_NAMED_PER_LEVEL], "more": max(0, len(cards) - MAX_NAMED_PER_LEVEL)}


def plain_link(link: Link) -> dict:
    crosses = []
    if link.crosses_level:
        crosses.append(_("på tværs af niveauer"))
    if link.crosses_dimension:
        crosses.append(_("struktur ↔ kultur"))
    return {
        "source": link.source,
        "target": link.target,
        "kind_label": link.get_kind_display(),
        "crosses": ", ".join(crosses),
        "note": link.note,
    }


def document_chains(cards: list[Initiative], links: dict[tuple[int, int], dict]) -> list[Chain]:
    """The chains through the printed links (``gaps.chains``), as cards and printed links."""
    by_id = {card.pk: card for card in cards}
    data = gaps.MappingData(
        initiatives=tuple(
            gaps.InitiativeData(id=card.pk, title=card.title, level=card.level, dimension=card.dimension)
            for card in cards
        ),
        links=tuple(gaps.LinkData(source, target) for source, target in links),
    )
    chains = []
    for path in gaps.chains(data):
        ids = [item.id for item, _link in path]
        steps = [(links[pair], by_id[pair[1]]) for pair in zip(ids, ids[1:], strict=False)]
        chains.append(Chain(start=by_id[ids[0]], steps=steps))
    return chains


def card_notes(cards: list[Initiative]) -> list[dict]:
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


def without_internal_notes(context: dict) -> dict:
    """The handout's context: the same document with the internal notes removed from the data."""
    return {
        **context,
        "notes": [],
        "links": [{**link, "note": ""} for link in context.get("links", [])],
        "show_notes": False,
    }


def plain_findings(findings: list[gaps.Finding] | None) -> list[dict] | None:
    """The gap summary: one entry per kind of finding, its count and the first few messages.

    A house meeting reads a summary, not 40 near-identical lines.
    """
    if findings is None:
        return None
    groups: dict[str, dict] = {}
    for finding in findings:
        if finding.code not in groups:
            groups[finding.code] = {
                "heading": finding.heading,
                "severity": finding.severity,
                "severity_label": finding.severity_label,
                "next_step": finding.next_step,
                "messages": [],
                "count": 0,
            }
        group = groups[finding.code]
        group["count"] += 1
        if len(group["messages"]) < FINDINGS_SHOWN_PER_KIND:
            group["messages"].append(finding.message)
    for group in groups.values():
        group["more"] = group["count"] - len(group["messages"])
    return list(groups.values())


def plain_actions(actions: list[Action] | None) -> list[dict] | None:
    if actions is None:
        return None
    return [
        {
            "title": action.title,
            "owner": action.owner,
            "due_label": date_format(action.due, "j. F Y") if action.due else "",
            "status_label": action.get_status_display(),
        }
        for action in actions
    ]


# --- 2. Rendering: context in, bytes out --------------------------------------------------


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
    text += sum(len(finding.message) for finding in context.get("findings") or [])
    text += sum(len(action.title) + len(action.owner) for action in context.get("actions") or [])
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


# --- What the document may load: our own static files, nothing else -----------------------


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
