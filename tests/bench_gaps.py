"""``gaps_500_ms``: the gap analysis of 500 initiatives and 300 links, overlap detection included.
``gaps_similar_1000_ms``: the same for 1,000 near-identical titles, and ``gaps_similar_1000_kb``
the size of their gaps.json (the findings as the endpoint writes them).

tests/bench.py calls ``measure_gaps_500`` and ``measure_gaps_similar``. Plain data only: the
figures are the analysis alone, without the database. Targets: <= 100 ms; <= 200 ms and <= 200 KB.
"""

import json
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


N_SIMILAR = 1000


def similar_data(seed: int = 1000) -> MappingData:
    """1,000 cards titled nearly alike, otherwise well kept (a pair of purposes each, owner, effect, reviewed, linked).

    A quarter each "Indsats nummer 001" …, "Trivselsmåling 1" …, "Trivselsmålinger (abc)" …; an eighth
    "Teammøder i team <made-up name>", alike but for one rare word each, so no two overlap; an eighth
    "Teammøde om trivsel og arbejdsmiljø i afdeling <made-up name>", which all overlap each other."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnoprstuvy"

    def made_up() -> str:
        return "".join(rng.choice(letters) for _ in range(6)).capitalize()

    def title(n: int) -> str:
        if n % 4 == 0:
            return f"Indsats nummer {n:03d}"
        if n % 4 == 1:
            return f"Trivselsmåling {n}"
        if n % 4 == 2:
            return f"Trivselsmålinger ({made_up()[:3]})"
        if n % 8 == 3:
            return f"Teammøder i team {made_up()}"
        return f"Teammøde om trivsel og arbejdsmiljø i afdeling {made_up()}"

    titles = [title(n) for n in range(N_SIMILAR)]
    today = date(2026, 6, 1)
    initiatives = tuple(
        InitiativeData(
            id=n + 1,
            title=title,
            level=gaps.LEVELS[n % 4],
            dimension=gaps.DIMENSIONS[(n // 4) % 2],
            purposes=frozenset({n // 8 % 20 + 1, n // 160 + 21}),  # a different pair in each card of a cell
            effect="clear",
            owner="Ledergruppen",
            reviewed_at=today,
        )
        for n, title in enumerate(titles)
    )
    links = tuple(LinkData(n, n + 1, "related") for n in range(1, N_SIMILAR))
    purposes = tuple(PurposeData(n, f"Formål {n}") for n in range(1, 28))
    return MappingData(initiatives, purposes, links, today=today)


def gaps_json_bytes(data: MappingData) -> int:
    """The size of the findings as gaps.json writes them."""
    findings = [f.as_json() for f in gaps.find_gaps(data)]
    return len(json.dumps({"findings": findings}, ensure_ascii=False).encode())


def clear_word_caches() -> None:
    """Each run then splits and stems every title, as a first analysis in a fresh process would."""
    for cached in (danish.split_compound, danish.word_concepts, danish.concepts, danish.acronyms):
        cached.cache_clear()
    danish.title_variants.cache_clear()
    danish._concept.cache_clear()


def measure_gaps_similar(runs: int = 5) -> dict:
    """Median milliseconds of the analysis of 1,000 near-identical titles, and the size of their gaps.json."""
    data = similar_data()
    return {
        "gaps_similar_1000_ms": round(median_ms(data, runs), 2),
        "gaps_similar_1000_kb": round(gaps_json_bytes(data) / 1024, 1),
    }


def analyse_all(data: MappingData) -> int:
    """What the dashboard computes: findings, coverage, purpose matrix and chains."""
    findings = gaps.find_gaps(data)
    gaps.coverage_counts(data.initiatives)
    gaps.purpose_matrix(data)
    gaps.chains(data)
    return len(findings)


def measure_gaps_500(runs: int = 7) -> float:
    """Median milliseconds of the analysis of 500 initiatives and 300 links."""
    return median_ms(plain_data(), runs)


def median_ms(data: MappingData, runs: int) -> float:
    """Median milliseconds of ``analyse_all``, word caches cleared before every run."""
    timings = []
    for _ in range(runs):
        clear_word_caches()
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
    print(measure_gaps_similar())
