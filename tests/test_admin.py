"""Every model of the app in the admin: its list, its add form and an object's page open."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from mapping.models import (
    Action,
    Discussion,
    FindingDismissal,
    Goal,
    Input,
    InputKind,
    Invitation,
    Purpose,
    Release,
    Session,
)

from .conftest import client_for

MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "mapping"), key=lambda m: m.__name__
)


def test_every_model_of_the_app_is_in_the_admin():
    # But sessions: an admin page is named by its row's key, and a session's key signs its person in.
    assert set(MODELS) == set(apps.get_app_config("mapping").get_models()) - {Session}
    assert Session not in admin.site._registry


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_admin_pages_of_a_model_open(model, example, facilitator):
    Invitation.objects.create(organisation=example.organisation, token="t" * 32, created_by=facilitator)
    Purpose.objects.create(mapping=example, title="Trivsel")
    Action.objects.create(mapping=example, title="Følg op", burden=3)
    FindingDismissal.objects.create(mapping=example, key="no_owner:i1", code="no_owner")
    Discussion.objects.create(mapping=example, participants="Anna, leder")
    Goal.objects.create(mapping=example, title="Færre sygedage")
    workshop = example.workshops.create(code="ABCD2345")
    Input.objects.create(workshop=workshop, kind=InputKind.COMMENT, text="Godt", participant="p", idempotency_key="k")
    Release.objects.create(
        workshop=workshop,
        kind=InputKind.RATING,
        initiative=example.initiatives.first(),
        count=5,
        purpose_total=20,
        works_total=15,
    )
    admin_user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-root")
    client = client_for(admin_user)
    opts = model._meta
    instance = model.objects.first()
    assert instance is not None
    pages = [
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + "?q=MUS",
        reverse(f"admin:{opts.app_label}_{opts.model_name}_add"),
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk]),
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page


def test_the_admin_refuses_a_link_without_a_target_on_the_form(example):
    admin_user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-root")
    card = example.initiatives.first()
    response = client_for(admin_user).post(
        reverse("admin:mapping_link_add"),
        {"mapping": example.pk, "source": card.pk, "target": "", "kind": "related", "note": ""},
    )
    assert response.status_code == 200
    assert "Dette felt er påkrævet." in response.content.decode()
