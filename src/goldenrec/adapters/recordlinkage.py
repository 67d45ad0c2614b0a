"""Use the ``recordlinkage`` library's indexers and classifiers inside a goldenrec pipeline.

Needs the optional extra ``pip install 'goldenrec[recordlinkage]'``. recordlinkage 0.16
(its last release) requires pandas < 3, so this adapter only works in a pandas 2
environment; the rest of goldenrec never imports recordlinkage.

- :class:`RecordLinkageIndexer` wraps any recordlinkage indexer (``Block``,
  ``SortedNeighbourhood``, ``Full``, ``recordlinkage.Index`` ...) as a blocking strategy
  for ``Pipeline(blocking_rules=[...])``. The indexer sees one frame, indexed by row
  position, whose columns are the role names (``first_name``, ``last_name``, ...) holding
  goldenrec's normalised match keys; invalid, missing and placeholder values are ``None``.
- :class:`RecordLinkageClassifier` wraps a recordlinkage classifier as the pipeline's
  scorer (``Pipeline(scorer=...)``). Its features are goldenrec's comparison levels,
  one-hot encoded: one 0/1 column per agreement level of each comparison, all zeros when
  the values disagree (the last, ``else`` level) or a value is missing.

recordlinkage's ``preprocessing.clean()`` deletes non-ASCII letters ("Zoë" becomes "zo");
goldenrec's own normalisers already produce the match keys, so it is not needed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from goldenrec._normalise._base import VALID
from goldenrec.errors import ConfigError, GoldenrecError, InputError, NotFittedError

_INSTALL_HINT = (
    "goldenrec.adapters.recordlinkage needs the optional extra: "
    "pip install 'goldenrec[recordlinkage]' (recordlinkage requires pandas < 3)"
)

try:
    import recordlinkage  # type: ignore[import-not-found, import-untyped, unused-ignore]
except Exception as error:  # older releases can fail with other errors on new pandas
    raise ImportError(_INSTALL_HINT, name="recordlinkage") from error


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:2])


#: The installed recordlinkage version.
RECORDLINKAGE_VERSION: str = str(getattr(recordlinkage, "__version__", "0"))
if _release(RECORDLINKAGE_VERSION) < (0, 16):
    raise ImportError(
        f"{_INSTALL_HINT}; found recordlinkage {RECORDLINKAGE_VERSION}, need 0.16 or later",
        name="recordlinkage",
    )

__all__ = [
    "RECORDLINKAGE_VERSION",
    "ClassifierError",
    "RecordLinkageClassifier",
    "RecordLinkageIndexer",
    "match_key_frame",
    "one_hot_features",
]

#: Clip for ``match_weight`` when a classifier returns a probability of exactly 0 or 1.
MAX_WEIGHT = 50.0


class ClassifierError(GoldenrecError, RuntimeError):
    """The recordlinkage classifier produced unusable (NaN) match probabilities."""


def match_key_frame(records: pd.DataFrame) -> pd.DataFrame:
    """The frame a recordlinkage indexer sees: one column per role, indexed by row position.

    Values are the roles' match keys (``<role>_key``) where the role's status is valid,
    else ``None``.
    """
    roles = [
        column[: -len("_key")]
        for column in records.columns
        if column.endswith("_key") and f"{column[: -len('_key')]}_status" in records.columns
    ]
    data: dict[str, np.ndarray] = {}
    for role in roles:
        keys = records[f"{role}_key"].astype(object)
        valid = (records[f"{role}_status"] == VALID).to_numpy()
        values = keys.to_numpy(dtype=object).copy()
        values[~valid] = None
        data[role] = values
    index = pd.RangeIndex(len(records), name="row")
    frame: pd.DataFrame = pd.DataFrame(data, index=index, columns=roles, dtype=object)
    return frame


class RecordLinkageIndexer:
    """A goldenrec blocking strategy that asks a recordlinkage indexer for the pairs.

    ``indexer`` is any object with recordlinkage's ``index(frame)`` method, used in
    deduplication mode on :func:`match_key_frame` of the normalised records. Refer to
    fields by their goldenrec role names: ``Block(left_on="last_name")``,
    ``SortedNeighbourhood("first_name", window=5)``.

    recordlinkage builds all of its pairs before goldenrec can count them, so an
    unselective indexer (``Full()`` on many records) uses memory before ``max_pairs`` is
    checked.
    """

    def __init__(self, indexer: Any, name: str | None = None) -> None:
        if not callable(getattr(indexer, "index", None)):
            raise ConfigError("RecordLinkageIndexer needs a recordlinkage indexer "
                              "(an object with an index() method)")
        self.indexer = indexer
        self._name = name if name is not None else f"recordlinkage:{type(indexer).__name__}"

    @property
    def name(self) -> str:
        return self._name

    def candidate_pairs(self, records: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Row positions of the pairs the indexer proposes (two aligned int64 arrays)."""
        frame = match_key_frame(records)
        pairs = self.indexer.index(frame)
        if not isinstance(pairs, pd.MultiIndex) or pairs.nlevels != 2:
            raise ConfigError(f"blocking strategy {self.name!r}: the recordlinkage indexer "
                              "did not return a two-level pandas.MultiIndex")
        left = np.asarray(pairs.get_level_values(0), dtype=np.int64)
        right = np.asarray(pairs.get_level_values(1), dtype=np.int64)
        return left, right

    def __repr__(self) -> str:
        return f"RecordLinkageIndexer({self.indexer!r}, name={self.name!r})"


def one_hot_features(gamma: pd.DataFrame, n_levels: Mapping[str, int], *,
                     include_else: bool = False) -> pd.DataFrame:
    """One 0/1 column ``<comparison>_<level>`` per comparison level; missing is all zeros.

    Without ``include_else`` the last (``else``) level gets no column, so it is all zeros
    too. The result has a ``RangeIndex`` (positions of ``gamma``'s rows).

    >>> gamma = pd.DataFrame({"gamma_name": [0, 1, 2, -1]})
    >>> one_hot_features(gamma, {"name": 3}).to_numpy().tolist()
    [[1, 0], [0, 1], [0, 0], [0, 0]]
    """
    columns: dict[str, np.ndarray] = {}
    for name, levels in n_levels.items():
        column = f"gamma_{name}"
        if column not in gamma.columns:
            raise ConfigError(f"comparison {name!r} has no {column!r} column")
        values = gamma[column].to_numpy(dtype=np.int64)
        if len(values) and int(values.max()) >= levels:
            raise ConfigError(f"comparison {name!r} has level {int(values.max())}, but the "
                              f"classifier was set up for {levels} levels")
        for level in range(levels if include_else else levels - 1):
            columns[f"{name}_{level}"] = (values == level).astype(np.int64)
    features: pd.DataFrame = pd.DataFrame(columns, index=pd.RangeIndex(len(gamma)))
    return features


class RecordLinkageClassifier:
    """A goldenrec scorer backed by a recordlinkage classifier.

    The pipeline calls :meth:`fit` with the candidate pairs' comparison levels (one-hot
    encoded by :func:`one_hot_features`); the
    classifier is trained without labels, so use an unsupervised one there
    (``ECMClassifier``, ``KMeansClassifier``). The random-pair levels the pipeline also
    passes are not used: recordlinkage's classifiers have no separate u estimate.

    Supervised classifiers (``LogisticRegressionClassifier``, ``NaiveBayesClassifier``,
    ``SVMClassifier`` ...) are trained with :meth:`fit_labelled` instead; a scorer trained
    that way keeps its model when a pipeline later calls :meth:`fit`.

    :meth:`score` returns the classifier's match probability where it has one, else 1.0
    or 0.0 from its ``predict``; ``match_weight`` is the log2 odds, clipped to ±50.
    It raises :class:`ClassifierError` if the classifier returns NaN probabilities
    (recordlinkage's ECM does when it is fitted on too few pairs).
    The ``classifier`` passed in is never modified: a deep copy is trained
    (:attr:`classifier_`).

    ``include_else`` adds a column for each comparison's last (``else``) level, which
    tells disagreement from a missing value. Leave it off for ``ECMClassifier``: its
    ``init="jaro"`` start takes every 1 as agreement, and with ``else`` columns its EM
    collapses (NaN probabilities, so :class:`ClassifierError`).
    """

    #: The trained copy of ``classifier`` (after :meth:`fit` or :meth:`fit_labelled`).
    classifier_: Any
    #: The number of levels of each comparison the classifier was trained on.
    n_levels_: dict[str, int]
    #: Whether the classifier was trained by :meth:`fit_labelled`.
    labelled_: bool

    def __init__(self, classifier: Any, *, include_else: bool = False) -> None:
        if not callable(getattr(classifier, "fit", None)) or \
                not callable(getattr(classifier, "predict", None)):
            raise ConfigError("RecordLinkageClassifier needs a recordlinkage classifier "
                              "(an object with fit() and predict() methods)")
        self.classifier = classifier
        self.include_else = include_else

    # -- fitting ------------------------------------------------------------------
    def fit(
        self,
        gamma: pd.DataFrame,
        random_gamma: pd.DataFrame | None = None,
        *,
        n_levels: dict[str, int],
    ) -> RecordLinkageClassifier:
        """Train (a copy of) the classifier without labels on the candidate pairs."""
        levels = _check_levels(n_levels)
        if getattr(self, "labelled_", False):
            if levels != self.n_levels_:
                raise ConfigError(
                    "this RecordLinkageClassifier was trained by fit_labelled() on "
                    f"comparisons {self.n_levels_}, but the pipeline has {levels}")
            return self
        if len(gamma) == 0:
            raise InputError("there are no candidate pairs to train the classifier on")
        features = one_hot_features(gamma, levels, include_else=self.include_else)
        model = copy.deepcopy(self.classifier)
        model.fit(features)
        self.classifier_ = model
        self.n_levels_ = levels
        self.labelled_ = False
        return self

    def fit_labelled(
        self,
        gamma: pd.DataFrame,
        labels: Sequence[bool] | np.ndarray | pd.Series,
        *,
        n_levels: Mapping[str, int] | None = None,
    ) -> RecordLinkageClassifier:
        """Train (a copy of) a supervised classifier on labelled pairs.

        ``labels`` says, for each row of ``gamma`` in order, whether the pair is a match.
        ``n_levels`` maps each comparison name to its number of levels
        (``{c.name: len(c.labels) for c in comparisons}``); without it the levels seen in
        ``gamma`` are used, which is too few if the highest level never occurs there.
        """
        label_array = np.asarray(labels, dtype=bool)
        if label_array.shape != (len(gamma),):
            raise InputError(f"labels has {label_array.size} values for {len(gamma)} pairs")
        if not label_array.any() or label_array.all():
            raise InputError("labelled training needs both matches and non-matches")
        levels = _check_levels(dict(n_levels) if n_levels is not None
                               else _levels_seen(gamma))
        features = one_hot_features(gamma, levels, include_else=self.include_else)
        model = copy.deepcopy(self.classifier)
        model.fit(features, features.index[label_array])
        self.classifier_ = model
        self.n_levels_ = levels
        self.labelled_ = True
        return self

    # -- scoring --------------------------------------------------------------------
    def match_probability(self, gamma: pd.DataFrame) -> np.ndarray:
        """The match probability of each pair (0.0 or 1.0 without ``prob``)."""
        model = self._fitted()
        features = one_hot_features(gamma, self.n_levels_, include_else=self.include_else)
        if len(features) == 0:
            return np.empty(0, dtype=np.float64)
        probability = _probabilities(model, features)
        if probability is None:
            probability = _predicted(model, features).astype(np.float64)
        bad = int(np.count_nonzero(~np.isfinite(probability)))
        if bad:
            raise ClassifierError(
                f"{type(model).__name__} returned no match probability for {bad:,} of "
                f"{len(probability):,} pairs. recordlinkage's ECM does not smooth its "
                "estimates: one comparison level seen only among non-matches (common with "
                "few candidate pairs, or include_else=True) breaks the scores. Use more "
                "candidate pairs, fewer comparisons, another classifier, or goldenrec's "
                "own FellegiSunter scorer.")
        clipped: np.ndarray = np.clip(probability, 0.0, 1.0)
        return clipped

    def score(self, gamma: pd.DataFrame) -> pd.DataFrame:
        """``match_weight`` (log2 odds, ±50 at most) and ``match_probability``."""
        probability = self.match_probability(gamma)
        with np.errstate(divide="ignore"):
            weight = np.log2(probability) - np.log2(1.0 - probability)
        weight = np.clip(weight, -MAX_WEIGHT, MAX_WEIGHT)
        scores: pd.DataFrame = pd.DataFrame(
            {"match_weight": weight, "match_probability": probability}, index=gamma.index)
        return scores

    def _fitted(self) -> Any:
        if not hasattr(self, "classifier_"):
            raise NotFittedError("RecordLinkageClassifier is not fitted; call fit() first")
        return self.classifier_

    def __repr__(self) -> str:
        return f"RecordLinkageClassifier({self.classifier!r})"


def _check_levels(n_levels: Mapping[str, int]) -> dict[str, int]:
    if not n_levels:
        raise ConfigError("a classifier needs at least one comparison")
    out = {str(name): int(levels) for name, levels in n_levels.items()}
    for name, levels in out.items():
        if levels < 1:
            raise ConfigError(f"comparison {name!r} needs at least one level")
    return out


def _levels_seen(gamma: pd.DataFrame) -> dict[str, int]:
    out = {}
    for column in gamma.columns:
        if isinstance(column, str) and column.startswith("gamma_"):
            values = gamma[column].to_numpy(dtype=np.int64)
            out[column[len("gamma_"):]] = max(int(values.max()) + 1 if len(values) else 0, 2)
    return out


def _probabilities(model: Any, features: pd.DataFrame) -> np.ndarray | None:
    """``model.prob(features)`` as floats, or ``None`` when the classifier has none."""
    prob = getattr(model, "prob", None)
    if not callable(prob):
        return None
    try:
        result = prob(features)
    except (AttributeError, NotImplementedError):  # KMeans and SVM raise AttributeError
        return None
    return np.asarray(result, dtype=np.float64).reshape(-1)


def _predicted(model: Any, features: pd.DataFrame) -> np.ndarray:
    """``model.predict(features)`` as booleans, whatever its ``return_type`` option."""
    result = model.predict(features)
    if isinstance(result, pd.Index):  # return_type "index": the matching pairs' labels
        return np.asarray(features.index.isin(result), dtype=bool)
    return np.asarray(result, dtype=bool).reshape(-1)
