"""Deterministic sample cohorts for the demo and the end-to-end tests: two sites, planted PHI and findings.

>>> from curation.sample_cohort import generate_sample_cohorts
>>> truth = generate_sample_cohorts(Path("/tmp/cohorts"))  # doctest: +SKIP
>>> sorted(truth.sites)  # doctest: +SKIP
['site_a', 'site_b']
"""

from curation.sample_cohort.generator import (
    SITE_CODES,
    ReportTruth,
    SampleTruth,
    SiteTruth,
    StudyTruth,
    derive_uid,
    generate_sample_cohorts,
)
from curation.sample_cohort.phantom import ORGAN_LABELS, LungNodule, Phantom, PhantomGrid, PleuralEffusion, make_phantom
from curation.sample_cohort.report_writer import SAMPLE_LABELS, PlantedFinding, ReportDraft, write_report

__all__ = [
    "ORGAN_LABELS",
    "SAMPLE_LABELS",
    "SITE_CODES",
    "LungNodule",
    "Phantom",
    "PhantomGrid",
    "PlantedFinding",
    "PleuralEffusion",
    "ReportDraft",
    "ReportTruth",
    "SampleTruth",
    "SiteTruth",
    "StudyTruth",
    "derive_uid",
    "generate_sample_cohorts",
    "make_phantom",
    "write_report",
]
