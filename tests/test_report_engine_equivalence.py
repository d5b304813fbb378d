"""The one-pass report engine's shortcuts give the same results as the plain expressions they replace.

Each fast path (lower-cased word-start expressions, the word trie of attribute words, headings tried at
line starts and after sentence ends only, sentence ends with the abbreviation shortcut) is checked against
the straightforward regular expression on tricky strings and, where the fixture is present, on the 800
CT-RATE development reports. Also: the size-is-not-a-count fix, and the spaCy pipeline contract.
"""

from __future__ import annotations

import bisect
import re

import pytest

from curation.reports.attributes import SentenceMatches, _rules
from curation.reports.caseless import lower_if_exact, word_start_alternation
from curation.reports.lexicon import load_lexicon
from curation.reports.mentions import VetoClauses, WordStartRegex
from curation.reports.report_analyzer import ReportAnalyzer, build_pipeline
from curation.reports.sections import SectionSplitter
from curation.reports.sentences import _LAST_WORD, ABBREVIATIONS, sentence_starts

TRICKY = [
    "No Effusion; effusions. Paraedema. EDEMA_x edema-like",
    "Right-sided effusion, RUL nodule, rul, Rt. and LT lung; bilateral (both sides) on  both\tsides.",
    "Stable, unchanged; no significant change. Newly developed NEWLY  DEVELOPED lesion.",
    "Nodule • in the right upper lobe · left lower lobe, RLL/LLL, the Middle Lobe.",
    "Cœur agrandi, épanchement pleural droit; İstanbul ſtable Kelvin K right",
    "segment VII of the liver, hepatic segment 4, S7; T12 and L1-L2, C7.",
    "“Quoted” right – left — mild° moderate² severe",
    "",
    "x",
    "Re-demonstrated nodule in the para-aortic region; para aortic, re demonstrated, pre-para-aortic, para--aortic.",
    "B/L effusions, b/l, b / l, b/ l, b//l, a/b/l, b/l/r; bilat. and L/R, RUL/RML.",
]


def _sentences_of(texts: list[str]) -> list[str]:
    return [s for t in texts for s in re.split(r"(?<=[.;])\s+", t) if s]


def test_word_start_alternation_matches_the_case_insensitive_expression(dev_reports: list[str]) -> None:
    phrases = ["effusion", "edema", "right", "rt", "no", "lung", "(left", "-like", "x"]
    for phrase_set in (phrases, ["and", "but", "however"], ["liver", "hepatic", "segment 4"]):
        ordered = sorted({p.lower() for p in phrase_set}, key=len, reverse=True)
        plain = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ordered) + ")", re.IGNORECASE)
        fast = re.compile(word_start_alternation(ordered))
        for text in [*TRICKY, *_sentences_of(dev_reports[:200])]:
            lower = lower_if_exact(text)
            if lower is None:
                continue
            assert [m.span() for m in fast.finditer(lower)] == [m.span() for m in plain.finditer(text)], text


def test_lower_if_exact_refuses_non_ascii_letters() -> None:
    assert lower_if_exact("Nodule • 3 mm – “x”") == "nodule • 3 mm – “x”"
    assert lower_if_exact("Cœur agrandi") is None
    assert lower_if_exact("ſtable") is None


def test_word_start_regex_search_equals_the_plain_expression(dev_reports: list[str]) -> None:
    regex = WordStartRegex(["Pleural", "lung", "LAD", "bile duct", "mediastin"])
    for text in [*TRICKY, *_sentences_of(dev_reports[:300])]:
        expected = regex.regex.search(text) is not None
        assert regex.search(text, lower_if_exact(text)) == expected, text
        for start in range(0, len(text), 7):
            expected = regex.regex.search(text, start, start + 20) is not None
            assert regex.search(text, lower_if_exact(text), start, start + 20) == expected


def test_word_start_regex_spans_equal_the_plain_expression(dev_reports: list[str]) -> None:
    """The nested expression on lower-cased text finds the same (longest) phrase at each start as the alternation."""
    nested = ["lymph node", "lymph nodes", "lung", "lungs", "lobe", "lobes", "lobar", "ab", "abc d", "l", "lad", "left"]
    for regex in (WordStartRegex(["Pleural", "lung", "LAD", "bile duct", "mediastin"]), WordStartRegex(nested)):
        for text in [*TRICKY, "abc e abc d ab lymph nodes lung lungs lobar", *_sentences_of(dev_reports[:300])]:
            lower = lower_if_exact(text)
            if lower is None:
                continue
            assert regex.spans(text, lower=lower) == regex.spans(text), text
            for start in range(0, len(text), 7):
                assert regex.spans(text, start, start + 20, lower) == regex.spans(text, start, start + 20)


def test_clause_bounds_on_lower_text_equal_the_plain_expression(dev_reports: list[str]) -> None:
    clauses = VetoClauses(load_lexicon().veto_scope)
    for text in [*TRICKY, *_sentences_of(dev_reports[:200])]:
        lower = lower_if_exact(text)
        for start in range(0, len(text), 5):
            end = min(len(text), start + 6)
            assert clauses.clause_bounds(text, start, end, lower) == clauses.clause_bounds(text, start, end), (
                text,
                start,
            )


def test_attribute_word_lists_match_like_their_regular_expressions(dev_reports: list[str]) -> None:
    rules = _rules("")
    families = [rules.laterality, rules.change, rules.severity, rules.location, rules.location_abbreviations]
    # every family walks the word trie ("b/l" too: a slash joins a word's parts as a hyphen does)
    assert all(family.trie is not None for family in families)
    for sentence in [*TRICKY, *_sentences_of(dev_reports)]:
        matches = SentenceMatches(sentence, rules=rules)
        for family in families:
            expected = [(m.start(), m.end(), family._value_of(m.group("w"))) for m in family.regex.finditer(sentence)]
            assert matches.of_words(family) == expected, (sentence, family.regex.pattern[:60])


def _reference_headings(splitter: SectionSplitter, text: str) -> list[tuple[int, int, str]]:
    """``find_headings`` with the full-text expressions (no candidate positions)."""
    found: dict[int, tuple[int, int, str]] = {}
    for pattern in (splitter._line_heading, splitter._inline_heading):
        for match in pattern.finditer(text):
            group = next(name for name in ("h", "u", "l") if match.groupdict().get(name))
            if splitter._by_heading.get(" ".join(match.group(group).upper().split())) is not None:
                found.setdefault(match.start(group), (match.start(group), match.end(), match.group(group)))
    return [found[key] for key in sorted(found)]


def test_section_headings_and_impression_cue_equal_the_full_text_expressions(dev_reports: list[str]) -> None:
    splitter = SectionSplitter(load_lexicon().sections)
    texts = [
        *dev_reports,
        "FINDINGS:\nLUNGS AND\nPLEURA: clear.\n  IMPRESSION: normal. CONCLUSION: none! IMPRESSION : x",
        "Normal. IMPRESSION: ok? FINDINGS: x.\nImpression\nNo change.",
        "In conclusion the lungs are clear. Opinion: none",
        "Conclusion: at the start.",
    ]
    for text in texts:
        assert [(a, b, w) for a, b, _r, w in splitter.find_headings(text)] == _reference_headings(splitter, text)
        cue = splitter._impression_cue.search(text)
        fast = splitter._impression_cue_search(text)
        assert (cue.span("h"), cue.end()) == (fast.span("h"), fast.end()) if cue else fast is None


def _reference_sentence_starts(text: str, forced: list[int]) -> list[int]:
    """The splitter written plainly: every expression over the whole text, every abbreviation looked up."""
    starts = {m.end() for p in (r"\n[ \t]*\n\s*", r"[.:;!?][ \t]*\n\s*") for m in re.finditer(p, text)}
    # a line opening with a capitalised word or a side, after a line that can end a sentence
    open_words = {"the", "of", "on", "in", "to", "a", "an", "and", "or", "with", "for", "at", "by"}
    for m in re.finditer(r"(\w? )?(\w*)[ \t]*\n[ \t]*(?=[A-Z][a-z]|[LR][ \t]+[a-z])", text):
        word = m.group(2).lower()
        if word not in open_words and not (word == "no" and (m.group(1) or "")[:1].isalnum()):
            starts.add(m.end())
    for pattern in (
        r"[•·▪●◦](?<![^\s•·▪●◦][•·▪●◦])\s*",
        r"(?m)^[ \t]*(?:(?:[-*]|\(?\d{1,2}[.)])[ \t]+(?=\S)|\|)",
    ):
        starts.update(m.start() for m in re.finditer(pattern, text))
    fields = re.finditer(r"(?m)^[ \t]*(?=[A-Za-z][\w ,/()'-]{0,40}:[ \t])", text)
    starts.update(m.end() for m in fields)
    for m in re.finditer(r"\"(?<=\s\")\s*(?=[A-Z])", text):
        closing = text.find('"', m.end())
        goes_on = re.match(r"[ \t]*[a-z,;]", text[closing + 1 :]) if closing >= 0 else None
        if closing < 0 or closing - m.end() >= 40 or re.search(r"[.!?\n]", text[m.end() : closing]) or not goes_on:
            starts.add(m.start())
    starts.update(forced)
    structural = sorted(starts)
    for match in re.finditer(r"[.!?]+[\"')\]]*(?=\s)", text):
        position = bisect.bisect_right(structural, match.start()) - 1
        current = structural[position] if position >= 0 else 0
        word = _LAST_WORD.search(text, max(current, match.start() - 12), match.start())
        space = re.compile(r"\s+").match(text, match.end())
        if word is not None:
            token = word.group(1).lower().rstrip(".")
            answer = token == "no" and space is not None and not text[space.end() : space.end() + 1].isdigit()
            if not answer and (
                token in ABBREVIATIONS or (token.isdigit() and not text[current : word.start()].strip())
            ):
                continue
        query = match.group()[0] == "?" and match.group()[1:2] not in (".", "!", "?")
        goes_on = space is not None and space.end() < len(text)
        after_mark = re.fullmatch(r"[-*•·▪●◦]|\d{1,2}[.)]", text[current : match.start()].strip()) is not None
        lone = match.start() == 0 or text[match.start() - 1].isspace()
        if query and goes_on and (after_mark or (lone and text[space.end()].islower())):
            continue  # "consolidation, ? pneumonia", "- ? Mild cardiomegaly": a query, not a sentence end
        if space is not None and space.end() < len(text):
            starts.add(space.end())
            bisect.insort(structural, space.end())
    first = len(text) - len(text.lstrip())
    starts.add(first)
    return sorted(s for s in starts if first <= s < len(text))


def test_sentence_starts_equal_the_plain_splitter(dev_reports: list[str]) -> None:
    texts = [
        *dev_reports,
        *TRICKY,
        '1. Cardiomegaly.\n2. Small effusion!! Next? "Quoted" Approx. 3 cm. Dr. Who. Appr.\n\n- item\n* item',
        "•Emphysema •• Nodules a·b. Measurements.) Next.",
        "Consolidation, ? pneumonia. Effusion? no. Nodule ?) in the lung ? Next. ?? maybe. ? x",
        "Impression:\n- ? Mild cardiomegaly.\n- Effusion. ? Next\n? Pneumonia. ?. Mosaic. • ? Hernia.",
        "1. ? Early consolidation.\n2.? Effusion.\n-? Mild cardiomegaly.\n3. Nodule ? Next",
        'The 5 mm "RLL nodule" described above. Effusion. "Nodule. " Mass "Long item with no closing quote soon',
        'air cysts "Sequelae changes in both lungs" Hernia "Hiatal hernia" Mosaic "Cyst", "Mass";',
        "Primary tumour\n  Location: RLL\n  Satellite nodules, same lobe: none\nat 09:12 the\nN3: none\nno colon",
    ]
    for text in texts:
        for forced in ([], [0], [len(text) // 2]):
            assert sentence_starts(text, forced) == _reference_sentence_starts(text, forced), text


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("A 12 mm nodule in the right upper lobe.", None),
        ("12 mm nodule.", None),
        ("A 6 x 4 mm nodule.", None),
        ("Two 12 mm nodules.", 2),
        ("There are two adjacent 2-3 mm nodules.", 2),
        ("Three nodules in the left lung.", 3),
        ("3 nodules, the largest 12 mm.", 3),
    ],
)
def test_a_size_is_not_a_count(text: str, count: int | None) -> None:
    (nodule,) = [m for m in ReportAnalyzer().analyze(text).mentions if m.label == "lung_nodule"]
    assert nodule.count == count


def test_build_pipeline_is_a_spacy_pipeline_with_the_report_on_the_doc() -> None:
    nlp = build_pipeline()
    assert nlp.pipe_names == ["ctcurate_report"]
    doc = nlp("FINDINGS: Small right pleural effusion.")
    assert [(m.label, m.assertion, m.laterality) for m in doc._.ctcurate_report.mentions] == [
        ("pleural_effusion", "POSITIVE", "right")
    ]
    docs = list(nlp.pipe(["No pneumothorax.", ""]))
    assert [len(d._.ctcurate_report.mentions) for d in docs] == [1, 0]


def test_remembered_sentences_give_what_the_analysis_gives(dev_reports: list[str]) -> None:
    """A memo hit equals a fresh analysis: the second pass (all hits) and a memo-less analyser agree."""
    texts = [*TRICKY, *dev_reports[:150], *(t.upper() for t in dev_reports[:20])]
    remembering, forgetting = ReportAnalyzer(), ReportAnalyzer()
    forgetting.component.sentences.memo_size = 0
    first = [remembering.analyze(t) for t in texts]
    assert len(remembering.component.sentences._memo) > 0
    again = [remembering.analyze(t) for t in texts]
    fresh = [forgetting.analyze(t) for t in texts]
    assert again == first == fresh
    assert not forgetting.component.sentences._memo


def test_the_memo_is_bounded() -> None:
    analyzer = ReportAnalyzer()
    sentences = analyzer.component.sentences
    sentences.memo_size = 3
    analyzer.analyze("No effusion. Small nodule. Mild emphysema. Cardiomegaly. No pneumothorax.")
    assert list(sentences._memo) == ["Mild emphysema.", "Cardiomegaly.", "No pneumothorax."]
    sentences.forget()
    assert not sentences._memo


def test_sentences_analysed_together_equal_each_analysed_alone(dev_reports: list[str]) -> None:
    """One Doc for a report's new sentences gives each sentence what its own Doc gives."""
    sentences = ReportAnalyzer().component.sentences
    for text in [*TRICKY[:7], *dev_reports[:40]]:
        parts = [s for s in re.split(r"(?<=[.;])\s+", text.strip()) if s.strip()]
        if not parts:
            continue
        assert sentences.analyze(parts) == [sentences.analyze([p])[0] for p in parts], text
