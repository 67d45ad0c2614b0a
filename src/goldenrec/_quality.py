"""The quality report: how many values of each source and field are usable, and why not."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from goldenrec._normalise._base import INVALID, MISSING, PLACEHOLDER, STATUSES, VALID
from goldenrec._normalise._records import NormalisedRecords
from goldenrec.errors import InputError

__all__ = ["FLAG_COLUMNS", "SUMMARY_COLUMNS", "QualityReport"]

logger = logging.getLogger(__name__)

LONG_COLUMNS = ("source", "record_key", "field", "status", "reason")
FLAG_COLUMNS = LONG_COLUMNS
SUMMARY_COLUMNS = ("source", "field", "records", VALID, INVALID, MISSING, PLACEHOLDER,
                   "share_valid", "top_reasons")
#: Statuses whose reasons the summary lists (missing values have no interesting reason).
_PROBLEMS = (INVALID, PLACEHOLDER)


class QualityReport:
    """Counts of valid, invalid, missing and placeholder values per source and field.

    Built from the long quality table (one row per record and field: ``source,
    record_key, field, status, reason``), as :meth:`NormalisedRecords.quality` and
    ``Result.quality`` give it. It holds codes and counts, never the values themselves.

    >>> import pandas as pd
    >>> import goldenrec as gr
    >>> crm = pd.DataFrame({"id": ["1", "2"], "email": ["a@example.org", "not-an-email"]})
    >>> report = QualityReport.from_records(gr.Pipeline().normalise({"crm": crm}))
    >>> report.summary()[["source", "field", "records", "valid", "invalid"]]
      source  field  records  valid  invalid
    0    crm  email        2      1        1
    """

    def __init__(self, table: pd.DataFrame, *, fields: Sequence[str] | None = None,
                 top: int = 3) -> None:
        self.table = table
        self.fields = fields
        self.top = top

    @classmethod
    def from_records(cls, records: NormalisedRecords, *, top: int = 3) -> QualityReport:
        """The report of normalised records (fields in their canonical order)."""
        return cls(records.quality(), fields=records.roles, top=top)

    # -- tables ---------------------------------------------------------------------------
    def _checked(self) -> pd.DataFrame:
        table = self.table
        if not isinstance(table, pd.DataFrame):
            raise InputError("a quality report needs a DataFrame")
        absent = [c for c in LONG_COLUMNS if c not in table.columns]
        if absent:
            raise InputError(f"the quality table lacks column(s): {', '.join(absent)}")
        if isinstance(self.top, bool) or not isinstance(self.top, int) or self.top < 1:
            raise InputError("top must be a positive number of reasons")
        statuses = table["status"].astype(object)
        unknown = sorted(set(statuses.dropna()) - set(STATUSES))
        if unknown or statuses.isna().any():
            raise InputError("the quality table has unknown statuses; expected "
                             f"{', '.join(STATUSES)}")
        return table

    def _field_order(self, table: pd.DataFrame) -> list[str]:
        present = list(dict.fromkeys(table["field"].astype(str)))
        if self.fields is None:
            return present
        listed = [f for f in self.fields if f in set(present)]
        return listed + [f for f in present if f not in set(listed)]

    def summary(self) -> pd.DataFrame:
        """One row per source and field: ``records``, the count of each status,
        ``share_valid`` (valid / records) and ``top_reasons`` of invalid and placeholder
        values (``"phone_invalid: 12; phone_no_region: 3"``), most frequent first.
        """
        table = self._checked()
        if table.empty:
            empty: pd.DataFrame = pd.DataFrame(
                {c: pd.Series(dtype=object) for c in SUMMARY_COLUMNS})
            return empty
        frame = pd.DataFrame({
            "source": table["source"].astype(str).to_numpy(dtype=object),
            "field": table["field"].astype(str).to_numpy(dtype=object),
            "status": table["status"].astype(str).to_numpy(dtype=object),
            "reason": table["reason"].astype(object).where(table["reason"].notna(), "")
            .astype(str).to_numpy(dtype=object),
        })
        counts = (frame.groupby(["source", "field", "status"]).size()
                  .unstack("status", fill_value=0)
                  .reindex(columns=list(STATUSES), fill_value=0))
        counts.columns.name = None
        counts = counts.reset_index()
        counts["records"] = counts[list(STATUSES)].sum(axis=1)
        counts["share_valid"] = (counts[VALID] / counts["records"]).round(4)
        problems = frame[frame["status"].isin(_PROBLEMS)].copy()
        problems.loc[problems["reason"] == "", "reason"] = problems["status"]
        reasons = (problems.groupby(["source", "field", "reason"]).size()
                   .rename("n").reset_index()
                   .sort_values(["source", "field", "n", "reason"],
                                ascending=[True, True, False, True], kind="mergesort"))
        top = (reasons.groupby(["source", "field"], sort=False)
               .head(self.top)
               .assign(text=lambda r: r["reason"] + ": " + r["n"].astype(str))
               .groupby(["source", "field"], sort=False)["text"].agg("; ".join))
        counts = counts.merge(top.rename("top_reasons").reset_index(),
                              on=["source", "field"], how="left")
        counts["top_reasons"] = counts["top_reasons"].fillna("").astype(object)
        rank = {field: i for i, field in enumerate(self._field_order(frame))}
        counts = counts.assign(_rank=counts["field"].map(rank)).sort_values(
            ["source", "_rank"], kind="mergesort")
        summary: pd.DataFrame = counts[list(SUMMARY_COLUMNS)].reset_index(drop=True)
        for column in ("records", *STATUSES):
            summary[column] = summary[column].astype("int64")
        return summary

    def flags(self, *, include_missing: bool = True) -> pd.DataFrame:
        """The values that are not valid: ``source, record_key, field, status, reason``.

        Sorted by source, record key and field. Missing values are listed only for
        fields the source fills at least once (a field a source never has would flag
        every record; the summary shows it). ``include_missing=False`` keeps only
        invalid and placeholder values.
        """
        table = self._checked()
        status = table["status"]
        keep = status.isin((INVALID, PLACEHOLDER)).to_numpy(dtype=bool, copy=True)
        if include_missing:
            missing = (status == MISSING).to_numpy()
            groups = [table["source"].astype(str), table["field"].astype(str)]
            filled = (~pd.Series(missing, index=table.index)).groupby(groups).transform("any")
            keep |= missing & filled.to_numpy(dtype=bool)
        flags = table.loc[keep, list(LONG_COLUMNS)]
        flags = flags.astype(object)
        rank = {field: i for i, field in enumerate(self._field_order(table))}
        order = pd.DataFrame({
            "source": flags["source"].astype(str), "record_key": flags["record_key"].astype(str),
            "rank": flags["field"].map(rank),
        }).sort_values(["source", "record_key", "rank"], kind="mergesort").index
        result: pd.DataFrame = flags.loc[order].reset_index(drop=True)
        return result

    # -- output ---------------------------------------------------------------------------
    def to_csv(self, directory: str | Path) -> list[Path]:
        """Write ``quality_summary.csv`` and ``quality_flags.csv``; returns their paths."""
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, frame in (("quality_summary", self.summary()),
                            ("quality_flags", self.flags())):
            path = folder / f"{name}.csv"
            frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
            written.append(path)
        logger.info("wrote the quality report to %s", folder)
        return written

    def __str__(self) -> str:
        return self.summary().to_string(index=False)

    def __repr__(self) -> str:
        table = self.table
        size = len(table) if isinstance(table, pd.DataFrame) else 0
        return f"<goldenrec.QualityReport ({size:,} values)>"

    def _repr_html_(self) -> str:
        html: str = self.summary().to_html(index=False)
        return html
