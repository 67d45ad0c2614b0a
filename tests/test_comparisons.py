from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import goldenrec as gr
from goldenrec import (
    Comparator,
    DateComparison,
    EmailComparison,
    ExactComparison,
    IdentifierComparison,
    NameComparison,
    StringComparison,
)
from goldenrec._comparisons import comparison_from_dict
from goldenrec.errors import ConfigError


def test_missing_is_its_own_level() -> None:
    levels = NameComparison("first_name").levels(["ann", None, "bob"], ["ann", "ann", None])
    assert levels.tolist() == [0, -1, -1]


def test_name_levels() -> None:
    comparison = NameComparison("first_name", thresholds=(0.92, 0.8))
    left = ["jonathan", "jonathan", "mary", "mary"]
    right = ["jonathan", "jonathon", "marie", "peter"]
    assert comparison.levels(left, right).tolist() == [0, 1, 3, 4]
    assert comparison.labels == ("exact", "jaro_winkler>=0.92", "nickname",
                                 "jaro_winkler>=0.8", "else")


def test_nickname_level_from_the_normaliser() -> None:
    values = pd.Series(["Bob", "Robert", "Liz", "Elizabeth", "Peter"])
    normalised = gr.NameNormaliser(part="given").normalise(values)
    records = pd.DataFrame({
        "first_name_key": normalised["key"], "first_name_status": normalised["status"],
        "first_name_canonical": normalised["canonical"],
    })
    pairs = pd.DataFrame({"row_l": [0, 2, 0], "row_r": [1, 3, 4]})
    gamma = Comparator((NameComparison("first_name"),)).compare(pairs, records)
    assert gamma["gamma_first_name"].tolist() == [2, 2, 4]


def test_identifier_and_exact_levels() -> None:
    assert IdentifierComparison("phone").levels(
        ["123456", "123456", "123456"], ["123456", "123465", "999999"]).tolist() == [0, 1, 2]
    assert ExactComparison("gender").levels(["F", "F"], ["F", "M"]).tolist() == [0, 1]


def test_date_levels() -> None:
    comparison = DateComparison("date_of_birth")
    left = ["1980-02-03", "1980-02-03", "1980-02-03", "1980-02-03", "1980-02-03"]
    right = ["1980-02-03", "1980-02-08", "1980-03-02", "1980-10-30", "1950-01-01"]
    assert comparison.levels(left, right).tolist() == [0, 1, 1, 2, 3]


def test_distinct_value_pairs_are_computed_once() -> None:
    calls: list[int] = []

    class Counting(ExactComparison):
        def _levels(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
            calls.append(len(left))
            return super()._levels(left, right)

    Counting("x").levels(["a", "a", "a", "b"], ["d", "d", "d", "c"])
    assert calls == [2]
    calls.clear()  # equal keys are the first level without being compared
    Counting("x").levels(["a", "a", "a", "b"], ["a", "a", "a", "c"])
    assert calls == [1]


def test_comparator_uses_only_valid_keys() -> None:
    records = pd.DataFrame({
        "email_key": ["a@x", "a@x", "a@x"], "email_status": ["valid", "valid", "invalid"],
    })
    pairs = pd.DataFrame({"row_l": [0, 0], "row_r": [1, 2]})
    gamma = Comparator((ExactComparison("email"),)).compare(pairs, records)
    assert gamma["gamma_email"].tolist() == [0, -1]


def test_round_trip_and_validation() -> None:
    for comparison in (StringComparison("street", thresholds=(0.9, 0.7)),
                       IdentifierComparison("phone", max_edits=2), DateComparison("dob", 30)):
        assert comparison_from_dict(comparison.to_dict()) == comparison
    with pytest.raises(ConfigError):
        StringComparison("x", thresholds=(0.5, 0.9))
    with pytest.raises(ConfigError):
        comparison_from_dict({"type": "nope", "field": "x"})


def test_email_levels() -> None:
    comparison = EmailComparison("email")
    left = ["ann@x.org", "ann@x.org", "nw54@buckley.info", "jb20@apollo.lv", "ann@x.org"]
    right = ["ann@x.org", "ann@y.org", "nw5n@buckley.i4fo", "jb@apollo.lv", "bob@z.org"]
    assert comparison.levels(left, right).tolist() == [0, 1, 2, 3, 3]


def test_swapped_names_are_compared_the_way_round_that_fits() -> None:
    records = pd.DataFrame({
        "first_name_key": ["mason", "smith", "ann", None],
        "last_name_key": ["smith", "mason", "lee", "hunte"],
    })
    records["first_name_status"] = np.where(records["first_name_key"].isna(), "missing",
                                            "valid")
    records["last_name_status"] = "valid"
    extra = pd.DataFrame({"first_name_key": ["hunter"], "last_name_key": ["noah"],
                          "first_name_status": ["valid"], "last_name_status": ["valid"]})
    records = pd.concat([records, extra], ignore_index=True)
    pairs = pd.DataFrame({"row_l": [0, 0, 3], "row_r": [1, 2, 4]})
    comparator = Comparator((NameComparison("first_name", swap_with="last_name"),
                             NameComparison("last_name", swap_with="first_name")))
    gamma = comparator.compare(pairs, records)
    assert gamma["gamma_first_name"].tolist() == [0, 4, -1]
    assert gamma["gamma_last_name"].tolist() == [0, 4, 1]
    plain = Comparator((NameComparison("first_name"), NameComparison("last_name")))
    assert plain.compare(pairs, records)["gamma_first_name"].tolist()[0] == 4
