"""Shared scoring and reporting for the peer runners: standard library only.

Every runner, whatever its virtual environment, scores its final clusters with the
same code: pairwise precision / recall / F1 from a contingency table of predicted
cluster x true entity, and prints one JSON line (the last line of stdout).
"""

from __future__ import annotations

import json
import platform
import resource
from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Any


def pairs_within(sizes: Counter[Any]) -> int:
    """Number of unordered pairs inside groups of the given sizes."""
    return sum(n * (n - 1) // 2 for n in sizes.values())


def pairwise(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> dict[str, float]:
    """Pairwise precision / recall / F1 of a clustering against the true entities.

    >>> pairwise(["a", "a", "b"], [1, 1, 1])["recall"]
    0.3333333333333333
    """
    if len(predicted) != len(truth):
        raise ValueError("predicted and true clusterings have different lengths")
    table: Counter[Any] = Counter(zip(predicted, truth))
    tp = pairs_within(table)
    predicted_pairs = pairs_within(Counter(predicted))
    true_pairs = pairs_within(Counter(truth))
    precision = tp / predicted_pairs if predicted_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "predicted_pairs": predicted_pairs, "true_pairs": true_pairs,
            "precision": precision, "recall": recall, "f1": f1}


def peak_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if platform.system() == "Darwin" else peak / 1024


def report(*, tool: str, version: str, dataset: str, predicted: Sequence[Hashable],
           truth: Sequence[Hashable], candidate_pairs: int, true_candidate_pairs: int,
           seconds: float, **extra: Any) -> None:
    """Print the run's figures as JSON on the last stdout line.

    ``true_candidate_pairs`` counts candidate pairs whose two records share an entity;
    blocking recall is that count over all true pairs.
    """
    scores = pairwise(predicted, truth)
    true_pairs = scores["true_pairs"]
    row = {
        "tool": tool, "version": version, "dataset": dataset, "records": len(truth),
        "clusters": len(set(predicted)), "candidate_pairs": candidate_pairs,
        "blocking_recall": true_candidate_pairs / true_pairs if true_pairs else 1.0,
        **scores, "seconds": seconds, "peak_mib": peak_mib(), **extra,
    }
    print(json.dumps(row), flush=True)
