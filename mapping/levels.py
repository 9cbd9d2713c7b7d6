"""The grid's two axes: the four levels and the two dimensions, their labels and each cell's id.

Pure (no database): the models, the gap analysis, the board and the PDF all
read levels, dimensions and cell names from here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    INDIVID = "individ", _("Individ")
    GRUPPE = "gruppe", _("Gruppe")
    LEDELSE = "ledelse", _("Ledelse")
    ORGANISATION = "organisation", _("Organisation")


class Dimension(models.TextChoices):
    STRUKTUR = "struktur", _("Struktur")
    KULTUR = "kultur", _("Kultur")


DIMENSION_HINTS = {
    Dimension.STRUKTUR: _("formelle tiltag"),
    Dimension.KULTUR: _("uformelle tiltag"),
}

CELLS = tuple((level.value, dimension.value) for level in Level for dimension in Dimension)


def cell_id(level: str, dimension: str) -> str:
    """The DOM id of a cell on the board (``cell-gruppe-kultur``): stable, tests and links use it."""
    return f"cell-{level}-{dimension}"


def cell_label(level: str, dimension: str) -> str:
    return f"{Level(level).label} · {Dimension(dimension).label}"
