"""The match-quality report: one self-contained HTML file about a run.

``write_report(result, "report.html")`` (``Result.report``) and ``goldenrec report``
write it. The file needs no network to view: styles are inline, charts are PNGs
embedded as ``data:`` URIs, and the only script is a few inline lines that fill in the
table of contents. Every value is escaped; ``mask_pii=True`` masks personal values
(``j***@example.com``, ``+49 *** *** 67``, ``J***``).
"""

from __future__ import annotations

import html
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from goldenrec._charts import VEGA_LITE_SCHEMA, Chart, parameter_chart, pr_curve_chart
from goldenrec._charts import weight_histogram as weight_chart
from goldenrec._evaluation import estimate_quality, evaluate
from goldenrec._html import (
    STYLE,
    chart_img,
    counts_html,
    escape,
    golden_sample,
    stage_counts,
    table_html,
)
from goldenrec._masking import mask_frame
from goldenrec._quality import QualityReport
from goldenrec._version import __version__

if TYPE_CHECKING:
    from goldenrec._result import Result

__all__ = ["SECTIONS", "build_report", "cluster_size_chart", "uncertain_pairs",
           "write_report"]

logger = logging.getLogger(__name__)

#: The report's sections: ``id`` attribute and heading, in order.
SECTIONS = (
    ("overview", "Overview"),
    ("quality", "Data quality per source and field"),
    ("blocking", "Blocking"),
    ("model", "Fitted model: m and u per level"),
    ("weights", "Match-weight distribution"),
    ("precision-recall", "Precision and recall"),
    ("clusters", "Cluster sizes"),
    ("uncertain-pairs", "Most uncertain pairs"),
    ("largest-clusters", "Largest clusters"),
    ("conflicts", "Survivorship conflicts"),
)

_PAGE_STYLE = """
body { margin: 0; background: #fff; }
.goldenrec { max-width: 1200px; margin: 0 auto; padding: 16px 24px 48px; }
.goldenrec h1 { font-size: 24px; margin: 0.4em 0 0.1em; }
.goldenrec h2 { font-size: 18px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px;
  margin-top: 1.6em; }
.goldenrec nav ol { columns: 2; margin: 0.4em 0; }
.goldenrec .gr-pair { display: inline-block; margin: 0 12px 8px 0; vertical-align: top; }
.goldenrec .gr-bar { display: inline-block; height: 10px; background: #2e86c1; }
.goldenrec .gr-note { background: #f6f8fa; border-left: 3px solid #d0d7de;
  padding: 4px 10px; }
""".strip()

# The only script: fills the table of contents from the sections and marks the page as
# rendered (data-js-ok: the number of sections; data-charts-ok: charts drawn / charts),
# which tests check in the DOM a headless browser dumps.
_SCRIPT = """
(function () {
  var list = document.getElementById("toc-list");
  var sections = document.querySelectorAll("section[data-section]");
  for (var i = 0; i < sections.length; i++) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = "#" + sections[i].id;
    link.textContent = sections[i].querySelector("h2").textContent;
    item.appendChild(link);
    list.appendChild(item);
  }
  document.body.setAttribute("data-js-ok", String(sections.length));
  window.addEventListener("load", function () {
    var images = document.querySelectorAll("img.gr-chart");
    var drawn = 0;
    for (var j = 0; j < images.length; j++) {
      if (images[j].complete && images[j].naturalWidth > 0) { drawn++; }
    }
    document.body.setAttribute("data-charts-ok", drawn + "/" + images.length);
  });
})();
""".strip()


@dataclass(frozen=True)
class _Options:
    mask_pii: bool
    max_pairs: int
    max_clusters: int
    max_conflicts: int


def cluster_size_chart(sizes: pd.Series) -> Chart:
    """How many customers have 1, 2, 3… records."""
    counts = sizes.value_counts().sort_index()
    table = pd.DataFrame({"records": counts.index.astype(int), "customers": counts.to_numpy()})
    spec = {
        "$schema": VEGA_LITE_SCHEMA,
        "title": "Customers by number of records",
        "data": {"values": [{"records": int(r), "customers": int(c)}
                            for r, c in zip(table["records"], table["customers"])]},
        "mark": "bar",
        "encoding": {"x": {"field": "records", "type": "ordinal"},
                     "y": {"field": "customers", "type": "quantitative"}},
    }

    def draw(axes: Any) -> None:
        axes.bar(table["records"].astype(str), table["customers"], color="#2e86c1")
        axes.set_xlabel("records per customer")
        axes.set_ylabel("customers")

    return Chart(spec, draw, "Customers by number of records")


def _compared_fields(result: Result) -> list[str]:
    fields = [str(getattr(c, "field", "")) for c in result.comparisons]
    fields = [f for f in fields if f and f in result.records.columns]
    if fields:
        return list(dict.fromkeys(fields))
    return [c[len("gamma_"):] for c in result.pairs.columns
            if c.startswith("gamma_") and c[len("gamma_"):] in result.records.columns]


def uncertain_pairs(result: Result, n: int = 10) -> pd.DataFrame:
    """The ``n`` candidate pairs whose match weight is closest to the threshold's."""
    pairs = result.pairs
    if not len(pairs):
        return pairs
    t = min(max(result.threshold, 1e-9), 1 - 1e-9)
    boundary = math.log2(t / (1 - t))
    distance = (pairs["match_weight"].astype(float) - boundary).abs()
    order = np.argsort(distance.to_numpy(), kind="mergesort")[:n]
    chosen: pd.DataFrame = pairs.iloc[order]
    return chosen


def _side_by_side(result: Result, pair: pd.Series, fields: list[str], mask: bool
                  ) -> pd.DataFrame:
    records = result.records
    left, right = records.iloc[int(pair["row_l"])], records.iloc[int(pair["row_r"])]
    frame: pd.DataFrame = pd.DataFrame({
        "field": fields,
        "left": [left.get(f) for f in fields],
        "right": [right.get(f) for f in fields],
        "level": [pair.get(f"gamma_{f}") for f in fields],
    })
    if mask:
        masked: pd.DataFrame = mask_frame(frame, value_columns=("left", "right"))
        return masked
    return frame


def _section(ident: str, body: str) -> str:
    title = dict(SECTIONS)[ident]
    return (f'<section id="{ident}" data-section="{ident}"><h2>{html.escape(title)}</h2>'
            f"{body}</section>")


def _overview(result: Result) -> str:
    return counts_html([*stage_counts(result), ("threshold (match probability)",
                                                round(result.threshold, 4))])


def _quality(result: Result) -> str:
    if not len(result.quality):
        return '<p class="gr-muted">No quality table.</p>'
    summary = QualityReport(result.quality).summary()
    summary = summary.assign(share_valid=(summary["share_valid"] * 100).round(1))
    summary = summary.rename(columns={"share_valid": "% valid", "top_reasons": "top reasons"})
    return ('<p>Per source and field: how many values are valid, invalid, missing or '
            "placeholders, and the most frequent reasons.</p>" + table_html(summary))


def _blocking(result: Result) -> str:
    stats = result.blocking_stats
    if not len(stats):
        return '<p class="gr-muted">No blocking statistics.</p>'
    n = len(result.records)
    total_possible = n * (n - 1) // 2
    items: list[tuple[str, Any]] = [
        ("blocking rules", len(stats)),
        ("candidate pairs", len(result.pairs)),
        ("possible pairs (all against all)", total_possible),
        ("reduction ratio", round(1 - len(result.pairs) / total_possible, 6)
         if total_possible else 1.0),
    ]
    return counts_html(items) + table_html(stats, max_rows=40)


def _model(result: Result) -> str:
    model = result.model
    if model is None or not hasattr(model, "parameters"):
        return '<p class="gr-muted">This result holds no Fellegi–Sunter model.</p>'
    parameters: pd.DataFrame = model.parameters()
    size = (7, max(3.0, min(14.0, 0.22 * len(parameters) + 1)))
    return (chart_img(parameter_chart(parameters), css_id="chart-model", size=size)
            + "<details><summary>the table</summary>" + table_html(parameters)
            + "</details>")


def _weights(result: Result) -> str:
    if not len(result.pairs):
        return '<p class="gr-muted">No candidate pairs.</p>'
    weights = result.pairs["match_weight"].astype(float)
    items = [("pairs", len(weights)), ("median weight", round(float(weights.median()), 3)),
             ("pairs with positive weight", int((weights > 0).sum()))]
    return chart_img(weight_chart(result.pairs), css_id="chart-weights") + counts_html(items)


def _precision_recall(result: Result, truth: pd.DataFrame | pd.Series | None) -> str:
    if truth is not None:
        scores = evaluate(result, truth)
        table = scores.table().reset_index(names="measure")
        return ('<p>Against the given truth.</p>' + table_html(table)
                + chart_img(pr_curve_chart(scores.curve), css_id="chart-pr"))
    estimate = estimate_quality(result)
    table = pd.DataFrame({"measure": list(estimate), "value": list(estimate.values())})
    return ('<p class="gr-note">No truth was given: these are the model\'s own estimates '
            "at the threshold (matches blocking never proposed are invisible to it, so "
            "recall is an upper bound). Pass a truth for measured figures.</p>"
            + table_html(table))


def _clusters(result: Result) -> str:
    if "n_records" not in result.golden.columns or not len(result.golden):
        return '<p class="gr-muted">No golden records.</p>'
    sizes = result.golden["n_records"].astype(int)
    table = sizes.value_counts().sort_index().rename("customers").reset_index()
    table.columns = ["records per customer", "customers"]
    return chart_img(cluster_size_chart(sizes), css_id="chart-clusters",
                     size=(7, 3)) + table_html(table)


def _uncertain(result: Result, options: _Options) -> str:
    chosen = uncertain_pairs(result, options.max_pairs)
    if not len(chosen):
        return '<p class="gr-muted">No candidate pairs.</p>'
    fields = _compared_fields(result)
    parts = ["<p>The candidate pairs whose match weight is closest to the threshold: "
             "the decisions most worth a second look.</p>"]
    for _, pair in chosen.iterrows():
        probability = float(pair["match_probability"])
        verdict = "merged" if probability >= result.threshold else "kept apart"
        head = (f"{escape(pair['source_l'])}/{escape(pair['record_key_l'])} vs "
                f"{escape(pair['source_r'])}/{escape(pair['record_key_r'])}: "
                f"p={probability:.3f}, weight {float(pair['match_weight']):.2f} "
                f"({verdict})")
        parts.append(f'<div class="gr-pair"><h4>{head}</h4>'
                     + table_html(_side_by_side(result, pair, fields, options.mask_pii))
                     + "</div>")
    return "".join(parts)


def _largest(result: Result, options: _Options) -> str:
    golden = result.golden
    if "n_records" not in golden.columns or not len(golden):
        return '<p class="gr-muted">No golden records.</p>'
    order = golden.sort_values(["n_records", "golden_id"], ascending=[False, True],
                               kind="mergesort")
    ids = [str(g) for g in order["golden_id"].head(options.max_clusters)]
    fields = _compared_fields(result)
    columns = ["source", "record_key", *fields]
    parts = []
    confidence = (result.confidence.set_index("golden_id")["confidence"]
                  if "confidence" in result.confidence.columns else pd.Series(dtype=float))
    for golden_id in ids:
        members = result.xref[result.xref["golden_id"] == golden_id][["source", "record_key"]]
        records = result.records.merge(members, on=["source", "record_key"])[
            [c for c in columns if c in result.records.columns]]
        if options.mask_pii:
            records = mask_frame(records)
        note = (f" (confidence {float(confidence[golden_id]):.3f})"
                if golden_id in confidence.index else "")
        parts.append(f"<h3>{escape(golden_id)}: {len(members):,} records{escape(note)}</h3>"
                     + golden_sample(result, mask_pii=options.mask_pii,
                                     golden_ids=[golden_id]).replace(
                         f"<h4>{escape(golden_id)}</h4>", "", 1)
                     + "<h4>its records</h4>" + table_html(records))
    return "".join(parts)


def _conflicts(result: Result, options: _Options) -> str:
    conflicts = result.conflicts
    if not len(conflicts) or "field" not in conflicts.columns:
        return '<p class="gr-muted">No conflicting values.</p>'
    per_field = (conflicts.groupby("field")["golden_id"].nunique()
                 .sort_values(ascending=False).rename("customers").reset_index())
    shown_ids = list(dict.fromkeys(conflicts["golden_id"]))[:options.max_conflicts]
    sample = conflicts[conflicts["golden_id"].isin(shown_ids)]
    sample = sample.drop(columns=[c for c in ("match_key",) if c in sample.columns])
    if options.mask_pii:
        sample = mask_frame(sample)
    return ("<p>Customers whose records hold several valid values for a field, by "
            "field; below, the values of the first customers (is_golden: the value "
            "survivorship chose).</p>" + table_html(per_field) + table_html(sample))


def build_report(result: Result, *, mask_pii: bool = False,
                 truth: pd.DataFrame | pd.Series | None = None,
                 title: str = "goldenrec match-quality report", max_pairs: int = 10,
                 max_clusters: int = 5, max_conflicts: int = 10) -> str:
    """The report as one HTML document (see :func:`write_report`)."""
    options = _Options(mask_pii, max_pairs, max_clusters, max_conflicts)
    bodies = {
        "overview": _overview(result),
        "quality": _quality(result),
        "blocking": _blocking(result),
        "model": _model(result),
        "weights": _weights(result),
        "precision-recall": _precision_recall(result, truth),
        "clusters": _clusters(result),
        "uncertain-pairs": _uncertain(result, options),
        "largest-clusters": _largest(result, options),
        "conflicts": _conflicts(result, options),
    }
    masked = ("Personal values are masked." if mask_pii else
              "Personal values are shown unmasked: share with care.")
    head = (f"<h1>{html.escape(title)}</h1><p class=\"gr-muted\">goldenrec "
            f"{html.escape(__version__)} · {len(result.xref):,} records → "
            f"{len(result.golden):,} customers · {html.escape(masked)}</p>"
            '<nav><strong>Contents</strong><ol id="toc-list"></ol></nav>')
    sections = "".join(_section(ident, bodies[ident]) for ident, _ in SECTIONS)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)}</title>"
            f"<style>{STYLE}\n{_PAGE_STYLE}</style></head>"
            f"<body data-mask-pii=\"{str(mask_pii).lower()}\"><main class=\"goldenrec\">"
            f"{head}{sections}</main><script>{_SCRIPT}</script></body></html>\n")


def write_report(result: Result, path: str | Path, *, mask_pii: bool = False,
                 truth: pd.DataFrame | pd.Series | None = None, **options: Any) -> Path:
    """Write the match-quality report to ``path`` and return it.

    Sections: overview, data quality per source and field, blocking statistics, the
    fitted model (m and u per level), the match-weight distribution, precision and
    recall (measured against ``truth`` if given, else the model's estimate), cluster
    sizes, the most uncertain pairs, the largest clusters and survivorship conflicts.
    ``mask_pii=True`` masks personal values; ``truth`` is as for :func:`evaluate`.
    """
    document = build_report(result, mask_pii=mask_pii, truth=truth, **options)
    target = Path(path)
    target.write_text(document, encoding="utf-8")
    logger.info("wrote the report (%d sections, %d bytes)", len(SECTIONS),
                len(document.encode("utf-8")))
    return target
