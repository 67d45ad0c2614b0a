"""Work spread over forked worker processes (Linux only), for the normalisers and the
comparator.

Worker processes are forked, so they inherit the caller's data instead of receiving a
copy: a task names its work by number and only its result travels back.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from goldenrec.errors import ConfigError

__all__ = ["available_cpus", "check_n_jobs", "fork_map", "frozen_gc", "worker_count"]

T = TypeVar("T")
#: The work of the pool being run (inherited by its forked workers).
_TASKS: list[Callable[[int], Any]] = []


def check_n_jobs(n_jobs: int | None) -> None:
    """Raise :class:`~goldenrec.errors.ConfigError` unless ``n_jobs`` is a positive
    number of processes, ``-1`` or ``None`` (every CPU)."""
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int)
                               or n_jobs == 0 or n_jobs < -1):
        raise ConfigError("n_jobs must be a positive number of processes, -1 or None")


def worker_count(n_jobs: int | None) -> int:
    """How many processes ``n_jobs`` allows here (``None`` or ``-1``: every available CPU);
    1 where forking is not the native, safe choice (not Linux) and inside a worker.

    >>> worker_count(1)
    1
    """
    if n_jobs == 1:
        return 1
    # Worker processes are forked (no re-import of the caller's script), so only where
    # fork is the native, safe choice; and never from inside a worker process.
    if sys.platform != "linux" or multiprocessing.parent_process() is not None:
        return 1
    if n_jobs is None or n_jobs == -1:
        return available_cpus()
    return n_jobs


def available_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@contextmanager
def frozen_gc() -> Iterator[None]:
    """Objects that exist now are frozen for the garbage collector within the block.

    Forked workers then never walk (and so copy, page by page) the objects they
    inherit. An application that froze objects itself is left alone.
    """
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        yield
    finally:
        if freeze:
            gc.unfreeze()


def fork_map(task: Callable[[int], T], n_tasks: int, workers: int) -> list[T]:
    """``[task(0), ..., task(n_tasks - 1)]`` computed in ``workers`` forked processes.

    ``task`` and everything it uses are inherited by the workers, never pickled; only
    the results are. Errors (of a task or of the pool) propagate: callers fall back to
    doing the work themselves.
    """
    if _TASKS:
        raise RuntimeError("fork_map does not nest")
    context = multiprocessing.get_context("fork")
    _TASKS.append(task)
    try:
        with frozen_gc():
            pool = ProcessPoolExecutor(max_workers=min(workers, n_tasks), mp_context=context)
            try:
                return list(pool.map(_run_task, range(n_tasks)))
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
    finally:
        _TASKS.clear()


def _run_task(index: int) -> Any:
    return _TASKS[0](index)  # set before the workers were forked
