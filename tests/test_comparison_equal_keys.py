"""Pairs with equal keys skip the per-pair work only where that gives the same levels."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goldenrec._comparisons import (
    Comparison,
    DateComparison,
    EmailComparison,
    ExactComparison,
    IdentifierComparison,
    NameComparison,
    StringComparison,
)

BUILT_IN = [ExactComparison("x"), StringComparison("x"), NameComparison("x"),
            IdentifierComparison("x"), DateComparison("x"), EmailComparison("x")]
TEXT = st.one_of(
    st.text(alphabet="abcé山כ -.@", min_size=1, max_size=8),
    st.dates().map(lambda d: d.isoformat()),
    st.builds(lambda u, d: f"{u}@{d}.com", st.text("abc1", min_size=1, max_size=4),
              st.text("xyz", min_size=1, max_size=3)),
    st.builds(lambda k, c: f"{k}\x1f{c}", st.text("abc", min_size=1, max_size=4),
              st.text("abc", min_size=1, max_size=4)),
)


@pytest.mark.parametrize("comparison", BUILT_IN, ids=lambda c: c.kind)
@given(values=st.lists(TEXT, min_size=1, max_size=20))
@settings(max_examples=60, deadline=None)
def test_equal_values_are_the_first_level(comparison: Comparison, values: list[str]) -> None:
    assert comparison.equal_is_first_level
    array = np.array(values, dtype=object)
    assert (comparison._levels(array, array.copy()) == 0).all()


class _Reversed(StringComparison):
    """A custom comparison whose first level is not "equal" (stays compared pair by pair)."""

    equal_is_first_level = False

    def _levels(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        return np.where(left == right, 1, 0).astype(np.int8)


@pytest.mark.parametrize("comparison", [*BUILT_IN, _Reversed("x")], ids=lambda c: c.kind)
@given(codes=st.lists(st.tuples(st.integers(-1, 5), st.integers(-1, 5)), max_size=40))
@settings(max_examples=40, deadline=None)
def test_shortcut_gives_the_levels_of_pair_by_pair(comparison: Comparison,
                                                   codes: list[tuple[int, int]]) -> None:
    values = np.array(["anna", "anne", "2001-02-03", "2001-03-02", "a@b.com", "a@c.com"],
                      dtype=object)
    code_l = np.array([c[0] for c in codes], dtype=np.int64)
    code_r = np.array([c[1] for c in codes], dtype=np.int64)
    got = comparison.levels_of_codes(code_l, code_r, values)
    plain = dataclasses.replace(comparison)
    object.__setattr__(plain, "equal_is_first_level", False)
    want = plain.levels_of_codes(code_l, code_r, values)
    assert got.tolist() == want.tolist()
