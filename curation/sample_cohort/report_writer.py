"""Radiology reports in two institutional styles, with planted findings and planted PHI.

Site A writes sectioned reports (CLINICAL INFORMATION, TECHNIQUE, COMPARISON, FINDINGS with organ
sub-headings, IMPRESSION); site B writes translated-sounding prose ending in "Conclusion:". Findings
use CT-RATE label names in the truth; the text words them with per-report synonyms, explicit
negations ("No pleural effusion or pneumothorax.") and some normal statements.

    >>> finding = PlantedFinding("Lung nodule", size_mm=6.0, location="right upper lobe")
    >>> draft = write_report("site_a", context, [finding], negated=["Pleural effusion"], variant=0)  # doctest: +SKIP
    >>> "6 mm nodule in the right upper lobe" in draft.text  # doctest: +SKIP
    True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# CT-RATE label names (exact spelling) that the sample reports use.
LUNG_NODULE = "Lung nodule"
PLEURAL_EFFUSION = "Pleural effusion"
CARDIOMEGALY = "Cardiomegaly"
EMPHYSEMA = "Emphysema"
ATELECTASIS = "Atelectasis"
CONSOLIDATION = "Consolidation"
LYMPHADENOPATHY = "Lymphadenopathy"
CORONARY_CALCIFICATION = "Coronary artery wall calcification"
HIATAL_HERNIA = "Hiatal hernia"
SAMPLE_LABELS = (
    LUNG_NODULE,
    PLEURAL_EFFUSION,
    CARDIOMEGALY,
    EMPHYSEMA,
    ATELECTASIS,
    CONSOLIDATION,
    LYMPHADENOPATHY,
    CORONARY_CALCIFICATION,
    HIATAL_HERNIA,
)
STYLES = ("site_a", "site_b")
DATE_PHI_KINDS = frozenset({"dob", "exam_date", "comparison_date"})

# Site A's organ sub-heading for each label.
_SECTION_OF = {
    LUNG_NODULE: "LUNGS",
    EMPHYSEMA: "LUNGS",
    ATELECTASIS: "LUNGS",
    CONSOLIDATION: "LUNGS",
    PLEURAL_EFFUSION: "PLEURA",
    CARDIOMEGALY: "HEART",
    CORONARY_CALCIFICATION: "HEART",
    LYMPHADENOPATHY: "MEDIASTINUM",
    HIATAL_HERNIA: "UPPER ABDOMEN",
}
_SECTIONS = ("LUNGS", "PLEURA", "HEART", "MEDIASTINUM", "UPPER ABDOMEN")
_NORMAL_A = {
    "LUNGS": "The lungs are otherwise clear.",
    "PLEURA": "The pleural surfaces are smooth.",
    "HEART": "The great vessels are of normal calibre.",
    "MEDIASTINUM": "The thyroid gland is unremarkable.",
    "UPPER ABDOMEN": "The visualized upper abdomen is unremarkable.",
}
_NORMAL_B = (
    "The trachea and the main bronchi are free.",
    "The visualised parts of the upper abdomen show no particularities.",
    "Bone structures without suspicious lesions.",
)

# Positive phrasings: {style: [variants]}; {size}, {side} and {location} are filled per finding.
_POSITIVE = {
    LUNG_NODULE: {
        "site_a": ["{size} mm nodule in the {location}.", "A solid pulmonary nodule of {size} mm in the {location}."],
        "site_b": ["In the {location} one sees a round nodule of {size} mm.", "Nodule of {size} mm in the {location}."],
    },
    PLEURAL_EFFUSION: {
        "site_a": ["Small {side} pleural effusion.", "Small amount of fluid in the {side} pleural space."],
        "site_b": ["Fluid in the {side} pleural cavity, of small amount.", "Pleural effusion on the {side} side."],
    },
    CARDIOMEGALY: {
        "site_a": ["Cardiomegaly.", "The heart is enlarged."],
        "site_b": ["The heart is enlarged in its dimensions (cardiomegaly).", "Enlarged heart silhouette."],
    },
    EMPHYSEMA: {
        "site_a": ["Centrilobular emphysema, upper lobe predominant.", "Moderate paraseptal emphysema."],
        "site_b": ["Emphysematous changes of the lung parenchyma in both upper lobes.", "Signs of lung emphysema."],
    },
    ATELECTASIS: {
        "site_a": ["Subsegmental atelectasis at the left lung base.", "Bibasilar dependent atelectasis."],
        "site_b": ["Partial collapse (atelectasis) of the lung base on the left side.", "Band-like atelectasis basal."],
    },
    CONSOLIDATION: {
        "site_a": ["Consolidation in the right lower lobe.", "Airspace consolidation in the lingula."],
        "site_b": [
            "Consolidation of the lung parenchyma in the right lower lobe.",
            "Area of consolidation in the lingula.",
        ],
    },
    LYMPHADENOPATHY: {
        "site_a": [
            "Mediastinal lymphadenopathy, largest node {size} mm in short axis.",
            "Enlarged right paratracheal lymph node measuring {size} mm in short axis.",
        ],
        "site_b": [
            "Enlarged lymph nodes in the mediastinum, the largest of {size} mm.",
            "Lymphadenopathy up to {size} mm.",
        ],
    },
    CORONARY_CALCIFICATION: {
        "site_a": ["Coronary artery calcifications are present.", "Calcification of the coronary artery walls."],
        "site_b": [
            "Calcified plaques in the walls of the coronary arteries.",
            "Calcifications of the coronary arteries.",
        ],
    },
    HIATAL_HERNIA: {
        "site_a": ["Small hiatal hernia.", "Moderate sliding hiatal hernia."],
        "site_b": ["Small sliding hernia of the hiatus (hiatal hernia).", "Hiatal hernia of small size."],
    },
}
_NEGATED = {
    LUNG_NODULE: {"site_a": ["No suspicious pulmonary nodules."], "site_b": ["No nodules are seen in the lungs."]},
    PLEURAL_EFFUSION: {
        "site_a": ["No pleural effusion or pneumothorax.", "There is no pleural effusion."],
        "site_b": ["No fluid in the pleural spaces.", "No pleural effusion."],
    },
    CARDIOMEGALY: {
        "site_a": ["The heart is normal in size.", "No cardiomegaly."],
        "site_b": ["The heart is of normal size.", "No cardiomegaly."],
    },
    EMPHYSEMA: {"site_a": ["No emphysema."], "site_b": ["No signs of emphysema."]},
    ATELECTASIS: {"site_a": ["No atelectasis."], "site_b": ["No atelectasis is seen."]},
    CONSOLIDATION: {"site_a": ["No focal consolidation."], "site_b": ["No consolidations of the lung parenchyma."]},
    LYMPHADENOPATHY: {
        "site_a": ["There is no lymphadenopathy.", "No enlarged mediastinal or hilar lymph nodes."],
        "site_b": ["No enlarged lymph nodes in the mediastinum and hila.", "No lymphadenopathy."],
    },
    CORONARY_CALCIFICATION: {
        "site_a": ["No coronary artery calcification."],
        "site_b": ["No calcifications of the coronary arteries."],
    },
    HIATAL_HERNIA: {"site_a": ["No hiatal hernia."], "site_b": ["No hernia of the hiatus."]},
}
_IMPRESSION = {
    LUNG_NODULE: "{size} mm nodule in the {location}.",
    PLEURAL_EFFUSION: "Small {side} pleural effusion.",
    CARDIOMEGALY: "Cardiomegaly.",
    EMPHYSEMA: "Emphysema.",
    ATELECTASIS: "Atelectasis.",
    CONSOLIDATION: "Consolidation.",
    LYMPHADENOPATHY: "Mediastinal lymphadenopathy up to {size} mm.",
    CORONARY_CALCIFICATION: "Coronary artery calcification.",
    HIATAL_HERNIA: "Hiatal hernia.",
}


@dataclass(frozen=True)
class PlantedFinding:
    label: str  # CT-RATE name
    size_mm: float | None = None
    side: str | None = None  # left or right (pleural effusion)
    location: str | None = None  # e.g. right upper lobe (lung nodule)


@dataclass(frozen=True)
class ReportContext:
    """Who and where: every field is planted PHI except the clinical question."""

    patient_family: str
    patient_given: str
    patient_id: str
    birth_date: dt.date
    accession: str
    exam_date: dt.date
    comparison_date: dt.date
    referring: tuple[str, str]  # (family, given)
    institution_name: str
    institution_phone: str
    contrast: bool
    slice_thickness_mm: float
    indication: str


@dataclass
class ReportDraft:
    text: str
    finding_sentences: list[str] = field(default_factory=list)  # positive and negated sentences, verbatim
    normal_sentences: list[str] = field(default_factory=list)
    phi: dict[str, str] = field(default_factory=dict)  # kind (patient, dob, exam_date, ...) -> text as written

    def phi_dates(self) -> list[str]:
        return sorted(value for kind, value in self.phi.items() if kind in DATE_PHI_KINDS)

    def phi_other(self) -> list[str]:
        return sorted(value for kind, value in self.phi.items() if kind not in DATE_PHI_KINDS)


def write_report(
    style: str, context: ReportContext, findings: list[PlantedFinding], negated: list[str], variant: int
) -> ReportDraft:
    """The report text of one study; ``variant`` picks synonyms so phrasing varies between reports."""
    if style not in STYLES:
        raise ValueError(f"unknown report style {style!r}; expected one of {', '.join(STYLES)}")
    positives = [(f.label, positive_sentence(style, f, variant)) for f in findings]
    negatives = [(label, negated_sentence(style, label, variant)) for label in negated]
    if style == "site_a":
        return _sectioned_report(context, positives, negatives, findings)
    return _prose_report(context, positives, negatives, findings, variant)


def positive_sentence(style: str, finding: PlantedFinding, variant: int) -> str:
    options = _POSITIVE[finding.label][style]
    return _fill(options[variant % len(options)], finding)


def negated_sentence(style: str, label: str, variant: int) -> str:
    options = _NEGATED[label][style]
    return options[variant % len(options)]


def format_size(size_mm: float | None) -> str:
    if size_mm is None:
        return ""
    return str(int(size_mm)) if float(size_mm).is_integer() else f"{size_mm:g}"


def _fill(template: str, finding: PlantedFinding) -> str:
    return template.format(size=format_size(finding.size_mm), side=finding.side or "", location=finding.location or "")


def _phi_a(context: ReportContext) -> dict[str, str]:
    ref_family, ref_given = context.referring
    return {
        "patient": f"{context.patient_family.title()}, {context.patient_given.title()}",
        "mrn": context.patient_id,
        "dob": context.birth_date.strftime("%m/%d/%Y"),
        "accession": context.accession,
        "exam_date": context.exam_date.strftime("%m/%d/%Y"),
        "comparison_date": context.comparison_date.strftime("%m/%d/%Y"),
        "referring": f"Dr. {ref_given.title()} {ref_family.title()}",
        "referring_short": f"Dr. {ref_family.title()}",
        "institution": context.institution_name,
        "phone": context.institution_phone,
    }


def _sectioned_report(
    context: ReportContext,
    positives: list[tuple[str, str]],
    negatives: list[tuple[str, str]],
    findings: list[PlantedFinding],
) -> ReportDraft:
    phi = _phi_a(context)
    lines = [
        f"{phi['institution'].upper()} - DEPARTMENT OF RADIOLOGY",
        f"Patient: {phi['patient']}    MRN: {phi['mrn']}    DOB: {phi['dob']}",
        f"Accession: {phi['accession']}    Exam date: {phi['exam_date']}",
        f"Referring physician: {phi['referring']}",
        "",
        "CLINICAL INFORMATION:",
        f"{context.indication}",
        "",
        "TECHNIQUE:",
        f"CT of the chest {'with' if context.contrast else 'without'} intravenous contrast. "
        f"Axial images at {format_size(context.slice_thickness_mm)} mm.",
        "",
        "COMPARISON:",
        f"CT chest of {phi['comparison_date']}.",
        "",
        "FINDINGS:",
    ]
    normal = []
    for section in _SECTIONS:
        sentences = [s for label, s in positives + negatives if _SECTION_OF[label] == section]
        if not any(_SECTION_OF[label] == section for label, _ in positives):
            sentences.append(_NORMAL_A[section])
            normal.append(_NORMAL_A[section])
        lines.append(f"{section}: {' '.join(sentences)}")
    lines += ["", "IMPRESSION:"]
    impressions = [_fill(_IMPRESSION[f.label], f) for f in findings] or ["No acute cardiopulmonary abnormality."]
    lines += [f"{n}. {text}" for n, text in enumerate(impressions, start=1)]
    lines += ["", f"Findings discussed with {phi['referring_short']} at {phi['phone']}."]
    return ReportDraft(
        text="\n".join(lines) + "\n",
        finding_sentences=[s for _, s in positives + negatives],
        normal_sentences=normal,
        phi=phi,
    )


def _prose_report(
    context: ReportContext,
    positives: list[tuple[str, str]],
    negatives: list[tuple[str, str]],
    findings: list[PlantedFinding],
    variant: int,
) -> ReportDraft:
    ref_family, ref_given = context.referring
    phi = {
        "patient": f"{context.patient_given.title()} {context.patient_family.title()}",
        "mrn": context.patient_id,
        "dob": context.birth_date.strftime("%d.%m.%Y"),
        "accession": context.accession,
        "exam_date": context.exam_date.strftime("%d.%m.%Y"),
        "comparison_date": context.comparison_date.strftime("%d.%m.%Y"),
        "referring": f"Dr. {ref_given.title()} {ref_family.title()}",
        "institution": context.institution_name,
        "phone": context.institution_phone,
    }
    contrast = "after intravenous administration of contrast medium" if context.contrast else "native"
    intro = (
        f"{phi['institution']}, Department of Radiology. Patient {phi['patient']}, born {phi['dob']}, "
        f"patient number {phi['mrn']}, order {phi['accession']}, examination of {phi['exam_date']}. "
        f"Sent by {phi['referring']}."
    )
    question = f"Clinical question: {context.indication}"
    technique = (
        f"Computed tomography of the thorax {contrast}, reconstructions of {format_size(context.slice_thickness_mm)} "
        f"mm. In comparison with the CT of {phi['comparison_date']}."
    )
    normal = [_NORMAL_B[variant % len(_NORMAL_B)]]
    body = " ".join([s for _, s in positives] + [s for _, s in negatives] + normal)
    conclusion = " ".join(_fill(_IMPRESSION[f.label], f) for f in findings) or "No pathological findings in the thorax."
    footer = f"For questions the radiologist on duty is reachable at {phi['phone']}."
    text = "\n\n".join([intro, question, technique, body, f"Conclusion: {conclusion}", footer]) + "\n"
    return ReportDraft(
        text=text,
        finding_sentences=[s for _, s in positives + negatives],
        normal_sentences=normal,
        phi=phi,
    )
