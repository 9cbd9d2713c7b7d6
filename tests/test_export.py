"""JSON export and import: lossless both ways, and a refused file changes nothing."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mapping import exchange
from mapping.example import example_data
from mapping.models import Initiative, Link, Mapping, Purpose

from .conftest import add_card, fill_mapping


def export_url(mapping) -> str:
    return reverse("mapping:mapping-export-json", args=[mapping.organisation.slug, mapping.pk])


IMPORT_URL = reverse("mapping:mapping-import", args=["forening"])


def upload(client, content: bytes | str, name: str = "kortlaegning.json"):
    if isinstance(content, str):
        content = content.encode()
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content, "application/json")})


def exported(client, mapping) -> dict:
    response = client.get(export_url(mapping))
    assert response.status_code == 200
    return json.loads(response.content)


def without_ids(data: dict) -> dict:
    """The document with ids replaced by what they point at, and without the export time."""
    purposes = {p["id"]: p["title"] for p in data["purposes"]}
    initiatives = {i["id"]: n for n, i in enumerate(data["initiatives"])}
    return {
        **{k: v for k, v in data.items() if k not in {"id", "exported_at", "purposes", "initiatives", "links"}},
        "purposes": [{k: v for k, v in p.items() if k != "id"} for p in data["purposes"]],
        "initiatives": [
            {
                **{k: v for k, v in i.items() if k not in {"id", "purposes"}},
                "purposes": sorted(purposes[p] for p in i["purposes"]),
            }
            for i in data["initiatives"]
        ],
        "links": [
            {
                **{k: v for k, v in link.items() if k not in {"id", "source", "target"}},
                "source": initiatives[link["source"]],
                "target": initiatives[link["target"]],
            }
            for link in data["links"]
        ],
    }


@pytest.fixture
def rich(example):
    """The example with every field in use, a deleted card and a gap in the positions."""
    zebra = Purpose.objects.create(mapping=example, title="Zebra", description="Sidst i alfabetet")
    alfa = Purpose.objects.create(mapping=example, title="Alfa")
    cards = list(example.initiatives.order_by("id"))
    cards[0].set_purposes([zebra, alfa])
    cards[5].set_purposes([alfa])
    example.initiatives.filter(pk=cards[0].pk).update(
        description="Én gang om året\nmed opfølgning",
        owner="Ledergruppen",
        cadence="årligt",
        effect="clear",
        status="paused",
        is_measurement=True,
        reviewed_at=datetime.date(2026, 3, 1),
    )
    example.initiatives.filter(pk=cards[1].pk).update(deleted_at="2026-01-01T00:00:00Z")
    Link.objects.create(mapping=example, source=cards[1], target=cards[2])
    Link.objects.create(mapping=example, source=cards[3], target=cards[4], kind="built_into", note="<b>note</b> “x”")
    return example


def test_the_export_is_a_json_download_of_the_whole_mapping(member_client, example):
    response = member_client.get(export_url(example))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="eksempel-paa-kortlaegning.json"'
    data = json.loads(response.content)
    assert (data["format"], data["format_version"], data["title"]) == ("iglo-mapping", 1, "Eksempel på kortlægning")
    assert len(data["initiatives"]) == 38
    assert len(data["links"]) == 4
    mus = next(i for i in data["initiatives"] if i["title"] == "Medarbejdersamtaler (MUS)")
    assert {k: mus[k] for k in ["level", "dimension", "position", "status", "effect"]} == {
        "level": "individ",
        "dimension": "struktur",
        "position": 0,
        "status": "active",
        "effect": "unknown",
    }


@pytest.mark.parametrize(
    ("title", "suffix", "name"),
    [
        ("Kortlægning på Ærø, år 2026", "", "kortlaegning-paa-aeroe-aar-2026"),
        ("ØSTERBRO", "-uddeling", "oesterbro-uddeling"),
        ("!!!", "", "kortlaegning"),
    ],
)
def test_both_downloads_name_their_file_one_way(title, suffix, name):
    from mapping.views.export import download_name

    assert download_name(title, suffix) == name


def test_the_export_page_runs_no_gap_analysis(member_client, example, monkeypatch):
    def findings(mapping, today=None):
        raise AssertionError("the choice page must not run the gap analysis")

    monkeypatch.setattr("mapping.models.Mapping.findings", findings)
    response = member_client.get(reverse("mapping:mapping-export", args=[example.organisation.slug, example.pk]))
    assert response.status_code == 200
    assert "Hent PDF" in response.content.decode()


def test_the_export_leaves_out_deleted_cards_and_their_links(member_client, rich):
    data = exported(member_client, rich)
    assert len(data["initiatives"]) == 37
    assert len(data["links"]) == 5
    ids = {i["id"] for i in data["initiatives"]}
    assert all(link["source"] in ids and link["target"] in ids for link in data["links"])


def test_export_import_export_gives_the_same_document(facilitator_client, organisation, rich):
    first = exported(facilitator_client, rich)
    response = upload(facilitator_client, json.dumps(first))
    copy = organisation.mappings.exclude(pk=rich.pk).get()
    assert response.status_code == 302
    assert response.url == copy.get_absolute_url()
    second = exported(facilitator_client, copy)
    assert without_ids(second) == without_ids(first)
    assert {i["id"] for i in second["initiatives"]}.isdisjoint({i["id"] for i in first["initiatives"]})
    assert copy.initiatives.get(title="Medarbejdersamtaler (MUS)").reviewed_at == datetime.date(2026, 3, 1)


def test_an_imported_mapping_opens_on_the_board(facilitator_client, organisation, example):
    upload(facilitator_client, json.dumps(exported(facilitator_client, example)))
    copy = organisation.mappings.exclude(pk=example.pk).get()
    response = facilitator_client.get(copy.get_absolute_url(), follow=True)
    assert "Kortlægningen er importeret." in response.content.decode()
    assert "Medarbejdersamtaler (MUS)" in response.content.decode()


def test_the_shipped_example_is_valid_and_complete():
    clean = exchange.validate(example_data())
    assert len(clean["initiatives"]) == 38
    assert len(clean["links"]) == 4
    assert {(link["source"], link["target"]) for link in clean["links"]} >= {("stresspolitik", "mus")}


def document(**changes) -> dict:
    data = {
        "format": "iglo-mapping",
        "format_version": 1,
        "title": "Importeret",
        "purposes": [{"id": 1, "title": "Trivsel"}],
        "initiatives": [
            {"id": 1, "title": "MUS", "level": "individ", "dimension": "struktur", "purposes": [1]},
            {"id": 2, "title": "Teammøder", "level": "gruppe", "dimension": "struktur"},
        ],
        "links": [{"source": 1, "target": 2}],
    }
    data.update(changes)
    return data


def with_initiative(**fields) -> dict:
    data = document()
    data["initiatives"][0].update(fields)
    return data


def test_a_minimal_document_imports(facilitator_client, organisation):
    response = upload(facilitator_client, json.dumps(document()))
    assert response.status_code == 302
    mapping = organisation.mappings.get()
    assert mapping.title == "Importeret"
    mus = mapping.initiatives.get(title="MUS")
    assert (mus.status, mus.effect, mus.is_measurement) == ("active", "unknown", None)
    assert [p.title for p in mus.purposes.all()] == ["Trivsel"]
    assert mapping.links.get().kind == "related"


def test_an_export_saved_with_a_byte_order_mark_imports(facilitator_client, organisation):
    response = upload(facilitator_client, "\ufeff" + json.dumps(document()))
    assert response.status_code == 302
    assert organisation.mappings.count() == 1


REFUSALS = {
    "malformed json": ('{"format": "iglo-mapping",', "Filen er ikke gyldig JSON."),
    "not utf-8": (b"\xff\xfe\x00{", "Filen er ikke gyldig JSON."),
    "deeply nested": ("[" * 100_000 + "]" * 100_000, "Filen er ikke gyldig JSON."),
    "foreign json": (json.dumps({"type": "FeatureCollection", "features": []}), "Filen er ikke en IGLO-eksport."),
    "a list": (json.dumps([document()]), "Filen er ikke en IGLO-eksport."),
    "newer format": (json.dumps(document(format_version=2)), "fra en version af IGLO, vi ikke kan læse"),
    "no title": (json.dumps(document(title="  ")), "Kortlægningen: feltet “title” mangler."),
    "long title": (json.dumps(document(title="x" * 10_000)), "er længere end 200 tegn"),
    "bad level": (json.dumps(with_initiative(level="kælder")), "“kælder” er ikke en gyldig værdi for “level”"),
    "no level": (json.dumps(with_initiative(level=None)), "ikke en gyldig værdi for “level”"),
    "bad dimension": (json.dumps(with_initiative(dimension="mellem")), "ikke en gyldig værdi for “dimension”"),
    "bad effect": (json.dumps(with_initiative(effect="huge")), "ikke en gyldig værdi for “effect”"),
    "bad status": (json.dumps(with_initiative(status=["active"])), "ikke en gyldig værdi for “status”"),
    "title not text": (json.dumps(with_initiative(title=42)), "Indsats nr. 1: feltet “title” skal være tekst."),
    "empty title": (json.dumps(with_initiative(title="")), "Indsats nr. 1: feltet “title” mangler."),
    "long description": (json.dumps(with_initiative(description="x" * 5001)), "er længere end 5000 tegn"),
    "negative position": (json.dumps(with_initiative(position=-1)), "“position” skal være"),
    "huge position": (json.dumps(with_initiative(position=10**30)), "“position” skal være"),
    "text position": (json.dumps(with_initiative(position="1")), "“position” skal være"),
    "measurement not bool": (json.dumps(with_initiative(is_measurement="yes")), "“is_measurement” skal være"),
    "bad date": (json.dumps(with_initiative(reviewed_at="2026-02-30")), "“reviewed_at” skal være en dato."),
    "date not text": (json.dumps(with_initiative(reviewed_at=20260301)), "“reviewed_at” skal være en dato."),
    "unknown purpose": (json.dumps(with_initiative(purposes=[9])), "peger på et formål, der ikke er i filen."),
    "purposes not a list": (json.dumps(with_initiative(purposes=1)), "peger på et formål, der ikke er i filen."),
    "purpose reference a list": (
        json.dumps(with_initiative(purposes=[[1]])),
        "peger på et formål, der ikke er i filen.",
    ),
    "initiatives not a list": (json.dumps(document(initiatives={"1": {}})), "Feltet “initiatives” skal være en liste."),
    "initiative not an object": (json.dumps(document(initiatives=["MUS"])), "Feltet “initiatives” skal være en liste."),
    "duplicate initiative id": (
        json.dumps(with_initiative(id=2)),
        "Indsats nr. 2 har et manglende eller gentaget id.",
    ),
    "missing initiative id": (json.dumps(with_initiative(id=None)), "har et manglende eller gentaget id."),
    "initiative id a list": (json.dumps(with_initiative(id=[1])), "har et manglende eller gentaget id."),
    "initiative id an object": (json.dumps(with_initiative(id={"a": 1})), "har et manglende eller gentaget id."),
    "purpose id a list": (
        json.dumps(document(purposes=[{"id": [1], "title": "Trivsel"}])),
        "har et manglende eller gentaget id.",
    ),
    "two purposes one title": (
        json.dumps(document(purposes=[{"id": 1, "title": "Trivsel"}, {"id": 2, "title": "TRIVSEL"}])),
        "To formål har samme titel.",
    ),
    "link to missing id": (
        json.dumps(document(links=[{"source": 1, "target": 99}])),
        "Forbindelse nr. 1 peger på en indsats, der ikke er i filen.",
    ),
    "link end a list": (
        json.dumps(document(links=[{"source": [1], "target": 2}])),
        "peger på en indsats, der ikke er i filen.",
    ),
    "self link": (json.dumps(document(links=[{"source": 1, "target": 1}])), "forbinder en indsats med sig selv."),
    "duplicate link": (
        json.dumps(document(links=[{"source": 1, "target": 2}, {"source": 1, "target": 2, "kind": "built_into"}])),
        "Forbindelse nr. 2 findes to gange.",
    ),
    "bad link kind": (
        json.dumps(document(links=[{"source": 1, "target": 2, "kind": "loves"}])),
        "ikke en gyldig værdi for “kind”",
    ),
    "empty file": (b"", "Den indsendte fil er tom."),
}


@pytest.mark.parametrize("content,message", REFUSALS.values(), ids=REFUSALS.keys())
def test_it_refuses_a_bad_file_with_a_clear_message_and_creates_nothing(
    facilitator_client, organisation, mapping, content, message
):
    add_card(mapping, "Eksisterende")
    response = upload(facilitator_client, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'class="field-error" role="alert"' in response.content.decode()
    assert list(Mapping.objects.all()) == [mapping]
    assert Initiative.objects.count() == 1
    assert not Purpose.objects.exists()


def test_it_refuses_a_file_over_five_megabytes(facilitator_client, organisation):
    big = json.dumps(document(padding="x" * (5 * 1024 * 1024)))
    response = upload(facilitator_client, big)
    assert response.status_code == 400
    assert "Filen er for stor (højst 5 MB)." in response.content.decode()
    assert not organisation.mappings.exists()


def test_it_refuses_a_file_with_too_many_items(facilitator_client, organisation, monkeypatch):
    monkeypatch.setattr(exchange, "MAX_ITEMS", 1)
    response = upload(facilitator_client, json.dumps(document()))
    assert response.status_code == 400
    assert "Filen har for mange elementer." in response.content.decode()
    assert not organisation.mappings.exists()


def test_it_asks_for_a_file(facilitator_client, organisation):
    response = facilitator_client.post(IMPORT_URL, {})
    assert response.status_code == 400
    assert "Dette felt er påkrævet." in response.content.decode()


def test_a_file_that_fails_half_way_through_writing_leaves_nothing(organisation, monkeypatch):
    clean = exchange.validate(document())

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Link.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        exchange.create_mapping(organisation, clean)
    assert not organisation.mappings.exists()
    assert not Initiative.objects.exists()


def test_the_export_costs_the_same_queries_for_10_and_500_cards(member_client, organisation):
    counts = []
    for size in (10, 500):
        mapping = organisation.mappings.create(title=f"{size} kort")
        fill_mapping(mapping, size)
        with CaptureQueriesContext(connection) as queries:
            data = exported(member_client, mapping)
        assert len(data["initiatives"]) == size - 1
        counts.append(len(queries))
    assert counts[0] == counts[1]
