"""The printed overview: mapping/pdf.py, the export page and the PDF view."""

import datetime
import gc
import io
import re
import struct
import subprocess
import threading
from pathlib import Path

import pdfplumber
import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from mapping import gaps, pdf
from mapping.forms import ExportForm
from mapping.models import Action, Level, Link
from tests.bench_pdf import build_large

HOSTILE = [
    '<img src="http://example.invalid/x.png">',
    "<style>body{display:none}</style>",
    "url(http://example.invalid/)",
]
# Bottom page margin in pdf.css (14 mm) in PDF points.
BOTTOM_MARGIN_PT = 14 / 25.4 * 72


def squeeze(text: str) -> str:
    """Text without whitespace: a title wrapped over lines still matches."""
    return "".join(text.split())


def pdf_text(data: bytes) -> str:
    return squeeze("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def render(mapping, **options) -> bytes:
    context = pdf.document_context(mapping, sections=options.pop("sections", pdf.SECTIONS), **options.pop("parts", {}))
    return pdf.render_pdf(context, **options)


def add_card(mapping, title: str, level: str = "individ", dimension: str = "struktur", **fields):
    position = mapping.initiatives.active().in_cell(level, dimension).count()
    return mapping.initiatives.create(title=title, level=level, dimension=dimension, position=position, **fields)


def png_pages(data: bytes, tmp_path: Path, dpi: int = 20) -> list[tuple[int, int]]:
    """Render with poppler's pdftoppm; (width, height) in pixels of each page."""
    source = tmp_path / "doc.pdf"
    source.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(source), str(tmp_path / "page")], check=True)
    sizes = []
    for png in sorted(tmp_path.glob("page-*.png")):
        header = png.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        sizes.append(struct.unpack(">II", header[16:24]))
    return sizes


# The document


def test_it_prints_every_initiative_title_the_levels_and_the_section_headings(example):
    text = pdf_text(render(example))
    for title in example.initiatives.values_list("title", flat=True):
        assert squeeze(title) in text
    for level in Level:
        assert squeeze(str(level.label)) in text
    for heading in [
        "IGLO-modellen: indsatser på fire niveauer",
        "Formål og de niveauer, der arbejder med dem",
        "Forbindelser og kæder",
        "Huller i kortlægningen",
        "Handlingsplan",
    ]:
        assert squeeze(heading) in text
    assert squeeze(example.organisation.name) in text
    assert squeeze(example.title) in text


def test_page_one_is_the_grid_headed_by_organisation_title_and_date(example):
    reader = PdfReader(io.BytesIO(render(example)))
    first = squeeze(reader.pages[0].extract_text())
    assert first.startswith(squeeze(f"{example.organisation.name} {example.title}"))
    assert squeeze("IGLO-kortlægning · udskrevet") in first
    # The whole example grid fits on page one; the next page starts the next section.
    for title in example.initiatives.values_list("title", flat=True):
        assert squeeze(title) in first
    assert squeeze("Formål og de niveauer") not in first


def test_every_page_has_the_footer_and_its_page_number(example):
    reader = PdfReader(io.BytesIO(render(example)))
    pages = len(reader.pages)
    assert pages > 1
    for number, page in enumerate(reader.pages, 1):
        text = squeeze(page.extract_text())
        assert squeeze(f"Side {number} af {pages}") in text
        assert squeeze(f"IGLO · {example.organisation.name} · {example.title}") in text


def test_chains_follow_links_across_levels(example):
    text = pdf_text(render(example, sections=["links"]))
    assert squeeze("Trivselsmålinger → følges op på → Ledermøder → følges op på → Husmøder") in text


def test_chains_are_numbered(example):
    # The chains are the one list with markers (the trimmed user-agent stylesheet keeps li::marker).
    context = pdf.document_context(example, sections=["links"])
    assert len(context["chains"]) == 1
    with pdfplumber.open(io.BytesIO(pdf.render_pdf(context))) as document:  # in reading order, marker first
        text = squeeze("".join(page.extract_text() for page in document.pages))
    assert squeeze(f"1. {context['chains'][0].start.title} →") in text


def test_purposes_show_the_levels_that_serve_them(example):
    purpose = example.purposes.create(title="Tidlig opsporing af stress")
    example.initiatives.get(title="Medarbejdersamtaler (MUS)").purposes.add(purpose)
    example.initiatives.get(title="Ledermøder").purposes.add(purpose)
    context = pdf.document_context(example, sections=["purposes"])
    row = next(r for r in context["purposes"] if r["purpose"] == purpose)
    assert [[card.title for card in level["cards"]] for level in row["levels"]] == [
        ["Medarbejdersamtaler (MUS)"],
        [],
        ["Ledermøder"],
        [],
    ]
    text = pdf_text(pdf.render_pdf(context))
    assert squeeze("Tidlig opsporing af stress") in text
    assert squeeze("36 indsatser har endnu intet formål") in text


def test_the_handout_leaves_out_the_internal_notes(example):
    mus = example.initiatives.get(title="Medarbejdersamtaler (MUS)")
    mus.description = "Husk at spørge til arbejdspres i afdeling B"
    mus.owner = "Personalechef Hanne Holm"
    mus.cadence = "Hvert forår"
    mus.save()
    link_note = "Resultaterne af den årlige måling tages op på ledermøderne"
    assert example.links.filter(note__startswith=link_note).exists()
    internal = [mus.description, mus.owner, mus.cadence, link_note]

    full = pdf_text(render(example))
    handout = pdf_text(render(example, handout=True))

    for note in internal:
        assert squeeze(note) in full
        assert squeeze(note) not in handout
    assert squeeze("Intern udgave med noter") in full
    assert squeeze("Til uddeling") in handout
    for title in example.initiatives.values_list("title", flat=True):
        assert squeeze(title) in handout


def test_the_notes_stand_under_their_cells_heading_in_reading_order(example):
    mus = example.initiatives.get(title="Medarbejdersamtaler (MUS)")
    add_card(example, "Fredagsbar", level="gruppe", dimension="kultur", owner="Festudvalget")
    mus.owner = "Personalechef Hanne Holm"
    mus.save()

    context = pdf.document_context(example)
    places = [cell["place"] for cell in context["notes"]]
    assert places == sorted(set(places), key=places.index)  # each cell once
    individ, gruppe = f"{Level.INDIVID.label} · Struktur", f"{Level.GRUPPE.label} · Kultur"
    assert places.index(individ) < places.index(gruppe)
    by_place = {cell["place"]: [note["card"].title for note in cell["notes"]] for cell in context["notes"]}
    assert "Medarbejdersamtaler (MUS)" in by_place[individ]
    assert "Fredagsbar" in by_place[gruppe]

    html = pdf.render_html(context)
    notes = html[html.index("section-notes") :]
    assert f"<h3>{gruppe}</h3>" in notes
    # The place is said once, in the heading, not after each title.
    assert "<b>Fredagsbar</b> · Ansvarlig: Festudvalget" in notes
    assert f"({gruppe})" not in notes


def test_the_handout_context_holds_no_notes(example):
    context = pdf.without_internal_notes(pdf.document_context(example))
    assert context["notes"] == []
    assert all(link["note"] == "" for link in context["links"])


def test_gap_findings_and_actions_print_when_given(example):
    findings = example.findings().open
    survey = next(f for f in findings if f.code == "measurement_not_followed_up")
    example.actions.create(
        title="Lav en stresspolitik", owner="AMO", due=datetime.date(2026, 3, 1), status=Action.Status.DOING
    )
    example.actions.create(title="Følg op på trivselsmålingen", status=Action.Status.DONE)
    actions = list(example.actions.by_burden())
    text = pdf_text(render(example, sections=["gaps", "actions"], parts={"findings": findings, "actions": actions}))
    for expected in [survey.heading, survey.message, survey.next_step, survey.severity_label]:
        assert squeeze(expected) in text
    for expected in ["Lav en stresspolitik", "AMO", "1. marts 2026", "I gang", "Følg op på trivselsmålingen", "Færdig"]:
        assert squeeze(expected) in text
    assert squeeze("ikke tilgængelig") not in text


def test_the_gap_summary_prints_each_kind_once_with_its_count(example):
    findings = example.findings().open
    isolated = [f for f in findings if f.code == "isolated"]
    summary = pdf.plain_findings(findings)
    assert [group["heading"] for group in summary] == list(dict.fromkeys(f.heading for f in findings))
    group = next(group for group in summary if group["heading"] == isolated[0].heading)
    assert group["count"] == len(isolated) == 1  # one finding names all 31
    assert group["messages"] == [isolated[0].message] and "31 af 38" in isolated[0].message
    assert group["more"] == 0
    assert (group["severity"], group["severity_label"]) == (isolated[0].severity, isolated[0].severity_label)


def test_the_gap_summary_groups_findings_of_one_kind(example, facilitator_client):
    response = facilitator_client.get(
        reverse("mapping:mapping-export-pdf", args=[example.organisation.slug, example.pk]) + "?section=gaps&paper=A4"
    )
    assert response.status_code == 200
    text = pdf_text(response.content)
    # The example has 31 isolated initiatives: one finding counts them and names three.
    assert squeeze("31 af 38 indsatser er ikke forbundet med nogen anden indsats") in text
    assert text.count(squeeze("Næste skridt:")) < 20
    assert len(PdfReader(io.BytesIO(response.content)).pages) <= 4


def test_an_empty_mapping_prints_and_says_what_is_missing(mapping):
    text = pdf_text(render(mapping))
    assert text.count(squeeze("Ingen indsatser")) == 8
    assert squeeze("Der er endnu ikke givet formål") in text
    assert squeeze("Ingen forbindelser endnu.") in text


def test_gaps_and_actions_say_not_available_without_data(example):
    text = pdf_text(render(example, sections=["gaps", "actions"]))
    assert squeeze("Analysen af huller er ikke tilgængelig") in text
    assert squeeze("Handlingsplanen er ikke tilgængelig") in text


def test_only_the_chosen_sections_are_printed(example):
    text = pdf_text(render(example, sections=["actions"]))
    assert squeeze("Handlingsplan") in text
    assert squeeze("IGLO-modellen: indsatser") not in text
    assert squeeze("Medarbejdersamtaler (MUS)") not in text


def test_danish_letters_survive(mapping):
    add_card(mapping, "Ærlig snak om øget pres på små hold – Åbent hus")
    assert squeeze("Ærlig snak om øget pres på små hold – Åbent hus") in pdf_text(render(mapping))


# Pages and paper


def test_a4_landscape_is_the_default(example, tmp_path):
    data = render(example)
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    sizes = png_pages(data, tmp_path)
    assert len(sizes) == len(reader.pages) >= 2
    for width, height in sizes:
        assert width > height
        assert width / height == pytest.approx(842 / 595, rel=0.02)


def test_a3_is_an_option(example, tmp_path):
    data = render(example, paper="A3")
    box = PdfReader(io.BytesIO(data)).pages[-1].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (1191, 842)
    for width, height in png_pages(data, tmp_path):
        assert width / height == pytest.approx(1191 / 842, rel=0.02)


def text_positions(page) -> list[tuple[str, float]]:
    """(text, y in points from the bottom) of every text run on a page."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((text.strip(), tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    return runs


def test_forty_initiatives_in_one_cell_stay_on_page_one_without_overlap(mapping, tmp_path):
    titles = [f"Indsats nummer {n} med en titel, der fylder to linjer i et smalt kort" for n in range(1, 40)]
    titles.append("Ualmindeligtlangtordudenmellemrum" * 6)
    for title in titles:
        add_card(mapping, title, level="gruppe", dimension="kultur")
    add_card(mapping, "Sidste kort i organisation", level="organisation", dimension="struktur")

    data = render(mapping, sections=["grid"])
    reader = PdfReader(io.BytesIO(data))
    assert len(png_pages(data, tmp_path)) == len(reader.pages)
    text = pdf_text(data)
    first = squeeze(reader.pages[0].extract_text())
    # Page one holds the whole grid, down to the last level; what it leaves out is listed after it.
    assert squeeze("Sidste kort i organisation") in first
    for title in [*titles, "Sidste kort i organisation"]:
        assert squeeze(title) in text
    # Six cells are empty and each says so once, not on every line of the full cell's level.
    assert first.count(squeeze("Ingen indsatser")) == 6
    footer = re.compile(
        rf"IGLO · {re.escape(mapping.organisation.name)} · {re.escape(mapping.title)} · .+|Intern udgave med noter|Side \d+ af \d+"
    )
    for page in reader.pages:
        in_margin = [run for run, y in text_positions(page) if y < BOTTOM_MARGIN_PT]
        # Only the footer lives in the bottom margin: the cards stop above it.
        assert len(in_margin) == 3
        for run in in_margin:
            assert footer.fullmatch(run), run


# Safety


def test_a_hostile_title_prints_as_text_and_fetches_nothing(mapping, monkeypatch):
    asked = []
    fetch = pdf.StaticOnlyFetcher.fetch

    def recording_fetch(self, url, headers=None):
        asked.append(url)
        return fetch(self, url, headers)

    monkeypatch.setattr(pdf.StaticOnlyFetcher, "fetch", recording_fetch)
    for title in HOSTILE:
        add_card(mapping, title)
    mapping.title = HOSTILE[0]
    mapping.save()
    purpose = mapping.purposes.create(title=HOSTILE[1])
    mapping.initiatives.first().purposes.add(purpose)

    context = pdf.document_context(mapping)
    html = pdf.render_html(context)
    assert "&lt;img src=&quot;http://example.invalid/x.png&quot;&gt;" in html
    assert "<style>body" not in html
    text = pdf_text(pdf.render_pdf(context))
    for title in HOSTILE:
        assert squeeze(title) in text
    assert asked == [pdf.static_prefix() + "css/pdf.css"]


@pytest.mark.parametrize(
    "url",
    [
        "http://example.invalid/x.png",
        "https://example.invalid/",
        "file:///etc/passwd",
        "data:text/css,body{display:none}",
        "ftp://example.invalid/x",
        pdf.ORIGIN + "/etc/passwd",
        pdf.ORIGIN + "/static/../iglo/settings.py",
        pdf.ORIGIN + "/static/css/%2e%2e/%2e%2e/iglo/settings.py",
        pdf.ORIGIN + "/static/css/pdf.css?x=1",
        pdf.ORIGIN + "/static/no-such-file.css",
        "https://iglo.invalid.example.org/static/css/pdf.css",
    ],
)
def test_the_fetcher_refuses_everything_but_our_static_files(url):
    with pytest.raises(pdf.FetchRefused):
        pdf.StaticOnlyFetcher().fetch(url)


def test_the_fetcher_serves_our_stylesheet():
    response = pdf.StaticOnlyFetcher().fetch(pdf.static_prefix() + "css/pdf.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_a_mapping_past_the_size_bound_is_refused(mapping, monkeypatch):
    monkeypatch.setattr(pdf, "MAX_INITIATIVES", 2)
    for n in range(3):
        add_card(mapping, f"Kort {n}")
    with pytest.raises(pdf.DocumentTooLarge):
        render(mapping)


def test_the_garbage_collector_runs_again_after_a_render(example, monkeypatch):
    # Paused while WeasyPrint works (pdf.collection_paused); left off, a server's memory would only grow.
    assert gc.isenabled()
    pdf.render_pdf(pdf.document_context(example, sections=["grid"]))
    assert gc.isenabled()

    def broken(*args, **kwargs):
        raise RuntimeError("template error")

    monkeypatch.setattr(pdf, "render_html", broken)
    with pytest.raises(RuntimeError):
        pdf.render_pdf(pdf.document_context(example, sections=["grid"]))
    assert gc.isenabled()


def test_each_thread_reuses_its_own_font_configuration(example):
    assert pdf.font_config() is pdf.font_config()
    context = pdf.document_context(example, sections=["grid"])
    seen = {}

    def other_thread():
        seen["config"] = pdf.font_config()
        seen["text"] = pdf_text(pdf.render_pdf(context))

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert seen["config"] is not pdf.font_config()
    assert squeeze("Medarbejdersamtaler (MUS)") in seen["text"]


# Chains: gaps.chains, printed


def test_the_printed_chains_are_the_dashboards(example):
    context = pdf.document_context(example, sections=["links"])
    printed = [[chain.start.title, *(card.title for _link, card in chain.steps)] for chain in context["chains"]]
    assert printed == [[item.title for item, _link in chain] for chain in gaps.chains(example.gap_data())]
    assert printed == [["Trivselsmålinger", "Ledermøder", "Husmøder"]]
    assert [link["kind_label"] for link, _card in context["chains"][0].steps] == ["følges op på", "følges op på"]


def test_the_context_takes_a_fixed_number_of_queries(example, mapping, django_assert_max_num_queries):
    cards = [add_card(mapping, f"Kort {n}", level=list(Level)[n % 4]) for n in range(60)]
    purpose = mapping.purposes.create(title="Trivsel")
    for source, target in zip(cards, cards[1:], strict=False):
        Link.objects.create(mapping=mapping, source=source, target=target)
        source.purposes.add(purpose)
    for subject in (example, mapping):
        with django_assert_max_num_queries(5):
            pdf.document_context(subject)


def test_export_form_offers_the_sections_pdf_prints():
    assert [value for value, _label in ExportForm.base_fields["section"].choices] == list(pdf.SECTIONS)


# The pages


def url(name: str, mapping) -> str:
    return reverse(f"mapping:{name}", args=[mapping.organisation.slug, mapping.pk])


@pytest.mark.parametrize("name", ["mapping-export", "mapping-export-pdf"])
def test_anonymous_is_sent_to_sign_in(client, example, name):
    response = client.get(url(name, example))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["mapping-export", "mapping-export-pdf"])
def test_an_outsider_gets_404(client, outsider, example, name):
    client.force_login(outsider)
    assert client.get(url(name, example)).status_code == 404


@pytest.mark.parametrize("role", ["member", "amo", "facilitator"])
def test_every_member_can_print(client, example, role, request):
    client.force_login(request.getfixturevalue(role))
    page = client.get(url("mapping-export", example))
    assert page.status_code == 200
    assert url("mapping-export-pdf", example) in page.content.decode()
    response = client.get(url("mapping-export-pdf", example))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="eksempel-paa-kortlaegning.pdf"'
    assert "private" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")


def test_the_pdf_view_is_get_only(facilitator_client, example):
    assert facilitator_client.post(url("mapping-export-pdf", example)).status_code == 405


def test_the_view_applies_the_chosen_options(facilitator_client, example):
    mus = example.initiatives.get(title="Medarbejdersamtaler (MUS)")
    mus.description = "Intern note om MUS"
    mus.save()
    response = facilitator_client.get(
        url("mapping-export-pdf", example), {"section": ["grid", "links"], "paper": "A3", "handout": "on"}
    )
    assert response.status_code == 200
    assert "uddeling" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert round(float(reader.pages[0].mediabox.width)) == 1191
    text = pdf_text(response.content)
    assert squeeze("Forbindelser og kæder") in text
    assert squeeze("Handlingsplan") not in text
    assert squeeze("Intern note om MUS") not in text


@pytest.mark.parametrize("query", [{"paper": "A4"}, {"section": "grid", "paper": "A5"}, {"section": "everything"}])
def test_bad_choices_show_the_export_page_with_an_error(facilitator_client, example, query):
    response = facilitator_client.get(url("mapping-export-pdf", example), query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert 'class="error-box"' in response.content.decode()


def test_a_too_large_mapping_gets_a_clear_page_not_a_500(facilitator_client, example, monkeypatch):
    monkeypatch.setattr(pdf, "MAX_INITIATIVES", 10)
    response = facilitator_client.get(url("mapping-export-pdf", example))
    assert response.status_code == 422
    body = response.content.decode()
    assert "38 indsatser" in body
    assert "højst vise 10" in body


def test_the_export_page_explains_the_handout(facilitator_client, example):
    body = facilitator_client.get(url("mapping-export", example)).content.decode()
    assert "uden interne noter" in body
    assert 'name="section" value="grid"' in body
    assert "checked" in body


def test_the_board_links_to_the_export_page(facilitator_client, example):
    body = facilitator_client.get(example.get_absolute_url()).content.decode()
    assert url("mapping-export", example) in body


def test_deleted_initiatives_and_their_links_are_left_out(example):
    example.initiatives.filter(title="Ledermøder").update(deleted_at=timezone.now())
    context = pdf.document_context(example)
    assert "Ledermøder" not in [card.title for card in context["cards"]]
    assert all("Ledermøder" not in (link["source"].title, link["target"].title) for link in context["links"])
    assert context["chains"] == []
    assert squeeze("Ledermøder") not in pdf_text(pdf.render_pdf(context))


def test_the_bench_mapping_has_the_size_it_claims(organisation):
    mapping = build_large(organisation, size=40)
    context = pdf.document_context(mapping)
    assert len(context["cards"]) == 40
    assert context["links"] and context["notes"]


# Page one holds the whole grid (issue 12 item 8)

EVERYDAY_TITLES = [
    "Trivselsmåling",
    "MUS-samtaler",
    "Fælles frokost",
    "Sparring med en kollega",
    "Lederforum",
    "APV-opfølgning",
    "Introduktion af nye",
    "Fredagsbar",
    "Teammøde om arbejdsfordeling",
    "Politik mod krænkelser",
]
CELLS = [
    (level, dimension)
    for level in ("individ", "gruppe", "ledelse", "organisation")
    for dimension in ("struktur", "kultur")
]


def fill(mapping, count: int, purposes: int = 4) -> dict[str, tuple[str, str]]:
    """``count`` cards spread over the cells, each title with a unique tag (K001 …); tag -> its cell."""
    made = [mapping.purposes.create(title=f"Formål {n}") for n in range(purposes)]
    placed = {}
    for n in range(count):
        level, dimension = CELLS[n % len(CELLS)]
        tag = f"K{n:03d}"
        card = add_card(mapping, f"{EVERYDAY_TITLES[n % len(EVERYDAY_TITLES)]} {tag}", level, dimension)
        card.set_purposes([made[n % purposes]])
        placed[tag] = (level, dimension)
    return placed


def grid_bands(page) -> tuple[list[tuple[str, float, float]], list[tuple[str, float, float]]]:
    """The grid's row bands (level, top, bottom) and column bands (dimension, left, right) on a page,
    from the positions of its level heads, its column heads and the legend under it."""
    words = page.extract_words()
    head = {w["text"]: w for w in words if w["text"] in ("Struktur", "Kultur")}
    left_of_cards = head["Struktur"]["x0"]
    labels = {"Individ": "individ", "Gruppe": "gruppe", "Ledelse": "ledelse", "Organisation": "organisation"}
    levels = sorted(
        (w["top"], labels[w["text"]])
        for w in words
        if w["text"] in labels and w["x1"] < left_of_cards and w["top"] > head["Struktur"]["top"]
    )
    legend = next(w["top"] for w in words if w["text"] == "Struktur-kort")
    rows = [
        (level, top, (levels[n + 1][0] if n + 1 < len(levels) else legend)) for n, (top, level) in enumerate(levels)
    ]
    columns = [
        ("struktur", head["Struktur"]["x0"] - 2, head["Kultur"]["x0"] - 2),
        ("kultur", head["Kultur"]["x0"] - 2, page.width),
    ]
    return rows, columns


def assert_whole_grid_on_page_one(data: bytes, placed: dict[str, tuple[str, str]]) -> None:
    with pdfplumber.open(io.BytesIO(data)) as document:
        page = document.pages[0]
        rows, columns = grid_bands(page)
        assert [level for level, *_ in rows] == ["individ", "gruppe", "ledelse", "organisation"]
        found = {w["text"]: w for w in page.extract_words() if re.fullmatch(r"K\d{3}", w["text"])}
        assert set(found) == set(placed), "every card's title is on page one"
        for tag, (level, dimension) in placed.items():
            word = found[tag]
            row = next(band for band in rows if band[0] == level)
            column = next(band for band in columns if band[0] == dimension)
            assert row[1] < word["top"] < row[2], (tag, level)
            assert column[1] < word["x0"] < column[2], (tag, dimension)


@pytest.mark.parametrize("count", [62, 120])
def test_page_one_of_a4_holds_the_whole_grid(mapping, count):
    placed = fill(mapping, count)
    data = render(mapping, sections=["grid"])
    assert_whole_grid_on_page_one(data, placed)
    with pdfplumber.open(io.BytesIO(data)) as document:
        sizes = {round(char["size"], 1) for char in document.pages[0].chars}
    assert min(sizes) >= 7.0  # legible: reduced, never below 7 pt


def test_past_what_page_one_holds_a_compact_grid_of_titles_and_every_card_after_it(mapping):
    placed = fill(mapping, 400)
    context = pdf.document_context(mapping, sections=["grid"])
    assert pdf.grid_fits(context["grid"], "A4")[0].is_compact
    assert pdf.a3_is_better(context)
    data = pdf.render_pdf(context)
    with pdfplumber.open(io.BytesIO(data)) as document:
        first = document.pages[0].extract_text()
        rest = "".join(page.extract_text() for page in document.pages[1:])
    assert "flere," in first.split() and "tavlen" in first  # "+ N flere, se listen efter tavlen" (in narrow columns)
    assert "Alle indsatser på tavlen" in rest
    assert all(tag in rest for tag in placed)  # every card is listed, with its purposes
    assert squeeze("Formål: Formål 3") in squeeze(rest)
    # A bullet parts the cards (a middle dot parts a card's purposes) and never starts a line.
    lines = [line.strip() for line in rest.splitlines()]
    assert any("•" in line for line in lines) and not any(line.startswith("•") for line in lines)
    for level in ("Individ", "Gruppe", "Ledelse", "Organisation"):
        assert level in first


def test_after_a_compact_grid_the_internal_document_lists_every_card_once_with_its_notes(mapping):
    placed = fill(mapping, 400)
    tags = sorted(placed)
    noted, blocked = tags[0], tags[9]
    mapping.initiatives.filter(title__endswith=noted).update(owner="Personalechef Hanne Holm", description="Hver maj.")
    mapping.initiatives.filter(title__endswith=blocked).update(status="paused")
    context = pdf.document_context(mapping, sections=["grid"])
    assert pdf.grid_fits(context["grid"], "A4")[0].is_compact

    html = pdf.render_html(context)
    assert "section-listed" not in html  # no list of titles before the notes: the notes list every card
    listed = html[html.index("section-notes") :]
    assert "Alle indsatser på tavlen" in listed and "Noter til indsatserne" not in listed
    for tag in tags:
        assert listed.count(f" {tag}</b>") == 1, tag  # every card once, in bold
    assert re.search(rf" {noted}</b> \(Formål: Formål \d\) · Ansvarlig: Personalechef Hanne Holm — Hver maj\.", listed)
    assert re.search(rf" {blocked}</b> <i>\(sat på pause\)</i> \(Formål:", listed)

    handout = pdf.render_html(context, handout=True)  # the handout keeps the list of titles, without notes
    assert "section-listed" in handout and "section-notes" not in handout
    assert "Hanne Holm" not in handout and "Hver maj." not in handout
    assert all(tag in handout[handout.index("section-listed") :] for tag in tags)


def test_the_example_keeps_its_roomy_grid(example):
    context = pdf.document_context(example)
    assert pdf.grid_fits(context["grid"], "A4")[0] == pdf.Fit(8.5, 2)
    assert not pdf.a3_is_better(context)


def test_the_export_page_says_when_a3_would_be_better(facilitator_client, mapping):
    url = reverse("mapping:mapping-export", args=[mapping.organisation.slug, mapping.pk])
    assert 'id="paper-advice"' not in facilitator_client.get(url).content.decode()
    fill(mapping, 400)
    page = facilitator_client.get(url).content.decode()
    assert 'id="paper-advice"' in page and "Vælg A3" in page
