"""Locate the data folders (schemas, lexicons, warehouse SQL) in a checkout or an installed wheel.

In a checkout they sit at the repository root beside ``curation/``; a wheel ships them inside the
package as ``curation/_resources/<name>`` (see ``pyproject.toml``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """Return the folder ``name`` (``schemas``, ``lexicons`` or ``warehouse``)."""
    for candidate in (_PACKAGE_DIR / "_resources" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"ctcurate data folder {name!r} is missing from the installation")


def schemas_dir() -> Path:
    return resource_dir("schemas")


def lexicons_dir() -> Path:
    return resource_dir("lexicons")


def warehouse_sql_dir() -> Path:
    return resource_dir("warehouse")
