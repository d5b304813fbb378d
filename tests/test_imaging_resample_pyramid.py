"""Anti-aliasing, nnU-Net's anisotropic rule, crop/pad, label masks, and the OME-Zarr pyramid read by zarr alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import zarr

from curation.content_hashing import sha256_array
from curation.imaging.errors import SeriesRejected
from curation.imaging.resample import crop_or_pad, resample_mask, resample_volume
from curation.imaging.volume import Volume
from curation.imaging.volume_qc import check_volume_quality
from curation.imaging.zarr_store import write_volume_group


def test_downsampled_checkerboard_does_not_alias() -> None:
    _, j, i = np.indices((8, 96, 96))
    board = np.where((i + j) % 2 == 0, 1000, -1000).astype(np.int16)  # 1-voxel checkerboard, mean 0 HU
    volume = Volume(board, np.diag([0.5, 0.5, 2.0, 1.0]))
    smooth = resample_volume(volume, (1.7, 1.7, 2.0))
    aliased = resample_volume(volume, (1.7, 1.7, 2.0), anti_alias=False)
    assert np.abs(smooth.array[1:-1, 2:-2, 2:-2]).max() < 150  # a grey field near 0 HU
    assert np.abs(aliased.array[1:-1, 2:-2, 2:-2]).max() > 500  # without smoothing: moiré of full contrast
    assert smooth.array.dtype == np.int16 and smooth.metadata["anti_aliased"]


def test_anisotropic_rule_resamples_the_coarse_axis_with_nearest_neighbour() -> None:
    array = np.zeros((6, 20, 20), np.int16)
    for k in range(6):
        array[k] = 100 * k
    volume = Volume(array, np.diag([0.5, 0.5, 5.0, 1.0]))
    out = resample_volume(volume, (1.0, 1.0, 2.5), anisotropic_rule=True, anti_alias=False)
    assert set(np.unique(out.array)) <= {100 * k for k in range(6)} | {-1024}  # no blend between 5 mm slices
    linear = resample_volume(volume, (1.0, 1.0, 2.5), anti_alias=False)
    assert len(set(np.unique(linear.array)) - {100 * k for k in range(6)}) > 0


def test_crop_pad_keeps_the_affine_exact() -> None:
    rng = np.random.default_rng(0)
    rotation = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    affine = np.eye(4)
    affine[:3, :3] = rotation @ np.diag([0.8, 0.7, 2.0])
    affine[:3, 3] = [10.0, -5.0, 3.0]
    volume = Volume(rng.integers(-1000, 1000, (30, 40, 50)).astype(np.int16), affine)
    out = crop_or_pad(volume, (36, 32, 50))  # pad k, crop j, keep i
    assert out.shape == (36, 32, 50)
    assert (out.array[:3] == -1024).all() and (out.array[-3:] == -1024).all()
    for k, j, i in ((3, 0, 0), (20, 10, 7), (32, 31, 49)):
        source = np.linalg.solve(volume.affine_lps, np.append(out.world_lps(i, j, k), 1.0))[:3]
        si, sj, sk = np.rint(source).astype(int)
        assert np.allclose(source, [si, sj, sk], atol=1e-9)
        assert out.array[k, j, i] == volume.array[sk, sj, si]


def test_masks_keep_only_their_labels_after_resampling() -> None:
    labels = np.zeros((20, 30, 30), np.uint8)
    labels[5:15, 5:20, 5:20] = 3
    labels[8:12, 10:14, 10:14] = 7
    out, _ = resample_mask(labels, np.diag([0.7, 0.7, 2.5, 1.0]), (1.5, 1.5, 1.5))
    assert set(np.unique(out)) == {0, 3, 7} and out.dtype == np.uint8


def test_pyramid_is_found_by_a_generic_zarr_reader(tmp_path: Path) -> None:
    volume = Volume(
        np.arange(33 * 40 * 50, dtype=np.int64).reshape(33, 40, 50).astype(np.int16), np.diag([0.7, 0.7, 2.0, 1])
    )
    stored = write_volume_group(str(tmp_path / "v.zarr"), volume)
    assert [(s.array_path, s.kind) for s in stored] == [("0", "image"), ("1", "image_level"), ("2", "image_level")]
    assert stored[0].content_hash == sha256_array(volume.array)  # the release contract
    root = zarr.open_group(str(tmp_path / "v.zarr"), mode="r")
    (multiscale,) = root.attrs["ome"]["multiscales"]
    shapes, scales = [], []
    for dataset in multiscale["datasets"]:
        shapes.append(root[dataset["path"]].shape)
        scales.append(dataset["coordinateTransformations"][0]["scale"])
    assert shapes == [(33, 40, 50), (17, 20, 25), (9, 10, 13)]
    assert scales == [[2.0, 0.7, 0.7], [4.0, 1.4, 1.4], [8.0, 2.8, 2.8]]
    level1 = np.asarray(root["1"][...])
    assert level1[0, 0, 0] == np.rint(volume.array[:2, :2, :2].mean())
    assert stored[1].content_hash == sha256_array(level1)
    assert np.allclose(stored[1].affine_lps[:3, 3], volume.world_lps(0.5, 0.5, 0.5))


@pytest.mark.parametrize(
    ("array", "spacing", "reason"),
    [
        (np.zeros((2, 100, 100), np.int16), 1.0, "too_few_slices"),
        (np.arange(10 * 20 * 20).reshape(10, 20, 20).astype(np.int16), 1.0, "tiny_field_of_view"),
        (np.full((10, 100, 100), -1000, np.int16), 1.0, "constant_image"),
        (np.full((10, 100, 100), 2000, np.int16) + np.eye(100, dtype=np.int16), 1.0, "implausible_hu_range"),
    ],
)
def test_volume_qc_reason_codes(array: np.ndarray, spacing: float, reason: str) -> None:
    with pytest.raises(SeriesRejected) as caught:
        check_volume_quality(Volume(array, np.diag([spacing, spacing, 2.0, 1.0])))
    assert caught.value.reason_code == reason and caught.value.stage == "qc"
