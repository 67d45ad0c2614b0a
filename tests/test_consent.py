"""Consent per purpose: normalisers, survivorship, lineage, exports, store and CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import goldenrec as gr
from goldenrec._cli import main
from goldenrec._consent import consent_column, consenting, plan_consent
from goldenrec._normalise._consent import ConsentNormaliser, PurposeNormaliser, purpose_key
from goldenrec._survivorship import Survivorship
from goldenrec.errors import ConfigError


# -- normalisers --------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "granted", "Yes", "Y", "true", "TRUE", "1", "opt-in", "Opt In", "opted in", "subscribed",
    "consent", "agreed", "ja", "Jā", "oui", "sí", "sim", "tak", "kyllä", "да", "zugestimmt",
    "d'accord", "t", "on"])
def test_granted_spellings(text: str) -> None:
    out = ConsentNormaliser().normalise(pd.Series([text]))
    assert out.loc[0, "value"] == "granted"
    assert out.loc[0, "status"] == "valid"


@pytest.mark.parametrize("text", [
    "withdrawn", "No", "N", "false", "0", "opt-out", "OPT OUT", "unsubscribed", "revoked",
    "declined", "refused", "nein", "non", "nee", "nie", "nej", "ei", "нет", "widerrufen",
    "retiré", "não", "f", "off"])
def test_withdrawn_spellings(text: str) -> None:
    out = ConsentNormaliser().normalise(pd.Series([text]))
    assert out.loc[0, "value"] == "withdrawn"
    assert out.loc[0, "status"] == "valid"


def test_unknown_consent_is_flagged_not_raised() -> None:
    out = ConsentNormaliser().normalise(pd.Series(["maybe", "later", None, "n/a"]))
    assert out["status"].tolist() == ["invalid", "invalid", "missing", "placeholder"]
    assert out["reason"].tolist()[:2] == ["consent_unknown", "consent_unknown"]
    assert out["value"].isna().all()


@pytest.mark.parametrize(("text", "value"), [
    ("Marketing", "marketing"), ("E-mail marketing", "e_mail_marketing"),
    ("profiling; Marketing", "marketing;profiling"), ("general", "general"),
    ("ALL", "general"), ("*", "general"), ("marketing, all", "general"),
])
def test_purposes(text: str, value: str) -> None:
    out = PurposeNormaliser().normalise(pd.Series([text]))
    assert out.loc[0, "value"] == value
    assert out.loc[0, "status"] == "valid"


def test_unreadable_purpose_is_flagged() -> None:
    out = PurposeNormaliser().normalise(pd.Series(["marketing; ???"]))
    assert out.loc[0, "status"] == "invalid"
    assert out.loc[0, "reason"] == "purpose_unreadable"
    assert purpose_key(None) == "general"


def test_column_names_are_inferred() -> None:
    assert gr.infer_role("Opt-In") == "consent"
    assert gr.infer_role("consent_date") == "consent_at"
    assert gr.infer_role("Consent Purpose") == "consent_purpose"


# -- survivorship -------------------------------------------------------------------------
def _frames() -> dict[str, pd.DataFrame]:
    crm = pd.DataFrame({
        "id": ["c1", "c2", "c3"], "first_name": ["Ann", "Bob", "Cyd"],
        "last_name": ["Lee", "Ray", "Oak"],
        "email": ["ann@example.com", "bob@example.com", "cyd@example.com"],
        "consent": ["yes", "opt-in", None],
        "consent_date": ["2024-01-01", "2024-01-01T10:00:00+02:00", None],
        "consent_purpose": ["marketing", None, None],
    })
    shop = pd.DataFrame({
        "id": ["s1", "s2", "s3"], "first_name": ["Ann", "Bob", "Cyd"],
        "last_name": ["Lee", "Ray", "Oak"],
        "email": ["ann@example.com", "bob@example.com", "cyd@example.com"],
        # Ann withdraws marketing later; Bob withdraws profiling one hour earlier (UTC)
        "consent": ["withdrawn", "nein", "maybe"],
        "consent_date": ["01/06/2024", "2024-01-01 07:00", "2024-01-01"],
        "consent_purpose": ["Marketing", "profiling", "marketing"],
    })
    return {"crm": crm, "shop": shop}


def _sources() -> list[gr.Source]:
    return [gr.Source("crm", key="id"),
            gr.Source("shop", key="id", date_order="DMY", time_zone="UTC")]


@pytest.fixture(scope="module")
def result() -> gr.Result:
    return gr.Pipeline(sources=_sources(), threshold=0.5).resolve(_frames())


def _row(result: gr.Result, first: str) -> pd.Series:
    golden = result.golden
    row: pd.Series = golden[golden["first_name"] == first].iloc[0]
    return row


def test_golden_has_a_decision_per_purpose(result: gr.Result) -> None:
    golden = result.golden
    for column in ("consent_general", "consent_general_at", "consent_marketing",
                   "consent_marketing_at", "consent_profiling", "consent_profiling_at"):
        assert column in golden.columns
    for role in ("consent", "consent_at", "consent_purpose"):
        assert role not in golden.columns
    assert len(golden) == 3


def test_withdrawal_after_grant_across_sources(result: gr.Result) -> None:
    ann = _row(result, "Ann")
    assert ann["consent_marketing"] == "withdrawn"
    assert ann["consent_marketing_at"] == "2024-06-01T00:00:00"  # DMY source
    assert pd.isna(ann["consent_general"])


def test_general_grant_applies_to_every_purpose_unless_newer(result: gr.Result) -> None:
    bob = _row(result, "Bob")
    # the general grant at 08:00 UTC (10:00+02:00) is newer than the 07:00 withdrawal
    assert bob["consent_general"] == "granted"
    assert bob["consent_general_at"] == "2024-01-01T08:00:00"
    assert bob["consent_profiling"] == "granted"
    assert bob["consent_marketing"] == "granted"


def test_unknown_value_never_becomes_a_decision(result: gr.Result) -> None:
    cyd = _row(result, "Cyd")
    assert pd.isna(cyd["consent_marketing"])
    flagged = result.quality[(result.quality["field"] == "consent")
                             & (result.quality["record_key"] == "s3")]
    assert flagged["reason"].tolist() == ["consent_unknown"]


def test_lineage_and_explanation(result: gr.Result) -> None:
    ann = _row(result, "Ann")
    rows = result.lineage[(result.lineage["golden_id"] == ann["golden_id"])
                          & (result.lineage["field"] == "consent_marketing")]
    assert rows["rule"].tolist() == ["most_recent_consent"]
    assert rows["decided_by"].tolist() == ["most_recent_consent"]
    assert (rows["source"].tolist(), rows["record_key"].tolist()) == (["shop"], ["s1"])
    assert rows["runner_up"].tolist() == ["granted"]
    explained = result.explain_value(ann["golden_id"], "consent_marketing_at")
    assert explained.record == ("shop", "s1")
    assert explained.rule == "most_recent_consent"
    assert explained.candidates["record_key"].tolist() == ["s1", "c1"]
    assert not result.conflicts["field"].astype(str).str.startswith("consent").any()


def _survive(consent: list[str], at: list[str | None], purpose: list[str | None],
             keys: list[str] | None = None, sources: list[str] | None = None
             ) -> pd.DataFrame:
    n = len(consent)
    keys = keys or [f"r{i}" for i in range(n)]
    frame = pd.DataFrame({"source": sources or ["a"] * n, "record_key": keys})
    for name, values, normaliser in (
            ("consent", consent, ConsentNormaliser()),
            ("consent_at", at, gr.TimestampNormaliser()),
            ("consent_purpose", purpose, PurposeNormaliser())):
        table = normaliser.normalise(pd.Series(values, dtype=object))
        frame[name] = table["value"]
        frame[f"{name}_key"] = table["key"]
        frame[f"{name}_status"] = table["status"]
    golden: pd.DataFrame = Survivorship().survive(
        frame, np.zeros(n, dtype=np.int64),
        ["consent", "consent_at", "consent_purpose"]).golden
    return golden


def test_general_withdrawal_overrides_older_purpose_grant() -> None:
    golden = _survive(["granted", "withdrawn"], ["2024-01-01", "2024-02-01"],
                      ["marketing", None])
    assert golden.loc[0, "consent_marketing"] == "withdrawn"
    assert golden.loc[0, "consent_general"] == "withdrawn"


def test_newer_purpose_grant_beats_general_withdrawal() -> None:
    golden = _survive(["withdrawn", "granted"], ["2024-01-01", "2024-02-01"],
                      [None, "marketing"])
    assert golden.loc[0, "consent_marketing"] == "granted"
    assert golden.loc[0, "consent_general"] == "withdrawn"
    assert not consenting(golden, "newsletter").iloc[0]  # falls back to general
    assert consenting(golden, "marketing").iloc[0]


def test_time_zones_decide_order() -> None:
    # 10:30+02:00 is 08:30 UTC: earlier than 09:00Z
    golden = _survive(["withdrawn", "granted"], ["2024-03-01T10:30:00+02:00",
                                                 "2024-03-01T09:00:00Z"], ["sms", "sms"])
    assert golden.loc[0, "consent_sms"] == "granted"
    assert golden.loc[0, "consent_sms_at"] == "2024-03-01T09:00:00"


def test_tie_goes_to_withdrawal_in_any_row_order() -> None:
    for consent in (["granted", "withdrawn"], ["withdrawn", "granted"]):
        golden = _survive(consent, ["2024-01-01", "2024-01-01"], ["email", "email"],
                          keys=["a1", "b1"], sources=["x", "y"])
        assert golden.loc[0, "consent_email"] == "withdrawn"


def test_undated_decision_ranks_after_dated_one() -> None:
    golden = _survive(["withdrawn", "granted"], [None, "2020-01-01"], ["email", "email"])
    assert golden.loc[0, "consent_email"] == "granted"


def test_no_consent_role_changes_nothing() -> None:
    frame = pd.DataFrame({"source": ["a"], "record_key": ["1"]})
    plan = plan_consent(frame, ["email", "consent_at"])
    assert plan.fields == ["email"]
    assert plan.groups == ()


# -- exports ------------------------------------------------------------------------------
def test_golden_for_purpose(result: gr.Result) -> None:
    assert sorted(result.golden_for("marketing")["first_name"]) == ["Bob"]
    assert sorted(result.golden_for("Profiling")["first_name"]) == ["Bob"]
    assert sorted(result.golden_for()["first_name"]) == ["Bob"]
    assert sorted(result.golden_for("newsletter")["first_name"]) == ["Bob"]  # general
    with pytest.raises(ConfigError):
        consent_column("???")


def test_write_for_purpose_leaves_others_out(result: gr.Result, tmp_path: Path) -> None:
    result.write(tmp_path, purpose="marketing")
    golden = pd.read_csv(tmp_path / "golden.csv", dtype=str)
    assert golden["first_name"].tolist() == ["Bob"]
    bob = golden["golden_id"].iloc[0]
    for name in ("xref", "lineage"):
        frame = pd.read_csv(tmp_path / f"{name}.csv", dtype=str)
        assert set(frame["golden_id"]) == {bob}
    xref = pd.read_csv(tmp_path / "xref.csv", dtype=str)
    assert sorted(xref["record_key"]) == ["c2", "s2"]
    quality = pd.read_csv(tmp_path / "quality.csv", dtype=str)
    assert set(quality["record_key"]) == {"c2", "s2"}
    pairs = pd.read_csv(tmp_path / "pairs.csv", dtype=str)
    assert set(pairs["record_key_l"]) | set(pairs["record_key_r"]) <= {"c2", "s2"}
    text = "".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("*.csv"))
    assert "ann@example.com" not in text and "Cyd" not in text


def test_for_purpose_result(result: gr.Result) -> None:
    kept = result.for_purpose("marketing")
    assert kept.golden["first_name"].tolist() == ["Bob"]
    assert sorted(kept.records["record_key"]) == ["c2", "s2"]
    assert kept.survivorship is None
    rows = kept.records[["source", "record_key"]].to_numpy().tolist()
    for _, pair in kept.pairs.iterrows():  # positions point into the kept records
        assert rows[int(pair["row_l"])] == [pair["source_l"], pair["record_key_l"]]
        assert rows[int(pair["row_r"])] == [pair["source_r"], pair["record_key_r"]]
    assert len(kept.pairs) >= 1
    assert set(kept.confidence["golden_id"]) == set(kept.golden["golden_id"])
    assert "customers out:     1" in kept.summary()


def test_store_golden_for_purpose(tmp_path: Path) -> None:
    pipeline = gr.Pipeline(sources=_sources(), threshold=0.5)
    with gr.GoldenStore.create(tmp_path / "s.db", pipeline, _frames()) as store:
        assert sorted(store.golden(purpose="marketing")["first_name"]) == ["Bob"]
        assert len(store.golden()) == 3
        later = pd.DataFrame({"id": ["s4"], "first_name": ["Bob"], "last_name": ["Ray"],
                              "email": ["bob@example.com"], "consent": ["opt-out"],
                              "consent_date": ["02/01/2024"],
                              "consent_purpose": ["marketing"]})
        changes = store.update({"shop": later})
        assert store.golden(purpose="marketing").empty
        assert sorted(store.golden(purpose="profiling")["first_name"]) == ["Bob"]
        # the event log says what changed, so downstream systems stop contacting Bob
        (event,) = [e for e in changes.events if e.kind == "updated"]
        assert event.data["changes"]["consent_marketing"] == ["granted", "withdrawn"]
        assert event.data["changes"]["consent_marketing_at"] == [
            "2024-01-01T08:00:00", "2024-01-02T00:00:00"]
        created = [e for e in store.events() if e.kind == "created"]
        assert all("consent_general" in e.data["fields"] for e in created)
        assert not any("consent" in e.data["fields"] for e in created)


def test_cli_resolve_purpose(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, frame in _frames().items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    out = tmp_path / "out"
    status = main(["resolve", str(tmp_path / "crm.csv"), str(tmp_path / "shop.csv"),
                   "--id", "id", "--date-order", "shop=DMY", "--threshold", "0.5",
                   "--out", str(out), "--purpose", "marketing", "--mask-pii"])
    assert status == 0
    assert "1 customer(s) consented to 'marketing'" in capsys.readouterr().out
    golden = pd.read_csv(out / "golden.csv", dtype=str)
    assert golden["first_name"].tolist() == ["B***"]  # filtered, then masked
    assert golden["consent_marketing"].tolist() == ["granted"]
    status = main(["resolve", str(tmp_path / "crm.csv"), "--id", "id", "--out",
                   str(out), "--purpose", "!!"])
    assert status == 2


def test_pipeline_with_consent_normalisers_saves_and_loads() -> None:
    pipeline = gr.Pipeline(normalisers={"consent": ConsentNormaliser(),
                                        "consent_purpose": PurposeNormaliser()})
    loaded = gr.Pipeline.from_json(pipeline.to_json())
    assert loaded.normalisers is not None
    assert isinstance(loaded.normalisers["consent"], ConsentNormaliser)
    assert isinstance(loaded.normalisers["consent_purpose"], PurposeNormaliser)
