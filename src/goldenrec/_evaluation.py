"""Evaluation for notebooks: scores against a truth, and the model's own estimate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from goldenrec._metrics import PairwiseScores, pairwise_scores
from goldenrec.errors import InputError

if TYPE_CHECKING:
    from goldenrec._result import Result

__all__ = ["ClusterScores", "Evaluation", "estimate_quality", "evaluate"]


@dataclass(frozen=True)
class ClusterScores:
    """B-cubed precision/recall/F1 and counts of over- and under-merged clusters."""

    b_cubed_precision: float
    b_cubed_recall: float
    over_merged: int
    under_merged: int

    @property
    def b_cubed_f1(self) -> float:
        p, r = self.b_cubed_precision, self.b_cubed_recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Evaluation:
    """Scores of a result against a truth.

    ``pairwise``: pairwise precision/recall/F1 of the final clusters; ``clusters``:
    B-cubed and over/under-merged counts; ``blocking_recall``: the share of true pairs
    that blocking proposed; ``curve``: precision/recall/F1 of candidate pairs at each
    probability threshold (pairs, before clustering).
    """

    pairwise: PairwiseScores
    clusters: ClusterScores
    blocking_recall: float
    curve: pd.DataFrame

    def table(self) -> pd.DataFrame:
        """The headline figures as a one-column table."""
        table: pd.DataFrame = pd.DataFrame({"value": {
            "pairwise precision": self.pairwise.precision,
            "pairwise recall": self.pairwise.recall,
            "pairwise F1": self.pairwise.f1,
            "B-cubed precision": self.clusters.b_cubed_precision,
            "B-cubed recall": self.clusters.b_cubed_recall,
            "B-cubed F1": self.clusters.b_cubed_f1,
            "over-merged clusters": float(self.clusters.over_merged),
            "under-merged entities": float(self.clusters.under_merged),
            "blocking recall": self.blocking_recall,
        }})
        return table


def _aligned_truth(result: Result, truth: pd.DataFrame | pd.Series) -> np.ndarray:
    """The true entity of each record, in the order of ``result.records``."""
    records = result.records[["source", "record_key"]]
    if isinstance(truth, pd.Series):
        if len(truth) != len(result.xref):
            raise InputError("a truth Series must align with result.xref")
        frame = result.xref[["source", "record_key"]].assign(entity=truth.to_numpy())
    else:
        missing = {"source", "record_key", "entity"} - set(truth.columns)
        if missing:
            raise InputError(f"the truth needs columns source, record_key, entity; "
                             f"missing {sorted(missing)}")
        frame = truth[["source", "record_key", "entity"]]
    merged = records.merge(frame.astype({"source": object, "record_key": object}),
                           on=["source", "record_key"], how="left", validate="1:1")
    if merged["entity"].isna().any():
        first = merged[merged["entity"].isna()].iloc[0]
        raise InputError("record missing from the truth", source=str(first["source"]),
                         record_key=str(first["record_key"]))
    entity: np.ndarray = merged["entity"].astype(str).to_numpy()
    return entity


def _b_cubed(predicted: np.ndarray, truth: np.ndarray) -> ClusterScores:
    joint = pd.DataFrame({"p": predicted, "t": truth})
    cell = joint.groupby(["p", "t"]).size()
    p_size = joint.groupby("p").size()
    t_size = joint.groupby("t").size()
    # each record's precision: |its cell| / |its predicted cluster|, and so on
    cell_frame = cell.rename("n").reset_index()
    cell_frame["p_size"] = p_size.reindex(cell_frame["p"]).to_numpy()
    cell_frame["t_size"] = t_size.reindex(cell_frame["t"]).to_numpy()
    n = len(predicted)
    precision = float((cell_frame["n"] ** 2 / cell_frame["p_size"]).sum() / n)
    recall = float((cell_frame["n"] ** 2 / cell_frame["t_size"]).sum() / n)
    over = int((cell_frame.groupby("p").size() > 1).sum())
    under = int((cell_frame.groupby("t").size() > 1).sum())
    return ClusterScores(precision, recall, over, under)


def evaluate(result: Result, truth: pd.DataFrame | pd.Series,
             thresholds: np.ndarray | None = None) -> Evaluation:
    """Score a result against a truth (``source, record_key, entity`` rows, or a Series
    aligned with ``result.xref``).

    >>> import pandas as pd, goldenrec as gr
    >>> frame = pd.DataFrame({"id": ["1", "2", "3"], "first_name": ["Ann", "Ann", "Bo"],
    ...                       "last_name": ["Lee", "Lee", "Ray"]})
    >>> result = gr.resolve({"s": frame})
    >>> truth = pd.DataFrame({"source": "s", "record_key": ["1", "2", "3"],
    ...                       "entity": ["a", "a", "b"]})
    >>> round(gr.evaluate(result, truth).pairwise.f1, 3)
    1.0
    """
    entity = _aligned_truth(result, truth)
    golden = result.xref.set_index(["source", "record_key"])["golden_id"]
    predicted = golden.reindex(
        pd.MultiIndex.from_frame(result.records[["source", "record_key"]])).to_numpy()
    pairwise = pairwise_scores(list(predicted), list(entity))
    clusters = _b_cubed(predicted.astype(str), entity)
    pairs = result.pairs
    is_true = entity[pairs["row_l"].to_numpy()] == entity[pairs["row_r"].to_numpy()]
    _, counts = np.unique(entity, return_counts=True)
    true_pairs = int((counts.astype(np.int64) * (counts - 1) // 2).sum())
    blocking_recall = float(is_true.sum() / true_pairs) if true_pairs else 1.0
    grid = thresholds if thresholds is not None else np.round(np.linspace(0.05, 0.95, 19), 2)
    probability = pairs["match_probability"].to_numpy()
    rows = []
    for threshold in grid:
        selected = probability >= threshold
        found = int(is_true[selected].sum())
        precision = found / int(selected.sum()) if selected.any() else 1.0
        recall = found / true_pairs if true_pairs else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"threshold": float(threshold), "precision": precision,
                     "recall": recall, "f1": f1})
    return Evaluation(pairwise, clusters, blocking_recall, pd.DataFrame(rows))


def estimate_quality(result: Result) -> dict[str, float]:
    """The model's own estimate of pair precision, recall and F1 at the threshold.

    No labels: the match probabilities of the candidate pairs are taken at their word
    (expected true matches above the threshold are the sum of their probabilities).
    Matches that blocking never proposed are invisible to it, so recall is an upper
    bound; compare with :func:`evaluate` where a truth exists.
    """
    probability = result.pairs["match_probability"].to_numpy(dtype=np.float64)
    selected = probability >= result.threshold
    expected_matches = float(probability.sum())
    true_positive = float(probability[selected].sum())
    precision = true_positive / int(selected.sum()) if selected.any() else 1.0
    recall = true_positive / expected_matches if expected_matches else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1,
            "expected_matches": expected_matches}
