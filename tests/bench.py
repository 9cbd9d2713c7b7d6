"""make bench: IGLO under gunicorn on a scratch database, measured against a baseline view.

Every figure is taken in one run on one machine, and throughputs are given as a
ratio to the baseline (``/healthz/``: a Django view with no database access,
served by the same gunicorn), because absolute numbers vary between machines.
A ratio's two halves are measured in turns (``Bench.ratio``): on a shared
machine the speed moves within seconds.

The scratch database is a new PostgreSQL database on the server in
DATABASE_URL, or on the local default server when DATABASE_URL is not set
(``iglo_bench_<pid>``, dropped afterwards); a temporary SQLite file when no
PostgreSQL answers. The first line printed says which. The baseline is
measured again at the end: when the two differ by more than the drift range
the whole run is repeated, and a run that stays noisy reports no target as met.

``make bench PROFILE=board`` prints where a request's time goes instead (see
tests/bench_profile.py).

To add a figure, write a function ``measure_<name>(bench) -> dict`` and list it
in MEASUREMENTS; ``bench.load(...)`` drives the server, ``bench`` holds the
signed-in session and the ids of the data. The last line printed is one JSON
object with every figure.
"""

import gc
import http.client
import itertools
import json
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
USERNAME, PASSWORD = "bench", secrets.token_urlsafe(12)
DURATION = float(os.environ.get("BENCH_SECONDS", "3"))  # per throughput figure, after a warm-up
READ_THREADS = int(os.environ.get("BENCH_THREADS", "4"))
TURNS = 3  # a ratio's figure and its baseline take turns, three slices each (``Bench.ratio``)

# Production settings apart from plain HTTP on localhost.
PRODUCTION_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "SECURE_HSTS_SECONDS": "0",
    "WHITENOISE_USE_FINDERS": "0",  # serve the collected, compressed files as production does
    "LOG_LEVEL": "WARNING",
}


# --- load generator ----------------------------------------------------------


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0
    last_body: bytes = b""

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def p95(self) -> float:
        return self.percentile(95)


def run_load(port: int, make_request, expect: int, threads: int, seconds: float, warmup: float = 0.5) -> Result:
    """Each thread keeps one HTTP/1.1 connection alive and sends requests back to back.

    ``make_request(worker)`` returns (method, path, body, headers) for the next
    request of worker ``worker`` (0..threads-1); it may keep state per worker.
    """
    result = Result()
    lock = threading.Lock()
    start_at = time.perf_counter() + warmup
    stop_at = start_at + seconds

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        latencies, errors, body = [], 0, b""
        while True:
            method, path, payload, headers = make_request(n)
            t0 = time.perf_counter()
            if t0 >= stop_at:
                break
            try:
                conn.request(method, path, body=payload, headers=headers)
                response = conn.getresponse()
                body = response.read()
                ok = response.status == expect
                if hasattr(make_request, "after"):
                    make_request.after(n, response, body)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                ok = False
            t1 = time.perf_counter()
            if t0 >= start_at:
                if ok:
                    latencies.append(t1 - t0)
                else:
                    errors += 1
        conn.close()
        with lock:
            result.latencies += latencies
            result.errors += errors
            result.last_body = body or result.last_body

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    result.elapsed = seconds
    return result


# --- the bench: server, session, data ----------------------------------------


@dataclass
class Bench:
    port: int
    cookies: dict
    csrf: str
    data: dict
    figures: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)

    def headers(self, **extra) -> dict:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Host": f"{HOST}:{self.port}", "Cookie": cookie, **extra}

    def get(self, path: str, **headers) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        conn.request("GET", path, headers=self.headers(**headers))
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body

    def load(self, name: str, make_request, expect: int = 200, threads: int = READ_THREADS) -> Result:
        result = run_load(self.port, make_request, expect, threads, DURATION)
        baseline = self.figures.get("baseline_rps")
        self.report(name, threads, result, expect, result.rps / baseline if baseline else 1.0)
        return result

    def ratio(self, name: str, make_request, expect: int = 200, threads: int = READ_THREADS) -> tuple[Result, float]:
        """A throughput and its ratio to the baseline, the two measured in turns (``TURNS`` slices each,
        ``DURATION`` in all): this machine's speed moves within seconds, and a ratio of two figures taken
        a minute apart measures that as much as the view."""
        figure, baseline = Result(), Result()

        def healthz(_worker: int) -> tuple:
            return ("GET", "/healthz/", None, self.headers())

        for _turn in range(TURNS):
            for into, make, status in ((baseline, healthz, 200), (figure, make_request, expect)):
                part = run_load(self.port, make, status, threads, DURATION / TURNS, warmup=0.2)
                into.latencies += part.latencies
                into.errors += part.errors
                into.elapsed += part.elapsed
        ratio = figure.rps / baseline.rps if baseline.rps else 0.0
        self.report(name, threads, figure, expect, ratio)
        self.report("  its baseline, in turns", threads, baseline, 200, 1.0)
        return figure, ratio

    def report(self, name: str, threads: int, result: Result, expect: int, ratio: float) -> None:
        if result.errors:
            print(f"!! {name}: {result.errors} requests failed (expected status {expect})", file=sys.stderr)
        self.rows.append((name, threads, result.rps, result.p50, result.p95, ratio, result.errors))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


def postgres_answers(url: str) -> str:
    """Empty when a PostgreSQL server answers at ``url``, else why not."""
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=3).close()
    except Exception as error:  # noqa: BLE001 - any failure means: fall back to SQLite, and say why
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return ""


def choose_database() -> tuple[str, str]:
    """(server URL or "", the first line's words): PostgreSQL when one answers, else SQLite.

    DATABASE_URL names the server; without it the local default
    (``postgres://postgres@127.0.0.1:5432/postgres``) is tried.
    ``BENCH_DATABASE=sqlite`` asks for SQLite.
    """
    url = os.environ.get("DATABASE_URL", "") or DEFAULT_POSTGRES
    if os.environ.get("BENCH_DATABASE") == "sqlite":
        return "", "SQLite (BENCH_DATABASE=sqlite)"
    if not url.startswith(("postgres://", "postgresql://")):
        return "", "SQLite (DATABASE_URL is not PostgreSQL)"
    why = postgres_answers(url)
    if why:
        return "", f"SQLite (no PostgreSQL answered at {urlsplit(url).hostname}: {why})"
    return url, "PostgreSQL"


@contextmanager
def scratch_database(server_url: str):
    """Yield a DATABASE_URL for an empty database that is removed afterwards."""
    if server_url:
        import psycopg

        parts = urlsplit(server_url)
        base = parts.path.lstrip("/") or "postgres"
        name = f"{'iglo' if base == 'postgres' else base}_bench_{os.getpid()}"
        admin = psycopg.connect(server_url, autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(parts._replace(path="/" + name)), f"PostgreSQL ({parts.hostname}, scratch {name})"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
    else:
        with tempfile.TemporaryDirectory(prefix="iglo-bench-db-") as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3", "SQLite (temporary file)"


def set_up_django(workdir: Path, database_url: str) -> None:
    """Production settings, the scratch database, and static files collected into workdir."""
    (workdir / "iglo_bench_settings.py").write_text(
        f"from iglo.settings import *  # noqa: F403\nSTATIC_ROOT = {str(workdir / 'static')!r}\n"
    )
    os.environ.update(PRODUCTION_ENV)
    os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(40))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "iglo_bench_settings"
    sys.path[:0] = [str(workdir), str(ROOT)]
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)


def big_mapping_data(n_initiatives: int = 500, n_links: int = 300, n_purposes: int = 20) -> dict:
    """An export document with a large, plausible mapping (fixed seed: the same every run)."""
    from mapping.exchange import FORMAT, FORMAT_VERSION
    from mapping.models import Dimension, Level

    rng = random.Random(500)
    cells = [(level.value, dimension.value) for level in Level for dimension in Dimension]
    words = ["trivsel", "møde", "samtale", "politik", "sparring", "netværk", "kursus", "måling", "team", "dialog"]
    purposes = [{"id": f"p{n}", "title": f"Formål {n}: {rng.choice(words)}"} for n in range(n_purposes)]
    initiatives, positions = [], {}
    for n in range(n_initiatives):
        level, dimension = cells[n % len(cells)]
        positions[(level, dimension)] = positions.get((level, dimension), -1) + 1
        initiatives.append(
            {
                "id": f"i{n}",
                "title": f"{rng.choice(words).capitalize()} {rng.choice(words)} nr. {n}",
                "description": " ".join(rng.choice(words) for _ in range(20)),
                "level": level,
                "dimension": dimension,
                "position": positions[(level, dimension)],
                "owner": rng.choice(["Ledergruppen", "AMO", "Teamleder", ""]),
                "effect": rng.choice(["unknown", "none", "some", "clear"]),
                "purposes": rng.sample([p["id"] for p in purposes], rng.randint(0, 2)),
            }
        )
    pairs = set()
    while len(pairs) < n_links:
        a, b = rng.sample(range(n_initiatives), 2)
        pairs.add((a, b))
    links = [{"source": f"i{a}", "target": f"i{b}", "kind": "related"} for a, b in sorted(pairs)]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "title": "500 indsatser",
        "purposes": purposes,
        "initiatives": initiatives,
        "links": links,
    }


def create_data() -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from mapping.example import create_example
    from mapping.exchange import create_mapping, validate
    from mapping.models import Membership, Organisation, Role

    organisation = Organisation.objects.create(name="Bench", slug="bench")
    user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
    Membership.objects.create(user=user, organisation=organisation, role=Role.FACILITATOR)
    example = create_example(organisation)
    big = create_mapping(organisation, validate(big_mapping_data()))
    edited = list(example.initiatives.order_by("id")[:READ_THREADS])
    # A deployment's tables have statistics (autovacuum analyzes new rows within a minute); a scratch
    # database measured at once would be planned without them.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "example": example.get_absolute_url(),
        "example_id": example.pk,
        "big": big.get_absolute_url(),
        "big_id": big.pk,
        "big_count": big.initiatives.count(),
        "big_links": big.links.count(),
        "edited": [(card.pk, card.title, card.version) for card in edited],
        "big_edited": next((card.pk, card.title, card.version) for card in big.initiatives.order_by("id")[:1]),
    }


@contextmanager
def gunicorn(workdir: Path, extra_env: dict | None = None):
    port = free_port()
    log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)]), **(extra_env or {})}
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "iglo.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--keep-alive",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=2)
                conn.request("GET", "/healthz/")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                sys.exit("gunicorn did not start:\n" + (workdir / "gunicorn.log").read_text()[-3000:])
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def sign_in(port: int) -> dict:
    """A real session: the login form's CSRF token, then POST the credentials."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    page = response.read().decode()
    cookies = {k: m.value for k, m in SimpleCookie(response.getheader("Set-Cookie") or "").items()}
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token})
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        },
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 302:
        sys.exit(f"Signing in failed: HTTP {response.status}")
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            cookies.update({k: m.value for k, m in SimpleCookie(value).items()})
    return cookies


def board_tokens(html: str) -> dict:
    return {
        "csrf": json.loads(re.search(r"hx-headers='([^']+)'", html).group(1))["X-CSRFToken"],
        "version": re.search(r'id="live-version" name="v" value="(\d+)"', html).group(1),
        "poll_token": re.search(r'name="t" value="([^"]+)"', html).group(1),
    }


def board_queries(data: dict) -> dict:
    """SQL queries for one board page, counted in-process (they must not grow with the board)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(get_user_model().objects.get(username=USERNAME))
    counts = {}
    for key, url in [("example", data["example"]), ("500", data["big"])]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[key] = len(queries)
    return counts


# --- measurements: add new figures here ---------------------------------------


def measure_baseline(bench: Bench) -> dict:
    result = bench.load("baseline /healthz/", lambda n: ("GET", "/healthz/", None, bench.headers()))
    return {"baseline_rps": round(result.rps, 1), "baseline_p50_ms": round(result.p50, 2)}


def measure_baseline_again(bench: Bench) -> dict:
    """The baseline once more at the end: how much the machine's load drifted during the run."""
    result = bench.load("baseline again (drift)", lambda n: ("GET", "/healthz/", None, bench.headers()))
    return {"baseline_end_rps": round(result.rps, 1)}


def measure_board(bench: Bench) -> dict:
    url = bench.data["example"]
    result, ratio = bench.ratio("board (example, 38)", lambda n: ("GET", url, None, bench.headers()))
    return {
        "board_rps": round(result.rps, 1),
        "board_ratio": round(ratio, 3),
        "board_p50_ms": round(result.p50, 2),
        "board_p95_ms": round(result.p95, 2),
    }


def measure_board_redis(workdir: Path, bench: Bench) -> dict:
    """The board on a gunicorn whose cache and sessions live in Redis (REDIS_URL; sessions in the database, iglo.sessions):
    no session query per request. Against its own baseline; None when no Redis answers."""
    import redis

    url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        print(f"!! board_ratio_redis: no Redis answers at {url} (set BENCH_REDIS_URL)", file=sys.stderr)
        return {"board_ratio_redis": None}
    prefix = f"iglo-bench-{os.getpid()}"
    try:
        with gunicorn(workdir, {"REDIS_URL": url, "CACHE_KEY_PREFIX": prefix}) as port:
            on_redis = Bench(port=port, cookies=sign_in(port), csrf="", data=bench.data, rows=bench.rows)
            board, ratio = on_redis.ratio(
                "board (example), Redis", lambda n: ("GET", bench.data["example"], None, on_redis.headers())
            )
    finally:
        for keys in itertools.batched(client.scan_iter(match=f"{prefix}:*"), 500):
            client.delete(*keys)
        client.close()
    return {
        "board_rps_redis": round(board.rps, 1),
        "board_ratio_redis": round(ratio, 3),
    }


def measure_board_500(bench: Bench) -> dict:
    """Throughput under load, and the wait of one person opening the board (one client)."""
    url = bench.data["big"]
    name = f"board ({bench.data['big_count']})"
    loaded, ratio = bench.ratio(name, lambda n: ("GET", url, None, bench.headers()))
    alone = bench.load(name + ", 1 client", lambda n: ("GET", url, None, bench.headers()), threads=1)
    return {
        "board_500_rps": round(loaded.rps, 1),
        "board_500_ratio": round(ratio, 3),
        "board_500_p50_ms": round(alone.p50, 2),
        "board_500_p95_ms": round(alone.p95, 2),
        "board_500_loaded_p50_ms": round(loaded.p50, 2),
    }


AFTER_CHANGE_SAMPLES = 15  # a median of 15 edits: one slow request moves it less than one of 7


def measure_board_500_cold(bench: Bench) -> dict:
    """The first load of the 500 board after one of its cards was edited: only that card's cell is rendered again."""
    status, _, body = bench.get(bench.data["big"])
    csrf = board_tokens(body.decode())["csrf"]
    pk, title, version = bench.data["big_edited"]
    timings = []
    for n in range(AFTER_CHANGE_SAMPLES):
        form = urlencode(
            {"title": title, "description": f"kold {n}", "effect": "some", "status": "active", "version": version}
        )
        headers = bench.headers(
            **{"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true", "X-CSRFToken": csrf}
        )
        conn = http.client.HTTPConnection(HOST, bench.port, timeout=30)
        conn.request("POST", f"/o/bench/m/{bench.data['big_id']}/i/{pk}/edit/", body=form, headers=headers)
        conn.getresponse().read()
        version += 1
        t0 = time.perf_counter()
        conn.request("GET", bench.data["big"], headers=bench.headers())
        response = conn.getresponse()
        response.read()
        timings.append(time.perf_counter() - t0)
        conn.close()
        if response.status != 200:
            print(f"!! cold board: HTTP {response.status}", file=sys.stderr)
    bench.data["big_edited"] = (pk, title, version)
    cold = statistics.median(timings) * 1000
    bench.rows.append(
        (f"board ({bench.data['big_count']}), after a change", 1, 1000 / cold, cold, max(timings) * 1000, None, 0)
    )
    return {"board_500_after_change_p50_ms": round(cold, 1)}


def measure_board_queries(bench: Bench) -> dict:
    counts = board_queries(bench.data)
    return {"board_queries": counts["example"], "board_500_queries": counts["500"]}


def measure_first_load(bench: Bench) -> dict:
    """Bytes a browser fetches for a first visit to the board: HTML, CSS and JS, compressed where served so."""
    status, headers, body = bench.get(bench.data["example"], **{"Accept-Encoding": "gzip, br"})
    html = body.decode()
    transferred, raw = len(body), len(body)
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', html):
        status, headers, compressed = bench.get(asset, **{"Accept-Encoding": "gzip, br"})
        status, headers, plain = bench.get(asset)
        transferred += len(compressed)
        raw += len(plain)
    return {"board_first_load_kb": round(transferred / 1024, 1), "board_first_load_raw_kb": round(raw / 1024, 1)}


def measure_poll(bench: Bench) -> dict:
    status, _, body = bench.get(bench.data["example"])
    tokens = board_tokens(body.decode())
    path = f"/o/bench/m/{bench.data['example_id']}/poll/?" + urlencode(
        {"v": tokens["version"], "t": tokens["poll_token"]}
    )
    result, ratio = bench.ratio("poll, unchanged (204)", lambda n: ("GET", path, None, bench.headers()), expect=204)
    return {
        "poll_rps": round(result.rps, 1),
        "poll_ratio": round(ratio, 3),
        "poll_p50_ms": round(result.p50, 2),
    }


def measure_edit(bench: Bench) -> dict:
    """Save a card from its open editor (HTMX), one card per thread, each save from the current version."""
    status, _, body = bench.get(bench.data["example"])
    csrf = board_tokens(body.decode())["csrf"]
    cards = [list(card) for card in bench.data["edited"]]
    base = f"/o/bench/m/{bench.data['example_id']}/i/"
    sizes = []

    def make_request(n: int):
        pk, title, version = cards[n]
        form = {"title": title, "description": f"Gemt {time.time()}", "effect": "some", "status": "active"}
        form["version"] = version
        headers = bench.headers(
            **{"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true", "X-CSRFToken": csrf}
        )
        return "POST", f"{base}{pk}/edit/", urlencode(form), headers

    def after(n: int, response, body: bytes) -> None:
        if response.status == 200 and not response.getheader("X-Iglo-Conflict"):
            cards[n][2] += 1
            sizes.append(len(body))

    make_request.after = after
    threads = 1  # the target is latency; SQLite serialises writers anyway
    result = bench.load("card edit (HTMX POST)", make_request, threads=threads)
    bench.data["edited"] = [tuple(card) for card in cards]  # a second run starts from the saved versions
    return {
        "edit_rps": round(result.rps, 1),
        "edit_p50_ms": round(result.p50, 2),
        "edit_p95_ms": round(result.p95, 2),
        "edit_bytes": max(sizes) if sizes else None,
        "edit_errors": result.errors,
    }


def measure_gaps(bench: Bench) -> dict:
    """The gap analysis alone (plain data, no database): 500 initiatives, 300 links."""
    from tests.bench_gaps import measure_gaps_500, measure_gaps_similar

    ms = measure_gaps_500()
    bench.rows.append(("gap analysis (500, 300 links)", 1, 1000 / ms, ms, ms, None, 0))
    return {"gaps_500_ms": round(ms, 2), **measure_gaps_similar()}


def measure_pdf(bench: Bench) -> dict:
    """The PDF overview rendered in-process (mapping/pdf.py): the example and the 500-initiative mapping."""
    from mapping.models import Mapping
    from tests.bench_pdf import measure_pdf as render_times

    figures = render_times(
        Mapping.objects.get(pk=bench.data["example_id"]), Mapping.objects.get(pk=bench.data["big_id"]), repeat=3
    )
    for name, key in (("PDF (example)", "pdf_example_s"), ("PDF (500)", "pdf_500_s")):
        ms = figures[key] * 1000
        bench.rows.append((name, 1, 1000 / ms, ms, ms, None, 0))
    return figures


def measure_rounds(bench: Bench) -> dict:
    from tests.bench_rounds import measure_rounds_in_bench

    return measure_rounds_in_bench(bench)


WORKSHOP_SECONDS = float(os.environ.get("BENCH_WORKSHOP_SECONDS", "60"))


def measure_workshop(bench: Bench) -> dict:
    """DESIGN.md's workshop load: 60 phones polling every 2 s and writing every 10 s, on the example mapping.

    The target names PostgreSQL: run ``make bench`` with DATABASE_URL set to get
    it; on SQLite the figure is taken all the same and labelled so.
    """
    from django.db import connections

    from mapping.models import Input, Mapping, new_join_code
    from tests.bench_workshop import workshop_load

    code = new_join_code()
    example = Mapping.objects.get(pk=bench.data["example_id"])
    example.workshops.filter(status="open").update(status="closed")  # a measurement taken again (drift)
    example.workshops.create(code=code)
    connections.close_all()

    def count_rows() -> int:
        count = Input.objects.filter(workshop__code=code).count()
        connections.close_all()
        return count

    figures = workshop_load(f"http://{HOST}:{bench.port}", code, count_rows, duration=WORKSHOP_SECONDS)
    for sample in figures.pop("workshop_error_samples"):
        print(f"!! workshop: {sample}", file=sys.stderr)
    database = connections["default"].vendor
    label = "PostgreSQL" if database == "postgresql" else "SQLite"
    p95 = figures["workshop_p95_ms"]
    rps = figures["workshop_requests"] / WORKSHOP_SECONDS
    bench.rows.append((f"workshop 60 phones ({label})", 60, rps, float("nan"), p95, None, figures["workshop_errors"]))
    return {**figures, "workshop_database": database, "workshop_seconds": WORKSHOP_SECONDS}


MEASUREMENTS = [
    measure_baseline,
    measure_board,
    measure_board_500,
    measure_board_500_cold,
    measure_board_queries,
    measure_first_load,
    measure_poll,
    measure_edit,
    measure_gaps,
    measure_pdf,
    measure_rounds,  # tests/bench_rounds.py
    measure_workshop,
    measure_baseline_again,
]

TARGETS = [  # (figure, comparison, target) from DESIGN.md
    ("board_ratio", ">=", 0.2),
    ("board_ratio_redis", ">=", 0.2),
    ("board_500_p50_ms", "<=", 50),
    ("board_500_after_change_p50_ms", "<=", 50),
    ("board_queries", "<=", 10),
    ("board_500_queries", "<=", 10),  # constant in the number of initiatives
    ("poll_ratio", ">=", 0.6),
    ("edit_bytes", "<=", 4096),
    ("edit_p50_ms", "<=", 15),
    ("board_first_load_kb", "<=", 100),
    ("gaps_500_ms", "<=", 100),
    ("gaps_similar_1000_ms", "<=", 200),
    ("gaps_similar_1000_kb", "<=", 200),
    ("pdf_example_s", "<=", 0.5),
    ("pdf_500_s", "<=", 3),
    ("new_round_500_ms", "<=", 500),  # tests/bench_rounds.py
    ("compare_500_ms", "<=", 100),
    ("discussion_pdf_s", "<=", 0.5),
    ("workshop_p95_ms", "<=", 100),  # on PostgreSQL: see measure_workshop
    ("workshop_errors", "<=", 0),
    ("workshop_lost", "<=", 0),
]


DRIFT_RANGE = (0.8, 1.25)  # the baseline at the end over the one at the start
RETRIES = int(os.environ.get("BENCH_RETRIES", "1"))  # full reruns when the machine's load drifted


def run_measurements(port: int, cookies: dict, data: dict) -> Bench:
    bench = Bench(port=port, cookies=cookies, csrf="", data=data)
    for measure in MEASUREMENTS:
        bench.figures.update(measure(bench))
    bench.figures["drift"] = round(bench.figures["baseline_end_rps"] / bench.figures["baseline_rps"], 3)
    return bench


def drift_ok(figures: dict) -> bool:
    return DRIFT_RANGE[0] <= figures["drift"] <= DRIFT_RANGE[1]


def main() -> None:
    started = time.monotonic()
    server_url, database_words = choose_database()
    profile = os.environ.get("PROFILE", "")
    mode = f"profile {profile}, in-process" if profile else "gunicorn gthread 2 workers x 4 threads"
    print(f"IGLO bench on {database_words} · {mode}", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="iglo-bench-"))
    try:
        with scratch_database(server_url) as (database_url, database_name):
            set_up_django(workdir, database_url)
            data = create_data()
            # The in-process figures (gaps, PDFs, rounds) stand for work a served process does, and
            # a served process has frozen what it loaded at startup (iglo/wsgi.py): so does this one.
            gc.collect()
            gc.freeze()
            from django.db import connections

            if profile:
                from tests.bench_profile import profile as print_profiles

                print_profiles(profile, data, USERNAME)
                connections.close_all()
                return
            connections.close_all()
            with gunicorn(workdir) as port:
                cookies = sign_in(port)
                bench = run_measurements(port, cookies, data)
                for _attempt in range(RETRIES):
                    if drift_ok(bench.figures):
                        break
                    print(f"drift {bench.figures['drift']} outside {DRIFT_RANGE}: measuring again", flush=True)
                    data.update(bench.data)
                    bench = run_measurements(port, cookies, data)
                connections.close_all()
            bench.figures.update(measure_board_redis(workdir, bench))  # a second server, after the first stopped
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    noisy = not drift_ok(bench.figures)
    print(f"IGLO bench · {database_name} · gunicorn gthread 2 workers x 4 threads · {DURATION:g} s per figure")
    print(f"500-initiative board: {data['big_count']} initiatives, {data['big_links']} links")
    print(f"{'measurement':<34} {'thr':>3} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>6} {'err':>4}")
    for name, threads, rps, p50, p95, ratio, errors in bench.rows:
        shown = "" if ratio is None else f"{ratio:.2f}"
        print(f"{name:<34} {threads:>3} {rps:>9.1f} {p50:>8.2f} {p95:>8.2f} {shown:>6} {errors:>4}")
    drift = bench.figures["drift"]
    print(f"drift {drift} (baseline at the end / at the start; {DRIFT_RANGE[0]}–{DRIFT_RANGE[1]} counts)")
    for name, op, target in TARGETS:
        value = bench.figures.get(name)
        met = value is not None and (value >= target if op == ">=" else value <= target)
        verdict = ("noisy" if noisy else "ok") if met else "MISSED"
        note = ""
        if name.startswith("workshop_") and bench.figures.get("workshop_database") != "postgresql":
            note = " (on SQLite; the target is for PostgreSQL)"
        print(f"target {name} {op} {target}: {value} {verdict}{note}")
    if noisy:
        print(
            f"NOISY: the machine's load drifted ({drift}); no target is reported as met. Run again on a quiet machine."
        )
    print(f"(took {time.monotonic() - started:.0f} s)")
    print(json.dumps({"database": database_name.split(" ")[0].lower(), "noisy": noisy, **bench.figures}))


if __name__ == "__main__":
    main()
