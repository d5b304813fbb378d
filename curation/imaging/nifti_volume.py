"""Read NIfTI images and label masks into the ctcurate convention ([k, j, i] arrays, LPS affine).

The affine is the sform when its code is > 0, else the qform (nibabel's fallback otherwise).
scl_slope/scl_inter are applied once, by nibabel's array proxy. NIfTI's RAS world becomes LPS by
flipping x and y; the voxel index order (i, j, k) is unchanged, only the array is transposed.

    >>> ct = read_nifti(Path("example_ct.nii.gz"))          # 3 mm CT, HU
    >>> ct.shape, ct.spacing_mm, ct.array.dtype
    ((112, 101, 122), (3.0, 3.0, 3.0), dtype('int16'))
    >>> labels = read_nifti_mask(Path("example_seg.nii.gz"), reference=ct)   # uint8, on ct's grid
"""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np

from curation.imaging.errors import SeriesRejected
from curation.imaging.resample import resample_mask_to_reference
from curation.imaging.volume import LPS_TO_RAS, Volume

GRID_TOLERANCE = 1e-4
INT16_MIN, INT16_MAX = np.iinfo(np.int16).min, np.iinfo(np.int16).max


def nifti_affine_ras(image: nib.Nifti1Image) -> tuple[np.ndarray, str]:
    """(RAS affine, which header field it came from): sform if coded, else qform, else nibabel's."""
    sform, sform_code = image.header.get_sform(coded=True)
    if sform is not None and int(sform_code) > 0:
        return np.asarray(sform, dtype=np.float64), "sform"
    qform, qform_code = image.header.get_qform(coded=True)
    if qform is not None and int(qform_code) > 0:
        return np.asarray(qform, dtype=np.float64), "qform"
    return np.asarray(image.affine, dtype=np.float64), "fallback"


def load_3d(path: Path) -> tuple[nib.Nifti1Image, np.ndarray]:
    """The image and its scaled data as [i, j, k]; trailing singleton dimensions are dropped."""
    try:
        image = nib.load(str(path))
        data = np.asanyarray(image.dataobj)  # the proxy applies scl_slope/scl_inter exactly once
    except Exception as error:
        raise SeriesRejected("unreadable_nifti", f"{Path(path).name}: {type(error).__name__}", stage="read") from error
    while data.ndim > 3 and data.shape[-1] == 1:
        data = data[..., 0]
    if data.ndim != 3:
        raise SeriesRejected("not_3d", f"{Path(path).name}: {data.ndim}-D data, expected 3-D", stage="read")
    return image, data


def ras_to_lps(affine_ras: np.ndarray) -> np.ndarray:
    return LPS_TO_RAS @ affine_ras  # the flip is its own inverse


def read_nifti(path: Path, modality: str = "CT") -> Volume:
    """A Volume from a NIfTI file; CT becomes int16 HU (rounded), other modalities float32 'raw'."""
    image, data = load_3d(Path(path))
    affine_ras, source = nifti_affine_ras(image)
    array_kji = np.ascontiguousarray(np.transpose(data, (2, 1, 0)))
    is_ct = modality.upper() == "CT"
    if is_ct:
        array_kji = np.clip(np.rint(array_kji), INT16_MIN, INT16_MAX).astype(np.int16)
    else:
        array_kji = array_kji.astype(np.float32)
    volume = Volume(array_kji, ras_to_lps(affine_ras), "HU" if is_ct else "raw", True)
    volume.metadata = {
        "source_format": "nifti",
        "modality": modality.upper(),
        "n_files": 1,
        "affine_source": source,
        "geometry_decision": "regular",
        "native_spacing_mm": list(volume.spacing_mm),
        "native_shape": list(volume.shape),
    }
    return volume


def label_dtype(labels: np.ndarray) -> type[np.unsignedinteger]:
    return np.uint8 if labels.size == 0 or int(labels.max()) < 256 else np.uint16


def read_nifti_mask(path: Path, reference: Volume) -> np.ndarray:
    """Integer labels on the reference grid ([k, j, i], uint8 or uint16).

    Same grid (affine within 1e-4 and same shape): a transpose. Otherwise each reference voxel
    takes the nearest mask voxel through world coordinates (0 outside the mask's field of view).
    """
    image, data = load_3d(Path(path))
    rounded = data if np.issubdtype(data.dtype, np.integer) else np.rint(data)
    integral = rounded is data or np.allclose(rounded, data, atol=1e-3)
    if not integral or (rounded.size and (int(rounded.min()) < 0 or int(rounded.max()) > 65535)):
        raise SeriesRejected("invalid_mask", f"{Path(path).name}: labels must be integers in 0..65535", stage="read")
    labels = np.transpose(rounded, (2, 1, 0)).astype(label_dtype(rounded))
    mask_affine = ras_to_lps(nifti_affine_ras(image)[0])
    same_grid = labels.shape == reference.shape and np.allclose(mask_affine, reference.affine_lps, atol=GRID_TOLERANCE)
    if same_grid:
        return np.ascontiguousarray(labels)
    return resample_mask_to_reference(labels, mask_affine, reference.affine_lps, reference.shape)
