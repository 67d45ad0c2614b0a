"""Explanations for notebooks: why a pair matches, and what holds a customer together."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from goldenrec._comparisons import Comparator
from goldenrec._scoring import FellegiSunter, is_context, level_weights, tf_adjustment
from goldenrec.errors import ConfigError, InputError

if TYPE_CHECKING:
    from goldenrec._result import Result

__all__ = ["cluster_edges", "explain_pair"]

WATERFALL_COLUMNS = ["step", "value_l", "value_r", "level", "label", "m", "u", "weight",
                     "tf_adjustment", "cumulative", "probability"]


def _row_of(result: Result, source: str, record_key: str) -> int:
    records = result.records
    match = np.flatnonzero(((records["source"] == source)
                            & (records["record_key"] == record_key)).to_numpy())
    if len(match) == 0:
        raise InputError("no such record", source=source, record_key=record_key)
    return int(match[0])


def explain_pair(result: Result, left: tuple[str, str], right: tuple[str, str]
                 ) -> pd.DataFrame:
    """A waterfall table: the prior, then one row per comparison, then the total.

    Each comparison row shows both records' values, the agreement level, its ``m`` and
    ``u``, the weight it adds (log2 Bayes factor, including any term-frequency
    adjustment) and the running total; the last row gives the match probability. Works
    for any two records, candidate pair or not.

    >>> import pandas as pd, goldenrec as gr
    >>> frame = pd.DataFrame({"id": ["1", "2"], "first_name": ["Ann", "Anne"],
    ...                       "last_name": ["Lee", "Lee"]})
    >>> result = gr.resolve({"s": frame})
    >>> table = result.explain_pair(("s", "1"), ("s", "2"))
    >>> table["step"].tolist()
    ['prior', 'first_name', 'last_name', 'total']
    """
    model = result.model
    if not isinstance(model, FellegiSunter):
        raise ConfigError("explanations need a Fellegi–Sunter model")
    row_l, row_r = _row_of(result, *left), _row_of(result, *right)
    pair = pd.DataFrame({"row_l": [min(row_l, row_r)], "row_r": [max(row_l, row_r)]})
    gamma = Comparator(tuple(result.comparisons)).compare(pair, result.records)
    records = result.records
    prior = float(np.log2(model.prior_ / (1 - model.prior_)))
    rows = [{"step": "prior", "weight": prior, "tf_adjustment": 0.0}]
    for comparison in result.comparisons:
        name = comparison.name
        level = int(gamma[f"gamma_{name}"].iloc[0])
        labels = comparison.labels
        if level >= 0:
            m = float(model.m_[name][level])
            u = float(model.u_[name][level])
            weight = float(level_weights(model.m_[name], model.u_[name])[level])
            label = labels[level]
        else:
            m = u = float("nan")
            weight = 0.0
            label = "one missing" if level == -1 else "both missing"
        adjustment = 0.0
        if f"tf_{name}" in gamma.columns and level >= 0 and not is_context(model.u_[name]):
            adjustment = float(tf_adjustment(gamma[f"tf_{name}"].to_numpy(dtype=np.float64),
                                             float(model.u_[name][0]))[0])
        rows.append({
            "step": name,
            "value_l": records[comparison.field].iloc[row_l],
            "value_r": records[comparison.field].iloc[row_r],
            "level": level, "label": label, "m": m, "u": u,
            "weight": weight + adjustment, "tf_adjustment": adjustment,
        })
    table = pd.DataFrame(rows)
    table["cumulative"] = table["weight"].cumsum()
    total = float(table["cumulative"].iloc[-1])
    probability = 1.0 / (1.0 + 2.0 ** (-total))
    table = pd.concat([table, pd.DataFrame([{
        "step": "total", "weight": total, "cumulative": total, "probability": probability,
    }])], ignore_index=True)
    for column in WATERFALL_COLUMNS:
        if column not in table.columns:
            table[column] = None
    out: pd.DataFrame = table[WATERFALL_COLUMNS]
    return out


def cluster_edges(result: Result, golden_id: str) -> pd.DataFrame:
    """The scored candidate pairs inside one golden record, strongest first.

    ``above_threshold`` marks the edges that can join records; a customer whose
    records are held together by a single weak edge is worth a look.
    """
    members = result.xref.index[result.xref["golden_id"] == golden_id]
    if len(members) == 0:
        raise InputError("no such golden record", column="golden_id")
    keys = set(zip(result.xref.loc[members, "source"], result.xref.loc[members, "record_key"]))
    pairs = result.pairs
    inside = [
        (sl, kl) in keys and (sr, kr) in keys
        for sl, kl, sr, kr in zip(pairs["source_l"], pairs["record_key_l"],
                                  pairs["source_r"], pairs["record_key_r"])
    ]
    columns = ["source_l", "record_key_l", "source_r", "record_key_r", "rule",
               "match_weight", "match_probability"]
    edges = pairs.loc[inside, columns].copy()
    edges["above_threshold"] = edges["match_probability"] >= result.threshold
    out: pd.DataFrame = edges.sort_values(
        ["match_weight", "source_l", "record_key_l", "source_r", "record_key_r"],
        ascending=[False, True, True, True, True], kind="mergesort").reset_index(drop=True)
    return out
