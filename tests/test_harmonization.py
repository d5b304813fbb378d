"""Deterministic harmonization: house style and institution styles re-extract to the source's findings."""

from __future__ import annotations

import json

import polars as pl
import pytest

from curation.harmonization.finding_set import Finding, compare_findings, finding_set
from curation.harmonization.house_style import HouseStyleRenderer
from curation.harmonization.style_profile import InstitutionStyle, learn_style_profile, render_in_style
from curation.harmonization.verified_rewriter import VerifiedRewriter
from curation.llm.structured_client import LLMResult
from curation.reports.report_analyzer import ReportAnalyzer
from curation.sample_cohort import generate_sample_cohorts
from tests.conftest import shared_fixture


@pytest.fixture(scope="module")
def analyzer() -> ReportAnalyzer:
    return ReportAnalyzer()


@pytest.fixture(scope="module")
def renderer(analyzer) -> HouseStyleRenderer:
    return HouseStyleRenderer(analyzer)


@pytest.fixture(scope="module")
def site_reports(tmp_path_factory) -> dict[str, list[str]]:
    root = tmp_path_factory.mktemp("harmonize")
    generate_sample_cohorts(root)
    site_b = [json.loads(line)["text"] for line in (root / "site_b" / "reports.jsonl").read_text().splitlines()]
    return {"site_a": pl.read_csv(root / "site_a" / "reports.csv")["ReportText"].to_list(), "site_b": site_b}


def _exact(analyzer: ReportAnalyzer, source: list[Finding], text: str) -> bool:
    return not compare_findings(source, finding_set(analyzer.analyze(text)))


def test_house_style_states_only_what_the_source_states(renderer, analyzer):
    text = "FINDINGS: 12 mm nodule in the right upper lobe. Small left pleural effusion. No pneumothorax."
    rendered, findings = renderer.render_report(text)
    assert "Pulmonary nodule measuring 12 mm in the right upper lobe." in rendered
    assert "No pneumothorax." in rendered
    assert "heart" not in rendered.lower() and "normal" not in rendered.lower()
    assert rendered.index("Lungs and airways") < rendered.index("Pleura")
    assert _exact(analyzer, findings, rendered)


def test_canonical_terms_read_back_as_their_label(renderer, analyzer):
    for label, term in renderer.canonical_terms.items():
        mentions = analyzer.analyze(f"{term[:1].upper()}{term[1:]} is present.").mentions
        assert label in [m.label for m in mentions], (label, term)


@pytest.mark.parametrize("site", ["site_a", "site_b"])
def test_sample_sites_harmonize_exactly_in_house_and_other_style(site, site_reports, renderer, analyzer):
    other = "site_b" if site == "site_a" else "site_a"
    style = learn_style_profile(other, site_reports[other])
    for text in site_reports[site]:
        findings = finding_set(analyzer.analyze(text))
        assert _exact(analyzer, findings, renderer.render(findings))
        assert _exact(analyzer, findings, render_in_style(findings, style, renderer))


def test_style_profiles_tell_the_sites_apart(site_reports):
    a, b = (learn_style_profile(site, site_reports[site]) for site in ("site_a", "site_b"))
    assert "FINDINGS:" in dict(a.headings).values() and a.organ_headings
    assert a.headings != b.headings
    assert InstitutionStyle.from_json(a.to_json()) == a


def test_dev_set_reports_reextract_to_their_findings(renderer, analyzer):
    texts = pl.read_csv(shared_fixture("reports/ct_rate_dev_800.csv"))["report_text"].to_list()
    exact = sum(_exact(analyzer, f, renderer.render(f)) for f in (finding_set(analyzer.analyze(t)) for t in texts))
    print(f"house style re-extracts exactly for {exact}/{len(texts)} dev reports")
    assert exact / len(texts) >= 0.99


class _CannedClient:
    """Stands in for StructuredClient: answers with fixed rewrites, in order."""

    def __init__(self, *contents: dict) -> None:
        self.contents = list(contents)
        self.config = type("Config", (), {"model": "canned"})()
        self.seen: list[list[dict]] = []

    def complete_json(self, messages, schema):
        self.seen.append(messages)
        content = self.contents.pop(0)
        return LLMResult(content, json.dumps(content), "hash", False, "json_object", 10, 20)


def test_a_rewrite_that_drops_a_finding_is_rejected_then_retried_then_replaced(analyzer, renderer):
    source = "FINDINGS: Small right pleural effusion. 8 mm nodule in the left lower lobe. IMPRESSION: Effusion."
    dropped = {"findings_text": "Small right pleural effusion.", "impression_text": "Right pleural effusion."}
    client = _CannedClient(dropped, dropped)
    outcome = VerifiedRewriter(analyzer, renderer, client).harmonize(source)  # type: ignore[arg-type]
    assert outcome.final.method == "template" and "rejected 2" in outcome.final.verification
    assert len(outcome.rejected) == 2 and "missing" in outcome.rejected[0].verification
    assert "missing" in client.seen[1][-1]["content"]  # the retry names the differences


def test_a_faithful_rewrite_is_accepted(analyzer, renderer):
    source = "FINDINGS: Small right pleural effusion. No pneumothorax."
    faithful = {
        "findings_text": "There is a small right pleural effusion. No pneumothorax.",
        "impression_text": "Right pleural effusion.",
    }
    outcome = VerifiedRewriter(analyzer, renderer, _CannedClient(faithful)).harmonize(source)  # type: ignore[arg-type]
    assert outcome.final.method == "llm" and outcome.final.accepted and not outcome.rejected
