"""Forked worker processes: results in order, data inherited, no nesting."""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pytest

from goldenrec import _processes
from goldenrec._processes import fork_map, worker_count

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="forked on Linux only")


@linux_only
def test_results_come_back_in_task_order_from_inherited_data() -> None:
    data = np.arange(1_000) ** 2  # inherited by the workers, never pickled
    found = fork_map(lambda i: int(data[i * 100:(i + 1) * 100].sum()), 10, 2)
    assert found == [int(data[i * 100:(i + 1) * 100].sum()) for i in range(10)]


@linux_only
def test_a_failing_task_raises_in_the_caller() -> None:
    def task(i: int) -> int:
        if i == 3:
            raise ValueError("task 3")
        return i

    with pytest.raises(ValueError, match="task 3"):
        fork_map(task, 5, 2)
    assert fork_map(lambda i: i, 3, 2) == [0, 1, 2]  # usable again afterwards


def test_pools_do_not_nest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_processes, "_TASKS", [lambda i: i])  # a pool already running
    with pytest.raises(RuntimeError, match="does not nest"):
        fork_map(lambda i: i, 1, 2)


def test_one_job_is_this_process() -> None:
    assert worker_count(1) == 1


@linux_only
def test_this_process_takes_tasks_too_and_starts_no_pool_within_them() -> None:
    def task(i: int) -> tuple[int, int, int]:
        time.sleep(0.005)
        return i, os.getpid(), worker_count(None)

    found = fork_map(task, 100, 2)
    assert [index for index, _, _ in found] == list(range(100))
    pids = {pid for _, pid, _ in found}
    assert os.getpid() in pids  # this process worked on some tasks
    assert len(pids) == 2  # and one forked worker on the others
    assert all(count == 1 for _, _, count in found)  # no pool inside a task, anywhere
    assert worker_count(None) >= 1 and not _processes._IN_TASK  # back to normal after


def test_one_worker_runs_every_task_here() -> None:
    assert fork_map(lambda i: (i, os.getpid()), 3, 1) == [(i, os.getpid()) for i in range(3)]


@linux_only
def test_a_task_failing_here_stops_the_workers_taking_more() -> None:
    parent = os.getpid()

    def task(i: int) -> int:
        if os.getpid() == parent:
            raise ValueError("failed here")
        return i

    with pytest.raises(ValueError, match="failed here"):
        fork_map(task, 50, 2)
    assert not _processes._TASKS and not _processes._CLAIMS and not _processes._IN_TASK
