"""The gates: every view starts here.

Members (``gate``): the organisation (and mapping) come from the URL and the
signed-in user's membership. Outsiders get 404, so nothing reveals that an
organisation or mapping exists; members whose role is too low get 403.

Participants (``participant_gate``, ``participant_view``): no account; the
join code in the URL is the key to one open workshop, and the participant is
a signed cookie (``participation.py``). A code that opens nothing gets the
"gone" page, status 404 (429 while codes are being guessed).
"""

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import overload

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django_htmx.http import HttpResponseClientRefresh
from django_htmx.middleware import HtmxDetails

from . import participation
from .models import Mapping, Membership, Organisation, Role, RoundReadOnly, Workshop, normalise_code
from .rows import MAX_ID, columns, from_row, quote, select_list


class Need(Enum):
    READ = "read"  # any member
    EDIT = "edit"  # facilitator or AMO: change the board
    MANAGE = "manage"  # facilitator: members, mappings

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles that meet this need."""
        return {Need.READ: tuple(Role.values), Need.EDIT: Membership.EDITORS, Need.MANAGE: Membership.MANAGERS}[self]


class HtmxHttpRequest(HttpRequest):
    """The request views receive: django-htmx's middleware says whether htmx sent it (``request.htmx``)."""

    htmx: HtmxDetails


class SignedInRequest(HtmxHttpRequest):
    """A request behind ``@login_required``: its user is signed in."""

    user: User


@dataclass(frozen=True)
class Access:
    """What ``gate`` found: the organisation and the user's membership in it."""

    organisation: Organisation
    membership: Membership

    @property
    def can_edit(self) -> bool:
        return self.membership.can_edit

    @property
    def can_manage(self) -> bool:
        return self.membership.can_manage


@dataclass(frozen=True)
class MappingAccess(Access):
    """A gate on a mapping's URL: also the mapping, read in the same query."""

    mapping: Mapping

    @property
    def can_edit(self) -> bool:
        """A read-only round (a later round took over) is edited by nobody until a facilitator reopens it."""
        return self.membership.can_edit and not self.mapping.is_read_only


@overload
def gate(request: HttpRequest, org: str, mapping_id: None = None, need: Need = Need.READ) -> Access: ...


@overload
def gate(request: HttpRequest, org: str, mapping_id: int, need: Need = Need.READ) -> MappingAccess: ...


def gate(request: HttpRequest, org: str, mapping_id: int | None = None, need: Need = Need.READ) -> Access:
    user = request.user
    if not user.is_authenticated:
        raise Http404
    mapping = None
    if mapping_id is None:
        membership = Membership.objects.select_related("organisation").filter(user=user, organisation__slug=org).first()
        if membership is None:
            raise Http404
    else:
        # One query for the mapping, its organisation and the user's membership there
        # (one membership per user and organisation, so at most one row). Filter before
        # annotating: so the role is read from the same, filtered, membership join.
        found = mapping_membership(mapping_id, org, user.pk)
        if found is None:
            raise Http404
        mapping, membership_pk, role = found
        membership = Membership(pk=membership_pk, user=user, organisation=mapping.organisation, role=role)
    organisation = membership.organisation
    if membership.role not in need.roles:
        raise PermissionDenied
    if (
        mapping is not None
        and mapping.is_read_only
        and need is Need.EDIT
        and request.method not in ("GET", "HEAD", "OPTIONS")
    ):
        raise RoundReadOnly
    if mapping is None:
        return Access(organisation=organisation, membership=membership)
    return MappingAccess(organisation=organisation, membership=membership, mapping=mapping)


def mapping_membership(mapping_id: int, org: str, user_id: int) -> tuple[Mapping, int, str] | None:
    """The mapping (with its organisation) and the user's membership there: (mapping, membership pk, role).

    One query, written in SQL (``rows``): every page of a mapping passes here.
    """
    if not 0 < mapping_id <= MAX_ID:  # no such row; the database would refuse the number (the ORM checks too)
        return None
    mapping_table, organisation_table = Mapping._meta.db_table, Organisation._meta.db_table
    sql = (
        f"SELECT {select_list('m', Mapping)}, {select_list('o', Organisation)}, ms.id, ms.role"  # noqa: S608
        f" FROM {quote(mapping_table)} m"
        f" JOIN {quote(organisation_table)} o ON o.id = m.organisation_id"
        f" JOIN {quote(Membership._meta.db_table)} ms ON ms.organisation_id = o.id"
        " WHERE m.id = %s AND o.slug = %s AND ms.user_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [mapping_id, org, user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(columns(Mapping))
    mapping = from_row(Mapping, row[:split])
    mapping.organisation = from_row(Organisation, row[split:-2])
    return mapping, row[-2], row[-1]


class WorkshopGone(Exception):
    """A join code that opens no workshop: unknown, closed or expired, or refused while codes are being guessed."""

    def __init__(self, workshop: Workshop | None = None, *, is_busy: bool = False):
        super().__init__(workshop)
        self.workshop = workshop
        self.is_busy = is_busy

    def response(self, request: HtmxHttpRequest) -> HttpResponse:
        """A clear page in the participants' language; a polling phone reloads into it."""
        if request.htmx:
            return HttpResponseClientRefresh()
        context = {"page": "gone", "is_closed": self.workshop is not None, "is_busy": self.is_busy}
        return render(request, "mapping/join.html", context, status=429 if self.is_busy else 404)


def participant_gate(code: str) -> Workshop:
    """The workshop open for input under ``code`` (as typed: case and dashes do not matter), else ``WorkshopGone``.

    Anyone holding the code may take part. Lookups of codes that do not exist
    are counted site-wide, so guessing stays slow while real codes keep working.
    """
    workshop = Workshop.objects.select_related("mapping__organisation").filter(code=normalise_code(code)).first()
    if workshop is None and not participation.allow("unknown-code", "site", participation.UNKNOWN_CODES_PER_MINUTE):
        raise WorkshopGone(is_busy=True)
    if workshop is None or not workshop.is_joinable:
        raise WorkshopGone(workshop)
    return workshop


def client_address(request: HttpRequest) -> str:
    """Where a request comes from, for limits only (never stored): behind our own proxy
    (``SECURE_PROXY_SSL_HEADER`` set), the address it saw, the last in X-Forwarded-For."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return forwarded.rsplit(",", 1)[-1].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def participant_requests_allowed(request: HttpRequest, code: str) -> bool:
    """Every participant request counts, per phone (its cookie) and per address; in the shared cache."""
    phone = request.COOKIES.get(participation.COOKIE, "")
    if phone and not participation.allow(
        "phone", hashlib.sha256(phone.encode()).hexdigest(), participation.REQUESTS_PER_PARTICIPANT_PER_MINUTE
    ):
        return False
    return participation.allow("client", client_address(request), participation.REQUESTS_PER_CLIENT_PER_MINUTE)


def participant_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A participant view: called with the open workshop in place of the code, or the "gone" page
    instead; never cached (``Cache-Control: no-store``)."""

    @functools.wraps(view)
    def wrapper(request: HtmxHttpRequest, code: str, *args, **kwargs) -> HttpResponse:
        try:
            if not participant_requests_allowed(request, code):
                raise WorkshopGone(is_busy=True)
            workshop = participant_gate(code)
        except WorkshopGone as gone:
            response = gone.response(request)
        else:
            response = view(request, workshop, *args, **kwargs)
        # Nothing a participant sees or sends is kept by the browser: Back must not bring a page
        # (and the idempotency keys in it) back from the cache, nor a shared device show it.
        add_never_cache_headers(response)
        return response

    return wrapper
