"""The fast paths of survivorship give what the plain ones give: Arrow word splitting,
pair positions taken from ``row_l`` / ``row_r``, lineage assembled by column, the lazy
ranking, and the per-cluster helpers."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

import goldenrec._lineage as lineage_module
import goldenrec._survivorship_rules as rules_module
from goldenrec._lineage import cluster_confidence
from goldenrec._survivorship import (
    Aggregate,
    FieldGroup,
    MostRecent,
    Survivorship,
    _joined_sources,
)
from goldenrec._survivorship_rules import WHITESPACE, split_words, token_counts

TEXTS = ["", " ", "ann", " jo  ann ", "a\u3000b", "a\x1cb\x85c", "x\u200by", "é\u00a0ü",
         "ann", "b\tc\nd", "mary jo"]


def test_whitespace_is_what_str_split_splits_on() -> None:
    spaces = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    assert spaces == WHITESPACE


def test_split_words_agrees_with_str_split() -> None:
    lengths, codes, words = split_words(np.array(TEXTS, dtype=object))
    expected = [t.split() for t in TEXTS]
    assert lengths.tolist() == [len(w) for w in expected]
    assert words[codes].tolist() == [w for ws in expected for w in ws]
    first_use = list(dict.fromkeys(w for ws in expected for w in ws))
    assert words.tolist() == first_use


def test_split_words_without_text_keys_and_without_pyarrow(
        monkeypatch: pytest.MonkeyPatch) -> None:
    mixed = np.array(["a b", 12, "c"], dtype=object)
    lengths, codes, words = split_words(mixed)
    assert lengths.tolist() == [2, 1, 1]
    assert words[codes].tolist() == ["a", "b", "12", "c"]
    cluster = np.array([0, 1, 1, 2, 0, 2, 1, 0, 3, 3, 4])
    keys = np.array(TEXTS, dtype=object)
    fast = token_counts(cluster, keys)
    monkeypatch.setattr(rules_module, "arrow", lambda: None)
    plain = token_counts(cluster, keys)
    pd.testing.assert_series_equal(fast, plain, check_exact=True)
    assert fast["ann"] == 3 and fast["jo"] == 2  # "ann" in clusters 1-3, "jo" in 2 and 4


def _records(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    sources = rng.choice(["crm", "shop", "desk"], n)
    keys = [f"{k:04d}" for k in rng.choice(10 * n, n, replace=False)]
    data: dict[str, object] = {"source": sources, "record_key": keys}
    for field, values in (("first_name", ["Ann", "Anne", "ANN", "Bob"]),
                          ("street", ["1 Oak Rd", "9 Elm St", "9 Elm  St"]),
                          ("locality", ["Leeds", "York"]),
                          ("email", ["a@x.org", "b@x.org", "c@y.org"])):
        picked = rng.choice(values, n).astype(object)
        status = rng.choice(["valid", "valid", "invalid", "missing"], n).astype(object)
        picked[status == "missing"] = None
        data[field] = picked
        data[f"{field}_key"] = [None if v is None else v.lower() for v in picked]
        data[f"{field}_status"] = status
    stamps = rng.choice(["2020-01-01T00:00:00", "2022-05-01T00:00:00", ""], n)
    data["updated_at"] = [str(s) or None for s in stamps]  # str: as normalisers give
    data["updated_at_status"] = ["valid" if s else "missing" for s in stamps]
    records = pd.DataFrame(data)
    clusters = rng.integers(0, max(1, n // 3), n)
    left, right = np.triu_indices(n, 1)
    keep = rng.random(len(left)) < 0.2
    left, right = left[keep], right[keep]
    pairs = pd.DataFrame({
        "row_l": left, "row_r": right,
        "source_l": sources[left], "record_key_l": np.array(keys)[left],
        "source_r": sources[right], "record_key_r": np.array(keys)[right],
        "match_probability": rng.choice([0.5, 0.9, 0.99], len(left)), "match_weight": 1.0})
    return records, clusters, pairs


def test_pair_positions_from_rows_match_the_lookup_by_key() -> None:
    records, clusters, pairs = _records(60, 1)
    source = records["source"].to_numpy(dtype=object)
    key = records["record_key"].to_numpy(dtype=object)
    codes = pd.factorize(clusters, sort=True)[0]
    ids = np.array([f"G{i}" for i in range(codes.max() + 1)], dtype=object)
    fast = cluster_confidence(source, key, codes, ids, pairs)
    lookup = cluster_confidence(source, key, codes, ids, pairs.drop(columns=["row_l"]))
    pd.testing.assert_frame_equal(fast, lookup, check_exact=True)
    wrong = pairs.assign(row_l=(pairs["row_l"] + 1) % len(records))  # rows that lie
    assert lineage_module._given_positions(source, key, wrong) is None
    pd.testing.assert_frame_equal(cluster_confidence(source, key, codes, ids, wrong),
                                  lookup, check_exact=True)


@pytest.mark.parametrize("engine", [
    Survivorship(),
    Survivorship({"first_name": MostRecent(), "email": Aggregate()},
                 groups=[FieldGroup("address", ("street", "locality"), MostRecent())]),
])
def test_tables_come_out_sorted_and_do_not_depend_on_row_order(engine: Survivorship) -> None:
    records, clusters, pairs = _records(90, 2)
    fields = ["first_name", "street", "locality", "email", "updated_at"]
    result = engine.survive(records, clusters, fields, pairs=pairs)
    lineage = result.lineage
    assert lineage.equals(lineage.sort_values(["golden_id", "field", "position"],
                                              kind="mergesort").reset_index(drop=True))
    assert result.golden["golden_id"].is_monotonic_increasing
    assert result.confidence["golden_id"].is_monotonic_increasing
    conflicts = result.conflicts
    assert conflicts.equals(conflicts.sort_values(["golden_id", "field"], kind="mergesort")
                            .reset_index(drop=True))
    assert lineage.dtypes.astype(str).tolist()[:2] == [str(result.golden.dtypes.iloc[0])] * 2
    shuffled = np.random.default_rng(3).permutation(len(records))
    again = engine.survive(records.iloc[shuffled].reset_index(drop=True), clusters[shuffled],
                           fields, pairs=pairs.drop(columns=["row_l", "row_r"]))
    for name in ("golden", "lineage", "conflicts", "confidence"):
        pd.testing.assert_frame_equal(getattr(result, name), getattr(again, name),
                                      check_exact=True)


def test_without_pyarrow_the_tables_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    records, clusters, pairs = _records(60, 4)
    fields = ["first_name", "street", "locality", "email"]
    fast = Survivorship().survive(records, clusters, fields, pairs=pairs)
    monkeypatch.setattr(rules_module, "arrow", lambda: None)
    monkeypatch.setattr(lineage_module, "arrow", lambda: None)
    plain = Survivorship().survive(records, clusters, fields, pairs=pairs)
    for name in ("golden", "lineage", "conflicts", "confidence"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(plain, name),
                                      check_exact=True)


def test_joined_sources_name_each_source_once_in_name_order() -> None:
    cluster = np.array([0, 0, 1, 2, 2, 2, 3])
    source = np.array(["shop", "crm", "shop", "desk", "crm", "desk", "crm"], dtype=object)
    assert _joined_sources(cluster, source, 4).tolist() == [
        "crm;shop", "shop", "crm;desk", "crm"]
    many = np.array([f"s{i:02d}" for i in range(70)], dtype=object)  # more than 62
    joined = _joined_sources(np.zeros(70, dtype=np.int64), many, 1)
    assert joined.tolist() == [";".join(many)]
