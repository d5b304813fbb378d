"""Attributes of a mention, read from its sentence: size, laterality, location, count, change, severity, PET.

The words are data: ``lexicons/attributes.yaml`` (laterality, change, severity, units, number words,
PET keywords) and ``lexicons/anatomy.yaml`` (lobes, Couinaud segments, pancreas head/body/tail, kidney
and adrenal sides, vertebral levels), each phrase in American and British spelling (``spelling_variants.yaml``:
"centimeter", "centimetre"). Each attribute is the expression nearest to the mention in its
sentence that describes it, looked up only for labels that declare the attribute (``attributes: [size,
laterality, ...]``); a negated mention gets its side only ("no left pleural effusion"). Where a sentence names
several findings, each expression describes one of them (see ``OtherFindings``): "A 12 mm nodule in the right
upper lobe and a small left pleural effusion" gives the nodule 12 mm and the right side, the effusion the left
side. Sizes are converted to millimetres; the largest is ``size_mm``. PET labels get ``suv_max`` ("SUVmax 7.4")
and ``deauville`` ("Deauville 4").

    >>> sizes_mm("a 3.2 x 2.1 cm mass")
    [32.0, 21.0]
    >>> attributes_near("Stable 4 mm nodule in the right upper lobe.", 10, 16, ("size", "location", "change"))
    {'size_mm': 4.0, 'sizes_mm': [4.0], 'location': 'right_upper_lobe', 'change': 'stable'}
    >>> attributes_near("FDG-avid right hilar node, SUVmax 7.4, Deauville 4.", 0, 8, ("suv_max", "deauville"))
    {'suv_max': 7.4, 'deauville': 4}
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate, compress
from pathlib import Path
from typing import Any, NamedTuple

from curation.reports.caseless import lower_if_exact
from curation.reports.lexicon import NON_ANATOMICAL_SYSTEMS, LexiconError
from curation.reports.lexicon_files import read_lexicon_yaml
from curation.reports.mentions import MentionRecord
from curation.reports.spelling_variants import SpellingVariants, load_spelling_variants
from curation.resources import lexicons_dir

_NUMBER = r"\d+(?:\.\d+)?"
_NUMBER_RE = re.compile(_NUMBER)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "IVA": 4, "IVB": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8}


def _alternation(words: Iterable[str], case_sensitive: bool = False) -> re.Pattern[str]:
    ordered = sorted({w for w in words}, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in ordered)
    return re.compile(r"\b(?P<w>" + body + r")\b", 0 if case_sensitive else re.IGNORECASE)


def _word_map(document: dict[str, Any], key: str, path: Path, spelling: SpellingVariants) -> dict[str, str]:
    """{word (lower-case, single-spaced), in both spellings -> canonical value} from ``key: {value: [words]}``."""
    entry = document.get(key)
    if not isinstance(entry, dict):
        raise LexiconError(f"{path.name}: needs '{key}:' mapping values to word lists")
    words: dict[str, str] = {}
    for value, phrases in entry.items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
            raise LexiconError(f"{path.name}: {key}.{value}: must be a list of phrases")
        for phrase in spelling.with_variants(phrases):
            words[" ".join(phrase.lower().split())] = str(value)
    return words


@dataclass(frozen=True)
class LocationPattern:
    name: str  # template, e.g. "{region}{level}"
    organ_systems: frozenset[str]  # empty: any
    regex: re.Pattern[str]
    requires_any: re.Pattern[str] | None
    roman: bool
    requires_words: tuple[str, ...] = ()  # the words of ``requires_any``


@dataclass(frozen=True)
class AttributeLexicon:
    laterality: dict[str, str]
    change: dict[str, str]
    severity: dict[str, str]
    units: dict[str, float]
    count_words: dict[str, int]
    not_a_count_after: frozenset[str]  # lower-case words after which a number is no count ("grade 3")
    locations: dict[str, str]  # phrase (lower-case) -> location name
    location_systems: dict[str, str]  # location name -> organ system
    location_patterns: tuple[LocationPattern, ...]
    suv_words: tuple[str, ...]
    deauville_words: tuple[str, ...]
    prior_size_words: tuple[str, ...] = ()  # "previously" in "6 mm, previously 4 mm"
    measured_change_mm: float = 2.0  # a smaller difference between the two sizes is stable


def load_attribute_lexicon(folder: Path | None = None) -> AttributeLexicon:
    """``attributes.yaml`` and ``anatomy.yaml`` of ``folder`` (default: the packaged ``lexicons/``)."""
    return _load_attribute_lexicon((Path(folder) if folder else lexicons_dir()).resolve())


@cache
def _load_attribute_lexicon(folder: Path) -> AttributeLexicon:
    path = folder / "attributes.yaml"
    document = read_lexicon_yaml(path)
    if not isinstance(document, dict):
        raise LexiconError(f"{path.name}: must be a mapping")
    spelling = load_spelling_variants(folder)
    units = {w.lower(): float(v) for k, v in (document.get("units") or {}).items() for w in spelling.variants(str(k))}
    counts = {str(k).lower(): int(v) for k, v in (document.get("count_words") or {}).items() if v is not None}
    pet = document.get("pet") or {}
    measured = document.get("measured_change") or {}
    anatomy_path = folder / "anatomy.yaml"
    anatomy = read_lexicon_yaml(anatomy_path)
    locations: dict[str, str] = {}
    location_systems: dict[str, str] = {}
    for index, entry in enumerate(anatomy.get("locations") or []):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry.get("phrases"):
            raise LexiconError(f"{anatomy_path.name}: locations[{index}]: needs name and phrases")
        for phrase in spelling.with_variants(str(p) for p in entry["phrases"]):
            locations[" ".join(phrase.split())] = entry["name"]
        location_systems[entry["name"]] = str(entry.get("organ_system", ""))
    patterns = []
    for index, entry in enumerate(anatomy.get("patterns") or []):
        try:
            regex = re.compile(entry["regex"], 0 if entry.get("case_sensitive") else re.IGNORECASE)
        except (KeyError, TypeError, re.error) as error:
            raise LexiconError(f"{anatomy_path.name}: patterns[{index}]: bad regex ({error})") from None
        requires = entry.get("requires_any")
        patterns.append(
            LocationPattern(
                str(entry["name"]),
                frozenset(entry.get("organ_systems") or ()),
                regex,
                _alternation(requires) if requires else None,
                bool(entry.get("roman")),
                tuple(requires or ()),
            )
        )
    return AttributeLexicon(
        laterality=_word_map(document, "laterality", path, spelling),
        change=_word_map(document, "change", path, spelling),
        severity=_word_map(document, "severity", path, spelling),
        units=units,
        count_words=counts,
        not_a_count_after=frozenset(str(w).lower() for w in document.get("not_a_count_after") or ()),
        locations=locations,
        location_systems=location_systems,
        location_patterns=tuple(patterns),
        suv_words=spelling.with_variants(pet.get("suv_max_words") or ()),
        deauville_words=spelling.with_variants(pet.get("deauville_words") or ()),
        prior_size_words=tuple(str(w) for w in measured.get("prior_size_words") or ()),
        measured_change_mm=_positive_number(measured.get("measured_change_mm", 2), path, "measured_change_mm"),
    )


def _positive_number(value: Any, path: Path, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise LexiconError(f"{path.name}: {key} must be a positive number of millimetres, got {value!r}")
    return float(value)


_WORD = re.compile(r"\w+")
_WORD_SPLIT = re.compile(r"(\w+)")
_PLAIN_WORD = re.compile(r"[A-Za-z0-9_]+")


class WordLayout(NamedTuple):
    """A sentence's lower-case words (maximal runs of word characters), their offsets and what lies between them."""

    words: list[str]
    starts: list[int]
    ends: list[int]
    gaps: list[str]  # gaps[i]: the text between word i and word i + 1
    text: str  # the sentence as written


_JOINERS = ("-", "/")  # what may join the parts of one written word of a phrase ("re-demonstrated", "b/l")
_JOINED_PARTS = re.compile(r"([-/])")


def _trie_keys(words: list[str]) -> list[str]:
    """Trie keys of a phrase's words: a hyphenated or slashed word gives its parts, those after the first marked by
    the hyphen or slash before them ("b/l": "b", "/l")."""
    keys: list[str] = []
    for word in words:
        parts = _JOINED_PARTS.split(word)
        if any(not part for part in parts[::2]):
            return [word]  # a leading, trailing or doubled joiner: not a plain word, left to the expression
        keys.append(parts[0])
        keys.extend(joiner + part for joiner, part in zip(parts[1::2], parts[2::2], strict=True))
    return keys


class PhraseFamily:
    """Whole-word phrases -> canonical value: the matches of ``\\b(?P<w>phrase|...)\\b`` (longest phrase first).

    ``matches`` returns (start, end, value) for each match of the expression's ``finditer``. Where the
    sentence's lower-cased copy is exact (``caseless``) and the phrases are plain ASCII words, it walks a
    word trie over the sentence's words (maximal runs of word characters) instead, which gives the same
    matches: a phrase matches where its words are consecutive words of the sentence with only whitespace
    between them; at one position the longest phrase wins, and the next match starts after it.
    """

    def __init__(self, values: dict[str, str], case_sensitive: bool = False) -> None:
        self.values = {" ".join(p.split() if case_sensitive else p.lower().split()): v for p, v in values.items()}
        self.case_sensitive = case_sensitive
        self.regex = _alternation(values, case_sensitive)
        # word -> [value or None, {next word -> node}], keyed on lower-case words
        self.trie: dict[str, list] | None = {}
        for phrase, value in self.values.items():
            words = phrase.split()
            keys = _trie_keys(words) if not case_sensitive else words
            if not words or not all(_PLAIN_WORD.fullmatch(k[1:] if k.startswith(_JOINERS) else k) for k in keys):
                self.trie = None  # only the regular expression can say
                break
            node: list = [None, self.trie]
            for key in keys:
                node = node[1].setdefault(key.lower(), [None, {}])
            node[0] = (value, words) if case_sensitive else value

    def _value_of(self, written: str) -> str:
        key = " ".join(written.split())
        value = self.values.get(key if self.case_sensitive else key.lower())
        if value is None:
            # case-insensitive matching folds a few letters that str.lower() keeps ("ſtable" matches "stable")
            value = next(v for p, v in self.values.items() if _alternation([p], self.case_sensitive).fullmatch(key))
        return value

    def matches(self, sentence: SentenceMatches) -> list[tuple[int, int, str]]:
        if self.trie is None or sentence.lower is None:
            return [(m.start(), m.end(), self._value_of(m.group("w"))) for m in self.regex.finditer(sentence.sentence)]
        return sentence.trie_matches(self)

    def walk(self, layout: WordLayout, candidates: list[int]) -> list[tuple[int, int, str]]:
        """The matches starting at candidate words (indices of words that start a phrase of this family, ascending)."""
        trie = self.trie
        assert trie is not None
        words, starts, ends, gaps = layout.words, layout.starts, layout.ends, layout.gaps
        n_words = len(words)
        found = []
        cursor = 0
        for index in candidates:
            if index < cursor:
                continue
            node = trie[words[index]]
            best, value = (index, node[0]) if node[0] is not None else (-1, None)
            last = index
            while node[1] and last + 1 < n_words:
                gap = gaps[last]
                # a space between words, or a hyphen or slash where the phrase has one ("b/l": "b", "/l")
                node = node[1].get(
                    words[last + 1] if gap.isspace() else gap + words[last + 1] if gap in _JOINERS else ""
                )
                if node is None:
                    break
                last += 1
                if node[0] is not None:
                    best, value = last, node[0]
            if self.case_sensitive and value is not None:
                # the lower-case words matched; the phrase must also match as written
                value, best = self._written_match(layout, index)
            if best < 0:
                continue
            found.append((starts[index], ends[best], value))
            cursor = best + 1
        return found

    def _written_match(self, layout: WordLayout, index: int) -> tuple[str | None, int]:
        """Longest case-sensitive phrase from word ``index``: (value, last word index) or (None, -1)."""
        text, starts, ends = layout.text, layout.starts, layout.ends
        best_value, best = None, -1
        node = self.trie.get(layout.words[index]) if self.trie else None
        last = index
        while node is not None:
            if node[0] is not None:
                value, words = node[0]
                if [text[s:e] for s, e in zip(starts[index : last + 1], ends[index : last + 1], strict=True)] == words:
                    best_value, best = value, last
            if last + 1 >= len(layout.words) or not layout.gaps[last].isspace():
                break
            last += 1
            node = node[1].get(layout.words[last])
        return best_value, best

    def search(self, sentence: SentenceMatches) -> bool:
        """Whether a phrase occurs in the sentence."""
        if self.trie is None or sentence.lower is None:
            return self.regex.search(sentence.sentence) is not None
        return bool(self.matches(sentence))


class AttributeRules:
    """The compiled expressions and word lists of an ``AttributeLexicon`` (compiled once per lexicon)."""

    def __init__(self, lexicon: AttributeLexicon) -> None:
        self.lexicon = lexicon
        units = "|".join(re.escape(u) for u in sorted(lexicon.units, key=len, reverse=True))
        # "\d\d*", not "\d+": an expression opening with a character class lets the regex engine skip to digits
        size = rf"(?P<numbers>\d\d*(?:\.\d+)?(?:\s*(?:x|×|\*|by|and|,|-|to)\s*{_NUMBER})*)\s*(?P<unit>{units})\b"
        self.size = re.compile(size, re.IGNORECASE)
        # the prior size right after the current one: ", previously 4 mm", " (7 mm on the prior)"
        lead = "|".join(re.escape(w) for w in sorted(lexicon.prior_size_words, key=len, reverse=True))
        # a number that is no date or year ("previously 12.03.2019", "compared to 2019") ...
        dimensions = rf"(?<![\d.])\d{{1,3}}(?:\.\d+)?(?![\d/-]|\.\d)(?:\s*(?:x|×|\*|by)\s*{_NUMBER})*"
        # ... with a unit, or without one where the phrase ends there ("previously 4.", "(previously 4)"), not before
        # a word ("previously 3 months ago", "was 3 cm from the hilum" has its unit and is read as a size)
        prior = rf"(?P<n>{dimensions})(?:\s*(?P<unit>{units})\b|(?=\s*(?:[),;]|\.(?!\d)|$)))"
        self.prior_size = re.compile(
            rf"\s*[,;(]?\s*(?:(?:{lead})\s*{prior}|(?P<n2>{dimensions})\s*(?P<unit2>{units})\s+(?:on|at|in)\s+"
            r"(?:the\s+)?(?:prior|previous))"
            if lead
            else r"(?!)",
            re.IGNORECASE,
        )
        self.laterality = PhraseFamily(lexicon.laterality)
        self.change = PhraseFamily(lexicon.change)
        self.severity = PhraseFamily(lexicon.severity)
        # locations: case-sensitive for abbreviations in capitals ("RUL"), case-insensitive otherwise
        self.location_names = {p.lower(): n for p, n in lexicon.locations.items()}
        self.location = PhraseFamily({p: self.location_names[p.lower()] for p in lexicon.locations if not p.isupper()})
        self.location_abbreviations = PhraseFamily(
            {p: self.location_names[p.lower()] for p in lexicon.locations if p.isupper()}, case_sensitive=True
        )
        self.location_requires = [
            PhraseFamily({w: w for w in p.requires_words}) if p.requires_any is not None else None
            for p in lexicon.location_patterns
        ]
        # Lower-case first word -> the word-trie families with a phrase starting with it: a sentence's words are
        # looked up once for all families.
        families = [self.laterality, self.change, self.severity, self.location, self.location_abbreviations]
        families += [family for family in self.location_requires if family is not None]
        self.first_words: dict[str, list[PhraseFamily]] = {}
        for family in families:
            for word in family.trie or ():
                self.first_words.setdefault(word, []).append(family)
        self.trie_families = frozenset(family for family in families if family.trie is not None)
        # A count is a number (word) before the mention, with at most two words or sizes between them; a number that
        # opens a size is none ("12 mm nodule", "6 x 4 mm nodule" have no count; "two 5 mm nodules" has 2).
        count_words = "|".join(re.escape(w) for w in lexicon.count_words)
        size_words = rf"{_NUMBER}(?:\s*(?:x|×|\*|by|and|,|-|to)\s*{_NUMBER})*\s*(?:{units})\b"
        self.count = re.compile(
            rf"\b(?!{size_words})(?P<n>\d{{1,2}}|{count_words})\s+(?:(?:[a-z-]+|{size_words})\s+){{0,2}}$",
            re.IGNORECASE,
        )
        suv_words = sorted(lexicon.suv_words, key=len)[::-1]
        suv = "|".join(r"\s*".join(re.escape(p) for p in w.split()) for w in suv_words)
        self.suv = re.compile(
            rf"\b(?:{suv})\b\s*(?:value\s*)?(?:of|was|is|=|:)?\s*(?:~|up to|approximately)?\s*"
            rf"(?P<v>{_NUMBER})",
            re.IGNORECASE,
        )
        deauville_words = sorted(lexicon.deauville_words, key=len)[::-1]
        dv = "|".join(r"\s*".join(re.escape(p) for p in w.split()) for w in deauville_words)
        self.deauville = re.compile(
            rf"\b(?:{dv})\b\s*(?:score\s*)?(?:of|was|is|=|:)?\s*(?P<v>[1-5]|X)\b", re.IGNORECASE
        )
        # Each word's first part must be in the (lower-cased) sentence for the expression to match.
        self.suv_hints = tuple({w.split()[0].lower() for w in suv_words if w.split()})
        self.deauville_hints = tuple({w.split()[0].lower() for w in deauville_words if w.split()})
        # ... and one of these for a side to be named ("left", "rt"): most negated sentences name none
        self.side_hints = tuple({w.split()[0] for w, side in lexicon.laterality.items() if side in ("left", "right")})


@cache
def _rules(folder: str) -> AttributeRules:
    return AttributeRules(load_attribute_lexicon(Path(folder) if folder else None))


def sizes_mm(text: str) -> list[float]:
    """Every dimension of the first size expression in ``text``, in millimetres."""
    rules = _rules("")
    match = rules.size.search(text)
    return _match_sizes(match, rules) if match else []


def _match_sizes(match: re.Match[str], rules: AttributeRules) -> list[float]:
    factor = rules.lexicon.units[match.group("unit").lower()]
    return [round(float(n) * factor, 2) for n in _NUMBER_RE.findall(match.group("numbers"))]


def _measured_change(text: str, size: re.Match[str], rules: AttributeRules) -> str | None:
    """increased / decreased / stable from the current size and the prior size written right after it."""
    prior = rules.prior_size.match(text, size.end())
    if prior is None:
        return None
    after_word = prior.group("n") is not None  # ", previously 4 mm"; else " (4 mm on the prior)"
    number, unit = prior.group("n" if after_word else "n2"), prior.group("unit" if after_word else "unit2")
    factor = rules.lexicon.units[(unit or size.group("unit")).lower()]  # no unit: the current size's
    prior_mm = max(float(n) for n in _NUMBER_RE.findall(number)) * factor
    difference = max(_match_sizes(size, rules)) - prior_mm
    threshold = rules.lexicon.measured_change_mm
    return "increased" if difference >= threshold else "decreased" if difference <= -threshold else "stable"


def _distance(match_start: int, match_end: int, start: int, end: int) -> int:
    return start - match_end if match_end <= start else max(match_start - end, 0)


def _nearest(matches: list[re.Match[str]], start: int, end: int) -> re.Match[str] | None:
    """The match nearest to [start, end); the first one between equals."""
    best, best_distance = None, None
    for match in matches:
        distance = _distance(match.start(), match.end(), start, end)
        if best_distance is None or distance < best_distance:
            best, best_distance = match, distance
    return best


def _nearest_value(found: list[tuple[int, int, str]], start: int, end: int) -> str | None:
    """The value of the (start, end, value) nearest to [start, end); the first one between equals."""
    best, best_distance = None, -1
    for match_start, match_end, value in found:
        distance = _distance(match_start, match_end, start, end)
        if best_distance < 0 or distance < best_distance:
            best, best_distance = value, distance
    return best


@dataclass(frozen=True, slots=True)
class OtherFindings:
    """The other findings of a mention's sentence, whose attribute expressions are not the mention's.

    - A size, SUVmax or Deauville score describes one finding: of those whose labels take it, the nearest
      in its clause (the sentence cut at ";" and ","); where its clause names none ("..., now 4.5 cm",
      "the largest 15 mm in segment 8"), the nearest before it, else the nearest after it.
    - A side that stands before a finding ("small left pleural effusion", "right upper lobe nodule") is
      that finding's; a finding with such a side takes no other. Any other side of the sentence describes
      all its findings ("atelectasis and consolidation in the right middle lobe and left lingula").
    - Side, place, change and severity are read in the mention's part of the sentence (parts end at ";")
      where that part names one: "Nodule in the right upper lobe; atelectasis in the left lower lobe".
    """

    sentence: str
    spans: tuple[tuple[int, int, tuple[str, ...]], ...]  # (start, end, attributes its label takes), in the sentence
    clause_breaks: tuple[int, ...]  # offsets of the sentence's ";" and ","
    semicolons: tuple[int, ...]  # offsets of its ";"

    @classmethod
    def of(cls, sentence: str, spans: list[tuple[int, int, tuple[str, ...]]]) -> OtherFindings:
        return cls(sentence, tuple(spans), *_clause_breaks(sentence)) if spans else NO_OTHER_FINDINGS

    def nearest_match(self, attribute: str, found: list[re.Match[str]], start: int, end: int) -> re.Match[str] | None:
        """The nearest of the measurements in ``found`` that describe the mention at [start, end)."""
        return _nearest(self.keep_matches(attribute, found, start, end), start, end)

    def nearest_value(self, attribute: str, found: list[tuple[int, int, str]], start: int, end: int) -> str | None:
        """The nearest of the words in ``found`` that may describe the mention at [start, end)."""
        return _nearest_value(self.keep_values(attribute, found, start, end), start, end)

    def keep_matches(self, attribute: str, found: list[re.Match[str]], start: int, end: int) -> list[re.Match[str]]:
        """The measurements (size, SUVmax, Deauville) of ``found`` that describe the mention at [start, end)."""
        if not self.spans or not found:
            return found
        return [m for m in found if self._measures(attribute, m.start(), m.end(), start, end)]

    def keep_values(
        self, attribute: str, found: list[tuple[int, int, str]], start: int, end: int
    ) -> list[tuple[int, int, str]]:
        """The words (side, place, change, severity) of ``found`` that may describe the mention at [start, end)."""
        if not self.spans or not found:
            return found
        found = [f for f in found if self._same_part(f[0], start)] or found
        if attribute == "laterality":
            own = [f for f in found if self._stands_before(f[0], f[1], start, end)]
            if own:
                return [f for f in found if f in own or any(self._coordinated(f, side) for side in own)]
            others = [(s, e) for s, e, _takes in self.spans]
            return [f for f in found if not any(self._stands_before(f[0], f[1], s, e) for s, e in others)]
        return found

    def _clause(self, offset: int) -> int:
        return bisect.bisect_right(self.clause_breaks, offset)

    def _measures(self, attribute: str, match_start: int, match_end: int, start: int, end: int) -> bool:
        others = [(s, e) for s, e, takes in self.spans if attribute in takes]
        clause = self._clause(match_start)
        rivals = [(s, e) for s, e in others if self._clause(s) == clause]
        if self._clause(start) != clause:
            if rivals:
                return False
            before = [(s, e) for s, e in others if e <= match_start]
            if end <= match_start:
                rivals = before
            elif before:
                return False
            else:
                rivals = others
        own = _distance(match_start, match_end, start, end)
        return all(_distance(match_start, match_end, s, e) >= own for s, e in rivals)

    def _same_part(self, match_start: int, start: int) -> bool:
        """Whether the expression stands in the mention's part of the sentence (parts end at ";")."""
        return bisect.bisect_right(self.semicolons, match_start) == bisect.bisect_right(self.semicolons, start)

    def _coordinated(self, side: tuple[int, int, str], own: tuple[int, int, str]) -> bool:
        """ "right and left" (lung nodules): a side joined to one that stands before the finding."""
        return side[1] <= own[0] and _SIDE_COORDINATION.fullmatch(self.sentence, side[1], own[0]) is not None

    def _stands_before(self, match_start: int, match_end: int, start: int, end: int) -> bool:
        """Whether the word at [match_start, match_end) is within the finding at [start, end) or stands before it,
        at most two words away, with no punctuation, conjunction or other finding between ("right lower lobe mass")."""
        if start <= match_start and match_end <= end:
            return True
        if match_end > start or not _PREMODIFIER_GAP.fullmatch(self.sentence, match_end, start):
            return False
        return not any(match_end <= s < start for s, _e, _takes in self.spans)


@lru_cache(maxsize=4096)  # the mentions of a sentence share it
def _clause_breaks(sentence: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Offsets of the sentence's ";" and ",", and of its ";" alone."""
    breaks = tuple(match.start() for match in _CLAUSE_BREAK.finditer(sentence))
    return breaks, tuple(i for i in breaks if sentence[i] == ";")


_CLAUSE_BREAK = re.compile(r"[;,]")
# Up to two words between a side and its finding, none of them a conjunction, article or preposition.
_PREMODIFIER_GAP = re.compile(r"\s*(?:(?!(?:and|or|with|a|an|the|of|in|on|at|to)\b)[\w-]+\s+){0,2}", re.IGNORECASE)
_SIDE_COORDINATION = re.compile(r"\s*(?:and|or|&|/|,)\s*", re.IGNORECASE)


NO_OTHER_FINDINGS = OtherFindings("", (), (), ())


class SentenceMatches:
    """The attribute expressions of one sentence, found once and shared by its mentions.

    ``lower``: the sentence lower-cased where that is exact for case-insensitive matching (``caseless``), else None.
    """

    def __init__(
        self, sentence: str, lower: str | None = None, rules: AttributeRules | None = None, heading: str | None = None
    ) -> None:
        self.sentence = sentence
        self.lower = lower if lower is not None else lower_if_exact(sentence)
        self.rules = rules
        self.heading = heading  # the organ sub-heading the sentence stands under ("LIVER"), or None
        self._heading_matches: SentenceMatches | None = None
        self._found: dict[object, list] = {}
        self._trie_found: dict[PhraseFamily, list[tuple[int, int, str]]] | None = None

    def trie_matches(self, family: PhraseFamily) -> list[tuple[int, int, str]]:
        """The matches of a word-trie family; the sentence's words are looked up once for all families."""
        if self.rules is None or family not in self.rules.trie_families:
            found = self._found.get(family)
            if found is None:
                found = self._found[family] = self._trie_matches({w: [family] for w in family.trie or ()}).get(
                    family, []
                )
            return found
        if self._trie_found is None:
            self._trie_found = self._trie_matches(self.rules.first_words)
        return self._trie_found.get(family, [])

    def _trie_matches(
        self, first_words: dict[str, list[PhraseFamily]]
    ) -> dict[PhraseFamily, list[tuple[int, int, str]]]:
        """Matches of the families that have a candidate word in the sentence."""
        # [separator, word, separator, word, ..., separator]: the words and, by cumulated lengths, their offsets
        parts = _WORD_SPLIT.split(self.lower)  # type: ignore[arg-type]
        words = parts[1::2]
        if first_words.keys().isdisjoint(words):
            return {}
        candidates: dict[PhraseFamily, list[int]] = {}
        families_at = list(map(first_words.get, words))
        for index in compress(range(len(words)), families_at):
            for family in families_at[index]:  # type: ignore[union-attr]
                if family in candidates:
                    candidates[family].append(index)
                else:
                    candidates[family] = [index]
        offsets = list(accumulate(map(len, parts)))
        layout = WordLayout(words, offsets[0:-1:2], offsets[1::2], parts[2::2], self.sentence)
        return {family: family.walk(layout, indices) for family, indices in candidates.items()}

    def of(self, key: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = list(pattern.finditer(self.sentence))
        return found

    def of_words(self, family: PhraseFamily) -> list[tuple[int, int, str]]:
        found = self._found.get(family)
        if found is None:
            found = self._found[family] = family.matches(self)
        return found

    def heading_names(self, family: PhraseFamily) -> bool:
        """Whether the sentence's organ sub-heading names a phrase of ``family``."""
        if self.heading is None:
            return False
        if self._heading_matches is None:
            self._heading_matches = SentenceMatches(self.heading, rules=self.rules)
        return family.search(self._heading_matches)

    def may_contain(self, hints: tuple[str, ...]) -> bool:
        """False only where none of the hints is in the sentence (case-insensitively)."""
        lower = self.lower
        return lower is None or any(hint in lower for hint in hints)


# "smaller than 5 mm", "larger than 1 cm": a size bound, not a change since the prior study ("smaller than 03/2021" is)
_THAN_A_NUMBER = re.compile(r"\s+than\s+\d+(?:[.,]\d+)?\s*(?:mm|cm|millimet|centimet)", re.IGNORECASE)


def _change_words(found: list[tuple[int, int, str]], text: str) -> list[tuple[int, int, str]]:
    """The change words of the sentence, less a comparison with a number ("a nodule smaller than 5 mm")."""
    return [word for word in found if not _THAN_A_NUMBER.match(text, word[1])] if " than " in text else found


# What may stand between a negated finding and the side written after it: "no pleural effusion on the right".
_SIDE_AFTER = frozenset({"", "on the", "in the", "at the", "of the"})
# Words before the finding that show the side belongs to something else: "left lower lobe without effusion".
_NOT_BEFORE_A_FINDING = frozenset({"no", "not", "nor", "without", "with", "in", "of", "the", "lobe", "lung"})
_SIDE_WORDS = frozenset({"left", "right", "sided", "or", "and"})


def _ruled_out_side(found: list[tuple[int, int, str]], text: str, start: int, end: int) -> str | None:
    """The one side (left or right) a negated finding at [start, end) is ruled out on, written in its own phrase: at
    most two adjectives before it ("no left pleural effusion", "no left-sided effusion") or right after it ("no
    pleural effusion on the right"). None for both sides or neither: "no bilateral effusions" rules out either side,
    and in "consolidation in the left lower lobe without pleural effusion" the side is the consolidation's."""
    sides = set()
    for side_start, side_end, value in found:
        if side_end <= start:
            between = [w for w in text[side_end:start].replace("-", " ").lower().split() if w not in _SIDE_WORDS]
            if len(between) <= 2 and _NOT_BEFORE_A_FINDING.isdisjoint(between):
                sides.add(value)
        elif side_start >= end and " ".join(text[end:side_start].split()).lower() in _SIDE_AFTER:
            sides.add(value)
    return sides.pop() if len(sides) == 1 and sides <= {"left", "right"} else None


def _laterality(found: list[tuple[int, int, str]]) -> str | None:
    sides = {value for _s, _e, value in found if value != "none"}
    if not sides:
        return None
    if "bilateral" in sides or {"right", "left"} <= sides:
        return "bilateral"
    return sides.pop()


# Labels of these organ systems may be anywhere: a stent, a clip, an FDG-avid focus.
ANY_LOCATION_SYSTEMS = NON_ANATOMICAL_SYSTEMS | {""}


def _location(
    matches: SentenceMatches,
    rules: AttributeRules,
    start: int,
    end: int,
    organ_system: str = "",
    others: OtherFindings = NO_OTHER_FINDINGS,
) -> str | None:
    anywhere = organ_system in ANY_LOCATION_SYSTEMS
    systems = rules.lexicon.location_systems
    candidates: list[tuple[int, int, str]] = []
    for found in (matches.of_words(rules.location), matches.of_words(rules.location_abbreviations)):
        for candidate in found:
            if anywhere or systems.get(candidate[2], "") in ("", organ_system):
                candidates.append(candidate)
    for index, pattern in enumerate(rules.lexicon.location_patterns):
        if not anywhere and pattern.organ_systems and organ_system not in pattern.organ_systems:
            continue
        requires = rules.location_requires[index]
        if requires is not None and not (requires.search(matches) or matches.heading_names(requires)):
            continue
        for match in matches.of(f"location_pattern{index}", pattern.regex):
            groups = {k: v for k, v in match.groupdict().items() if v is not None}
            if pattern.roman:
                groups = {k: str(_ROMAN.get(v.upper(), v)) for k, v in groups.items()}
            candidates.append((match.start(), match.end(), pattern.name.format(**groups)))
    return others.nearest_value("location", candidates, start, end) if candidates else None


_LAST_WORD_BEFORE = re.compile(r"([\w-]+)\W*$")


def _after_a_scale_word(text: str, number_start: int, scale_words: frozenset[str]) -> bool:
    """Whether the number at ``number_start`` follows a word that makes it a grade or a place ("grade 3")."""
    word = _LAST_WORD_BEFORE.search(text, 0, number_start)
    return word is not None and word.group(1).lower() in scale_words


def attributes_near(
    sentence: str | SentenceMatches,
    start: int,
    end: int,
    wanted: Iterable[str],
    rules: AttributeRules | None = None,
    organ_system: str = "",
    others: OtherFindings = NO_OTHER_FINDINGS,
) -> dict[str, object]:
    """Attributes of the mention at [start, end) of ``sentence`` (offsets relative to it).

    ``organ_system`` (the label's) limits locations to that system's anatomy; "" allows any. ``others``: the
    sentence's other findings; an expression that belongs to one of them is not this mention's.
    """
    rules = rules or _rules("")
    matches = sentence if isinstance(sentence, SentenceMatches) else SentenceMatches(sentence, rules=rules)
    text = matches.sentence
    words = rules.lexicon
    found: dict[str, object] = {}
    size = others.nearest_match("size", matches.of("size", rules.size), start, end) if "size" in wanted else None
    if size is not None:
        sizes = _match_sizes(size, rules)
        found["size_mm"], found["sizes_mm"] = max(sizes), sizes
    if "laterality" in wanted and (
        side := _laterality(others.keep_values("laterality", matches.of_words(rules.laterality), start, end))
    ):
        found["laterality"] = side
    if "location" in wanted and (location := _location(matches, rules, start, end, organ_system, others)) is not None:
        found["location"] = location
    before = text[max(0, start - 40) : start]
    if (
        "count" in wanted
        and (count := rules.count.search(before)) is not None
        and not _after_a_scale_word(before, count.start(), words.not_a_count_after)
    ):
        word = count.group("n").lower()
        found["count"] = int(word) if word.isdigit() else words.count_words[word]
    if "change" in wanted:
        change = others.nearest_value("change", _change_words(matches.of_words(rules.change), text), start, end)
        if change is None and size is not None:
            change = _measured_change(text, size, rules)
        if change is not None:
            found["change"] = change
    if "severity" in wanted and (
        severity := others.nearest_value("severity", matches.of_words(rules.severity), start, end)
    ):
        found["severity"] = severity
    suv_wanted = "suv_max" in wanted and matches.may_contain(rules.suv_hints)
    suv = others.nearest_match("suv_max", matches.of("suv", rules.suv), start, end) if suv_wanted else None
    if suv is not None:
        found["suv_max"] = float(suv.group("v"))
    if "deauville" in wanted and matches.may_contain(rules.deauville_hints):
        score = others.nearest_match("deauville", matches.of("deauville", rules.deauville), start, end)
        if score is not None and score.group("v").isdigit():
            found["deauville"] = int(score.group("v"))
    return found


class MentionAttributes:
    """Fills ``attributes`` of mentions from their sentences."""

    def __init__(self, lexicon_dir: str = "") -> None:
        self.rules = _rules(lexicon_dir)

    def assign(
        self,
        mentions: list[MentionRecord],
        text: str,
        bounds: list[int],
        lower: str | None = None,
        headings: list[str | None] | None = None,
    ) -> None:
        """``bounds``: character start of each sentence, plus the text length; ``lower``: ``lower_if_exact(text)``;
        ``headings``: each sentence's organ sub-heading or None (it names the organ of a location: "LIVER:
        lesion in segment 7")."""
        by_sentence: dict[int, SentenceMatches] = {}
        rules = self.rules
        findings_of: dict[int, list[MentionRecord]] = {}
        for mention in mentions:
            findings_of.setdefault(mention.sentence_index, []).append(mention)
        for mention in mentions:
            label = mention.label
            wanted = label.attributes
            negated = mention.assertion == "NEGATIVE"  # nothing to describe but the side ruled out: "no left effusion"
            if not wanted or (negated and "laterality" not in wanted):
                continue
            index = mention.sentence_index
            offset = bounds[index]
            matches = by_sentence.get(index)
            if matches is None:
                after = bounds[index + 1]
                matches = by_sentence[index] = SentenceMatches(
                    text[offset:after],
                    lower[offset:after] if lower is not None else None,
                    rules,
                    headings[index] if headings else None,
                )
            if negated:
                if matches.may_contain(rules.side_hints):
                    side = _ruled_out_side(
                        matches.of_words(rules.laterality),
                        matches.sentence,
                        mention.char_start - offset,
                        mention.char_end - offset,
                    )
                    mention.attributes = {"laterality": side} if side else {}
                continue
            mention.attributes = attributes_near(
                matches,
                mention.char_start - offset,
                mention.char_end - offset,
                wanted,
                rules,
                label.organ_system,
                OtherFindings.of(matches.sentence, _other_findings(findings_of[index], mention, offset)),
            )


def _other_findings(
    sentence_mentions: list[MentionRecord], mention: MentionRecord, offset: int
) -> list[tuple[int, int, tuple[str, ...]]]:
    """The spans (relative to the sentence at ``offset``) and attributes of the sentence's other findings: mentions
    of other labels that do not overlap this one. A mention within another ("avid right hilar lymph node" holds
    "lymph node") or of the same label ("scoliosis or kyphosis", "lesions ... in keeping with metastases") is the
    same finding."""
    start, end, name = mention.char_start, mention.char_end, mention.label.name
    return [
        (other.char_start - offset, other.char_end - offset, other.label.attributes)
        for other in sentence_mentions
        if other.label.name != name and (other.char_end <= start or other.char_start >= end)
    ]
