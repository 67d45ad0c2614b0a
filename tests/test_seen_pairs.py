"""The growing set of pairs used while choosing blocking rules behaves as a set."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from goldenrec._defaults import _SeenPairs


@settings(max_examples=200, deadline=None)
@given(batches=st.lists(st.lists(st.integers(0, 5_000), max_size=300), max_size=25),
       probes=st.lists(st.integers(0, 5_000), max_size=200))
def test_seen_pairs_is_a_set(batches: list[list[int]], probes: list[int]) -> None:
    seen, reference = _SeenPairs(), set[int]()
    for batch in batches:
        candidates = np.unique(np.array(batch, dtype=np.int64))
        new = candidates[~seen.contains(candidates)]
        assert set(new.tolist()) == set(candidates.tolist()) - reference
        seen.add(new)
        reference |= set(new.tolist())
        assert len(seen) == len(reference)
    assert seen.sorted().tolist() == sorted(reference)
    assert sorted(seen.unordered().tolist()) == sorted(reference)
    needles = np.array(probes, dtype=np.int64)
    assert seen.contains(needles).tolist() == [p in reference for p in probes]


def test_seen_pairs_merges_the_small_run_once_it_has_grown() -> None:
    seen = _SeenPairs()
    seen.add(np.arange(0, 100, dtype=np.int64))
    assert len(seen.large) == 100 and len(seen.small) == 0
    seen.add(np.arange(100, 110, dtype=np.int64))
    assert len(seen.large) == 100 and len(seen.small) == 10  # kept apart: still small
    seen.add(np.arange(110, 130, dtype=np.int64))
    assert len(seen.large) == 130 and len(seen.small) == 0
