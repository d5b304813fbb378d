"""A synthetic CT body phantom in Hounsfield units, with optional planted lesions.

The anatomy lives at fixed patient coordinates (LPS mm, diaphragm near z = 0, lung apex near
z = +210), so any grid that covers part of the body sees the matching organs: air -1000 outside, a
soft-tissue body ellipse (~40 HU, noisy), lungs (~-850 HU), spine and ribs (~700 HU), heart, aorta,
liver (~60 HU) and spleen (~50 HU). Arrays are indexed ``[k, j, i]`` like ``curation.imaging.volume``.

    >>> grid = PhantomGrid(size=64, n_slices=40, pixel_spacing_mm=5.5, slice_spacing_mm=5.0)
    >>> phantom = make_phantom(grid, seed=0, nodule=LungNodule(6.0, "right", "upper"))
    >>> phantom.hu.shape, phantom.hu.dtype.name, int(phantom.hu[0, 0, 0])
    ((40, 64, 64), 'int16', -1000)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

AIR_HU = -1000
SOFT_TISSUE_HU = 40
LUNG_HU = -850
BONE_HU = 700
LIVER_HU = 60
SPLEEN_HU = 50
HEART_HU = 45
FLUID_HU = 10
NODULE_HU = 35

LABEL_LIVER = 1
LABEL_SPLEEN = 2
LABEL_LUNGS = 3
ORGAN_LABELS = {str(LABEL_LIVER): "liver", str(LABEL_SPLEEN): "spleen", str(LABEL_LUNGS): "lungs"}

# Body outline and organ placement (LPS: +x patient left, +y posterior, +z superior), in mm.
_BODY_SEMI_AXES = (160.0, 115.0)
_LUNG_CENTRE_X = 75.0  # right lung at -x, left lung at +x
_LUNG_CENTRE_Y = -5.0
_LUNG_SEMI_AXES = (55.0, 80.0)
_LUNG_Z = (-10.0, 210.0)  # base (domes) to apex
_LIVER_Z = (-160.0, 25.0)
_SPLEEN_Z = (-110.0, 10.0)
_HEART_Z = (15.0, 115.0)
_LOBE_Z_FRACTION = {"upper": 0.72, "middle": 0.45, "lower": 0.25}


@dataclass(frozen=True)
class PhantomGrid:
    """The voxel grid: ``size`` x ``size`` pixels centred on the body, ``n_slices`` axial slices upwards."""

    size: int = 64
    n_slices: int = 40
    pixel_spacing_mm: float = 5.5
    slice_spacing_mm: float = 5.0
    z_bottom_mm: float = -50.0

    @property
    def fov_mm(self) -> float:
        return self.size * self.pixel_spacing_mm

    @property
    def origin_lps(self) -> tuple[float, float, float]:
        """Centre of voxel (0, 0, 0)."""
        half = (self.size - 1) / 2 * self.pixel_spacing_mm
        return (-half, -half, self.z_bottom_mm)

    @property
    def affine_lps(self) -> np.ndarray:
        affine = np.diag([self.pixel_spacing_mm, self.pixel_spacing_mm, self.slice_spacing_mm, 1.0])
        affine[:3, 3] = self.origin_lps
        return affine

    def axes_mm(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Coordinates of voxel centres along x (columns), y (rows) and z (slices)."""
        x0, y0, z0 = self.origin_lps
        steps = np.arange(self.size, dtype=np.float64) * self.pixel_spacing_mm
        z = z0 + np.arange(self.n_slices, dtype=np.float64) * self.slice_spacing_mm
        return x0 + steps, y0 + steps, z


@dataclass(frozen=True)
class LungNodule:
    diameter_mm: float
    side: str = "right"  # right or left
    lobe: str = "upper"  # upper, middle or lower


@dataclass(frozen=True)
class PleuralEffusion:
    side: str = "left"  # right or left


@dataclass(frozen=True)
class Phantom:
    hu: np.ndarray  # int16 [k, j, i]
    organs: np.ndarray  # uint8 [k, j, i], ORGAN_LABELS
    affine_lps: np.ndarray
    nodule_centre_lps: tuple[float, float, float] | None = None


@dataclass(frozen=True)
class Anatomy:
    """The noise-free phantom: build it once per study, then add noise per series."""

    hu: np.ndarray  # float32 [k, j, i]
    organs: np.ndarray
    body: np.ndarray  # bool
    affine_lps: np.ndarray
    nodule_centre_lps: tuple[float, float, float] | None = None


def make_phantom(
    grid: PhantomGrid,
    *,
    seed: int,
    nodule: LungNodule | None = None,
    effusion: PleuralEffusion | None = None,
    cardiomegaly: bool = False,
    contrast: bool = False,
    noise_hu: float = 10.0,
) -> Phantom:
    """Build the phantom on ``grid``; the same arguments always give the same voxels."""
    anatomy = build_anatomy(grid, nodule=nodule, effusion=effusion, cardiomegaly=cardiomegaly, contrast=contrast)
    return add_noise(anatomy, seed=seed, noise_hu=noise_hu)


def build_anatomy(
    grid: PhantomGrid,
    *,
    nodule: LungNodule | None = None,
    effusion: PleuralEffusion | None = None,
    cardiomegaly: bool = False,
    contrast: bool = False,
) -> Anatomy:
    x, y, z = grid.axes_mm()
    zz, yy, xx = np.meshgrid(z, y, x, indexing="ij")
    body = _ellipse(xx, yy, 0.0, 0.0, _BODY_SEMI_AXES, 1.0)
    hu = np.full(body.shape, AIR_HU, dtype=np.float32)
    organs = np.zeros(body.shape, dtype=np.uint8)
    hu[body] = SOFT_TISSUE_HU

    liver = body & _organ_liver(xx, yy, zz)
    spleen = body & _organ_spleen(xx, yy, zz)
    hu[liver], organs[liver] = LIVER_HU, LABEL_LIVER
    hu[spleen], organs[spleen] = SPLEEN_HU, LABEL_SPLEEN

    lungs = body & (_lung(xx, yy, zz, "right") | _lung(xx, yy, zz, "left"))
    hu[lungs], organs[lungs] = LUNG_HU, LABEL_LUNGS
    heart = _heart(xx, yy, zz, cardiomegaly)
    hu[heart], organs[heart] = HEART_HU, 0
    aorta = _ellipse(xx, yy, 15.0, 35.0, (14.0, 14.0), 1.0) & (zz > -120.0)
    hu[aorta], organs[aorta] = (180 if contrast else HEART_HU), 0

    if effusion is not None:
        fluid = _effusion(xx, yy, zz, effusion.side) & lungs
        hu[fluid], organs[fluid] = FLUID_HU, 0
    bone = _spine(xx, yy) | (_ribs(xx, yy, zz) & body)
    hu[bone] = BONE_HU
    centre = plant_nodule(hu, grid, nodule) if nodule is not None else None
    return Anatomy(hu, organs, body, grid.affine_lps, centre)


def add_noise(anatomy: Anatomy, *, seed: int, noise_hu: float = 10.0) -> Phantom:
    """Gaussian noise inside the body (air stays exactly -1000), rounded to int16 HU."""
    noise = np.random.default_rng(seed).normal(0.0, noise_hu, size=anatomy.hu.shape).astype(np.float32)
    hu = anatomy.hu.copy()
    hu[anatomy.body] += noise[anatomy.body]
    hu = np.clip(np.rint(hu), -1024, 3071).astype(np.int16)
    return Phantom(hu, anatomy.organs, anatomy.affine_lps, anatomy.nodule_centre_lps)


def plant_nodule(hu: np.ndarray, grid: PhantomGrid, nodule: LungNodule) -> tuple[float, float, float]:
    """Paint a solid sphere in the lung; its centre snaps to a voxel so even a 4 mm nodule shows."""
    x, y, z = grid.axes_mm()
    sign = -1.0 if nodule.side == "right" else 1.0
    target_z = _LUNG_Z[0] + _LOBE_Z_FRACTION.get(nodule.lobe, 0.5) * (_LUNG_Z[1] - _LUNG_Z[0])
    target_z = float(np.clip(target_z, z[0], z[-1]))
    k = int(np.argmin(np.abs(z - target_z)))
    j = int(np.argmin(np.abs(y - (_LUNG_CENTRE_Y - 20.0))))
    i = int(np.argmin(np.abs(x - sign * _LUNG_CENTRE_X)))
    radius = nodule.diameter_mm / 2
    zz, yy, xx = np.meshgrid(z - z[k], y - y[j], x - x[i], indexing="ij")
    sphere = xx**2 + yy**2 + zz**2 <= radius**2
    sphere[k, j, i] = True
    hu[sphere] = NODULE_HU
    return (float(x[i]), float(y[j]), float(z[k]))


def _ellipse(
    xx: np.ndarray, yy: np.ndarray, cx: float, cy: float, semi: tuple[float, float], scale: np.ndarray | float
) -> np.ndarray:
    scale = np.maximum(scale, 1e-6)
    return ((xx - cx) / (semi[0] * scale)) ** 2 + ((yy - cy) / (semi[1] * scale)) ** 2 <= 1.0


def _z_profile(zz: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    """0 outside ``bounds``, rising to 1 in the middle: organs taper at both ends."""
    centre, half = (bounds[0] + bounds[1]) / 2, (bounds[1] - bounds[0]) / 2
    return np.sqrt(np.clip(1.0 - ((zz - centre) / half) ** 2, 0.0, 1.0))


def _lung(xx: np.ndarray, yy: np.ndarray, zz: np.ndarray, side: str) -> np.ndarray:
    sign = -1.0 if side == "right" else 1.0
    # the right dome sits higher than the left, over the liver
    bounds = (_LUNG_Z[0] + (15.0 if side == "right" else 0.0), _LUNG_Z[1])
    profile = _z_profile(zz, bounds)
    return (profile > 0) & _ellipse(xx, yy, sign * _LUNG_CENTRE_X, _LUNG_CENTRE_Y, _LUNG_SEMI_AXES, profile)


def _organ_liver(xx: np.ndarray, yy: np.ndarray, zz: np.ndarray) -> np.ndarray:
    profile = _z_profile(zz, _LIVER_Z)
    return (profile > 0) & _ellipse(xx, yy, -65.0, 5.0, (85.0, 80.0), profile)


def _organ_spleen(xx: np.ndarray, yy: np.ndarray, zz: np.ndarray) -> np.ndarray:
    profile = _z_profile(zz, _SPLEEN_Z)
    return (profile > 0) & _ellipse(xx, yy, 95.0, 50.0, (32.0, 50.0), profile)


def _heart(xx: np.ndarray, yy: np.ndarray, zz: np.ndarray, cardiomegaly: bool) -> np.ndarray:
    profile = _z_profile(zz, _HEART_Z)
    semi = (70.0, 58.0) if cardiomegaly else (52.0, 44.0)
    return (profile > 0) & _ellipse(xx, yy, 20.0, -40.0, semi, profile)


def _effusion(xx: np.ndarray, yy: np.ndarray, zz: np.ndarray, side: str) -> np.ndarray:
    """A dependent (posterior) layer of the lower lung: a crescent against the back wall."""
    sign = -1.0 if side == "right" else 1.0
    anterior_edge = _LUNG_CENTRE_Y + 0.6 * _LUNG_SEMI_AXES[1]
    return (np.sign(xx) == sign) & (yy > anterior_edge) & (zz < _LUNG_Z[0] + 0.45 * (_LUNG_Z[1] - _LUNG_Z[0]))


def _spine(xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
    body = _ellipse(xx, yy, 0.0, 85.0, (20.0, 18.0), 1.0)
    process = (np.abs(xx) < 6.0) & (yy > 100.0) & (yy < 112.0)
    return body | process


def _ribs(xx: np.ndarray, yy: np.ndarray, zz: np.ndarray) -> np.ndarray:
    """Short bone cross-sections along an inner ring of the body wall, above the costal margin."""
    radius = np.sqrt((xx / _BODY_SEMI_AXES[0]) ** 2 + (yy / _BODY_SEMI_AXES[1]) ** 2)
    ring = (radius > 0.86) & (radius < 0.93)
    theta = np.arctan2(yy, xx)
    segments = np.sin(14.0 * theta + zz / 12.0) > 0.55
    return ring & segments & (zz > -60.0) & (zz < 230.0)
