"""Two servers, one PostgreSQL and one Redis: what a deployment with several gunicorn hosts relies on.

Two gunicorn processes run with production-like settings on a database of
their own (migrated here) and the run's Redis. A change made through one
shows on a board that polls the other; a rate limit counted on one holds on
the other; a session made on one is valid on the other. Runs when both
DATABASE_URL (PostgreSQL) and REDIS_URL are set, as in CI.
"""

import http.cookiejar
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest
import redis

from mapping import participation

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = pytest.mark.skipif(
    not (DATABASE_URL.startswith(("postgres://", "postgresql://")) and REDIS_URL),
    reason="needs DATABASE_URL=postgres://... and REDIS_URL=redis://... (CI sets both)",
)

# The Makefile's TEST_ENV: production settings, served over plain HTTP on localhost.
SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "test-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "WHITENOISE_USE_FINDERS": "1",
    "SECURE_HSTS_SECONDS": "0",
}
SEED = """
import json
from django.contrib.auth import get_user_model
from mapping.models import Membership, Organisation, Role, Workshop
user = get_user_model().objects.create_user("anna", password="to-servere-1234")
org = Organisation.objects.create(name="Foreningen", slug="forening")
Membership.objects.create(user=user, organisation=org, role=Role.FACILITATOR)
mapping = org.mappings.create(title="Kortlægning")
workshop, _ = Workshop.objects.start(mapping, votes_per_participant=3)
print(json.dumps({"mapping": mapping.pk, "code": workshop.code}))
"""


def with_database(url: str, name: str) -> str:
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/" + name))


@pytest.fixture(scope="module")
def server_env(tmp_path_factory):
    """A database of their own for the servers, migrated and seeded; the run's Redis under its own prefix."""
    admin_db = urllib.parse.urlsplit(DATABASE_URL).path.lstrip("/")
    name = f"test_{admin_db}_servers"
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    prefix = f"test-servers-{secrets.token_hex(4)}"
    # As the suite does (conftest.py): static files from the finders, without collectstatic's manifest.
    workdir = tmp_path_factory.mktemp("servers")
    (workdir / "iglo_servers_settings.py").write_text(
        "from iglo.settings import *  # noqa: F403\n"
        "STORAGES = {**STORAGES, 'staticfiles': {'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
    )
    env = {
        **os.environ,
        **SERVER_ENV,
        "DATABASE_URL": with_database(DATABASE_URL, name),
        "CACHE_KEY_PREFIX": prefix,
        "DJANGO_SETTINGS_MODULE": "iglo_servers_settings",
        "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)]),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)
    seeded = subprocess.run(
        [*manage, "shell", "-c", SEED], cwd=ROOT, env=env, check=True, timeout=120, capture_output=True, text=True
    )
    yield env, prefix, json.loads(seeded.stdout.strip().splitlines()[-1])
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(base + "/healthz/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer /healthz/ within 60 s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def servers(server_env, tmp_path_factory):
    """Two gunicorn processes on one database and one Redis: their base URLs."""
    env = server_env[0]
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    started = []
    for name in ("a", "b"):
        port = free_port()
        log = tmp_path_factory.mktemp("logs") / f"{name}.log"
        command = [gunicorn, "iglo.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"]
        process = subprocess.Popen(  # noqa: S603 - our own command line
            [*command, "--worker-class", "gthread"], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
        )
        started.append((f"http://127.0.0.1:{port}", process, log))
    try:
        for base, process, log in started:
            wait_until_up(base, process, log)
        yield [base for base, _, _ in started]
    finally:
        for _, process, _ in started:
            process.terminate()
        for _, process, _ in started:
            process.wait(timeout=30)


class Browser:
    """One person's browser: its cookies go to both servers (cookies do not care about the port)."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, url: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, dict, str]:
        body = None
        headers = dict(headers or {})
        if data is not None:
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.cookie("csrftoken") or "", **data}).encode()
            headers["X-CSRFToken"] = self.cookie("csrftoken") or ""
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 - our own test server
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to assert on


def sign_in(browser: Browser, base: str) -> None:
    status, _, _ = browser.request(base + "/accounts/login/")
    assert status == 200
    status, headers, _ = browser.request(base + "/accounts/login/", {"username": "anna", "password": "to-servere-1234"})
    assert status == 302, "signing in failed"


def test_a_session_made_on_one_server_works_on_the_other(servers, server_env):
    a, b = servers
    browser = Browser()
    sign_in(browser, a)
    status, _, body = browser.request(b + "/o/forening/")
    assert status == 200
    assert "Foreningen" in body
    # The session lives in the database both servers read (iglo/sessions), with its user's id.
    with psycopg.connect(server_env[0]["DATABASE_URL"]) as connection:
        row = connection.execute(
            "SELECT u.username FROM mapping_session s JOIN auth_user u ON u.id = s.user_id WHERE s.session_key = %s",
            [browser.cookie("sessionid")],
        ).fetchone()
    assert row == ("anna",)
    # Signing out on B ends the session on A too.
    assert browser.request(b + "/accounts/logout/", {})[0] in {200, 302}
    status, headers, _ = browser.request(a + "/o/forening/")
    assert status == 302 and "/accounts/login/" in headers["Location"]


def test_a_change_through_one_server_shows_on_a_board_polling_the_other_within_two_seconds(servers, server_env):
    a, b = servers
    mapping_id = server_env[2]["mapping"]
    board = f"/o/forening/m/{mapping_id}/"
    viewer, editor = Browser(), Browser()
    sign_in(viewer, b)
    sign_in(editor, a)
    status, _, page = viewer.request(b + board)
    assert status == 200
    poll_url = re.search(r'id="live-poll"[^>]*hx-get="([^"]+)"', page).group(1)
    state = {
        "v": re.search(r'id="live-version" name="v" value="([^"]*)"', page).group(1),
        "t": re.search(r'id="live-token" name="t" value="([^"]*)"', page).group(1),
    }
    poll = b + poll_url + "?" + urllib.parse.urlencode(state)
    assert viewer.request(poll, headers={"HX-Request": "true"})[0] == 204  # nothing changed yet
    assert viewer.request(poll, headers={"HX-Request": "true"})[0] == 204  # ... also from the cache

    status, _, _ = editor.request(
        a + board + "initiatives/new/", {"title": "Fredagsmorgenmad", "level": "gruppe", "dimension": "kultur"}
    )
    assert status in {200, 302}
    deadline = time.monotonic() + 2
    seen = None
    while time.monotonic() < deadline:
        status, _, body = viewer.request(poll, headers={"HX-Request": "true"})
        if status == 200:
            seen = body
            break
        time.sleep(0.1)  # the board polls every second; ten times as often here
    assert seen is not None, "the board on B did not hear of the change within 2 s"
    assert "Fredagsmorgenmad" in seen


def join(base: str, code: str) -> Browser:
    phone = Browser()
    assert phone.request(f"{base}/j/{code}/")[0] == 200
    status, _, _ = phone.request(f"{base}/j/{code}/", {"name": ""})
    assert status == 302
    return phone


def test_a_rate_limit_counted_on_one_server_holds_on_the_other(servers, server_env):
    """A participant's writes are counted in Redis: alternating servers does not double the allowance."""
    a, b = servers
    code = server_env[2]["code"]
    limit = participation.PARTICIPANT_WRITES_PER_MINUTE
    for _attempt in range(2):  # a fixed window: once more if the minute turned during the run
        window = int(time.time() // 60)
        phone = join(a, code)
        # An empty suggestion is refused (400) but counted: the limit comes before the form.
        answers = [phone.request(f"{(a, b)[i % 2]}/j/{code}/suggest/", {})[0] for i in range(limit)]
        after = [phone.request(f"{base}/j/{code}/suggest/", {})[0] for base in (a, b)]
        if int(time.time() // 60) == window:
            break
    assert 429 not in answers
    assert after == [429, 429]
