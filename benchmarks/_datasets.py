"""Loaders for the shared benchmark sets, each with its truth (entity per record)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "splink_datasets"


@dataclass(frozen=True)
class Dataset:
    name: str
    frames: dict[str, pd.DataFrame]
    key: str
    truth: pd.DataFrame  # source, record_key, entity


def _febrl(name: str) -> pd.DataFrame:
    return pd.read_csv(SHARED / "febrl" / name, dtype=str, skipinitialspace=True,
                       keep_default_na=False, na_values=[""])


def _febrl_truth(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    parts = [pd.DataFrame({"source": source, "record_key": frame["rec_id"],
                           "entity": frame["rec_id"].str.extract(r"rec-(\d+)")[0]})
             for source, frame in frames.items()]
    return pd.concat(parts, ignore_index=True)


def febrl3() -> Dataset:
    frames = {"febrl3": _febrl("dataset3.csv")}
    return Dataset("febrl3", frames, "rec_id", _febrl_truth(frames))


def febrl4() -> Dataset:
    frames = {"a": _febrl("dataset4a.csv"), "b": _febrl("dataset4b.csv")}
    return Dataset("febrl4", frames, "rec_id", _febrl_truth(frames))


def fake_1000() -> Dataset:
    frame = pd.read_csv(SHARED / "fake_1000.csv", dtype=str, keep_default_na=False,
                        na_values=[""])
    truth = pd.DataFrame({"source": "fake_1000", "record_key": frame["unique_id"],
                          "entity": frame["cluster"]})
    return Dataset("fake_1000", {"fake_1000": frame.drop(columns=["cluster"])}, "unique_id",
                   truth)


def historical_50k() -> Dataset:
    frame = pd.read_parquet(SHARED / "historical_figures_with_errors_50k.parquet")
    frame = frame.astype(object).where(frame.notna(), None)
    frame = frame.map(lambda v: None if v is None else str(v))
    truth = pd.DataFrame({"source": "historical", "record_key": frame["unique_id"],
                          "entity": frame["cluster"]})
    return Dataset("historical_50k", {"historical": frame.drop(columns=["cluster"])},
                   "unique_id", truth)


DATASETS: dict[str, Callable[[], Dataset]] = {
    "febrl3": febrl3, "febrl4": febrl4, "fake_1000": fake_1000,
    "historical_50k": historical_50k,
}
