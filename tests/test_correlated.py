"""Correlated address fields: agreeing on a street and its town is one coincidence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from goldenrec import Comparator, ExactComparison, IdentifierComparison, StringComparison
from goldenrec._comparisons import _KeyColumns
from goldenrec._correlated import (
    address_groups,
    combination_counts,
    combination_shares,
    correlated_combinations,
)
from goldenrec._frozen import FrozenState

VALID = "valid"


def _address_records(n_streets: int = 400, per_street: int = 3, seed: int = 0
                     ) -> pd.DataFrame:
    """Streets each in one town with one postcode (fully correlated), plus a house
    number that varies independently of the street."""
    rng = np.random.default_rng(seed)
    street = np.repeat([f"street {i}" for i in range(n_streets)], per_street)
    town_of = rng.integers(0, 20, size=n_streets)
    town = np.repeat([f"town {t}" for t in town_of], per_street)
    postcode = np.repeat([f"p{i:04d}" for i in range(n_streets)], per_street)
    number = rng.integers(1, 30, size=len(street)).astype(str)
    frame = {"source": "s", "record_key": [str(i) for i in range(len(street))]}
    for field, values in (("street", street), ("locality", town), ("postcode", postcode),
                          ("street_number", number)):
        frame[field] = values
        frame[f"{field}_key"] = values
        frame[f"{field}_status"] = VALID
    return pd.DataFrame(frame)


COMPARISONS = (ExactComparison("street_number", term_frequency=True),
               StringComparison("street", term_frequency=True),
               StringComparison("locality", term_frequency=True),
               IdentifierComparison("postcode", term_frequency=True))


def _pairs(left: list[int], right: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"row_l": left, "row_r": right})


def test_the_address_fields_form_the_default_group() -> None:
    assert address_groups(COMPARISONS) == (("street_number", "street", "locality",
                                            "postcode"),)
    plain = (StringComparison("street"), IdentifierComparison("postcode"))
    assert address_groups(plain) == ()  # without term frequencies there is nothing to fix


def test_a_street_its_town_and_postcode_count_once() -> None:
    records = _address_records()
    pairs = _pairs([0], [1])  # two records of one street: street, town, postcode agree
    independent = Comparator(COMPARISONS, correlated=()).compare(pairs, records)
    joint = Comparator(COMPARISONS).compare(pairs, records)
    agreeing = [n for n in ("street", "locality", "postcode")
                if independent[f"gamma_{n}"].iloc[0] == 0]
    assert agreeing == ["street", "locality", "postcode"]
    before = np.prod([independent[f"tf_{n}"].iloc[0] for n in agreeing])
    after = np.prod([joint[f"tf_{n}"].iloc[0] for n in agreeing])
    share = 3 / len(records)  # records holding this street, town and postcode together
    assert before == pytest.approx(share * share * independent["tf_locality"].iloc[0])
    assert after == pytest.approx(share)  # the combination's own share, not a product
    # the rarest member keeps its frequency, the others give up their evidence
    assert joint["tf_street"].iloc[0] == pytest.approx(independent["tf_street"].iloc[0])
    assert joint["tf_locality"].iloc[0] > independent["tf_locality"].iloc[0]


def test_independent_fields_are_left_alone() -> None:
    records = _address_records()
    # same town, different street: town and house number may agree, independently
    town = records["locality"].to_numpy()
    number = records["street_number"].to_numpy()
    left, right = next((i, j) for i in range(len(records)) for j in range(i + 3, len(records))
                       if town[i] == town[j] and number[i] == number[j])
    pairs = _pairs([left], [right])
    independent = Comparator(COMPARISONS, correlated=()).compare(pairs, records)
    joint = Comparator(COMPARISONS).compare(pairs, records)
    # the combination is about as common as the product says: at most a small change
    for name in ("locality", "street_number"):
        ratio = joint[f"tf_{name}"].iloc[0] / independent[f"tf_{name}"].iloc[0]
        assert 1.0 <= ratio < 3.0


def test_combination_shares_need_every_field() -> None:
    first = np.array([0, 0, 1, -1] * 80)
    second = np.array([5, 5, 5, 5] * 80)
    shares = combination_shares([first, second], minimum=200)
    assert shares[:4] == pytest.approx([2 / 3, 2 / 3, 1 / 3, np.nan], nan_ok=True)
    assert np.isnan(combination_shares([first[:40], second[:40]], minimum=200)).all()


def test_frozen_counts_give_the_same_frequencies() -> None:
    records = _address_records()
    rng = np.random.default_rng(1)
    left = rng.integers(0, len(records), 300)
    right = np.minimum(left + rng.integers(1, 4, 300), len(records) - 1)
    keep = left < right
    pairs = _pairs(left[keep].tolist(), right[keep].tolist())
    gamma = Comparator(COMPARISONS).compare(pairs, records)
    term_counts: dict[str, dict[str, int]] = {}
    term_totals: dict[str, int] = {}
    fields = [c.field for c in COMPARISONS]
    for field in fields:
        counts = records[f"{field}_key"].value_counts()
        term_counts[field] = {str(k): int(v) for k, v in counts.items() if v >= 2}
        term_totals[field] = len(records)
    for combo in correlated_combinations(COMPARISONS):
        keys = records[[f"{f}_key" for f in combo]].agg("\x1f".join, axis=1).value_counts()
        term_counts["+".join(combo)] = {str(k): int(v) for k, v in keys.items() if v >= 2}
        term_totals["+".join(combo)] = len(records)
    state = FrozenState(term_counts=term_counts, term_totals=term_totals)
    frozen = gamma.copy()
    state.term_frequencies(frozen, pairs, records, COMPARISONS)
    pd.testing.assert_frame_equal(frozen, gamma)


def test_combination_counts_match_a_plain_count() -> None:
    records = _address_records(n_streets=50)
    records.loc[[0, 5], "street_status"] = "invalid"  # not valid: not counted
    # the last records lack a field: their codes are the highest (regression: indexing)
    records.loc[len(records) - 4:, "street_number_status"] = "missing"
    fields = ("street", "street_number")
    columns = _KeyColumns(records)
    counts, total = combination_counts([columns.codes((f,))[0][0] for f in fields],
                                       [columns.get(f) for f in fields])
    valid = records[(records["street_status"] == VALID)
                    & (records["street_number_status"] == VALID)]
    plain = valid[[f"{f}_key" for f in fields]].agg("\x1f".join, axis=1).value_counts()
    assert total == len(valid)
    assert counts == {str(k): int(v) for k, v in plain.items() if v >= 2}
