"""Zero-configuration quality on the shared FEBRL sets (issue bar: F1 >= 0.995)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pandas as pd
import pytest

import goldenrec as gr

from .conftest import read_febrl

pytestmark = pytest.mark.slow


def febrl_f1(frames: dict[str, pd.DataFrame]) -> gr.PairwiseScores:
    result = gr.Pipeline().resolve(frames)
    assert len(result.xref) == sum(len(f) for f in frames.values())
    entity = result.xref["record_key"].str.extract(r"rec-(\d+)")[0]
    return gr.pairwise_scores(result.xref["golden_id"], entity)


def test_febrl3_zero_config() -> None:
    scores = febrl_f1({"febrl3": read_febrl("dataset3.csv")})
    assert scores.f1 >= 0.995, scores


def test_febrl4_zero_config_two_sources() -> None:
    scores = febrl_f1({"a": read_febrl("dataset4a.csv"), "b": read_febrl("dataset4b.csv")})
    assert scores.f1 >= 0.995, scores


def _zero_config_f1(name: str) -> float:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    datasets = importlib.import_module("_datasets")
    DATASETS = datasets.DATASETS  # noqa: N806
    try:
        dataset = DATASETS[name]()
    except FileNotFoundError:
        pytest.skip("shared benchmark data not found")
    result = gr.Pipeline(key=dataset.key).resolve(dataset.frames)
    return gr.evaluate(result, dataset.truth).pairwise.f1


def test_fake_1000_zero_config() -> None:
    assert _zero_config_f1("fake_1000") >= 0.95


def test_historical_50k_zero_config() -> None:
    assert _zero_config_f1("historical_50k") >= 0.90
