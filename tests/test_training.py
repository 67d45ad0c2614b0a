"""Training m in sessions anchored on strong evidence (goldenrec._training)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import goldenrec as gr
from goldenrec._comparisons import (
    DateComparison,
    EmailComparison,
    IdentifierComparison,
    NameComparison,
    StringComparison,
)
from goldenrec._scoring import FellegiSunter
from goldenrec._synthetic import generate_customers
from goldenrec._training import MIN_SESSION_PAIRS, Session, session_m, sessions_for
from goldenrec.errors import ConfigError


def test_sessions_are_identifiers_and_names_with_birth_date() -> None:
    comparisons = [NameComparison("first_name"), NameComparison("last_name"),
                   DateComparison("date_of_birth"), EmailComparison("email"),
                   IdentifierComparison("phone"), IdentifierComparison("postcode"),
                   IdentifierComparison("street_number"), StringComparison("locality")]
    assert sessions_for(comparisons) == [
        Session(("email",)), Session(("phone",)),
        Session(("first_name", "last_name", "date_of_birth"))]
    # names without a birth date select namesakes: no session
    assert sessions_for([NameComparison("first_name"), NameComparison("last_name")]) == []


def test_session_m_leaves_out_the_anchor_and_averages() -> None:
    n = MIN_SESSION_PAIRS * 2
    gamma = pd.DataFrame({"gamma_a": np.r_[np.zeros(n), np.ones(n)].astype(int),
                          "gamma_b": np.r_[np.ones(n), np.zeros(n)].astype(int),
                          "gamma_c": np.zeros(2 * n, dtype=int)})
    seen: list[int] = []

    def fit_one(selected: pd.DataFrame) -> dict[str, np.ndarray]:
        seen.append(len(selected))
        return {name: np.array([0.9, 0.1]) if len(seen) == 1 else np.array([0.7, 0.3])
                for name in ("a", "b", "c")}

    found = session_m(fit_one, gamma, [Session(("a",)), Session(("b",))], ["a", "b", "c"])
    assert seen == [n, n]
    np.testing.assert_allclose(found["a"], [0.7, 0.3])   # only from the session on b
    np.testing.assert_allclose(found["b"], [0.9, 0.1])   # only from the session on a
    np.testing.assert_allclose(found["c"], [0.8, 0.2])   # the mean of both
    # too few pairs: the session is skipped
    assert session_m(fit_one, gamma.head(10), [Session(("a",))], ["a", "b"]) == {}


def test_fixed_m_is_kept_by_em() -> None:
    gamma = pd.DataFrame({"gamma_x": [0, 0, 1, 1, 1, 0], "gamma_y": [0, 1, 1, 1, 0, 0]})
    fixed = {"x": np.array([0.6, 0.4])}
    model = FellegiSunter(max_iter=20).fit(gamma, gamma, n_levels={"x": 2, "y": 2},
                                           fixed_m=fixed)
    np.testing.assert_allclose(model.m_["x"], [0.6, 0.4])
    assert not np.allclose(model.m_["y"], [0.6, 0.4])
    with pytest.raises(ConfigError):
        FellegiSunter().fit(gamma, gamma, n_levels={"x": 2, "y": 2},
                            fixed_m={"x": np.array([1.0, 0.0, 0.0])})


def test_disagreeing_birth_dates_weigh_as_much_as_the_truth_says() -> None:
    """Among true matches two valid birth dates almost never differ; EM over all pairs
    used to put that share at a few per cent (namesakes in the match class)."""
    data = generate_customers(6_000, seed=3)
    result = gr.Pipeline(list(data.sources), n_jobs=1).resolve(data.frames)
    truth = data.truth.set_index(["source", "record_key"])["entity"]
    pairs = result.pairs

    def entity(side: str) -> np.ndarray:
        index = pd.MultiIndex.from_arrays([pairs[f"source_{side}"], pairs[f"record_key_{side}"]])
        return truth.reindex(index).to_numpy()

    same = entity("l") == entity("r")
    levels = pairs.loc[same, "gamma_date_of_birth"]
    levels = levels[levels >= 0]
    true_else = float((levels == len(DateComparison("d").labels) - 1).mean())
    fitted_else = float(result.model.m_["date_of_birth"][-1])
    assert abs(fitted_else - true_else) < 0.01
    assert gr.evaluate(result, data.truth).pairwise.f1 > 0.95


def test_context_comparisons_only_count_against() -> None:
    """Agreeing on a field that one random pair in ten shares (a country) adds nothing;
    disagreeing on it still counts."""
    from goldenrec._scoring import CONTEXT_U, is_context, level_weights  # noqa: PLC0415

    m = np.array([0.99, 0.01])
    assert is_context(np.array([CONTEXT_U * 2, 1 - CONTEXT_U * 2]))
    assert not is_context(np.array([0.01, 0.99]))
    assert level_weights(m, np.array([0.2, 0.8]))[0] == 0.0
    assert level_weights(m, np.array([0.2, 0.8]))[1] < -6
    assert level_weights(m, np.array([0.01, 0.99]))[0] > 6
    gamma = pd.DataFrame({"gamma_country": [0, 0, 1], "gamma_name": [0, 1, 0]})
    random_gamma = pd.DataFrame({"gamma_country": [0] * 3_000 + [1] * 7_000,
                                 "gamma_name": [1] * 10_000})
    model = FellegiSunter(max_iter=5).fit(gamma, random_gamma,
                                          n_levels={"country": 2, "name": 2})
    weights = model.match_weights(gamma)["weight_country"].tolist()
    assert weights[0] == weights[1] == 0.0 and weights[2] < 0
