"""IGLO's data. Every row belongs to exactly one organisation, reached through its mapping.

- ``organisations``: the tenants, memberships and invitations;
- ``mappings``: a mapping and its board (purposes, initiatives, links), the
  write protocol ``Mapping.change()`` and the ``Conflict`` of a lost race;
- ``plans``: the action plan and dismissed findings;
- ``workshops``: live sessions and employees' input;
- ``rounds``: the next round of a mapping, the annual discussion and its goals;
- ``sessions``: sign-in sessions, with their user as a column.
"""

from ..levels import DIMENSION_HINTS, Dimension, Level
from ..participation import MIN_GROUP_SIZE_FLOOR
from .choices import (
    ActionStatus,
    Effect,
    Effort,
    InitiativeStatus,
    InputKind,
    InputStatus,
    LinkKind,
    Role,
    WorkshopStatus,
)
from .mappings import Analysis, Change, Conflict, Initiative, InitiativeQuerySet, Link, Mapping, Purpose, RoundReadOnly
from .organisations import Invitation, Membership, Organisation
from .plans import Action, ActionQuerySet, FindingDismissal
from .rounds import Discussion, Goal, GoalEvaluation, RoundExists, set_read_only, start_next_round
from .sessions import Session
from .workshops import (
    WORKSHOP_MAX_AGE,
    Input,
    InputQuerySet,
    Release,
    Workshop,
    WorkshopQuerySet,
    new_join_code,
    normalise_code,
)

__all__ = [
    "Session",
    "DIMENSION_HINTS",
    "MIN_GROUP_SIZE_FLOOR",
    "WORKSHOP_MAX_AGE",
    "Action",
    "ActionQuerySet",
    "ActionStatus",
    "Analysis",
    "Change",
    "Conflict",
    "Dimension",
    "Discussion",
    "Effect",
    "Effort",
    "FindingDismissal",
    "Goal",
    "GoalEvaluation",
    "Initiative",
    "InitiativeQuerySet",
    "InitiativeStatus",
    "Input",
    "Release",
    "InputKind",
    "InputQuerySet",
    "InputStatus",
    "Invitation",
    "Level",
    "Link",
    "LinkKind",
    "Mapping",
    "Membership",
    "Organisation",
    "Purpose",
    "Role",
    "RoundExists",
    "RoundReadOnly",
    "Workshop",
    "WorkshopQuerySet",
    "WorkshopStatus",
    "new_join_code",
    "normalise_code",
    "set_read_only",
    "start_next_round",
]
