"""Misspelt words, words run together, misheard phrases and look-alike letters read as the lexicon's words
(``curation/reports/misspelled_words.py``), with mentions kept on the report as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from curation.reports.lexicon import LexiconError
from curation.reports.misspelled_words import MisspelledWords, medical_words
from curation.reports.report_analyzer import ReportAnalyzer


@pytest.fixture(scope="module")
def analyzer() -> ReportAnalyzer:
    return ReportAnalyzer()


@pytest.fixture(scope="module")
def words() -> MisspelledWords:
    return MisspelledWords(
        ["pleural effusion", "consolidation", "pneumothorax", "nodule", "nodes", "lymphadenopathy"],
        english=frozenset({"notes", "examine", "opacify", "arise", "dense", "small"}),
        misheard=[("plural effusion", "pleural effusion")],
    )


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("consolidaton", "consolidation"),  # a letter dropped
        ("pnuemothorax", "pneumothorax"),  # two neighbours swapped
        ("lymphadenopaty", "lymphadenopathy"),
        ("cardiomegally", None),  # no lexicon word near it here
        ("nodul", "nodule"),  # five letters: only a letter missing
        ("pleuraleffusion", "pleural effusion"),  # two words run together
        ("notes", None),  # an English word, one letter from "nodes"
        ("examined", None),  # an inflected English word
        ("opacifies", None),
        ("arising", None),
        ("nodus", None),  # five letters, a letter changed: too many neighbours
    ],
)
def test_a_word_is_read_as_the_lexicons(words: MisspelledWords, word: str, expected: str | None) -> None:
    assert words.correction(word) == expected


def test_a_corrected_sentence_leads_back_to_the_text_as_written(words: MisspelledWords) -> None:
    sentence = "Dense CONSOLIDATON, no pnuemothorax; small plural effusion."
    corrected, offsets = words.corrected(sentence)
    assert corrected == "Dense CONSOLIDATION, no pneumothorax; small pleural effusion."
    assert offsets is not None and len(offsets) == len(corrected)
    start = corrected.index("pneumothorax")
    assert sentence[offsets[start] : offsets[start + len("pneumothorax") - 1] + 1] == "pnuemothorax"


def test_look_alike_letters_are_read_as_latin(words: MisspelledWords) -> None:
    assert words.corrected("Small pleural efüsion, consolidatіon.")[0] == "Small pleural effusion, consolidation."


def test_a_sentence_in_another_language_is_left_as_written(words: MisspelledWords) -> None:
    assert words.corrected("Sin nódulos pulmonares, geen consolidatie.") == (
        "Sin nódulos pulmonares, geen consolidatie.",
        None,
    )


def test_a_sentence_without_slips_is_left_alone(words: MisspelledWords) -> None:
    assert words.corrected("No pleural effusion.", [5, 6]) == ("No pleural effusion.", [5, 6])


@pytest.mark.parametrize(
    ("text", "label", "status", "written"),
    [
        ("FINDINGS: Right lower lobe consolidaton. No  pnuemothorax.", "consolidation", "positive", "consolidaton"),
        ("FINDINGS: Right lower lobe consolidaton. No  pnuemothorax.", "pneumothorax", "negative", "pnuemothorax"),
        ("FINDINGS: No pleuraleffusion.", "pleural_effusion", "negative", "pleuraleffusion"),
        ("FINDINGS: Small right plural effusion.", "pleural_effusion", "positive", "plural effusion"),
        ("FINDINGS: Centrilobular emphysemа in the upper zones.", "emphysema", "positive", "emphysemа"),
        ("FINDINGS: No pleural efusion.", "pleural_effusion", "negative", "efusion"),
        ("FINDINGS: Mild cardiomegally.", "cardiomegaly", "positive", "cardiomegally"),
        # two words run together: the second keeps its own letters
        ("FINDINGS: Moderateemphysema in the upper lobes.", "emphysema", "positive", "emphysema"),
        ("FINDINGS: Mild bilateralatelectasis.", "atelectasis", "positive", "atelectasis"),
    ],
)
def test_reports_with_slips(analyzer: ReportAnalyzer, text: str, label: str, status: str, written: str) -> None:
    analysis = analyzer.analyze(text)
    assert {row.label: row.status for row in analysis.study_labels()}[label] == status
    mention = next(m for m in analysis.mentions if m.label == label)
    assert text[mention.char_start : mention.char_end] == mention.mention_text
    assert written in mention.mention_text


@pytest.mark.parametrize(
    "text",
    [
        "FINDINGS: Aortocaval lymph node 8 mm.",  # a medical word the English lists lack stays as written
        "FINDINGS: Patient on statin therapy.",
        "FINDINGS: Miliary nodules.",  # an English word, one letter from "biliary"
        "FINDINGS: Contrast opacifies the left atrial appendage.",
        "FINDINGS: Bilateral hemothoraces.",
    ],
)
def test_real_words_are_no_slips(analyzer: ReportAnalyzer, text: str) -> None:
    corrected = analyzer.component.sentences.misspellings.corrected(text)
    assert corrected == (text, None)


def test_only_letters_are_folded(analyzer: ReportAnalyzer) -> None:
    analysis = analyzer.analyze("FINDINGS: A 1½ cm nodule in the right upper lobe, pleural efüsion.")
    assert [m.size_mm for m in analysis.mentions if m.label == "lung_nodule"] == [None]  # "½" is no "1"
    assert {row.label for row in analysis.study_labels()} >= {"pleural_effusion"}


def test_a_very_long_run_of_letters_is_no_word(words: MisspelledWords) -> None:
    assert words.correction("a" * 50_000) is None


def test_a_malformed_medical_words_file_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "medical_words.yaml").write_text("words: [aortocaval]\nmisheard:\n  - [plural effusion]\n")
    with pytest.raises(LexiconError, match=r"medical_words\.yaml: misheard\[0\]: must be a pair"):
        medical_words(tmp_path)
