"""Comparing every pair of a small input (issue #4) and per-rule block-size caps, in the
local blocker, the golden store's incremental updates and the Spark engine."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import goldenrec as gr
from goldenrec._blocking import BlockingRule, block_size_limit
from goldenrec._defaults import (
    ALL_PAIRS_MAX_PAIRS,
    all_pairs_records,
    default_blocking_rules,
    usable_fields,
)
from goldenrec._store import Batch, GoldenStore
from goldenrec._store._matching import MAX_STORE_RULES, block_keys, check_rules
from goldenrec.errors import ConfigError

from .conftest import SHARED_DATA, read_febrl
from .test_store import partition, values

PAIR_COLUMNS = ["source_l", "record_key_l", "source_r", "record_key_r", "rule"]


def proposed(pairs: pd.DataFrame) -> set[tuple[str, ...]]:
    """Candidate pairs with the (first) rule that proposed each."""
    return {tuple(str(v) for v in row) for row in pairs[PAIR_COLUMNS].itertuples(index=False)}


def people(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` records drawn from a few names, with birth dates of all sorts."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "id": [f"r{i:04d}" for i in range(n)],
        "first_name": rng.choice(["Ann", "Bob", "Cy", "Dee", "Eve", "Fay"], n),
        "last_name": rng.choice(["Lee", "Ray", "Moss", "Hart", "Nash", "Kent", "Ross"], n),
        "date_of_birth": [f"19{rng.integers(50, 99)}-0{rng.integers(1, 9)}-1{i % 9}"
                          for i in range(n)],
    })


# -- the rule and its key -------------------------------------------------------------
def test_all_pairs_rule_is_one_block_of_every_record() -> None:
    rule = gr.all_pairs(max_records=10)
    assert (rule.name, rule.max_block_size) == ("all pairs", 10)
    frame = people(6)
    frame.loc[2, "first_name"] = None            # invalid or missing: still in the block
    records = gr.Pipeline().resolve({"s": frame}).records
    assert rule.keys[0].compute(records).tolist() == ["all"] * 6
    pairs = gr.Blocker([rule]).block(records)
    assert len(pairs) == 15 and (pairs["row_l"] < pairs["row_r"]).all()
    # the store hashes the key the same for every record, batch after batch
    assert block_keys(records, [rule])["hash"].nunique() == 1
    assert block_keys(records.iloc[:2], [rule])["hash"].tolist() == \
        block_keys(records.iloc[4:], [rule])["hash"].tolist()


def test_largest_input_whose_pairs_fit() -> None:
    n = all_pairs_records()
    assert n == 1414
    assert n * (n - 1) // 2 <= ALL_PAIRS_MAX_PAIRS < (n + 1) * n // 2
    assert all_pairs_records(max_pairs=45) == 10
    with pytest.raises(ConfigError, match="max_block_size"):
        gr.block_on("email", max_block_size=0)


# -- zero configuration -----------------------------------------------------------------
def test_zero_config_adds_all_pairs_after_the_chosen_rules() -> None:
    frame = people(120)
    pipeline = gr.Pipeline()
    result = pipeline.resolve({"s": frame})
    names = [rule.name for rule in pipeline.blocking_rules_]
    assert names[-1] == "all pairs" and names.count("all pairs") == 1
    assert pipeline.blocking_rules_[-1].max_block_size == all_pairs_records()
    assert len(result.pairs) == 120 * 119 // 2
    # the informative rules name the pairs they find; the all-pairs rule only the rest
    stats = result.blocking_stats.set_index("rule")
    informative = stats.drop(index="all pairs")
    assert informative["new_pairs"].sum() > 0
    assert stats.loc["all pairs", "new_pairs"] == 120 * 119 // 2 - informative["new_pairs"].sum()
    assert stats.loc["all pairs", "skipped_blocks"] == 0
    # without records (templates) nothing is counted, so no all-pairs rule
    fields = usable_fields(result.records, pipeline.fields_)
    assert "all pairs" not in [r.name for r in default_blocking_rules(fields)]


def test_zero_config_on_a_larger_input_is_unchanged() -> None:
    frame = people(all_pairs_records() + 1, seed=1)
    pipeline = gr.Pipeline()
    pipeline.fit({"s": frame})
    assert all(rule.name != "all pairs" for rule in pipeline.blocking_rules_)


def test_zero_config_keeps_within_max_pairs() -> None:
    frame = people(60)
    pipeline = gr.Pipeline(max_pairs=1000)       # 60 records have 1,770 pairs
    pipeline.fit({"s": frame})
    assert all(rule.name != "all pairs" for rule in pipeline.blocking_rules_)
    small = gr.Pipeline(max_pairs=1770)
    small.fit({"s": frame})
    assert small.blocking_rules_[-1].max_block_size == 60


def test_fake_1000_zero_config_loses_no_true_pair() -> None:
    path = SHARED_DATA / "splink_datasets" / "fake_1000.csv"
    if not path.exists():
        pytest.skip(f"shared benchmark data not found at {path}")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    truth = pd.DataFrame({"source": "fake", "record_key": frame["unique_id"],
                          "entity": frame["cluster"]})
    result = gr.Pipeline(key="unique_id").resolve({"fake": frame.drop(columns="cluster")})
    scores = gr.evaluate(result, truth)
    assert scores.blocking_recall == 1.0     # was 0.9045 with the informative rules alone
    assert scores.pairwise.f1 >= 0.95


# -- per-rule caps, locally ---------------------------------------------------------------
def test_a_rule_cap_skips_only_that_rules_large_blocks() -> None:
    frame = people(300, seed=2)
    records = gr.Pipeline().resolve({"s": frame}).records
    sizes = records["last_name_key"].value_counts()
    cap = int(sizes.min())               # the smallest surname block pairs, larger do not
    capped = gr.block_on("last_name", max_block_size=cap)
    other = gr.block_on("first_name")
    blocker = gr.Blocker([capped, other])
    pairs = blocker.block(records)
    stats = blocker.stats_.set_index("rule")
    assert stats.loc["last_name", "skipped_blocks"] == int((sizes > cap).sum()) > 0
    assert stats.loc["first_name", "skipped_blocks"] == 0
    expected_last = int(sum(s * (s - 1) // 2 for s in sizes if s <= cap))
    assert stats.loc["last_name", "pairs"] == expected_last
    free = gr.Blocker([gr.block_on("first_name")]).block(records)
    assert stats.loc["first_name", "pairs"] == len(free)
    keys = records["last_name_key"].to_numpy()
    rows = pairs[pairs["rule"] == "last_name"]
    assert (keys[rows["row_l"]] == keys[rows["row_r"]]).all()
    assert set(keys[rows["row_l"]]) == set(sizes[sizes <= cap].index)
    # the pipeline's cap and the rule's: the smaller is in force
    assert block_size_limit(capped, cap + 5) == cap
    assert block_size_limit(capped, 1) == 1
    assert block_size_limit(other, None) is None
    tight = gr.Blocker([capped, other], max_block_size=1)
    assert len(tight.block(records)) == 0


def test_saved_pipeline_keeps_the_rule_caps(tmp_path: Path) -> None:
    rules = [gr.block_on("last_name", max_block_size=40), gr.all_pairs(max_records=50),
             gr.block_on("first_name")]
    pipeline = gr.Pipeline(blocking_rules=rules)
    pipeline.fit({"s": people(80)})
    path = tmp_path / "pipeline.json"
    pipeline.save(path)
    loaded = gr.Pipeline.load(path)
    assert list(loaded.blocking_rules_) == rules
    assert list(loaded.blocking_rules or ()) == rules
    assert [getattr(r, "max_block_size", None) for r in loaded.blocking_rules_] == [40, 50, None]
    # an old saved rule (no max_block_size key) still loads, without a cap
    data: dict[str, Any] = json.loads(path.read_text())
    assert "max_block_size" not in data["fitted"]["blocking_rules"][2]
    old = BlockingRule.from_dict({"type": "rule", "name": "email",
                                  "keys": [{"field": "email"}]})
    assert old.max_block_size is None
    assert old.to_dict() == {"type": "rule", "name": "email",
                             "keys": [{"field": "email", "transform": "exact", "length": 0}]}


# -- the golden store ----------------------------------------------------------------------
def _batches(frame: pd.DataFrame, sizes: list[int], seed: int) -> list[pd.DataFrame]:
    order = np.random.default_rng(seed).permutation(len(frame))
    ends = np.cumsum(sizes)
    return [frame.iloc[np.sort(order[end - size:end])].reset_index(drop=True)
            for size, end in zip(sizes, ends)]


def _same_as_batch(store: GoldenStore, pipeline: gr.Pipeline, final: pd.DataFrame) -> None:
    """The store's pairs (with their first rule), clusters and golden values are those a
    frozen run on all its records gives."""
    batch = copy.deepcopy(pipeline).resolve({"febrl": final}, frozen=True)
    xref, golden = store.xref(), store.golden()
    assert proposed(store.pairs()) == proposed(batch.pairs)
    assert partition(xref) == partition(batch.xref)
    fields = [f for f in pipeline.fields_ if f in batch.golden.columns]
    assert values(golden, xref, fields) == values(batch.golden, batch.xref, fields)


def test_store_all_pairs_block_crosses_its_cap_as_a_batch_run(tmp_path: Path) -> None:
    data = read_febrl("dataset3.csv").iloc[:300].reset_index(drop=True)
    rules = [gr.block_on("national_id"), gr.block_on("last_name", "date_of_birth"),
             gr.all_pairs(max_records=150)]
    pipeline = gr.Pipeline([gr.Source("febrl", key="rec_id")], blocking_rules=rules)
    parts = _batches(data, [100, 40, 110], seed=3)
    pipeline.fit({"febrl": parts[0]})
    with GoldenStore.create(tmp_path / "s.db", copy.deepcopy(pipeline),
                            {"febrl": parts[0]}) as store:
        assert len(store.pairs()) == 100 * 99 // 2
        store.update({"febrl": parts[1]})       # 140 records: still every pair
        assert store.last_stats["candidate_pairs"] == 40 * 100 + 40 * 39 // 2
        assert len(store.pairs()) == 140 * 139 // 2
        _same_as_batch(store, pipeline, pd.concat(parts[:2], ignore_index=True))
        store.update({"febrl": parts[2]})       # 250: the all-pairs block stops pairing
        assert store.last_stats["pairs_relabelled"] > 0
        final = pd.concat(parts, ignore_index=True)
        assert "all pairs" not in {r for *_, r in proposed(store.pairs())}
        _same_as_batch(store, pipeline, final)
        # deletions bring it back under its cap: every pair again
        gone = final["rec_id"].iloc[::2].tolist()
        store.update(Batch(deleted=[("febrl", str(k)) for k in gone]))
        final = final[~final["rec_id"].isin(gone)].reset_index(drop=True)
        assert len(store.pairs()) == len(final) * (len(final) - 1) // 2
        _same_as_batch(store, pipeline, final)
        # a batch past the cap again, with one of the deleted records back
        store.update({"febrl": data.iloc[[0, *range(250, 300)]].reset_index(drop=True)})
        final = pd.concat([final, data.iloc[[0, *range(250, 300)]]]).drop_duplicates(
            "rec_id").reset_index(drop=True)
        assert len(final) > 150
        _same_as_batch(store, pipeline, final)


def test_store_reads_no_oversized_all_pairs_block(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Past its cap the all-pairs block is counted up to the cap, never read."""
    data = read_febrl("dataset3.csv").iloc[:200].reset_index(drop=True)
    rules = [gr.block_on("national_id"), gr.all_pairs(max_records=20)]
    pipeline = gr.Pipeline([gr.Source("febrl", key="rec_id")], blocking_rules=rules)
    parts = _batches(data, [150, 50], seed=4)
    pipeline.fit({"febrl": parts[0]})
    with GoldenStore.create(tmp_path / "s.db", copy.deepcopy(pipeline),
                            {"febrl": parts[0]}) as store:
        read: list[int] = []
        members = GoldenStore._block_members

        def spy(self: GoldenStore, *args: Any) -> Any:
            found, oversized = members(self, *args)
            read.append(int((found["rule"] == 1).sum()))
            return found, oversized

        monkeypatch.setattr(GoldenStore, "_block_members", spy)
        store.update({"febrl": parts[1]})
        assert read == [0]
        _same_as_batch(store, pipeline, data)


def test_store_refuses_a_capped_must_link_rule(tmp_path: Path) -> None:
    pipeline = gr.Pipeline(must_link=[gr.block_on("email", max_block_size=3)])
    with pytest.raises(ConfigError, match="must-link"):
        GoldenStore.create(tmp_path / "s.db", pipeline)
    assert not (tmp_path / "s.db").exists()


@pytest.mark.slow
def test_zero_config_store_grows_past_all_pairs(tmp_path: Path) -> None:
    """Zero configuration on a first batch of 1,000: every pair until the store holds
    more than 1,414 records, then the chosen rules alone, as a run on all records."""
    data = read_febrl("dataset3.csv")
    parts = _batches(data, [1000, 300, 500], seed=5)
    pipeline = gr.Pipeline([gr.Source("febrl", key="rec_id")])
    pipeline.fit({"febrl": parts[0]})
    assert pipeline.blocking_rules_[-1].name == "all pairs"
    with GoldenStore.create(tmp_path / "s.db", copy.deepcopy(pipeline),
                            {"febrl": parts[0]}) as store:
        store.update({"febrl": parts[1]})
        assert store.last_stats["candidate_pairs"] == 300 * 1000 + 300 * 299 // 2
        store.update({"febrl": parts[2]})
        _same_as_batch(store, pipeline, pd.concat(parts, ignore_index=True))


# -- Spark ----------------------------------------------------------------------------------


_SPARK_WARNINGS = [
    # PySpark warns that its pandas 3 support is new; the tests check the results
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support:FutureWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]


def _spark_records(spark: Any, records: pd.DataFrame) -> Any:
    """The blocking columns of normalised records, numbered, as a Spark DataFrame."""
    columns = [c for c in records.columns if c.endswith(("_key", "_status", "_canonical"))]
    frame = records[columns].astype(object).where(records[columns].notna(), None)
    return spark.createDataFrame(frame.assign(row=np.arange(len(records))))


@_SPARK_WARNINGS[0]
@_SPARK_WARNINGS[1]
def test_spark_blocking_as_local_with_all_pairs_and_caps(spark: Any, tmp_path: Path) -> None:
    """Spark's blocking step gives the local pairs (with their first rule) and statistics
    for the zero-configuration rules of a small input and for per-rule caps."""
    from goldenrec.spark import _blocking  # noqa: PLC0415
    from goldenrec.spark._frames import Checkpoints  # noqa: PLC0415

    data = read_febrl("dataset3.csv").iloc[:90].reset_index(drop=True)
    pipeline = gr.Pipeline(key="rec_id")
    records = pipeline.resolve(data).records
    spark_records = _spark_records(spark, records)
    checkpoints = Checkpoints(spark, str(tmp_path))
    chosen = [r for r in pipeline.blocking_rules_ if isinstance(r, BlockingRule)]
    assert chosen[-1] == gr.all_pairs(max_records=all_pairs_records())
    rules_sets: list[list[BlockingRule]] = [
        chosen[-3:],   # the last chosen rules, then the all-pairs rule
        [gr.block_on("postcode", max_block_size=2), gr.block_on("last_name"),
         gr.all_pairs(max_records=60)],
        [gr.block_on("last_name", max_block_size=3), gr.all_pairs(max_records=200)],
    ]
    for rules, limit in zip(rules_sets, (None, None, 2)):
        blocker = gr.Blocker(rules, max_block_size=limit)
        expected = blocker.block(records)
        pairs, stats = _blocking.block(spark_records, rules, max_pairs=10**7,
                                       max_block_size=limit, n_records=len(records),
                                       checkpoints=checkpoints)
        found = pairs.toPandas()
        names = [rule.name for rule in rules]
        assert {(int(a), int(b), names[int(r)]) for a, b, r in
                zip(found["row_l"], found["row_r"], found["rule"])} == \
            {(int(a), int(b), str(r)) for a, b, r in
             zip(expected["row_l"], expected["row_r"], expected["rule"])}
        columns = ["rule", "pairs", "skipped_blocks", "largest_block", "new_pairs"]
        assert stats[columns].to_dict("records") == blocker.stats_[columns].to_dict("records")
    # 90 records fit the all-pairs rule's 200, but the pipeline's cap of 2 is in force
    assert blocker.stats_["skipped_blocks"].tolist()[-1] == 1


@pytest.mark.slow
@_SPARK_WARNINGS[0]
@_SPARK_WARNINGS[1]
def test_spark_pairs_as_local_with_all_pairs_and_caps(spark: Any, tmp_path: Path) -> None:
    from goldenrec.spark import SparkEngine  # noqa: PLC0415

    data = read_febrl("dataset3.csv").iloc[:90].reset_index(drop=True)
    spark_data = spark.createDataFrame(data.astype(object).where(data.notna(), None))
    # zero configuration: the same rules, the all-pairs rule last, the same pairs
    local_pipeline = gr.Pipeline(key="rec_id")
    local = local_pipeline.resolve(data)
    spark_pipeline = gr.Pipeline(key="rec_id")
    result = SparkEngine(spark, checkpoint_dir=str(tmp_path / "a")).resolve(
        spark_pipeline, spark_data)
    assert [r.name for r in spark_pipeline.blocking_rules_] == [
        r.name for r in local_pipeline.blocking_rules_]
    assert spark_pipeline.blocking_rules_[-1] == gr.all_pairs(max_records=all_pairs_records())
    assert proposed(result.pairs.toPandas()) == proposed(local.pairs)
    assert len(local.pairs) == 90 * 89 // 2
    # per-rule caps: the all-pairs block and large surname blocks give no pair
    rules = [gr.block_on("postcode", max_block_size=2), gr.block_on("last_name"),
             gr.all_pairs(max_records=60)]
    options: dict[str, Any] = {"key": "rec_id", "blocking_rules": rules}
    local = gr.Pipeline(**options).resolve(data)
    result = SparkEngine(spark, checkpoint_dir=str(tmp_path / "b")).resolve(
        gr.Pipeline(**options), spark_data)
    assert proposed(result.pairs.toPandas()) == proposed(local.pairs)
    columns = ["rule", "pairs", "skipped_blocks", "largest_block", "new_pairs"]
    assert result.blocking_stats[columns].to_dict("records") == \
        local.blocking_stats[columns].to_dict("records")
    assert local.blocking_stats.set_index("rule").loc["all pairs", "skipped_blocks"] == 1


def test_store_refuses_more_rules_than_its_pair_bits() -> None:
    rules = [gr.block_on("email", name=f"r{i}") for i in range(MAX_STORE_RULES + 1)]
    assert len(check_rules(rules[:MAX_STORE_RULES])) == MAX_STORE_RULES
    with pytest.raises(ConfigError, match="at most 63 blocking rules"):
        check_rules(rules)
