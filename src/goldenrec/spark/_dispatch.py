"""``Pipeline.resolve`` with a Spark DataFrame or ``engine="spark"`` comes here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd
from pyspark.sql import DataFrame, SparkSession

from goldenrec.errors import ConfigError
from goldenrec.spark._engine import SparkEngine
from goldenrec.spark._result import SparkResult

if TYPE_CHECKING:
    from goldenrec._pipeline import Pipeline, Progress

__all__ = ["CHECKPOINT_CONF", "resolve_on_spark"]

#: Spark configuration key naming the Parquet checkpoint directory of ``engine="spark"``.
CHECKPOINT_CONF = "spark.goldenrec.checkpointDir"


def _session(data: Any) -> SparkSession:
    frames = list(data.values()) if isinstance(data, Mapping) else [data]
    for frame in frames:
        if isinstance(frame, DataFrame):
            return frame.sparkSession
    active = SparkSession.getActiveSession()
    return active if active is not None else SparkSession.builder.getOrCreate()


def _to_spark(spark: SparkSession, data: Any) -> Any:
    def one(frame: Any) -> Any:
        if isinstance(frame, pd.DataFrame):
            return spark.createDataFrame(frame.astype(object).where(frame.notna(), None))
        return frame

    if isinstance(data, Mapping):
        return {name: one(frame) for name, frame in data.items()}
    return one(data)


def resolve_on_spark(pipeline: Pipeline, data: Any, *, progress: Progress | None = None,
                     overrides: pd.DataFrame | None = None, frozen: bool = False,
                     refit: bool | None = None) -> SparkResult:
    """Run ``pipeline`` with :class:`SparkEngine` on the session of ``data`` (or the
    active one); pandas input is turned into Spark DataFrames first."""
    if frozen:
        raise ConfigError("frozen=True is not supported by the Spark engine")
    spark = _session(data)
    directory = spark.conf.get(CHECKPOINT_CONF, None)
    engine = SparkEngine(spark, checkpoint_dir=directory or None)
    return engine.resolve(pipeline, _to_spark(spark, data), progress=progress,
                          overrides=overrides, refit=refit)


def is_spark_data(data: Any) -> bool:
    """Whether ``data`` is a Spark DataFrame or a mapping of them."""
    frames = list(data.values()) if isinstance(data, Mapping) else [data]
    return any(isinstance(f, DataFrame) for f in frames)


__all__ += ["is_spark_data"]
