"""NIfTI reading/writing, resampling and the Zarr store."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
import zarr

from curation.content_hashing import sha256_array
from curation.imaging.nifti_export import write_nifti_with_sidecar
from curation.imaging.nifti_volume import read_nifti, read_nifti_mask
from curation.imaging.resample import (
    RESAMPLE_PROFILES,
    resample_mask,
    resample_mask_to_reference,
    resample_volume,
    target_spacing,
)
from curation.imaging.series_metadata import estimate_body_region
from curation.imaging.volume import Volume
from curation.imaging.zarr_store import (
    read_array_region,
    read_mask,
    read_volume_group,
    write_volume_group,
)
from tests.conftest import shared_fixture

TOTALSEG = "nifti/totalseg_example"


def oblique_affine(spacing: tuple[float, float, float], origin: tuple[float, float, float]) -> np.ndarray:
    angle = np.radians(17.0)
    rotation = np.array([[np.cos(angle), 0.0, np.sin(angle)], [0.0, 1.0, 0.0], [-np.sin(angle), 0.0, np.cos(angle)]])
    affine = np.eye(4)
    affine[:3, :3] = rotation @ np.diag(spacing)
    affine[:3, 3] = origin
    return affine


def sphere_volume(affine: np.ndarray, shape: tuple[int, int, int], centre: np.ndarray, radius: float) -> Volume:
    """Soft-edged sphere: 1000 HU inside, -1000 outside, a linear ramp one voxel wide across the surface."""
    k, j, i = np.indices(shape, dtype=np.float64)
    world = np.einsum("ab,bkji->akji", affine[:3, :3], np.stack([i, j, k])) + affine[:3, 3, None, None, None]
    distance = np.linalg.norm(world - centre[:, None, None, None], axis=0)
    ramp = float(max(np.linalg.norm(affine[:3, :3], axis=0)))
    fraction = np.clip(0.5 + (radius - distance) / ramp, 0.0, 1.0)
    return Volume(np.rint(-1000 + 2000 * fraction).astype(np.int16), affine)


def sphere_measures(volume: Volume) -> tuple[np.ndarray, float]:
    """(centroid in LPS mm, volume in mm^3) of the bright object, from partial-volume fractions."""
    fraction = (volume.array.astype(np.float64) + 1000.0) / 2000.0
    k, j, i = np.indices(volume.shape, dtype=np.float64)
    ijk = np.stack([i, j, k, np.ones_like(i)]).reshape(4, -1)
    world = (volume.affine_lps @ ijk)[:3]
    weights = fraction.reshape(-1)
    voxel_mm3 = abs(np.linalg.det(volume.affine_lps[:3, :3]))
    return (world * weights).sum(axis=1) / weights.sum(), float(weights.sum() * voxel_mm3)


@pytest.mark.parametrize("profile", ["isotropic-1.5", "ct-rate", "merlin"])
def test_sphere_keeps_centroid_and_volume_after_resampling(profile: str) -> None:
    affine = oblique_affine((0.8, 0.9, 2.5), (-40.0, -35.0, -30.0))
    centre = affine[:3, :3] @ np.array([40.3, 37.6, 14.2]) + affine[:3, 3]
    original = sphere_volume(affine, (30, 80, 90), centre, radius=20.0)
    resampled = resample_volume(original, target_spacing(profile))
    assert resampled.array.dtype == np.int16
    assert resampled.spacing_mm == pytest.approx(RESAMPLE_PROFILES[profile], abs=1e-6)
    centroid, volume_mm3 = sphere_measures(resampled)
    _, original_mm3 = sphere_measures(original)
    assert np.linalg.norm(centroid - centre) < 0.2
    assert volume_mm3 == pytest.approx(4 / 3 * np.pi * 20.0**3, rel=0.01)
    assert volume_mm3 == pytest.approx(original_mm3, rel=0.01)


def test_resampled_affine_is_exact_and_keeps_first_voxel_centre() -> None:
    affine = oblique_affine((0.7, 0.7, 2.5), (10.0, -5.0, 3.0))
    volume = Volume(np.zeros((40, 64, 64), np.int16), affine)
    out = resample_volume(volume, (1.5, 1.5, 1.5))
    assert np.allclose(out.affine_lps, affine @ np.diag([1.5 / 0.7, 1.5 / 0.7, 1.5 / 2.5, 1.0]), atol=1e-12)
    assert np.allclose(out.world_lps(0, 0, 0), volume.world_lps(0, 0, 0))
    assert out.shape == (66, 30, 30)  # centres from the first one to the old far edge: 98.75 mm, 44.45 mm


def test_resampling_rounds_hu_and_pads_with_air() -> None:
    volume = Volume(np.array([[[0, 1]]], dtype=np.int16).repeat(3, axis=0).repeat(2, axis=1), np.eye(4))
    halfway = resample_volume(volume, (0.5, 1.0, 1.0))
    assert halfway.array.dtype == np.int16
    assert sorted(set(halfway.array[0, 0].tolist())) == [0, 1]  # 0.5 rounds to even (0), never truncated oddly
    assert resample_volume(Volume(np.full((3, 3, 3), 100, np.int16), np.eye(4)), (1, 1, 1)).array.min() == 100


def test_mask_resampling_is_nearest_neighbour() -> None:
    mask = np.zeros((10, 10, 10), np.uint8)
    mask[2:8, 2:8, 2:8] = 3
    out, affine = resample_mask(mask, np.diag([2.0, 2.0, 2.0, 1.0]), (1.0, 1.0, 1.0))
    assert out.dtype == np.uint8 and set(np.unique(out).tolist()) == {0, 3}
    assert out.shape == (20, 20, 20) and np.allclose(np.diag(affine), [1, 1, 1, 1])


def test_mask_moves_onto_a_rotated_grid_through_world_coordinates() -> None:
    rng = np.random.default_rng(5)
    mask = rng.integers(0, 4, (6, 7, 8)).astype(np.uint8)
    affine = np.diag([0.5, 0.6, 2.0, 1.0])
    affine[:3, 3] = (3.0, -4.0, 5.0)
    # the reference stores the same voxels with i and j swapped (a 90-degree in-plane rotation + flip)
    swapped = affine[:, [1, 0, 2, 3]]
    moved = resample_mask_to_reference(mask, affine, swapped, (6, 8, 7))
    assert np.array_equal(moved, mask.transpose(0, 2, 1))
    shifted = swapped.copy()
    shifted[0, 3] += 50.0
    outside = resample_mask_to_reference(mask, affine, shifted, (6, 8, 7))
    assert outside.max() == 0  # 50 mm off in x: no overlap, filled with 0


def test_unknown_profile_names_the_known_ones() -> None:
    assert target_spacing("native") is None
    with pytest.raises(ValueError, match="ct-rate"):
        target_spacing("nnunet")


def test_nifti_ct_reads_as_int16_hu_on_kji() -> None:
    path = shared_fixture(f"{TOTALSEG}/example_ct.nii.gz")
    volume = read_nifti(path)
    image = nib.load(path)
    assert volume.shape == (112, 101, 122) and volume.array.dtype == np.int16
    assert volume.spacing_mm == (3.0, 3.0, 3.0)
    assert np.allclose(volume.affine_ras, image.affine)
    data = np.asanyarray(image.dataobj)
    assert volume.array[5, 7, 11] == data[11, 7, 5]


def test_nifti_mask_on_same_and_on_different_grids() -> None:
    small = read_nifti(shared_fixture(f"{TOTALSEG}/example_ct_sm.nii.gz"))
    seg_path = shared_fixture(f"{TOTALSEG}/example_seg.nii.gz")
    labels = read_nifti_mask(seg_path, reference=small)
    assert labels.dtype == np.uint8 and labels.shape == small.shape and labels.max() == 117
    assert small.array[labels > 0].mean() > -200 > small.array[labels == 0].mean()
    # example_ct has 112 slices with the same header origin: the 30-slice map lands on its first 30 slices.
    full = read_nifti(shared_fixture(f"{TOTALSEG}/example_ct.nii.gz"))
    on_full = read_nifti_mask(seg_path, reference=full)
    assert np.array_equal(on_full[:30], labels) and on_full[30:].max() == 0


def test_nifti_roundtrip_with_mask_through_zarr(tmp_path: Path) -> None:
    ct = read_nifti(shared_fixture(f"{TOTALSEG}/example_ct_sm.nii.gz"))
    labels = read_nifti_mask(shared_fixture(f"{TOTALSEG}/example_seg.nii.gz"), reference=ct)
    target = tmp_path / "case.zarr"
    stored = write_volume_group(str(target), ct, {"totalseg": (labels, {1: "spleen", 5: "liver"})})
    assert [(s.array_path, s.kind) for s in stored] == [
        ("0", "image"),
        ("labels/totalseg/0", "label_mask"),
        ("1", "image_level"),
        ("2", "image_level"),
        ("labels/totalseg/1", "label_level"),
        ("labels/totalseg/2", "label_level"),
    ]
    assert stored[0].content_hash == sha256_array(ct.array)
    assert stored[1].label_names == {1: "spleen", 5: "liver"}
    back = read_volume_group(target)
    assert np.array_equal(back.array, ct.array) and np.allclose(back.affine_lps, ct.affine_lps)
    mask_back, names = read_mask(target, "totalseg")
    assert np.array_equal(mask_back, labels) and names == {1: "spleen", 5: "liver"}


def test_nifti_scaling_is_applied_once_and_sform_wins(tmp_path: Path) -> None:
    stored = np.arange(24, dtype=np.int16).reshape(2, 3, 4)
    sform = np.diag([-2.0, -2.0, 3.0, 1.0])
    image = nib.Nifti1Image(stored, sform)
    image.set_qform(np.diag([1.0, 1.0, 1.0, 1.0]), code=1)
    image.set_sform(sform, code=2)
    image.header.set_slope_inter(2.0, -1024.0)
    nib.save(image, tmp_path / "scaled.nii.gz")
    volume = read_nifti(tmp_path / "scaled.nii.gz")
    assert volume.array[0, 0, 0] == -1024 and volume.array[3, 2, 1] == 2 * stored[1, 2, 3] - 1024
    assert np.allclose(volume.affine_lps, np.diag([2.0, 2.0, 3.0, 1.0]))
    image.set_sform(sform, code=0)
    nib.save(image, tmp_path / "qform.nii.gz")
    assert np.allclose(read_nifti(tmp_path / "qform.nii.gz").affine_ras, np.eye(4))


def test_nifti_export_affine_equals_nibabels_view(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    volume = Volume(rng.integers(-1024, 2000, (7, 9, 11)).astype(np.int16), oblique_affine((0.7, 0.8, 2.0), (1, 2, 3)))
    volume.metadata = {"geometry_decision": "regular", "native_spacing_mm": [0.7, 0.8, 2.0], "gantry_tilt_deg": 0.0}
    nii_path, json_path = write_nifti_with_sidecar(volume, tmp_path / "series-001_ct", {"modality": "CT", "kvp": 120.0})
    image = nib.load(nii_path)
    assert nii_path.name == "series-001_ct.nii.gz"
    assert np.allclose(image.affine, volume.affine_ras, atol=1e-5)
    assert np.allclose(image.get_qform(), volume.affine_ras, atol=1e-5)
    assert int(image.header["qform_code"]) == 1 and int(image.header["sform_code"]) == 1
    assert image.get_data_dtype() == np.int16
    with gzip.open(nii_path) as handle:  # nibabel moves scaling off the loaded header, so read it raw
        on_disk = nib.Nifti1Header.from_fileobj(handle)
    assert float(on_disk["scl_slope"]) == 1.0 and float(on_disk["scl_inter"]) == 0.0
    assert np.array_equal(np.asanyarray(image.dataobj), volume.array.transpose(2, 1, 0))
    sidecar = json.loads(json_path.read_text())
    assert sidecar["Modality"] == "CT" and sidecar["KVP"] == 120.0
    assert sidecar["ctcurate"]["intensity_unit"] == "HU" and sidecar["ctcurate"]["rescale_applied"] is True
    assert read_nifti(nii_path).array.tolist() == volume.array.tolist()


def test_zarr_write_is_atomic_idempotent_and_sharded(tmp_path: Path) -> None:
    volume = Volume(
        np.arange(50 * 70 * 90, dtype=np.int64).reshape(50, 70, 90).astype(np.int16), np.diag([0.7, 0.8, 2.5, 1])
    )
    target = tmp_path / "vol.zarr"
    first = write_volume_group(str(target), volume)
    assert [p.name for p in tmp_path.iterdir()] == ["vol.zarr"]  # no temp folder left behind
    marker = (target / "zarr.json").stat().st_mtime_ns
    again = write_volume_group(str(target), volume)
    assert (target / "zarr.json").stat().st_mtime_ns == marker
    assert [s.content_hash for s in again] == [s.content_hash for s in first]
    assert first[0].stored_bytes > 0 and first[0].value_max == int(volume.array.max())

    array = zarr.open_array(str(target / "0"), mode="r")
    assert array.chunks == (50, 64, 64) and all(s % c == 0 for s, c in zip(array.shards, array.chunks, strict=True))
    attrs = zarr.open_group(str(target), mode="r").attrs.asdict()
    assert attrs["ctcurate"]["axis_order"] == "kji" and attrs["ctcurate"]["spacing_mm"] == [0.7, 0.8, 2.5]
    assert attrs["ome"]["multiscales"][0]["datasets"][0]["coordinateTransformations"][0]["scale"] == [2.5, 0.8, 0.7]
    region = read_array_region(target, "0", (slice(10, 12), slice(5, 9), slice(None)))
    assert np.array_equal(region, volume.array[10:12, 5:9, :])

    changed = Volume(volume.array + 1, volume.affine_lps)
    replaced = write_volume_group(str(target), changed)
    assert replaced[0].content_hash != first[0].content_hash
    assert np.array_equal(read_volume_group(target).array, changed.array)
    assert [p.name for p in tmp_path.iterdir()] == ["vol.zarr"]


def test_zarr_rejects_a_mask_off_the_image_grid(tmp_path: Path) -> None:
    volume = Volume(np.zeros((4, 5, 6), np.int16), np.eye(4))
    with pytest.raises(ValueError, match="shape"):
        write_volume_group(str(tmp_path / "x.zarr"), volume, {"organs": (np.zeros((4, 5, 5), np.uint8), {})})
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("body_part", "n_slices", "expected"),
    [
        ("CHEST", 120, "chest"),
        ("ABDOMEN", 150, "abdomen"),
        ("CHEST", 240, "chest-abdomen"),
        ("CHEST_ABDOMEN", 100, "chest-abdomen"),
        ("HEAD", 60, "head"),
        (None, 240, "chest-abdomen"),
        (None, 100, "other"),
    ],
)
def test_body_region_rules(body_part: str | None, n_slices: int, expected: str) -> None:
    volume = Volume(np.zeros((n_slices, 2, 2), np.int16), np.diag([0.7, 0.7, 2.5, 1.0]))
    assert estimate_body_region(volume, body_part) == expected
