"""Errors raised while turning DICOM/NIfTI files into volumes.

A `SeriesRejected` carries a stable ``reason_code`` (what the ingest ledger stores), the ``stage``
that refused the series and a ``detail`` sentence meant for operators. The detail never contains
PHI: no names, paths, UIDs or dates, only counts, mm and degrees.

    >>> err = SeriesRejected("gantry_tilt", "slice positions are 18.5 deg off the slice normal",
    ...                      measurements={"gantry_tilt_deg": 18.5})
    >>> err.reason_code, err.stage
    ('gantry_tilt', 'geometry')
"""

from __future__ import annotations

from typing import Any, Literal

Stage = Literal["geometry", "pixels", "read", "qc", "deid"]


class SeriesRejected(Exception):
    """A series (or NIfTI file) that cannot become a trustworthy volume under the current policy."""

    def __init__(
        self,
        reason_code: str,
        detail: str,
        stage: Stage = "geometry",
        measurements: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{reason_code}: {detail}")
        self.reason_code = reason_code
        self.stage: Stage = stage
        self.detail = detail
        self.measurements: dict[str, Any] = dict(measurements or {})
