"""How many DICOM files' headers cohort planning may keep in memory.

Grouping parses every header of a cohort. Up to the budget, the headers stay with their series until
the series is read, so each is parsed once. Above it, only each series' first header is kept and the
series batch reads the others again (0.5-0.6 ms per file): real CT headers take 35-50 KiB each in
memory, so the default of 50,000 files (some 170 series of 300 slices) holds about 2.5 GiB, and a
cohort of 10,000 series no longer needs 100+ GiB to plan. ``CTCURATE_PLAN_HEADER_FILES`` sets it (0:
never keep them, for example on small Dask workers).

    >>> os.environ["CTCURATE_PLAN_HEADER_FILES"] = "0"  # doctest: +SKIP
    >>> keeps_all_headers(12)  # doctest: +SKIP
    False
"""

from __future__ import annotations

from curation.environment_settings import whole_number_setting

ENVIRONMENT_VARIABLE = "CTCURATE_PLAN_HEADER_FILES"
DEFAULT_HEADER_FILES = 50_000


def header_budget_files() -> int:
    """``CTCURATE_PLAN_HEADER_FILES`` where set to a whole number of files (0 or more), else the default."""
    configured = whole_number_setting(ENVIRONMENT_VARIABLE, minimum=0, unit="files")
    return configured if configured is not None else DEFAULT_HEADER_FILES


def keeps_all_headers(n_dicom_files: int) -> bool:
    """Whether planning keeps every header of a cohort with this many candidate DICOM files."""
    return n_dicom_files <= header_budget_files()
