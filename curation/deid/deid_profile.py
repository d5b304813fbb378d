"""The de-identification profile (PS3.15 Annex E, Table E.1-1) loaded from ``schemas/deid/basic_profile.yaml``.

Each attribute has a Basic Profile action code and, per option, the action that replaces it when the
option is used. ``action_for`` resolves the action for a tag under a set of options; ``resolve_compound``
turns the IOD-dependent codes (``X/Z``, ``X/D``, ``Z/D``, ``X/Z/D``, ``X/Z/U*``) into one concrete action.

    >>> profile = load_profile()
    >>> profile.action_for(0x00100010, frozenset())
    ResolvedAction(code='Z', option=None)
    >>> profile.action_for(0x00101010, frozenset({RETAIN_PATIENT_CHARACTERISTICS}))
    ResolvedAction(code='K', option='retain_patient_characteristics')
    >>> resolve_compound("X/Z/U*", "UI")
    'U'
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from curation.resources import schemas_dir

# libyaml's loader when present: the profile is thousands of rules, about 10x faster to load.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PROFILE_FILE = ("deid", "basic_profile.yaml")

RETAIN_SAFE_PRIVATE = "retain_safe_private"
RETAIN_UIDS = "retain_uids"
RETAIN_DEVICE_IDENTITY = "retain_device_identity"
RETAIN_INSTITUTION_IDENTITY = "retain_institution_identity"
RETAIN_PATIENT_CHARACTERISTICS = "retain_patient_characteristics"
RETAIN_LONGITUDINAL_FULL_DATES = "retain_longitudinal_full_dates"
RETAIN_LONGITUDINAL_MODIFIED_DATES = "retain_longitudinal_modified_dates"
CLEAN_DESCRIPTORS = "clean_descriptors"
CLEAN_STRUCTURED_CONTENT = "clean_structured_content"
CLEAN_GRAPHICS = "clean_graphics"
OPTION_NAMES = (
    RETAIN_SAFE_PRIVATE,
    RETAIN_UIDS,
    RETAIN_DEVICE_IDENTITY,
    RETAIN_INSTITUTION_IDENTITY,
    RETAIN_PATIENT_CHARACTERISTICS,
    RETAIN_LONGITUDINAL_FULL_DATES,
    RETAIN_LONGITUDINAL_MODIFIED_DATES,
    CLEAN_DESCRIPTORS,
    CLEAN_STRUCTURED_CONTENT,
    CLEAN_GRAPHICS,
)
SINGLE_ACTIONS = frozenset("DZXKCU")
_COMPOUND = re.compile(r"^[DZXKCU](?:/[DZXU]\*?)*$")
# When two used options both name an attribute, the more conservative action wins.
_CONSERVATISM = {"X": 5, "Z": 4, "D": 3, "U": 2, "C": 1, "K": 0}
_TAG = re.compile(r"^\(([0-9A-Fx]{4}),([0-9A-Fx]{4})\)$")


class ProfileError(ValueError):
    """The profile data file is malformed."""


@dataclass(frozen=True)
class ResolvedAction:
    code: str  # a Table E.1-1 code, possibly compound (see resolve_compound)
    option: str | None  # the option that chose it, None for the Basic Profile action


@dataclass(frozen=True)
class ProfileEntry:
    tag_text: str
    keyword: str
    basic: str
    options: Mapping[str, str]

    def action(self, used_options: Collection[str]) -> ResolvedAction:
        chosen = [(self.options[name], name) for name in OPTION_NAMES if name in used_options and name in self.options]
        if not chosen:
            return ResolvedAction(self.basic, None)
        code, option = max(chosen, key=lambda pair: _CONSERVATISM[pair[0]])
        return ResolvedAction(code, option)


@dataclass(frozen=True)
class _MaskedEntry:
    value: int
    mask: int
    entry: ProfileEntry


@dataclass(frozen=True)
class DeidProfile:
    name: str
    standard_edition: str
    entries: Mapping[int, ProfileEntry]
    masked: tuple[_MaskedEntry, ...]
    pseudonymised: Mapping[str, str]  # keyword -> pseudonym kind ("patient_id", "accession")
    dates_never_shifted: frozenset[str]  # keywords the dates option leaves to the Basic action

    def entry_for(self, tag: int) -> ProfileEntry | None:
        entry = self.entries.get(tag)
        if entry is not None:
            return entry
        for masked in self.masked:
            if tag & masked.mask == masked.value:
                return masked.entry
        return None

    def action_for(self, tag: int, used_options: Collection[str]) -> ResolvedAction | None:
        """The action for ``tag`` under ``used_options``; None where Table E.1-1 does not list it."""
        entry = self.entry_for(tag)
        return None if entry is None else entry.action(used_options)


def resolve_compound(code: str, vr: str) -> str:
    """Pick one action from an IOD-dependent code without knowing the attribute's type in the IOD.

    Dummy values keep type 1 attributes valid, empty values keep type 2 ones present, so a code that
    allows D uses D, else one that allows Z uses Z. ``X/Z/U*`` remaps UIDs (and recurses into sequences).
    """
    if code in SINGLE_ACTIONS:
        return code
    parts = code.split("/")
    if "U*" in parts:
        return "U" if vr in ("UI", "SQ") else "Z"
    for preferred in ("D", "Z", "X"):
        if preferred in parts:
            return preferred
    raise ProfileError(f"unknown action code {code!r}")


def load_profile(path: Path | None = None) -> DeidProfile:
    """Load the profile YAML (default: the packaged ``schemas/deid/basic_profile.yaml``)."""
    return _load_profile(path or schemas_dir().joinpath(*PROFILE_FILE))


@cache
def _load_profile(path: Path) -> DeidProfile:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    entries: dict[int, ProfileEntry] = {}
    masked: list[_MaskedEntry] = []
    for row in data["attributes"]:
        entry = parse_entry(row)
        value, mask = parse_tag(entry.tag_text)
        if mask == 0xFFFFFFFF:
            entries[value] = entry
        else:
            masked.append(_MaskedEntry(value, mask, entry))
    return DeidProfile(
        name=str(data["profile"]),
        standard_edition=str(data["standard_edition"]),
        entries=entries,
        masked=tuple(masked),
        pseudonymised=dict(data.get("pseudonymised") or {}),
        dates_never_shifted=frozenset(data.get("dates_never_shifted") or ()),
    )


def parse_entry(row: Mapping[str, str]) -> ProfileEntry:
    tag_text, keyword, basic = row.get("tag", ""), row.get("keyword", ""), row.get("basic", "")
    if not _COMPOUND.match(basic):
        raise ProfileError(f"{tag_text}: unknown basic action {basic!r}")
    options = {name: code for name, code in row.items() if name not in ("tag", "keyword", "basic")}
    for name, code in options.items():
        if name not in OPTION_NAMES or code not in SINGLE_ACTIONS:
            raise ProfileError(f"{tag_text}: unknown option column {name}={code!r}")
    return ProfileEntry(tag_text, keyword, basic, options)


def parse_tag(text: str) -> tuple[int, int]:
    """``"(0010,0010)"`` -> ``(0x00100010, 0xFFFFFFFF)``; ``"(60xx,3000)"`` -> ``(0x60003000, 0xFF00FFFF)``."""
    match = _TAG.match(text)
    if not match:
        raise ProfileError(f"malformed tag {text!r}")
    digits = match.group(1) + match.group(2)
    value = int(digits.replace("x", "0"), 16)
    mask = int("".join("0" if ch == "x" else "F" for ch in digits), 16)
    return value, mask
