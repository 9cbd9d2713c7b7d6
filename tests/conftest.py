"""The fixed cast: one organisation with a facilitator, an AMO member and a
member, and an outsider who belongs to another organisation."""

import os
import shutil

import pytest
from django.contrib.auth import get_user_model

from mapping.export import create_example
from mapping.models import Membership, Organisation, Role


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
