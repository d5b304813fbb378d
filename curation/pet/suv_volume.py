"""A PET volume as float32 SUVbw on its paired CT's grid, ready to store as a second channel (``suv/0``).

The PET values (activity concentration after RescaleSlope, e.g. Bq/ml) are multiplied by the SUV factor
and resampled through world (LPS, mm) coordinates onto the CT voxels with linear interpolation: PET and
CT of one PET/CT share a FrameOfReferenceUID, so their affines already place them in the same space.
CT voxels outside the PET's field of view get 0 (no uptake measured).

    >>> pet = Volume(np.full((40, 64, 64), 5000.0, np.float32), np.diag([4.0, 4.0, 4.0, 1.0]), "raw")
    >>> ct = Volume(np.zeros((80, 128, 128), np.int16), np.diag([2.0, 2.0, 2.0, 1.0]))
    >>> suv = suv_volume_on_ct_grid(pet, 0.0004, ct)    # 5 kBq/ml x 0.0004 g/Bq
    >>> suv.shape, float(suv.array[40, 64, 64]), suv.intensity_unit
    ((80, 128, 128), 2.0, 'SUVbw')
"""

from __future__ import annotations

import math

import numpy as np

from curation.imaging.resample import resample_array_to_grid
from curation.imaging.volume import Volume

SUV_UNIT = "SUVbw"
OUTSIDE_PET_SUV = 0.0
LINEAR = 1


def suv_volume_on_ct_grid(pet: Volume, factor: float, ct: Volume) -> Volume:
    """Float32 SUVbw (g/ml) of ``pet`` on ``ct``'s grid (shape and affine of the CT)."""
    check_factor(factor)
    suv = pet_to_suv(pet.array, factor)
    on_ct = resample_array_to_grid(suv, pet.affine_lps, ct.affine_lps, ct.shape, LINEAR, OUTSIDE_PET_SUV)
    metadata = {"suv_factor": float(factor), "resampled_from_spacing_mm": list(pet.spacing_mm), "resample_order": 1}
    return Volume(on_ct.astype(np.float32, copy=False), ct.affine_lps.copy(), SUV_UNIT, True, metadata)


def check_factor(factor: float) -> None:
    if not math.isfinite(factor) or factor <= 0:
        raise ValueError("the SUV factor must be a positive finite number")


def pet_to_suv(values: np.ndarray, factor: float) -> np.ndarray:
    return (values.astype(np.float64) * factor).astype(np.float32)
