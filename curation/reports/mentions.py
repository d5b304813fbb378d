"""Find abnormality label mentions with a PhraseMatcher (lower-cased) and a token Matcher.

Each label of ``lexicons/labels/*.yaml`` contributes its synonyms (plurals and hyphen/space
variants are added automatically), optional token patterns, exclusions (a longer phrase that
overlaps the match and means something else: "calcified granuloma" is not a lung nodule),
``requires_any`` (the sentence must also name one of these: "calcification" counts as coronary
calcification only beside "coronary") and ``vetoed_by`` (the clause names another organ: a
"nodule" in the thyroid is not a lung nodule).

    >>> nlp = build_pipeline()  # doctest: +SKIP
    >>> [(m.label.name, m.text) for m in nlp("Small right pleural effusions.")._.mentions]  # doctest: +SKIP
    [('pleural_effusion', 'pleural effusions')]
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from curation.reports.lexicon import LabelDef, LexiconError, load_lexicon
from curation.reports.sections import doc_text

if not Doc.has_extension("mentions"):
    Doc.set_extension("mentions", default=None)

_EXCLUSION_PREFIX = "!"
# Clause edges for vetoes: the organ named must be in the same clause as the mention.
_CLAUSE_EDGE = re.compile(r"[;,:()]|\b(?:and|but|however|while|whereas|with)\b", re.IGNORECASE)


@dataclass
class MentionRecord:
    """A label mention on a Doc; assertion and attributes are filled by later components."""

    label: LabelDef
    start: int  # token index
    end: int
    sentence_index: int
    char_start: int
    char_end: int
    text: str
    assertion: str = "POSITIVE"
    attributes: dict[str, object] = field(default_factory=dict)


def plural(word: str) -> str:
    if word.endswith(("s", "x", "sh", "ch", "z")):
        return word if word.endswith("s") else word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


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


def _word_regex(phrases: Iterable[str]) -> re.Pattern[str] | None:
    terms = sorted({p.lower() for p in phrases}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")", re.IGNORECASE)


class LabelMatcher:
    """spaCy component: ``doc._.mentions`` = label mentions (POSITIVE until assertion runs)."""

    def __init__(self, nlp: Language, lexicon_dir: str = "") -> None:
        self.labels = {label.name: label for label in load_lexicon(lexicon_dir or None).labels}
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        # The token Matcher is slow over whole reports. Every pattern starts with a fixed word (its anchor), so
        # each label's Matcher runs only on the few tokens after an anchor, up to the pattern's longest reach.
        self.anchors = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.patterns: dict[str, Matcher] = {}
        self.reach: dict[str, int] = {}
        # Words one of which must follow the anchor for any pattern of the label to match (None: no such filter);
        # checked on a window of lower-case ids before the (much slower) Matcher call.
        self.required: dict[str, frozenset[int] | None] = {}
        for label in self.labels.values():
            synonyms = {v for s in label.synonyms for v in phrase_variants(s)}
            self.phrases.add(label.name, [nlp.make_doc(s) for s in sorted(synonyms)])
            if label.exclusions:
                exclusions = {v for s in label.exclusions for v in phrase_variants(s)}
                self.phrases.add(_EXCLUSION_PREFIX + label.name, [nlp.make_doc(s) for s in sorted(exclusions)])
            if label.patterns:
                self.patterns[label.name] = Matcher(nlp.vocab)
                self.patterns[label.name].add(label.name, [list(p) for p in label.patterns])
                self.reach[label.name] = max(pattern_reach(p) for p in label.patterns)
                self.anchors.add(label.name, [nlp.make_doc(w) for p in label.patterns for w in anchor_words(label, p)])
                words = [required_words(p) for p in label.patterns]
                self.required[label.name] = (
                    None
                    if any(w is None for w in words)
                    else frozenset(nlp.vocab.strings.add(x) for w in words for x in w)  # type: ignore[union-attr]
                )
        self.requires = {name: _word_regex(label.requires_any) for name, label in self.labels.items()}
        self.vetoes = {name: _word_regex(label.vetoed_by) for name, label in self.labels.items()}

    def __call__(self, doc: Doc) -> Doc:
        strings = doc.vocab.strings
        found: dict[str, list[tuple[int, int]]] = {}
        excluded: dict[str, list[tuple[int, int]]] = {}
        starts: list[int] = doc._.sentence_starts.tolist()
        for match_id, start, end in [*self.phrases(doc), *self.pattern_matches(doc, starts)]:
            key = strings[match_id]
            target = excluded if key.startswith(_EXCLUSION_PREFIX) else found
            target.setdefault(key.lstrip(_EXCLUSION_PREFIX), []).append((start, end))
        if not found:
            doc._.mentions = []
            return doc
        text = doc_text(doc)
        token_starts, token_ends = doc._.token_offsets
        bounds = doc._.sentence_bounds
        required_seen: dict[tuple[str, int], bool] = {}
        mentions = []
        for name, spans in found.items():
            label = self.labels[name]
            requires, veto = self.requires[name], self.vetoes[name]
            exclusions = excluded.get(name, ())
            for start, end in longest_spans(spans) if len(spans) > 1 else spans:
                if exclusions and any(s < end and start < e for s, e in exclusions):
                    continue
                sentence = bisect.bisect_right(starts, start) - 1
                char_start, char_end = int(token_starts[start]), int(token_ends[end - 1])
                if requires is not None:
                    key = (name, sentence)
                    if key not in required_seen:
                        required_seen[key] = requires.search(text, bounds[sentence], bounds[sentence + 1]) is not None
                    if not required_seen[key]:
                        continue
                if veto is not None:
                    first = bounds[sentence]
                    clause = clause_around(text[first : bounds[sentence + 1]], char_start - first, char_end - first)
                    if veto.search(clause) is not None:
                        continue
                mentions.append(
                    MentionRecord(label, start, end, sentence, char_start, char_end, text[char_start:char_end])
                )
        mentions.sort(key=lambda m: (m.start, m.label.name))
        doc._.mentions = mentions
        return doc

    def pattern_matches(self, doc: Doc, sentence_starts: list[int]) -> list[tuple[int, int, int]]:
        strings = doc.vocab.strings
        matches = []
        anchors = self.anchors(doc) if self.patterns else []
        lowers: list[int] | None = None
        for anchor_id, first, _end in anchors:
            name = strings[anchor_id]
            sentence = bisect.bisect_right(sentence_starts, first)
            sentence_end = sentence_starts[sentence] if sentence < len(sentence_starts) else len(doc)
            stop = min(first + self.reach[name], sentence_end)
            required = self.required[name]
            if required is not None:
                if lowers is None:
                    lowers = doc.to_array(LOWER).tolist()
                if required.isdisjoint(lowers[first + 1 : stop]):
                    continue
            # spaCy 3.8 returns Span-relative positions here (not Doc-relative): shift them back
            matches.extend(
                (key, first, first + end) for key, start, end in self.patterns[name](doc[first:stop]) if start == 0
            )
        return matches


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


def required_words(pattern: tuple[dict[str, Any], ...]) -> list[str] | None:
    """The words the last obligatory token after the first can be, or None when it is not a fixed word list."""
    for token in reversed(pattern[1:]):
        if str(token.get("OP", "1")) not in {"1", "+"}:
            continue
        lower = token.get("LOWER")
        if isinstance(lower, str):
            return [lower]
        if isinstance(lower, dict) and isinstance(lower.get("IN"), list):
            return [str(w) for w in lower["IN"]]
        return None
    return None


def anchor_words(label: LabelDef, pattern: tuple[dict[str, Any], ...]) -> list[str]:
    """The words a pattern's first token can be (its LOWER value or IN list)."""
    lower = pattern[0].get("LOWER")
    if isinstance(lower, str):
        return [lower]
    if isinstance(lower, dict) and isinstance(lower.get("IN"), list):
        return [str(w) for w in lower["IN"]]
    raise LexiconError(f"label {label.name}: a pattern's first token needs LOWER (a word or an IN list): {pattern[0]}")


def clause_around(text: str, start: int, end: int) -> str:
    """The part of a sentence between the clause edges around [start, end)."""
    left = 0
    for edge in _CLAUSE_EDGE.finditer(text, 0, start):
        left = edge.end()
    right_edge = _CLAUSE_EDGE.search(text, end)
    return text[left : right_edge.start() if right_edge else len(text)]


def longest_spans(spans: list[tuple[int, int]], prefer_later: bool = False) -> list[tuple[int, int]]:
    """Drop spans overlapping a longer one; between equal lengths the earlier (or later) wins."""
    kept: list[tuple[int, int]] = []
    order = -1 if prefer_later else 1
    for start, end in sorted(set(spans), key=lambda s: (s[0] - s[1], order * s[0])):
        if all(end <= s or start >= e for s, e in kept):
            kept.append((start, end))
    return sorted(kept)


@Language.factory("ctcurate_mentions", default_config={"lexicon_dir": ""})
def make_label_matcher(nlp: Language, name: str, lexicon_dir: str) -> LabelMatcher:
    return LabelMatcher(nlp, lexicon_dir)
