"""Evaluation against a truth: pairwise precision, recall and F1 of clusters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from goldenrec.errors import InputError

__all__ = ["PairwiseScores", "pairwise_scores"]


@dataclass(frozen=True)
class PairwiseScores:
    """Pair counts and the precision, recall and F1 they give."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs_within(codes: np.ndarray) -> int:
    counts = np.bincount(codes).astype(np.int64)
    return int((counts * (counts - 1) // 2).sum())


def pairwise_scores(predicted: Sequence[object] | pd.Series,
                    truth: Sequence[object] | pd.Series) -> PairwiseScores:
    """Compare two clusterings of the same records, aligned by position.

    >>> s = pairwise_scores(["a", "a", "b"], [1, 1, 1])
    >>> (s.precision, s.recall)
    (1.0, 0.3333333333333333)
    """
    predicted_s = pd.Series(list(predicted), dtype=object)
    truth_s = pd.Series(list(truth), dtype=object)
    if len(predicted_s) != len(truth_s):
        raise InputError("predicted and true clusterings have different lengths")
    if truth_s.isna().any():
        raise InputError("the truth has records without an entity")
    p_codes, _ = pd.factorize(predicted_s)
    t_codes, _ = pd.factorize(truth_s)
    joint, _ = pd.factorize(pd.Series(p_codes.astype(np.int64) * (t_codes.max() + 1) + t_codes))
    tp = _pairs_within(joint) if len(joint) else 0
    predicted_pairs = _pairs_within(p_codes) if len(p_codes) else 0
    true_pairs = _pairs_within(t_codes) if len(t_codes) else 0
    return PairwiseScores(tp, predicted_pairs - tp, true_pairs - tp)
