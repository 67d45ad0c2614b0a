"""Text columns built through Arrow equal those pandas infers (dtype and values)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from goldenrec._lineage import _large_text
from goldenrec._text_columns import text_column, text_from_codes

CASES = [
    ["a", "b", None],
    ["Müller", "כהן", "山田", "Bērziņš", ""],
    [None, "x", float("nan")],
    [None, None],
    [],
    ["1", 2, "3"],          # not all text: pandas decides (object)
    [pd.NA, "a"],
]


@pytest.mark.parametrize("values", CASES)
def test_text_column_is_what_pandas_infers(values: list[object]) -> None:
    array = np.array(values, dtype=object)
    pd.testing.assert_series_equal(pd.Series(text_column(array)), pd.Series(array))


@pytest.mark.parametrize("values", [v for v in CASES if v])
def test_text_from_codes_is_what_pandas_infers(values: list[object]) -> None:
    labels = np.array(values, dtype=object)
    codes = np.array([len(values) - 1, 0, 0, len(values) - 1], dtype=np.int64)
    pd.testing.assert_series_equal(pd.Series(text_from_codes(labels, codes)),
                                   pd.Series(labels[codes]))


@given(st.lists(st.one_of(st.none(), st.text(max_size=5)), max_size=30))
def test_text_column_property(values: list[str | None]) -> None:
    array = np.array(values, dtype=object)
    pd.testing.assert_series_equal(pd.Series(text_column(array)), pd.Series(array))


def test_large_text_of_categorical_names_as_astype_str() -> None:
    column = pd.Series(pd.Categorical.from_codes(np.array([2, 0, 2, 1]), ["crm", "shop", "7"]))
    assert _large_text(column).to_pylist() == column.astype(str).tolist()
