"""An LLM's reading of a report's findings as a second opinion to the rule extractor.

The model answers in the ``extracted_findings`` schema with labels from the taxonomy; the answer is
validated against the schema and compared with the rules' findings on (label, assertion). Labels the
model invents outside the taxonomy are reported, never stored as findings.

    >>> opinion = llm_second_opinion(client, analyzer, "Small right pleural effusion.")  # doctest: +SKIP
    >>> opinion.agreed, opinion.only_llm  # doctest: +SKIP
    ([('pleural_effusion', 'POSITIVE')], [])
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from curation.harmonization.finding_set import finding_set
from curation.llm.structured_client import StructuredClient
from curation.reports.report_analyzer import ReportAnalyzer
from curation.resources import schemas_dir

EXTRACTION_SCHEMA_FILE = "extracted_findings.schema.json"


@dataclass
class SecondOpinion:
    agreed: list[tuple[str, str]] = field(default_factory=list)
    only_rules: list[tuple[str, str]] = field(default_factory=list)
    only_llm: list[tuple[str, str]] = field(default_factory=list)
    unknown_labels: list[str] = field(default_factory=list)  # outside the taxonomy
    error: str | None = None  # the answer was not valid JSON for the schema
    prompt_hash: str | None = None

    @property
    def agreement(self) -> float:
        total = len(self.agreed) + len(self.only_rules) + len(self.only_llm)
        return len(self.agreed) / total if total else 1.0


def llm_second_opinion(client: StructuredClient, analyzer: ReportAnalyzer, text: str) -> SecondOpinion:
    schema = json.loads((schemas_dir() / "messages" / EXTRACTION_SCHEMA_FILE).read_text())
    labels = sorted(label.name for label in analyzer.labels)
    messages = [
        {
            "role": "system",
            "content": "Extract every finding of the radiology report. Use only these labels: "
            + ", ".join(labels)
            + ". Assertion is POSITIVE, NEGATIVE, UNCERTAIN or HISTORICAL.",
        },
        {"role": "user", "content": text},
    ]
    result = client.complete_json(messages, schema)
    rules = {(f.label, f.assertion) for f in finding_set(analyzer.analyze(text))}
    if result.content is None:
        return SecondOpinion(only_rules=sorted(rules), error=result.error, prompt_hash=result.prompt_hash)
    known = set(labels)
    answered = [(f["label"], f["assertion"]) for f in result.content["findings"]]
    model = {pair for pair in answered if pair[0] in known}
    return SecondOpinion(
        agreed=sorted(rules & model),
        only_rules=sorted(rules - model),
        only_llm=sorted(model - rules),
        unknown_labels=sorted({label for label, _ in answered if label not in known}),
        prompt_hash=result.prompt_hash,
    )
