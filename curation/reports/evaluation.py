"""Evaluate predicted report labels against manual labels: per-label precision, recall, F1, support.

Gold and predictions are 0/1 tables with one row per report and one column per label (the
CT-RATE layout); predictions may also be given as report analyses, turned into CT-RATE rows.
``evaluate_report_csv`` labels the report texts of the gold CSV itself and keeps the analyses, so
``disagreements`` can list, for one label, the reports where gold and prediction differ with the
sentences that produced the prediction (or, for a miss, the sentences naming the label's words).

    >>> scores = evaluate_labels("gold.csv", "pred.csv", id_column="AccessionNo")  # doctest: +SKIP
    >>> scores.macro_f1, scores.per_label["Pleural effusion"].f1  # doctest: +SKIP
    (0.95, 0.97)
    >>> result = evaluate_report_csv("gold.csv", "AccessionNo", "report_text")  # doctest: +SKIP
    >>> print(result.scores.table())  # doctest: +SKIP
    >>> disagreements(result, "Pleural effusion")[0]  # doctest: +SKIP
    ('train_12', 0, 1, ['POSITIVE | Minimal pleural effusion on the left.'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from curation.reports.ct_rate import CT_RATE_LABELS, ct_rate_label_map, ct_rate_row, read_reports_csv
from curation.reports.report_analyzer import ReportAnalysis, ReportAnalyzer


@dataclass(frozen=True)
class LabelScore:
    label: str
    tp: int
    fp: int
    fn: int
    support: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else 1.0


@dataclass(frozen=True)
class LabelScores:
    per_label: dict[str, LabelScore]
    n_reports: int

    @property
    def macro_f1(self) -> float:
        return sum(s.f1 for s in self.per_label.values()) / len(self.per_label) if self.per_label else 0.0

    @property
    def micro(self) -> LabelScore:
        scores = self.per_label.values()
        return LabelScore(
            "micro",
            sum(s.tp for s in scores),
            sum(s.fp for s in scores),
            sum(s.fn for s in scores),
            sum(s.support for s in scores),
        )

    def table(self) -> str:
        lines = [f"{'label':36} {'prec':>6} {'rec':>6} {'f1':>6} {'supp':>5} {'fp':>4} {'fn':>4}"]
        for s in [*self.per_label.values(), self.micro]:
            lines.append(
                f"{s.label:36} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.support:5d} {s.fp:4d} {s.fn:4d}"
            )
        lines.append(f"{'macro F1':36} {'':6} {'':6} {self.macro_f1:6.3f}   (n reports = {self.n_reports})")
        return "\n".join(lines)


def _rows_by_id(table: pl.DataFrame, id_column: str, labels: list[str], what: str) -> dict[str, dict[str, int]]:
    missing = [c for c in (id_column, *labels) if c not in table.columns]
    if missing:
        raise ValueError(f"{what}: column(s) {', '.join(missing)} not found")
    ids = [str(v) for v in table.get_column(id_column).to_list()]
    values = {label: [int(v or 0) for v in table.get_column(label).to_list()] for label in labels}
    return {report_id: {label: values[label][i] for label in labels} for i, report_id in enumerate(ids)}


def _as_table(source: Path | str | pl.DataFrame) -> pl.DataFrame:
    return source if isinstance(source, pl.DataFrame) else pl.read_csv(source, infer_schema_length=None)


def evaluate_labels(
    gold: Path | str | pl.DataFrame,
    predicted: Path | str | pl.DataFrame | Mapping[str, ReportAnalysis],
    id_column: str,
    labels: Iterable[str] | None = None,
    uncertain_as: int = 1,
) -> LabelScores:
    """Scores over the reports present in the gold table (a report missing from predictions scores 0s)."""
    label_list = list(labels) if labels is not None else list(CT_RATE_LABELS)
    gold_rows = _rows_by_id(_as_table(gold), id_column, label_list, "gold")
    if isinstance(predicted, Mapping):
        predicted_rows = {rid: ct_rate_row(analysis, uncertain_as) for rid, analysis in predicted.items()}
    else:
        predicted_rows = _rows_by_id(_as_table(predicted), id_column, label_list, "predictions")
    per_label = {}
    for label in label_list:
        tp = fp = fn = support = 0
        for report_id, truth in gold_rows.items():
            expected = truth[label] == 1
            found = predicted_rows.get(report_id, {}).get(label, 0) == 1
            support += expected
            tp += expected and found
            fp += found and not expected
            fn += expected and not found
        per_label[label] = LabelScore(label, tp, fp, fn, support)
    return LabelScores(per_label, len(gold_rows))


@dataclass(frozen=True)
class EvaluationResult:
    """Scores of one evaluation, with what is needed to explain them."""

    scores: LabelScores
    gold: dict[str, dict[str, int]]  # report id -> label -> 0/1
    predicted: dict[str, dict[str, int]]  # report id -> label -> 0/1
    analyses: dict[str, ReportAnalysis]  # report id -> analysis (empty when predictions came from a CSV)
    uncertain_as: int = 1


def evaluate_report_csv(
    gold_csv: Path | str,
    id_column: str,
    text_column: str,
    uncertain_as: int = 1,
    labels: Iterable[str] | None = None,
    pred_csv: Path | str | None = None,
    analyzer: ReportAnalyzer | None = None,
) -> EvaluationResult:
    """Evaluate against ``gold_csv`` (ids, report texts, 0/1 label columns).

    Without ``pred_csv`` the texts of ``text_column`` are analysed here (uncertain counts as
    ``uncertain_as``); with it, the predictions are read from that CSV and the texts are analysed only
    to explain disagreements.
    """
    label_list = list(labels) if labels is not None else list(CT_RATE_LABELS)
    gold_table = _as_table(gold_csv)
    ids, texts = read_reports_csv(Path(gold_csv), id_column, text_column)
    analyzer = analyzer or ReportAnalyzer()
    analyses = dict(zip(ids, analyzer.analyze_many(texts), strict=True))
    predicted_source: pl.DataFrame | Mapping[str, ReportAnalysis] = (
        _as_table(pred_csv) if pred_csv is not None else analyses
    )
    scores = evaluate_labels(gold_table, predicted_source, id_column, label_list, uncertain_as)
    gold_rows = _rows_by_id(gold_table, id_column, label_list, "gold")
    if isinstance(predicted_source, pl.DataFrame):
        predicted_rows = _rows_by_id(predicted_source, id_column, label_list, "predictions")
    else:
        predicted_rows = {rid: ct_rate_row(a, uncertain_as) for rid, a in analyses.items()}
    return EvaluationResult(scores, gold_rows, predicted_rows, analyses, uncertain_as)


def disagreements(result: EvaluationResult, label: str) -> list[tuple[str, int, int, list[str]]]:
    """(report id, gold, predicted, sentences) for each report where gold and prediction differ on ``label``.

    ``label`` is a CT-RATE column ("Lung opacity") or a label name ("lung_opacity"). The sentences are
    those with a mention of the label, prefixed with its assertion ("NEGATIVE | No effusion."); a missed
    report without any mention lists nothing (read the report).
    """
    mapping = ct_rate_label_map()
    column = label if label in mapping else next((c for c, n in mapping.items() if n == label), label)
    name = mapping.get(column, label)
    rows = []
    for report_id, truth in result.gold.items():
        gold = truth.get(column, 0)
        predicted = result.predicted.get(report_id, {}).get(column, 0)
        if gold == predicted:
            continue
        analysis = result.analyses.get(report_id)
        sentences: list[str] = []
        if analysis is not None:
            for mention in analysis.mentions:
                if mention.label == name:
                    line = f"{mention.assertion} | {analysis.sentences[mention.sentence_index].text}"
                    if line not in sentences:
                        sentences.append(line)
        rows.append((report_id, gold, predicted, sentences))
    return rows
