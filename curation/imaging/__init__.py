"""Imaging: DICOM and NIfTI series to physical-space volumes, resampling and Zarr storage."""
