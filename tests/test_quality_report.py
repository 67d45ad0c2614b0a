"""The quality report (summary, flags, CSV files) and ``goldenrec quality``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import goldenrec as gr
from goldenrec._cli import main
from goldenrec._quality import FLAG_COLUMNS, SUMMARY_COLUMNS, QualityReport
from goldenrec.errors import InputError

SECRET = "Zyxwvutsrq"


def long_table() -> pd.DataFrame:
    rows = [
        # source, record_key, field, status, reason
        ("crm", "1", "email", "valid", ""),
        ("crm", "2", "email", "invalid", "email_syntax"),
        ("crm", "3", "email", "placeholder", "too_frequent"),
        ("crm", "4", "email", "missing", "empty"),
        ("crm", "1", "phone", "invalid", "phone_invalid"),
        ("crm", "2", "phone", "invalid", "phone_invalid"),
        ("crm", "3", "phone", "invalid", "phone_no_region"),
        ("crm", "4", "phone", "invalid", "phone_too_short"),
        ("crm", "1", "first_name", "valid", ""),
        ("crm", "2", "first_name", "valid", "from_full_name"),
        ("crm", "3", "first_name", "valid", ""),
        ("crm", "4", "first_name", "placeholder", "placeholder_value"),
        ("shop", "a", "email", "missing", "empty"),
        ("shop", "b", "email", "missing", "empty"),
        ("shop", "a", "phone", "valid", ""),
        ("shop", "b", "phone", "missing", "empty"),
    ]
    table: pd.DataFrame = pd.DataFrame(
        rows, columns=["source", "record_key", "field", "status", "reason"])
    return table


def test_summary_counts_statuses_and_top_reasons() -> None:
    report = QualityReport(long_table(), fields=["first_name", "email", "phone"], top=2)
    summary = report.summary()
    assert summary.columns.tolist() == list(SUMMARY_COLUMNS)
    assert list(zip(summary["source"], summary["field"])) == [
        ("crm", "first_name"), ("crm", "email"), ("crm", "phone"),
        ("shop", "email"), ("shop", "phone")]
    crm = summary[summary["source"] == "crm"].set_index("field")
    assert crm.loc["email", ["records", "valid", "invalid", "missing", "placeholder"]].tolist() \
        == [4, 1, 1, 1, 1]
    assert crm.loc["email", "share_valid"] == 0.25
    assert crm.loc["email", "top_reasons"] == "email_syntax: 1; too_frequent: 1"
    # most frequent first, ties by name, at most ``top``
    assert crm.loc["phone", "top_reasons"] == "phone_invalid: 2; phone_no_region: 1"
    # valid values with a reason are not problems
    assert crm.loc["first_name", "top_reasons"] == "placeholder_value: 1"
    shop = summary[summary["source"] == "shop"].set_index("field")
    assert shop.loc["email", "missing"] == 2 and shop.loc["email", "top_reasons"] == ""
    assert shop.loc["phone", "share_valid"] == 0.5
    assert summary["valid"].dtype == "int64"


def test_flags_list_what_is_not_valid() -> None:
    flags = QualityReport(long_table(), fields=["first_name", "email", "phone"]).flags()
    assert flags.columns.tolist() == list(FLAG_COLUMNS)
    assert (flags["status"] != "valid").all()
    assert list(zip(flags["source"], flags["record_key"], flags["field"]))[:4] == [
        ("crm", "1", "phone"), ("crm", "2", "email"), ("crm", "2", "phone"),
        ("crm", "3", "email")]
    # shop never fills email: its records are not flagged for it; shop's phone is
    assert not ((flags["source"] == "shop") & (flags["field"] == "email")).any()
    assert ((flags["source"] == "shop") & (flags["field"] == "phone")).sum() == 1
    problems = QualityReport(long_table()).flags(include_missing=False)
    assert set(problems["status"]) == {"invalid", "placeholder"}
    assert len(problems) == 7


def test_to_csv_writes_both_tables(tmp_path: Path) -> None:
    report = QualityReport(long_table())
    written = report.to_csv(tmp_path / "new" / "dir")
    assert [p.name for p in written] == ["quality_summary.csv", "quality_flags.csv"]
    summary = pd.read_csv(written[0], keep_default_na=False, dtype={"record_key": str})
    assert summary["records"].sum() == len(long_table())
    flags = pd.read_csv(written[1], dtype=str)
    assert len(flags) == len(report.flags())


def test_from_records_end_to_end() -> None:
    crm = pd.DataFrame({"id": ["1", "2", "3"],
                        "email": ["ann@example.org", f"{SECRET}@@", None],
                        "phone": ["+44 20 7946 0018", "n/a", None]})
    normalised = gr.Pipeline().normalise({"crm": crm})
    report = QualityReport.from_records(normalised)
    summary = report.summary().set_index("field")
    assert summary.index.tolist() == ["email", "phone"]
    assert summary.loc["email", ["valid", "invalid", "missing"]].tolist() == [1, 1, 1]
    assert summary.loc["phone", ["valid", "missing", "placeholder"]].tolist() == [1, 1, 1]
    text = str(report) + report.flags().to_csv() + report._repr_html_()
    assert SECRET not in text
    assert repr(report) == "<goldenrec.QualityReport (6 values)>"
    # the same report from a result's quality table
    result = gr.Pipeline().resolve({"crm": crm})
    pd.testing.assert_frame_equal(QualityReport(result.quality).summary(), report.summary())


def test_empty_and_malformed_tables() -> None:
    empty = QualityReport(long_table().iloc[:0])
    assert empty.summary().columns.tolist() == list(SUMMARY_COLUMNS)
    assert len(empty.summary()) == 0 and len(empty.flags()) == 0
    with pytest.raises(InputError, match="lacks column"):
        QualityReport(long_table().drop(columns="reason")).summary()
    with pytest.raises(InputError, match="unknown statuses"):
        QualityReport(long_table().replace({"status": {"valid": "fine"}})).summary()
    with pytest.raises(InputError, match="top"):
        QualityReport(long_table(), top=0).summary()


# -- the command line -------------------------------------------------------------------------
CRM = f"""id,first_name,last_name,email,phone,date_of_birth,country,updated
c1,{SECRET},Lee,ann.lee@example.org,020 7946 0018,1980-02-03,GB,2024-05-01 10:00
c2,Bob,Ray,{SECRET}@@example.com,+1 303 555 0199,1975-12-30,US,
c3,n/a,Diaz,carla@example.net,,1990-07-14,ES,
"""
SHOP = f"""id;given_name;surname;e_mail;mobile;dob;country
w1;{SECRET};LEE;Ann.Lee@example.org;+44 20 7946 0018;03/02/1980;GB
w2;Robert;Ray;bob@example.com;12;30/12/1975;US
"""


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    crm, shop = tmp_path / "crm.csv", tmp_path / "shop.csv"
    crm.write_text(CRM, encoding="utf-8")
    shop.write_text(SHOP, encoding="utf-8")
    return crm, shop


def test_quality_command_prints_and_writes_the_report(
    tmp_path: Path, inputs: tuple[Path, Path], capsys: pytest.CaptureFixture[str],
) -> None:
    crm, shop = inputs
    out = tmp_path / "report"
    status = main(["quality", str(crm), str(shop), "--id", "id", "--date-order", "shop=DMY",
                   "--phone-region", "crm=GB", "--time-zone", "crm=Europe/London",
                   "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert captured.err == ""
    assert "records:" in captured.out and "5 from 2 source(s)" in captured.out
    assert "share_valid" in captured.out and "quality_flags.csv" in captured.out
    summary = pd.read_csv(out / "quality_summary.csv", keep_default_na=False)
    shop_dob = summary[(summary["source"] == "shop") & (summary["field"] == "date_of_birth")]
    assert shop_dob["valid"].tolist() == [2]
    crm_email = summary[(summary["source"] == "crm") & (summary["field"] == "email")]
    assert crm_email[["valid", "invalid"]].values.tolist() == [[2, 1]]
    flags = pd.read_csv(out / "quality_flags.csv", dtype=str)
    assert ("crm", "c3", "first_name", "placeholder") in set(
        flags[["source", "record_key", "field", "status"]].itertuples(index=False, name=None))
    for text in (captured.out, (out / "quality_summary.csv").read_text(encoding="utf-8"),
                 (out / "quality_flags.csv").read_text(encoding="utf-8")):
        assert SECRET not in text
    assert not (out / "golden.csv").exists()


def test_quality_command_quiet_and_source_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    both = tmp_path / "all.csv"
    both.write_text("app,id,email\ncrm,1,a@example.org\nshop,1,broken\n", encoding="utf-8")
    out = tmp_path / "q"
    assert main(["quality", str(both), "--id", "id", "--source-column", "app", "-q",
                 "--out", str(out)]) == 0
    assert capsys.readouterr().out == ""
    summary = pd.read_csv(out / "quality_summary.csv", keep_default_na=False)
    assert summary[["source", "valid", "invalid"]].values.tolist() == [["crm", 1, 0],
                                                                       ["shop", 0, 1]]


def test_quality_command_errors_are_one_private_line(
    tmp_path: Path, inputs: tuple[Path, Path], capsys: pytest.CaptureFixture[str],
) -> None:
    crm, shop = inputs
    c, s = str(crm), str(shop)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a directory", encoding="utf-8")
    cases = {
        "missing file": [c, str(tmp_path / "nope.csv"), "--id", "id"],
        "no --id": [c, s],
        "bad date order": [c, s, "--id", "id", "--date-order", "DDMMYY"],
        "bad time zone": [c, s, "--id", "id", "--time-zone", "Mars/Base"],
        "time zone for unknown source": [c, s, "--id", "id", "--time-zone", "web=UTC"],
        "bad phone region": [c, s, "--id", "id", "--phone-region", "GBR"],
        "unknown role": [c, s, "--id", "id", "--roles", "mobile=fax"],
        "key column absent": [c, s, "--id", "first_name"],
        "unwritable output": [c, s, "--id", "id", "--out", str(blocked / "sub")],
    }
    for case, given in cases.items():
        out = [] if "--out" in given else ["--out", str(tmp_path / "out" / case.replace(" ", "_"))]
        status = main(["quality", *given, *out])
        captured = capsys.readouterr()
        assert status == 2, case
        lines = captured.err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("goldenrec: error: "), (case, lines)
        assert SECRET not in captured.err + captured.out, case
        assert "Traceback" not in captured.err, case


@pytest.mark.parametrize("argv", [["quality"], ["quality", "x.csv", "--bad"]])
def test_quality_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "usage:" in capsys.readouterr().err


def test_quality_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quality", "--help"]) == 0
    assert "--time-zone" in capsys.readouterr().out
