"""The written forms of lexicon phrases: American and British spelling ("edema" / "oedema", from
``lexicons/spelling_variants.yaml``) and the shorthand of busy dictations ("atelectasis" / "atx", from
``lexicons/shorthand.yaml``).

The lexicons are written once, in either spelling and in full; the loaders add each phrase's other spelling so a
report from a British or Australian hospital ("haematoma", "not visualised", "coeliac axis") is read like an American
one, and its shorthand so a teleradiology preliminary ("sm L PTX, bibasilar atx, no IHBD") is read like a full report.

    >>> spelling = load_spelling_variants()
    >>> spelling.variants("pulmonary edema")
    ('pulmonary edema', 'pulmonary oedema')
    >>> spelling.variants("Haematoma")
    ('Haematoma', 'Hematoma')
    >>> spelling.with_variants(["chemotherapy", "paraesophageal hernia"])
    ('chemotherapy', 'paraesophageal hernia', 'paraoesophageal hernia')
    >>> spelling.variants("heart size normal")
    ('heart size normal', 'heart size nml')
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache, partial
from pathlib import Path
from typing import Any

from curation.reports.lexicon_errors import LexiconError
from curation.reports.lexicon_files import read_lexicon_yaml
from curation.resources import lexicons_dir

FILE_NAME = "spelling_variants.yaml"
SHORTHAND_FILE_NAME = "shorthand.yaml"
MAX_SHORTHAND_VARIANTS = 8  # per phrase: every combination of its words in full or in shorthand, up to this many
_POSITIONS = ("at_word_start", "within_word")


class SpellingVariantsError(LexiconError):
    """``spelling_variants.yaml`` is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Shorthand:
    """Words and phrases with their shorthand ("atelectasis" -> "atx"); ``variants`` writes a phrase with them."""

    forms: dict[str, tuple[str, ...]]  # lower-case word or phrase -> its shorthand forms
    words: re.Pattern[str]  # every word or phrase of ``forms``, whole words, longest first

    def variants(self, phrase: str) -> list[str]:
        """The phrase, then with its words in shorthand: each combination of full and short forms, up to
        ``MAX_SHORTHAND_VARIANTS`` in all ("pulmonary artery is normal": "pa is normal", "pa is nml", ...)."""
        found = list(self.words.finditer(phrase))
        if not found:
            return [phrase]
        choices = [(match.group(), *self.forms[match.group().lower()]) for match in found]
        written = []
        for chosen in itertools.islice(itertools.product(*choices), MAX_SHORTHAND_VARIANTS):
            pieces, position = [], 0
            for match, form in zip(found, chosen, strict=True):
                pieces += [phrase[position : match.start()], _in_case_of(match.group(), form)]
                position = match.end()
            written.append("".join([*pieces, phrase[position:]]))
        return written


def _in_case_of(written: str, form: str) -> str:
    """``form`` in the case ``written`` has ("PULMONARY ARTERY" -> "PA", "Normal" -> "Nml")."""
    if written.isupper():
        return form.upper()
    return form.capitalize() if written[0].isupper() else form


@dataclass(frozen=True)
class SpellingVariants:
    """Pairs of word parts, American and British, and the shorthand of words; ``variants`` rewrites a phrase into
    each spelling and shorthand."""

    to_british: dict[str, str]  # lower-case American part -> British part
    to_american: dict[str, str]
    parts: re.Pattern[str] | None  # every part of either spelling, longest first
    shorthand: Shorthand | None = None

    def variants(self, phrase: str) -> tuple[str, ...]:
        """The phrase as written, then in British, then in American spelling (each only where it differs), each
        followed by its shorthand forms."""
        spellings = [phrase]
        if self.parts is not None:
            for table in (self.to_british, self.to_american):
                respelled = self.parts.sub(partial(_respell, table=table), phrase)
                if respelled not in spellings:
                    spellings.append(respelled)
        if self.shorthand is None:
            return tuple(spellings)
        return tuple(dict.fromkeys(form for spelling in spellings for form in self.shorthand.variants(spelling)))

    def with_variants(self, phrases: Iterable[str]) -> tuple[str, ...]:
        """Each phrase followed by its other spellings, without repeats, in order."""
        return tuple(dict.fromkeys(v for phrase in phrases for v in self.variants(phrase)))

    def token_pattern(self, pattern: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
        """A spaCy token pattern whose ``LOWER`` words (a word, an ``IN`` or a ``NOT_IN`` list) also match in the
        other spelling and in shorthand."""
        return tuple(self._token_spec(token) for token in pattern)

    def _token_spec(self, token: dict[str, Any]) -> dict[str, Any]:
        lower = token.get("LOWER")
        if isinstance(lower, str):
            words = self.variants(lower)
            return token if len(words) == 1 else {**token, "LOWER": {"IN": list(words)}}
        if isinstance(lower, dict):
            for key in ("IN", "NOT_IN"):
                if isinstance(lower.get(key), list):
                    return {**token, "LOWER": {**lower, key: list(self.with_variants(str(w) for w in lower[key]))}}
        return token


NO_VARIANTS = SpellingVariants({}, {}, None)


def _respell(match: re.Match[str], table: dict[str, str]) -> str:
    """The matched part in the spelling of ``table``, in the case it was written ("Haem" -> "Hem", "OESOPHAG" ->
    "ESOPHAG")."""
    part = match.group()
    other = table.get(part.lower())
    if other is None:
        return part
    if part.isupper():
        return other.upper()
    return other.capitalize() if part[0].isupper() else other


def load_spelling_variants(folder: Path | None = None) -> SpellingVariants:
    """``spelling_variants.yaml`` and ``shorthand.yaml`` of ``folder`` (default: the packaged ``lexicons/``); none
    where the files are absent."""
    folder = (Path(folder) if folder is not None else lexicons_dir()).resolve()
    spelling, shorthand = _load(folder / FILE_NAME), _load_shorthand(folder / SHORTHAND_FILE_NAME)
    return spelling if shorthand is None else replace(spelling, shorthand=shorthand)


@cache
def _load_shorthand(path: Path) -> Shorthand | None:
    if not path.is_file():
        return None
    document = read_lexicon_yaml(path, SpellingVariantsError) or {}
    entries = document.get("shorthand") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise SpellingVariantsError(f"{path.name}: must be a mapping with a 'shorthand' list")
    forms: dict[str, tuple[str, ...]] = {}
    for index, entry in enumerate(entries):
        if not (isinstance(entry, list) and len(entry) >= 2 and all(isinstance(w, str) and w.strip() for w in entry)):
            raise SpellingVariantsError(
                f"{path.name}: shorthand[{index}]: must be [word or phrase, shorthand, ...], got {entry!r}"
            )
        full, *short = (" ".join(w.lower().split()) for w in entry)
        if full in forms:
            raise SpellingVariantsError(f"{path.name}: shorthand[{index}]: {full!r} is already listed")
        forms[full] = tuple(dict.fromkeys(short))
    if not forms:
        return None
    ordered = sorted(forms, key=len, reverse=True)
    words = re.compile(r"(?<![\w/-])(?:" + "|".join(re.escape(w) for w in ordered) + r")(?![\w/-])", re.IGNORECASE)
    return Shorthand(forms, words)


@cache
def _load(path: Path) -> SpellingVariants:
    if not path.is_file():
        return NO_VARIANTS
    document = read_lexicon_yaml(path, SpellingVariantsError) or {}
    if not isinstance(document, dict):
        raise SpellingVariantsError(f"{path.name}: must be a mapping with {' and '.join(_POSITIONS)}")
    to_british: dict[str, str] = {}
    alternatives: list[tuple[str, str]] = []  # (part, expression)
    for position in _POSITIONS:
        for index, pair in enumerate(document.get(position) or []):
            american, british = _pair(pair, path, f"{position}[{index}]")
            known = {*to_british, *to_british.values()}
            if american in known or british in known:
                raise SpellingVariantsError(
                    f"{path.name}: {position}[{index}]: {american!r} or {british!r} is already listed"
                )
            to_british[american] = british
            for part in (american, british):
                # at a word start: no letter before the part ("hemo" in "hemothorax", not in "chemotherapy")
                prefix = r"(?<![^\W\d_])" if position == "at_word_start" else ""
                alternatives.append((part, prefix + re.escape(part)))
    if not alternatives:
        return NO_VARIANTS
    # Longest first, so a word already in one spelling is taken whole ("oedema": "oedem", not the "edem" inside it).
    alternatives.sort(key=lambda alternative: len(alternative[0]), reverse=True)
    parts = re.compile("|".join(expression for _part, expression in alternatives), re.IGNORECASE)
    return SpellingVariants(to_british, {b: a for a, b in to_british.items()}, parts)


def _pair(pair: Any, path: Path, where: str) -> tuple[str, str]:
    if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) and p.strip() for p in pair)):
        raise SpellingVariantsError(f"{path.name}: {where}: must be a pair [American, British], got {pair!r}")
    american, british = (p.strip().lower() for p in pair)
    if american == british:
        raise SpellingVariantsError(f"{path.name}: {where}: the two spellings are the same ({american!r})")
    return american, british
