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

import gc
import mimetypes
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from urllib.parse import unquote, urljoin, urlsplit

import weasyprint.css
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import board, gaps
from .levels import Dimension, Level
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
        printed_purposes(card)
        if not card_purposes:
            without_purpose.append(card)
        for purpose in card_purposes:
            serving[purpose.pk][card.level].append(card)
    # "Individ · Struktur": the place after a title in the links, translated once per document
    # rather than once per mention.
    places = {
        (level.value, dimension.value): f"{level.label} · {dimension.label}"
        for level in Level
        for dimension in Dimension
    }
    links = {}
    for link in mapping.links.order_by("id"):
        if link.source_id in by_id and link.target_id in by_id:
            link.source, link.target = by_id[link.source_id], by_id[link.target_id]
            links[(link.source_id, link.target_id)] = plain_link(link, places)
    chains = document_chains(cards, links)
    return {
        "organisation": organisation,
        "mapping": mapping,
        "printed": timezone.localdate(),
        "sections": [s for s in SECTIONS if s in sections],
        "grid": rows,  # laid out for the paper by render_html (see grid_fit)
        "columns": rows[0].cells,  # the grid's two columns, with their labels and hints
        "levels": list(Level),
        "cards": cards,
        "notes": card_notes(cell for row in rows for cell in row.cells),
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


# --- Page one holds the whole grid ---------------------------------------------------------
#
# The grid is sized to the paper before WeasyPrint sees it: type and card columns shrink
# step by step down to 7 pt, and past that page one shows a compact grid of titles (as
# many per cell as fit, then "and N more") with every card listed after it. The sizes
# are estimated from the titles' lengths, conservatively; render_pdf checks the result
# (the grid's end must be on page one) and takes the next step if it is not.

MIN_FONT_PT = 7.0
MM_PER_PT = 25.4 / 72


@dataclass(frozen=True)
class Fit:
    """How the grid is printed: type size, card columns per cell, purposes on the cards, and in the
    compact grid (``shown`` not None) how many titles per cell."""

    font_pt: float
    per_line: int
    purposes: bool = True
    shown: int | None = None

    @property
    def is_compact(self) -> bool:
        """Page one leaves something out (purposes, or titles past ``shown``): every card is listed after it."""
        return self.shown is not None or not self.purposes


# Per paper: content width and the height left for the grid's rows on page one (mm, from
# pdf.css: margins, the document head, the section heading, the column heads, the legend),
# the base type size, and the steps from roomy to dense.
PAPER_GRID = {
    "A4": {"width": 275.0, "height": 148.0, "base": 8.5, "level": 9.2 * 8.5 * MM_PER_PT},
    "A3": {"width": 398.0, "height": 215.0, "base": 12.0, "level": 9.2 * 12 * MM_PER_PT},
}
FIT_STEPS = {
    "A4": [
        Fit(8.5, 2),
        Fit(8, 3),
        Fit(7.5, 3),
        Fit(7, 3),
        Fit(7, 4),
        Fit(7, 4, purposes=False),
        Fit(7, 5, purposes=False),
    ],
    "A3": [
        Fit(12, 2),
        Fit(11, 2),
        Fit(10, 3),
        Fit(9, 3),
        Fit(8, 3),
        Fit(7, 3),
        Fit(7, 4),
        Fit(7, 4, purposes=False),
        Fit(7, 5, purposes=False),
    ],
}
COMPACT_PER_LINE = 4


def printed_purposes(card) -> str:
    """The card's purposes as printed on it, in the list after a compact grid and in the size
    estimate: worked out once per card (``card.printed_purposes``, which the template reads)."""
    if not hasattr(card, "printed_purposes"):
        card.printed_purposes = " · ".join(purpose.title for purpose in card.purposes.all())
    return card.printed_purposes


def _card_height(card, fit: Fit, text_width: float) -> float:
    """A card's estimated height in mm: its title's lines (bold, about 0.6 em a character, rounded
    up per line for word breaks) and its purposes' lines, padding and border."""
    em = fit.font_pt * MM_PER_PT
    per_line = max(1.0, text_width / (0.6 * em))
    lines: float = -(-(len(card.title) + 6) // int(per_line))
    if fit.purposes:
        names = printed_purposes(card)
        small = 0.88 if fit.font_pt >= 8 else 1.0  # pdf.css: .card small, never below 7 pt
        if names:
            lines += small * -(-(len(names) + 10) // int(per_line / small))
    return lines * em * 1.3 + (2.8 if fit.font_pt >= 8 else 1.8)  # pdf.css: .grid.is-small is tighter


def grid_height(rows: list[board.Row], fit: Fit, paper: str) -> float:
    """The estimated height in mm of the grid's rows laid out with ``fit``."""
    geometry = PAPER_GRID[paper]
    slot = (geometry["width"] - geometry["level"]) / (2 * fit.per_line)
    text_width = slot - (4.0 if fit.font_pt >= 8 else 3.0)  # slot and card padding, borders
    em = fit.font_pt * MM_PER_PT
    total = 0.0
    for row in rows:
        lines = []
        for cell in row.cells:
            cards = cell.cards if fit.shown is None else cell.cards[: fit.shown]
            heights = [_card_height(card, fit, text_width) for card in cards]
            cell_lines = [max(heights[n : n + fit.per_line]) for n in range(0, len(heights), fit.per_line)]
            if fit.shown is not None and len(cell.cards) > fit.shown:
                cell_lines.append(em * 1.3 + 1.0)  # "and N more"
            lines.append(cell_lines)
        count = max(1, *(len(cell_lines) for cell_lines in lines))
        total += 1.2 + sum(
            max((cell_lines[n] if n < len(cell_lines) else em * 1.3 + 1.0) for cell_lines in lines)
            for n in range(count)
        )
    return total


def grid_fits(rows: list[board.Row], paper: str) -> list[Fit]:
    """The layouts to try, best first: the first step that is estimated to fit page one, the steps
    after it, then compact grids with fewer and fewer titles per cell."""
    steps = FIT_STEPS[paper]
    height = PAPER_GRID[paper]["height"]
    first = next((n for n, fit in enumerate(steps) if grid_height(rows, fit, paper) <= height), len(steps))
    fuller = max((len(cell.cards) for row in rows for cell in row.cells), default=0)
    compact = [Fit(MIN_FONT_PT, COMPACT_PER_LINE, purposes=False, shown=shown) for shown in range(fuller, 0, -1)]
    compact_first = next(
        (n for n, fit in enumerate(compact) if grid_height(rows, fit, paper) <= height), max(0, len(compact) - 1)
    )
    return steps[first:] + compact[compact_first:]


@dataclass(frozen=True)
class More:
    """The compact grid's last slot of a cell: how many of its cards are listed after the grid."""

    more: int


def card_lines(rows: list[board.Row], per_line: int = 2, shown: int | None = None) -> list[dict]:
    """The grid as table lines: each level gets as many lines as its fuller cell needs.

    A line holds ``per_line`` slots per dimension (a card, a ``More`` or None).
    With ``shown``, a cell prints its first ``shown`` cards and then how many more.
    """
    levels = []
    for row in rows:
        cells = []
        for cell in row.cells:
            items: list = list(cell.cards)
            if shown is not None and len(items) > shown:
                items = [*items[:shown], More(len(items) - shown)]
            cells.append(items)
        count = max(1, *(-(-len(items) // per_line) for items in cells))
        lines = []
        for n in range(count):
            line = []
            for cell, items in zip(row.cells, cells, strict=True):
                chunk = items[n * per_line : (n + 1) * per_line]
                slots = chunk + [None] * (per_line - len(chunk))
                line.append({"dimension": cell.dimension, "slots": slots, "is_empty": n == 0 and not cell.cards})
            lines.append({"cells": line})
        levels.append({"level": row.level, "lines": lines})
    return levels


def shortlist(cards: list) -> dict:
    return {"cards": cards[:MAX_NAMED_PER_LEVEL], "more": max(0, len(cards) - MAX_NAMED_PER_LEVEL)}


def plain_link(link: Link, places: dict[tuple[str, str], str]) -> dict:
    """A link as printed; ``places`` names each cell ("Individ · Struktur")."""
    crosses = []
    if link.crosses_level:
        crosses.append(_("på tværs af niveauer"))
    if link.crosses_dimension:
        crosses.append(_("struktur ↔ kultur"))
    return {
        "source": link.source,
        "target": link.target,
        "source_place": places[(link.source.level, link.source.dimension)],
        "target_place": places[(link.target.level, link.target.dimension)],
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


def card_notes(cells: Iterable[board.Cell], *, every: bool = False) -> list[dict]:
    """The internal notes of the cards that have any (see the module docstring), under their cell:
    ``{"place": "Individ · Struktur", "notes": [...]}`` per cell that has notes, in reading order.

    ``every``: every card of the cells, with its notes if it has any (the list of all cards after a
    compact grid, which would otherwise name every card a second time)."""
    effects = {value: str(label) for value, label in Initiative.Effect.choices}
    noted = []
    for cell in cells:
        notes = [
            {
                "card": card,
                "description": card.description,
                "owner": card.owner,
                "cadence": card.cadence,
                "effect": effects.get(card.effect, card.effect) if card.effect != card.Effect.UNKNOWN else "",
            }
            for card in cell.cards
            if every or card.description or card.owner or card.cadence or card.effect != card.Effect.UNKNOWN
        ]
        if notes:
            noted.append({"place": cell.label, "notes": notes})
    return noted


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


def render_html(context: dict, *, paper: str = "A4", handout: bool = False, fit: Fit | None = None) -> str:
    """The document's HTML; the handout's context loses the internal notes before rendering.

    ``fit`` is the grid's layout; by default the first of ``grid_fits`` for the paper.
    """
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {PAPERS}, not {paper!r}")
    rows = context.get("grid") or board.grid(())
    fit = fit or grid_fits(rows, paper)[0]
    listed = [cell for row in rows for cell in row.cells if cell.cards] if fit.is_compact else []
    context = {
        **context,
        "fit": fit,
        "rows": card_lines(rows, fit.per_line, fit.shown),
        "slot_columns": range(2 * fit.per_line),
        "listed": listed,
        "findings": plain_findings(context.get("findings")),
        "actions": plain_actions(context.get("actions")),
    }
    if handout:
        context = without_internal_notes(context)
    elif listed and context.get("notes"):
        # The list of all cards and the notes would name every card twice: one list, with the notes.
        context = {**context, "listed": [], "notes": card_notes(listed, every=True), "notes_list_every_card": True}
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
    """The PDF of a ``document_context``; raises DocumentTooLarge past the bounds.

    Page one holds the whole grid: when the estimated layout (``grid_fits``) puts the
    grid's end on a later page, the next, denser layout is tried.
    """
    check_size(context)
    fits = grid_fits(context.get("grid") or board.grid(()), paper)
    with collection_paused():
        for attempt, fit in enumerate(fits):
            html = render_html(context, paper=paper, handout=handout, fit=fit)
            document = layout(html)
            has_grid = "grid" in context.get("sections", SECTIONS)
            if not has_grid or GRID_END in document.pages[0].anchors or attempt == len(fits) - 1:
                return document.write_pdf()
    raise AssertionError("unreachable: the last layout is always written")


def layout(html: str) -> Document:
    """WeasyPrint's layout of one of our documents: our user-agent stylesheet, our static files only,
    this thread's fonts. Call it with the collector paused (``collection_paused``)."""
    return DocumentHTML(string=html, base_url=ORIGIN + "/", url_fetcher=StaticOnlyFetcher()).render(
        font_config=font_config()
    )


# Python's cyclic garbage collector, paused while a document is laid out and written.
#
# WeasyPrint allocates hundreds of thousands of objects per big document (boxes, styles,
# Pango wrappers) and keeps most of them until the PDF is written, so the collector's
# passes keep finding nothing to free while scanning ever more objects: about 0.3-0.5 s
# of a 500-card document (tests/bench.py). Reference counting still frees everything
# that is not in a cycle; the document's cycles go at the collector's first pass after
# the render. The pause is process-wide, so concurrent renders share it: the collector
# runs again when the last of them is done (and only if it was running before).
_collection = threading.Lock()
_collection_paused = {"renders": 0, "was_enabled": False}


@contextmanager
def collection_paused() -> Iterator[None]:
    with _collection:
        if _collection_paused["renders"] == 0:
            _collection_paused["was_enabled"] = gc.isenabled()
            gc.disable()
        _collection_paused["renders"] += 1
    try:
        yield
    finally:
        with _collection:
            _collection_paused["renders"] -= 1
            if _collection_paused["renders"] == 0 and _collection_paused["was_enabled"]:
                gc.enable()


# The anchor after the grid (pdf.html): page one holds the grid when it holds this.
GRID_END = "grid-end"


def a3_would_be_better(mapping: Mapping) -> bool:
    """For the export page: ``a3_is_better`` for the mapping's board as it is now (two queries)."""
    return a3_is_better({"grid": board.grid(mapping.initiatives.for_board(mapping.organisation.group_minimum))})


def a3_is_better(context: dict) -> bool:
    """Whether page one of A4 would leave out purposes or titles that page one of A3 holds."""
    rows = context.get("grid") or board.grid(())
    a4, a3 = grid_fits(rows, "A4")[0], grid_fits(rows, "A3")[0]
    return a4.is_compact and (not a3.is_compact or (a3.shown or 10**6) > (a4.shown or 10**6))


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


# --- The user-agent stylesheet ------------------------------------------------------------

# WeasyPrint's user-agent stylesheet, without what this document never uses.
#
# It gives every element (``*``) a ::marker and five footnote and note pseudo-elements
# (``::footnote-call`` …), and WeasyPrint computes a style for each of them: six extra
# styles per element, about 15,000 in a 500-card document and a tenth of its time. The
# document has no footnotes or notes (float: footnote), and only the chains' <li> show
# a marker, so those rules go and ::marker is narrowed to li: the same rendering. Built
# from WeasyPrint's own stylesheet, so the rest follows the installed version.
_UNUSED_UA_RULES = re.compile(r"^::(?:footnote|note)-[a-z]+ \{[^}\n]*\}$", re.MULTILINE)
DOCUMENT_UA_CSS = _UNUSED_UA_RULES.sub("", (files(weasyprint.css) / "html5_ua.css").read_text("utf-8")).replace(
    "\n::marker {", "\nli::marker {"
)
DOCUMENT_UA_STYLESHEET = CSS(string=DOCUMENT_UA_CSS, counter_style=CounterStyle(), url_fetcher=StaticOnlyFetcher())


class DocumentHTML(HTML):
    """WeasyPrint's HTML with ``DOCUMENT_UA_STYLESHEET`` as the user-agent stylesheet."""

    def _ua_stylesheets(self, forms=False):
        return [DOCUMENT_UA_STYLESHEET]
