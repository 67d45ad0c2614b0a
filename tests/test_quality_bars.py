"""Zero-configuration quality on the shared FEBRL sets (issue bar: F1 >= 0.995)."""

from __future__ import annotations

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
