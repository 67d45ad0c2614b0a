"""Charts that work offline: Vega-Lite JSON specs (data inline) and matplotlib PNGs.

Nothing here loads JavaScript from a CDN. In Jupyter a :class:`Chart` displays through
the Vega-Lite mime type (JupyterLab renders it without network); ``to_png`` draws the
same chart with matplotlib (``pip install 'goldenrec[charts]'``).
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from goldenrec.errors import ConfigError

__all__ = ["Chart", "parameter_chart", "pr_curve_chart", "waterfall_chart",
           "weight_histogram"]

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.astype(object).where(frame.notna(), None)
    rows: list[dict[str, Any]] = []
    for row in clean.to_dict(orient="records"):
        rows.append({str(k): (float(v) if isinstance(v, (float, np.floating)) and
                              math.isfinite(float(v)) else
                              None if isinstance(v, (float, np.floating)) else
                              int(v) if isinstance(v, (int, np.integer)) else v)
                     for k, v in row.items()})
    return rows


@dataclass(frozen=True)
class Chart:
    """A chart: a Vega-Lite spec plus a matplotlib drawing of the same data."""

    spec: dict[str, Any]
    draw: Callable[[Any], None]
    title: str

    def to_json(self, path: str | Path | None = None) -> str:
        """The Vega-Lite spec as JSON; written to ``path`` when given."""
        text = json.dumps(self.spec, indent=2, ensure_ascii=False, allow_nan=False)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    def to_png(self, path: str | Path, *, dpi: int = 110) -> Path:
        """Draw with matplotlib (Agg, no display needed) and save a PNG."""
        try:
            import matplotlib  # noqa: PLC0415

            matplotlib.use("Agg", force=False)
            from matplotlib import pyplot  # noqa: PLC0415
        except ImportError:
            raise ConfigError("PNG charts need matplotlib: pip install "
                              "'goldenrec[charts]'") from None
        figure, axes = pyplot.subplots(figsize=(7, 4))
        try:
            self.draw(axes)
            axes.set_title(self.title)
            figure.tight_layout()
            figure.savefig(path, dpi=dpi)
        finally:
            pyplot.close(figure)
        return Path(path)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None
                          ) -> dict[str, Any]:
        """Vega-Lite for JupyterLab, plus a PNG for front ends that cannot draw it
        (classic Notebook, VS Code) when matplotlib is installed."""
        from goldenrec._html import chart_png  # noqa: PLC0415

        bundle: dict[str, Any] = {"application/vnd.vegalite.v5+json": self.spec,
                                  "text/plain": f"<goldenrec chart: {self.title}>"}
        png = chart_png(self)
        if png is not None:
            bundle["image/png"] = base64.b64encode(png).decode("ascii")
        return bundle


def waterfall_chart(waterfall: pd.DataFrame) -> Chart:
    """Bars from the running total before each step to after it (see ``explain_pair``)."""
    steps = waterfall[waterfall["step"] != "total"].copy()
    steps["end"] = steps["weight"].cumsum()
    steps["start"] = steps["end"] - steps["weight"]
    total = float(steps["end"].iloc[-1]) if len(steps) else 0.0
    data = _records(steps[["step", "label", "weight", "start", "end"]])
    data.append({"step": "total", "label": None, "weight": total, "start": 0.0,
                 "end": total})
    spec = {
        "$schema": VEGA_LITE_SCHEMA,
        "title": "Match weight waterfall (log2 Bayes factors)",
        "data": {"values": data},
        "mark": "bar",
        "encoding": {
            "x": {"field": "step", "type": "nominal", "sort": None, "title": None},
            "y": {"field": "start", "type": "quantitative", "title": "match weight"},
            "y2": {"field": "end"},
            "color": {"condition": {"test": "datum.weight < 0", "value": "#c0392b"},
                      "value": "#2e86c1"},
            "tooltip": [{"field": "step"}, {"field": "label"}, {"field": "weight"}],
        },
    }

    def draw(axes: Any) -> None:
        labels = [str(d["step"]) for d in data]
        starts = [float(d["start"] or 0.0) for d in data]
        heights = [float(d["end"] or 0.0) - s for d, s in zip(data, starts)]
        colours = ["#c0392b" if h < 0 else "#2e86c1" for h in heights]
        axes.bar(range(len(data)), heights, bottom=starts, color=colours)
        axes.set_xticks(range(len(data)), labels, rotation=45, ha="right")
        axes.axhline(0, color="grey", linewidth=0.8)
        axes.set_ylabel("match weight")

    return Chart(spec, draw, "Match weight waterfall")


def parameter_chart(parameters: pd.DataFrame) -> Chart:
    """m and u per comparison level (``FellegiSunter.parameters()``)."""
    long = parameters.melt(id_vars=["comparison", "level"], value_vars=["m", "u"],
                           var_name="parameter", value_name="probability")
    spec = {
        "$schema": VEGA_LITE_SCHEMA,
        "title": "m and u probabilities per comparison level",
        "data": {"values": _records(long)},
        "mark": "bar",
        "encoding": {
            "y": {"field": "level", "type": "ordinal"},
            "x": {"field": "probability", "type": "quantitative"},
            "color": {"field": "parameter", "type": "nominal"},
            "yOffset": {"field": "parameter"},
            "row": {"field": "comparison", "type": "nominal"},
        },
    }

    def draw(axes: Any) -> None:
        labels = [f"{c} {lv}" for c, lv in zip(parameters["comparison"], parameters["level"])]
        positions = np.arange(len(labels))
        axes.barh(positions - 0.2, parameters["m"], height=0.4, label="m")
        axes.barh(positions + 0.2, parameters["u"], height=0.4, label="u")
        axes.set_yticks(positions, labels, fontsize=7)
        axes.invert_yaxis()
        axes.legend()

    return Chart(spec, draw, "m and u per level")


def weight_histogram(pairs: pd.DataFrame, *, bins: int = 40) -> Chart:
    """Distribution of candidate pairs' match weights."""
    weights = pairs["match_weight"].to_numpy(dtype=np.float64)
    weights = weights[np.isfinite(weights)]
    counts, edges = np.histogram(weights, bins=bins) if len(weights) else (
        np.zeros(0), np.zeros(1))
    table = pd.DataFrame({"start": edges[:-1], "end": edges[1:], "pairs": counts})
    spec = {
        "$schema": VEGA_LITE_SCHEMA,
        "title": "Match weight distribution of candidate pairs",
        "data": {"values": _records(table)},
        "mark": "bar",
        "encoding": {
            "x": {"field": "start", "type": "quantitative", "bin": {"binned": True},
                  "title": "match weight"},
            "x2": {"field": "end"},
            "y": {"field": "pairs", "type": "quantitative"},
        },
    }

    def draw(axes: Any) -> None:
        axes.hist(weights, bins=bins, color="#2e86c1")
        axes.set_xlabel("match weight")
        axes.set_ylabel("pairs")

    return Chart(spec, draw, "Match weight distribution")


def pr_curve_chart(curve: pd.DataFrame) -> Chart:
    """Precision and recall over thresholds (``Evaluation.curve``)."""
    long = curve.melt(id_vars=["threshold"], value_vars=["precision", "recall", "f1"],
                      var_name="measure", value_name="value")
    spec = {
        "$schema": VEGA_LITE_SCHEMA,
        "title": "Precision and recall by threshold",
        "data": {"values": _records(long)},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "threshold", "type": "quantitative"},
            "y": {"field": "value", "type": "quantitative", "scale": {"zero": False}},
            "color": {"field": "measure", "type": "nominal"},
        },
    }

    def draw(axes: Any) -> None:
        for measure in ("precision", "recall", "f1"):
            axes.plot(curve["threshold"], curve[measure], marker="o", label=measure)
        axes.set_xlabel("threshold")
        axes.legend()

    return Chart(spec, draw, "Precision and recall by threshold")
