"""Prefect orchestration over the ``curation`` library. Thin on purpose: tasks call library stages.

Importing this package configures Prefect's embedded default before Prefect itself is imported.
"""

from flows.prefect_runtime import configure_prefect_environment

configure_prefect_environment()
