"""Run identity and provenance: every row names the run and pipeline version that wrote it."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from curation import PIPELINE_VERSION


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_run_id(kind: str, at: dt.datetime | None = None) -> str:
    """A sortable, unique run id such as ``20261122T061500Z-ingest-3fa9c1``."""
    at = at or utc_now()
    return f"{at:%Y%m%dT%H%M%SZ}-{kind}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class RunContext:
    kind: str
    cohort: str | None
    run_id: str = ""
    started_at: dt.datetime = field(default_factory=utc_now)
    pipeline_version: str = PIPELINE_VERSION

    def __post_init__(self) -> None:
        if not self.run_id:
            object.__setattr__(self, "run_id", new_run_id(self.kind, self.started_at))

    def provenance(self, input_hash: str | None = None) -> dict[str, str | None]:
        return {"run_id": self.run_id, "pipeline_version": self.pipeline_version, "input_hash": input_hash}
