"""Shared test helpers: the public fixtures folder and small builders."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = REPO_ROOT.parent / "shared" / "fixtures"


def shared_fixture(relative: str) -> Path:
    """Path of a file or folder under ../shared/fixtures; skips the test where it is absent."""
    path = SHARED_FIXTURES / relative
    if not path.exists():
        pytest.skip(f"public fixture {relative} not found under {SHARED_FIXTURES} (clone without shared/)")
    return path


@pytest.fixture(scope="session")
def dev_reports() -> list[str]:
    """The report texts of the 800 CT-RATE development reports (skips where the fixture is absent)."""
    import polars as pl

    path = shared_fixture("reports/ct_rate_dev_800.csv")
    return [str(t or "") for t in pl.read_csv(path).get_column("report_text").to_list()]


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect database for the whole session (about 13 s once)."""
    from prefect.testing.utilities import prefect_test_harness

    import flows  # noqa: F401  (configures Prefect's embedded default before it is imported)

    with prefect_test_harness(server_startup_timeout=120):
        yield


SAMPLE_SITES = ("site_a", "site_b")


@pytest.fixture(scope="session")
def ingested(tmp_path_factory, prefect_harness):
    """Both sample cohorts ingested through the Prefect flow into one warehouse (shared by the session).

    Returns (truth, warehouse, summaries by site, root folder with cohorts/ and warehouse/).
    """
    from curation.sample_cohort import generate_sample_cohorts
    from curation.storage.warehouse_layout import Warehouse
    from flows.ingest_flow import ingest_cohort_flow

    root = tmp_path_factory.mktemp("e2e")
    truth = generate_sample_cohorts(root / "cohorts")
    warehouse = Warehouse.open(root / "warehouse")
    summaries = {
        site: ingest_cohort_flow(str(root / "cohorts" / site), site, str(warehouse.root)) for site in SAMPLE_SITES
    }
    return truth, warehouse, summaries, root
