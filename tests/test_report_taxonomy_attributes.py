"""The extended taxonomy (abdomen, bones, devices, PET), attribute and anatomy lexicons, more assertion
cases, section-heading variants and the evaluation helpers (``evaluate_report_csv``, ``disagreements``)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from curation.reports.attributes import attributes_near, load_attribute_lexicon
from curation.reports.ct_rate import CT_RATE_LABELS, ct_rate_row, label_reports_csv
from curation.reports.evaluation import disagreements, evaluate_report_csv
from curation.reports.lexicon import load_lexicon
from curation.reports.report_analyzer import ReportAnalyzer
from curation.reports.sentences import sentence_spans


@pytest.fixture(scope="module")
def analyzer() -> ReportAnalyzer:
    return ReportAnalyzer()


def first(analyzer: ReportAnalyzer, text: str, label: str):
    return next(m for m in analyzer.analyze(text).mentions if m.label == label)


def test_taxonomy_covers_about_seventy_labels_over_all_organ_systems() -> None:
    lexicon = load_lexicon()
    assert len(lexicon.labels) >= 70
    assert {label.organ_system for label in lexicon.labels} == {s.name for s in lexicon.organ_systems}
    assert len(CT_RATE_LABELS) == 18


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Cystic lesion in the pancreatic tail.", "pancreatic_lesion"),
        ("Findings of acute pancreatitis.", "pancreatitis"),
        ("The main pancreatic duct dilatation is noted.", "pancreatic_duct_dilatation"),
        ("Intrahepatic biliary dilatation.", "biliary_dilatation"),
        ("Distended gallbladder with acute calculous cholecystitis.", "cholecystitis"),
        ("Portal vein thrombosis.", "portal_vein_thrombosis"),
        ("Cirrhotic liver with nodular contour.", "cirrhosis"),
        ("Splenic cyst of 8 mm.", "splenic_lesion"),
        ("Mild left hydronephrosis.", "hydronephrosis"),
        ("Solid renal mass in the right kidney.", "renal_mass"),
        ("Bladder wall thickening.", "bladder_wall_thickening"),
        ("Dilated small bowel loops with air-fluid levels.", "bowel_obstruction"),
        ("Sigmoid diverticulosis.", "diverticular_disease"),
        ("Acute appendicitis.", "appendicitis"),
        ("Pneumoperitoneum.", "free_air"),
        ("Small umbilical hernia.", "abdominal_wall_hernia"),
        ("Healed fracture of the left 6th rib.", "fracture"),
        ("Compression fracture of the T12 vertebra.", "vertebral_compression_fracture"),
        ("Lytic lesion in the sternum.", "osteolytic_lesion"),
        ("Sclerotic lesion in T8.", "osteoblastic_lesion"),
        ("Degenerative changes with anterior osteophytes.", "degenerative_spine_change"),
        ("Mild dextroconvex scoliosis.", "scoliosis"),
        ("A hypodense nodule of 27 mm in the left thyroid lobe.", "thyroid_nodule"),
        ("Anterior mediastinal mass.", "mediastinal_mass"),
        ("Residual thymic tissue.", "thymic_lesion"),
        ("Type B aortic dissection.", "aortic_dissection"),
        ("Pericardial thickening.", "pericardial_thickening"),
        ("Enlarged pulmonary trunk.", "pulmonary_artery_enlargement"),
        ("Tree-in-bud pattern in the right lower lobe.", "tree_in_bud"),
        ("Cavitary nodule in the left upper lobe.", "cavitation"),
        ("Interstitial pulmonary edema.", "pulmonary_edema"),
        ("Endobronchial lesion in the left main bronchus.", "tracheobronchial_lesion"),
        ("Calcified pleural plaques.", "pleural_plaque"),
        ("Right chest tube in place.", "chest_tube"),
        ("Right jugular central venous catheter.", "central_line"),
        ("Dual-chamber pacemaker.", "pacemaker"),
        ("Endotracheal tube 4 cm above the carina.", "endotracheal_tube"),
        ("Median sternotomy wires.", "sternotomy"),
        ("Surgical clips in the gallbladder fossa.", "surgical_clips"),
        ("Coronary stent.", "stent"),
        ("Hypermetabolic mass in the right upper lobe.", "pet_hypermetabolic_lesion"),
        ("FDG-avid right hilar lymph node.", "pet_avid_lymph_node"),
    ],
)
def test_new_labels_are_found(analyzer: ReportAnalyzer, text: str, label: str) -> None:
    assert label in {m.label for m in analyzer.analyze(text).mentions if m.assertion == "POSITIVE"}


def test_ground_glass_is_a_ct_rate_lung_opacity(analyzer: ReportAnalyzer) -> None:
    labels = {m.label for m in analyzer.analyze("Patchy ground-glass opacities in both lungs.").mentions}
    assert labels == {"lung_opacity"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # pneumonia is a diagnosis, not the CT-RATE Lung opacity finding; the opacity counts where it is named
        ("Findings consistent with pneumonia in the right lower lobe.", {"pneumonia"}),
        ("Pneumonic infiltration in the left lower lobe.", {"pneumonia"}),
        ("Patchy ground-glass opacities, likely viral pneumonia.", {"lung_opacity", "pneumonia"}),
        ("Bronchopneumonic infiltration in the posterior basal segment.", {"pneumonia", "tree_in_bud"}),
        ("Honeycombing in a usual interstitial pneumonia pattern.", {"interstitial_lung_disease"}),
        # a pleuroparenchymal density is a pleuroparenchymal scar, with or without the word sequela
        ("Pleuroparenchymal density increases at both lung apices.", {"pulmonary_fibrotic_sequela"}),
        ("Mild pleuroparenchymal linear densities in the lingula.", {"pulmonary_fibrotic_sequela"}),
        ("Increase in pleuroparenchymal density in the right upper lobe.", {"pulmonary_fibrotic_sequela"}),
        ("Pleuroparenchymal retraction in the middle lobe.", {"pulmonary_fibrotic_sequela"}),
    ],
)
def test_pneumonia_and_pleuroparenchymal_density(analyzer: ReportAnalyzer, text: str, expected: set[str]) -> None:
    assert {m.label for m in analyzer.analyze(text).mentions if m.assertion != "NEGATIVE"} == expected


def test_pneumonia_alone_is_no_ct_rate_lung_opacity(analyzer: ReportAnalyzer) -> None:
    row = ct_rate_row(analyzer.analyze("Right lower lobe consolidation consistent with pneumonia."))
    assert (row["Consolidation"], row["Lung opacity"]) == (1, 0)
    assert ct_rate_row(analyzer.analyze("No pleuroparenchymal density."))["Pulmonary fibrotic sequela"] == 0


def test_locations_stay_in_the_organ_system_of_the_label(analyzer: ReportAnalyzer) -> None:
    nodule = first(analyzer, "A 4 mm nodule in the left lower lobe, at the level of the left kidney.", "lung_nodule")
    assert nodule.location == "left_lower_lobe"
    lesion = first(analyzer, "Hypodense liver lesion, 2 cm, in the right upper lobe of the lung.", "liver_lesion")
    assert lesion.location is None


def test_anatomy_locations(analyzer: ReportAnalyzer) -> None:
    assert (
        first(analyzer, "Cystic lesion in the pancreatic tail, 12 mm.", "pancreatic_lesion").location == "pancreas_tail"
    )
    assert (
        first(analyzer, "Hypodense lesion in segment VII of the liver.", "liver_lesion").location == "liver_segment_7"
    )
    assert first(analyzer, "Compression fracture of T12.", "vertebral_compression_fracture").location == "T12"
    assert first(analyzer, "Nodule in the lingula.", "lung_nodule").location == "lingula"


def test_pet_attributes(analyzer: ReportAnalyzer) -> None:
    node = first(analyzer, "FDG-avid right hilar lymph node, SUVmax 7.4, Deauville 4.", "pet_avid_lymph_node")
    assert (node.suv_max, node.deauville, node.laterality) == (7.4, 4, "right")
    mass = first(
        analyzer, "Hypermetabolic mass in the right upper lobe with SUV max of 12.3.", "pet_hypermetabolic_lesion"
    )
    assert (mass.suv_max, mass.location) == (12.3, "right_upper_lobe")


@pytest.mark.parametrize(
    ("text", "change"),
    [
        ("The right lower lobe nodule measures 6 mm, previously 4 mm.", "increased"),
        ("Nodule 8 mm (previously 11 mm).", "decreased"),
        ("Subcarinal node 15 mm compared with 14 mm.", "stable"),  # under 2 mm: not measurable
        ("Nodule 9 x 8 mm (6 x 5 mm on the prior).", "increased"),
        ("Cavitary nodule 25x12 mm (27x17 mm in the previous examination).", "decreased"),  # 2 mm counts
        ("Mass 3.2 cm, previously 2.5 cm.", "increased"),
        ("Nodule 6 mm, previously 4.", "increased"),  # no unit: the current size's
        ("Nodule 6 mm, previously 4 mm, decreased in density.", "decreased"),  # a written change word wins
        ("A 12 mm nodule in the right upper lobe, 8 mm from the pleura.", None),
        # no prior size: durations, dates, years, counts, distances
        ("Nodule 6 mm, previously 3 months ago.", None),
        ("The nodule now measures 6 mm compared with 2 years ago.", None),
        ("Nodule 6 mm, compared to 2019.", None),
        ("Nodule 6 mm, previously 12.03.2019.", None),
        ("Right upper lobe nodule 6 mm, from 2 prior studies.", None),
        ("Nodule 6 mm, was 3 cm from the hilum.", None),
        ("Nodule 12 mm, up from 9 mm.", "increased"),
    ],
)
def test_change_from_two_measurements(text: str, change: str | None) -> None:
    start = text.lower().index("nod") if "nod" in text.lower() else text.index("Mass")
    assert attributes_near(text, start, start + 4, ("size", "change")).get("change") == change


def test_attribute_words_are_data() -> None:
    words = load_attribute_lexicon()
    assert words.units["cm"] == 10 and words.change["unchanged"] == "stable" and words.severity["marked"] == "severe"
    found = attributes_near(
        "Mildly increased 3.2 x 2.1 cm right adrenal nodule.", 30, 44, ("size", "severity", "change")
    )
    assert found == {"size_mm": 32.0, "sizes_mm": [32.0, 21.0], "change": "increased", "severity": "mild"}


@pytest.mark.parametrize(
    ("text", "label", "assertion"),
    [
        ("No new pulmonary nodules.", "lung_nodule", "NEGATIVE"),
        ("Pleural effusion is not excluded.", "pleural_effusion", "UNCERTAIN"),
        ("Pneumothorax resolved.", "pneumothorax", "HISTORICAL"),
        ("Heart of normal size without pericardial effusion.", "pericardial_effusion", "NEGATIVE"),
        ("No hydronephrosis, renal mass or bladder wall thickening.", "bladder_wall_thickening", "NEGATIVE"),
        ("No pneumothorax but a small pleural effusion.", "pleural_effusion", "POSITIVE"),
        ("No pneumothorax; small pleural effusion.", "pleural_effusion", "POSITIVE"),
        ("No pneumothorax, however pleural effusion is present.", "pleural_effusion", "POSITIVE"),
        ("The appearance is atypical for viral pneumonia.", "pneumonia", "NEGATIVE"),
        ("It was not found to be compatible with pneumonia.", "pneumonia", "NEGATIVE"),
        ("Pulmonary edema cannot be excluded.", "pulmonary_edema", "UNCERTAIN"),
        ("Findings likely represent atelectasis.", "atelectasis", "UNCERTAIN"),
        ("Appearance suggestive of pancreatitis.", "pancreatitis", "UNCERTAIN"),
        ("No change in the thyroid nodule.", "thyroid_nodule", "POSITIVE"),
        ("Not only emphysema but also bronchiectasis.", "emphysema", "POSITIVE"),
        (
            "The left pleural effusion, which was observed in the previous examination, was not detected.",
            "pleural_effusion",
            "NEGATIVE",
        ),
        (
            "The ground-glass opacity in the left upper lobe has completely regressed.",
            "lung_opacity",
            "HISTORICAL",
        ),
    ],
)
def test_more_assertions(analyzer: ReportAnalyzer, text: str, label: str, assertion: str) -> None:
    assert first(analyzer, text, label).assertion == assertion


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mass of 3.2 x 2.1 cm. Stable.", ["Mass of 3.2 x 2.1 cm.", "Stable."]),
        ("Discussed with Dr. Smith. Effusion.", ["Discussed with Dr. Smith.", "Effusion."]),
        ("Atelectasis vs. pneumonia. Effusion.", ["Atelectasis vs. pneumonia.", "Effusion."]),
        ("1. Small effusion.\n2. Atelectasis.", ["1. Small effusion.", "2. Atelectasis."]),
        ("- Small effusion\n- Atelectasis", ["- Small effusion", "- Atelectasis"]),
        ("• Small effusion • Atelectasis", ["• Small effusion", "• Atelectasis"]),
    ],
)
def test_sentence_splitter_lists_and_abbreviations(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in sentence_spans(text)] == expected


@pytest.mark.parametrize(
    ("heading", "section"),
    [
        ("Findings and impression", "findings"),
        ("Opinion", "impression"),
        ("Result", "impression"),
        ("Results", "findings"),
        ("Assessment", "impression"),
        ("Indication", "clinical_information"),
        ("History", "clinical_information"),
        ("Procedure", "technique"),
        ("Comparison study", "comparison"),
    ],
)
def test_heading_variants(analyzer: ReportAnalyzer, heading: str, section: str) -> None:
    analysis = analyzer.analyze(f"{heading}: Small left pleural effusion.")
    assert [s.section for s in analysis.sentences] == [section]


@pytest.fixture()
def gold_csv(tmp_path: Path) -> Path:
    rows = [
        {"id": "a", "text": "Small left pleural effusion.", "Pleural effusion": 1},
        {"id": "b", "text": "No pleural effusion.", "Pleural effusion": 0},
        {"id": "c", "text": "Pleural effusion cannot be excluded.", "Pleural effusion": 0},
        {"id": "d", "text": "Blunting of the costophrenic angle.", "Pleural effusion": 1},
    ]
    frame = pl.DataFrame(rows).with_columns([pl.lit(0).alias(c) for c in CT_RATE_LABELS if c != "Pleural effusion"])
    path = tmp_path / "gold.csv"
    frame.write_csv(path)
    return path


def test_evaluate_report_csv_and_disagreements(gold_csv: Path, analyzer: ReportAnalyzer) -> None:
    result = evaluate_report_csv(gold_csv, "id", "text", uncertain_as=1, analyzer=analyzer)
    score = result.scores.per_label["Pleural effusion"]
    assert (score.tp, score.fp, score.support) == (1, 1, 2)
    rows = disagreements(result, "Pleural effusion")
    assert [(r[0], r[1], r[2]) for r in rows if r[0] == "c"] == [("c", 0, 1)]
    assert rows[0][3] == ["UNCERTAIN | Pleural effusion cannot be excluded."] or any(
        "UNCERTAIN | Pleural effusion cannot be excluded." in r[3] for r in rows
    )
    strict = evaluate_report_csv(gold_csv, "id", "text", uncertain_as=0, analyzer=analyzer)
    assert strict.scores.per_label["Pleural effusion"].fp == 0
    assert disagreements(strict, "pleural_effusion") == [r for r in disagreements(strict, "Pleural effusion")]


def test_full_format_uses_uncertain_mapping(gold_csv: Path, tmp_path: Path, analyzer: ReportAnalyzer) -> None:
    out = tmp_path / "full.csv"
    label_reports_csv(gold_csv, "id", "text", out, format="full", uncertain_as=0, analyzer=analyzer)
    frame = pl.read_csv(out)
    assert {"suv_max", "deauville", "status_01"} <= set(frame.columns)
    row = frame.filter((pl.col("report_id") == "c") & (pl.col("label") == "pleural_effusion"))
    assert row.get_column("assertion").to_list() == ["UNCERTAIN"] and row.get_column("status_01").to_list() == [0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "with" ties the finding to its own size and place: the organ after it is the finding's organ
        ("A solid nodule with a diameter of 18 mm is observed in the anterior mediastinum.", False),
        # the sentence names another organ and nothing of the lung: not a lung nodule, whatever the clauses
        ("In both kidneys, there are a few small nodules.", False),
        # the sentence names the lung too: the veto word elsewhere does not remove it
        ("In the right lung, there are a few small nodules; the liver is normal.", True),
        ("A 6 mm nodule with a calcified focus is seen in the right upper lobe.", True),
    ],
)
def test_organ_vetoes_by_clause_and_sentence(analyzer: ReportAnalyzer, text: str, expected: bool) -> None:
    found = [m for m in analyzer.analyze(text).mentions if m.label == "lung_nodule"]
    assert bool(found) is expected
