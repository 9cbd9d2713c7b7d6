"""`make run`'s demo link names the port the server listens on."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def test_the_demo_link_names_the_port_given(db, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", "127.0.0.1:8123", stdout=out)
    assert "http://127.0.0.1:8123/o/demo/m/" in out.getvalue()


def test_the_demo_link_takes_the_port_from_the_environment(db, settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("PORT", "8055")
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "http://127.0.0.1:8055/o/demo/m/" in out.getvalue()


def test_the_demo_refuses_a_port_that_is_not_one(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError):
        call_command("load_demo", "localhost:http", stdout=StringIO())
