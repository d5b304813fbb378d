"""Reports in styles the CT-RATE development set does not have: US structured chest and abdomen reports
with organ sub-headings, British prose with a conclusion, a PET/CT paragraph.

Written here in general radiology language (not copied from any dataset); each expectation is what a
radiologist reads in the report.
"""

from __future__ import annotations

import pytest

from curation.reports.ct_rate import ct_rate_row
from curation.reports.report_analyzer import ReportAnalysis, ReportAnalyzer

US_CHEST = """EXAMINATION: CT CHEST WITH CONTRAST
CLINICAL HISTORY: 67-year-old with cough.
TECHNIQUE: Axial images from the thoracic inlet through the upper abdomen after IV contrast.
COMPARISON: CT chest of last year.
FINDINGS:
Lines/tubes: Right internal jugular central venous catheter terminates in the SVC.
Lungs and airways: Centrilobular emphysema, upper lobe predominant. 6 mm solid nodule in the right lower lobe
(series 3, image 88), unchanged. Bibasilar dependent atelectasis. No consolidation.
Pleura: Small left pleural effusion. No pneumothorax.
Heart and mediastinum: Heart size is mildly enlarged. No pericardial effusion. Coronary artery calcifications.
No mediastinal or hilar lymphadenopathy by size criteria.
Upper abdomen: Small hiatal hernia.
IMPRESSION:
1. Small left pleural effusion with adjacent atelectasis.
2. Stable 6 mm right lower lobe nodule.
3. Emphysema."""

US_ABDOMEN = """FINDINGS:
LIVER: Normal size. A 1.2 cm hypodense lesion in segment 7 is too small to characterize, likely a cyst.
GALLBLADDER: Cholelithiasis without evidence of acute cholecystitis.
PANCREAS: No ductal dilatation or mass.
SPLEEN: Splenomegaly measuring 15 cm.
KIDNEYS: Nonobstructing 4 mm calculus in the left lower pole. No hydronephrosis.
ADRENALS: 1.5 cm left adrenal nodule.
BOWEL: Sigmoid diverticulosis without diverticulitis. No bowel obstruction.
PERITONEUM: Trace free fluid in the pelvis. No free air.
VESSELS: Atherosclerotic calcification of the abdominal aorta without aneurysm.
IMPRESSION: Cholelithiasis. Splenomegaly. Left adrenal adenoma. No acute process."""

UK_PROSE = (
    "There is a 2.3 x 1.8 cm spiculated mass in the left upper lobe, suspicious for primary bronchogenic "
    "carcinoma. Ipsilateral hilar nodes measure up to 14 mm in short axis. No pleural effusion. Ground-glass "
    "opacity in the lingula may represent infection. The liver, spleen and adrenals are unremarkable. "
    "Conclusion: Left upper lobe mass with nodal disease, likely malignant."
)

PET = "PET/CT: Intensely FDG-avid right hilar node, SUVmax 12.4. No FDG-avid osseous lesions."


@pytest.fixture(scope="module")
def analyzer() -> ReportAnalyzer:
    return ReportAnalyzer()


def _status(analysis: ReportAnalysis) -> dict[str, str]:
    return {row.label: row.status for row in analysis.study_labels()}


def test_us_chest_report_with_organ_headings(analyzer: ReportAnalyzer) -> None:
    analysis = analyzer.analyze(US_CHEST)
    assert analysis.sections == ["technique", "clinical_information", "comparison", "findings", "impression"]
    status = _status(analysis)
    for label in ("emphysema", "lung_nodule", "atelectasis", "pleural_effusion", "cardiomegaly", "hiatal_hernia"):
        assert status[label] == "positive", label
    for label in ("consolidation", "pneumothorax", "pericardial_effusion", "lymphadenopathy"):
        assert status[label] == "negative", label
    [nodule, *_] = [m for m in analysis.mentions if m.label == "lung_nodule"]
    assert (nodule.size_mm, nodule.location, nodule.change) == (6.0, "right_lower_lobe", "stable")
    positives = {column for column, value in ct_rate_row(analysis).items() if value}
    assert {"Medical material", "Coronary artery wall calcification", "Lung opacity"} & positives == {
        "Medical material",
        "Coronary artery wall calcification",
    }


def test_us_abdomen_report_leaves_the_organ_to_its_heading(analyzer: ReportAnalyzer) -> None:
    analysis = analyzer.analyze(US_ABDOMEN)
    status = _status(analysis)
    for label in ("liver_lesion", "cholelithiasis", "splenomegaly", "kidney_stone", "adrenal_nodule", "ascites"):
        assert status[label] == "positive", label
    for label in ("cholecystitis", "hydronephrosis", "bowel_obstruction", "free_air"):
        assert status[label] == "negative", label
    assert "lung_nodule" not in status and "lung_mass" not in status
    by_label = {m.label: m for m in reversed(analysis.mentions)}  # the first mention of each label
    assert by_label["liver_lesion"].location == "liver_segment_7"
    assert (by_label["kidney_stone"].size_mm, by_label["kidney_stone"].laterality) == (4.0, "left")
    assert by_label["splenomegaly"].size_mm == 150.0


def test_british_prose_with_a_conclusion(analyzer: ReportAnalyzer) -> None:
    analysis = analyzer.analyze(UK_PROSE)
    assert analysis.sections == ["findings", "impression"]
    status = _status(analysis)
    assert status["lung_mass"] == "positive" and status["lymphadenopathy"] == "positive"
    assert status["pleural_effusion"] == "negative"
    impression = [m.label for m in analysis.mentions if m.section == "impression"]
    assert impression == ["lung_mass", "lymphadenopathy"]
    mass = next(m for m in analysis.mentions if m.label == "lung_mass")
    assert (mass.size_mm, mass.sizes_mm, mass.location) == (23.0, [23.0, 18.0], "left_upper_lobe")


def test_pet_paragraph(analyzer: ReportAnalyzer) -> None:
    analysis = analyzer.analyze(PET)
    node = next(m for m in analysis.mentions if m.label == "pet_avid_lymph_node")
    assert (node.assertion, node.suv_max, node.laterality) == ("POSITIVE", 12.4, "right")
    assert _status(analysis)["pet_hypermetabolic_lesion"] == "negative"
