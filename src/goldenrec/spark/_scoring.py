"""Compare and score with Spark: the local comparator and model in pandas UDFs; EM on
the counts of distinct level patterns, which Spark aggregates."""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from goldenrec._comparisons import MIN_TERM_FREQUENCY_VALUES, Comparator, Comparison
from goldenrec._correlated import (
    SEPARATOR,
    correlate,
    correlated_combinations,
)
from goldenrec._normalise._base import VALID
from goldenrec._scoring import FellegiSunter
from goldenrec._training import MIN_SESSION_PAIRS, person_evidence, sessions_for
from goldenrec.spark._frames import batches, for_spark

__all__ = ["choose_threshold_counts", "compare", "gamma_columns", "pattern_counts", "score"]


def gamma_columns(comparisons: Sequence[Comparison]) -> list[str]:
    out = []
    for comparison in comparisons:
        out.append(f"gamma_{comparison.name}")
        if comparison.term_frequency:
            out.append(f"tf_{comparison.name}")
    return out


def _needed_fields(comparisons: Sequence[Comparison], columns: Sequence[str]) -> list[str]:
    fields: list[str] = []
    for comparison in comparisons:
        for field in (comparison.field, getattr(comparison, "swap_with", None)):
            if field is not None and field not in fields:
                fields.append(field)
    out = []
    for field in fields:
        out += [c for c in (f"{field}_key", f"{field}_status", f"{field}_canonical")
                if c in columns]
    return out


class Tables(NamedTuple):
    """Whole-data counts the comparisons need: per term-frequency comparison each key's
    share (``None``: too few values), and per record the shares of its combinations of
    correlated fields (column ``js_<i>`` for the i-th of ``combinations``)."""

    frequencies: dict[str, DataFrame | None]
    combinations: list[tuple[str, ...]]
    shares: DataFrame | None


def _compare_batches(iterator: Iterator[pd.DataFrame], *, comparisons: tuple[Comparison, ...],
                     columns: list[str], passthrough: list[str],
                     combinations: list[tuple[str, ...]]) -> Iterator[pd.DataFrame]:
    plain = Comparator(tuple(dataclasses.replace(c, term_frequency=False)
                             for c in comparisons))
    for batch in batches(iterator):
        n = len(batch)
        records = pd.concat([
            batch[[f"l_{c}" for c in columns]].set_axis(columns, axis=1),
            batch[[f"r_{c}" for c in columns]].set_axis(columns, axis=1)],
            ignore_index=True)
        pairs = pd.DataFrame({"row_l": np.arange(n), "row_r": np.arange(n, 2 * n)})
        gamma = plain.compare(pairs, records) if n else pd.DataFrame(
            {f"gamma_{c.name}": pd.Series([], dtype=np.int8) for c in comparisons})
        out = batch[passthrough].copy()
        arrays: dict[str, np.ndarray] = {}
        for comparison in comparisons:
            levels = gamma[f"gamma_{comparison.name}"].to_numpy().astype(np.int32)
            arrays[f"gamma_{comparison.name}"] = levels
            if comparison.term_frequency:
                arrays[f"tf_{comparison.name}"] = _frequencies(batch, comparison, levels)
        _correlated(arrays, comparisons, combinations, records, n)
        for name, values in arrays.items():
            out[name] = values
        yield for_spark(out)


def _correlated(arrays: dict[str, np.ndarray], comparisons: Sequence[Comparison],
                combinations: list[tuple[str, ...]], records: pd.DataFrame, n: int) -> None:
    """The local comparator's correlated term frequencies, from shares Spark counted."""
    index = {combo: i for i, combo in enumerate(combinations)}

    def shares(fields: tuple[str, ...]) -> np.ndarray:
        column = f"js_{index[fields]}" if fields in index else None
        if column is None or column not in records.columns:
            return np.full(len(records), np.nan)
        values: np.ndarray = records[column].to_numpy(dtype=np.float64, na_value=np.nan)
        return values

    correlate(arrays, comparisons, np.arange(n), np.arange(n, 2 * n), shares)


def _combination_shares(records: DataFrame, comparisons: Sequence[Comparison]
                        ) -> tuple[list[tuple[str, ...]], DataFrame | None]:
    """Per record, the share of records holding its combination of values for each
    combination of correlated fields (as the local ``combination_shares``)."""
    combos = [combo for combo in correlated_combinations(comparisons)
              if all(f"{f}_key" in records.columns for f in combo)]
    if not combos:
        return [], None

    def key(combo: tuple[str, ...]) -> Column:
        parts = [F.when(F.col(f"{f}_status") == VALID, F.col(f"{f}_key")) for f in combo]
        present = functools.reduce(lambda a, b: a & b, [p.isNotNull() for p in parts])
        return F.when(present, F.concat_ws(SEPARATOR, *parts))

    entries = F.array(*[F.struct(F.lit(i).alias("c"), key(combo).alias("k"))
                        for i, combo in enumerate(combos)])
    long = (records.select("row", F.explode(entries).alias("e"))
            .select("row", F.col("e.c").alias("c"), F.col("e.k").alias("k"))
            .where(F.col("k").isNotNull()))
    counts = long.groupBy("c", "k").count()
    totals = {int(row["c"]): int(row["total"]) for row in
              counts.groupBy("c").agg(F.sum("count").alias("total")).collect()}
    usable = {c: t for c, t in totals.items() if t >= MIN_TERM_FREQUENCY_VALUES}
    if not usable:
        return combos, None
    total = F.create_map(*[F.lit(v) for c, t in sorted(usable.items()) for v in (c, t)])
    share = (long.where(F.col("c").isin(list(usable)))
             .join(counts, ["c", "k"])
             .select("row", "c", (F.col("count") / total[F.col("c")]).alias("s")))
    wide = share.groupBy("row").pivot("c", sorted(usable)).agg(F.first("s"))
    return combos, wide.select("row", *[F.col(str(c)).cast("double").alias(f"js_{c}")
                                        for c in sorted(usable)])


def _frequencies(batch: pd.DataFrame, comparison: Comparison, levels: np.ndarray
                 ) -> np.ndarray:
    """The local comparator's term frequency: the larger of the two sides' value shares
    where the pair agrees at some level (shares counted over all records by Spark)."""
    left = batch[f"lf_{comparison.name}"].to_numpy(dtype=np.float64)
    right = batch[f"rf_{comparison.name}"].to_numpy(dtype=np.float64)
    agree = (levels >= 0) & (levels < len(comparison.labels) - 1)
    out = np.full(len(levels), np.nan)
    out[agree] = np.fmax(left[agree], right[agree])
    return out


def _frequency_tables(records: DataFrame, comparisons: Sequence[Comparison]
                      ) -> dict[str, DataFrame | None]:
    """Per term-frequency comparison, each valid key's share of the valid keys (None
    when too few values to say)."""
    out: dict[str, DataFrame | None] = {}
    for comparison in comparisons:
        if not comparison.term_frequency:
            continue
        field = comparison.field
        valid = records.filter((F.col(f"{field}_status") == VALID)
                               & F.col(f"{field}_key").isNotNull())
        total = valid.count()
        if total < MIN_TERM_FREQUENCY_VALUES:
            out[comparison.name] = None
            continue
        out[comparison.name] = (valid.groupBy(F.col(f"{field}_key").alias("_k"))
                                .agg((F.count("*") / F.lit(float(total))).alias("_f")))
    return out


def compare(records: DataFrame, pairs: DataFrame, comparisons: Sequence[Comparison],
            tables: Tables | None = None) -> tuple[DataFrame, Tables]:
    """``pairs`` (with ``row_l, row_r`` and any other columns) plus the comparison
    levels, computed by the local :class:`Comparator` on each batch of joined pairs."""
    columns = _needed_fields(comparisons, records.columns)
    if tables is None:
        tables = Tables(_frequency_tables(records, comparisons),
                        *_combination_shares(records, comparisons))
    side = records.select("row", *columns)
    if tables.shares is not None:
        side = side.join(tables.shares, "row", "left")
        columns = columns + [c for c in tables.shares.columns if c != "row"]
    joined = (pairs
              .join(side.select(F.col("row").alias("row_l"),
                                *[F.col(c).alias(f"l_{c}") for c in columns]), "row_l")
              .join(side.select(F.col("row").alias("row_r"),
                                *[F.col(c).alias(f"r_{c}") for c in columns]), "row_r"))
    for comparison in comparisons:
        if not comparison.term_frequency:
            continue
        table = tables.frequencies.get(comparison.name)
        key = f"{comparison.field}_key"
        status = f"{comparison.field}_status"
        for prefix, alias in (("l", "lf"), ("r", "rf")):
            name = f"{alias}_{comparison.name}"
            if table is None:
                joined = joined.withColumn(name, F.lit(None).cast("double"))
                continue
            valid_key = F.when(F.col(f"{prefix}_{status}") == VALID, F.col(f"{prefix}_{key}"))
            joined = (joined.withColumn("_k", valid_key)
                      .join(table.withColumnRenamed("_f", name), "_k", "left").drop("_k"))
    passthrough = list(pairs.columns)
    fields = []
    for field in pairs.schema.fields:
        fields.append(field)
    for comparison in comparisons:
        fields.append(T.StructField(f"gamma_{comparison.name}", T.IntegerType()))
        if comparison.term_frequency:
            fields.append(T.StructField(f"tf_{comparison.name}", T.DoubleType()))
    compared = joined.mapInPandas(
        functools.partial(_compare_batches, comparisons=tuple(comparisons), columns=columns,
                          passthrough=passthrough, combinations=tables.combinations),
        T.StructType(fields))
    return compared, tables


def pattern_counts(compared: DataFrame, comparisons: Sequence[Comparison]) -> pd.DataFrame:
    """Distinct ``gamma`` (and term-frequency) patterns with their pair counts, sorted."""
    columns = gamma_columns(comparisons)
    table = compared.groupBy(*columns).count().toPandas()
    table = table.sort_values(columns, kind="mergesort", na_position="first")
    result: pd.DataFrame = table.reset_index(drop=True)
    return result


def fit(scorer: FellegiSunter, patterns: pd.DataFrame, random_gamma: pd.DataFrame,
        comparisons: Sequence[Comparison], n_records: int) -> FellegiSunter:
    """Fit the model on pattern counts as the local pipeline fits it on pairs: training
    sessions estimate m on the pairs strong evidence selects, then EM on the pairs with
    evidence of one person estimates the match share with those m fixed."""
    counts = patterns["count"].to_numpy(dtype=np.float64)
    gamma = patterns.drop(columns=["count"])
    for column in gamma.columns:
        if column.startswith("gamma_"):
            gamma[column] = gamma[column].astype(np.int64)
        else:
            gamma[column] = gamma[column].astype(np.float64)
    n_levels = {c.name: len(c.labels) for c in comparisons}
    fixed_m = _session_m(scorer, gamma, counts, random_gamma=random_gamma,
                         comparisons=comparisons, n_levels=n_levels)
    train, weights = gamma, counts
    keep = person_evidence(gamma, comparisons, counts)
    if keep is not None:
        train, weights = gamma.loc[keep].reset_index(drop=True), counts[keep]
    total_pairs = n_records * (n_records - 1) // 2
    share = min(1.0, max(float(weights.sum()), 1.0) / max(total_pairs, 1))
    return scorer.fit(train, random_gamma, n_levels=n_levels, candidate_share=share,
                      weights=weights, fixed_m=fixed_m)


def _session_m(scorer: FellegiSunter, gamma: pd.DataFrame, counts: np.ndarray, *,
               random_gamma: pd.DataFrame, comparisons: Sequence[Comparison],
               n_levels: dict[str, int]) -> dict[str, np.ndarray] | None:
    """:func:`goldenrec._training.session_m` on pattern counts (sessions need
    ``MIN_SESSION_PAIRS`` pairs, not patterns)."""
    sessions = sessions_for(comparisons)
    estimates: dict[str, list[np.ndarray]] = {}
    for session in sessions:
        selected = np.ones(len(gamma), dtype=bool)
        for name in session.anchor:
            selected &= gamma[f"gamma_{name}"].to_numpy() == 0
        if float(counts[selected].sum()) < MIN_SESSION_PAIRS:
            continue
        model = copy.deepcopy(scorer).fit(
            gamma.loc[selected].reset_index(drop=True), random_gamma, n_levels=n_levels,
            weights=counts[selected])
        for name in n_levels:
            if name not in session.anchor:
                estimates.setdefault(name, []).append(np.asarray(model.m_[name],
                                                                 dtype=np.float64))
    found = {name: np.mean(np.vstack(values), axis=0) for name, values in estimates.items()}
    return found or None


def _score_batches(iterator: Iterator[pd.DataFrame], *, model: FellegiSunter
                   ) -> Iterator[pd.DataFrame]:
    for batch in iterator:
        scores = model.score(batch)
        out = batch.copy()
        out["match_weight"] = scores["match_weight"].to_numpy()
        out["match_probability"] = scores["match_probability"].to_numpy()
        yield for_spark(out)


def score(compared: DataFrame, model: FellegiSunter) -> DataFrame:
    """Add ``match_weight`` and ``match_probability`` (the local model's ``score``)."""
    schema = T.StructType([*compared.schema.fields,
                           T.StructField("match_weight", T.DoubleType()),
                           T.StructField("match_probability", T.DoubleType())])
    return compared.mapInPandas(functools.partial(_score_batches, model=model), schema)


def choose_threshold_counts(probabilities: np.ndarray, counts: np.ndarray, *,
                            floor: float = 0.5, ceiling: float = 0.999) -> float:
    """:func:`goldenrec._scoring.choose_threshold` on distinct probabilities with their
    counts: expected F1 after taking ``k`` pairs is ``2 TP(k) / (k + total)``, monotone
    within a run of equal probabilities, so only each run's ends need checking."""
    if len(probabilities) == 0 or counts.sum() == 0:
        return floor
    order = np.argsort(-probabilities, kind="mergesort")
    p = probabilities[order].astype(np.float64)
    c = counts[order].astype(np.float64)
    before = np.r_[0.0, np.cumsum(p * c)[:-1]]
    taken_before = np.r_[0.0, np.cumsum(c)[:-1]]
    total = float((p * c).sum())
    first = 2 * (before + p) / np.maximum(taken_before + 1 + total, 1e-12)
    last = 2 * (before + p * c) / np.maximum(taken_before + c + total, 1e-12)
    best = int(np.argmax(np.maximum(first, last)))
    return float(np.clip(p[best], floor, ceiling))


def random_gamma(spark: SparkSession, records: DataFrame, comparisons: Sequence[Comparison],
                 *, left: np.ndarray, right: np.ndarray,
                 tables: Tables) -> pd.DataFrame:
    """Levels of the local engine's seeded random pairs (for the u probabilities)."""
    sample = spark.createDataFrame(
        pd.DataFrame({"row_l": left.astype(np.int64), "row_r": right.astype(np.int64)}),
        schema=T.StructType([T.StructField("row_l", T.LongType()),
                             T.StructField("row_r", T.LongType())]))
    compared, _ = compare(records, sample, comparisons, tables)
    names = [f"gamma_{c.name}" for c in comparisons]
    frame = compared.select(*names).toPandas()
    result: pd.DataFrame = frame.astype(np.int64)
    return result


__all__ += ["fit", "random_gamma"]
