"""Cohort folders: the manifest, file discovery and report-to-study matching."""
