"""``goldenrec.mask``: personal values masked for display (issue #9)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

import goldenrec as gr
from goldenrec._cli import main
from goldenrec.errors import ConfigError


@pytest.mark.parametrize(("value", "kind", "expected"), [
    # e-mail: first character and the domain
    ("jane.doe@example.com", "email", "j***@example.com"),
    ("J@example.com", "email", "J***@example.com"),
    ("a@b", "email", "a***@b"),
    ("@example.com", "email", "***@example.com"),
    ("דוד@example.co.il", "email", "ד***@example.co.il"),
    ("no-at-sign", "email", "n***"),
    # phone: country code and last two digits, the groups masked
    ("+49 30 1234567", "phone", "+49 *** *** 67"),
    ("0049 30 1234567", "phone", "+49 *** *** 67"),
    ("00371 23 594 439", "phone", "+371 *** *** 39"),
    ("+1 (303) 565-9874", "phone", "+1 *** *** 74"),
    ("030 1234567", "phone", "*** *** 67"),
    ("+999 12 34", "phone", "*** *** 34"),
    ("123", "phone", "***"),
    ("x", "phone", "***"),
    # names: the first letter, in any script
    ("jürgen", "name", "J***"),
    ("Ōno", "name", "Ō***"),
    ("דוד לוי", "name", "ד***"),
    ("王伟", "name", "王***"),
    ("高橋 結衣", "name", "高***"),
    ("J", "name", "J***"),
    ("  ann ", "name", "A***"),
    # dates keep the year only, other text its first character, identifiers nothing
    ("1985-10-12", "date", "1985-**-**"),
    ("12/10/1985", "date", "****-**-**"),
    ("12 High Street", "text", "1***"),
    ("ul. Zielona 5", "text", "u***"),
    ("123-45-6789", "identifier", "***"),
    ("7", "identifier", "***"),
    ("LV", "none", "LV"),
    # empty stays empty
    ("", "name", ""),
    ("   ", "email", "   "),
])
def test_mask_each_kind(value: str, kind: str, expected: str) -> None:
    assert gr.mask(value, kind) == expected


@pytest.mark.parametrize("kind", ["email", "phone", "name", "date", "text", "identifier"])
@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA])
def test_missing_values_stay_missing(kind: str, missing: object) -> None:
    masked = gr.mask(missing, kind)
    assert masked is missing or (isinstance(masked, float) and math.isnan(masked))


@pytest.mark.parametrize(("value", "expected"), [
    ("ann.lee@example.org", "a***@example.org"),
    ("+49 30 1234567", "+49 *** *** 67"),
    ("(303) 565-9874", "*** *** 74"),
    ("1985-10-12", "1985-**-**"),
    ("Ann", "A***"),
    ("王伟", "王***"),
])
def test_the_kind_of_a_lone_value_is_guessed(value: str, expected: str) -> None:
    assert gr.mask(value) == expected


def test_frames_series_and_lists() -> None:
    golden = pd.DataFrame({
        "golden_id": ["G1", "G2"], "first_name": ["Jürgen", None],
        "email": ["j.mueller@example.de", "ann@x.org"], "phone": ["+49 30 1234567", None],
        "date_of_birth": ["1975-12-24", "1980-02-03"], "national_id": ["123", "456"],
        "country": ["DE", "LV"], "work_phone": ["+44 20 7946 0958", None],
    })
    masked = gr.mask(golden)
    assert masked.loc[0].tolist() == ["G1", "J***", "j***@example.de", "+49 *** *** 67",
                                      "1975-**-**", "***", "DE", "+44 *** *** 58"]
    assert pd.isna(masked.loc[1, "first_name"]) and pd.isna(masked.loc[1, "phone"])
    assert golden.loc[0, "email"] == "j.mueller@example.de"  # the input is not changed
    assert gr.mask(golden, {"country": "identifier"})["country"].tolist() == ["***", "***"]
    lineage = pd.DataFrame({"golden_id": ["G1", "G1"], "field": ["email", "country"],
                            "value": ["ann@x.org", "LV"], "source": ["crm", "crm"],
                            "record_key": ["c1", "c1"]})
    assert gr.mask(lineage)["value"].tolist() == ["a***@x.org", "LV"]
    assert gr.mask(golden["email"]).tolist() == ["j***@example.de", "a***@x.org"]
    series = gr.mask(pd.Series(["Ann", None]), "name")
    assert series.iloc[0] == "A***" and pd.isna(series.iloc[1])
    assert gr.mask(["ann@x.org", "Bob"]) == ["a***@x.org", "B***"]


def test_bad_kinds_are_config_errors_without_the_value() -> None:
    with pytest.raises(ConfigError, match="unknown mask kind") as info:
        gr.mask("secret.person@example.org", "secret")
    assert "secret.person" not in str(info.value)
    with pytest.raises(ConfigError):
        gr.mask(pd.DataFrame({"email": ["a@b.c"]}), "email")
    with pytest.raises(ConfigError):
        gr.mask("a@b.c", {"email": "email"})


def test_cli_resolve_mask_pii_masks_the_written_files(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    crm = pd.DataFrame({"id": ["c1", "c2", "c3"],
                        "first_name": ["Jürgen", "Anna", "Ōtani"],
                        "last_name": ["Müller", "Bērziņa", "Shohei"],
                        "email": ["j.mueller@example.de", "anna.b@example.lv",
                                  "shohei@example.jp"],
                        "phone": ["+49 30 1234567", "+371 2612 3456", "+81 3 1234 5678"]})
    shop = crm.rename(columns={"id": "customer_no"}).assign(customer_no=["w1", "w2", "w3"])
    crm.to_csv(tmp_path / "crm.csv", index=False)
    shop.to_csv(tmp_path / "shop.csv", index=False)
    inputs = [str(tmp_path / "crm.csv"), str(tmp_path / "shop.csv")]
    ids = ["--id", "crm=id,shop=customer_no"]
    assert main(["resolve", *inputs, *ids, "--out", str(tmp_path / "plain"), "-q"]) == 0
    assert main(["resolve", *inputs, *ids, "--out", str(tmp_path / "masked"), "-q",
                 "--mask-pii"]) == 0
    plain = (tmp_path / "plain" / "golden.csv").read_text(encoding="utf-8")
    assert "j.mueller@example.de" in plain
    for name in ("golden", "lineage", "conflicts"):
        text = (tmp_path / "masked" / f"{name}.csv").read_text(encoding="utf-8")
        for value in ("j.mueller@example.de", "1234567", "Müller", "Bērziņa", "Jürgen"):
            assert value not in text, (name, value)
    golden = pd.read_csv(tmp_path / "masked" / "golden.csv", dtype=str)
    assert "j***@example.de" in golden["email"].tolist()
    assert "+49 *** *** 67" in golden["phone"].tolist()
    assert "golden_id" in golden.columns and golden["golden_id"].notna().all()
    assert (tmp_path / "masked" / "xref.csv").read_text(encoding="utf-8").count("c1") == 1
    capsys.readouterr()
