"""Fields normalised side by side in worker processes give the same records as one by one."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

import goldenrec as gr
from goldenrec._normalise import _records
from goldenrec._synthetic import generate_customers

pytestmark = pytest.mark.skipif(sys.platform != "linux",
                                reason="worker processes are forked on Linux only")


@pytest.fixture(scope="module")
def mapped() -> Any:
    customers = generate_customers(3_000, seed=5)
    pipeline = gr.Pipeline(list(customers.sources))
    return pipeline, pipeline.schema_mapper().map(customers.frames)


def _normalised(mapped: Any, n_jobs: int | None) -> tuple[pd.DataFrame, dict[str, float]]:
    pipeline, records = mapped
    normaliser = pipeline.record_normaliser()
    normaliser.n_jobs = n_jobs
    return normaliser.normalise(records).frame, normaliser.timings_


def test_side_by_side_equals_one_by_one(mapped: Any, monkeypatch: pytest.MonkeyPatch,
                                        fork_spy: Callable[..., list[int]]) -> None:
    expected, _ = _normalised(mapped, 1)
    monkeypatch.setattr(_records, "SIDE_BY_SIDE_MIN_ROWS", 100)
    pools = fork_spy(_records)
    found, timings = _normalised(mapped, 2)
    assert pools == [2]
    pd.testing.assert_frame_equal(found, expected)
    # every field's time is still reported (measured in the workers)
    assert {"phone", "email", "first_name", "street"} <= set(timings)
    assert all(seconds > 0 for seconds in timings.values())


def test_few_records_stay_in_one_process(mapped: Any,
                                         fork_spy: Callable[..., list[int]]) -> None:
    assert len(mapped[1].frame) < _records.SIDE_BY_SIDE_MIN_ROWS
    fork_spy(_records, allowed=False)
    _normalised(mapped, 2)


def test_a_dominant_field_is_spread_instead(mapped: Any, monkeypatch: pytest.MonkeyPatch,
                                            fork_spy: Callable[..., list[int]]) -> None:
    """When one field would keep a worker busy far longer than the rest, the fields go
    one by one (each may spread its own values over the workers)."""
    monkeypatch.setattr(_records, "SIDE_BY_SIDE_MIN_ROWS", 100)
    monkeypatch.setattr(_records, "_probed_cost",
                        lambda role, work, raw: 100.0 if role == "phone" else 1.0)
    fork_spy(_records, allowed=False)
    expected, _ = _normalised(mapped, 1)
    found, _ = _normalised(mapped, 2)
    pd.testing.assert_frame_equal(found, expected)


def test_costliest_fields_go_first(mapped: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_records, "SIDE_BY_SIDE_MIN_ROWS", 100)
    costs = {"email": 5.0, "phone": 4.0, "street": 3.0}
    monkeypatch.setattr(_records, "_probed_cost",
                        lambda role, work, raw: costs.get(role, 1.0))
    started: list[str] = []

    def in_order(task: Any, n_tasks: int, workers: int) -> list[Any]:
        results = [task(i) for i in range(n_tasks)]
        started.extend(table.attrs["role"] for table, _, _ in results)
        return results

    def tagged(role: str, rows: slice) -> pd.DataFrame:
        table = pd.DataFrame({"value": [role]})
        table.attrs["role"] = role
        return table

    monkeypatch.setattr(_records, "fork_map", in_order)
    roles = ["street", "first_name", "phone", "email", "last_name", "locality"]
    raw = pd.DataFrame({role: ["x"] * 200 for role in roles})
    tables = _records._side_by_side(roles, tagged, raw, 2, _records._Stopwatch())
    assert started[:3] == ["email", "phone", "street"]
    assert list(tables) == roles  # handed back in the roles' order
    assert all(tables[role]["value"].tolist() == [role] for role in roles)


def test_broken_pool_falls_back(mapped: Any, monkeypatch: pytest.MonkeyPatch,
                                fork_spy: Callable[..., list[int]],
                                caplog: pytest.LogCaptureFixture) -> None:
    expected, _ = _normalised(mapped, 1)
    monkeypatch.setattr(_records, "SIDE_BY_SIDE_MIN_ROWS", 100)
    pools = fork_spy(_records, broken=True)
    found, _ = _normalised(mapped, 2)
    assert pools == [2]
    pd.testing.assert_frame_equal(found, expected)
    assert "normalising fields one by one" in caplog.text


def test_probed_cost_scales_with_values() -> None:
    """The same time per probed row costs more in a column with more values."""
    seen: list[slice] = []

    def work(role: str, rows: slice) -> pd.DataFrame:
        seen.append(rows)
        time.sleep(0.01)
        return pd.DataFrame()

    raw = pd.DataFrame({"a": ["x"] * 1_000, "b": ["x"] * 10 + [None] * 990})
    full, sparse = _records._probed_cost("a", work, raw), _records._probed_cost("b", work, raw)
    assert full > 10 * sparse > 0
    assert seen == [slice(0, _records._PROBE_ROWS)] * 2
