"""Sections, sentences and organ-system tagging of radiology reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from curation.reports.lexicon import LexiconError, load_lexicon
from curation.reports.report_analyzer import ReportAnalyzer
from curation.reports.sections import SectionSplitter
from curation.reports.sentences import sentence_spans
from curation.resources import lexicons_dir
from tests.report_expectations import study_statuses


@pytest.fixture(scope="module")
def analyzer() -> ReportAnalyzer:
    return ReportAnalyzer()


@pytest.fixture(scope="module")
def splitter() -> SectionSplitter:
    return SectionSplitter(load_lexicon().sections)


def test_headed_report_splits_into_canonical_sections(splitter: SectionSplitter) -> None:
    text = "CLINICAL HISTORY: Cough.\nTECHNIQUE: Non-contrast CT.\nFINDINGS:\nNo effusion.\nIMPRESSION: Normal."
    sections = splitter.split(text)
    assert [s.name for s in sections] == ["clinical_information", "technique", "findings", "impression"]
    assert text[sections[-1].start : sections[-1].end] == "Normal."


def test_organ_headings_are_findings_subsections_with_their_system(analyzer: ReportAnalyzer) -> None:
    text = "LUNGS: Small right effusion.\nHEART: Normal size.\nAbdomen: Unremarkable.\nIMPRESSION: Effusion."
    analysis = analyzer.analyze(text)
    assert analysis.style == "sectioned"
    assert analysis.sections == ["findings", "impression"]
    first, second, third, last = analysis.sentences
    assert (first.text, first.section) == ("Small right effusion.", "findings")
    assert "lung_airways" in first.organ_systems and "pleura" in first.organ_systems
    assert second.organ_systems == ["heart_vessels"]
    assert third.organ_systems == ["gastrointestinal_peritoneum"]
    assert last.section == "impression"


def test_prose_without_headings_is_one_findings_section(analyzer: ReportAnalyzer) -> None:
    analysis = analyzer.analyze("Trachea is open. Heart size is normal.")
    assert (analysis.style, analysis.sections) == ("prose", ["findings"])


def test_prose_with_impression_cue_gets_an_impression(analyzer: ReportAnalyzer) -> None:
    analysis = analyzer.analyze("Trachea is open. Small left effusion. Conclusion: Left pleural effusion.")
    assert analysis.sections == ["findings", "impression"]
    assert [s.section for s in analysis.sentences] == ["findings", "findings", "impression"]
    assert {m.section for m in analysis.mentions} == {"findings", "impression"}


def test_inline_capital_heading(splitter: SectionSplitter) -> None:
    sections = splitter.split("Lungs are clear. IMPRESSION: No acute disease.")
    assert [s.name for s in sections] == ["findings", "impression"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nodule measures 3.2 x 2.1 cm. Next.", ["Nodule measures 3.2 x 2.1 cm.", "Next."]),
        ("Discussed with Dr. Smith. Next.", ["Discussed with Dr. Smith.", "Next."]),
        ("Atelectasis vs. scar. Next.", ["Atelectasis vs. scar.", "Next."]),
        ("Cystic lesions, e.g. cysts, are seen. Next.", ["Cystic lesions, e.g. cysts, are seen.", "Next."]),
        ("1. Cardiomegaly. 2. Small effusion.", ["1. Cardiomegaly.", "2. Small effusion."]),
        ("1. Cardiomegaly.\n2. Small effusion.", ["1. Cardiomegaly.", "2. Small effusion."]),
        ("• Emphysema • Nodules in both lungs", ["• Emphysema", "• Nodules in both lungs"]),
        ("Density is 0.5 HU higher. Next.", ["Density is 0.5 HU higher.", "Next."]),
        ("Opacity, ? pneumonia. Effusion? Yes.", ["Opacity, ? pneumonia.", "Effusion?", "Yes."]),
        ("Patchy GGO in bilat. lower lobes. Next.", ["Patchy GGO in bilat. lower lobes.", "Next."]),
        ('The 5 mm "RLL nodule" is a vessel. Next.', ['The 5 mm "RLL nodule" is a vessel.', "Next."]),
        ('Cysts "Hiatal hernia" Mosaic pattern', ["Cysts", '"Hiatal hernia" Mosaic pattern']),
        (
            "Primary tumour\n  Location: RLL\n  Satellite nodules, same lobe: none\nN3: none",
            ["Primary tumour", "Location: RLL", "Satellite nodules, same lobe: none", "N3: none"],
        ),
    ],
)
def test_sentence_splitter_survives_radiology_text(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in sentence_spans(text)] == expected


def test_offsets_refer_to_the_input_text(analyzer: ReportAnalyzer) -> None:
    text = "  FINDINGS:\n  Mild  cardiomegaly.  No   pleural effusion.\n\nIMPRESSION:  Cardiomegaly. "
    analysis = analyzer.analyze(text)
    for sentence in analysis.sentences:
        assert text[sentence.char_start : sentence.char_end] == sentence.text
    for mention in analysis.mentions:
        assert text[mention.char_start : mention.char_end] == mention.mention_text
    assert [s.index for s in analysis.sentences] == list(range(len(analysis.sentences)))


def test_empty_report(analyzer: ReportAnalyzer) -> None:
    analysis = analyzer.analyze("")
    assert (analysis.sentences, analysis.mentions, analysis.study_labels()) == ([], [], [])


def test_analyze_many_matches_analyze(analyzer: ReportAnalyzer) -> None:
    texts = ["No effusion.", "Mild emphysema.", ""]
    assert list(analyzer.analyze_many(texts)) == [analyzer.analyze(t) for t in texts]


def test_lexicon_errors_name_the_file_and_entry(tmp_path: Path) -> None:
    source = load_lexicon().source
    for name in ("sections.yaml", "organ_systems.yaml", "assertion_cues.yaml"):
        (tmp_path / name).write_text((source / name).read_text())
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "pleura.yaml").write_text(
        "labels:\n  - name: pleural_effusion\n    organ_system: pleura\n    synonyms: [effusion]\n"
        "  - name: Bad Name\n    organ_system: pleura\n    synonyms: [x]\n"
    )
    with pytest.raises(LexiconError, match=r"pleura\.yaml: labels\[1\] \(Bad Name\): name must be snake_case"):
        load_lexicon(tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a one-line preamble with no heading after it: the rest is findings
        (
            "Comparison: CT angiography dated 25.12.2019. Trachea open. Small left pleural effusion.",
            [
                ("comparison", "CT angiography dated 25.12.2019."),
                ("findings", "Trachea open."),
                ("findings", "Small left pleural effusion."),
            ],
        ),
        (
            "CLINICAL HISTORY: cough, fever\nThe lungs are clear.",
            [("clinical_information", "cough, fever"), ("findings", "The lungs are clear.")],
        ),
        # with a heading after it, a preamble keeps all its sentences
        (
            "TECHNIQUE: Axial images. IV contrast.\nFINDINGS: Clear lungs.",
            [("technique", "Axial images."), ("technique", "IV contrast."), ("findings", "Clear lungs.")],
        ),
    ],
)
def test_a_last_preamble_section_holds_its_first_line_or_sentence(
    analyzer: ReportAnalyzer, text: str, expected: list[tuple[str, str]]
) -> None:
    assert [(s.section, s.text) for s in analyzer.analyze(text).sentences] == expected


def test_the_indication_sets_no_study_status(analyzer: ReportAnalyzer) -> None:
    analysis = analyzer.analyze("INDICATION: Pleural effusion? Pneumonia?\nFINDINGS: No pleural effusion.")
    assert next((m.label, m.section) for m in analysis.mentions) == ("pleural_effusion", "clinical_information")
    assert [(row.label, row.status) for row in analysis.study_labels()] == [("pleural_effusion", "negative")]


def test_a_hard_wrapped_report_is_read_as_if_single_spaced(analyzer: ReportAnalyzer) -> None:
    """RIS exports wrap lines at a fixed width: a phrase broken by a line end or a double space still counts,
    and offsets and mention text stay those of the text as written."""
    text = "FINDINGS: Small left pleural\neffusion measuring 3.2 x\n2.1 cm. No free\ngas. No  pneumothorax."
    analysis = analyzer.analyze(text)
    found = [(m.label, m.assertion, m.mention_text, m.size_mm) for m in analysis.mentions]
    assert found == [
        ("pleural_effusion", "POSITIVE", "pleural\neffusion", 32.0),
        ("free_air", "NEGATIVE", "free\ngas", None),
        ("pneumothorax", "NEGATIVE", "pneumothorax", None),
    ]
    assert all(text[m.char_start : m.char_end] == m.mention_text for m in analysis.mentions)
    assert analysis.sentences[0].text == "Small left pleural\neffusion measuring 3.2 x\n2.1 cm."


def test_an_addendum_has_the_last_word_on_the_labels_it_mentions(analyzer: ReportAnalyzer) -> None:
    text = (
        "FINDINGS:\nMild right hydronephrosis. No pneumothorax. Small left pleural effusion.\n"
        "IMPRESSION: Right hydronephrosis.\n\n"
        "ADDENDUM (next day):\nThe right renal pelvis is extrarenal; there is no hydronephrosis. "
        "A trace right pneumothorax is present, not appreciated on initial review."
    )
    analysis = analyzer.analyze(text)
    assert analysis.sections == ["findings", "impression", "addendum"]
    statuses = {row.label: row.status for row in analysis.study_labels()}
    assert statuses["hydronephrosis"] == "negative"
    assert statuses["pneumothorax"] == "positive"
    assert statuses["pleural_effusion"] == "positive"  # not in the addendum: the findings stand


def test_an_attending_final_read_has_the_last_word_like_an_addendum(analyzer: ReportAnalyzer) -> None:
    text = (
        "PRELIMINARY REPORT (resident):\nFINDINGS: Moderate cardiomegaly. Small pericardial effusion.\n"
        "IMPRESSION: Cardiomegaly with small pericardial effusion.\n\n"
        "ATTENDING FINAL (Dr. G. Smith):\nAgree with preliminary interpretation with the following exceptions:\n"
        "1. Heart size is within normal limits; there is no cardiomegaly."
    )
    analysis = analyzer.analyze(text)
    assert analysis.sections[-1] == "addendum"
    statuses = {row.label: row.status for row in analysis.study_labels()}
    assert statuses["cardiomegaly"] == "negative"
    assert statuses["pericardial_effusion"] == "positive"  # the attending left it as the resident read it


@pytest.mark.parametrize(
    ("findings", "addendum", "status"),
    [
        ("Small right pleural effusion.", "No left pleural effusion.", "positive"),  # the other side stands
        ("Small right pleural effusion.", "No right pleural effusion; the density is pleural thickening.", "negative"),
        ("Small right pleural effusion.", "No pleural effusion.", "negative"),  # no side: both
        ("Small right pleural effusion.", "No pleural effusion on the right, nor on the left.", "negative"),
        ("Bilateral small pleural effusions.", "No left pleural effusion.", "positive"),  # the right one stands
        ("Bilateral small pleural effusions.", "No left pleural effusion. No right pleural effusion.", "negative"),
        # the side in the addendum's sentence is the consolidation's, not the effusion's
        ("Small right pleural effusion.", "Consolidation in the left lower lobe without pleural effusion.", "negative"),
    ],
)
def test_an_addendum_ruling_out_one_side_keeps_the_other(
    analyzer: ReportAnalyzer, findings: str, addendum: str, status: str
) -> None:
    text = f"FINDINGS: {findings} No pneumothorax.\n\nADDENDUM: {addendum}"
    statuses = {row.label: row.status for row in analyzer.analyze(text).study_labels()}
    assert statuses["pleural_effusion"] == status


def test_a_negated_mention_carries_the_one_side_written_in_its_phrase(analyzer: ReportAnalyzer) -> None:
    texts = (
        "No right pneumothorax.",
        "No pleural effusion on the left.",
        "No bilateral effusions.",
        "No right or left pleural effusion.",
        "Consolidation in the left lower lobe without pleural effusion.",
    )
    sides = {
        text: [m.laterality for m in analyzer.analyze(text).mentions if m.assertion == "NEGATIVE"] for text in texts
    }
    assert sides == {
        "No right pneumothorax.": ["right"],
        "No pleural effusion on the left.": ["left"],
        "No bilateral effusions.": [None],
        "No right or left pleural effusion.": [None],
        "Consolidation in the left lower lobe without pleural effusion.": [None],
    }


def test_a_named_coronary_artery_calcified_outweighs_the_others_not_calcified(analyzer: ReportAnalyzer) -> None:
    text = "FINDINGS: The LAD is calcified; the other coronary arteries are not calcified."
    statuses = {row.label: row.status for row in analyzer.analyze(text).study_labels()}
    assert statuses["coronary_artery_wall_calcification"] == "positive"


def test_a_shared_anatomy_word_still_places_a_sentence_among_the_lungs(analyzer: ReportAnalyzer) -> None:
    """ "lobe" and "segment" are shared with the liver and thyroid: they give the sentence its organ system, but do
    not outweigh another organ the sentence names (see organ_systems.yaml, shared_terms)."""
    [sentence] = analyzer.analyze("Linear density in the left lobe, segment 6.").sentences
    assert sentence.organ_systems == ["lung_airways"]


def test_words_broken_at_line_ends_are_read_and_keep_their_offsets(analyzer: ReportAnalyzer) -> None:
    text = "FINDINGS: Moderate left pleu-\nral effusion. No pneumo-\nthorax. Patchy ground-\nglass opacity."
    analysis = analyzer.analyze(text)
    found = {(m.label, m.assertion, m.mention_text) for m in analysis.mentions}
    assert ("pleural_effusion", "POSITIVE", "pleu-\nral effusion") in found
    assert ("pneumothorax", "NEGATIVE", "pneumo-\nthorax") in found
    assert ("lung_opacity", "POSITIVE", "ground-\nglass") in found
    assert all(text[m.char_start : m.char_end] == m.mention_text for m in analysis.mentions)


@pytest.mark.parametrize(
    "text",
    [
        "Liver unremarkable apart from a 2 cm simple cyst.",
        "Spleen unremarkable except for a 1 cm hypodense lesion.",
        "The pericardium is normal in thickness with a trace of fluid.",
    ],
)
def test_a_normal_statement_leaves_the_finding_beside_it(analyzer: ReportAnalyzer, text: str) -> None:
    """The statement's organ word is no requirement the finding borrows: the cyst stays (study label positive)."""
    assert "positive" in {row.status for row in analyzer.analyze(f"FINDINGS: {text}").study_labels()}


def test_a_measurement_table_after_the_comparison_is_findings(analyzer: ReportAnalyzer) -> None:
    text = (
        "Comparison: Baseline CT.\n\nMeasurements:\nSite\tBaseline (cm)\tCurrent (cm)\n"
        "R supraclavicular node\t2.5 x 1.8\t1.0 x 0.7\n\nLungs: No pulmonary nodules."
    )
    statuses = {row.label: row.status for row in analyzer.analyze(text).study_labels()}
    assert statuses["lymphadenopathy"] == "positive"


def test_an_all_lower_case_report_has_its_lone_line_headings() -> None:
    text = "ct chest w contrast\nindication sob cough\nfindings\nhilar nodes\nimpression\nsarcoid"
    sections = SectionSplitter(load_lexicon().sections).split(text)
    assert [(s.name, text[s.start : s.end].strip()) for s in sections] == [
        ("technique", "ct chest w contrast"),
        ("other", "indication sob cough"),
        ("findings", "hilar nodes"),
        ("impression", "sarcoid"),
    ]


def test_a_line_opening_with_a_side_starts_a_sentence() -> None:
    text = "no effusion, no PTX\nL chest port, tip at cavoatrial junction."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "no effusion, no PTX",
        "L chest port, tip at cavoatrial junction.",
    ]


def test_a_quoted_outside_report_is_not_this_reading() -> None:
    text = (
        'Outside report (quoted): "6 mm solid nodule in the right upper lobe."\n\n'
        "FINDINGS:\nThe previously described right upper lobe nodule is not confirmed."
    )
    assert [s.name for s in SectionSplitter(load_lexicon().sections).split(text)] == ["comparison", "findings"]


@pytest.mark.parametrize(
    "text",
    [
        "FINDINGS: There is no\nR sided pneumothorax.",  # a line may not end a sentence after "no"
        "FINDINGS: Mild degenerative changes of the\nC spine.",  # a capital alone is no side
    ],
)
def test_a_wrapped_sentence_stays_one(text: str) -> None:
    body = text.split(": ", 1)[1]
    assert [body[a:b] for a, b in sentence_spans(body)] == [body]


@pytest.mark.parametrize(
    "text",
    [
        "FINDINGS: No prior study available for\ncomparison\nSmall right pneumothorax.",
        "FINDINGS:\nEvaluation limited by motion and suboptimal\ntechnique\nSmall right pneumothorax.",
        "ORIGINAL IMPRESSION: Small right pneumothorax.\nADDENDUM: The opacity represents atelectasis.",
    ],
)
def test_a_word_that_names_a_section_inside_a_sentence_opens_none(text: str) -> None:
    assert study_statuses(ReportAnalyzer(), text)["pneumothorax"] == "positive"


def test_a_title_case_heading_alone_between_sentences_is_a_heading() -> None:
    text = "Findings:\nLung Bases\nClear.\nLiver\nA 2 cm cyst.\nLymph nodes\n  N2: subcarinal 12 mm\nImpression:\nCyst."
    lexicon = load_lexicon()
    synonyms = [synonym for label in lexicon.labels for synonym in label.synonyms]
    sections = SectionSplitter(lexicon.sections, finding_terms=synonyms).split(text)
    assert [(s.organ_system, text[s.start : s.end].strip()) for s in sections if s.name == "findings"] == [
        (None, ""),
        ("lung_airways", "Clear."),
        # a heading that names a finding stays the finding's words
        ("hepatobiliary", "A 2 cm cyst.\nLymph nodes\n  N2: subcarinal 12 mm"),
    ]


def test_a_wrapped_sentence_keeps_its_anatomy_words() -> None:
    text = "Small nodules are seen in both\nlungs\nand a small effusion.\nThe heart is\nLiver\nshaped."
    assert [s.heading for s in SectionSplitter(load_lexicon().sections).split(text)] == [None]


def test_the_first_line_naming_the_exam_is_the_procedure(analyzer: ReportAnalyzer) -> None:
    """The "PE" of a PE protocol is no embolism; a first line that says what the scan shows is findings."""
    text = "CTA CHEST PE PROTOCOL\nNo pulmonary embolism. Small right effusion.\nIMPRESSION: No PE."
    analysis = analyzer.analyze(text)
    assert analysis.sentences[0].section == "technique"
    assert {row.label: row.status for row in analysis.study_labels()}["pulmonary_embolism"] == "negative"
    for text in (
        "CT chest shows a small effusion.\nNo nodules.",
        "CTA chest: no PE.\nSmall effusion.",
        "CT features suggestive of tuberculosis with right pleural effusion.\nAdvised clinical correlation.",
        "CT KUB - right ureteric calculus with mild hydronephrosis\nLeft kidney normal.",
    ):
        assert analyzer.analyze(text).sentences[0].section == "findings"


def test_a_pattern_word_yaml_reads_as_true_or_false_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "lexicons"
    shutil.copytree(lexicons_dir(), folder)
    path = folder / "labels" / "mediastinum_lymph_nodes.yaml"
    path.write_text(
        path.read_text().replace('"no", "not", "nor", without, absence', 'no, "not", "nor", without, absence')
    )
    with pytest.raises(LexiconError, match=r"pattern words must be strings \(quote them\), got \[False\]"):
        ReportAnalyzer(folder)
