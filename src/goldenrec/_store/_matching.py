"""Matching new records against stored ones: normalise a batch with the frozen state,
block keys as 64-bit hashes, candidate pairs from shared keys, comparison and scoring.

Everything here works on the batch and on the stored records it is paired with, never
on the whole store.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from goldenrec._blocking import BlockingLimitError, BlockingRule, block_size_limit
from goldenrec._comparisons import Comparator
from goldenrec._frozen import FrozenState
from goldenrec._normalise._records import RecordNormaliser
from goldenrec._pipeline import Pipeline
from goldenrec._schema import SchemaMapper
from goldenrec.errors import ConfigError

__all__ = ["block_keys", "bounded_sizes", "candidate_pairs", "hashes", "normalise_batch",
           "rule_limits", "score_pairs", "table"]

#: Most blocking rules a store can use: a stored pair keeps its rules as bits of an int64.
MAX_STORE_RULES = 63
#: Separates the parts of a multi-field block key.
_SEP = "\x1f"


def hashes(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    """A stable signed 64-bit hash per text value (the same in every process)."""
    array = np.asarray([v if type(v) is str else str(v) for v in values], dtype=object)
    if not len(array):
        return np.zeros(0, dtype=np.int64)
    hashed: np.ndarray = pd.util.hash_array(array, categorize=False).view(np.int64)
    return hashed


def plain(value: Any) -> Any:
    """A JSON-ready copy of one cell (missing values become ``None``)."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return None if math.isnan(number) else number
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


_READY = (str, int, bool)


def cells(values: list[Any]) -> list[Any]:
    """JSON-ready copies of a column's values (text and integers pass as they are)."""
    return [v if v is None or type(v) in _READY else plain(v) for v in values]


def rows_of(frame: pd.DataFrame, columns: Sequence[str]) -> list[list[Any]]:
    """The frame's rows as JSON-ready lists in ``columns`` order."""
    data = [cells(frame[c].tolist()) if c in frame.columns
            else [None] * len(frame) for c in columns]
    return [list(row) for row in zip(*data)] if data else [[] for _ in range(len(frame))]


def table(data: Any, **options: Any) -> pd.DataFrame:
    """``pd.DataFrame(data, **options)``, typed."""
    frame: pd.DataFrame = pd.DataFrame(data, **options)
    return frame


def frame_of(rows: Sequence[Sequence[Any]], columns: Sequence[str]) -> pd.DataFrame:
    """Stored JSON rows back as a frame (object columns), as every update sees them."""
    if not rows:
        return table({c: pd.Series(dtype=object) for c in columns})
    frame: pd.DataFrame = pd.DataFrame(list(rows), columns=list(columns), dtype=object)
    return frame


def normalise_batch(pipeline: Pipeline, frames: Mapping[str, pd.DataFrame],
                    too_frequent: Mapping[str, set[int]]) -> pd.DataFrame:
    """Map and normalise the batch only; values whose key hash is frozen as too
    frequent are marked ``placeholder`` / ``too_frequent``. Every field of the
    fitted pipeline is present (missing where the batch lacks it)."""
    sources = [s for s in pipeline.sources or () if s.name in frames]
    mapper = SchemaMapper(sources or None, source_column=pipeline.source_column,
                          key=pipeline.key, fields=pipeline.all_fields() or None)
    mapped = mapper.map(frames)
    frame = mapped.frame
    missing = [f for f in getattr(pipeline, "fields_", []) if f not in frame.columns]
    if missing:
        frame = frame.assign(**{f: pd.Series([None] * len(frame), index=frame.index,
                                             dtype=object) for f in missing})
        mapped = dataclasses.replace(mapped, frame=frame)
    normaliser = RecordNormaliser(pipeline.normalisers, fields=pipeline.all_fields() or None,
                                  frequency=None, n_jobs=pipeline.n_jobs)
    normalised = normaliser.normalise(mapped)
    records = normalised.frame
    if pipeline.frequency is not None and too_frequent:
        keys: dict[str, tuple[str, ...]] = {}
        for field, hashed in too_frequent.items():
            if f"{field}_key" not in records.columns or not hashed:
                continue
            values = records[f"{field}_key"].dropna().unique().tolist()
            hit = np.isin(hashes(values), np.fromiter(hashed, dtype=np.int64))
            keys[field] = tuple(str(v) for v, h in zip(values, hit) if h)
        records = FrozenState(too_frequent=keys).mark_placeholders(
            records, normalised.roles)
    return records


def check_rules(rules: Sequence[object]) -> list[BlockingRule]:
    """The blocking rules as key rules; a store cannot use rules that need all records
    at once (sorted neighbourhood, token blocking, custom strategies)."""
    out = []
    for rule in rules:
        if not isinstance(rule, BlockingRule):
            raise ConfigError(
                f"blocking {getattr(rule, 'name', type(rule).__name__)!r} is not a key rule "
                "(block_on); a golden store matches new records by their block keys, which "
                "sorted-neighbourhood and token blocking do not have")
        out.append(rule)
    if len(out) > MAX_STORE_RULES:
        raise ConfigError(
            f"a golden store can use at most {MAX_STORE_RULES} blocking rules (each stored "
            f"pair records its rules as bits of a 64-bit integer); this pipeline has "
            f"{len(out)}")
    return out


def check_must_link(rules: Sequence[BlockingRule]) -> None:
    """A store cannot cap a must-link rule's blocks: it keeps no record of which
    forced pairs a block gave, so a block crossing the cap could not be undone."""
    for rule in rules:
        if rule.max_block_size is not None:
            raise ConfigError(f"must-link rule {rule.name!r} has a max_block_size; a golden "
                              "store runs must-link rules without a block-size cap")


def rule_limits(rules: Sequence[BlockingRule], max_block_size: int | None
                ) -> dict[int, int]:
    """The block-size cap in force per rule id (position in ``rules``), for the rules
    that have one: the smaller of the rule's own and the pipeline's."""
    limits = {index: block_size_limit(rule, max_block_size) for index, rule in enumerate(rules)}
    return {index: limit for index, limit in limits.items() if limit is not None}


def bounded_sizes(db: sqlite3.Connection, bounds: Mapping[tuple[int, int], int]
                  ) -> dict[tuple[int, int], int]:
    """Stored records per block ``(rule, hash)``, each counted up to its bound only: an
    index range scan of at most ``bound`` rows, however large the block (a block
    holding everyone, as the all-pairs rule's, costs as little as any other)."""
    sql = "SELECT COUNT(*) FROM (SELECT 1 FROM block_keys WHERE rule = ? AND hash = ? LIMIT ?)"
    return {block: int(db.execute(sql, (block[0], block[1], bound)).fetchone()[0])
            for block, bound in sorted(bounds.items())}


def block_keys(records: pd.DataFrame, rules: Sequence[BlockingRule], first_id: int = 0
               ) -> pd.DataFrame:
    """One row per (rule, record) with a key: ``rule`` (``first_id`` + position),
    ``hash`` of the key and ``row`` (the record's position)."""
    parts = []
    computed: dict[Any, np.ndarray] = {}
    for offset, rule in enumerate(rules):
        for key in rule.keys:
            if key not in computed:
                computed[key] = key.compute(records).to_numpy(dtype=object)
        columns = [computed[key] for key in rule.keys]
        valid = np.ones(len(records), dtype=bool)
        for column in columns:
            valid &= pd.notna(column)
        rows = np.flatnonzero(valid)
        if not len(rows):
            continue
        text = pd.Series(columns[0][rows], dtype=object).astype(str)
        for column in columns[1:]:
            text = text + _SEP + pd.Series(column[rows], dtype=object).astype(str)
        parts.append(pd.DataFrame({"rule": np.full(len(rows), first_id + offset,
                                                   dtype=np.int64),
                                   "hash": hashes(text.to_numpy(dtype=object)),
                                   "row": rows.astype(np.int64)}))
    if not parts:
        return table({c: np.zeros(0, dtype=np.int64) for c in ("rule", "hash", "row")})
    frame: pd.DataFrame = pd.concat(parts, ignore_index=True)
    return frame


def candidate_pairs(incoming: pd.DataFrame, stored: pd.DataFrame, *,
                    limits: Mapping[int, int], max_pairs: int) -> pd.DataFrame:
    """Pairs sharing a block key, each with at least one incoming record.

    ``incoming`` and ``stored`` have ``rule``, ``hash`` and ``rid``; a block of a rule
    in ``limits`` (rule id → cap, see :func:`rule_limits`) holding more records than its
    cap (counting both) gives no pair. Returns ``rid_a < rid_b`` and ``rules`` (a bit
    per rule that proposed the pair).
    """
    entries = pd.concat([incoming.assign(new=True), stored.assign(new=False)],
                        ignore_index=True)
    empty: pd.DataFrame = pd.DataFrame({"rid_a": np.zeros(0, dtype=np.int64),
                          "rid_b": np.zeros(0, dtype=np.int64),
                          "rules": np.zeros(0, dtype=np.int64)})
    if not len(entries) or not len(incoming):
        return empty
    codes = entries.groupby(["rule", "hash"], sort=False).ngroup().to_numpy(dtype=np.int64)
    sizes = np.bincount(codes)
    usable = sizes[codes] >= 2
    if limits:
        rule_ids = entries["rule"].to_numpy(dtype=np.int64)
        caps = np.full(max(int(rule_ids.max()), *limits) + 1, np.iinfo(np.int64).max)
        caps[list(limits)] = list(limits.values())
        usable &= sizes[codes] <= caps[rule_ids]
    order = np.flatnonzero(usable)
    order = order[np.argsort(codes[order], kind="stable")]
    block = codes[order]
    new = entries["new"].to_numpy(dtype=bool)[order]
    rid = entries["rid"].to_numpy(dtype=np.int64)[order]
    rule = entries["rule"].to_numpy(dtype=np.int64)[order]
    starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]]) if len(block) else \
        np.zeros(0, dtype=np.int64)
    lengths = np.diff(np.r_[starts, len(block)])
    start_of = np.repeat(starts, lengths)
    length_of = np.repeat(lengths, lengths)
    left = np.flatnonzero(new)
    count = length_of[left]
    total = int(count.sum())
    if total > 2 * max_pairs + len(left):
        raise BlockingLimitError(
            f"an update would compare about {total // 2:,} candidate pairs, more than "
            f"max_pairs={max_pairs:,}; set max_block_size on the pipeline")
    a = np.repeat(left, count)
    b = np.repeat(start_of[left], count) + (
        np.arange(total) - np.repeat(np.cumsum(count) - count, count))
    keep = (a != b) & (~new[b] | (b > a))
    a, b = a[keep], b[keep]
    lo = np.minimum(rid[a], rid[b])
    hi = np.maximum(rid[a], rid[b])
    bits = np.left_shift(np.int64(1), rule[a])
    if not len(lo):
        return empty
    encoded = lo * (1 << 31) + hi
    order2 = np.argsort(encoded, kind="stable")
    encoded, bits = encoded[order2], bits[order2]
    firsts = np.flatnonzero(np.r_[True, encoded[1:] != encoded[:-1]])
    merged = np.bitwise_or.reduceat(bits, firsts)
    unique = encoded[firsts]
    if len(unique) > max_pairs:
        raise BlockingLimitError(
            f"an update would compare {len(unique):,} candidate pairs, more than "
            f"max_pairs={max_pairs:,}; set max_block_size on the pipeline")
    return table({"rid_a": unique // (1 << 31), "rid_b": unique % (1 << 31),
                         "rules": merged.astype(np.int64)})


def score_pairs(pipeline: Pipeline, records: pd.DataFrame, pairs: pd.DataFrame,
                state: FrozenState) -> pd.DataFrame:
    """Comparison levels, frozen term frequencies and scores of ``pairs`` (``row_l <
    row_r``, positions in ``records``) with the stored model."""
    comparisons = list(pipeline.comparisons_)
    gamma = Comparator(tuple(comparisons)).compare(pairs, records)
    state.term_frequencies(gamma, pairs, records, comparisons)
    scores = pipeline.model_.score(gamma)
    scored: pd.DataFrame = pd.concat([gamma, scores], axis=1)
    return scored


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
