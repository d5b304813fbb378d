"""How many threads one series may use to decode, resample and compress its slices.

Reading files, most decoders, numpy and blosc release the GIL, so a series' slices go through a
thread pool. By default the pool has as many threads as the cores this process may run on, at most
``MAX_DEFAULT_THREADS``; ``CTCURATE_IMAGE_THREADS`` sets the number, for example 2 on each worker of a
Dask cluster that runs several series side by side on one machine.

    >>> os.environ["CTCURATE_IMAGE_THREADS"] = "2"  # doctest: +SKIP
    >>> image_threads()  # doctest: +SKIP
    2
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from curation.environment_settings import whole_number_setting

Item = TypeVar("Item")
Result = TypeVar("Result")

ENVIRONMENT_VARIABLE = "CTCURATE_IMAGE_THREADS"
MAX_DEFAULT_THREADS = 4  # measured on 16 cores: a 300-slice CT reads fastest on 4 (8 and 16 are slower)


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, which a container or taskset narrows)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def image_threads() -> int:
    """Threads per series: ``CTCURATE_IMAGE_THREADS`` where set to a positive whole number, else the default."""
    configured = whole_number_setting(ENVIRONMENT_VARIABLE, minimum=1, unit="threads")
    return configured if configured is not None else min(MAX_DEFAULT_THREADS, available_cores())


def map_on_threads(
    function: Callable[[Item], Result], items: Sequence[Item], threads: int | None = None
) -> list[Result]:
    """``function`` of each item, in order, on up to ``threads`` threads (default `image_threads`; in this thread
    where one will do)."""
    workers = min(threads if threads is not None else image_threads(), len(items))
    if workers <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, items))
