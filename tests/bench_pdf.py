"""PDF timings for `make bench`: the example mapping and a 500-initiative mapping.

``measure_pdf()`` needs Django configured (``django.setup()``) and nothing
else: it creates its own throwaway test database (in memory on SQLite; a
``test_`` database on PostgreSQL, which needs CREATEDB), fills it, measures,
and drops it again, so it never touches the caller's data. While it runs, the
process's default connection points at that database: call it when nothing
else in the process is using the database. A caller that already has
mappings can pass them as ``example`` and ``large`` (``build_large`` makes the
500-initiative one) and no database is created.

The 500-initiative mapping: 500 cards spread evenly over the 8 cells, one of
12 purposes each, two thirds with a short description, a fifth with an owner,
and 100 links (50 with a note) forming 50 chains of three initiatives.

Times are medians of ``repeat`` renders through ``mapping.pdf`` (context
building included), after one warm-up render that loads the fonts.

Run on its own:  DEBUG=0 SECRET_KEY=... .venv/bin/python tests/bench_pdf.py
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

LARGE_SIZE = 500


def median_render_seconds(mapping, repeat: int) -> float:
    from mapping import pdf

    def once() -> float:
        start = time.perf_counter()
        pdf.render_pdf(pdf.document_context(mapping))
        return time.perf_counter() - start

    once()
    return statistics.median(once() for _ in range(repeat))


def build_large(organisation, size: int = LARGE_SIZE):
    """A mapping of ``size`` initiatives spread over the 8 cells, with purposes and a chain of links."""
    from mapping.models import Dimension, Initiative, Level, Link

    mapping = organisation.mappings.create(title=f"{size} indsatser")
    purposes = [mapping.purposes.create(title=f"Formål {n}") for n in range(12)]
    cells = [(level, dimension) for level in Level for dimension in Dimension]
    cards = Initiative.objects.bulk_create(
        Initiative(
            mapping=mapping,
            title=f"Indsats {n}: {'trivsel og samarbejde' if n % 2 else 'kompetenceudvikling'} i teamet",
            description="Intern beskrivelse af indsatsen. " * (n % 3),
            owner="Ledergruppen" if n % 5 == 0 else "",
            level=cells[n % 8][0],
            dimension=cells[n % 8][1],
            position=n // 8,
        )
        for n in range(size)
    )
    through = Initiative.purposes.through
    through.objects.bulk_create(
        through(initiative_id=card.pk, purpose_id=purposes[n % len(purposes)].pk) for n, card in enumerate(cards)
    )
    Link.objects.bulk_create(
        Link(mapping=mapping, source=a, target=b, note="Note til forbindelsen")
        for a, b in zip(cards[::10], cards[1::10], strict=False)
    )
    Link.objects.bulk_create(
        Link(mapping=mapping, source=a, target=b) for a, b in zip(cards[1::10], cards[2::10], strict=False)
    )
    return mapping


def measure_pdf(example=None, large=None, repeat: int = 5) -> dict:
    """{"pdf_example_s": median seconds for the example, "pdf_500_s": median for 500 initiatives}."""
    if example is not None and large is not None:
        return {
            "pdf_example_s": round(median_render_seconds(example, repeat), 3),
            "pdf_500_s": round(median_render_seconds(large, repeat), 3),
        }
    from django.db import connection

    from mapping.example import create_example
    from mapping.models import Organisation

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        organisation = Organisation.objects.create(name="Bench", slug="bench-pdf")
        return measure_pdf(create_example(organisation), build_large(organisation), repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iglo.settings")
    import django

    django.setup()
    print(json.dumps(measure_pdf(), indent=2))
