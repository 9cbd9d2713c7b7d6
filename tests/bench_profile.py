"""`make bench PROFILE=board`: where one request's time goes, measured in-process.

Runs a scenario ``REPEAT`` times through Django's full handler (every
middleware, a real database session, CSRF checks on) against the bench's
scratch database and prints the mean milliseconds per request of:

- each middleware on its own (probes between them: what it does on the way
  in plus on the way out), and the view with URL resolving;
- inside those, inclusive: session load, user, the gate, the CSRF token,
  the cache, every template rendered (a page's regions and partials by name);
- every SQL query with its time, grouped by statement.

Scenarios: ``board`` (the example), ``board500``, ``board500_change`` (the 500
board right after a card of it was edited), ``edit`` (a card edit, HTMX
POST), ``poll``, ``healthz``, ``pdf`` and ``pdf500`` (cProfile's top entries
instead: WeasyPrint is one call). ``PROFILE=all`` runs every one; add
``:cprofile`` (or ``:cumulative``) to a name for cProfile's top 30 functions
by own (or cumulative) time as well.
"""

import cProfile
import functools
import io
import pstats
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from urllib.parse import urlencode

REPEAT = 30


class Recorder:
    """Timings of the current request: label -> seconds (inclusive), and queries."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.times: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)
        self.queries: list[tuple[str, float]] = []
        self.probes_in: dict[int, float] = {}
        self.probes_out: dict[int, float] = {}
        self.depth: dict[str, int] = defaultdict(int)
        self.start: float | None = None  # set by a step whose first part is not measured

    def timed(self, label: str | Callable[..., str], function: Callable) -> Callable:
        recorder = self

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            name = label(*args) if callable(label) else label
            if recorder.depth[name]:  # recursion: count the outermost call only
                return function(*args, **kwargs)
            recorder.depth[name] += 1
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                recorder.times[name] += time.perf_counter() - start
                recorder.counts[name] += 1
                recorder.depth[name] -= 1

        return wrapper

    def query(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, time.perf_counter() - start))


RECORDER = Recorder()


class Probe:
    """Put between two middlewares: notes when a request passes on its way in and out."""

    index = 0

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        RECORDER.probes_in[self.index] = time.perf_counter()
        response = self.get_response(request)
        RECORDER.probes_out[self.index] = time.perf_counter()
        return response


def probe_class(index: int) -> type:
    return type(f"Probe{index}", (Probe,), {"index": index})


@contextmanager
def patched(owner, attribute: str, label) -> object:
    original = getattr(owner, attribute)
    setattr(owner, attribute, RECORDER.timed(label, original))
    try:
        yield
    finally:
        setattr(owner, attribute, original)


def patch_everywhere(stack: ExitStack, module_name: str, attribute: str, label: str) -> None:
    """Time a function wherever it was imported by name (``from x import f``)."""
    original = getattr(sys.modules[module_name], attribute)
    for module in list(sys.modules.values()):
        if module is not None and getattr(module, attribute, None) is original:
            stack.enter_context(patched(module, attribute, label))


def template_label(template, *args) -> str:
    name = getattr(template.template, "name", None) or "?"
    return "template " + name.removeprefix("mapping/")


def instrument(stack: ExitStack) -> None:
    import django.contrib.auth
    from django.core.cache import cache
    from django.db import connection
    from django.template.backends.django import Template

    import iglo.auth
    import mapping.access  # noqa: F401 - imported so that every `gate` can be found
    import mapping.views.board  # noqa: F401

    stack.enter_context(patched(iglo.auth, "session_user", "session and user (iglo.auth)"))
    stack.enter_context(patched(django.contrib.auth, "get_user", "  of which auth.get_user's checks"))
    patch_everywhere(stack, "mapping.access", "gate", "gate")
    patch_everywhere(stack, "django.middleware.csrf", "get_token", "csrf token (get_token)")
    stack.enter_context(patched(Template, "render", template_label))
    backend = type(cache._connections[cache._alias] if hasattr(cache, "_connections") else cache)
    for method in ("get", "get_many", "set", "set_many", "delete"):
        if method in vars(backend):
            stack.enter_context(patched(backend, method, "cache " + method))
    stack.enter_context(connection.execute_wrapper(RECORDER.query))


def shorten(sql: str) -> str:
    """A statement's shape: its verb and tables, values left out."""
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    tables = re.findall(r'(?:FROM|JOIN|INTO|UPDATE)\s+"?(\w+)"?', sql)
    verb = sql.split(None, 1)[0] if sql.strip() else "?"
    seen = list(dict.fromkeys(tables))
    return f"{verb} {', '.join(seen)}"[:70] or sql[:70]


def run_scenario(name: str, step: Callable[[], None], repeat: int, middleware_names: list[str]) -> dict:
    """Run ``step`` ``repeat`` times (after two warm-ups) and average what the recorder saw."""
    totals: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, list[float]] = defaultdict(list)
    walls = []
    query_counts = []
    for n in range(repeat + 2):
        RECORDER.reset()
        start = time.perf_counter()
        step()
        wall = time.perf_counter() - (RECORDER.start or start)
        if n < 2:
            continue
        walls.append(wall)
        for label, seconds in RECORDER.times.items():
            totals[label].append(seconds)
        ins, outs = RECORDER.probes_in, RECORDER.probes_out
        for index, middleware in enumerate(middleware_names):
            if index in ins and index + 1 in ins:
                own = (ins[index + 1] - ins[index]) + (outs[index] - outs[index + 1])
                totals["mw " + middleware.rsplit(".", 1)[-1]].append(own)
        last = len(middleware_names)
        if last in ins:
            totals["view (with URL resolving)"].append(outs[last] - ins[last])
        if 0 in ins:
            totals["outside the middleware (handler, request, client)"].append(wall - (outs[0] - ins[0]))
        query_counts.append(len(RECORDER.queries))
        for sql, seconds in RECORDER.queries:
            queries[shorten(sql)].append(seconds)
    return {
        "name": name,
        "repeat": repeat,
        "wall": statistics.median(walls),
        "totals": {label: sum(values) / repeat for label, values in totals.items()},
        "queries": {sql: (len(values) / repeat, sum(values) / repeat) for sql, values in queries.items()},
        "query_count": statistics.median(query_counts),
    }


def print_profile(result: dict) -> None:
    wall = result["wall"] * 1000
    print(f"\n== profile {result['name']}: {result['repeat']} requests, median {wall:.2f} ms each (in-process) ==")
    print(f"{'where':<58} {'ms/req':>8} {'share':>6}")
    totals = result["totals"]
    layers = [k for k in totals if k.startswith(("mw ", "view", "outside"))]
    inner = sorted((k for k in totals if k not in layers), key=lambda k: -totals[k])
    for label in layers:
        print(f"{label:<58} {totals[label] * 1000:>8.2f} {totals[label] * 1000 / wall:>6.0%}")
    print("  inside the above (inclusive, nested):")
    for label in inner:
        print(f"  {label:<56} {totals[label] * 1000:>8.2f} {totals[label] * 1000 / wall:>6.0%}")
    query_time = sum(seconds for _, seconds in result["queries"].values())
    print(f"  SQL: {result['query_count']:g} queries, {query_time * 1000:.2f} ms per request")
    for sql, (count, seconds) in sorted(result["queries"].items(), key=lambda item: -item[1][1]):
        print(f"    {count:>4.1f} x {seconds * 1000:>7.2f} ms  {sql}")


def print_cprofile(step: Callable[[], None], repeat: int, top: int = 60, sort: str = "tottime") -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        step()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(sort).print_stats(top)
    print(f"-- cProfile, {repeat} runs, by {sort} --")
    print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


def scenarios(data: dict, username: str) -> dict[str, tuple[Callable[[], None], int]]:
    """Each scenario: a step (one request, or one PDF) and how often to repeat it."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from mapping import pdf
    from mapping.models import Initiative, Mapping

    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username=username))
    page = client.get(data["example"]).content.decode()
    csrf = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"", page).group(1)
    poll_token = re.search(r'name="t" value="([^"]+)"', page).group(1)
    org = "bench"

    def get(url: str, status: int = 200) -> Callable[[], None]:
        def step() -> None:
            response = client.get(url)
            assert response.status_code == status, (url, response.status_code)

        return step

    def edit_step(mapping_id: int, pk: int) -> Callable[[], None]:
        def step() -> None:
            card = Initiative.objects.get(pk=pk)
            form = {"title": card.title, "description": f"Gemt {time.time()}", "effect": "some", "status": "active"}
            form["version"] = card.version
            response = client.post(
                f"/o/{org}/m/{mapping_id}/i/{pk}/edit/",
                urlencode(form),
                content_type="application/x-www-form-urlencoded",
                headers={"HX-Request": "true", "X-CSRFToken": csrf},
            )
            assert response.status_code == 200 and not response.has_header("X-Iglo-Conflict")

        return step

    big_pk = data["big_edited"][0]
    edit_big = edit_step(data["big_id"], big_pk)
    big_board = get(data["big"])

    def board500_change() -> None:
        edit_big()
        RECORDER.reset()
        RECORDER.start = time.perf_counter()
        big_board()

    example, big = Mapping.objects.get(pk=data["example_id"]), Mapping.objects.get(pk=data["big_id"])

    def poll() -> None:  # from the version of the moment: the edit scenario moves it
        version = Mapping.objects.values_list("version", flat=True).get(pk=data["example_id"])
        query = urlencode({"v": version, "t": poll_token})
        RECORDER.reset()
        RECORDER.start = time.perf_counter()
        get(f"/o/{org}/m/{data['example_id']}/poll/?{query}", 204)()

    return {
        "healthz": (get("/healthz/"), REPEAT),
        "board": (get(data["example"]), REPEAT),
        "board500": (big_board, REPEAT),
        "board500_change": (board500_change, 10),
        "edit": (edit_step(data["example_id"], data["edited"][0][0]), REPEAT),
        "poll": (poll, REPEAT),
        "pdf": (lambda: pdf.render_pdf(pdf.document_context(example)), 3),
        "pdf500": (lambda: pdf.render_pdf(pdf.document_context(big)), 1),
    }


def profile(which: str, data: dict, username: str) -> None:
    """Print the profile of each scenario named in ``which`` (comma-separated, ``all``, ``name:cprofile``)."""
    from django.conf import settings
    from django.test.utils import override_settings

    wanted = [part.strip() for part in which.split(",") if part.strip()]
    probed = []
    for index, middleware in enumerate(settings.MIDDLEWARE):
        probed += [f"tests.bench_profile.probe_{index}", middleware]
    probed.append(f"tests.bench_profile.probe_{len(settings.MIDDLEWARE)}")
    for index in range(len(settings.MIDDLEWARE) + 1):
        globals()[f"probe_{index}"] = probe_class(index)
    names = list(settings.MIDDLEWARE)
    with override_settings(MIDDLEWARE=probed), ExitStack() as stack:
        instrument(stack)
        available = scenarios(data, username)
        chosen = list(available) if "all" in [w.split(":")[0] for w in wanted] else wanted
        for entry in chosen:
            name, _, extra = entry.partition(":")
            if name not in available:
                sys.exit(f"PROFILE: unknown scenario {name!r}; choose from {', '.join(available)} or all")
            step, repeat = available[name]
            if name.startswith("pdf"):
                print(f"\n== profile {name} ==")
                print_cprofile(step, repeat)
                continue
            print_profile(run_scenario(name, step, repeat, names))
            if extra in ("cprofile", "cumulative"):
                print_cprofile(step, repeat, sort="tottime" if extra == "cprofile" else "cumulative")
