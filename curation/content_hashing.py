"""Content hashes: the keys of files, texts and arrays."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

_CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_parts(*parts: str) -> str:
    """Hash a sequence of strings unambiguously (each part is length-prefixed)."""
    digest = hashlib.sha256()
    for part in parts:
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.hexdigest()


def sha256_array(array: np.ndarray) -> str:
    """Hash an array's dtype, shape and C-order bytes; equal arrays hash equal wherever stored."""
    contiguous = np.ascontiguousarray(array)
    digest = hashlib.sha256()
    digest.update(f"{contiguous.dtype.str}|{contiguous.shape}|".encode())
    digest.update(memoryview(contiguous).cast("B"))
    return digest.hexdigest()
