#!/usr/bin/env python3
"""recordlinkage 0.16 on one benchmark set, the way its documentation does it.

    .venv-bench-recordlinkage/bin/python benchmarks/peers/run_recordlinkage.py febrl3

Documented approach (guides "Data deduplication", "Link two dataframes",
"Classification algorithms"; ``examples/dedup_deterministic.py``): a union of
``Block`` indexers, ``Compare`` with exact / string (thresholded) / date features,
the unsupervised ``ECMClassifier(binarize=0.8)``; its matched pairs are then turned
into clusters by connected components. Inputs are cleaned with plain lower-casing and
whitespace folding, not ``recordlinkage.preprocessing.clean`` (which deletes non-ASCII
letters).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pandas as pd
import recordlinkage as rl
from _common import report
from _datasets import DATASETS
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclass(frozen=True)
class Recipe:
    """Indexers and features for one data set."""

    blocks: list[str | list[str]]
    exact: list[str]
    strings: list[tuple[str, str, float]]  # column, method, threshold
    date: str
    date_format: str | None = None


RECIPES = {
    # the documented FEBRL features; blocks of examples/dedup_deterministic.py
    "febrl": Recipe(
        blocks=["given_name", "surname", "soc_sec_id"],
        exact=["given_name", "suburb", "state"],
        strings=[("surname", "jarowinkler", 0.85), ("address_1", "levenshtein", 0.85)],
        date="date_of_birth", date_format="%Y%m%d",
    ),
    "fake_1000": Recipe(
        blocks=["first_name", "surname", "dob", "email"],
        exact=["city"],
        strings=[("first_name", "jarowinkler", 0.85), ("surname", "jarowinkler", 0.85),
                 ("email", "levenshtein", 0.85)],
        date="dob",
    ),
    "historical_50k": Recipe(
        blocks=[["first_name", "surname"], ["surname", "dob"], ["first_name", "dob"],
                ["postcode_fake", "first_name"], ["postcode_fake", "surname"]],
        exact=["birth_place", "gender", "occupation"],
        strings=[("first_name", "jarowinkler", 0.85), ("surname", "jarowinkler", 0.85),
                 ("postcode_fake", "levenshtein", 0.8)],
        date="dob",
    ),
}


def clean(frame: pd.DataFrame, recipe: Recipe) -> pd.DataFrame:
    """Lower-case and fold whitespace in the used columns; parse the date column."""
    columns = {c for b in recipe.blocks for c in ([b] if isinstance(b, str) else b)}
    columns |= set(recipe.exact) | {c for c, _, _ in recipe.strings}
    out = frame.copy()
    for column in sorted(columns - {recipe.date}):
        text = out[column].astype("string").str.lower().str.split().str.join(" ")
        out[column] = text.replace("", pd.NA)
    out[recipe.date] = out[recipe.date].astype("string").str.strip()
    out["_date"] = pd.to_datetime(out[recipe.date], format=recipe.date_format,
                                  errors="coerce")
    return out


def features(recipe: Recipe, pairs: pd.MultiIndex, left: pd.DataFrame,
             right: pd.DataFrame | None) -> pd.DataFrame:
    """The comparison vectors of the candidate pairs."""
    compare = rl.Compare()
    for column in recipe.exact:
        compare.exact(column, column, label=column)
    for column, method, threshold in recipe.strings:
        compare.string(column, column, method=method, threshold=threshold, label=column)
    compare.date("_date", "_date", label="date")
    return compare.compute(pairs, left) if right is None else compare.compute(pairs, left, right)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=list(DATASETS))
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # pandas deprecation chatter from recordlinkage 0.16
    dataset = DATASETS[args.dataset]()
    recipe = RECIPES["febrl" if args.dataset.startswith("febrl") else args.dataset]
    sources = list(dataset.frames)
    frames = [f.set_index(dataset.key, drop=False) for f in dataset.frames.values()]

    start = time.perf_counter()
    cleaned = [clean(frame, recipe) for frame in frames]
    indexer = rl.Index()
    for block in recipe.blocks:
        indexer.block(block)
    left = cleaned[0]
    right = cleaned[1] if len(cleaned) > 1 else None
    pairs = indexer.index(left) if right is None else indexer.index(left, right)
    vectors = features(recipe, pairs, left, right)
    matches = rl.ECMClassifier(binarize=0.8).fit_predict(vectors)
    # connected components over all records (both files for a link)
    offsets = np.cumsum([0] + [len(f) for f in cleaned])
    rows_l = left.index.get_indexer(matches.get_level_values(0))
    rows_r = (right if right is not None else left).index.get_indexer(
        matches.get_level_values(1)) + (offsets[1] if right is not None else 0)
    n = int(offsets[-1])
    graph = coo_matrix((np.ones(len(rows_l)), (rows_l, rows_r)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    seconds = time.perf_counter() - start

    keys = pd.DataFrame({
        "source": np.repeat(sources, [len(f) for f in cleaned]),
        "record_key": np.concatenate([f.index.to_numpy() for f in cleaned]),
        "cluster": labels,
    })
    aligned = dataset.truth.merge(keys, on=["source", "record_key"], how="left",
                                  validate="1:1")
    if aligned["cluster"].isna().any():
        raise SystemExit("records lost between input and clusters")
    entity_of = dataset.truth.groupby("source")
    entity_l = entity_of.get_group(sources[0]).set_index("record_key")["entity"]
    entity_r = entity_of.get_group(sources[-1]).set_index("record_key")["entity"]
    same = (entity_l.reindex(pairs.get_level_values(0)).to_numpy()
            == entity_r.reindex(pairs.get_level_values(1)).to_numpy())
    report(tool="recordlinkage", version=rl.__version__, dataset=args.dataset,
           predicted=aligned["cluster"].tolist(), truth=aligned["entity"].tolist(),
           candidate_pairs=len(pairs), true_candidate_pairs=int(same.sum()),
           seconds=seconds, matched_pairs=len(matches))


if __name__ == "__main__":
    main()
