"""The harmonize flow: a cohort's current reports rewritten into the house style or an institution's style.

    ctcurate harmonize --cohort site_a [--style house|institution:site_b] [--llm-base-url URL --llm-model M]

Without an LLM configured it is deterministic. With one, the flow always finishes: when the server is
down every report falls back to the deterministic rendering, and the summary says so.
"""

from __future__ import annotations

from prefect import flow

from curation.harmonization.cohort_harmonization import HarmonizeSummary, harmonize_cohort
from curation.ingest.run_record import finish_run
from curation.llm.llm_config import LLMConfig
from curation.provenance import RunContext
from curation.storage.warehouse_layout import Warehouse, check_name


@flow(name="harmonize-reports", log_prints=False)
def harmonize_flow(
    cohort: str,
    warehouse_location: str | None = None,
    style: str = "house",
    llm_base_url: str | None = None,
    llm_model: str | None = None,
    limit: int | None = None,
) -> HarmonizeSummary:
    check_name("cohort", cohort)
    warehouse = Warehouse.open(warehouse_location)
    llm = (
        LLMConfig(base_url=llm_base_url, model=llm_model)
        if llm_base_url and llm_model
        else LLMConfig.from_environment()
    )
    run = RunContext(kind="harmonize", cohort=cohort)
    summary = harmonize_cohort(warehouse, cohort, run, style=style, llm=llm, limit=limit)
    finish_run(
        warehouse,
        run,
        summary.parts,
        tables_written=("synthetic_reports",),
        parameters={"cohort": cohort, "style": style, "model": llm.model if llm else None, "limit": limit},
    )
    return summary
