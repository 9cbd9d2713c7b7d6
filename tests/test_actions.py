"""The action plan: views, permissions, the in-progress limit, overdue actions, export and import."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mapping.exchange import create_mapping, export_mapping, validate
from mapping.models import Action, FindingDismissal


def url(name, mapping, *args):
    return reverse(f"mapping:{name}", args=[mapping.organisation.slug, mapping.pk, *args])


def survey_key(mapping):
    return f"measurement_not_followed_up:i{mapping.initiatives.get(title='Trivselsundersøgelser').pk}"


def test_one_click_makes_an_action_from_a_finding(facilitator_client, example):
    key = survey_key(example)
    response = facilitator_client.post(url("finding-act", example), {"finding": key})
    action = example.actions.get()
    assert response.status_code == 302
    assert response["Location"] == url("actions", example) + f"#action-{action.pk}"
    assert action.finding_key == key and action.finding_code == "measurement_not_followed_up"
    # titled as something to do; the finding is its context, its next step a first suggestion
    assert action.title == "Aftal, hvordan resultaterne fra “Trivselsundersøgelser” følges op"
    assert action.description.startswith("Resultaterne fra “Trivselsundersøgelser” går ikke videre")
    assert action.solution.startswith("Forbind målingen med det møde") and action.follow_up == ""
    assert action.burden == 4  # an important finding burdens more
    assert [i.title for i in action.initiatives.all()] == ["Trivselsundersøgelser"]
    html = facilitator_client.get(url("actions", example)).content.decode()
    assert action.title.replace("“", "&ldquo;") in html or action.title in html


def test_the_same_finding_does_not_make_two_actions(facilitator_client, example):
    key = survey_key(example)
    facilitator_client.post(url("finding-act", example), {"finding": key})
    facilitator_client.post(url("finding-act", example), {"finding": key})
    assert example.actions.count() == 1


def test_an_action_from_a_finding_over_htmx_marks_the_finding(facilitator_client, example):
    key = survey_key(example)
    response = facilitator_client.post(url("finding-act", example), {"finding": key}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Der er en handling" in html and f"#action-{example.actions.get().pk}" in html


def test_an_unknown_finding_is_404(facilitator_client, example):
    assert facilitator_client.post(url("finding-act", example), {"finding": "isolated:i0"}).status_code == 404
    assert not Action.objects.exists()


def test_the_amo_creates_an_action_with_the_form(client, amo, example):
    client.force_login(amo)
    card = example.initiatives.get(title="Husmøder")
    response = client.post(
        url("action-create", example),
        {"title": "Husmøde om trivsel", "burden": 5, "effort": "small", "status": "todo", "initiatives": [card.pk]},
    )
    assert response.status_code == 302
    action = example.actions.get()
    assert (action.title, action.burden, action.effort) == ("Husmøde om trivsel", 5, "small")
    assert list(action.initiatives.all()) == [card]


def test_the_form_refuses_bad_input_and_initiatives_of_other_mappings(facilitator_client, example, organisation):
    other = organisation.mappings.create(title="Anden")
    foreign = other.initiatives.create(title="Fremmed", level="individ", dimension="kultur")
    response = facilitator_client.post(url("action-create", example), {"title": " ", "burden": 9, "effort": "small"})
    assert response.status_code == 400
    response = facilitator_client.post(
        url("action-create", example),
        {"title": "X", "burden": 3, "effort": "small", "status": "todo", "initiatives": [foreign.pk]},
    )
    assert response.status_code == 400
    assert not Action.objects.exists()


def make(mapping, title, **fields):
    return mapping.actions.create(title=title, **fields)


def test_the_plan_is_sorted_by_burden(facilitator_client, example):
    make(example, "Lidt tungt", burden=2)
    make(example, "Tungest", burden=5)
    make(example, "Midt imellem", burden=3)
    html = facilitator_client.get(url("actions", example)).content.decode()
    assert html.index("Tungest") < html.index("Midt imellem") < html.index("Lidt tungt")


def test_more_actions_in_progress_than_the_limit_warns(facilitator_client, example):
    for n in range(3):
        make(example, f"I gang {n}", status="doing")
    html = facilitator_client.get(url("actions", example)).content.decode()
    assert "3 i gang af højst 3." in html and "For mange i gang" not in html
    make(example, "En til", status="doing")
    html = facilitator_client.get(url("actions", example)).content.decode()
    assert "For mange i gang" in html and "4 i gang af højst 3." in html


def test_the_limit_is_set_per_mapping(facilitator_client, example):
    assert example.wip_limit == 3
    assert facilitator_client.post(url("action-wip-limit", example), {"wip_limit": 5}).status_code == 302
    example.refresh_from_db()
    assert example.wip_limit == 5
    facilitator_client.post(url("action-wip-limit", example), {"wip_limit": 0})
    example.refresh_from_db()
    assert example.wip_limit == 5


def test_overdue_actions_stand_out(facilitator_client, example):
    yesterday = timezone.localdate() - timedelta(days=1)
    late = make(example, "For sent", due=yesterday)
    make(example, "Færdig i tide", due=yesterday, status="done")
    make(example, "God tid", due=timezone.localdate() + timedelta(days=10))
    html = facilitator_client.get(url("actions", example)).content.decode()
    assert html.count("Over fristen") == 1
    assert f'is-overdue" id="action-{late.pk}"' in html
    assert "1 handling er over fristen." in html


def test_a_member_reads_the_plan_but_cannot_change_it(client, member, example):
    action = make(example, "Synlig for alle")
    client.force_login(member)
    response = client.get(url("actions", example))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Synlig for alle" in html and "Skift status" not in html and "Ny handling" not in html
    assert client.post(url("finding-act", example), {"finding": survey_key(example)}).status_code == 403
    assert client.get(url("action-update", example, action.pk)).status_code == 403
    assert client.post(url("action-status", example, action.pk), {"status": "done"}).status_code == 403
    assert client.post(url("action-delete", example, action.pk)).status_code == 403
    assert client.post(url("action-wip-limit", example), {"wip_limit": 9}).status_code == 403
    action.refresh_from_db()
    assert action.status == "todo"


def test_outsiders_get_404_and_anonymous_users_are_sent_to_login(client, outsider, example):
    action = make(example, "Hemmelig")
    assert client.get(url("actions", example)).status_code == 302
    client.force_login(outsider)
    assert client.get(url("actions", example)).status_code == 404
    assert client.post(url("action-status", example, action.pk), {"status": "done"}).status_code == 404
    own = outsider.memberships.get().organisation.mappings.create(title="Egen")
    # an action id from another organisation is not found through the outsider's own mapping
    assert client.post(url("action-delete", own, action.pk)).status_code == 404
    assert Action.objects.filter(pk=action.pk).exists()


def test_editing_an_action(facilitator_client, example):
    action = make(example, "Før")
    response = facilitator_client.get(url("action-update", example, action.pk))
    assert response.status_code == 200 and 'value="Før"' in response.content.decode()
    due = timezone.localdate() + timedelta(days=30)
    response = facilitator_client.post(
        url("action-update", example, action.pk),
        {
            "title": "Efter",
            "solution": "Trivselsmålingen tages op på ledermødet i marts.",
            "follow_up": "AMO følger op i juni.",
            "owner": "AMO",
            "due": due.isoformat(),
            "burden": 4,
            "effort": "large",
            "status": "doing",
            "version": action.version,
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.owner, action.due, action.burden, action.status) == ("Efter", "AMO", due, 4, "doing")
    assert (action.solution, action.follow_up) == (
        "Trivselsmålingen tages op på ledermødet i marts.",
        "AMO følger op i juni.",
    )
    html = facilitator_client.get(url("actions", example)).content.decode()
    assert "Løsning:" in html and "AMO følger op i juni." in html
    bad = facilitator_client.post(url("action-update", example, action.pk), {"title": "", "burden": 4})
    assert bad.status_code == 400


def edit_form_version(client, mapping, action) -> int:
    """Open the action's edit form the way a browser does, and read the version it carries."""
    html = client.get(url("action-update", mapping, action.pk)).content.decode()
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


def edit(title, version, **fields):
    return {"title": title, "burden": 3, "effort": "medium", "status": "todo", "version": version, **fields}


def test_a_saved_edit_moves_the_action_and_mapping_versions(facilitator_client, example):
    action = make(example, "Før")
    seen = edit_form_version(facilitator_client, example, action)
    assert seen == 1
    before = example.version
    response = facilitator_client.post(url("action-update", example, action.pk), edit("Efter", seen))
    assert response.status_code == 302
    action.refresh_from_db()
    example.refresh_from_db()
    assert (action.title, action.version, example.version) == ("Efter", 2, before + 1)


def test_the_second_of_two_editors_gets_a_conflict_instead_of_overwriting(facilitator_client, amo_client, example):
    action = make(example, "Fælles titel", owner="Ingen")
    first = edit_form_version(facilitator_client, example, action)
    second = edit_form_version(amo_client, example, action)
    assert (
        facilitator_client.post(
            url("action-update", example, action.pk), edit("Facilitatorens titel", first, owner="Facilitator")
        ).status_code
        == 302
    )
    example.refresh_from_db()
    before = example.version

    response = amo_client.post(
        url("action-update", example, action.pk), edit("AMO's titel", second, owner="AMO-repræsentant")
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "En anden har gemt handlingen, mens du redigerede." in html
    assert "Facilitatorens titel" in html  # theirs, to compare
    assert 'value="AMO&#x27;s titel"' in html and 'value="AMO-repræsentant"' in html  # mine, still in the form
    assert "Gem min udgave" in html and "Behold den anden" in html
    action.refresh_from_db()
    example.refresh_from_db()
    assert (action.title, action.owner, action.version) == ("Facilitatorens titel", "Facilitator", 2)
    assert example.version == before  # a refused save changes nothing
    assert re.search(r'name="version" value="2"', html)

    # Choosing "save mine" sends the form back as shown: now it wins, knowingly.
    again = amo_client.post(url("action-update", example, action.pk), edit("AMO's titel", 2, owner="AMO-repræsentant"))
    assert again.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.owner, action.version) == ("AMO's titel", "AMO-repræsentant", 3)


def test_an_edit_opened_before_a_status_change_does_not_quietly_undo_it(facilitator_client, amo_client, example):
    action = make(example, "Skift mig")
    seen = edit_form_version(facilitator_client, example, action)
    amo_client.post(url("action-status", example, action.pk), {"status": "done"})
    response = facilitator_client.post(url("action-update", example, action.pk), edit("Ny titel", seen))
    assert response.status_code == 409
    action.refresh_from_db()
    assert (action.title, action.status) == ("Skift mig", "done")


def test_an_edit_without_its_version_is_refused(facilitator_client, example):
    action = make(example, "Før")
    data = edit("Efter", 1)
    del data["version"]
    response = facilitator_client.post(url("action-update", example, action.pk), data)
    assert response.status_code == 400
    assert "Åbn handlingen igen" in response.content.decode()
    action.refresh_from_db()
    assert action.title == "Før"


def test_changing_status_over_htmx_sends_the_plan(facilitator_client, example):
    action = make(example, "Skift mig")
    version = example.version
    response = facilitator_client.post(
        url("action-status", example, action.pk), {"status": "doing"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'id="plan"' in response.content.decode() and "<html" not in response.content.decode()
    action.refresh_from_db()
    example.refresh_from_db()
    assert action.status == "doing" and example.version == version + 1


def test_deleting_an_action(facilitator_client, example):
    action = make(example, "Væk")
    assert facilitator_client.post(url("action-delete", example, action.pk)).status_code == 302
    assert not Action.objects.filter(pk=action.pk).exists()


def normalised(document: dict) -> dict:
    """An export with ids replaced by positions, timestamps removed: what must survive a round trip."""
    document = json.loads(json.dumps(document))
    document.pop("exported_at")
    initiative_ids = {item["id"]: n for n, item in enumerate(document["initiatives"])}
    purpose_ids = {item["id"]: n for n, item in enumerate(document["purposes"])}

    def key(k: str) -> str:
        k = re.sub(r"(?<=[:-])i(\d+)", lambda m: f"I{initiative_ids[int(m.group(1))]}", k)
        return re.sub(r"(?<=[:-])p(\d+)", lambda m: f"P{purpose_ids[int(m.group(1))]}", k)

    for item in document["purposes"]:
        item.pop("id")
    for item in document["initiatives"]:
        item.pop("id")
        item["purposes"] = sorted(purpose_ids[p] for p in item["purposes"])
    for item in document["links"]:
        item.pop("id")
        item["source"], item["target"] = initiative_ids[item["source"]], initiative_ids[item["target"]]
    for item in document["actions"]:
        item.pop("id")
        item["initiatives"] = sorted(initiative_ids[i] for i in item["initiatives"])
        item["finding_key"] = key(item["finding_key"])
    for item in document["dismissals"]:
        item["key"] = key(item["key"])
    return document


def test_actions_and_dismissals_survive_export_and_import(facilitator_client, example, organisation):
    survey = example.initiatives.get(title="Trivselsundersøgelser")
    measure = example.initiatives.get(title="Trivselsmålinger")
    purpose = example.purposes.create(title="Trivsel")
    survey.purposes.add(purpose)
    facilitator_client.post(url("finding-act", example), {"finding": survey_key(example)})
    overlap_key = f"overlap:i{min(survey.pk, measure.pk)}-i{max(survey.pk, measure.pk)}"
    assert facilitator_client.post(url("finding-act", example), {"finding": overlap_key}).status_code == 302
    example.actions.create(
        title="Uden fund",
        solution="Det gør vi",
        follow_up="AMO følger op",
        owner="AMO",
        due=timezone.localdate(),
        burden=1,
        effort="large",
        status="done",
    )
    FindingDismissal.objects.create(mapping=example, key=f"isolated:i{survey.pk}", code="isolated")
    FindingDismissal.objects.create(mapping=example, key="empty_cell:individ-kultur", code="empty_cell")
    example.wip_limit = 4
    example.save()

    first = export_mapping(example)
    assert len(first["actions"]) == 3 and len(first["dismissals"]) == 2 and first["wip_limit"] == 4
    copy = create_mapping(organisation, validate(json.loads(json.dumps(first))))
    second = export_mapping(copy)
    assert normalised(second) == normalised(first)
    new_survey = copy.initiatives.get(title="Trivselsundersøgelser")
    assert copy.dismissals.filter(key=f"isolated:i{new_survey.pk}").exists()
    assert copy.actions.filter(finding_key=f"measurement_not_followed_up:i{new_survey.pk}").exists()


def test_the_export_view_includes_actions(facilitator_client, example):
    make(example, "Med i eksporten", burden=5)
    data = json.loads(facilitator_client.get(url("mapping-export-json", example)).content)
    assert [a["title"] for a in data["actions"]] == ["Med i eksporten"]


@pytest.mark.parametrize(
    "action",
    [
        {"title": ""},
        {"title": "X", "burden": 0},
        {"title": "X", "burden": "5"},
        {"title": "X", "status": "later"},
        {"title": "X", "due": "i morgen"},
        {"title": "X", "initiatives": ["missing"]},
        {"title": "X", "finding_code": "nonsense"},
        {"title": "X", "finding_code": ["isolated"]},
        {"title": "X", "initiatives": [[1]]},
        {"title": "X", "initiatives": "all"},
    ],
)
def test_import_refuses_bad_actions(example, action):
    from mapping.exchange import ImportRefused

    document = json.loads(json.dumps(export_mapping(example)))
    document["actions"] = [action]
    with pytest.raises(ImportRefused):
        validate(document)


@pytest.mark.parametrize(
    "dismissal", [{"key": "", "code": "isolated"}, {"key": "x:i1", "code": ["isolated"]}, {"key": "x"}]
)
def test_import_refuses_bad_dismissals(example, dismissal):
    from mapping.exchange import ImportRefused

    document = json.loads(json.dumps(export_mapping(example)))
    document["dismissals"] = [dismissal]
    with pytest.raises(ImportRefused):
        validate(document)


def test_import_of_an_old_export_without_actions_still_works(example, organisation):
    document = json.loads(json.dumps(export_mapping(example)))
    for key in ("actions", "dismissals", "wip_limit"):
        document.pop(key)
    copy = create_mapping(organisation, validate(document))
    assert copy.wip_limit == 3 and not copy.actions.exists()


@pytest.mark.parametrize("extra", [0, 40])
def test_the_plan_query_count_does_not_grow(facilitator_client, example, extra, django_assert_max_num_queries):
    cards = list(example.initiatives.all()[:3])
    for n in range(extra + 2):
        make(example, f"Handling {n}").initiatives.set(cards)
    with django_assert_max_num_queries(10):
        assert facilitator_client.get(url("actions", example)).status_code == 200


def test_one_action_can_cover_every_finding_of_a_kind(facilitator_client, example):
    response = facilitator_client.post(url("finding-act", example), {"group": "isolated"})
    assert response.status_code == 302
    action = example.actions.get()
    assert action.finding_key == "isolated:alle" and action.finding_code == "isolated"
    assert action.initiatives.count() == 31
    assert action.title == "Forbind de indsatser, der står alene"
    facilitator_client.post(url("finding-act", example), {"group": "isolated"})
    assert example.actions.count() == 1
    html = facilitator_client.get(reverse("mapping:gaps", args=["forening", example.pk])).content.decode()
    finding = html[html.index('id="finding-isolated-alle"') :]
    assert "Der er en handling" in finding[: finding.index("</li>")]
    assert facilitator_client.post(url("finding-act", example), {"group": "empty_cell"}).status_code == 404


def test_the_plan_names_the_amo_as_the_one_who_follows_up(facilitator_client, example):
    html = facilitator_client.get(url("actions", example)).content.decode()
    assert "AMO følger op" in html and "arbejdsmiljøorganisationen" in html
    assert "Det, der belaster mest, står øverst." in html


def test_the_amo_role_is_named_in_full(amo_client, organisation):
    from mapping.models import Role

    assert Role.AMO.label == "AMO-medlem (arbejdsmiljøorganisationen)"
