"""Harmonization measures: exact re-extraction of the deterministic house style, terminology spread
before and after, and (optionally) the LLM path's calls, cache hits, acceptance and seconds per report.

    .venv/bin/python benchmarks/harmonization.py                      # deterministic measures
    .venv/bin/python benchmarks/harmonization.py --llm-local 10       # + 10 reports through llama.cpp
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from curation.harmonization.finding_set import compare_findings, finding_set
from curation.harmonization.house_style import HouseStyleRenderer
from curation.harmonization.verified_rewriter import VerifiedRewriter
from curation.llm.llm_config import LLMConfig
from curation.llm.response_cache import ResponseCache
from curation.llm.structured_client import StructuredClient
from curation.reports.report_analyzer import ReportAnalyzer
from curation.sample_cohort import generate_sample_cohorts

DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "reports" / "ct_rate_dev_800.csv"


def datasets() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if DEV_SET.exists():
        found["ct_rate_dev_800"] = pl.read_csv(DEV_SET)["report_text"].to_list()
    root = Path(tempfile.mkdtemp(prefix="ctcurate-bench-"))
    generate_sample_cohorts(root)
    found["sample site_a (sectioned)"] = pl.read_csv(root / "site_a" / "reports.csv")["ReportText"].to_list()
    found["sample site_b (prose)"] = [json.loads(x)["text"] for x in (root / "site_b" / "reports.jsonl").open()]
    return found


def phrasings(analyzer: ReportAnalyzer, texts: list[str]) -> dict[str, set[str]]:
    spread: dict[str, set[str]] = defaultdict(set)
    for analysis in analyzer.analyze_many(texts):
        for mention in analysis.mentions:
            spread[mention.label].add(mention.mention_text.lower())
    return spread


def deterministic_measures(analyzer: ReportAnalyzer, renderer: HouseStyleRenderer, name: str, texts: list[str]) -> None:
    rendered, exact = [], 0
    for text in texts:
        findings = finding_set(analyzer.analyze(text))
        output = renderer.render(findings)
        rendered.append(output)
        exact += not compare_findings(findings, finding_set(analyzer.analyze(output)))
    before, after = phrasings(analyzer, texts), phrasings(analyzer, rendered)
    print(f"\n{name}: {len(texts)} reports; deterministic house style re-extracts exactly: {exact}/{len(texts)} "
          f"({exact / len(texts):.1%})")  # fmt: skip
    print(f"{'label':36} {'phrasings before':>17} {'after':>6}")
    for label in sorted(before, key=lambda lab: -len(before[lab]))[:15]:
        print(f"{label:36} {len(before[label]):17d} {len(after.get(label, ())):6d}")
    total_before = sum(len(v) for v in before.values())
    total_after = sum(len(v) for v in after.values())
    print(f"{'all labels':36} {total_before:17d} {total_after:6d}")


def llm_measures(analyzer: ReportAnalyzer, renderer: HouseStyleRenderer, texts: list[str], config: LLMConfig) -> None:
    cache = ResponseCache(Path(tempfile.mkdtemp(prefix="ctcurate-llm-cache-")))
    for attempt in ("first run", "rerun (cache)"):
        client = StructuredClient(config, cache)
        rewriter = VerifiedRewriter(analyzer, renderer, client)
        started = time.perf_counter()
        outcomes = [rewriter.harmonize(text) for text in texts]
        seconds = (time.perf_counter() - started) / len(texts)
        accepted = sum(o.final.method == "llm" for o in outcomes)
        stats = client.stats
        print(f"\nLLM {attempt}: {len(texts)} reports, calls {stats.calls}, cache hits {stats.cache_hits}, "
              f"accepted {accepted}/{len(texts)} ({accepted / len(texts):.0%}), rejected rewrites "
              f"{sum(len(o.rejected) for o in outcomes)}, {seconds:.2f} s per report, "
              f"tokens {client.stats.prompt_tokens} in / {client.stats.completion_tokens} out")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--llm-local", type=int, default=0, help="run N dev reports through a local llama.cpp server")
    args = parser.parse_args()
    analyzer = ReportAnalyzer()
    renderer = HouseStyleRenderer(analyzer)
    found = datasets()
    for name, texts in found.items():
        deterministic_measures(analyzer, renderer, name, texts)
    if args.llm_local:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.llm_server import llama_server

        texts = next(iter(found.values()))[: args.llm_local]
        with llama_server() as (base_url, _process):
            llm_measures(analyzer, renderer, texts, LLMConfig(base_url=base_url, model="smollm2", max_tokens=256))


if __name__ == "__main__":
    main()
