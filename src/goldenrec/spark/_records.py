"""Map and normalise on the executors, with the data-set-wide steps done by Spark.

Mapping and normalising are row-local, so each partition runs the local engine's
:class:`~goldenrec._schema.SchemaMapper` and :class:`RecordNormaliser` itself. The
steps that need the whole data (duplicate record keys, values shared by too many
people, row positions) are Spark aggregations.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from goldenrec._normalise._base import PLACEHOLDER, VALID
from goldenrec._normalise._records import (
    TOO_FREQUENT,
    RecordNormaliser,
    _first_of_month_pattern,
)
from goldenrec._roles import ROLES
from goldenrec._schema import MappedRecords, SchemaMapper, Source
from goldenrec.errors import ConfigError, InputError
from goldenrec.spark._frames import Checkpoints, batches, string_schema, strings

if TYPE_CHECKING:
    from goldenrec._pipeline import Pipeline

__all__ = ["MappedInfo", "map_records", "normalise_records", "split_sources", "with_rows"]


@dataclass(frozen=True)
class MappedInfo:
    """What the driver knows about the mapped records (no values)."""

    mapping: pd.DataFrame
    sources: dict[str, Source]
    fields: tuple[Any, ...]
    columns: list[str]
    roles: list[str]


def split_sources(pipeline: Pipeline, data: Any) -> dict[str, DataFrame]:
    """One Spark frame per source, as the local mapper splits pandas frames."""
    if isinstance(data, Mapping):
        if not data:
            raise InputError("no sources given")
        out = {}
        for name, frame in data.items():
            if not isinstance(frame, DataFrame):
                raise InputError("expected a Spark DataFrame", source=str(name))
            out[str(name)] = frame
        return out
    if not isinstance(data, DataFrame):
        raise InputError("expected a Spark DataFrame or a mapping of name to DataFrame")
    column = pipeline.source_column
    if column is None:
        names = [s.name for s in pipeline.sources or ()]
        return {names[0] if len(names) == 1 else "records": data}
    if column not in data.columns:
        raise InputError("source column not found", column=column)
    if data.filter(F.col(column).isNull()).limit(1).count():
        raise InputError("missing source name", column=column)
    values = sorted(str(r[0]) for r in data.select(F.col(column).cast("string"))
                    .distinct().collect())
    return {name: data.filter(F.col(column).cast("string") == name).drop(column)
            for name in values}


def _map_batches(iterator: Iterator[pd.DataFrame], *, mapper: SchemaMapper, name: str,
                 columns: list[str]) -> Iterator[pd.DataFrame]:
    for batch in batches(iterator):
        yield strings(mapper.map({name: batch}).frame, columns)


def map_records(pipeline: Pipeline, frames: dict[str, DataFrame],
                checkpoints: Checkpoints) -> tuple[DataFrame, MappedInfo]:
    """The mapped records (all text) and the mapping, decided from column names."""
    empty = {name: pd.DataFrame({c: pd.Series([], dtype=object) for c in frame.columns})
             for name, frame in frames.items()}
    shape = pipeline.schema_mapper().map(empty)
    columns = list(shape.frame.columns)
    schema = string_schema(columns)
    parts = []
    for name, frame in frames.items():
        mapper = SchemaMapper([shape.sources[name]], key=pipeline.key,
                              fields=pipeline.all_fields() or None)
        parts.append(frame.mapInPandas(
            functools.partial(_map_batches, mapper=mapper, name=name, columns=columns),
            schema))
    mapped = checkpoints.save(functools.reduce(DataFrame.unionByName, parts), "mapped")
    duplicated = (mapped.groupBy("source", "record_key").count()
                  .filter(F.col("count") > 1).orderBy("source", "record_key").limit(1)
                  .collect())
    if duplicated:
        row = duplicated[0]
        raise InputError("duplicate record key(s); the first is shown",
                         source=str(row["source"]), record_key=str(row["record_key"]))
    info = MappedInfo(shape.mapping, dict(shape.sources), tuple(shape.fields), columns,
                      list(shape.roles))
    return mapped, info


def passthrough_sample(mapped: DataFrame, info: MappedInfo) -> pd.DataFrame | None:
    """The pass-through columns, for zero configuration's custom-field check (read on
    the driver; pass ``auto_fields=False`` to skip this on very large inputs)."""
    columns = sorted(set(info.mapping.loc[info.mapping["how"] == "passthrough", "column"]))
    if not columns:
        return None
    frame: pd.DataFrame = mapped.select(*columns).toPandas()
    return frame


# -- normalise -----------------------------------------------------------------------------
def _normalise_batches(iterator: Iterator[pd.DataFrame], *, normaliser: RecordNormaliser,
                       info: MappedInfo, columns: list[str]) -> Iterator[pd.DataFrame]:
    for batch in batches(iterator):
        mapped = MappedRecords(frame=batch, mapping=info.mapping, sources=info.sources,
                               fields=info.fields)
        frame = normaliser.normalise(mapped).frame
        if "street_number_status" in columns and "street_number_status" not in frame:
            frame = _street_number_from_street(frame, normaliser)
        yield strings(frame, columns)


def _street_number_from_street(frame: pd.DataFrame, normaliser: RecordNormaliser
                               ) -> pd.DataFrame:
    """A batch in which no street held a house number still gets ``street_number``
    columns when other batches have them (as the local engine fills every row)."""
    numbers = frame["street_house_number"].astype(object) if (
        "street_house_number" in frame) else pd.Series([None] * len(frame), dtype=object)
    derived = normaliser.normaliser_for("street_number").normalise(
        pd.Series(numbers.to_numpy(), dtype=object))
    derived["reason"] = derived["reason"].where(derived["status"] != VALID, "from_street")
    frame = frame.copy()
    for column, values in (("street_number", derived["value"]),
                           ("street_number_key", derived["key"]),
                           ("street_number_status", derived["status"]),
                           ("street_number_reason", derived["reason"])):
        frame[column] = values.to_numpy(dtype=object)
    return frame


def _normalised_columns(normaliser: RecordNormaliser, info: MappedInfo,
                        sample: pd.DataFrame) -> list[str]:
    mapped = MappedRecords(frame=sample, mapping=info.mapping, sources=info.sources,
                           fields=info.fields)
    columns = list(normaliser.normalise(mapped).frame.columns)
    if "street" in info.roles and "street_number_status" not in columns:
        columns += ["street_number", "street_number_key", "street_number_status",
                    "street_number_reason"]
    return columns


def normalise_records(pipeline: Pipeline, mapped: DataFrame, info: MappedInfo
                      ) -> tuple[DataFrame, tuple[str, ...]]:
    """Normalised records (without frequency placeholders yet) and the roles present."""
    normaliser = RecordNormaliser(pipeline.normalisers, fields=pipeline.all_fields() or None,
                                  frequency=None, n_jobs=1)
    sample = _sample(mapped, info)
    columns = _normalised_columns(normaliser, info, sample)
    normalised = mapped.mapInPandas(
        functools.partial(_normalise_batches, normaliser=normaliser, info=info,
                          columns=columns),
        string_schema(columns))
    custom = [f.name for f in info.fields]
    present = [c[: -len("_status")] for c in columns if c.endswith("_status")]
    roles = [r for r in ROLES if r in present] + [r for r in custom if r in present]
    return normalised, tuple(roles)


def _sample(mapped: DataFrame, info: MappedInfo) -> pd.DataFrame:
    from goldenrec.spark._frames import as_objects  # noqa: PLC0415

    frame = as_objects(mapped.limit(20).toPandas())
    result: pd.DataFrame = frame.reindex(columns=info.columns)
    return result


def drop_empty_street_number(records: DataFrame, roles: tuple[str, ...],
                             mapped_roles: list[str]) -> tuple[DataFrame, tuple[str, ...]]:
    """``street_number`` taken from streets exists only when some street held one."""
    if "street_number" in mapped_roles or "street_number_status" not in records.columns:
        return records, roles
    if records.filter(F.col("street_number_status") == VALID).limit(1).count():
        return records, roles
    columns = [c for c in records.columns if c != "street_number"
               and not c.startswith("street_number_")]
    return records.select(*columns), tuple(r for r in roles if r != "street_number")


# -- frequency placeholders ------------------------------------------------------------------
def _valid(records: DataFrame, field: str) -> Any:
    return F.when((F.col(f"{field}_status") == VALID) & F.col(f"{field}_key").isNotNull(),
                  F.col(f"{field}_key"))


def _person(records: DataFrame, roles: tuple[str, ...]) -> Any:
    """Who a record is for the frequency limits: its valid first + last name, else its
    full name, else the record itself (as the local engine counts people)."""
    parts = [_valid(records, r) for r in ("first_name", "last_name") if r in roles]
    named = F.lit(None).cast("string")
    if parts:
        any_part = functools.reduce(lambda a, b: a | b, [p.isNotNull() for p in parts])
        joined = F.concat_ws("\x1f", *[F.coalesce(p, F.lit("\x00")) for p in parts])
        named = F.when(any_part, F.concat(F.lit("n\x1f"), joined))
    if "full_name" in roles:
        full = _valid(records, "full_name")
        named = F.coalesce(named, F.concat(F.lit("f\x1f"), full))
    alone = F.concat(F.lit("r\x1f"), F.col("source"), F.lit("\x1f"), F.col("record_key"))
    return F.coalesce(named, alone)


def mark_too_frequent(pipeline: Pipeline, records: DataFrame, roles: tuple[str, ...],
                      info: MappedInfo, checkpoints: Checkpoints) -> DataFrame:
    """Values held by more people than the frequency limits allow become placeholders
    (the local engine's rule, counted with Spark aggregations)."""
    limits = pipeline.frequency
    if limits is None:
        return records
    limits.check()
    kinds = {f.name: f.kind for f in info.fields}
    kinds.update({f.name: f.kind for f in pipeline.all_fields()})
    identifiers = limits.identifier_fields(list(roles), kinds)
    dates = limits.date_fields(list(roles), kinds)
    if not identifiers and not dates:
        return records
    people = records.select(*[c for c in records.columns],
                            _person(records, roles).alias("_person"))
    people = checkpoints.save(people, "people")
    # one aggregation for every checked field: people per valid value
    checked = [*identifiers, *dates]
    held = F.explode(F.array(*[F.struct(F.lit(f).alias("f"), _valid(people, f).alias("k"))
                               for f in checked])).alias("h")
    counts = (people.select("_person", held).select("_person", "h.f", "h.k")
              .filter(F.col("k").isNotNull()).distinct().groupBy("f", "k").count())
    wanted = F.col("f").isin(dates) | (F.col("count") > limits.max_identifier_count)
    table = counts.filter(wanted).toPandas()
    for field in checked:
        rows = table[table["f"] == field]
        if field in identifiers:
            frequent = rows["k"].tolist()
        else:
            if not len(rows):
                continue
            values = rows["count"].to_numpy(dtype=np.int64)
            limit = max(float(limits.min_date_count),
                        limits.date_factor * float(np.median(values)))
            keys = rows["k"].to_numpy(dtype=object)
            mask = values > limit
            mask &= ~_first_of_month_pattern(keys, mask)
            frequent = keys[mask].tolist()
        if not frequent:
            continue
        hit = (F.col(f"{field}_status") == VALID) & F.col(f"{field}_key").isin(frequent)
        extras = [c for c in people.columns if c.startswith(f"{field}_")
                  and c not in (f"{field}_key", f"{field}_status", f"{field}_reason")
                  and _is_extra(c, field, roles)]
        updates = {field: F.lit(None).cast("string"),
                   f"{field}_key": F.lit(None).cast("string"),
                   f"{field}_status": F.lit(PLACEHOLDER),
                   f"{field}_reason": F.lit(TOO_FREQUENT)}
        updates.update({c: F.lit(None).cast("string") for c in extras})
        people = people.select(*[F.when(hit, updates[c]).otherwise(F.col(c)).alias(c)
                                 if c in updates else F.col(c) for c in people.columns])
    return people.drop("_person")


def _is_extra(column: str, field: str, roles: tuple[str, ...]) -> bool:
    """Whether ``column`` is an extra output of ``field`` (not another role's column)."""
    owner = max((r for r in roles if column.startswith(f"{r}_")), key=len, default=None)
    return owner == field


# -- row positions -------------------------------------------------------------------------
def with_rows(records: DataFrame, checkpoints: Checkpoints) -> tuple[DataFrame, int]:
    """Number records ``0..n-1`` in ``(source, record_key)`` order, as the local engine
    holds them, without moving all records to one partition: the sorted keys are
    written once, each partition's size is counted, and offsets make positions."""
    keys = checkpoints.save(
        records.select("source", "record_key").orderBy("source", "record_key")
        .select("source", "record_key", F.spark_partition_id().alias("_part"),
                F.monotonically_increasing_id().alias("_mono")),
        "record_order")
    sizes = keys.groupBy("_part").count().orderBy("_part").toPandas()
    offsets = np.r_[0, np.cumsum(sizes["count"].to_numpy(dtype=np.int64))[:-1]]
    n = int(sizes["count"].sum()) if len(sizes) else 0
    table = records.sparkSession.createDataFrame(
        pd.DataFrame({"_part": sizes["_part"].to_numpy(dtype=np.int32),
                      "_offset": offsets.astype(np.int64)}),
        schema=T.StructType([T.StructField("_part", T.IntegerType()),
                             T.StructField("_offset", T.LongType())]))
    first = keys.groupBy("_part").agg(F.min("_mono").alias("_first"))
    rows = (keys.join(F.broadcast(table), "_part").join(F.broadcast(first), "_part")
            .select("source", "record_key",
                    (F.col("_offset") + F.col("_mono") - F.col("_first")).alias("row")))
    numbered = records.join(rows, ["source", "record_key"])
    ordered = numbered.select("row", *records.columns)
    return checkpoints.save(ordered, "records"), n


def check_unsupported(pipeline: Pipeline) -> None:
    """Options the Spark engine does not run (yet): a clear error instead of a surprise."""
    from goldenrec._blocking import BlockingRule  # noqa: PLC0415
    from goldenrec._scoring import FellegiSunter  # noqa: PLC0415

    for rule in [*(pipeline.blocking_rules or ()), *pipeline.must_link]:
        if not isinstance(rule, BlockingRule):
            raise ConfigError("the Spark engine runs blocking rules (block_on) only; "
                              f"{type(rule).__name__} runs on the local engine")
    if pipeline.scorer is not None and not isinstance(pipeline.scorer, FellegiSunter):
        raise ConfigError("the Spark engine fits FellegiSunter models only")


__all__ += ["check_unsupported", "drop_empty_street_number", "mark_too_frequent",
            "passthrough_sample"]
