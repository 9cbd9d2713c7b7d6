"""Sign-in details the project configures: the user read with the session, and what django-axes
records about a failed login."""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.db import connection
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

# The user the session store read with this request's session (iglo.sessions), while
# auth.get_user runs for the request; never longer.
_with_session: contextvars.ContextVar = contextvars.ContextVar("user_read_with_session", default=None)


@contextmanager
def read_with_session(user) -> Iterator[None]:
    token = _with_session.set(user)
    try:
        yield
    finally:
        _with_session.reset(token)


class SessionUserBackend(ModelBackend):
    """Django's ModelBackend, which takes the user the session brought instead of reading it again,
    and otherwise (a session that brought none, or another id) reads it in SQL, as the session is read."""

    def get_user(self, user_id):
        user = _with_session.get()
        if user is None or user.pk != user_id:
            user = read_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def read_user(user_id):
    """The user with this id, or None: ``ModelBackend.get_user``'s read, in SQL (``mapping.rows``)."""
    from mapping.rows import MAX_ID, from_row, quote, select_list  # noqa: PLC0415 - models load after settings

    model = get_user_model()
    if not isinstance(user_id, int) or not 0 < user_id <= MAX_ID:
        return None
    sql = f"SELECT {select_list('u', model)} FROM {quote(model._meta.db_table)} u WHERE u.{quote(str(model._meta.pk.column))} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    return from_row(model, row) if row is not None else None


def session_user(request: HttpRequest):
    """``auth.get_user`` (every check it makes), given the user read with the session if there is one."""
    session = request.session
    session.keys()  # loads the session (and its user) if nothing has yet
    with read_with_session(getattr(session, "loaded_user", None)):
        return auth.get_user(request)


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with ``request.user`` from ``session_user``: one query for the session and its user."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: session_user(request))


def axes_username(request, credentials: dict | None) -> str:
    """The username django-axes records for a failed login, cut to what its column holds (255)."""
    name = (credentials or {}).get("username") or (request.POST.get("username", "") if request is not None else "")
    return str(name)[:150]
