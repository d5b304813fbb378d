"""Sample slices are shown in radiological convention whatever the stored axis directions."""

import numpy as np
import pytest

from curation.releases.slice_montage import radiological_planes, window


def _marked_volume(affine: np.ndarray) -> np.ndarray:
    """A [k, j, i] volume with bright voxels at the patient's left-anterior (every slice) and top slab."""
    shape = (10, 12, 14)
    volume = np.full(shape, -1000, np.int16)
    centre = affine @ np.array([(shape[2] - 1) / 2, (shape[1] - 1) / 2, (shape[0] - 1) / 2, 1.0])
    for k in range(shape[0]):
        for j in range(shape[1]):
            for i in range(shape[2]):
                x, y, _z = (affine @ np.array([i, j, k, 1.0]))[:3] - centre[:3]
                if x > 4 and y < -4:  # patient's left and anterior (LPS: +x left, -y anterior)
                    volume[k, j, i] = 400
    return volume


AFFINES = {
    "identity": np.diag([1.0, 1.0, 2.0, 1.0]),
    "rows_flipped": np.diag([1.0, -1.0, 2.0, 1.0]),
    "columns_flipped_feet_first": np.diag([-1.0, 1.0, -2.0, 1.0]),
}


@pytest.mark.parametrize("name", sorted(AFFINES))
def test_axial_shows_patient_left_on_image_right_and_anterior_up(name):
    affine = AFFINES[name]
    volume = _marked_volume(affine)
    planes = radiological_planes(lambda index: volume[index], volume.shape, affine.ravel())
    axial = planes["axial"].image
    bright = np.argwhere(axial > 0.9)
    assert bright.size, name
    rows, columns = axial.shape
    assert bright[:, 0].max() < rows / 2  # anterior at the top
    assert bright[:, 1].min() > columns / 2  # patient's left on the image right
    coronal = planes["coronal"]
    assert coronal.aspect == pytest.approx(2.0)  # slice spacing over column spacing


def test_window_maps_hu_to_unit_range():
    assert window(np.array([-2000, -1000, 400, 3000])).tolist() == [0.0, 0.0, 1.0, 1.0]
