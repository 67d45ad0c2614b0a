"""Work spread over forked worker processes (Linux only), for the normalisers, rule
choice, the comparator and survivorship.

Worker processes are forked, so they inherit the caller's data instead of receiving a
copy: a task names its work by number and only its result travels back. The calling
process works on the tasks too, so its share of the results never travels.
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
#: The shared number of the next task not yet taken, and the number of tasks.
_CLAIMS: list[tuple[Any, int]] = []
#: Non-empty while this process runs a task of a pool (it then starts no pool itself).
_IN_TASK: list[bool] = []


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
    if (sys.platform != "linux" or multiprocessing.parent_process() is not None
            or _IN_TASK):
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
    """``[task(0), ..., task(n_tasks - 1)]`` computed by ``workers`` processes: this one
    and ``workers - 1`` forked ones.

    ``task`` and everything it uses are inherited by the forked processes, never pickled;
    only their results are. This process takes tasks too (it would otherwise only wait),
    so its own results are never sent between processes. Each process claims the next
    task not yet taken, in order: put the costliest first. Within a task run here,
    :func:`worker_count` is 1, as in a forked worker. Errors (of a task or of the pool)
    propagate: callers fall back to doing the work themselves.

    >>> fork_map(lambda i: i * i, 3, 1)
    [0, 1, 4]
    """
    if _TASKS:
        raise RuntimeError("fork_map does not nest")
    helpers = min(workers, n_tasks) - 1
    if helpers < 1:
        return [_here(task, i) for i in range(n_tasks)]
    context = multiprocessing.get_context("fork")
    claimed = context.Value("q", 0)  # the next task not yet taken, shared by every process
    _TASKS.append(task)
    _CLAIMS.append((claimed, n_tasks))
    found: dict[int, T] = {}
    try:
        with frozen_gc():
            pool = ProcessPoolExecutor(max_workers=helpers, mp_context=context)
            try:
                # one call per task at most; a call that finds every task taken returns None
                calls = [pool.submit(_claim_and_run) for _ in range(n_tasks)]
                try:
                    while (index := _claim(claimed, n_tasks)) is not None:
                        found[index] = _here(task, index)
                except BaseException:
                    claimed.value = n_tasks  # the workers take no more tasks
                    raise
                for call in calls:
                    done = call.result()
                    if done is not None:
                        found[done[0]] = done[1]
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
    finally:
        _TASKS.clear()
        _CLAIMS.clear()
    return [found[i] for i in range(n_tasks)]


def _claim(claimed: Any, n_tasks: int) -> int | None:
    """The next task not yet taken (now taken), or ``None`` when all are."""
    with claimed.get_lock():
        index = int(claimed.value)
        if index >= n_tasks:
            return None
        claimed.value = index + 1
    return index


def _here(task: Callable[[int], T], index: int) -> T:
    """``task(index)`` in this process, as if in a worker (no pool of its own)."""
    _IN_TASK.append(True)
    try:
        return task(index)
    finally:
        _IN_TASK.pop()


def _claim_and_run() -> tuple[int, Any] | None:
    """In a forked worker: the next task not yet taken, run, with its number."""
    claimed, n_tasks = _CLAIMS[0]  # set before the workers were forked
    index = _claim(claimed, n_tasks)
    if index is None:
        return None
    return index, _TASKS[0](index)
