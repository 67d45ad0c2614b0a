"""Speed paths of survivorship give what the plain computations give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from goldenrec._survivorship import _combined_codes
from goldenrec._survivorship_rules import (
    Candidates,
    FieldStats,
    MostFrequent,
    SourceTrust,
)


def _ngroup(columns: list[np.ndarray]) -> np.ndarray:
    frame = pd.DataFrame({i: c for i, c in enumerate(columns)})
    result: np.ndarray = frame.groupby(list(range(len(columns))), sort=False).ngroup(
    ).to_numpy(dtype=np.int64)
    return result


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_combined_codes_number_rows_as_groupby_does(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 500
    columns = [np.array(rng.choice(["", "a", "b", "c d", "1"], size=n), dtype=object)
               for _ in range(3)]
    codes = _combined_codes(columns, n)
    assert codes.tolist() == _ngroup(columns).tolist()
    assert codes[0] == 0  # first appearance order


def test_combined_codes_of_no_rows() -> None:
    empty = [np.zeros(0, dtype=object), np.zeros(0, dtype=object)]
    assert _combined_codes(empty, 0).tolist() == []


def _candidates() -> Candidates:
    cluster = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    keys = ["x", "y", "x", "p", "p", "m", "n", "m", "m"]
    frame = pd.DataFrame({
        "cluster": cluster, "row": np.arange(len(cluster)),
        "value": pd.Series(keys, dtype=object), "match_key": pd.Series(keys, dtype=object),
        "status": "valid", "n_invalid": np.zeros(len(cluster), dtype=np.int64),
        "source": pd.Series(["a", "b"] * 4 + ["a"], dtype=object),
        "record_key": pd.Series([str(i) for i in range(len(cluster))], dtype=object),
        "rank": np.arange(len(cluster)), "recency": np.full(len(cluster), np.nan)})
    stats = FieldStats("f", pd.Series(dtype=np.int64), float("nan"), False, {})
    return Candidates(frame, stats)


def test_subset_takes_computed_codes_and_support_along() -> None:
    whole = _candidates()
    _ = whole.support  # computes key codes and support
    rows = np.array([5, 6, 7, 8, 0, 1, 2])  # whole clusters
    part = whole.subset(rows)
    assert "key_codes" in part.precomputed and "support" in part.precomputed
    fresh = Candidates(whole.frame.iloc[rows], whole.stats)
    assert part.support.tolist() == fresh.support.tolist()
    for rule in (MostFrequent(), SourceTrust()):
        assert rule.score(part).tolist() == rule.score(fresh).tolist()


def test_subset_computes_what_was_not_computed() -> None:
    whole = _candidates()
    part = whole.subset(np.array([3, 4]))
    assert part.precomputed == {}
    assert part.support.tolist() == [2.0, 2.0]
    assert part.key_codes.tolist() == [0, 0]
