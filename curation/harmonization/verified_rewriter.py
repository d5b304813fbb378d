"""Harmonize a report, with an LLM when one is configured, accepting only rewrites that keep the findings.

The deterministic house-style rendering is always computed. With an LLM, the rewrite is re-extracted
with the rule extractor and accepted only if labels, assertions, sizes (within 1 mm), laterality and
location equal the source's; on a mismatch the model is asked once more with the differences named,
then the deterministic rendering is used. Every outcome says which method produced the text and why.

    >>> rewriter = VerifiedRewriter(analyzer, HouseStyleRenderer(analyzer), client=None)  # doctest: +SKIP
    >>> rewriter.harmonize(report_text).method  # doctest: +SKIP
    'template'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from curation.harmonization.finding_set import Finding, compare_findings, finding_set
from curation.harmonization.house_style import HouseStyleRenderer
from curation.harmonization.style_profile import InstitutionStyle, render_in_style
from curation.llm.structured_client import LLMResult, LLMUnavailable, StructuredClient
from curation.reports.report_analyzer import ReportAnalyzer
from curation.resources import schemas_dir

REWRITE_SCHEMA_FILE = "rewritten_report.schema.json"
_MAX_LLM_ATTEMPTS = 2  # the first rewrite, and one retry with the differences named


@dataclass(frozen=True)
class Rewrite:
    text: str
    method: str  # template or llm
    accepted: bool
    verification: str  # why accepted or rejected
    model: str | None = None
    prompt_hash: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


@dataclass(frozen=True)
class HarmonizationOutcome:
    final: Rewrite  # the text to use: an accepted LLM rewrite or the deterministic rendering
    rejected: tuple[Rewrite, ...]  # LLM rewrites that changed a finding (kept for audit)
    source_findings: tuple[Finding, ...]


def rewrite_schema() -> dict[str, Any]:
    return json.loads((schemas_dir() / "messages" / REWRITE_SCHEMA_FILE).read_text())


class VerifiedRewriter:
    def __init__(
        self, analyzer: ReportAnalyzer, renderer: HouseStyleRenderer, client: StructuredClient | None = None
    ) -> None:
        self.analyzer = analyzer
        self.renderer = renderer
        self.client = client
        self.schema = rewrite_schema()

    def harmonize(
        self, source_text: str, region: str = "chest", style: InstitutionStyle | None = None
    ) -> HarmonizationOutcome:
        """Rewrite into the house style, or into an institution's ``style`` when given."""
        findings = finding_set(self.analyzer.analyze(source_text))
        if style is None:
            deterministic, target = self.renderer.render(findings, region), "the house style"
        else:
            deterministic = render_in_style(findings, style, self.renderer)
            target = style.prompt_description()
        if self.client is None:
            template = Rewrite(deterministic, "template", True, "deterministic rendering")
            return HarmonizationOutcome(template, (), tuple(findings))
        return self._with_llm(source_text, findings, deterministic, target)

    def verify(self, source: list[Finding], text: str) -> list[str]:
        return compare_findings(source, finding_set(self.analyzer.analyze(text)))

    # -- the LLM path ---------------------------------------------------------------------------------
    def _with_llm(
        self, source_text: str, findings: list[Finding], deterministic: str, target: str
    ) -> HarmonizationOutcome:
        assert self.client is not None
        messages = rewrite_messages(source_text, deterministic, target)
        rejected: list[Rewrite] = []
        for _attempt in range(_MAX_LLM_ATTEMPTS):
            try:
                result = self.client.complete_json(messages, self.schema)
            except LLMUnavailable as error:
                reason = f"LLM unavailable ({error}); deterministic rendering used"
                return HarmonizationOutcome(
                    Rewrite(deterministic, "template", True, reason), tuple(rejected), tuple(findings)
                )
            text = compose_report(result.content) if result.content else result.text
            differences = [result.error] if result.content is None else self.verify(findings, text)
            if not differences:
                accepted = _rewrite(result, text, True, "re-extracted findings equal the source's", self.client)
                return HarmonizationOutcome(accepted, tuple(rejected), tuple(findings))
            rejected.append(_rewrite(result, text, False, "; ".join(str(d) for d in differences), self.client))
            messages = [
                *messages,
                {"role": "assistant", "content": result.text},
                {"role": "user", "content": retry_instruction(differences)},
            ]
        reason = f"LLM rewrite rejected {len(rejected)} time(s); deterministic rendering used"
        return HarmonizationOutcome(Rewrite(deterministic, "template", True, reason), tuple(rejected), tuple(findings))


def rewrite_messages(source_text: str, deterministic: str, target: str) -> list[dict[str, str]]:
    return [
        {
            "role": "system",
            "content": (
                f"You rewrite radiology reports into {target}. Never add, remove or change a finding, "
                "a size, a side or a location. Negated findings stay negated."
            ),
        },
        {
            "role": "user",
            "content": (
                f"Source report:\n{source_text}\n\nThe same findings, structured:\n{deterministic}\n"
                "Rewrite the source report as fluent FINDINGS and IMPRESSION sections in that style."
            ),
        },
    ]


def retry_instruction(differences: list[str]) -> str:
    listed = "\n".join(f"- {d}" for d in differences)
    return f"Your rewrite changed the findings:\n{listed}\nRewrite again and keep every finding exactly."


def compose_report(content: dict[str, Any]) -> str:
    findings, impression = content.get("findings_text", "").strip(), content.get("impression_text", "").strip()
    return f"FINDINGS:\n{findings}\n\nIMPRESSION:\n{impression}\n"


def _rewrite(result: LLMResult, text: str, accepted: bool, why: str, client: StructuredClient) -> Rewrite:
    return Rewrite(
        text=text,
        method="llm",
        accepted=accepted,
        verification=why,
        model=client.config.model,
        prompt_hash=result.prompt_hash,
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
    )
