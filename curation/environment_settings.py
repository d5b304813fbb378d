"""Whole-number settings read from environment variables (``CTCURATE_IMAGE_THREADS``, ``CTCURATE_PLAN_HEADER_FILES``).

>>> os.environ["CTCURATE_IMAGE_THREADS"] = "2"  # doctest: +SKIP
>>> whole_number_setting("CTCURATE_IMAGE_THREADS", minimum=1, unit="threads")  # doctest: +SKIP
2
"""

from __future__ import annotations

import os


def whole_number_setting(variable: str, minimum: int, unit: str) -> int | None:
    """The variable's whole number (``minimum`` or more), None where it is unset or blank; any other value is an
    error that names the variable."""
    configured = os.environ.get(variable, "").strip()
    if not configured:
        return None
    try:
        value = int(configured)
    except ValueError:
        raise ValueError(f"{variable}={configured!r}: expected a whole number of {unit}") from None
    if value < minimum:
        raise ValueError(f"{variable}={configured!r}: expected {minimum} or more {unit}")
    return value
