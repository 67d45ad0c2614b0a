"""Arrays in forms that are quick to send between processes (pickled): a constant, codes
into a few labels, a narrower integer type, or texts joined by newlines. Worker
processes send their results this way; the receiver expands them to the same arrays.

>>> import numpy as np
>>> sent = compact(np.array(["a", "b", "a"], dtype=object))
>>> sent.kind, expanded(sent).tolist()
('labels', ['a', 'b', 'a'])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Compact", "compact", "compact_counts", "expanded", "expanded_counts"]


@dataclass(frozen=True, eq=False)
class Compact:
    """An array in a form that is quick to send: ``constant`` (``data`` the value),
    ``labels`` (``data`` codes into ``labels``), ``narrow`` (``data`` in a narrower
    integer type) or ``words`` (``data`` texts without newlines, joined by them)."""

    kind: str
    data: Any
    length: int
    dtype: np.dtype[Any]
    labels: list[Any] | None = None

    def array(self) -> np.ndarray:
        if self.kind == "constant":
            return np.full(self.length, self.data, dtype=self.dtype)
        if self.kind == "labels":
            labels = np.empty(len(self.labels or []), dtype=object)
            labels[:] = self.labels or []
            picked: np.ndarray = labels[self.data.astype(np.int64)]
            return picked
        if self.kind == "words":
            words = np.empty(self.length, dtype=object)
            words[:] = self.data.split("\n")
            return words
        return np.asarray(self.data, dtype=self.dtype)


def compact(value: Any) -> Any:
    """``value``, or a :class:`Compact` of it where that is quicker to send."""
    if not isinstance(value, np.ndarray) or value.ndim != 1 or not len(value):
        return value
    n = len(value)
    if value.dtype == object:
        if bool((value == None).all()):  # noqa: E711 (element-wise)
            return Compact("constant", None, n, value.dtype)
        codes, labels = pd.factorize(value)
        # few labels, no missing; texts only (factorising would merge 1, 1.0 and True)
        if bool((codes >= 0).all()) and len(labels) <= 1_000 \
                and all(isinstance(label, str) for label in labels):
            return Compact("labels", codes.astype(np.int16), n, value.dtype, list(labels))
        return value
    if value.dtype.kind in "iu" and value.dtype.itemsize > 4:
        low, high = int(value.min()), int(value.max())
        if low == high:
            return Compact("constant", low, n, value.dtype)
        if low >= -2**31 and high < 2**31:
            return Compact("narrow", value.astype(np.int32), n, value.dtype)
    return value


def expanded(value: Any) -> Any:
    return value.array() if isinstance(value, Compact) else value


def compact_counts(counts: pd.Series) -> Any:
    """Token counts, their words joined by newlines (words never hold whitespace)."""
    words = counts.index.to_numpy()
    if counts.index.dtype != object or not len(words):
        return counts
    try:
        joined = "\n".join(words.tolist())
    except TypeError:  # not all texts
        return counts
    if joined.count("\n") != len(words) - 1:
        return counts
    return (Compact("words", joined, len(words), words.dtype), counts.to_numpy(),
            counts.name, counts.index.name)


def expanded_counts(sent: Any) -> pd.Series:
    if isinstance(sent, pd.Series):
        return sent
    words, counts, name, index_name = sent
    index = pd.Index(words.array(), dtype=object, name=index_name)
    result: pd.Series = pd.Series(counts, index=index, dtype=counts.dtype, name=name)
    return result
