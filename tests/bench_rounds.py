"""Rounds timings for `make bench`: a new round of 500 initiatives and 300 links, comparing the two
rounds, and the discussion PDF of the new round.

``measure_rounds()`` needs Django configured and nothing else: like ``bench_pdf`` it creates its own
throwaway test database unless an organisation is passed (``bench.py`` passes one in its scratch
database). Times are medians of a few runs after a warm-up.

Run on its own:  DEBUG=0 SECRET_KEY=... .venv/bin/python tests/bench_rounds.py
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path


def build_round(organisation):
    """The gap bench's 500 initiatives (realistic titles, purposes, 300 links) as a round, with 20
    actions and 3 goals."""
    from mapping.models import Action, Goal, Initiative, Link
    from tests.bench_gaps import plain_data

    data = plain_data()
    mapping = organisation.mappings.create(title="Kortlægning 2026")
    purposes = {p.id: mapping.purposes.create(title=p.title) for p in data.purposes}
    cards = Initiative.objects.bulk_create(
        Initiative(
            mapping=mapping,
            title=i.title,
            level=i.level,
            dimension=i.dimension,
            description=i.description,
            status=i.status,
            effect=i.effect,
            owner=i.owner,
            position=n,
        )
        for n, i in enumerate(data.initiatives)
    )
    by_id = {i.id: card for i, card in zip(data.initiatives, cards, strict=True)}
    through = Initiative.purposes.through
    through.objects.bulk_create(
        through(initiative_id=by_id[i.id].pk, purpose_id=purposes[p].pk) for i in data.initiatives for p in i.purposes
    )
    Link.objects.bulk_create(
        Link(mapping=mapping, source=by_id[link.source], target=by_id[link.target], kind=link.kind)
        for link in data.links
    )
    actions = Action.objects.bulk_create(
        Action(mapping=mapping, title=f"Handling {n}", status="done" if n % 4 == 0 else "todo") for n in range(20)
    )
    for n in range(3):
        goal = Goal.objects.create(mapping=mapping, title=f"Mål {n}")
        goal.actions.add(actions[n + 1])
        goal.initiatives.add(cards[n])
    return mapping


def median_ms(run, repeat: int, reset=None) -> float:
    run()
    times = []
    for _ in range(repeat):
        if reset is not None:
            reset()
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure_rounds(organisation=None, repeat: int = 5) -> dict:
    """{"new_round_500_ms", "compare_500_ms", "discussion_pdf_s"}."""
    if organisation is None:
        from django.db import connection

        from mapping.models import Organisation

        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            return measure_rounds(Organisation.objects.create(name="Bench", slug="bench-rounds"), repeat)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    from mapping.models import Mapping, start_next_round
    from mapping.models.rounds import compare_rounds
    from mapping.pdf_rounds import render_discussion

    old = build_round(organisation)

    def undo() -> None:
        Mapping.objects.filter(predecessor=old).delete()
        Mapping.objects.filter(pk=old.pk).update(is_read_only=False)
        old.is_read_only = False

    new_round = median_ms(lambda: start_next_round(old), repeat, reset=undo)
    undo()
    new = start_next_round(old)
    # Some change to compare: two cards moved, one removed, one added.
    cards = list(new.initiatives.order_by("id")[:3])
    new.initiatives.filter(pk__in=[cards[0].pk, cards[1].pk]).update(level="ledelse")
    cards[2].delete()
    new.initiatives.create(title="Ny indsats", level="gruppe", dimension="kultur")
    compare = median_ms(lambda: compare_rounds(old, new), repeat)
    pdf = median_ms(lambda: render_discussion(new), max(3, repeat // 2)) / 1000
    return {
        "new_round_500_ms": round(new_round, 1),
        "compare_500_ms": round(compare, 1),
        "discussion_pdf_s": round(pdf, 3),
    }


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iglo.settings")
    import django

    django.setup()
    print(json.dumps(measure_rounds(), indent=2))


def measure_rounds_in_bench(bench) -> dict:
    """``make bench``'s entry (tests/bench.py lists it): in the bench's scratch database."""
    from mapping.models import Organisation

    organisation, _created = Organisation.objects.get_or_create(slug="bench-rounds", defaults={"name": "Runder"})
    figures = measure_rounds(organisation, repeat=3)
    for name, key, scale in (
        ("new round (500, 300 links)", "new_round_500_ms", 1),
        ("compare two rounds (500)", "compare_500_ms", 1),
        ("discussion PDF", "discussion_pdf_s", 1000),
    ):
        ms = figures[key] * scale
        bench.rows.append((name, 1, 1000 / ms, ms, ms, None, 0))
    return figures
