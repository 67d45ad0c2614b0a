#!/usr/bin/env python3
"""Splink 5 (DuckDB) on the synthetic customers of ``benchmarks/scale.py``.

    .venv-bench-splink/bin/python benchmarks/peers/run_scale_splink.py DIR

DIR holds one Parquet file per source, ``truth.parquet`` and ``meta.json`` as written by
``benchmarks/scale.py``. The sources have different columns (CRM: separate names, ISO
dates; shop: ``given_name``/``surname``, day-first dates; support: one ``name`` column,
month-first dates), so the run first brings them to one schema in DuckDB SQL (lower
case, accents stripped, dates parsed per source, phone digits, full names split, e-mails
that are not addresses, phones of only zeros or ``123456789`` and any e-mail or phone
held by more than ten records as missing) and
then deduplicates the union with a model in the style of Splink's examples (name, date
of birth, e-mail, phone, postcode and city comparisons; blocking on name, date of birth,
e-mail and phone combinations; EM on e-mail and date of birth). That preparation is
timed as part of Splink's work. Nothing is tuned on the truth.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import duckdb
import splink
import splink.comparison_library as cl
from _common import report
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

THRESHOLD = 0.9
FREQUENT = 10  # e-mails and phones held by more records than this are placeholders

NAME = "nullif(trim(lower(strip_accents({}))), '')"
DIGITS = "nullif(regexp_replace(coalesce({}, ''), '[^0-9]', '', 'g'), '')"


def source_sql(path: Path, source: str, key: str, date_order: str,
               columns: list[str]) -> str:
    """SQL turning one source's Parquet file into the common schema."""
    def col(*names: str) -> str:
        for name in names:
            if name in columns:
                return f'"{name}"'
        return "NULL"

    dob = col("date_of_birth", "dob", "birthday")
    fmt = {"YMD": "%Y-%m-%d", "DMY": "%d.%m.%Y", "MDY": "%m/%d/%Y"}[date_order]
    if "name" in columns:  # one full-name column: "Last, First" or "[Mr|Ms] First Last"
        bare = "regexp_replace(trim(\"name\"), '^(Mr|Ms|Mrs|Dr)\\.? ', '', 'i')"
        first = (f"case when {bare} like '%,%' then trim(split_part({bare}, ',', 2)) "
                 f"else split_part({bare}, ' ', 1) end")
        last = (f"case when {bare} like '%,%' then trim(split_part({bare}, ',', 1)) "
                f"else trim(regexp_replace({bare}, '^\\S+\\s*', '')) end")
    else:
        first = col("first_name", "given_name")
        last = col("last_name", "surname")
    phone = DIGITS.format(col("phone", "mobile"))
    return f"""
        select '{source}' || '|' || cast("{key}" as varchar) as unique_id,
               '{source}' as source, cast("{key}" as varchar) as record_key,
               {NAME.format(first)} as first_name,
               {NAME.format(last)} as surname,
               strftime(try_strptime({dob}, '{fmt}'), '%Y-%m-%d') as dob,
               case when regexp_full_match(lower(trim({col("email", "e_mail")})),
                                           '[^@ ]+@[^@ ]+[.][a-z]+')
                    then lower(trim({col("email", "e_mail")})) end as email,
               case when length({phone}) >= 7
                     and not regexp_full_match({phone}, '0+|123456789')
                    then right({phone}, 9) end as phone,
               nullif(upper(replace({col("postcode", "zip")}, ' ', '')), '') as postcode,
               {NAME.format(col("city", "town"))} as city
        from read_parquet('{path}')"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    meta = json.loads((args.data / "meta.json").read_text())
    con = duckdb.connect()
    con.register("truth", con.read_parquet(str(args.data / "truth.parquet")))

    start = time.perf_counter()
    parts = []
    for spec in meta["sources"]:
        path = args.data / f"{spec['name']}.parquet"
        columns = con.read_parquet(str(path)).columns
        parts.append(source_sql(path, spec["name"], spec["key"], spec["date_order"],
                                columns))
    con.execute("create table records as " + " union all ".join(parts))
    for column in ("email", "phone"):  # a value shared by many records identifies no one
        con.execute(f"update records set {column} = null where {column} in (select {column} "
                    f"from records group by {column} having count(*) > {FREQUENT})")
    db_api = DuckDBAPI(connection=con)
    table = db_api.register("records")
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            "l.first_name = r.surname and l.surname = r.first_name",
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
            block_on("email"),
            block_on("phone"),
            block_on("postcode", "surname"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(table, settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob"), block_on("email")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("email"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    predictions = linker.inference.predict()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=THRESHOLD)
    con.sql(f"select * from {clusters.physical_name}").fetchall()
    seconds = time.perf_counter() - start

    aligned = con.sql(
        f"select t.entity, c.cluster_id from truth t left join {clusters.physical_name} c "
        f"on c.unique_id = t.source || '|' || t.record_key "
        f"order by t.source, t.record_key").fetchall()
    if any(row[1] is None for row in aligned):
        raise SystemExit("records lost between input and Splink's clusters")
    counts = con.sql(
        f"select count(*), count(*) filter (where tl.entity = tr.entity) "
        f"from {predictions.physical_name} p "
        f"join truth tl on tl.source || '|' || tl.record_key = p.unique_id_l "
        f"join truth tr on tr.source || '|' || tr.record_key = p.unique_id_r").fetchall()[0]
    report(tool="splink", version=splink.__version__, dataset=f"synthetic_{len(aligned)}",
           predicted=[row[1] for row in aligned], truth=[row[0] for row in aligned],
           candidate_pairs=int(counts[0]), true_candidate_pairs=int(counts[1]),
           seconds=seconds, threshold=THRESHOLD)


if __name__ == "__main__":
    main()
