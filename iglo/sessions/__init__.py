"""Sessions in the database, read together with their user: one query per request instead of two.

``SESSION_ENGINE = "iglo.sessions"`` (the embedded default) and ``"iglo.sessions.cached"`` (with a
shared cache, REDIS_URL) keep Django's session stores and change two things: the row is
``mapping.models.Session``, whose ``user`` column is written from the session's data, and loading it
reads the user with it. ``iglo.auth.AuthenticationMiddleware`` hands that user to Django's own
``auth.get_user``, which checks it exactly as it checks one it reads itself (backend, active, the
session's password hash).
"""

import logging

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone


class UserWithSession:
    """The session row's ``user`` column, written on save and read on load (``loaded_user``)."""

    loaded_user = None  # the user read with this request's session row, if it was read from the database

    @classmethod
    def get_model_class(cls):
        from mapping.models import Session  # noqa: PLC0415 - models load after settings

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)  # type: ignore[misc]
        user_id = str(data.get(SESSION_KEY, ""))
        session.user_id = int(user_id) if user_id.isdigit() else None
        return session

    def _get_session_from_db(self):
        """Django's (``db.SessionStore``), with the user in the same query."""
        try:
            session = self.model.objects.select_related("user").get(  # type: ignore[attr-defined]
                session_key=self.session_key,  # type: ignore[attr-defined]
                expire_date__gt=timezone.now(),
            )
        except (self.model.DoesNotExist, SuspiciousOperation) as error:  # type: ignore[attr-defined]
            if isinstance(error, SuspiciousOperation):
                logging.getLogger(f"django.security.{error.__class__.__name__}").warning(str(error))
            self._session_key = None
            return None
        self.loaded_user = session.user
        return session


class SessionStore(UserWithSession, db.SessionStore):
    pass
