"""Leaving no data behind: password reset by e-mail, deleting an organisation or an account,
workshop input that expires (purge_expired), and an organisation's zip export."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mapping.exchange import create_mapping, parse_upload, validate
from mapping.models import Input, InputKind, Membership, Organisation, Role, Session, Workshop, WorkshopStatus

from .conftest import add_card, client_for, make_user

User = get_user_model()


# Password reset


def reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)


def test_the_login_page_offers_a_password_reset(client, db):
    body = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in body
    assert "Glemt din adgangskode?" in body


def test_a_forgotten_password_is_reset_through_the_link_in_a_danish_mail(client, member):
    member.email = "m@example.org"
    member.save()
    response = client.post(reverse("password_reset"), {"email": "m@example.org"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert "Se din e-mail" in client.get(response.url).content.decode()
    (message,) = mail.outbox
    assert message.to == ["m@example.org"]
    assert message.subject == "Ny adgangskode til IGLO"
    assert "Vælg en ny adgangskode her" in message.body

    form = client.get(reset_link(message), follow=True)
    assert "Gentag den nye adgangskode" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "grøn-tavle-2026", "new_password2": "grøn-tavle-2026"}
    )
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    # django-axes asks the login for its request (whose client it counts).
    assert Client().login(request=HttpRequest(), username="member", password="grøn-tavle-2026")
    # The link works once.
    again = client.get(reset_link(message), follow=True).content.decode()
    assert "Linket virker ikke længere" in again


def test_the_reset_mail_is_english_for_an_english_browser(member):
    member.email = "m@example.org"
    member.save()
    Client(headers={"Accept-Language": "en"}).post(reverse("password_reset"), {"email": "m@example.org"})
    (message,) = mail.outbox
    assert message.subject == "New password for IGLO"
    assert "Choose a new password here" in message.body


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, member):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert mail.outbox == []


# Deleting an organisation


def a_workshop_with_input(mapping) -> Workshop:
    card = add_card(mapping, "MUS")
    workshop = mapping.workshops.create(code="ABCD2345")
    Input.objects.create(
        workshop=workshop, kind=InputKind.COMMENT, initiative=card, text="Godt", participant="p", idempotency_key="k"
    )
    return workshop


def delete_url(org="forening") -> str:
    return reverse("mapping:organisation-delete", args=[org])


def test_the_organisation_page_links_to_the_export_and_the_deletion(facilitator_client, organisation):
    body = facilitator_client.get(organisation.get_absolute_url()).content.decode()
    assert reverse("mapping:organisation-export-zip", args=["forening"]) in body
    assert delete_url() in body


def test_members_see_no_danger_zone(member_client, organisation):
    body = member_client.get(organisation.get_absolute_url()).content.decode()
    assert delete_url() not in body


def test_deleting_an_organisation_needs_its_name_typed(facilitator_client, organisation, mapping):
    page = facilitator_client.get(delete_url()).content.decode()
    assert "Det kan ikke fortrydes." in page
    response = facilitator_client.post(delete_url(), {"confirm": "forening"})
    assert response.status_code == 400
    assert "Navnet passer ikke" in response.content.decode()
    assert Organisation.objects.filter(slug="forening").exists()


def test_a_facilitator_deletes_the_organisation_and_everything_in_it(
    facilitator_client, facilitator, member, organisation, mapping, outsider, other_organisation
):
    a_workshop_with_input(mapping)
    other_mapping = other_organisation.mappings.create(title="Deres")
    page = facilitator_client.get(delete_url()).content.decode()
    assert "1 workshop med alt medarbejdernes input slettes også." in page
    assert "2 medlemmer mister adgangen" in page
    response = facilitator_client.post(delete_url(), {"confirm": " Foreningen "})
    assert response.status_code == 302 and response.url == reverse("mapping:home")
    assert not Organisation.objects.filter(slug="forening").exists()
    assert not Membership.objects.filter(organisation_id=organisation.pk).exists()
    assert not Workshop.objects.filter(mapping_id=mapping.pk).exists()
    assert not Input.objects.exists()
    # People keep their accounts; other organisations keep everything.
    assert User.objects.filter(pk__in=[facilitator.pk, member.pk]).count() == 2
    assert other_mapping in other_organisation.mappings.all()


# Deleting an account


def account_delete(client, password):
    return client.post(reverse("mapping:account-delete"), {"password": password})


def test_deleting_an_account_needs_the_password(member_client, member):
    response = account_delete(member_client, "wrong")
    assert response.status_code == 400
    assert "Adgangskoden er forkert." in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()


def test_a_member_deletes_their_account_and_the_organisation_goes_on(member_client, member, facilitator, mapping):
    response = account_delete(member_client, "pw-member")
    assert response.status_code == 302 and response.url == reverse("login")
    assert not User.objects.filter(pk=member.pk).exists()
    assert Organisation.objects.filter(slug="forening").exists()
    assert member_client.get(reverse("mapping:home")).status_code == 302  # signed out


def test_the_last_facilitator_of_an_organisation_with_others_cannot_delete_their_account(
    facilitator_client, facilitator, member
):
    page = facilitator_client.get(reverse("mapping:account")).content.decode()
    assert "Gør en anden til facilitator først" in page
    assert 'name="password"' not in page
    response = account_delete(facilitator_client, "pw-facilitator")
    assert response.status_code == 409
    assert User.objects.filter(pk=facilitator.pk).exists()
    assert Organisation.objects.filter(slug="forening").exists()


def test_with_a_second_facilitator_the_first_may_go(facilitator_client, facilitator, member):
    Membership.objects.filter(user=member).update(role=Role.FACILITATOR)
    assert account_delete(facilitator_client, "pw-facilitator").status_code == 302
    assert not User.objects.filter(pk=facilitator.pk).exists()
    assert Organisation.objects.get(slug="forening").memberships.get().user == member


def test_an_organisation_of_one_is_deleted_with_its_only_member(db):
    alone = make_user("alene")
    organisation = Organisation.objects.create(name="Enkeltmand", slug="enkelt")
    Membership.objects.create(user=alone, organisation=organisation, role=Role.FACILITATOR)
    a_workshop_with_input(organisation.mappings.create(title="Min"))
    client = client_for(alone)
    page = client.get(reverse("mapping:account")).content.decode()
    assert "De slettes med alt indhold" in page and "Enkeltmand" in page
    assert account_delete(client, "pw-alene").status_code == 302
    assert not Organisation.objects.filter(slug="enkelt").exists()
    assert not Input.objects.exists()


# Workshop input that expires


def ended_workshop(mapping, code: str, days_ago: int, kept: int | None) -> Workshop:
    card = add_card(mapping, f"Kort {code}")
    workshop = mapping.workshops.create(
        code=code, status=WorkshopStatus.CLOSED, closed_at=timezone.now() - timedelta(days=days_ago)
    )
    Workshop.objects.filter(pk=workshop.pk).update(input_kept_days=kept)
    for n in range(3):
        Input.objects.create(
            workshop=workshop,
            kind=InputKind.COMMENT,
            initiative=card,
            text="x",
            participant=f"p{n}",
            idempotency_key=f"k{n}",
        )
    return workshop


def purge() -> str:
    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    return out.getvalue()


def test_a_new_workshop_keeps_its_input_ninety_days(mapping):
    workshop = mapping.workshops.create(code="NEWW2345")
    assert workshop.input_kept_days == 90
    assert workshop.input_expires == workshop.created + timedelta(hours=24, days=90)


def test_purge_expired_deletes_only_input_past_its_time_and_says_how_much(mapping):
    expired = ended_workshop(mapping, "OLDD2345", days_ago=91, kept=90)
    recent = ended_workshop(mapping, "NEWW2345", days_ago=10, kept=90)
    kept = ended_workshop(mapping, "KEEP2345", days_ago=400, kept=None)
    version = mapping.version
    assert "3 input rows from 1 workshops" in purge()
    assert not expired.inputs.exists()
    assert recent.inputs.count() == 3 and kept.inputs.count() == 3
    assert Workshop.objects.filter(pk=expired.pk).exists()  # the workshop stays, its input goes
    mapping.refresh_from_db()
    assert mapping.version > version  # open boards refresh: ratings and votes left them
    assert "0 input rows from 0 workshops" in purge()  # nothing more the second time


def test_a_workshop_never_closed_ends_a_day_after_it_started(mapping):
    workshop = a_workshop_with_input(mapping)
    Workshop.objects.filter(pk=workshop.pk).update(created=timezone.now() - timedelta(days=30), input_kept_days=28)
    assert "1 input rows from 1 workshops" in purge()


def test_purge_expired_deletes_expired_sessions(member_client):
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert "1 expired sessions" in purge()
    assert not Session.objects.exists()


def test_the_workshop_screen_sets_how_long_input_is_kept(facilitator_client, mapping):
    workshop = mapping.workshops.create(code="ABCD2345")
    url = reverse("mapping:workshop-retention", args=["forening", mapping.pk, workshop.pk])
    page = facilitator_client.get(reverse("mapping:workshop", args=["forening", mapping.pk])).content.decode()
    assert url in page
    assert facilitator_client.post(url, {"input_kept_days": "30"}).status_code == 302
    workshop.refresh_from_db()
    assert workshop.input_kept_days == 30
    facilitator_client.post(url, {"input_kept_days": ""})
    workshop.refresh_from_db()
    assert workshop.input_kept_days is None
    facilitator_client.post(url, {"input_kept_days": "7"})  # not one of the choices
    workshop.refresh_from_db()
    assert workshop.input_kept_days is None


# The organisation's zip


def test_the_zip_holds_every_mapping_and_each_imports_again(facilitator_client, organisation, example):
    second = organisation.mappings.create(title="Kortlægning 2027")
    add_card(second, "Trivselsmåling", "organisation", "struktur")
    response = facilitator_client.get(reverse("mapping:organisation-export-zip", args=["forening"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="forening-kortlaegninger.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert names == [f"{example.pk:04d}-{names[0][5:]}", f"{second.pk:04d}-kortlægning-2027.json"]
    imported = [create_mapping(organisation, validate(parse_upload(archive.read(name)))) for name in names]
    assert imported[0].initiatives.count() == example.initiatives.active().count()
    assert imported[1].initiatives.get().title == "Trivselsmåling"


@pytest.mark.parametrize("who", ["member_client", "amo_client", "outsider_client"])
def test_only_a_facilitator_downloads_the_whole_organisation(request, who, organisation):
    client = request.getfixturevalue(who)
    response = client.get(reverse("mapping:organisation-export-zip", args=["forening"]))
    assert response.status_code in {403, 404}


def test_mail_goes_through_the_smtp_server_named_in_the_environment():
    from .test_settings import PRODUCTION_KEY, manage

    show = "from django.conf import settings; o = settings.MAILERS['default']['OPTIONS']; print(o['host'], o['port'], o['use_tls'])"
    production = {"DEBUG": "0", "SECRET_KEY": PRODUCTION_KEY, "ALLOWED_HOSTS": "iglo.example.org"}
    named = manage("shell", "-c", show, **production, EMAIL_HOST="smtp.example.org", EMAIL_HOST_USER="iglo")
    assert named.stdout.splitlines()[-1] == "smtp.example.org 587 True"
    local = manage("shell", "-c", show, **production)
    assert local.stdout.splitlines()[-1] == "localhost 25 False"
