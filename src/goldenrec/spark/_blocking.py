"""Blocking with Spark: block keys by the local key code, pairs by a self-join on them.

Each record gets one row per (rule, block key) it has; pairs are the self-join on
``(rule, key)`` with ``row_l < row_r``, counted per block before any pair is built;
a pair keeps the first rule that proposed it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from goldenrec._blocking import (
    BlockingLimitError,
    BlockingRule,
    BlockKey,
    block_on,
    block_size_limit,
)
from goldenrec._defaults import (
    _MIN_RULE_BUDGET,
    _MIN_TOTAL_BUDGET,
    _PAIRS_PER_RECORD_PER_RULE,
    _PAIRS_PER_RECORD_TOTAL,
    _template_rules,
    candidate_options,
    with_all_pairs,
)
from goldenrec.errors import ConfigError
from goldenrec.spark._frames import Checkpoints, batches, for_spark

__all__ = ["block", "choose_rules", "rule_keys"]

_KEY_SCHEMA = T.StructType([T.StructField("rule", T.IntegerType()),
                            T.StructField("block", T.StringType()),
                            T.StructField("row", T.LongType())])
_SEPARATOR = "\x1f"


def _key_batches(iterator: Iterator[pd.DataFrame], *, rules: Sequence[BlockingRule]
                 ) -> Iterator[pd.DataFrame]:
    for batch in batches(iterator):
        rows = batch["row"].to_numpy(dtype=np.int64)
        parts = []
        cache: dict[BlockKey, np.ndarray] = {}
        for index, rule in enumerate(rules):
            combined = None
            missing = np.zeros(len(batch), dtype=bool)
            for key in rule.keys:
                if key not in cache:
                    cache[key] = key.compute(batch).to_numpy(dtype=object)
                values = cache[key]
                missing |= pd.isna(pd.Series(values, dtype=object)).to_numpy()
                text = np.array([str(v) for v in values], dtype=object)
                combined = text if combined is None else combined + _SEPARATOR + text
            keep = ~missing
            if combined is None or not keep.any():
                continue
            parts.append(pd.DataFrame({"rule": np.full(int(keep.sum()), index, np.int32),
                                       "block": combined[keep], "row": rows[keep]}))
        if parts:
            yield for_spark(pd.concat(parts, ignore_index=True))


def rule_keys(records: DataFrame, rules: Sequence[BlockingRule]) -> DataFrame:
    """``rule, block, row``: one row per record and rule where every key part is valid
    (computed by the local engine's :meth:`BlockKey.compute`)."""
    fields = sorted({k.field for rule in rules for k in rule.keys if k.transform != "all"})
    for field in fields:
        if f"{field}_key" not in records.columns:
            raise ConfigError(f"blocking needs field {field!r}, which the records do not "
                              "have")
    columns = ["row", *[c for f in fields for c in (f"{f}_key", f"{f}_status",
                                                     f"{f}_canonical")
                        if c in records.columns]]
    return records.select(*columns).mapInPandas(
        functools.partial(_key_batches, rules=list(rules)), _KEY_SCHEMA)


def _block_sizes(keys: DataFrame) -> DataFrame:
    return keys.groupBy("rule", "block").agg(F.count("*").alias("size"))


def _limit(limits: Sequence[int | None]) -> Column:
    """Each row's block-size cap by its ``rule`` index (no cap: 2**62)."""
    capped = [(index, limit) for index, limit in enumerate(limits) if limit is not None]
    if not capped:
        return F.lit(2**62)
    by_rule = F.create_map(*[F.lit(x) for pair in capped for x in pair])
    return F.coalesce(by_rule[F.col("rule")], F.lit(2**62))


def _pairs(keys: DataFrame, sizes: DataFrame, limits: Sequence[int | None]) -> DataFrame:
    """Pairs ``row_l < row_r`` of every block of 2 to its rule's cap (``limits`` by rule
    index) records."""
    usable = sizes.filter((F.col("size") >= 2) & (F.col("size") <= _limit(limits)))
    kept = keys.join(usable.select("rule", "block"), ["rule", "block"])
    left = kept.select("rule", "block", F.col("row").alias("row_l"))
    right = kept.select("rule", "block", F.col("row").alias("row_r"))
    return (left.join(right, ["rule", "block"]).filter(F.col("row_l") < F.col("row_r"))
            .select("row_l", "row_r", "rule"))


def block(records: DataFrame, rules: Sequence[BlockingRule], *, max_pairs: int,
          max_block_size: int | None, n_records: int, checkpoints: Checkpoints
          ) -> tuple[DataFrame, pd.DataFrame]:
    """Candidate pairs ``row_l, row_r, rule`` (rule index) and the blocking statistics."""
    if not rules:
        raise ConfigError("at least one blocking rule is needed")
    names = [rule.name for rule in rules]
    if len(set(names)) != len(names):
        raise ConfigError("blocking rule names must be unique")
    keys = checkpoints.save(rule_keys(records, rules), "block_keys")
    sizes = checkpoints.save(_block_sizes(keys), "block_sizes")
    pair_count = F.col("size") * (F.col("size") - 1) / 2
    limits = [block_size_limit(rule, max_block_size) for rule in rules]
    limit = _limit(limits)
    per_rule = sizes.groupBy("rule").agg(
        F.max("size").alias("largest"),
        F.sum(F.when(F.col("size") > limit, 1).otherwise(0)).alias("skipped"),
        F.sum(F.when(F.col("size") <= limit, pair_count).otherwise(0)).cast("long")
        .alias("pairs")).toPandas().set_index("rule")
    for index, rule in enumerate(rules):
        total = int(per_rule["pairs"].get(index, 0))
        if total > max_pairs:
            worst = [int(r[0]) for r in sizes.filter(F.col("rule") == index)
                     .orderBy(F.col("size").desc()).select("size").limit(5).collect()]
            raise BlockingLimitError(
                f"blocking rule {rule.name!r} would produce {total:,} pairs, more than "
                f"max_pairs={max_pairs:,}; its largest blocks hold {worst} records. "
                "Use a more selective rule or set max_block_size to skip large blocks.")
    pairs = (_pairs(keys, sizes, limits).groupBy("row_l", "row_r")
             .agg(F.min("rule").alias("rule")))
    pairs = checkpoints.save(pairs, "pairs")
    new = pairs.groupBy("rule").count().toPandas().set_index("rule")["count"]
    all_pairs = max(n_records * (n_records - 1) // 2, 1)
    stats = pd.DataFrame([{
        "rule": rule.name, "pairs": int(per_rule["pairs"].get(index, 0)),
        "skipped_blocks": int(per_rule["skipped"].get(index, 0)),
        "largest_block": int(per_rule["largest"].get(index, 0)),
        "new_pairs": int(new.get(index, 0)),
    } for index, rule in enumerate(rules)])
    stats["reduction_ratio"] = 1.0 - stats["pairs"] / all_pairs
    return pairs, stats


# -- zero configuration ----------------------------------------------------------------
def choose_rules(records: DataFrame, fields: Sequence[str], kinds: Mapping[str, str], *,
                 n_records: int, checkpoints: Checkpoints, max_pairs: int | None = None
                 ) -> list[BlockingRule]:
    """Zero-configuration blocking rules, chosen as the local engine chooses them: every
    candidate is counted from block sizes in one aggregation, then kept cheapest first
    while the pairs it adds (an anti-join with those already kept) fit the budget; the
    all-pairs rule follows when every pair of a small input is affordable."""
    chosen = _chosen_rules(records, fields, kinds, n_records=n_records,
                           checkpoints=checkpoints)
    return with_all_pairs(chosen, n_records, max_pairs)


def _chosen_rules(records: DataFrame, fields: Sequence[str], kinds: Mapping[str, str], *,
                  n_records: int, checkpoints: Checkpoints) -> list[BlockingRule]:
    present, options = candidate_options(fields, kinds, records.columns)
    rules = [block_on(*keys) for keys, _ in options]
    if not rules:
        return _template_rules(present, fields)
    per_rule_budget = max(_MIN_RULE_BUDGET, _PAIRS_PER_RECORD_PER_RULE * n_records)
    total_budget = max(_MIN_TOTAL_BUDGET, _PAIRS_PER_RECORD_TOTAL * n_records)
    keys = checkpoints.save(rule_keys(records, rules), "option_keys")
    sizes = checkpoints.save(_block_sizes(keys), "option_sizes")
    counted = (sizes.groupBy("rule")
               .agg(F.sum(F.col("size") * (F.col("size") - 1) / 2).cast("long")
                    .alias("pairs")).toPandas())
    pair_counts = dict(zip(counted["rule"].astype(int), counted["pairs"].astype(int)))
    candidates = [(pair_counts.get(i, 0), rules[i], options[i][1], i)
                  for i in range(len(rules)) if 0 < pair_counts.get(i, 0) <= per_rule_budget]
    candidates.sort(key=lambda c: (c[0], c[1].name))
    # every candidate pair with the set of candidates proposing it, counted per set:
    # the pairs a rule adds to those kept so far are then a sum over these sets
    chosen = [index for _, _, _, index in candidates]
    proposed = (_pairs(keys.filter(F.col("rule").isin(chosen)),
                       sizes.filter(F.col("rule").isin(chosen)), [])
                .groupBy("row_l", "row_r").agg(F.array_sort(F.collect_set("rule"))
                                               .alias("rules"))
                .groupBy("rules").count().toPandas())
    signatures = [frozenset(int(r) for r in rules) for rules in proposed["rules"]]
    sizes_of = proposed["count"].to_numpy(dtype=np.int64)
    kept: list[tuple[BlockingRule, frozenset[str]]] = []
    kept_ids: set[int] = set()
    total = 0
    for _, rule, signature, index in candidates:
        fuzzy = any(part.startswith("~") for part in signature)
        if not fuzzy and any(not any(p.startswith("~") for p in s) and s <= signature
                             for _, s in kept):
            continue
        if total >= total_budget and kept:
            break
        n_new = int(sum(size for rules, size in zip(signatures, sizes_of)
                        if index in rules and not rules & kept_ids))
        if n_new == 0:
            continue
        if total + n_new > total_budget and kept:
            continue
        kept.append((rule, signature))
        kept_ids.add(index)
        total += n_new
    if not kept:
        return _template_rules(present, fields)
    return [rule for rule, _ in kept]
