"""Ingest a cohort's reports: match to studies on the original keys, de-identify, analyse, store.

Reports are matched before any key is pseudonymised. Each report's text is scrubbed with the PHI
known from its study's headers and its dates are shifted by the patient's offset (the same offset
as the images), then split into sections and sentences and labelled. Unmatched reports are kept
and marked, never dropped.

    >>> result = ingest_reports(manifest.reports, plan, pseudonymizer, warehouse, run)  # doctest: +SKIP
    >>> result.n_matched, result.n_unmatched  # doctest: +SKIP
    (7, 1)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from curation.cohort.manifest import ManifestError, ReportsSpec
from curation.content_hashing import sha256_text
from curation.deid.report_text import scrub_report_text
from curation.harmonization.cohort_harmonization import synthetic_report_row
from curation.harmonization.finding_set import compare_findings, finding_set
from curation.harmonization.house_style import HouseStyleRenderer
from curation.harmonization.verified_rewriter import Rewrite
from curation.ingest.cohort_plan import CohortPlan
from curation.provenance import RunContext
from curation.pseudonyms import Pseudonymizer
from curation.reports.report_analyzer import ReportAnalysis, ReportAnalyzer
from curation.storage.table_parts import write_table_part
from curation.storage.warehouse_layout import Warehouse

EXTRACTOR_NAME = "rules"


@dataclass
class ReportsResult:
    parts: list[str] = field(default_factory=list)
    report_by_study_uid: dict[str, str] = field(default_factory=dict)  # original StudyInstanceUID -> report_id
    n_reports: int = 0
    n_matched: int = 0
    n_unmatched: int = 0
    n_duplicate_keys: int = 0


def read_reports_file(spec: ReportsSpec) -> list[tuple[str, str]]:
    """(key, text) pairs from a CSV or JSONL reports file; a missing column is a ManifestError."""
    try:
        if spec.format == "jsonl":
            frame = pl.read_ndjson(spec.path, infer_schema_length=None)
        else:
            frame = pl.read_csv(spec.path, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError) as error:
        raise ManifestError(f"{spec.path.name}: cannot read the reports file ({type(error).__name__})") from None
    missing = [c for c in (spec.key_column, spec.text_column) if c not in frame.columns]
    if missing:
        raise ManifestError(
            f"{spec.path.name}: column(s) {', '.join(missing)} not found; it has {', '.join(frame.columns)}"
        )
    keys = frame.get_column(spec.key_column).cast(pl.String).to_list()
    texts = frame.get_column(spec.text_column).cast(pl.String).to_list()
    return [(str(k or "").strip(), str(t or "")) for k, t in zip(keys, texts, strict=True)]


def ingest_reports(
    spec: ReportsSpec,
    plan: CohortPlan,
    pseudonymizer: Pseudonymizer,
    warehouse: Warehouse,
    run: RunContext,
    analyzer: ReportAnalyzer | None = None,
) -> ReportsResult:
    analyzer = analyzer or ReportAnalyzer()
    result = ReportsResult()
    report_rows: list[dict[str, Any]] = []
    pending: list[tuple[dict[str, Any], str]] = []  # (report row, de-identified text) to analyse
    for key, raw_text in read_reports_file(spec):
        study = plan.study_for_report_key(key, spec.key_type) if key else None
        report_id = pseudonymizer.report_id(plan.cohort, key or f"row-{result.n_reports}")
        result.n_reports += 1
        status = "matched" if study else "unmatched"
        if study and study.study_uid in result.report_by_study_uid:
            status, study = "duplicate_key", None
        scrubbed = scrub_report_text(
            raw_text, study.known_phi if study else None, study.date_shift_days if study else None
        )
        row = {
            "report_id": report_id,
            "cohort": plan.cohort,
            "study_id": study.study_id if study else None,
            "patient_id": study.patient_id if study else None,
            "match_status": status,
            "key_pseudonym": "key_" + pseudonymizer.token("report-key", plan.cohort, key),
            "text": scrubbed.text,
            "text_hash": sha256_text(scrubbed.text),
            "language": spec.language,
            "phi_replacements": scrubbed.n_replacements,
            "input_hash": sha256_text(raw_text),
        }
        if study:
            result.report_by_study_uid[study.study_uid] = report_id
            result.n_matched += 1
        elif status == "duplicate_key":
            result.n_duplicate_keys += 1
        else:
            result.n_unmatched += 1
        report_rows.append(row)
        pending.append((row, scrubbed.text))

    analysis_rows = _analysis_rows(pending, analyzer, run)
    for table, rows in (("reports", report_rows), *analysis_rows.items()):
        written = write_table_part(warehouse, table, rows, run, "reports")
        if written:
            result.parts.append(written)
    return result


def _analysis_rows(
    pending: list[tuple[dict[str, Any], str]], analyzer: ReportAnalyzer, run: RunContext
) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {
        "sentences": [],
        "findings": [],
        "study_labels": [],
        "measurements": [],
        "synthetic_reports": [],
    }
    renderer = HouseStyleRenderer(analyzer)
    analyses: Iterator[ReportAnalysis] = analyzer.analyze_many(text for _row, text in pending)
    for (row, text), analysis in zip(pending, analyses, strict=True):
        row["style"] = analysis.style
        row["sections"] = analysis.sections
        row["n_sentences"] = len(analysis.sentences)
        common = {"report_id": row["report_id"], "study_id": row["study_id"], "cohort": row["cohort"]}
        provenance = {"input_hash": row["text_hash"]}
        tables["sentences"].extend(_sentence_rows(analysis, common, provenance))
        findings = _finding_rows(analysis, common, provenance, run)
        tables["findings"].extend(findings)
        tables["measurements"].extend(_measurement_rows(findings, common, provenance))
        tables["study_labels"].extend(_study_label_rows(analysis, common, provenance))
        house_style = _house_style(analysis, analyzer, renderer)
        source = {"report_id": row["report_id"], "study_id": row["study_id"], "text": text}
        tables["synthetic_reports"].append(synthetic_report_row(source, house_style, "house", row["cohort"]))
    return tables


def _house_style(analysis: ReportAnalysis, analyzer: ReportAnalyzer, renderer: HouseStyleRenderer) -> Rewrite:
    """The deterministic house-style text of every report, checked by re-extraction as it is written."""
    findings = finding_set(analysis)
    text = renderer.render(findings)
    differences = compare_findings(findings, finding_set(analyzer.analyze(text)))
    verdict = "re-extracted findings equal the source's" if not differences else "; ".join(differences)
    return Rewrite(text, "template", not differences, f"deterministic rendering at ingest: {verdict}")


def _sentence_rows(analysis: ReportAnalysis, common: dict[str, Any], provenance: dict[str, Any]) -> list[dict]:
    return [
        {
            **common,
            **provenance,
            "sentence_id": f"{common['report_id']}:{s.index}",
            "sentence_index": s.index,
            "section": s.section,
            "char_start": s.char_start,
            "char_end": s.char_end,
            "text": s.text,
            "organ_systems": list(s.organ_systems),
        }
        for s in analysis.sentences
    ]


def _finding_rows(
    analysis: ReportAnalysis, common: dict[str, Any], provenance: dict[str, Any], run: RunContext
) -> list[dict]:
    rows = []
    for m in analysis.mentions:
        sentence_id = f"{common['report_id']}:{m.sentence_index}"
        rows.append(
            {
                **common,
                **provenance,
                "finding_id": f"{sentence_id}:{m.char_start}:{m.label}",
                "sentence_id": sentence_id,
                "section": m.section,
                "label": m.label,
                "organ_system": m.organ_system,
                "assertion": m.assertion,
                "mention_text": m.mention_text,
                "char_start": m.char_start,
                "char_end": m.char_end,
                "laterality": m.laterality,
                "location": m.location,
                "size_mm": m.size_mm,
                "sizes_mm": m.sizes_mm,
                "count": m.count,
                "change": m.change,
                "severity": m.severity,
                "extractor": f"{EXTRACTOR_NAME}@{run.pipeline_version}",
            }
        )
    return rows


def _measurement_rows(findings: list[dict], common: dict[str, Any], provenance: dict[str, Any]) -> list[dict]:
    rows = []
    for finding in findings:
        for index, size in enumerate(finding.get("sizes_mm") or []):
            rows.append(
                {
                    **common,
                    **provenance,
                    "measurement_id": f"{finding['finding_id']}:size:{index}",
                    "finding_id": finding["finding_id"],
                    "label": finding["label"],
                    "kind": "size",
                    "value": float(size),
                    "unit": "mm",
                    "source": "report",
                    "source_text": None,
                }
            )
    return rows


def _study_label_rows(analysis: ReportAnalysis, common: dict[str, Any], provenance: dict[str, Any]) -> list[dict]:
    return [
        {
            **common,
            **provenance,
            "label": label.label,
            "organ_system": label.organ_system,
            "status": label.status,
            "n_mentions": label.n_mentions,
            "max_size_mm": label.max_size_mm,
            "lateralities": label.lateralities,
        }
        for label in analysis.study_labels()
    ]
