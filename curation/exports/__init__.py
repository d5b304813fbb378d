"""Exports of a release for other tools: CT-RATE layout, Hugging Face Parquet layout, NIfTI, label matrix."""
