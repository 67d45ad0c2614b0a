"""Consent per purpose: the golden record's latest decision, and exports that honour it.

Each source record may carry one consent decision: ``consent`` (``granted`` or
``withdrawn``), ``consent_at`` (when) and ``consent_purpose`` (what for; missing means
the general purpose, which covers every purpose). Survivorship gives the golden record,
per purpose ``p`` seen in the data, ``consent_<p>`` and ``consent_<p>_at``: the most
recent decision that applies to ``p`` (one for ``p`` itself or a general one).
Decisions made at the same time resolve to a withdrawal, then the most trusted source,
then the record key. A decision's time is its ``consent_at``, else the record's
``updated_at``.

Exports for a purpose keep only customers whose decision for it is ``granted``; a
customer without any decision for it is left out: consent must be explicit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final

import numpy as np
import pandas as pd

from goldenrec._normalise._base import MISSING, PLACEHOLDER, VALID
from goldenrec._normalise._consent import GENERAL, GRANTED, WITHDRAWN, purpose_key
from goldenrec._survivorship_rules import (
    Candidates,
    FieldGroup,
    MostRecent,
    SourceTrust,
    SurvivorshipRule,
)
from goldenrec.errors import ConfigError, InputError

if TYPE_CHECKING:
    from goldenrec._result import Result

__all__ = [
    "CONSENT_ROLES",
    "ConsentPlan",
    "MostRecentConsent",
    "WithdrawalFirst",
    "consent_column",
    "consenting",
    "golden_fields",
    "plan_consent",
    "result_for_purpose",
]

#: The roles that carry a consent decision (they become ``consent_<purpose>`` columns).
CONSENT_ROLES: Final = ("consent", "consent_at", "consent_purpose")


@dataclass(frozen=True, repr=False)
class WithdrawalFirst(SurvivorshipRule):
    """Of decisions that tie, a withdrawal wins (when in doubt, do not contact)."""

    kind: ClassVar[str] = "withdrawal_first"

    def score(self, candidates: Candidates) -> np.ndarray:
        values = candidates.frame["value"].tolist()
        status = [v[0] if isinstance(v, tuple) else v for v in values]
        return np.array([1.0 if s == WITHDRAWN else 0.0 for s in status], dtype=np.float64)


@dataclass(frozen=True, repr=False)
class MostRecentConsent(MostRecent):
    """The most recent consent decision (by its ``consent_at``, else ``updated_at``);
    ties go to a withdrawal, then the most trusted source, then the record key."""

    kind: ClassVar[str] = "most_recent_consent"
    default_then: ClassVar[tuple[SurvivorshipRule, ...] | None] = (
        WithdrawalFirst(), SourceTrust())


@dataclass(frozen=True, eq=False)
class ConsentPlan:
    """How consent survives in one run.

    ``records`` are the records with a ``consent_<p>`` and ``consent_<p>_at`` column
    (and their ``_key``/``_status``) per purpose; ``fields`` the golden fields with the
    consent roles replaced by those columns; ``groups`` one field group per purpose;
    ``recency`` per consent column the decision times (seconds since 1970).
    """

    records: pd.DataFrame
    fields: list[str]
    groups: tuple[FieldGroup, ...] = ()
    recency: dict[str, np.ndarray] | None = None

    @property
    def consent_fields(self) -> frozenset[str]:
        return frozenset(f for g in self.groups for f in g.fields)


def consent_column(purpose: str | None = None) -> str:
    """The golden column holding the decision for ``purpose`` (``None``: general).

    >>> consent_column("Marketing"), consent_column()
    ('consent_marketing', 'consent_general')
    """
    key = purpose_key(purpose)
    if key is None or ";" in key:
        raise ConfigError("a consent purpose needs letters or digits (one purpose)")
    return f"consent_{key}"


def consenting(golden: pd.DataFrame, purpose: str | None = None) -> pd.Series:
    """Per golden record, whether its decision for ``purpose`` is ``granted``.

    The purpose's own column holds decisions for it and general ones; a purpose no
    record names falls back to the general decision; no decision at all is ``False``.
    """
    column = consent_column(purpose)
    general = consent_column(None)
    if column not in golden.columns:
        column = general
    values = (golden[column].to_numpy(dtype=object) if column in golden.columns
              else np.full(len(golden), None, dtype=object))
    granted: pd.Series = pd.Series(values == GRANTED, index=golden.index, dtype=bool)
    return granted


def result_for_purpose(result: Result, purpose: str | None = None) -> Result:
    """``result`` cut down to the customers who consented to ``purpose``: golden
    records, their records and every table about them; the survivorship state (which
    holds every record) is left out, so ``explain_value`` is not available."""
    golden: pd.DataFrame = result.golden[consenting(result.golden, purpose).to_numpy()
                                         ].reset_index(drop=True)
    ids = set(golden["golden_id"])

    def by_golden(frame: pd.DataFrame) -> pd.DataFrame:
        if "golden_id" not in frame.columns:
            return frame
        kept: pd.DataFrame = frame[frame["golden_id"].isin(ids).to_numpy()
                                   ].reset_index(drop=True)
        return kept

    xref = by_golden(result.xref)
    members = pd.MultiIndex.from_frame(xref[["source", "record_key"]].astype(str))

    def by_record(frame: pd.DataFrame, suffix: str = "") -> np.ndarray:
        columns = [f"source{suffix}", f"record_key{suffix}"]
        if not set(columns) <= set(frame.columns):
            return np.ones(len(frame), dtype=bool)
        return np.asarray(pd.MultiIndex.from_frame(frame[columns].astype(str)).isin(
            members), dtype=bool)

    keep = by_record(result.records)
    records = result.records[keep].reset_index(drop=True)
    pairs = result.pairs[by_record(result.pairs, "_l") & by_record(result.pairs, "_r")]
    if {"row_l", "row_r"} <= set(pairs.columns):  # positions in the kept records
        position = np.cumsum(keep) - 1
        pairs = pairs.assign(row_l=position[pairs["row_l"].to_numpy(dtype=np.int64)],
                             row_r=position[pairs["row_r"].to_numpy(dtype=np.int64)])
    quality = result.quality[by_record(result.quality)].reset_index(drop=True)
    return dataclasses.replace(
        result, golden=golden, xref=xref, lineage=by_golden(result.lineage),
        pairs=pairs.reset_index(drop=True), quality=quality, records=records,
        conflicts=by_golden(result.conflicts), confidence=by_golden(result.confidence),
        survivorship=None)


def golden_fields(fields: Sequence[str], *rows: Mapping[str, Any]) -> list[str]:
    """``fields`` with the consent roles replaced by the consent columns of ``rows``
    (golden records as mappings), e.g. to report what changed in a golden record.

    >>> golden_fields(["email", "consent"], {"email": "a", "consent_sms": "granted"})
    ['email', 'consent_sms']
    """
    out = [f for f in fields if f not in CONSENT_ROLES]
    if "consent" in fields:
        names = {str(k) for row in rows for k in row if str(k).startswith("consent_")}
        out += sorted(n for n in names if n not in out)
    return out


def plan_consent(records: pd.DataFrame, fields: Sequence[str]) -> ConsentPlan:
    """Replace the consent roles among ``fields`` by one column pair per purpose."""
    others = [f for f in fields if f not in CONSENT_ROLES]
    if "consent" not in fields or "consent" not in records.columns:
        return ConsentPlan(records, others)
    status = _valid(records, "consent")
    moment = _valid(records, "consent_at")
    fallback = _valid(records, "updated_at")
    moment[pd.isna(moment)] = fallback[pd.isna(moment)]
    purposes = _purposes(records)
    decided: np.ndarray = np.asarray(pd.notna(status), dtype=bool) & np.array(
        [p is not None for p in purposes], dtype=bool)
    timed: np.ndarray = np.asarray(pd.notna(moment), dtype=bool)
    seen = sorted({name for names_of, ok in zip(purposes, decided) if ok and names_of
                   for name in names_of})
    names = [GENERAL, *(p for p in seen if p != GENERAL)] if GENERAL in seen else seen
    seconds = _seconds(moment)
    general = np.array([p == (GENERAL,) for p in purposes], dtype=bool)
    columns: dict[str, pd.Series] = {}
    groups: list[FieldGroup] = []
    recency: dict[str, np.ndarray] = {}
    for purpose in names:
        value_name, time_name = f"consent_{purpose}", f"consent_{purpose}_at"
        for name in (value_name, time_name):
            if name in columns or name in others or name in records.columns:
                raise InputError("a consent purpose gives a golden column that already "
                                 "exists; rename the purpose or the field", column=name)
        named = np.array([p is not None and purpose in p for p in purposes], dtype=bool)
        applies: np.ndarray = decided & (general | named)
        value = status.copy()
        value[~applies] = None
        stamp = moment.copy()
        stamp[~(applies & timed)] = None
        for name, data in ((value_name, value), (time_name, stamp)):
            present = pd.notna(data)
            columns[name] = pd.Series(data, index=records.index, dtype=object)
            columns[f"{name}_key"] = columns[name]
            columns[f"{name}_status"] = pd.Series(
                np.where(present, VALID, MISSING), index=records.index, dtype=object)
            recency[name] = np.where(applies, seconds, np.nan)
        groups.append(FieldGroup(value_name, (value_name, time_name), MostRecentConsent()))
    expanded = records.assign(**columns)
    fields_out = [*others, *(f for g in groups for f in g.fields)]
    return ConsentPlan(expanded, fields_out, tuple(groups), recency)


# -- helpers -----------------------------------------------------------------------------
def _valid(records: pd.DataFrame, field: str) -> np.ndarray:
    """The field's values where valid, else ``None`` (all ``None`` if absent)."""
    if field not in records.columns:
        return np.full(len(records), None, dtype=object)
    values: np.ndarray = records[field].to_numpy(dtype=object).copy()
    status = f"{field}_status"
    if status in records.columns:
        values[(records[status] != VALID).to_numpy()] = None
    return values


def _purposes(records: pd.DataFrame) -> list[tuple[str, ...] | None]:
    """Per record its purposes (``("general",)`` when none is given), or ``None`` when
    the purpose is unreadable (the decision then applies to nothing)."""
    if "consent_purpose" not in records.columns:
        return [(GENERAL,)] * len(records)
    values = records["consent_purpose"].to_numpy(dtype=object)
    status = (records["consent_purpose_status"].to_numpy(dtype=object)
              if "consent_purpose_status" in records.columns
              else np.full(len(records), VALID, dtype=object))
    out: list[tuple[str, ...] | None] = []
    for value, state in zip(values, status):
        if state in (MISSING, PLACEHOLDER) or (state == VALID and not isinstance(value, str)):
            out.append((GENERAL,))
        elif state == VALID:
            out.append(tuple(str(value).split(";")))
        else:
            out.append(None)
    return out


def _seconds(values: np.ndarray) -> np.ndarray:
    stamps = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce", utc=True,
                            format="ISO8601")
    seconds = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    result: np.ndarray = seconds.to_numpy(dtype=np.float64, na_value=np.nan)
    return result
