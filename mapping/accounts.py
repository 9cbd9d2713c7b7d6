"""Deleting an account, and what becomes of the organisations the person leaves.

The rule: an organisation must not be left without a facilitator while
others still belong to it, so a last facilitator with other members hands
the role over (or deletes the organisation) first. An organisation where the
person is the only member is deleted with the account: no one else could
ever reach its data again.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Q

from .models import Membership, Organisation, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass
class AccountDeletion:
    deleted_with_it: list[Organisation] = field(default_factory=list)  # only this person belongs
    blocking: list[Organisation] = field(default_factory=list)  # last facilitator; others belong too

    @property
    def is_possible(self) -> bool:
        return not self.blocking


def account_deletion(user: "User", *, lock: bool = False) -> AccountDeletion:
    """What deleting ``user`` would do to their organisations (``lock``: inside a transaction, for the deletion)."""
    ids = list(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
    if lock:
        # The memberships that decide, as Membership.set_role locks them: no one hands over meanwhile.
        list(Membership.objects.select_for_update().filter(organisation_id__in=ids).values_list("pk"))
    plan = AccountDeletion()
    counted = Organisation.objects.filter(pk__in=ids).annotate(
        members=Count("memberships"),
        facilitators=Count("memberships", filter=Q(memberships__role=Role.FACILITATOR)),
        mine=Count("memberships", filter=Q(memberships__user=user, memberships__role=Role.FACILITATOR)),
    )
    for organisation in counted.order_by("name"):
        if organisation.members == 1:
            plan.deleted_with_it.append(organisation)
        elif organisation.mine and organisation.facilitators == 1:
            plan.blocking.append(organisation)
    return plan


def delete_account(user: "User") -> AccountDeletion:
    """Delete the user and the organisations only they belong to; nothing at all when ``blocking``."""
    with transaction.atomic():
        plan = account_deletion(user, lock=True)
        if plan.is_possible:
            for organisation in plan.deleted_with_it:
                organisation.delete()
            user.delete()
    return plan
