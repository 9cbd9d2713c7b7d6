"""Sessions read with their user in one query (iglo/sessions, iglo/auth.py), and every check Django
makes of a signed-in user still made."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from iglo.auth import SessionUserBackend, read_with_session
from mapping.models import Membership, Role, Session

from .conftest import make_user


@pytest.fixture
def member(organisation):
    user = make_user("anna")
    Membership.objects.create(user=user, organisation=organisation, role=Role.FACILITATOR)
    return user


def is_signed_in(client: Client) -> bool:
    response = client.get(reverse("mapping:account"))
    assert response.status_code == 200 or response.url.startswith(reverse("login"))
    return response.status_code == 200


def signed_in(user) -> Client:
    """Signed in through the login form, as a person is."""
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": "pw-" + user.username})
    assert response.status_code == 302
    return client


def test_the_session_row_names_its_user_and_ends_with_it(member):
    client = signed_in(member)
    assert Session.objects.get(session_key=client.session.session_key).user == member
    member.delete()
    assert not Session.objects.exists()
    assert not is_signed_in(client)


def test_a_page_reads_the_session_and_its_user_in_one_query(member, organisation):
    mapping = organisation.mappings.create(title="Kortlægning")
    client = signed_in(member)
    client.get(mapping.get_absolute_url())
    store = client.session
    if hasattr(store, "cache_key"):  # iglo.sessions.cached (REDIS_URL): read from the database this time
        caches[django_settings.SESSION_CACHE_ALIAS].delete(store.cache_key)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(mapping.get_absolute_url())
    assert response.status_code == 200 and response.wsgi_request.user == member
    assert f"Log ud ({member.username})" in response.content.decode()
    sessions = [q["sql"] for q in queries if "mapping_session" in q["sql"]]
    assert len(sessions) == 1 and "auth_user" in sessions[0]
    assert not [q for q in queries if q["sql"].lstrip().startswith('SELECT "auth_user"')]


def test_a_changed_password_still_signs_out_the_other_sessions(member):
    elsewhere = signed_in(member)
    assert is_signed_in(elsewhere)
    member.set_password("a-new-password-0987")
    member.save()
    assert not is_signed_in(elsewhere)
    assert not Session.objects.filter(session_key=elsewhere.session.session_key).exists()  # flushed


def test_a_deactivated_user_is_signed_out(member):
    client = signed_in(member)
    assert is_signed_in(client)
    get_user_model().objects.filter(pk=member.pk).update(is_active=False)
    assert not is_signed_in(client)


def test_a_session_of_a_backend_no_longer_configured_signs_no_one_in(member, settings):
    client = signed_in(member)
    assert is_signed_in(client)
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    assert not is_signed_in(client)


def test_the_user_read_with_a_session_serves_only_that_user_and_only_while_it_is_checked(member):
    other = make_user("bo")
    backend = SessionUserBackend()
    stale = get_user_model().objects.get(pk=member.pk)
    stale.first_name = "not saved"
    with read_with_session(stale):
        assert backend.get_user(member.pk) is stale
        assert backend.get_user(other.pk) == other and backend.get_user(other.pk) is not stale
    assert backend.get_user(member.pk).first_name == ""  # read again once the check is over
    assert backend.get_user(other.pk + 1000) is None and backend.get_user(2**70) is None
    get_user_model().objects.filter(pk=other.pk).update(is_active=False)
    assert backend.get_user(other.pk) is None


def test_an_expired_session_signs_no_one_in(member):
    client = signed_in(member)
    assert is_signed_in(client)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    store = client.session
    if hasattr(store, "cache_key"):  # iglo.sessions.cached: the shared cache forgets it at expiry too
        caches[django_settings.SESSION_CACHE_ALIAS].delete(store.cache_key)
    assert not is_signed_in(client)
