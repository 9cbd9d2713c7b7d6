"""Change versions for the live board.

A board polls ``board-poll`` every second with the version it shows. The
common answer, "nothing changed", must be cheap: one indexed query and no
session lookup. So the board page embeds a signed poll token naming the user
and the mapping; the poll checks the token, then asks the database in one
query for the version *and* that the user is still a member. Only when the
version moved does the poll run the full gate and render fragments.
"""

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import connection

from .models import Mapping, Membership, Organisation

TOKEN_SALT = "mapping.live.poll"
TOKEN_MAX_AGE = 12 * 60 * 60  # a board left open over a workday keeps polling


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


def current_version(org: str, mapping_id: int, user_id: int) -> int | None:
    """The mapping's version if the user may still read it, in one query.

    Written in SQL because this runs every second for every open board: the
    ORM spends several times longer building the four-table join than the
    database spends answering it.
    """
    user_table = get_user_model()._meta.db_table
    # Table names come from the models; every value is a query parameter.
    sql = (
        f"SELECT m.version FROM {Mapping._meta.db_table} m"  # noqa: S608
        f" JOIN {Organisation._meta.db_table} o ON o.id = m.organisation_id"
        f" JOIN {Membership._meta.db_table} ms ON ms.organisation_id = o.id"
        f" JOIN {user_table} u ON u.id = ms.user_id"
        " WHERE m.id = %s AND o.slug = %s AND ms.user_id = %s AND u.is_active"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [mapping_id, org, user_id])
        row = cursor.fetchone()
    return row[0] if row else None
