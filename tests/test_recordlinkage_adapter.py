"""Tests for goldenrec.adapters.recordlinkage (needs the extra; a pandas 2 environment)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

recordlinkage = pytest.importorskip("recordlinkage")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import goldenrec as gr  # noqa: E402
from goldenrec.adapters.recordlinkage import (  # noqa: E402
    ClassifierError,
    RecordLinkageClassifier,
    RecordLinkageIndexer,
    one_hot_features,
)
from goldenrec.errors import ConfigError, NotFittedError  # noqa: E402

pytestmark = pytest.mark.recordlinkage

ROOT = Path(__file__).resolve().parents[1]
FEBRL = ROOT.parent / "shared" / "data" / "splink_datasets" / "febrl"


def _people() -> dict[str, pd.DataFrame]:
    crm = pd.DataFrame({
        "id": ["c1", "c2", "c3", "c4", "c5", "c6"],
        "first_name": ["Zoë", "Ann", "Bob", "Jürgen", "Mary", "Li"],
        "last_name": ["Müller", "Lee", "Ray", "Müller", None, "N/A"],
        "email": ["zoe@x.org", "ann@x.org", "bob@y.org", "j@z.de", "m@q.org", "li@q.org"],
    })
    shop = pd.DataFrame({
        "id": ["s1", "s2", "s3", "s4", "s5"],
        "first_name": ["Zoe", "Anne", "Robert", "Mary", "Lee"],
        "last_name": ["MÜLLER", "lee", "Ray", None, "Li"],
        "email": ["ZOE@x.org", "ann@x.org", "bob@y.org", "mary@q.org", "lee@w.org"],
    })
    return {"crm": crm, "shop": shop}


def _synthetic_gamma(seed: int = 7) -> tuple[pd.DataFrame, np.ndarray, dict[str, int]]:
    """Comparison levels for 300 matches (mostly level 0) and 3000 non-matches."""
    rng = np.random.default_rng(seed)
    n_levels = {"first_name": 4, "date_of_birth": 4, "postcode": 3}
    n_match, n_non = 300, 3000
    columns = {}
    for name, levels in n_levels.items():
        agree = np.full(levels, 0.1 / (levels - 1))
        agree[0] = 0.85
        agree[-1] = 1.0 - agree[:-1].sum()
        disagree = np.full(levels, 0.1 / (levels - 1))
        disagree[-1] = 1.0 - disagree[:-1].sum()
        values = np.concatenate([rng.choice(levels, n_match, p=agree),
                                 rng.choice(levels, n_non, p=disagree)])
        values[rng.random(len(values)) < 0.05] = -1
        columns[f"gamma_{name}"] = values.astype(np.int8)
    labels = np.concatenate([np.ones(n_match, dtype=bool), np.zeros(n_non, dtype=bool)])
    return pd.DataFrame(columns), labels, n_levels


def _pair_set(pairs: pd.DataFrame) -> set[tuple[int, int]]:
    return set(zip(pairs["row_l"].tolist(), pairs["row_r"].tolist()))


# -- the indexer -------------------------------------------------------------------------
def test_block_indexer_gives_the_same_pairs_as_block_on() -> None:
    records = gr.Pipeline().normalise(_people()).frame
    own = gr.Blocker([gr.block_on("last_name")]).block(records)
    wrapped = gr.Blocker([RecordLinkageIndexer(recordlinkage.index.Block(left_on="last_name"))]
                         ).block(records)
    assert _pair_set(wrapped) == _pair_set(own)
    assert len(own) >= 3  # Müller/MÜLLER (x2 on the crm side), Lee/lee, Ray/Ray
    assert list(wrapped["rule"].unique()) == ["recordlinkage:Block"]


def test_indexer_sees_valid_match_keys_by_row_position() -> None:
    records = gr.Pipeline().normalise(_people()).frame
    seen: list[pd.DataFrame] = []

    class Spy:
        def index(self, frame: pd.DataFrame) -> pd.MultiIndex:
            seen.append(frame)
            return pd.MultiIndex.from_arrays([[1, 2], [0, 0]])

    strategy = RecordLinkageIndexer(Spy(), name="spy")
    left, right = strategy.candidate_pairs(records)
    assert strategy.name == "spy"
    assert left.dtype == np.int64 and right.dtype == np.int64
    assert left.tolist() == [1, 2] and right.tolist() == [0, 0]
    frame = seen[0]
    assert list(frame.index) == list(range(len(records)))
    assert "last_name" in frame.columns
    valid = records["last_name_status"] == "valid"
    assert frame["last_name"][~valid.to_numpy()].isna().all()
    assert frame["last_name"][valid.to_numpy()].tolist() == \
        records.loc[valid, "last_name_key"].tolist()


def test_indexer_default_name_and_validation() -> None:
    full = recordlinkage.index.Full()
    assert RecordLinkageIndexer(full).name == "recordlinkage:Full"
    with pytest.raises(ConfigError):
        RecordLinkageIndexer(object())


# -- the classifier ------------------------------------------------------------------------
def test_unsupervised_probabilities_lie_in_zero_one() -> None:
    gamma, labels, n_levels = _synthetic_gamma()
    for classifier in (recordlinkage.ECMClassifier(), recordlinkage.KMeansClassifier()):
        scorer = RecordLinkageClassifier(classifier).fit(gamma, None, n_levels=n_levels)
        scores = scorer.score(gamma)
        probability = scores["match_probability"].to_numpy()
        assert list(scores.columns) == ["match_weight", "match_probability"]
        assert scores.index.equals(gamma.index)
        assert np.isfinite(probability).all()
        assert ((probability >= 0.0) & (probability <= 1.0)).all()
        assert (np.abs(scores["match_weight"].to_numpy()) <= 50.0).all()
        predicted = probability >= 0.5
        assert (predicted == labels).mean() > 0.9


def test_supervised_classifier_via_fit_labelled_is_kept_by_fit() -> None:
    gamma, labels, n_levels = _synthetic_gamma()
    scorer = RecordLinkageClassifier(recordlinkage.LogisticRegressionClassifier())
    scorer.fit_labelled(gamma, labels, n_levels=n_levels)
    before = scorer.score(gamma)["match_probability"].to_numpy()
    assert ((before >= 0.5) == labels).mean() > 0.9
    scorer.fit(gamma.iloc[:10], None, n_levels=n_levels)  # what a pipeline would call
    assert np.array_equal(scorer.score(gamma)["match_probability"].to_numpy(), before)
    with pytest.raises(ConfigError):
        scorer.fit(gamma, None, n_levels={"first_name": 4})


def test_user_classifier_is_not_mutated() -> None:
    classifier = recordlinkage.ECMClassifier()
    before = pickle.dumps(classifier)
    scorer = RecordLinkageClassifier(classifier)
    pipeline = gr.Pipeline(
        blocking_rules=[RecordLinkageIndexer(recordlinkage.index.Full())], scorer=scorer)
    pipeline.resolve(_people())
    assert pickle.dumps(classifier) == before
    assert not hasattr(scorer, "classifier_")  # the pipeline fitted its own copy
    gamma, _, n_levels = _synthetic_gamma()
    scorer.fit(gamma, None, n_levels=n_levels)
    assert scorer.classifier_ is not classifier
    assert pickle.dumps(classifier) == before


def test_nan_probabilities_raise_a_clear_error() -> None:
    class Broken:  # what recordlinkage's unsmoothed ECM does on too few pairs
        def fit(self, features: pd.DataFrame) -> None:
            pass

        def predict(self, features: pd.DataFrame) -> pd.Index:
            return features.index[:0]

        def prob(self, features: pd.DataFrame) -> pd.Series:
            return pd.Series(np.nan, index=features.index)

    gamma, _, n_levels = _synthetic_gamma()
    scorer = RecordLinkageClassifier(Broken()).fit(gamma, None, n_levels=n_levels)
    with pytest.raises(ClassifierError, match="ECM does not smooth"):
        scorer.score(gamma)


def test_score_before_fit_and_features() -> None:
    gamma, _, _ = _synthetic_gamma()
    with pytest.raises(NotFittedError):
        RecordLinkageClassifier(recordlinkage.ECMClassifier()).score(gamma)
    small = pd.DataFrame({"gamma_name": [0, 1, 2, -1]})
    assert one_hot_features(small, {"name": 3}, include_else=True).to_numpy().tolist() == \
        [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]]
    with pytest.raises(ConfigError):
        one_hot_features(small, {"name": 2})


# -- end to end: FEBRL 4 ---------------------------------------------------------------------
def _read_febrl(name: str) -> pd.DataFrame:
    return pd.read_csv(FEBRL / name, dtype=str, skipinitialspace=True,
                       keep_default_na=False, na_values=[""])


@pytest.mark.slow
@pytest.mark.skipif(not (FEBRL / "dataset4a.csv").exists(),
                    reason="shared FEBRL data folder is absent")
def test_ecm_pipeline_resolves_febrl4() -> None:
    data = {"a": _read_febrl("dataset4a.csv"), "b": _read_febrl("dataset4b.csv")}
    pipeline = gr.Pipeline(
        blocking_rules=[
            RecordLinkageIndexer(recordlinkage.index.Block(left_on="last_name")),
            RecordLinkageIndexer(recordlinkage.index.SortedNeighbourhood("first_name",
                                                                        window=5)),
            RecordLinkageIndexer(recordlinkage.index.Block(left_on=["postcode",
                                                                    "date_of_birth"]),
                                 name="postcode & date_of_birth"),
        ],
        scorer=RecordLinkageClassifier(recordlinkage.ECMClassifier()),
    )
    result = pipeline.resolve(data)
    truth = result.xref["record_key"].str.extract(r"rec-(\d+)", expand=False)
    assert truth.notna().all()
    scores = gr.pairwise_scores(result.xref["golden_id"], truth)
    assert scores.f1 >= 0.95, scores
