"""The imagecodecs plugin (GIL released) decodes exactly what pydicom's pylibjpeg plugins decode."""

from __future__ import annotations

from pathlib import Path

import imagecodecs
import numpy as np
import pydicom
import pytest
from pydicom import uid
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.pixels import get_decoder

from curation.imaging import dicom_volume
from curation.imaging.dicom_volume import read_dicom_series
from curation.imaging.imagecodecs_plugin import DECODERS, decode_with_imagecodecs
from curation.imaging.series_grouping import group_dicom_series
from tests.conftest import SHARED_FIXTURES, shared_fixture


def _reference(ds: Dataset) -> np.ndarray:
    return get_decoder(ds.file_meta.TransferSyntaxUID).as_array(ds, decoding_plugin="pylibjpeg")[0]


def _fixtures_by_syntax() -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for path in sorted((SHARED_FIXTURES / "dicom").rglob("*")):
        if not path.is_file():
            continue
        try:
            header = pydicom.dcmread(path, stop_before_pixels=True)
        except Exception:  # not DICOM
            continue
        syntax = header.file_meta.get("TransferSyntaxUID") if getattr(header, "file_meta", None) else None
        if syntax in DECODERS:
            found.setdefault(syntax, []).append(path)
    return found


def test_every_fixture_of_the_plugins_syntaxes_decodes_as_pylibjpeg_decodes_it() -> None:
    found = _fixtures_by_syntax()
    if not found:
        pytest.skip(f"no fixtures under {SHARED_FIXTURES}")
    compared: dict[str, int] = {}
    for syntax, paths in found.items():
        for path in paths:
            ds = pydicom.dcmread(path)
            ours = decode_with_imagecodecs(ds)
            if int(ds.SamplesPerPixel) != 1:
                assert ours is None  # colour is left to pydicom's own plugins
                continue
            reference = _reference(ds)
            assert ours is not None and ours.dtype == reference.dtype, path.name
            assert np.array_equal(ours, reference), path.name
            compared[syntax.name] = compared.get(syntax.name, 0) + 1
    # JPEG 2000 (12-bit unsigned, 16-bit signed), JPEG lossless SV1, JPEG-LS lossless
    assert compared.get(uid.JPEG2000Lossless.name, 0) >= 30
    assert compared.get(uid.JPEGLosslessSV1.name, 0) >= 1 and compared.get(uid.JPEGLSLossless.name, 0) >= 1


def _synthetic(syntax: str, frame: bytes, rows: int, columns: int, bits_stored: int, signed: bool) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = syntax
    ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = rows, columns, 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, bits_stored, bits_stored - 1
    ds.PixelRepresentation = int(signed)
    ds.PixelData = encapsulate([frame])
    ds["PixelData"].VR = "OB"
    return ds


@pytest.mark.parametrize("bits_stored", [12, 16])
@pytest.mark.parametrize("signed", [False, True])
def test_synthetic_ct_slices_decode_as_pylibjpeg_decodes_them(bits_stored: int, signed: bool) -> None:
    rng = np.random.default_rng(bits_stored)
    low, high = (-(2 ** (bits_stored - 1)), 2 ** (bits_stored - 1)) if signed else (0, 2**bits_stored)
    values = rng.integers(low, high, (64, 48)).astype(np.int32)
    pattern = (values & (2**bits_stored - 1)).astype(np.uint16)  # stored bits, as a CT scanner encodes them
    frames = {
        uid.JPEGLosslessSV1: imagecodecs.jpeg8_encode(pattern, lossless=True, predictor=1, bitspersample=bits_stored),
        uid.JPEGLSLossless: imagecodecs.jpegls_encode(pattern, level=0),
        uid.JPEG2000Lossless: imagecodecs.jpeg2k_encode(pattern, level=0, codecformat="j2k", bitspersample=bits_stored),
    }
    if signed and bits_stored < 16:
        # imagecodecs' JPEG-LS encoder writes precision 16 for a uint16 array; pydicom restores the sign of
        # 12-bit JPEG-LS values from a precision-12 header, which a scanner writes and this encoder cannot
        del frames[uid.JPEGLSLossless]
    for syntax, frame in frames.items():
        ds = _synthetic(syntax, frame, 64, 48, bits_stored, signed)
        ours, reference = decode_with_imagecodecs(ds), _reference(ds)
        assert ours is not None and ours.dtype == reference.dtype, syntax.name
        assert np.array_equal(ours, reference), syntax.name
        assert np.array_equal(ours.astype(np.int32), values), syntax.name


def test_other_syntaxes_are_left_to_pydicom() -> None:
    ds = _synthetic(uid.RLELossless, b"\x00\x00", 4, 4, 12, False)
    assert decode_with_imagecodecs(ds) is None


def test_a_compressed_series_reads_the_same_without_the_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted(p for p in shared_fixture("dicom/ct_chest_j2k").rglob("*") if p.is_file())
    (series,) = group_dicom_series(files).series
    with_plugin = read_dicom_series(series)
    monkeypatch.setattr(dicom_volume, "decode_with_imagecodecs", lambda ds: None)
    without = read_dicom_series(series)
    assert with_plugin.array.dtype == without.array.dtype
    assert np.array_equal(with_plugin.array, without.array)
    assert np.array_equal(with_plugin.affine_lps, without.affine_lps)
