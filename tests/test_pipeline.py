from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import goldenrec as gr
from goldenrec.errors import ConfigError, InputError, NotFittedError, SerialisationError


def outputs(result: gr.Result) -> dict[str, pd.DataFrame]:
    xref = result.xref.sort_values(["source", "record_key"]).reset_index(drop=True)
    return {"golden": result.golden, "lineage": result.lineage, "xref": xref}


def test_end_to_end_two_sources(two_sources: dict[str, pd.DataFrame]) -> None:
    sources = [gr.Source("crm", key="id", date_order="YMD"),
               gr.Source("shop", key="customer_no", date_order="DMY")]
    result = gr.Pipeline(sources).resolve(two_sources)
    assert len(result.xref) == 7
    assert result.xref.groupby(["source", "record_key"]).size().max() == 1
    ids = result.xref.set_index(["source", "record_key"])["golden_id"]
    assert ids[("crm", "c1")] == ids[("shop", "w1")]
    assert ids[("crm", "c2")] == ids[("shop", "w2")]
    assert ids[("crm", "c4")] not in set(ids[[("shop", "w1"), ("shop", "w2"), ("shop", "w3")]])
    assert set(result.golden["golden_id"]) == set(result.xref["golden_id"])
    assert result.golden["n_records"].sum() == 7
    jurgen = result.golden[result.golden["golden_id"] == ids[("crm", "c2")]].iloc[0]
    assert jurgen["phone"] == "+49301234567"
    assert jurgen["date_of_birth"] == "1975-12-24"
    quality = result.quality.set_index(["source", "record_key", "field"])
    assert quality.loc[("crm", "c3", "phone"), "status"] == "placeholder"
    lineage_fields = set(result.lineage["field"])
    assert {"first_name", "email", "phone"} <= lineage_fields
    assert "customers out" in result.summary()


def test_row_order_and_rerun_do_not_change_outputs(two_sources: dict[str, pd.DataFrame]
                                                    ) -> None:
    sources = [gr.Source("crm", key="id"), gr.Source("shop", key="customer_no",
                                                     date_order="DMY")]
    first = outputs(gr.Pipeline(sources).resolve(two_sources))
    shuffled = {name: frame.sample(frac=1, random_state=5) for name, frame in
                reversed(list(two_sources.items()))}
    second = outputs(gr.Pipeline(sources).resolve(shuffled))
    third = outputs(gr.Pipeline(sources).resolve(two_sources))
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])
        pd.testing.assert_frame_equal(first[name], third[name])


def test_save_and_load_give_identical_results(tmp_path, two_sources) -> None:  # type: ignore[no-untyped-def]
    sources = [gr.Source("crm", key="id"), gr.Source("shop", key="customer_no",
                                                     date_order="DMY")]
    pipeline = gr.Pipeline(sources)
    result = pipeline.resolve(two_sources)
    path = tmp_path / "pipeline.json"
    pipeline.save(path)
    data = json.loads(path.read_text())
    assert data["format"] == "goldenrec.pipeline" and data["version"] == 1
    loaded = gr.Pipeline.load(path)
    assert loaded.is_fitted
    again = loaded.resolve(two_sources)
    for name, frame in outputs(result).items():
        pd.testing.assert_frame_equal(frame, outputs(again)[name])
    assert loaded.to_dict() == pipeline.to_dict()


def test_hand_written_configuration_round_trips(two_sources) -> None:  # type: ignore[no-untyped-def]
    pipeline = gr.Pipeline(
        [gr.Source("crm", key="id"), gr.Source("shop", key="customer_no", date_order="DMY")],
        blocking_rules=[gr.block_on("email"), gr.block_on(gr.phonetic("last_name"))],
        comparisons=[gr.NameComparison("first_name"), gr.NameComparison("last_name"),
                     gr.ExactComparison("email"), gr.DateComparison("date_of_birth")],
        survivorship={"email": gr.MostRecent()},
        threshold=0.8,
    )
    before = pipeline.to_dict()
    result = pipeline.resolve(two_sources)
    assert pipeline.threshold_ == 0.8
    assert list(result.blocking_stats["rule"]) == ["email", "metaphone(last_name)"]
    restored = gr.Pipeline.from_json(pipeline.to_json())
    assert restored.to_dict() == pipeline.to_dict()
    unfitted = {k: v for k, v in pipeline.to_dict().items() if k != "fitted"}
    assert unfitted == before  # running never mutates the specs


@pytest.mark.parametrize(
    "text",
    ["", "not json", "[]", '{"format": "other"}',
     '{"format": "goldenrec.pipeline", "version": 99}',
     '{"format": "goldenrec.pipeline", "version": 1}',
     '{"format": "goldenrec.pipeline", "version": 1, "max_pairs": "x"}'],
)
def test_bad_saved_pipelines_give_typed_errors(text: str) -> None:
    with pytest.raises((SerialisationError, ConfigError)):
        gr.Pipeline.from_json(text)


def test_bad_options_and_unfitted_use() -> None:
    frame = {"s": pd.DataFrame({"id": ["1", "2"], "first_name": ["a", "b"]})}
    with pytest.raises(ConfigError):
        gr.Pipeline(threshold=1.5).resolve(frame)
    with pytest.raises(ConfigError):
        gr.Pipeline(threshold="high").resolve(frame)
    with pytest.raises(NotFittedError):
        gr.Pipeline().blocker()


def test_singletons_and_tiny_inputs() -> None:
    frame = {"s": pd.DataFrame({"id": ["1"], "first_name": ["Ann"], "last_name": ["Lee"]})}
    result = gr.resolve(frame)
    assert len(result.golden) == 1 and len(result.xref) == 1
    assert result.golden.loc[0, "first_name"] == "Ann"


def test_full_name_source_links_to_split_names() -> None:
    crm = pd.DataFrame({"id": ["1", "2"], "first_name": ["Jürgen", "Mary"],
                        "last_name": ["Weiß", "Jones"], "email": ["jw@example.de", None],
                        "date_of_birth": ["1970-01-02", "1985-05-05"]})
    desk = pd.DataFrame({"id": ["9", "8"], "name": ["Weiss, Jürgen", "Peter Pan"],
                         "email": ["JW@example.de", "pp@example.com"],
                         "birthday": ["1970-01-02", "1960-01-01"]})
    result = gr.resolve({"crm": crm, "desk": desk})
    ids = result.xref.set_index(["source", "record_key"])["golden_id"]
    assert ids[("crm", "1")] == ids[("desk", "9")]
    assert ids[("crm", "2")] != ids[("desk", "8")]


def test_every_record_accounted_for_with_bad_values() -> None:
    rng = np.random.default_rng(0)
    n = 200
    frame = pd.DataFrame({
        "id": [f"r{i}" for i in range(n)],
        "first_name": rng.choice(["Ann", "", None, "N/A", "12", "Bob"], n),
        "email": rng.choice(["a@x.org", "broken@@x", None, "test@test.com"], n),
        "phone": rng.choice(["+44 20 7946 0958", "12", None, "000-000-0000"], n),
        "date_of_birth": rng.choice(["1980-01-01", "31.02.1999", "1900-01-01", None], n),
    })
    result = gr.resolve({"s": frame}, max_block_size=50)
    assert sorted(result.xref["record_key"]) == sorted(frame["id"])
    assert result.golden["n_records"].sum() == n


def test_cannot_link_and_must_link() -> None:
    frame = pd.DataFrame({
        "id": ["1", "2", "3", "4"],
        "first_name": ["Ann", "Ann", "Zed", "Yan"],
        "last_name": ["Lee", "Lee", "Quo", "Pim"],
        "email": ["ann@x.org", "ann@x.org", "zq@q.org", "yp@p.org"],
        "national_id": ["111", "999", "555", "555"],
    })
    together = gr.resolve({"s": frame})
    ids = together.xref.set_index("record_key")["golden_id"]
    assert ids["1"] == ids["2"]
    apart = gr.resolve({"s": frame}, cannot_link=("national_id",))
    ids = apart.xref.set_index("record_key")["golden_id"]
    assert ids["1"] != ids["2"]
    forced = gr.resolve({"s": frame}, must_link=(gr.block_on("national_id"),))
    ids = forced.xref.set_index("record_key")["golden_id"]
    assert ids["3"] == ids["4"]
    pipeline = gr.Pipeline(cannot_link=("national_id",), must_link=(gr.block_on("email"),))
    assert gr.Pipeline.from_json(pipeline.to_json()).to_dict() == pipeline.to_dict()


def test_typo_in_identifier_is_not_a_conflict() -> None:
    frame = pd.DataFrame({
        "id": ["1", "2"], "first_name": ["Ann", "Ann"], "last_name": ["Lee", "Lee"],
        "email": ["ann@x.org", "ann@x.org"], "national_id": ["1234567", "1234568"],
    })
    result = gr.resolve({"s": frame}, cannot_link=("national_id",))
    assert result.xref["golden_id"].nunique() == 1


def test_labels_correct_the_model() -> None:
    frame = pd.DataFrame({
        "id": [str(i) for i in range(6)],
        "first_name": ["Ann", "Ann", "Bo", "Bo", "Cy", "Cy"],
        "last_name": ["Lee", "Lee", "Ray", "Ray", "Fox", "Fox"],
        "email": ["a@x.org", "b@x.org", "c@x.org", "d@x.org", "e@x.org", "f@x.org"],
    })
    labels = pd.DataFrame({"source_l": ["s", "s"], "record_key_l": ["0", "2"],
                           "source_r": ["s", "s"], "record_key_r": ["1", "3"],
                           "match": [0, 0]})
    plain = gr.Pipeline().fit({"s": frame})
    taught = gr.Pipeline().fit({"s": frame}, labels=labels)
    # two of the three name-alike pairs are declared different people
    assert taught.model_.lambda_ < plain.model_.lambda_
    assert taught.model_.to_dict() != plain.model_.to_dict()
    # a labelled pair blocking never proposed is used too
    far = pd.DataFrame({"source_l": ["s"], "record_key_l": ["0"], "source_r": ["s"],
                        "record_key_r": ["5"], "match": [0]})
    gr.Pipeline().fit({"s": frame}, labels=far)
    with pytest.raises(InputError):
        gr.Pipeline().fit({"s": frame}, labels=labels.assign(record_key_r="nope"))
    with pytest.raises(InputError):
        gr.Pipeline().fit({"s": frame}, labels=labels.drop(columns=["match"]))
