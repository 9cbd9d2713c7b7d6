"""Login throttling with django-axes: locked out by user and client, a clear Danish message, an admin
unlock (issue 11 §1.7)."""

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from .conftest import client_for

LOGIN = "/accounts/login/"


def sign_in(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def test_the_right_password_is_refused_after_five_wrong_ones(member):
    browser = Client(REMOTE_ADDR="10.1.1.1")
    statuses = [sign_in(browser, "member", f"wrong-{n}").status_code for n in range(5)]
    assert statuses[:4] == [200] * 4  # the form again, with its error
    response = sign_in(browser, "member", "pw-member")
    assert response.status_code == 429
    assert "For mange forkerte adgangskoder" in response.content.decode()
    assert "_auth_user_id" not in browser.session


def test_the_lockout_is_per_user_and_client(member, amo):
    for n in range(5):
        sign_in(Client(REMOTE_ADDR="10.1.1.1"), "member", f"wrong-{n}")
    assert sign_in(Client(REMOTE_ADDR="10.2.2.2"), "member", "pw-member").status_code == 302  # elsewhere
    assert sign_in(Client(REMOTE_ADDR="10.1.1.1"), "amo", "pw-amo").status_code == 302  # someone else here


def test_the_message_is_translated(member):
    browser = Client(REMOTE_ADDR="10.1.1.1", headers={"accept-language": "en"})
    browser.cookies["django_language"] = "en"
    for n in range(6):
        response = sign_in(browser, "member", f"wrong-{n}")
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.content.decode()


def test_an_admin_unlocks_in_the_admin(member):
    browser = Client(REMOTE_ADDR="10.1.1.1")
    for n in range(5):
        sign_in(browser, "member", f"wrong-{n}")
    attempt = AccessAttempt.objects.get(username="member")
    root = client_for(get_user_model().objects.create_superuser("root", "root@example.org", "pw-root"))
    assert "member" in root.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    root.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert sign_in(browser, "member", "pw-member").status_code == 302
