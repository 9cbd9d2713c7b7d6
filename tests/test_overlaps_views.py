"""Overlap and related findings as a user meets them: gaps.json, dismissing one, the printed overview."""

from django.urls import reverse

from mapping.models import Initiative, Link
from tests.conftest import add_card


def url(name, mapping):
    return reverse(f"mapping:{name}", args=[mapping.organisation.slug, mapping.pk])


def findings_of(client, mapping, code) -> list[dict]:
    response = client.get(url("gaps-json", mapping))
    assert response.status_code == 200
    return [f for f in response.json()["findings"] if f["code"] == code]


def alike_cards(mapping, n: int) -> list[Initiative]:
    return Initiative.objects.bulk_create(
        [
            Initiative(mapping=mapping, title=f"Indsats nummer {i:03d}", level="gruppe", dimension="kultur", position=i)
            for i in range(1, n + 1)
        ]
    )


def test_alike_titles_are_one_finding_that_lists_them_all_and_can_be_dismissed(facilitator_client, mapping):
    cards = alike_cards(mapping, 120)
    (finding,) = findings_of(facilitator_client, mapping, "overlap")
    assert sorted(finding["initiatives"]) == sorted(card.pk for card in cards)
    assert finding["message"].startswith("120 indsatser ligner hinanden: “Indsats nummer 001”")
    assert len(finding["key"]) <= 200

    response = facilitator_client.post(url("finding-dismiss", mapping), {"key": finding["key"]})
    assert response.status_code == 302
    assert findings_of(facilitator_client, mapping, "overlap") == []
    assert mapping.dismissals.get().key == finding["key"]


def test_a_mapping_of_alike_titles_prints(facilitator_client, mapping):
    alike_cards(mapping, 120)
    response = facilitator_client.get(url("mapping-export-pdf", mapping))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_related_initiatives_are_suggested_until_someone_links_them(facilitator_client, mapping):
    apv = add_card(mapping, "Arbejdspladsvurdering (APV)", "organisation")
    plan = add_card(mapping, "Handlingsplan for APV", "ledelse")
    add_card(mapping, "Kollegial sparring", "individ", "kultur")
    (finding,) = findings_of(facilitator_client, mapping, "related_unlinked")
    assert sorted(finding["initiatives"]) == sorted([apv.pk, plan.pk])
    assert finding["severity"] == "low"
    assert finding["message"].endswith("hører sammen, men er ikke forbundet. Forbind dem?")
    assert findings_of(facilitator_client, mapping, "overlap") == []

    with mapping.change():
        Link.objects.create(mapping=mapping, source=apv, target=plan)
    assert findings_of(facilitator_client, mapping, "related_unlinked") == []
