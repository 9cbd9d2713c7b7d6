"""Change versions for the live board.

A board polls ``board-poll`` every second with the version it shows. The
common answer, "nothing changed", must be cheap: one indexed query and no
session lookup. So the board page embeds a signed poll token naming the user
and the mapping; the poll checks the token, then asks the database in one
query for the version *and* that the user is still a member. Only when the
version moved does the poll run the full gate and render fragments.

Both answers are also kept for half a second in the process's cache: a
workshop has dozens of boards polling the same mapping, and a cache hit costs
no query at all. ``Mapping.bump()`` forgets the version at once and stores the
new one when its transaction commits, so the writing process is exact; other
processes see the change within ``CACHE_SECONDS`` (boards poll every second
and must show changes within two). A former member may go on hearing "nothing
changed" for that half second, never more than that: any change runs the gate.
"""

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.db import connection, transaction

from .models import Mapping, Membership, Organisation

TOKEN_SALT = "mapping.live.poll"
TOKEN_MAX_AGE = 12 * 60 * 60  # a board left open over a workday keeps polling
CACHE_SECONDS = 0.5


def poll_token(user_id: int, mapping_id: int) -> str:
    return signing.dumps([user_id, mapping_id], salt=TOKEN_SALT, compress=False)


def token_user(token: str, mapping_id: int) -> int | None:
    """The user id in a valid token for this mapping, else None."""
    try:
        user_id, token_mapping = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if token_mapping != mapping_id or not isinstance(user_id, int):
        return None
    return user_id


def version_key(mapping_id: int) -> str:
    return f"live:version:{mapping_id}"


def reader_key(org: str, mapping_id: int, user_id: int) -> str:
    return f"live:reader:{org}:{mapping_id}:{user_id}"


def version_changed(mapping_id: int, version: int) -> None:
    """Called by ``Mapping.bump()`` inside the write's transaction."""
    key = version_key(mapping_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.set(key, version, CACHE_SECONDS))


def current_version(org: str, mapping_id: int, user_id: int) -> int | None:
    """The mapping's version if the user may still read it: from the cache, or in one query.

    Written in SQL because this runs every second for every open board: the
    ORM spends several times longer building the four-table join than the
    database spends answering it.
    """
    keys = version_key(mapping_id), reader_key(org, mapping_id, user_id)
    cached = cache.get_many(keys)
    if keys[1] in cached:
        if keys[0] in cached:
            return cached[keys[0]]
        sql = f"SELECT version FROM {Mapping._meta.db_table} WHERE id = %s"  # noqa: S608
        params = [mapping_id]
    else:
        user_table = get_user_model()._meta.db_table
        # Table names come from the models; every value is a query parameter.
        sql = (
            f"SELECT m.version FROM {Mapping._meta.db_table} m"  # noqa: S608
            f" JOIN {Organisation._meta.db_table} o ON o.id = m.organisation_id"
            f" JOIN {Membership._meta.db_table} ms ON ms.organisation_id = o.id"
            f" JOIN {user_table} u ON u.id = ms.user_id"
            " WHERE m.id = %s AND o.slug = %s AND ms.user_id = %s AND u.is_active"
        )
        params = [mapping_id, org, user_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    cache.set_many({keys[0]: row[0], keys[1]: True}, CACHE_SECONDS)
    return row[0]


def unchanged(request, org: str, mapping_id: int) -> bool:
    """The poll's fast path: a valid token and the version the page already shows."""
    user_id = token_user(request.GET.get("t", ""), mapping_id)
    seen = request.GET.get("v", "")
    if user_id is None or not seen.isdecimal() or len(seen) > 18:
        return False
    return current_version(org, mapping_id, user_id) == int(seen)
