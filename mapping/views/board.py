"""The board: the 4 x 2 grid, edited live by several people.

Full pages and HTMX fragments come from the same template
(``mapping/board.html``) and the same context builder (``board_context``).
Every write goes through the models (``Mapping.change()`` and friends).
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from .. import live
from ..access import HtmxHttpRequest, MappingAccess, Need, gate
from ..board import CARD_FIELDS, cell, grid, link_counts
from ..cache import Regions, board_inputs, html_by_row, row_keys
from ..forms import InitiativeCreateForm, InitiativeForm, LinkForm, MoveForm, PurposeForm, error_text
from ..levels import CELLS
from ..models import Conflict, Initiative, InitiativeQuerySet, Purpose
from ..storable import parse_id

BOARD = "mapping/board.html"
# Context a single request brings (a field to focus, a form with errors): never cached.
PER_REQUEST = ("focus", "focus_id", "renaming", "rename_form", "purpose_form", "conflict")
# How much the board shows: titles only (the whole grid on a laptop), titles with details, or big type for a room.
DENSITIES = (("overview", _lazy("Overblik")), ("details", _lazy("Detaljer")), ("projector", _lazy("Projektor")))
DENSITY_SESSION_KEY = "board_density"


def density(request: HtmxHttpRequest) -> str:
    """The density asked for in the URL (and remembered for this person), else the remembered one."""
    values = [value for value, _label in DENSITIES]
    asked = request.GET.get("density", "")
    if asked in values:
        request.session[DENSITY_SESSION_KEY] = asked
        return asked
    remembered = request.session.get(DENSITY_SESSION_KEY, "")
    return remembered if remembered in values else values[0]


def cards(access: MappingAccess) -> InitiativeQuerySet:
    return access.mapping.initiatives.for_board(access.organisation.group_minimum)


# What the list of links shows of each link: its own fields and its ends' titles and cells (and its
# ends, which the cards count: ``board.link_counts``).
LINK_ROW = (
    "pk",
    "source_id",
    "target_id",
    "kind",
    "note",
    *(f"{end}__{field}" for end in ("source", "target") for field in ("title", "level", "dimension")),
)


def link_items(context: dict, links, rows: list[tuple]) -> list:
    """The board's list of links, one cached <li> per link: a change renders only the links it touches."""

    def render(ids: list[int]) -> dict[int, str]:
        chosen = links.filter(pk__in=ids).select_related("source", "target")
        return {link.pk: render_to_string(BOARD + "#board-link", {"link": link}) for link in chosen}

    return html_by_row(row_keys(BOARD, "board-link", board_inputs(context, version=False), rows), render)


def board_context(request: HtmxHttpRequest, access: MappingAccess, **extra) -> dict:
    mapping = access.mapping
    # Read only when a region is rendered, not when it comes from the cache.
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

    def board_cards() -> InitiativeQuerySet:
        shown = cards(access).only(*CARD_FIELDS)
        return shown.filter(purposes=selected_purpose) if show_only else shown

    # Read once, if at all: a cached page reads no link.
    link_rows = functools.cache(lambda: list(mapping.links.live().values_list(*LINK_ROW)))
    counts = functools.cache(lambda: link_counts((row[1], row[2]) for row in link_rows()))
    # The grid rendered afresh (a per-request state): each card counts its links in the cards' query.
    rows = SimpleLazyObject(lambda: grid(board_cards().with_link_count()))

    context = {
        "organisation": access.organisation,
        "mapping": mapping,
        "access": access,
        "can_edit": access.can_edit,
        "rows": rows,
        # Read only where the first-run region is rendered (not when it comes from the cache).
        "is_first_run": SimpleLazyObject(lambda: not show_only and not mapping.initiatives.active().exists()),
        "purposes": purposes,
        "selected_purpose": selected_purpose,
        "show_only": show_only,
        "board_links": SimpleLazyObject(lambda: link_items(context, mapping.links.live(), link_rows())),
        "deleted": SimpleLazyObject(lambda: list(mapping.initiatives.deleted().order_by("-deleted_at")[:10])),
        "live_state": live.page_state(mapping),
        "poll_token": live.poll_token(access.membership.user_id, mapping.pk),
        "poll_url": reverse("mapping:board-poll", args=[access.organisation.slug, mapping.pk]),
        "poll_params": [("purpose", selected_purpose.pk)] + ([("only", 1)] if show_only else [])
        if selected_purpose
        else [],
        **extra,
    }
    cacheable = not any(context.get(key) for key in PER_REQUEST)
    context["regions"] = Regions(
        request,
        BOARD,
        context,
        board_inputs(context) if cacheable else None,
        cells={"grid": "cell-body", "live_cells": "cell-cards"},
        cell_inputs=board_inputs(context, version=False),
        cards=board_cards,
        computed=lambda: {"link_count": counts()},
        content={
            "side": lambda: [*purposes, *context["deleted"]],
            # What the list shows of each link: its ends' titles and cells too.
            "board_links": link_rows,
        },
    )
    return context


def cell_context(access: MappingAccess, level: str, dimension: str, **extra) -> dict:
    return {
        "organisation": access.organisation,
        "mapping": access.mapping,
        "can_edit": access.can_edit,
        "cell": cell(level, dimension, cards(access).in_cell(level, dimension).with_link_count()),
        "oob": True,
        **extra,
    }


def card_for(access: MappingAccess, initiative_id: int) -> Initiative:
    return get_object_or_404(cards(access), pk=initiative_id)


def editor_context(access: MappingAccess, initiative: Initiative, **extra) -> dict:
    mapping = access.mapping
    links = mapping.links.live().select_related("source", "target").filter(Q(source=initiative) | Q(target=initiative))
    return {
        "organisation": access.organisation,
        "mapping": mapping,
        "can_edit": access.can_edit,
        "card": initiative,
        "form": InitiativeForm(instance=initiative, mapping=mapping),
        "link_form": LinkForm(source=initiative),
        "move_form": MoveForm(initial={"cell": f"{initiative.level}:{initiative.dimension}"}),
        "outgoing": [link for link in links if link.source_id == initiative.pk],
        "incoming": [link for link in links if link.target_id == initiative.pk],
        **extra,
    }


def back_to_board(access: MappingAccess, initiative: Initiative | None = None) -> HttpResponse:
    url = access.mapping.get_absolute_url()
    if initiative is not None:
        url += f"#initiative-{initiative.pk}"
    return redirect(url)


def form_errors(request: HtmxHttpRequest, form) -> HttpResponse:
    """A refused form in the board's error region."""
    response = render(request, "mapping/error.html#message", {"errors": form.errors})
    return retarget(reswap(response, "innerHTML"), "#board-errors")


@login_required
@require_GET
def board(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id)
    context = board_context(request, access, density=density(request), densities=DENSITIES)
    # What the page's shell shows besides its regions: who is signed in, the names in its crumbs.
    viewer = (request.user.pk, request.user.get_username(), access.organisation.name, access.mapping.title)
    return context["regions"].response(viewer, {"poll_token": context["poll_token"]})


@require_GET
def board_poll(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    return live.poll(request, org, mapping_id, template=BOARD, context=poll_context)


def poll_context(request: HtmxHttpRequest, access: MappingAccess) -> dict:
    return board_context(request, access, oob=True)


@login_required
@require_POST
def initiative_create(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    form = InitiativeCreateForm(request.POST)
    if not form.is_valid():
        level, dimension = request.POST.get("level", ""), request.POST.get("dimension", "")
        if request.htmx and (level, dimension) in CELLS:
            context = {**cell_context(access, level, dimension), "add_form": form, "can_edit": True}
            response = render(request, BOARD + "#add-form", context)
            return retarget(reswap(response, "outerHTML"), f"#add-{level}-{dimension}")
        if request.htmx:
            return form_errors(request, form)
        messages.error(request, error_text(form))
        return back_to_board(access)
    with mapping.change():
        initiative = form.save(commit=False)
        initiative.mapping = mapping
        initiative.position = mapping.initiatives.next_position(initiative.level, initiative.dimension)
        initiative.save()
    if not request.htmx:
        return back_to_board(access, initiative)
    return render(
        request, BOARD + "#cell-update", cell_context(access, initiative.level, initiative.dimension, focus="add")
    )


@login_required
@require_GET
def initiative_detail(request: HtmxHttpRequest, org: str, mapping_id: int, initiative_id: int) -> HttpResponse:
    """The card's own page: the editor without JavaScript, or as a fragment in place."""
    access = gate(request, org, mapping_id)
    context = editor_context(access, card_for(access, initiative_id))
    if request.htmx:
        return render(request, BOARD + "#editor", context)
    return render(request, "mapping/initiative.html", context)


@login_required
@require_POST
def initiative_update(request: HtmxHttpRequest, org: str, mapping_id: int, initiative_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    # Deleted by someone else while the editor was open: saving is a conflict that keeps the typed text.
    initiative = cards(access).with_link_count().filter(pk=initiative_id).first() or get_object_or_404(
        mapping.initiatives.deleted(), pk=initiative_id
    )
    form = InitiativeForm(request.POST, instance=initiative, mapping=mapping)
    if not form.is_valid():
        return render_editor(request, access, initiative, form=form, status=400)
    data = {name: form.cleaned_data[name] for name in InitiativeForm.Meta.fields}
    saved = initiative.save_edit(data, version=form.cleaned_data["version"])
    if isinstance(saved, Conflict):
        # The form comes back with the user's values and the version now saved:
        # saving it again replaces the other person's; closing keeps theirs.
        posted = request.POST.copy()
        posted["version"] = str(saved.theirs.version)
        again = InitiativeForm(posted, instance=saved.theirs, mapping=mapping)
        again.is_valid()
        return render_editor(request, access, saved.theirs, form=again, conflict=saved, status=409)
    if not request.htmx:
        messages.success(request, _("Gemt."))
        return back_to_board(access, initiative)
    # The card as read above with the saved values; its link count is as read then, and the next
    # poll (the version moved) brings any newer one.
    context = {"organisation": access.organisation, "mapping": mapping, "can_edit": True, "card": saved}
    return render(request, BOARD + "#saved", context)


def render_editor(
    request: HtmxHttpRequest, access: MappingAccess, initiative: Initiative, status: int = 200, **extra
) -> HttpResponse:
    context = editor_context(access, initiative, **extra)
    if request.htmx:
        # htmx swaps 2xx and 409 answers (base.html's responseHandling): form errors come with 200.
        return render(request, BOARD + "#editor", context, status=200 if status == 400 else status)
    return render(request, "mapping/initiative.html", context, status=status)


@login_required
@require_POST
def initiative_move(request: HtmxHttpRequest, org: str, mapping_id: int, initiative_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    initiative = card_for(access, initiative_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return form_errors(request, form)
        messages.error(request, _("Ugyldig placering."))
        return back_to_board(access, initiative)
    with mapping.change():
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
    html = render(request, BOARD + "#cell-update", cell_context(access, level, dimension)).content
    if source != (level, dimension):
        html += render(request, BOARD + "#cell-update", cell_context(access, *source)).content
    if request.POST.get("from") == "editor":
        # The editor stays open on the moved card, its focus back on the move button.
        context = editor_context(access, card_for(access, initiative.pk), focus="move")
        html += render(request, BOARD + "#editor-oob", context).content
    return reswap(HttpResponse(html), "none")


@login_required
@require_POST
def initiative_delete(request: HtmxHttpRequest, org: str, mapping_id: int, initiative_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    initiative = card_for(access, initiative_id)
    with mapping.change():
        mapping.initiatives.filter(pk=initiative.pk).update(deleted_at=timezone.now())
    if not request.htmx:
        messages.success(
            request, _("“%(title)s” er slettet. Du kan fortryde under “Slettet”.") % {"title": initiative.title}
        )
        return back_to_board(access)
    return render(request, BOARD + "#deleted-card", board_context(request, access, card=initiative, oob=True))


@login_required
@require_POST
def initiative_restore(request: HtmxHttpRequest, org: str, mapping_id: int, initiative_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    initiative = get_object_or_404(mapping.initiatives.deleted(), pk=initiative_id)
    with mapping.change():
        position = mapping.initiatives.next_position(initiative.level, initiative.dimension)
        mapping.initiatives.filter(pk=initiative.pk).update(deleted_at=None, position=position)
    if not request.htmx:
        messages.success(request, _("“%(title)s” er tilbage på tavlen.") % {"title": initiative.title})
        return back_to_board(access, initiative)
    context = cell_context(access, initiative.level, initiative.dimension, focus_id=initiative.pk)
    html = render(request, BOARD + "#cell-update", context).content
    html += render(request, BOARD + "#trash", board_context(request, access, oob=True)).content
    if request.POST.get("from") == "panel":  # the undo offered in the editor panel: close it
        html += b'<div id="editor-panel" hx-swap-oob="innerHTML"></div>'
    return reswap(HttpResponse(html), "none")


@login_required
@require_POST
def link_create(request: HtmxHttpRequest, org: str, mapping_id: int, initiative_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    initiative = card_for(access, initiative_id)
    form = LinkForm(request.POST, source=initiative)
    if form.is_valid():
        try:
            with mapping.change():
                link = form.save(commit=False)
                link.mapping, link.source = mapping, initiative
                link.full_clean()
                link.save()
        except (IntegrityError, ValidationError):
            form.add_error("target", _("Der er allerede en forbindelse til den indsats."))
    if not request.htmx:
        if form.errors:
            messages.error(request, error_text(form))
        return redirect(initiative.get_absolute_url())
    if form.errors:
        return render_links_update(request, access, initiative_id, link_form=form)
    return render_links_update(request, access, initiative_id)


def render_links_update(request: HtmxHttpRequest, access: MappingAccess, initiative_id: int, **extra) -> HttpResponse:
    """Every cell again (link counts change on both ends), this card's editor kept open."""
    access.mapping.refresh_from_db(fields=["version"])
    card = card_for(access, initiative_id)
    context = board_context(request, access, oob=True)
    html = (
        render(request, BOARD + "#live-cells", context).content
        + render(request, BOARD + "#board-links", context).content
    )
    html += render(request, BOARD + "#editor-oob", editor_context(access, card, focus="links", **extra)).content
    return reswap(HttpResponse(html), "none")


@login_required
@require_POST
def link_delete(request: HtmxHttpRequest, org: str, mapping_id: int, link_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    link = get_object_or_404(mapping.links, pk=link_id)
    # The card whose editor the link was removed from; any other value means the source.
    posted = parse_id(request.POST.get("initiative", ""))
    back = posted if posted in (link.source_id, link.target_id) else link.source_id
    with mapping.change():
        link.delete()
    if not request.htmx:
        return redirect(reverse("mapping:initiative-detail", args=[org, mapping.pk, back]))
    return render_links_update(request, access, back)


@login_required
@require_POST
def purpose_create(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    form = PurposeForm(request.POST, mapping=mapping)
    if form.is_valid():
        try:
            with mapping.change():
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
def purpose_update(request: HtmxHttpRequest, org: str, mapping_id: int, purpose_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    purpose = get_object_or_404(mapping.purposes, pk=purpose_id)
    if request.method == "GET":
        form = PurposeForm(instance=purpose, mapping=mapping)
        return purposes_response(request, access, renaming=purpose, rename_form=form)
    form = PurposeForm(request.POST, instance=purpose, mapping=mapping)
    if not form.is_valid():
        return purposes_response(request, access, renaming=purpose, rename_form=form)
    try:
        renamed = purpose.rename(form.cleaned_data["title"], was=request.POST.get("was"))
    except Purpose.DoesNotExist:  # deleted by someone else meanwhile
        raise Http404 from None
    except IntegrityError:  # the same title, saved by someone else since the form checked
        form.add_error("title", _("Det formål findes allerede."))
        return purposes_response(request, access, renaming=purpose, rename_form=form)
    if isinstance(renamed, Conflict):
        return purposes_response(request, access, renaming=renamed.theirs, rename_form=form, conflict=renamed)
    return purposes_response(request, access)


@login_required
@require_POST
def purpose_delete(request: HtmxHttpRequest, org: str, mapping_id: int, purpose_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id, Need.EDIT)
    mapping = access.mapping
    purpose = get_object_or_404(mapping.purposes, pk=purpose_id)
    with mapping.change():
        purpose.delete()
    return purposes_response(request, access)


def purposes_response(request: HtmxHttpRequest, access: MappingAccess, **extra) -> HttpResponse:
    """Purposes changed: the purpose panel, and (HTMX) the cards whose chips changed."""
    refused = [f for f in (extra.get("purpose_form"), extra.get("rename_form")) if f is not None and f.errors]
    status = 409 if extra.get("conflict") else 400 if refused and request.method == "POST" else 200
    if not request.htmx:
        if extra.get("purpose_form") in refused:
            messages.error(request, error_text(extra["purpose_form"]))
        if extra.get("renaming") is not None:
            return render(request, BOARD, board_context(request, access, **extra), status=status)
        return back_to_board(access)
    # The panel's forms swap nothing themselves (hx-swap="none"): every region comes out of band.
    access.mapping.refresh_from_db(fields=["version"])
    context = board_context(request, access, oob=True, **extra)
    if request.method == "POST" and status == 200:
        # A change made here: everything live, with the version it brings, so the next poll of
        # this page has nothing to redo (and wipes no form the user has opened since).
        return render(request, BOARD + "#live", context)
    html = render(request, BOARD + "#purposes", context).content
    return HttpResponse(html, status=status if status == 409 else 200)
