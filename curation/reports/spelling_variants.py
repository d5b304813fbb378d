"""American and British spellings of lexicon phrases ("edema" / "oedema"), from ``lexicons/spelling_variants.yaml``.

The lexicons are written once, in either spelling; the loaders add each phrase's other spelling so a report from a
British or Australian hospital ("haematoma", "not visualised", "coeliac axis") is read like an American one.

    >>> spelling = load_spelling_variants()
    >>> spelling.variants("pulmonary edema")
    ('pulmonary edema', 'pulmonary oedema')
    >>> spelling.variants("Haematoma")
    ('Haematoma', 'Hematoma')
    >>> spelling.with_variants(["chemotherapy", "paraesophageal hernia"])
    ('chemotherapy', 'paraesophageal hernia', 'paraoesophageal hernia')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import yaml

from curation.reports.lexicon_errors import LexiconError
from curation.resources import lexicons_dir

FILE_NAME = "spelling_variants.yaml"
_POSITIONS = ("at_word_start", "within_word")


class SpellingVariantsError(LexiconError):
    """``spelling_variants.yaml`` is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class SpellingVariants:
    """Pairs of word parts, American and British; ``variants`` rewrites a phrase into each spelling."""

    to_british: dict[str, str]  # lower-case American part -> British part
    to_american: dict[str, str]
    parts: re.Pattern[str] | None  # every part of either spelling, longest first

    def variants(self, phrase: str) -> tuple[str, ...]:
        """The phrase as written, then in British, then in American spelling (each only where it differs)."""
        if self.parts is None:
            return (phrase,)
        spellings = [phrase]
        for table in (self.to_british, self.to_american):
            respelled = self.parts.sub(partial(_respell, table=table), phrase)
            if respelled not in spellings:
                spellings.append(respelled)
        return tuple(spellings)

    def with_variants(self, phrases: Iterable[str]) -> tuple[str, ...]:
        """Each phrase followed by its other spellings, without repeats, in order."""
        return tuple(dict.fromkeys(v for phrase in phrases for v in self.variants(phrase)))

    def token_pattern(self, pattern: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
        """A spaCy token pattern whose ``LOWER`` words also match in the other spelling."""
        return tuple(self._token_spec(token) for token in pattern)

    def _token_spec(self, token: dict[str, Any]) -> dict[str, Any]:
        lower = token.get("LOWER")
        if isinstance(lower, str):
            words = self.variants(lower)
            return token if len(words) == 1 else {**token, "LOWER": {"IN": list(words)}}
        if isinstance(lower, dict) and isinstance(lower.get("IN"), list):
            return {**token, "LOWER": {**lower, "IN": list(self.with_variants(str(w) for w in lower["IN"]))}}
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
    """``spelling_variants.yaml`` of ``folder`` (default: the packaged ``lexicons/``); none where the file is absent."""
    return _load((Path(folder) if folder is not None else lexicons_dir()).resolve() / FILE_NAME)


@cache
def _load(path: Path) -> SpellingVariants:
    if not path.is_file():
        return NO_VARIANTS
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise SpellingVariantsError(f"{path}: not valid YAML ({error})") from None
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
