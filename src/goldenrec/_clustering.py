"""Clustering: connected components over pairs at or above a probability threshold."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from goldenrec.errors import ConfigError

__all__ = ["ConnectedComponents", "Constraint", "WeightedClustering"]


@dataclass(frozen=True)
class Constraint:
    """A cannot-link rule: records whose values conflict never share a cluster.

    ``values`` holds one value per record (``None`` where missing); ``conflict`` says
    whether two lists of distinct values can belong to one customer.

    >>> c = Constraint("national_id", np.array(["1", "2", None], dtype=object),
    ...                lambda a, b: bool(set(a) ^ set(b)))
    >>> c.conflict(["1"], ["2"])
    True
    """

    name: str
    values: np.ndarray
    conflict: Callable[[list[object], list[object]], bool]


def _by_smallest_member(labels: np.ndarray, n_records: int) -> np.ndarray:
    """Relabel each cluster by its smallest row position, so ids do not depend on how
    the clusters were found."""
    smallest = np.full(int(labels.max()) + 1 if n_records else 0, n_records, dtype=np.int64)
    np.minimum.at(smallest, labels, np.arange(n_records))
    relabelled: np.ndarray = smallest[labels]
    return relabelled


class ConnectedComponents:
    """Every record in exactly one cluster; a cluster's id is its smallest row position.

    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"row_l": [0, 2], "row_r": [1, 3],
    ...                       "match_probability": [0.99, 0.2]})
    >>> ConnectedComponents(0.9).cluster(pairs, 4).tolist()
    [0, 0, 2, 3]
    """

    def __init__(self, threshold: float = 0.9) -> None:
        self.threshold = threshold

    def cluster(self, pairs: pd.DataFrame, n_records: int) -> np.ndarray:
        """Cluster id per record row (``0..n_records-1``)."""
        if not 0.0 <= self.threshold <= 1.0:
            raise ConfigError("threshold must be between 0 and 1")
        keep = pairs["match_probability"].to_numpy() >= self.threshold
        left = pairs["row_l"].to_numpy()[keep]
        right = pairs["row_r"].to_numpy()[keep]
        return _by_smallest_member(_components(left, right, n_records), n_records)


def _components(left: np.ndarray, right: np.ndarray, n_records: int) -> np.ndarray:
    """Connected-component label per record of the graph with edges ``left - right``."""
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)),
                       shape=(n_records, n_records))
    _, labels = connected_components(graph, directed=False)
    result: np.ndarray = labels
    return result


class WeightedClustering:
    """Greedy correlation clustering: merge only when the evidence between two groups
    is positive overall, so one weak bridge cannot glue two customers together.

    Each scored pair carries ``s = logit(p) - logit(threshold)``. Pairs above the
    threshold are taken strongest first; the groups of their two records merge only if
    the sum of ``s`` over all scored pairs between the two groups is positive (pairs
    blocking never proposed count as no evidence). With a single pair between two
    records this is exactly the threshold rule; with many, a bridge between two groups
    that otherwise disagree is refused. ``negative_cap`` limits how much one pair can
    speak against a merge (in log-odds), so that a pair made weak by missing or
    corrupted values cannot veto alone. ``cannot_link`` pairs ``(row, row)`` are never
    put in one cluster.

    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"row_l": [0, 1, 0], "row_r": [1, 2, 2],
    ...                       "match_probability": [0.99, 0.95, 0.001]})
    >>> WeightedClustering(0.9).cluster(pairs, 3).tolist()
    [0, 0, 2]
    """

    def __init__(self, threshold: float = 0.9, *, negative_cap: float | None = 2.0) -> None:
        self.threshold = threshold
        self.negative_cap = negative_cap

    def cluster(self, pairs: pd.DataFrame, n_records: int,
                cannot_link: pd.DataFrame | None = None,
                constraints: Sequence[Constraint] = (),
                must_link: pd.DataFrame | None = None) -> np.ndarray:
        """Cluster id per record row. ``must_link`` pairs are merged first, whatever
        the evidence or constraints say; ``constraints`` and ``cannot_link`` pairs
        forbid every other merge that would break them."""
        if not 0.0 < self.threshold < 1.0:
            raise ConfigError("threshold must be between 0 and 1 (exclusive)")
        probability = np.clip(pairs["match_probability"].to_numpy(dtype=np.float64),
                              1e-15, 1 - 1e-15)
        score = (np.log(probability / (1 - probability))
                 - np.log(self.threshold / (1 - self.threshold)))
        if self.negative_cap is not None:
            score = np.maximum(score, -self.negative_cap)
        left = pairs["row_l"].to_numpy(dtype=np.int64)
        right = pairs["row_r"].to_numpy(dtype=np.int64)
        forced_left: list[int] = []
        forced_right: list[int] = []
        if must_link is not None and len(must_link):
            forced_left = must_link["row_l"].astype(np.int64).tolist()
            forced_right = must_link["row_r"].astype(np.int64).tolist()
        # merges only ever happen along positive (or forced) edges, so the evidence of a
        # pair whose records lie in different components of those edges is never read
        component = _components(
            np.concatenate([left[score >= 0], np.asarray(forced_left, dtype=np.int64)]),
            np.concatenate([right[score >= 0], np.asarray(forced_right, dtype=np.int64)]),
            n_records)
        inside = component[left] == component[right]
        left, right, score = left[inside], right[inside], score[inside]
        # a plain list: element access from Python is much faster than on an ndarray
        parent = list(range(n_records))
        evidence: dict[int, dict[int, float]] = {}
        for a, b, s in zip(left.tolist(), right.tolist(), score.tolist()):
            links_of_a = evidence.setdefault(a, {})
            links_of_a[b] = links_of_a.get(b, 0.0) + s
            links_of_b = evidence.setdefault(b, {})
            links_of_b[a] = links_of_b.get(a, 0.0) + s
        if cannot_link is not None and len(cannot_link):
            for a, b in zip(cannot_link["row_l"].tolist(), cannot_link["row_r"].tolist()):
                evidence.setdefault(a, {})[b] = -np.inf
                evidence.setdefault(b, {})[a] = -np.inf

        def find(x: int) -> int:
            root = x
            while parent[root] != root:
                root = parent[root]
            while parent[x] != root:
                parent[x], x = root, parent[x]
            return root

        held: list[dict[int, list[object]]] = [
            {i: [v] for i, v in enumerate(c.values.tolist()) if v is not None}
            for c in constraints
        ]
        positive = np.flatnonzero(score >= 0)
        order = positive[np.lexsort((right[positive], left[positive], -score[positive]))]
        edges = [(a, b, True) for a, b in zip(forced_left, forced_right)] + [
            (int(left[i]), int(right[i]), False) for i in order.tolist()]
        for edge_left, edge_right, forced in edges:
            root_a, root_b = find(edge_left), find(edge_right)
            if root_a == root_b:
                continue
            links_a = evidence.get(root_a, {})
            if not forced and (links_a.get(root_b, 0.0) < 0 or any(
                    values.get(root_a) and values.get(root_b)
                    and constraint.conflict(values[root_a], values[root_b])
                    for constraint, values in zip(constraints, held))):
                continue
            # merge the smaller evidence map into the larger one
            links_b = evidence.get(root_b, {})
            if len(links_a) < len(links_b):
                root_a, root_b, links_a, links_b = root_b, root_a, links_b, links_a
            parent[root_b] = root_a
            for values in held:
                if root_b in values:
                    merged = values.setdefault(root_a, [])
                    merged.extend(v for v in values.pop(root_b) if v not in merged)
            for other, value in links_b.items():
                if other == root_a:
                    continue
                links_a[other] = links_a.get(other, 0.0) + value
                other_links = evidence[other]
                other_links[root_a] = other_links.get(root_a, 0.0) + value
                del other_links[root_b]
            links_a.pop(root_b, None)
            evidence[root_a] = links_a
            evidence.pop(root_b, None)
        roots = np.array([find(i) for i in range(n_records)], dtype=np.int64)
        return _by_smallest_member(roots, n_records)
