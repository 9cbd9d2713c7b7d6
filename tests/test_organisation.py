"""The organisation page: its mappings, its members, and invitations."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mapping.models import Invitation, Membership, Organisation, Role

from .conftest import client_for, make_user


def url(name: str, *args) -> str:
    return reverse(f"mapping:{name}", args=["forening", *args])


def text(response) -> str:
    return response.content.decode()


def role_of(user, organisation) -> str | None:
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    return membership.role if membership else None


# Home


def test_home_goes_straight_to_the_only_organisation(member_client):
    response = member_client.get(reverse("mapping:home"))
    assert response.status_code == 302
    assert response.url == "/o/forening/"


def test_home_lists_several_organisations(member_client, member, other_organisation):
    Membership.objects.create(user=member, organisation=other_organisation)
    response = member_client.get(reverse("mapping:home"))
    assert response.status_code == 200
    assert "Foreningen" in text(response) and "Andre" in text(response)


def test_home_tells_a_user_without_organisation_what_to_do(db):
    response = client_for(make_user("ny")).get(reverse("mapping:home"))
    assert response.status_code == 200
    assert "Bed en facilitator om en invitation." in text(response)


def test_home_asks_an_anonymous_visitor_to_sign_in(client, db):
    response = client.get(reverse("mapping:home"))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# The organisation page


def test_the_page_lists_the_mappings_newest_first(member_client, organisation):
    organisation.mappings.create(title="Kortlægning 2025")
    organisation.mappings.create(title="Kortlægning 2026")
    body = text(member_client.get(url("organisation-detail")))
    assert body.index("Kortlægning 2026") < body.index("Kortlægning 2025")


def test_a_member_sees_no_management(member_client, organisation, facilitator):
    body = text(member_client.get(url("organisation-detail")))
    assert url("mapping-create") not in body
    assert url("invitation-create") not in body
    assert "facilitator" not in body


def test_a_facilitator_sees_members_and_open_invitations(facilitator_client, organisation, facilitator, amo):
    invitation = Invitation.objects.create(organisation=organisation, token="open-token", created_by=facilitator)
    Invitation.objects.create(organisation=organisation, token="used-token", used_at="2026-01-01T00:00:00Z")
    body = text(facilitator_client.get(url("organisation-detail")))
    assert url("mapping-create") in body
    assert "amo" in body and "facilitator" in body
    assert invitation.get_absolute_url() in body
    assert "used-token" not in body


# Creating mappings


def test_it_creates_a_blank_mapping(facilitator_client, organisation):
    response = facilitator_client.post(url("mapping-create"), {"title": " Kortlægning 2027 ", "template": "blank"})
    mapping = organisation.mappings.get()
    assert response.status_code == 302
    assert response.url == mapping.get_absolute_url()
    assert mapping.title == "Kortlægning 2027"
    assert not mapping.initiatives.exists()


def test_it_creates_a_mapping_from_the_example(facilitator_client, organisation):
    facilitator_client.post(url("mapping-create"), {"title": "Vores eksempel", "template": "example"})
    mapping = organisation.mappings.get()
    assert mapping.title == "Vores eksempel"
    assert mapping.initiatives.count() == 38
    assert mapping.links.count() == 4
    board = facilitator_client.get(mapping.get_absolute_url())
    assert "Medarbejdersamtaler (MUS)" in text(board)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "template": "blank"}, "Dette felt er påkrævet."),
        ({"title": "x" * 10_000, "template": "blank"}, "højst have 200 tegn"),
        ({"title": "Ny", "template": "moon"}, ""),
    ],
)
def test_it_refuses_a_bad_new_mapping(facilitator_client, organisation, data, message):
    response = facilitator_client.post(url("mapping-create"), data)
    assert response.status_code == 400
    assert message in text(response)
    assert not organisation.mappings.exists()


# Members


def test_there_is_no_way_to_add_a_user_by_name_or_email(facilitator_client, organisation, outsider):
    outsider.email = "outsider@example.org"
    outsider.save()
    body = text(facilitator_client.get(url("organisation-detail")))
    assert "Brugernavn eller e-mail" not in body
    assert facilitator_client.post("/o/forening/members/add/", {"who": "outsider"}).status_code == 404
    assert role_of(outsider, organisation) is None


def test_an_email_shows_only_to_facilitators_of_an_organisation_the_user_joined(
    facilitator_client, member_client, organisation, member, outsider, outsider_client
):
    member.email = "member@example.org"
    member.save()
    assert "member@example.org" in text(facilitator_client.get(url("organisation-detail")))
    assert "member@example.org" not in text(member_client.get(url("organisation-detail")))
    assert "member@example.org" not in text(outsider_client.get("/o/andre/"))


def test_a_member_leaves_an_organisation(member_client, organisation, member):
    response = member_client.post(url("membership-leave"), follow=True)
    assert "Du har forladt Foreningen." in text(response)
    assert role_of(member, organisation) is None
    assert member_client.get(url("organisation-detail")).status_code == 404


def test_the_last_facilitator_cannot_leave(facilitator_client, organisation, facilitator):
    response = facilitator_client.post(url("membership-leave"), follow=True)
    assert "Du er den sidste facilitator" in text(response)
    assert role_of(facilitator, organisation) == Role.FACILITATOR


def test_a_facilitator_may_leave_when_another_remains(facilitator_client, organisation, facilitator, amo):
    Membership.objects.filter(user=amo).update(role=Role.FACILITATOR)
    facilitator_client.post(url("membership-leave"))
    assert role_of(facilitator, organisation) is None


def membership_of(user):
    return Membership.objects.get(user=user)


def test_it_changes_a_members_role(facilitator_client, organisation, member):
    response = facilitator_client.post(url("member-role", membership_of(member).pk), {"role": "amo"}, follow=True)
    assert "Rollen er ændret." in text(response)
    assert role_of(member, organisation) == Role.AMO


def test_it_refuses_an_unknown_role(facilitator_client, organisation, member):
    response = facilitator_client.post(url("member-role", membership_of(member).pk), {"role": "king"}, follow=True)
    assert "Ukendt rolle." in text(response)
    assert role_of(member, organisation) == Role.MEMBER


def test_it_keeps_the_last_facilitator(facilitator_client, organisation, facilitator):
    response = facilitator_client.post(
        url("member-role", membership_of(facilitator).pk), {"role": "member"}, follow=True
    )
    assert "Organisationen skal have mindst én facilitator." in text(response)
    assert role_of(facilitator, organisation) == Role.FACILITATOR


def test_a_facilitator_can_step_down_when_another_remains(facilitator_client, organisation, facilitator, amo):
    Membership.objects.filter(user=amo).update(role=Role.FACILITATOR)
    facilitator_client.post(url("member-role", membership_of(facilitator).pk), {"role": "amo"})
    assert role_of(facilitator, organisation) == Role.AMO
    assert facilitator_client.get(url("membership-leave")).status_code == 405


def test_a_membership_of_another_organisation_is_not_found(facilitator_client, outsider):
    response = facilitator_client.post(url("member-role", membership_of(outsider).pk), {"role": "member"})
    assert response.status_code == 404
    assert membership_of(outsider).role == Role.FACILITATOR


# Invitations


def test_it_creates_an_invitation(facilitator_client, organisation, facilitator):
    response = facilitator_client.post(url("invitation-create"), {"role": "amo"}, follow=True)
    invitation = organisation.invitations.get()
    assert (invitation.role, invitation.created_by, invitation.used_at) == ("amo", facilitator, None)
    assert len(invitation.token) >= 32
    assert invitation.get_absolute_url() in text(response)


def test_invitations_are_unguessable_and_distinct(facilitator_client, organisation):
    for _ in range(3):
        facilitator_client.post(url("invitation-create"), {"role": "member"})
    assert len(set(organisation.invitations.values_list("token", flat=True))) == 3


def test_it_refuses_an_invitation_with_an_unknown_role(facilitator_client, organisation):
    response = facilitator_client.post(url("invitation-create"), {"role": "king"})
    assert response.status_code == 400
    assert not organisation.invitations.exists()


@pytest.fixture
def invitation(organisation, facilitator):
    return Invitation.objects.create(organisation=organisation, token="a" * 32, role=Role.AMO, created_by=facilitator)


def test_an_invitation_shows_what_it_offers(invitation):
    person = make_user("kirsten")
    response = client_for(person).get(invitation.get_absolute_url())
    assert response.status_code == 200
    assert "Du er inviteret til Foreningen" in text(response)
    assert "AMO" in text(response)


def test_accepting_an_invitation_makes_a_member_with_its_role(invitation, organisation):
    person = make_user("kirsten")
    response = client_for(person).post(invitation.get_absolute_url())
    assert response.status_code == 302
    assert response.url == "/o/forening/"
    assert role_of(person, organisation) == Role.AMO
    invitation.refresh_from_db()
    assert invitation.used_at is not None


def test_an_invitation_works_once(invitation, organisation):
    first, second = make_user("kirsten"), make_user("karsten")
    client_for(first).post(invitation.get_absolute_url())
    assert client_for(second).post(invitation.get_absolute_url()).status_code == 404
    assert client_for(second).get(invitation.get_absolute_url()).status_code == 404
    assert role_of(second, organisation) is None


def test_an_invitation_asks_an_anonymous_visitor_to_sign_in_first(client, invitation):
    response = client.get(invitation.get_absolute_url())
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_an_unknown_invitation_is_not_found(member_client):
    assert member_client.get(reverse("mapping:invitation-accept", args=["nope"])).status_code == 404


# The demo for `make run`


def test_the_demo_is_the_example_with_a_demo_facilitator(db, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    demo = Organisation.objects.get(slug="demo")
    mapping = demo.mappings.get()
    assert (mapping.initiatives.count(), mapping.links.count()) == (38, 4)
    user = get_user_model().objects.get(username="demo")
    assert user.check_password("demo")
    assert Membership.objects.get(user=user, organisation=demo).role == Role.FACILITATOR


def test_the_demo_is_refused_in_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=StringIO())
    assert not get_user_model().objects.filter(username="demo").exists()


def test_an_invitation_works_end_to_end(facilitator_client, organisation, mapping):
    page = facilitator_client.post(url("invitation-create"), {"role": "amo"}, follow=True).content.decode()
    link = re.search(r'value="http://testserver(/invite/[\w-]+/)"', page).group(1)
    newcomer = client_for(make_user("kirsten"))
    assert newcomer.get(mapping.get_absolute_url()).status_code == 404
    assert "Tag imod" in newcomer.get(link).content.decode()
    response = newcomer.post(link, follow=True)
    assert response.redirect_chain == [("/o/forening/", 302)]
    assert "Kortlægning 2026" in response.content.decode()
    assert newcomer.get(mapping.get_absolute_url()).status_code == 200
    assert role_of(get_user_model().objects.get(username="kirsten"), organisation) == Role.AMO
    page = facilitator_client.get(url("organisation-detail")).content.decode()
    assert link not in page


def test_the_organisation_page_costs_the_same_queries_for_few_and_many(facilitator_client, organisation, facilitator):
    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert facilitator_client.get(url("organisation-detail")).status_code == 200
        return len(queries)

    def grow(n: int) -> None:
        for i in range(n):
            organisation.mappings.create(title=f"Kortlægning {i}")
            Membership.objects.create(
                user=make_user(f"person-{organisation.memberships.count()}"), organisation=organisation
            )
            Invitation.objects.create(organisation=organisation, token=f"token-{i}-{n}", created_by=facilitator)

    grow(2)
    few = page_queries()
    grow(30)
    assert page_queries() == few
