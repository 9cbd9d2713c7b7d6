"""The one permission gate.

Every view starts here: the organisation (and mapping) come from the URL and
the signed-in user's membership. Outsiders get 404, so nothing reveals that an
organisation or mapping exists; members whose role is too low get 403.
"""

from dataclasses import dataclass
from enum import Enum

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpRequest

from .models import Mapping, Membership, Organisation


class Need(Enum):
    READ = "read"  # any member
    EDIT = "edit"  # facilitator or AMO: change the board
    MANAGE = "manage"  # facilitator: members, mappings


@dataclass(frozen=True)
class Access:
    organisation: Organisation
    membership: Membership
    mapping: Mapping | None = None

    @property
    def can_edit(self) -> bool:
        return self.membership.can_edit

    @property
    def can_manage(self) -> bool:
        return self.membership.can_manage


def gate(
    request: HttpRequest,
    org: str,
    mapping_id: int | None = None,
    need: Need = Need.READ,
) -> Access:
    user = request.user
    if not user.is_authenticated:
        raise Http404
    mapping = None
    if mapping_id is None:
        membership = Membership.objects.select_related("organisation").filter(user=user, organisation__slug=org).first()
        if membership is None:
            raise Http404
    else:
        # One query for the mapping, its organisation and the user's membership there
        # (one membership per user and organisation, so at most one row). Filter before
        # annotating: so the role is read from the same, filtered, membership join.
        try:
            mapping = (
                Mapping.objects.select_related("organisation")
                .filter(pk=mapping_id, organisation__slug=org, organisation__memberships__user=user)
                .annotate(membership_pk=F("organisation__memberships__pk"), role=F("organisation__memberships__role"))
                .get()
            )
        except Mapping.DoesNotExist:
            raise Http404 from None
        membership = Membership(
            pk=mapping.membership_pk, user=user, organisation=mapping.organisation, role=mapping.role
        )
    organisation = membership.organisation
    if need is Need.EDIT and not membership.can_edit:
        raise PermissionDenied
    if need is Need.MANAGE and not membership.can_manage:
        raise PermissionDenied
    return Access(organisation=organisation, membership=membership, mapping=mapping)
