"""The outputs of a run: golden records, cross-reference, lineage, pairs and quality."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

__all__ = ["Result"]


@dataclass(frozen=True)
class Result:
    """Everything a run produces, as pandas DataFrames.

    - ``golden``: one row per customer, ``golden_id`` + canonical fields.
    - ``xref``: ``source, record_key, golden_id`` for every input record.
    - ``lineage``: one row per golden value: where it came from and which rule chose it.
    - ``pairs``: scored candidate pairs with their comparison levels.
    - ``quality``: per record and field, the validation ``status`` and ``reason``.
    - ``mapping``: which column was read as which role, and how that was decided.
    """

    golden: pd.DataFrame
    xref: pd.DataFrame
    lineage: pd.DataFrame
    pairs: pd.DataFrame
    quality: pd.DataFrame
    mapping: pd.DataFrame
    records: pd.DataFrame
    threshold: float
    blocking_stats: pd.DataFrame

    def summary(self) -> str:
        """A few lines of counts, safe to print or log (no personal values)."""
        n_sources = self.xref["source"].nunique()
        matched = int((self.pairs["match_probability"] >= self.threshold).sum())
        lines = [
            f"records in:        {len(self.xref):,} from {n_sources} source(s)",
            f"customers out:     {len(self.golden):,}",
            f"candidate pairs:   {len(self.pairs):,} ({matched:,} at or above "
            f"p={self.threshold:.3f})",
        ]
        bad = self.quality[self.quality["status"].isin(["invalid", "placeholder"])]
        lines.append(f"flagged values:    {len(bad):,} invalid or placeholder")
        return "\n".join(lines)

    def write(self, directory: str | Path) -> list[Path]:
        """Write ``golden.csv``, ``xref.csv``, ``lineage.csv``, ``quality.csv`` and
        ``pairs.csv`` to ``directory`` (created if needed); returns the paths."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        pair_columns = [c for c in self.pairs.columns if c not in ("row_l", "row_r")]
        for name, frame in (("golden", self.golden), ("xref", self.xref),
                            ("lineage", self.lineage), ("quality", self.quality),
                            ("pairs", self.pairs[pair_columns])):
            path = out / f"{name}.csv"
            frame.to_csv(path, index=False, lineterminator="\n")
            written.append(path)
        return written
