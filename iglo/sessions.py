"""Sessions in the database, read together with their user: one query per request instead of two.

``SESSION_ENGINE = "iglo.sessions"``, with or without a shared cache (with REDIS_URL a session from
Redis would still need its user from the database: two round trips where this takes one). It is
Django's database session store with two changes: the row is ``mapping.models.Session``, whose
``user`` column is written from the session's data, and loading it reads the user with it.
``iglo.auth.AuthenticationMiddleware`` hands that user to Django's own ``auth.get_user``, which
checks it exactly as it checks one it reads itself (backend, active, the session's password hash).
"""

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone


class SessionStore(db.SessionStore):
    """The session row's ``user`` column, written on save and read on load (``loaded_user``)."""

    loaded_user = None  # the user read with this request's session row, if it was read from the database

    @classmethod
    def get_model_class(cls):
        from mapping.models import Session  # noqa: PLC0415 - models load after settings

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        user_id = str(data.get(SESSION_KEY, ""))
        session.user_id = int(user_id) if user_id.isdigit() else None  # type: ignore[attr-defined]
        return session

    def _get_session_from_db(self):
        """Django's (``db.SessionStore``): the row if it is there and not expired, else None and no key;
        with the user in the same query, written in SQL (``mapping.rows``: this runs on every request)."""
        from mapping.models import Session  # noqa: PLC0415 - models load after settings
        from mapping.rows import columns, from_row, quote, select_list  # noqa: PLC0415

        model, user_model = Session, get_user_model()
        sql = (
            f"SELECT {select_list('s', model)}, {select_list('u', user_model)} FROM {quote(model._meta.db_table)} s"  # noqa: S608
            f" LEFT JOIN {quote(user_model._meta.db_table)} u ON u.{quote(str(user_model._meta.pk.column))} = s.user_id"
            " WHERE s.session_key = %s AND s.expire_date > %s"
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        split = len(columns(model))
        session = from_row(model, row[:split])
        self.loaded_user = from_row(user_model, row[split:]) if session.user_id is not None else None
        return session
