"""The normalise stage: every role column of a mapped frame through its normaliser."""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import re
import time
import zoneinfo
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final, Literal, NamedTuple, TypeVar

import numpy as np
import pandas as pd

from goldenrec._normalise._address import AddressNormaliser
from goldenrec._normalise._base import (
    MISSING,
    PLACEHOLDER,
    VALID,
    Normaliser,
    parallelism,
)
from goldenrec._normalise._company import CompanyNormaliser
from goldenrec._normalise._consent import ConsentNormaliser, PurposeNormaliser
from goldenrec._normalise._dates import DateNormaliser, TimestampNormaliser
from goldenrec._normalise._email import EmailNormaliser
from goldenrec._normalise._names import NameNormaliser, split_full_name
from goldenrec._normalise._phone import PhoneNormaliser
from goldenrec._normalise._simple import (
    CountryNormaliser,
    GenderNormaliser,
    IdentifierNormaliser,
    PostcodeNormaliser,
    TextNormaliser,
)
from goldenrec._processes import check_n_jobs, fork_map, worker_count
from goldenrec._roles import FIELD_KINDS, ROLES, Field, check_fields
from goldenrec._schema import MappedRecords, time_zone
from goldenrec._text_columns import text_column, text_from_codes
from goldenrec.errors import ConfigError

__all__ = [
    "DEFAULT_FREQUENCY",
    "TOO_FREQUENT",
    "FrequencyLimits",
    "NormalisedRecords",
    "RecordNormaliser",
    "default_normaliser",
    "normaliser_for_kind",
]

logger = logging.getLogger(__name__)

_NAME_PARTS = ("first_name", "middle_name", "last_name")
#: Records from which the fields may be normalised side by side in worker processes
#: (see :func:`_side_by_side`).
SIDE_BY_SIDE_MIN_ROWS: Final = 20_000
#: How much longer than an even share of the work the busiest worker may take for the
#: fields to be normalised side by side.
SIDE_BY_SIDE_BALANCE: Final = 1.25
_PROBE_ROWS: Final = 500  # rows normalised to estimate each field's cost
#: Reason code of values marked ``placeholder`` because too many records share them.
TOO_FREQUENT: Final = "too_frequent"
#: Built-in roles checked as identifiers and as dates by :class:`FrequencyLimits`.
_IDENTIFIER_ROLES: Final = ("email", "phone", "national_id")
_DATE_ROLES: Final = ("date_of_birth",)
_IDENTIFIER_KINDS: Final = ("email", "phone", "identifier")
_FIRST_OF_MONTH: Final = re.compile(r"^\d{4}-\d{2}-01$")
#: Frequent 1sts of a month from which they are read as year- or month-only dates.
_PRECISION_SPIKES: Final = 3
# A time of day followed by a UTC offset or zone letter: such timestamps are not local.
_HAS_OFFSET: Final = re.compile(
    r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[zZ]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)\s*$")


_NAME_PART_OF: Final[dict[str, Literal["given", "middle", "family", "full"]]] = {
    "full_name": "full", "first_name": "given", "middle_name": "middle",
    "last_name": "family",
}


def default_normaliser(role: str) -> Normaliser:
    """The normaliser goldenrec uses for a role when none is configured."""
    if role in _NAME_PART_OF:
        return NameNormaliser(part=_NAME_PART_OF[role])
    if role == "company":
        return CompanyNormaliser()
    if role == "street":
        return AddressNormaliser()
    if role == "date_of_birth":
        return DateNormaliser(past_only=True)
    if role in ("updated_at", "consent_at"):
        return TimestampNormaliser()
    if role == "consent":
        return ConsentNormaliser()
    if role == "consent_purpose":
        return PurposeNormaliser()
    if role == "email":
        return EmailNormaliser()
    if role == "phone":
        return PhoneNormaliser()
    if role in ("street_number", "national_id"):
        return IdentifierNormaliser()
    if role == "postcode":
        return PostcodeNormaliser()
    if role == "country":
        return CountryNormaliser()
    if role == "gender":
        return GenderNormaliser()
    if role in ROLES:
        return TextNormaliser()
    raise ConfigError(f"unknown role {role!r}")


def normaliser_for_kind(kind: str) -> Normaliser:
    """The normaliser of a custom field of this kind (see :class:`~goldenrec.Field`).

    >>> normaliser_for_kind("phone")
    PhoneNormaliser()
    """
    makers: dict[str, type[Normaliser]] = {
        "text": TextNormaliser, "name": NameNormaliser, "identifier": IdentifierNormaliser,
        "date": DateNormaliser, "timestamp": TimestampNormaliser, "email": EmailNormaliser,
        "phone": PhoneNormaliser, "postcode": PostcodeNormaliser,
        "country": CountryNormaliser, "gender": GenderNormaliser,
    }
    if kind not in makers:
        raise ConfigError(f"unknown field kind {kind!r}; kinds: {', '.join(FIELD_KINDS)}")
    return makers[kind]()


@dataclass(frozen=True)
class FrequencyLimits:
    """When a value shared by many records stops identifying anyone.

    Such values are marked ``placeholder`` with reason ``too_frequent``, so they never
    block, match or survive. Records count once per distinct person name (first + last
    name, else full name; a record without a valid name counts on its own), so one
    customer with many records does not trip the limits, but many people do.

    - **Identifiers** (``email``, ``phone``, ``national_id`` and custom fields of kind
      ``email``, ``phone`` or ``identifier``): a value held by more than
      ``max_identifier_count`` people.
    - **Dates** (``date_of_birth`` and custom fields of kind ``date``): a date held by
      more than ``max(min_date_count, date_factor × the median number of people per
      distinct date)``: a default like ``1970-01-01`` stands out from real birthdays.
      When three or more such dates are the 1st of a month (``1850-01-01``,
      ``1851-01-01``...), the source writes dates known only to the year or month that
      way: those stay valid.
    - Names, addresses, companies and other text repeat legitimately: never checked.

    ``identifiers`` and ``dates`` name the fields checked instead of the defaults
    (``()`` checks none). Pass ``frequency=None`` to :class:`RecordNormaliser` to switch
    the check off.

    >>> FrequencyLimits().max_identifier_count
    50
    """

    max_identifier_count: int = 50
    date_factor: float = 20.0
    min_date_count: int = 50
    identifiers: tuple[str, ...] | None = None
    dates: tuple[str, ...] | None = None

    def check(self) -> None:
        """Raise :class:`ConfigError` when a limit is not usable."""
        for name in ("max_identifier_count", "min_date_count"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"FrequencyLimits.{name} must be a positive integer")
        factor = self.date_factor
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not (
                math.isfinite(factor) and factor > 0):
            raise ConfigError("FrequencyLimits.date_factor must be a positive number")
        for name in ("identifiers", "dates"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, str) or not all(
                    isinstance(v, str) for v in value)):
                raise ConfigError(f"FrequencyLimits.{name} must be a tuple of field names")

    def identifier_fields(self, fields: Sequence[str], kinds: Mapping[str, str]) -> list[str]:
        if self.identifiers is not None:
            return [f for f in fields if f in self.identifiers]
        return [f for f in fields if f in _IDENTIFIER_ROLES
                or (f not in ROLES and kinds.get(f) in _IDENTIFIER_KINDS)]

    def date_fields(self, fields: Sequence[str], kinds: Mapping[str, str]) -> list[str]:
        if self.dates is not None:
            return [f for f in fields if f in self.dates]
        return [f for f in fields if f in _DATE_ROLES
                or (f not in ROLES and kinds.get(f) == "date")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "max_identifier_count": self.max_identifier_count,
            "date_factor": self.date_factor,
            "min_date_count": self.min_date_count,
            "identifiers": list(self.identifiers) if self.identifiers is not None else None,
            "dates": list(self.dates) if self.dates is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FrequencyLimits:
        identifiers, dates = data.get("identifiers"), data.get("dates")
        return cls(
            max_identifier_count=int(data.get("max_identifier_count", 50)),
            date_factor=float(data.get("date_factor", 20.0)),
            min_date_count=int(data.get("min_date_count", 50)),
            identifiers=tuple(identifiers) if identifiers is not None else None,
            dates=tuple(dates) if dates is not None else None,
        )


#: The limits :class:`RecordNormaliser` uses unless told otherwise.
DEFAULT_FREQUENCY: Final = FrequencyLimits()


@dataclass(frozen=True)
class NormalisedRecords:
    """The output of :meth:`RecordNormaliser.normalise`.

    ``frame`` has ``source``, ``record_key`` and, per role or custom field ``r``: ``r``
    (the normalised display value), ``r_key`` (the match key), ``r_status`` and
    ``r_reason``. ``raw`` is the mapped frame the values came from (original values
    kept). ``roles`` lists the roles present, then the custom fields present.
    """

    frame: pd.DataFrame
    raw: pd.DataFrame
    roles: tuple[str, ...]

    def quality(self) -> pd.DataFrame:
        """One row per record and role: ``source, record_key, field, status, reason``."""
        parts = []
        # each column converted to text once (pandas 3 converts text by text otherwise)
        sources = text_column(self.frame["source"].to_numpy(dtype=object))
        keys = text_column(self.frame["record_key"].to_numpy(dtype=object))
        same = np.zeros(len(self.frame), dtype=np.int64)
        for role in self.roles:
            parts.append(pd.DataFrame({
                "source": sources,
                "record_key": keys,
                "field": text_from_codes(np.array([role], dtype=object), same),
                "status": text_column(self.frame[f"{role}_status"].to_numpy(dtype=object)),
                "reason": text_column(self.frame[f"{role}_reason"].to_numpy(dtype=object)),
            }))
        if not parts:
            empty: pd.DataFrame = pd.DataFrame(
                columns=["source", "record_key", "field", "status", "reason"])
            return empty
        quality: pd.DataFrame = pd.concat(parts, ignore_index=True)
        return quality


class RecordNormaliser:
    """Run each role through its normaliser, with per-source settings as context.

    ``normalisers`` overrides the normaliser of some roles or fields; ``fields`` gives
    the kinds of custom fields (else those the mapped records carry). ``frequency``
    marks values shared by implausibly many records as placeholders
    (:class:`FrequencyLimits`; ``None`` switches this off). ``n_jobs`` caps the worker
    processes used for columns with many distinct values (``None``: every available
    CPU; ``1``: none; see :func:`~goldenrec._normalise._base.parallelism`). After
    :meth:`normalise`, ``timings_`` holds the seconds spent per field and
    ``cpu_timings_`` the CPU seconds (this process and its worker processes).
    """

    def __init__(
        self,
        normalisers: Mapping[str, Normaliser] | None = None,
        *,
        fields: Sequence[Field] | None = None,
        frequency: FrequencyLimits | None = DEFAULT_FREQUENCY,
        n_jobs: int | None = None,
    ) -> None:
        self.normalisers = normalisers
        self.fields = fields
        self.frequency = frequency
        self.n_jobs = n_jobs

    def normaliser_for(self, role: str, kinds: Mapping[str, str] | None = None) -> Normaliser:
        """The configured normaliser of a role or custom field, else its default."""
        if self.normalisers and role in self.normalisers:
            return self.normalisers[role]
        if role in ROLES:
            return default_normaliser(role)
        kind = (kinds or {}).get(role) or next(
            (f.kind for f in self.fields or () if f.name == role), None)
        if kind is None:
            raise ConfigError(f"unknown role {role!r}")
        return normaliser_for_kind(kind)

    def normalise(self, mapped: MappedRecords) -> NormalisedRecords:
        """Normalise and validate every role and custom field of the mapped records."""
        check_n_jobs(self.n_jobs)
        with parallelism(self.n_jobs):
            return self._normalise(mapped)

    def _normalise(self, mapped: MappedRecords) -> NormalisedRecords:
        if self.frequency is not None:
            if not isinstance(self.frequency, FrequencyLimits):
                raise ConfigError("frequency must be a FrequencyLimits or None")
            self.frequency.check()
        kinds = {f.name: f.kind for f in mapped.fields}
        kinds.update({f.name: f.kind for f in check_fields(self.fields)})
        raw = mapped.frame
        roles = list(mapped.roles)
        custom = [r for r in roles if r not in ROLES]
        out: dict[str, pd.Series] = {
            "source": raw["source"], "record_key": raw["record_key"],
        }
        sources = raw["source"].astype(object)
        date_order = sources.map(
            {name: spec.date_order for name, spec in mapped.sources.items()}
        ).astype(object)
        source_region = sources.map(
            {name: spec.phone_region for name, spec in mapped.sources.items()}
        ).astype(object)
        zones = {name: spec.time_zone for name, spec in mapped.sources.items()
                 if spec.time_zone is not None}
        for name, zone in zones.items():
            time_zone(zone, name)
        clock = _Stopwatch()
        results: dict[str, pd.DataFrame] = {}
        if "country" in roles:
            with clock("country"):
                results["country"] = self.normaliser_for("country").normalise(raw["country"])
            country = results["country"]["value"]
            region = country.where(country.notna(), source_region)
        else:
            region = source_region
        pending = [role for role in roles if role not in results]
        normalisers = {role: self.normaliser_for(role, kinds) for role in pending}

        def normalise_role(role: str, rows: slice) -> _Normalised:
            kind = kinds.get(role) if role in custom else None
            phone_like = role == "phone" or kind == "phone"
            dated = (role in ("date_of_birth", "updated_at", "consent_at")
                     or kind in ("date", "timestamp"))
            table = normalisers[role].normalise(
                raw[role].iloc[rows],
                region=region.iloc[rows] if phone_like or role in ("postcode", "street")
                or kind == "postcode" else None,
                date_order=date_order.iloc[rows] if dated else None,
            )
            if zones and (role in ("updated_at", "consent_at") or kind == "timestamp"):
                table = _to_utc(table, raw[role].iloc[rows],
                                sources.iloc[rows].map(zones).astype(object))
            # full names are split where they are normalised (perhaps in a worker)
            parts = self._full_name_parts(table) if role == "full_name" else None
            return _Normalised(table, parts)

        done = _side_by_side(pending, normalise_role, raw, self.n_jobs, clock)
        results.update({role: found.table for role, found in done.items()})
        if "full_name" in roles:
            with clock("full_name"):
                self._fill_from_full_name(results, roles, raw.index,
                                          done["full_name"].parts if "full_name" in done
                                          else None)
        if "street" in results and "house_number" in results["street"].columns:
            with clock("street"):
                self._fill_street_number(results, roles, raw.index)
        ordered = [r for r in ROLES if r in results] + [r for r in custom if r in results]
        if self.frequency is not None:
            with clock("frequency"):
                _mark_too_frequent(results, ordered, kinds, self.frequency)
        for role in ordered:
            table = results[role]
            columns = {role: table["value"], f"{role}_key": table["key"],
                       f"{role}_status": table["status"], f"{role}_reason": table["reason"]}
            columns.update({f"{role}_{extra}": table[extra] for extra in table.columns[4:]})
            for column, values in columns.items():
                if column in out:
                    raise ConfigError(f"normalised column {column!r} would be written twice; "
                                      "rename the custom field that causes it")
                out[column] = values
        frame = pd.DataFrame(out)
        if logger.isEnabledFor(logging.DEBUG):
            for role in ordered:
                counts = frame[f"{role}_status"].value_counts()
                logger.debug("normalised %s in %.2fs: %s", role, clock.wall.get(role, 0.0),
                             counts.to_dict())
        self.timings_ = clock.wall
        self.cpu_timings_ = clock.cpu
        return NormalisedRecords(frame=frame, raw=raw, roles=tuple(ordered))

    def _fill_street_number(
        self, results: dict[str, pd.DataFrame], roles: list[str], index: pd.Index
    ) -> None:
        """A house number written inside the street fills a missing ``street_number``."""
        numbers = results["street"]["house_number"].astype(object)
        derived = self.normaliser_for("street_number").normalise(
            pd.Series(numbers.to_numpy(), index=index, dtype=object))
        derived["reason"] = derived["reason"].where(derived["status"] != VALID,
                                                    "from_street")
        if "street_number" in results:
            current = results["street_number"]
            take = (current["status"] == MISSING) & (derived["status"] == VALID)
            results["street_number"] = _take_rows(current, derived, take)
        elif (derived["status"] == VALID).any():
            results["street_number"] = derived
            roles.append("street_number")

    def _fill_from_full_name(
        self, results: dict[str, pd.DataFrame], roles: list[str], index: pd.Index,
        parts: Mapping[str, pd.DataFrame] | None = None,
    ) -> None:
        """Records with a valid full name and neither a first nor a last name take their
        name parts from the full name. ``parts`` are :meth:`_full_name_parts` of the full
        names, if already split (in a worker process)."""
        full = results["full_name"]
        valid = full["status"] == VALID
        # only records that have no separate name parts take them from the full name
        for role in ("first_name", "last_name"):
            if role in results:
                valid &= results[role]["status"] == MISSING
        if parts is None:
            parts = self._full_name_parts(full)
        take_part = valid.to_numpy()
        for role in _NAME_PARTS:
            # rows that may not take the part get the part of no full name: missing
            nothing = self.normaliser_for(role).normalise(
                pd.Series([None], dtype=object)).iloc[np.zeros(len(index), dtype=np.int64)]
            nothing.index = index
            derived = _take_rows(nothing, parts[role],
                                 pd.Series(take_part, index=index))
            if role in results:
                current = results[role]
                take = (current["status"] == MISSING) & (derived["status"] == VALID)
                results[role] = _take_rows(current, derived, take)
            else:
                results[role] = derived
                roles.append(role)

    def _full_name_parts(self, full: pd.DataFrame) -> dict[str, pd.DataFrame]:
        """Each name part of every valid full name, normalised (reason ``from_full_name``
        where valid); rows without a valid full name have missing parts."""
        values = full["value"].to_numpy(dtype=object).copy()
        values[(full["status"] != VALID).to_numpy()] = None
        # split each distinct full name once; rows without one get code -1 (no parts)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        splits = [split_full_name(value) for value in uniques.tolist()]
        parts = {}
        for position, role in enumerate(_NAME_PARTS):
            column = np.empty(len(splits) + 1, dtype=object)
            column[:-1] = [p[position] for p in splits]
            column[-1] = None
            derived_raw = pd.Series(column[codes], index=full.index, dtype=object)
            derived = self.normaliser_for(role).normalise(derived_raw)
            derived["reason"] = derived["reason"].where(
                derived["status"] != VALID, "from_full_name"
            )
            parts[role] = derived
        return parts


def _take_rows(current: pd.DataFrame, derived: pd.DataFrame,
               take: pd.Series) -> pd.DataFrame:
    """``current.where(~take, derived)``: rows of ``derived`` where ``take``, else of
    ``current``; column by column with numpy when both are object tables alike."""
    alike = (list(current.columns) == list(derived.columns)
             and current.index.equals(derived.index) and current.index.equals(take.index)
             and all(dtype == np.dtype(object) for dtype in current.dtypes)
             and all(dtype == np.dtype(object) for dtype in derived.dtypes))
    if not alike:
        mixed: pd.DataFrame = current.where(~take, derived)
        return mixed
    rows = take.to_numpy(dtype=bool)
    data: dict[Any, np.ndarray] = {}
    for column in current.columns:
        values = current[column].to_numpy(dtype=object).copy()
        values[rows] = derived[column].to_numpy(dtype=object)[rows]
        data[column] = values
    taken: pd.DataFrame = pd.DataFrame(data, index=current.index, columns=current.columns,
                                       dtype=object)
    return taken


class _Stopwatch:
    """Wall and CPU seconds per name; CPU counts this process and finished children."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @staticmethod
    def _cpu() -> float:
        times = os.times()
        return times.user + times.system + times.children_user + times.children_system

    def add(self, name: str, wall: float, cpu: float) -> None:
        """Seconds measured elsewhere (in a worker process) for ``name``."""
        self.wall[name] = self.wall.get(name, 0.0) + wall
        self.cpu[name] = self.cpu.get(name, 0.0) + cpu

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), self._cpu()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - wall, self._cpu() - cpu)


# -- fields side by side -----------------------------------------------------------------
_T = TypeVar("_T")


class _Normalised(NamedTuple):
    """A role's normalised table, and for a full name its name parts (else ``None``)."""

    table: pd.DataFrame
    parts: dict[str, pd.DataFrame] | None


def _side_by_side(roles: Sequence[str], work: Callable[[str, slice], _T],
                  raw: pd.DataFrame, n_jobs: int | None, clock: _Stopwatch
                  ) -> dict[str, _T]:
    """``work(role, rows)`` for each role, all rows. From :data:`SIDE_BY_SIDE_MIN_ROWS`
    records, the roles are normalised whole, side by side in forked worker processes
    (each in one), when their estimated costs share out evenly enough over the workers
    (:data:`SIDE_BY_SIDE_BALANCE`). Otherwise each column in turn has its distinct values
    spread over the workers when it has many (see :meth:`Normaliser.normalise`). The
    tables are the same either way."""
    workers = worker_count(n_jobs) if len(raw) >= SIDE_BY_SIDE_MIN_ROWS else 1
    order: list[str] = []
    if workers > 1 and len(roles) > 1:
        # the costliest columns first, so that the workers finish at about the same time
        costs = {role: _probed_cost(role, work, raw) for role in roles}
        order = sorted(roles, key=lambda role: -costs[role])
        loads = [0.0] * workers
        for role in order:
            loads[loads.index(min(loads))] += costs[role]
        if max(loads) > SIDE_BY_SIDE_BALANCE * sum(loads) / workers:
            order = []  # one column dominates: spread its values instead
    if order:

        def task(i: int) -> tuple[_T, float, float]:
            with parallelism(1):
                wall, cpu = time.perf_counter(), time.process_time()
                table = work(order[i], slice(None))
                return table, time.perf_counter() - wall, time.process_time() - cpu

        try:
            found = fork_map(task, len(order), workers)
        except Exception as error:  # a broken pool must not stop a run
            logger.warning("worker processes failed (%s); normalising fields one by one",
                           type(error).__name__)
        else:
            tables = {}
            for role, (table, wall, cpu) in zip(order, found):
                clock.add(role, wall, cpu)
                tables[role] = table
            return {role: tables[role] for role in roles}
    out = {}
    for role in roles:
        with clock(role):
            out[role] = work(role, slice(None))
    return out


def _probed_cost(role: str, work: Callable[[str, slice], object],
                 raw: pd.DataFrame) -> float:
    """A rough cost of normalising a role: the seconds its first rows take, scaled by
    the values it has (an upper bound of its distinct values)."""
    with parallelism(1):
        started = time.perf_counter()
        work(role, slice(0, _PROBE_ROWS))
        seconds = time.perf_counter() - started
    return seconds * int(raw[role].notna().sum()) / max(1, min(len(raw), _PROBE_ROWS))


# -- time zones ---------------------------------------------------------------------------
def _to_utc(table: pd.DataFrame, raw: pd.Series, zones: pd.Series) -> pd.DataFrame:
    """Valid timestamps written without an offset, read in their source's zone, as UTC."""
    rows = (table["status"] == VALID).to_numpy() & zones.notna().to_numpy()
    if not rows.any():
        return table
    picked = pd.DataFrame({
        "raw": raw.astype(object).to_numpy()[rows],
        "value": table["value"].to_numpy(dtype=object)[rows],
        "zone": zones.to_numpy(dtype=object)[rows],
    })
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(picked))
    converted = np.array([_local_to_utc(*unique) for unique in uniques], dtype=object)[codes]
    table = table.copy()
    value = table["value"].to_numpy(dtype=object).copy()
    key = table["key"].to_numpy(dtype=object).copy()
    same_key = key[rows] == value[rows]
    value[rows] = converted
    key[rows] = np.where(same_key, converted, key[rows])
    table["value"] = pd.Series(value, index=table.index, dtype=object)
    table["key"] = pd.Series(key, index=table.index, dtype=object)
    return table


def _local_to_utc(raw: object, value: object, zone: str) -> object:
    if not isinstance(value, str) or (isinstance(raw, str) and _HAS_OFFSET.search(raw)):
        return value
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if stamp.tzinfo is not None:
        return value
    local = stamp.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat()


# -- frequency placeholders ---------------------------------------------------------------
def _valid_codes(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row a code of its valid match key (``-1`` if not valid), and the keys."""
    keys = table["key"].to_numpy(dtype=object).copy()
    keys[(table["status"] != VALID).to_numpy()] = None
    codes, uniques = pd.factorize(keys, use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _people(results: Mapping[str, pd.DataFrame], n: int) -> np.ndarray:
    """A code per record for "who": its valid first + last name, else its full name.

    Records without a valid name get a code of their own (negative), so they count
    one each.
    """
    codes = np.zeros(n, dtype=np.int64)
    named = np.zeros(n, dtype=bool)
    for role in ("first_name", "last_name"):
        if role in results:
            part, keys = _valid_codes(results[role])
            named |= part >= 0
            codes, _ = pd.factorize(codes * (len(keys) + 1) + part + 1)
            codes = codes.astype(np.int64)
    if "full_name" in results:
        full, _ = _valid_codes(results["full_name"])
        use_full = ~named & (full >= 0)
        offset = int(codes.max()) + 1 if n else 0
        codes[use_full] = offset + full[use_full]
        named |= use_full
    alone = -np.arange(1, n + 1, dtype=np.int64)
    codes[~named] = alone[~named]
    return codes


def _holders(table: pd.DataFrame,
             people: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row the code of its valid key (or -1), the keys, and per key its people."""
    codes, keys = _valid_codes(table)
    valid = codes >= 0
    if not len(keys):
        return codes, keys, np.zeros(0, dtype=np.int64)
    pairs = pd.DataFrame({"k": codes[valid], "p": people[valid]}).drop_duplicates()
    counts = np.bincount(pairs["k"].to_numpy(), minlength=len(keys))
    return codes, keys, counts


def _first_of_month_pattern(keys: np.ndarray, frequent: np.ndarray) -> np.ndarray:
    """Frequent dates that are the 1st of a month, when at least 3 of them are.

    Such spikes are dates known to the year or month only (``1862`` written as
    ``1862-01-01``), not defaults: they still say something about a person.
    """
    first = np.array([isinstance(k, str) and bool(_FIRST_OF_MONTH.match(k)) for k in keys],
                     dtype=bool)
    if int((first & frequent).sum()) >= _PRECISION_SPIKES:
        return first
    return np.zeros(len(keys), dtype=bool)


def _mark_too_frequent(results: dict[str, pd.DataFrame], fields: Sequence[str],
                       kinds: Mapping[str, str], limits: FrequencyLimits) -> None:
    identifiers = limits.identifier_fields(fields, kinds)
    dates = limits.date_fields(fields, kinds)
    if not identifiers and not dates:
        return
    n = len(next(iter(results.values())))
    people = _people(results, n)
    for field in [*identifiers, *dates]:
        codes, keys, counts = _holders(results[field], people)
        if not len(counts):
            continue
        if field in identifiers:
            limit = float(limits.max_identifier_count)
        else:
            limit = max(float(limits.min_date_count),
                        limits.date_factor * float(np.median(counts)))
        frequent = counts > limit
        if field not in identifiers:
            frequent &= ~_first_of_month_pattern(keys, frequent)
        if not frequent.any():
            continue
        rows = (codes >= 0) & frequent[np.maximum(codes, 0)]
        table = results[field].copy()
        updates = {"value": None, "key": None, "status": PLACEHOLDER, "reason": TOO_FREQUENT}
        updates.update({extra: None for extra in table.columns[4:]})
        for column, value in updates.items():
            data = table[column].to_numpy(dtype=object).copy()
            data[rows] = value
            table[column] = pd.Series(data, index=table.index, dtype=object)
        results[field] = table
        logger.info("%s: %d value(s) held by more than %d people marked as placeholders "
                    "(%d records)", field, int(frequent.sum()), int(limit), int(rows.sum()))
