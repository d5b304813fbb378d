"""Load and validate the report lexicons (YAML data files under ``lexicons/``).

The rules of report understanding are data, not code: section headings, organ-system anatomy
terms, abnormality labels with their synonyms and exclusions, ConText assertion cues and the scope of
organ vetoes each live in a YAML file a radiologist can read and edit. This module reads them into typed records and
fails with an error naming the file and the entry when something is malformed. Every phrase is kept in
both American and British spelling (``spelling_variants.yaml``: "edema" also reads "oedema").

    >>> lexicon = load_lexicon()
    >>> label = lexicon.label("pleural_effusion")
    >>> label.organ_system, label.ct_rate_label
    ('pleura', 'Pleural effusion')
    >>> "hydrothorax" in label.synonyms
    True
    >>> "pulmonary oedema" in lexicon.label("pulmonary_edema").synonyms
    True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from curation.reports.lexicon_errors import LexiconError
from curation.reports.lexicon_files import read_lexicon_yaml
from curation.reports.spelling_variants import SpellingVariants, load_spelling_variants
from curation.reports.telegraphic_phrases import in_telegraphic_style
from curation.resources import lexicons_dir

# Organ systems that are no anatomy: their findings (a stent, a clip, an FDG-avid focus) may be anywhere.
NON_ANATOMICAL_SYSTEMS = frozenset({"devices_postoperative", "pet_uptake"})
SECTION_NAMES = ("findings", "impression", "technique", "comparison", "clinical_information", "addendum", "other")
ASSERTION_CATEGORIES = ("NEGATED", "UNCERTAIN", "HISTORICAL", "PSEUDO", "UNCHOSEN")
CUE_DIRECTIONS = ("forward", "backward", "bidirectional")
LABEL_ATTRIBUTES = ("size", "laterality", "location", "count", "change", "severity", "suv_max", "deauville")
_SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class SectionHeading:
    heading: str  # as written, without the colon, e.g. "LUNGS"
    section: str  # canonical section, e.g. "findings"
    organ_system: str | None  # organ system of a findings sub-heading, e.g. "lung_airways"


@dataclass(frozen=True)
class SectionLexicon:
    headings: tuple[SectionHeading, ...]
    impression_cues: tuple[str, ...]  # words that open an impression inside heading-less prose
    lone_line_headings: tuple[str, ...] = ()  # headings that stand alone on their line in any case ("findings")


@dataclass(frozen=True)
class OrganSystem:
    name: str
    display_name: str
    terms: tuple[str, ...]  # the shared terms included
    # terms other organs use too ("segment 7" of the liver, "the left lobe" of the thyroid): they place a sentence in
    # this system, but do not make it name the system's organ against another organ it names (label vetoes)
    shared_terms: tuple[str, ...] = ()

    @property
    def own_terms(self) -> tuple[str, ...]:
        """The terms that name this system's organ whatever else the sentence names (the terms less the shared)."""
        return tuple(term for term in self.terms if term not in self.shared_terms)


@dataclass(frozen=True)
class HeadingStatements:
    """Whole sentences under an organ sub-heading that state a finding is absent ("HEART: Normal size.") or, for
    ``present_under_headings``, present ("HEART: Mildly enlarged.")."""

    headings: tuple[str, ...]  # the sub-headings, as written without the colon ("heart", "cardiac")
    statements: tuple[str, ...]  # the whole sentence, without its full stop ("normal size", "not enlarged")


@dataclass(frozen=True)
class LabelDef:
    """One abnormality label of the taxonomy, with the phrases that name it."""

    name: str
    display_name: str
    organ_system: str
    ct_rate_label: str | None
    synonyms: tuple[str, ...]
    patterns: tuple[tuple[dict[str, Any], ...], ...] = ()  # spaCy token-Matcher patterns
    exclusions: tuple[str, ...] = ()  # phrases that overlap a match and mean something else
    requires_any: tuple[str, ...] = ()  # the sentence must also name one of these (co-occurrence)
    # synonyms (also in ``synonyms``) that name no organ ("focal formation"): where a label has them, only they need
    # ``requires_any``; its other synonyms and its patterns need nothing
    generic_synonyms: tuple[str, ...] = ()
    # normal statements (also in ``normal_statements``) that name no organ ("walls are not thickened"): they need
    # ``requires_any`` as generic synonyms do
    generic_normal_statements: tuple[str, ...] = ()
    vetoed_by: tuple[str, ...] = ()  # the sentence clause names another organ: not this label
    own_anatomy: tuple[str, ...] = ()  # a clause that names one of these is not vetoed ("... and of the aortic arch")
    attributes: tuple[str, ...] = ()
    normal_statements: tuple[str, ...] = ()  # phrases that state the finding is absent ("heart size is normal")
    yields_to: tuple[str, ...] = ()  # labels that, named later in the sentence, say what this finding is
    normal_under_headings: HeadingStatements | None = None  # "HEART: Normal size." (negative, like normal_statements)
    present_under_headings: HeadingStatements | None = None  # "HEART: Enlarged." (a mention, asserted as any other)


@dataclass(frozen=True)
class AssertionCue:
    phrase: str
    category: (
        str  # NEGATED, UNCERTAIN, HISTORICAL, PSEUDO (blocks, asserts nothing) or UNCHOSEN (hides, governs nothing)
    )
    direction: str  # forward, backward or bidirectional
    max_scope: int | None = None  # tokens; None = to the terminator or the sentence edge
    # an uncertainty cue that a negation before it negates even past the finding between them: "no focal
    # consolidation to suggest pneumonia"
    negated_across: bool = False
    # the organ systems whose findings the cue governs (empty: all); others do not see it: "non-avid" speaks of the
    # uptake, not of the nodule ("a non-avid 5 mm nodule" is a nodule)
    only_for: tuple[str, ...] = ()
    # a backward cue that reads forward where it opens its sentence ("Not observed pathological lymph nodes.")
    forward_when_first: bool = False
    # a forward cue that reads backward where it closes its sentence (a field answered "No": "Pericardial effusion: No")
    backward_when_last: bool = False
    # and reads nothing elsewhere: an answer only where it closes its field ("Pneumothorax: -", not "Mediastinum: -
    # enlarged node")
    only_when_last: bool = False
    # a cue of bounded scope that governs the whole list after it where it opens its sentence, as "no" does:
    # "Resolved right effusion, left basal atelectasis and RLL consolidation."
    list_when_first: bool = False


@dataclass(frozen=True)
class AssertionLexicon:
    cues: tuple[AssertionCue, ...]
    terminators: tuple[str, ...]
    forward_terminators: tuple[str, ...] = ()  # end only the scope of cues before them ("which")
    clause_verbs: tuple[str, ...] = ()  # a clause's finite verb: "and" after it joins clauses, not list items
    relative_words: tuple[str, ...] = ()  # a verb right after these is in a relative clause ("nodes that are")
    predicate_words: tuple[str, ...] = ()  # close a verbless clause before a comma ("Heart size increased, ...")
    # a line that says what the list under it is ("Resolved:", "Pertinent negatives:"): phrase -> category
    list_headings: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class VetoScope:
    """Where a ``vetoed_by`` word counts: the clause of the mention, short of a landmark ("adjacent to the liver")."""

    clause_edges: tuple[str, ...]  # words that end a clause, besides ; , : and brackets
    landmark_phrases: tuple[str, ...]  # a place named after these is beside the finding, not its organ


@dataclass(frozen=True)
class Lexicon:
    sections: SectionLexicon
    organ_systems: tuple[OrganSystem, ...]
    labels: tuple[LabelDef, ...]
    assertion: AssertionLexicon
    veto_scope: VetoScope
    source: Path = field(default=Path("."))

    def label(self, name: str) -> LabelDef:
        for label in self.labels:
            if label.name == name:
                return label
        raise KeyError(f"no label {name!r} in the lexicon at {self.source}")


# -- reading ----------------------------------------------------------------------------------------


def _require(condition: bool, path: Path, where: str, message: str) -> None:
    if not condition:
        raise LexiconError(f"{path.name}: {where}: {message}")


def _phrases(value: Any, path: Path, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    _require(isinstance(value, list), path, where, f"'{key}' must be a list of phrases")
    for item in value:
        _require(isinstance(item, str) and item.strip() != "", path, where, f"'{key}' holds a non-phrase {item!r}")
    return tuple(str(item).strip() for item in value)


def _entries(document: Any, key: str, path: Path) -> list[Any]:
    _require(isinstance(document, dict) and isinstance(document.get(key), list), path, "top level", f"needs '{key}:'")
    return list(document[key])


def load_sections(path: Path, organ_system_names: set[str]) -> SectionLexicon:
    document = read_lexicon_yaml(path)
    headings: list[SectionHeading] = []
    for index, entry in enumerate(_entries(document, "sections", path)):
        where = f"sections[{index}]"
        _require(isinstance(entry, dict), path, where, "must be a mapping")
        section = entry.get("section")
        where = f"sections[{index}] ({section})"
        _require(section in SECTION_NAMES, path, where, f"section must be one of {', '.join(SECTION_NAMES)}")
        organ_system = entry.get("organ_system")
        _require(
            organ_system is None or organ_system in organ_system_names,
            path,
            where,
            f"unknown organ_system {organ_system!r}",
        )
        for heading in _phrases(entry.get("headings"), path, where, "headings"):
            headings.append(SectionHeading(heading.rstrip(":").strip(), section, organ_system))
    cues = _phrases(document.get("impression_cues"), path, "impression_cues", "impression_cues")
    lone = _phrases(document.get("lone_line_headings"), path, "lone_line_headings", "lone_line_headings")
    known = {h.heading.upper() for h in headings}
    for heading in lone:
        _require(heading.upper() in known, path, "lone_line_headings", f"{heading!r} is not a heading of 'sections'")
    return SectionLexicon(tuple(headings), cues, lone)


def load_organ_systems(path: Path) -> tuple[OrganSystem, ...]:
    document = read_lexicon_yaml(path)
    systems = []
    for index, entry in enumerate(_entries(document, "organ_systems", path)):
        where = f"organ_systems[{index}]"
        _require(isinstance(entry, dict), path, where, "must be a mapping")
        name = entry.get("name")
        where = f"organ_systems[{index}] ({name})"
        _require(isinstance(name, str) and bool(_SNAKE_CASE.match(name)), path, where, "name must be snake_case")
        terms = _phrases(entry.get("terms"), path, where, "terms")
        shared = _phrases(entry.get("shared_terms"), path, where, "shared_terms")
        systems.append(OrganSystem(name, str(entry.get("display_name", name)), (*terms, *shared), shared))
    return tuple(systems)


def _label_from_entry(entry: Any, path: Path, where: str, organ_system_names: set[str]) -> LabelDef:
    _require(isinstance(entry, dict), path, where, "must be a mapping")
    name = entry.get("name")
    where = f"{where} ({name})"
    _require(isinstance(name, str) and bool(_SNAKE_CASE.match(name)), path, where, "name must be snake_case")
    unknown_keys = sorted(set(entry) - LABEL_KEYS)
    _require(not unknown_keys, path, where, f"unknown keys {unknown_keys}; allowed: {', '.join(sorted(LABEL_KEYS))}")
    organ_system = entry.get("organ_system")
    _require(organ_system in organ_system_names, path, where, f"unknown organ_system {organ_system!r}")
    generic_synonyms = _phrases(entry.get("generic_synonyms"), path, where, "generic_synonyms")
    generic_statements = _phrases(entry.get("generic_normal_statements"), path, where, "generic_normal_statements")
    _require(
        not (generic_synonyms or generic_statements) or bool(entry.get("requires_any")),
        path,
        where,
        "'generic_synonyms' and 'generic_normal_statements' need 'requires_any' (the words that place them)",
    )
    synonyms = tuple(dict.fromkeys([*_phrases(entry.get("synonyms"), path, where, "synonyms"), *generic_synonyms]))
    patterns = entry.get("patterns") or []
    _require(isinstance(patterns, list), path, where, "'patterns' must be a list of token patterns")
    for pattern in patterns:
        _require(
            isinstance(pattern, list) and all(isinstance(t, dict) for t in pattern) and bool(pattern),
            path,
            where,
            f"a pattern must be a non-empty list of token mappings, got {pattern!r}",
        )
        for token in pattern:
            odd = _booleans_in(token)
            # YAML reads a bare no, yes, on or off as true or false: "NOT_IN: [no, not]" would not exclude "no"
            _require(not odd, path, where, f"pattern words must be strings (quote them), got {odd!r}")
    _require(bool(synonyms or patterns), path, where, "needs synonyms or patterns")
    attributes = _phrases(entry.get("attributes"), path, where, "attributes")
    unknown = sorted(set(attributes) - set(LABEL_ATTRIBUTES))
    _require(not unknown, path, where, f"unknown attributes {unknown}; allowed: {', '.join(LABEL_ATTRIBUTES)}")
    ct_rate = entry.get("ct_rate")
    _require(ct_rate is None or isinstance(ct_rate, str), path, where, "'ct_rate' must be a column name")
    normal_under_headings = _heading_statements(entry.get("normal_under_headings"), path, where)
    return LabelDef(
        name=name,
        display_name=str(entry.get("display_name", name.replace("_", " ").capitalize())),
        organ_system=organ_system,
        ct_rate_label=ct_rate,
        synonyms=synonyms,
        patterns=tuple(tuple(p) for p in patterns),
        exclusions=_phrases(entry.get("exclusions"), path, where, "exclusions"),
        requires_any=_phrases(entry.get("requires_any"), path, where, "requires_any"),
        generic_synonyms=generic_synonyms,
        vetoed_by=_phrases(entry.get("vetoed_by"), path, where, "vetoed_by"),
        own_anatomy=_phrases(entry.get("own_anatomy"), path, where, "own_anatomy"),
        attributes=attributes,
        normal_statements=tuple(
            dict.fromkeys(
                [*_phrases(entry.get("normal_statements"), path, where, "normal_statements"), *generic_statements]
            )
        ),
        generic_normal_statements=generic_statements,
        yields_to=_phrases(entry.get("yields_to"), path, where, "yields_to"),
        normal_under_headings=normal_under_headings,
        present_under_headings=_heading_statements(
            entry.get("present_under_headings"),
            path,
            where,
            "present_under_headings",
            normal_under_headings.headings if normal_under_headings else None,
        ),
    )


# The keys a label entry of lexicons/labels/*.yaml may have (a misspelt key would otherwise be ignored).
LABEL_KEYS = frozenset(
    {
        "name",
        "display_name",
        "organ_system",
        "ct_rate",
        "synonyms",
        "patterns",
        "exclusions",
        "requires_any",
        "generic_synonyms",
        "generic_normal_statements",
        "vetoed_by",
        "own_anatomy",
        "attributes",
        "normal_statements",
        "yields_to",
        "normal_under_headings",
        "present_under_headings",
    }
)


_FLAG_KEY = re.compile(r"IS_|LIKE_|SENT_START$|SPACY$")


def _booleans_in(value: Any) -> list[bool]:
    """The true/false values anywhere in a token pattern's mapping, except spaCy's flag attributes (IS_PUNCT: false,
    LIKE_NUM: true, SENT_START, SPACY)."""
    if isinstance(value, dict):
        return [b for key, item in value.items() if not _FLAG_KEY.match(str(key)) for b in _booleans_in(item)]
    if isinstance(value, list):
        return [b for item in value for b in _booleans_in(item)]
    return [value] if isinstance(value, bool) else []


def _heading_statements(
    value: Any, path: Path, where: str, key: str = "normal_under_headings", same_headings: tuple[str, ...] | None = None
) -> HeadingStatements | None:
    """``key``'s headings and statements; ``same_headings``: the headings it takes where it names none (those of the
    label's ``normal_under_headings``, for ``present_under_headings``)."""
    if value is None:
        return None
    allowed = [{"headings", "statements"}, *([{"statements"}] if same_headings is not None else [])]
    _require(
        isinstance(value, dict) and set(value) in allowed,
        path,
        where,
        f"'{key}' needs 'headings:' and 'statements:' (lists of phrases)",
    )
    headings = _phrases(value["headings"], path, where, f"{key}.headings") if "headings" in value else same_headings
    statements = _phrases(value["statements"], path, where, f"{key}.statements")
    _require(bool(headings and statements), path, where, f"'{key}' needs headings and statements")
    return HeadingStatements(headings, statements)  # type: ignore[arg-type]


def load_labels(folder: Path, organ_system_names: set[str]) -> tuple[LabelDef, ...]:
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise LexiconError(f"{folder}: no label files (*.yaml)")
    labels: list[LabelDef] = []
    seen: dict[str, str] = {}
    for path in files:
        for index, entry in enumerate(_entries(read_lexicon_yaml(path), "labels", path)):
            label = _label_from_entry(entry, path, f"labels[{index}]", organ_system_names)
            _require(label.name not in seen, path, label.name, f"label already defined in {seen.get(label.name)}")
            seen[label.name] = path.name
            labels.append(label)
    for label in labels:
        unknown = sorted(set(label.yields_to) - set(seen))
        _require(not unknown, folder / seen[label.name], label.name, f"yields_to names unknown labels {unknown}")
    return tuple(labels)


def _turning_flag(entry: dict[str, Any], key: str, direction: str, path: Path, where: str) -> bool:
    """A cue's flag that turns its direction where it opens or closes its sentence; only a cue of ``direction`` may
    have it."""
    value = entry.get(key, False)
    _require(
        isinstance(value, bool) and (not value or entry.get("direction") == direction),
        path,
        where,
        f"{key} must be true or false, and only for a {direction} cue",
    )
    return value


def load_assertion(path: Path, organ_system_names: set[str] | None = None) -> AssertionLexicon:
    """The cues of ``path``; ``organ_system_names``: those a cue's ``only_for`` may name (None: not checked)."""
    document = read_lexicon_yaml(path)
    cues = []
    first_index: dict[str, int] = {}
    for index, entry in enumerate(_entries(document, "cues", path)):
        where = f"cues[{index}]"
        _require(isinstance(entry, dict), path, where, "must be a mapping")
        phrase, category, direction = entry.get("phrase"), entry.get("category"), entry.get("direction")
        where = f"cues[{index}] ({phrase})"
        _require(isinstance(phrase, str) and phrase.strip() != "", path, where, "needs a phrase")
        _require(category in ASSERTION_CATEGORIES, path, where, f"category must be one of {ASSERTION_CATEGORIES}")
        _require(direction in CUE_DIRECTIONS, path, where, f"direction must be one of {CUE_DIRECTIONS}")
        max_scope = entry.get("max_scope")
        _require(max_scope is None or (isinstance(max_scope, int) and max_scope > 0), path, where, "bad max_scope")
        words = " ".join(phrase.lower().split())
        earlier = first_index.setdefault(words, index)
        # the engine keeps one cue per span of words: a second entry would silently replace the first
        _require(earlier == index, path, where, f"repeats the phrase of cues[{earlier}]; a phrase is one cue")
        negated_across = entry.get("negated_across", False)
        _require(isinstance(negated_across, bool), path, where, "negated_across must be true or false")
        only_for = _phrases(entry.get("only_for"), path, where, "only_for")
        unknown = sorted(set(only_for) - organ_system_names) if organ_system_names is not None else []
        _require(not unknown, path, where, f"only_for names unknown organ systems {unknown}")
        forward_when_first = _turning_flag(entry, "forward_when_first", "backward", path, where)
        backward_when_last = _turning_flag(entry, "backward_when_last", "forward", path, where)
        only_when_last = entry.get("only_when_last", False)
        _require(
            isinstance(only_when_last, bool) and (not only_when_last or backward_when_last),
            path,
            where,
            "only_when_last must be true or false, and only with backward_when_last",
        )
        list_when_first = entry.get("list_when_first", False)
        _require(
            isinstance(list_when_first, bool) and (not list_when_first or direction != "backward"),
            path,
            where,
            "list_when_first must be true or false, and not for a backward cue",
        )
        cues.append(
            AssertionCue(
                phrase.strip(),
                category,
                direction,
                max_scope,
                negated_across,
                only_for,
                forward_when_first,
                backward_when_last,
                only_when_last,
                list_when_first,
            )
        )
    terminators = _phrases(document.get("terminators"), path, "terminators", "terminators")
    forward = _phrases(document.get("forward_terminators"), path, "forward_terminators", "forward_terminators")
    verbs = _phrases(document.get("clause_verbs"), path, "clause_verbs", "clause_verbs")
    relatives = _phrases(document.get("relative_words"), path, "relative_words", "relative_words")
    predicates = _phrases(document.get("predicate_words"), path, "predicate_words", "predicate_words")
    return AssertionLexicon(
        tuple(cues), terminators, forward, verbs, relatives, predicates, _list_headings(document, path)
    )


def _list_headings(document: Any, path: Path) -> tuple[tuple[str, str], ...]:
    """``list_headings``: {phrase, category} entries, the category NEGATED or HISTORICAL."""
    entries = document.get("list_headings") if isinstance(document, dict) else None
    if entries is None:
        return ()
    _require(isinstance(entries, list), path, "list_headings", "must be a list of {phrase, category}")
    headings = []
    for index, entry in enumerate(entries):
        where = f"list_headings[{index}]"
        _require(isinstance(entry, dict), path, where, "must be a mapping")
        phrase, category = entry.get("phrase"), entry.get("category")
        _require(isinstance(phrase, str) and phrase.strip() != "", path, where, "needs a phrase")
        _require(category in ("NEGATED", "HISTORICAL"), path, where, "category must be NEGATED or HISTORICAL")
        headings.append((" ".join(phrase.lower().split()), category))
    return tuple(headings)


def load_veto_scope(path: Path) -> VetoScope:
    document = read_lexicon_yaml(path)
    _require(isinstance(document, dict), path, "top level", "needs 'clause_edges:' and 'landmark_phrases:'")
    return VetoScope(
        _phrases(document.get("clause_edges"), path, "clause_edges", "clause_edges"),
        _phrases(document.get("landmark_phrases"), path, "landmark_phrases", "landmark_phrases"),
    )


def load_lexicon(folder: Path | None = None) -> Lexicon:
    """Read every lexicon file under ``folder`` (default: the packaged ``lexicons/``)."""
    folder = Path(folder) if folder is not None else lexicons_dir()
    return _load_lexicon_cached(folder.resolve())


@cache
def _load_lexicon_cached(folder: Path) -> Lexicon:
    organ_systems = load_organ_systems(folder / "organ_systems.yaml")
    names = {system.name for system in organ_systems}
    lexicon = Lexicon(
        sections=load_sections(folder / "sections.yaml", names),
        organ_systems=organ_systems,
        labels=load_labels(folder / "labels", names),
        assertion=load_assertion(folder / "assertion_cues.yaml", names),
        veto_scope=load_veto_scope(folder / "veto_scope.yaml"),
        source=folder,
    )
    return in_both_spellings(in_telegraphic_style(lexicon), load_spelling_variants(folder))


def _heading_statements_in_both_spellings(
    statements: HeadingStatements | None, both: Callable[[Iterable[str]], tuple[str, ...]]
) -> HeadingStatements | None:
    return HeadingStatements(both(statements.headings), both(statements.statements)) if statements else None


def in_both_spellings(lexicon: Lexicon, spelling: SpellingVariants) -> Lexicon:
    """The lexicon with each phrase followed by its other spellings ("edema", "oedema")."""
    both = spelling.with_variants
    headings = tuple(
        dict.fromkeys(
            replace(heading, heading=variant)
            for heading in lexicon.sections.headings
            for variant in spelling.variants(heading.heading)
        )
    )
    sections = SectionLexicon(
        headings, both(lexicon.sections.impression_cues), both(lexicon.sections.lone_line_headings)
    )
    organ_systems = tuple(
        replace(system, terms=both(system.terms), shared_terms=both(system.shared_terms))
        for system in lexicon.organ_systems
    )
    labels = tuple(
        replace(
            label,
            synonyms=both(label.synonyms),
            patterns=tuple(spelling.token_pattern(pattern) for pattern in label.patterns),
            exclusions=both(label.exclusions),
            requires_any=both(label.requires_any),
            generic_synonyms=both(label.generic_synonyms),
            generic_normal_statements=both(label.generic_normal_statements),
            vetoed_by=both(label.vetoed_by),
            own_anatomy=both(label.own_anatomy),
            normal_statements=both(label.normal_statements),
            normal_under_headings=_heading_statements_in_both_spellings(label.normal_under_headings, both),
            present_under_headings=_heading_statements_in_both_spellings(label.present_under_headings, both),
        )
        for label in lexicon.labels
    )
    assertion = lexicon.assertion
    cues = tuple(dict.fromkeys(replace(cue, phrase=p) for cue in assertion.cues for p in spelling.variants(cue.phrase)))
    assertion = replace(
        assertion,
        cues=cues,
        terminators=both(assertion.terminators),
        forward_terminators=both(assertion.forward_terminators),
        clause_verbs=both(assertion.clause_verbs),
        relative_words=both(assertion.relative_words),
        predicate_words=both(assertion.predicate_words),
    )
    scope = VetoScope(both(lexicon.veto_scope.clause_edges), both(lexicon.veto_scope.landmark_phrases))
    return replace(
        lexicon, sections=sections, organ_systems=organ_systems, labels=labels, assertion=assertion, veto_scope=scope
    )
