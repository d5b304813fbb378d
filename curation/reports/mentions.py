"""Find abnormality label mentions: lower-cased phrases (synonyms) and spaCy token patterns.

Each label of ``lexicons/labels/*.yaml`` contributes its synonyms (plurals and hyphen/space
variants are added automatically), optional token patterns, exclusions (a longer phrase that
overlaps the match and means something else: "calcified granuloma" is not a lung nodule),
``requires_any`` (the sentence must also name one of these: "calcification" counts as coronary
calcification only beside "coronary") and ``vetoed_by`` (the clause names another organ: a
"nodule" in the thyroid is not a lung nodule). Where a veto word counts is data too
(``lexicons/veto_scope.yaml``): the clause of the mention, up to a landmark phrase ("adjacent to", "in
the vicinity of": "a nodule in the right lower lobe adjacent to the liver" is a lung nodule).

A label's ``normal_statements`` ("heart size is normal") are negative mentions whatever the cues around them
(``MentionRecord.stated_absent``): the report rules the finding out.

Synonyms, exclusions and pattern anchors are phrases of the shared ``TermMatcher``; this module
turns its matches into mentions.

    >>> analysis = ReportAnalyzer().analyze("Small right pleural effusions.")  # doctest: +SKIP
    >>> [(m.label, m.mention_text) for m in analysis.mentions]  # doctest: +SKIP
    [('pleural_effusion', 'pleural effusions')]
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from spacy.attrs import LOWER
from spacy.errors import MatchPatternError
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from curation.reports.caseless import WORD_END, boundary_after_first, lower_if_exact, word_start_trie
from curation.reports.coordinated_terms import LIST_WORDS, CoordinatedTerms
from curation.reports.lexicon import (
    NON_ANATOMICAL_SYSTEMS,
    HeadingStatements,
    LabelDef,
    LexiconError,
    OrganSystem,
    VetoScope,
)
from curation.reports.term_matcher import TermKind, TermMatcher


@dataclass(slots=True)
class MentionRecord:
    """A label mention found in a report; assertion and attributes are filled later."""

    label: LabelDef
    start: int  # token index
    end: int
    sentence_index: int
    char_start: int
    char_end: int
    text: str
    assertion: str = "POSITIVE"
    attributes: dict[str, object] = field(default_factory=dict)
    stated_absent: bool = False  # a normal statement ("heart size is normal"): NEGATIVE, whatever the cues


def continued_heading(heading: str) -> str:
    """The sub-heading of a sentence after the first under it: still its anatomy (``requires_any``, vetoes), but no
    whole-sentence normal statement (``normal_under_headings``), and remembered apart from the first sentence's."""
    return f"{heading}{_CONTINUED}"


_CONTINUED = " (continued)"


def is_continued(heading: str) -> bool:
    """Whether ``heading`` is a `continued_heading` (the sentence is not the first under its sub-heading)."""
    return heading.endswith(_CONTINUED)


CLAUSE_ENDS = frozenset({",", ";"})  # where the first clause of a sentence under a heading ends


def _plain(phrase: str) -> str:
    """Lower case, single spaces, no colon or full stop at either end: how headings and whole sentences compare."""
    return " ".join(phrase.lower().split()).strip(" :.;")


def plural(word: str) -> str:
    if word.endswith(("s", "x", "sh", "ch", "z")):
        return word if word.endswith("s") else word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def singular(word: str) -> str:
    """A plural's singular, roughly: "nodules" -> "nodule" ("mass", "abscess", "pneumothorax" stay)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def phrase_variants(phrase: str) -> set[str]:
    """The phrase, its plural (last word), and its hyphen/space spellings."""
    variants = {phrase}
    if phrase[-1].isalpha():
        words = phrase.split(" ")
        variants.add(" ".join([*words[:-1], plural(words[-1])]))
    for variant in list(variants):
        if "-" in variant:
            variants.add(variant.replace("-", " "))
        elif " " in variant and len(variant.split()) == 2:
            variants.add(variant.replace(" ", "-"))
    return variants


class WordStartRegex:
    """``\\b(?:phrases, longest first)`` case-insensitive: phrases at a word start, possibly inside a longer word.

    ``search`` (is there a match?) takes the text and, where ``caseless.lower_if_exact`` gave one, its lower-cased
    copy, on which an equivalent expression (``caseless.word_start_trie``) runs much faster.
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        phrases = list(phrases)
        # an abbreviation in capitals is a whole word (or its plural), not a stem: "RUL" is not "rule", "OM" (obtuse
        # marginal) not "omentum", as in ``VetoWords``
        whole = {p.lower() for p in phrases if p.isupper() and len(p.split()) == 1}
        terms = sorted({p.lower() for p in phrases}, key=len, reverse=True)
        self.regex = re.compile(
            r"\b(?:" + "|".join(re.escape(t) + (r"s?\b" if t in whole else "") for t in terms) + r")", re.IGNORECASE
        )
        ascii_terms = all(t.isascii() for t in terms)
        keys = [t + WORD_END if t in whole else t for t in terms]
        self.lower_regex = re.compile(word_start_trie(keys)) if ascii_terms else None
        self.literals = shortest_substrings(terms)

    def search(self, text: str, lower: str | None, start: int = 0, end: int | None = None) -> bool:
        end = len(text) if end is None else end
        if lower is not None and self.lower_regex is not None:
            return (
                contains_any(lower, self.literals, start, end)
                and self.lower_regex.search(lower, start, end) is not None
            )
        return self.regex.search(text, start, end) is not None

    def spans(
        self, text: str, start: int = 0, end: int | None = None, lower: str | None = None
    ) -> list[tuple[int, int]]:
        """(start, end) of every match in ``text[start:end]`` (on ``lower``, where given, the faster expression)."""
        end = len(text) if end is None else end
        if lower is not None and self.lower_regex is not None:
            return [m.span() for m in self.lower_regex.finditer(lower, start, end)]
        return [m.span() for m in self.regex.finditer(text, start, end)]


def shortest_substrings(words: Iterable[str]) -> tuple[str, ...]:
    """The words that hold none of the others: text holding none of them holds none of ``words``
    ("kidney" stands for "kidneys")."""
    words = sorted(set(words), key=len)
    kept: list[str] = []
    for word in words:
        if not any(shorter in word for shorter in kept):
            kept.append(word)
    return tuple(kept)


def contains_any(text: str, literals: tuple[str, ...], start: int = 0, end: int | None = None) -> bool:
    """Whether ``text[start:end]`` holds one of ``literals``.

    A substring test is several times faster than a regex search of the same words: it rules out most sentences
    before the regex, which also checks the word boundaries, runs.
    """
    part = text[start:end]
    for literal in literals:  # noqa: SIM110 (any() over a generator costs more than most of these tests)
        if literal in part:
            return True
    return False


def _token_words(nlp: Language, phrases: Iterable[str]) -> frozenset[str]:
    """The phrases as their lower-case tokens joined by spaces, as ``_span_words`` reads a match."""
    return frozenset(" ".join(token.lower_ for token in nlp.make_doc(phrase)) for phrase in phrases)


def _span_words(doc: Doc, start: int, end: int) -> str:
    """The lower-case tokens of doc[start:end] joined by spaces."""
    return " ".join(doc[i].lower_ for i in range(start, end))


def _word_regex(phrases: Iterable[str]) -> WordStartRegex | None:
    return WordStartRegex(phrases) if phrases else None


class VetoWords:
    """The ``vetoed_by`` words of a label: a single word matches at a word start, as a stem ("kidney" in
    "kidneys", "bronch" in "bronchial"), unless it is an abbreviation in capitals ("SMA", "LAD"); a phrase of
    several words matches whole, with its plural and hyphen spellings ("on the pleura" vetoes "a nodule on the
    pleura", not "nodules on the pleural base").
    ``search`` takes the same arguments as ``WordStartRegex.search``.
    """

    def __init__(self, phrases: Iterable[str], own_anatomy: Iterable[str] = ()) -> None:
        phrases = list(phrases)
        # a clause that also names the label's own anatomy is not vetoed ("calcification of the coronary arteries and
        # of the aortic arch" is an aortic calcification too)
        own = list(own_anatomy)
        self.own_anatomy = WordStartRegex(own) if own else None
        # an abbreviation in capitals is a whole word, not a stem: "SMA" (the artery) must not veto "small"
        stems = [p for p in phrases if len(p.split()) == 1 and not p.isupper()]
        whole = sorted(
            {v.lower() for p in phrases if len(p.split()) > 1 or p.isupper() for v in phrase_variants(p)}, key=len
        )[::-1]
        self.stems = _word_regex(stems)
        alternation = "|".join(re.escape(w) for w in whole)
        self.whole = re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE) if whole else None
        # nested by characters like the stems (see caseless.word_start_trie); the closing \b backtracks into the
        # nesting, so it finds a match wherever the plain alternation does
        ascii_whole = all(w.isascii() for w in whole)
        self.whole_lower = re.compile(rf"(?:{word_start_trie(whole)})\b") if whole and ascii_whole else None
        # on lower-cased text, a part holding none of these words holds no veto word
        ascii_stems = self.stems is None or self.stems.lower_regex is not None
        self.literals = (
            shortest_substrings([*(p.lower() for p in stems), *whole]) if ascii_whole and ascii_stems else None
        )

    def search(self, text: str, lower: str | None, start: int = 0, end: int | None = None) -> bool:
        end = len(text) if end is None else end
        if lower is not None and self.literals is not None and not contains_any(lower, self.literals, start, end):
            return False
        if self.stems is not None and self.stems.search(text, lower, start, end):
            return True
        if lower is not None and self.whole_lower is not None:
            return self.whole_lower.search(lower, start, end) is not None
        return self.whole is not None and self.whole.search(text, start, end) is not None


class VetoClauses:
    """``VetoScope`` compiled: the clause edges of a sentence and the landmark phrases that end a veto's reach.

    ``edge_lower`` finds the same edges as ``edge`` over lower-cased text (see ``caseless``), faster.
    """

    _PUNCTUATION = ";,:()"

    def __init__(self, scope: VetoScope) -> None:
        words = [w.lower() for w in scope.clause_edges]
        word_edges = "".join(r"|\b" + re.escape(w) + r"\b" for w in words)
        self.edge = re.compile(f"[{re.escape(self._PUNCTUATION)}]{word_edges}", re.IGNORECASE)
        if all(w.isascii() for w in words):
            # one literal per punctuation mark, so every branch opens with a fixed character
            self.edge_lower = re.compile(
                "|".join(re.escape(mark) for mark in self._PUNCTUATION)
                + "".join("|" + boundary_after_first(w[0], re.escape(w[1:])) + r"\b" for w in words)
            )
        else:
            self.edge_lower = self.edge
        phrases = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in scope.landmark_phrases)
        self.landmark = re.compile(rf"\b(?:{phrases})\b", re.IGNORECASE) if phrases else None
        # the landmarks beside a finding, not a level that places it ("at the level of liver segment 6")
        # (nor a word that is also a finding's noun: "bilateral infiltrates in both lower lobes")
        beside = "|".join(
            re.escape(p).replace(r"\ ", r"\s+")
            for p in scope.landmark_phrases
            if not p.startswith("at the level") and p not in _NOUN_LANDMARKS
        )
        self.beside = re.compile(rf"\b(?:{beside})\b", re.IGNORECASE) if beside else None

    def clause_bounds(self, text: str, start: int, end: int, lower: str | None = None) -> tuple[int, int]:
        """(start, end) of the part of a sentence between the clause edges around [start, end).

        ``lower``: ``caseless.lower_if_exact(text)``, searched instead of ``text`` when given.
        """
        pattern = self.edge if lower is None else self.edge_lower
        searched = text if lower is None else lower
        left = 0
        for edge in pattern.finditer(searched, 0, start):
            left = edge.end()
        right_edge = pattern.search(searched, end)
        return left, right_edge.start() if right_edge else len(text)


class LabelMentionRules:
    """The label lexicon compiled: phrases registered on a ``TermMatcher``, token patterns, co-occurrence rules."""

    def __init__(
        self,
        nlp: Language,
        labels: Iterable[LabelDef],
        terms: TermMatcher,
        organ_systems: Iterable[OrganSystem],
        veto_scope: VetoScope,
    ) -> None:
        self.labels = {label.name: label for label in labels}
        self.veto_clauses = VetoClauses(veto_scope)
        # A veto word anywhere in a sentence that names nothing of the label's own organ system also vetoes:
        # "In both kidneys, thin-walled mural nodules or cysts" is not a lung nodule, whatever the clauses.
        # The label's own organ is named by its system's terms and by the words it requires ("LAD" for coronary).
        terms_of = {system.name: list(system.own_terms) for system in organ_systems}
        self.own_organ = {
            label.name: _word_regex([*terms_of[label.organ_system], *label.requires_any])
            for label in self.labels.values()
            if label.organ_system in terms_of
        }
        # The token Matcher is slow over whole reports. Every pattern starts with a fixed word (its anchor), so
        # each label's Matcher runs only on the few tokens after an anchor, up to the pattern's longest reach.
        self.patterns: dict[str, Matcher] = {}
        self.reach: dict[str, int] = {}
        # Words one of which must follow the anchor for any pattern of the label to match (None: no such filter);
        # checked before the (much slower) Matcher call, on the TermMatcher's matches of these words where each is
        # one lower-case token, else on a window of lower-case ids.
        self.required: dict[str, frozenset[int] | None] = {}
        # How many (optional) tokens a match can run on after its last required word: the Matcher's cost grows with
        # its span, so the span ends there (see ``pattern_matches``).
        self.tail: dict[str, int] = {}
        # These are keyed by rule: the patterns of a label that open with the same words. A label whose patterns open
        # with different words ("lesion ... spleen", "spleen ... lesion") has a rule for each, so the frequent opening
        # word ("lesion") is checked against its own required words ("spleen"), not those of the other rule.
        self.rule_label: dict[str, str] = {}
        # Anchor and required words are TermMatcher phrases keyed by the word, not by the rule: a word that opens or
        # ends the patterns of several labels ("lesion", "nodule") is one match per occurrence, not one per rule.
        self.anchor_rules: dict[str, list[str]] = {}  # lower-case word -> the rules that open with it
        self.required_words: dict[str, tuple[str, ...]] = {}  # rule -> its required words, where they are terms
        synonyms: list[tuple[str, list[str]]] = []  # (label, the lower-case words of a synonym spelling)
        for label in self.labels.values():
            variants = sorted({v for s in label.synonyms for v in phrase_variants(s)})
            docs = terms.add(TermKind.LABEL, label.name, variants)
            synonyms.extend((label.name, [token.lower_ for token in doc]) for doc in docs)
            if label.exclusions:
                exclusions = sorted({v for s in label.exclusions for v in phrase_variants(s)})
                terms.add(TermKind.EXCLUSION, label.name, exclusions)
            if label.normal_statements:  # with their hyphen/space spellings; a plural is a statement of its own
                statements = {v for s in label.normal_statements for v in (s, s.replace("-", " "))}
                terms.add(TermKind.NORMAL, label.name, sorted(statements))
            for rule, patterns in pattern_groups(label):
                self.add_pattern_rule(nlp, label, rule, patterns)
        for word in self.anchor_rules:
            terms.add(TermKind.ANCHOR, word, [word])
        for word in sorted({w for words in self.required_words.values() for w in words}):
            terms.add(TermKind.REQUIRED, word, [word])
        for word in sorted(LIST_WORDS):
            terms.add(TermKind.LIST_WORD, word, [word])
        self.coordinated = CoordinatedTerms(synonyms)
        self.yielding = {name: label.yields_to for name, label in self.labels.items() if label.yields_to}
        # sub-heading -> whole sentence under it -> the labels it rules out ("HEART:" "Normal size.") or states
        # ("HEART:" "Enlarged.")
        self.heading_statements = _heading_table({n: label.normal_under_headings for n, label in self.labels.items()})
        self.heading_findings = _heading_table({n: label.present_under_headings for n, label in self.labels.items()})
        self.requires = {name: _word_regex(label.requires_any) for name, label in self.labels.items()}
        # for a label with generic synonyms, the lower-case token words of its other synonyms: a match of one of these
        # needs no ``requires``; any other match (a generic synonym, one shared by a list, a pattern) needs them
        self.specific: dict[str, frozenset[str]] = {
            name: _token_words(
                nlp, (v for p in label.synonyms if p not in label.generic_synonyms for v in phrase_variants(p))
            )
            for name, label in self.labels.items()
            if label.generic_synonyms
        }
        # the lower-case token words of the generic normal statements ("walls are not thickened"), by label
        self.generic_statements: dict[str, frozenset[str]] = {
            name: _token_words(nlp, (v for p in label.generic_normal_statements for v in (p, p.replace("-", " "))))
            for name, label in self.labels.items()
            if label.generic_normal_statements
        }
        self.vetoes = {
            name: VetoWords(label.vetoed_by, label.own_anatomy) if label.vetoed_by else None
            for name, label in self.labels.items()
        }

    def add_pattern_rule(
        self, nlp: Language, label: LabelDef, rule: str, patterns: list[tuple[dict[str, Any], ...]]
    ) -> None:
        """One Matcher for patterns of ``label`` that open with the same words, keyed ``rule``."""
        self.rule_label[rule] = label.name
        self.patterns[rule] = Matcher(nlp.vocab)
        try:
            self.patterns[rule].add(label.name, [list(p) for p in patterns])
        except MatchPatternError as error:  # a pattern the lexicon's loader could not check (its token attributes)
            raise LexiconError(f"label {label.name}: invalid token pattern ({error})") from None
        self.reach[rule] = max(pattern_reach(p) for p in patterns)
        for word in dict.fromkeys(w.lower() for pattern in patterns for w in anchor_words(label, pattern)):
            self.anchor_rules.setdefault(word, []).append(rule)
        words = [required_words(p) for p in patterns]
        if any(w is None for w in words):
            self.required[rule] = None
            return
        flat = sorted({x for w in words for x in w})  # type: ignore[union-attr]
        self.tail[rule] = max(pattern_reach(p[last_required_index(p) + 1 :]) for p in patterns)
        self.required[rule] = frozenset(nlp.vocab.strings.add(x) for x in flat)
        if all(_is_one_lower_token(nlp, x) for x in flat):
            self.required_words[rule] = tuple(flat)

    def find(
        self,
        doc: Doc,
        text: str,
        found_terms: list[list[tuple[Any, int, int]]],
        sentence_starts: list[int],
        bounds: list[int],
        token_starts: list[int],
        lower: str | None = None,
        headings: list[str | None] | None = None,
    ) -> list[MentionRecord]:
        """Mentions sorted by token start then label name.

        ``sentence_starts``: token index of each sentence; ``bounds``: its character start, plus the text length;
        ``token_starts``: the character offset of each token; ``lower``: ``caseless.lower_if_exact(text)``;
        ``headings``: the organ sub-heading each sentence stands under ("KIDNEYS"), or None. A heading counts
        as part of its sentences for ``requires_any`` ("KIDNEYS: 4 mm calculus in the lower pole" is a kidney
        stone) and for the sentence veto ("ADRENALS: 1.5 cm left nodule" is no lung nodule).
        """
        found: dict[str, list[tuple[int, int]]] = {}
        # synonyms, and the earlier items of a list they end ("liver, pancreas or kidney lesions")
        label_terms = found_terms[TermKind.LABEL]
        list_words = {start: word for word, start, _end in found_terms[TermKind.LIST_WORD]}
        if list_words:
            label_terms = label_terms + self.coordinated.expand(
                doc, label_terms, sentence_starts, token_starts, lower, list_words
            )
        for name, start, end in label_terms:
            found.setdefault(name, []).append((start, end))
        stated_absent = {
            (name, start, end)
            for name, start, end in found_terms[TermKind.NORMAL]
            if not _opens_a_range(doc, end, sentence_starts)
        }
        stated_present: set[tuple[str, int, int]] = set()
        if headings and self.heading_statements:
            stated_absent |= self._under_headings(self.heading_statements, doc, text, bounds, sentence_starts, headings)
        if headings and self.heading_findings:
            stated_present = self._under_headings(
                self.heading_findings, doc, text, bounds, sentence_starts, headings, joined=False
            )
        for name, start, end in stated_absent | stated_present:
            found.setdefault(name, []).append((start, end))
        # synonyms and statements, not patterns
        named = {(name, start, end) for name, start, end in label_terms} | stated_absent | stated_present
        anchors = found_terms[TermKind.ANCHOR]
        if anchors:
            required_at: dict[str, list[int]] = {}
            for word, start, _end in found_terms[TermKind.REQUIRED]:
                required_at.setdefault(word, []).append(start)
            for positions in required_at.values():
                positions.sort()
            for name, start, end in self.pattern_matches(doc, anchors, sentence_starts, required_at):
                found.setdefault(name, []).append((start, end))
        if not found:
            return []
        excluded: dict[str, list[tuple[int, int]]] = {}
        for name, start, end in found_terms[TermKind.EXCLUSION]:
            excluded.setdefault(name, []).append((start, end))
        required_seen: dict[tuple[str, int], bool] = {}  # in the sentence or its heading
        required_in_sentence: dict[tuple[str, int], bool] = {}
        first_naming_part: dict[tuple[str, int], tuple[list[int], int] | None] = {}
        naming_anatomy = (
            {bisect.bisect_right(sentence_starts, start) - 1 for _s, start, _e in found_terms[TermKind.ORGAN_SYSTEM]}
            # a shared term ("left lobe" under "THYROID:") names no anatomy of the sentence's own
            if headings and any(heading is not None for heading in headings)  # it matters only under a heading
            else set()
        )
        clauses = SentenceClauses(self.veto_clauses, text, lower, bounds, headings, naming_anatomy)
        n_tokens = len(token_starts)
        veto_clause = clauses.vetoed
        mentions = []
        placed: set[int] = set()  # the mentions that needed their label's required words (ids)
        for name, spans in found.items():
            label = self.labels[name]
            requires, veto = self.requires[name], self.vetoes[name]
            specific = self.specific.get(name)
            generic_statements = self.generic_statements.get(name)
            exclusions = excluded.get(name, ())
            for start, end in longest_spans(spans) if len(spans) > 1 else spans:
                # an exclusion overlapping the match means something else, unless the match holds it and says more:
                # "pleural or pericardial effusion" holds the exclusion "pericardial effusion" of pleural effusion
                if exclusions and any(
                    s < end and start < e and not (start <= s and e <= end and e - s < end - start)
                    for s, e in exclusions
                ):
                    continue
                sentence = bisect.bisect_right(sentence_starts, start) - 1
                char_start = token_starts[start]
                if end < n_tokens:  # the next token starts after this one and at most one space (spaCy's whitespace)
                    following = token_starts[end]
                    char_end = following - 1 if text[following - 1] == " " else following
                else:
                    last = doc[end - 1]
                    char_end = last.idx + len(last)
                # where a label has generic synonyms or statements, only those (and matches of no specific synonym:
                # a list's, a pattern's) need the label's required words; otherwise every match does
                if requires is None:
                    needs_place = False
                elif specific is None and generic_statements is None:
                    needs_place = True
                elif (name, start, end) in stated_absent or (name, start, end) in stated_present:
                    needs_place = generic_statements is not None and _span_words(doc, start, end) in generic_statements
                else:
                    needs_place = specific is not None and _span_words(doc, start, end) not in specific
                if needs_place:
                    key = (name, sentence)
                    if key not in required_seen:
                        in_sentence = requires.search(text, lower, bounds[sentence], bounds[sentence + 1])
                        required_in_sentence[key] = in_sentence
                        required_seen[key] = in_sentence or clauses.heading_names(requires, sentence)
                    if not required_seen[key]:
                        continue
                    # a generic word ("focal lesion") placed only by the heading belongs to another organ the sentence
                    # names: "Lung bases: ... Liver, spleen and adrenals: unremarkable; no focal lesion."
                    if (
                        specific is not None
                        and veto is not None
                        and not required_in_sentence[key]
                        and clauses.names_veto_word(name, veto, sentence)
                    ):
                        continue
                    # as in ``_without_borrowed_requirement``: a part of a sentence cut by semicolons before every
                    # part naming a required word does not borrow it ("Mural thickening of the terminal ileum, likely
                    # infective; the lung bases are clear"); found once per label and sentence
                    if key not in first_naming_part:
                        first_naming_part[key] = _first_part_naming(requires, text, lower, bounds, sentence, clauses)
                    parts_and_first = first_naming_part[key]
                    if parts_and_first is not None and _part_index(parts_and_first[0], char_start) < parts_and_first[1]:
                        continue
                if (
                    veto is not None
                    and (
                        veto_clause(name, veto, sentence, char_start, char_end)
                        or clauses.vetoed_sentence(name, veto, self.own_organ.get(name), sentence)
                    )
                    # a synonym that names its own organ escapes; a token pattern spans too much to tell
                    and not (
                        (name, start, end) in named and self._names_own_organ(name, text, lower, char_start, char_end)
                    )
                    and not (
                        requires is not None
                        and clauses.in_organ_list_subject(requires, veto, sentence, char_start, char_end)
                    )
                ):
                    continue
                mention = MentionRecord(label, start, end, sentence, char_start, char_end, text[char_start:char_end])
                if stated_absent and (name, start, end) in stated_absent:
                    mention.assertion, mention.stated_absent = "NEGATIVE", True
                mentions.append(mention)
                if needs_place:
                    placed.add(id(mention))
        if required_seen and len(mentions) > 1:
            mentions = self._without_borrowed_requirement(mentions, text, bounds, clauses, placed)
        mentions.sort(key=lambda m: (m.start, m.label.name))
        return mentions

    def _without_borrowed_requirement(
        self, mentions: list[MentionRecord], text: str, bounds: list[int], clauses: SentenceClauses, placed: set[int]
    ) -> list[MentionRecord]:
        """Less the mentions that hold none of their label's required words where every such word of the sentence is
        another mention's own: in "aortic atherosclerosis, no coronary calcification" the atherosclerosis is not
        coronary, "coronary" belongs to the negated calcification; "calcifications of the aorta and coronary arteries"
        and "coronary atherosclerosis with calcified plaque in the LAD" keep theirs (a required word is free)."""
        groups: dict[tuple[str, int], list[MentionRecord]] = {}
        for mention in mentions:
            if id(mention) in placed:
                groups.setdefault((mention.label.name, mention.sentence_index), []).append(mention)
        dropped: set[int] = set()
        for (name, sentence), group in groups.items():
            requires = self.requires[name]
            if len(group) < 2 or requires is None or clauses.heading_names(requires, sentence):
                continue
            words = requires.spans(text, bounds[sentence], bounds[sentence + 1], clauses.lower)
            # a normal statement ("liver unremarkable") owns no word: "Liver unremarkable apart from a 2 cm cyst"
            candidates = [m for m in group if not m.stated_absent]
            holders = [m for m in candidates if any(m.char_start <= a and b <= m.char_end for a, b in words)]
            if holders and all(any(m.char_start <= a and b <= m.char_end for m in holders) for a, b in words):
                dropped.update(id(m) for m in group if m not in holders)
                continue
            # A required word only in later parts of a sentence cut by semicolons belongs to the mentions of those
            # parts: in "calcific atherosclerotic changes in the aortic arch; no calcification in the coronary arteries"
            # the changes are not coronary. Only parts before the first word lose their mentions: a part after it goes
            # on about its organ ("a lesion in the liver; cyst?").
            parts = _semicolon_parts(text, bounds[sentence], bounds[sentence + 1])
            if len(parts) < 2:
                continue
            part_of = {id(m): _part_index(parts, m.char_start) for m in group}
            parts_with_words = {_part_index(parts, a) for a, _b in words}
            parts_with_holders = {part_of[id(m)] for m in candidates}
            if parts_with_words <= parts_with_holders:
                dropped.update(id(m) for m in group if part_of[id(m)] < min(parts_with_words))
        return [m for m in mentions if id(m) not in dropped] if dropped else mentions

    def _under_headings(
        self,
        table: dict[str, dict[str, list[str]]],
        doc: Doc,
        text: str,
        bounds: list[int],
        sentence_starts: list[int],
        headings: list[str | None],
        joined: bool = True,
    ) -> set[tuple[str, int, int]]:
        """(label, start, end) of the sentences that are a statement of ``table`` (heading -> statement -> labels) on
        their sub-heading's organ, whole or as their first clause ("SPLEEN: Normal size, no focal lesion."); with
        ``joined``, a heading of organs joined by slashes ("HEART/PERICARDIUM") speaks for the first that has
        statements (a normal statement; "PULMONARY ARTERIES/AORTA: Dilated." does not say which is). Only the first
        sentence under a heading counts (the others carry a `continued_heading`, found in no table): in "AORTA:
        Aneurysm of the infrarenal aorta. Normal caliber." the second sentence is no statement on the organ."""
        found = set()
        for index, heading in enumerate(headings):
            if not heading:
                continue  # not under a sub-heading (a continued one is in no table)
            statements = _statements_of(table, heading) if joined else table.get(_plain(heading))
            if not statements:
                continue
            start = sentence_starts[index]
            end = sentence_starts[index + 1] if index + 1 < len(sentence_starts) else len(doc)
            names = statements.get(_plain(text[bounds[index] : bounds[index + 1]]))
            if not names:  # the statement as the sentence's first clause: "SPLEEN: Normal size, no focal lesion."
                clause_end = next((i for i in range(start, end) if doc[i].text in CLAUSE_ENDS), None)
                if clause_end is None or clause_end == start:
                    continue
                names, end = statements.get(_plain(text[bounds[index] : doc[clause_end].idx])), clause_end
            if names:
                while end > start + 1 and doc[end - 1].is_punct:  # the sentence's full stop is not its statement
                    end -= 1
                found.update((name, start, end) for name in names)
        return found

    def without_yielded(self, mentions: list[MentionRecord]) -> list[MentionRecord]:
        """Mentions (asserted, with attributes) less those a later mention of the same sentence, assertion and side
        names more exactly (``yields_to``): "a hypodense lesion in the left kidney, in keeping with a simple cyst" is a
        renal cyst, not also an uncharacterised lesion; "an indeterminate lesion in the right kidney and a simple cyst
        in the left kidney" keeps both; so does "an indeterminate left renal lesion (hemorrhagic cyst?)", where the
        lesion is positive and the cyst uncertain."""
        if not self.yielding or not any(m.label.name in self.yielding for m in mentions):
            return mentions
        later: dict[tuple[int, str, str], list[MentionRecord]] = {}  # (sentence, label, assertion) -> its mentions
        for mention in mentions:
            later.setdefault((mention.sentence_index, mention.label.name, mention.assertion), []).append(mention)

        def yields(m: MentionRecord) -> bool:
            side = m.attributes.get("laterality")
            return any(
                other.start > m.start and (side is None or other.attributes.get("laterality") in (None, side))
                for name in self.yielding.get(m.label.name, ())
                for other in later.get((m.sentence_index, name, m.assertion), ())
            )

        return [m for m in mentions if not yields(m)]

    @staticmethod
    def without_answered_fields(mentions: list[MentionRecord], text: str, bounds: list[int]) -> list[MentionRecord]:
        """Mentions less a field's name that the first clause of its value names again: in "Pneumothorax: No residual
        left pneumothorax." and "Consolidation: RLL consolidation seen previously has resolved." the value says what
        became of the finding. A value that names it otherwise ("Lesion 3: 1.5 cm, FNH vs adenoma") or only after a
        comma ("Pleural effusion: Small right, no left pleural effusion") keeps the field's mention."""
        by_label: dict[tuple[int, str], list[MentionRecord]] = {}
        for mention in mentions:
            by_label.setdefault((mention.sentence_index, mention.label.name), []).append(mention)
        dropped: set[int] = set()
        for (sentence, _name), group in by_label.items():
            if len(group) < 2:
                continue
            field = min(group, key=lambda m: m.char_start)
            colon = _field_colon(text, bounds[sentence], bounds[sentence + 1], field.char_start, field.char_end)
            if colon is None:
                continue
            head = singular(text[field.char_start : field.char_end].lower().split()[-1])
            for value in group:
                first_clause = not _CLAUSE_MARKS.search(text, colon + 1, value.char_start)
                named_again = head in (singular(w) for w in text[value.char_start : value.char_end].lower().split())
                if value.char_start > colon and first_clause and named_again:
                    dropped.add(id(field))
        return [m for m in mentions if id(m) not in dropped] if dropped else mentions

    def _names_own_organ(self, name: str, text: str, lower: str | None, char_start: int, char_end: int) -> bool:
        """Whether the mention's own words name its organ: "pleural effusion" in "No pleural effusion or
        pericardial effusion" is pleural, whatever else its clause names."""
        own_organ = self.own_organ.get(name)
        if own_organ is None or self.labels[name].organ_system in NON_ANATOMICAL_SYSTEMS:
            return False  # "FDG" in "FDG-avid" names a tracer, not a place
        return own_organ.search(text, lower, char_start, char_end)

    def firsts_by_rule(self, anchors: list[tuple[str, int, int]]) -> dict[str, list[int]]:
        """The anchor positions of each rule (the order of the rules does not matter: mentions are sorted after)."""
        by_word: dict[str, list[int]] = {}
        for word, first, _end in anchors:
            by_word.setdefault(word, []).append(first)
        firsts: dict[str, list[int]] = {}
        for word, positions in by_word.items():
            for rule in self.anchor_rules[word]:
                found = firsts.get(rule)
                if found is None:
                    firsts[rule] = positions
                else:
                    firsts[rule] = found + positions
        return firsts

    def pattern_matches(
        self,
        doc: Doc,
        anchors: list[tuple[str, int, int]],
        sentence_starts: list[int],
        required_at: dict[str, list[int]] | None = None,
    ) -> list[tuple[str, int, int]]:
        """(label, start, end) of the token patterns that match from an anchor, within its sentence.

        ``anchors``: (word, start, end) TermKind.ANCHOR matches; ``required_at``: the sorted token positions of each
        required word (TermKind.REQUIRED matches).
        """
        matches = []
        lowers: np.ndarray | None = None
        n_tokens = len(doc)
        required_at = required_at or {}
        positions_of: dict[tuple[str, ...], list[int]] = {}  # required words -> their sorted positions in the doc
        for name, firsts in self.firsts_by_rule(anchors).items():
            positions = None  # sorted token positions of the rule's required words, where they are TermMatcher terms
            words = self.required_words.get(name)
            if words is not None:
                positions = positions_of.get(words)
                if positions is None:
                    present = [required_at[word] for word in words if word in required_at]
                    positions = positions_of[words] = (
                        present[0] if len(present) == 1 else sorted(p for found in present for p in found)
                    )
                if not positions:
                    continue  # the words its patterns need after the anchor are nowhere in the doc
            required, reach, matcher = self.required[name], self.reach[name], self.patterns[name]
            for first in firsts:
                sentence = bisect.bisect_right(sentence_starts, first)
                sentence_end = sentence_starts[sentence] if sentence < len(sentence_starts) else n_tokens
                window_end = min(first + reach, sentence_end)
                if positions is not None:
                    stop = _end_after_required(positions, first, window_end, self.tail[name])
                    if stop is None:
                        continue
                else:
                    stop = window_end
                    if required is not None:
                        if lowers is None:
                            lowers = doc.to_array(LOWER)
                        if required.isdisjoint(lowers[first + 1 : stop].tolist()):
                            continue
                # spaCy 3.8 returns Span-relative positions here (not Doc-relative): shift them back
                label = self.rule_label[name]
                matches.extend(
                    (label, first, first + end) for _key, start, end in matcher(doc[first:stop]) if start == 0
                )
        return matches


def _heading_table(blocks: dict[str, HeadingStatements | None]) -> dict[str, dict[str, list[str]]]:
    """Sub-heading -> whole sentence under it -> the labels it speaks of, from each label's heading statements."""
    table: dict[str, dict[str, list[str]]] = {}
    for name, block in blocks.items():
        if block is None:
            continue
        for heading in block.headings:
            statements = table.setdefault(_plain(heading), {})
            for statement in block.statements:
                statements.setdefault(_plain(statement), []).append(name)
    return table


def _statements_of(table: dict[str, dict[str, list[str]]], heading: str) -> dict[str, list[str]] | None:
    """The statements of a sub-heading in ``table``, or of the first of its slash-joined organs that has some."""
    statements = table.get(_plain(heading))
    if statements is None and "/" in heading:
        statements = next((found for part in heading.split("/") if (found := table.get(_plain(part)))), None)
    return statements


def _end_after_required(positions: list[int], first: int, stop: int, tail: int) -> int | None:
    """Where a match from the anchor at ``first`` must end, within the window [first, stop): at most ``tail``
    tokens after the last required word in the window (None: there is none after the anchor).

    ``positions``: the sorted token positions of the label's required words. The Matcher's cost grows with its span.
    """
    index = bisect.bisect_left(positions, first + 1)
    if index == len(positions) or positions[index] >= stop:
        return None
    last_required = positions[bisect.bisect_left(positions, stop, index) - 1]
    return min(stop, last_required + 1 + tail)


def _is_one_lower_token(nlp: Language, word: str) -> bool:
    tokens = nlp.make_doc(word)
    return len(tokens) == 1 and tokens[0].lower_ == word


class SentenceClauses:
    """Clause edges of each sentence, found once, and the veto checks of clauses, cached.

    ``lower``: ``caseless.lower_if_exact(text)`` or None; ``bounds``: sentence starts plus the text length.
    """

    def __init__(
        self,
        veto_clauses: VetoClauses,
        text: str,
        lower: str | None,
        bounds: list[int],
        headings: list[str | None] | None = None,
        naming_anatomy: set[int] | None = None,
    ) -> None:
        self.veto_clauses = veto_clauses
        self.text, self.lower, self.bounds, self.headings = text, lower, bounds, headings
        self.naming_anatomy = naming_anatomy or set()  # sentences that name an organ-system term themselves
        self._edges: dict[int, tuple[list[int], list[int]]] = {}
        self._vetoed: dict[tuple[object, ...], bool] = {}
        self._own_organ: dict[tuple[str, int], bool] = {}
        self._without_landmark_text: dict[int, str] = {}

    def edges(self, sentence: int) -> tuple[list[int], list[int]]:
        """(starts, ends) of the clause edges of a sentence, relative to it."""
        found = self._edges.get(sentence)
        if found is None:
            first, after = self.bounds[sentence], self.bounds[sentence + 1]
            if self.lower is not None:
                matches = list(self.veto_clauses.edge_lower.finditer(self.lower[first:after]))
            else:
                matches = list(self.veto_clauses.edge.finditer(self.text[first:after]))
            found = self._edges[sentence] = ([m.start() for m in matches], [m.end() for m in matches])
        return found

    def names_veto_word(self, name: str, veto: VetoWords, sentence: int) -> bool:
        """Whether the sentence names a veto word of label ``name`` (cached per label and sentence)."""
        first, after = self.bounds[sentence], self.bounds[sentence + 1]
        key = (name, first, after)
        found = self._vetoed.get(key)
        if found is None:
            lower = self.lower[first:after] if self.lower else None
            found = self._vetoed[key] = veto.search(self.text[first:after], lower)
        return found

    def heading_names(self, words: WordStartRegex | VetoWords, sentence: int) -> bool:
        """Whether the organ sub-heading the sentence stands under names one of ``words``."""
        heading = self.headings[sentence] if self.headings else None
        return heading is not None and words.search(heading, lower_if_exact(heading))

    def in_organ_list_subject(
        self, own: WordStartRegex, veto: VetoWords, sentence: int, char_start: int, char_end: int
    ) -> bool:
        """Whether the mention at ``char_start`` is said of a list of organs that opens its clause and names the
        label's own organ: "Liver, spleen and pancreas without focal changes", "Liver and spleen are free of focal
        lesions" (each organ of the list has the finding; the other organs in the list veto nothing). Only a short
        predicate may stand between the list and the mention ("Liver and spleen enlarged, with a lesion" is not), and
        no other organ may place it after ("Liver and kidneys with a focal formation in segment VII" is the liver's)."""
        first, after = self.bounds[sentence], self.bounds[sentence + 1]
        rest_end = _PART_END.search(self.text, char_end, after)
        if veto.search(self.text, self.lower, char_end, rest_end.start() if rest_end else after):
            return False
        head = self.text[first:char_start]
        cut = max(head.rfind(mark) for mark in ";:()")
        organs = own_seen = 0
        in_tail = False
        for word in _WORD.findall(head, cut + 1):
            lowered = word.lower()
            is_own = own.search(word, lowered)
            if is_own or veto.search(word, lowered):
                if in_tail:
                    return False
                organs += 1
                own_seen += bool(is_own)
            elif lowered in _ORGAN_LIST_WORDS and not in_tail:
                continue
            elif lowered in _LIST_PREDICATE_WORDS:
                in_tail = True
            else:
                return False
        return organs >= 2 and own_seen > 0

    def vetoed_sentence(self, name: str, veto: VetoWords, own_organ: WordStartRegex | None, sentence: int) -> bool:
        """Whether the sentence names a veto word of label ``name`` (or names no anatomy and its heading does)
        and neither names the label's own organ (a term of its organ system or a word it requires)."""
        if own_organ is None:
            return False
        # a heading speaks for a sentence that names no anatomy of its own ("ADRENALS: 1.5 cm left nodule")
        if not self.names_veto_word(name, veto, sentence) and (
            sentence in self.naming_anatomy or not self.heading_names(veto, sentence)
        ):
            return False
        names_own = self._own_organ.get((name, sentence))
        if names_own is None:
            text = self._without_landmarks(sentence)
            lower = lower_if_exact(text) if self.lower else None
            names_own = self._own_organ[(name, sentence)] = own_organ.search(text, lower) or self.heading_names(
                own_organ, sentence
            )
        return not names_own

    def _without_landmarks(self, sentence: int) -> str:
        """The sentence less what follows a landmark phrase up to the clause's end: what a finding pushes on or lies
        beside is not its organ ("a 3 cm thyroid nodule displacing the trachea" names no organ of the airways)."""
        cached = self._without_landmark_text.get(sentence)
        if cached is not None:
            return cached
        first, after = self.bounds[sentence], self.bounds[sentence + 1]
        text = self.text[first:after]
        landmark = self.veto_clauses.beside
        found = landmark.search(text) if landmark is not None else None
        if found is None:
            self._without_landmark_text[sentence] = text
            return text
        starts, _ends = self.edges(sentence)
        kept, position = [], 0
        while found is not None:
            # the first clause edge at or after the landmark's end ("... without infiltrates; a lesion of the liver")
            index = bisect.bisect_left(starts, found.end())
            edge = starts[index] if index < len(starts) else len(text)
            # a level after the landmark places the finding again: "adjacent to the portal vein at the level of
            # segment 4"
            level = self.veto_clauses.landmark.search(text, found.end(), edge)  # type: ignore[union-attr]
            if level is not None:
                edge = level.start()
            kept.append(text[position : found.start()])
            kept.append(" " * (edge - found.start()))
            position = edge
            found = landmark.search(text, edge)
        kept.append(text[position:])
        self._without_landmark_text[sentence] = "".join(kept)
        return self._without_landmark_text[sentence]

    def vetoed(self, name: str, veto: VetoWords, sentence: int, char_start: int, char_end: int) -> bool:
        """Whether the clause around [char_start, char_end) names a veto word of label ``name``."""
        # A veto word in the clause is one in the sentence: most sentences name none, and need no clause.
        if not self.names_veto_word(name, veto, sentence):
            return False
        text, lower = self.text, self.lower
        first, after = self.bounds[sentence], self.bounds[sentence + 1]
        if _inside_word(text, char_start) or _inside_word(text, char_end):
            # a clause edge word could end at or cross the mention's edge: only a scan of the cut text says
            cut_lower = lower[first:after] if lower is not None else None
            left, right = self.veto_clauses.clause_bounds(
                text[first:after], char_start - first, char_end - first, cut_lower
            )
        else:
            starts, ends = self.edges(sentence)
            index = bisect.bisect_right(ends, char_start - first)
            left = ends[index - 1] if index > 0 else 0
            index = bisect.bisect_left(starts, char_end - first)
            right = starts[index] if index < len(starts) else after - first
        landmark_phrase = self.veto_clauses.landmark
        landmark = landmark_phrase.search(text, char_end, first + right) if landmark_phrase is not None else None
        if landmark is not None:
            right = landmark.start() - first  # what follows is the place beside the finding, not its organ
        # a clause may be the whole sentence: the same answer as `names_veto_word` (same key), unless the label's own
        # anatomy may lift the veto (a key of its own)
        key: tuple[object, ...] = (name, first + left, first + right)
        if veto.own_anatomy is not None:
            key = (*key, "own anatomy")
        found = self._vetoed.get(key)
        if found is None:
            clause = slice(first + left, first + right)
            clause_lower = lower[clause] if lower is not None else None
            found = veto.search(text[clause], clause_lower) and not (
                veto.own_anatomy is not None
                and (
                    veto.own_anatomy.search(text[clause], clause_lower)
                    or _own_anatomy_listed_after(text, first + right, after, veto.own_anatomy)
                )
            )
            self._vetoed[key] = found
        return found


_LIST_JOINT = re.compile(r"\s*(?:,\s*(?:and\b)?|and\b)", re.IGNORECASE)
_PUNCTUATION_EDGE = re.compile(r"[;:()]|\b(?:that|which|who)\b", re.IGNORECASE)  # a relative clause ends the list
_WORD = re.compile(r"[\w-]+")
_PART_END = re.compile(r"[,;:]")
# landmark verbs that are also the noun of a finding ("pulmonary infiltrates"): they end no organ's reach in a sentence
_NOUN_LANDMARKS = frozenset({"infiltrates", "infiltrating"})
_PLACE_WITH_PREPOSITION = re.compile(r"\s*(?:in|of|at|within|along)\b", re.IGNORECASE)
_SHARED_VERB = re.compile(r"\b(?:is|are|was|were)\b", re.IGNORECASE)
# the words of a list of places besides the label's own: "and in the wall of the ascending and descending aorta"
# fmt: off
_PLACE_LIST_WORDS = frozenset({
    "and", "or", "in", "of", "at", "along", "within", "the", "a", "both", "its", "their", "wall", "walls", "ascending",
    "descending", "thoracic", "abdominal", "infrarenal", "suprarenal", "proximal", "distal", "mid", "left", "right",
    "main", "common", "external", "internal", "branch", "branches", "artery", "arteries", "arterial", "segment",
    "segments", "portion", "part", "arch", "root", "bulb", "bulbs", "bifurcation", "bifurcations", "origin", "origins",
    "bilaterally", "vessels",
    # the other vessels and valves of the list: "of the aortic valve, the aorta and the coronary arteries"
    "aorta", "aortic", "coronary", "coronaries", "carotid", "carotids", "iliac", "iliacs", "femoral", "subclavian",
    "brachiocephalic", "valve", "valves", "mitral", "annulus",
})
# the words of a list of organs besides the organs ("Liver, spleen, both kidneys and adrenal glands") and of the short
# predicate between such a list and its finding ("... are without focal lesions", "... show no focal lesion")
_ORGAN_LIST_WORDS = frozenset({"and", "or", "the", "both", "left", "right", "gland", "glands", "imaged", "visualized"})
_LIST_PREDICATE_WORDS = frozenset({
    "are", "is", "were", "was", "show", "shows", "showed", "demonstrate", "demonstrates", "with", "without", "no",
    "not", "any", "free", "of", "have", "has", "contain", "contains", "devoid", "lack", "normal", "unremarkable",
    "homogeneous", "a", "an",
})
# fmt: on


def _own_anatomy_listed_after(text: str, clause_end: int, sentence_end: int, own_anatomy: WordStartRegex) -> bool:
    """Whether the clause ends at an "and" or a comma that only lists more places, up to the next punctuation other than
    a comma, one of them the label's own anatomy: "Calcific plaques are observed in the coronary arteries and in the
    thoracic aorta", "Calcification of the aortic valve, the aorta and the coronary arteries" (not "... and aortic
    atherosclerosis", "..., the aorta is of normal calibre": a finding or a clause of their own)."""
    joint = _LIST_JOINT.match(text, clause_end, sentence_end)
    if joint is None:
        return False
    stop = _PUNCTUATION_EDGE.search(text, joint.end(), sentence_end)
    end = stop.start() if stop is not None else sentence_end
    # a list of places each with its preposition ends at the verb the places share: "Fluid in the pleural cavities
    # and in the pericardium is not determined"
    if _PLACE_WITH_PREPOSITION.match(text, joint.end(), end):
        verb = _SHARED_VERB.search(text, joint.end(), end)
        end = verb.start() if verb is not None else end
    listed = text[joint.end() : end]
    places = own_anatomy.spans(listed)
    if not places:
        return False
    for start, stop_at in reversed(places):
        listed = listed[:start] + " " + listed[stop_at:]
    return all(word.lower() in _PLACE_LIST_WORDS for word in _WORD.findall(listed))


def _semicolon_parts(text: str, first: int, after: int) -> list[int]:
    """Where each semicolon-separated part of text[first:after] starts (a semicolon in brackets cuts nothing: "(series
    3; image 45)")."""
    starts = [first]
    depth = 0
    for position in range(first, after):
        character = text[position]
        if character == "(":
            depth += 1
        elif character == ")":
            depth = max(0, depth - 1)
        elif character == ";" and depth == 0:
            starts.append(position + 1)
    return starts


def _part_index(part_starts: list[int], offset: int) -> int:
    return bisect.bisect_right(part_starts, offset) - 1


def _first_part_naming(
    requires: WordStartRegex, text: str, lower: str | None, bounds: list[int], sentence: int, clauses: SentenceClauses
) -> tuple[list[int], int] | None:
    """The semicolon parts of a sentence (their starts) and the first that names a required word, where the sentence
    is cut by semicolons and its heading names none (None otherwise: no part borrows from another)."""
    first, after = bounds[sentence], bounds[sentence + 1]
    if ";" not in text[first:after] or clauses.heading_names(requires, sentence):
        return None
    words = requires.spans(text, first, after, lower)
    if not words:
        return None
    parts = _semicolon_parts(text, first, after)
    return parts, min(_part_index(parts, start) for start, _end in words)


_LIST_MARKS = re.compile(r"[\s\-*•\d.)]*")
# after the finding's words, a field name holds at most a bracketed qualifier or a second name after a slash
_FIELD_NAME_TAIL = re.compile(r"(?:[ \t]*\([^()\n]{0,30}\)|[ \t]*/[ \t]*[\w-]+(?:[ \t]+[\w-]+)?){0,2}[ \t]*:(?!\d)")
_CLAUSE_MARKS = re.compile(r"[,;]")


def _field_colon(text: str, first: int, after: int, char_start: int, char_end: int) -> int | None:
    """The colon after a field name that opens its sentence with [char_start, char_end) ("Pacemaker / ICD: ...",
    "Pleural effusion (right): ..."), or None where the mention is no field name (nor a time: "at 14:05")."""
    if _LIST_MARKS.fullmatch(text, first, char_start) is None:
        return None
    tail = _FIELD_NAME_TAIL.match(text, char_end, after)
    return None if tail is None else tail.end() - 1


_TWO_WORD_CHARACTERS = re.compile(r"\w\w")


def _inside_word(text: str, offset: int) -> bool:
    """Whether word characters lie on both sides of ``offset``."""
    return 0 < offset < len(text) and _TWO_WORD_CHARACTERS.fullmatch(text, offset - 1, offset + 1) is not None


def pattern_reach(pattern: tuple[dict[str, Any], ...]) -> int:
    """The most tokens a pattern can span (a large number for unbounded operators)."""
    reach = 0
    for token in pattern:
        op = str(token.get("OP", "1"))
        if op in {"*", "+"}:
            return 10_000
        if op.startswith("{"):
            reach += int(op.strip("{}").split(",")[-1] or 10_000)
        elif op != "!":
            reach += 1
    return reach


def last_required_index(pattern: tuple[dict[str, Any], ...]) -> int:
    """The index of the last obligatory token after the first (0 when there is none)."""
    for index in range(len(pattern) - 1, 0, -1):
        if str(pattern[index].get("OP", "1")) in {"1", "+"}:
            return index
    return 0


def required_words(pattern: tuple[dict[str, Any], ...]) -> list[str] | None:
    """The words the last obligatory token after the first can be, or None when it is not a fixed word list."""
    index = last_required_index(pattern)
    lower = pattern[index].get("LOWER") if index else None
    if isinstance(lower, str):
        return [lower]
    if isinstance(lower, dict) and isinstance(lower.get("IN"), list):
        return [str(w) for w in lower["IN"]]
    return None


def pattern_groups(label: LabelDef) -> list[tuple[str, list[tuple[dict[str, Any], ...]]]]:
    """The label's token patterns grouped by the words they open with and the words they need after it (see
    ``required_words``), each group keyed by a rule name: the label's name, then ``name#2``, ``name#3`` ...

    Patterns sharing an opening word share a group, so a frequent word runs few Matchers, unless they need different
    words after it: a costly pattern ("pulmonary ... and is enlarged", ten free tokens) then runs only where its own
    words follow, not wherever a cheap one's do ("pulmonary nodule 5 mm").
    """
    groups: list[tuple[set[str], list[tuple[dict[str, Any], ...]]]] = []
    for pattern in label.patterns:
        words = {w.lower() for w in anchor_words(label, pattern)}
        sharing = [group for group in groups if group[0] & words]
        merged = (words.union(*(g[0] for g in sharing)), [p for g in sharing for p in g[1]] + [pattern])
        groups = [group for group in groups if all(group is not other for other in sharing)] + [merged]
    split = [
        [p for p in patterns if _required_key(p) == key]
        for _words, patterns in groups
        for key in dict.fromkeys(_required_key(p) for p in patterns)
    ]
    return [(label.name if i == 0 else f"{label.name}#{i + 1}", patterns) for i, patterns in enumerate(split)]


def _required_key(pattern: tuple[dict[str, Any], ...]) -> tuple[str, ...] | None:
    words = required_words(pattern)
    return None if words is None else tuple(sorted(set(words)))


def anchor_words(label: LabelDef, pattern: tuple[dict[str, Any], ...]) -> list[str]:
    """The words a pattern's first token can be (its LOWER value or IN list)."""
    lower = pattern[0].get("LOWER")
    if isinstance(lower, str):
        return [lower]
    if isinstance(lower, dict) and isinstance(lower.get("IN"), list):
        return [str(w) for w in lower["IN"]]
    raise LexiconError(f"label {label.name}: a pattern's first token needs LOWER (a word or an IN list): {pattern[0]}")


_RANGE_ENDS = frozenset(
    ["mildly", "slightly", "minimally", "moderately", "markedly", "enlarged", "increased", "dilated", "prominent"]
)


def _opens_a_range(doc: Doc, end: int, sentence_starts: list[int]) -> bool:
    """Whether a normal statement ending at token ``end`` opens a range up to an abnormal size ("heart size: normal to
    mildly enlarged"): then it states no absence ("normal to borderline" still does)."""
    if end + 1 >= len(doc) or doc[end].lower_ != "to" or doc[end + 1].lower_ not in _RANGE_ENDS:
        return False
    return bisect.bisect_right(sentence_starts, end + 1) == bisect.bisect_right(sentence_starts, end - 1)


def longest_spans(spans: list[tuple[int, int]], prefer_later: bool = False) -> list[tuple[int, int]]:
    """Drop spans overlapping a longer one; between equal lengths the earlier (or later) wins.

    Sorted by start; ``spans`` itself where it is already sorted, without repeats and overlaps (do not change it).
    """
    if _in_text_order_apart(spans):
        return spans  # the common case (matches come in text order): all kept, nothing to sort
    ordered = sorted(set(spans))
    previous_end = -1
    for start, end in ordered:
        if start < previous_end:
            break
        previous_end = end
    else:
        return ordered  # no overlaps: all kept
    order = -1 if prefer_later else 1
    kept: list[tuple[int, int]] = []
    for _length, _first, start, end in sorted([(s - e, order * s, s, e) for s, e in ordered]):
        for kept_start, kept_end in kept:
            if start < kept_end and kept_start < end:
                break
        else:
            kept.append((start, end))
    return sorted(kept)


def _in_text_order_apart(spans: list[tuple[int, int]]) -> bool:
    """Whether each span starts after the one before starts and not before it ends: then ``spans`` is sorted, has
    no repeats and no overlaps."""
    previous_start = previous_end = -1
    for start, end in spans:
        if start <= previous_start or start < previous_end:
            return False
        previous_start, previous_end = start, end
    return True
