"""Ideas for empty and thin cells: the shipped catalogue (``data/ideas.json``) and what of it to suggest.

Pure, like gaps.py: the gap dashboard shows, for each cell with fewer than
``gaps.THIN_CELL`` active initiatives, the catalogue's ideas for that cell that
the mapping does not already have.
"""

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from .gaps import THIN_CELL, MappingData, coverage_counts
from .overlaps import already_there

IDEAS_FILE = Path(__file__).parent / "data" / "ideas.json"


@lru_cache(maxsize=1)
def catalogue() -> tuple[dict, ...]:
    """The shipped ideas: initiatives commonly run in each cell, each with a one-line purpose."""
    return tuple(json.loads(IDEAS_FILE.read_text(encoding="utf-8"))["ideas"])


def idea(key: str) -> dict | None:
    return next((item for item in catalogue() if item["key"] == key), None)


def thin_cells(data: MappingData) -> list[tuple[str, str]]:
    counts = coverage_counts(data.initiatives)
    return [cell for cell, count in counts.items() if count < THIN_CELL]


def ideas_for(data: MappingData, cells: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[dict]]:
    """Ideas per cell, leaving out what the mapping already has anywhere in it (``overlaps.already_there``:
    a card alike it, as the gap analysis finds overlaps, or about it)."""
    wanted = set(cells)
    result: dict[tuple[str, str], list[dict]] = {cell: [] for cell in wanted}
    candidates = [item for item in catalogue() if (item["level"], item["dimension"]) in wanted]
    had = already_there([item["title"] for item in candidates], [i.title for i in data.initiatives])
    for item, is_had in zip(candidates, had, strict=True):
        if not is_had:
            result[(item["level"], item["dimension"])].append(item)
    return result
