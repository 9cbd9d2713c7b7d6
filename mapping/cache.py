"""Cached page regions: HTML rendered once per state of everything it reads.

A board is read far more often than it changes (everyone in a workshop loads
it; after each change every open board polls for it again), and the
mapping's ``version`` moves with every change inside the mapping. So a
region's HTML is named exactly by the version plus what this viewer sees:
``board_inputs`` lists every input of the board's regions, and
``region_key`` puts each of them in the key (tests/test_board_cache.py
changes each input in turn and fails if the page does not follow).

After a change the version moves and every region is rendered again, but
the grid is assembled from cells, and a cell's HTML is named by what it
shows instead: the board's inputs without the version, plus a fingerprint of
its cards as the board reads them (every field it reads -- what a card shows
and its version, ``board.CARD_FIELDS`` -- every annotation, every value worked
out beside the query, such as its number of links, and every prefetched
relation, in order; ``card_rows`` reads them as plain rows, without models).
A change to one card renders that card's cell and, inside it, that card
(each card's HTML is cached the same way under its own fingerprint); the
other seven cells come from the cache. A cell or card may read only its
cards, its own position and the board's inputs: anything else it shows must
go into ``board_inputs``.

The whole page is cached too, once per viewer (``Regions.response``): under
the regions' inputs plus everything else its shell shows -- who is signed in,
the organisation's name, the address -- so a board loaded again renders no
template at all. A message waiting to be shown renders it afresh.

With a shared cache (REDIS_URL) each process also keeps copies of the HTML it
read or wrote (``Remembered``): every key names its content, so a copy is never
stale, and a board served again costs no round trip to Redis.

Cached HTML holds no one's CSRF token: it is rendered with a secret
placeholder, and each response puts in its own masked token, as
``{% csrf_token %}`` would; a cached page's poll token is put in the same way.
"""

import functools
import hashlib
import pickle
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db.models import ManyToManyField, Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.crypto import salted_hmac
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .board import grid

REGION_SECONDS = 300


class Remembered:
    """With a shared cache (REDIS_URL): this process's copies of the HTML it read or wrote there.

    Every key here names its content (a version, or a fingerprint of the rows shown), so a copy
    never shows anything but what the shared cache holds under that key; keeping it saves a round
    trip and the transfer (a big board's page is tens of kilobytes). Copies expire as the shared
    entries do (``REGION_SECONDS``), and the least recently used go first past ``MAX_CHARS``.
    Without a shared cache, the cache is this process's memory already: calls pass through.
    """

    MAX_CHARS = 16_000_000

    def __init__(self) -> None:
        self.copies: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self.chars = 0
        self.lock = threading.Lock()

    @staticmethod
    def is_used() -> bool:
        return bool(settings.REDIS_URL)

    def get_many(self, keys: Iterable[str]) -> dict[str, str]:
        keys = list(keys)
        if not self.is_used():
            return cache.get_many(keys)
        found, now = {}, time.monotonic()
        with self.lock:
            for key in keys:
                copy = self.copies.get(key)
                if copy is not None and copy[0] > now:
                    self.copies.move_to_end(key)
                    found[key] = copy[1]
        missing = [key for key in keys if key not in found]
        if missing:
            shared = cache.get_many(missing)
            self.keep(shared)
            found |= shared
        return found

    def get(self, key: str) -> str | None:
        return self.get_many([key]).get(key)

    def set_many(self, items: Mapping[str, str]) -> None:
        cache.set_many(dict(items), REGION_SECONDS)
        if self.is_used():
            self.keep(items)

    def set(self, key: str, html: str) -> None:
        self.set_many({key: html})

    def get_or_render(self, key: str, render: Callable[[], str]) -> str:
        """The HTML under ``key``, rendered and kept there first if it is not."""
        html = self.get(key)
        if html is None:
            html = render()
            self.set(key, html)
        return html

    def keep(self, items: Mapping[str, str]) -> None:
        expires = time.monotonic() + REGION_SECONDS
        with self.lock:
            for key, html in items.items():
                old = self.copies.pop(key, None)
                self.chars += len(html) - (len(old[1]) if old else 0)
                self.copies[key] = (expires, html)
            while self.chars > self.MAX_CHARS and self.copies:
                _key, (_expires, html) = self.copies.popitem(last=False)
                self.chars -= len(html)

    def clear(self) -> None:
        with self.lock:
            self.copies.clear()
            self.chars = 0


remembered = Remembered()


def board_inputs(context: dict, *, version: bool = True) -> tuple:
    """Everything the board's regions read besides the cards, which the version names.

    Without the version: what a cell reads besides its cards (see ``fingerprint``).
    """
    mapping, selected = context["mapping"], context["selected_purpose"]
    return (
        context["organisation"].slug,
        context["organisation"].group_minimum,  # decides whether employees' averages show
        mapping.pk,
        mapping.version if version else "cells",
        int(bool(context["can_edit"])),
        selected.pk if selected else "",
        int(context["show_only"]),
        int(bool(context.get("oob"))),
        get_language(),
        *((context.get("density", ""),) if version else ()),  # the page marks the chosen density
    )


def region_key(template: str, name: str, inputs: tuple) -> str:
    return ":".join(str(part) for part in ("region", template, name, *inputs))


@functools.cache
def placeholder(name: str) -> str:
    """Stands for a value of one response (its CSRF token, its poll token) in cached HTML: secret, so
    no text typed on the board can contain it."""
    return f"{name}-" + salted_hmac(f"mapping.cache.{name}-placeholder", "", algorithm="sha256").hexdigest()[:32]


def csrf_placeholder() -> str:
    return placeholder("csrf_token")


def _columns(model: type[Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _read_columns(cards: QuerySet) -> list[str]:
    """The cards' columns the queryset reads: those named in ``only()`` (and the pk), else all."""
    names, deferred = cards.query.deferred_loading
    if deferred:
        return [name for name in _columns(cards.model) if name not in names]
    return [field.attname for field in cards.model._meta.concrete_fields if field.primary_key or field.name in names]


def _related(cards: QuerySet, lookup: str) -> dict[int, list[tuple]]:
    """A prefetched many-to-many relation of the cards as rows: card pk -> the related rows, in the
    related model's order (as ``prefetch_related`` gives them)."""
    relation = cards.model._meta.get_field(lookup)
    if not isinstance(relation, ManyToManyField):  # a new kind of prefetch needs its own rows here
        raise TypeError(f"cell fingerprints read many-to-many prefetches only, not {lookup!r}")
    through = relation.remote_field.through
    assert through is not None
    source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
    related_model = relation.related_model
    assert isinstance(related_model, type)
    columns = [f"{target}__{name}" for name in _columns(related_model)]
    ordering = [f"{target}__{name}" for name in related_model._meta.ordering or ["pk"]]
    related: dict[int, list[tuple]] = defaultdict(list)
    query = through._default_manager.filter(**{f"{source}__in": cards.values("pk")}).order_by(*ordering)
    for card_pk, *row in query.values_list(source, *columns):
        related[card_pk].append(tuple(row))
    return related


def card_rows(
    cards: QuerySet, computed: Mapping[str, Mapping[Any, Any]] | None = None
) -> dict[tuple[str, str], list[tuple]]:
    """Every card as the board reads it, as plain rows per cell, in the board's order: its fields, its
    annotations, the values ``computed`` outside the query (by name, then card pk: every card must have
    one, as a Counter does) and its prefetched relations. One query, and one per prefetched relation."""
    names = [*_read_columns(cards), *cards.query.annotations]
    lookups = [str(lookup) for lookup in getattr(cards, "_prefetch_related_lookups", ())]
    related = {lookup: _related(cards, lookup) for lookup in lookups}
    by_pk = list((computed or {}).values())
    cells: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for pk, level, dimension, *values in cards.prefetch_related(None).values_list("pk", "level", "dimension", *names):
        rows = tuple(tuple(related[lookup].get(pk, ())) for lookup in lookups)
        cells[(level, dimension)].append((*values, *(values_of[pk] for values_of in by_pk), *rows))
    return cells


def as_models(cards: QuerySet, rows: list[tuple], computed: Iterable[str] = ()) -> list[Any]:
    """The cards of ``card_rows`` as the models ``cards`` would give: fields, annotations, the values
    computed outside the query (``computed`` names them, in ``card_rows``' order), prefetches."""
    model, db = cards.model, cards.db
    columns = _read_columns(cards)
    annotations = [*cards.query.annotations, *computed]
    lookups = [str(lookup) for lookup in getattr(cards, "_prefetch_related_lookups", ())]
    loaded = []
    for row in rows:
        card = model.from_db(db, columns, row[: len(columns)])
        for name, value in zip(annotations, row[len(columns) : len(columns) + len(annotations)], strict=True):
            setattr(card, name, value)
        card._prefetched_objects_cache = {}
        for lookup, related_rows in zip(lookups, row[len(columns) + len(annotations) :], strict=True):
            manager = getattr(card, lookup)
            related_model = manager.model
            queryset = manager.get_queryset()
            queryset._result_cache = [related_model.from_db(db, _columns(related_model), r) for r in related_rows]
            queryset._prefetch_done = True
            card._prefetched_objects_cache[manager.prefetch_cache_name] = queryset
        loaded.append(card)
    return loaded


def _fields(instance: Any) -> Iterable[tuple[str, Any]]:
    """A model instance's fields and annotations, as read."""
    return ((name, value) for name, value in vars(instance).items() if not name.startswith("_"))


def fingerprint(rows: Iterable[tuple]) -> str:
    """Names a cell's cards exactly as read: a change to any value a card carries changes it.

    Pickled, not repr'd: ten times quicker for 500 cards. The bytes hold every value (they load back
    into the same rows), so two different sets of rows never share a name."""
    return hashlib.blake2b(pickle.dumps(list(rows), protocol=5), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Rendered:
    """A card in a cell being rendered whose HTML is done: the cell's template prints ``card.html``."""

    html: SafeString


class Regions:
    """A page's named partials for its template: ``{{ regions.grid }}`` renders ``template#grid``.

    With ``inputs`` (see ``board_inputs``) each region comes from the cache
    or is rendered and cached; with None (a per-request state, such as an
    open editor or a form with errors) every region is rendered fresh.
    A cached region is rendered without the request (no context processors):
    it may read only its context, which is why its key can name it.
    The page puts ``csrf_token`` into its context: one masked token for all
    its forms, as ``{% csrf_token %}`` would give.
    """

    def __init__(
        self,
        request: HttpRequest,
        template: str,
        context: dict,
        inputs: tuple | None,
        *,
        cells: Mapping[str, str] | None = None,
        cell_inputs: tuple = (),
        cards: Callable[[], QuerySet] | None = None,
        computed: Callable[[], Mapping[str, Mapping[Any, Any]]] | None = None,
        content: Mapping[str, Callable[[], Iterable[Any]]] | None = None,
    ) -> None:
        """``cells``: the regions made of the grid's cells, each with the partial that renders one
        cell; ``cards`` gives the board's cards (not yet read), ``computed`` what the cards show that
        is worked out outside their query (see ``card_rows``), ``cell_inputs`` what a cell reads
        besides its cards. ``content``: regions named, like a cell, by what they show (the models or
        rows the callable gives) instead of by the version."""
        self.request = request
        self.template = template
        self.context = context
        self.inputs = inputs
        self.cells = cells or {}
        self.cell_inputs = cell_inputs
        self.cards = cards
        self.computed = computed
        self.content = content or {}
        self.cell_keys: dict[str, str] = {}  # cell id -> its key, as the last region built from cells used
        self.card_keys: dict[int, str] = {}  # card pk -> its key, for the cards rendered in a cell
        self.page_key = ""  # the whole page's key, once ``response`` has used it
        self.csrf_token = context["csrf_token"] = get_token(request)
        self.rendering = 0  # regions being rendered for the cache: a region inside one keeps the placeholder

    def response(self, viewer: tuple, fresh: Mapping[str, str]) -> HttpResponse:
        """The whole page (``template``) for one viewer, cached under the regions' inputs and ``viewer``
        (everything else the page's shell shows: who is signed in, the names in its crumbs). The values
        of one response alone -- its CSRF token, its CSP nonce, its address (the language form's way
        back) and ``fresh`` (a poll token) -- are cached as placeholders and put in per response. A
        per-request state, or a message to show, renders the page afresh."""
        if self.inputs is None or get_messages(self.request):
            return render(self.request, self.template, self.context)
        nonce = get_nonce(self.request)
        fresh = {
            "csrf_token": self.csrf_token,
            "csp_nonce": "" if nonce is None else str(nonce),
            "next_path": self.request.get_full_path(),
            **fresh,
        }

        def render_page() -> str:
            with self.for_cache(*fresh) as context:
                return render_to_string(self.template, context, self.request)

        self.page_key = region_key(self.template, "whole-page", (*self.inputs, fingerprint([viewer]), assets()))
        return HttpResponse(put_in(remembered.get_or_render(self.page_key, render_page), fresh))

    @contextmanager
    def for_cache(self, *names: str) -> Iterator[dict]:
        """The context to render HTML for the cache in: placeholders for the CSRF token and ``names``.
        A region rendered inside keeps them too (``rendering``)."""
        self.rendering += 1
        try:
            yield {**self.context, **{name: placeholder(name) for name in ("csrf_token", *names)}}
        finally:
            self.rendering -= 1

    def __getitem__(self, name: str) -> SafeString:
        partial = f"{self.template}#{name.replace('_', '-')}"
        if self.inputs is None:
            return mark_safe(render_to_string(partial, self.context, self.request))  # noqa: S308 - our template
        token = csrf_placeholder() if self.rendering else self.csrf_token
        return cached_html(region_key(self.template, name, self.inputs), lambda: self.by_content(name), token)

    def by_content(self, name: str) -> str:
        """After a change (the version's key missed): a region named by what it shows is read, and
        rendered only when that moved too."""
        if name not in self.content:
            return self.render(name)
        shown = [
            row if isinstance(row, tuple) else (type(row).__name__, tuple(_fields(row))) for row in self.content[name]()
        ]
        key = region_key(self.template, name, (*self.cell_inputs, fingerprint(shown)))
        return remembered.get_or_render(key, lambda: self.render(name))

    def render(self, name: str) -> str:
        """A region for the cache (CSRF placeholder, no request); one made of cells takes each from the cache."""
        with self.for_cache() as context:
            if name in self.cells:
                self.fill_cells(self.cells[name], context)
            return render_to_string(f"{self.template}#{name.replace('_', '-')}", context)

    def fill_cells(self, partial: str, context: dict) -> None:
        """Put the grid into ``context["rows"]`` with every cell's HTML (``cell.html``): cached under its
        cards' fingerprint, or rendered now from the very rows the fingerprint names."""
        assert self.cards is not None, "a region made of cells needs the cards"
        cards = self.cards()
        computed = self.computed() if self.computed else {}
        rows = card_rows(cards, computed)
        context["rows"] = skeleton = grid(())
        cells = {(cell.level.value, cell.dimension.value): cell for row in skeleton for cell in row.cells}
        # A cell's key holds its cards' rows, so it also holds each of its cards' keys.
        keys = {place: self.cell_key(partial, cell.id, rows.get(place, [])) for place, cell in cells.items()}
        found = remembered.get_many(keys.values())
        missed = [place for place in cells if keys[place] not in found]
        rendered = {}
        if missed:
            for place in missed:
                cell = cells[place]
                cell.cards = self.cell_cards(cards, rows.get(place, []), list(computed), context)
                rendered[keys[place]] = found[keys[place]] = render_to_string(
                    f"{self.template}#{partial}", {**context, "cell": cell}
                )
            remembered.set_many(rendered)
        for place, cell in cells.items():
            cell.html = mark_safe(found[keys[place]])  # noqa: S308 - our own rendered HTML
        self.cell_keys = {cell.id: keys[place] for place, cell in cells.items()}

    def cell_cards(self, cards: QuerySet, rows: list[tuple], computed: list[str], context: dict) -> list[Rendered]:
        """A cell's cards as its template takes them, each with its HTML (``card.html``): cached under
        its own fingerprint, or rendered now (``html_by_row``) from a model built for it alone. After a
        change to one card, that card is the only one built and rendered."""

        def render(ids: list[Any]) -> dict[Any, str]:
            wanted = set(ids)
            chosen = as_models(cards, [row for row in rows if row[0] in wanted], computed)
            return {card.pk: render_to_string(f"{self.template}#card", {**context, "card": card}) for card in chosen}

        keys = row_keys(self.template, "card", (*self.cell_inputs, "card"), rows)
        self.card_keys.update(keys)
        return [Rendered(html) for html in html_by_row(keys, render)]

    def cell_key(self, partial: str, cell_id: str, rows: Iterable[tuple]) -> str:
        return region_key(self.template, partial, (*self.cell_inputs, cell_id, fingerprint(rows)))


def row_keys(template: str, partial: str, inputs: tuple, rows: list[tuple]) -> dict[Any, str]:
    """Each row's id (its first value) -> the key of its HTML, named by the row itself."""
    return {row[0]: region_key(template, partial, (*inputs, fingerprint([row]))) for row in rows}


def html_by_row(keys: dict[Any, str], render: Callable[[list[Any]], dict[Any, str]]) -> list[SafeString]:
    """One piece of HTML per row of ``row_keys``, in its order: after a change only the rows that moved
    are rendered again (``render`` gets their ids, gives id -> HTML). The pieces may hold no CSRF
    token and nothing else of the request."""
    found = remembered.get_many(keys.values())
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        rendered = {keys[pk]: html for pk, html in render(missing).items()}
        remembered.set_many(rendered)
        found |= rendered
    return [mark_safe(found[key]) for key in keys.values()]  # noqa: S308 - our own rendered HTML


def cached_html(key: str, render_html: Callable[[], str], csrf_token: str) -> SafeString:
    return mark_safe(put_in(remembered.get_or_render(key, render_html), {"csrf_token": csrf_token}))  # noqa: S308


def put_in(html: str, values: Mapping[str, str]) -> str:
    """Cached HTML with each placeholder (``placeholder(name)``) replaced by its value, escaped."""
    for name, value in values.items():
        html = html.replace(placeholder(name), escape(value))
    return html


@functools.cache
def assets() -> str:
    """The shell's static files by their served (hashed) names: a deploy that changes one names new pages."""
    return fingerprint([tuple(static(name) for name in ("css/iglo.css", "js/iglo.js"))])
