"""The gap dashboard, its JSON, dismissals, live polling and the ideas catalogue."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from mapping import gaps, ideas
from mapping.live import poll_token
from mapping.models import FindingDismissal, Initiative, Link


def url(name, mapping, *args):
    return reverse(f"mapping:{name}", args=[mapping.organisation.slug, mapping.pk, *args])


def findings_json(client, mapping):
    response = client.get(url("gaps-json", mapping))
    assert response.status_code == 200
    return response.json()


def by_title(mapping, title):
    return mapping.initiatives.get(title=title)


def test_it_shows_the_example_summary_heat_map_and_chains(facilitator_client, example):
    response = facilitator_client.get(url("gaps", example))
    assert response.status_code == 200
    html = response.content.decode()
    assert "31 af 38" in html
    assert "godt dækket" in html and "tomt" not in html
    assert "“Trivselsundersøgelser” og “Trivselsmålinger” ligner hinanden." in html
    assert "Resultaterne fra “Trivselsundersøgelser” går ikke videre" in html
    assert "Resultaterne fra “Trivselsmålinger”" not in html
    # the chain survey -> leader meeting -> house meeting reads as a path
    chain = html[html.index('id="chains"') :]
    assert chain.index("Trivselsmålinger") < chain.index("Ledermøder") < chain.index("Husmøder")
    assert "følges op på" in chain


def test_findings_link_to_their_cards_on_the_board(facilitator_client, example):
    html = facilitator_client.get(url("gaps", example)).content.decode()
    survey = by_title(example, "Trivselsundersøgelser")
    assert f'href="/o/forening/m/{example.pk}/#initiative-{survey.pk}"' in html


def test_the_example_reads_as_a_short_report_most_important_first(facilitator_client, example):
    html = facilitator_client.get(url("gaps", example)).content.decode()
    findings = html[html.index('id="findings"') : html.index('id="dismissed"')]
    shown = re.findall(r'class="finding severity-(\w+)" id="[^"]+" data-code="(\w+)"', findings)
    assert len(shown) <= 12
    assert [code for _severity, code in shown[:4]] == [
        "overlap",
        "measurement_not_followed_up",
        "measurement_not_followed_up",
        "individual_unsupported",
    ]
    assert [code for _severity, code in shown].count("isolated") == 1
    assert findings.index('id="severity-high"') < findings.index('id="severity-medium"')
    assert findings.index('id="severity-medium"') < findings.index('id="severity-low"')
    assert "31 af 38 indsatser er ikke forbundet med nogen anden indsats" in findings
    assert "Trin 2. Forbind niveauer og struktur med kultur" in findings


def test_the_purpose_matrix_shows_purposes_per_level(facilitator_client, example):
    purpose = example.purposes.create(title="Tidlig opsporing af stress")
    by_title(example, "Trivselsmålinger").purposes.add(purpose)
    by_title(example, "Kollegial sparring").purposes.add(purpose)
    html = facilitator_client.get(url("gaps", example)).content.decode()
    matrix = html[html.index('id="purpose-matrix"') : html.index('id="findings"')]
    assert "Tidlig opsporing af stress" in matrix
    assert matrix.count("struktur 1 · kultur 0") == 1 and matrix.count("struktur 0 · kultur 1") == 1
    assert "aria-label=" not in matrix and '<span class="visually-hidden">ingen</span>' in matrix


def test_a_member_reads_the_dashboard_without_edit_controls(client, member, example):
    client.force_login(member)
    response = client.get(url("gaps", example))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Trivselsundersøgelser" in html
    assert "Opret handling" not in html and "Ikke relevant" not in html and "Sæt på tavlen" not in html


@pytest.mark.parametrize("name", ["gaps", "gaps-json"])
def test_outsiders_get_404_and_anonymous_users_are_sent_to_login(client, outsider, example, name):
    response = client.get(url(name, example))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(outsider)
    assert client.get(url(name, example)).status_code == 404


def test_gaps_json_has_the_findings(facilitator_client, example):
    data = findings_json(facilitator_client, example)
    assert len(data["findings"]) <= 12
    isolated = [f for f in data["findings"] if f["code"] == "isolated"]
    assert [(f["key"], len(f["initiatives"])) for f in isolated] == [("isolated:alle", 31)]
    assert [f["code"] for f in data["findings"][:4]] == [
        "overlap",
        "measurement_not_followed_up",
        "measurement_not_followed_up",
        "individual_unsupported",
    ]
    measured = {f["initiatives"][0] for f in data["findings"][1:3]}
    assert measured == {
        by_title(example, "Trivselsundersøgelser").pk,
        by_title(example, "Arbejdspladsvurdering (APV)").pk,
    }
    assert by_title(example, "Trivselsmålinger").pk not in measured
    assert by_title(example, "Medarbejdersamtaler (MUS)").pk == data["findings"][3]["initiatives"][0]
    ranks = [gaps.RANK[f["code"]] for f in data["findings"]]
    assert ranks == sorted(ranks)
    survey = by_title(example, "Trivselsundersøgelser").pk
    measurement = [f for f in data["findings"] if f["code"] == "measurement_not_followed_up"]
    assert survey in [f["initiatives"][0] for f in measurement]
    assert {"code", "severity", "initiatives", "message", "next_step", "key"} <= set(data["findings"][0])
    assert not any(f["code"] == "empty_cell" for f in data["findings"])
    assert data["dismissed"] == []


def test_a_dismissed_finding_stays_dismissed(facilitator_client, example):
    key = "isolated:alle"
    version = example.version
    response = facilitator_client.post(url("finding-dismiss", example), {"key": key})
    assert response.status_code == 302
    assert FindingDismissal.objects.filter(mapping=example, key=key, code="isolated").exists()
    example.refresh_from_db()
    assert example.version == version + 1
    for _ in range(2):  # and stays so on every later look
        data = findings_json(facilitator_client, example)
        assert key not in {f["key"] for f in data["findings"]}
        assert [f["key"] for f in data["dismissed"]] == [key]
    html = facilitator_client.get(url("gaps", example)).content.decode()
    assert "Vis igen" in html


def test_a_dismissed_finding_can_be_shown_again(facilitator_client, example):
    key = "isolated:alle"
    facilitator_client.post(url("finding-dismiss", example), {"key": key})
    response = facilitator_client.post(url("finding-restore", example), {"key": key})
    assert response.status_code == 302
    assert not FindingDismissal.objects.filter(mapping=example).exists()
    assert key in {f["key"] for f in findings_json(facilitator_client, example)["findings"]}


def test_a_dismissal_over_htmx_sends_the_regions_again(facilitator_client, example):
    key = "isolated:alle"
    response = facilitator_client.post(url("finding-dismiss", example), {"key": key}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="findings"' in html and 'hx-swap-oob="true"' in html
    example.refresh_from_db()
    assert f'id="live-version" name="v" value="{example.version}" hx-swap-oob="true"' in html


def test_only_a_current_finding_can_be_dismissed(facilitator_client, example):
    assert facilitator_client.post(url("finding-dismiss", example), {"key": "isolated:i999999"}).status_code == 404
    assert facilitator_client.post(url("finding-restore", example), {"key": "isolated:i1"}).status_code == 404


def test_members_cannot_dismiss_or_add_ideas(client, member, example):
    client.force_login(member)
    key = "isolated:alle"
    assert client.post(url("finding-dismiss", example), {"key": key}).status_code == 403
    assert client.post(url("idea-add", example), {"idea": "gruppe-kultur-faelles-frokost"}).status_code == 403
    assert not FindingDismissal.objects.exists()


def test_a_new_link_takes_a_finding_away(facilitator_client, example):
    survey = by_title(example, "Trivselsundersøgelser")
    key = f"measurement_not_followed_up:i{survey.pk}"
    assert key in {f["key"] for f in findings_json(facilitator_client, example)["findings"]}
    Link.objects.create(
        mapping=example, source=survey, target=by_title(example, "Ledermøder"), kind=Link.Kind.FOLLOWED_UP_AT
    )
    assert key not in {f["key"] for f in findings_json(facilitator_client, example)["findings"]}


def test_the_poll_answers_204_when_nothing_changed_and_the_regions_when_something_did(
    facilitator_client, facilitator, example
):
    token = poll_token(facilitator.pk, example.pk)
    response = facilitator_client.get(url("gaps-poll", example), {"v": example.version, "t": token})
    assert response.status_code == 204
    assert response["HX-Reswap"] == "none"
    with_token = {"v": example.version, "t": token}
    with example.change():
        pass
    response = facilitator_client.get(url("gaps-poll", example), with_token)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="findings"' in html and f'value="{example.version}"' in html


def test_the_poll_refuses_outsiders(client, outsider, example):
    token = poll_token(outsider.pk, example.pk)
    client.force_login(outsider)
    assert client.get(url("gaps-poll", example), {"v": example.version, "t": token}).status_code == 404


def test_the_dashboard_page_polls_for_changes(facilitator_client, example):
    html = facilitator_client.get(url("gaps", example)).content.decode()
    assert 'id="live-poll"' in html and 'hx-trigger="every 2s"' in html
    assert url("gaps-poll", example) in html


def test_an_empty_mapping_says_what_to_do_first_and_gets_ideas_for_every_cell(facilitator_client, mapping):
    html = facilitator_client.get(url("gaps", mapping)).content.decode()
    assert "Start med at sætte det, I allerede gør, på tavlen" in html
    assert 'class="finding ' not in html and "Vigtig" not in html
    assert "Fælles frokost" in html and "Sæt på tavlen" in html
    assert findings_json(facilitator_client, mapping)["findings"] == []


def test_ideas_leave_out_what_the_mapping_has(facilitator_client, example):
    html = facilitator_client.get(url("gaps", example)).content.decode()
    ideas = html[html.index('id="ideas"') :]
    assert "Ingen felter er tomme eller tynde." in ideas
    ideas = facilitator_client.get(url("gaps", example) + "?ideas=all").content.decode()
    ideas = ideas[ideas.index('id="ideas"') :]
    assert "Fælles frokost" in ideas
    assert "Kollegial sparring" not in ideas and "Trivselsmålinger" not in ideas


def test_one_click_puts_an_idea_on_the_board(facilitator_client, mapping):
    idea = ideas.idea("gruppe-kultur-faelles-frokost")
    response = facilitator_client.post(url("idea-add", mapping), {"idea": idea["key"]})
    assert response.status_code == 302
    initiative = mapping.initiatives.get()
    assert (initiative.title, initiative.level, initiative.dimension) == ("Fælles frokost", "gruppe", "kultur")
    assert (initiative.purpose_text, initiative.description) == (idea["purpose"], "")
    data = findings_json(facilitator_client, mapping)
    assert not any(f["code"] == "no_purpose" for f in data["findings"])  # the idea brought its purpose along
    assert sum(f["code"] == "empty_cell" for f in data["findings"]) == 6  # and one_sided_level for the group


def test_an_idea_goes_after_the_last_card_of_its_cell_even_when_cards_were_deleted(facilitator_client, mapping):
    for position, title in enumerate(["Fredagsbar", "Sommerfest", "Kaffeklub"]):
        mapping.initiatives.create(title=title, level="gruppe", dimension="kultur", position=position)
    mapping.initiatives.filter(title="Fredagsbar").update(deleted_at=timezone.now())
    facilitator_client.post(url("idea-add", mapping), {"idea": "gruppe-kultur-faelles-frokost"})
    cell = mapping.initiatives.active().in_cell("gruppe", "kultur").order_by("position", "id")
    assert [(i.title, i.position) for i in cell] == [("Sommerfest", 1), ("Kaffeklub", 2), ("Fælles frokost", 3)]


def test_an_idea_over_htmx_updates_the_dashboard(facilitator_client, mapping):
    response = facilitator_client.post(
        url("idea-add", mapping), {"idea": "gruppe-kultur-faelles-frokost"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "er sat på tavlen" in response.content.decode()


def test_an_unknown_idea_is_404(facilitator_client, mapping):
    assert facilitator_client.post(url("idea-add", mapping), {"idea": "nope"}).status_code == 404


def grow(mapping, n):
    """Add n initiatives with purposes and links, spread over the grid."""
    purpose = mapping.purposes.create(title=f"Formål {n}")
    cells = [(lv, d) for lv in gaps.LEVELS for d in gaps.DIMENSIONS]
    created = Initiative.objects.bulk_create(
        [
            Initiative(mapping=mapping, title=f"Indsats nummer {i}", level=cells[i % 8][0], dimension=cells[i % 8][1])
            for i in range(n)
        ]
    )
    Initiative.purposes.through.objects.bulk_create(
        [Initiative.purposes.through(initiative_id=i.pk, purpose_id=purpose.pk) for i in created]
    )
    Link.objects.bulk_create(
        [Link(mapping=mapping, source=a, target=b) for a, b in zip(created, created[1:], strict=False)]
    )
    for i in created[:5]:
        mapping.actions.create(title=f"Handling {i.pk}", finding_key=f"isolated:i{i.pk}")


@pytest.mark.parametrize("extra", [0, 120])
def test_the_dashboard_query_count_does_not_grow_with_the_mapping(
    facilitator_client, example, extra, django_assert_max_num_queries
):
    grow(example, extra)
    FindingDismissal.objects.create(mapping=example, key="isolated:i1", code="isolated")
    with django_assert_max_num_queries(12):
        assert facilitator_client.get(url("gaps", example)).status_code == 200
    with django_assert_max_num_queries(10):
        assert facilitator_client.get(url("gaps-json", example)).status_code == 200


def test_findings_speak_english_when_asked(facilitator_client, example, settings):
    mo = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.mo"
    assert mo.exists(), "English messages are not compiled: `make test` runs `make messages` first"
    facilitator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = facilitator_client.get(url("gaps", example)).content.decode()
    assert "Gaps and overview" in html
    assert "“Trivselsundersøgelser” and “Trivselsmålinger” look alike." in html
    data = findings_json(facilitator_client, example)
    survey = next(f for f in data["findings"] if f["code"] == "measurement_not_followed_up")
    assert survey["message"].startswith("The results of “")


def test_a_finding_about_many_cards_lists_a_preview_and_all_on_request(facilitator_client, example):
    html = facilitator_client.get(url("gaps", example)).content.decode()
    finding = html[html.index('id="finding-isolated-alle"') :]
    finding = finding[: finding.index("</li>")]
    assert finding.count('class="card-ref"') == 12
    assert "Vis 19 flere" in finding and "?all=isolated#finding-isolated-alle" in finding
    html = facilitator_client.get(url("gaps", example) + "?all=isolated").content.decode()
    finding = html[html.index('id="finding-isolated-alle"') :]
    finding = finding[: finding.index("</li>")]
    assert finding.count('class="card-ref"') == 31 and "flere" not in finding
    flexible = by_title(example, "Fleksible arbejdstider")
    assert f'href="/o/forening/m/{example.pk}/#initiative-{flexible.pk}"' in finding


def test_a_purpose_sentence_written_in_the_card_editor_answers_no_purpose(facilitator_client, mapping):
    card = mapping.initiatives.create(title="Fredagsbar", level="gruppe", dimension="kultur")
    editor = facilitator_client.get(url("initiative-detail", mapping, card.pk)).content.decode()
    assert 'name="purpose_text"' in editor and "Formålet i én sætning" in editor
    assert [
        f["initiatives"] for f in findings_json(facilitator_client, mapping)["findings"] if f["code"] == "no_purpose"
    ] == [[card.pk]]
    data = {
        "title": card.title,
        "purpose_text": "Vi lærer hinanden at kende på tværs af teams.",
        "effect": card.effect,
        "status": card.status,
        "is_measurement": "unknown",
        "version": card.version,
    }
    assert facilitator_client.post(url("initiative-update", mapping, card.pk), data).status_code == 302
    card.refresh_from_db()
    assert card.purpose_text == "Vi lærer hinanden at kende på tværs af teams." and card.is_measurement is None
    assert not any(f["code"] == "no_purpose" for f in findings_json(facilitator_client, mapping)["findings"])


def test_a_measurement_guessed_from_its_title_can_be_turned_off_on_the_card(facilitator_client, mapping):
    card = mapping.initiatives.create(title="Pulsmåling", level="organisation", dimension="struktur")

    def unfollowed() -> list:
        found = findings_json(facilitator_client, mapping)["findings"]
        return [f["initiatives"] for f in found if f["code"] == "measurement_not_followed_up"]

    assert unfollowed() == [[card.pk]]
    data = {"title": card.title, "effect": card.effect, "status": card.status, "version": card.version}
    facilitator_client.post(url("initiative-update", mapping, card.pk), {**data, "is_measurement": "false"})
    card.refresh_from_db()
    assert card.is_measurement is False and unfollowed() == []
