"""The shipped demo sample: three messy sources, their settings and the answer key."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import pandas as pd

from goldenrec._io import read_table
from goldenrec._metrics import PairwiseScores, pairwise_scores
from goldenrec._result import Result
from goldenrec._schema import Source
from goldenrec.errors import InputError

__all__ = ["DEMO_SOURCES", "Demo", "evaluate", "load_demo"]

_PACKAGE = "goldenrec._demo"
_KEYS = ("source", "record_key")
TRUTH_COLUMNS = ("source", "record_key", "person_id")

#: How each demo source is read; every column's role is inferred from its name.
DEMO_SOURCES: tuple[Source, ...] = (
    Source("crm", key="id", date_order="YMD"),
    Source("webshop", key="customer_no", date_order="DMY"),
    Source("support", key="contact_id", date_order="MDY"),
)


@dataclass(frozen=True)
class Demo:
    """The demo sources as text frames, how to read them, and the true person per record."""

    frames: dict[str, pd.DataFrame]
    sources: list[Source]
    truth: pd.DataFrame


def _read(name: str) -> pd.DataFrame:
    resource = resources.files(_PACKAGE).joinpath(f"{name}.csv")
    with resources.as_file(resource) as path:
        return read_table(path)


def load_demo() -> Demo:
    """Load the shipped demo sample.

    >>> demo = load_demo()
    >>> sorted(demo.frames), len(demo.truth) == sum(map(len, demo.frames.values()))
    (['crm', 'support', 'webshop'], True)
    """
    frames = {source.name: _read(source.name) for source in DEMO_SOURCES}
    truth = _read("truth")
    return Demo(frames=frames, sources=list(DEMO_SOURCES), truth=truth)


def evaluate(result: Result, truth: pd.DataFrame) -> PairwiseScores:
    """Pairwise precision and recall of ``result`` against a truth.

    ``truth`` has ``source``, ``record_key`` and ``person_id`` columns and must list
    exactly the records of ``result.xref``.
    """
    missing_columns = [c for c in TRUTH_COLUMNS if c not in truth.columns]
    if missing_columns:
        raise InputError(f"the truth lacks column(s) {', '.join(missing_columns)}")
    predicted = _keyed(result.xref[[*_KEYS, "golden_id"]])
    expected = _keyed(truth[list(TRUTH_COLUMNS)])
    for frame, what in ((predicted, "result"), (expected, "truth")):
        duplicated = frame.duplicated(list(_KEYS))
        if duplicated.any():
            first = frame[duplicated].iloc[0]
            raise InputError(f"the {what} lists a record more than once",
                             source=str(first["source"]),
                             record_key=str(first["record_key"]))
    merged = predicted.merge(expected, on=list(_KEYS), how="outer", indicator=True)
    for side, what in (("left_only", "the truth"), ("right_only", "the result")):
        absent = merged[merged["_merge"] == side]
        if len(absent):
            first = absent.iloc[0]
            raise InputError(f"{len(absent)} record(s) missing from {what}; the first is shown",
                             source=str(first["source"]),
                             record_key=str(first["record_key"]))
    return pairwise_scores(merged["golden_id"], merged["person_id"])


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    out: pd.DataFrame = frame.copy()
    for column in _KEYS:
        out[column] = out[column].astype(str).astype(object)
    return out
