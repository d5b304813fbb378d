"""American and British spellings: every lexicon phrase is read in both (``lexicons/spelling_variants.yaml``)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from curation.reports.attributes import load_attribute_lexicon
from curation.reports.lexicon import load_lexicon
from curation.reports.report_analyzer import ReportAnalyzer
from curation.reports.spelling_variants import (
    NO_VARIANTS,
    SpellingVariantsError,
    load_spelling_variants,
)
from curation.resources import lexicons_dir
from tests.report_expectations import study_statuses


@pytest.fixture(scope="module")
def analyzer() -> ReportAnalyzer:
    return ReportAnalyzer()


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("pulmonary edema", ("pulmonary edema", "pulmonary oedema")),
        ("pulmonary oedema", ("pulmonary oedema", "pulmonary edema")),
        ("lymphedema", ("lymphedema", "lymphoedema")),  # within a word
        ("Haematoma", ("Haematoma", "Hematoma")),  # the case as written
        ("OESOPHAGUS", ("OESOPHAGUS", "ESOPHAGUS")),
        ("paraesophageal hernia", ("paraesophageal hernia", "paraoesophageal hernia")),
        ("not visualized", ("not visualized", "not visualised")),
        ("subcentimeter nodes", ("subcentimeter nodes", "subcentimetre nodes")),
        ("celiac axis", ("celiac axis", "coeliac axis")),
        ("tumoral", ("tumoral", "tumoural")),
        # only at a word start: "hemo" is no part of "chemotherapy"; "hemidiaphragm" has no British spelling
        ("chemotherapy", ("chemotherapy",)),
        ("hemidiaphragm", ("hemidiaphragm",)),
        ("pleural effusion", ("pleural effusion",)),
    ],
)
def test_a_phrase_in_both_spellings(phrase: str, expected: tuple[str, ...]) -> None:
    assert replace(load_spelling_variants(), shorthand=None).variants(phrase) == expected


def test_token_patterns_match_shorthand_in_their_lists() -> None:
    spelling = load_spelling_variants()
    pattern = ({"LOWER": {"IN": ["atelectasis"]}}, {"LOWER": {"NOT_IN": ["normal"]}, "OP": "*"})
    assert spelling.token_pattern(pattern) == (
        {"LOWER": {"IN": ["atelectasis", "atx"]}},
        {"LOWER": {"NOT_IN": ["normal", "nml", "natural"]}, "OP": "*"},
    )


def test_token_patterns_match_both_spellings() -> None:
    spelling = load_spelling_variants()
    pattern = ({"LOWER": "interstitial"}, {"LOWER": "edema"}, {"LOWER": {"IN": ["hematoma", "haematoma"]}})
    assert spelling.token_pattern(pattern) == (
        {"LOWER": "interstitial"},
        {"LOWER": {"IN": ["edema", "oedema"]}},
        {"LOWER": {"IN": ["hematoma", "haematoma"]}},
    )


def test_the_lexicons_hold_both_spellings() -> None:
    lexicon = load_lexicon()
    assert "pulmonary oedema" in lexicon.label("pulmonary_edema").synonyms
    assert "pulmonary edema" in lexicon.label("pulmonary_edema").synonyms
    cues = {cue.phrase for cue in lexicon.assertion.cues}
    assert {"not visualized", "not visualised", "in favor of", "in favour of"} <= cues
    systems = {system.name: system.terms for system in lexicon.organ_systems}
    assert "oesophageal" in systems["mediastinum_lymph_nodes"]
    attributes = load_attribute_lexicon()
    assert attributes.units["centimetre"] == attributes.units["centimeter"] == 10


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("Mild interstitial oedema.", "Mild interstitial edema."),
        ("A 2 cm haemangioma in segment 7 of the liver.", "A 2 cm hemangioma in segment 7 of the liver."),
        ("Right-sided haemothorax.", "Right-sided hemothorax."),
        ("Oedematous pancreas.", "Edematous pancreas."),
        ("Small paraoesophageal hernia.", "Small paraesophageal hernia."),
        ("The previously seen nodule is no longer visualised.", "The previously seen nodule is no longer visualized."),
        ("Appearances in favour of consolidation.", "Appearances in favor of consolidation."),
        ("A 1.2 centimetre nodule in the right upper lobe.", "A 1.2 centimeter nodule in the right upper lobe."),
    ],
)
def test_british_reports_read_like_american_ones(analyzer: ReportAnalyzer, british: str, american: str) -> None:
    def read(text: str) -> list[tuple[object, ...]]:
        return [(m.label, m.assertion, m.size_mm, m.location) for m in analyzer.analyze(text).mentions]

    assert read(british) == read(american)
    assert read(british), f"no mention in {american!r}"


def test_a_lexicon_folder_without_the_file_has_no_variants(tmp_path: Path) -> None:
    folder = tmp_path / "lexicons"
    shutil.copytree(lexicons_dir(), folder)
    (folder / "spelling_variants.yaml").unlink()
    (folder / "shorthand.yaml").unlink()
    assert load_spelling_variants(folder) is NO_VARIANTS
    assert "pulmonary oedema" in load_lexicon(folder).label("pulmonary_edema").synonyms  # written in the label file
    assert "interstitial oedema" not in load_lexicon(folder).label("pulmonary_edema").synonyms


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("at_word_start:\n  - [hemo]\n", "at_word_start[0]: must be a pair [American, British]"),
        ("within_word:\n  - [edem, EDEM]\n", "within_word[0]: the two spellings are the same"),
        ("- [edem, oedem]\n", "must be a mapping"),
        ("within_word: [edem, oedem", "not valid YAML"),
        (
            "within_word:\n  - [edem, oedem]\n  - [edem, oedeme]\n",
            "within_word[1]: 'edem' or 'oedeme' is already listed",
        ),
    ],
)
def test_a_malformed_file_is_an_error_naming_it(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "spelling_variants.yaml").write_text(content)
    with pytest.raises(SpellingVariantsError, match=r"spelling_variants\.yaml") as raised:
        load_spelling_variants(tmp_path)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("no atelectasis", ("no atelectasis", "no atx")),
        # "natural" is the normal of translated reports
        ("heart size normal", ("heart size normal", "heart size nml", "heart size natural")),
        # every combination of full and short words; a phrase listed whole is taken whole
        (
            "pulmonary artery is normal",
            (
                "pulmonary artery is normal",
                "pulmonary artery is nml",
                "pulmonary artery is natural",
                "pa is normal",
                "pa is nml",
                "pa is natural",
            ),
        ),
        ("small bowel obstruction", ("small bowel obstruction", "sbo")),
        ("fractures", ("fractures", "fxs", "fx")),
        # the case of the words it stands for
        ("PULMONARY TRUNK", ("PULMONARY TRUNK", "PULM TRUNK")),
        ("Normal", ("Normal", "Nml", "Natural")),
        # whole words only: "normality" and "abnormal" keep their letters
        ("abnormal normality", ("abnormal normality",)),
        # with the British spelling too
        ("pulmonary oedema", ("pulmonary oedema", "pulm oedema", "pulmonary edema", "pulm edema")),
    ],
)
def test_a_phrase_in_shorthand(phrase: str, expected: tuple[str, ...]) -> None:
    assert load_spelling_variants().variants(phrase) == expected


@pytest.mark.parametrize(
    ("text", "label", "status"),
    [
        ("FINDINGS: bibasilar atx. no PTX.", "atelectasis", "positive"),
        ("FINDINGS: HEART: nml size.", "cardiomegaly", "negative"),
        ("FINDINGS: bones: no acute fx.", "fracture", "negative"),
        ("FINDINGS: kidneys: no hydro or stones.", "hydronephrosis", "negative"),
        ("FINDINGS: liver: no IHBD.", "biliary_dilatation", "negative"),
        ("FINDINGS: bones: mild DJD T-spine.", "degenerative_spine_change", "positive"),
        ("FINDINGS: main PA 3.4 cm, enlarged.", "pulmonary_artery_enlargement", "positive"),
        ("FINDINGS: dual-chamber PPM.", "pacemaker", "positive"),
        # "LAD" after a nodal station is lymphadenopathy, the coronary artery elsewhere
        ("FINDINGS: no mediastinal or hilar LAD. dense LAD calcs.", "lymphadenopathy", "negative"),
        ("FINDINGS: reactive mediastinal LAD.", "lymphadenopathy", "positive"),
        ("FINDINGS: NO LAD. MILD CORONARY CALCS.", "lymphadenopathy", "negative"),
        ("FINDINGS: no LAD stenosis.", "lymphadenopathy", None),
    ],
)
def test_reports_in_shorthand(analyzer: ReportAnalyzer, text: str, label: str, status: str | None) -> None:
    assert study_statuses(analyzer, text).get(label) == status


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("shorthand:\n  - [normal]\n", "shorthand[0]: must be [word or phrase, shorthand, ...]"),
        ("shorthand:\n  - [normal, nml]\n  - [Normal, nl]\n", "shorthand[1]: 'normal' is already listed"),
        ("- [normal, nml]\n", "must be a mapping with a 'shorthand' list"),
        ("shorthand: [normal, nml", "not valid YAML"),
    ],
)
def test_a_malformed_shorthand_file_is_an_error_naming_it(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "shorthand.yaml").write_text(content)
    with pytest.raises(SpellingVariantsError, match=r"shorthand\.yaml") as raised:
        load_spelling_variants(tmp_path)
    assert message in str(raised.value)
