"""The blocking-ceiling benchmark counts true pairs and shared keys correctly."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import blocking_ceiling


def test_true_pairs_are_every_pair_of_each_entity() -> None:
    entity = np.array(["a", "b", "a", "c", "a", "b"], dtype=object)
    left, right = blocking_ceiling.true_pairs(entity)
    found = {tuple(sorted(p)) for p in zip(left.tolist(), right.tolist())}
    expected = {(i, j) for i, j in itertools.combinations(range(len(entity)), 2)
                if entity[i] == entity[j]}
    assert found == expected
    assert len(left) == len(expected)  # no pair twice


def test_no_true_pairs() -> None:
    left, right = blocking_ceiling.true_pairs(np.array(["a", "b", "c"], dtype=object))
    assert len(left) == len(right) == 0


def test_fake_1000_ceiling_table_is_consistent() -> None:
    rows = {row["keys"]: row for row in blocking_ceiling.measure("fake_1000")}
    every = rows["all of these"]
    for family in ("zero-config candidates", "wider keys", "any shared name word"):
        assert rows[family]["ceiling"] <= every["ceiling"]
        shares = [rows[family][f"<= {cap}"] for cap in blocking_ceiling.CAPS]
        assert shares == sorted(shares)  # a larger allowed block finds at least as many
        assert shares[-1] <= rows[family]["ceiling"]
    # small inputs compare all pairs: zero config finds pairs no key finds
    assert rows["zero config (chosen rules)"]["ceiling"] == 1.0 > every["ceiling"]
