"""Clustering: connected components over pairs at or above a probability threshold."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from goldenrec.errors import ConfigError

__all__ = ["ConnectedComponents"]


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
        graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)),
                           shape=(n_records, n_records))
        _, labels = connected_components(graph, directed=False)
        # relabel each component by its smallest member, so ids do not depend on scipy
        smallest = np.full(labels.max() + 1 if n_records else 0, n_records, dtype=np.int64)
        np.minimum.at(smallest, labels, np.arange(n_records))
        return smallest[labels]
