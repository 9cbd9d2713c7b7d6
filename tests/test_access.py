"""The one permission gate: outsiders see nothing, roles decide writes."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from mapping.access import Need, gate
from mapping.models import Membership


def request_by(user):
    request = RequestFactory().get("/")
    request.user = user if user is not None else AnonymousUser()
    return request


def test_it_lets_a_member_read_the_organisation(organisation, member):
    access = gate(request_by(member), "forening")
    assert access.organisation == organisation
    assert not hasattr(access, "mapping")  # an organisation URL names no mapping
    assert not access.can_edit and not access.can_manage


def test_it_resolves_the_mapping_of_the_organisation(organisation, mapping, member):
    access = gate(request_by(member), "forening", mapping.pk)
    assert access.mapping == mapping
    assert access.mapping.organisation is access.organisation


def test_it_hides_the_organisation_from_anonymous_visitors(organisation, mapping):
    with pytest.raises(Http404):
        gate(request_by(None), "forening")
    with pytest.raises(Http404):
        gate(request_by(None), "forening", mapping.pk)


def test_it_hides_the_organisation_from_outsiders(organisation, mapping, outsider):
    with pytest.raises(Http404):
        gate(request_by(outsider), "forening")
    with pytest.raises(Http404):
        gate(request_by(outsider), "forening", mapping.pk, Need.EDIT)


def test_an_unknown_organisation_looks_like_a_forbidden_one(outsider):
    with pytest.raises(Http404):
        gate(request_by(outsider), "findes-ikke")


def test_it_hides_a_mapping_of_another_organisation(organisation, other_organisation, facilitator):
    foreign = other_organisation.mappings.create(title="Fremmed")
    with pytest.raises(Http404):
        gate(request_by(facilitator), "forening", foreign.pk)


def test_it_hides_a_mapping_that_does_not_exist(organisation, facilitator):
    with pytest.raises(Http404):
        gate(request_by(facilitator), "forening", 999_999)


def test_an_outsider_cannot_reach_their_own_mapping_through_another_organisation(
    organisation, other_organisation, outsider
):
    own = other_organisation.mappings.create(title="Egen")
    with pytest.raises(Http404):
        gate(request_by(outsider), "forening", own.pk)


def test_it_refuses_a_member_write_access(mapping, member):
    with pytest.raises(PermissionDenied):
        gate(request_by(member), "forening", mapping.pk, Need.EDIT)
    with pytest.raises(PermissionDenied):
        gate(request_by(member), "forening", need=Need.MANAGE)


def test_it_lets_amo_edit_but_not_manage(mapping, amo):
    access = gate(request_by(amo), "forening", mapping.pk, Need.EDIT)
    assert access.can_edit and not access.can_manage
    with pytest.raises(PermissionDenied):
        gate(request_by(amo), "forening", need=Need.MANAGE)


def test_it_lets_a_facilitator_manage(mapping, facilitator):
    access = gate(request_by(facilitator), "forening", mapping.pk, Need.MANAGE)
    assert access.can_edit and access.can_manage


def test_it_hides_the_organisation_from_a_former_member(organisation, mapping, member):
    Membership.objects.filter(user=member).delete()
    with pytest.raises(Http404):
        gate(request_by(member), "forening", mapping.pk)


def test_it_reads_the_mapping_and_the_users_own_role_in_one_query(
    mapping, member, facilitator, amo, django_assert_num_queries
):
    with django_assert_num_queries(1):
        access = gate(request_by(member), "forening", mapping.pk)
    assert access.membership == Membership.objects.get(user=member)
    assert access.membership.role == "member" and not access.can_edit
    assert access.mapping.version == mapping.version


def test_the_gates_one_query_reads_mapping_and_organisation_as_the_orm_does(facilitator, mapping):
    from django.forms.models import model_to_dict

    from mapping.access import mapping_membership

    found = mapping_membership(mapping.pk, mapping.organisation.slug, facilitator.pk)
    assert found is not None
    read, membership_pk, role = found
    assert (membership_pk, role) == (facilitator.memberships.get().pk, "facilitator")
    stored = type(mapping).objects.select_related("organisation").get(pk=mapping.pk)
    assert model_to_dict(read) == model_to_dict(stored) and read.updated == stored.updated
    assert model_to_dict(read.organisation) == model_to_dict(stored.organisation)
    assert mapping_membership(mapping.pk, "another-org", facilitator.pk) is None
    assert mapping_membership(10**25, mapping.organisation.slug, facilitator.pk) is None  # past any id
