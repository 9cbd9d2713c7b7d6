"""Sign-in sessions, with the user they belong to as a column, so a request reads both in one query
(``iglo.sessions``) instead of the session first and the user after it."""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class Session(AbstractBaseSession):
    # Written from the session's data when it is saved; deleting a user ends their sessions.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "mapping_session"

    @classmethod
    def get_session_store_class(cls):
        from iglo.sessions import SessionStore  # noqa: PLC0415 - the store imports this model

        return SessionStore
