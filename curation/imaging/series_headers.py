"""Every header of a series that was grouped keeping only its first (``group_dicom_series(keep_headers=False)``).

Planning a cohort of thousands of series keeps one header per series, not one per file (35-50 KiB of
memory each for real CT headers); the series batch reads the others again just before it reads the
series' pixels, one series at a time. A file that is no longer the slice grouping saw (removed,
unreadable, now of another series or another instance) refuses the series with ``files_changed``:
the planned inventory and hashes no longer describe it.

    >>> series = group_dicom_series(sorted(Path("chest_ct").iterdir()), keep_headers=False).series[0]
    >>> len(series.headers), len(complete_series_headers(series).headers)      # 300 slices
    (1, 300)
"""

from __future__ import annotations

import dataclasses

from pydicom.dataset import Dataset

from curation.imaging.dicom_files import classify_dicom_file
from curation.imaging.errors import SeriesRejected
from curation.imaging.header_values import header_value
from curation.imaging.series_grouping import DicomSeriesFiles, collector_paused


def complete_series_headers(series: DicomSeriesFiles) -> DicomSeriesFiles:
    """The series with every file's header and Pixel Data offset (the series itself where it has them)."""
    if series.has_all_headers:
        return series
    headers = []
    offsets = []
    with collector_paused():
        for index, path in enumerate(series.files):
            result = classify_dicom_file(path)
            if result.category != "image" or result.header is None or not _same_slice(series, index, result.header):
                raise SeriesRejected(
                    "files_changed",
                    f"file #{index} is no longer the image slice it was when the cohort was planned",
                    stage="read",
                )
            headers.append(result.header)
            offsets.append(result.pixel_data_offset)
    return dataclasses.replace(series, headers=headers, pixel_data_offsets=offsets)


def _same_slice(series: DicomSeriesFiles, index: int, header: Dataset) -> bool:
    if str(header_value(header, "SeriesInstanceUID") or "") != series.series_uid:
        return False
    if len(series.sop_instance_uids) != len(series.files):
        return True
    return str(header_value(header, "SOPInstanceUID") or "") == series.sop_instance_uids[index]
