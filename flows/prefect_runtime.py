"""Run Prefect with its embedded default: no server to start, its home in a temp folder, no telemetry.

Users who run a real Prefect server set ``PREFECT_API_URL`` and everything here steps aside.
Must run before ``import prefect``: Prefect reads these settings at import.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

EMBEDDED_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # A fresh embedded database needs 10-20 s here; Prefect's 20 s default is too tight.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_TASKS_REFRESH_CACHE": "false",
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
}


def configure_prefect_environment() -> None:
    for key, value in EMBEDDED_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if "PREFECT_HOME" not in os.environ:
        # Outside the warehouse on purpose: Prefect's database records task parameters, and input
        # paths can carry patient names. The folder persists so later runs start in about 1 s.
        home = Path(tempfile.gettempdir()) / f"ctcurate-prefect-{os.getuid()}"
        home.mkdir(parents=True, exist_ok=True)
        os.environ["PREFECT_HOME"] = str(home)
