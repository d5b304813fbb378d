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
def prefect_harness():
    """One temporary Prefect database for the whole session (about 13 s once)."""
    import flows  # noqa: F401  (configures Prefect's embedded default before it is imported)
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
