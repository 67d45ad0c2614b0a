#!/usr/bin/env python3
"""The most blocking recall any key-based blocking can reach on a shared set.

For every true pair of a data set (from its truth), which blocking keys do its two records
share? The keys weighed are every candidate zero configuration weighs (each blocking field
exact, phonetic and nickname keys of names, the year of a date with another field, and
every pair of these), widened with keys zero configuration does not use: 3-letter prefixes
of the name fields, low-cardinality fields (gender) and any shared word of any name field
(so swapped or misplaced name parts still meet). A pair found by none of them cannot be
found by any blocking rule built from them, whatever the budget: that share is the ceiling
of blocking recall short of comparing all pairs. The script also prints the recall reached
when only blocks up to a size are allowed (a bounded number of pairs), with what those
blocks cost in pairs.

    .venv/bin/python benchmarks/blocking_ceiling.py historical_50k
    .venv/bin/python benchmarks/blocking_ceiling.py fake_1000 febrl3
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import pandas as pd
from _datasets import DATASETS

import goldenrec as gr
from goldenrec._blocking import BlockingRule, BlockKey, _rule_codes, prefix
from goldenrec._defaults import candidate_options, usable_fields

CAPS = (10, 20, 50, 100, 1_000, 10_000)
_NAME_FIELDS = ("first_name", "middle_name", "last_name", "full_name")


def true_pairs(entity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of records ``(i < j)`` with the same entity."""
    codes = pd.factorize(entity)[0]
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])
    ends = np.r_[starts[1:], len(order)]
    left, right = [], []
    for start, end in zip(starts, ends):
        if end - start > 1:
            a, b = np.triu_indices(end - start, 1)
            left.append(order[start + a])
            right.append(order[start + b])
    if not left:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(left), np.concatenate(right)


def key_rules(records: pd.DataFrame, roles: list[str], kinds: dict[str, str]
              ) -> Iterator[tuple[str, BlockingRule]]:
    """``(family, rule)`` for each key weighed: zero configuration's candidates first."""
    fields = usable_fields(records, roles)
    present, options = candidate_options(fields, kinds, [str(c) for c in records.columns])
    for keys, _ in options:
        yield "zero-config candidates", gr.block_on(*keys)
    names = [f for f in _NAME_FIELDS if f in present]
    extra: list[tuple[BlockKey, ...]] = [(prefix(f, 3),) for f in names]
    if "gender" in fields:
        extra.append((BlockKey("gender"),))
    extra += [tuple(pair) for pair in itertools.combinations([prefix(f, 3) for f in names], 2)]
    for keys in extra:
        yield "wider keys", gr.block_on(*keys)


def name_words(records: pd.DataFrame) -> list[set[str]]:
    """Each record's words over all its valid name fields."""
    words: list[set[str]] = [set() for _ in range(len(records))]
    for field in _NAME_FIELDS:
        if f"{field}_key" not in records.columns:
            continue
        keys = records[f"{field}_key"].where(records[f"{field}_status"] == "valid")
        for row, value in enumerate(keys.tolist()):
            if isinstance(value, str):
                words[row].update(value.split())
    return words


def measure(name: str) -> list[dict[str, object]]:
    dataset = DATASETS[name]()
    pipeline = gr.Pipeline(key=dataset.key)
    result = pipeline.resolve(dataset.frames)
    records = result.records
    entity = records[["source", "record_key"]].merge(
        dataset.truth, on=["source", "record_key"], how="left")["entity"].to_numpy()
    left, right = true_pairs(entity)
    kinds = {f.name: f.kind for f in pipeline.all_fields()}
    roles = [c[: -len("_status")] for c in records.columns if c.endswith("_status")]
    # per true pair: the smallest block it shares, per family of keys (inf: shares none)
    best: dict[str, np.ndarray] = {}
    for family, rule in key_rules(records, roles, kinds):
        codes = _rule_codes(rule, records)
        valid = codes >= 0
        sizes = np.bincount(codes[valid]) if valid.any() else np.zeros(1, dtype=np.int64)
        size = np.where(valid, sizes[np.maximum(codes, 0)], 0)
        shared = valid[left] & (codes[left] == codes[right])
        cost = np.where(shared, size[left], np.inf)
        best[family] = np.minimum(best.get(family, np.full(len(left), np.inf)), cost)
    words = name_words(records)
    frequency: dict[str, int] = {}
    for record_words in words:
        for word in record_words:
            frequency[word] = frequency.get(word, 0) + 1
    word_cost = np.array([min((frequency[w] for w in words[a] & words[b]), default=np.inf)
                          for a, b in zip(left.tolist(), right.tolist())], dtype=float)
    best["any shared name word"] = word_cost
    every = np.minimum.reduce(list(best.values()))
    rows = []
    for family, cost in [*best.items(), ("all of these", every)]:
        row: dict[str, object] = {"dataset": name, "keys": family, "true_pairs": len(left),
                                  "ceiling": float(np.isfinite(cost).mean()) if len(cost) else 1.0}
        for cap in CAPS:
            row[f"<= {cap}"] = float((cost <= cap).mean()) if len(cost) else 1.0
        rows.append(row)
    rows.append({"dataset": name, "keys": "zero config (chosen rules)",
                 "true_pairs": len(left), "ceiling": _found(result.pairs, entity, len(left))})
    return rows


def _found(pairs: pd.DataFrame, entity: np.ndarray, n_true: int) -> float:
    same = entity[pairs["row_l"].to_numpy()] == entity[pairs["row_r"].to_numpy()]
    return float(same.sum()) / n_true if n_true else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="*", default=["historical_50k"],
                        choices=sorted(DATASETS))
    args = parser.parse_args()
    rows = [row for name in args.datasets for row in measure(name)]
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 20,
                           "display.float_format", "{:.4f}".format):
        print("share of true pairs sharing a key (ceiling) and sharing one in a block of at "
              "most N records")
        print(table.to_string(index=False, na_rep=""))


if __name__ == "__main__":
    main()
