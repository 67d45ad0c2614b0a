from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import goldenrec as gr
from goldenrec._evaluation import _b_cubed
from goldenrec.errors import InputError


@pytest.fixture(scope="module")
def resolved() -> tuple[gr.Result, pd.DataFrame]:
    frame = pd.DataFrame({
        "id": [str(i) for i in range(8)],
        "first_name": ["Ann", "Anne", "Ann", "Bob", "Robert", "Cy", "Dee", "Eve"],
        "last_name": ["Lee", "Lee", "Lee", "Ray", "Ray", "Fox", "Moss", "Ng"],
        "email": ["ann@x.org", "ann@x.org", None, "bob@y.org", "bob@y.org", "cy@z.org",
                  "dee@q.org", "eve@r.org"],
        "date_of_birth": ["1980-01-01", "1980-01-01", "1980-01-01", "1970-05-05",
                          "1970-05-05", "1990-09-09", "1960-03-03", "2000-02-02"],
    })
    truth = pd.DataFrame({"source": "s", "record_key": frame["id"],
                          "entity": ["a", "a", "a", "b", "b", "c", "d", "e"]})
    return gr.resolve({"s": frame}), truth


def test_waterfall_sums_to_the_pair_weight(resolved: tuple[gr.Result, pd.DataFrame]) -> None:
    result, _ = resolved
    table = result.explain_pair(("s", "0"), ("s", "1"))
    assert table["step"].iloc[0] == "prior" and table["step"].iloc[-1] == "total"
    body = table[~table["step"].isin(["total"])]
    assert table["weight"].iloc[-1] == pytest.approx(body["weight"].sum())
    pair = result.pairs[(result.pairs["record_key_l"] == "0")
                        & (result.pairs["record_key_r"] == "1")].iloc[0]
    assert table["weight"].iloc[-1] == pytest.approx(pair["match_weight"])
    assert table["probability"].iloc[-1] == pytest.approx(pair["match_probability"])
    email = table.set_index("step").loc["email"]
    assert email["label"] == "exact"
    # a pair blocking never proposed can be explained too
    other = result.explain_pair(("s", "6"), ("s", "7"))
    assert other["probability"].iloc[-1] < 0.5
    with pytest.raises(InputError):
        result.explain_pair(("s", "0"), ("s", "nope"))


def test_cluster_edges(resolved: tuple[gr.Result, pd.DataFrame]) -> None:
    result, _ = resolved
    golden_id = result.xref.set_index("record_key").loc["0", "golden_id"]
    edges = result.cluster_edges(golden_id)
    assert len(edges) >= 2 and edges["above_threshold"].any()
    assert edges["match_weight"].is_monotonic_decreasing


def test_evaluate_and_estimate(resolved: tuple[gr.Result, pd.DataFrame]) -> None:
    result, truth = resolved
    evaluation = gr.evaluate(result, truth)
    assert evaluation.pairwise.f1 == pytest.approx(1.0)
    assert evaluation.clusters.b_cubed_f1 == pytest.approx(1.0)
    assert evaluation.clusters.over_merged == 0 and evaluation.clusters.under_merged == 0
    assert list(evaluation.curve.columns) == ["threshold", "precision", "recall", "f1"]
    assert "B-cubed F1" in evaluation.table().index
    wrong = truth.assign(entity=["a"] * 8)
    under = gr.evaluate(result, wrong)
    assert under.clusters.under_merged == 1 and under.pairwise.recall < 1
    estimate = gr.estimate_quality(result)
    assert 0 <= estimate["precision"] <= 1 and 0 <= estimate["recall"] <= 1
    with pytest.raises(InputError):
        gr.evaluate(result, truth.iloc[:3])


def test_b_cubed_by_hand() -> None:
    scores = _b_cubed(np.array(["x", "x", "x", "y"]), np.array(["a", "a", "b", "b"]))
    # precision per record: 2/3, 2/3, 1/3, 1; recall: 1, 1, 1/2, 1/2
    assert scores.b_cubed_precision == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)
    assert scores.b_cubed_recall == pytest.approx(3 / 4)
    assert scores.over_merged == 1 and scores.under_merged == 1


def test_charts_are_offline_json_and_png(resolved: tuple[gr.Result, pd.DataFrame],
                                         tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    result, truth = resolved
    charts = [
        gr.waterfall_chart(result.explain_pair(("s", "0"), ("s", "1"))),
        gr.parameter_chart(result.model.parameters()),
        gr.weight_histogram(result.pairs),
        gr.pr_curve_chart(gr.evaluate(result, truth).curve),
    ]
    for position, chart in enumerate(charts):
        spec = json.loads(chart.to_json())
        assert spec["$schema"].endswith("vega-lite/v5.json")
        assert "values" in spec["data"] and "url" not in spec["data"]
        png = chart.to_png(tmp_path / f"chart{position}.png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        bundle = chart._repr_mimebundle_()
        assert "application/vnd.vegalite.v5+json" in bundle
        assert bundle["image/png"].startswith("iVBOR")  # base64 of the PNG signature
