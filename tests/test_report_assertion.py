"""ConText assertion, study-level aggregation, attributes and the CT-RATE row/CSV helpers."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from curation.reports.attributes import sizes_mm
from curation.reports.ct_rate import CT_RATE_COLUMNS, CT_RATE_LABELS, ct_rate_row, label_reports_csv
from curation.reports.evaluation import evaluate_labels
from curation.reports.report_analyzer import ReportAnalyzer


@pytest.fixture(scope="module")
def analyzer() -> ReportAnalyzer:
    return ReportAnalyzer()


def assertions(analyzer: ReportAnalyzer, text: str) -> dict[str, str]:
    """label -> assertion of its first mention."""
    found: dict[str, str] = {}
    for mention in analyzer.analyze(text).mentions:
        found.setdefault(mention.label, mention.assertion)
    return found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No pleural effusion or pneumothorax.", {"pleural_effusion": "NEGATIVE", "pneumothorax": "NEGATIVE"}),
        (
            "No effusion, pneumothorax or consolidation.",
            {"pleural_effusion": "NEGATIVE", "pneumothorax": "NEGATIVE", "consolidation": "NEGATIVE"},
        ),
        ("No new nodules.", {"lung_nodule": "NEGATIVE"}),
        ("Lungs clear without consolidation.", {"consolidation": "NEGATIVE", "lung_opacity": "NEGATIVE"}),
        ("Pleural effusion was not observed.", {"pleural_effusion": "NEGATIVE"}),
        ("Pneumonia is not excluded.", {"pneumonia": "UNCERTAIN"}),
        ("Findings suspicious for pneumonia.", {"pneumonia": "UNCERTAIN"}),
        ("Hepatic cyst?", {"liver_lesion": "UNCERTAIN"}),
        ("No finding suggestive of pneumonia.", {"pneumonia": "NEGATIVE"}),
        ("The left pleural effusion has resolved.", {"pleural_effusion": "HISTORICAL"}),
        ("History of pneumothorax.", {"pneumothorax": "HISTORICAL"}),
        ("Stable 4 mm nodule in the right upper lobe.", {"lung_nodule": "POSITIVE"}),
        ("No change in the right upper lobe nodule.", {"lung_nodule": "POSITIVE"}),
        ("Post-surgical changes of prior lobectomy.", {"postoperative_changes": "POSITIVE"}),
        ("Small pleural effusion but no pneumothorax.", {"pleural_effusion": "POSITIVE", "pneumothorax": "NEGATIVE"}),
        ("No pneumothorax, however a small effusion.", {"pneumothorax": "NEGATIVE", "pleural_effusion": "POSITIVE"}),
        ("No consolidation; mild emphysema.", {"consolidation": "NEGATIVE", "emphysema": "POSITIVE"}),
        ("No effusion, possible atelectasis.", {"pleural_effusion": "NEGATIVE", "atelectasis": "UNCERTAIN"}),
        # a present node below the size threshold is CT-RATE's Lymphadenopathy (7 of 8 development reports)
        ("A lymph node that did not reach pathological size.", {"lymphadenopathy": "POSITIVE"}),
        ("No lymph node reached pathological size.", {"lymphadenopathy": "NEGATIVE"}),
        # a negated clause that has had its verb ends at "and"; a list under one negation does not
        (
            "No pleural effusion was seen, and atelectasis is present at the bases.",
            {"pleural_effusion": "NEGATIVE", "atelectasis": "POSITIVE"},
        ),
        (
            "No effusion is seen and atelectasis is present.",
            {"pleural_effusion": "NEGATIVE", "atelectasis": "POSITIVE"},
        ),
        (
            "No consolidation, pleural effusion, and pneumothorax.",
            {"consolidation": "NEGATIVE", "pleural_effusion": "NEGATIVE", "pneumothorax": "NEGATIVE"},
        ),
        # a backward "not seen" opening its sentence reads forward (non-native and translated reports)
        ("Not seen pleural effusion or pneumothorax.", {"pleural_effusion": "NEGATIVE", "pneumothorax": "NEGATIVE"}),
        ("- Not visible nodule or mass.", {"lung_nodule": "NEGATIVE"}),
        ("2) Not identified focal liver lesion.", {"liver_lesion": "NEGATIVE"}),
        ("Normal in size with a 6 mm hypodense focus in the liver.", {"liver_lesion": "POSITIVE"}),
        ("Not seen on the prior study, a 5 mm nodule in the right upper lobe.", {"lung_nodule": "POSITIVE"}),
    ],
)
def test_assertion(analyzer: ReportAnalyzer, text: str, expected: dict[str, str]) -> None:
    assert assertions(analyzer, text) == expected


def test_a_size_bound_is_no_change(analyzer: ReportAnalyzer) -> None:
    """ "smaller than 5 mm" bounds the size; "smaller than on the prior study" is a change."""
    [bound] = analyzer.analyze("A nodule smaller than 5 mm in the left upper lobe.").mentions
    [change] = analyzer.analyze("The nodule is smaller than on the prior study.").mentions
    [since] = analyzer.analyze("The left effusion is smaller than 3 days ago.").mentions
    assert (bound.change, change.change, since.change) == (None, "decreased", "decreased")


def test_stable_nodule_attributes(analyzer: ReportAnalyzer) -> None:
    (mention,) = analyzer.analyze("Stable 4 mm nodule in the right upper lobe.").mentions
    assert (mention.size_mm, mention.sizes_mm, mention.change) == (4.0, [4.0], "stable")
    assert (mention.laterality, mention.location) == ("right", "right_upper_lobe")


def test_size_lateral_severity_count_attributes(analyzer: ReportAnalyzer) -> None:
    analysis = analyzer.analyze("Two nodules in the left lower lobe, the largest 1.2 x 0.8 cm. Severe emphysema.")
    nodule, emphysema = analysis.mentions
    assert (nodule.count, nodule.size_mm, nodule.sizes_mm) == (2, 12.0, [12.0, 8.0])
    assert (nodule.laterality, nodule.location) == ("left", "left_lower_lobe")
    assert emphysema.severity == "severe"
    assert sizes_mm("a 3.2 x 2.1 cm mass") == [32.0, 21.0]


def test_study_labels_positive_over_uncertain_over_negative(analyzer: ReportAnalyzer) -> None:
    text = (
        "FINDINGS: No pleural effusion. Possible consolidation. Nodule 6 mm in the left lung and a 9 mm nodule "
        "in the right lung.\nIMPRESSION: Right basal consolidation. Pleural effusion has resolved."
    )
    labels = {label.label: label for label in analyzer.analyze(text).study_labels()}
    assert labels["pleural_effusion"].status == "negative"
    assert labels["consolidation"].status == "positive"
    assert labels["lung_nodule"].max_size_mm == 9.0
    assert "emphysema" not in labels  # not mentioned is not negative


def test_ct_rate_row_and_uncertain_as(analyzer: ReportAnalyzer) -> None:
    analysis = analyzer.analyze("Mild cardiomegaly. No pleural effusion. Atelectasis cannot be excluded.")
    row = ct_rate_row(analysis)
    assert list(row) == list(CT_RATE_COLUMNS) == CT_RATE_LABELS
    assert (row["Cardiomegaly"], row["Pleural effusion"], row["Atelectasis"]) == (1, 0, 1)
    assert ct_rate_row(analysis, uncertain_as=0)["Atelectasis"] == 0


def test_label_reports_csv_formats_and_errors(tmp_path: Path, analyzer: ReportAnalyzer) -> None:
    reports = tmp_path / "reports.csv"
    pl.DataFrame({"id": ["a", "b"], "text": ["Mild emphysema. No effusion.", "Normal study."]}).write_csv(reports)
    out = tmp_path / "labels.csv"
    assert label_reports_csv(reports, "id", "text", out, analyzer=analyzer) == 2
    table = pl.read_csv(out)
    assert table.columns == ["id", *CT_RATE_COLUMNS]
    assert table["Emphysema"].to_list() == [1, 0]
    full = tmp_path / "full.csv"
    label_reports_csv(reports, "id", "text", full, format="full", analyzer=analyzer)
    rows = pl.read_csv(full)
    assert rows.select("report_id", "label", "assertion").rows() == [
        ("a", "emphysema", "POSITIVE"),
        ("a", "pleural_effusion", "NEGATIVE"),
    ]
    with pytest.raises(ValueError, match=r"reports\.csv: column\(s\) 'report' not found"):
        label_reports_csv(reports, "id", "report", out, analyzer=analyzer)


def test_evaluate_labels(tmp_path: Path) -> None:
    gold = pl.DataFrame({"id": ["1", "2", "3"], "Emphysema": [1, 0, 1]})
    pred = pl.DataFrame({"id": ["1", "2", "3"], "Emphysema": [1, 1, 0]})
    scores = evaluate_labels(gold, pred, "id", labels=["Emphysema"])
    score = scores.per_label["Emphysema"]
    assert (score.tp, score.fp, score.fn, score.support) == (1, 1, 1, 2)
    assert score.f1 == pytest.approx(0.5)
    assert scores.macro_f1 == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a forward cue: ", and" after a negated item that has its own place opens a new clause
        (
            "No pleural effusion in the right hemithorax, and a 5 mm nodule in the left lower lobe.",
            {"pleural_effusion": "NEGATIVE", "lung_nodule": "POSITIVE"},
        ),
        # ... and "and" after the negated clause's verb, wherever the verb stands
        (
            "No consolidation is seen in the lungs and mild emphysema is present.",
            {"consolidation": "NEGATIVE", "emphysema": "POSITIVE"},
        ),
        (
            "Possible atelectasis at the left base, and a nodule in the right upper lobe.",
            {"atelectasis": "UNCERTAIN", "lung_nodule": "POSITIVE"},
        ),
        # lists under one forward cue go on: items right before the comma, items of their own, no finding yet
        (
            "No effusion, pneumothorax, and consolidation.",
            {"pleural_effusion": "NEGATIVE", "pneumothorax": "NEGATIVE", "consolidation": "NEGATIVE"},
        ),
        (
            "No pleural effusion, hilar enlargement, and lymphadenopathy.",
            {"pleural_effusion": "NEGATIVE", "lymphadenopathy": "NEGATIVE"},
        ),
        ("No mediastinal, hilar, and axillary lymphadenopathy.", {"lymphadenopathy": "NEGATIVE"}),
        (
            "No mass, nodule and consolidation were detected in the lungs.",
            {"lung_mass": "NEGATIVE", "lung_nodule": "NEGATIVE", "consolidation": "NEGATIVE"},
        ),
        # a backward cue stops at "and" where the finding before it has its own clause and the cue its own subject
        (
            "Atelectasis is present at the left base, and pleural effusion was not observed.",
            {"atelectasis": "POSITIVE", "pleural_effusion": "NEGATIVE"},
        ),
        (
            "There is cardiomegaly, and pericardial effusion is not detected.",
            {"cardiomegaly": "POSITIVE", "pericardial_effusion": "NEGATIVE"},
        ),
        (
            "Pleural effusion, pneumothorax, and consolidation were not observed.",
            {"pleural_effusion": "NEGATIVE", "pneumothorax": "NEGATIVE", "consolidation": "NEGATIVE"},
        ),
        # one subject, two predicates; a verb in a relative clause or before "that" is not the finding's clause
        ("Lymph nodes are seen in the mediastinum and are not of pathological size.", {"lymphadenopathy": "NEGATIVE"}),
        (
            "Lymph nodes that are enlarged and pleural effusion were not observed.",
            {"lymphadenopathy": "NEGATIVE", "pleural_effusion": "NEGATIVE"},
        ),
        (
            "It is noted that the nodules seen before and read as granulomas have resolved.",
            {"lung_nodule": "HISTORICAL"},
        ),
        # a clause may end on its predicate without a verb (translated reports): the comma after it closes it
        (
            "Heart size increased, pericardial effusion was not detected.",
            {"cardiomegaly": "POSITIVE", "pericardial_effusion": "NEGATIVE"},
        ),
        ("No pleural effusion, heart size increased.", {"pleural_effusion": "NEGATIVE", "cardiomegaly": "POSITIVE"}),
        (
            "Atelectasis present, pleural effusion not seen.",
            {"atelectasis": "POSITIVE", "pleural_effusion": "NEGATIVE"},
        ),
        # "resolved" opening its sentence governs the whole list after it; after a finding it is that finding's
        # predicate, and says nothing of a finding after the comma; what is left ("with residual") is there
        (
            "Resolved consolidation, pleural effusion, atelectasis and pneumothorax.",
            {
                "consolidation": "HISTORICAL",
                "pleural_effusion": "HISTORICAL",
                "atelectasis": "HISTORICAL",
                "pneumothorax": "HISTORICAL",
            },
        ),
        (
            "Pneumonia resolved, new nodule in the right upper lobe.",
            {"pneumonia": "HISTORICAL", "lung_nodule": "POSITIVE"},
        ),
        (
            "Resolved left lower lobe pneumonia with minimal residual linear atelectasis.",
            {"pneumonia": "HISTORICAL", "atelectasis": "POSITIVE"},
        ),
        # ... only where the cue's clause names a finding of its own, or the cue governed one before the comma
        ("Right lower lobe nodule previously noted, now resolved.", {"lung_nodule": "HISTORICAL"}),
        ("Small nodule previously noted, today not seen.", {"lung_nodule": "NEGATIVE"}),
        ("Possibly, the liver is enlarged.", {"hepatomegaly": "UNCERTAIN"}),
        ("Questionable, heart size increased.", {"cardiomegaly": "UNCERTAIN"}),
        # ... not before the finding's name
        (
            "Enlarged lymph nodes, pleural effusion and pneumothorax were not observed.",
            {"lymphadenopathy": "NEGATIVE", "pleural_effusion": "NEGATIVE", "pneumothorax": "NEGATIVE"},
        ),
    ],
)
def test_and_between_clauses_ends_a_cue_and_inside_a_list_does_not(
    analyzer: ReportAnalyzer, text: str, expected: dict[str, str]
) -> None:
    assert assertions(analyzer, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a negation covers a following uncertainty cue within its own phrase only
        ("No finding suggestive of pneumonia.", {"pneumonia": "NEGATIVE"}),
        (
            "Hilar soft tissue without calcification, evaluated in favor of lymphadenopathy.",
            {"lymphadenopathy": "UNCERTAIN"},
        ),
        # "no (significant) changes" and absence on the prior study are no negation of the finding
        ("No significant changes in the size of the pulmonary nodules.", {"lung_nodule": "POSITIVE"}),
        (
            "Consolidation in the left lower lobe was not detected in his previous examination.",
            {"consolidation": "POSITIVE"},
        ),
        ("Pneumothorax was not present in the patient's previous examination.", {"pneumothorax": "POSITIVE"}),
        # technique: imaging without contrast negates nothing
        ("Without intravenous contrast, a 2 cm hypodense lesion is seen in the liver.", {"liver_lesion": "POSITIVE"}),
        (
            "A hepatic cyst without contrast enhancement and a small pleural effusion.",
            {"liver_lesion": "POSITIVE", "pleural_effusion": "POSITIVE"},
        ),
        ("Without contrast, no pleural effusion.", {"pleural_effusion": "NEGATIVE"}),
    ],
)
def test_phrases_that_look_like_negation(analyzer: ReportAnalyzer, text: str, expected: dict[str, str]) -> None:
    assert assertions(analyzer, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a property of a finding that is there: the finding stays positive
        ("A 6 mm nodule in the right upper lobe which is not calcified.", {"lung_nodule": "POSITIVE"}),
        ("There is a 6 mm nodule in the right upper lobe, not further characterized.", {"lung_nodule": "POSITIVE"}),
        ("A nodule in the lingula which is not characterised further.", {"lung_nodule": "POSITIVE"}),
        ("A liver lesion that is not enhancing.", {"liver_lesion": "POSITIVE"}),
        # nodes of normal size are no lymphadenopathy
        ("Mediastinal lymph nodes are normal in size.", {"lymphadenopathy": "NEGATIVE"}),
        ("Hilar lymph nodes of normal size.", {"lymphadenopathy": "NEGATIVE"}),
        ("Subcentimetre mediastinal lymph nodes, not enlarged by CT criteria.", {"lymphadenopathy": "NEGATIVE"}),
        ("The mediastinal lymph nodes are not pathologically enlarged.", {"lymphadenopathy": "NEGATIVE"}),
        ("Lymph nodes that are not pathological in size and appearance.", {"lymphadenopathy": "NEGATIVE"}),
        # the question of the request and a reader's leaning are uncertain
        ("Evaluate for pulmonary embolism.", {"pulmonary_embolism": "UNCERTAIN"}),
        ("Query pneumonia.", {"pneumonia": "UNCERTAIN"}),
        ("Appearances favour infective consolidation.", {"consolidation": "UNCERTAIN", "pneumonia": "UNCERTAIN"}),
        ("Findings favor atelectasis over pneumonia.", {"atelectasis": "UNCERTAIN", "pneumonia": "UNCERTAIN"}),
        ("Evaluation for early interstitial lung disease is recommended.", {"interstitial_lung_disease": "UNCERTAIN"}),
    ],
)
def test_properties_normal_sized_nodes_and_questions(
    analyzer: ReportAnalyzer, text: str, expected: dict[str, str]
) -> None:
    assert assertions(analyzer, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # each item of a list under "Resolved:" or "Pertinent negatives:" takes the heading's assertion
        (
            "FINDINGS:\n- Small left effusion.\nResolved:\n- Left basal pneumothorax.\n- RLL consolidation.",
            {"pleural_effusion": "POSITIVE", "pneumothorax": "HISTORICAL", "consolidation": "HISTORICAL"},
        ),
        (
            "FINDINGS:\nPertinent negatives:\n* Pneumothorax\n* pericardial effusion\n",
            {"pneumothorax": "NEGATIVE", "pericardial_effusion": "NEGATIVE"},
        ),
        # an item with a cue of its own keeps it; the list ends at a line that is no item, a blank line or a heading
        (
            "FINDINGS:\nResolved:\n- possible small effusion\nNew nodule in the RUL.",
            {"pleural_effusion": "UNCERTAIN", "lung_nodule": "POSITIVE"},
        ),
        (
            "FINDINGS:\nResolved:\n- Pneumothorax.\n\n- Consolidation.",
            {"pneumothorax": "HISTORICAL", "consolidation": "POSITIVE"},
        ),
        (
            "FINDINGS:\nResolved:\n- Pneumothorax.\nIMPRESSION:\n1. Consolidation.",
            {"pneumothorax": "HISTORICAL", "consolidation": "POSITIVE"},
        ),
        # other headings over a list say nothing of its items
        ("FINDINGS:\nNew since previous:\n- Pneumothorax.", {"pneumothorax": "POSITIVE"}),
        # a second sentence on an item's line keeps the list going but has its own assertion
        (
            "FINDINGS:\nResolved:\n- Left pneumothorax. New 6 mm nodule in the right upper lobe.",
            {"pneumothorax": "HISTORICAL", "lung_nodule": "POSITIVE"},
        ),
        # a list heading alone on its line after a section heading, a long first item, Windows line ends, a blank
        # line before the first item, a second sentence on an item's line
        (
            "FINDINGS:\nResolved:\n- Small left basal pneumothorax seen on the previous radiograph.\n- Consolidation.",
            {"pneumothorax": "HISTORICAL", "consolidation": "HISTORICAL"},
        ),
        (
            "FINDINGS:\nResolved:\r\n- Pneumothorax.\r\n- Consolidation.",
            {"pneumothorax": "HISTORICAL", "consolidation": "HISTORICAL"},
        ),
        (
            "FINDINGS:\nResolved:\n\n- Pneumothorax.\n- Consolidation.",
            {"pneumothorax": "HISTORICAL", "consolidation": "HISTORICAL"},
        ),
        (
            "FINDINGS:\nResolved:\n- Pneumothorax. Drain removed.\n- Consolidation.\n\nNew nodule.",
            {
                "pneumothorax": "HISTORICAL",
                "medical_material": "HISTORICAL",
                "consolidation": "HISTORICAL",
                "lung_nodule": "POSITIVE",
            },
        ),
    ],
)
def test_a_list_under_a_heading_that_says_what_it_is(
    analyzer: ReportAnalyzer, text: str, expected: dict[str, str]
) -> None:
    assert assertions(analyzer, text) == expected


def test_list_headings_mark_the_items_under_them() -> None:
    from curation.reports.list_headings import ListHeadings

    headings = ListHeadings({"resolved": "HISTORICAL"})
    text = "Resolved:\n- Left pneumothorax.\n- RLL consolidation.\nNew RUL nodule."
    sentences = [(0, "Resolved:\n- Left pneumothorax."), (31, "- RLL consolidation."), (52, "New RUL nodule.")]
    assert headings.assertions(text, sentences) == [("HISTORICAL", 10), ("HISTORICAL", 0), (None, 0)]
