#!/usr/bin/env python3
"""Survivorship accuracy on FEBRL 3: do golden values equal each entity's original?

In FEBRL 3 every entity has one uncorrupted original (``rec-N-org``) and corrupted
duplicates (``rec-N-dup-k``). The records are clustered by the zero-configuration
pipeline; then, for every correctly formed cluster (exactly the entity's records), each
golden value is compared with the original's value by normalised match key. Prints a
per-field table and the overall share (bar: 97%).

    .venv/bin/python benchmarks/survivorship_febrl3.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import goldenrec
from goldenrec._normalise._base import INVALID, VALID
from goldenrec._survivorship import Survivorship

DATA = (Path(__file__).resolve().parents[1].parent / "shared" / "data" / "splink_datasets"
        / "febrl" / "dataset3.csv")
BAR = 0.97


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, skipinitialspace=True, keep_default_na=False,
                       na_values=[""])


def match_keys(records: pd.DataFrame, field: str) -> np.ndarray:
    """Each record's match key of a field (None unless valid or invalid)."""
    status = records[f"{field}_status"].to_numpy(dtype=object)
    value = records[field].to_numpy(dtype=object)
    key = records[f"{field}_key"].to_numpy(dtype=object) if f"{field}_key" in records \
        else value
    key = np.where(pd.isna(key), value, key)
    usable = ((status == VALID) | (status == INVALID)) & pd.notna(key)
    return np.where(usable, key, None)


def evaluate(records: pd.DataFrame, golden_ids: pd.Series, lineage: pd.DataFrame,
             fields: list[str]) -> pd.DataFrame:
    entity = records["record_key"].str.extract(r"rec-(\d+)-")[0].to_numpy(dtype=object)
    frame = pd.DataFrame({"golden_id": golden_ids.to_numpy(), "entity": entity})
    per_cluster = frame.groupby("golden_id")["entity"].agg(["nunique", "first", "size"])
    entity_size = frame.groupby("entity").size()
    correct = per_cluster[(per_cluster["nunique"] == 1) & (
        per_cluster["size"].to_numpy() == entity_size.reindex(per_cluster["first"]).to_numpy())]
    is_original = records["record_key"].str.endswith("-org").to_numpy()
    original = pd.Series(np.flatnonzero(is_original),
                         index=frame["golden_id"].to_numpy()[is_original])
    original = original[original.index.isin(correct.index)]
    position = pd.Series(np.arange(len(records)), index=pd.MultiIndex.from_arrays(
        [records["source"], records["record_key"]]))
    rows = []
    for field in fields:
        keys = match_keys(records, field)
        cited = lineage[(lineage["field"] == field) & (lineage["position"] == 0)]
        winner = pd.Series(position.reindex(pd.MultiIndex.from_arrays(
            [cited["source"], cited["record_key"]])).to_numpy(), index=cited["golden_id"])
        golden_key = np.array([keys[int(w)] if pd.notna(w) else None
                               for w in winner.reindex(original.index)], dtype=object)
        truth = keys[original.to_numpy()]
        equal = np.array([a == b for a, b in zip(golden_key, truth)], dtype=bool)
        has_value = pd.notna(truth)
        rows.append({"field": field, "cells": len(truth), "equal": int(equal.sum()),
                     "share": equal.mean(), "with_original_value": int(has_value.sum()),
                     "share_where_original_has_value": equal[has_value].mean()})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"FEBRL 3 not found at {args.data}")
    frame = read(args.data)
    start = time.perf_counter()
    result = goldenrec.Pipeline().resolve({"febrl3": frame})
    resolve_seconds = time.perf_counter() - start
    records = result.records
    clusters = result.xref["golden_id"].to_numpy()
    fields = [c for c in result.golden.columns
              if c not in ("golden_id", "n_records", "sources", "confidence")]
    start = time.perf_counter()
    survived = Survivorship().survive(records, clusters, fields, pairs=result.pairs)
    survive_seconds = time.perf_counter() - start
    table = evaluate(records, survived.golden_ids, survived.lineage, fields)
    n_correct = int(table["cells"].iloc[0]) if len(table) else 0
    print(f"FEBRL 3: {len(records):,} records, {len(survived.golden):,} golden records, "
          f"{n_correct:,} correctly formed clusters (resolve {resolve_seconds:.1f}s, "
          f"survive {survive_seconds:.2f}s)")
    print(f"{'field':<16} {'cells':>6} {'equal':>6} {'share':>7} {'share*':>7}")
    for row in table.itertuples():
        print(f"{row.field:<16} {row.cells:>6} {row.equal:>6} {row.share:>7.2%} "
              f"{row.share_where_original_has_value:>7.2%}")
    overall = table["equal"].sum() / max(table["cells"].sum(), 1)
    with_value = table["with_original_value"].sum()
    print(f"{'overall':<16} {table['cells'].sum():>6} {table['equal'].sum():>6} "
          f"{overall:>7.2%}")
    equal_with_value = (table["share_where_original_has_value"]
                        * table["with_original_value"]).sum()
    print(f"share* = share of the {with_value:,} cells where the original has a value: "
          f"{equal_with_value / max(with_value, 1):.2%}")
    print(f"bar {BAR:.0%}: {'met' if overall >= BAR else 'MISSED'}")


if __name__ == "__main__":
    main()
