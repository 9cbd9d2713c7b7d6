"""Danish words, for telling whether two titles say the same thing.

Pure and dependency-free. ``concepts`` turns a title into a set of concepts:
small words dropped, acronyms expanded, compounds split at known word parts
(with or without the joining "s" or "e"), every part stemmed with the Danish
Snowball rules, and parts that mean the same mapped onto one concept.
``dice`` compares two such sets; ``unify_variants`` joins left-over spelling
variants by their character trigrams. What counts as an overlap, and the
thresholds below, are applied in overlaps.py.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache


def _words(text: str) -> list[str]:
    return text.split()


VOWELS = set("aeiouyæøå")
STEP1_SUFFIXES = sorted(
    _words("hed ethed ered e erede ende erende ene erne ere en heden eren er heder erer heds es endes erendes ")
    + _words("enes ernes eres ens hedens erens ers ets erets et eret"),
    key=len,
    reverse=True,
)
S_ENDING = set("abcdfghjklmnoprtvyzå")
STEP3_SUFFIXES = ("elig", "lig", "els", "ig")


def _r1(word: str) -> int:
    for i in range(1, len(word)):
        if word[i] not in VOWELS and word[i - 1] in VOWELS:
            return max(i + 1, 3)
    return len(word)


def stem(word: str) -> str:
    """The Danish Snowball stemmer (snowballstem.org/algorithms/danish)."""
    if len(word) < 3:
        return word
    r1 = _r1(word)
    for suffix in STEP1_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= r1:
            word = word[: -len(suffix)]
            break
    else:
        if word.endswith("s") and len(word) - 1 >= r1 and len(word) > 1 and word[-2] in S_ENDING:
            word = word[:-1]

    def step2(w: str) -> str:
        if w[-2:] in ("gd", "dt", "gt", "kt") and len(w) - 2 >= r1:
            return w[:-1]
        return w

    word = step2(word)
    if word.endswith("igst"):
        word = word[:-2]
    for suffix in STEP3_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= r1:
            word = step2(word[: -len(suffix)])
            break
    else:
        if word.endswith("løst") and len(word) - 4 >= r1:
            word = word[:-1]
    if len(word) >= 2 and len(word) - 2 >= r1 and word[-1] == word[-2] and word[-1] not in VOWELS:
        word = word[:-1]
    return word


STOP_WORDS = set(
    _words(
        "og i på for af til med mod om de det den der en et som fx ved ny nye nyt hos mellem over under efter "
        "fra ud ind samt eller vores jeres alle hver hvert er at the and of"
    )
)
# Word parts that Danish work-environment titles are built from; compounds are split at them.
LEXICON_WORDS = _words("""
trivsel måling undersøgelse spørgeskema survey puls medarbejder personale udvikling samtale kompetence job
beskrivelse fleksibel arbejde arbejdsplads arbejdstid arbejdsmiljø miljø tid kollega kollegial sparring mentor
ordning buddy system walk talk team møde fordeling princip projekt styring metode tværgående samarbejde
gruppe social arrangement faglig netværk fejring milepæl feedback runde ledelse leder kursus fundament
kommunikation strategi anerkendende kultur synlig psykologisk tryghed konstruktiv vurdering beslutning
governance politik stress chikane whistleblower anonym rapportering håndbog hus værdi organisation
inddragelse dialog forum evaluering supervision introduktion intro program onboarding sundhed aftale plan
handling opfølgning seminar dag tema workshop uddannelse forløb retningslinje procedure sygefravær fravær
fokus pause frokost fællesskab vision mission rolle ansvar opgave belastning repræsentant udvalg tillid
kalender forventning konflikt håndtering krænkelse mobning omsorg hjemme frivillig fest julefrokost
sommerfest morgenmad kaffe kurs personalemøde stormøde status introforløb afklaring prioritering
""")
LEXICON = frozenset(LEXICON_WORDS) | frozenset(w[:-1] for w in LEXICON_WORDS if w.endswith("e") and len(w) > 4)
ACRONYMS = {
    "mus": "medarbejder udvikling samtale",
    "apv": "arbejdsplads vurdering",
    "amo": "arbejdsmiljø organisation",
    "tr": "tillid repræsentant",
    "amr": "arbejdsmiljø repræsentant",
}
# Stems that mean the same thing in a mapping, mapped onto one concept.
SYNONYMS = {
    "undersøgelse": "måling",
    "spørgeskema": "måling",
    "survey": "måling",
    "leder": "ledelse",
    "personale": "medarbejder",
    "ansat": "medarbejder",
    "kollega": "kollegial",
    "meeting": "møde",
    "håndbøger": "håndbog",
    "tilbagemelding": "feedback",
    "regel": "retningslinje",
    "policy": "politik",
}
SYNONYM_STEMS = {stem(word): stem(concept) for word, concept in SYNONYMS.items()}
WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)


def _known(word: str) -> bool:
    """A lexicon word, possibly with a short inflection ending ("møder", "samtalerne")."""
    if word in LEXICON:
        return True
    return any(word[:cut] in LEXICON for cut in range(max(3, len(word) - 4), len(word)))


def _known_chars(parts: tuple[str, ...]) -> int:
    return sum(len(part) for part in parts if _known(part))


@lru_cache(maxsize=20_000)
def split_compound(word: str) -> tuple[str, ...]:
    """Split a Danish compound at lexicon parts, allowing a joining "s" or "e".

    Of all the ways to split, the one that covers most letters with known
    parts wins; on a tie, the one with fewer parts."""
    best: tuple[str, ...] = (word,)
    best_score = (len(word) if _known(word) else 0, -1)
    if len(word) < 6:
        return best
    for cut in range(len(word) - 3, 2, -1):
        head = word[:cut]
        if head not in LEXICON:
            continue
        rest = word[cut:]
        candidates = [rest, rest[1:]] if rest[0] in "se" else [rest]
        for candidate in candidates:
            if len(candidate) < 3:
                continue
            parts = (head, *split_compound(candidate))
            score = (len(head) + _known_chars(parts[1:]), -len(parts))
            if score > best_score:
                best, best_score = parts, score
    return best


@lru_cache(maxsize=20_000)
def word_concepts(word: str) -> tuple[str, ...]:
    """The concepts of one lower-case word: acronym expansion, compound parts, stems, synonyms."""
    if word in STOP_WORDS:
        return ()
    if word in ACRONYMS:
        return tuple(c for part in ACRONYMS[word].split() for c in word_concepts(part))
    concepts = []
    for part in split_compound(word):
        stemmed = stem(part)
        concepts.append(SYNONYM_STEMS.get(stemmed, stemmed))
    return tuple(concepts)


@lru_cache(maxsize=20_000)
def concepts(text: str) -> frozenset[str]:
    return frozenset(c for word in WORD_RE.findall(text.lower()) for c in word_concepts(word))


@lru_cache(maxsize=20_000)
def acronyms(text: str) -> frozenset[str]:
    """Upper-case abbreviations named in a text ("MUS", "APV"): very specific, so sharing one is an overlap."""
    return frozenset(w.lower() for w in WORD_RE.findall(text) if 2 <= len(w) <= 6 and w.isupper())


def trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def dice(a: frozenset | set, b: frozenset | set) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def unify_variants(concept_sets: Iterable[frozenset[str]]) -> dict[str, str]:
    """Spelling variants left after stemming, joined to one spelling.

    Only concepts with the same first four letters are compared (cheap), and
    they must share most character trigrams."""
    by_prefix: dict[str, list[str]] = defaultdict(list)
    for concept in sorted(set().union(*concept_sets)):
        if len(concept) >= 5:
            by_prefix[concept[:4]].append(concept)
    canonical: dict[str, str] = {}
    for group in by_prefix.values():
        if len(group) < 2:
            continue
        grams = {c: trigrams(c) for c in group}
        for i, a in enumerate(group):
            if a in canonical:
                continue
            for b in group[i + 1 :]:
                if b not in canonical and dice(grams[a], grams[b]) >= 0.8:
                    canonical[b] = a
    return canonical


# Overlap thresholds (Dice coefficient of concept sets); see overlaps.py.
TITLE_OVERLAP = 0.75
DESCRIPTION_OVERLAP = 0.6
DESCRIPTION_MIN_CONCEPTS = 4


# --- What a title says it is -----------------------------------------------------------
# The gap analysis recognises a few kinds of initiative by their titles: a suggestion the
# team can confirm or turn off on the card (``is_measurement``), never a verdict.

# Plain lower-case substrings and whole words: a regular expression of many alternatives
# costs tens of microseconds a title, and the analysis reads every title.
MEASUREMENT_PARTS = (
    "arbejdspladsvurdering",
    "trivselsmåling",
    "trivselsmaling",
    "trivselsundersøgelse",
    "medarbejdertilfredshed",
    "tilfredshedsundersøgelse",
    "pulsmåling",
    "pulsundersøgelse",
    "spørgeskema",
)
MEASUREMENT_WORDS = frozenset({"apv", "mtu"})
AMO_PARTS = ("arbejdsmiljøorganisation", "arbejdsmiljørepræsentant", "arbejdsmiljøudvalg", "arbejdsmiljøgruppe")
AMO_WORDS = frozenset({"amo", "amr"})
# Where employees and their results meet: a forum with the employees present.
FORUM_PARTS = (
    "teammøde",
    "team-møde",
    "team møde",
    "husmøde",
    "personalemøde",
    "afdelingsmøde",
    "fællesmøde",
    "medarbejdermøde",
    "stormøde",
    "morgenmøde",
    "dialogmøde",
    "temadag",
    "fokusgruppe",
    "samarbejdsudvalg",
    "med-udvalg",
    "medudvalg",
    "med-møde",
    "amo-møde",
    "workshop",
)
TITLE_WORD = re.compile(r"\w+")


def _words_of(text: str) -> tuple[str, set[str]]:
    lowered = text.lower()
    return lowered, set(TITLE_WORD.findall(lowered))


@lru_cache(maxsize=4096)
def looks_like_measurement(title: str) -> bool:
    """APV, trivselsmåling, pulsmåling …: a title that names a measurement whose results must be followed up."""
    lowered, words = _words_of(title)
    return (
        not words.isdisjoint(MEASUREMENT_WORDS)
        or any(part in lowered for part in MEASUREMENT_PARTS)
        or any(word.startswith(("måling", "maling")) for word in words)
    )


def is_apv(text: str) -> bool:
    """The statutory workplace assessment (APV, arbejdspladsvurdering) is named in the text."""
    lowered, words = _words_of(text)
    return "apv" in words or "arbejdspladsvurdering" in lowered


def names_amo(text: str) -> bool:
    """The work-environment organisation (AMO, arbejdsmiljørepræsentant …) is named in the text."""
    lowered, words = _words_of(text)
    return not words.isdisjoint(AMO_WORDS) or any(part in lowered for part in AMO_PARTS)


@lru_cache(maxsize=4096)
def is_dialogue_forum(title: str) -> bool:
    """A meeting where employees take part: team meeting, house meeting, staff meeting, MED …"""
    lowered = title.lower()
    return any(part in lowered for part in FORUM_PARTS)
