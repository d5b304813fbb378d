"""Run Prefect with its embedded default: no server to start, its home in a temp folder, no telemetry.

Users who run a real Prefect server set ``PREFECT_API_URL`` and everything here steps aside.
Must run before ``import prefect``: Prefect reads these settings at import.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
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


def start_embedded_server_early() -> Callable[[], None]:
    """Start Prefect's temporary server now, in the background, and return the function that waits for it.

    The embedded server takes 6-10 s to come up, in a process of its own; a run starts it at its first
    API call, after the command has imported the library (3-5 s). Started before those imports it comes
    up beside them. With ``PREFECT_API_URL`` set there is nothing to start. A failure here is left to the
    run, which starts the server as it always does and reports what is wrong.

        >>> wait_for_server = start_embedded_server_early()
        >>> from flows.ingest_flow import ingest_cohort_flow   # the heavy imports, meanwhile
        >>> wait_for_server()
    """
    configure_prefect_environment()
    starting = threading.Thread(target=_start_embedded_server, name="prefect-server-start", daemon=True)
    starting.start()
    return starting.join


def _start_embedded_server() -> None:
    try:
        from prefect.settings import PREFECT_API_URL

        if PREFECT_API_URL.value():
            return
        from prefect.server.api.server import SubprocessASGIServer

        SubprocessASGIServer().start()  # the instance a run's client uses: it finds it running
    except Exception:  # the run starts the server itself and reports what is wrong
        return
