"""Fellegi–Sunter scoring: m and u per comparison level, m by EM without labels."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from goldenrec.errors import ConfigError, NotFittedError

__all__ = ["CONTEXT_U", "FellegiSunter", "Scorer", "choose_threshold", "is_context",
           "level_weights", "random_pairs"]

logger = logging.getLogger(__name__)

_EPS = 1e-6
#: Pseudo-pairs behind the default m shape (a Dirichlet prior).
_PRIOR_STRENGTH = 10.0
#: Pseudo-pairs behind the default u shape: random pairs of a tiny input include its
#: matches, so a few hundred records need the prior; a large sample outweighs it.
_U_PRIOR_STRENGTH = 1000.0


#: A comparison whose values agree by chance this often (``u`` of its exact level) is
#: context, not identity: country, gender, state. Agreeing on it is mostly implied by
#: agreeing on correlated fields (Latvian names come with Latvia), so counting it again
#: overstates the evidence; its agreement levels weigh 0, its disagreement stays.
CONTEXT_U = 0.1


def is_context(u: np.ndarray) -> bool:
    """Whether a comparison with these ``u`` is context (see :data:`CONTEXT_U`)."""
    return bool(len(u)) and float(u[0]) > CONTEXT_U


def level_weights(m: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``log2(m/u)`` per level; agreement on a context comparison weighs at most 0.

    >>> level_weights(np.array([0.99, 0.01]), np.array([0.5, 0.5])).round(2).tolist()
    [0.0, -5.64]
    """
    table: np.ndarray = np.log2(np.asarray(m, dtype=np.float64) / np.asarray(u, dtype=np.float64))
    if is_context(u):
        table = np.minimum(table, 0.0)
    return table


def _default_m(levels: int) -> np.ndarray:
    """Among matches: mostly the strongest level, a little of each weaker one."""
    shape = np.array([0.9 * 0.5**k for k in range(levels)])
    shape[-1] = max(0.02, shape[-1])
    normalised: np.ndarray = shape / shape.sum()
    return normalised


def _default_u(levels: int) -> np.ndarray:
    """Among non-matches: mostly ``else``, rarely any agreement."""
    shape = np.full(levels, 0.01)
    shape[-1] = 1.0 - 0.01 * (levels - 1)
    return shape


@runtime_checkable
class Scorer(Protocol):
    """What the pipeline needs from a scorer (FellegiSunter, or an adapter)."""

    def fit(self, gamma: pd.DataFrame, random_gamma: pd.DataFrame | None = None, *,
            n_levels: dict[str, int]) -> Any: ...

    def score(self, gamma: pd.DataFrame) -> pd.DataFrame: ...


def random_pairs(n_records: int, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``size`` distinct random record pairs ``(i < j)``, seeded (all pairs if fewer)."""
    total = n_records * (n_records - 1) // 2
    if total == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    rng = np.random.default_rng(seed)
    if total <= size:
        left, right = np.triu_indices(n_records, k=1)
        return left.astype(np.int64), right.astype(np.int64)
    left = rng.integers(0, n_records, size=int(size * 1.1) + 10)
    right = rng.integers(0, n_records, size=len(left))
    keep = left != right
    lo, hi = np.minimum(left, right)[keep], np.maximum(left, right)[keep]
    encoded = np.unique(lo.astype(np.int64) * n_records + hi)[:size]
    return encoded // n_records, encoded % n_records


class FellegiSunter:
    """A Fellegi–Sunter model over comparison levels.

    ``fit(gamma, random_gamma)`` estimates ``u_`` from levels of random record pairs and
    ``m_`` and ``lambda_`` (the share of matches among candidate pairs) by EM on the
    candidate pairs, without labels; ``prior_`` is the probability that two records
    taken at random match, the starting point of every pair's match weight.
    Deterministic: no randomness inside.

    >>> import pandas as pd
    >>> gamma = pd.DataFrame({"gamma_name": [0, 0, 1, 1, 1, 0]})
    >>> model = FellegiSunter(max_iter=5).fit(gamma, gamma, n_levels={"name": 2})
    >>> sorted(model.m_)
    ['name']
    """

    def __init__(
        self,
        *,
        max_iter: int = 100,
        tolerance: float = 1e-5,
        initial_lambda: float = 0.1,
        fix_u: bool = True,
    ) -> None:
        self.max_iter = max_iter
        self.tolerance = tolerance
        self.initial_lambda = initial_lambda
        self.fix_u = fix_u

    # -- fitting ------------------------------------------------------------------
    def fit(
        self,
        gamma: pd.DataFrame,
        random_gamma: pd.DataFrame | None = None,
        *,
        n_levels: dict[str, int],
        candidate_share: float = 1.0,
        labels: np.ndarray | None = None,
        weights: np.ndarray | None = None,
        fixed_m: dict[str, np.ndarray] | None = None,
    ) -> FellegiSunter:
        """Fit on candidate-pair levels ``gamma`` and random-pair levels ``random_gamma``.

        ``candidate_share`` is the share of all record pairs that the candidates are
        (``n_candidates / (n (n - 1) / 2)``); it turns the match rate among candidates
        into the prior that two records match, which scoring uses.

        ``labels`` (aligned with ``gamma``: 1 match, 0 non-match, NaN unknown) fix the
        posterior of labelled pairs during EM, so a few clerical decisions correct the
        unsupervised estimate (semi-supervised EM).

        ``weights`` (aligned with ``gamma``) says how many pairs each row stands for, so
        a table of distinct level patterns with their counts (as the Spark engine
        aggregates it) fits exactly as the pairs themselves would.

        ``fixed_m`` gives ``m`` for some comparisons (e.g. estimated in training
        sessions); EM then leaves them as they are and estimates the rest.
        """
        if not 0 < candidate_share <= 1:
            raise ConfigError("candidate_share must be in (0, 1]")
        if not 0 < self.initial_lambda < 1:
            raise ConfigError("initial_lambda must be between 0 and 1")
        if self.max_iter < 1:
            raise ConfigError("max_iter must be at least 1")
        names = list(n_levels)
        if not names:
            raise ConfigError("a model needs at least one comparison")
        matrix = _matrix(gamma, names)
        tf_names = [n for n in names if f"tf_{n}" in gamma.columns]
        label_values = None
        if labels is not None:
            label_values = np.asarray(labels, dtype=np.float64)
            if len(label_values) != len(gamma):
                raise ConfigError("labels must align with the candidate pairs")
            if np.any((label_values != 0) & (label_values != 1) & ~np.isnan(label_values)):
                raise ConfigError("labels must be 1 (match), 0 (non-match) or NaN")
        tf = {n: gamma[f"tf_{n}"].to_numpy(dtype=np.float64) for n in tf_names}
        # EM works on distinct level patterns; term frequencies and labels differ pair by
        # pair, so then each pair keeps its pattern id and the posterior is computed per
        # pair from its pattern's log odds plus its own term-frequency offset
        patterns, inverse, counts = _patterns(matrix, n_levels, names)
        per_pair = bool(tf) or label_values is not None
        pair_weights = None
        if weights is not None:
            pair_weights = np.asarray(weights, dtype=np.float64)
            if len(pair_weights) != len(matrix):
                raise ConfigError("weights must align with the candidate pairs")
            counts = np.bincount(inverse, weights=pair_weights, minlength=len(patterns))
        u: dict[str, np.ndarray] = {}
        m: dict[str, np.ndarray] = {}
        m_prior = {name: _default_m(n_levels[name]) for name in names}
        for name in names:
            levels = n_levels[name]
            u_prior = _default_u(levels)
            if random_gamma is not None and len(random_gamma):
                column = random_gamma[f"gamma_{name}"].to_numpy()
                tally = np.bincount(column[column >= 0], minlength=levels)[:levels]
                u[name] = (tally + _U_PRIOR_STRENGTH * u_prior) / (
                    tally.sum() + _U_PRIOR_STRENGTH)
            else:
                u[name] = u_prior
            m[name] = m_prior[name]
        fixed = {name: np.asarray(values, dtype=np.float64)
                 for name, values in (fixed_m or {}).items() if name in m}
        for name, values in fixed.items():
            if values.shape != m[name].shape:
                raise ConfigError(f"fixed m for {name!r} has the wrong number of levels")
            m[name] = values
        u_fixed = self.fix_u and random_gamma is not None
        tf_offset = _tf_offset(tf, u, len(matrix)) if per_pair else None
        known = None if label_values is None else ~np.isnan(label_values)
        lam = self.initial_lambda
        iterations = 0
        for iteration in range(1, self.max_iter + 1):
            iterations = iteration
            # E-step over all record pairs: candidates are scored with the prior that two
            # random records match; pairs blocking left out count as non-matches.
            prior = float(np.clip(lam * candidate_share, 1e-12, 1 - _EPS))
            pattern_odds = _log_odds(patterns, names, m, u, prior)
            if per_pair:
                if not u_fixed and tf:
                    tf_offset = _tf_offset(tf, u, len(matrix))
                log_odds = pattern_odds[inverse]
                if tf_offset is not None:
                    log_odds = log_odds + tf_offset
                probability = _sigmoid(log_odds)
                if known is not None and label_values is not None:
                    probability = np.where(known, label_values, probability)
                weighted = np.bincount(
                    inverse, weights=probability if pair_weights is None
                    else probability * pair_weights, minlength=len(patterns))
            else:
                weighted = _sigmoid(pattern_odds) * counts
            new_m: dict[str, np.ndarray] = {}
            new_u: dict[str, np.ndarray] = {}
            for position, name in enumerate(names):
                levels = n_levels[name]
                column = patterns[:, position]
                present = column >= 0
                tally = np.bincount(column[present], weights=weighted[present],
                                    minlength=levels)[:levels]
                # a weak prior keeps unseen levels finite and tiny inputs sensible; it
                # fades as evidence grows
                new_m[name] = fixed[name] if name in fixed else (
                    tally + _PRIOR_STRENGTH * m_prior[name]) / (tally.sum() + _PRIOR_STRENGTH)
                if not u_fixed:
                    non = np.bincount(column[present],
                                      weights=(counts - weighted)[present],
                                      minlength=levels)[:levels]
                    new_u[name] = (non + _EPS) / (non.sum() + _EPS * levels)
                else:
                    new_u[name] = u[name]
            new_lam = float(np.clip(weighted.sum() / max(counts.sum(), 1.0), _EPS, 1 - _EPS))
            change = max(*(float(np.abs(new_m[n] - m[n]).max()) for n in names), abs(new_lam - lam))
            m, u, lam = new_m, new_u, new_lam
            if change < self.tolerance:
                break
        self.names_ = names
        self.m_ = m
        self.u_ = u
        self.lambda_ = lam
        self.prior_ = float(np.clip(lam * candidate_share, 1e-12, 1 - _EPS))
        self.n_iter_ = iterations
        logger.info("EM converged after %d iterations (lambda=%.4g)", iterations, lam)
        return self

    # -- scoring --------------------------------------------------------------------
    def match_weights(self, gamma: pd.DataFrame) -> pd.DataFrame:
        """Per comparison, ``log2(m/u)`` of each pair's level (0 for missing), plus the
        term-frequency adjustment where the comparator reported frequencies."""
        weights: pd.DataFrame = pd.DataFrame(self._weights(gamma), index=gamma.index)
        return weights

    def _weights(self, gamma: pd.DataFrame) -> dict[str, np.ndarray]:
        """:meth:`match_weights` as arrays, by column name."""
        self._check_fitted()
        out = {}
        for name in self.names_:
            column = gamma[f"gamma_{name}"].to_numpy()
            table = level_weights(self.m_[name], self.u_[name])
            weight = np.where(column >= 0, table[np.maximum(column, 0)], 0.0)
            if f"tf_{name}" in gamma.columns and not is_context(self.u_[name]):
                weight = weight + tf_adjustment(
                    gamma[f"tf_{name}"].to_numpy(dtype=np.float64), float(self.u_[name][0]))
            out[f"weight_{name}"] = weight
        return out

    def score(self, gamma: pd.DataFrame) -> pd.DataFrame:
        """``match_weight`` (log2 odds incl. the prior) and ``match_probability``."""
        # summed column by column, in order: what summing the weights table's rows
        # gives, without building the table
        weights = np.zeros(len(gamma))
        for weight in self._weights(gamma).values():
            weights += weight
        prior = np.log2(self.prior_ / (1 - self.prior_))
        total = prior + weights
        probability = 1.0 / (1.0 + np.exp2(-total))
        scored: pd.DataFrame = pd.DataFrame(
            {"match_weight": total, "match_probability": probability}, index=gamma.index)
        return scored

    def _check_fitted(self) -> None:
        if not hasattr(self, "m_"):
            raise NotFittedError("FellegiSunter is not fitted; call fit() first")

    # -- persistence -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "max_iter": self.max_iter, "tolerance": self.tolerance,
            "initial_lambda": self.initial_lambda, "fix_u": self.fix_u,
        }
        if hasattr(self, "m_"):
            data["fitted"] = {
                "names": self.names_,
                "m": {n: self.m_[n].tolist() for n in self.names_},
                "u": {n: self.u_[n].tolist() for n in self.names_},
                "lambda": self.lambda_,
                "prior": self.prior_,
                "n_iter": self.n_iter_,
            }
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FellegiSunter:
        model = cls(max_iter=int(data["max_iter"]), tolerance=float(data["tolerance"]),
                    initial_lambda=float(data["initial_lambda"]), fix_u=bool(data["fix_u"]))
        fitted = data.get("fitted")
        if fitted:
            model.names_ = [str(n) for n in fitted["names"]]
            model.m_ = {n: np.asarray(fitted["m"][n], dtype=np.float64) for n in model.names_}
            model.u_ = {n: np.asarray(fitted["u"][n], dtype=np.float64) for n in model.names_}
            model.lambda_ = float(fitted["lambda"])
            model.prior_ = float(fitted["prior"])
            model.n_iter_ = int(fitted["n_iter"])
        return model

    def parameters(self) -> pd.DataFrame:
        """The fitted m and u per comparison level, with the level's match weight."""
        self._check_fitted()
        rows = []
        for name in self.names_:
            weights = level_weights(self.m_[name], self.u_[name])
            for level, (m, u) in enumerate(zip(self.m_[name], self.u_[name])):
                rows.append({"comparison": name, "level": level, "m": float(m),
                             "u": float(u), "weight": float(weights[level])})
        table: pd.DataFrame = pd.DataFrame(rows)
        return table


def _matrix(gamma: pd.DataFrame, names: Sequence[str]) -> np.ndarray:
    return np.column_stack([gamma[f"gamma_{n}"].to_numpy(dtype=np.int64) for n in names]) \
        if len(gamma) else np.empty((0, len(names)), dtype=np.int64)


def tf_adjustment(frequency: np.ndarray, u_exact: float) -> np.ndarray:
    """log2 Bayes-factor adjustment for agreeing on a value of the given frequency.

    Agreeing on a value held by a share ``f`` of records is ``u_exact / f`` times as
    strong as agreeing on an average value; ``NaN`` frequencies (no agreement) add 0.
    """
    safe = np.where(np.isnan(frequency), u_exact, np.maximum(frequency, 1e-12))
    adjustment: np.ndarray = np.log2(u_exact / safe)
    return adjustment


def _patterns(matrix: np.ndarray, n_levels: dict[str, int], names: Sequence[str]
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct rows of the level matrix, each pair's row index, and the row counts.

    Rows are packed into one integer (levels run from -2 to ``n_levels - 1``), so this is
    one integer sort however many comparisons there are.
    """
    if len(matrix) == 0:
        return matrix, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    radices = [n_levels[name] + 2 for name in names]
    if float(np.prod(np.asarray(radices, dtype=np.float64))) >= 2.0**62:
        patterns, inverse, counts = np.unique(matrix, axis=0, return_inverse=True,
                                              return_counts=True)
        return patterns, inverse.reshape(-1), counts.astype(np.float64)
    packed = np.zeros(len(matrix), dtype=np.int64)
    for position, radix in enumerate(radices):
        packed = packed * radix + (matrix[:, position] + 2)
    _, first, inverse, counts = np.unique(packed, return_index=True,
                                          return_inverse=True, return_counts=True)
    return matrix[first], inverse.reshape(-1), counts.astype(np.float64)


def _log_odds(patterns: np.ndarray, names: Sequence[str], m: dict[str, np.ndarray],
              u: dict[str, np.ndarray], lam: float) -> np.ndarray:
    """Natural-log posterior odds of each level pattern, before term frequencies."""
    log_odds = np.full(len(patterns), np.log(lam / (1 - lam)))
    for position, name in enumerate(names):
        column = patterns[:, position]
        table = level_weights(m[name], u[name]) * np.log(2.0)
        log_odds += np.where(column >= 0, table[np.maximum(column, 0)], 0.0)
    return log_odds


def _tf_offset(tf: dict[str, np.ndarray], u: dict[str, np.ndarray], n_pairs: int
               ) -> np.ndarray | None:
    """Per pair, the sum of its term-frequency adjustments in natural-log odds."""
    if not tf:
        return None
    offset = np.zeros(n_pairs)
    for name, frequency in tf.items():
        if not is_context(u[name]):
            offset += tf_adjustment(frequency, float(u[name][0])) * np.log(2.0)
    return offset


def _sigmoid(log_odds: np.ndarray) -> np.ndarray:
    probability: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -700, 700)))
    return probability


def choose_threshold(probabilities: np.ndarray, *, floor: float = 0.5,
                     ceiling: float = 0.999) -> float:
    """The probability threshold that maximises the model's own expected F1.

    Expected true matches above a threshold are the sum of the probabilities there,
    false ones the sum of their complements; no labels are needed.
    """
    if len(probabilities) == 0:
        return floor
    ordered = np.sort(np.asarray(probabilities, dtype=np.float64))[::-1]
    true_positive = np.cumsum(ordered)
    false_positive = np.cumsum(1.0 - ordered)
    total = true_positive[-1]
    false_negative = total - true_positive
    f1 = 2 * true_positive / np.maximum(2 * true_positive + false_positive + false_negative,
                                        1e-12)
    best = int(np.argmax(f1))
    return float(np.clip(ordered[best], floor, ceiling))
