"""Lossless JSON export and import of a mapping.

The export holds everything a mapping is made of; importing it creates a new
mapping in the importing organisation. Export -> import -> export gives the
same document apart from ids and timestamps. Import validates the whole file
before it writes anything, and writes in one transaction.
"""

import json
from typing import Any, TypeGuard

from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from . import gaps
from .models import (
    Action,
    Dimension,
    Discussion,
    FindingDismissal,
    Goal,
    GoalEvaluation,
    Initiative,
    Level,
    Link,
    Mapping,
    Organisation,
    Purpose,
)
from .models.rounds import DISCUSSION_TEXTS
from .storable import bounded_int, contains_unstorable

FORMAT = "iglo-mapping"
FORMAT_VERSION = 1
MAX_ITEMS = 5000
MAX_POSITION = 100_000
MAX_ROUNDS = 20  # rounds before this one kept in one export (nested under "previous")

IMPORTED_FIELDS = [
    "title",
    "description",
    "purpose_text",
    "owner",
    "cadence",
    "level",
    "dimension",
    "position",
    "status",
    "effect",
    "is_measurement",
    "reviewed_at",
]
INITIATIVE_FIELDS = {
    "title": (str, 200),
    "description": (str, 5000),
    "purpose_text": (str, 300),
    "owner": (str, 200),
    "cadence": (str, 100),
}


class ImportRefused(ValueError):
    """A file that cannot be imported; the message says why, in the user's language."""


def export_mapping(mapping: Mapping, depth: int = 0) -> dict:
    initiatives = list(
        mapping.initiatives.active().order_by("level", "dimension", "position", "id").prefetch_related("purposes")
    )
    active_ids = {i.pk for i in initiatives}
    links = [
        link for link in mapping.links.order_by("id") if link.source_id in active_ids and link.target_id in active_ids
    ]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "title": mapping.title,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "wip_limit": mapping.wip_limit,
        "purposes": [
            {"id": p.pk, "title": p.title, "description": p.description}
            for p in mapping.purposes.order_by("title", "id")
        ],
        "initiatives": [
            {
                "id": i.pk,
                "title": i.title,
                "description": i.description,
                "purpose_text": i.purpose_text,
                "level": i.level,
                "dimension": i.dimension,
                "position": i.position,
                "status": i.status,
                "owner": i.owner,
                "cadence": i.cadence,
                "effect": i.effect,
                "is_measurement": i.is_measurement,
                "reviewed_at": i.reviewed_at.isoformat() if i.reviewed_at else None,
                "purposes": sorted(p.pk for p in i.purposes.all()),
                "predecessor": i.predecessor_id,
            }
            for i in initiatives
        ],
        "links": [
            {
                "id": link.pk,
                "source": link.source_id,
                "target": link.target_id,
                "kind": link.kind,
                "note": link.note,
            }
            for link in links
        ],
        "actions": [
            {
                "id": action.pk,
                "title": action.title,
                "description": action.description,
                "solution": action.solution,
                "follow_up": action.follow_up,
                "initiatives": sorted(i.pk for i in action.initiatives.all() if i.pk in active_ids),
                "finding_code": action.finding_code,
                "finding_key": action.finding_key,
                "owner": action.owner,
                "due": action.due.isoformat() if action.due else None,
                "burden": action.burden,
                "effort": action.effort,
                "status": action.status,
                "predecessor": action.predecessor_id,
            }
            for action in mapping.actions.order_by("id").prefetch_related("initiatives")
        ],
        "dismissals": [{"key": d.key, "code": d.code} for d in mapping.dismissals.order_by("id")],
        **export_round(mapping, active_ids, depth),
    }


def export_round(mapping: Mapping, active_ids: set[int], depth: int) -> dict:
    """Rounds: read-only or not, the discussion record, the goals, and the rounds before (nested)."""
    record = Discussion.objects.filter(mapping=mapping).first()
    data: dict[str, Any] = {
        "is_read_only": mapping.is_read_only,
        "discussion": None
        if record is None
        else {
            "held_on": record.held_on.isoformat() if record.held_on else None,
            **{name: getattr(record, name) for name in DISCUSSION_TEXTS},
        },
        "goals": [
            {
                "id": goal.pk,
                "title": goal.title,
                "is_carried": goal.is_carried,
                "predecessor": goal.predecessor_id,
                "evaluation": goal.evaluation,
                "comment": goal.comment,
                "initiatives": sorted(i.pk for i in goal.initiatives.all() if i.pk in active_ids),
                "actions": sorted(a.pk for a in goal.actions.all()),
            }
            for goal in mapping.goals.order_by("id").prefetch_related("initiatives", "actions")
        ],
    }
    if mapping.predecessor is not None and depth < MAX_ROUNDS:
        data["previous"] = export_mapping(mapping.predecessor, depth + 1)
    return data


def _json_int(digits: str) -> int:
    try:
        return bounded_int(digits, max_digits=100)  # far past any field's range, which validate() checks
    except ValueError:
        raise ImportRefused(_("Filen har et tal med for mange cifre.")) from None


def parse_upload(raw: bytes) -> dict:
    """The file as data, or ``ImportRefused`` saying why not (see mapping/storable.py for what cannot be stored)."""
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_int=_json_int)
        is_unstorable = contains_unstorable(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ImportRefused(_("Filen er ikke gyldig JSON.")) from None
    if is_unstorable:
        raise ImportRefused(_("Filen indeholder tegn, der ikke kan gemmes (et NUL-tegn eller ugyldig Unicode)."))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused(_("Filen er ikke en IGLO-eksport."))
    if data.get("format_version") != FORMAT_VERSION:
        raise ImportRefused(_("Filen er fra en version af IGLO, vi ikke kan læse."))
    return data


def _text(item: dict, key: str, limit: int, where: str, required: bool = False) -> str:
    value = item.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ImportRefused(_("%(where)s: feltet “%(key)s” skal være tekst.") % {"where": where, "key": key})
    value = value.strip()
    if required and not value:
        raise ImportRefused(_("%(where)s: feltet “%(key)s” mangler.") % {"where": where, "key": key})
    if len(value) > limit:
        raise ImportRefused(
            _("%(where)s: feltet “%(key)s” er længere end %(limit)s tegn.")
            % {"where": where, "key": key, "limit": limit}
        )
    return value


def _choice(item: dict, key: str, choices: type[models.TextChoices], default: str | None, where: str) -> str:
    value = item.get(key, default)
    if not isinstance(value, str) or value not in choices.values:
        raise ImportRefused(
            _("%(where)s: “%(value)s” er ikke en gyldig værdi for “%(key)s”.")
            % {"where": where, "value": value, "key": key}
        )
    return value


def _is_id(value: object) -> TypeGuard[int | str]:
    """Ids are what an export writes (numbers) or the example uses (text); anything else is refused."""
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def _new_id(item: dict, seen: set, where: str) -> int | str:
    """An item's id: present, of a kind an export writes, and not used before in its list."""
    value = item.get("id")
    if not _is_id(value) or value in seen:
        raise ImportRefused(_("%(where)s har et manglende eller gentaget id.") % {"where": where})
    seen.add(value)
    return value


def _list(data: dict, key: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
        raise ImportRefused(_("Feltet “%(key)s” skal være en liste.") % {"key": key})
    if len(value) > MAX_ITEMS:
        raise ImportRefused(_("Filen har for mange elementer."))
    return value


def validate(data: dict, depth: int = 0) -> dict:
    """Check a parsed export completely; returns clean data or raises ImportRefused."""
    title = _text(data, "title", 200, _("Kortlægningen"), required=True)
    purposes: list[dict[str, Any]] = []
    purpose_ids: set[int | str] = set()
    for n, item in enumerate(_list(data, "purposes"), 1):
        where = _("Formål nr. %(n)s") % {"n": n}
        purposes.append(
            {
                "id": _new_id(item, purpose_ids, where),
                "title": _text(item, "title", 200, where, required=True),
                "description": _text(item, "description", 2000, where),
            }
        )
    if len({p["title"].lower() for p in purposes}) != len(purposes):
        raise ImportRefused(_("To formål har samme titel."))

    initiatives: list[dict[str, Any]] = []
    initiative_ids: set[int | str] = set()
    for n, item in enumerate(_list(data, "initiatives"), 1):
        where = _("Indsats nr. %(n)s") % {"n": n}
        clean: dict[str, object] = {
            key: _text(item, key, limit, where, key == "title") for key, (_t, limit) in INITIATIVE_FIELDS.items()
        }
        clean["id"] = _new_id(item, initiative_ids, where)
        clean["level"] = _choice(item, "level", Level, None, where)
        clean["dimension"] = _choice(item, "dimension", Dimension, None, where)
        clean["status"] = _choice(item, "status", Initiative.Status, "active", where)
        clean["effect"] = _choice(item, "effect", Initiative.Effect, "unknown", where)
        position = item.get("position", n)
        if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position <= MAX_POSITION:
            raise ImportRefused(_("%(where)s: “position” skal være et tal ≥ 0.") % {"where": where})
        clean["position"] = position
        is_measurement = item.get("is_measurement")  # null: nobody said, the title decides
        if is_measurement is not None and not isinstance(is_measurement, bool):
            raise ImportRefused(_("%(where)s: “is_measurement” skal være true eller false.") % {"where": where})
        clean["is_measurement"] = is_measurement
        reviewed = item.get("reviewed_at")
        clean["reviewed_at"] = None
        if reviewed is not None:
            try:
                clean["reviewed_at"] = parse_date(reviewed) if isinstance(reviewed, str) else None
            except ValueError:
                clean["reviewed_at"] = None
            if clean["reviewed_at"] is None:
                raise ImportRefused(_("%(where)s: “reviewed_at” skal være en dato.") % {"where": where})
        item_purposes = item.get("purposes", [])
        if not isinstance(item_purposes, list) or any(not _is_id(p) or p not in purpose_ids for p in item_purposes):
            raise ImportRefused(_("%(where)s peger på et formål, der ikke er i filen.") % {"where": where})
        clean["purposes"] = list(dict.fromkeys(item_purposes))
        clean["predecessor"] = item.get("predecessor") if _is_id(item.get("predecessor")) else None
        initiatives.append(clean)

    links, pairs = [], set()
    for n, item in enumerate(_list(data, "links"), 1):
        where = _("Forbindelse nr. %(n)s") % {"n": n}
        source, target = item.get("source"), item.get("target")
        if not (_is_id(source) and _is_id(target)) or source not in initiative_ids or target not in initiative_ids:
            raise ImportRefused(_("%(where)s peger på en indsats, der ikke er i filen.") % {"where": where})
        if source == target:
            raise ImportRefused(_("%(where)s forbinder en indsats med sig selv.") % {"where": where})
        if (source, target) in pairs:
            raise ImportRefused(_("%(where)s findes to gange.") % {"where": where})
        pairs.add((source, target))
        links.append(
            {
                "source": source,
                "target": target,
                "kind": _choice(item, "kind", Link.Kind, "related", where),
                "note": _text(item, "note", 1000, where),
            }
        )
    wip_limit = data.get("wip_limit", 3)
    if not isinstance(wip_limit, int) or isinstance(wip_limit, bool) or not 1 <= wip_limit <= 20:
        raise ImportRefused(_("“wip_limit” skal være et tal fra 1 til 20."))
    return {
        "title": title,
        "wip_limit": wip_limit,
        "purposes": purposes,
        "initiatives": initiatives,
        "links": links,
        "actions": _validate_actions(data, initiative_ids),
        "dismissals": _validate_dismissals(data),
        **_validate_round(data, initiative_ids, depth),
    }


def _validate_round(data: dict, initiative_ids: set, depth: int) -> dict:
    """Rounds: read-only, the discussion record, the goals, and the rounds before (validated the same way)."""
    is_read_only = data.get("is_read_only", False)
    if not isinstance(is_read_only, bool):
        raise ImportRefused(_("“is_read_only” skal være true eller false."))
    record = data.get("discussion")
    discussion = None
    if record is not None:
        if not isinstance(record, dict):
            raise ImportRefused(_("Feltet “%(key)s” skal være en liste.") % {"key": "discussion"})
        where = _("Drøftelsen")
        limits = {
            name: getattr(Discussion._meta.get_field(name), "max_length", None) or 5000 for name in DISCUSSION_TEXTS
        }
        discussion = {name: _text(record, name, limit, where) for name, limit in limits.items()}
        discussion["held_on"] = _date(record, "held_on", where)
    action_ids = {a.get("id") for a in _list(data, "actions") if _is_id(a.get("id"))}
    goals = []
    for n, item in enumerate(_list(data, "goals"), 1):
        where = _("Mål nr. %(n)s") % {"n": n}
        is_carried = item.get("is_carried", False)
        if not isinstance(is_carried, bool):
            raise ImportRefused(_("%(where)s: “is_carried” skal være true eller false.") % {"where": where})
        linked, acted = item.get("initiatives", []), item.get("actions", [])
        if not isinstance(linked, list) or any(not _known_id(i, initiative_ids) for i in linked):
            raise ImportRefused(_("%(where)s peger på en indsats, der ikke er i filen.") % {"where": where})
        if not isinstance(acted, list) or any(not _known_id(a, action_ids) for a in acted):
            raise ImportRefused(_("%(where)s peger på en handling, der ikke er i filen.") % {"where": where})
        goals.append(
            {
                "id": item.get("id") if _is_id(item.get("id")) else None,
                "title": _text(item, "title", 300, where, required=True),
                "is_carried": is_carried,
                "predecessor": item.get("predecessor") if _is_id(item.get("predecessor")) else None,
                "evaluation": _choice(item, "evaluation", GoalEvaluation, "", where),
                "comment": _text(item, "comment", 3000, where),
                "initiatives": list(dict.fromkeys(linked)),
                "actions": list(dict.fromkeys(acted)),
            }
        )
    previous = data.get("previous")
    if previous is not None:
        if not isinstance(previous, dict) or depth >= MAX_ROUNDS:
            raise ImportRefused(_("Filen har for mange runder."))
        previous = validate(previous, depth + 1)
    action_predecessors = [
        a.get("predecessor") if _is_id(a.get("predecessor")) else None for a in _list(data, "actions")
    ]
    return {
        "is_read_only": is_read_only,
        "discussion": discussion,
        "goals": goals,
        "previous": previous,
        "action_ids": [a.get("id") for a in _list(data, "actions")],
        "action_predecessors": action_predecessors,
    }


def _date(item: dict, key: str, where: str):
    value = item.get(key)
    if value is None:
        return None
    try:
        parsed = parse_date(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise ImportRefused(_("%(where)s: “%(key)s” skal være en dato.") % {"where": where, "key": key})
    return parsed


def _known_id(value, ids: set) -> bool:
    """An id the file defines; lists and other unhashable values are refused, not crashed on."""
    return isinstance(value, (int, str)) and not isinstance(value, bool) and value in ids


def _validate_actions(data: dict, initiative_ids: set) -> list[dict]:
    actions = []
    for n, item in enumerate(_list(data, "actions"), 1):
        where = _("Handling nr. %(n)s") % {"n": n}
        clean = {
            "title": _text(item, "title", 200, where, required=True),
            "description": _text(item, "description", 5000, where),
            "solution": _text(item, "solution", 2000, where),
            "follow_up": _text(item, "follow_up", 1000, where),
            "owner": _text(item, "owner", 200, where),
            "finding_key": _text(item, "finding_key", 200, where),
            "due": _date(item, "due", where),
            "effort": _choice(item, "effort", Action.Effort, "medium", where),
            "status": _choice(item, "status", Action.Status, "todo", where),
        }
        code = item.get("finding_code", "") or ""
        if not isinstance(code, str) or (code and code not in gaps.CODES):
            raise ImportRefused(_("%(where)s: ukendt fund “%(value)s”.") % {"where": where, "value": code})
        clean["finding_code"] = code
        burden = item.get("burden", 3)
        if not isinstance(burden, int) or isinstance(burden, bool) or not 1 <= burden <= 5:
            raise ImportRefused(_("%(where)s: “burden” skal være et tal fra 1 til 5.") % {"where": where})
        clean["burden"] = burden
        linked = item.get("initiatives", [])
        if not isinstance(linked, list) or any(not _known_id(i, initiative_ids) for i in linked):
            raise ImportRefused(_("%(where)s peger på en indsats, der ikke er i filen.") % {"where": where})
        clean["initiatives"] = list(dict.fromkeys(linked))
        actions.append(clean)
    return actions


def _validate_dismissals(data: dict) -> list[dict]:
    dismissals, keys = [], set()
    for n, item in enumerate(_list(data, "dismissals"), 1):
        where = _("Afvist fund nr. %(n)s") % {"n": n}
        key = _text(item, "key", 200, where, required=True)
        code = item.get("code")
        if not isinstance(code, str) or code not in gaps.CODES:
            raise ImportRefused(_("%(where)s: ukendt fund “%(value)s”.") % {"where": where, "value": code})
        if key not in keys:
            keys.add(key)
            dismissals.append({"key": key, "code": code})
    return dismissals


@transaction.atomic
def create_mapping(organisation: Organisation, clean: dict, title: str | None = None) -> Mapping:
    """Write validated data (from ``validate``) as a new mapping of ``organisation``, with the rounds before it."""
    return _create_round(organisation, clean, title)[0]


def _create_round(organisation: Organisation, clean: dict, title: str | None) -> tuple[Mapping, dict]:
    """One round and (first) the rounds before it; returns it and its file ids -> new rows, for lineage."""
    previous: Mapping | None = None
    before: dict[str, dict] = {"cards": {}, "actions": {}, "goals": {}}
    if clean.get("previous"):
        previous, before = _create_round(organisation, clean["previous"], None)
    mapping = organisation.mappings.create(
        title=title or clean["title"],
        wip_limit=clean.get("wip_limit", 3),
        predecessor=previous,
        is_read_only=clean.get("is_read_only", False),
    )
    purposes = {
        p["id"]: Purpose.objects.create(mapping=mapping, title=p["title"], description=p["description"])
        for p in clean["purposes"]
    }
    created = Initiative.objects.bulk_create(
        [
            Initiative(
                mapping=mapping,
                predecessor=before["cards"].get(i.get("predecessor")),
                **{f: i[f] for f in IMPORTED_FIELDS},
            )
            for i in clean["initiatives"]
        ]
    )
    by_key = {}
    through = []
    for item, initiative in zip(clean["initiatives"], created, strict=True):
        by_key[item["id"]] = initiative
        through += [
            Initiative.purposes.through(initiative_id=initiative.pk, purpose_id=purposes[p].pk)
            for p in item["purposes"]
        ]
    Initiative.purposes.through.objects.bulk_create(through)
    Link.objects.bulk_create(
        [
            Link(
                mapping=mapping,
                source=by_key[link["source"]],
                target=by_key[link["target"]],
                kind=link["kind"],
                note=link["note"],
            )
            for link in clean["links"]
        ]
    )
    # Finding keys name initiatives and purposes by id: rewrite them to the new ids.
    id_map = {f"i{old}": f"i{new.pk}" for old, new in by_key.items()}
    id_map.update({f"p{old}": f"p{new.pk}" for old, new in purposes.items()})
    actions = Action.objects.bulk_create(
        [
            Action(
                mapping=mapping,
                finding_key=gaps.remap_key(item["finding_key"], id_map),
                **{
                    f: item[f]
                    for f in ("title", "description", "solution", "follow_up", "owner", "due", "burden", "effort")
                },
                status=item["status"],
                finding_code=item["finding_code"],
                predecessor=before["actions"].get(predecessor),
            )
            for item, predecessor in zip(
                clean.get("actions", []),
                clean.get("action_predecessors") or [None] * len(clean.get("actions", [])),
                strict=True,
            )
        ]
    )
    Action.initiatives.through.objects.bulk_create(
        [
            Action.initiatives.through(action_id=action.pk, initiative_id=by_key[i].pk)
            for item, action in zip(clean.get("actions", []), actions, strict=True)
            for i in item["initiatives"]
        ]
    )
    dismissals = []
    for item in clean.get("dismissals", []):
        key = gaps.remap_key(item["key"], id_map)
        if key:
            dismissals.append(FindingDismissal(mapping=mapping, key=key, code=item["code"]))
    FindingDismissal.objects.bulk_create(dismissals, ignore_conflicts=True)
    action_by_key = dict(zip(clean.get("action_ids") or [], actions, strict=False))
    if clean.get("discussion"):
        Discussion.objects.create(mapping=mapping, **clean["discussion"])
    goals = {}
    for item in clean.get("goals") or []:
        goal = Goal.objects.create(
            mapping=mapping,
            title=item["title"],
            is_carried=item["is_carried"],
            predecessor=before["goals"].get(item["predecessor"]),
            evaluation=item["evaluation"],
            comment=item["comment"],
        )
        goal.initiatives.set([by_key[i] for i in item["initiatives"]])
        goal.actions.set([action_by_key[a] for a in item["actions"] if a in action_by_key])
        if item["id"] is not None:
            goals[item["id"]] = goal
    return mapping, {"cards": by_key, "actions": action_by_key, "goals": goals}
