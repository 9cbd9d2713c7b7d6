"""The board: the 4 x 2 grid, edited live by several people.

Full pages and HTMX fragments come from the same template
(``mapping/board.html``) and the same context builder (``board_context``).
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from .. import live
from ..access import Access, Need, gate
from ..forms import InitiativeCreateForm, InitiativeForm, LinkForm, MoveForm, PurposeForm
from ..live import poll_token
from ..models import DIMENSION_HINTS, Dimension, Initiative, Level, Link, Mapping

BOARD = "mapping/board.html"


def link_count(direction: str) -> Subquery:
    """Links of a card whose other end is not deleted."""
    own, other = ("source", "target") if direction == "out" else ("target", "source")
    links = (
        Link.objects.filter(**{own: OuterRef("pk"), f"{other}__deleted_at__isnull": True})
        .order_by()
        .values(own)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(links, output_field=IntegerField()), Value(0))


def cards_queryset(mapping: Mapping):
    return (
        mapping.initiatives.active()
        .order_by("position", "id")
        .prefetch_related("purposes")
        .annotate(outgoing_count=link_count("out"), incoming_count=link_count("in"))
        .with_employee_rating(mapping.organisation.min_group_size)
    )


def grid(mapping: Mapping, cards=None) -> list[dict]:
    """Rows of the grid: each level with its struktur and kultur cell and their cards."""
    if cards is None:
        cards = cards_queryset(mapping)
    by_cell: dict[tuple[str, str], list] = {}
    for card in cards:
        by_cell.setdefault((card.level, card.dimension), []).append(card)
    return [
        {
            "level": level,
            "cells": [
                {
                    "id": f"cell-{level.value}-{dimension.value}",
                    "level": level,
                    "dimension": dimension,
                    "cards": by_cell.get((level.value, dimension.value), []),
                }
                for dimension in Dimension
            ],
        }
        for level in Level
    ]


def board_context(request: HttpRequest, access: Access, **extra) -> dict:
    mapping = access.mapping
    # Read when the template lists them (or a purpose is selected): a cached panel does not need them.
    purposes = SimpleLazyObject(
        lambda: list(
            mapping.purposes.annotate(
                initiative_count=Count("initiatives", filter=Q(initiatives__deleted_at__isnull=True))
            )
        )
    )
    selected = request.GET.get("purpose", "")
    selected_purpose = next((p for p in purposes if str(p.pk) == selected), None) if selected else None
    show_only = selected_purpose is not None and request.GET.get("only") == "1"

    def cards():  # only when the cells are not cached
        if show_only:
            return cards_queryset(mapping).filter(purposes=selected_purpose)
        return cards_queryset(mapping)

    context = {
        "organisation": access.organisation,
        "mapping": mapping,
        "access": access,
        "can_edit": access.can_edit,
        "rows": None,
        "dimensions": [{"value": d, "hint": DIMENSION_HINTS[d]} for d in Dimension],
        "purposes": purposes,
        "selected_purpose": selected_purpose,
        "show_only": show_only,
        "deleted": SimpleLazyObject(lambda: list(mapping.initiatives.deleted().order_by("-deleted_at")[:10])),
        "version": mapping.version,
        "poll_token": poll_token(request.user.pk, mapping.pk),
        "editing": None,
    }
    context.update(extra)
    context["rows"] = board_rows(context, cards)
    return context


CELLS_CACHE_SECONDS = 300


def html_key(context: dict, name: str) -> str:
    """A cache key naming HTML of the board exactly: see board_rows.

    The group size is in it because it decides whether employees' averages show."""
    mapping, selected = context["mapping"], context["selected_purpose"]
    parts = (
        name,
        context["organisation"].slug,
        context["organisation"].min_group_size,
        mapping.pk,
        mapping.version,
        int(bool(context["can_edit"])),
        selected.pk if selected else "",
        int(context["show_only"]),
        int(bool(context.get("oob"))),
        get_language(),
    )
    return ":".join(str(part) for part in parts)


@functools.cache
def csrf_placeholder() -> str:
    """Stands for the CSRF token in cached HTML: secret, so no text typed on the board can contain it."""
    return "csrf-" + salted_hmac("mapping.board.csrf-placeholder", "", algorithm="sha256").hexdigest()[:32]


def cached_html(key: str, render_html, csrf_token: str) -> str:
    """HTML kept per mapping version, with this response's CSRF token put into its forms.

    ``render_html()`` renders with ``csrf_placeholder()`` as the token, so the
    cached HTML holds no one's token; each response gets a freshly masked one,
    as ``{% csrf_token %}`` gives.
    """
    html = cache.get(key)
    if html is None:
        html = render_html()
        cache.set(key, html, CELLS_CACHE_SECONDS)
    return mark_safe(html.replace(csrf_placeholder(), csrf_token))  # noqa: S308 - our own rendered HTML


def page_panels(request: HttpRequest, context: dict) -> dict:
    """The board page's links, grid (with its add forms) and side panels, rendered once per version."""
    blank = {**context, "csrf_token": csrf_placeholder()}
    token = get_token(request)  # one for the whole page, as the template would use
    return {
        "csrf_token": token,
        "nav_html": cached_html(
            html_key(context, "board-nav"),
            lambda: render_to_string("mapping/_mapping_nav.html", {**blank, "current": "board"}),
            token,
        ),
        "grid_html": cached_html(
            html_key(context, "board-grid"), lambda: render_to_string(BOARD + "#grid", blank), token
        ),
        "side_html": cached_html(
            html_key(context, "board-side"), lambda: render_to_string(BOARD + "#side", blank), token
        ),
    }


def board_rows(context: dict, cards) -> list[dict]:
    """The grid, each cell's card list rendered once per mapping version.

    A board is read far more often than it changes (everyone in a workshop
    loads it; after each change every open board polls for it again), and
    ``Mapping.version`` moves with every change inside the mapping, so the
    version plus what this viewer sees names the HTML exactly. Cards are read
    after the version, so cached HTML is never older than its key; the poll
    heals the rare newer one. An open editor, or a card to focus, is rendered fresh.
    """
    mapping = context["mapping"]
    if any(context.get(key) for key in ("editing", "focus", "focus_id")):
        return grid(mapping, cards())
    key = html_key(context, "board-cells")
    html = cache.get(key)
    if html is None:
        html = [
            render_to_string(BOARD + "#cell-cards", {**context, "cell": cell})
            for row in grid(mapping, cards())
            for cell in row["cells"]
        ]
        cache.set(key, html, CELLS_CACHE_SECONDS)
    rows = grid(mapping, [])
    for cell, cell_html in zip((cell for row in rows for cell in row["cells"]), html, strict=True):
        cell["html"] = cell_html
    return rows


def cell_context(access: Access, level: str, dimension: str, **extra) -> dict:
    cards = cards_queryset(access.mapping).in_cell(level, dimension)
    return {
        "organisation": access.organisation,
        "mapping": access.mapping,
        "can_edit": access.can_edit,
        "cell": {
            "id": f"cell-{level}-{dimension}",
            "level": Level(level),
            "dimension": Dimension(dimension),
            "cards": list(cards),
        },
        "oob": True,
        **extra,
    }


def card_for(access: Access, initiative_id: int) -> Initiative:
    return get_object_or_404(cards_queryset(access.mapping), pk=initiative_id)


def card_context(access: Access, card: Initiative, **extra) -> dict:
    """What a closed card needs: no forms, no link lists (a save answers with this)."""
    return {
        "organisation": access.organisation,
        "mapping": access.mapping,
        "can_edit": access.can_edit,
        "card": card,
        **extra,
    }


def editor_context(access: Access, initiative: Initiative, **extra) -> dict:
    mapping = access.mapping
    links = Link.objects.select_related("source", "target").filter(
        Q(source=initiative) | Q(target=initiative),
        source__deleted_at__isnull=True,
        target__deleted_at__isnull=True,
    )
    context = {
        "organisation": access.organisation,
        "mapping": mapping,
        "can_edit": access.can_edit,
        "card": initiative,
        "form": InitiativeForm(instance=initiative, mapping=mapping),
        "link_form": LinkForm(source=initiative),
        "move_form": MoveForm(initial={"cell": f"{initiative.level}:{initiative.dimension}"}),
        "outgoing": [link for link in links if link.source_id == initiative.pk],
        "incoming": [link for link in links if link.target_id == initiative.pk],
    }
    context.update(extra)
    return context


def changed(response: HttpResponse, mapping: Mapping) -> HttpResponse:
    """Tell the page that the board changed, so other regions can refresh."""
    return trigger_client_event(response, "board-changed", {"version": mapping.version})


def back_to_board(access: Access, initiative: Initiative | None = None) -> HttpResponse:
    url = access.mapping.get_absolute_url()
    if initiative is not None:
        url += f"#initiative-{initiative.pk}"
    return redirect(url)


@login_required
@require_GET
def board(request: HttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id)
    context = board_context(request, access)
    context.update(page_panels(request, context))
    return render(request, BOARD, context)


@require_GET
def board_poll(request: HttpRequest, org: str, mapping_id: int) -> HttpResponse:
    """Answer "nothing changed" from one query; otherwise send the changed regions.

    See live.py for why this view reads a signed token instead of the session.
    """
    if live.unchanged(request, org, mapping_id):
        return reswap(HttpResponse(status=204), "none")
    access = gate(request, org, mapping_id)
    # A stale token (a board left open for days) lands here: answer from the gate, and
    # send a fresh token with the regions so the next polls are cheap again.
    if str(access.mapping.version) == request.GET.get("v"):
        return render(request, BOARD + "#poll-token", {"poll_token": poll_token(request.user.pk, mapping_id)})
    return render(request, BOARD + "#live", board_context(request, access, oob=True))


@login_required
@require_POST
def initiative_create(request: HttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    form = InitiativeCreateForm(request.POST)
    if not form.is_valid():
        level, dimension = request.POST.get("level", ""), request.POST.get("dimension", "")
        if request.htmx and (level, dimension) in {(lv.value, d.value) for lv in Level for d in Dimension}:
            response = render(
                request,
                BOARD + "#add-form",
                {
                    "mapping": mapping,
                    "organisation": access.organisation,
                    "add_form": form,
                    "can_edit": True,
                    "cell": {
                        "id": f"cell-{level}-{dimension}",
                        "level": Level(level),
                        "dimension": Dimension(dimension),
                    },
                },
            )
            return retarget(reswap(response, "outerHTML"), f"#add-{level}-{dimension}")
        if request.htmx:
            response = render(request, "mapping/error.html#message", {"errors": form.errors})
            return retarget(reswap(response, "innerHTML"), "#board-errors")
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return back_to_board(access)
    with transaction.atomic():
        mapping.bump()
        initiative = form.save(commit=False)
        initiative.mapping = mapping
        initiative.position = mapping.initiatives.next_position(initiative.level, initiative.dimension)
        initiative.save()
    if not request.htmx:
        return back_to_board(access, initiative)
    context = cell_context(access, initiative.level, initiative.dimension)
    context["focus"] = "add"
    return changed(render(request, BOARD + "#cell-update", context), mapping)


@login_required
@require_GET
def initiative_detail(request: HttpRequest, org: str, mapping_id: int, initiative_id: int) -> HttpResponse:
    """The card's own page: the editor without JavaScript, or as a fragment in place."""
    access = gate(request, org, mapping_id)
    initiative = card_for(access, initiative_id)
    context = editor_context(access, initiative)
    if request.htmx and request.GET.get("fragment") == "card":
        return render(request, BOARD + "#card", {**context, "oob": False})
    if request.htmx:
        return render(request, BOARD + "#editor", context)
    return render(request, "mapping/initiative.html", context)


@login_required
@require_POST
def initiative_update(request: HttpRequest, org: str, mapping_id: int, initiative_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    initiative = cards_queryset(mapping).filter(pk=initiative_id).first()
    if initiative is None:
        # Deleted by someone else while this editor was open: keep the typed text on screen.
        deleted = get_object_or_404(mapping.initiatives.deleted(), pk=initiative_id)
        form = InitiativeForm(request.POST, instance=deleted, mapping=mapping)
        form.is_valid()
        return render_editor(request, access, deleted, form=form, deleted_meanwhile=True, status=409)
    form = InitiativeForm(request.POST, instance=initiative, mapping=mapping)
    if not form.is_valid():
        return render_editor(request, access, initiative, form=form)
    data = form.cleaned_data
    fields = [f for f in InitiativeForm.Meta.fields if f != "purposes"]
    with transaction.atomic():
        # The mapping lock first, as in every write (one lock order, no deadlocks); then the
        # conditional UPDATE, the lost-update guard: it only hits the row if nobody saved
        # the card since this editor was opened.
        mapping.bump()
        updated = (
            mapping.initiatives.active()
            .filter(pk=initiative.pk, version=data["version"])
            .update(version=data["version"] + 1, updated=timezone.now(), **{f: data[f] for f in fields})
        )
        if updated:
            initiative.set_purposes(data["purposes"])
        else:
            transaction.set_rollback(True)
    if not updated:
        current = card_for(access, initiative_id)
        conflict_form = InitiativeForm(request.POST, instance=current, mapping=mapping)
        conflict_form.data = conflict_form.data.copy()
        conflict_form.data["version"] = current.version
        mine = {**data, "effect": Initiative.Effect(data["effect"]).label}
        return render_editor(request, access, current, form=conflict_form, conflict=True, mine=mine, status=409)
    if not request.htmx:
        messages.success(request, _("Gemt."))
        return back_to_board(access, initiative)
    # The form has put the saved values on the card read above; its link counts are as
    # read then, and the next poll (the board's version moved) brings any newer ones.
    initiative.version = data["version"] + 1
    return changed(render(request, BOARD + "#card", card_context(access, initiative, focus="card")), mapping)


def render_editor(request, access, initiative, status=200, **extra) -> HttpResponse:
    context = editor_context(access, initiative, **extra)
    # htmx does not swap 4xx answers: a conflict is shown with 200 and marked by a header.
    template = BOARD + "#editor" if request.htmx else "mapping/initiative.html"
    response = render(request, template, context, status=200 if request.htmx else status)
    if status == 409:
        response["X-Iglo-Conflict"] = "1"
    return response


@login_required
@require_POST
def initiative_move(request: HttpRequest, org: str, mapping_id: int, initiative_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    initiative = card_for(access, initiative_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            response = render(request, "mapping/error.html#message", {"errors": form.errors})
            return retarget(reswap(response, "innerHTML"), "#board-errors")
        messages.error(request, _("Ugyldig placering."))
        return back_to_board(access, initiative)
    with transaction.atomic():
        mapping.bump()
        # Read the card again under the lock: someone may have moved or deleted it meanwhile.
        initiative = get_object_or_404(mapping.initiatives.active(), pk=initiative.pk)
        source = (initiative.level, initiative.dimension)
        siblings = list(
            mapping.initiatives.active().in_cell(*source).order_by("position", "id").values_list("pk", flat=True)
        )
        level, dimension, index = form.target(initiative, siblings.index(initiative.pk))
        initiative.move(level, dimension, index)
    if not request.htmx:
        return back_to_board(access, initiative)
    keep_editor = request.POST.get("from") == "editor"
    extra = {"editing": card_for(access, initiative.pk) if keep_editor else None}
    if keep_editor:
        extra.update(editor_context(access, extra["editing"], focus="move"))
    html = render(request, BOARD + "#cell-update", cell_context(access, level, dimension, **extra)).content
    if source != (level, dimension):
        html += render(request, BOARD + "#cell-update", cell_context(access, *source)).content
    return changed(reswap(HttpResponse(html), "none"), mapping)


@login_required
@require_POST
def initiative_delete(request: HttpRequest, org: str, mapping_id: int, initiative_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    initiative = card_for(access, initiative_id)
    with transaction.atomic():
        mapping.bump()
        mapping.initiatives.filter(pk=initiative.pk).update(deleted_at=timezone.now())
    if not request.htmx:
        messages.success(
            request, _("“%(title)s” er slettet. Du kan fortryde under “Slettet”.") % {"title": initiative.title}
        )
        return back_to_board(access)
    context = board_context(request, access, card=initiative, oob=True)
    return changed(render(request, BOARD + "#deleted-card", context), mapping)


@login_required
@require_POST
def initiative_restore(request: HttpRequest, org: str, mapping_id: int, initiative_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    initiative = get_object_or_404(mapping.initiatives.deleted(), pk=initiative_id)
    with transaction.atomic():
        mapping.bump()
        position = mapping.initiatives.next_position(initiative.level, initiative.dimension)
        mapping.initiatives.filter(pk=initiative.pk).update(deleted_at=None, position=position)
    if not request.htmx:
        messages.success(request, _("“%(title)s” er tilbage på tavlen.") % {"title": initiative.title})
        return back_to_board(access, initiative)
    context = cell_context(access, initiative.level, initiative.dimension, focus_id=initiative.pk)
    html = render(request, BOARD + "#cell-update", context).content
    html += render(request, BOARD + "#trash", board_context(request, access, oob=True)).content
    return changed(reswap(HttpResponse(html), "none"), mapping)


@login_required
@require_POST
def link_create(request: HttpRequest, org: str, mapping_id: int, initiative_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    initiative = card_for(access, initiative_id)
    form = LinkForm(request.POST, source=initiative)
    if form.is_valid():
        try:
            with transaction.atomic():
                mapping.bump()
                link = form.save(commit=False)
                link.mapping, link.source = mapping, initiative
                link.full_clean()
                link.save()
        except (IntegrityError, ValidationError):
            mapping.refresh_from_db(fields=["version"])  # the bump was rolled back
            form.add_error("target", _("Der er allerede en forbindelse til den indsats."))
    if not request.htmx:
        if form.errors:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(initiative.get_absolute_url())
    if form.errors:
        return render_links_update(request, access, initiative_id, link_form=form)
    return changed(render_links_update(request, access, initiative_id), mapping)


def render_links_update(request, access, initiative_id, **extra) -> HttpResponse:
    """Every cell again (link counts change on both ends), this card's editor kept open."""
    card = card_for(access, initiative_id)
    context = board_context(request, access, oob=True, editing=card)
    context.update(editor_context(access, card, focus="links", **extra))
    return reswap(render(request, BOARD + "#live-cells", context), "none")


@login_required
@require_POST
def link_delete(request: HttpRequest, org: str, mapping_id: int, link_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    link = get_object_or_404(mapping.links, pk=link_id)
    back = request.POST.get("initiative", "")
    back = int(back) if back.isdecimal() else link.source_id
    if back not in (link.source_id, link.target_id):
        back = link.source_id
    with transaction.atomic():
        mapping.bump()
        link.delete()
    if not request.htmx:
        return redirect(reverse("mapping:initiative-detail", args=[org, mapping.pk, back]))
    return changed(render_links_update(request, access, back), mapping)


@login_required
@require_POST
def purpose_create(request: HttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    form = PurposeForm(request.POST, mapping=mapping)
    if form.is_valid():
        try:
            with transaction.atomic():
                mapping.bump()
                purpose = form.save(commit=False)
                purpose.mapping = mapping
                purpose.save()
        except IntegrityError:  # the same title, saved by someone else since the form checked
            form.add_error("title", _("Det formål findes allerede."))
        else:
            form = PurposeForm(mapping=mapping)
    return purposes_response(request, access, purpose_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def purpose_update(request: HttpRequest, org: str, mapping_id: int, purpose_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    purpose = get_object_or_404(mapping.purposes, pk=purpose_id)
    if request.method == "GET":
        form = PurposeForm(instance=purpose, mapping=mapping)
        return purposes_response(request, access, renaming=purpose, rename_form=form)
    form = PurposeForm(request.POST, instance=purpose, mapping=mapping)
    if not form.is_valid():
        return purposes_response(request, access, renaming=purpose, rename_form=form)
    was = request.POST.get("was")  # the title the rename form showed
    try:
        with transaction.atomic():
            mapping.bump()
            current = mapping.purposes.filter(pk=purpose.pk).values_list("title", flat=True).first()
            if was is not None and current != was:
                transaction.set_rollback(True)
                form.add_error(
                    "title",
                    _("En anden har omdøbt formålet til “%(title)s”, mens du skrev. Gem igen for at bruge dit navn.")
                    % {"title": current},
                )
            else:
                form.save()
    except IntegrityError:  # the same title, saved by someone else since the form checked
        form.add_error("title", _("Det formål findes allerede."))
    if form.errors:
        return purposes_response(request, access, renaming=purpose, rename_form=form)
    return purposes_response(request, access)


@login_required
@require_POST
def purpose_delete(request: HttpRequest, org: str, mapping_id: int, purpose_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    purpose = get_object_or_404(mapping.purposes, pk=purpose_id)
    with transaction.atomic():
        mapping.bump()
        purpose.delete()
    return purposes_response(request, access)


def purposes_response(request: HttpRequest, access: Access, **extra) -> HttpResponse:
    """Purposes changed: the purpose panel, and (HTMX) the cards whose chips changed."""
    form = extra.get("purpose_form")
    if not request.htmx:
        if form is not None and form.errors:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        if extra.get("renaming") is not None:
            return render(request, BOARD, board_context(request, access, **extra))
        return back_to_board(access)
    access.mapping.refresh_from_db(fields=["version"])
    context = board_context(request, access, **extra)
    html = render(request, BOARD + "#purposes", context).content
    refused = any(f is not None and f.errors for f in (form, extra.get("rename_form")))
    if request.method != "POST" or refused:
        return HttpResponse(html)
    html += render(request, BOARD + "#live-cells", {**context, "oob": True}).content
    return changed(HttpResponse(html), access.mapping)
