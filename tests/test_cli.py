"""Tests for the ``goldenrec`` command line and the demo loader."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from goldenrec import Pipeline, SchemaMapper
from goldenrec._cli import ProgressLine, main, parse_per_source, parse_roles
from goldenrec._demo_loader import evaluate, load_demo
from goldenrec.errors import ConfigError, InputError

ROOT = Path(__file__).resolve().parents[1]
SECRET = "Zyxwvutsrq"
OUTPUTS = ("golden.csv", "xref.csv", "lineage.csv", "quality.csv", "pairs.csv")

CRM = f"""id,first_name,last_name,email,phone,date_of_birth,country
c1,{SECRET},Lee,ann.lee@example.org,020 7946 0018,1980-02-03,GB
c2,Bob,Ray,bob@example.com,+1 303 555 0199,1975-12-30,US
c3,Carla,Diaz,carla@example.net,,1990-07-14,ES
c4,Dieter,Müller,d.mueller@example.de,030 1234567,1966-05-01,DE
"""
SHOP = f"""id;given_name;surname;e_mail;mobile;dob;country
w1;{SECRET};LEE;Ann.Lee@example.org;+44 20 7946 0018;03/02/1980;GB
w2;Robert;Ray;bob@example.com;;30/12/1975;US
w3;Dan;Wu;dan@example.com;;01/01/2000;CN
"""


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    crm = tmp_path / "crm.csv"
    shop = tmp_path / "shop.csv"
    crm.write_text(CRM, encoding="utf-8")
    shop.write_text(SHOP, encoding="utf-8")
    return crm, shop


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _input_keys(*frames: tuple[str, str]) -> list[tuple[str, str]]:
    keys = []
    for source, text in frames:
        first = text.splitlines()[1:]
        delimiter = ";" if ";" in text.splitlines()[0] else ","
        keys += [(source, line.split(delimiter)[0]) for line in first if line]
    return sorted(keys)


# -- demo ---------------------------------------------------------------------------------
def test_demo_reports_precision_and_recall(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "precision" in captured.out and "recall" in captured.out
    assert "customers out:" in captured.out
    assert str(out) in captured.out
    assert captured.err == ""  # not a terminal: no progress line
    for name in OUTPUTS:
        assert (out / name).is_file()
    assert len(_read(out / "xref.csv")) == 540


def test_demo_quiet_prints_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--quiet", "--out", str(tmp_path / "d")]) == 0
    assert capsys.readouterr().out == ""
    assert (tmp_path / "d" / "golden.csv").is_file()


def test_python_m_goldenrec_demo(tmp_path: Path) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    out = tmp_path / "demo-out"
    done = subprocess.run(
        [sys.executable, "-m", "goldenrec", "demo", "--out", str(out)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "precision" in done.stdout and "recall" in done.stdout
    assert "Traceback" not in done.stderr
    assert (out / "golden.csv").is_file()


def test_load_demo_frames_sources_and_roles() -> None:
    demo = load_demo()
    assert set(demo.frames) == {"crm", "webshop", "support"}
    for frame in demo.frames.values():
        assert all(isinstance(v, str) for c in frame.columns for v in frame[c].dropna())
    assert {s.name: s.key for s in demo.sources} == {
        "crm": "id", "webshop": "customer_no", "support": "contact_id"}
    assert {s.name: s.date_order for s in demo.sources} == {
        "crm": "YMD", "webshop": "DMY", "support": "MDY"}
    mapping = SchemaMapper(demo.sources).map(demo.frames).mapping
    assert (mapping["how"] != "passthrough").all()
    roles = dict(zip(mapping["source"] + "." + mapping["column"], mapping["role"]))
    assert roles["support.name"] == "full_name"
    assert roles["webshop.dob"] == "date_of_birth"
    assert roles["webshop.town"] == "locality"
    assert demo.truth.columns.tolist() == ["source", "record_key", "person_id"]
    assert len(demo.truth) == sum(len(f) for f in demo.frames.values())


def test_evaluate_aligns_and_checks_records() -> None:
    demo = load_demo()
    result = Pipeline(sources=demo.sources).resolve(demo.frames)
    shuffled = demo.truth.sample(frac=1.0, random_state=1)
    scores = evaluate(result, shuffled)
    assert scores == evaluate(result, demo.truth)
    assert 0.0 < scores.precision <= 1.0 and 0.0 < scores.recall <= 1.0
    perfect = result.xref.rename(columns={"golden_id": "person_id"})
    assert evaluate(result, perfect).f1 == 1.0
    with pytest.raises(InputError, match="missing from the truth"):
        evaluate(result, demo.truth.iloc[1:])
    extra = pd.concat([demo.truth, pd.DataFrame(
        {"source": ["crm"], "record_key": ["nope"], "person_id": ["P1"]})])
    with pytest.raises(InputError, match="missing from the result"):
        evaluate(result, extra)
    with pytest.raises(InputError, match="more than once"):
        evaluate(result, pd.concat([demo.truth, demo.truth.iloc[:1]]))
    with pytest.raises(InputError, match="person_id"):
        evaluate(result, demo.truth.drop(columns=["person_id"]))


# -- resolve ------------------------------------------------------------------------------
def test_resolve_two_csv_sources(
    tmp_path: Path, inputs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    crm, shop = inputs
    status = main(["resolve", str(crm), str(shop), "--id", "id", "--date-order",
                   "YMD,shop=DMY", "--phone-region", "crm=GB", "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "records in:" in captured.out and "customers out:" in captured.out
    assert SECRET not in captured.out
    for name in OUTPUTS:
        assert (out / name).is_file()
    xref = _read(out / "xref.csv")
    assert xref.columns.tolist() == ["source", "record_key", "golden_id"]
    keys = sorted(zip(xref["source"], xref["record_key"]))
    assert keys == _input_keys(("crm", CRM), ("shop", SHOP))
    golden = _read(out / "golden.csv")
    assert golden.columns[0] == "golden_id"
    assert set(xref["golden_id"]) == set(golden["golden_id"])
    lineage = _read(out / "lineage.csv")
    assert {"golden_id", "field", "value", "source", "record_key", "rule"} <= set(
        lineage.columns)
    quality = _read(out / "quality.csv")
    assert quality.columns.tolist() == ["source", "record_key", "field", "status", "reason"]
    # Bob Ray shares an e-mail address and birth date across the two sources.
    by_key = dict(zip(xref["source"] + ":" + xref["record_key"], xref["golden_id"]))
    assert by_key["crm:c2"] == by_key["shop:w2"]


def test_resolve_with_source_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "all.csv"
    rows = ["system,ref,first_name,last_name,email",
            f"crm,1,{SECRET},Lee,ann@example.org",
            "crm,2,Bob,Ray,bob@example.com",
            "shop,1,Ann,Lee,ann@example.org",
            "shop,9,Dan,Wu,dan@example.com"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    more = tmp_path / "more.csv"
    more.write_text("system,ref,first_name,last_name,email\nhelp,1,Bob,Ray,bob@example.com\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    status = main(["resolve", str(path), str(more), "--id", "ref", "--source-column",
                   "system", "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert captured.out == ""
    xref = _read(out / "xref.csv")
    assert sorted(zip(xref["source"], xref["record_key"])) == [
        ("crm", "1"), ("crm", "2"), ("help", "1"), ("shop", "1"), ("shop", "9")]
    assert "system" not in _read(out / "golden.csv").columns


def test_resolve_parquet_input(tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    pytest.importorskip("pyarrow")
    crm, shop = inputs
    parquet = tmp_path / "crm_export.parquet"
    pd.read_csv(crm, dtype=str).to_parquet(parquet)
    out = tmp_path / "out"
    assert main(["resolve", str(parquet), str(shop), "--id", "id", "--quiet",
                 "--out", str(out)]) == 0
    xref = _read(out / "xref.csv")
    assert set(xref["source"]) == {"crm_export", "shop"}
    assert len(xref) == 7


def test_resolve_roles_threshold_and_saved_pipeline(
    tmp_path: Path, inputs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    crm, shop = inputs
    saved = tmp_path / "pipeline.json"
    first, second = tmp_path / "first", tmp_path / "second"
    args = ["resolve", str(crm), str(shop), "--id", "id", "--roles", "mobile=phone"]
    assert main([*args, "--threshold", "0.9", "--save-pipeline", str(saved),
                 "--out", str(first)]) == 0
    assert "p=0.900" in capsys.readouterr().out
    assert Pipeline.load(saved).is_fitted
    assert main(["resolve", str(crm), str(shop), "--pipeline", str(saved),
                 "--out", str(second)]) == 0
    pd.testing.assert_frame_equal(_read(first / "xref.csv"), _read(second / "xref.csv"))
    assert main(["resolve", str(crm), str(shop), "--pipeline", str(saved),
                 "--threshold", "0.95", "--out", str(second)]) == 0
    assert "p=0.950" in capsys.readouterr().out


def test_verbose_logs_stages_and_restores_logging(
    tmp_path: Path, inputs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    package_logger = logging.getLogger("goldenrec")
    handlers, level = list(package_logger.handlers), package_logger.level
    crm, shop = inputs
    assert main(["resolve", str(crm), str(shop), "--id", "id", "-v", "--quiet",
                 "--out", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    assert "stage block" in err
    assert SECRET not in err
    assert package_logger.handlers == handlers
    assert package_logger.level == level


def test_progress_line() -> None:
    stream = io.StringIO()
    progress = ProgressLine(stream)
    progress("map", 1, 7)
    progress("normalise", 2, 7)
    progress("block", 3, 7)
    progress.finish()
    text = stream.getvalue()
    assert text.startswith("\r[1/7] map...")
    assert "\r[3/7] block..." in text
    assert text.endswith("\n") and text.count("\n") == 1
    # A shorter stage name blanks out the rest of a longer previous one.
    assert text.split("\r")[-1].rstrip("\n") == "[3/7] block...".ljust(len("[2/7] normalise..."))
    quiet = io.StringIO()
    disabled = ProgressLine(quiet, enabled=False)
    disabled("map", 1, 7)
    disabled.finish()
    assert quiet.getvalue() == ""


def test_option_parsers() -> None:
    assert parse_roles("fname = first_name,Zip=POSTCODE") == {
        "fname": "first_name", "Zip": "postcode"}
    assert parse_per_source("crm=GB, US", "--phone-region", str.upper) == ("US", {"crm": "GB"})
    for bad in ("fname", "fname=", "=email", "a=email,,b=phone", "a=email,a=phone"):
        with pytest.raises(ConfigError):
            parse_roles(bad)
    with pytest.raises(ConfigError):
        parse_per_source("DMY,MDY", "--date-order", str.upper)


# -- errors ---------------------------------------------------------------------------------
def _error_cases(tmp_path: Path, crm: Path, shop: Path) -> dict[str, list[str]]:
    dup = tmp_path / "dup.csv"
    dup.write_text(f"id,first_name\n1,{SECRET}\n1,{SECRET}x\n", encoding="utf-8")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text(f"id,first_name\n1,Ann\n2,{SECRET},extra\n", encoding="utf-8")
    quote = tmp_path / "quote.csv"
    quote.write_text(f'id,first_name\n1,"{SECRET}\n', encoding="utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    header_only = tmp_path / "header.csv"
    header_only.write_text("id,first_name\n", encoding="utf-8")
    other = tmp_path / "other"
    other.mkdir()
    same_stem = other / "crm.csv"
    same_stem.write_text(CRM, encoding="utf-8")
    unknown = tmp_path / "crm.xlsx"
    unknown.write_text(CRM, encoding="utf-8")
    nameless = tmp_path / "nameless.csv"
    nameless.write_text(f"system,id,first_name\ncrm,1,{SECRET}\n,2,{SECRET}\n",
                        encoding="utf-8")
    bad_pipeline = tmp_path / "bad.json"
    bad_pipeline.write_text(f'{{"format": "{SECRET}"}}', encoding="utf-8")
    c, s = str(crm), str(shop)
    return {
        "missing input": [str(tmp_path / "absent.csv"), "--id", "id"],
        "missing id column": [c, s, "--id", "customer_no"],
        "missing --id": [c, s],
        "duplicate keys": [str(dup), "--id", "id"],
        "unknown role": [c, s, "--id", "id", "--roles", "email=e_mail_thing"],
        "bad roles syntax": [c, s, "--id", "id", "--roles", "email"],
        "roles for absent column": [c, s, "--id", "id", "--roles", "fax=phone"],
        "role for the key": [c, s, "--id", "id", "--roles", "id=email"],
        "same stem": [c, str(same_stem), "--id", "id"],
        "unknown extension": [str(unknown), "--id", "id"],
        "ragged csv": [str(ragged), "--id", "id"],
        "unclosed quote": [str(quote), "--id", "id"],
        "empty file": [str(empty), "--id", "id"],
        "header only": [str(header_only), "--id", "id"],
        "bad date order": [c, s, "--id", "id", "--date-order", "DDMMYY"],
        "date order for unknown source": [c, s, "--id", "id", "--date-order", "web=DMY"],
        "bad phone region": [c, s, "--id", "id", "--phone-region", "GBR"],
        "threshold out of range": [c, s, "--id", "id", "--threshold", "1.5"],
        "source column absent": [c, "--id", "id", "--source-column", "system"],
        "source name missing": [str(nameless), "--id", "id", "--source-column", "system"],
        "saved pipeline absent": [c, "--pipeline", str(tmp_path / "none.json")],
        "saved pipeline invalid": [c, "--pipeline", str(bad_pipeline)],
    }


def test_error_cases_exit_2_with_one_private_line(
    tmp_path: Path, inputs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    crm, shop = inputs
    for case, args in _error_cases(tmp_path, crm, shop).items():
        out = tmp_path / "out" / case.replace(" ", "_")
        status = main(["resolve", *args, "--out", str(out)])
        captured = capsys.readouterr()
        assert status == 2, case
        lines = captured.err.splitlines()
        assert len(lines) == 1, (case, captured.err)
        assert lines[0].startswith("goldenrec: error: "), case
        assert SECRET not in captured.err, case
        assert SECRET not in captured.out, case
        assert "Traceback" not in captured.err, case
        assert not (out / "golden.csv").exists(), case


def test_error_in_subprocess_has_no_traceback(tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    dup = tmp_path / "dup.csv"
    dup.write_text(f"id,first_name\n1,{SECRET}\n1,{SECRET}\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run(
        [sys.executable, "-m", "goldenrec", "resolve", str(dup), "--id", "id",
         "--out", str(tmp_path / "o")],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("goldenrec: error: ")
    assert len(done.stderr.splitlines()) == 1
    assert SECRET not in done.stderr


def test_unexpected_errors_hide_their_text(
    tmp_path: Path, inputs: tuple[Path, Path], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"value {SECRET} broke something")

    monkeypatch.setattr(Pipeline, "resolve", explode)
    crm, shop = inputs
    assert main(["resolve", str(crm), str(shop), "--id", "id", "--out",
                 str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("goldenrec: error: internal error (RuntimeError)")
    assert len(err.splitlines()) == 1
    assert SECRET not in err


@pytest.mark.parametrize("argv", [[], ["nope"], ["resolve"], ["resolve", "x.csv", "--bad"],
                                  ["resolve", "x.csv", "--threshold", "high"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "usage:" in capsys.readouterr().err


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("goldenrec ")
    assert main(["resolve", "--help"]) == 0
    assert "--source-column" in capsys.readouterr().out
