"""HTML for notebooks and the report: escaped tables, inline PNG charts, rich displays.

Every value is escaped with :func:`html.escape`: the data is untrusted. Nothing refers
to anything outside the page (no scripts, fonts or images from the network): charts
are PNGs drawn with matplotlib and embedded as ``data:`` URIs.

``pipeline_html`` and ``result_html`` are the bodies of ``Pipeline._repr_html_`` and
``Result._repr_html_``.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from goldenrec._charts import Chart, weight_histogram
from goldenrec._masking import mask_frame

if TYPE_CHECKING:
    from goldenrec._pipeline import Pipeline
    from goldenrec._result import Result

__all__ = ["STYLE", "chart_img", "chart_png", "escape", "format_value", "pipeline_html",
           "result_html", "table_html"]

#: Styles scoped to ``.goldenrec`` so a notebook's own styles are left alone.
STYLE = """
.goldenrec { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  font-size: 13px; color: #1b1f24; }
.goldenrec h3, .goldenrec h4 { margin: 0.6em 0 0.3em; }
.goldenrec table.gr-table { border-collapse: collapse; margin: 0.3em 0 0.8em; }
.goldenrec table.gr-table th, .goldenrec table.gr-table td { border: 1px solid #d0d7de;
  padding: 2px 6px; text-align: left; vertical-align: top; }
.goldenrec table.gr-table th { background: #f3f5f7; }
.goldenrec table.gr-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.goldenrec .gr-muted { color: #57606a; }
.goldenrec .gr-counts td:first-child { font-weight: 600; }
.goldenrec .gr-scroll { overflow-x: auto; max-width: 100%; }
.goldenrec img.gr-chart { max-width: 100%; height: auto; display: block; }
""".strip()


def format_value(value: Any) -> str:
    """A cell's text: missing values empty, floats to four significant places, lists
    joined with ``; ``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (list, tuple, np.ndarray)):
        return "; ".join(format_value(v) for v in value)
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isnan(number):
            return ""
        if number.is_integer() and abs(number) < 1e15:
            return f"{int(number):,}" if abs(number) >= 10_000 else str(int(number))
        return f"{number:.4g}"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    return str(value)


def escape(value: Any) -> str:
    """``value`` as escaped HTML text (quotes too)."""
    return html.escape(format_value(value), quote=True)


def table_html(frame: pd.DataFrame, *, max_rows: int | None = None,
               caption: str | None = None, css_class: str = "gr-table") -> str:
    """A DataFrame as an HTML table with every header and cell escaped."""
    shown = frame if max_rows is None else frame.head(max_rows)
    numeric = {str(c) for c in frame.columns
               if pd.api.types.is_numeric_dtype(frame[c].dtype)
               and not pd.api.types.is_bool_dtype(frame[c].dtype)}
    parts = [f'<div class="gr-scroll"><table class="{html.escape(css_class)}">']
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    parts.append("<thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in frame.columns)
                 + "</tr></thead><tbody>")
    for row in shown.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(frame.columns, row):
            css = ' class="num"' if str(column) in numeric else ""
            cells.append(f"<td{css}>{escape(value)}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table></div>")
    if max_rows is not None and len(frame) > max_rows:
        parts.append(f'<p class="gr-muted">{len(frame) - max_rows:,} more row(s) not '
                     "shown.</p>")
    return "".join(parts)


def counts_html(items: Iterable[tuple[str, Any]]) -> str:
    """A two-column table of labelled counts."""
    rows = "".join(f"<tr><td>{html.escape(label)}</td><td class=\"num\">{escape(value)}"
                   "</td></tr>" for label, value in items)
    return f'<table class="gr-table gr-counts"><tbody>{rows}</tbody></table>'


def chart_png(chart: Chart, *, dpi: int = 96, size: tuple[float, float] = (7, 4)
              ) -> bytes | None:
    """The chart drawn by matplotlib as PNG bytes; ``None`` without matplotlib."""
    try:
        import matplotlib  # noqa: PLC0415

        matplotlib.use("Agg", force=False)
        from matplotlib import pyplot  # noqa: PLC0415
    except ImportError:
        return None
    figure, axes = pyplot.subplots(figsize=size)
    try:
        chart.draw(axes)
        axes.set_title(chart.title)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi)
    finally:
        pyplot.close(figure)
    return buffer.getvalue()


def chart_img(chart: Chart, *, css_id: str | None = None,
              size: tuple[float, float] = (7, 4)) -> str:
    """An ``<img>`` with the chart as an inline base64 PNG (or a note without
    matplotlib)."""
    png = chart_png(chart, size=size)
    title = html.escape(chart.title)
    if png is None:
        return (f'<p class="gr-muted">[{title}: charts need matplotlib, '
                "pip install 'goldenrec[charts]']</p>")
    data = base64.b64encode(png).decode("ascii")
    ident = f' id="{html.escape(css_id)}"' if css_id else ""
    return (f'<figure class="gr-figure"><img{ident} class="gr-chart" alt="{title}" '
            f'src="data:image/png;base64,{data}"></figure>')


def _block(title: str, body: str) -> str:
    return (f"<style>{STYLE}</style><div class=\"goldenrec\"><h3>{html.escape(title)}</h3>"
            f"{body}</div>")


def _names(items: Sequence[Any] | None) -> str:
    if not items:
        return ""
    return ", ".join(str(getattr(item, "name", None) or getattr(item, "field", None)
                         or type(item).__name__) for item in items)


def pipeline_html(pipeline: Pipeline) -> str:
    """A pipeline's configuration and, once fitted, what fitting chose."""
    sources = pipeline.sources or ()
    body = []
    if sources:
        rows = pd.DataFrame([{
            "source": s.name, "key": s.key, "roles given": len(s.roles or {}),
            "phone region": s.phone_region, "date order": s.date_order,
            "time zone": s.time_zone, "trust": s.trust} for s in sources])
        body.append("<h4>Sources</h4>" + table_html(rows))
    else:
        body.append('<p class="gr-muted">Sources: inferred from the data (one per frame '
                    "or by the source column).</p>")
    threshold = pipeline.threshold
    settings: list[tuple[str, Any]] = [
        ("threshold", threshold), ("clustering", pipeline.clustering),
        ("custom fields", len(pipeline.fields or ())),
        ("cannot-link fields", ", ".join(pipeline.cannot_link) or "none"),
        ("maximum pairs", pipeline.max_pairs), ("seed", pipeline.seed),
        ("fitted", "yes" if pipeline.is_fitted else "no"),
    ]
    body.append("<h4>Settings</h4>" + counts_html(settings))
    if pipeline.is_fitted:
        fitted: list[tuple[str, Any]] = [
            ("fitted threshold", getattr(pipeline, "threshold_", None)),
            ("blocking rules", len(getattr(pipeline, "blocking_rules_", ()))),
            ("comparisons", _names(getattr(pipeline, "comparisons_", ()))),
        ]
        body.append("<h4>Fitted</h4>" + counts_html(fitted))
        model = getattr(pipeline, "model_", None)
        if model is not None and hasattr(model, "parameters"):
            body.append("<details><summary>m and u per comparison level</summary>"
                        + table_html(model.parameters()) + "</details>")
    return _block("goldenrec Pipeline", "".join(body))


def stage_counts(result: Result) -> list[tuple[str, Any]]:
    """Counts per stage (no personal values)."""
    pairs = result.pairs
    matched = int((pairs["match_probability"] >= result.threshold).sum()) if len(pairs) else 0
    flagged = int(result.quality["status"].isin(["invalid", "placeholder"]).sum()) if len(
        result.quality) else 0
    conflicted = (result.conflicts["golden_id"].nunique()
                  if "golden_id" in result.conflicts.columns else 0)
    return [
        ("records in", len(result.xref)),
        ("sources", result.xref["source"].nunique() if len(result.xref) else 0),
        ("mapped columns", len(result.mapping)),
        ("flagged values (invalid or placeholder)", flagged),
        ("candidate pairs (blocking)", len(pairs)),
        (f"pairs at or above p={result.threshold:.3f}", matched),
        ("customers out (golden records)", len(result.golden)),
        ("customers with conflicting values", conflicted),
    ]


def golden_sample(result: Result, *, n: int = 3, mask_pii: bool = False,
                  golden_ids: Sequence[str] | None = None) -> str:
    """A few golden records (the most merged first) each with its lineage."""
    golden = result.golden
    if not len(golden):
        return '<p class="gr-muted">No golden records.</p>'
    if golden_ids is None:
        order = golden.sort_values("n_records", ascending=False, kind="mergesort") \
            if "n_records" in golden.columns else golden
        golden_ids = [str(g) for g in order["golden_id"].head(n)]
    parts = []
    lineage_columns = [c for c in ("field", "value", "source", "record_key", "rule",
                                   "decided_by", "n_candidates", "runner_up")
                       if c in result.lineage.columns]
    for golden_id in golden_ids:
        row = golden[golden["golden_id"] == golden_id]
        lineage = result.lineage[result.lineage["golden_id"] == golden_id][lineage_columns]
        if mask_pii:
            row, lineage = mask_frame(row), mask_frame(lineage)
        row = row.dropna(axis=1, how="all")
        parts.append(f"<h4>{escape(golden_id)}</h4>" + table_html(row)
                     + "<details><summary>lineage: where each value came from</summary>"
                     + table_html(lineage) + "</details>")
    return "".join(parts)


def result_html(result: Result, *, sample: int = 3) -> str:
    """Counts per stage, the weight distribution and a sample of golden records with
    their lineage."""
    body = ["<h4>Counts per stage</h4>", counts_html(stage_counts(result))]
    if len(result.pairs):
        body.append(chart_img(weight_histogram(result.pairs), size=(6, 2.6)))
    body.append(f"<h4>Sample of golden records (the {sample} most merged)</h4>")
    body.append(golden_sample(result, n=sample))
    body.append('<p class="gr-muted">Full tables: result.golden, .xref, .lineage, .pairs, '
                ".quality, .conflicts; a report: result.report(\"report.html\").</p>")
    return _block("goldenrec Result", "".join(body))
