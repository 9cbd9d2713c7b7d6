"""Danish words, for telling whether two titles say the same thing.

Pure and dependency-free. ``concepts`` turns a title into a set of concepts:

- small words (``STOP_WORDS``) and words of frequency or firmness ("årlig",
  "fast", "hver uge": ``QUALIFIERS``) are dropped;
- acronyms are expanded (MUS, GRUS, APV, AMO, TR, AMR, MTU, SU); "MED" is the
  committee only in capitals or before a hyphen, otherwise the small word;
- compounds are split at known word parts (``LEXICON``, with or without the
  joining "s" or "e"), and a part only counts as inflected when what follows it
  is a Danish ending ("møde|r"), so "teammøde" is team + møde;
- every part is stemmed with the Danish Snowball rules (and the "e" Danish
  drops before an ending: "fleksibel"/"fleksible"), and parts that mean the
  same are mapped onto one concept (``SYNONYMS``, ``COMPOUND_SYNONYMS``:
  kolleger = kollegial, personalemøde = husmøde, introforløb = onboarding);
- words that add nothing to what a thing is ("ordning", "forløb": ``LIGHT``),
  and the people it is for after "for"/"til" ("… for nye medarbejdere"), go.

``title_variants`` gives the other ways a title can be read (without what it
says in parentheses, without a word for its audience); ``acronyms`` the
abbreviations it names; ``dice`` compares two sets; ``split_by_vocabulary`` and
``unify_variants`` use the whole mapping's words for compounds the lexicon
cannot split and spelling variants stemming left. What counts as an overlap,
and the thresholds below, are applied in overlaps.py.
"""

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
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
STEP1_SET = frozenset(STEP1_SUFFIXES)
STEP1_LONGEST = len(STEP1_SUFFIXES[0])
S_ENDING = set("abcdfghjklmnoprtvyzå")
STEP3_SUFFIXES = ("elig", "lig", "els", "ig")


def _r1(word: str) -> int:
    for i in range(1, len(word)):
        if word[i] not in VOWELS and word[i - 1] in VOWELS:
            return max(i + 1, 3)
    return len(word)


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    """The Danish Snowball stemmer (snowballstem.org/algorithms/danish)."""
    if len(word) < 3:
        return word
    r1 = _r1(word)
    for length in range(min(STEP1_LONGEST, len(word) - r1), 0, -1):
        if word[-length:] in STEP1_SET:
            word = word[:-length]
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
        "fra ud ind samt eller vores jeres alle hver hvert er at the and of vi man sammen også hele uden bl a"
    )
)
# Words that say how often or how firmly something runs, not what it is: "Årlig APV" is the APV.
QUALIFIERS = set(
    _words(
        "årlig årlige halvårlig halvårlige kvartalsvis månedlig månedlige ugentlig ugentlige daglig daglige "
        "fast faste løbende regelmæssig regelmæssige systematisk systematiske obligatorisk obligatoriske "
        "lovpligtig lovpligtige klar klare tydelig tydelige god gode godt "
        "år uge ugen måned måneden kvartal gang gange andet anden tredje fjerde fælles "
        "mandag tirsdag onsdag torsdag fredag"
    )
)
# Word parts that Danish work-environment titles are built from; compounds are split at them.
LEXICON_WORDS = _words("""
trivsel måling undersøgelse spørgeskema survey puls medarbejder personale udvikling samtale kompetence job
beskrivelse fleksibel arbejde arbejdsplads arbejdstid arbejdsmiljø miljø tid kollega kolleger kollegial sparring
mentor ordning buddy system walk talk team møde fordeling princip projekt styring metode tværgående samarbejde
gruppe social arrangement faglig netværk fejring milepæl feedback runde ledelse leder kursus fundament
kommunikation strategi anerkendende kultur synlig psykologisk tryghed sikkerhed konstruktiv vurdering beslutning
governance politik stress chikane whistleblower anonym rapportering håndbog hus værdi organisation
inddragelse dialog forum evaluering supervision introduktion intro program onboarding sundhed aftale plan
handling opfølgning seminar dag tema workshop uddannelse forløb retningslinje procedure sygefravær fravær
fokus pause frokost fællesskab vision mission rolle ansvar opgave belastning repræsentant udvalg tillid
kalender forventning konflikt håndtering krænkelse mobning omsorg hjemme frivillig fest jul sommer
morgenmad kaffe kurs stor fælles status afklaring prioritering ansat tilfredshed senior exit fratrædelse
debriefing hændelse vold trussel tilgængelighed fredag bar aktivitet initiativ tiltag indsats resultat rapport
drøftelse træning oplæg afdeling velkomst check regel regler handle anti mobbe coach coaching dagsorden
referat skema skabelon tjekliste vejledning guide materiale
""")
LEXICON = frozenset(LEXICON_WORDS) | frozenset(w[:-1] for w in LEXICON_WORDS if w.endswith("e") and len(w) > 4)
# What a lexicon part may end in when it closes a word ("møder", "samtalerne", "målingen").
ENDINGS = ("", "e", "r", "n", "t", "s", "er", "en", "et", "es", "ne", "re", "ene", "ens", "ers", "ets", "rne", "erne")
# Acronyms and what they stand for ("" when the acronym is its own concept, like the MED committee).
ACRONYMS = {
    "mus": "medarbejder udvikling samtale",
    "grus": "gruppe udvikling samtale",
    "apv": "arbejdsplads vurdering",
    "amo": "arbejdsmiljø organisation",
    "tr": "tillid repræsentant",
    "amr": "arbejdsmiljø repræsentant",
    "mtu": "medarbejder tilfredshed undersøgelse",
    "med": "",
    "su": "samarbejde udvalg",
}
# Acronyms that are also ordinary small words: an acronym only in capitals or before a hyphen ("MED-udvalg").
AMBIGUOUS_ACRONYMS = {"med", "su", "tr"}
# Words the splitter cannot take apart by itself.
KNOWN_COMPOUNDS = {
    "medudvalg": ("med", "udvalg"),
    "nyansat": ("ansat",),
    "nyansatt": ("ansat",),
    "flekstid": ("fleksibel", "arbejdstid"),
}
ACRONYM_COMPOUNDS = tuple({parts[0] for parts in KNOWN_COMPOUNDS.values() if parts[0] in ACRONYMS})
# Words that mean the same thing in a mapping, mapped onto one concept (the key's stem).
SYNONYMS = {
    "måling": "undersøgelse spørgeskema survey",
    "ledelse": "leder",
    "medarbejder": "personale ansat",
    "kollegial": "kollega kolleger kollegaer",
    "møde": "meeting",
    "håndbog": "håndbøger",
    "feedback": "tilbagemelding",
    "politik": "policy retningslinje regel regler retningslinjer",
    "trivsel": "tilfredshed",
    "fravær": "sygefravær",
    "tryghed": "sikkerhed",
    "onboarding": "intro introduktion velkomst",
    "exit": "fratrædelse",
    "kurser": "kursus kurs",
    "trussel": "trusler",
    "handling": "handle",
    "mobning": "mobbe mobberi",
    "coach": "coaching",
}


def _norm(word: str) -> str:
    """A word's stem, with the "e" Danish drops before an ending dropped too ("fleksibel", "fleksible"), and
    a doubled last consonant made single ("træffet", "træf")."""
    stemmed = stem(word)
    if len(stemmed) >= 5 and stemmed[-1] in "lnr" and stemmed[-2] == "e" and stemmed[-3] not in VOWELS:
        return stemmed[:-2] + stemmed[-1]
    if len(stemmed) >= 4 and stemmed[-1] == stemmed[-2] and stemmed[-1] not in VOWELS:  # "træffet", "træf"
        return stemmed[:-1]
    return stemmed


SYNONYM_STEMS = {_norm(word): _norm(concept) for concept, words in SYNONYMS.items() for word in words.split()}


@lru_cache(maxsize=20_000)
def _concept(part: str) -> str:
    normed = _norm(part)
    return SYNONYM_STEMS.get(normed, normed)


def _concepts_of(words: str) -> frozenset[str]:
    return frozenset(_concept(word) for word in words.split())


# Parts of one word that together mean one thing: a personalemøde is the husmøde, a ledergruppe the ledelse.
COMPOUND_SYNONYMS = {
    tuple(_concept(w) for w in parts.split()): tuple(_concept(w) for w in meaning.split())
    for parts, meaning in [
        ("medarbejder møde", "hus møde"),
        ("fælles møde", "hus møde"),
        ("stor møde", "hus møde"),
        ("ledelse gruppe", "ledelse"),
        ("ledelse team", "ledelse"),
    ]
}
# Words that add nothing to what an initiative is ("Mentorordning" is the mentor scheme, "Sociale
# arrangementer" the social events): dropped unless nothing else is left.
LIGHT = _concepts_of(
    "ordning system forløb program aktivitet aktiviteter arrangement initiativ tiltag indsats samvær event"
)
# Parts of a compound that do not change what it is ("fællesfrokost" is the frokost, "antimobbepolitik"
# the mobbepolitik), unless a compound synonym has used them ("fællesmøde" is the husmøde).
QUALIFIER_PARTS = _concepts_of("fælles anti")
# The people an initiative is for, said after "for"/"til": "Mentorordning for nye medarbejdere" is the mentor scheme.
AUDIENCE = _concepts_of("medarbejder ansat personale")
AUDIENCE_AFTER = {"for", "til", "blandt"}
# Which way something goes: what follows "fra" or "til" also counts as from or to it.
DIRECTIONS = {"fra", "til"}
# A concept that brings another along: onboarding is always of new employees.
IMPLIES = {_concept("onboarding"): _concepts_of("medarbejder")}
# Activities *about* something: "Handlingsplan for APV", "Opfølgning på trivselsmålingen", "Uddannelse af
# AMO" are about the APV, the measurement, the AMO, not the same thing. A title that adds one of these to
# another title is related to it, not an overlap.
RELATIONAL = _concepts_of(
    "opfølgning handling plan uddannelse kursus kurser evaluering resultat rapport drøftelse træning oplæg møde politik "
    "skema skabelon tjekliste vejledning guide materiale dagsorden referat"
)
# What the lexicon's words are as concepts: words of their own, never split by the mapping's vocabulary.
LEXICON_CONCEPTS = frozenset(_concept(word) for word in LEXICON_WORDS)
WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)


def _known(word: str) -> bool:
    """A lexicon word, possibly with an inflection ending ("møder", "samtalerne", "politikker")."""
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            base = word[: len(word) - len(ending)]
            if base in LEXICON or (ending and base[-1] == base[-2] and base[:-1] in LEXICON):
                return True
    return False


def _known_chars(parts: tuple[str, ...]) -> int:
    return sum(len(part) for part in parts if _known(part))


# No real compound is longer ("medarbejdertilfredshedsundersøgelse" has 35 letters); a longer "word" (a
# pasted run of letters) is taken whole, so splitting stays cheap and never recurses deeply.
LONGEST_COMPOUND = 60
# A first part ending like this always takes a joining "s" ("forventnings|afstemning").
S_JOINING = ("ning", "ing", "else", "hed", "skab", "tion", "dom", "sel", "tet")


def _rests(head: str, rest: str) -> list[str]:
    """What may follow ``head`` in a compound: ``rest`` itself, or without its joining "s" or "e"."""
    if rest[0] == "s" and (head.endswith(S_JOINING) or rest[1:2] == "s"):
        return [rest[1:]]
    return [rest, rest[1:]] if rest[0] in "se" else [rest]


@lru_cache(maxsize=20_000)
def split_compound(word: str) -> tuple[str, ...]:
    """Split a Danish compound at lexicon parts, allowing a joining "s" or "e".

    Of all the ways to split, the one that covers most letters with known
    parts wins; on a tie, the one with fewer parts."""
    best: tuple[str, ...] = (word,)
    best_score = (len(word) if _known(word) else 0, -1)
    if not 6 <= len(word) <= LONGEST_COMPOUND:
        return best
    for cut in range(len(word) - 3, 2, -1):
        head = word[:cut]
        if head not in LEXICON:
            continue
        rest = word[cut:]
        for candidate in _rests(head, rest):
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
    if word in STOP_WORDS or _is_qualifier(word) or len(word) < 2:
        return ()
    if word in ACRONYMS and word not in AMBIGUOUS_ACRONYMS:
        return acronym_concepts(word)
    stemmed = stem(word)
    parts = KNOWN_COMPOUNDS.get(stemmed) or split_compound(word)
    if parts and parts[0] in ACRONYMS and parts[0] in KNOWN_COMPOUNDS.get(stemmed, ()):
        return (*acronym_concepts(parts[0]), *(_concept(p) for p in parts[1:]))
    concepts = tuple(_concept(part) for part in parts)
    for n in range(len(concepts) - 1):  # "leder|gruppe|møde": the ledergruppe's meeting
        if (pair := concepts[n : n + 2]) in COMPOUND_SYNONYMS:
            concepts = (*concepts[:n], *COMPOUND_SYNONYMS[pair], *concepts[n + 2 :])
            break
    return tuple(c for c in concepts if c not in QUALIFIER_PARTS) or concepts


def _is_qualifier(word: str) -> bool:
    """A word of ``QUALIFIERS``, also in its neuter or plural form ("ugentligt", "faste")."""
    return word in QUALIFIERS or (word[-1:] in ("t", "e") and word[:-1] in QUALIFIERS)


def acronym_concepts(acronym: str) -> tuple[str, ...]:
    expansion = ACRONYMS[acronym]
    if not expansion:
        return (acronym,)
    return tuple(c for part in expansion.split() for c in word_concepts(part))


ACRONYM_EXPANSIONS = {acronym: frozenset(acronym_concepts(acronym)) for acronym in ACRONYMS if ACRONYMS[acronym]}


@lru_cache(maxsize=20_000)
def covered_acronyms(concept_set: frozenset[str]) -> dict[str, frozenset[str]]:
    """The acronyms whose whole expansion a concept set holds ("Opfølgning på MUS" holds the MUS), with it."""
    return {acronym: expansion for acronym, expansion in ACRONYM_EXPANSIONS.items() if expansion <= concept_set}


def _tokens(text: str) -> Iterator[tuple[str, bool]]:
    """The words of a text, lower-cased, each with whether it is written as an acronym.

    An acronym is written in capitals ("MED", "APV") or is a known one before a
    hyphen ("Med-udvalg", "apv-handlingsplan"); "med" in "sparring med kolleger"
    is the small word."""
    for match in WORD_RE.finditer(text):
        raw = match.group(0)
        word = raw.lower()
        before_hyphen = text[match.end() : match.end() + 1] == "-"
        yield word, (raw.isupper() and 2 <= len(raw) <= 6) or (before_hyphen and word in ACRONYMS)


@lru_cache(maxsize=20_000)
def concepts(text: str) -> frozenset[str]:
    """What a title (or description) is about: the set of its words' concepts (see the module's docstring)."""
    return _analyse(text)[0]


def _analyse(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """A text's concepts, and those of them that only a word on its own for the people it is for brings."""
    found: list[str] = []
    audience: set[str] = set()
    after = ""
    for word, written_as_acronym in _tokens(text):
        if word in AMBIGUOUS_ACRONYMS and written_as_acronym:
            found += acronym_concepts(word)
            after = ""
            continue
        parts = word_concepts(word)
        if len(parts) == 1 and parts[0] in AUDIENCE:
            audience.add(parts[0])
            if after in AUDIENCE_AFTER:
                parts = ()
        found += parts
        if after in DIRECTIONS:  # "Feedback fra ledelsen" is not "Feedback til ledelsen"
            found += [f"{after}:{part}" for part in parts]
        if word in AUDIENCE_AFTER or word in DIRECTIONS:
            after = word
        elif word not in STOP_WORDS and not _is_qualifier(word):
            after = ""
    result = set(found)
    if result - LIGHT:
        result -= LIGHT
    for concept in list(result):
        result -= IMPLIES.get(concept, frozenset())
    return frozenset(result), frozenset(audience & result)


PARENTHESES = re.compile(r"\([^)]*\)")


@lru_cache(maxsize=20_000)
def title_variants(title: str) -> tuple[frozenset[str], ...]:
    """The ways a title can be read, as concept sets: all of it; without what it says in parentheses
    ("Trivselsmåling (pilot)", "Trivselsundersøgelse (APV)"); without a word on its own for the people it
    is for ("Supervision af medarbejdere" is supervision). Empty sets are left out."""
    main, audience = _analyse(title)
    variants = [main]
    if "(" in title:
        variants.append(concepts(PARENTHESES.sub(" ", title)))
    if audience:
        variants += [variant - audience for variant in variants]
    return tuple(dict.fromkeys(variant for variant in variants if variant))


def split_by_vocabulary(vocabulary: set[str]) -> dict[str, tuple[str, ...]]:
    """Compounds the lexicon cannot split, split into concepts the mapping uses on their own.

    "Kriseberedskab" is krise + beredskab in a mapping where another title says
    "Beredskab ved kriser": both parts must be concepts of the mapping."""
    result: dict[str, tuple[str, ...]] = {}
    for concept in vocabulary:
        if not 7 <= len(concept) <= LONGEST_COMPOUND or concept in LEXICON_CONCEPTS:
            continue
        for cut in range(len(concept) - 3, 2, -1):
            head = _concept(concept[:cut])
            if head not in vocabulary or head == concept:
                continue
            for rest in _rests(concept[:cut], concept[cut:]):
                tail = word_concepts(rest) if len(rest) >= 3 else ()
                if tail and concept not in tail and all(part in vocabulary for part in tail):
                    result[concept] = (head, *tail)
                    break
            if concept in result:
                break
    return result


@lru_cache(maxsize=20_000)
def acronyms(text: str) -> frozenset[str]:
    """The abbreviations a text names ("MUS", "APV", "MED-udvalg", "medudvalget"): sharing one makes two titles related."""
    found = set()
    for word, written_as_acronym in _tokens(text):
        if written_as_acronym or (word in ACRONYMS and word not in AMBIGUOUS_ACRONYMS):
            found.add(word)
        elif word.startswith(ACRONYM_COMPOUNDS) and (parts := KNOWN_COMPOUNDS.get(stem(word))):
            found.add(parts[0])
    return frozenset(found)


def trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def dice(a: frozenset | set, b: frozenset | set) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def _same_but_ending(a: str, b: str) -> bool:
    shorter = min(len(a), len(b))
    common = len(os.path.commonprefix([a, b]))
    return abs(len(a) - len(b)) <= 3 and common >= max(5, 0.8 * shorter)


def unify_variants(concept_sets: Iterable[frozenset[str]]) -> dict[str, str]:
    """Spelling variants left after stemming, joined to one spelling.

    Only concepts with the same first four letters are compared (cheap), and
    they must share most character trigrams, or differ only in a short ending
    that stemming left ("intran"/"intranet", "repræsentant"/"repræsentation")."""
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
                if b not in canonical and (dice(grams[a], grams[b]) >= 0.8 or _same_but_ending(a, b)):
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
