"""The outputs of a run: golden records, cross-reference, lineage, pairs and quality."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from goldenrec._consent import consenting, result_for_purpose
from goldenrec._explain import cluster_edges, explain_pair
from goldenrec._html import result_html
from goldenrec._lineage import ValueExplanation
from goldenrec._output import FORMATS, write_tables
from goldenrec._survivorship import SurvivorshipResult
from goldenrec.errors import ConfigError

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
    - ``conflicts``: per customer and field with several valid values, one row per
      value with its sources (for data stewards).
    - ``confidence``: per customer, how strongly its records are linked.
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
    model: Any = None
    comparisons: Sequence[Any] = field(default_factory=tuple)
    conflicts: pd.DataFrame = field(default_factory=pd.DataFrame)
    confidence: pd.DataFrame = field(default_factory=pd.DataFrame)
    survivorship: SurvivorshipResult | None = field(default=None, repr=False)

    def explain_pair(self, left: tuple[str, str], right: tuple[str, str]) -> pd.DataFrame:
        """Why two records do (not) match: a waterfall of match weights.

        ``left`` and ``right`` are ``(source, record_key)``. See :func:`explain_pair`.
        """
        return explain_pair(self, left, right)

    def explain_value(self, golden_id: str, field: str) -> ValueExplanation:
        """Why a golden value won: ranked candidates with each step's score, and the
        scored pairs that put the winning record in this customer."""
        if self.survivorship is None:
            raise ConfigError("this result holds no survivorship state to explain")
        return self.survivorship.explain_value(golden_id, field, pairs=self.pairs)

    def golden_for(self, purpose: str | None = None) -> pd.DataFrame:
        """The golden records of customers whose consent for ``purpose`` is ``granted``
        (``None``: the general purpose). Customers without a decision are left out."""
        kept: pd.DataFrame = self.golden[consenting(self.golden, purpose).to_numpy()
                                         ].reset_index(drop=True)
        return kept

    def for_purpose(self, purpose: str | None = None) -> Result:
        """This result with only the customers who consented to ``purpose`` (see
        :meth:`golden_for`) and their records, e.g. to hand to a marketing team."""
        return result_for_purpose(self, purpose)

    def _repr_html_(self) -> str:
        return result_html(self)

    def report(self, path: str | Path, *, mask_pii: bool = False,
               truth: pd.DataFrame | pd.Series | None = None) -> Path:
        """Write the match-quality report, one self-contained HTML file, to ``path``.

        ``mask_pii=True`` masks personal values; ``truth`` (as for
        :func:`goldenrec.evaluate`) measures precision and recall, else the model's own
        estimate is shown.
        """
        from goldenrec._report import write_report  # noqa: PLC0415

        return write_report(self, path, mask_pii=mask_pii, truth=truth)

    def cluster_edges(self, golden_id: str) -> pd.DataFrame:
        """The scored pairs between the records of one golden record."""
        return cluster_edges(self, golden_id)

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
        how = self.mapping["how"].value_counts() if len(self.mapping) else pd.Series(dtype=int)
        lines.append(
            f"column roles:      {int(how.get('inferred', 0))} inferred from names, "
            f"{int(how.get('given', 0))} given, {int(how.get('passthrough', 0))} "
            "passed through (see result.mapping)")
        bad = self.quality[self.quality["status"].isin(["invalid", "placeholder"])]
        lines.append(f"flagged values:    {len(bad):,} invalid or placeholder")
        return "\n".join(lines)

    def write(self, directory: str | Path, *, purpose: str | None = None,
              format: str = "csv") -> list[Path]:
        """Write ``golden``, ``xref``, ``lineage``, ``quality``, ``pairs`` and
        ``conflicts`` to ``directory`` (created if needed) as ``<name>.csv`` or, with
        ``format="parquet"``, ``<name>.parquet``; returns the paths.

        With ``purpose``, every file holds only the customers who consented to it (see
        :meth:`golden_for`) and their records. In CSV, aggregate (list) golden fields are
        written as ``a;b``; in Parquet they stay lists, and columns of Python objects
        are text (see ``docs/getting-started.md``). Parquet files are written
        concurrently. A file that cannot be written raises
        :class:`~goldenrec.errors.OutputError` naming the table and the file.
        """
        if format not in FORMATS:
            raise ConfigError(f"unknown output format {format!r}; use 'csv' or 'parquet'")
        if purpose is not None:
            return self.for_purpose(purpose).write(directory, format=format)
        pair_columns = [c for c in self.pairs.columns if c not in ("row_l", "row_r")]
        golden = self.golden
        if format == "csv":  # aggregate (list) fields as a;b
            golden = golden.map(lambda v: ";".join(map(str, v)) if isinstance(v, list)
                                else v)
        return write_tables([("golden", golden), ("xref", self.xref),
                             ("lineage", self.lineage), ("quality", self.quality),
                             ("pairs", self.pairs[pair_columns]),
                             ("conflicts", self.conflicts)], directory, format)
