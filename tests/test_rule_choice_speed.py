"""Rule choice builds each rule's pairs already sorted (no sort of the pairs): the same
pairs as the blocker's, in the same order."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goldenrec._blocking import Blocker
from goldenrec._defaults import _encoded_pairs


def brute_force(codes: np.ndarray, n: int) -> list[int]:
    return sorted(a * n + b for a, b in itertools.combinations(range(len(codes)), 2)
                  if codes[a] >= 0 and codes[a] == codes[b])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=-1, max_value=6), max_size=40))
def test_encoded_pairs_match_brute_force(values: list[int]) -> None:
    codes = np.asarray(values, dtype=np.int64)
    n = max(len(codes), 1)
    encoded = _encoded_pairs(codes, n)
    assert encoded.dtype == np.int64
    assert encoded.tolist() == brute_force(codes, n)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_encoded_pairs_equal_the_blockers_pairs_sorted(seed: int, dtype: type) -> None:
    # skewed block sizes (one large block, many pairs, most records alone) as at scale
    rng = np.random.default_rng(seed)
    n = 20_000
    codes = np.minimum(rng.zipf(1.6, n), 5_000).astype(dtype) - 1
    codes[rng.random(n) < 0.2] = -1
    left, right, _, _ = Blocker([], max_pairs=10**9)._pairs_for("rule", codes)
    expected = np.sort(left.astype(np.int64) * n + right)
    encoded = _encoded_pairs(codes, n)
    assert len(encoded) > 100_000
    assert np.array_equal(encoded, expected)


def test_no_pairs_when_every_block_is_single_or_missing() -> None:
    assert _encoded_pairs(np.array([-1, -1], dtype=np.int64), 2).tolist() == []
    assert _encoded_pairs(np.array([0, 1, 2, -1], dtype=np.int64), 4).tolist() == []
    assert _encoded_pairs(np.empty(0, dtype=np.int64), 1).tolist() == []
