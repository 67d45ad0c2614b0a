"""What the Spark engine returns: the local result's tables as Spark DataFrames."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame

__all__ = ["SparkResult"]


@dataclass(frozen=True)
class SparkResult:
    """Golden records, cross-reference, lineage and scored pairs as Spark DataFrames.

    The tables have the local :class:`~goldenrec.Result`'s columns (``pairs`` also
    keeps ``row_l``/``row_r``, the records' positions in ``(source, record_key)``
    order). :meth:`to_pandas` collects one of them sorted as the local engine sorts it.
    ``cluster_rounds`` is how many rounds connected components took;
    ``checkpoint_paths`` the Parquet tables written on the way.
    """

    golden: DataFrame
    xref: DataFrame
    lineage: DataFrame
    conflicts: DataFrame
    confidence: DataFrame
    pairs: DataFrame
    records: DataFrame
    quality: DataFrame
    mapping: pd.DataFrame
    threshold: float
    blocking_stats: pd.DataFrame
    model: Any = None
    comparisons: Sequence[Any] = field(default_factory=tuple)
    fields: tuple[str, ...] = ()
    cluster_rounds: int = 0
    checkpoint_paths: tuple[str, ...] = ()

    _ORDER: ClassVar[dict[str, list[str]]] = {
        "golden": ["golden_id"],
        "xref": ["source", "record_key"],
        "lineage": ["golden_id", "field", "position"],
        "conflicts": ["golden_id", "field", "value"],
        "confidence": ["golden_id"],
        "pairs": ["row_l", "row_r"],
        "quality": ["source", "record_key", "field"],
    }

    def to_pandas(self, name: str) -> pd.DataFrame:
        """One table (``golden``, ``xref``, ``lineage``...) collected as pandas, in
        the local engine's order. Collect only what fits in the driver's memory."""
        if name not in self._ORDER:
            raise KeyError(name)
        frame: pd.DataFrame = getattr(self, name).toPandas()
        for column in frame.columns:
            if frame[column].dtype == object or pd.api.types.is_string_dtype(
                    frame[column].dtype):
                values = frame[column].astype(object)
                frame[column] = values.where(values.notna(), None).map(
                    lambda v: list(v) if isinstance(v, np.ndarray) else v)
        order = [c for c in self._ORDER[name] if c in frame.columns]
        frame = frame.sort_values(order, kind="mergesort").reset_index(drop=True)
        return frame
