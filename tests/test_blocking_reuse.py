"""Rule choice hands its pairs to the blocker; combined keys skip records alone in a block.

Both are shortcuts: the pairs, first rules and statistics must be those the blocker
builds from scratch, and the combined codes must group exactly the records that share
every key.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import goldenrec._defaults as defaults
from goldenrec import Blocker, block_on
from goldenrec._blocking import _rule_codes
from goldenrec._defaults import choose_blocking_rules

FIELDS = ["email", "phone", "first_name", "last_name", "date_of_birth", "postcode"]


def frame(rows: list[tuple[int | None, ...]]) -> pd.DataFrame:
    data: dict[str, list[object]] = {"source": ["s"] * len(rows),
                                     "record_key": [f"k{i}" for i in range(len(rows))]}
    for position, field in enumerate(FIELDS):
        keys = [None if row[position] is None else f"{field[0]}{row[position]}"
                for row in rows]
        data[f"{field}_key"] = keys
        data[f"{field}_status"] = ["missing" if k is None else "valid" for k in keys]
        data[field] = keys
    return pd.DataFrame(data)


def synthetic(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = [n // 3, 40, n // 2, 25, 200, 30]  # distinct values per field
    rows = [tuple(None if rng.random() < 0.1 else int(rng.integers(0, s)) for s in sizes)
            for _ in range(n)]
    return frame(rows)


@pytest.mark.parametrize("seed", range(3))
def test_chosen_pairs_are_those_the_blocker_builds(seed: int) -> None:
    records = synthetic(3_000, seed)  # over the all-pairs size: the chosen rules alone
    kinds = {"email": "email", "phone": "phone", "first_name": "name",
             "last_name": "name", "date_of_birth": "date", "postcode": "postcode"}
    rules, built = choose_blocking_rules(FIELDS, records, kinds, cache={})
    assert built is not None and built.names == tuple(r.name for r in rules)
    reused = Blocker(rules)
    fresh = Blocker(rules)
    pd.testing.assert_frame_equal(reused.block(records, built=built), fresh.block(records))
    pd.testing.assert_frame_equal(reused.stats_, fresh.stats_)
    assert reused.reduction_ratio_ == fresh.reduction_ratio_


def test_built_pairs_are_ignored_where_they_would_differ() -> None:
    records = synthetic(3_000, 7)
    rules, built = choose_blocking_rules(FIELDS, records, {}, cache={})
    assert built is not None
    capped = Blocker(rules, max_block_size=2)  # a cap the choice did not apply
    pd.testing.assert_frame_equal(capped.block(records, built=built),
                                  Blocker(rules, max_block_size=2).block(records))
    other = Blocker(rules[:-1])  # other rules
    pd.testing.assert_frame_equal(other.block(records, built=built),
                                  Blocker(rules[:-1]).block(records))


def test_small_inputs_get_no_built_pairs_with_the_all_pairs_rule() -> None:
    rules, built = choose_blocking_rules(FIELDS, synthetic(200, 1), {}, cache={})
    assert rules[-1].name == "all pairs" and built is None


@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 4)),
                          st.one_of(st.none(), st.integers(0, 3)),
                          st.one_of(st.none(), st.integers(0, 2))), max_size=40))
@settings(max_examples=150, deadline=None)
def test_combined_codes_group_exactly_the_records_sharing_every_key(
        rows: list[tuple[int | None, int | None, int | None]]) -> None:
    records = frame([(*row, 0, 0, 0) for row in rows])
    codes = _rule_codes(block_on("email", "phone", "first_name"), records)
    for i, j in itertools.combinations(range(len(rows)), 2):
        together = None not in rows[i] and rows[i] == rows[j]
        assert (codes[i] >= 0 and codes[i] == codes[j]) == together
    for i, row in enumerate(rows):
        assert (codes[i] < 0) == (None in row)


@pytest.mark.parametrize("seed", range(3))
def test_codes_from_a_shared_cache_are_those_computed_alone(seed: int) -> None:
    records = synthetic(600, seed)
    rules = [block_on("email", "phone"), block_on("phone", "email"),
             block_on("first_name", "phone", "last_name"), block_on("phone", "postcode"),
             block_on("last_name", "first_name"), block_on("email")]
    cache: dict = {}  # type: ignore[type-arg]
    for rule in [*rules, *reversed(rules)]:  # masks and codes reused in either order
        np.testing.assert_array_equal(_rule_codes(rule, records, cache),
                                      _rule_codes(rule, records))


def reference_choice(records: pd.DataFrame, kinds: dict[str, str]) -> list[str]:
    """The rule choice written plainly: every candidate's pairs built as a set."""
    n = len(records)  # the budgets as set now (tests patch them)
    per_rule = max(defaults._MIN_RULE_BUDGET, defaults._PAIRS_PER_RECORD_PER_RULE * n)
    budget = max(defaults._MIN_TOTAL_BUDGET, defaults._PAIRS_PER_RECORD_TOTAL * n)
    _, options = defaults.candidate_options(FIELDS, kinds, list(records.columns))
    candidates = []
    for keys, signature in options:
        rule = block_on(*keys)
        parts = [key.compute(records).tolist() for key in rule.keys]
        blocks: dict[tuple[object, ...], list[int]] = {}
        for row, values in enumerate(zip(*parts)):
            if not any(pd.isna(v) for v in values):
                blocks.setdefault(values, []).append(row)
        pairs = {pair for rows in blocks.values() for pair in itertools.combinations(rows, 2)}
        if 0 < len(pairs) <= per_rule:
            candidates.append((len(pairs), rule.name, signature, pairs))
    candidates.sort(key=lambda c: (c[0], c[1]))
    kept: list[tuple[str, frozenset[str]]] = []
    seen: set[tuple[int, int]] = set()
    for _, name, signature, pairs in candidates:
        fuzzy = any(p.startswith("~") for p in signature)
        if not fuzzy and any(not any(p.startswith("~") for p in s) and s <= signature
                             for _, s in kept):
            continue
        if len(seen) >= budget and kept:
            break
        new = pairs - seen
        if not new or (len(seen) + len(new) > budget and kept):
            continue
        seen |= new
        kept.append((name, signature))
    return [name for name, _ in kept]


@pytest.mark.parametrize(("seed", "per_record"), [(0, None), (1, None), (2, 4), (3, 6), (4, 8)])
def test_rule_choice_is_the_plain_algorithm(seed: int, per_record: int | None,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    if per_record is not None:  # a small total budget binds: large rules are refused
        monkeypatch.setattr("goldenrec._defaults._MIN_TOTAL_BUDGET", 0)
        monkeypatch.setattr("goldenrec._defaults._PAIRS_PER_RECORD_TOTAL", per_record)
    records = synthetic(2_000, seed)
    kinds = {"first_name": "name", "last_name": "name", "date_of_birth": "date"}
    rules, _ = choose_blocking_rules(FIELDS, records, kinds, cache={})
    assert [r.name for r in rules] == reference_choice(records, kinds)


@pytest.mark.skipif(sys.platform != "linux", reason="worker processes are forked on Linux only")
@pytest.mark.parametrize("broken", [False, True])
def test_rules_counted_in_processes_are_those_counted_in_one(
        monkeypatch: pytest.MonkeyPatch, broken: bool,
        fork_spy: Callable[..., list[int]]) -> None:
    records = synthetic(3_000, 5)
    kinds = {"date_of_birth": "date"}
    alone, alone_built = choose_blocking_rules(FIELDS, records, kinds, cache={})
    monkeypatch.setattr(defaults, "PARALLEL_MIN_RECORDS", 1)
    calls = fork_spy(defaults, broken=broken)
    cache: dict = {}  # type: ignore[type-arg]
    together, built = choose_blocking_rules(FIELDS, records, kinds, cache=cache, n_jobs=2)
    assert calls  # the processes were asked for
    assert [r.name for r in together] == [r.name for r in alone]
    assert alone_built is not None and built is not None
    np.testing.assert_array_equal(built.encoded, alone_built.encoded)
    np.testing.assert_array_equal(built.rule_ids, alone_built.rule_ids)
    pairs = Blocker(together).block(records, cache=cache, built=built)
    pd.testing.assert_frame_equal(pairs, Blocker(alone).block(records))
