"""Lineage helpers: lineage and conflict tables, value explanations and cluster
confidence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree

from goldenrec._normalise._base import VALID
from goldenrec._survivorship_rules import arrow, unique_pairs
from goldenrec._text_columns import text_from_codes
from goldenrec.errors import InputError

__all__ = [
    "CONFIDENCE_COLUMNS",
    "CONFLICT_COLUMNS",
    "EDGE_COLUMNS",
    "LINEAGE_COLUMNS",
    "PAIR_COLUMNS",
    "LineageRows",
    "RecordLineage",
    "ValueExplanation",
    "cluster_confidence",
    "conflict_rows",
    "conflict_table",
    "field_conflicts",
    "golden_ranks",
    "lineage_table",
    "values_at",
]

LINEAGE_COLUMNS = ["golden_id", "field", "value", "source", "record_key", "rule",
                   "decided_by", "n_candidates", "runner_up", "support", "position", "group"]
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
    return conflict_rows(frame, field, golden_ids, golden_keys)[0]


def conflict_rows(frame: pd.DataFrame, field: str, golden_ids: np.ndarray,
                  golden_keys: np.ndarray, *, golden_rank: np.ndarray | None = None,
                  key_codes: np.ndarray | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`field_conflicts` and each row's cluster code. ``golden_rank`` (optional)
    is each cluster's :func:`golden_ranks` (computed from ``golden_ids`` if not given);
    ``key_codes`` (optional) a code per distinct match key of ``frame``."""
    is_valid = (frame["status"] == VALID).to_numpy()
    valid = frame[is_valid]
    if valid.empty:
        return _empty(CONFLICT_COLUMNS), np.zeros(0, dtype=np.int64)
    cluster = valid["cluster"].to_numpy(dtype=np.int64)
    if key_codes is not None:
        codes = np.asarray(key_codes, dtype=np.int64)[is_valid]
    else:
        codes = np.asarray(pd.factorize(valid["match_key"].to_numpy(dtype=object))[0],
                           dtype=np.int64)
    pairs = unique_pairs(cluster, codes)
    n_keys = np.bincount(pairs[:, 0], minlength=int(cluster.max()) + 1)
    contested = n_keys[cluster] >= 2
    if not contested.any():
        return _empty(CONFLICT_COLUMNS), np.zeros(0, dtype=np.int64)
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
    if golden_rank is None:
        golden_rank = golden_ranks(golden_ids)
    is_golden = match_key[first] == golden_keys[owner]
    n_records = lengths.astype(np.int64)
    # by golden id, the golden value first, then by records and match key
    keys = pd.DataFrame({"g": golden_rank[owner], "is_golden": is_golden,
                         "n_records": n_records,
                         "match_key": pd.Series(match_key[first], dtype=object)})
    at = keys.sort_values(["g", "is_golden", "n_records", "match_key"],
                          ascending=[True, False, False, True],
                          kind="mergesort").index.to_numpy()
    kept_sources = _join_runs(source[kept], source_starts)
    kept_records = _join_runs(record_key[order], starts)
    first = first[at]
    owner = owner[at]
    out = pd.DataFrame({
        "golden_id": golden_ids[owner], "field": field,
        "value": pd.Series(value[first], dtype=object),
        "match_key": pd.Series(match_key[first], dtype=object),
        "n_records": n_records[at],
        "sources": pd.Series(kept_sources[at], dtype=object),
        "record_keys": pd.Series(kept_records[at], dtype=object),
        "is_golden": is_golden[at],
    })
    return out, owner


def golden_ranks(golden_ids: np.ndarray) -> np.ndarray:
    """Per cluster, the rank of its golden id among the distinct golden ids."""
    ids = np.asarray(golden_ids, dtype=object)
    if not len(ids):
        return np.zeros(0, dtype=np.int64)
    _, rank = np.unique(ids.astype(str), return_inverse=True)
    return np.asarray(rank, dtype=np.int64).ravel()


@dataclass(frozen=True, eq=False)
class LineageRows:
    """Lineage rows of one field, by column: ``cluster`` holds each row's cluster code,
    ``columns`` every other column of :data:`LINEAGE_COLUMNS` but ``golden_id`` and
    ``field``: an array, or one text (or ``None``) for every row."""

    field: str
    cluster: np.ndarray
    columns: Mapping[str, Any]

    def __len__(self) -> int:
        return len(self.cluster)


@dataclass(frozen=True, eq=False)
class RecordLineage:
    """:class:`LineageRows` by record position, compact to send between processes:
    each row's ``value``, ``source`` and ``record_key`` are those of record ``rows``,
    its ``runner_up`` the value of record ``runner_rows`` (``None`` where -1);
    ``columns`` holds the other columns."""

    field: str
    cluster: np.ndarray
    rows: np.ndarray
    runner_rows: np.ndarray
    columns: Mapping[str, Any]

    def __len__(self) -> int:
        return len(self.cluster)

    def lineage_rows(self, values: np.ndarray, source: np.ndarray, key: np.ndarray
                     ) -> LineageRows:
        """The rows, given every record's ``values`` (of the field), source and key."""
        return LineageRows(self.field, self.cluster, {
            **self.columns, "value": values[self.rows], "source": source[self.rows],
            "record_key": key[self.rows], "runner_up": values_at(values, self.runner_rows)})


def values_at(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``values[rows]`` as objects, ``None`` where a row is -1 (none).

    >>> values_at(np.array(["a", "b"], dtype=object), np.array([1, -1])).tolist()
    ['b', None]
    """
    picked = np.full(len(rows), None, dtype=object)
    has = rows >= 0
    picked[has] = values[rows[has]]
    return picked


def lineage_table(parts: Sequence[LineageRows], golden_ids: np.ndarray,
                  golden_rank: np.ndarray) -> pd.DataFrame:
    """The lineage rows of ``parts`` as one table sorted by golden id, field and
    position (ties in the order of ``parts``), with the column types of a
    concatenation of one table per part."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return _empty(LINEAGE_COLUMNS)
    sizes = [len(p) for p in parts]
    cluster = np.concatenate([np.asarray(p.cluster, dtype=np.int64) for p in parts])
    names = sorted({p.field for p in parts})
    field = np.repeat(np.array([names.index(p.field) for p in parts], dtype=np.int64),
                      sizes)
    position = np.concatenate([np.asarray(p.columns["position"], dtype=np.int64)
                               for p in parts])
    order = _stable_order([golden_rank[cluster], field, position])
    # where each part's rows go in the sorted table
    target = np.empty(len(order), dtype=np.int64)
    target[order] = np.arange(len(order))
    data: dict[str, Any] = {"golden_id": _text(np.asarray(golden_ids, dtype=object),
                                               cluster[order]),
                            "field": _text(np.array(names, dtype=object), field[order])}
    for name in LINEAGE_COLUMNS[2:]:
        given = [p.columns[name] for p in parts]
        if all(isinstance(v, str) for v in given):  # one text per part: a text column
            labels = sorted(set(given))
            codes = np.repeat(np.array([labels.index(v) for v in given], dtype=np.int64),
                              sizes)
            data[name] = _text(np.array(labels, dtype=object), codes[order])
            continue
        arrays = [v for v in given if isinstance(v, np.ndarray)]
        dtype = np.result_type(*arrays) if len(arrays) == len(given) else np.dtype(object)
        column = np.empty(len(order), dtype=dtype)
        start = 0
        for value, size in zip(given, sizes):
            column[target[start:start + size]] = value
            start += size
        data[name] = pd.Series(column, dtype=dtype, copy=False)
    result: pd.DataFrame = pd.DataFrame(data, copy=False)
    return result


def conflict_table(parts: Sequence[tuple[pd.DataFrame, np.ndarray]],
                   golden_rank: np.ndarray) -> pd.DataFrame:
    """Per-field conflict tables (with their rows' cluster codes) as one table sorted
    by golden id and field, ties in the order of ``parts``."""
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return _empty(CONFLICT_COLUMNS)
    frames = [frame for frame, _ in parts]
    names = sorted({str(f) for frame in frames for f in frame["field"].unique()})
    field = np.concatenate([pd.Categorical(frame["field"], categories=names).codes
                            for frame in frames]).astype(np.int64)
    cluster = np.concatenate([np.asarray(c, dtype=np.int64) for _, c in parts])
    order = _stable_order([golden_rank[cluster], field])
    table: pd.DataFrame = pd.concat(frames, ignore_index=True)[CONFLICT_COLUMNS]
    if (order[1:] < order[:-1]).any():
        table = table.take(order).reset_index(drop=True)
    return table


def _stable_order(keys: Sequence[np.ndarray]) -> np.ndarray:
    """The stable sort order of rows by non-negative integer ``keys`` (first key first);
    one combined key when it fits, so sorted runs (one per part) merge cheaply."""
    n = len(keys[0])
    widths = [int(k.max()) + 1 if n else 1 for k in keys]
    if float(np.prod([float(w) for w in widths])) < 2.0 ** 62:
        combined = np.zeros(n, dtype=np.int64)
        for key, width in zip(keys, widths):
            combined = combined * width + key.astype(np.int64)
        return np.argsort(combined, kind="stable")
    return np.lexsort(list(reversed(keys)))


def _text(labels: np.ndarray, codes: np.ndarray) -> Any:
    """``labels[codes]`` as the column pandas makes of a text array (Arrow-backed
    strings when it infers them), built without converting each text."""
    return pd.Series(text_from_codes(labels, codes))


def _run_starts(cluster: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Where each run of equal ``(cluster, code)`` starts in sorted arrays."""
    if not len(cluster):
        return np.zeros(0, dtype=np.int64)
    change = (cluster[1:] != cluster[:-1]) | (codes[1:] != codes[:-1])
    return np.flatnonzero(np.r_[True, change])


def _join_runs(items: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """``;``-joined text of each run of ``items`` (runs begin at ``starts``)."""
    items = np.asarray(items, dtype=object)
    if pd.api.types.infer_dtype(items, skipna=False) != "string":
        items = np.array([str(x) for x in items], dtype=object)
    out = np.empty(len(starts), dtype=object)
    lengths = np.diff(np.r_[starts, len(items)])
    single = lengths == 1  # most runs: one item, its own text
    out[single] = items[starts[single]]
    many = np.flatnonzero(~single)
    if len(many):
        texts = items.tolist()
        ends = starts[many] + lengths[many]
        out[many] = [";".join(texts[a:b]) for a, b in zip(starts[many].tolist(),
                                                          ends.tolist())]
    return out


def _edges(source: np.ndarray, key: np.ndarray, cluster: np.ndarray,
           pairs: pd.DataFrame) -> pd.DataFrame:
    """Scored pairs inside clusters, as record positions ``a < b``, one row per pair."""
    missing = [c for c in PAIR_COLUMNS if c not in pairs.columns]
    if missing:
        raise InputError(f"scored pairs need columns {PAIR_COLUMNS}; missing {missing}")
    given = _given_positions(source, key, pairs)
    if given is not None:
        left, right = given
    else:
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


def _given_positions(source: np.ndarray, key: np.ndarray, pairs: pd.DataFrame
                     ) -> tuple[np.ndarray, np.ndarray] | None:
    """The pairs' record positions from their ``row_l`` / ``row_r`` columns (as the
    pipeline's scored pairs have), if every one names the record with the pair's
    source and record key; else ``None`` (look the records up by key instead)."""
    modules = arrow()
    if modules is None or "row_l" not in pairs.columns or "row_r" not in pairs.columns:
        return None
    pa, pc = modules
    n = len(source)
    source_codes, names = pd.factorize(np.asarray(source, dtype=object))
    name_set = pa.array([str(x) for x in names], type=pa.large_string())
    keys = pa.array(key, type=pa.large_string())
    found: list[np.ndarray] = []
    for side in ("l", "r"):
        column = pairs[f"row_{side}"]
        if not pd.api.types.is_integer_dtype(column.dtype):
            return None
        rows = column.to_numpy(dtype=np.int64)
        if len(rows) and (int(rows.min()) < 0 or int(rows.max()) >= n):
            return None
        given = _large_text(pairs[f"source_{side}"])
        codes = pc.index_in(given, value_set=name_set)
        if codes.null_count or not np.array_equal(
                codes.to_numpy(zero_copy_only=False), source_codes[rows]):
            return None
        same = pc.equal(keys.take(pa.array(rows)), _large_text(pairs[f"record_key_{side}"]))
        if same.null_count or not pc.all(same).as_py():
            return None
        found.append(rows)
    return found[0], found[1]


def _large_text(column: pd.Series) -> Any:
    """A column's texts (as ``astype(str)`` gives them) as an Arrow array."""
    pa = arrow()[0]  # type: ignore[index]  # called only when pyarrow is there
    if isinstance(column.dtype, pd.CategoricalDtype) and not column.isna().any():
        # candidate pairs name records through categories: convert each name once
        labels = pa.array(column.cat.categories.astype(str)).cast(pa.large_string())
        return labels.take(pa.array(column.cat.codes.to_numpy(dtype=np.int64)))
    return pa.array(column.astype(str)).cast(pa.large_string())


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
