"""Request logging: one line per request with method, path, status and duration; nothing personal."""

import json
import logging
import sys

import pytest
from django.test import Client
from django.urls import reverse

from iglo.requestlog import JsonFormatter, MaskSecretPaths, loggable_path
from mapping.models import Workshop

from .test_settings import PRODUCTION_KEY, manage


def request_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "iglo.request"]


def test_each_request_is_one_line_with_method_path_status_and_duration(caplog, member_client, member, mapping):
    caplog.set_level(logging.INFO, logger="iglo.request")
    member_client.get(mapping.get_absolute_url() + "?selected=secret-query")
    (line,) = request_lines(caplog)
    assert (line.method, line.path, line.status) == ("GET", mapping.get_absolute_url(), 200)
    assert line.duration_ms >= 0
    assert line.getMessage().startswith(f"GET {mapping.get_absolute_url()} 200 ")
    assert line.getMessage().endswith("ms")
    text = line.getMessage()
    assert "secret-query" not in text and "member" not in text


def test_join_codes_invitations_and_reset_links_are_masked(caplog, client, mapping):
    caplog.set_level(logging.INFO, logger="iglo.request")
    workshop = mapping.workshops.create(code="ABCD2345")
    client.get(reverse("mapping:join", args=[workshop.code]))
    client.get("/invite/a-secret-token/")
    client.get("/accounts/reset/MQ/abc-123def/")
    paths = [line.path for line in request_lines(caplog)]
    assert paths == ["/j/<code>/", "/invite/<token>/", "/accounts/reset/<uid>/<token>/"]
    assert not any("ABCD2345" in r.getMessage() or "a-secret-token" in r.getMessage() for r in caplog.records)


def test_participant_input_never_reaches_the_log(caplog, mapping):
    caplog.set_level(logging.DEBUG)
    workshop: Workshop = mapping.workshops.create(code="ABCD2345")
    phone = Client()
    phone.post(reverse("mapping:join", args=[workshop.code]), {"name": "Birgitte"})
    phone.post(
        reverse("mapping:join-suggest", args=[workshop.code]),
        {"text": "Vores leder råber", "cell": "ledelse:kultur", "is_missing": "0", "key": "k-1"},
    )
    everything = " ".join(r.getMessage() for r in caplog.records)
    assert "Vores leder råber" not in everything and "Birgitte" not in everything
    assert "POST /j/<code>/suggest/" in everything


def test_django_own_records_have_their_paths_masked_too():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "%s: %s", ("Not Found", "/j/ABCD2345/"), None
    )
    MaskSecretPaths().filter(record)
    assert record.getMessage() == "Not Found: /j/<code>/"


def test_an_error_is_logged_with_its_traceback_and_its_status(caplog, member, organisation, monkeypatch):
    from mapping.views import organisation as views

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(views, "render_organisation", broken)
    client = Client(raise_request_exception=False)
    client.force_login(member)
    caplog.set_level(logging.INFO, logger="iglo.request")
    assert client.get(organisation.get_absolute_url()).status_code == 500
    (error,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert error.exc_info and "the disk is full" in str(error.exc_info[1])
    assert request_lines(caplog)[-1].status == 500


def test_the_json_format_is_one_object_per_line_with_the_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "iglo.request", logging.ERROR, __file__, 1, "%s %s", ("GET", "/o/x/"), sys.exc_info()
        )
    record.method, record.path, record.status, record.duration_ms = "GET", "/o/x/", 500, 3.2
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "GET /o/x/" and entry["status"] == 500 and entry["duration_ms"] == 3.2
    assert entry["level"] == "ERROR" and "ValueError: boom" in entry["traceback"]


def test_long_paths_are_cut():
    assert len(loggable_path("/o/" + "x" * 1000)) == 200


@pytest.mark.parametrize(("value", "works"), [("json", True), ("text", True), ("xml", False)])
def test_log_format_is_text_or_json(value, works):
    result = manage("check", DEBUG="0", SECRET_KEY=PRODUCTION_KEY, ALLOWED_HOSTS="iglo.example.org", LOG_FORMAT=value)
    assert (result.returncode == 0) is works, result.stderr
    if not works:
        assert "LOG_FORMAT" in result.stderr


def test_a_server_writes_json_lines_to_stderr_with_log_format_json():
    code = "from django.test import Client; Client().get('/healthz/')"
    result = manage(
        "shell", "-c", code, DEBUG="0", SECRET_KEY=PRODUCTION_KEY, ALLOWED_HOSTS="testserver", LOG_FORMAT="json"
    )
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["path"] == "/healthz/" and entry["status"] in {200, 301}
