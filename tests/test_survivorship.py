from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from goldenrec import Longest, MostFrequent, MostRecent, SourcePriority, Survivorship
from goldenrec._survivorship import rule_from_dict
from goldenrec.errors import ConfigError


def records() -> pd.DataFrame:
    return pd.DataFrame({
        "source": ["crm", "crm", "shop", "shop", "desk"],
        "record_key": ["1", "2", "a", "b", "x"],
        "email": ["ann@x.org", None, "ann@x.org", "ANN@y.org", "bad"],
        "email_key": ["ann@x.org", None, "ann@x.org", "ann@y.org", None],
        "email_status": ["valid", "placeholder", "valid", "valid", "invalid"],
        "updated_at": ["2020-01-01T00:00:00", "2024-01-01T00:00:00", "2021-01-01T00:00:00",
                       "2023-01-01T00:00:00", "2025-01-01T00:00:00"],
        "updated_at_key": [None] * 5,
        "updated_at_status": ["valid"] * 5,
    })


def test_most_frequent_with_lineage() -> None:
    clusters = np.array([0, 0, 0, 0, 4])
    golden, lineage, ids = Survivorship().survive(records(), clusters, ["email"])
    assert len(golden) == 2
    first = golden[golden["golden_id"] == ids.iloc[0]].iloc[0]
    assert first["email"] == "ann@x.org"
    row = lineage[(lineage["golden_id"] == ids.iloc[0]) & (lineage["field"] == "email")].iloc[0]
    # two records hold the winning value; the more recently updated one is cited
    assert (row["source"], row["record_key"], row["rule"]) == ("shop", "a", "most_frequent")
    assert row["decided_by"] == "most_frequent"
    assert row["n_candidates"] == 2 and row["runner_up"] == "ANN@y.org"
    # the invalid value still survives when it is the only one
    lonely = golden[golden["golden_id"] == ids.iloc[4]].iloc[0]
    assert lonely["email"] == "bad"


def test_most_recent_and_source_priority() -> None:
    clusters = np.zeros(5, dtype=int)
    golden, lineage, _ = Survivorship({"email": MostRecent()}).survive(
        records(), clusters, ["email"])
    assert golden.loc[0, "email"] == "ANN@y.org"  # newest valid; the invalid one never wins
    assert lineage.loc[0, "decided_by"] == "most_recent"
    golden, _, _ = Survivorship({"email": SourcePriority(("shop", "crm"))}).survive(
        records(), clusters, ["email"])
    assert golden.loc[0, "email"] == "ann@x.org"


def test_ties_break_on_record_key_not_row_order() -> None:
    frame = records().iloc[[0, 3]].reset_index(drop=True)
    frame["updated_at_status"] = "missing"
    forward = Survivorship().survive(frame, np.zeros(2, dtype=int), ["email"])
    backward = Survivorship().survive(frame.iloc[::-1].reset_index(drop=True),
                                      np.zeros(2, dtype=int), ["email"])
    pd.testing.assert_frame_equal(forward[0], backward[0])
    pd.testing.assert_frame_equal(forward[1], backward[1])
    assert forward[1].loc[0, "decided_by"] == "record_key"


def test_golden_id_from_smallest_member() -> None:
    frame = records()
    _, _, ids = Survivorship().survive(frame, np.zeros(5, dtype=int), ["email"])
    _, _, ids2 = Survivorship().survive(frame.iloc[::-1].reset_index(drop=True),
                                        np.zeros(5, dtype=int), ["email"])
    assert ids.nunique() == 1 and ids.iloc[0] == ids2.iloc[0]


def test_rules_round_trip() -> None:
    for rule in (MostFrequent(), MostRecent(), Longest(), SourcePriority(("a", "b"))):
        assert rule_from_dict(rule.to_dict()) == rule
    with pytest.raises(ConfigError):
        rule_from_dict({"type": "coin_flip"})
    with pytest.raises(ConfigError):
        Survivorship({"shoe_size": MostFrequent()}).survive(records(), np.zeros(5, int), [])
