"""Write a whole sharded Zarr v3 array in one go: inner chunks compressed on a few threads, one file per shard.

zarr-python encodes each inner chunk through its asyncio codec pipeline, which costs more than the
compression itself for a 64^3-chunked CT. For the layout ctcurate creates (``sharding_indexed``:
inner ``bytes`` little endian + ``blosc``; index ``bytes`` + ``crc32c`` at the end) this module
writes the same bytes zarr would: chunks in zarr's Morton order, chunks holding only the fill value
left out, the index of (offset, length) uint64 pairs (2^64-1 for an absent chunk) and its CRC32C.
The array's metadata (``zarr.json``) is still created by zarr; any other codec layout is written
by zarr itself. Tests compare the shard files byte for byte with zarr's own.

    >>> array = group.create_array("0", shape=ct.shape, dtype="int16", chunks=(64, 64, 64), shards=(256, 256, 256),
    ...                            compressors=BloscCodec(cname="zstd", clevel=1, shuffle="shuffle"))
    >>> write_whole_array(array, Path("case.zarr/0"), ct)        # == array[...] = ct, several times faster
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import google_crc32c
import numpy as np
import zarr
from numcodecs import Blosc
from zarr.codecs import BloscCodec, BytesCodec, Crc32cCodec, ShardingCodec
from zarr.codecs.sharding import ShardingCodecIndexLocation
from zarr.core.indexing import morton_order_iter

from curation.imaging.worker_threads import image_threads

ABSENT = np.uint64(2**64 - 1)
SHUFFLE_CODES = {"noshuffle": 0, "shuffle": 1, "bitshuffle": 2}


def _blosc_of(array: zarr.Array) -> tuple[ShardingCodec, Blosc] | None:
    """The sharding codec and the exact numcodecs Blosc it applies to inner chunks, for the supported layout."""
    codecs = array.metadata.codecs  # type: ignore[union-attr]
    if len(codecs) != 1 or not isinstance(codecs[0], ShardingCodec):
        return None
    sharding = codecs[0]
    inner, index = list(sharding.codecs), list(sharding.index_codecs)
    supported = (
        sharding.index_location == ShardingCodecIndexLocation.end
        and len(inner) == 2
        and isinstance(inner[0], BytesCodec)
        and isinstance(inner[1], BloscCodec)
        and len(index) == 2
        and isinstance(index[0], BytesCodec)
        and isinstance(index[1], Crc32cCodec)
        and all(str(getattr(c.endian, "value", c.endian)) == "little" for c in (inner[0], index[0]))
    )
    if not supported:
        return None
    blosc = inner[1]
    shuffle = SHUFFLE_CODES[str(getattr(blosc.shuffle, "value", blosc.shuffle))]
    cname = str(getattr(blosc.cname, "value", blosc.cname))
    return sharding, Blosc(
        cname=cname, clevel=blosc.clevel, shuffle=shuffle, blocksize=blosc.blocksize, typesize=blosc.typesize
    )


def _chunk_values(data: np.ndarray, start: tuple[int, ...], chunk: tuple[int, ...], fill: object) -> np.ndarray | None:
    """The chunk at ``start`` (edge chunks padded with the fill value); None when it holds only the fill value."""
    region = tuple(slice(s, min(s + c, n)) for s, c, n in zip(start, chunk, data.shape, strict=True))
    values = data[region]
    if values.size == 0:
        return None
    if values.shape != chunk:
        padded = np.full(chunk, fill, dtype=data.dtype)
        padded[tuple(slice(0, n) for n in values.shape)] = values
        values = padded
    if np.all(values == fill):
        return None
    return np.ascontiguousarray(values).astype(data.dtype.newbyteorder("<"), copy=False)


def _shard_parts(
    data: np.ndarray,
    origin: tuple[int, ...],
    shard: tuple[int, ...],
    chunk: tuple[int, ...],
    blosc: Blosc,
    fill: object,
    pool: ThreadPoolExecutor,
) -> list[bytes] | None:
    """One shard file's parts: its present chunks in Morton order, then the index and the index's CRC32C
    (written one after the other, never joined: the shard would be held twice)."""
    per_shard = tuple(s // c for s, c in zip(shard, chunk, strict=True))
    coords = list(morton_order_iter(per_shard))
    starts = [tuple(o + i * c for o, i, c in zip(origin, index, chunk, strict=True)) for index in coords]

    def encode(start: tuple[int, ...]) -> bytes | None:
        values = _chunk_values(data, start, chunk, fill)
        return None if values is None else bytes(blosc.encode(values))

    encoded = list(pool.map(encode, starts))
    index = np.full((*per_shard, 2), ABSENT, dtype="<u8")
    parts, offset = [], 0
    for position, payload in zip(coords, encoded, strict=True):
        if payload is None:
            continue
        index[position] = (offset, len(payload))
        parts.append(payload)
        offset += len(payload)
    if not parts:
        return None
    index_bytes = index.tobytes()
    checksum = np.uint32(google_crc32c.value(index_bytes)).astype("<u4").tobytes()
    return [*parts, index_bytes, checksum]


def write_whole_array(array: zarr.Array, folder: Path, data: np.ndarray) -> None:
    """``array[...] = data`` for a sharded array stored at ``folder`` (a local path), same bytes as zarr's."""
    layout = _blosc_of(array)
    if layout is None or data.shape != array.shape or data.dtype != array.dtype:
        array[...] = data
        return
    sharding, blosc = layout
    shard = tuple(int(n) for n in array.shards)  # type: ignore[union-attr]
    chunk = tuple(int(c) for c in sharding.chunk_shape)
    fill = array.fill_value
    grid = [range(0, n, s) for n, s in zip(data.shape, shard, strict=True)]
    with ThreadPoolExecutor(max_workers=image_threads()) as pool:
        for origin in itertools.product(*grid):
            payload = _shard_parts(data, origin, shard, chunk, blosc, fill, pool)
            if payload is None:
                continue
            key = folder / "c" / Path(*(str(o // s) for o, s in zip(origin, shard, strict=True)))
            key.parent.mkdir(parents=True, exist_ok=True)
            with key.open("wb") as shard_file:
                shard_file.writelines(payload)
