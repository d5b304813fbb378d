"""Rules of the mention engine in general clinical language: veto words (one word a stem, several words a
whole phrase; a mention naming its own organ escapes them), counts, negation opening a mention, sides."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from curation.reports.lexicon import LexiconError, load_lexicon
from curation.reports.mentions import VetoWords
from curation.reports.report_analyzer import ReportAnalyzer
from curation.reports.telegraphic_phrases import with_copula_dropped
from curation.resources import lexicons_dir


@pytest.mark.parametrize(
    ("text", "vetoed"),
    [
        ("nodule in the kidneys", True),  # a stem: "kidney" at a word start
        ("bronchial wall", True),
        ("a nodule on the pleura", True),
        ("nodules on the pleural base", False),  # a phrase matches whole: "on the pleura" is not "on the pleural"
        ("in the soft-tissues of the neck", True),  # plural and hyphen spellings of a phrase
        ("NODULE ON THE PLEURA", True),
        ("Nodule on the plèura", False),  # no lower-cased copy for non-ASCII letters: the plain expression decides
    ],
)
def test_veto_words(text: str, vetoed: bool) -> None:
    from curation.reports.caseless import lower_if_exact

    words = VetoWords(["kidney", "bronch", "on the pleura", "soft tissue"])
    assert words.search(text, lower_if_exact(text)) is vetoed


def test_a_pleural_based_nodule_is_a_lung_nodule() -> None:
    analyzer = ReportAnalyzer()
    assert [m.label for m in analyzer.analyze("Nodules on the pleural base in the right lung.").mentions] == [
        "lung_nodule"
    ]
    assert "lung_nodule" not in [m.label for m in analyzer.analyze("A nodule on the pleura.").mentions]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "No pleural or pericardial effusion.",
            {("pleural_effusion", "NEGATIVE"), ("pericardial_effusion", "NEGATIVE")},
        ),
        (
            "No pericardial or pleural effusion.",
            {("pleural_effusion", "NEGATIVE"), ("pericardial_effusion", "NEGATIVE")},
        ),
        (
            "No pleural effusion or pericardial effusion.",
            {("pleural_effusion", "NEGATIVE"), ("pericardial_effusion", "NEGATIVE")},
        ),
        (
            "Small bilateral pleural and pericardial effusions.",
            {("pleural_effusion", "POSITIVE"), ("pericardial_effusion", "POSITIVE")},
        ),
        (
            "Minimal pericardial effusion. Left mild pleural effusion.",
            {("pleural_effusion", "POSITIVE"), ("pericardial_effusion", "POSITIVE")},
        ),
    ],
)
def test_a_mention_that_names_its_own_organ_escapes_the_veto(text: str, expected: set[tuple[str, str]]) -> None:
    analysis = ReportAnalyzer().analyze(text)
    assert {(m.label, m.assertion) for m in analysis.mentions} == expected


@pytest.mark.parametrize(
    ("text", "label", "count"),
    [
        ("Grade 3 splenic laceration.", "splenic_lesion", None),  # a grade is not a count
        ("Hepatic segment 6 metastasis measures 18 mm.", "liver_lesion", None),  # nor a segment number
        ("LI-RADS 5 lesion in the liver.", "liver_lesion", None),
        ("Two nodules in the right lung.", "lung_nodule", 2),
        ("Seen on series 3 image 45: 2 nodules.", "lung_nodule", 2),
    ],
)
def test_a_number_after_a_grade_or_place_is_no_count(text: str, label: str, count: int | None) -> None:
    mention = next(m for m in ReportAnalyzer().analyze(text).mentions if m.label == label)
    assert mention.count == count


def test_a_negation_that_opens_the_mention_negates_it() -> None:
    analysis = ReportAnalyzer().analyze("Non-enlarged mediastinal lymph nodes. Enlarged hilar lymph nodes.")
    assert [(m.label, m.assertion) for m in analysis.mentions] == [
        ("lymphadenopathy", "NEGATIVE"),
        ("lymphadenopathy", "POSITIVE"),
    ]


def test_heart_chambers_and_coronary_arteries_are_no_side_of_the_body() -> None:
    analyzer = ReportAnalyzer()
    text = "Left subclavian pacemaker with leads in the right atrium and right ventricle."
    assert {m.laterality for m in analyzer.analyze(text).mentions if m.label == "pacemaker"} == {"left"}
    text = "Right ventricular dilatation and left pleural effusion."
    assert [(m.label, m.laterality) for m in analyzer.analyze(text).mentions] == [("pleural_effusion", "left")]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # a place after "adjacent to", "in the vicinity of" ... is a landmark beside the finding, not its organ
        (
            "In the right lower lobe, a focal ground-glass density is seen in the vicinity of the osteophyte of the "
            "vertebral body.",
            "lung_opacity",
        ),
        ("A 6 mm subpleural nodule in the right lower lobe adjacent to the liver.", "lung_nodule"),
        ("A 6 mm nodule in the right upper lobe at the level of the T4 vertebra.", "lung_nodule"),
        ("Ground-glass opacity in the right lower lobe posterior to the esophagus.", "lung_opacity"),
    ],
)
def test_a_landmark_beside_the_finding_does_not_veto_it(text: str, label: str) -> None:
    assert label in {m.label for m in ReportAnalyzer().analyze(text).mentions}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # the organ the finding lies in still vetoes, and with no organ of its own the sentence veto holds
        ("A 2 cm hypodense nodule in the liver adjacent to the right lung base.", "lung_nodule"),
        ("A 4 mm nodule adjacent to the left adrenal gland.", "lung_nodule"),
        # the chambers of the heart are no cavitation
        ("No filling defect was detected in the heart cavities.", "cavitation"),
    ],
)
def test_the_organ_of_the_finding_still_vetoes(text: str, label: str) -> None:
    assert label not in {m.label for m in ReportAnalyzer().analyze(text).mentions}


def test_landmark_phrases_are_data(tmp_path: Path) -> None:
    """A landmark phrase added to ``lexicons/veto_scope.yaml`` (here "dorsal to") ends the veto's reach."""
    text = "A 6 mm nodule in the right lower lobe dorsal to the liver."
    assert "lung_nodule" not in {m.label for m in ReportAnalyzer().analyze(text).mentions}
    folder = tmp_path / "lexicons"
    shutil.copytree(lexicons_dir(), folder)
    scope = folder / "veto_scope.yaml"
    scope.write_text(scope.read_text().replace("landmark_phrases: [", "landmark_phrases: [dorsal to, "))
    assert "lung_nodule" in {m.label for m in ReportAnalyzer(folder).analyze(text).mentions}
    without = tmp_path / "without"
    shutil.copytree(lexicons_dir(), without)
    (without / "veto_scope.yaml").unlink()
    with pytest.raises(LexiconError, match=r"veto_scope\.yaml: lexicon file not found"):
        load_lexicon(without)


def lexicons_with_first_cue(tmp_path: Path, cue: str) -> Path:
    """A copy of the lexicons whose assertion cues open with ``cue`` (one YAML flow mapping)."""
    edited = tmp_path / "edited"
    shutil.copytree(lexicons_dir(), edited)
    cues = edited / "assertion_cues.yaml"
    cues.write_text(cues.read_text().replace("\ncues:\n", f"\ncues:\n  - {cue}\n", 1))
    return edited


def test_a_cue_phrase_written_twice_is_refused(tmp_path: Path) -> None:
    """The engine keeps one cue per span of words: a second entry would silently replace the first."""
    edited = lexicons_with_first_cue(tmp_path, '{phrase: "No  Evidence of", category: UNCERTAIN, direction: forward}')
    refusal = r"assertion_cues\.yaml: cues\[\d+\] \(no evidence of\): repeats the phrase of cues\[0\]"
    with pytest.raises(LexiconError, match=refusal):
        load_lexicon(edited)


def test_a_cue_only_for_an_unknown_organ_system_is_refused(tmp_path: Path) -> None:
    edited = lexicons_with_first_cue(
        tmp_path, '{phrase: "non-glowing", category: NEGATED, direction: forward, only_for: [pet_uptak]}'
    )
    with pytest.raises(LexiconError, match=r"only_for names unknown organ systems \['pet_uptak'\]"):
        load_lexicon(edited)


def test_backward_when_last_only_for_a_forward_cue(tmp_path: Path) -> None:
    edited = lexicons_with_first_cue(
        tmp_path, '{phrase: "nope", category: NEGATED, direction: backward, backward_when_last: true}'
    )
    with pytest.raises(LexiconError, match=r"backward_when_last must be true or false, and only for a forward cue"):
        load_lexicon(edited)


def test_a_key_written_twice_in_a_label_is_refused(tmp_path: Path) -> None:
    """Plain YAML keeps the last of two keys silently: a label's second ``patterns:`` would drop its first."""
    edited = tmp_path / "edited"
    shutil.copytree(lexicons_dir(), edited)
    labels = edited / "labels" / "musculoskeletal.yaml"
    text = labels.read_text()
    labels.write_text(
        text.replace(
            "    attributes: [size, location, count, change]",
            "    patterns: []\n    attributes: [size, location, count, change]",
            1,
        )
    )
    with pytest.raises(
        LexiconError, match=r"musculoskeletal\.yaml: not valid YAML \(the key 'patterns' is written twice"
    ):
        load_lexicon(edited)


def test_generic_synonyms_without_requires_any_are_refused(tmp_path: Path) -> None:
    """A generic synonym ("focal formation") names no organ: without words that place it, it would match anywhere."""
    edited = tmp_path / "edited"
    shutil.copytree(lexicons_dir(), edited)
    labels = edited / "labels" / "pleura.yaml"
    labels.write_text(
        labels.read_text().replace(
            "labels:\n",
            "labels:\n  - {name: pleural_focus, organ_system: pleura, generic_synonyms: [focal formation]}\n",
            1,
        )
    )
    with pytest.raises(LexiconError, match=r"'generic_synonyms' and 'generic_normal_statements' need 'requires_any'"):
        load_lexicon(edited)


def test_only_generic_synonyms_need_their_place() -> None:
    """lung_nodule's generic synonyms need a word of the lungs; its own words ("nodule") need none."""
    analyzer = ReportAnalyzer()

    def labels(text: str) -> set[str]:
        return {m.label for m in analyzer.analyze(text).mentions}

    assert "lung_nodule" in labels("A 4 mm nodule.")
    assert "lung_nodule" not in labels("No focal formations.")
    assert "lung_nodule" in labels("No focal formations in the lungs.")


def test_telegraphic_phrases_drop_only_a_copula_after_a_subject() -> None:
    assert with_copula_dropped(["heart is enlarged", "there is no effusion", "bronchial walls are thickened"]) == (
        "heart is enlarged",
        "heart enlarged",
        "there is no effusion",
        "bronchial walls are thickened",
        "bronchial walls thickened",
    )
