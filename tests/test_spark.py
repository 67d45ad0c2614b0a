"""The Spark engine gives the local engine's clusters, golden records and lineage.

Runs in ``local[2]`` mode on small data; skipped when pyspark or Java is missing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyspark", reason="the Spark engine needs the spark extra")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("the Spark engine needs Java", allow_module_level=True)

from pyspark.sql import DataFrame, SparkSession

from goldenrec import (
    DateComparison,
    EmailComparison,
    NameComparison,
    Pipeline,
    SortedNeighbourhood,
    block_on,
)
from goldenrec._demo_loader import load_demo
from goldenrec.errors import ConfigError
from goldenrec.spark import SparkEngine, SparkResult
from goldenrec.spark._clustering import components
from goldenrec.spark._frames import Checkpoints
from goldenrec.spark._scoring import choose_threshold_counts

from .conftest import read_febrl

pytestmark = [
    # PySpark warns that its pandas 3 support is new; the tests check the results
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support:FutureWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]




def _spark_frames(spark: SparkSession, frames: dict[str, pd.DataFrame]
                  ) -> dict[str, DataFrame]:
    return {name: spark.createDataFrame(frame.astype(object).where(frame.notna(), None))
            for name, frame in frames.items()}


def _clusters(xref: pd.DataFrame) -> set[frozenset[tuple[str, str]]]:
    groups: dict[str, set[tuple[str, str]]] = {}
    for source, key, golden in zip(xref["source"], xref["record_key"], xref["golden_id"]):
        groups.setdefault(golden, set()).add((source, key))
    return {frozenset(g) for g in groups.values()}


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Values as comparable Python objects (missing as None, lists as tuples)."""
    def one(value: object) -> object:
        if isinstance(value, (list, tuple, np.ndarray)):
            return tuple(value)
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        if isinstance(value, (np.integer,)):
            return int(value)
        if isinstance(value, (np.floating, float)):
            return round(float(value), 9)
        return value
    return pd.DataFrame({c: [one(v) for v in frame[c].astype(object)] for c in frame.columns})


def _assert_same(local: object, result: SparkResult) -> None:
    xref = result.to_pandas("xref")
    local_xref = local.xref.sort_values(["source", "record_key"]).reset_index(drop=True)
    assert _clusters(xref) == _clusters(local_xref)
    assert xref["golden_id"].tolist() == local_xref["golden_id"].tolist()
    golden = _plain(result.to_pandas("golden"))
    local_golden = _plain(local.golden.sort_values("golden_id").reset_index(drop=True))
    pd.testing.assert_frame_equal(golden[local_golden.columns], local_golden)
    lineage = _plain(result.to_pandas("lineage"))
    local_lineage = _plain(local.lineage.sort_values(["golden_id", "field", "position"],
                                                     kind="mergesort").reset_index(drop=True))
    pd.testing.assert_frame_equal(lineage[local_lineage.columns], local_lineage)


@pytest.fixture(scope="session")
def demo_runs(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[Pipeline, object, Pipeline, SparkResult]:
    demo = load_demo()
    local_pipeline = Pipeline(demo.sources)
    local = local_pipeline.resolve(demo.frames)
    spark_pipeline = Pipeline(demo.sources)
    engine = SparkEngine(spark, checkpoint_dir=str(tmp_path_factory.mktemp("ckpt")))
    result = engine.resolve(spark_pipeline, _spark_frames(spark, demo.frames))
    return local_pipeline, local, spark_pipeline, result


@pytest.mark.slow
def test_demo_same_choices_as_local(demo_runs: tuple[Pipeline, object, Pipeline,
                                                     SparkResult]) -> None:
    local_pipeline, local, spark_pipeline, result = demo_runs
    assert [r.name for r in spark_pipeline.blocking_rules_] == [
        r.name for r in local_pipeline.blocking_rules_]
    assert spark_pipeline.comparisons_ == local_pipeline.comparisons_
    assert result.threshold == pytest.approx(local.threshold, abs=1e-9)
    for name in local_pipeline.model_.names_:
        np.testing.assert_allclose(spark_pipeline.model_.m_[name],
                                   local_pipeline.model_.m_[name], rtol=1e-9)
        np.testing.assert_allclose(spark_pipeline.model_.u_[name],
                                   local_pipeline.model_.u_[name], rtol=1e-12)


@pytest.mark.slow
def test_demo_same_clusters_golden_and_lineage(demo_runs: tuple[Pipeline, object, Pipeline,
                                                                SparkResult]) -> None:
    _, local, _, result = demo_runs
    _assert_same(local, result)
    assert result.pairs.count() == len(local.pairs)


@pytest.mark.slow
def test_demo_writes_parquet_between_rounds(demo_runs: tuple[Pipeline, object, Pipeline,
                                                              SparkResult]) -> None:
    _, _, _, result = demo_runs
    rounds = [p for p in result.checkpoint_paths if "/components_" in p]
    assert len(rounds) == result.cluster_rounds + 1 >= 2
    for path in rounds:
        assert list(Path(path).glob("*.parquet"))


def test_chain_needs_several_rounds(spark: SparkSession, tmp_path: Path) -> None:
    n = 40
    order = np.random.default_rng(3).permutation(n)  # a path graph with shuffled labels
    edges = spark.createDataFrame(pd.DataFrame({"a": order[:-1], "b": order[1:]}))
    labels, rounds = components(edges, Checkpoints(spark, str(tmp_path)))
    table = labels.toPandas()
    assert rounds >= 3
    assert len(table) == n and set(table["component"]) == {0}
    assert len(list(tmp_path.rglob("components_*"))) == rounds + 1


def test_threshold_from_counts_equals_threshold_from_pairs() -> None:
    from goldenrec._scoring import choose_threshold  # noqa: PLC0415

    rng = np.random.default_rng(0)
    for _ in range(50):
        values = rng.choice(rng.random(8), size=200)
        distinct, counts = np.unique(values, return_counts=True)
        assert choose_threshold_counts(distinct, counts.astype(float)) == choose_threshold(
            values)


@pytest.mark.parametrize("extra", [
    {"cannot_link": ("date_of_birth",), "must_link": (block_on("phone"),)},
    pytest.param({"clustering": "connected_components"}, marks=pytest.mark.slow),
])
def test_hand_written_spec_through_pipeline_resolve(spark: SparkSession,
                                                    extra: dict[str, object]) -> None:
    """A Spark DataFrame given to ``Pipeline.resolve`` runs on Spark (small and fast)."""
    demo = load_demo()
    frames = {name: frame.head(60) for name, frame in demo.frames.items()
              if name in ("crm", "webshop")}
    sources = [s for s in demo.sources if s.name in frames]
    options = {"blocking_rules": [block_on("email"), block_on("last_name", "date_of_birth")],
               "comparisons": [NameComparison("first_name"), NameComparison("last_name"),
                               EmailComparison("email"), DateComparison("date_of_birth")],
               "threshold": 0.9, "auto_fields": False, **extra}
    local = Pipeline(sources, **options).resolve(frames)
    result = Pipeline(sources, **options).resolve(_spark_frames(spark, frames))
    assert isinstance(result, SparkResult)
    _assert_same(local, result)
    assert result.cluster_rounds >= 1


def test_spark_engine_rejects_what_it_cannot_run(spark: SparkSession) -> None:
    frame = spark.createDataFrame(pd.DataFrame({"id": ["1"], "last_name": ["Lee"]}))
    with pytest.raises(ConfigError, match="blocking rules"):
        Pipeline(blocking_rules=[SortedNeighbourhood("last_name")]).resolve(frame)
    with pytest.raises(ConfigError, match="engine"):
        Pipeline(engine="dask").resolve(frame)


@pytest.mark.slow
def test_febrl3_subset(spark: SparkSession, tmp_path: Path) -> None:
    frame = read_febrl("dataset3.csv")
    frame = frame[frame["rec_id"].str.extract(r"rec-(\d+)")[0].astype(int) < 250]
    local = Pipeline(key="rec_id").resolve(frame)
    result = SparkEngine(spark, checkpoint_dir=str(tmp_path)).resolve(
        Pipeline(key="rec_id"), spark.createDataFrame(frame.astype(object).where(
            frame.notna(), None)))
    _assert_same(local, result)


def test_correlated_term_frequencies_as_local(spark: SparkSession) -> None:
    """The Spark comparator rescales correlated address frequencies as the local one."""
    from goldenrec import Comparator  # noqa: PLC0415
    from goldenrec.spark._scoring import compare  # noqa: PLC0415

    from .test_correlated import COMPARISONS, _address_records  # noqa: PLC0415

    records = _address_records(n_streets=120)
    rng = np.random.default_rng(2)
    left = rng.integers(0, len(records) - 3, 400)
    pairs = pd.DataFrame({"row_l": left, "row_r": left + rng.integers(1, 4, 400)}
                         ).drop_duplicates().sort_values(["row_l", "row_r"]
                                                         ).reset_index(drop=True)
    local = Comparator(COMPARISONS).compare(pairs, records)
    assert not local.equals(Comparator(COMPARISONS, correlated=()).compare(pairs, records))
    spark_records = spark.createDataFrame(records.assign(row=np.arange(len(records))))
    compared, _ = compare(spark_records, spark.createDataFrame(pairs), list(COMPARISONS))
    result = compared.toPandas().sort_values(["row_l", "row_r"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(result[local.columns], local, check_dtype=False)
