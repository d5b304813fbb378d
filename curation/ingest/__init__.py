"""Cohort ingestion, stage by stage: plan, series batches, reports, cohort tables, run record.

Each stage is a plain function over plain data, so Prefect tasks (``flows/``) stay thin and the
stages are tested without an orchestrator.
"""
