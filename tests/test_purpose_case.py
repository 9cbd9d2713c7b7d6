"""Purpose titles are unique per mapping regardless of case, in the database itself (issue 11 §1.6)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from mapping.forms import PurposeForm
from mapping.models import Purpose

from .conftest import HTMX


def test_the_database_refuses_a_case_twin(mapping):
    Purpose.objects.create(mapping=mapping, title="Trivsel")
    with pytest.raises(IntegrityError), transaction.atomic():
        Purpose.objects.create(mapping=mapping, title="trivsel")


def test_another_mapping_may_use_the_same_title(mapping, organisation):
    Purpose.objects.create(mapping=mapping, title="Trivsel")
    other = organisation.mappings.create(title="Næste år")
    Purpose.objects.create(mapping=other, title="trivsel")
    assert Purpose.objects.filter(title__iexact="trivsel").count() == 2


@pytest.fixture
def checks_passed(monkeypatch):
    """Two people adding "Trivsel" and "trivsel" at the same moment: both forms' checks find no twin."""
    monkeypatch.setattr(PurposeForm, "clean_title", lambda form: form.cleaned_data["title"].strip())
    monkeypatch.setattr(PurposeForm, "validate_constraints", lambda form: None)


def test_a_twin_added_at_the_same_moment_gets_the_forms_error(facilitator_client, mapping, checks_passed):
    url = reverse("mapping:purpose-create", args=["forening", mapping.pk])
    facilitator_client.post(url, {"title": "Trivsel"}, headers=HTMX)
    response = facilitator_client.post(url, {"title": "trivsel"}, headers=HTMX)
    assert response.status_code == 200
    assert "Det formål findes allerede." in response.content.decode()
    assert list(mapping.purposes.values_list("title", flat=True)) == ["Trivsel"]


def test_a_rename_into_a_twin_gets_the_forms_error(facilitator_client, mapping, checks_passed):
    Purpose.objects.create(mapping=mapping, title="Trivsel")
    other = Purpose.objects.create(mapping=mapping, title="Læring")
    url = reverse("mapping:purpose-update", args=["forening", mapping.pk, other.pk])
    response = facilitator_client.post(url, {"title": "TRIVSEL", "was": "Læring"}, headers=HTMX)
    assert "Det formål findes allerede." in response.content.decode()
    other.refresh_from_db()
    assert other.title == "Læring"


def test_the_form_says_so_without_a_race(facilitator_client, mapping):
    Purpose.objects.create(mapping=mapping, title="Trivsel")
    url = reverse("mapping:purpose-create", args=["forening", mapping.pk])
    response = facilitator_client.post(url, {"title": "trivsel"}, headers=HTMX)
    assert "Det formål findes allerede." in response.content.decode()
    assert mapping.purposes.count() == 1


def test_the_export_of_a_mapping_with_purposes_imports_again(facilitator_client, organisation, mapping):
    Purpose.objects.create(mapping=mapping, title="Trivsel")
    Purpose.objects.create(mapping=mapping, title="Trivsel for alle")
    exported = facilitator_client.get(reverse("mapping:mapping-export-json", args=["forening", mapping.pk])).json()
    upload = ("x.json", json.dumps(exported).encode())

    response = facilitator_client.post(
        reverse("mapping:mapping-import", args=["forening"]), {"file": SimpleUploadedFile(*upload)}
    )
    assert response.status_code == 302
    copy = organisation.mappings.exclude(pk=mapping.pk).get()
    assert sorted(copy.purposes.values_list("title", flat=True)) == ["Trivsel", "Trivsel for alle"]
