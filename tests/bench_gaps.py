"""``gaps_500_ms``: the gap analysis of 500 initiatives and 300 links, overlap detection included.

The lead wires ``measure_gaps_500`` into tests/bench.py. Plain data only: the
figure is the analysis alone, without the database. Target: <= 100 ms.
"""

import random
import statistics
import time
from datetime import date, timedelta

from mapping import danish, gaps, ideas
from mapping.gaps import InitiativeData, LinkData, MappingData, PurposeData

N_INITIATIVES = 500
N_LINKS = 300
N_PURPOSES = 40


def plain_data(seed: int = 500) -> MappingData:
    """500 initiatives with realistic Danish titles (the catalogue's, varied), purposes and 300 links."""
    rng = random.Random(seed)
    catalogue = list(ideas.catalogue())
    suffixes = ["", " i teamet", " for nye medarbejdere", " 2026", " (pilot)", " på tværs", " for ledere", "erne"]
    today = date(2026, 6, 1)
    initiatives = []
    for n in range(1, N_INITIATIVES + 1):
        idea = catalogue[n % len(catalogue)]
        initiatives.append(
            InitiativeData(
                id=n,
                title=idea["title"] + suffixes[(n // len(catalogue)) % len(suffixes)],
                level=idea["level"],
                dimension=idea["dimension"],
                description=idea["purpose"] if n % 3 == 0 else "",
                purposes=frozenset(rng.sample(range(1, N_PURPOSES + 1), k=rng.randint(0, 3))),
                status="active" if n % 10 else "planned",
                effect=rng.choice(["unknown", "none", "some", "clear"]),
                owner="" if n % 4 == 0 else "Ledergruppen",
                is_measurement="måling" in idea["title"].lower() or "APV" in idea["title"],
                reviewed_at=today - timedelta(days=rng.randint(0, 800)) if n % 2 else None,
                created=today - timedelta(days=rng.randint(0, 800)),
            )
        )
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < N_LINKS:
        a, b = rng.randint(1, N_INITIATIVES), rng.randint(1, N_INITIATIVES)
        if a != b:
            pairs.add((a, b))
    kinds = ["feeds_into", "followed_up_at", "built_into", "supplemented_by", "related"]
    links = tuple(LinkData(a, b, rng.choice(kinds)) for a, b in sorted(pairs))
    purposes = tuple(PurposeData(n, f"Formål {n}") for n in range(1, N_PURPOSES + 1))
    return MappingData(tuple(initiatives), purposes, links, today=today)


def analyse_all(data: MappingData) -> int:
    """What the dashboard computes: findings, coverage, purpose matrix and chains."""
    findings = gaps.find_gaps(data)
    gaps.coverage_counts(data.initiatives)
    gaps.purpose_matrix(data)
    gaps.chains(data)
    return len(findings)


def measure_gaps_500(runs: int = 7) -> float:
    """Median milliseconds of the analysis of 500 initiatives and 300 links.

    Word caches are cleared before every run, so each run splits and stems
    every title as a first analysis in a fresh process would."""
    data = plain_data()
    timings = []
    for _ in range(runs):
        danish.split_compound.cache_clear()
        danish.word_concepts.cache_clear()
        danish.concepts.cache_clear()
        danish.acronyms.cache_clear()
        start = time.perf_counter()
        analyse_all(data)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iglo.settings")
    django.setup()
    data = plain_data()
    print(f"findings: {analyse_all(data)}")
    print(f"gaps_500_ms: {measure_gaps_500():.1f}")
