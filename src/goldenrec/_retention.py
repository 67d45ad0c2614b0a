"""Retention: how long each source's records are kept, applied through ``forget``.

A :class:`RetentionPolicy` gives some sources a period (``"730d"``, ``"2y"``,
``"18m"``, ``"6w"`` or a :class:`~datetime.timedelta`). A record expires that period
after its last update: its valid ``updated_at`` if it has one, else the time the store
last received a new or changed version of it. Sources without a period are kept.
:func:`retain` erases expired records with :meth:`GoldenStore.forget`, or with
``dry_run`` only lists them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from goldenrec._normalise._base import VALID
from goldenrec._store._received import received_times, utc_now
from goldenrec.errors import ConfigError

if TYPE_CHECKING:
    from goldenrec._store._store import Changes, GoldenStore

__all__ = ["EXPIRED_COLUMNS", "Period", "RetentionPolicy", "RetentionReport", "retain"]

logger = logging.getLogger(__name__)

#: Columns of :attr:`RetentionReport.expired`.
EXPIRED_COLUMNS: Final = ("source", "record_key", "last_update", "basis", "expires_at")
_PERIOD: Final = re.compile(r"^\s*(\d{1,6})\s*([dwmy])\s*$", re.IGNORECASE)
_FORMAT: Final = "goldenrec.retention"


@dataclass(frozen=True)
class Period:
    """A number of days, weeks, months or years (``unit``: ``d``, ``w``, ``m``, ``y``).

    Months and years are calendar ones: ``2y`` after 29 February is 28 February.

    >>> Period.parse("2y").after(dt.datetime(2024, 2, 29))
    datetime.datetime(2026, 2, 28, 0, 0)
    """

    amount: int
    unit: str = "d"

    @classmethod
    def parse(cls, value: str | dt.timedelta | Period) -> Period:
        if isinstance(value, Period):
            return value
        if isinstance(value, dt.timedelta):
            if value.total_seconds() <= 0 or value % dt.timedelta(days=1):
                raise ConfigError("a retention period must be a positive number of days")
            return cls(value.days, "d")
        match = _PERIOD.match(value) if isinstance(value, str) else None
        if match is None or int(match.group(1)) <= 0:
            raise ConfigError("a retention period is a positive number and a unit, e.g. "
                              "'730d', '104w', '24m' or '2y'")
        return cls(int(match.group(1)), match.group(2).lower())

    def after(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` plus this period."""
        if self.unit in ("d", "w"):
            try:
                return moment + dt.timedelta(days=self.amount * (7 if self.unit == "w"
                                                                 else 1))
            except OverflowError:
                return dt.datetime.max
        months = moment.month - 1 + self.amount * (12 if self.unit == "y" else 1)
        year, month = moment.year + months // 12, months % 12 + 1
        if year > dt.MAXYEAR:
            return dt.datetime.max
        day = min(moment.day, calendar.monthrange(year, month)[1])
        return moment.replace(year=year, month=month, day=day)

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


class RetentionPolicy:
    """Per source, how long records are kept after their last update.

    >>> policy = RetentionPolicy({"support": "2y", "web": dt.timedelta(days=90)})
    >>> policy.to_dict()["periods"]
    {'support': '2y', 'web': '90d'}
    """

    def __init__(self, periods: Mapping[str, str | dt.timedelta | Period]) -> None:
        if not isinstance(periods, Mapping):
            raise ConfigError("a retention policy maps source names to periods")
        checked: dict[str, Period] = {}
        for source, value in periods.items():
            if not isinstance(source, str) or not source:
                raise ConfigError("a retention policy names sources by non-empty names")
            try:
                checked[source] = Period.parse(value)
            except ConfigError as error:
                raise ConfigError(f"retention period of source {source!r}: {error}"
                                  ) from None
        self.periods = dict(sorted(checked.items()))

    def period_for(self, source: str) -> Period | None:
        return self.periods.get(source)

    def to_dict(self) -> dict[str, Any]:
        return {"format": _FORMAT, "periods": {s: str(p) for s, p in self.periods.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RetentionPolicy:
        if not isinstance(data, Mapping) or data.get("format") != _FORMAT:
            raise ConfigError("not a retention policy")
        return cls(dict(data.get("periods") or {}))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RetentionPolicy:
        try:
            data = json.loads(text)
        except ValueError:
            raise ConfigError("not a retention policy") from None
        return cls.from_dict(data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RetentionPolicy) and self.periods == other.periods

    def __hash__(self) -> int:
        return hash(tuple(self.periods.items()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{s!r}: {str(p)!r}" for s, p in self.periods.items())
        return f"RetentionPolicy({{{inner}}})"


@dataclass(frozen=True)
class RetentionReport:
    """What :func:`retain` found (and, unless ``dry_run``, erased).

    ``expired`` lists the expired records (:data:`EXPIRED_COLUMNS`; ``basis`` is
    ``updated_at`` or ``received``); ``undated`` counts records under a period whose
    last update is unknown (kept); ``unknown_sources`` are sources the policy names
    that hold no record (a misspelt name keeps everything); ``changes`` are the
    store's changes (``None`` on a dry run or when nothing expired).
    """

    expired: pd.DataFrame
    as_of: dt.datetime
    dry_run: bool
    policy: RetentionPolicy
    undated: int = 0
    unknown_sources: tuple[str, ...] = ()
    changes: Changes | None = field(default=None, repr=False)

    @property
    def records(self) -> list[tuple[str, str]]:
        return list(zip(self.expired["source"], self.expired["record_key"]))


def _moment(value: str | dt.datetime | None) -> dt.datetime:
    """A naive UTC datetime (``None``: now)."""
    if value is None:
        return utc_now()
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ConfigError("as_of must be an ISO date or timestamp") from None
    if not isinstance(value, dt.datetime):
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        raise ConfigError("as_of must be a datetime or an ISO timestamp")
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _parse_stored(text: object) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return _moment(text)
    except ConfigError:
        return None


def expired_records(store: GoldenStore, policy: RetentionPolicy, as_of: dt.datetime
                    ) -> tuple[pd.DataFrame, int]:
    """The expired records of the store (sorted) and how many records are undated."""
    records = store.records()
    received = received_times(store._db)
    rows: list[dict[str, Any]] = []
    undated = 0
    if len(records):
        has_updated = "updated_at" in records.columns
        for row in records.to_dict("records"):
            source, key = str(row["source"]), str(row["record_key"])
            period = policy.period_for(source)
            if period is None:
                continue
            last, basis = None, "updated_at"
            if has_updated and row.get("updated_at_status", VALID) == VALID:
                last = _parse_stored(row.get("updated_at"))
            if last is None:
                last, basis = _parse_stored(received.get((source, key))), "received"
            if last is None:
                undated += 1
                continue
            expires = period.after(last)
            if expires <= as_of:
                rows.append({"source": source, "record_key": key,
                             "last_update": last.isoformat(), "basis": basis,
                             "expires_at": expires.isoformat()})
    frame = pd.DataFrame(rows, columns=list(EXPIRED_COLUMNS))
    frame = frame.sort_values(["source", "record_key"], kind="mergesort").reset_index(
        drop=True)
    return frame, undated


def retain(store: GoldenStore, policy: RetentionPolicy | None = None, *,
           as_of: str | dt.datetime | None = None, dry_run: bool = False
           ) -> RetentionReport:
    """Erase (or with ``dry_run`` only list) the records whose period has passed.

    ``policy`` defaults to the one stored with :meth:`GoldenStore.set_retention`;
    ``as_of`` (default: now, UTC) is the moment expiry is judged at.
    """
    if policy is None:
        policy = store.retention_policy()
    if policy is None:
        raise ConfigError("no retention policy given, and the store holds none")
    if not isinstance(policy, RetentionPolicy):
        raise ConfigError("policy must be a RetentionPolicy")
    moment = _moment(as_of)
    expired, undated = expired_records(store, policy, moment)
    present = set(store.xref()["source"].astype(str))
    unknown = tuple(s for s in policy.periods if s not in present)
    if unknown:
        logger.warning("the retention policy names %d source(s) with no records: %s",
                       len(unknown), ", ".join(unknown))
    changes = None
    if not dry_run and len(expired):
        changes = store.forget(list(zip(expired["source"], expired["record_key"])))
    return RetentionReport(expired, moment, dry_run, policy, undated, unknown, changes)
