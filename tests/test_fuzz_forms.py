"""Hostile text on every URL, for every role: never a 500.

The URLs come from the URL resolver (every pattern of the site except the
admin's), their arguments and valid data from the permission matrix
(``tests/test_permissions.py``: every URL has an entry there), so a form added
later is covered without touching this file. For each URL and role the test
sends the valid data once, records which GET and POST fields (and uploaded
files) the view actually read, then sends each of those fields again holding
one hostile value: a NUL character, a lone surrogate, an integer past Python's
4,300-digit limit. String path
arguments (a join code, an invitation token) get the same values.

Lone surrogates cannot be encoded as UTF-8, so bodies are built here with
``surrogatepass`` (what a script can send), not with the test client's encoder.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.datastructures import MultiValueDict

from .test_permissions import EXPECTED, ROLES, Check, world  # noqa: F401  # world is a fixture

HOSTILE = {
    "nul": "a\x00b",
    "surrogate": "x\ud800y",
    "huge-int": "9" * 5000,
    "big-id": "9" * 20,  # a number Python reads but no id column holds
}

# Uploaded files (the JSON import): the same values inside a file that is otherwise well formed.
HOSTILE_FILES = {
    "nul-byte": b'{"format": "iglo-mapping", "title": "a\x00b"}',
    "nul-escape": b'{"format": "iglo-mapping", "version": 1, "title": "a\\u0000b", "initiatives": []}',
    "surrogate": b'{"format": "iglo-mapping", "version": 1, "title": "a\\ud800b", "initiatives": []}',
    "huge-int": b'{"format": "iglo-mapping", "version": ' + b"9" * 5000 + b"}",
    "not-utf8": b"\xff\xfe\x00",
}


def _to_bytes(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")


def form_body(data: dict) -> bytes:
    return "&".join(
        f"{quote(_to_bytes(str(k)), safe='')}={quote(_to_bytes(str(v)), safe='')}"
        for k, values in data.items()
        for v in (values if isinstance(values, list | tuple) else [values])
    ).encode()


BOUNDARY = "fuzzboundary0123456789"


def multipart_body(data: dict) -> bytes:
    parts = []
    for key, value in data.items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"'
            if isinstance(item, SimpleUploadedFile):
                item.seek(0)
                parts.append(
                    _to_bytes(head + f'; filename="{item.name}"\r\nContent-Type: application/json\r\n\r\n')
                    + item.read()
                    + b"\r\n"
                )
            else:
                parts.append(_to_bytes(head + "\r\n\r\n") + _to_bytes(str(item)) + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


@contextmanager
def reads() -> Iterator[set[tuple[str, str]]]:
    """Record which keys views read from request.GET/POST ("field") and request.FILES ("file")."""
    seen: set[tuple[str, str]] = set()
    originals = {name: getattr(MultiValueDict, name) for name in ("__getitem__", "get", "getlist", "__contains__")}

    def recorder(name):
        original = originals[name]

        def method(self, key, *args, **kwargs):
            if isinstance(key, str):
                from django.http import QueryDict

                seen.add(("field" if isinstance(self, QueryDict) else "file", key))
            return original(self, key, *args, **kwargs)

        return method

    for name in originals:
        setattr(MultiValueDict, name, recorder(name))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(MultiValueDict, name, original)


def send(client: Client, method: str, path: str, data: dict, query: dict | None = None):
    cache.clear()  # rate limits would answer 429 before the view reads anything
    if query:
        path = f"{path}?{form_body(query).decode()}"
    if method == "GET":
        if data:
            path = f"{path}{'&' if '?' in path else '?'}{form_body(data).decode()}"
        return client.get(path)
    if any(isinstance(v, SimpleUploadedFile) for v in data.values()):
        return client.post(path, multipart_body(data), content_type=f"multipart/form-data; boundary={BOUNDARY}")
    return client.post(path, form_body(data), content_type="application/x-www-form-urlencoded")


# The site's own URLs that take arguments (the app's come from the permission matrix).
SITE_KWARGS = {"password_reset_confirm": {"uidb64": "MQ", "token": "set-password"}}


def site_urls() -> list[tuple[str, list[Check]]]:
    """Every named URL of the site outside the admin, with its checks (method, arguments, valid data)."""
    found: list[str] = []

    def walk(patterns, namespace: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin" or pattern.app_name == "admin":
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.append(namespace + pattern.name)

    walk(get_resolver().url_patterns)
    checks = []
    for name in found:
        short = name.removeprefix("mapping:")
        if name.startswith("mapping:"):
            checks.append((name, EXPECTED[short]))  # the permission test fails on a URL without an entry
        else:
            kwargs = SITE_KWARGS.get(name, {})
            checks.append(
                (name, [Check("GET", lambda w, k=kwargs: k, (0,) * 5), Check("POST", lambda w, k=kwargs: k, (0,) * 5)])
            )
    return checks


SITE = site_urls()
# The writers last: what the facilitator's valid requests change (a card deleted) cannot hide a field from the others.
FUZZ_ROLES = ("anonymous", "outsider", "member", "participant", "amo", "facilitator")
NUMBERS = ("huge-int",)
# Per URL, method and role: a bound on the walk. Unbounded, the walk's thousands of savepoints inside one
# test transaction slowed PostgreSQL to minutes per URL.
MAX_REQUESTS = 24


def test_the_walk_finds_the_app_and_the_site():
    names = [name for name, _checks in SITE]
    assert "mapping:join-rate" in names and "mapping:finding-act" in names and "login" in names


@pytest.fixture
def as_role(world, facilitator, amo, member, outsider):  # noqa: F811  # the imported fixture
    users = {"outsider": outsider, "member": member, "amo": amo, "facilitator": facilitator}

    def client(role: str) -> Client:
        browser = Client()
        if role in users:
            browser.force_login(users[role])
        if role == "participant":
            browser.post(reverse("mapping:join", args=[world.workshop.code]), {"name": ""})
        return browser

    return client


def hostile_paths(path: str, kwargs: dict) -> Iterator[tuple[str, str]]:
    """The path with each string argument replaced by each hostile value."""
    for value in kwargs.values():
        if isinstance(value, str) and f"/{value}/" in path:
            for label, hostile in HOSTILE.items():
                yield label, path.replace(f"/{value}/", f"/{quote(_to_bytes(hostile), safe='')}/", 1)


def hostile_requests(fields: set[tuple[str, str]], base: dict, singly: bool) -> Iterator[tuple[str, dict]]:
    """For each hostile value: every field read holds it at once; with ``singly``, numbers also one
    field at a time (a form reads every field, but a view reading fields one by one may stop at the
    first bad one)."""
    names = sorted(key for kind, key in fields if kind == "field")
    files = sorted(key for kind, key in fields if kind == "file")
    for label, value in HOSTILE.items():
        yield label, base | dict.fromkeys(names, value)
        if singly and label in NUMBERS:
            for name in names:
                yield f"{name}={label}", base | {name: value}
    for label, content in HOSTILE_FILES.items():
        for name in files:
            yield f"{name}:{label}", base | {name: SimpleUploadedFile("x.json", content, "application/json")}


def assert_no_500(client: Client, check: Check, path: str, base: dict, what: str, singly: bool) -> None:
    """Send ``base``, then hostile versions of it, until no request reads a field not tried yet."""
    with reads() as seen:
        response = send(client, check.method, path, base)
    assert response.status_code < 500, f"{check.method} {path} {what}"
    tried: set[tuple[str, str]] = set()
    sent = 0
    while seen - tried and sent < MAX_REQUESTS:
        fields = set(seen)
        tried |= fields
        for label, data in hostile_requests(fields, base, singly):
            # A POST view may read the query string too: field values go in both.
            query = {k: v for k, v in data.items() if isinstance(v, str)} if check.method == "POST" else None
            with reads() as more:
                response = send(client, check.method, path, data, query)
            sent += 1
            assert response.status_code < 500, f"{check.method} {path} {label} {what}"
            seen |= more


@pytest.mark.parametrize("name,checks", SITE, ids=[name for name, _ in SITE])
def test_hostile_input_never_gives_a_500(name, checks, world, as_role):  # noqa: F811
    for role in FUZZ_ROLES:
        client = as_role(role)
        for check in checks:
            kwargs = check.kwargs(world)
            path = reverse(name, kwargs=kwargs)
            for label, hostile_path in hostile_paths(path, kwargs):
                response = send(client, check.method, hostile_path, check.data(world))
                assert response.status_code < 500, f"{check.method} {hostile_path} ({label}) as {role}"
            # Every role gets every field at once; the roles that may do the most, also one field at a time.
            singly = check.method == "POST" and role in ("facilitator", "participant")
            assert_no_500(client, check, path, check.data(world), f"as {role}", singly)


@pytest.mark.parametrize("name,checks", SITE, ids=[name for name, _ in SITE])
def test_a_mapping_that_never_had_a_workshop_gives_no_500(name, checks, world, as_role):  # noqa: F811
    bare = world.mapping.organisation.mappings.create(title="Tom")
    client = as_role("facilitator")
    for check in checks:
        kwargs = check.kwargs(world)
        if kwargs.get("mapping_id") == world.mapping.pk:
            kwargs = {**kwargs, "mapping_id": bare.pk}
        response = send(client, check.method, reverse(name, kwargs=kwargs), check.data(world) | {"v": "0"})
        assert response.status_code < 500, f"{check.method} {name} on a mapping without a workshop"


# The instances the review found, by name.


def test_a_nul_in_an_invitation_link_is_a_clear_400(client, facilitator):
    client.force_login(facilitator)
    response = client.get("/invite/%00/")
    assert response.status_code == 400
    assert "NUL-tegn" in response.content.decode()


@pytest.mark.parametrize("field", ["key", "finding", "group"])
def test_a_nul_in_a_gap_form_is_a_clear_400(field, facilitator_client, mapping):
    for name in ("finding-dismiss", "finding-restore", "finding-act"):
        response = facilitator_client.post(reverse(f"mapping:{name}", args=["forening", mapping.pk]), {field: "a\x00"})
        assert response.status_code == 400


@pytest.mark.parametrize(
    "content,message",
    [
        (b'{"format": "iglo-mapping", "title": "a\\u0000b"}', "kan gemmes"),
        (b'{"format": "iglo-mapping", "title": "a\\ud800b"}', "kan gemmes"),
        (b'{"format": "iglo-mapping", "n": ' + b"9" * 5000 + b"}", "for mange cifre"),
    ],
)
def test_the_import_refuses_unstorable_text_and_huge_numbers_clearly(content, message, facilitator_client):
    response = facilitator_client.post(
        reverse("mapping:mapping-import", args=["forening"]),
        {"file": SimpleUploadedFile("x.json", content, "application/json")},
    )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_workshop_poll_of_a_mapping_without_a_workshop_answers(facilitator_client, mapping):
    response = facilitator_client.get(reverse("mapping:workshop-poll", args=["forening", mapping.pk]), {"v": "0"})
    assert response.status_code == 200


def test_a_failed_card_edit_without_htmx_is_a_4xx(facilitator_client, mapping):
    card = mapping.initiatives.create(title="MUS", level="individ", dimension="struktur")
    response = facilitator_client.post(
        reverse("mapping:initiative-update", args=["forening", mapping.pk, card.pk]), {"title": "", "version": 1}
    )
    assert response.status_code == 400
