#!/usr/bin/env python3
"""Splink 5 (DuckDB) on one benchmark set, with the settings of Splink's own examples.

    .venv-bench-splink/bin/python benchmarks/peers/run_splink.py febrl3 --data DIR

DIR holds the set as exported by ``benchmarks/peers.py`` from ``_datasets.py`` (one
Parquet file per source, ``truth.parquet``, ``meta.json``), so Splink reads exactly the
records the other tools get; its venv has no pandas.

Settings per set (Splink docs, ``docs/demos``): FEBRL 3 -> ``examples/duckdb/febrl3``,
FEBRL 4 -> ``examples/duckdb/febrl4`` (the detailed model), fake_1000 -> the tutorial
(``tutorials/04_Estimating_model_parameters``, ``05_Predicting_results``),
historical_50k -> ``examples/duckdb/deduplicate_50k_synthetic``. Clustering thresholds
as in those pages; FEBRL 3's example stops before clustering, so it uses 0.95.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import splink
import splink.comparison_library as cl
from _common import pairwise, report
from splink import ColumnExpression, DuckDBAPI, Linker, SettingsCreator, block_on


@dataclass
class Recipe:
    """One example's model: settings and training calls."""

    link_type: str
    comparisons: list[Any]
    blocking_rules: list[Any]
    deterministic_rules: list[Any]
    recall: float
    u_max_pairs: float
    em_rules: list[Any]
    threshold: float
    em_without_tf: bool = False
    u_seed: int | None = None
    extra_sql: str = ""
    other_thresholds: list[float] = field(default_factory=lambda: [0.5, 0.9, 0.95, 0.99])


def recipe(name: str) -> Recipe:
    """The example settings for one data set."""
    if name == "febrl3":
        return Recipe(
            link_type="dedupe_only",
            comparisons=[
                cl.NameComparison("given_name"),
                cl.NameComparison("surname"),
                cl.DateOfBirthComparison("date_of_birth", input_is_string=True,
                                         datetime_format="%Y%m%d"),
                cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
                cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
                cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
            ],
            blocking_rules=[block_on("soc_sec_id"), block_on("given_name"),
                            block_on("surname"), block_on("date_of_birth"),
                            block_on("postcode")],
            deterministic_rules=[
                block_on("soc_sec_id"),
                block_on("given_name", "surname", "date_of_birth"),
                "l.given_name = r.surname and l.surname = r.given_name "
                "and l.date_of_birth = r.date_of_birth",
            ],
            recall=0.9, u_max_pairs=1e6, u_seed=2,
            em_rules=[block_on("date_of_birth"), block_on("postcode")],
            threshold=0.95,
        )
    if name == "febrl4":
        return Recipe(
            link_type="link_only",
            comparisons=[
                cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
                cl.NameComparison("surname").configure(term_frequency_adjustments=True),
                cl.DateOfBirthComparison("date_of_birth", input_is_string=True,
                                         datetime_format="%Y%m%d",
                                         invalid_dates_as_null=True),
                cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
                cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
                cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                    term_frequency_adjustments=True),
            ],
            blocking_rules=[
                block_on("given_name", "surname"),
                "l.given_name = r.surname and l.surname = r.given_name",
                block_on("date_of_birth"), block_on("soc_sec_id"),
                block_on("state", "address_1"), block_on("street_number", "address_1"),
                block_on("postcode"),
            ],
            deterministic_rules=[block_on("soc_sec_id"),
                                 block_on("given_name", "surname", "date_of_birth")],
            recall=0.8, u_max_pairs=1e6,
            em_rules=[block_on("date_of_birth"), block_on("postcode")], em_without_tf=True,
            threshold=0.99,
        )
    if name == "fake_1000":
        return Recipe(
            link_type="dedupe_only",
            comparisons=[
                cl.NameComparison("first_name"),
                cl.NameComparison("surname"),
                cl.LevenshteinAtThresholds(ColumnExpression("dob").cast_to_string(), 1),
                cl.ExactMatch("city").configure(term_frequency_adjustments=True),
                cl.EmailComparison("email"),
            ],
            blocking_rules=[block_on("first_name", "city"), block_on("surname")],
            deterministic_rules=[
                block_on("first_name", "dob"),
                "l.first_name = r.first_name and levenshtein(r.surname, l.surname) <= 2",
                block_on("email"),
            ],
            recall=0.7, u_max_pairs=2e6,
            em_rules=[block_on("first_name", "surname"), block_on("dob")],
            threshold=0.2,
        )
    if name == "historical_50k":
        return Recipe(
            link_type="dedupe_only",
            comparisons=[
                cl.ForenameSurnameComparison(
                    "first_name", "surname",
                    forename_surname_concat_col_name="first_name_surname_concat"),
                cl.DateOfBirthComparison("dob", input_is_string=True),
                cl.PostcodeComparison("postcode_fake"),
                cl.ExactMatch("birth_place").configure(term_frequency_adjustments=True),
                cl.ExactMatch("occupation").configure(term_frequency_adjustments=True),
            ],
            blocking_rules=[
                block_on("substr(first_name,1,3)", "substr(surname,1,4)"),
                block_on("surname", "dob"),
                block_on("first_name", "dob"),
                block_on("postcode_fake", "first_name"),
                block_on("postcode_fake", "surname"),
                block_on("dob", "birth_place"),
                block_on("substr(postcode_fake,1,3)", "dob"),
                block_on("substr(postcode_fake,1,3)", "first_name"),
                block_on("substr(postcode_fake,1,3)", "surname"),
                block_on("substr(first_name,1,2)", "substr(surname,1,2)", "substr(dob,1,4)"),
            ],
            deterministic_rules=[
                block_on("first_name", "surname", "dob"),
                block_on("substr(first_name,1,2)", "surname", "substr(postcode_fake,1,2)"),
                block_on("dob", "postcode_fake"),
            ],
            recall=0.6, u_max_pairs=1e7,
            em_rules=[block_on("first_name", "surname"), block_on("dob")], em_without_tf=True,
            threshold=0.95,
            extra_sql=", first_name || ' ' || surname as first_name_surname_concat",
        )
    raise SystemExit(f"unknown data set {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset")
    parser.add_argument("--data", type=Path, required=True, help="exported set")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # Splink logs at INFO; keep record values out of logs
    meta = json.loads((args.data / "meta.json").read_text())
    key, sources = meta["key"], meta["sources"]
    con = duckdb.connect()
    truth = con.read_parquet(str(args.data / "truth.parquet"))
    con.register("truth", truth)
    plan = recipe(args.dataset)

    start = time.perf_counter()
    db_api = DuckDBAPI(connection=con)
    tables = [db_api.register(con.read_parquet(str(args.data / f"{source}.parquet"))
                              .project(f"*{plan.extra_sql}"),
                              dataset_display_name=source) for source in sources]
    settings = SettingsCreator(
        unique_id_column_name=key, link_type=plan.link_type,  # type: ignore[arg-type]
        comparisons=plan.comparisons,
        blocking_rules_to_generate_predictions=plan.blocking_rules,
        retain_intermediate_calculation_columns=True,
    )
    linker = Linker(tables if len(tables) > 1 else tables[0], settings)
    linker.training.estimate_probability_two_random_records_match(
        plan.deterministic_rules, recall=plan.recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=plan.u_max_pairs,
                                                     seed=plan.u_seed)
    for rule in plan.em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=plan.em_without_tf)
    predictions = linker.inference.predict()  # every candidate pair, for blocking recall
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=plan.threshold)
    labels = con.sql(f"select * from {clusters.physical_name}")
    label_rows = labels.fetchall()
    seconds = time.perf_counter() - start

    source_of = _source_column(labels.columns, len(sources), sources[0])
    aligned = con.sql(
        f"select t.entity, c.cluster_id from truth t left join "
        f"(select {source_of} as source, cast({key} as varchar) as record_key, cluster_id "
        f"from {clusters.physical_name}) c using (source, record_key) "
        f"order by t.source, t.record_key").fetchall()
    if len(label_rows) != len(aligned) or any(row[1] is None for row in aligned):
        raise SystemExit("records lost between input and Splink's clusters")
    pred_columns = con.sql(f"select * from {predictions.physical_name} limit 0").columns
    pred_src = _source_column(pred_columns, len(sources), sources[0], "_l")
    pred_src_r = _source_column(pred_columns, len(sources), sources[0], "_r")
    counts = con.sql(
        f"select count(*), count(*) filter (where tl.entity = tr.entity) "
        f"from {predictions.physical_name} p "
        f"join truth tl on tl.source = {pred_src} "
        f"and tl.record_key = cast(p.{key}_l as varchar) "
        f"join truth tr on tr.source = {pred_src_r} "
        f"and tr.record_key = cast(p.{key}_r as varchar)").fetchall()[0]
    entities = [row[0] for row in aligned]
    other: dict[str, float] = {}
    for threshold in plan.other_thresholds:
        alt = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold)
        alt_rows = con.sql(
            f"select c.cluster_id from truth t left join "
            f"(select {source_of} as source, cast({key} as varchar) as record_key, "
            f"cluster_id from {alt.physical_name}) c using (source, record_key) "
            f"order by t.source, t.record_key").fetchall()
        other[str(threshold)] = pairwise([r[0] for r in alt_rows], entities)["f1"]
    report(tool="splink", version=splink.__version__, dataset=args.dataset,
           predicted=[row[1] for row in aligned], truth=entities,
           candidate_pairs=int(counts[0]), true_candidate_pairs=int(counts[1]),
           seconds=seconds, threshold=plan.threshold, f1_at_thresholds=other)


def _source_column(columns: list[str], n_sources: int, only: str, suffix: str = "") -> str:
    """SQL for a row's source name: Splink's source column when it links files."""
    name = f"source_dataset{suffix}"
    if n_sources > 1 and name in columns:
        return name
    return f"'{only}'"


if __name__ == "__main__":
    main()
