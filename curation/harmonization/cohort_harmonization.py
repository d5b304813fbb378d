"""Harmonize every current report of a cohort and write the ``synthetic_reports`` part.

Style ``house`` rewrites into ctcurate's house style; ``institution:<cohort>`` renders the findings in
another cohort's learned style (synthetic reports for pretraining). Without an LLM everything is
deterministic; with one, accepted rewrites replace the rendering and rejected ones are kept for audit.
Style profiles are learned from de-identified report text only and saved as ``styles/<cohort>.json``.

    >>> summary = harmonize_cohort(warehouse, "site_a", run, style="house", llm=None)  # doctest: +SKIP
    >>> summary.n_reports, summary.n_template  # doctest: +SKIP
    (6, 6)
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from curation.content_hashing import sha256_parts
from curation.harmonization.house_style import HouseStyleRenderer
from curation.harmonization.style_profile import InstitutionStyle, learn_style_profile
from curation.harmonization.verified_rewriter import HarmonizationOutcome, Rewrite, VerifiedRewriter
from curation.llm.llm_config import LLMConfig
from curation.llm.response_cache import ResponseCache
from curation.llm.structured_client import StructuredClient
from curation.provenance import RunContext
from curation.reports.report_analyzer import ReportAnalyzer
from curation.storage.catalog import Catalog
from curation.storage.table_parts import write_table_part
from curation.storage.warehouse_layout import Warehouse, check_name

LLM_CACHE_DIR = "llm_cache"


@dataclass
class HarmonizeSummary:
    cohort: str
    style: str
    n_reports: int = 0
    n_llm_accepted: int = 0
    n_llm_rejected: int = 0  # rejected rewrites (a report can have two)
    n_template: int = 0  # reports whose final text is the deterministic rendering
    llm_calls: int = 0
    cache_hits: int = 0
    retries: int = 0
    llm_unavailable: bool = False
    seconds_per_report: float = 0.0
    parts: list[str] = field(default_factory=list)


def load_or_learn_style(warehouse: Warehouse, cohort: str) -> InstitutionStyle:
    check_name("cohort", cohort)
    path = f"styles/{cohort}.json"
    if warehouse.exists(path):
        return InstitutionStyle.from_json(warehouse.fs.cat_file(warehouse.path(path)).decode())
    catalog = Catalog(warehouse)
    texts = [r["text"] for r in catalog.query(f"SELECT text FROM reports WHERE cohort = '{cohort}'").to_pylist()]
    if not texts:
        raise ValueError(f"cohort {cohort!r} has no reports in the catalog to learn a style from")
    institution = catalog.query(f"SELECT institution FROM cohorts WHERE cohort = '{cohort}'").to_pylist()
    style = learn_style_profile(institution[0]["institution"] if institution else cohort, texts)
    warehouse.write_bytes_atomic(path, style.to_json().encode())
    return style


def harmonize_cohort(
    warehouse: Warehouse,
    cohort: str,
    run: RunContext,
    *,
    style: str = "house",
    llm: LLMConfig | None = None,
    limit: int | None = None,
) -> HarmonizeSummary:
    check_name("cohort", cohort)
    target = None if style == "house" else load_or_learn_style(warehouse, _style_cohort(style))
    reports = _current_reports(warehouse, cohort, limit)
    analyzer = ReportAnalyzer()
    client = StructuredClient(llm, ResponseCache(warehouse.local_cache_dir(LLM_CACHE_DIR))) if llm else None
    rewriter = VerifiedRewriter(analyzer, HouseStyleRenderer(analyzer), client)
    summary = HarmonizeSummary(cohort=cohort, style=style, n_reports=len(reports))
    started = time.perf_counter()
    outcomes = _harmonize_all(rewriter, reports, target, llm)
    rows = []
    for report, outcome in zip(reports, outcomes, strict=True):
        rows.extend(_rows(report, outcome, style, cohort))
        summary.n_template += outcome.final.method == "template"
        summary.n_llm_accepted += outcome.final.method == "llm"
        summary.n_llm_rejected += len(outcome.rejected)
        summary.llm_unavailable |= "unavailable" in outcome.final.verification
    summary.seconds_per_report = (time.perf_counter() - started) / max(len(reports), 1)
    if client is not None:
        summary.llm_calls, summary.cache_hits, summary.retries = (
            client.stats.calls, client.stats.cache_hits, client.stats.retries,
        )  # fmt: skip
    written = write_table_part(warehouse, "synthetic_reports", rows, run, f"harmonize-{_safe(style)}")
    summary.parts = [written] if written else []
    return summary


def _harmonize_all(
    rewriter: VerifiedRewriter, reports: list[dict[str, Any]], target: InstitutionStyle | None, llm: LLMConfig | None
) -> list[HarmonizationOutcome]:
    if llm is None:
        return [rewriter.harmonize(r["text"], r["region"], target) for r in reports]
    lock = threading.Lock()  # the spaCy pipeline is shared; LLM calls run concurrently around it
    rewriter.analyzer = _Locked(rewriter.analyzer, lock)  # type: ignore[assignment]
    with ThreadPoolExecutor(max_workers=llm.max_concurrency) as pool:
        return list(pool.map(lambda r: rewriter.harmonize(r["text"], r["region"], target), reports))


class _Locked:
    """Serialises calls to the analyzer's ``analyze`` from worker threads."""

    def __init__(self, analyzer: ReportAnalyzer, lock: threading.Lock) -> None:
        self._analyzer, self._lock = analyzer, lock
        self.labels = analyzer.labels

    def analyze(self, text: str) -> Any:
        with self._lock:
            return self._analyzer.analyze(text)


def _current_reports(warehouse: Warehouse, cohort: str, limit: int | None) -> list[dict[str, Any]]:
    sql = f"""
        SELECT r.report_id, r.study_id, r.text, coalesce(s.body_region, 'chest') AS region
        FROM reports AS r LEFT JOIN studies AS s USING (study_id)
        WHERE r.cohort = '{cohort}' ORDER BY r.report_id {f"LIMIT {int(limit)}" if limit else ""}
    """
    return Catalog(warehouse).query(sql).to_pylist()


def _rows(report: dict[str, Any], outcome: HarmonizationOutcome, style: str, cohort: str) -> list[dict[str, Any]]:
    return [synthetic_report_row(report, rewrite, style, cohort) for rewrite in (*outcome.rejected, outcome.final)]


def synthetic_report_row(report: dict[str, Any], rewrite: Rewrite, style: str, cohort: str) -> dict[str, Any]:
    """A ``synthetic_reports`` row; ``report`` has the source's report_id, study_id and text."""
    return {
        "synthetic_id": "syn_" + sha256_parts(report["report_id"], style, rewrite.method, rewrite.text)[:24],
        "cohort": cohort,
        "study_id": report["study_id"],
        "source_report_id": report["report_id"],
        "style": style,
        "method": rewrite.method,
        "model": rewrite.model,
        "text": rewrite.text,
        "accepted": rewrite.accepted,
        "verification": rewrite.verification,
        "prompt_hash": rewrite.prompt_hash,
        "prompt_tokens": rewrite.prompt_tokens,
        "completion_tokens": rewrite.completion_tokens,
        "input_hash": sha256_parts(report["text"]),
    }


def _style_cohort(style: str) -> str:
    if not style.startswith("institution:"):
        raise ValueError(f"style must be 'house' or 'institution:<cohort>', got {style!r}")
    return style.split(":", 1)[1]


def _safe(style: str) -> str:
    return style.replace(":", "-")
