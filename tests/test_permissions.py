"""Every URL of the app for every role: who gets in, who gets 403, and who sees nothing (404).

``EXPECTED`` has an entry for every URL name in the ``mapping:`` namespace. A new URL without
an entry fails ``test_every_url_has_an_expectation``: add one line per method, with the
statuses for (anonymous, outsider, member, amo, facilitator).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from mapping import gaps, ideas
from mapping.example import example_data
from mapping.models import Action, FindingDismissal, Input, InputKind, Invitation, Link, Membership, Purpose, Role

from .conftest import add_card, client_for

ROLES = ("anonymous", "outsider", "member", "amo", "facilitator")


@dataclass
class World:
    """What the URLs point at: one of everything in the organisation ``forening``."""

    mapping: object
    card: object
    other_card: object
    deleted_card: object
    link: object
    purpose: object
    membership: object
    invitation: object
    action: object
    dismissal: object
    workshop: object
    input: object


@dataclass(frozen=True)
class Check:
    method: str
    kwargs: Callable[[World], dict]
    statuses: tuple[int, int, int, int, int]  # in the order of ROLES
    data: Callable[[World], dict] = field(default=lambda w: {})


def org(w: World) -> dict:
    return {"org": "forening"}


def board(w: World) -> dict:
    return {"org": "forening", "mapping_id": w.mapping.pk}


def card(w: World) -> dict:
    return {**board(w), "initiative_id": w.card.pk}


def deleted_card(w: World) -> dict:
    return {**board(w), "initiative_id": w.deleted_card.pk}


def action(w: World) -> dict:
    return {**board(w), "action_id": w.action.pk}


def workshop_item(w: World) -> dict:
    return {**board(w), "input_id": w.input.pk}


def join(w: World) -> dict:
    return {"code": w.workshop.code}


def join_card(w: World) -> dict:
    return {"code": w.workshop.code, "initiative_id": w.card.pk}


def join_action(w: World) -> dict:
    return {"code": w.workshop.code, "action_id": w.action.pk}


def participant_input(w: World) -> dict:
    """Everything a participant form may send; each view reads its own fields."""
    return {"text": "Tekst", "cell": "gruppe:kultur", "is_missing": "0", "action": "add", "key": "k-" + str(id(w))}


def a_finding(w: World) -> dict:
    return {"key": gaps.find_gaps(w.mapping.gap_data())[0].key}


def an_import(w: World) -> dict:
    return {"file": SimpleUploadedFile("x.json", json.dumps(example_data()).encode(), "application/json")}


def a_goal(w: World) -> dict:
    """Rounds: a goal of the mapping's discussion (made on first use)."""
    goal = w.mapping.goals.first() or w.mapping.goals.create(title="Færre sygedage")
    return {**board(w), "goal_id": goal.pk}


def a_later_round(w: World) -> dict:
    """Rounds: the mapping and a later round of its series (made on first use)."""
    later = w.mapping.organisation.mappings.filter(predecessor=w.mapping).first()
    later = later or w.mapping.organisation.mappings.create(title="Næste", predecessor=w.mapping)
    return {**board(w), "other_id": later.pk}


READ = (302, 404, 200, 200, 200)  # a page any member may see
EDIT = (302, 404, 403, 302, 302)  # a change to the board: facilitator or AMO, then back to the board
MANAGE = (302, 404, 403, 403, 302)  # members and mappings: facilitator only
POST_ONLY = (302, 405, 405, 405, 405)  # a GET to a write URL; the method is refused before the gate

EXPECTED: dict[str, list[Check]] = {
    "home": [Check("GET", lambda w: {}, (302, 302, 302, 302, 302))],
    "method": [Check("GET", lambda w: {}, (200, 200, 200, 200, 200))],
    "invitation-accept": [
        Check("GET", lambda w: {"token": w.invitation.token}, (302, 200, 200, 200, 200)),
        Check("POST", lambda w: {"token": w.invitation.token}, (302, 302, 302, 302, 302)),
    ],
    "organisation-detail": [
        Check("GET", org, READ),
        Check("POST", org, (302, 405, 405, 405, 405)),
    ],
    "mapping-create": [
        Check("GET", org, POST_ONLY),
        Check("POST", org, MANAGE, lambda w: {"title": "Ny", "template": "blank"}),
    ],
    "mapping-import": [
        Check("GET", org, POST_ONLY),
        Check("POST", org, MANAGE, an_import),
    ],
    # Any member may leave; the last facilitator is refused (back to the organisation page).
    "membership-leave": [
        Check("GET", org, POST_ONLY),
        Check("POST", org, (302, 404, 302, 302, 302)),
    ],
    "member-role": [
        Check("GET", lambda w: {"org": "forening", "membership_id": w.membership.pk}, POST_ONLY),
        Check(
            "POST", lambda w: {"org": "forening", "membership_id": w.membership.pk}, MANAGE, lambda w: {"role": "amo"}
        ),
    ],
    "invitation-create": [
        Check("GET", org, POST_ONLY),
        Check("POST", org, MANAGE, lambda w: {"role": "member"}),
    ],
    # i11b: leaving no data behind
    "organisation-export-zip": [Check("GET", org, (302, 404, 403, 403, 200))],
    "organisation-delete": [
        Check("GET", org, (302, 404, 403, 403, 200)),
        Check("POST", org, MANAGE, lambda w: {"confirm": "Foreningen"}),
    ],
    "account": [Check("GET", lambda w: {}, (302, 200, 200, 200, 200))],
    "account-delete": [
        Check("GET", lambda w: {}, POST_ONLY),
        Check("POST", lambda w: {}, (302, 400, 400, 400, 400), lambda w: {"password": "wrong"}),
    ],
    "workshop-retention": [
        Check("GET", lambda w: {**board(w), "workshop_id": w.workshop.pk}, POST_ONLY),
        Check(
            "POST",
            lambda w: {**board(w), "workshop_id": w.workshop.pk},
            (302, 404, 403, 302, 302),
            lambda w: {"input_kept_days": "30"},
        ),
    ],
    "board": [
        Check("GET", board, READ),
        Check("POST", board, (302, 405, 405, 405, 405)),
    ],
    "board-poll": [Check("GET", board, (404, 404, 200, 200, 200), lambda w: {"v": "0"})],
    "mapping-export-json": [Check("GET", board, READ)],
    "initiative-create": [
        Check("GET", board, POST_ONLY),
        Check("POST", board, EDIT, lambda w: {"title": "Ny", "level": "gruppe", "dimension": "kultur"}),
    ],
    "initiative-detail": [Check("GET", card, READ)],
    "initiative-update": [
        Check("GET", card, POST_ONLY),
        Check("POST", card, EDIT, lambda w: {"title": "Nyt navn", "effect": "some", "status": "active", "version": 1}),
    ],
    "initiative-move": [
        Check("GET", card, POST_ONLY),
        Check("POST", card, EDIT, lambda w: {"cell": "ledelse:kultur"}),
    ],
    "initiative-delete": [
        Check("GET", card, POST_ONLY),
        Check("POST", card, EDIT),
    ],
    "initiative-restore": [
        Check("GET", deleted_card, POST_ONLY),
        Check("POST", deleted_card, EDIT),
    ],
    "link-create": [
        Check("GET", card, POST_ONLY),
        Check("POST", card, EDIT, lambda w: {"target": w.other_card.pk, "kind": "feeds_into"}),
    ],
    "link-delete": [
        Check("GET", lambda w: {**board(w), "link_id": w.link.pk}, POST_ONLY),
        Check("POST", lambda w: {**board(w), "link_id": w.link.pk}, EDIT),
    ],
    "purpose-create": [
        Check("GET", board, POST_ONLY),
        Check("POST", board, EDIT, lambda w: {"title": "Nyt formål"}),
    ],
    "purpose-update": [
        Check("GET", lambda w: {**board(w), "purpose_id": w.purpose.pk}, (302, 404, 403, 200, 200)),
        Check("POST", lambda w: {**board(w), "purpose_id": w.purpose.pk}, EDIT, lambda w: {"title": "Omdøbt"}),
    ],
    "purpose-delete": [
        Check("GET", lambda w: {**board(w), "purpose_id": w.purpose.pk}, POST_ONLY),
        Check("POST", lambda w: {**board(w), "purpose_id": w.purpose.pk}, EDIT),
    ],
    "mapping-export": [Check("GET", board, READ), Check("POST", board, (302, 405, 405, 405, 405))],
    "mapping-export-pdf": [Check("GET", board, READ)],
    "gaps": [Check("GET", board, READ)],
    "gaps-poll": [Check("GET", board, (404, 404, 200, 200, 200), lambda w: {"v": "0"})],
    "gaps-json": [Check("GET", board, READ)],
    "finding-dismiss": [
        Check("GET", board, POST_ONLY),
        Check("POST", board, EDIT, a_finding),
    ],
    "finding-act": [
        Check("GET", board, POST_ONLY),
        Check("POST", board, EDIT, lambda w: {"finding": a_finding(w)["key"]}),
    ],
    "finding-restore": [
        Check("GET", board, POST_ONLY),
        Check("POST", board, EDIT, lambda w: {"key": w.dismissal.key}),
    ],
    "idea-add": [
        Check("GET", board, POST_ONLY),
        Check("POST", board, EDIT, lambda w: {"idea": ideas.catalogue()[0]["key"]}),
    ],
    "workshop": [Check("GET", board, (302, 404, 403, 200, 200))],
    "workshop-poll": [Check("GET", board, (404, 404, 403, 200, 200))],
    "workshop-qr": [Check("GET", board, (302, 404, 403, 200, 200))],
    "workshop-present": [Check("GET", board, (302, 404, 403, 200, 200))],
    "workshop-present-poll": [Check("GET", board, (404, 404, 403, 200, 200))],
    "workshop-start": [
        Check("GET", board, POST_ONLY),
        Check("POST", board, (302, 404, 403, 302, 302), lambda w: {"votes_per_participant": 3}),
    ],
    "workshop-close": [Check("GET", board, POST_ONLY), Check("POST", board, (302, 404, 403, 302, 302))],
    "workshop-step": [
        Check("GET", board, POST_ONLY),
        Check("POST", board, (302, 404, 403, 302, 302), lambda w: {"step": 2}),
    ],
    "workshop-participant-limit": [
        Check("GET", board, POST_ONLY),
        Check("POST", board, (302, 404, 403, 302, 302), lambda w: {"participant_limit": 150}),
    ],
    "workshop-input-moderate": [
        Check("GET", workshop_item, POST_ONLY),
        Check("POST", workshop_item, (302, 404, 403, 302, 302), lambda w: {"action": "hide"}),
    ],
    "workshop-input-delete-all": [
        Check("GET", lambda w: {**board(w), "workshop_id": w.workshop.pk}, POST_ONLY),
        Check(
            "POST",
            lambda w: {**board(w), "workshop_id": w.workshop.pk},
            (302, 404, 403, 302, 302),
            lambda w: {"confirm": "1"},
        ),
    ],
    # Participants have no account: the join code is the key, the same for every role.
    "join-enter": [Check("GET", lambda w: {}, (200,) * 5)],
    "join": [Check("GET", join, (200,) * 5), Check("POST", join, (302,) * 5, participant_input)],
    "join-poll": [Check("GET", join, (200,) * 5)],
    "join-suggest": [Check("POST", join, (302,) * 5, participant_input)],
    "join-initiative": [Check("GET", join_card, (302,) * 5)],
    "join-rate": [Check("POST", join_card, (302,) * 5, participant_input)],
    "join-comment": [Check("POST", join_card, (302,) * 5, participant_input)],
    "join-vote": [Check("POST", join_card, (302,) * 5, participant_input)],
    "join-action-vote": [Check("POST", join_action, (302,) * 5, participant_input)],
    "join-burden": [Check("POST", join, (302,) * 5, participant_input)],
    "actions": [Check("GET", board, READ)],
    "action-create": [
        Check("GET", board, POST_ONLY),
        Check(
            "POST", board, EDIT, lambda w: {"title": "Ny handling", "burden": 3, "effort": "small", "status": "todo"}
        ),
    ],
    "action-wip-limit": [
        Check("GET", board, POST_ONLY),
        Check("POST", board, EDIT, lambda w: {"wip_limit": 4}),
    ],
    "action-update": [
        Check("GET", action, (302, 404, 403, 200, 200)),
        Check(
            "POST",
            action,
            EDIT,
            lambda w: {"title": "Omdøbt", "burden": 2, "effort": "small", "status": "doing", "version": 1},
        ),
    ],
    "action-status": [
        Check("GET", action, POST_ONLY),
        Check("POST", action, EDIT, lambda w: {"status": "done"}),
    ],
    "action-delete": [
        Check("GET", action, POST_ONLY),
        Check("POST", action, EDIT),
    ],
    # Rounds (issue 10): the facilitator starts and closes rounds; facilitator and AMO write the record.
    "round-next": [Check("GET", board, POST_ONLY), Check("POST", board, MANAGE)],
    "round-read-only": [Check("GET", board, POST_ONLY), Check("POST", board, MANAGE, lambda w: {"is_read_only": "on"})],
    "round-compare": [Check("GET", a_later_round, READ)],
    "discussion": [
        Check("GET", board, READ),
        Check("POST", board, EDIT, lambda w: {"version": 0, "participants": "Anna, leder"}),
    ],
    "discussion-pdf": [Check("GET", board, READ)],
    "goal-create": [Check("GET", board, POST_ONLY), Check("POST", board, EDIT, lambda w: {"title": "Mål"})],
    "goal-update": [
        Check("GET", a_goal, POST_ONLY),
        Check("POST", a_goal, EDIT, lambda w: {"title": "Nyt", "version": 1}),
    ],
    "goal-delete": [Check("GET", a_goal, POST_ONLY), Check("POST", a_goal, EDIT)],
    "sheet-pdf": [Check("GET", org, READ)],
}


def url_names(patterns=None, namespace: str = "mapping") -> list[str]:
    """Every named URL under the namespace, including those of included URLconfs."""
    if patterns is None:
        patterns = get_resolver().namespace_dict[namespace][1].url_patterns
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{pattern.namespace}:" if pattern.namespace else ""
            names += [inner + name for name in url_names(pattern.url_patterns)]
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} has no name"
            names.append(pattern.name)
    return names


ALL_URLS = url_names()


def test_the_namespace_has_urls():
    assert "board" in ALL_URLS and "board-poll" in ALL_URLS


@pytest.mark.parametrize("name", ALL_URLS)
def test_every_url_has_an_expectation(name):
    assert EXPECTED.get(name), f"mapping:{name} has no entry in EXPECTED: add who may GET/POST it"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_expectation_names_a_url(name):
    assert name in ALL_URLS, f"EXPECTED has {name}, which is no longer a URL"


@pytest.fixture
def world(organisation, other_organisation, facilitator, amo, member, outsider):
    mapping = organisation.mappings.create(title="Kortlægning")
    first, second = add_card(mapping, "MUS"), add_card(mapping, "Teammøder", "gruppe", "struktur")
    deleted = add_card(mapping, "Slettet", deleted_at="2026-01-01T00:00:00Z")
    purpose = Purpose.objects.create(mapping=mapping, title="Trivsel")
    link = Link.objects.create(mapping=mapping, source=second, target=first)
    invitation = Invitation.objects.create(organisation=organisation, token="x" * 32, role=Role.MEMBER)
    an_action = Action.objects.create(mapping=mapping, title="Følg op på trivselsmålingen", burden=4)
    dismissal = FindingDismissal.objects.create(mapping=mapping, key="no_owner:i1", code="no_owner")
    workshop = mapping.workshops.create(code="ABCD2345")
    an_input = Input.objects.create(
        workshop=workshop, kind=InputKind.COMMENT, initiative=first, text="Godt", participant="p", idempotency_key="k"
    )
    return World(
        mapping=mapping,
        card=first,
        other_card=second,
        deleted_card=deleted,
        link=link,
        purpose=purpose,
        membership=Membership.objects.get(user=member),
        invitation=invitation,
        action=an_action,
        dismissal=dismissal,
        workshop=workshop,
        input=an_input,
    )


@pytest.fixture
def signed_in(world, facilitator, amo, member, outsider):
    users = {"anonymous": None, "outsider": outsider, "member": member, "amo": amo, "facilitator": facilitator}
    return lambda role: client_for(users[role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ALL_URLS)
def test_each_role_gets_what_it_may(name, role, world, signed_in):
    checks = EXPECTED.get(name)
    assert checks, f"mapping:{name} has no entry in EXPECTED"
    client = signed_in(role)
    for check in checks:
        path = reverse(f"mapping:{name}", kwargs=check.kwargs(world))
        if check.method == "POST":
            response = client.post(path, check.data(world))
        else:
            response = client.get(path, check.data(world))
        expected = check.statuses[ROLES.index(role)]
        assert response.status_code == expected, f"{check.method} {path} as {role}"
        if response.status_code == 302 and role == "anonymous" and not name.startswith("join"):
            assert response.url.startswith("/accounts/login/?next=")


def test_a_write_by_a_member_changes_nothing(world, signed_in):
    version = world.mapping.version
    client = signed_in("member")
    for name, checks in EXPECTED.items():
        for check in checks:
            if check.method == "POST":
                client.post(reverse(f"mapping:{name}", kwargs=check.kwargs(world)), check.data(world))
    world.mapping.refresh_from_db()
    assert world.mapping.version == version
    assert world.mapping.initiatives.count() == 3
    assert world.mapping.links.count() == 1
    assert world.mapping.purposes.get().title == "Trivsel"
    assert world.membership.organisation.mappings.count() == 1


def test_an_outsider_cannot_tell_a_mapping_exists(world, signed_in):
    client = signed_in("outsider")
    real = client.get(reverse("mapping:board", args=["forening", world.mapping.pk]))
    missing = client.get(reverse("mapping:board", args=["forening", 999_999]))
    unknown = client.get(reverse("mapping:board", args=["ingen", world.mapping.pk]))
    assert real.status_code == missing.status_code == unknown.status_code == 404
    assert main(real) == main(missing) == main(unknown)


def main(response) -> str:
    """The page's content, without what differs on every response (nonces, CSRF tokens)."""
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


# The pages outside the app's namespace


def test_the_login_page_is_open_to_everyone(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Log ind" in response.content.decode()


def test_signing_in_goes_to_home(client, member):
    response = client.post(reverse("login"), {"username": "member", "password": "pw-member"})
    assert response.status_code == 302
    assert response.url == reverse("mapping:home")


def test_signing_in_returns_to_the_page_asked_for_but_never_elsewhere(client, member, mapping):
    login = client.get(reverse("login"), {"next": mapping.get_absolute_url()}).content.decode()
    assert f'name="next" value="{mapping.get_absolute_url()}"' in login
    response = client.post(
        reverse("login"), {"username": "member", "password": "pw-member", "next": mapping.get_absolute_url()}
    )
    assert response.url == mapping.get_absolute_url()
    client.logout()
    response = client.post(
        reverse("login"), {"username": "member", "password": "pw-member", "next": "https://evil.example/"}
    )
    assert response.url == reverse("mapping:home")


def test_a_wrong_password_is_refused_on_the_page(client, member):
    response = client.post(reverse("login"), {"username": "member", "password": "wrong"})
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_out_takes_a_post(member_client):
    response = member_client.post(reverse("logout"))
    assert response.status_code == 302
    assert member_client.get(reverse("mapping:home")).status_code == 302
    assert member_client.get(reverse("logout")).status_code == 405


def test_the_language_switch_sets_the_language(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.url == "/accounts/login/"
    assert response.cookies["django_language"].value == "en"
    page = client.get("/accounts/login/")
    assert '<html lang="en">' in page.content.decode()


def test_the_language_switch_refuses_to_send_people_elsewhere(client, db):
    response = client.post(reverse("set_language"), {"language": "da", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response.url


def test_the_language_switch_ignores_an_unknown_language(client, db):
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/accounts/login/"})
    assert "django_language" not in response.cookies


def test_the_admin_is_closed_to_members(facilitator_client):
    response = facilitator_client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


JUNK = {
    "title": "x" * 10_000,
    "level": "💥",
    "dimension": "\x00",
    "cell": "a:b:c",
    "index": "-5",
    "step": "²",
    "version": "1e9",
    "target": "[1]",
    "kind": "",
    "purposes": ["abc", "-1"],
    "reviewed_at": "2026-02-30",
    "role": "root",
    "who": "\x00",
    "template": "../etc/passwd",
    "initiative": "²",
    "file": "not a file",
    "v": "²",
    "t": "'; DROP TABLE",
}


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("name", ALL_URLS)
def test_no_url_answers_junk_with_a_server_error(name, htmx, world, signed_in):
    client = signed_in("facilitator")
    headers = {"HX-Request": "true"} if htmx else {}
    for check in EXPECTED[name]:
        path = reverse(f"mapping:{name}", kwargs=check.kwargs(world))
        send = client.post if check.method == "POST" else client.get
        response = send(path, JUNK, headers=headers)
        assert response.status_code < 500, f"{check.method} {path}"


@pytest.mark.parametrize("name", ALL_URLS)
def test_a_huge_id_in_any_url_is_not_found(name, world, signed_in):
    client = signed_in("facilitator")
    for check in EXPECTED[name]:
        kwargs = {k: 10**25 if k.endswith("_id") else v for k, v in check.kwargs(world).items()}
        if kwargs == check.kwargs(world):
            continue
        path = reverse(f"mapping:{name}", kwargs=kwargs)
        send = client.post if check.method == "POST" else client.get
        response = send(path, check.data(world))
        # A phone that has not joined is sent to the join page before any id is looked at.
        allowed = (302, 404, 405) if name.startswith("join") else (404, 405)
        assert response.status_code in allowed, f"{check.method} {path}"


# Outside the app: each top-level URL has its tests here; a new one must be added.
TOP_LEVEL = {
    "": "the app (mapping:), covered by EXPECTED",
    "accounts/": "sign in and out: test_the_login_page_is_open_to_everyone and the tests after it",
    "i18n/": "the language switch: test_the_language_switch_*",
    "admin/": "the admin: test_the_admin_is_closed_to_members, tests/test_admin.py",
    "healthz/": "the health check: test_the_health_check_answers_anyone_without_the_database",
    "readyz/": "readiness (database and cache): tests/test_readyz.py",
}


def test_every_top_level_url_is_covered():
    assert {str(p.pattern) for p in get_resolver().url_patterns} == set(TOP_LEVEL)


def test_the_health_check_answers_anyone_without_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert client.post("/healthz/").status_code == 405
