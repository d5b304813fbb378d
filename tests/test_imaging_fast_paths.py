"""The fast reading path gives what the slow one gives: pixels, resampled volumes, QC decisions, mask levels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
import zarr
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian
from scipy import ndimage

from curation.imaging.axis_operator import apply_along_axis, axis_operator
from curation.imaging.dicom_files import read_dicom_header, read_dicom_header_and_pixel_offset
from curation.imaging.dicom_volume import decode_file_pixels, read_dicom_series
from curation.imaging.encapsulated_pixels import dataset_with_encapsulated_pixels
from curation.imaging.errors import SeriesRejected
from curation.imaging.native_pixels import read_native_pixels
from curation.imaging.pyramid import downsample_labels
from curation.imaging.resample import resample_volume
from curation.imaging.series_grouping import group_dicom_series
from curation.imaging.volume import Volume
from curation.imaging.volume_qc import check_volume_quality
from curation.imaging.worker_threads import ENVIRONMENT_VARIABLE, image_threads
from curation.imaging.zarr_store import level_affine, read_mask, write_volume_group
from tests.conftest import shared_fixture
from tests.synthetic_dicom import write_ct_slice


@pytest.mark.parametrize(
    ("syntax", "bits_stored", "signed", "trailing"),
    [
        (ExplicitVRLittleEndian, 16, True, False),
        (ImplicitVRLittleEndian, 16, True, False),
        (ExplicitVRLittleEndian, 12, True, False),  # garbage in the unused high bits, sign-extended
        (ExplicitVRLittleEndian, 12, False, False),
        (ExplicitVRLittleEndian, 16, True, True),  # not the simple layout: pydicom decodes it
    ],
)
def test_native_pixels_equal_pydicom(
    tmp_path: Path, syntax: str, bits_stored: int, signed: bool, trailing: bool
) -> None:
    rng = np.random.default_rng(0)
    stored = rng.integers(-32768 if signed else 0, 32767 if signed else 65535, (7, 9))
    path = write_ct_slice(
        tmp_path / "s.dcm",
        stored,
        (0, 0, 0),
        syntax=syntax,
        bits_stored=bits_stored,
        signed=signed,
        trailing_padding=trailing,
    )
    header = read_dicom_header(path)
    reference = pydicom.dcmread(path).pixel_array
    native = read_native_pixels(path, header)
    assert (native is None) == trailing
    if native is not None:
        assert native.dtype == reference.dtype and np.array_equal(native, reference)
    _, decoded = decode_file_pixels(path, 0, header)
    assert np.array_equal(decoded, reference)


def test_every_fixture_transfer_syntax_decodes_the_same_with_and_without_the_header() -> None:
    folder = shared_fixture("dicom/transfer_syntaxes")
    for n in range(1, 10):
        path = folder / "In" / f"{n}.dcm"
        _, slow = decode_file_pixels(path, n)
        _, fast = decode_file_pixels(path, n, read_dicom_header(path))
        assert slow.dtype == fast.dtype and np.array_equal(slow, fast), f"file {n}"


def test_compressed_pixels_read_at_their_offset_equal_a_full_parse() -> None:
    """Every encapsulated fixture file: pixels read at the offset grouping noted = pixels of a second full parse."""
    fixtures = shared_fixture("dicom")
    read_at_offset = 0
    for path in sorted(p for p in fixtures.rglob("*") if p.is_file() and "LICENSE" not in p.name):
        try:
            header, offset = read_dicom_header_and_pixel_offset(path)
        except Exception:  # not DICOM (sidecars, NIfTI): grouping skips these
            continue
        syntax = header.file_meta.get("TransferSyntaxUID") if hasattr(header, "file_meta") else None
        if not syntax or not pydicom.uid.UID(str(syntax)).is_encapsulated or "PixelData" in header:
            continue
        if str(header.get("Modality", "")) in ("SEG", "SR") or int(header.get("SamplesPerPixel", 1) or 1) != 1:
            continue
        kept = dict(header.items())
        if dataset_with_encapsulated_pixels(path, header, offset) is None:
            continue
        read_at_offset += 1
        _, slow = decode_file_pixels(path, 0)
        _, fast = decode_file_pixels(path, 0, header, offset)
        assert slow.dtype == fast.dtype and np.array_equal(slow, fast), path.name
        assert dict(header.items()) == kept and "PixelData" not in header  # the header is left as it was
    assert read_at_offset >= 20, read_at_offset


def test_axis_operator_is_gaussian_then_linear() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(0, 100, (40, 11, 3)).astype(np.float32)
    scale, sigma, n_target = 40 / 17, 0.68, 17
    operator = axis_operator(40, n_target, scale, 0.0, sigma)
    smoothed = ndimage.gaussian_filter1d(values.astype(np.float64), sigma, axis=0, mode="nearest", truncate=3.0)
    coordinate = np.clip(scale * np.arange(n_target), 0, 39)
    low = np.floor(coordinate).astype(int)
    high = np.minimum(low + 1, 39)
    weight = (coordinate - low)[:, None, None]
    expected = smoothed[low] * (1 - weight) + smoothed[high] * weight
    assert np.allclose(apply_along_axis(operator, values, 0), expected, atol=1e-3)
    assert np.allclose(
        apply_along_axis(operator, values.transpose(1, 0, 2).copy(), 1), expected.transpose(1, 0, 2), atol=1e-3
    )
    assert np.allclose(
        apply_along_axis(operator, values.transpose(1, 2, 0).copy(), 2), expected.transpose(1, 2, 0), atol=1e-3
    )


def phantom_series(
    folder: Path, n: int = 24, step: float = -1.0, orientation=(1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
) -> list[Path]:
    """A ball of 40 HU in air, slices written in shuffled instance order, descending positions."""
    folder.mkdir(parents=True, exist_ok=True)
    z, y, x = np.mgrid[0:n, 0:48, 0:40]
    ball = ((z - n / 2) * 1.0) ** 2 + ((y - 24) * 0.7) ** 2 + ((x - 20) * 0.7) ** 2 < 8.0**2
    hu = np.where(ball, 40, -1000).astype(np.int16) + np.random.default_rng(2).integers(-5, 5, ball.shape)
    order = np.random.default_rng(3).permutation(n)
    row, col = np.asarray(orientation[:3]), np.asarray(orientation[3:])
    normal = np.cross(row, col)
    return [
        write_ct_slice(
            folder / f"{k:03d}.dcm",
            hu[k] + 1024,
            tuple(np.array([10.0, -20.0, 30.0]) + normal * step * k),
            instance=int(order[k]) + 1,
            orientation=orientation,
        )
        for k in range(n)
    ]


@pytest.mark.parametrize("orientation", [(1.0, 0.0, 0.0, 0.0, 1.0, 0.0), (0.0, 1.0, 0.0, 0.0, 0.0, -1.0)])
def test_resampling_while_reading_equals_reading_then_resampling(tmp_path: Path, orientation) -> None:
    series = group_dicom_series(phantom_series(tmp_path / "s", orientation=orientation)).series[0]
    for spacing in [(1.5, 1.5, 1.5), (0.5, 1.0, 2.5), (0.7, 0.7, 1.0)]:  # the last one: the native grid
        full = read_dicom_series(series)
        expected = resample_volume(full, spacing)
        streamed = read_dicom_series(series, spacing_mm=spacing)
        assert streamed.shape == expected.shape and np.array_equal(streamed.affine_lps, expected.affine_lps)
        assert np.abs(streamed.array.astype(int) - expected.array).max() <= 1  # float rounding at .5 only
        assert np.mean(streamed.array != expected.array) < 1e-3
        assert streamed.metadata == expected.metadata and streamed.array.dtype == np.int16
        summary = streamed.source_summary
        assert summary is not None and summary.shape == full.shape and summary.spacing_mm == full.spacing_mm
        assert (summary.value_min, summary.value_max) == (full.array.min(), full.array.max())


@pytest.mark.parametrize("threads", ["2", "3", "7"])
@pytest.mark.parametrize("block_bytes", [None, 1])  # the default blocks along k, or one target slice per block
def test_any_number_of_threads_reads_the_same_volume(
    tmp_path: Path, monkeypatch, threads: str, block_bytes: int | None
) -> None:
    """Slices decoded, reduced and resampled along k on several threads and in blocks: the same voxels as on one."""
    from curation.imaging import slice_stream_resample

    series = group_dicom_series(phantom_series(tmp_path / "s", n=30)).series[0]
    blocks = slice_stream_resample.BLOCK_BYTES if block_bytes is None else block_bytes
    for spacing in [(1.5, 1.5, 1.5), (0.7, 0.7, 0.5), (0.7, 0.7, 1.0)]:  # k shrinks, grows, keeps its grid
        monkeypatch.setenv(ENVIRONMENT_VARIABLE, "1")
        monkeypatch.setattr(slice_stream_resample, "BLOCK_BYTES", 2**30)  # the whole volume in one block
        one = read_dicom_series(series, spacing_mm=spacing)
        monkeypatch.setenv(ENVIRONMENT_VARIABLE, threads)
        monkeypatch.setattr(slice_stream_resample, "BLOCK_BYTES", blocks)
        several = read_dicom_series(series, spacing_mm=spacing)
        assert np.array_equal(several.array, one.array) and several.array.dtype == np.int16
        assert np.array_equal(several.affine_lps, one.affine_lps)


@pytest.mark.parametrize("value", ["0", "-2", "four"])
def test_a_wrong_thread_setting_is_named(monkeypatch, value: str) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, value)
    with pytest.raises(ValueError, match=ENVIRONMENT_VARIABLE):
        image_threads()


def test_quality_control_judges_the_acquired_grid(tmp_path: Path) -> None:
    paths = [write_ct_slice(tmp_path / f"{k}.dcm", np.full((80, 80), 1064), (0, 0, 0.5 * k)) for k in range(3)]
    series = group_dicom_series(paths).series[0]
    volume = read_dicom_series(series, spacing_mm=(1.5, 1.5, 1.5))  # 3 thin slices become 1 at 1.5 mm
    assert volume.shape[0] == 1
    with pytest.raises(SeriesRejected) as rejected:
        check_volume_quality(volume)
    assert rejected.value.reason_code == "constant_image"  # not too_few_slices: 3 slices were acquired


def test_label_levels_keep_only_mask_labels_and_ome_metadata(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    image = Volume(rng.integers(-1000, 1000, (21, 30, 34)).astype(np.int16), np.diag([0.8, 0.8, 2.0, 1.0]))
    mask = np.zeros(image.shape, np.uint8)
    mask[3:15, 4:20, 5:25] = 7
    mask[10:21, 18:30, 20:34] = 2
    mask[0, 0, 0] = 9  # a single voxel: outvoted at 2x
    target = tmp_path / "case.zarr"
    stored = write_volume_group(str(target), image, {"organs": (mask, {2: "spleen", 7: "liver", 9: "dot"})})
    levels = [s for s in stored if s.kind == "label_level"]
    assert [s.array_path for s in levels] == ["labels/organs/1", "labels/organs/2"]
    root = zarr.open_group(str(target), mode="r")
    level1 = np.asarray(root["labels/organs/1"][...])
    assert level1.shape == (11, 15, 17) and set(np.unique(level1)) == {0, 2, 7}
    assert np.array_equal(level1, downsample_labels(mask))
    assert np.array_equal(np.asarray(root["labels/organs/2"][...]), downsample_labels(level1))
    assert levels[0].label_names == {2: "spleen", 7: "liver", 9: "dot"}
    assert np.allclose(levels[0].affine_lps, level_affine(image.affine_lps, 2))
    ome = root["labels/organs"].attrs["ome"]
    datasets = ome["multiscales"][0]["datasets"]
    assert [d["path"] for d in datasets] == ["0", "1", "2"] and ome["multiscales"][0]["type"] == "mode"
    assert ome["image-label"]["source"]["image"] == "../../"
    assert np.array_equal(read_mask(target, "organs")[0], mask)


@pytest.mark.parametrize(
    ("dtype", "shape", "shards"),
    [
        ("int16", (70, 130, 65), None),  # edge chunks padded, all-fill chunks left out
        ("uint8", (50, 70, 90), None),
        ("uint16", (33, 65, 17), None),
        ("float32", (20, 30, 40), None),
        ("int16", (70, 130, 65), (64, 64, 64)),  # several shard files
    ],
)
def test_shard_writer_writes_the_bytes_zarr_writes(tmp_path: Path, dtype: str, shape, shards) -> None:
    from zarr.codecs import BloscCodec

    from curation.imaging.shard_writer import write_whole_array
    from curation.imaging.zarr_store import chunk_and_shard_shapes

    rng = np.random.default_rng(5)
    data = np.zeros(shape, dtype)
    region = (slice(shape[0] // 4, None), slice(shape[1] // 2, None), slice(3, None))
    data[region] = rng.integers(0, 200, data[region].shape)
    chunks, whole = chunk_and_shard_shapes(shape)
    folders = {}
    for writer in ("zarr", "ctcurate"):
        group = zarr.open_group(str(tmp_path / f"{writer}.zarr"), mode="w", zarr_format=3)
        array = group.create_array(
            "0",
            shape=shape,
            dtype=dtype,
            chunks=chunks,
            shards=shards or whole,
            compressors=BloscCodec(cname="zstd", clevel=3, shuffle="shuffle"),
        )
        if writer == "zarr":
            array[...] = data
        else:
            write_whole_array(array, tmp_path / f"{writer}.zarr" / "0", data)
        folders[writer] = tmp_path / f"{writer}.zarr"
    files = {w: sorted(p.relative_to(f) for p in f.rglob("*") if p.is_file()) for w, f in folders.items()}
    assert files["zarr"] == files["ctcurate"] and len(files["zarr"]) >= 3
    for relative in files["zarr"]:
        assert (folders["zarr"] / relative).read_bytes() == (folders["ctcurate"] / relative).read_bytes(), relative
    assert np.array_equal(zarr.open_array(str(folders["ctcurate"] / "0"), mode="r")[...], data)


def test_pixels_after_a_sequence_are_left_to_pydicom(tmp_path: Path) -> None:
    from pydicom.sequence import Sequence as DicomSequence

    stored = np.arange(7 * 9, dtype=np.int16).reshape(7, 9)
    path = write_ct_slice(tmp_path / "icon.dcm", stored, (0, 0, 0))
    ds = pydicom.dcmread(path)
    icon = Dataset()
    icon.Rows, icon.Columns = 2, 2
    ds.IconImageSequence = DicomSequence([icon])  # (0088,0200): the last element before the pixels
    ds.save_as(path, enforce_file_format=True)
    header = read_dicom_header(path)
    assert read_native_pixels(path, header) is None
    assert np.array_equal(decode_file_pixels(path, 0, header)[1], stored)


@pytest.mark.parametrize("syntax", [ExplicitVRLittleEndian, ImplicitVRLittleEndian, "1.2.840.10008.1.2.2"])
def test_header_values_equal_pydicom_values(tmp_path: Path, syntax: str) -> None:
    """Remembered values (same bytes in many files) are the values pydicom gives each file, in every byte order."""
    import gc

    from curation.imaging.header_values import has_element, header_value
    from curation.imaging.series_grouping import collector_paused

    stored = np.zeros((3, 4), np.int16)
    paths = []
    for k, spacing in enumerate([(0.7, 0.7), (0.7, 0.7), (0.8, 0.7)]):
        path = write_ct_slice(tmp_path / f"{k}.dcm", stored, (0, 0, -k), instance=k + 1, spacing=spacing)
        if syntax != ExplicitVRLittleEndian:
            ds = pydicom.dcmread(path)
            ds.PixelPaddingValue = -2000 if k else 100  # 'US or SS': pydicom decides by PixelRepresentation
            ds.file_meta.TransferSyntaxUID = syntax
            pydicom.dcmwrite(
                path,
                ds,  # read from a file: keeps its preamble
                little_endian=syntax != "1.2.840.10008.1.2.2",
                implicit_vr=syntax == ImplicitVRLittleEndian,
                force_encoding=True,  # big endian: a header test, the pixel bytes are not read
            )
        paths.append(path)
    keywords = [
        "Rows",
        "Columns",
        "PixelSpacing",
        "ImagePositionPatient",
        "ImageType",
        "InstanceNumber",
        "RescaleIntercept",
        "SOPClassUID",
        "Modality",
        "PixelPaddingValue",
        "NumberOfFrames",
    ]
    for path in paths * 2:  # the second round is answered from memory
        fast, slow = read_dicom_header(path), read_dicom_header(path)
        for keyword in keywords:
            expected = slow.get(keyword)
            expected = tuple(expected) if isinstance(expected, pydicom.multival.MultiValue) else expected
            assert header_value(fast, keyword) == expected, (path.name, keyword)
        assert header_value(fast.file_meta, "TransferSyntaxUID") == syntax
        assert not has_element(fast, "PerFrameFunctionalGroupsSequence")
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.parametrize("dtype", [np.int16, np.uint16, np.uint8, np.int8])
@pytest.mark.parametrize("shape", [(9, 7, 5), (1, 1, 1), (2, 3, 8), (6, 1, 4)])
@pytest.mark.parametrize("slab_bytes", [None, 1])  # one slab, or one output slice per slab
def test_integer_pyramid_level_equals_the_float_block_mean(
    dtype: type, shape: tuple[int, int, int], slab_bytes: int | None, monkeypatch
) -> None:
    """The int32 pairwise sums give the float32 mean of the eight block views (odd edges repeated), extremes too."""
    from curation.imaging import pyramid
    from curation.imaging.pyramid import _even, downsample_level

    if slab_bytes is not None:
        monkeypatch.setattr(pyramid, "SLAB_BYTES", slab_bytes)

    info = np.iinfo(dtype)
    rng = np.random.default_rng(3)
    for values in (
        rng.integers(info.min, int(info.max) + 1, shape).astype(dtype),
        np.full(shape, info.max, dtype),
        np.full(shape, info.min, dtype),
        (rng.integers(0, 2, shape) * 4 + info.min // 2).astype(dtype),  # many .5 means: round half to even
    ):
        padded = _even(values)
        total = np.zeros(tuple(n // 2 for n in padded.shape), np.float32)
        for dk in (0, 1):
            for dj in (0, 1):
                for di in (0, 1):
                    total += padded[dk::2, dj::2, di::2]
        expected = np.clip(np.rint(total * np.float32(0.125)), info.min, info.max).astype(dtype)
        result = downsample_level(values)
        assert result.dtype == dtype and np.array_equal(result, expected)


@pytest.mark.parametrize("dtype", [np.int16, np.uint16, np.int8, np.uint8])
@pytest.mark.parametrize("intercept", [-1024, 0, 1024, -32768, 40000, -40000])
def test_int16_shift_is_the_clipped_sum_or_declined(dtype: type, intercept: int) -> None:
    """The one-pass range check never lets an int16 sum wrap: it either gives stored + intercept or declines."""
    from curation.imaging.dicom_volume import _shifted_int16

    info = np.iinfo(dtype)
    rng = np.random.default_rng(4)
    for stored in (
        rng.integers(info.min, int(info.max) + 1, (6, 7)).astype(dtype),
        np.full((2, 2), info.min, dtype),
        np.full((2, 2), info.max, dtype),
        rng.integers(0, min(int(info.max), 3000) + 1, (6, 7)).astype(dtype),
    ):
        exact = stored.astype(np.int64) + intercept
        shifted = _shifted_int16(stored, intercept)
        fits = exact.min() >= -32768 and exact.max() <= 32767 and stored.min() >= -32768 and stored.max() <= 32767
        if fits and -32768 <= intercept <= 32767:  # else the caller's int32 path adds it
            assert shifted is not None and shifted.dtype == np.int16 and np.array_equal(shifted, exact)
        else:
            assert shifted is None


def test_empty_volumes_pool_to_empty_levels() -> None:
    from curation.imaging.pyramid import downsample_level

    assert downsample_level(np.zeros((0, 4, 4), np.int16)).shape == (0, 2, 2)
    assert downsample_level(np.zeros((3, 0, 5), np.int16)).shape == (2, 0, 3)
