"""The comparator in worker processes gives the same levels and frequencies as in one."""

from __future__ import annotations

import sys
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

import goldenrec as gr
from goldenrec import _comparisons
from goldenrec._comparisons import Comparator
from goldenrec._defaults import default_comparisons, usable_fields
from goldenrec._synthetic import generate_customers


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame, list[gr.Comparison]]:
    customers = generate_customers(1_500, seed=3)
    pipeline = gr.Pipeline(list(customers.sources))
    normalised = pipeline.normalise(customers.frames)
    records = normalised.frame
    kinds = {f.name: f.kind for f in pipeline.all_fields()}
    comparisons = default_comparisons(usable_fields(records, normalised.roles), kinds)
    rng = np.random.default_rng(0)
    left = rng.integers(0, len(records), 20_000)
    right = rng.integers(0, len(records), 20_000)
    keep = left < right
    pairs = pd.DataFrame({"row_l": left[keep], "row_r": right[keep]})
    return records, pairs, comparisons


@pytest.mark.skipif(sys.platform != "linux", reason="worker processes are forked on Linux only")
def test_processes_give_the_levels_of_one(data: tuple[pd.DataFrame, pd.DataFrame,
                                                      list[gr.Comparison]],
                                          monkeypatch: pytest.MonkeyPatch,
        fork_spy: Callable[..., list[int]]) -> None:
    records, pairs, comparisons = data
    alone = Comparator(tuple(comparisons)).compare(pairs, records)
    monkeypatch.setattr(_comparisons, "PARALLEL_MIN_PAIRS", 1)
    calls = fork_spy(_comparisons)
    together = Comparator(tuple(comparisons), n_jobs=2).compare(pairs, records)
    assert calls == [2]  # the processes were used
    pd.testing.assert_frame_equal(alone, together)


def test_a_broken_pool_falls_back_to_one_process(
        data: tuple[pd.DataFrame, pd.DataFrame, list[gr.Comparison]],
        monkeypatch: pytest.MonkeyPatch,
        fork_spy: Callable[..., list[int]]) -> None:
    records, pairs, comparisons = data
    alone = Comparator(tuple(comparisons)).compare(pairs, records)
    monkeypatch.setattr(_comparisons, "PARALLEL_MIN_PAIRS", 1)
    calls = fork_spy(_comparisons, broken=True)
    pd.testing.assert_frame_equal(
        Comparator(tuple(comparisons), n_jobs=2).compare(pairs, records), alone)
    assert calls == [2]


def test_few_pairs_stay_in_this_process(
        data: tuple[pd.DataFrame, pd.DataFrame, list[gr.Comparison]],
        monkeypatch: pytest.MonkeyPatch,
        fork_spy: Callable[..., list[int]]) -> None:
    records, pairs, comparisons = data
    fork_spy(_comparisons, allowed=False)
    Comparator(tuple(comparisons), n_jobs=2).compare(pairs, records)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_sets_compared_together_as_each_alone(
        data: tuple[pd.DataFrame, pd.DataFrame, list[gr.Comparison]],
        monkeypatch: pytest.MonkeyPatch, n_jobs: int) -> None:
    records, pairs, comparisons = data
    monkeypatch.setattr(_comparisons, "PARALLEL_MIN_PAIRS", 1)
    first = pairs.iloc[:7_000].set_axis(np.arange(7_000) * 3 + 5)  # an index of its own
    second = pairs.iloc[7_000:].reset_index(drop=True)
    empty = pairs.iloc[:0]
    comparator = Comparator(tuple(comparisons), n_jobs=n_jobs)
    together = comparator.compare_each([first, second, empty], records)
    alone = Comparator(tuple(comparisons)).compare
    assert len(together) == 3
    for part, gamma in zip((first, second, empty), together):
        pd.testing.assert_frame_equal(gamma, alone(part, records))
    assert any(c.startswith("tf_") for c in together[0].columns)  # frequencies checked too


def test_pipeline_compares_the_u_sample_with_the_candidates(
        monkeypatch: pytest.MonkeyPatch) -> None:
    customers = generate_customers(600, seed=5)
    sizes: list[list[int]] = []
    original = Comparator.compare_each

    def spy(self, pair_sets, records):  # type: ignore[no-untyped-def]
        sizes.append([len(p) for p in pair_sets])
        return original(self, pair_sets, records)

    monkeypatch.setattr(Comparator, "compare_each", spy)
    pipeline = gr.Pipeline(list(customers.sources), u_sample_size=5_000)
    result = pipeline.resolve(customers.frames)
    assert len(sizes) == 1 and sizes[0] == [len(result.pairs), 5_000]
