"""Lineage helpers: conflicts for stewards, value explanations and cluster confidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree

from goldenrec._normalise._base import VALID
from goldenrec._survivorship_rules import unique_pairs
from goldenrec.errors import InputError

__all__ = [
    "CONFIDENCE_COLUMNS",
    "CONFLICT_COLUMNS",
    "EDGE_COLUMNS",
    "PAIR_COLUMNS",
    "ValueExplanation",
    "cluster_confidence",
    "field_conflicts",
]

CONFLICT_COLUMNS = ["golden_id", "field", "value", "match_key", "n_records", "sources",
                    "record_keys", "is_golden"]
CONFIDENCE_COLUMNS = ["golden_id", "n_records", "n_edges", "confidence",
                      "mean_tree_probability"]
PAIR_COLUMNS = ["source_l", "record_key_l", "source_r", "record_key_r", "match_probability",
                "match_weight"]
EDGE_COLUMNS = [*PAIR_COLUMNS, "touches_winner", "in_spanning_tree"]


@dataclass(frozen=True, eq=False)
class ValueExplanation:
    """Why one golden value won.

    ``candidates`` lists the cluster's candidates best first: ``rank``, ``value``,
    ``match_key``, ``status``, ``source``, ``record_key``, ``updated_at`` and one
    score column per step of the ranking (higher wins; the first step where the
    winner and the runner-up differ is ``decided_by``). ``edges`` are the scored pairs
    inside the customer that touch the winning ``record`` or belong to the maximum
    spanning tree holding the customer together.
    """

    golden_id: str
    field: str
    value: Any
    rule: str
    decided_by: str
    group: str | None
    record: tuple[str, str] | None
    candidates: pd.DataFrame
    edges: pd.DataFrame


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    frame: pd.DataFrame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return frame


def field_conflicts(frame: pd.DataFrame, field: str, golden_ids: np.ndarray,
                    golden_keys: np.ndarray) -> pd.DataFrame:
    """Clusters whose valid values of a field differ: one row per distinct match key.

    ``frame`` holds the field's candidates (``cluster``, ``value``, ``match_key``,
    ``status``, ``source``, ``record_key``, ``rank``); ``golden_keys`` is the match key
    of each cluster's golden value.
    """
    valid = frame[(frame["status"] == VALID).to_numpy()]
    if valid.empty:
        return _empty(CONFLICT_COLUMNS)
    cluster = valid["cluster"].to_numpy(dtype=np.int64)
    codes, _ = pd.factorize(valid["match_key"].to_numpy(dtype=object))
    codes = np.asarray(codes, dtype=np.int64)
    pairs = unique_pairs(cluster, codes)
    n_keys = np.bincount(pairs[:, 0], minlength=int(cluster.max()) + 1)
    contested = n_keys[cluster] >= 2
    if not contested.any():
        return _empty(CONFLICT_COLUMNS)
    cluster, codes = cluster[contested], codes[contested]
    rank = valid["rank"].to_numpy(dtype=np.int64)[contested]
    value = valid["value"].to_numpy(dtype=object)[contested]
    match_key = valid["match_key"].to_numpy(dtype=object)[contested]
    source = valid["source"].to_numpy(dtype=object)[contested]
    record_key = valid["record_key"].to_numpy(dtype=object)[contested]
    order = np.lexsort((rank, codes, cluster))
    starts = _run_starts(cluster[order], codes[order])
    lengths = np.diff(np.r_[starts, len(order)])
    first = order[starts]
    # sources: each distinct source of a value once, in name order
    by_source = np.lexsort((source, codes, cluster))
    distinct = np.r_[True, (cluster[by_source][1:] != cluster[by_source][:-1])
                     | (codes[by_source][1:] != codes[by_source][:-1])
                     | (source[by_source][1:] != source[by_source][:-1])]
    kept = by_source[distinct]
    source_starts = _run_starts(cluster[kept], codes[kept])
    owner = cluster[first]
    out = pd.DataFrame({
        "golden_id": golden_ids[owner], "field": field,
        "value": pd.Series(value[first], dtype=object),
        "match_key": pd.Series(match_key[first], dtype=object),
        "n_records": lengths.astype(np.int64),
        "sources": _join_runs(source[kept], source_starts),
        "record_keys": _join_runs(record_key[order], starts),
        "is_golden": match_key[first] == golden_keys[owner],
    })
    out = out.sort_values(["golden_id", "is_golden", "n_records", "match_key"],
                          ascending=[True, False, False, True], kind="mergesort")
    result: pd.DataFrame = out.reset_index(drop=True)
    return result


def _run_starts(cluster: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Where each run of equal ``(cluster, code)`` starts in sorted arrays."""
    if not len(cluster):
        return np.zeros(0, dtype=np.int64)
    change = (cluster[1:] != cluster[:-1]) | (codes[1:] != codes[:-1])
    return np.flatnonzero(np.r_[True, change])


def _join_runs(items: np.ndarray, starts: np.ndarray) -> pd.Series:
    """``;``-joined text of each run of ``items`` (runs begin at ``starts``)."""
    texts = [str(x) for x in items]
    ends = [*starts[1:].tolist(), len(texts)]
    return pd.Series([";".join(texts[a:b]) for a, b in zip(starts.tolist(), ends)],
                     dtype=object)


def _edges(source: np.ndarray, key: np.ndarray, cluster: np.ndarray,
           pairs: pd.DataFrame) -> pd.DataFrame:
    """Scored pairs inside clusters, as record positions ``a < b``, one row per pair."""
    missing = [c for c in PAIR_COLUMNS if c not in pairs.columns]
    if missing:
        raise InputError(f"scored pairs need columns {PAIR_COLUMNS}; missing {missing}")
    index = pd.MultiIndex.from_arrays([source, key])
    left = index.get_indexer(pd.MultiIndex.from_arrays(
        [pairs["source_l"].astype(str), pairs["record_key_l"].astype(str)]))
    right = index.get_indexer(pd.MultiIndex.from_arrays(
        [pairs["source_r"].astype(str), pairs["record_key_r"].astype(str)]))
    probability = pairs["match_probability"].to_numpy(dtype=np.float64)
    keep = (left >= 0) & (right >= 0) & (left != right) & ~np.isnan(probability)
    left, right, probability = left[keep], right[keep], probability[keep]
    inside = cluster[left] == cluster[right]
    a = np.minimum(left, right)[inside]
    b = np.maximum(left, right)[inside]
    edges = pd.DataFrame({"a": a, "b": b, "p": probability[inside],
                          "pair": np.flatnonzero(keep)[inside]})
    edges = edges.sort_values(["p", "a", "b"], ascending=[False, True, True],
                              kind="mergesort").drop_duplicates(["a", "b"])
    result: pd.DataFrame = edges.reset_index(drop=True)
    return result


def _tree(edges: pd.DataFrame, n: int) -> np.ndarray:
    """Whether each edge is in the maximum spanning forest (by match probability)."""
    if edges.empty:
        return np.zeros(0, dtype=bool)
    a = edges["a"].to_numpy(dtype=np.int64)
    b = edges["b"].to_numpy(dtype=np.int64)
    # ranks, not probabilities, as weights: exact, and never zero (which means "no edge")
    weight = np.arange(1, len(edges) + 1, dtype=np.float64)
    graph = coo_matrix((weight, (a, b)), shape=(n, n)).tocsr()
    tree = minimum_spanning_tree(graph).tocoo()
    chosen = np.zeros(len(edges), dtype=bool)
    chosen[np.asarray(tree.data, dtype=np.int64) - 1] = True
    return chosen


def cluster_confidence(source: np.ndarray, key: np.ndarray, cluster: np.ndarray,
                       golden_ids: np.ndarray, pairs: pd.DataFrame | None) -> pd.DataFrame:
    """How strongly each golden record's records are linked.

    ``confidence`` is the weakest link of the maximum spanning tree of the
    customer's scored pairs: the highest probability ``p`` such that the records stay
    connected using only pairs of probability at least ``p``. A single record scores
    1.0; records no scored pair connects score 0.0; without ``pairs`` a multi-record
    customer scores NaN. ``mean_tree_probability`` is the tree's mean probability.
    """
    n_clusters = len(golden_ids)
    sizes = np.bincount(cluster, minlength=n_clusters).astype(np.int64)
    confidence = np.where(sizes == 1, 1.0, np.nan)
    mean = confidence.copy()
    n_edges = np.zeros(n_clusters, dtype=np.int64)
    if pairs is not None:
        edges = _edges(source, key, cluster, pairs)
        in_tree = _tree(edges, len(source))
        owner = cluster[edges["a"].to_numpy(dtype=np.int64)]
        n_edges = np.bincount(owner, minlength=n_clusters).astype(np.int64)
        tree = edges[in_tree]
        tree_owner = owner[in_tree]
        p = tree["p"].to_numpy(dtype=np.float64)
        tree_edges = np.bincount(tree_owner, minlength=n_clusters)
        lowest = np.full(n_clusters, np.inf)
        np.minimum.at(lowest, tree_owner, p)
        total = np.bincount(tree_owner, weights=p, minlength=n_clusters)
        multi = sizes > 1
        connected = multi & (tree_edges == sizes - 1)
        confidence = np.where(multi, 0.0, confidence)
        confidence = np.where(connected, lowest, confidence)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(multi, np.where(tree_edges > 0, total / tree_edges, 0.0), mean)
    result: pd.DataFrame = pd.DataFrame({
        "golden_id": golden_ids, "n_records": sizes, "n_edges": n_edges,
        "confidence": confidence, "mean_tree_probability": mean})
    return result


def winner_edges(source: np.ndarray, key: np.ndarray, rows: np.ndarray,
                 record: tuple[str, str] | None, pairs: pd.DataFrame | None) -> pd.DataFrame:
    """The scored pairs inside one customer (``rows``) that touch ``record`` or hold
    the customer together (its maximum spanning tree), strongest first."""
    if pairs is None or len(rows) < 2:
        return _empty(EDGE_COLUMNS)
    member = np.zeros(len(source), dtype=np.int64)
    member[rows] = 1
    edges = _edges(source, key, member, pairs)
    edges = edges[member[edges["a"].to_numpy(dtype=np.int64)] == 1].reset_index(drop=True)
    in_tree = _tree(edges, len(source))
    a = edges["a"].to_numpy(dtype=np.int64)
    b = edges["b"].to_numpy(dtype=np.int64)
    touches = np.zeros(len(edges), dtype=bool)
    if record is not None:
        winner = np.flatnonzero((source == record[0]) & (key == record[1]))
        touches = np.isin(a, winner) | np.isin(b, winner)
    keep = touches | in_tree
    picked = pairs.iloc[edges["pair"].to_numpy(dtype=np.int64)[keep]][PAIR_COLUMNS]
    out = picked.reset_index(drop=True).assign(touches_winner=touches[keep],
                                               in_spanning_tree=in_tree[keep])
    result: pd.DataFrame = out.sort_values(
        ["match_probability", "source_l", "record_key_l", "source_r", "record_key_r"],
        ascending=[False, True, True, True, True], kind="mergesort").reset_index(drop=True)
    return result


def explain_candidates(frame: pd.DataFrame, scores: np.ndarray, steps: Sequence[str],
                       order: np.ndarray, *, records: pd.DataFrame, field: str
                       ) -> pd.DataFrame:
    """The ranked candidates of one cluster with each step's score, best first."""
    rows = frame["row"].to_numpy(dtype=np.int64)[order]
    key_column = f"{field}_key" if f"{field}_key" in records.columns else field
    value = records[field].to_numpy(dtype=object)[rows]
    match_key = records[key_column].to_numpy(dtype=object)[rows]
    table = pd.DataFrame({
        "rank": np.arange(1, len(order) + 1),
        "value": pd.Series(value, dtype=object),
        "match_key": pd.Series(np.where(pd.isna(match_key), value, match_key), dtype=object),
        "status": records[f"{field}_status"].to_numpy(dtype=object)[rows],
        "source": frame["source"].to_numpy(dtype=object)[order],
        "record_key": frame["record_key"].to_numpy(dtype=object)[order],
        "updated_at": (records["updated_at"].to_numpy(dtype=object)[rows]
                       if "updated_at" in records.columns else None),
    })
    used = set(table.columns)
    for j, step in enumerate(steps):
        name = step if step not in used else f"{step}_{j}"
        used.add(name)
        column = scores[order, j] if len(order) else np.zeros(0)
        table[name] = np.where(np.isinf(column), np.nan, column)  # unknown, e.g. no date
    result: pd.DataFrame = table
    return result
