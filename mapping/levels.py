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

# What belongs on each level, in a sentence: where groups place cards (board,
# add form, the phone's suggestion form). The line between Ledelse and
# Organisation is where groups stumble, so both say what they are not.
LEVEL_HINTS = {
    Level.INDIVID: _("Det, den enkelte medarbejder har og gør: egne aftaler, samtaler og måder at passe på sig selv."),
    Level.GRUPPE: _("Det, I gør sammen i teamet eller faggruppen: møder, sparring og fælles aftaler."),
    Level.LEDELSE: _(
        "Det, lederne gør i hverdagen: hvordan de leder, følger op og er til stede. Ikke de regler, der gælder for alle."
    ),
    Level.ORGANISATION: _(
        "Det, der gælder for hele arbejdspladsen: politikker, procedurer, målinger og rammer, uanset hvem der leder."
    ),
}

CELLS = tuple((level.value, dimension.value) for level in Level for dimension in Dimension)


def cell_id(level: str, dimension: str) -> str:
    """The DOM id of a cell on the board (``cell-gruppe-kultur``): stable, tests and links use it."""
    return f"cell-{level}-{dimension}"


def cell_label(level: str, dimension: str) -> str:
    return f"{Level(level).label} · {Dimension(dimension).label}"
