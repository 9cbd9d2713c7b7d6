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


def is_release_due(count: int, released: int, minimum: int) -> bool:
    """Whether the shown aggregate of ``count`` answers may replace the one shown of ``released`` answers.

    The rule that stops differencing: an aggregate (one initiative, one
    workshop) is shown only from ``minimum`` answers on, and after that it moves
    only when at least ``minimum`` answers have come in since it last moved.
    Two aggregates anyone can see therefore differ by at least ``minimum``
    answers (plus any changed ones), never by one person's: "3,0 (5 svar)"
    stays until the tenth answer, so Bob's rating, the sixth, cannot be
    subtracted out. Changed answers are taken in at the next step, so
    changing one's own answer does not move the aggregate either. Several
    workshops add released aggregates only, so pooling them on the board
    moves in the same steps.
    """
    step = group_minimum(minimum)
    return count >= step and count - released >= step


def rating_aggregates(rows, minimum: int) -> dict[int, dict[str, Aggregate]]:
    """``rows``: (initiative id, answers, sum of "purpose clear", sum of "works")."""
    return {
        initiative_id: {
            "purpose": aggregate(count, purpose_total, minimum),
            "works": aggregate(count, works_total, minimum),
        }
        for initiative_id, count, purpose_total, works_total in rows
    }


def burden(rows, finding_keys: set[str]) -> int | None:
    """An action's burden (1-5) from employees' released "belaster" marks on these findings, or None.

    ``rows``: (workshop, finding, released count), where finding "" counts the
    people who marked anything in that workshop. The share of those people who
    marked one of these findings: nobody 1, everybody 5. Released counts only,
    so the burden moves in the same steps as every shown figure; None while no
    workshop released marks on these findings: then the finding's severity
    decides. A person may mark several findings of a group, so a group's share
    is capped at everybody. People cannot be linked across workshops, so each
    workshop counts its own.
    """
    marked: Counter = Counter()
    people: Counter = Counter()
    for workshop, finding, count in rows:
        if finding == "":
            people[workshop] += count
        elif finding in finding_keys:
            marked[workshop] += count
    if not any(marked[workshop] and people[workshop] for workshop in marked):
        return None
    share = sum(min(marked[workshop], count) for workshop, count in people.items()) / sum(people.values())
    return 1 + round(4 * share)


# -- Participants ----------------------------------------------------------------

COOKIE = "iglo_workshop"
COOKIE_SALT = "mapping.workshop.participant"
COOKIE_MAX_AGE = 12 * 60 * 60
NAME_MAX = 60


RATING_SALT = "mapping.workshop.rating"


@dataclass(frozen=True)
class Participant:
    """Someone who joined one workshop (``workshop``): the cookie is no key to any other."""

    token: str
    name: str = ""
    workshop: int = 0

    def key(self, workshop_id: int, name: str | None = None) -> str:
        """The only trace of a participant in the database: not reversible, not linkable across workshops.

        Without ``name``: the key of votes (one vote per person and item, and
        the vote budget, need the votes of one person to share a key) and of
        the limits. With ``name`` (the display name used, "" when anonymous):
        the key of suggestions and comments. It changes with the name, so what
        someone wrote anonymously cannot be linked to what they wrote under
        their name. Ratings have a key of their own per initiative
        (``rating_key``).
        """
        message = f"{workshop_id}:{self.token}" + ("" if name is None else f":author:{name}")
        return salted_hmac(COOKIE_SALT, message, algorithm="sha256").hexdigest()

    def author_key(self, workshop_id: int) -> str:
        """The key of the suggestions and comments written under the current display name."""
        return self.key(workshop_id, self.name)

    def rating_key(self, workshop_id: int, initiative_id: int) -> str:
        """The key of this person's rating of one initiative (see ``rating_key``)."""
        return rating_key(self.key(workshop_id), initiative_id)

    def cookie_value(self) -> str:
        return json.dumps({"t": self.token, "n": self.name, "w": self.workshop}, separators=(",", ":"))


def rating_key(participant_key: str, initiative_id: int) -> str:
    """The key a rating is stored under: one per person and initiative, so rating again replaces
    the earlier answer, yet no two of one person's ratings, nor their ratings and votes, share a
    key. Keyed with the site's secret: the database alone cannot recompute it."""
    return salted_hmac(RATING_SALT, f"{participant_key}:{initiative_id}", algorithm="sha256").hexdigest()


def new_participant(workshop_id: int) -> Participant:
    """Someone joining a workshop for the first time: a fresh random token, no name yet."""
    return Participant(token=secrets.token_urlsafe(24), workshop=workshop_id)


def read_participant(signed_value: str | None, workshop_id: int) -> Participant | None:
    """The participant of workshop ``workshop_id`` in a cookie value (already checked by
    ``get_signed_cookie``), or None: a cookie made for another workshop is no participant here."""
    if not signed_value:
        return None
    try:
        data = json.loads(signed_value)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    token, name, workshop = data.get("t"), data.get("n", ""), data.get("w")
    if not isinstance(token, str) or len(token) < 16 or not isinstance(name, str) or workshop != workshop_id:
        return None
    return Participant(token=token, name=name[:NAME_MAX], workshop=workshop_id)


class FreshKey:
    """An idempotency key that renders as a new random value every time it is written into a page.

    Each form on a participant's page gets its own key, so the keys stored
    with a rating, a vote and a comment share nothing (one value per page
    with a suffix per form would link them all).
    """

    def __str__(self) -> str:
        return secrets.token_urlsafe(12)


def new_form_key() -> FreshKey:
    """The idempotency keys for the forms of one rendered page: independent, one per form."""
    return FreshKey()


# -- Limits ----------------------------------------------------------------------

PARTICIPANT_WRITES_PER_MINUTE = 30
CODE_WRITES_PER_MINUTE = 900  # 60 people writing every 10 s is 360
# New identities from one address in one workshop. Not a cap on the workshop: that is the
# participant limit the facilitator sees and can raise (``Workshop.admit``), so a script
# cannot lock real people out, only fill the seats the facilitator watches. A whole room
# behind one office router joins in the same minute: as many as the default limit seats.
JOINS_PER_CLIENT_PER_MINUTE = 100
# Every participant request (pages, polls, writes): one phone polls every 2 s (30 a minute);
# one address may be a whole office behind one router.
REQUESTS_PER_PARTICIPANT_PER_MINUTE = 120
REQUESTS_PER_CLIENT_PER_MINUTE = 3000
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
