"""Attributes of a mention, read from its sentence: size, laterality, location, count, change, severity, PET.

The words are data: ``lexicons/attributes.yaml`` (laterality, change, severity, units, number words,
PET keywords) and ``lexicons/anatomy.yaml`` (lobes, Couinaud segments, pancreas head/body/tail, kidney
and adrenal sides, vertebral levels). Each attribute is the expression nearest to the mention in its
sentence, looked up only for labels that declare the attribute (``attributes: [size, laterality, ...]``)
and only for mentions that are not negated. Sizes are converted to millimetres; the largest is
``size_mm``. PET labels get ``suv_max`` ("SUVmax 7.4") and ``deauville`` ("Deauville 4").

    >>> sizes_mm("a 3.2 x 2.1 cm mass")
    [32.0, 21.0]
    >>> attributes_near("Stable 4 mm nodule in the right upper lobe.", 10, 16, ("size", "location", "change"))
    {'size_mm': 4.0, 'sizes_mm': [4.0], 'location': 'right_upper_lobe', 'change': 'stable'}
    >>> attributes_near("FDG-avid right hilar node, SUVmax 7.4, Deauville 4.", 0, 8, ("suv_max", "deauville"))
    {'suv_max': 7.4, 'deauville': 4}
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from curation.reports.lexicon import LexiconError, _read_yaml
from curation.reports.mentions import MentionRecord
from curation.reports.sections import doc_text
from curation.resources import lexicons_dir

_NUMBER = r"\d+(?:\.\d+)?"
_NUMBER_RE = re.compile(_NUMBER)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "IVA": 4, "IVB": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8}


def _alternation(words: Iterable[str], case_sensitive: bool = False) -> re.Pattern[str]:
    ordered = sorted({w for w in words}, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in ordered)
    return re.compile(r"\b(?P<w>" + body + r")\b", 0 if case_sensitive else re.IGNORECASE)


def _word_map(document: dict[str, Any], key: str, path: Path) -> dict[str, str]:
    """{word (lower-case, single-spaced) -> canonical value} from ``key: {value: [words]}``."""
    entry = document.get(key)
    if not isinstance(entry, dict):
        raise LexiconError(f"{path.name}: needs '{key}:' mapping values to word lists")
    words: dict[str, str] = {}
    for value, phrases in entry.items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
            raise LexiconError(f"{path.name}: {key}.{value}: must be a list of phrases")
        for phrase in phrases:
            words[" ".join(phrase.lower().split())] = str(value)
    return words


@dataclass(frozen=True)
class LocationPattern:
    name: str  # template, e.g. "{region}{level}"
    organ_systems: frozenset[str]  # empty: any
    regex: re.Pattern[str]
    requires_any: re.Pattern[str] | None
    roman: bool


@dataclass(frozen=True)
class AttributeLexicon:
    laterality: dict[str, str]
    change: dict[str, str]
    severity: dict[str, str]
    units: dict[str, float]
    count_words: dict[str, int]
    locations: dict[str, str]  # phrase (lower-case) -> location name
    location_systems: dict[str, str]  # location name -> organ system
    location_patterns: tuple[LocationPattern, ...]
    suv_words: tuple[str, ...]
    deauville_words: tuple[str, ...]


def load_attribute_lexicon(folder: Path | None = None) -> AttributeLexicon:
    """``attributes.yaml`` and ``anatomy.yaml`` of ``folder`` (default: the packaged ``lexicons/``)."""
    return _load_attribute_lexicon((Path(folder) if folder else lexicons_dir()).resolve())


@cache
def _load_attribute_lexicon(folder: Path) -> AttributeLexicon:
    path = folder / "attributes.yaml"
    document = _read_yaml(path)
    if not isinstance(document, dict):
        raise LexiconError(f"{path.name}: must be a mapping")
    units = {str(k).lower(): float(v) for k, v in (document.get("units") or {}).items()}
    counts = {str(k).lower(): int(v) for k, v in (document.get("count_words") or {}).items() if v is not None}
    pet = document.get("pet") or {}
    anatomy_path = folder / "anatomy.yaml"
    anatomy = _read_yaml(anatomy_path)
    locations: dict[str, str] = {}
    location_systems: dict[str, str] = {}
    for index, entry in enumerate(anatomy.get("locations") or []):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry.get("phrases"):
            raise LexiconError(f"{anatomy_path.name}: locations[{index}]: needs name and phrases")
        for phrase in entry["phrases"]:
            locations[" ".join(str(phrase).split())] = entry["name"]
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
            )
        )
    return AttributeLexicon(
        laterality=_word_map(document, "laterality", path),
        change=_word_map(document, "change", path),
        severity=_word_map(document, "severity", path),
        units=units,
        count_words=counts,
        locations=locations,
        location_systems=location_systems,
        location_patterns=tuple(patterns),
        suv_words=tuple(pet.get("suv_max_words") or ()),
        deauville_words=tuple(pet.get("deauville_words") or ()),
    )


class AttributeRules:
    """The compiled regular expressions of an ``AttributeLexicon`` (compiled once per lexicon)."""

    def __init__(self, lexicon: AttributeLexicon) -> None:
        self.lexicon = lexicon
        units = "|".join(re.escape(u) for u in sorted(lexicon.units, key=len, reverse=True))
        self.size = re.compile(
            rf"(?P<numbers>{_NUMBER}(?:\s*(?:x|×|\*|by|and|,|-|to)\s*{_NUMBER})*)\s*(?P<unit>{units})\b", re.IGNORECASE
        )
        self.laterality = _alternation(lexicon.laterality)
        self.change = _alternation(lexicon.change)
        self.severity = _alternation(lexicon.severity)
        # locations: case-sensitive for abbreviations in capitals ("RUL"), case-insensitive otherwise
        self.location = _alternation([p for p in lexicon.locations if not p.isupper()])
        self.location_abbreviations = _alternation([p for p in lexicon.locations if p.isupper()], case_sensitive=True)
        self.location_names = {p.lower(): n for p, n in lexicon.locations.items()}
        count_words = "|".join(re.escape(w) for w in lexicon.count_words)
        self.count = re.compile(r"\b(?P<n>\d{1,2}|" + count_words + r")\s+(?:[a-z-]+\s+){0,2}$", re.IGNORECASE)
        suv = "|".join(r"\s*".join(re.escape(p) for p in w.split()) for w in sorted(lexicon.suv_words, key=len)[::-1])
        self.suv = re.compile(
            rf"\b(?:{suv})\b\s*(?:value\s*)?(?:of|was|is|=|:)?\s*(?:~|up to|approximately)?\s*"
            rf"(?P<v>{_NUMBER})",
            re.IGNORECASE,
        )
        dv = "|".join(
            r"\s*".join(re.escape(p) for p in w.split()) for w in sorted(lexicon.deauville_words, key=len)[::-1]
        )
        self.deauville = re.compile(
            rf"\b(?:{dv})\b\s*(?:score\s*)?(?:of|was|is|=|:)?\s*(?P<v>[1-5]|X)\b", re.IGNORECASE
        )


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


def _nearest(matches: list[re.Match[str]], start: int, end: int) -> re.Match[str] | None:
    best, best_distance = None, None
    for match in matches:
        distance = start - match.end() if match.end() <= start else max(match.start() - end, 0)
        if best_distance is None or distance < best_distance:
            best, best_distance = match, distance
    return best


class SentenceMatches:
    """The attribute expressions of one sentence, found once and shared by its mentions."""

    def __init__(self, sentence: str) -> None:
        self.sentence = sentence
        self._found: dict[str, list[re.Match[str]]] = {}

    def of(self, key: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = list(pattern.finditer(self.sentence))
        return found


def _laterality(matches: list[re.Match[str]], words: dict[str, str]) -> str | None:
    sides = {words[" ".join(m.group("w").lower().split())] for m in matches}
    if not sides:
        return None
    if "bilateral" in sides or {"right", "left"} <= sides:
        return "bilateral"
    return sides.pop()


# Labels of these organ systems may be anywhere: a stent, a clip, an FDG-avid focus.
ANY_LOCATION_SYSTEMS = frozenset({"devices_postoperative", "pet_uptake", ""})


def _location(
    matches: SentenceMatches, rules: AttributeRules, start: int, end: int, organ_system: str = ""
) -> str | None:
    anywhere = organ_system in ANY_LOCATION_SYSTEMS
    systems = rules.lexicon.location_systems
    candidates: list[tuple[re.Match[str], str]] = []
    for match in [*matches.of("location", rules.location), *matches.of("location_abbr", rules.location_abbreviations)]:
        name = rules.location_names[" ".join(match.group("w").lower().split())]
        if anywhere or systems.get(name, "") in ("", organ_system):
            candidates.append((match, name))
    for index, pattern in enumerate(rules.lexicon.location_patterns):
        if not anywhere and pattern.organ_systems and organ_system not in pattern.organ_systems:
            continue
        if pattern.requires_any is not None and pattern.requires_any.search(matches.sentence) is None:
            continue
        for match in matches.of(f"location_pattern{index}", pattern.regex):
            groups = {k: v for k, v in match.groupdict().items() if v is not None}
            if pattern.roman:
                groups = {k: str(_ROMAN.get(v.upper(), v)) for k, v in groups.items()}
            candidates.append((match, pattern.name.format(**groups)))
    if not candidates:
        return None
    nearest = _nearest([m for m, _ in candidates], start, end)
    return next(name for m, name in candidates if m is nearest)


def attributes_near(
    sentence: str | SentenceMatches,
    start: int,
    end: int,
    wanted: Iterable[str],
    rules: AttributeRules | None = None,
    organ_system: str = "",
) -> dict[str, object]:
    """Attributes of the mention at [start, end) of ``sentence`` (offsets relative to it).

    ``organ_system`` (the label's) limits locations to that system's anatomy; "" allows any.
    """
    rules = rules or _rules("")
    matches = sentence if isinstance(sentence, SentenceMatches) else SentenceMatches(sentence)
    text = matches.sentence
    wanted = set(wanted)
    words = rules.lexicon
    found: dict[str, object] = {}
    if "size" in wanted and (size := _nearest(matches.of("size", rules.size), start, end)) is not None:
        sizes = _match_sizes(size, rules)
        found["size_mm"], found["sizes_mm"] = max(sizes), sizes
    if "laterality" in wanted and (side := _laterality(matches.of("side", rules.laterality), words.laterality)):
        found["laterality"] = side
    if "location" in wanted and (location := _location(matches, rules, start, end, organ_system)) is not None:
        found["location"] = location
    if "count" in wanted and (count := rules.count.search(text[max(0, start - 40) : start])) is not None:
        word = count.group("n").lower()
        found["count"] = int(word) if word.isdigit() else words.count_words[word]
    if "change" in wanted and (change := _nearest(matches.of("change", rules.change), start, end)) is not None:
        found["change"] = words.change[" ".join(change.group("w").lower().split())]
    if "severity" in wanted and (severity := _nearest(matches.of("severity", rules.severity), start, end)):
        found["severity"] = words.severity[" ".join(severity.group("w").lower().split())]
    if "suv_max" in wanted and (suv := _nearest(matches.of("suv", rules.suv), start, end)) is not None:
        found["suv_max"] = float(suv.group("v"))
    score = _nearest(matches.of("deauville", rules.deauville), start, end) if "deauville" in wanted else None
    if score is not None and score.group("v").isdigit():
        found["deauville"] = int(score.group("v"))
    return found


class MentionAttributes:
    """spaCy component: fills ``attributes`` of each of ``doc._.mentions``."""

    def __init__(self, lexicon_dir: str = "") -> None:
        self.rules = _rules(lexicon_dir)

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[MentionRecord] = doc._.mentions or []
        if not mentions:
            return doc
        bounds = doc._.sentence_bounds
        text = doc_text(doc)
        by_sentence: dict[int, SentenceMatches] = {}
        for mention in mentions:
            if not mention.label.attributes or mention.assertion == "NEGATIVE":  # nothing to describe
                continue
            index = mention.sentence_index
            offset = bounds[index]
            matches = by_sentence.get(index)
            if matches is None:
                matches = by_sentence[index] = SentenceMatches(text[offset : bounds[index + 1]])
            mention.attributes = attributes_near(
                matches,
                mention.char_start - offset,
                mention.char_end - offset,
                mention.label.attributes,
                self.rules,
                mention.label.organ_system,
            )
        return doc


@Language.factory("ctcurate_attributes", default_config={"lexicon_dir": ""})
def make_mention_attributes(nlp: Language, name: str, lexicon_dir: str) -> MentionAttributes:
    return MentionAttributes(lexicon_dir)
