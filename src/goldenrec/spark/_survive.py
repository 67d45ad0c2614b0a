"""Survivorship with Spark: the local :class:`Survivorship` on buckets of whole clusters,
with the data-set-wide facts it ranks by (word prevalence, the latest update, whether a
field is numeric) counted over all records by Spark and handed to every bucket."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from goldenrec._lineage import CONFIDENCE_COLUMNS, CONFLICT_COLUMNS, PAIR_COLUMNS
from goldenrec._survivorship import (
    LINEAGE_COLUMNS,
    Survivorship,
    _all_numeric,
    _recency,
    usable_values,
)
from goldenrec._survivorship_rules import Aggregate, FieldStats
from goldenrec.spark._frames import as_objects, batches, for_spark

__all__ = ["survive"]

_LONG = T.LongType()
_DOUBLE = T.DoubleType()
_TYPES: dict[str, dict[str, T.DataType]] = {
    "golden": {"n_records": _LONG, "confidence": _DOUBLE},
    "lineage": {"n_candidates": _LONG, "support": _LONG, "position": _LONG},
    "conflicts": {"n_records": _LONG, "is_golden": T.BooleanType()},
    "confidence": {"n_records": _LONG, "n_edges": _LONG, "confidence": _DOUBLE,
                   "mean_tree_probability": _DOUBLE},
    "xref": {},
}


def table_columns(fields: Sequence[str]) -> dict[str, list[str]]:
    return {
        "golden": ["golden_id", *fields, "n_records", "sources", "confidence"],
        "lineage": list(LINEAGE_COLUMNS),
        "conflicts": list(CONFLICT_COLUMNS),
        "confidence": list(CONFIDENCE_COLUMNS),
        "xref": ["source", "record_key", "golden_id"],
    }


def _type(table: str, column: str, lists: set[str]) -> T.DataType:
    if table == "golden" and column in lists:
        return T.ArrayType(T.StringType())
    return _TYPES[table].get(column, T.StringType())


def _envelope_schema(fields: Sequence[str], lists: set[str]) -> T.StructType:
    out = [T.StructField("_table", T.StringType())]
    for table, columns in table_columns(fields).items():
        out += [T.StructField(f"{table}__{c}", _type(table, c, lists)) for c in columns]
    return T.StructType(out)


def _facts_batches(iterator: Iterator[pd.DataFrame], *, fields: Sequence[str]
                   ) -> Iterator[pd.DataFrame]:
    """Per batch: the latest update, per field whether all keys are numeric, and the
    words each cluster's keys use."""
    for batch in batches(iterator):
        rows: list[dict[str, Any]] = []
        recency = _recency(batch)
        valid = recency[~np.isnan(recency)]
        rows.append({"kind": "as_of", "field": None, "cluster": None, "word": None,
                     "number": float(valid.max()) if len(valid) else None, "flag": None})
        clusters = batch["cluster"].to_numpy(dtype=np.int64)
        for field in fields:
            picked, keys = usable_values(batch, field)
            if len(keys):
                rows.append({"kind": "numeric", "field": field, "cluster": None,
                             "word": None, "number": None, "flag": _all_numeric(keys)})
            seen = set()
            for cluster, key in zip(clusters[picked].tolist(), keys.tolist()):
                for word in str(key).split():
                    if (cluster, word) not in seen:
                        seen.add((cluster, word))
                        rows.append({"kind": "word", "field": field, "cluster": cluster,
                                     "word": word, "number": None, "flag": None})
        yield for_spark(pd.DataFrame(rows, columns=["kind", "field", "cluster", "word",
                                                    "number", "flag"]))


_FACTS = T.StructType([T.StructField("kind", T.StringType()),
                       T.StructField("field", T.StringType()),
                       T.StructField("cluster", T.LongType()),
                       T.StructField("word", T.StringType()),
                       T.StructField("number", T.DoubleType()),
                       T.StructField("flag", T.BooleanType())])


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return str(value)


def _cell(value: Any, kind: T.DataType) -> Any:
    if isinstance(kind, T.ArrayType):
        if isinstance(value, (list, tuple, np.ndarray)):
            return [None if v is None else str(v) for v in value]
        return None
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(kind, T.StringType):
        if isinstance(value, (list, tuple)):
            return json.dumps(list(value), default=_json_default)
        return value if isinstance(value, str) else str(value)
    if isinstance(kind, T.LongType):
        return int(value)
    if isinstance(kind, T.DoubleType):
        return float(value)
    if isinstance(kind, T.BooleanType):
        return bool(value)
    return value


def _survive_bucket(pairs: pd.DataFrame, records: pd.DataFrame, *, engine: Survivorship,
                    fields: Sequence[str], as_of: float, numeric: Mapping[str, bool],
                    source_trust: Mapping[str, float], overrides: pd.DataFrame | None,
                    schema: T.StructType) -> pd.DataFrame:
    records = as_objects(records).sort_values("row", kind="mergesort").reset_index(drop=True)
    pairs = as_objects(pairs)
    if not len(records):
        result: pd.DataFrame = pd.DataFrame(columns=schema.fieldNames())
        return result
    words = pairs[pairs["t_field"].notna()]
    counts = {field: pd.Series(group["t_count"].to_numpy(dtype=np.int64),
                               index=pd.Index(group["t_word"].to_numpy(dtype=object),
                                              dtype=object), dtype=np.int64)
              for field, group in words.groupby("t_field", sort=True)}
    scored = pairs[pairs["t_field"].isna()][PAIR_COLUMNS].reset_index(drop=True)
    # the whole data's facts, so each bucket of clusters ranks as in one full run
    stats = {field: FieldStats(field, counts.get(field, pd.Series(dtype=np.int64)), as_of,
                               numeric.get(field, False), source_trust,
                               engine.max_closeness_values)
             for field in fields}
    survived = engine.survive(records.drop(columns=["row", "cluster", "_bucket"]),
                              records["cluster"].to_numpy(dtype=np.int64), fields,
                              pairs=scored, overrides=overrides, source_trust=source_trust,
                              field_stats=stats)
    xref = pd.DataFrame({"source": records["source"], "record_key": records["record_key"],
                         "golden_id": survived.golden_ids.to_numpy(dtype=object)})
    tables = {"golden": survived.golden, "lineage": survived.lineage,
              "conflicts": survived.conflicts, "confidence": survived.confidence,
              "xref": xref}
    types = {f.name: f.dataType for f in schema.fields}
    parts = []
    for table, columns in table_columns(fields).items():
        frame = tables[table]
        out: dict[str, Any] = {"_table": [table] * len(frame)}
        for column in columns:
            name = f"{table}__{column}"
            values = frame[column].tolist() if column in frame.columns else [None] * len(frame)
            out[name] = [_cell(v, types[name]) for v in values]
        parts.append(pd.DataFrame(out))
    envelope = pd.concat(parts, ignore_index=True)
    return for_spark(envelope.reindex(columns=schema.fieldNames()))


def survive(records: DataFrame, clusters: DataFrame, scored: DataFrame,
            fields: Sequence[str], engine: Survivorship, *,
            source_trust: Mapping[str, float], overrides: pd.DataFrame | None,
            buckets: int) -> DataFrame:
    """The survivorship outputs of every cluster as one Spark frame (``_table`` names
    the output: golden, lineage, conflicts, confidence or xref)."""
    fields = list(fields)
    labelled = records.join(clusters, "row")
    facts = labelled.mapInPandas(functools.partial(_facts_batches, fields=fields), _FACTS)
    facts = facts.cache()
    as_of_row = facts.filter(F.col("kind") == "as_of").agg(F.max("number")).collect()[0][0]
    as_of = float(as_of_row) if as_of_row is not None else float("nan")
    numeric = {str(r["field"]): bool(r["flag"]) for r in facts.filter(
        F.col("kind") == "numeric").groupBy("field").agg(F.min("flag").alias("flag")
                                                          ).collect()}
    used = facts.filter(F.col("kind") == "word").select("field", "cluster", "word").distinct()
    counts = used.groupBy("field", "word").agg(F.count("*").alias("t_count"))
    bucket = F.pmod(F.xxhash64("cluster"), F.lit(buckets))
    words = (used.withColumn("_bucket", bucket).select("_bucket", "field", "word").distinct()
             .join(counts, ["field", "word"])
             .select("_bucket", F.col("field").alias("t_field"),
                     F.col("word").alias("t_word"), "t_count"))
    inside = (scored.select("row_l", "row_r", *PAIR_COLUMNS)
              .join(clusters.select(F.col("row").alias("row_l"),
                                    F.col("cluster").alias("_cl")), "row_l")
              .join(clusters.select(F.col("row").alias("row_r"),
                                    F.col("cluster").alias("_cr")), "row_r")
              .filter(F.col("_cl") == F.col("_cr"))
              .select(F.pmod(F.xxhash64("_cl"), F.lit(buckets)).alias("_bucket"),
                      *PAIR_COLUMNS))
    pair_stream = inside.unionByName(words, allowMissingColumns=True)
    lists = {f for f in fields if isinstance(engine.rule_for(f), Aggregate)}
    schema = _envelope_schema(fields, lists)
    grouped = labelled.withColumn("_bucket", bucket)
    out = pair_stream.groupBy("_bucket").cogroup(grouped.groupBy("_bucket")).applyInPandas(
        functools.partial(_survive_bucket, engine=engine, fields=fields, as_of=as_of,
                          numeric=numeric, source_trust=dict(source_trust),
                          overrides=overrides, schema=schema), schema)
    facts.unpersist()
    return out


def table(envelope: DataFrame, name: str, fields: Sequence[str]) -> DataFrame:
    """One survivorship output from the envelope, with its own column names."""
    columns = table_columns(fields)[name]
    return envelope.filter(F.col("_table") == name).select(
        *[F.col(f"{name}__{c}").alias(c) for c in columns])


__all__ += ["table", "table_columns"]
