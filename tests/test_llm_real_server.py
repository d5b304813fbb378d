"""The LLM path against a real OpenAI-compatible server (llama.cpp + SmolLM2-135M on loopback).

A 135M model writes poor reports, and that is the point: these tests check the plumbing (format
negotiation, schema validation, the cache, retries when the server stops) and that verification
rejects rewrites that change a finding. Content quality is not tested.
"""

from __future__ import annotations

import json

import pytest

from curation.harmonization.finding_set import finding_set
from curation.harmonization.house_style import HouseStyleRenderer
from curation.harmonization.verified_rewriter import VerifiedRewriter
from curation.llm.llm_config import LLMConfig
from curation.llm.response_cache import ResponseCache
from curation.llm.structured_client import LLMUnavailable, StructuredClient
from curation.reports.report_analyzer import ReportAnalyzer
from curation.resources import schemas_dir
from tests.llm_server import llama_server

pytestmark = pytest.mark.llm
REPORT = (
    "FINDINGS: Small right pleural effusion. 8 mm nodule in the left lower lobe. No pneumothorax.\n"
    "IMPRESSION: Right pleural effusion and a left lower lobe nodule."
)


@pytest.fixture(scope="module")
def server():
    with llama_server() as running:
        yield running


def _config(base_url: str, **overrides) -> LLMConfig:
    return LLMConfig(base_url=base_url, model="smollm2", max_tokens=160, backoff_s=0.1, **overrides)


def test_structured_output_is_negotiated_validated_and_cached(server, tmp_path):
    base_url, _process = server
    schema = json.loads((schemas_dir() / "messages" / "extracted_findings.schema.json").read_text())
    client = StructuredClient(_config(base_url), ResponseCache(tmp_path / "cache"))
    messages = [{"role": "user", "content": f"List the findings of this report.\n{REPORT}"}]
    first = client.complete_json(messages, schema)
    # llama.cpp's server rejects json_schema response formats; json_object with a schema is next
    assert first.response_format == "json_object_schema"
    assert first.prompt_tokens and first.completion_tokens
    assert (first.content is not None) or first.error  # validated against the schema either way
    if first.content is not None:
        calls = client.stats.calls
        second = client.complete_json(messages, schema)
        assert second.from_cache and client.stats.calls == calls and client.stats.cache_hits == 1
        assert second.content == first.content


def test_rewrites_are_verified_and_a_rerun_makes_no_calls(server, tmp_path):
    base_url, _process = server
    analyzer = ReportAnalyzer()
    cache = ResponseCache(tmp_path / "cache")
    client = StructuredClient(_config(base_url), cache)
    rewriter = VerifiedRewriter(analyzer, HouseStyleRenderer(analyzer), client)
    source = finding_set(analyzer.analyze(REPORT))
    outcome = rewriter.harmonize(REPORT)
    if outcome.final.method == "llm":
        assert outcome.final.accepted and not rewriter.verify(source, outcome.final.text)
    else:
        assert outcome.rejected and all(not r.accepted for r in outcome.rejected)
        assert not rewriter.verify(source, outcome.final.text)  # the fallback keeps every finding
    for rejected in outcome.rejected:
        assert (
            rewriter.verify(source, rejected.text)
            or "schema" in rejected.verification
            or "JSON" in rejected.verification
        )
    calls = client.stats.calls
    again = VerifiedRewriter(analyzer, HouseStyleRenderer(analyzer), StructuredClient(_config(base_url), cache))
    rerun = again.harmonize(REPORT)
    assert again.client.stats.calls == 0 and rerun.final.text == outcome.final.text  # type: ignore[union-attr]
    assert calls >= 1


def test_server_stopped_mid_run_falls_back_and_says_so(tmp_path):
    with llama_server() as (base_url, process):
        analyzer = ReportAnalyzer()
        client = StructuredClient(_config(base_url, max_attempts=3), ResponseCache(tmp_path / "cache"))
        rewriter = VerifiedRewriter(analyzer, HouseStyleRenderer(analyzer), client)
        rewriter.harmonize("FINDINGS: No pleural effusion.")
        process.terminate()
        process.wait(timeout=10)
        outcome = rewriter.harmonize("FINDINGS: Moderate emphysema. No pneumothorax.")
    assert outcome.final.method == "template" and "unavailable" in outcome.final.verification
    assert client.stats.retries >= 2
    with pytest.raises(LLMUnavailable):
        client.complete_json([{"role": "user", "content": "hello"}], {"type": "object"})


def test_second_opinion_is_compared_with_the_rules(server, tmp_path):
    from curation.harmonization.second_opinion import llm_second_opinion

    base_url, _process = server
    analyzer = ReportAnalyzer()
    opinion = llm_second_opinion(StructuredClient(_config(base_url), ResponseCache(tmp_path)), analyzer, REPORT)
    rules = {(f.label, f.assertion) for f in finding_set(analyzer.analyze(REPORT))}
    assert set(opinion.agreed) | set(opinion.only_rules) == rules
    assert not set(opinion.only_llm) & rules
    assert 0.0 <= opinion.agreement <= 1.0
