"""The board's read model: the 4 x 2 grid of cards.

``Initiative.objects.for_board()`` reads the cards (with purposes and
employees' ratings); ``grid()`` lays any list of cards out in the grid's rows
and cells. The board, the workshop screens and the PDF all show the grid this
way. The board's cards also show their number of links (``link_counts``).
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .levels import DIMENSION_HINTS, LEVEL_HINTS, Dimension, Level, cell_id, cell_label

# What a card on the board shows of its own fields (``for_board().only(*CARD_FIELDS)``), and its
# version, which moves with every edit: a card whose description changed is a new card to the cache.
CARD_FIELDS = ("title", "level", "dimension", "position", "status", "effect", "version")


@dataclass
class Cell:
    level: Level
    dimension: Dimension
    cards: list[Any] = field(default_factory=list)
    html: str | None = None  # set when the cell's HTML comes from the cache (mapping/cache.py)

    @property
    def id(self) -> str:
        return cell_id(self.level.value, self.dimension.value)

    @property
    def label(self) -> str:
        return cell_label(self.level.value, self.dimension.value)

    @property
    def hint(self) -> str:
        """What the cell's column holds: formal or informal initiatives."""
        return str(DIMENSION_HINTS[self.dimension])

    @property
    def level_hint(self) -> str:
        """What belongs on the cell's level, in a sentence."""
        return str(LEVEL_HINTS[self.level])


@dataclass
class Row:
    level: Level
    cells: list[Cell]

    @property
    def hint(self) -> str:
        """What belongs on this level, in a sentence (row headers, the first-run guide)."""
        return str(LEVEL_HINTS[self.level])


def grid(cards: Iterable[Any]) -> list[Row]:
    """Each level with its struktur and kultur cell, the cards in the order given."""
    rows = [Row(level, [Cell(level, dimension) for dimension in Dimension]) for level in Level]
    cells = {(cell.level.value, cell.dimension.value): cell for row in rows for cell in row.cells}
    for card in cards:
        cells[(card.level, card.dimension)].cards.append(card)
    return rows


def link_counts(ends: Iterable[tuple[int, int]]) -> Counter[int]:
    """How many links each card has, either way, from the (source, target) ids of the live links
    (``Link.objects.live()``); a card with none counts 0."""
    counts: Counter[int] = Counter()
    for source, target in ends:
        counts[source] += 1
        counts[target] += 1
    return counts


def cell(level: str, dimension: str, cards: Iterable[Any]) -> Cell:
    """One cell of the grid with its cards."""
    return Cell(Level(level), Dimension(dimension), list(cards))
