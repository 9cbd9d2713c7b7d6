"""/healthz/ says the process answers; /readyz/ says the database and the cache answer too (issue 11 §1.8)."""

from unittest.mock import patch

from django.core.cache import cache
from django.db import OperationalError, connection


def refuse(*args, **kwargs):
    raise OperationalError("the database is down")


def test_ready_when_the_database_and_the_cache_answer(client, db):
    response = client.get("/readyz/")
    assert response.status_code == 200
    assert response.content == b"ready"
    assert response["Cache-Control"] == "no-store"


def test_not_ready_while_the_database_is_down(client, db):
    with patch.object(connection, "cursor", refuse):  # undone before the test database is torn down
        response = client.get("/readyz/")
    assert response.status_code == 503
    assert b"database" in response.content


def test_not_ready_while_the_cache_is_down(client, db, monkeypatch):
    monkeypatch.setattr(cache, "set", refuse)
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.content == b"not ready: cache"


def test_healthz_stays_liveness_while_the_database_is_down(client, db):
    with patch.object(connection, "cursor", refuse):
        assert client.get("/healthz/").status_code == 200
