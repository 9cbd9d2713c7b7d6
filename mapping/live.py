"""The one polling protocol of the live pages: board, gap dashboard and the workshop screens.

A page embeds the state it shows (``page_state``: the mapping's version, and
on the workshop screen also the latest workshop and its input) and a signed
poll token naming the user and the mapping. It polls every second or two with
both. The common answer, "nothing changed", must be cheap: the poll checks
the token and asks the database in one query for the state *and* that the
user is still a member (no session lookup); unchanged -> 204 with
``HX-Reswap: none``. Only when the state moved does the poll run the full
gate and render the page's ``#live`` partial (regions swapped out of band).

The mapping's version and the membership check are also kept for half a
second in the cache: a workshop has dozens of boards polling the same
mapping, and a cache hit costs no query at all. ``Mapping.change()`` forgets
the version at once and stores the new one when its transaction commits, so
the writing process is exact; other processes see the change within
``CACHE_SECONDS`` (boards must show changes within two seconds). A former
member may go on hearing "nothing changed" for that half second, never more:
any change runs the gate.

Participants' phones poll the same way without an account: their state is
``participant_state`` (the join code is the key, no token), compared with the
``v`` the page sent; unchanged -> ``nothing_changed()``.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.http import reswap

from .access import HtmxHttpRequest, MappingAccess, Need, gate
from .models import Mapping, Membership, Organisation, Workshop

TOKEN_SALT = "mapping.live.poll"
TOKEN_MAX_AGE = 12 * 60 * 60  # a board left open over a workday keeps polling
CACHE_SECONDS = 0.5
LIVE = "mapping/_live.html"


def poll_token(user_id: int, mapping_id: int, need: Need = Need.READ) -> str:
    """The token a page polls with; ``need`` is what the page's gate asked, so a
    reader's board token is no key to the facilitator's workshop screen."""
    return signing.dumps([user_id, mapping_id, need.value], salt=TOKEN_SALT, compress=False)


def token_user(token: str, mapping_id: int, need: Need = Need.READ) -> int | None:
    """The user id in a valid token for this mapping and need, else None."""
    try:
        user_id, token_mapping, token_need = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if token_mapping != mapping_id or token_need != need.value or not isinstance(user_id, int):
        return None
    return user_id


def cache_seconds() -> float:
    """How long a version and a membership check stay cached.

    Django's Redis backend keeps whole seconds only (0.5 would store nothing,
    and every poll would ask the database); with a shared cache the writer
    stores the exact new version for every process when it commits, so the
    whole second delays no one's change.
    """
    return 1 if str(settings.CACHES["default"]["BACKEND"]).endswith(".RedisCache") else CACHE_SECONDS


def version_key(mapping_id: int) -> str:
    return f"live:version:{mapping_id}"


def reader_key(org: str, mapping_id: int, user_id: int, need: Need) -> str:
    return f"live:reader:{org}:{mapping_id}:{user_id}:{need.value}"


def version_changed(mapping_id: int, version: int) -> None:
    """Called by ``Mapping.change()`` inside the write's transaction."""
    key = version_key(mapping_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.set(key, version, cache_seconds()))


def page_state(mapping: Mapping, *, workshop: bool = False, public: bool = False) -> str:
    """The state a live page shows, as its poll sends it back.

    ``workshop``: with the latest workshop's ``input_version`` (the console: every
    input shows). ``public``: its ``version`` instead, which moves only with what
    participants and the projector see (moderation, steps, released figures): the
    presenter's state, so the moment it refreshes tells no one that someone just answered.
    """
    if not workshop:
        return str(mapping.version)
    latest = mapping.workshops.values_list("pk", workshop_column(public)).first()  # newest first (Workshop.Meta)
    return _state(mapping.version, latest)


def workshop_column(public: bool) -> str:
    return "version" if public else "input_version"


def _state(version: int, latest_workshop: tuple[int, int] | tuple[None, None] | None) -> str:
    if latest_workshop is None or latest_workshop[0] is None:
        return f"{version}:-"
    return f"{version}:{latest_workshop[0]}:{latest_workshop[1]}"


def current_state(
    org: str, mapping_id: int, user_id: int, *, need: Need = Need.READ, workshop: bool = False, public: bool = False
) -> str | None:
    """The state of the mapping if the user may still read it: from the cache, or in one query.

    Written in SQL because this runs every second for every open board: the
    ORM spends several times longer building the four-table join than the
    database spends answering it. The workshop screen's state adds the latest
    workshop's input version, which moves without the mapping's version, so
    it is always read (one query: the screen is open on one or two laptops).
    """
    keys = version_key(mapping_id), reader_key(org, mapping_id, user_id, need)
    cached = cache.get_many(keys)
    # Table names come from the models; every value is a query parameter.
    latest = ""
    if workshop:
        table = Workshop._meta.db_table
        latest = "".join(
            # The newest workshop, as Workshop.Meta.ordering has it.
            f", (SELECT w.{column} FROM {table} w WHERE w.mapping_id = m.id ORDER BY w.created DESC, w.id DESC LIMIT 1)"  # noqa: S608
            for column in ("id", workshop_column(public))
        )
    if keys[1] in cached:
        if keys[0] in cached and not workshop:
            return str(cached[keys[0]])
        sql = f"SELECT m.version{latest} FROM {Mapping._meta.db_table} m WHERE m.id = %s"  # noqa: S608
        params: list[int | str] = [mapping_id]
    else:
        user_table = get_user_model()._meta.db_table
        roles = ", ".join(["%s"] * len(need.roles))  # the user's role still meets the page's need
        sql = (
            f"SELECT m.version{latest} FROM {Mapping._meta.db_table} m"  # noqa: S608
            f" JOIN {Organisation._meta.db_table} o ON o.id = m.organisation_id"
            f" JOIN {Membership._meta.db_table} ms ON ms.organisation_id = o.id"
            f" JOIN {user_table} u ON u.id = ms.user_id"
            f" WHERE m.id = %s AND o.slug = %s AND ms.user_id = %s AND u.is_active AND ms.role IN ({roles})"
        )
        params = [mapping_id, org, user_id, *need.roles]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    # A reader only fills a gap: a write that committed while this query ran has set its newer
    # version as it committed, and the older one read here must not overwrite it (polls would then
    # answer "unchanged" to a board that missed the write, until the entry expired).
    cache.add(keys[0], row[0], cache_seconds())
    cache.set(keys[1], True, cache_seconds())
    return _state(row[0], (row[1], row[2])) if workshop else str(row[0])


def unchanged(
    request: HttpRequest,
    org: str,
    mapping_id: int,
    *,
    need: Need = Need.READ,
    workshop: bool = False,
    public: bool = False,
) -> bool:
    """The poll's fast path: a valid token and the state the page already shows."""
    user_id = token_user(request.GET.get("t", ""), mapping_id, need)
    seen = request.GET.get("v", "")
    if user_id is None or not seen or len(seen) > 60:
        return False
    return current_state(org, mapping_id, user_id, need=need, workshop=workshop, public=public) == seen


def participant_state(code: str) -> str | None:
    """The state a phone shows: the mapping's version and the workshop's ``version`` (what participants see).

    The phones' side of the protocol: no user, so no token; the join code is
    the key. One indexed query (codes are unique); None once the code opens
    no workshop (closed or expired).
    """
    row = Workshop.objects.joinable().filter(code=code).values_list("mapping__version", "version").first()
    return None if row is None else f"{row[0]}:{row[1]}"


def nothing_changed() -> HttpResponse:
    return reswap(HttpResponse(status=204), "none")


def poll(
    request: HtmxHttpRequest,
    org: str,
    mapping_id: int,
    *,
    template: str,
    context: Callable[[HtmxHttpRequest, MappingAccess], dict],
    need: Need = Need.READ,
    workshop: bool = False,
    public: bool = False,
) -> HttpResponse:
    """Answer a live page's poll: 204 when nothing changed, else ``template#live`` with ``context(request, access)``.

    A stale token (a page left open for days) with an unchanged state gets a
    fresh token only, so the next polls are cheap again.
    """
    if unchanged(request, org, mapping_id, need=need, workshop=workshop, public=public):
        return nothing_changed()
    access = gate(request, org, mapping_id, need)
    if page_state(access.mapping, workshop=workshop, public=public) == request.GET.get("v"):
        token = poll_token(access.membership.user_id, mapping_id, need)
        return render(request, LIVE + "#token", {"poll_token": token, "oob": True})
    return render(request, template + "#live", context(request, access))
