"""The fixed cast: one organisation with a facilitator, an AMO member and a
member, and an outsider who belongs to another organisation."""

import itertools
import os
import secrets
import shutil

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client, override_settings

from mapping.cache import remembered
from mapping.example import create_example
from mapping.models import Initiative, Link, Membership, Organisation, Purpose, Role

# What htmx sends with every request it makes.
HTMX = {"HX-Request": "true"}


def pytest_configure(config):
    # WhiteNoise warns that STATIC_ROOT is missing: tests never run collectstatic.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


@pytest.fixture(autouse=True)
def static_files_without_collectstatic(settings):
    """Tests run with DEBUG off but without collectstatic, so there is no manifest to hash names from."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The cast signs in with force_login; a slow hasher only slows their creation."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# A shared Redis (REDIS_URL) may serve other test runs and servers too: this run's keys carry
# their own prefix, and emptying the cache deletes only them (Redis's clear() empties the database).
RUN_PREFIX = f"test-{os.getpid()}-{secrets.token_hex(4)}"


@pytest.fixture(autouse=True, scope="session")
def cache_of_this_run():
    if not django_settings.REDIS_URL:
        yield
        return
    with override_settings(CACHES={"default": {**django_settings.CACHES["default"], "KEY_PREFIX": RUN_PREFIX}}):
        yield


def clear_cache() -> None:
    remembered.clear()  # this process's copies of the shared cache's HTML (ids and versions repeat between tests)
    if not django_settings.REDIS_URL:
        cache.clear()
        return
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    try:
        for keys in itertools.batched(client.scan_iter(match=f"{RUN_PREFIX}:*", count=500), 500):
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(autouse=True)
def empty_cache(cache_of_this_run):
    """Each test starts with an empty cache: ids and versions repeat between tests."""
    clear_cache()
    yield
    clear_cache()


def make_user(username: str):
    return get_user_model().objects.create_user(username=username, password="pw-" + username)


@pytest.fixture
def organisation(db):
    return Organisation.objects.create(name="Foreningen", slug="forening")


@pytest.fixture
def other_organisation(db):
    return Organisation.objects.create(name="Andre", slug="andre")


@pytest.fixture
def facilitator(organisation):
    user = make_user("facilitator")
    Membership.objects.create(user=user, organisation=organisation, role=Role.FACILITATOR)
    return user


@pytest.fixture
def amo(organisation):
    user = make_user("amo")
    Membership.objects.create(user=user, organisation=organisation, role=Role.AMO)
    return user


@pytest.fixture
def member(organisation):
    user = make_user("member")
    Membership.objects.create(user=user, organisation=organisation, role=Role.MEMBER)
    return user


@pytest.fixture
def outsider(other_organisation):
    user = make_user("outsider")
    Membership.objects.create(user=user, organisation=other_organisation, role=Role.FACILITATOR)
    return user


@pytest.fixture
def mapping(organisation):
    return organisation.mappings.create(title="Kortlægning 2026")


@pytest.fixture
def example(organisation):
    return create_example(organisation)


@pytest.fixture
def facilitator_client(client, facilitator):
    client.force_login(facilitator)
    return client


def client_for(user) -> Client:
    """A separate browser: several people can be signed in during one test."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def amo_client(amo):
    return client_for(amo)


@pytest.fixture
def member_client(member):
    return client_for(member)


@pytest.fixture
def outsider_client(outsider):
    return client_for(outsider)


def add_card(mapping, title: str, level: str = "individ", dimension: str = "struktur", **fields) -> Initiative:
    """An initiative at the end of its cell."""
    position = mapping.initiatives.active().in_cell(level, dimension).count()
    return mapping.initiatives.create(title=title, level=level, dimension=dimension, position=position, **fields)


def fill_mapping(mapping, n: int) -> None:
    """n cards over the four levels, with purposes, links and one deleted card: a board to count queries on."""
    levels = ["individ", "gruppe", "ledelse", "organisation"]
    cards = Initiative.objects.bulk_create(
        [
            Initiative(mapping=mapping, title=f"Indsats {i}", level=levels[i % 4], dimension="struktur", position=i)
            for i in range(n)
        ]
    )
    purposes = [Purpose.objects.create(mapping=mapping, title=f"Formål {i}") for i in range(3)]
    Initiative.purposes.through.objects.bulk_create(
        [Initiative.purposes.through(initiative_id=c.pk, purpose_id=purposes[i % 3].pk) for i, c in enumerate(cards)]
    )
    Link.objects.bulk_create(
        [Link(mapping=mapping, source=a, target=b) for a, b in zip(cards, cards[1:], strict=False)][: n // 2]
    )
    cards[-1].deleted_at = "2026-01-01T00:00:00Z"
    Initiative.objects.bulk_update(cards[-1:], ["deleted_at"])


# Browser tests: the system Chromium, never a downloaded one.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}: CI must run the browser tests.")
        pytest.skip(f"Chromium not found at {CHROMIUM} (install the Debian package chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
