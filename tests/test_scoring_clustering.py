from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from goldenrec import (
    Comparator,
    ConnectedComponents,
    ExactComparison,
    FellegiSunter,
    NameComparison,
    WeightedClustering,
    choose_threshold,
)
from goldenrec._scoring import random_pairs
from goldenrec.errors import NotFittedError


def synthetic_gamma(seed: int, n_match: int = 300, n_non: int = 3000) -> tuple[
        pd.DataFrame, pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    m = [0.85, 0.1, 0.05]
    u = [0.02, 0.08, 0.9]
    cols = {}
    random_cols = {}
    for name in ("a", "b", "c"):
        cols[f"gamma_{name}"] = np.r_[rng.choice(3, n_match, p=m), rng.choice(3, n_non, p=u)]
        random_cols[f"gamma_{name}"] = rng.choice(3, 20000, p=u)
    truth = np.r_[np.ones(n_match, bool), np.zeros(n_non, bool)]
    return pd.DataFrame(cols), pd.DataFrame(random_cols), truth


def test_em_recovers_parameters_and_separates() -> None:
    gamma, random_gamma, truth = synthetic_gamma(1)
    model = FellegiSunter().fit(gamma, random_gamma, n_levels={"a": 3, "b": 3, "c": 3})
    assert model.m_["a"][0] == pytest.approx(0.85, abs=0.06)
    assert model.lambda_ == pytest.approx(300 / 3300, abs=0.03)
    probability = model.score(gamma)["match_probability"].to_numpy()
    predicted = probability >= 0.5
    assert (predicted == truth).mean() > 0.97


def test_em_is_deterministic_and_round_trips() -> None:
    gamma, random_gamma, _ = synthetic_gamma(2)
    levels = {"a": 3, "b": 3, "c": 3}
    one = FellegiSunter().fit(gamma, random_gamma, n_levels=levels)
    two = FellegiSunter().fit(gamma.sample(frac=1, random_state=3), random_gamma,
                              n_levels=levels)
    assert one.to_dict() == two.to_dict()
    again = FellegiSunter.from_dict(one.to_dict())
    pd.testing.assert_frame_equal(again.score(gamma), one.score(gamma))


def test_missing_level_adds_no_evidence() -> None:
    gamma, random_gamma, _ = synthetic_gamma(3)
    model = FellegiSunter().fit(gamma, random_gamma, n_levels={"a": 3, "b": 3, "c": 3})
    weights = model.match_weights(pd.DataFrame({"gamma_a": [-1], "gamma_b": [0],
                                                "gamma_c": [2]}))
    assert weights.loc[0, "weight_a"] == 0.0


def test_unfitted_model_raises() -> None:
    with pytest.raises(NotFittedError):
        FellegiSunter().score(pd.DataFrame({"gamma_a": [0]}))


def test_random_pairs_are_distinct_and_seeded() -> None:
    left, right = random_pairs(1000, 5000, seed=7)
    assert len(left) == 5000 and (left < right).all()
    assert len(set(zip(left, right))) == 5000
    again = random_pairs(1000, 5000, seed=7)
    assert (again[0] == left).all() and (again[1] == right).all()
    small = random_pairs(4, 100, seed=1)
    assert len(small[0]) == 6


def test_choose_threshold_prefers_clear_gap() -> None:
    probabilities = np.r_[np.full(100, 0.99), np.full(1000, 0.01), [0.6, 0.4]]
    assert 0.5 <= choose_threshold(probabilities) <= 0.99


def test_every_record_in_exactly_one_cluster() -> None:
    pairs = pd.DataFrame({"row_l": [0, 1, 3, 5], "row_r": [1, 2, 4, 6],
                          "match_probability": [0.99, 0.95, 0.2, 0.91]})
    labels = ConnectedComponents(0.9).cluster(pairs, 8)
    assert labels.tolist() == [0, 0, 0, 3, 4, 5, 5, 7]


def test_weighted_clustering_refuses_a_weak_bridge() -> None:
    # two tight groups {0,1,2} and {3,4,5}; one weak bridge 2-3; strong evidence against
    # 0-4 and 1-5
    pairs = pd.DataFrame({
        "row_l": [0, 0, 1, 3, 3, 4, 2, 0, 1],
        "row_r": [1, 2, 2, 4, 5, 5, 3, 4, 5],
        "match_probability": [0.999, 0.999, 0.999, 0.999, 0.999, 0.999, 0.95, 1e-6, 1e-6],
    })
    components = ConnectedComponents(0.9).cluster(pairs, 6)
    assert len(set(components.tolist())) == 1  # connected components chain them
    weighted = WeightedClustering(0.9, negative_cap=None).cluster(pairs, 6)
    assert weighted.tolist() == [0, 0, 0, 3, 3, 3]


def test_weighted_clustering_is_order_independent_and_honours_cannot_link() -> None:
    pairs = pd.DataFrame({"row_l": [0, 1, 2], "row_r": [1, 2, 3],
                          "match_probability": [0.99, 0.98, 0.97]})
    shuffled = pairs.iloc[[2, 0, 1]].reset_index(drop=True)
    clusterer = WeightedClustering(0.9)
    assert clusterer.cluster(pairs, 5).tolist() == clusterer.cluster(shuffled, 5).tolist()
    assert clusterer.cluster(pairs, 5).tolist() == [0, 0, 0, 0, 4]
    forbidden = pd.DataFrame({"row_l": [0], "row_r": [3]})
    split = clusterer.cluster(pairs, 5, cannot_link=forbidden)
    assert split[0] != split[3]


def test_term_frequency_makes_rare_agreement_stronger() -> None:
    records = pd.DataFrame({
        "last_name_key": ["smith"] * 160 + ["zyx"] * 2 + [f"n{i}" for i in range(38)],
        "last_name_status": ["valid"] * 200,
    })
    pairs = pd.DataFrame({"row_l": [0, 160], "row_r": [1, 161]})
    gamma = Comparator((NameComparison("last_name", term_frequency=True),)).compare(
        pairs, records)
    assert gamma["tf_last_name"].tolist() == [0.8, 0.01]
    too_few = Comparator((NameComparison("last_name", term_frequency=True),)).compare(
        pairs.iloc[:1], records.iloc[:150])
    assert too_few["tf_last_name"].isna().all()
    model = FellegiSunter().fit(gamma, gamma, n_levels={"last_name": 4})
    weights = model.match_weights(gamma)["weight_last_name"].to_numpy()
    assert weights[1] > weights[0]


def test_both_missing_is_its_own_level() -> None:
    levels = ExactComparison("x").levels([None, None, "a"], [None, "a", "a"])
    assert levels.tolist() == [-2, -1, 0]


def test_score_sums_the_match_weights_table_exactly() -> None:
    rng = np.random.default_rng(7)
    n = 5_000
    gamma = pd.DataFrame({
        "gamma_name": rng.integers(-1, 4, n), "tf_name": np.where(
            rng.random(n) < 0.5, rng.random(n) / 50, np.nan),
        "gamma_dob": rng.integers(-1, 3, n), "gamma_city": rng.integers(-1, 2, n)},
        index=np.arange(n) * 2 + 1)
    model = FellegiSunter().fit(gamma, gamma.iloc[::3],
                                n_levels={"name": 4, "dob": 3, "city": 2},
                                candidate_share=0.01)
    scored = model.score(gamma)
    weights = model.match_weights(gamma)
    expected = np.log2(model.prior_ / (1 - model.prior_)) + weights.sum(axis=1).to_numpy()
    np.testing.assert_array_equal(scored["match_weight"].to_numpy(), expected)
    assert scored.index.equals(gamma.index)
    assert model.score(gamma.iloc[:0]).empty
