"""``iglo.sessions`` in the shared cache, written through to the database (Django's ``cached_db``):
a session found in the cache costs no query, one read from the database brings its user along."""

from django.contrib.sessions.backends import cached_db

from . import UserWithSession


class SessionStore(UserWithSession, cached_db.SessionStore):
    pass
