"""The match-quality report, rich HTML displays, PII masking, the docs site and notebook."""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import goldenrec as gr
from goldenrec._cli import main
from goldenrec._html import escape, pipeline_html, result_html, table_html
from goldenrec._masking import kind_of, mask_frame, mask_value
from goldenrec._report import SECTIONS, build_report, uncertain_pairs, write_report

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "notebooks" / "explore_febrl.ipynb"
FEBRL = ROOT.parent / "shared" / "data" / "splink_datasets" / "febrl"
HOSTILE_NAME = "<script>alert('x')</script>"
HOSTILE_EMAIL = '"><img src=x onerror=alert(1)>@example.org'


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    crm = pd.DataFrame({
        "id": ["c1", "c2", "c3", "c4", "c5"],
        "first_name": ["Jürgen", "Anna", "Robert", HOSTILE_NAME, "Li"],
        "last_name": ["Müller", "Bērziņa", "Smith", "Evil", "Wang"],
        "email": ["j.mueller@example.de", "anna.b@example.lv", "bob@example.com",
                  HOSTILE_EMAIL, None],
        "phone": ["+49 30 1234567", "+371 2612 3456", "n/a", None, "+86 139 1234 5678"],
        "date_of_birth": ["1975-12-24", "1980-02-03", "1990-07-01", "1970-01-01",
                          "1988-08-08"],
    })
    shop = pd.DataFrame({
        "customer_no": ["w1", "w2", "w3", "w4"],
        "given_name": ["Jurgen", "ANNA", "Bob", HOSTILE_NAME],
        "surname": ["Mueller", "Berzina", "Smith", "Evil"],
        "e_mail": ["j.mueller@example.de", "Anna.B@example.lv", "bob@example.com",
                   HOSTILE_EMAIL],
        "mobile": ["+49 30 1234567", "+371 2612 3456", None, None],
        "dob": ["1975-12-24", "1980-02-03", "1990-07-01", "1970-01-01"],
    })
    return {"crm": crm, "shop": shop}


@pytest.fixture(scope="module")
def fitted(frames: dict[str, pd.DataFrame]) -> tuple[gr.Pipeline, gr.Result]:
    pipeline = gr.Pipeline([gr.Source("crm", key="id"), gr.Source("shop", key="customer_no")])
    return pipeline, pipeline.resolve(frames)


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    return pd.DataFrame({
        "source": ["crm"] * 5 + ["shop"] * 4,
        "record_key": ["c1", "c2", "c3", "c4", "c5", "w1", "w2", "w3", "w4"],
        "entity": ["jm", "ab", "rs", "ev", "lw", "jm", "ab", "rs", "ev"],
    })


# -- masking --------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "kind", "expected"), [
    ("jane.doe@example.com", "email", "j***@example.com"),
    ("not-an-email", "email", "n***"),
    ("+49 30 1234567", "phone", "+49 *** *** 67"),
    ("030 1234567", "phone", "*** *** 67"),
    ("12", "phone", "***"),
    ("jürgen", "name", "J***"),
    ("1985-10-12", "date", "1985-**-**"),
    ("12/10/1985", "date", "****-**-**"),
    ("12 High Street", "text", "1***"),
    ("123-45-6789", "identifier", "***"),
    ("GB", "none", "GB"),
    ("", "name", ""),
])
def test_mask_value(value: str, kind: str, expected: str) -> None:
    assert mask_value(value, kind) == expected


def test_mask_value_keeps_missing_values_and_rejects_unknown_kinds() -> None:
    assert mask_value(None, "email") is None
    assert pd.isna(mask_value(float("nan"), "name"))
    assert mask_value(["ann@x.org", "bo@y.org"], "email") == ["a***@x.org", "b***@y.org"]
    with pytest.raises(ValueError, match="unknown mask kind"):
        mask_value("x", "secret")


def test_kind_of_fields() -> None:
    assert kind_of("first_name_key") == "name"
    assert kind_of("date_of_birth") == "date"
    assert kind_of("company") == "none"
    assert kind_of("company_name") == "none"
    assert kind_of("national_id") == "identifier"


def test_mask_frame_wide_and_long(fitted: tuple[gr.Pipeline, gr.Result]) -> None:
    _, result = fitted
    golden = mask_frame(result.golden)
    text = golden.to_string()
    assert "j.mueller@example.de" not in text and "j***@example.de" in text
    assert golden["golden_id"].tolist() == result.golden["golden_id"].tolist()
    lineage = mask_frame(result.lineage)
    names = lineage.loc[lineage["field"] == "first_name", "value"]
    assert names.str.fullmatch(r".\*\*\*").all()
    assert lineage["record_key"].tolist() == result.lineage["record_key"].tolist()
    assert result.golden.equals(result.golden)  # the input is not changed
    assert "j.mueller@example.de" in result.golden.to_string()


# -- HTML helpers and rich displays ---------------------------------------------------------
def test_escape_and_table_html_escape_everything() -> None:
    assert escape(HOSTILE_NAME) == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    assert escape(None) == "" and escape(float("nan")) == "" and escape(12345) == "12,345"
    frame = pd.DataFrame({"<th>": [HOSTILE_NAME], "n": [1.5]})
    html = table_html(frame)
    assert "<script>" not in html and "<th>&lt;th&gt;</th>" in html
    assert '<td class="num">1.5</td>' in html


def test_pipeline_html_before_and_after_fitting(fitted: tuple[gr.Pipeline, gr.Result]
                                                ) -> None:
    unfitted = pipeline_html(gr.Pipeline())
    assert "goldenrec Pipeline" in unfitted and "inferred from the data" in unfitted
    assert "Fitted" not in unfitted
    pipeline, _ = fitted
    html = pipeline_html(pipeline)
    assert "crm" in html and "customer_no" in html and "m and u per comparison level" in html


def test_result_html_shows_counts_chart_and_lineage(fitted: tuple[gr.Pipeline, gr.Result]
                                                    ) -> None:
    _, result = fitted
    html = result_html(result)
    assert "Counts per stage" in html and "records in" in html
    assert "data:image/png;base64," in html
    assert "lineage: where each value came from" in html
    assert "<script>" not in html and "<img src=x" not in html
    assert "http://" not in html and "https://" not in html


# -- the report -----------------------------------------------------------------------------
def test_report_has_every_section_and_is_self_contained(
        fitted: tuple[gr.Pipeline, gr.Result], truth: pd.DataFrame, tmp_path: Path) -> None:
    _, result = fitted
    path = write_report(result, tmp_path / "report.html", truth=truth)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    for ident, heading in SECTIONS:
        assert f'<section id="{ident}"' in text
        assert f"<h2>{heading}</h2>" in text
    assert text.count('src="data:image/png;base64,') == 4  # model, weights, P/R, clusters
    assert "Against the given truth." in text and "pairwise precision" in text
    # nothing to fetch: no external scripts, styles, fonts or images
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "<link" not in text and "@import" not in text and "url(" not in text
    assert re.findall(r"<script[^>]*>", text) == ["<script>"]
    assert HOSTILE_NAME not in text and "<img src=x" not in text


def test_report_escapes_values(fitted: tuple[gr.Pipeline, gr.Result]) -> None:
    _, result = fitted
    golden = result.golden.assign(last_name=HOSTILE_NAME)
    conflicts = result.conflicts.assign(value=HOSTILE_EMAIL)
    text = build_report(dataclasses.replace(result, golden=golden, conflicts=conflicts))
    assert HOSTILE_NAME not in text and escape(HOSTILE_NAME) in text
    assert "<img src=x" not in text
    if len(conflicts):
        assert escape(HOSTILE_EMAIL) in text


def test_report_without_truth_uses_the_estimate(fitted: tuple[gr.Pipeline, gr.Result]
                                                ) -> None:
    _, result = fitted
    text = build_report(result)
    assert "No truth was given" in text and "expected_matches" in text
    assert 'data-mask-pii="false"' in text and "j.mueller@example.de" in text


def test_report_masks_personal_values(fitted: tuple[gr.Pipeline, gr.Result],
                                      frames: dict[str, pd.DataFrame]) -> None:
    _, result = fitted
    text = build_report(result, mask_pii=True)
    assert 'data-mask-pii="true"' in text
    for frame in frames.values():
        for column in frame.columns:
            if column in ("id", "customer_no"):
                continue
            for value in frame[column].dropna():
                if len(str(value)) > 3 and str(value) != "n/a":
                    assert escape(value) not in text, (column, "unmasked")
    assert "j***@example.de" in text and "+49 *** *** 67" in text
    assert "c1" in text or "w1" in text  # record keys stay readable


def test_uncertain_pairs_are_closest_to_the_threshold(
        fitted: tuple[gr.Pipeline, gr.Result]) -> None:
    _, result = fitted
    chosen = uncertain_pairs(result, 3)
    assert len(chosen) == min(3, len(result.pairs))
    t = result.threshold
    distance = (result.pairs["match_weight"] - math.log2(t / (1 - t))).abs()
    if len(result.pairs) > 3:
        assert distance.loc[chosen.index].max() <= distance.drop(chosen.index).min() + 1e-12


# -- goldenrec report -----------------------------------------------------------------------
def _write_inputs(frames: dict[str, pd.DataFrame], folder: Path) -> list[str]:
    paths = []
    for name, frame in frames.items():
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False)
        paths.append(str(path))
    return paths


def test_cli_report(frames: dict[str, pd.DataFrame], truth: pd.DataFrame, tmp_path: Path,
                    capsys: pytest.CaptureFixture[str]) -> None:
    inputs = _write_inputs(frames, tmp_path)
    truth.to_csv(tmp_path / "truth.csv", index=False)
    out = tmp_path / "report.html"
    status = main(["report", *inputs, "--id", "crm=id,shop=customer_no",
                   "--truth", str(tmp_path / "truth.csv"), "--mask-pii", "--out", str(out)])
    printed = capsys.readouterr()
    assert status == 0, printed.err
    assert "report:" in printed.out and "personal values masked" in printed.out
    assert "j.mueller@example.de" not in printed.out + printed.err
    text = out.read_text(encoding="utf-8")
    assert "Against the given truth." in text and 'data-mask-pii="true"' in text
    assert "j.mueller@example.de" not in text


def test_cli_report_with_a_saved_pipeline(frames: dict[str, pd.DataFrame],
                                          tmp_path: Path) -> None:
    inputs = _write_inputs(frames, tmp_path)
    saved = tmp_path / "pipeline.json"
    assert main(["resolve", *inputs, "--id", "crm=id,shop=customer_no", "-q",
                 "--out", str(tmp_path / "out"), "--save-pipeline", str(saved)]) == 0
    out = tmp_path / "r.html"
    assert main(["report", *inputs, "--pipeline", str(saved), "-q", "--out", str(out)]) == 0
    assert "No truth was given" in out.read_text(encoding="utf-8")


def test_cli_report_errors(frames: dict[str, pd.DataFrame], tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    inputs = _write_inputs(frames, tmp_path)
    assert main(["report", *inputs, "--out", str(tmp_path / "r.html")]) == 2
    assert "--id" in capsys.readouterr().err
    bad = tmp_path / "truth.csv"
    pd.DataFrame({"source": ["crm"], "record_key": ["c1"]}).to_csv(bad, index=False)
    assert main(["report", *inputs, "--id", "crm=id,shop=customer_no", "--truth",
                 str(bad), "--out", str(tmp_path / "r.html")]) == 2
    assert "entity" in capsys.readouterr().err
    assert main(["report", *inputs, "--id", "crm=id,shop=customer_no", "--truth",
                 str(tmp_path / "absent.csv")]) == 2
    assert not (tmp_path / "r.html").exists()


# -- the documentation site and the example notebook ----------------------------------------
def test_mkdocs_nav_lists_every_page() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert re.search(rf":\s*{re.escape(page.name)}\s*$", config, re.MULTILINE), (
            f"docs/{page.name} is missing from the nav in mkdocs.yml")


@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None
                    or importlib.util.find_spec("mkdocstrings_handlers") is None,
                    reason="needs mkdocs, mkdocs-material and mkdocstrings[python]")
def test_docs_site_builds_strictly(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert (tmp_path / "api" / "index.html").exists()
    assert "goldenrec.Pipeline" in (tmp_path / "api" / "index.html").read_text(encoding="utf-8")


@pytest.mark.skipif(any(importlib.util.find_spec(m) is None
                        for m in ("nbclient", "nbformat", "ipykernel")),
                    reason="needs nbclient, nbformat and ipykernel")
@pytest.mark.skipif(not (FEBRL / "dataset4a.csv").exists(),
                    reason="shared FEBRL data folder is absent")
def test_example_notebook_runs() -> None:
    import nbformat  # noqa: PLC0415
    from nbclient import NotebookClient  # noqa: PLC0415

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors
