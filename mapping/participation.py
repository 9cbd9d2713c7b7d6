"""Workshop rules that need no request: the method's steps, who a participant
is, how fast they may write, and which aggregates may be shown.

Participants have no account. Joining sets a signed cookie holding a random
token (and a display name, if they chose one); the database only ever sees a
keyed hash of that token, salted with the workshop (and, on suggestions and
comments, with the display name used: see ``Participant.key``).
"""

import json
import secrets
import time
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# -- The method's steps, in our own words ------------------------------------


@dataclass(frozen=True)
class Step:
    number: int
    title: Promise
    lead: Promise
    questions: tuple[Promise, ...]
    prompt: Promise  # what participants are asked to do on their phones


STEPS = (
    Step(
        1,
        _("Overblik og formål"),
        _("Hvad gør vi allerede for trivslen, og hvad er formålet?"),
        (
            _("Hvilke indsatser har vi på hvert af de fire niveauer – både de formelle og de uformelle?"),
            _("Hvad skal hver indsats opnå, og ved vi, om den gør det?"),
            _("Kører noget bare videre af vane, uden at nogen kan sige, hvad det er til?"),
            _("Laver vi det samme to steder, eller står to indsatser stærkere, hvis de hænger sammen?"),
        ),
        _("Bedøm indsatserne: Er formålet klart for dig, og virker de?"),
    ),
    Step(
        2,
        _("Forbind"),
        _("Indsatserne skal støtte hinanden – på tværs af niveauer og mellem struktur og kultur."),
        (
            _("Hvilke indsatser burde tale bedre sammen?"),
            _("Står den enkelte alene med noget, som teamet ikke bakker op om?"),
            _("Når en måling viser et problem: Hvem tager det op, og hvor bliver det fulgt op?"),
            _(
                "Hvilke formelle indsatser (struktur) bæres af den måde, vi er sammen på (kultur) – og hvor mangler det ene det andet?"
            ),
        ),
        _("Kommentér: Hvad hænger sammen, og hvad mangler en forbindelse?"),
    ),
    Step(
        3,
        _("Involvér"),
        _("Arbejdsmiljøet er et fælles ansvar. Det er jeres erfaringer, der viser, hvad der virker."),
        (
            _("Hvem kan sige noget om, hvordan indsatserne virker i hverdagen?"),
            _("Hvad skal der til, for at vi kan tale åbent om arbejdsmiljøet?"),
            _("Oplever I noget, som ingen indsats tager sig af i dag?"),
            _("Hvordan er AMO (arbejdsmiljøorganisationen) med, når resultaterne skal følges op?"),
        ),
        _("Foreslå det, I også gør, eller det, I savner."),
    ),
    Step(
        4,
        _("Fra kortlægning til handling"),
        _("Tag en ting ad gangen, og begynd med det, der belaster mest lige nu."),
        (
            _("Hvad belaster mest lige nu?"),
            _("Hvilket hul lukker vi først, og hvad justerer vi i det, vi allerede gør?"),
            _("Hvad er et lille, realistisk første skridt – og hvem følger op?"),
            _("Hvad vælger vi fra, så der bliver plads til det nye?"),
        ),
        _("Brug dine stemmer på det, der er vigtigst at tage fat på."),
    ),
)


def step(number: int) -> Step:
    return STEPS[min(max(number, 1), len(STEPS)) - 1]


# -- Aggregates ----------------------------------------------------------------

# Below this many answers an average or a vote count is never shown, whatever an
# organisation sets: with one or two answers an average is a person's answer.
MIN_GROUP_SIZE_FLOOR = 3


def group_minimum(configured: int) -> int:
    """How many answers must exist before an aggregate shows: the organisation's setting, never below the floor."""
    return max(configured, MIN_GROUP_SIZE_FLOOR)


@dataclass(frozen=True)
class Aggregate:
    """An average that may only be shown once enough people answered."""

    count: int
    average: float | None  # None: too few answers to show anything

    @property
    def is_enough(self) -> bool:
        return self.average is not None


def aggregate(count: int, total: int, minimum: int) -> Aggregate:
    """The average of ``count`` answers summing to ``total``, or nothing below ``minimum``.

    The minimum never drops below ``MIN_GROUP_SIZE_FLOOR``, whatever the
    caller passes: with one or two answers an average is a person's answer.
    """
    if count < group_minimum(minimum):
        return Aggregate(count, None)
    return Aggregate(count, round(total / count, 1))


def rating_aggregates(rows, minimum: int) -> dict[int, dict[str, Aggregate]]:
    """``rows``: (initiative id, answers, sum of "purpose clear", sum of "works")."""
    return {
        initiative_id: {
            "purpose": aggregate(count, purpose_total, minimum),
            "works": aggregate(count, works_total, minimum),
        }
        for initiative_id, count, purpose_total, works_total in rows
    }


def vote_tally(counts: dict[int, int], voters: int, minimum: int) -> dict[int, int] | None:
    """Votes per item, or None while fewer than ``minimum`` people have voted.

    Counts are shown only as a whole: with few voters, one dot on an item
    tells who put it there.
    """
    if voters < group_minimum(minimum):
        return None
    return dict(counts)


def tally_votes(rows, minimum: int) -> dict[int, int] | None:
    """Votes per item from ``rows`` of (item id, participant key), or None while too few voted.

    Only the people who voted on these items count towards the minimum: that
    others voted on something else says nothing about who put a dot here.
    """
    rows = list(rows)
    voters = len({participant for _item, participant in rows})
    return vote_tally(Counter(item for item, _participant in rows), voters, minimum)


# -- Participants ----------------------------------------------------------------

COOKIE = "iglo_workshop"
COOKIE_SALT = "mapping.workshop.participant"
COOKIE_MAX_AGE = 12 * 60 * 60
NAME_MAX = 60


@dataclass(frozen=True)
class Participant:
    token: str
    name: str = ""

    def key(self, workshop_id: int, name: str | None = None) -> str:
        """The only trace of a participant in the database: not reversible, not linkable across workshops.

        Without ``name``: the key of ratings and votes, which never carry a
        name; it keeps one rating per initiative and the vote budget. With
        ``name`` (the display name used, "" when anonymous): the key of
        suggestions and comments. It changes with the name, so what someone
        wrote anonymously cannot be linked to what they wrote under their
        name, nor to their ratings.
        """
        message = f"{workshop_id}:{self.token}" + ("" if name is None else f":author:{name}")
        return salted_hmac(COOKIE_SALT, message, algorithm="sha256").hexdigest()

    def author_key(self, workshop_id: int) -> str:
        """The key of the suggestions and comments written under the current display name."""
        return self.key(workshop_id, self.name)

    def cookie_value(self) -> str:
        return json.dumps({"t": self.token, "n": self.name}, separators=(",", ":"))


def new_participant() -> Participant:
    """Someone joining for the first time: a fresh random token, no name yet."""
    return Participant(token=secrets.token_urlsafe(24))


def read_participant(signed_value: str | None) -> Participant | None:
    """The participant in a cookie value (already checked by ``get_signed_cookie``), or None."""
    if not signed_value:
        return None
    try:
        data = json.loads(signed_value)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    token, name = data.get("t"), data.get("n", "")
    if not isinstance(token, str) or len(token) < 16 or not isinstance(name, str):
        return None
    return Participant(token=token, name=name[:NAME_MAX])


def new_form_key() -> str:
    """A fresh idempotency key for the forms of one rendered page."""
    return secrets.token_urlsafe(12)


# -- Limits ----------------------------------------------------------------------

PARTICIPANT_WRITES_PER_MINUTE = 30
CODE_WRITES_PER_MINUTE = 900  # 60 people writing every 10 s is 360
CODE_JOINS_PER_MINUTE = 300
# Lookups of codes that do not exist, site-wide: guessing stays slow, real codes keep working.
UNKNOWN_CODES_PER_MINUTE = 600


def allow(scope: str, ident: str, limit: int, window: int = 60) -> bool:
    """Count one hit in a fixed window; False once ``limit`` is passed.

    Counters live in Django's cache: per process with the default local-memory
    cache, shared with a shared cache. Good enough to stop a runaway phone or
    a script; not an accounting system.
    """
    key = f"iglo:limit:{scope}:{ident}:{int(time.time() // window)}"
    if cache.add(key, 1, timeout=window + 5):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        return True
    return count <= limit
