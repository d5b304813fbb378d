"""CT-RATE label rows: the 18 CT-RATE abnormality columns as 0/1 from a report analysis.

The column names come from the lexicons (``ct_rate:`` of each label) and are checked against the
CT-RATE spelling and order below. ``label_reports_csv`` is the library side of
``ctcurate labels REPORTS.csv --id-column C --text-column C --out OUT.csv [--format ct-rate|full]``.

    >>> analysis = ReportAnalyzer().analyze("Mild cardiomegaly. No pleural effusion.")
    >>> row = ct_rate_row(analysis)
    >>> row["Cardiomegaly"], row["Pleural effusion"], len(row)
    (1, 0, 18)
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from curation.reports.lexicon import load_lexicon
from curation.reports.report_analyzer import ReportAnalysis, ReportAnalyzer

# CT-RATE's column order and spelling (multi_abnormality_labels.csv).
CT_RATE_COLUMNS = (
    "Medical material",
    "Arterial wall calcification",
    "Cardiomegaly",
    "Pericardial effusion",
    "Coronary artery wall calcification",
    "Hiatal hernia",
    "Lymphadenopathy",
    "Emphysema",
    "Atelectasis",
    "Lung nodule",
    "Lung opacity",
    "Pulmonary fibrotic sequela",
    "Pleural effusion",
    "Mosaic attenuation pattern",
    "Peribronchial thickening",
    "Consolidation",
    "Bronchiectasis",
    "Interlobular septal thickening",
)
OUTPUT_FORMATS = ("ct-rate", "full")


class ReportsCsvError(ValueError):
    """The reports CSV cannot be read or lacks a column; the message names the file."""


def ct_rate_label_map(lexicon_dir: Path | None = None) -> dict[str, str]:
    """CT-RATE column -> label name, in CT-RATE order; every column must be mapped exactly once."""
    mapped: dict[str, str] = {}
    for label in load_lexicon(lexicon_dir).labels:
        if label.ct_rate_label is None:
            continue
        if label.ct_rate_label not in CT_RATE_COLUMNS:
            raise ValueError(f"label {label.name}: ct_rate {label.ct_rate_label!r} is not a CT-RATE column")
        if label.ct_rate_label in mapped:
            raise ValueError(
                f"CT-RATE column {label.ct_rate_label!r} is mapped twice ({mapped[label.ct_rate_label]}, {label.name})"
            )
        mapped[label.ct_rate_label] = label.name
    missing = [c for c in CT_RATE_COLUMNS if c not in mapped]
    if missing:
        raise ValueError(f"the lexicons map no label to CT-RATE column(s): {', '.join(missing)}")
    return {column: mapped[column] for column in CT_RATE_COLUMNS}


CT_RATE_LABELS: list[str] = list(ct_rate_label_map())


def ct_rate_row(analysis: ReportAnalysis, uncertain_as: int = 1) -> dict[str, int]:
    """The 18 CT-RATE columns: positive 1, uncertain ``uncertain_as``, negative or unmentioned 0."""
    status = {label.label: label.status for label in analysis.study_labels()}
    values = {"positive": 1, "uncertain": uncertain_as}
    return {column: values.get(status.get(name, ""), 0) for column, name in ct_rate_label_map().items()}


def _status_01(assertion: str, uncertain_as: int) -> int:
    return {"POSITIVE": 1, "UNCERTAIN": uncertain_as}.get(assertion, 0)


def full_rows(report_id: str, analysis: ReportAnalysis, uncertain_as: int = 1) -> list[dict[str, object]]:
    """One row per label mention, with its assertion, attributes and ``status_01`` (uncertain -> ``uncertain_as``)."""
    return [
        {
            "report_id": report_id,
            "label": m.label,
            "organ_system": m.organ_system,
            "assertion": m.assertion,
            "section": m.section,
            "sentence_index": m.sentence_index,
            "mention_text": m.mention_text,
            "char_start": m.char_start,
            "char_end": m.char_end,
            "laterality": m.laterality,
            "location": m.location,
            "size_mm": m.size_mm,
            "sizes_mm": None if m.sizes_mm is None else ";".join(f"{s:g}" for s in m.sizes_mm),
            "count": m.count,
            "change": m.change,
            "severity": m.severity,
            "suv_max": m.suv_max,
            "deauville": m.deauville,
            "status_01": _status_01(m.assertion, uncertain_as),
        }
        for m in analysis.mentions
    ]


def read_reports_csv(in_csv: Path, id_column: str, text_column: str) -> tuple[list[str], list[str]]:
    try:
        frame = pl.read_csv(in_csv, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError) as error:
        raise ReportsCsvError(f"{in_csv}: cannot read the reports CSV ({type(error).__name__}: {error})") from None
    missing = [c for c in (id_column, text_column) if c not in frame.columns]
    if missing:
        raise ReportsCsvError(f"{in_csv}: column(s) {', '.join(map(repr, missing))} not found; it has {frame.columns}")
    ids = [str(v or "") for v in frame.get_column(id_column).to_list()]
    texts = [str(v or "") for v in frame.get_column(text_column).to_list()]
    return ids, texts


def label_reports_csv(
    in_csv: Path,
    id_column: str,
    text_column: str,
    out_csv: Path,
    format: str = "ct-rate",
    uncertain_as: int = 1,
    analyzer: ReportAnalyzer | None = None,
) -> int:
    """Label every report of ``in_csv`` and write ``out_csv``; returns the number of reports."""
    if format not in OUTPUT_FORMATS:
        raise ValueError(f"format must be one of {', '.join(OUTPUT_FORMATS)}, not {format!r}")
    ids, texts = read_reports_csv(Path(in_csv), id_column, text_column)
    analyzer = analyzer or ReportAnalyzer()
    rows: list[dict[str, object]] = []
    for report_id, analysis in zip(ids, analyzer.analyze_many(texts), strict=True):
        if format == "ct-rate":
            rows.append({id_column: report_id, **ct_rate_row(analysis, uncertain_as)})
        else:
            rows.extend(full_rows(report_id, analysis, uncertain_as))
    frame = pl.DataFrame(rows, schema=_schema(format, id_column), orient="row") if rows else _empty(format, id_column)
    Path(out_csv).parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(out_csv)
    return len(ids)


def _schema(format: str, id_column: str) -> dict[str, pl.DataType]:
    if format == "ct-rate":
        return {id_column: pl.String(), **{c: pl.Int8() for c in CT_RATE_COLUMNS}}
    strings = ("report_id", "label", "organ_system", "assertion", "section", "mention_text", "laterality", "location")
    schema: dict[str, pl.DataType] = {name: pl.String() for name in strings}
    schema.update(sentence_index=pl.Int32(), char_start=pl.Int32(), char_end=pl.Int32(), size_mm=pl.Float64())
    schema.update(sizes_mm=pl.String(), count=pl.Int32(), change=pl.String(), severity=pl.String())
    schema.update(suv_max=pl.Float64(), deauville=pl.Int32(), status_01=pl.Int8())
    order = [
        "report_id",
        "label",
        "organ_system",
        "assertion",
        "section",
        "sentence_index",
        "mention_text",
        "char_start",
        "char_end",
        "laterality",
        "location",
        "size_mm",
        "sizes_mm",
        "count",
        "change",
        "severity",
        "suv_max",
        "deauville",
        "status_01",
    ]
    return {name: schema[name] for name in order}


def _empty(format: str, id_column: str) -> pl.DataFrame:
    return pl.DataFrame(schema=_schema(format, id_column))
