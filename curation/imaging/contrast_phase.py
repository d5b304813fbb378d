"""Contrast phase of a series, when the headers or the series description state it.

Phases: ``non_contrast``, ``arterial``, ``portal_venous``, ``nephrographic``, ``delayed``,
``contrast_unspecified`` (contrast given, phase not stated), or None (nothing stated). The terms
live in ``lexicons/contrast_phases.yaml``. The series description decides when it names a phase,
because scanners often copy the exam's ContrastBolusAgent onto the pre-contrast series too; the
contrast header fields then only say whether contrast was given. The bolus timing is not turned
into a phase: start times are often missing, shifted by de-identification or exam-level.

    >>> contrast_phase_from_values({"SeriesDescription": "Abdomen venös 3.0 B30f"})
    ('portal_venous', 'description')
    >>> contrast_phase_from_values({"SeriesDescription": "Thorax 1.0", "ContrastBolusAgent": "IOMEPROL 350"})
    ('contrast_unspecified', 'header')
    >>> contrast_phase_from_values({"SeriesDescription": "Thorax 1.0"})
    (None, None)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from curation.resources import lexicons_dir

PHASES = ("non_contrast", "arterial", "portal_venous", "nephrographic", "delayed", "contrast_unspecified")
SPECIFIC_POST_CONTRAST = {"arterial", "portal_venous", "nephrographic", "delayed"}
CONTRAST_HEADER_KEYWORDS = ("ContrastBolusAgent", "ContrastBolusRoute", "ContrastBolusVolume", "ContrastBolusStartTime")


@dataclass(frozen=True)
class ContrastLexicon:
    patterns: list[tuple[str, re.Pattern[str]]]  # (phase, pattern), longest term first
    no_agent_values: frozenset[str]


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _term_pattern(term: str, prefix: bool) -> re.Pattern[str]:
    """A term bounded by non-alphanumerics (a prefix only at its start); inner spaces match any separators."""
    body = r"[\s_]+".join(re.escape(part) for part in _normalise(term).split())
    tail = "" if prefix else r"(?![^\W_])"
    return re.compile(r"(?<![^\W_])" + body + tail)


@cache
def load_contrast_lexicon(path: Path | None = None) -> ContrastLexicon:
    source = path or lexicons_dir() / "contrast_phases.yaml"
    data = yaml.safe_load(source.read_text())
    entries: list[tuple[int, str, re.Pattern[str]]] = []
    for phase, spec in (data.get("phases") or {}).items():
        if phase not in PHASES:
            raise ValueError(f"contrast_phases.yaml: unknown phase {phase!r}; known: {', '.join(PHASES)}")
        for term in spec.get("terms") or []:
            entries.append((len(str(term)), phase, _term_pattern(str(term), prefix=False)))
        for term in spec.get("prefixes") or []:
            entries.append((len(str(term)), phase, _term_pattern(str(term), prefix=True)))
    entries.sort(key=lambda entry: -entry[0])
    values = data.get("no_agent_values") or []
    if not isinstance(values, list) or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
        # an unquoted no/yes/on/off is a YAML boolean, not the word
        raise ValueError(f"{source.name}: no_agent_values must be a list of words (quote no, yes, on, off): {values}")
    no_agent = frozenset(_normalise(str(v)).strip() for v in values)
    return ContrastLexicon([(phase, pattern) for _, phase, pattern in entries], no_agent)


def phase_from_description(description: str | None, lexicon: ContrastLexicon | None = None) -> str | None:
    """The phase a series description names (see the rules in contrast_phases.yaml), else None."""
    if not description or not description.strip():
        return None
    lexicon = lexicon or load_contrast_lexicon()
    text = _normalise(description)
    found: set[str] = set()
    for phase, pattern in lexicon.patterns:
        if pattern.search(text):
            found.add(phase)
            text = pattern.sub(lambda match: " " * len(match.group(0)), text)  # a matched term is used up
    specific = found & SPECIFIC_POST_CONTRAST
    if "non_contrast" in found:
        return None if specific or "contrast_unspecified" in found else "non_contrast"
    if len(specific) == 1:
        return specific.pop()
    return "contrast_unspecified" if specific or "contrast_unspecified" in found else None


def _value(values: Mapping[str, Any] | Any, keyword: str) -> str:
    raw = values.get(keyword) if hasattr(values, "get") else None
    return str(raw).strip() if raw is not None else ""


def contrast_phase_from_values(values: Mapping[str, Any] | Any) -> tuple[str | None, str | None]:
    """(phase, source) from a DICOM header or a dcm2niix-style sidecar dict; source is
    ``description`` or ``header`` (the contrast fields: agent, route, volume, start time)."""
    lexicon = load_contrast_lexicon()
    phase = phase_from_description(_value(values, "SeriesDescription"), lexicon)
    if phase is not None:
        return phase, "description"
    agent = _normalise(_value(values, "ContrastBolusAgent"))
    if agent and agent in lexicon.no_agent_values:
        return "non_contrast", "header"
    if any(_value(values, keyword) for keyword in CONTRAST_HEADER_KEYWORDS):
        return "contrast_unspecified", "header"
    return None, None


def contrast_phase_facts(values: Mapping[str, Any] | Any) -> dict[str, str | None]:
    """The two series-table columns, ``contrast_phase`` and ``contrast_phase_source``."""
    phase, source = contrast_phase_from_values(values)
    return {"contrast_phase": phase, "contrast_phase_source": source}
