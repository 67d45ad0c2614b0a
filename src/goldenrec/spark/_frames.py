"""Small helpers shared by the Spark stages: schemas, pandas batches, checkpoints."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

__all__ = ["Checkpoints", "as_objects", "string_schema", "strings"]


def string_schema(columns: Sequence[str], types: dict[str, T.DataType] | None = None
                  ) -> T.StructType:
    """A schema of string columns (``types`` overrides some)."""
    types = types or {}
    return T.StructType([T.StructField(c, types.get(c, T.StringType()), True)
                         for c in columns])


def _text(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value if isinstance(value, str) else str(value)


def strings(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``frame`` reduced to ``columns`` (missing ones empty) as ``str`` objects or None."""
    out = {}
    for column in columns:
        if column in frame.columns:
            values = frame[column].astype(object).to_numpy(dtype=object)
            out[column] = pd.Series([_text(v) for v in values], dtype=object)
        else:
            out[column] = pd.Series([None] * len(frame), dtype=object)
    result: pd.DataFrame = pd.DataFrame(out, columns=list(columns))
    return result


def as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """A batch from Spark with text columns as ``object`` (``None`` when missing), the
    way the local engine holds them whatever the pandas version."""
    frame = frame.reset_index(drop=True)
    for column in frame.columns:
        series = frame[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            values = series.astype(object).to_numpy(dtype=object)
            frame[column] = pd.Series([_text(v) for v in values], dtype=object)
    return frame


def batches(iterator: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    for batch in iterator:
        yield as_objects(batch)


class Checkpoints:
    """Parquet snapshots under one directory: each write cuts the query lineage."""

    def __init__(self, spark: SparkSession, directory: str) -> None:
        self.spark = spark
        self.root = directory.rstrip("/") + f"/run-{uuid.uuid4().hex[:12]}"
        self.written: list[str] = []

    def save(self, frame: DataFrame, name: str) -> DataFrame:
        """Write ``frame`` as Parquet and read it back."""
        path = f"{self.root}/{name}"
        frame.write.mode("overwrite").parquet(path)
        self.written.append(path)
        return self.spark.read.parquet(path)



def for_spark(frame: pd.DataFrame) -> pd.DataFrame:
    """A batch for Spark: pandas 3 infers Arrow-backed ``str`` columns, which PySpark
    cannot read back; text goes out as ``object`` columns."""
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column].dtype) and frame[column].dtype != object:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame
