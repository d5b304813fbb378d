"""The shortcuts of mention finding give what the plain steps they replace give.

Veto words searched with a substring test first and a nested expression over lower-cased text, spans that need
no sorting, and token-pattern windows cut after the last required word are each checked against the
straightforward form, on tricky strings and, where the fixture is present, on the CT-RATE development reports.
"""

from __future__ import annotations

import random
import re

import pytest
from spacy.tokens import Doc

from curation.reports.caseless import lower_if_exact
from curation.reports.lexicon import LabelDef, load_lexicon
from curation.reports.mentions import (
    LabelMentionRules,
    VetoWords,
    _end_after_required,
    contains_any,
    last_required_index,
    longest_spans,
    shortest_substrings,
)
from curation.reports.report_analyzer import build_pipeline
from curation.reports.sentence_findings import SentenceAnalyzer
from curation.reports.term_matcher import TermKind, TermMatcher

TRICKY = [
    "Nodules in both kidneys; on the pleura, on-the-pleura and ON THE PLEURAE. Bronchial wall, kidneystone.",
    "Soft-tissue density, soft tissue, SOFT TISSUES; lymph-node, lymph nodes and LYMPH NODE.",
    "Cœur agrandi, épanchement pleural; İstanbul ſtable",
    "",
    "x",
]


def test_shortest_substrings_keep_the_words_the_others_hold() -> None:
    assert shortest_substrings(["kidneys", "kidney", "renal", "adrenal"]) == ("renal", "kidney")
    assert contains_any("Both KIDNEYS".lower(), ("renal", "kidney"))
    assert not contains_any("renal cyst", ("renal",), 5, 10)


def _plain_veto_search(words: VetoWords, text: str, start: int, end: int) -> bool:
    if words.stems is not None and words.stems.regex.search(text, start, end):
        return True
    return words.whole is not None and words.whole.search(text, start, end) is not None


def test_veto_search_on_lower_text_equals_the_plain_expressions(dev_reports: list[str]) -> None:
    vetoes = [VetoWords(label.vetoed_by) for label in load_lexicon().labels if label.vetoed_by]
    vetoes.append(VetoWords(["kidney", "bronch", "on the pleura", "soft tissue", "lymph node"]))
    sentences = [s for t in dev_reports[:150] for s in re.split(r"(?<=[.;])\s+", t) if s]
    for text in [*TRICKY, *sentences]:
        lower = lower_if_exact(text)
        for words in vetoes:
            assert words.search(text, lower) == _plain_veto_search(words, text, 0, len(text)), text
            for start in range(0, len(text), 11):
                end = min(len(text), start + 30)
                assert words.search(text, lower, start, end) == _plain_veto_search(words, text, start, end), text


def _plain_longest_spans(spans: list[tuple[int, int]], prefer_later: bool = False) -> list[tuple[int, int]]:
    order = -1 if prefer_later else 1
    kept: list[tuple[int, int]] = []
    for _length, _first, start, end in sorted([(s - e, order * s, s, e) for s, e in set(spans)]):
        if all(not (start < e and s < end) for s, e in kept):
            kept.append((start, end))
    return sorted(kept)


def test_longest_spans_equal_the_plain_greedy_choice() -> None:
    chooser = random.Random(7)
    for _ in range(3000):
        spans = []
        for _ in range(chooser.randint(1, 6)):
            start = chooser.randint(0, 12)
            spans.append((start, start + chooser.randint(1, 4)))
        if chooser.random() < 0.5:
            spans.sort()
        for prefer_later in (False, True):
            assert longest_spans(list(spans), prefer_later) == _plain_longest_spans(spans, prefer_later), spans


def test_a_window_ends_after_the_last_required_word() -> None:
    assert last_required_index(({"LOWER": "a"}, {"LOWER": "b"}, {"LOWER": "c", "OP": "?"})) == 1
    assert last_required_index(({"LOWER": "a"}, {"LOWER": "c", "OP": "?"})) == 0
    positions = [3, 5, 9]
    assert _end_after_required(positions, 2, 8, 1) == 7  # last required word at 5, one optional token after it
    assert _end_after_required(positions, 5, 9, 2) is None  # none after the anchor inside the window
    assert _end_after_required(positions, 4, 12, 3) == 12


@pytest.fixture(scope="module")
def analyzer() -> SentenceAnalyzer:
    return SentenceAnalyzer(build_pipeline(), load_lexicon(), memo_size=0)


def _plain_pattern_matches(analyzer: SentenceAnalyzer, doc: Doc, anchors: list) -> list[tuple[str, int, int]]:
    rules = analyzer.mentions
    matches = []
    for word, first, _end in anchors:
        for rule in rules.anchor_rules[word]:
            span = doc[first : min(first + rules.reach[rule], len(doc))]
            label = rules.rule_label[rule]
            matches.extend((label, first, first + end) for _key, start, end in rules.patterns[rule](span) if start == 0)
    return sorted(matches)


def test_token_patterns_in_cut_windows_match_as_in_whole_windows(
    analyzer: SentenceAnalyzer, dev_reports: list[str]
) -> None:
    texts = [
        "The heart is slightly enlarged and the heart size increased; calcification in the wall of the aorta.",
        "Enlarged mediastinal lymph nodes, pathologic node and necrotic conglomerate nodes, enlarged, no nodes.",
        *dev_reports[:300],
    ]
    found_any = False
    for text in texts:
        doc = analyzer.tokenizer(text)
        found = analyzer.terms(doc)
        required_at: dict[str, list[int]] = {}
        for word, start, _end in found[TermKind.REQUIRED]:
            required_at.setdefault(word, []).append(start)
        fast = sorted(analyzer.mentions.pattern_matches(doc, found[TermKind.ANCHOR], [0], required_at))
        assert fast == _plain_pattern_matches(analyzer, doc, found[TermKind.ANCHOR]), text
        found_any = found_any or bool(fast)
    assert found_any


def test_optional_tokens_after_the_last_required_word_stay_in_the_window() -> None:
    nlp = build_pipeline()
    heart = (
        {"LOWER": "heart"},
        {"LOWER": {"IN": ["is", "was"]}},
        {"LOWER": {"IN": ["slightly", "markedly"]}, "OP": "?"},
        {"LOWER": {"IN": ["enlarged", "large"]}, "OP": "{0,2}"},
    )
    label = LabelDef("big_heart", "Big heart", "heart_vessels", None, ("cardiomegaly",), patterns=(heart,))
    terms = TermMatcher(nlp)
    rules = LabelMentionRules(nlp, [label], terms, (), load_lexicon().veto_scope)
    assert rules.tail["big_heart"] == 3
    doc = nlp.make_doc("The heart is slightly enlarged large, the heart was normal.")
    found = terms(doc)
    required_at: dict[str, list[int]] = {}
    for word, start, _end in found[TermKind.REQUIRED]:
        required_at.setdefault(word, []).append(start)
    matches = sorted(rules.pattern_matches(doc, found[TermKind.ANCHOR], [0], required_at))
    # "heart is (slightly) (enlarged large)": the optional words run three tokens past the required "is"
    assert [(start, end) for _name, start, end in matches] == [(1, 3), (1, 4), (1, 5), (1, 6), (8, 10)]
