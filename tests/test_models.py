"""The data model: what the database refuses, and the domain rules on the models."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mapping.models import Conflict, Initiative, Invitation, Link, Mapping, Membership, Purpose, Role

from .conftest import add_card


def refused_by_database(queryset, **values) -> bool:
    try:
        with transaction.atomic():
            queryset.update(**values)
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize("field", ["level", "dimension", "status", "effect"])
def test_the_database_refuses_an_initiative_with_an_unknown_choice(mapping, field):
    card = add_card(mapping, "MUS")
    assert refused_by_database(mapping.initiatives.filter(pk=card.pk), **{field: "bogus"})
    card.refresh_from_db()
    assert getattr(card, field) != "bogus"


def test_the_database_accepts_every_known_choice(mapping):
    card = add_card(mapping, "MUS")
    assert not refused_by_database(
        mapping.initiatives.filter(pk=card.pk),
        level="organisation",
        dimension="kultur",
        status="paused",
        effect="clear",
    )


def test_the_database_refuses_an_initiative_without_a_title(mapping):
    card = add_card(mapping, "MUS")
    assert refused_by_database(mapping.initiatives.filter(pk=card.pk), title="")


def test_the_database_refuses_an_unknown_link_kind(mapping):
    a, b = add_card(mapping, "A"), add_card(mapping, "B")
    link = Link.objects.create(mapping=mapping, source=a, target=b)
    assert refused_by_database(Link.objects.filter(pk=link.pk), kind="bogus")


def test_the_database_refuses_an_unknown_role(organisation, member, facilitator):
    assert refused_by_database(Membership.objects.filter(user=member), role="admin")
    invitation = Invitation.objects.create(organisation=organisation, token="t" * 32, created_by=facilitator)
    assert refused_by_database(Invitation.objects.filter(pk=invitation.pk), role="admin")


def test_saving_a_bad_choice_is_refused_too(mapping):
    card = add_card(mapping, "MUS")
    card.level = "kælder"
    with pytest.raises(IntegrityError), transaction.atomic():
        card.save()


def test_the_database_refuses_a_self_link(mapping):
    a = add_card(mapping, "A")
    with pytest.raises(IntegrityError), transaction.atomic():
        Link.objects.create(mapping=mapping, source=a, target=a)
    assert not Link.objects.exists()


def test_the_database_refuses_a_duplicate_link(mapping):
    a, b = add_card(mapping, "A"), add_card(mapping, "B")
    Link.objects.create(mapping=mapping, source=a, target=b)
    with pytest.raises(IntegrityError), transaction.atomic():
        Link.objects.create(mapping=mapping, source=a, target=b, kind=Link.Kind.FEEDS_INTO)
    assert Link.objects.count() == 1


def test_a_link_back_the_other_way_is_not_a_duplicate(mapping):
    a, b = add_card(mapping, "A"), add_card(mapping, "B")
    Link.objects.create(mapping=mapping, source=a, target=b)
    Link.objects.create(mapping=mapping, source=b, target=a)
    assert Link.objects.count() == 2


def test_the_database_refuses_one_person_twice_in_an_organisation(organisation, member):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=member, organisation=organisation, role=Role.AMO)


def test_the_database_refuses_two_purposes_with_one_title_in_a_mapping(mapping, organisation):
    Purpose.objects.create(mapping=mapping, title="Trivsel")
    with pytest.raises(IntegrityError), transaction.atomic():
        Purpose.objects.create(mapping=mapping, title="Trivsel")
    other = organisation.mappings.create(title="Kortlægning 2027")
    Purpose.objects.create(mapping=other, title="Trivsel")
    assert Purpose.objects.filter(title="Trivsel").count() == 2


def test_link_clean_refuses_an_end_in_another_mapping(mapping, organisation):
    other = organisation.mappings.create(title="Kortlægning 2027")
    a, foreign = add_card(mapping, "A"), add_card(other, "Fremmed")
    with pytest.raises(ValidationError):
        Link(mapping=mapping, source=a, target=foreign).clean()
    with pytest.raises(ValidationError):
        Link(mapping=mapping, source=foreign, target=a).clean()


def test_link_clean_refuses_a_self_link(mapping):
    a = add_card(mapping, "A")
    with pytest.raises(ValidationError):
        Link(mapping=mapping, source=a, target=a).clean()


def test_link_clean_accepts_two_ends_in_its_mapping(mapping):
    a, b = add_card(mapping, "A"), add_card(mapping, "B")
    Link(mapping=mapping, source=a, target=b).clean()


def test_a_link_knows_when_it_crosses_level_and_dimension(mapping):
    a = add_card(mapping, "A", "individ", "struktur")
    b = add_card(mapping, "B", "individ", "kultur")
    c = add_card(mapping, "C", "ledelse", "struktur")
    across_dimension = Link(mapping=mapping, source=a, target=b)
    across_level = Link(mapping=mapping, source=a, target=c)
    assert across_dimension.crosses_dimension and not across_dimension.crosses_level
    assert across_level.crosses_level and not across_level.crosses_dimension


def test_set_purposes_refuses_a_purpose_of_another_mapping(mapping, organisation):
    other = organisation.mappings.create(title="Kortlægning 2027")
    own = Purpose.objects.create(mapping=mapping, title="Trivsel")
    foreign = Purpose.objects.create(mapping=other, title="Fremmed")
    card = add_card(mapping, "MUS")
    with pytest.raises(ValidationError):
        card.set_purposes([own, foreign])
    assert list(card.purposes.all()) == []


def test_set_purposes_stores_purposes_of_its_own_mapping(mapping):
    trivsel = Purpose.objects.create(mapping=mapping, title="Trivsel")
    card = add_card(mapping, "MUS")
    card.set_purposes([trivsel])
    assert list(card.purposes.all()) == [trivsel]


def test_a_change_moves_the_version_once(mapping):
    before = mapping.version
    with mapping.change():
        add_card(mapping, "MUS")
    with mapping.change():
        pass
    assert mapping.version == before + 2
    mapping.refresh_from_db()
    assert mapping.version == before + 2


def test_a_change_counts_changes_made_through_another_copy(mapping):
    stale = Mapping.objects.get(pk=mapping.pk)
    with mapping.change():
        pass
    with stale.change():
        pass
    assert stale.version == mapping.version + 1


def test_a_cancelled_change_keeps_nothing_and_keeps_the_version(mapping):
    before = mapping.version
    with mapping.change() as change:
        add_card(mapping, "MUS")
        change.cancel()
    mapping.refresh_from_db()
    assert mapping.version == before
    assert not mapping.initiatives.exists()


def test_a_failed_change_keeps_nothing_and_keeps_the_version(mapping):
    before = mapping.version
    with pytest.raises(ZeroDivisionError), mapping.change():
        add_card(mapping, "MUS")
        1 / 0  # noqa: B018
    mapping.refresh_from_db()
    assert mapping.version == before
    assert not mapping.initiatives.exists()


def test_a_change_members_do_not_see_keeps_the_version(mapping):
    before = mapping.version
    with mapping.change(bumps=False):
        add_card(mapping, "MUS")
    mapping.refresh_from_db()
    assert mapping.version == before
    assert mapping.initiatives.count() == 1


def test_a_stale_edit_is_a_conflict_that_names_every_field_that_differs(mapping):
    card = add_card(mapping, "MUS")
    trivsel = Purpose.objects.create(mapping=mapping, title="Trivsel")
    theirs = card.save_edit({"title": "MUS hvert år", "owner": "Leder", "purposes": [trivsel]}, version=1)
    assert theirs.version == 2
    mine = {"title": "MUS", "owner": "Leder", "purposes": [], "status": "paused", "reviewed_at": None}
    conflict = Initiative.objects.get(pk=card.pk).save_edit(mine, version=1)
    assert isinstance(conflict, Conflict)
    assert [label for label, _theirs, _mine in conflict.rows] == ["Titel", "Formål", "Status"]
    assert ("Status", "I gang", "Sat på pause") in conflict.rows
    assert ("Formål", "Trivsel", "—") in conflict.rows
    card.refresh_from_db()
    assert (card.title, card.status, card.version) == ("MUS hvert år", "active", 2)


def titles(mapping, level, dimension) -> list[str]:
    cards = mapping.initiatives.active().in_cell(level, dimension).order_by("position", "id")
    return [c.title for c in cards]


def positions(mapping, level, dimension) -> list[int]:
    cards = mapping.initiatives.active().in_cell(level, dimension).order_by("position", "id")
    return [c.position for c in cards]


def test_move_reorders_within_a_cell(mapping):
    a, b, c = (add_card(mapping, t) for t in "ABC")
    c.move("individ", "struktur", 0)
    assert titles(mapping, "individ", "struktur") == ["C", "A", "B"]
    assert positions(mapping, "individ", "struktur") == [0, 1, 2]


def test_move_renumbers_both_cells(mapping):
    a, b, c = (add_card(mapping, t) for t in "ABC")
    add_card(mapping, "X", "gruppe", "kultur")
    add_card(mapping, "Y", "gruppe", "kultur")
    a.move("gruppe", "kultur", 1)
    assert titles(mapping, "gruppe", "kultur") == ["X", "A", "Y"]
    assert positions(mapping, "gruppe", "kultur") == [0, 1, 2]
    assert titles(mapping, "individ", "struktur") == ["B", "C"]
    assert positions(mapping, "individ", "struktur") == [0, 1]
    a.refresh_from_db()
    assert (a.level, a.dimension, a.position) == ("gruppe", "kultur", 1)


def test_move_past_the_end_puts_the_card_last(mapping):
    a = add_card(mapping, "A")
    add_card(mapping, "B")
    a.move("individ", "struktur", 99)
    assert titles(mapping, "individ", "struktur") == ["B", "A"]
    assert positions(mapping, "individ", "struktur") == [0, 1]


def test_move_ignores_deleted_cards(mapping):
    a, b, c = (add_card(mapping, t) for t in "ABC")
    mapping.initiatives.filter(pk=b.pk).update(deleted_at="2026-01-01T00:00:00Z")
    c.move("individ", "struktur", 0)
    assert titles(mapping, "individ", "struktur") == ["C", "A"]
    assert positions(mapping, "individ", "struktur") == [0, 1]


def test_active_and_deleted_split_the_initiatives(mapping):
    a, b = add_card(mapping, "A"), add_card(mapping, "B")
    mapping.initiatives.filter(pk=b.pk).update(deleted_at="2026-01-01T00:00:00Z")
    assert list(mapping.initiatives.active()) == [a]
    assert list(mapping.initiatives.deleted()) == [b]


def test_roles_decide_what_a_member_can_do(organisation, facilitator, amo, member):
    by_user = {m.user: m for m in organisation.memberships.all()}
    assert by_user[facilitator].can_edit and by_user[facilitator].can_manage
    assert by_user[amo].can_edit and not by_user[amo].can_manage
    assert not by_user[member].can_edit and not by_user[member].can_manage


def test_urls_of_the_models(mapping, organisation):
    card = add_card(mapping, "MUS")
    assert organisation.get_absolute_url() == "/o/forening/"
    assert mapping.get_absolute_url() == f"/o/forening/m/{mapping.pk}/"
    assert card.get_absolute_url() == f"/o/forening/m/{mapping.pk}/i/{card.pk}/"
