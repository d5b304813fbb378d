"""Body-weight SUV factor of a PET series, computed from the ORIGINAL headers (before de-identification).

SUVbw = pixel value (after RescaleSlope) x factor. The logic follows the QIBA vendor-neutral pseudo-code,
as cornerstonejs/calculate-suv implements it:

* Units BQML (Bq/ml): factor = weight [g] / decayed dose [Bq]  (so SUV is in g/ml, about 1 for a uniform uptake).
* Units CNTS (Philips): the private SUV scale factor (7053,1000) if present and non-zero, else the private
  activity concentration scale factor (7053,1009) x weight / decayed dose. De-identification removes private
  tags, which is why the factor must be computed here, on the original header, and carried forward.
* Units GML: the values are already SUVbw, factor 1.
* DecayCorrection START: the dose decays from the injection to the scan start; ADMIN: no decay.
* Scan time: SeriesDate/SeriesTime unless that is after the earliest AcquisitionDate/Time of the series
  (a post-processed series); then each instance's acquisition time, moved back by FrameReferenceTime and
  forward by the average count-rate time within the frame when both frame times are valid, else the
  earliest acquisition time.
* Injection: RadiopharmaceuticalStartDateTime, else SeriesDate + RadiopharmaceuticalStartTime.

Only time differences enter the factor, so shifting every date of a patient by the same number of days
(the Retain Longitudinal Temporal Information with Modified Dates option) leaves it unchanged.
Missing or contradictory fields give ``factor=None`` and a PHI-free ``reason``, never a guessed number.

    >>> result = suv_factor_before_deid(pet_header)  # BQML, 70 kg, 370 MBq F-18 injected 60 min before the scan
    >>> round(result.factor, 8), result.decay_time_s
    (0.00027634, 3600.0)
    >>> 10_000 * result.factor  # a lesion of 10 kBq/ml (10 000 Bq/ml) has SUVbw 2.76
    2.763366817176432
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydicom.dataset import Dataset

from curation.pet.header_values import as_list, combine, number, parse_dt, text, to_float

PHILIPS_PRIVATE_GROUP = 0x7053
PHILIPS_PRIVATE_CREATOR = "Philips PET Private Group"
PHILIPS_SUV_SCALE_OFFSET = 0x00  # (7053,xx00) SUV scale factor
PHILIPS_ACTIVITY_SCALE_OFFSET = 0x09  # (7053,xx09) activity concentration scale factor (CNTS -> Bq/ml)
SUPPORTED_UNITS = ("BQML", "CNTS", "GML")
SUPPORTED_DECAY_CORRECTIONS = ("START", "ADMIN")
REQUIRED_CORRECTIONS = ("ATTN", "DECY")
FACTOR_SPREAD_TOLERANCE = 1e-3  # relative spread of per-instance factors still treated as one series factor


class SuvInputError(ValueError):
    """A header field needed for SUV is missing or contradictory (the message carries no PHI)."""


@dataclass(frozen=True)
class SuvFactor:
    factor: float | None  # multiply the rescaled pixel values by this to get SUVbw (g/ml)
    reason: str | None  # why there is no factor; None when there is one
    units: str | None = None
    decay_correction: str | None = None
    scan_time_source: str | None = None  # "series", "acquisition", "acquisition_frame_corrected", "none"
    decay_time_s: float | None = None  # injection to scan start (0 for ADMIN); unchanged by date shifting
    factor_source: str | None = None  # "decayed_dose", "philips_suv_scale", "philips_activity_scale", "gml"

    @property
    def ok(self) -> bool:
        return self.factor is not None

    def to_metadata(self) -> dict[str, Any]:
        """PHI-free facts to store with the SUV volume (no dates, weight or dose)."""
        return {
            "suv_type": "SUVbw",
            "suv_factor": self.factor,
            "suv_reason": self.reason,
            "pet_units": self.units,
            "decay_correction": self.decay_correction,
            "scan_time_source": self.scan_time_source,
            "decay_time_s": self.decay_time_s,
            "suv_factor_source": self.factor_source,
        }


@dataclass(frozen=True)
class _SeriesFields:
    units: str
    decay_correction: str
    weight_g: float
    half_life_s: float | None
    total_dose_bq: float | None


def suv_factor_before_deid(headers: Dataset | Sequence[Dataset]) -> SuvFactor:
    """SUVbw factor of one PET series from its original header(s): one dataset or all of the series'.

    Call it before ``deidentify_dataset`` (the Philips private scale factors do not survive it) and carry
    the result forward. Never raises for bad headers: the reason says what is missing.
    """
    instances = [headers] if isinstance(headers, Dataset) else list(headers)
    if not instances:
        return SuvFactor(None, "no PET header given")
    try:
        return compute_suv_factor(instances)
    except SuvInputError as error:
        return SuvFactor(None, str(error), *_partial_context(instances[0]))


def compute_suv_factor(instances: Sequence[Dataset]) -> SuvFactor:
    fields = read_series_fields(instances)
    check_corrections(instances[0])
    check_single_series(instances, fields)
    if fields.units == "GML":
        return SuvFactor(1.0, None, "GML", fields.decay_correction, "none", None, "gml")
    philips = philips_scale_factors(instances) if fields.units == "CNTS" else None
    if philips is not None and philips[0] is not None:
        return SuvFactor(philips[0], None, "CNTS", fields.decay_correction, "none", None, "philips_suv_scale")
    decay_times, source = decay_times_s(instances, fields)
    factors = [body_weight_factor(fields, t) for t in decay_times]
    if philips is not None:
        activity_scale = philips[1]
        assert activity_scale is not None
        factors = [f * activity_scale for f in factors]
    factor = one_series_factor(factors)
    factor_source = "philips_activity_scale" if philips is not None else "decayed_dose"
    return SuvFactor(factor, None, fields.units, fields.decay_correction, source, decay_times[0], factor_source)


# --- series-level fields -----------------------------------------------------------------------------------


def read_series_fields(instances: Sequence[Dataset]) -> _SeriesFields:
    first = instances[0]
    units = text(first, "Units").upper()
    if units not in SUPPORTED_UNITS:
        raise SuvInputError(f"Units {units or 'missing'!r} is not one of {', '.join(SUPPORTED_UNITS)}")
    decay = text(first, "DecayCorrection").upper()
    if units != "GML" and decay not in SUPPORTED_DECAY_CORRECTIONS:
        raise SuvInputError(f"DecayCorrection {decay or 'missing'!r} is not START or ADMIN")
    weight_kg = number(first, "PatientWeight")
    if weight_kg is None or weight_kg <= 0:
        raise SuvInputError("PatientWeight is missing or not positive")
    half_life, dose = radiopharmaceutical_numbers(first)
    if units != "GML" and (dose is None or dose <= 0):
        raise SuvInputError("RadionuclideTotalDose is missing or not positive")
    if units != "GML" and decay == "START" and (half_life is None or half_life <= 0):
        raise SuvInputError("RadionuclideHalfLife is missing or not positive")
    return _SeriesFields(units, decay, weight_kg * 1000.0, half_life, dose)


def radiopharmaceutical_numbers(ds: Dataset) -> tuple[float | None, float | None]:
    """(half-life s, total dose Bq) from the first RadiopharmaceuticalInformationSequence item."""
    item = radiopharmaceutical_item(ds)
    if item is None:
        return None, None
    return number(item, "RadionuclideHalfLife"), number(item, "RadionuclideTotalDose")


def radiopharmaceutical_item(ds: Dataset) -> Dataset | None:
    sequence = ds.get("RadiopharmaceuticalInformationSequence")
    return sequence[0] if sequence else None


def check_corrections(ds: Dataset) -> None:
    corrected = {str(v).strip().upper() for v in as_list(ds.get("CorrectedImage"))}
    missing = [c for c in REQUIRED_CORRECTIONS if c not in corrected]
    if missing:
        raise SuvInputError(f"CorrectedImage lacks {' and '.join(missing)}: the values are not quantitative")


def check_single_series(instances: Sequence[Dataset], fields: _SeriesFields) -> None:
    for ds in instances[1:]:
        if text(ds, "Units").upper() != fields.units or text(ds, "DecayCorrection").upper() != fields.decay_correction:
            raise SuvInputError("instances disagree on Units or DecayCorrection: not one series")
        if radiopharmaceutical_numbers(ds) != (fields.half_life_s, fields.total_dose_bq):
            raise SuvInputError("instances disagree on half-life or injected dose: not one series")
        if number(ds, "PatientWeight") != fields.weight_g / 1000.0:
            raise SuvInputError("instances disagree on PatientWeight: not one series")


def philips_scale_factors(instances: Sequence[Dataset]) -> tuple[float | None, float | None]:
    """(SUV scale factor, activity concentration scale factor) for CNTS; raises when neither is usable."""
    suv_scales = [philips_private_number(ds, PHILIPS_SUV_SCALE_OFFSET) for ds in instances]
    if all(s is not None and s > 0 for s in suv_scales):
        return one_series_factor([s for s in suv_scales if s is not None]), None
    activity_scales = [philips_private_number(ds, PHILIPS_ACTIVITY_SCALE_OFFSET) for ds in instances]
    if all(a is not None and a > 0 for a in activity_scales):
        return None, one_series_factor([a for a in activity_scales if a is not None])
    raise SuvInputError(
        "Units CNTS needs the Philips private SUV scale factor (7053,1000) or activity concentration scale "
        "factor (7053,1009); neither is present (compute SUV before de-identification removes private tags)"
    )


def philips_private_number(ds: Dataset, offset: int) -> float | None:
    try:
        block = ds.private_block(PHILIPS_PRIVATE_GROUP, PHILIPS_PRIVATE_CREATOR)
    except KeyError:
        return None
    if block.get_tag(offset) not in ds:
        return None
    return to_float(block[offset].value)


# --- times ----------------------------------------------------------------------------------------------


def decay_times_s(instances: Sequence[Dataset], fields: _SeriesFields) -> tuple[list[float], str]:
    """Seconds from injection to the scan time of each instance (0 for ADMIN), and the scan time's source."""
    if fields.decay_correction == "ADMIN":
        return [0.0] * len(instances), "none"
    assert fields.half_life_s is not None
    scan_times, source = scan_datetimes(instances, fields.half_life_s)
    injection = injection_datetime(instances[0])
    decay_times = [(scan - injection).total_seconds() for scan in scan_times]
    if min(decay_times) < 0:
        raise SuvInputError("the injection time is after the scan time")
    return decay_times, source


def scan_datetimes(instances: Sequence[Dataset], half_life_s: float) -> tuple[list[dt.datetime], str]:
    """QIBA: the series time unless it is after the earliest acquisition time (a post-processed series)."""
    acquisitions = [acquisition_datetime(ds) for ds in instances]
    known = [a for a in acquisitions if a is not None]
    if not known:
        raise SuvInputError("AcquisitionDate/AcquisitionTime are missing or unreadable")
    earliest = min(known)
    series = combine(text(instances[0], "SeriesDate"), text(instances[0], "SeriesTime"))
    if series is None:
        raise SuvInputError("SeriesDate/SeriesTime are missing or unreadable")
    if series <= earliest:
        return [series] * len(instances), "series"
    if all(valid_frame_times(ds) for ds in instances) and None not in acquisitions:
        corrected = [
            frame_corrected_scan_time(a, ds, half_life_s) for a, ds in zip(acquisitions, instances, strict=True) if a
        ]
        return corrected, "acquisition_frame_corrected"
    return [earliest] * len(instances), "acquisition"


def valid_frame_times(ds: Dataset) -> bool:
    reference, duration = number(ds, "FrameReferenceTime"), number(ds, "ActualFrameDuration")
    return reference is not None and reference > 0 and duration is not None and duration > 0


def frame_corrected_scan_time(acquisition: dt.datetime, ds: Dataset, half_life_s: float) -> dt.datetime:
    """Acquisition time - FrameReferenceTime + the average count-rate time within the frame (QIBA)."""
    decay_constant = math.log(2) / half_life_s
    frame_duration_s = (number(ds, "ActualFrameDuration") or 0.0) / 1000.0
    decay_during_frame = decay_constant * frame_duration_s
    average_time_s = math.log(decay_during_frame / (1 - math.exp(-decay_during_frame))) / decay_constant
    reference_s = (number(ds, "FrameReferenceTime") or 0.0) / 1000.0
    return acquisition - dt.timedelta(seconds=reference_s) + dt.timedelta(seconds=average_time_s)


def acquisition_datetime(ds: Dataset) -> dt.datetime | None:
    return combine(text(ds, "AcquisitionDate"), text(ds, "AcquisitionTime")) or parse_dt(
        text(ds, "AcquisitionDateTime")
    )


def injection_datetime(ds: Dataset) -> dt.datetime:
    item = radiopharmaceutical_item(ds)
    if item is None:
        raise SuvInputError("RadiopharmaceuticalInformationSequence is missing")
    start = parse_dt(text(item, "RadiopharmaceuticalStartDateTime"))
    if start is not None:
        return start
    start = combine(text(ds, "SeriesDate"), text(item, "RadiopharmaceuticalStartTime"))
    if start is None:
        raise SuvInputError("RadiopharmaceuticalStartDateTime and RadiopharmaceuticalStartTime are missing")
    return start


# --- numbers -------------------------------------------------------------------------------------------


def body_weight_factor(fields: _SeriesFields, decay_time_s: float) -> float:
    assert fields.total_dose_bq is not None
    if fields.decay_correction == "ADMIN":
        return fields.weight_g / fields.total_dose_bq
    assert fields.half_life_s is not None
    decayed_dose = fields.total_dose_bq * 2.0 ** (-decay_time_s / fields.half_life_s)
    return fields.weight_g / decayed_dose


def one_series_factor(factors: Sequence[float]) -> float:
    low, high = min(factors), max(factors)
    if high - low > FACTOR_SPREAD_TOLERANCE * abs(high):
        raise SuvInputError("SUV factors differ between instances (a dynamic or multi-frame series)")
    return factors[0]


def _partial_context(ds: Dataset) -> tuple[str | None, str | None]:
    units, decay = text(ds, "Units").upper(), text(ds, "DecayCorrection").upper()
    return (units if units in SUPPORTED_UNITS else None), (decay if decay in SUPPORTED_DECAY_CORRECTIONS else None)
