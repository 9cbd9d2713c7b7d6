"""Settings and security: production checks, start-up refusals, CSP, and Danish by default."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.views import defaults

from mapping.models import Invitation

from .conftest import HTMX, add_card

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_KEY = "prod-7c9f2e1b8a4d6f3e0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b"
# The test run's own settings; production must not inherit them.
TEST_VARIABLES = [
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # the browser tests set it; a deployment must not
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_COOKIES",
    "WHITENOISE_USE_FINDERS",
    "BEHIND_PROXY",
]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in TEST_VARIABLES}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "extra",
    [{}, {"BEHIND_PROXY": "1", "CSRF_TRUSTED_ORIGINS": "https://iglo.example.org"}],
    ids=["plain", "behind a proxy"],
)
def test_check_deploy_is_clean_with_production_settings(extra):
    result = manage(
        "check", "--deploy", DEBUG="0", SECRET_KEY=PRODUCTION_KEY, ALLOWED_HOSTS="iglo.example.org", **extra
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_not_debugging():
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="iglo.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_to_start_without_allowed_hosts_when_not_debugging():
    result = manage("check", DEBUG="0", SECRET_KEY=PRODUCTION_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


@pytest.mark.parametrize("url", ["mysql://iglo@db/iglo", "postgres://iglo@db/", "sqlite://"])
def test_it_refuses_to_start_with_a_bad_database_url(url):
    result = manage("check", DEBUG="0", SECRET_KEY=PRODUCTION_KEY, ALLOWED_HOSTS="iglo.example.org", DATABASE_URL=url)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" in result.stderr or "ImproperlyConfigured" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DEBUG", "maybe"), ("SECURE_COOKIES", "sometimes"), ("CSRF_TRUSTED_ORIGINS", "iglo.example.org")],
)
def test_it_refuses_to_start_with_a_bad_value_and_names_the_variable(variable, value):
    env = {"DEBUG": "0", "SECRET_KEY": PRODUCTION_KEY, "ALLOWED_HOSTS": "iglo.example.org", variable: value}
    result = manage("check", **env)
    assert result.returncode != 0
    assert variable in result.stderr


def test_debug_starts_without_any_configuration():
    result = manage("check", DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_the_tests_run_with_debug_off(settings):
    assert settings.DEBUG is False


# Content Security Policy: no inline script or style on any page.


def csp(response) -> str:
    return response.headers["Content-Security-Policy"]


def pages(client, facilitator, mapping, organisation):
    """The app's pages, full and as fragments, with everything on them a facilitator can see."""
    card = add_card(mapping, "MUS")
    add_card(mapping, "Slettet", deleted_at="2026-01-01T00:00:00Z")
    invitation = Invitation.objects.create(organisation=organisation, token="i" * 32, created_by=facilitator)
    anonymous = [client.get(reverse("login"))]
    client.force_login(facilitator)
    return anonymous + [
        client.get(reverse("mapping:home")),
        client.get(organisation.get_absolute_url()),
        client.get(mapping.get_absolute_url()),
        client.get(card.get_absolute_url()),
        client.get(card.get_absolute_url(), headers=HTMX),
        client.get(invitation.get_absolute_url()),
        client.get("/o/forening/m/999999/"),
    ]


def test_every_page_sends_a_strict_content_security_policy(client, facilitator, mapping, organisation):
    for response in pages(client, facilitator, mapping, organisation):
        policy = csp(response)
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "default-src 'self'" in policy
        assert re.search(r"script-src 'self'( 'nonce-[\w+/=-]+')?;", policy)
        assert "style-src 'self'" in policy
        assert "object-src 'none'" in policy


def test_no_page_has_inline_script_or_style(client, facilitator, mapping, organisation):
    for response in pages(client, facilitator, mapping, organisation):
        body = response.content.decode()
        nonce = re.search(r"'nonce-([^']+)'", csp(response))
        for tag in re.findall(r"<script\b[^>]*>", body):
            assert " src=" in tag or (nonce and f'nonce="{nonce.group(1)}"' in tag), tag
        assert not re.search(r"\sstyle\s*=", body), response.request["PATH_INFO"]
        assert "<style" not in body
        assert not re.search(r"\son[a-z]+\s*=\s*[\"']", body), response.request["PATH_INFO"]


def test_htmx_is_configured_for_the_policy(client, db):
    body = client.get(reverse("login")).content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', body).group(1)
    assert '"allowEval":false' in config
    assert '"includeIndicatorStyles":false' in config


def test_every_write_carries_the_csrf_token_for_htmx(facilitator_client, mapping):
    body = facilitator_client.get(mapping.get_absolute_url()).content.decode()
    assert re.search(r'<body hx-headers=\'\{"X-CSRFToken": "[\w]+"\}\'', body)


def test_a_post_without_csrf_token_is_refused(facilitator, mapping):
    client = Client(enforce_csrf_checks=True)
    client.force_login(facilitator)
    response = client.post(
        reverse("mapping:initiative-create", args=["forening", mapping.pk]),
        {"title": "MUS", "level": "individ", "dimension": "struktur"},
    )
    assert response.status_code == 403
    assert not mapping.initiatives.exists()


def test_pages_forbid_framing_and_sniffing(client, db):
    response = client.get(reverse("login"))
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


# Language


def test_pages_are_danish_by_default(client, member, mapping):
    login = client.get(reverse("login")).content.decode()
    assert '<html lang="da">' in login
    assert "Brugernavn" in login and "Adgangskode" in login
    client.force_login(member)
    board = client.get(mapping.get_absolute_url()).content.decode()
    assert '<html lang="da">' in board
    assert "Ingen indsatser endnu." in board
    assert "Individ · Struktur" in board


def test_the_not_found_page_is_danish(member_client):
    response = member_client.get("/o/findes-ikke/")
    assert response.status_code == 404
    assert "Siden findes ikke" in response.content.decode()


def test_the_forbidden_page_is_danish(member_client, mapping):
    response = member_client.post(reverse("mapping:purpose-create", args=["forening", mapping.pk]), {"title": "X"})
    assert response.status_code == 403
    assert '<html lang="da">' in response.content.decode()


@pytest.mark.parametrize(
    ("view", "status", "text"),
    [
        (defaults.bad_request, 400, "Ugyldig forespørgsel"),
        (defaults.permission_denied, 403, "Ingen adgang"),
        (defaults.page_not_found, 404, "Siden findes ikke"),
        (defaults.server_error, 500, "Der skete en fejl"),
    ],
)
def test_the_error_pages_render_in_danish(rf, db, view, status, text):
    request = rf.get("/o/forening/")
    request.user = AnonymousUser()
    response = view(request) if view is defaults.server_error else view(request, Exception("x"))
    assert response.status_code == status
    assert text in response.content.decode()


def test_every_post_form_carries_the_csrf_token(client, facilitator, mapping, organisation):
    forms = 0
    for response in pages(client, facilitator, mapping, organisation):
        for form in re.findall(r'<form\b[^>]*method="post".*?</form>', response.content.decode(), re.S):
            forms += 1
            assert 'name="csrfmiddlewaretoken"' in form, form[:200]
    assert forms > 20


def test_a_danish_and_an_english_viewer_each_get_their_own_language(member, mapping):
    add_card(mapping, "MUS")
    danish, english = Client(), Client(headers={"Accept-Language": "en"})
    danish.force_login(member)
    english.force_login(member)
    assert "Ingen indsatser endnu." in danish.get(mapping.get_absolute_url()).content.decode()
    body = english.get(mapping.get_absolute_url()).content.decode()
    assert '<html lang="en">' in body
    assert "No initiatives yet." in body and "Ingen indsatser endnu." not in body
    assert "0 links" in body
    assert "Ingen indsatser endnu." in danish.get(mapping.get_absolute_url()).content.decode()


def test_pages_render_from_collected_static_files_as_in_production(settings, tmp_path, member_client, mapping):
    """Production hashes static file names from a manifest (WhiteNoise also compresses, which takes long)."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--no-input", verbosity=0)
    body = member_client.get(mapping.get_absolute_url()).content.decode()
    for name in re.findall(r'(?:src|href)="/static/([^"]+)"', body):
        assert re.search(r"\.[0-9a-f]{12}\.", name), f"{name} is not the hashed name"
        assert (tmp_path / name).is_file(), name
    assert re.search(r'href="/static/css/iglo\.[0-9a-f]{12}\.css"', body)


def test_sqlite_keeps_its_connection_between_requests(monkeypatch):
    from iglo.settings import database_from_url

    assert database_from_url("sqlite:///db.sqlite3")["CONN_MAX_AGE"] == 60
    monkeypatch.setenv("CONN_MAX_AGE", "0")
    assert database_from_url("sqlite:///db.sqlite3")["CONN_MAX_AGE"] == 0


def test_the_served_application_keeps_what_it_loaded_out_of_the_garbage_collectors_way():
    """gunicorn imports iglo.wsgi: Django's startup objects are frozen there, so full collections
    during requests do not walk them (make bench, the 500-card board after a change)."""
    script = "import gc, iglo.wsgi; print(gc.get_freeze_count())"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "0", "SECRET_KEY": PRODUCTION_KEY, "ALLOWED_HOSTS": "iglo.example.org"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[-1]) > 10_000
