"""The method's example mapping, shipped in data/example.json: the demo's first mapping and the tests' fixture."""

import json
import re
from pathlib import Path

from .exchange import FORMAT, FORMAT_VERSION, create_mapping, validate
from .models import Link, Mapping, Organisation

EXAMPLE_FILE = Path(__file__).parent / "data" / "example.json"

MEASUREMENT_WORDS = re.compile(r"trivselsm[aå]ling|trivselsundersøgelse|apv|arbejdspladsvurdering|måling|survey", re.I)
EXAMPLE_LINK_KINDS = {
    ("trivselsmaling", "ledermoder"): Link.Kind.FOLLOWED_UP_AT,
    ("ledermoder", "husmoder"): Link.Kind.FOLLOWED_UP_AT,
    ("stresspolitik", "mus"): Link.Kind.BUILT_INTO,
    ("mentorordning", "teammoder"): Link.Kind.SUPPLEMENTED_BY,
}


def example_data() -> dict:
    """The method's example mapping (shipped in data/example.json) in export form."""
    seed = json.loads(EXAMPLE_FILE.read_text(encoding="utf-8"))
    positions: dict[tuple[str, str], int] = {}
    initiatives = []
    for item in seed["initiatives"]:
        cell = (item["level"], item["dimension"])
        positions[cell] = positions.get(cell, -1) + 1
        initiatives.append(
            {
                "id": item["key"],
                "title": item["title"],
                "level": item["level"],
                "dimension": item["dimension"],
                "position": positions[cell],
                "is_measurement": bool(MEASUREMENT_WORDS.search(item["title"])),
            }
        )
    links = [
        {
            "source": link["from"],
            "target": link["to"],
            "kind": EXAMPLE_LINK_KINDS.get((link["from"], link["to"]), Link.Kind.RELATED),
            "note": link.get("note", ""),
        }
        for link in seed["links"]
    ]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "title": seed["title"],
        "purposes": [],
        "initiatives": initiatives,
        "links": links,
    }


def create_example(organisation: Organisation, title: str | None = None) -> Mapping:
    return create_mapping(organisation, validate(example_data()), title=title)
