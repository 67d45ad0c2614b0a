"""The whole-data state a fitted pipeline freezes, so later records match as the first.

Some steps look at all records at once, not at one customer: values held by too many
people become placeholders (normalise), agreement on a rare value weighs more than on
a common one (term frequencies, score), and survivorship breaks ties by how many
customers use a value (prevalence) and measures ages up to the latest update (as of).
A :class:`FrozenState` records these facts from the data a pipeline was fitted on;
the golden store applies them to every later record, so matching a new record never
needs the stored ones again.

>>> state = FrozenState(too_frequent={"email": ("info@example.org",)})
>>> FrozenState.from_dict(state.to_dict()).too_frequent["email"]
('info@example.org',)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from goldenrec._comparisons import MIN_TERM_FREQUENCY_VALUES, Comparison, _KeyColumns
from goldenrec._correlated import (
    address_groups,
    combination_counts,
    combination_keys,
    combination_name,
    correlate,
    correlated_combinations,
)
from goldenrec._normalise._base import PLACEHOLDER, VALID
from goldenrec._normalise._records import TOO_FREQUENT, RecordNormaliser
from goldenrec._survivorship_rules import FieldStats

if TYPE_CHECKING:
    from goldenrec._normalise._records import NormalisedRecords
    from goldenrec._schema import MappedRecords
    from goldenrec._survivorship import SurvivorshipResult

__all__ = ["FrozenState"]


def _counts(series: pd.Series) -> dict[str, int]:
    """``{value: count}`` for counts of 2 or more (a missing value counts as 1)."""
    kept = series[series >= 2]
    return {str(k): int(v) for k, v in zip(kept.index.tolist(), kept.tolist())}


@dataclass(frozen=True)
class FrozenState:
    """Facts about the fitting data that later records are judged by.

    - ``too_frequent``: per field, the match keys marked ``placeholder`` /
      ``too_frequent`` (held by too many people);
    - ``term_counts`` / ``term_totals``: per compared field with term frequencies, how
      many records hold each match key (only counts of 2 or more; any other key
      counts 1) and how many records have a valid key;
    - ``token_counts``: per survived field, how many customers use each word of its
      match keys (counts of 2 or more), for :class:`~goldenrec.Prevalence`;
    - ``numeric``: per survived field, whether every match key reads as a number;
    - ``as_of``: the latest valid ``updated_at`` (seconds since 1970), or ``None``.
    """

    too_frequent: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    term_counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    term_totals: Mapping[str, int] = field(default_factory=dict)
    token_counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    numeric: Mapping[str, bool] = field(default_factory=dict)
    as_of: float | None = None

    # -- capturing ------------------------------------------------------------------
    @classmethod
    def capture(cls, normaliser: RecordNormaliser, mapped: MappedRecords,
                normalised: NormalisedRecords, comparisons: Sequence[Comparison],
                survived: SurvivorshipResult) -> FrozenState:
        """The state of one full run (the run that fitted the pipeline)."""
        records = normalised.frame
        too_frequent: dict[str, tuple[str, ...]] = {}
        marked = {role: (records[f"{role}_reason"] == TOO_FREQUENT).to_numpy()
                  for role in normalised.roles if f"{role}_reason" in records.columns}
        marked = {role: rows for role, rows in marked.items() if rows.any()}
        if marked:
            # the keys were blanked: normalise those records again without the check
            rows = np.logical_or.reduce(list(marked.values()))
            subset = dataclasses.replace(mapped, frame=mapped.frame.loc[rows])
            plain = RecordNormaliser(normaliser.normalisers, fields=normaliser.fields,
                                     frequency=None, n_jobs=1).normalise(subset).frame
            for role, hit in marked.items():
                keys = plain[f"{role}_key"].where(plain[f"{role}_status"] == VALID)
                picked = keys.to_numpy(dtype=object)[hit[rows]]
                too_frequent[role] = tuple(sorted({str(k) for k in picked if k is not None
                                                   and not pd.isna(k)}))
        columns = _KeyColumns(records)
        term_counts: dict[str, dict[str, int]] = {}
        term_totals: dict[str, int] = {}
        for comparison in comparisons:
            if comparison.term_frequency and comparison.field not in term_counts \
                    and f"{comparison.field}_key" in records.columns:
                keys = pd.Series(columns.get(comparison.field), dtype=object).dropna()
                term_totals[comparison.field] = len(keys)
                term_counts[comparison.field] = _counts(keys.value_counts(sort=False))
        for fields in correlated_combinations(comparisons):
            if all(f"{f}_key" in records.columns for f in fields):
                name = combination_name(fields)
                term_counts[name], term_totals[name] = combination_counts(
                    [columns.codes((f,))[0][0] for f in fields],
                    [columns.get(f) for f in fields])
        stats: Mapping[str, FieldStats] = survived.explainer.stats
        as_of = float(survived.explainer.context.as_of)
        return cls(
            too_frequent=too_frequent, term_counts=term_counts, term_totals=term_totals,
            token_counts={f: _counts(s.token_counts) for f, s in sorted(stats.items())},
            numeric={f: bool(s.numeric) for f, s in sorted(stats.items())},
            as_of=None if math.isnan(as_of) else as_of)

    # -- applying -------------------------------------------------------------------
    def normalise(self, normaliser: RecordNormaliser, mapped: MappedRecords
                  ) -> NormalisedRecords:
        """Normalise as ``normaliser`` does, but with the frozen too-frequent values
        marked instead of those counted in ``mapped``."""
        plain = RecordNormaliser(normaliser.normalisers, fields=normaliser.fields,
                                 frequency=None, n_jobs=normaliser.n_jobs)
        result = plain.normalise(mapped)
        if normaliser.frequency is None:
            return result
        return dataclasses.replace(result, frame=self.mark_placeholders(result.frame,
                                                                        result.roles))

    def mark_placeholders(self, records: pd.DataFrame, roles: Sequence[str]) -> pd.DataFrame:
        """Records normalised without the frequency check, with the frozen
        too-frequent keys marked ``placeholder`` as the fitting run marked them."""
        out = records
        for role, keys in self.too_frequent.items():
            if not keys or f"{role}_key" not in records.columns:
                continue
            hit = ((records[f"{role}_status"] == VALID)
                   & records[f"{role}_key"].isin(set(keys))).to_numpy()
            if not hit.any():
                continue
            if out is records:
                out = records.copy()
            blank = [role, f"{role}_key", *_extras(role, roles, records.columns)]
            updates: dict[str, object] = dict.fromkeys(blank)
            updates.update({f"{role}_status": PLACEHOLDER, f"{role}_reason": TOO_FREQUENT})
            for column, value in updates.items():
                data = out[column].to_numpy(dtype=object).copy()
                data[hit] = value
                out[column] = pd.Series(data, index=out.index, dtype=object)
        return out

    def term_frequencies(self, gamma: pd.DataFrame, pairs: pd.DataFrame,
                         records: pd.DataFrame, comparisons: Sequence[Comparison]) -> None:
        """Replace the ``tf_`` columns of ``gamma`` (computed from ``records`` only)
        with frequencies from the frozen counts."""
        columns = _KeyColumns(records)
        row_l = pairs["row_l"].to_numpy(dtype=np.int64)
        row_r = pairs["row_r"].to_numpy(dtype=np.int64)
        for comparison in comparisons:
            name = f"tf_{comparison.name}"
            if not comparison.term_frequency or name not in gamma.columns:
                continue
            total = int(self.term_totals.get(comparison.field, 0))
            if total < MIN_TERM_FREQUENCY_VALUES:
                gamma[name] = np.full(len(gamma), np.nan)
                continue
            counts = self.term_counts.get(comparison.field, {})
            keys = columns.get(comparison.field)
            frequency = np.array([np.nan if k is None else counts.get(str(k), 1) / total
                                  for k in keys.tolist()], dtype=np.float64)
            levels = gamma[f"gamma_{comparison.name}"].to_numpy()
            agree = (levels >= 0) & (levels < len(comparison.labels) - 1)
            out = np.full(len(gamma), np.nan)
            out[agree] = np.fmax(frequency[row_l[agree]], frequency[row_r[agree]])
            gamma[name] = out
        members = [n for group in address_groups(comparisons) for n in group
                   if f"tf_{n}" in gamma.columns]
        arrays = {f"{kind}_{n}": gamma[f"{kind}_{n}"].to_numpy(
            dtype=np.float64 if kind == "tf" else np.int64).copy()
            for n in members for kind in ("gamma", "tf")}
        correlate(arrays, comparisons, row_l, row_r,
                  lambda fields: self._shares(columns, fields))
        for n in members:
            gamma[f"tf_{n}"] = arrays[f"tf_{n}"]

    def _shares(self, columns: _KeyColumns, fields: tuple[str, ...]) -> np.ndarray:
        """Per record, the frozen share of its combination of ``fields``' values."""
        name = combination_name(fields)
        keys = combination_keys([columns.get(f) for f in fields])
        total = int(self.term_totals.get(name, 0))
        if total < MIN_TERM_FREQUENCY_VALUES:
            return np.full(len(keys), np.nan)
        counts = self.term_counts.get(name, {})
        return np.array([np.nan if k is None else counts.get(k, 1) / total for k in keys],
                        dtype=np.float64)

    def field_stats(self) -> dict[str, FieldStats]:
        """Survivorship statistics per field (source trust is filled in per run)."""
        as_of = float("nan") if self.as_of is None else float(self.as_of)
        return {f: FieldStats(f, pd.Series(dict(self.token_counts.get(f, {})),
                                           dtype=np.int64), as_of,
                              bool(self.numeric.get(f, False)), {})
                for f in sorted(set(self.token_counts) | set(self.numeric))}

    # -- persistence ----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "too_frequent": {f: list(v) for f, v in sorted(self.too_frequent.items())},
            "term_counts": {f: dict(sorted(v.items()))
                            for f, v in sorted(self.term_counts.items())},
            "term_totals": dict(sorted(self.term_totals.items())),
            "token_counts": {f: dict(sorted(v.items()))
                             for f, v in sorted(self.token_counts.items())},
            "numeric": dict(sorted(self.numeric.items())),
            "as_of": self.as_of,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FrozenState:
        as_of = data.get("as_of")
        return cls(
            too_frequent={str(f): tuple(str(k) for k in v)
                          for f, v in (data.get("too_frequent") or {}).items()},
            term_counts={str(f): {str(k): int(c) for k, c in v.items()}
                         for f, v in (data.get("term_counts") or {}).items()},
            term_totals={str(f): int(v) for f, v in (data.get("term_totals") or {}).items()},
            token_counts={str(f): {str(k): int(c) for k, c in v.items()}
                          for f, v in (data.get("token_counts") or {}).items()},
            numeric={str(f): bool(v) for f, v in (data.get("numeric") or {}).items()},
            as_of=None if as_of is None else float(as_of))


def _extras(role: str, roles: Sequence[str], columns: pd.Index) -> list[str]:
    """The extra normalised columns of a role (``first_name_canonical`` ...), not
    those of another role whose name starts alike (``street`` / ``street_number``)."""
    own = {role, f"{role}_key", f"{role}_status", f"{role}_reason"}
    longer = [r for r in roles if r != role and r.startswith(f"{role}_")]
    return [str(c) for c in columns
            if str(c).startswith(f"{role}_") and str(c) not in own
            and not any(str(c) == r or str(c).startswith(f"{r}_") for r in longer)]
