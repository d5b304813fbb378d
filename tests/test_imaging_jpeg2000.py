"""JPEG 2000 decoded by imagecodecs (GIL released) gives exactly what pydicom's pylibjpeg-openjpeg gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.pixels import get_decoder

from curation.imaging import dicom_volume
from curation.imaging.dicom_volume import read_dicom_series
from curation.imaging.jpeg2000_decoder import JPEG2000_SYNTAXES, decode_jpeg2000
from curation.imaging.series_grouping import group_dicom_series
from tests.conftest import SHARED_FIXTURES, shared_fixture


def _jpeg2000_fixtures() -> list[Path]:
    found = []
    for path in sorted((SHARED_FIXTURES / "dicom").rglob("*")):
        if not path.is_file():
            continue
        try:
            header = pydicom.dcmread(path, stop_before_pixels=True)
        except Exception:  # not DICOM
            continue
        if getattr(header, "file_meta", None) and header.file_meta.get("TransferSyntaxUID") in JPEG2000_SYNTAXES:
            found.append(path)
    return found


def test_every_jpeg2000_fixture_decodes_as_pylibjpeg_decodes_it() -> None:
    paths = _jpeg2000_fixtures()
    if not paths:
        pytest.skip(f"no JPEG 2000 fixtures under {SHARED_FIXTURES}")
    grey = colour = 0
    for path in paths:
        ds = pydicom.dcmread(path)
        ours = decode_jpeg2000(ds)
        if int(ds.SamplesPerPixel) != 1:
            assert ours is None  # left to pydicom's own plugins
            colour += 1
            continue
        reference = get_decoder(ds.file_meta.TransferSyntaxUID).as_array(ds, decoding_plugin="pylibjpeg")[0]
        assert ours is not None and ours.dtype == reference.dtype, path.name
        assert np.array_equal(ours, reference), path.name
        grey += 1
    assert grey >= 30 and colour >= 1  # 12-bit unsigned, 16-bit signed, and colour files


def test_other_syntaxes_are_left_to_pydicom() -> None:
    path = next(p for p in sorted(shared_fixture("dicom").rglob("*.dcm")) if p.is_file())
    ds = pydicom.dcmread(path)
    if ds.file_meta.TransferSyntaxUID in JPEG2000_SYNTAXES:
        pytest.skip("the first fixture is JPEG 2000")
    assert decode_jpeg2000(ds) is None


def test_a_jpeg2000_series_reads_the_same_without_the_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted(p for p in shared_fixture("dicom/ct_chest_j2k").rglob("*") if p.is_file())
    (series,) = group_dicom_series(files).series
    with_plugin = read_dicom_series(series)
    monkeypatch.setattr(dicom_volume, "decode_jpeg2000", lambda ds: None)
    without = read_dicom_series(series)
    assert with_plugin.array.dtype == without.array.dtype
    assert np.array_equal(with_plugin.array, without.array)
    assert np.array_equal(with_plugin.affine_lps, without.affine_lps)
