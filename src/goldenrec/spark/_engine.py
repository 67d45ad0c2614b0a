"""The Spark engine: the pipeline's stages as Spark jobs, the same meaning as local."""

from __future__ import annotations

import copy
import logging
import tempfile
from typing import TYPE_CHECKING, Any

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from goldenrec._auto_fields import infer_extra_fields
from goldenrec._blocking import BlockingRule
from goldenrec._comparisons import Comparator
from goldenrec._defaults import default_comparisons
from goldenrec._normalise._base import VALID
from goldenrec._scoring import FellegiSunter, random_pairs
from goldenrec._survivorship import Survivorship
from goldenrec.errors import ConfigError
from goldenrec.spark import _blocking, _clustering, _records, _scoring, _survive
from goldenrec.spark._frames import Checkpoints
from goldenrec.spark._result import SparkResult

if TYPE_CHECKING:
    from goldenrec._pipeline import Pipeline, Progress

__all__ = ["SparkEngine"]

logger = logging.getLogger(__name__)

STAGES = ("map", "normalise", "block", "compare", "score", "cluster", "survive")


class SparkEngine:
    """Run a :class:`~goldenrec.Pipeline` on Apache Spark.

    ``checkpoint_dir`` is where intermediate tables are written as Parquet (on a
    cluster: a path every executor can reach, e.g. ``dbfs:/tmp/goldenrec`` or
    ``s3a://bucket/tmp``); by default a local temporary directory (local mode only).
    ``buckets`` is how many groups clustering and survivorship work in (default: the
    session's shuffle partitions).
    """

    def __init__(self, spark: SparkSession, *, checkpoint_dir: str | None = None,
                 buckets: int | None = None) -> None:
        self.spark = spark
        self.checkpoint_dir = checkpoint_dir or tempfile.mkdtemp(prefix="goldenrec-spark-")
        self.buckets = buckets

    def _buckets(self) -> int:
        if self.buckets is not None:
            return max(1, int(self.buckets))
        return max(1, int(self.spark.conf.get("spark.sql.shuffle.partitions") or 200))

    def resolve(self, pipeline: Pipeline, data: Any, *, progress: Progress | None = None,
                overrides: pd.DataFrame | None = None, refit: bool | None = None
                ) -> SparkResult:
        """Fit (when not fitted) and run every stage; outputs are Spark DataFrames."""
        pipeline._validate()
        _records.check_unsupported(pipeline)
        refit = not pipeline.is_fitted if refit is None else refit
        checkpoints = Checkpoints(self.spark, self.checkpoint_dir)

        def stage(name: str) -> None:
            logger.info("stage %s (spark)", name)
            if progress is not None:
                progress(name, STAGES.index(name) + 1, len(STAGES))

        stage("map")
        frames = _records.split_sources(pipeline, data)
        if refit:
            pipeline.auto_fields_ = []
        mapped, info = _records.map_records(pipeline, frames, checkpoints)
        if refit and pipeline.auto_fields:
            sample = _records.passthrough_sample(mapped, info)
            if sample is not None:
                extra = infer_extra_fields(sample, info.mapping, pipeline.all_fields())
                if extra:
                    pipeline.auto_fields_ = extra
                    mapped, info = _records.map_records(pipeline, frames, checkpoints)
        stage("normalise")
        records, roles = _records.normalise_records(pipeline, mapped, info)
        records = checkpoints.save(records, "normalised")
        records, roles = _records.drop_empty_street_number(records, roles, info.roles)
        records = _records.mark_too_frequent(pipeline, records, roles, info, checkpoints)
        records, n = _records.with_rows(records, checkpoints)
        if refit:
            fields = _usable_fields(records, roles, n)
            kinds = {f.name: f.kind for f in pipeline.all_fields()}
            comparisons = (list(pipeline.comparisons) if pipeline.comparisons is not None
                           else default_comparisons(fields, kinds))
            rules: list[BlockingRule] = []
            if pipeline.blocking_rules is not None:
                rules = [r for r in pipeline.blocking_rules if isinstance(r, BlockingRule)]
            else:
                rules = list(_blocking.choose_rules(records, fields, kinds, n_records=n,
                                                    checkpoints=checkpoints,
                                                    max_pairs=pipeline.max_pairs))
            pipeline.fields_ = list(roles)
            pipeline.comparisons_ = comparisons
            pipeline.blocking_rules_ = list(rules)
        stage("block")
        used = [r for r in pipeline.blocking_rules_ if isinstance(r, BlockingRule)]
        pairs, stats = _blocking.block(records, used, max_pairs=pipeline.max_pairs,
                                       max_block_size=pipeline.max_block_size,
                                       n_records=n, checkpoints=checkpoints)
        names = F.create_map(*[x for i, r in enumerate(used)
                               for x in (F.lit(i), F.lit(r.name))])
        keys = records.select("row", "source", "record_key")
        pairs = (pairs
                 .join(keys.select(F.col("row").alias("row_l"),
                                   F.col("source").alias("source_l"),
                                   F.col("record_key").alias("record_key_l")), "row_l")
                 .join(keys.select(F.col("row").alias("row_r"),
                                   F.col("source").alias("source_r"),
                                   F.col("record_key").alias("record_key_r")), "row_r")
                 .select("row_l", "row_r", "source_l", "record_key_l", "source_r",
                         "record_key_r", names[F.col("rule")].alias("rule")))
        stage("compare")
        comparisons = list(pipeline.comparisons_)
        Comparator(tuple(comparisons))  # same checks as the local engine
        if not comparisons:
            raise ConfigError("at least one comparison is needed")
        compared, tables = _scoring.compare(records, pairs, comparisons)
        compared = checkpoints.save(compared, "compared")
        stage("score")
        if refit:
            scorer = (copy.deepcopy(pipeline.scorer) if pipeline.scorer is not None
                      else FellegiSunter(max_iter=pipeline.em_max_iter))
            assert isinstance(scorer, FellegiSunter)  # checked by check_unsupported
            left, right = random_pairs(n, pipeline.u_sample_size, pipeline.seed)
            random_gamma = _scoring.random_gamma(self.spark, records, comparisons,
                                                 left=left, right=right, tables=tables)
            patterns = _scoring.pattern_counts(compared, comparisons)
            pipeline.model_ = _scoring.fit(scorer, patterns, random_gamma, comparisons, n)
        scored = checkpoints.save(_scoring.score(compared, pipeline.model_), "scored")
        if refit:
            table = scored.groupBy("match_probability").count().toPandas()
            pipeline.threshold_ = (
                _scoring.choose_threshold_counts(
                    table["match_probability"].to_numpy(dtype=float),
                    table["count"].to_numpy(dtype=float))
                if pipeline.threshold == "auto" else float(pipeline.threshold))
        stage("cluster")
        forced = None
        if pipeline.must_link:
            forced, _ = _blocking.block(records, list(pipeline.must_link),
                                        max_pairs=pipeline.max_pairs, max_block_size=None,
                                        n_records=n, checkpoints=checkpoints)
        clusters, rounds = _clustering.weighted_clusters(
            records, scored, forced, threshold=pipeline.threshold_,
            cannot_link=list(pipeline.cannot_link), comparisons=comparisons,
            connected_only=pipeline.clustering == "connected_components",
            checkpoints=checkpoints, buckets=self._buckets())
        stage("survive")
        fields = [f for f in pipeline.fields_ if f in roles]
        engine = (pipeline.survivorship if isinstance(pipeline.survivorship, Survivorship)
                  else Survivorship(pipeline.survivorship))
        envelope = _survive.survive(
            records, clusters, scored, fields, engine,
            source_trust={name: spec.trust for name, spec in info.sources.items()},
            overrides=overrides, buckets=self._buckets())
        envelope = checkpoints.save(envelope, "survived")
        quality = _quality(records, roles)
        return SparkResult(
            golden=_survive.table(envelope, "golden", fields),
            xref=_survive.table(envelope, "xref", fields),
            lineage=_survive.table(envelope, "lineage", fields),
            conflicts=_survive.table(envelope, "conflicts", fields),
            confidence=_survive.table(envelope, "confidence", fields),
            pairs=scored, records=records, quality=quality, mapping=info.mapping,
            threshold=pipeline.threshold_, blocking_stats=stats, model=pipeline.model_,
            comparisons=tuple(comparisons), fields=tuple(fields),
            cluster_rounds=rounds, checkpoint_paths=tuple(checkpoints.written))


def _usable_fields(records: DataFrame, roles: tuple[str, ...], n: int) -> list[str]:
    """Roles valid in at least 1% of the records (the local rule, counted by Spark)."""
    from goldenrec._defaults import MIN_FILL  # noqa: PLC0415

    if not n or not roles:
        return []
    row = records.agg(*[F.sum(F.when(F.col(f"{r}_status") == VALID, 1).otherwise(0))
                        .alias(r) for r in roles]).collect()[0]
    return [r for r in roles if (row[r] or 0) / n >= MIN_FILL]


def _quality(records: DataFrame, roles: tuple[str, ...]) -> DataFrame:
    """One row per record and role: ``source, record_key, field, status, reason``."""
    parts = F.array(*[F.struct(F.lit(r).alias("field"),
                               F.col(f"{r}_status").alias("status"),
                               F.col(f"{r}_reason").alias("reason")) for r in roles])
    return (records.select("source", "record_key", F.explode(parts).alias("q"))
            .select("source", "record_key", "q.field", "q.status", "q.reason"))
