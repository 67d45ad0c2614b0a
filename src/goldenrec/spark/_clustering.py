"""Clustering with Spark: connected components by alternating large-star and small-star
rounds (each round written to Parquet, so lineage stays short), then the local
:class:`WeightedClustering` inside each component, many components per UDF call."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from goldenrec._clustering import Constraint, WeightedClustering
from goldenrec._comparisons import Comparison
from goldenrec._normalise._base import VALID
from goldenrec.spark._frames import Checkpoints, as_objects

__all__ = ["components", "weighted_clusters"]

logger = logging.getLogger(__name__)


def _large_star(edges: DataFrame) -> DataFrame:
    """Each node links its larger neighbours to the smallest node of its neighbourhood."""
    both = edges.select("a", "b").unionByName(edges.select(F.col("b").alias("a"),
                                                           F.col("a").alias("b")))
    smallest = both.groupBy("a").agg(F.min("b").alias("m"))
    return (both.join(smallest, "a").filter(F.col("b") > F.col("a"))
            .select(F.col("b").alias("a"), F.least("m", "a").alias("b")).distinct())


def _small_star(edges: DataFrame) -> DataFrame:
    """Each node links itself and its smaller neighbours to the smallest of them."""
    down = edges.select(F.greatest("a", "b").alias("a"), F.least("a", "b").alias("b"))
    smallest = down.groupBy("a").agg(F.min("b").alias("m"))
    linked = down.join(smallest, "a")
    out = linked.select(F.col("b").alias("a"), F.col("m").alias("b")).unionByName(
        smallest.select("a", F.col("m").alias("b")))
    return out.filter(F.col("a") != F.col("b")).distinct()


def components(edges: DataFrame, checkpoints: Checkpoints, *, max_rounds: int = 100
               ) -> tuple[DataFrame, int]:
    """``row, component`` for every row an edge touches (``component`` is the smallest
    row of its component), and the number of rounds it took. ``edges`` has ``a, b``."""
    current = checkpoints.save(
        edges.select(F.least("a", "b").alias("a"), F.greatest("a", "b").alias("b"))
        .filter(F.col("a") != F.col("b")).distinct(), "components_0")
    rounds = 0
    while True:
        rounds += 1
        if rounds > max_rounds:
            raise RuntimeError("connected components did not converge")  # pragma: no cover
        star = _small_star(_large_star(current))
        star = checkpoints.save(star, f"components_{rounds}")
        # converged when every edge points a leaf at a centre that points nowhere and no
        # leaf has two centres: a forest of stars
        leaves = star.groupBy("a").agg(F.count("*").alias("n"))
        shared = leaves.filter(F.col("n") > 1).limit(1).count()
        chained = star.join(star.select(F.col("a").alias("b")).distinct(), "b").limit(1).count()
        current = star
        if not shared and not chained:
            break
    logger.info("connected components converged after %d rounds", rounds)
    labels = current.select(F.col("a").alias("row"), F.col("b").alias("component")
                            ).unionByName(current.select(F.col("b").alias("row"),
                                                         F.col("b").alias("component"))
                                          ).distinct()
    return labels, rounds


def _cluster_bucket(pairs: pd.DataFrame, records: pd.DataFrame, *, threshold: float,
                    constraint_fields: Sequence[tuple[str, Comparison | None]],
                    ) -> pd.DataFrame:
    from goldenrec._pipeline import _conflict_rule  # noqa: PLC0415

    records = as_objects(records).sort_values("row", kind="mergesort").reset_index(drop=True)
    rows = records["row"].to_numpy(dtype=np.int64)
    if not len(rows):
        empty: pd.DataFrame = pd.DataFrame({"row": pd.Series([], dtype=np.int64),
                                            "cluster": pd.Series([], dtype=np.int64)})
        return empty
    local = pd.Series(np.arange(len(rows)), index=rows)
    pairs = pairs.sort_values(["row_l", "row_r"], kind="mergesort").reset_index(drop=True)
    forced = pairs["forced"].to_numpy(dtype=bool)
    scored = pairs[~forced]
    table = pd.DataFrame({
        "row_l": local.reindex(scored["row_l"].to_numpy()).to_numpy(dtype=np.int64),
        "row_r": local.reindex(scored["row_r"].to_numpy()).to_numpy(dtype=np.int64),
        "match_probability": scored["match_probability"].to_numpy(dtype=np.float64)})
    must = pairs[forced]
    must_link = pd.DataFrame({
        "row_l": local.reindex(must["row_l"].to_numpy()).to_numpy(dtype=np.int64),
        "row_r": local.reindex(must["row_r"].to_numpy()).to_numpy(dtype=np.int64)})
    constraints = [Constraint(field, records[f"c_{field}"].to_numpy(dtype=object),
                              _conflict_rule(comparison))
                   for field, comparison in constraint_fields]
    labels = WeightedClustering(threshold).cluster(
        table, len(rows), constraints=constraints,
        must_link=must_link if len(must_link) else None)
    result: pd.DataFrame = pd.DataFrame({"row": rows, "cluster": rows[labels]})
    return result


def weighted_clusters(records: DataFrame, scored: DataFrame, forced: DataFrame | None, *,
                      threshold: float, cannot_link: Sequence[str],
                      comparisons: Sequence[Comparison], connected_only: bool,
                      checkpoints: Checkpoints, buckets: int) -> tuple[DataFrame, int]:
    """``row, cluster`` for every record, as the local clusterer labels them (a cluster
    is named by its smallest row), and the rounds connected components took."""
    keep = (F.col("match_probability") >= threshold) if connected_only else (
        F.col("match_probability") >= threshold * (1 - 1e-9))
    edges = scored.filter(keep).select(F.col("row_l").alias("a"), F.col("row_r").alias("b"))
    if forced is not None:
        edges = edges.unionByName(forced.select(F.col("row_l").alias("a"),
                                                F.col("row_r").alias("b")))
    labels, rounds = components(edges, checkpoints)
    labels = checkpoints.save(labels, "component_labels")
    everyone = records.select("row").join(labels, "row", "left").select(
        "row", F.coalesce("component", "row").alias("component"))
    if connected_only:
        return checkpoints.save(everyone.withColumnRenamed("component", "cluster"),
                                "clusters"), rounds
    by_field = {c.field: c for c in comparisons}
    constraint_fields = [(f, by_field.get(f)) for f in cannot_link
                         if f"{f}_key" in records.columns]
    member = labels.withColumn("_bucket", F.pmod(F.xxhash64("component"), F.lit(buckets)))
    columns = [F.when(F.col(f"{f}_status") == VALID, F.col(f"{f}_key")).alias(f"c_{f}")
               for f, _ in constraint_fields]
    grouped_records = records.select("row", *columns).join(member, "row")
    pair_rows = scored.select("row_l", "row_r", "match_probability",
                              F.lit(False).alias("forced"))
    if forced is not None:
        pair_rows = pair_rows.unionByName(forced.select(
            "row_l", "row_r", F.lit(1.0).alias("match_probability"),
            F.lit(True).alias("forced")))
    inside = (pair_rows
              .join(labels.select(F.col("row").alias("row_l"),
                                  F.col("component").alias("_cl")), "row_l")
              .join(labels.select(F.col("row").alias("row_r"),
                                  F.col("component").alias("_cr")), "row_r")
              .filter(F.col("_cl") == F.col("_cr"))
              .withColumn("_bucket", F.pmod(F.xxhash64("_cl"), F.lit(buckets)))
              .drop("_cl", "_cr"))
    schema = T.StructType([T.StructField("row", T.LongType()),
                           T.StructField("cluster", T.LongType())])
    clustered = inside.groupBy("_bucket").cogroup(grouped_records.groupBy("_bucket")
                                                  ).applyInPandas(
        functools.partial(_cluster_bucket, threshold=threshold,
                          constraint_fields=constraint_fields), schema)
    clustered = checkpoints.save(clustered, "weighted")
    result = everyone.join(clustered, "row", "left").select(
        "row", F.coalesce("cluster", "row").alias("cluster"))
    return checkpoints.save(result, "clusters"), rounds
