"""Survivorship in worker processes gives the same result as in one."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import goldenrec as gr
from goldenrec import _survivorship
from goldenrec._compact import compact, compact_counts, expanded, expanded_counts
from goldenrec._survivorship import (
    ADDRESS_FIELDS,
    Aggregate,
    FieldGroup,
    Survivorship,
    SurvivorshipResult,
)
from goldenrec._synthetic import generate_customers
from goldenrec.errors import ConfigError

linux_only = pytest.mark.skipif(sys.platform != "linux",
                                reason="worker processes are forked on Linux only")

FRAMES = ("golden", "lineage", "conflicts", "confidence", "unused_overrides")


def _with_consent(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """``frame`` with consent decisions, their dates and purposes."""
    rng = np.random.default_rng(seed)
    n = len(frame)
    return frame.assign(
        consent=rng.choice(np.array(["yes", "withdrawn", None], dtype=object), n),
        consent_date=[f"2024-{m:02d}-{d:02d}" for m, d in zip(rng.integers(1, 13, n),
                                                               rng.integers(1, 29, n))],
        consent_purpose=rng.choice(np.array(["marketing", "profiling", None],
                                            dtype=object), n))


@pytest.fixture(scope="module")
def run() -> tuple[gr.Pipeline, dict[str, pd.DataFrame], gr.Result]:
    customers = generate_customers(2_000, seed=11)
    frames = dict(customers.frames)
    frames["crm"] = _with_consent(frames["crm"], 1)
    frames["shop"] = _with_consent(frames["shop"], 2)
    pipeline = gr.Pipeline(list(customers.sources), n_jobs=1)
    return pipeline, frames, pipeline.resolve(frames)


def _inputs(run: tuple[gr.Pipeline, dict[str, pd.DataFrame], gr.Result]
            ) -> tuple[pd.DataFrame, np.ndarray, list[str], pd.DataFrame]:
    pipeline, _, result = run
    records = result.records
    fields = [f for f in pipeline.fields_ if f in records.columns]
    assert "consent" in fields and "street" in fields
    return records, result.xref["golden_id"].to_numpy(dtype=object), fields, result.pairs


def _spy(monkeypatch: pytest.MonkeyPatch, fork_spy: Callable[..., list[int]]) -> list[int]:
    """The worker counts of the pools started, with every record enough for one."""
    monkeypatch.setattr(_survivorship, "PARALLEL_MIN_RECORDS", 1)
    return fork_spy(_survivorship)


def _assert_same(one: SurvivorshipResult, other: SurvivorshipResult) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(one, name), getattr(other, name),
                                      check_exact=True)
    pd.testing.assert_series_equal(one.golden_ids, other.golden_ids, check_exact=True)
    stats, other_stats = one.explainer.stats, other.explainer.stats
    assert list(stats) == list(other_stats)
    for field, item in stats.items():
        pd.testing.assert_series_equal(item.token_counts, other_stats[field].token_counts,
                                       check_exact=True)
        assert (item.numeric, item.field) == (other_stats[field].numeric,
                                              other_stats[field].field)
    golden_ids = one.golden["golden_id"]
    picked = golden_ids.iloc[np.linspace(0, len(golden_ids) - 1, 6).astype(int)].tolist()
    for golden_id in picked:
        for field in ("first_name", "email", "street", "consent_marketing"):
            mine = one.explain_value(golden_id, field)
            theirs = other.explain_value(golden_id, field)
            assert (mine.value, mine.rule, mine.decided_by, mine.group, mine.record) == (
                theirs.value, theirs.rule, theirs.decided_by, theirs.group, theirs.record)
            pd.testing.assert_frame_equal(mine.candidates, theirs.candidates,
                                          check_exact=True)
            pd.testing.assert_frame_equal(mine.edges, theirs.edges, check_exact=True)


ENGINES: dict[str, Any] = {
    "default": Survivorship,
    "lists and groups": lambda: Survivorship(
        {"email": Aggregate(max_values=2)},
        groups=[FieldGroup("name", ("first_name", "last_name")),
                FieldGroup("address", ADDRESS_FIELDS)]),
}


@linux_only
@pytest.mark.parametrize("engine", list(ENGINES))
def test_processes_survive_as_one(run: tuple[gr.Pipeline, dict[str, pd.DataFrame],
                                             gr.Result],
                                  engine: str, monkeypatch: pytest.MonkeyPatch,
        fork_spy: Callable[..., list[int]]) -> None:
    records, clusters, fields, pairs = _inputs(run)
    golden_ids = run[2].golden["golden_id"]
    overrides = pd.DataFrame({
        "golden_id": [golden_ids.iloc[0], golden_ids.iloc[5], "G-no-such-id"],
        "field": ["first_name", "email", "last_name"],
        "value": ["Steward", "steward@example.org", "Nobody"]})
    arguments: dict[str, Any] = {"pairs": pairs, "overrides": overrides,
                                 "source_trust": {"crm": 0.9, "shop": 0.6}}
    alone = ENGINES[engine]().survive(records, clusters, fields, **arguments)
    calls = _spy(monkeypatch, fork_spy)
    together = ENGINES[engine]().survive(records, clusters, fields, n_jobs=2, **arguments)
    assert calls == [2]  # the processes were used
    assert len(alone.unused_overrides) == 1
    assert (together.lineage["rule"] == "manual_override").sum() == 2
    _assert_same(alone, together)


@linux_only
def test_the_pipeline_with_processes_gives_the_result_of_one(
        run: tuple[gr.Pipeline, dict[str, pd.DataFrame], gr.Result],
        monkeypatch: pytest.MonkeyPatch,
        fork_spy: Callable[..., list[int]]) -> None:
    pipeline, frames, alone = run
    calls = _spy(monkeypatch, fork_spy)
    together = gr.Pipeline(list(pipeline.sources), n_jobs=2).resolve(frames)
    assert calls == [2]
    assert alone.survivorship is not None and together.survivorship is not None
    _assert_same(alone.survivorship, together.survivorship)
    for name in ("golden", "xref", "lineage", "conflicts", "confidence"):
        pd.testing.assert_frame_equal(getattr(alone, name), getattr(together, name),
                                      check_exact=True)


def test_a_broken_pool_falls_back_to_one_process(
        run: tuple[gr.Pipeline, dict[str, pd.DataFrame], gr.Result],
        monkeypatch: pytest.MonkeyPatch,
        fork_spy: Callable[..., list[int]]) -> None:
    records, clusters, fields, pairs = _inputs(run)
    alone = Survivorship().survive(records, clusters, fields, pairs=pairs)
    monkeypatch.setattr(_survivorship, "PARALLEL_MIN_RECORDS", 1)
    monkeypatch.setattr(_survivorship, "worker_count", lambda n_jobs: 2)
    calls = fork_spy(_survivorship, broken=True)
    fallen = Survivorship().survive(records, clusters, fields, pairs=pairs, n_jobs=2)
    assert calls == [2]
    _assert_same(alone, fallen)


def test_few_records_stay_in_this_process(
        run: tuple[gr.Pipeline, dict[str, pd.DataFrame], gr.Result],
        monkeypatch: pytest.MonkeyPatch,
        fork_spy: Callable[..., list[int]]) -> None:
    records, clusters, fields, pairs = _inputs(run)
    assert len(records) < _survivorship.PARALLEL_MIN_RECORDS
    fork_spy(_survivorship, allowed=False)
    monkeypatch.setattr(_survivorship, "worker_count", lambda n_jobs: 2)
    result = Survivorship().survive(records, clusters, fields, pairs=pairs, n_jobs=None)
    assert len(result.golden) == len(run[2].golden)


@pytest.mark.parametrize("n_jobs", [0, -2, 1.5, True])
def test_n_jobs_is_checked(n_jobs: Any) -> None:
    frame = pd.DataFrame({"source": ["a"], "record_key": ["1"], "email": ["x@y.org"],
                          "email_key": ["x@y.org"], "email_status": ["valid"]})
    with pytest.raises(ConfigError, match="n_jobs"):
        Survivorship().survive(frame, [0], ["email"], n_jobs=n_jobs)


@pytest.mark.parametrize("array", [
    np.array([None, None, None], dtype=object),
    np.array(["most_frequent", "record_key", "most_frequent"], dtype=object),
    np.array(["a", None, "b"], dtype=object),          # missing values: sent as they are
    np.array(["a", float("nan"), "a"], dtype=object),
    np.array([1, True, 1.0, "1"], dtype=object),       # values that hash alike stay apart
    np.array([3, 3, 3], dtype=np.int64),
    np.array([-1, 7, 2**31 - 1], dtype=np.int64),
    np.array([-1, 2**40], dtype=np.int64),             # too wide to narrow
    np.array([0.5, 1.5]),
    np.zeros(0, dtype=np.int64),
])
def test_compact_arrays_expand_to_the_same(array: np.ndarray) -> None:
    back = expanded(compact(array))
    assert back.dtype == array.dtype
    assert len(back) == len(array)
    pd.testing.assert_series_equal(pd.Series(back), pd.Series(array), check_exact=True)
    assert [type(x) for x in back.tolist()] == [type(x) for x in array.tolist()]


@pytest.mark.parametrize("counts", [
    pd.Series([2, 1], index=pd.Index(["ann", "lee"], dtype=object), dtype=np.int64),
    pd.Series([2, 1], index=pd.Index(["a", "b"], dtype=object, name="word"),
              dtype=np.int64, name="n"),
    pd.Series([1, 1], index=pd.Index(["a\nb", "c"], dtype=object), dtype=np.int64),
    pd.Series([1, 1], index=pd.Index([1, "c"], dtype=object), dtype=np.int64),
    pd.Series(dtype=np.int64),
])
def test_compact_counts_expand_to_the_same(counts: pd.Series) -> None:
    pd.testing.assert_series_equal(expanded_counts(compact_counts(counts)), counts,
                                   check_exact=True)
