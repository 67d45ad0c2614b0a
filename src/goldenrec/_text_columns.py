"""Text columns built the way pandas would build them, without converting each text.

pandas 3 turns an object array of texts into an Arrow-backed ``str`` column by checking
and converting every element in Python, which costs seconds per million values. These
helpers give the same column (same dtype, same values) through pyarrow directly, or
leave the work to pandas where pandas would not infer Arrow strings (pandas 2, no
pyarrow, values that are not all text).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from goldenrec._survivorship_rules import arrow

__all__ = ["text_column", "text_from_codes"]


@functools.cache
def _arrow_text_dtype() -> pd.StringDtype | None:
    """The dtype pandas infers for texts when it is Arrow-backed (else ``None``)."""
    dtype = pd.Series(["a"]).dtype
    if arrow() is not None and isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return dtype
    return None


def text_column(values: np.ndarray) -> Any:
    """``values`` (texts and missing values) as the array pandas would make of them.

    >>> list(pd.Series(text_column(np.array(["a", None], dtype=object))).isna())
    [False, True]
    """
    return _as_pandas(_arrow_texts(values), lambda: values)


def text_from_codes(labels: np.ndarray, codes: np.ndarray) -> Any:
    """``labels[codes]`` as the array pandas would make of it, converting each label once.

    >>> list(pd.Series(text_from_codes(np.array(["x", "y"], dtype=object),
    ...                                np.array([1, 0, 1]))))
    ['y', 'x', 'y']
    """
    texts = _arrow_texts(labels)
    if texts is not None:
        pa = arrow()[0]  # type: ignore[index]  # texts say pyarrow is there
        texts = texts.take(pa.array(np.asarray(codes, dtype=np.int64)))
    return _as_pandas(texts, lambda: np.asarray(labels, dtype=object)[codes])


def _arrow_texts(values: np.ndarray) -> Any:
    """``values`` as an Arrow text array where pandas would infer Arrow-backed text from
    them, else ``None`` (pandas 2, no pyarrow, values not all text: pandas decides)."""
    if _arrow_text_dtype() is None or not len(values):
        return None
    pa = arrow()[0]  # type: ignore[index]  # the dtype says pyarrow is there
    try:
        return pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def _as_pandas(texts: Any, otherwise: Callable[[], Any]) -> Any:
    """Arrow ``texts`` as pandas' text array; ``otherwise()`` where there are none or all
    are missing (pandas keeps all-missing columns as objects)."""
    if texts is None or texts.null_count == len(texts):
        return otherwise()
    return pd.array(texts, dtype=_arrow_text_dtype())
