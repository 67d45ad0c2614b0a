"""Pseudonymised matching: keyed digests instead of personal values (issue #9)."""

from __future__ import annotations

import copy
import hashlib
import hmac
import pickle

import pandas as pd
import pytest

import goldenrec as gr
from goldenrec._demo_loader import evaluate, load_demo
from goldenrec.errors import ConfigError

from .conftest import read_febrl

SECRET = b"correct horse battery staple 32b"


def _parties(digests: str = "identifiers", secret: bytes = SECRET
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    demo = load_demo()
    specs = {s.name: s for s in demo.sources}
    party_a = gr.Pseudonymiser(secret, digests=digests,
                               sources=[specs["crm"], specs["webshop"]])
    party_b = gr.Pseudonymiser(secret, digests=digests, sources=[specs["support"]])
    a = party_a.pseudonymise({k: demo.frames[k] for k in ("crm", "webshop")})
    b = party_b.pseudonymise({"support": demo.frames["support"]})
    return a, b


def test_digest_is_hmac_sha256_of_the_domain_separated_normalised_key() -> None:
    crm = pd.DataFrame({"id": ["1", "2"], "email": ["  Ann.Lee@EXAMPLE.org", None]})
    frame = gr.pseudonymise({"crm": crm}, secret=SECRET)
    expected = hmac.new(SECRET, b"email\x00ann.lee@example.org", hashlib.sha256).hexdigest()
    assert frame.columns.tolist() == ["source", "record_key", "email_hmac"]
    assert frame.loc[0, "email_hmac"] == expected
    assert frame.loc[1, "email_hmac"] is None


def test_equal_values_in_two_parties_give_equal_digests_and_secrets_separate() -> None:
    left = pd.DataFrame({"id": ["1"], "first_name": ["Robert"], "last_name": ["Müller"],
                         "dob": ["1980-02-03"], "phone": ["+49 30 1234567"]})
    right = pd.DataFrame({"cid": ["x"], "given_name": ["BOB"], "surname": ["Mueller "],
                          "birthday": ["03.02.1980"], "mobile": ["030 1234567"]})
    a = gr.Pseudonymiser(SECRET).pseudonymise({"a": left})
    b = gr.Pseudonymiser(SECRET, sources=[gr.Source("b", key="cid", phone_region="DE",
                                                    date_order="DMY")]
                         ).pseudonymise({"b": right})
    assert a.loc[0, "phone_hmac"] == b.loc[0, "phone_hmac"]
    other = gr.Pseudonymiser(b"another secret of enough length").pseudonymise({"a": left})
    assert other.loc[0, "phone_hmac"] != a.loc[0, "phone_hmac"]
    p = gr.Pseudonymiser(SECRET)
    assert p.digest("email", "x") != p.digest("phone", "x")


def test_no_plaintext_value_in_the_output() -> None:
    demo = load_demo()
    a, b = _parties("extended")
    output = pd.concat([a, b]).drop(columns=["source", "record_key"])
    cells = {str(v) for v in output.to_numpy().ravel() if pd.notna(v)}
    assert all(len(c) == 64 and set(c) <= set("0123456789abcdef") for c in cells)
    normalised = gr.Pipeline(sources=demo.sources).normalise(demo.frames).frame
    keys = set()
    for field in ("email", "phone", "first_name", "last_name", "date_of_birth", "postcode"):
        keys |= {str(v) for v in normalised[f"{field}_key"].dropna()}
    raw = {str(v) for frame in demo.frames.values()
           for column in frame.columns if column not in ("id", "customer_no", "contact_id")
           for v in frame[column].dropna()}
    assert not (cells & (keys | raw))


@pytest.mark.parametrize("secret", [b"", b"short", b"x" * 15, "a str secret of 32 characters.."])
def test_bad_secrets_are_refused_without_echo(secret: object) -> None:
    with pytest.raises(ConfigError) as info:
        gr.Pseudonymiser(secret)  # type: ignore[arg-type]
    if secret:
        assert str(secret) not in str(info.value)


def test_secret_never_shown_pickled_or_copied() -> None:
    p = gr.Pseudonymiser(SECRET)
    assert SECRET.decode() not in repr(p) and SECRET.hex() not in repr(p)
    for attempt in (pickle.dumps, copy.copy, copy.deepcopy):
        with pytest.raises(ConfigError):
            attempt(p)
    with pytest.raises(ConfigError, match="unknown digest"):
        gr.Pseudonymiser(SECRET, digests=("email", "shoe_size"))
    with pytest.raises(ConfigError, match="unknown digest set"):
        gr.Pseudonymiser(SECRET, digests="everything")
    with pytest.raises(ConfigError, match="none of the fields"):
        p.pseudonymise({"s": pd.DataFrame({"id": ["1"], "country": ["LV"]})})


def test_zero_config_matches_digest_frames_with_exact_comparisons(tmp_path: object) -> None:
    a, b = _parties()
    pipeline = gr.Pipeline(source_column="source")
    result = pipeline.resolve(pd.concat([a, b], ignore_index=True))
    assert {type(c) for c in result.comparisons} == {gr.ExactComparison}
    assert {c.field for c in result.comparisons} == {"email_hmac", "phone_hmac",
                                                     "name_dob_hmac"}
    *informative, everyone = pipeline.blocking_rules_
    assert everyone.name == "all pairs"     # a small input: every pair is compared too
    assert all(key.transform == "exact" for rule in informative for key in rule.keys)
    scores = evaluate(result, load_demo().truth)
    assert scores.precision >= 0.99 and scores.f1 >= 0.8, scores
    saved = pipeline.to_json()
    assert SECRET.decode() not in saved and SECRET.hex() not in saved


def test_extended_digests_match_nearly_as_well_as_plaintext() -> None:
    a, b = _parties("extended")
    result = gr.Pipeline(source_column="source").resolve(pd.concat([a, b], ignore_index=True))
    scores = evaluate(result, load_demo().truth)
    assert scores.f1 >= 0.97, scores


@pytest.mark.parametrize(("digests", "bar"), [("identifiers", 0.5), ("extended", 0.98)])
def test_febrl4_digest_matching_figures(digests: str, bar: float) -> None:
    """The trade-off figure in docs/privacy.md (plaintext zero config: F1 >= 0.995)."""
    a = gr.pseudonymise({"a": read_febrl("dataset4a.csv")}, secret=SECRET, digests=digests)
    b = gr.pseudonymise({"b": read_febrl("dataset4b.csv")}, secret=SECRET, digests=digests)
    result = gr.Pipeline(source_column="source").resolve(pd.concat([a, b], ignore_index=True))
    entity = result.xref["record_key"].str.extract(r"rec-(\d+)")[0]
    scores = gr.pairwise_scores(result.xref["golden_id"], entity)
    assert scores.precision >= 0.99 and scores.f1 >= bar, scores


def test_personal_record_keys_can_be_digested_too() -> None:
    crm = pd.DataFrame({"email": ["ann@example.org", "bob@example.org"],
                        "phone": ["+49 30 1234567", None]})
    p = gr.Pseudonymiser(SECRET, key="email", hash_keys=True)
    frame = p.pseudonymise({"crm": crm})
    assert "ann@example.org" not in frame.to_string()
    assert frame["record_key"].tolist() == [p.digest("record_key", "ann@example.org"),
                                            p.digest("record_key", "bob@example.org")]
