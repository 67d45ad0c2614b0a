"""Schema mapping: source frames in, one frame in the canonical schema out."""

from __future__ import annotations

import dataclasses
import logging
import math
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real
from typing import Any, Literal

import numpy as np
import pandas as pd

from goldenrec._roles import (
    KEY_COLUMN_NAMES,
    RESERVED_COLUMNS,
    ROLES,
    Field,
    canonical_column_name,
    check_fields,
    infer_role,
)
from goldenrec.errors import ConfigError, InputError

__all__ = ["DateOrder", "MappedRecords", "SchemaMapper", "Source", "as_text", "time_zone"]

logger = logging.getLogger(__name__)

DateOrder = Literal["DMY", "MDY", "YMD"]
_DATE_ORDERS = ("DMY", "MDY", "YMD")


@dataclass(frozen=True)
class Source:
    """How to read one source.

    ``key`` is the record-key column (inferred from common names when ``None``),
    ``roles`` maps column names to canonical roles (inferred from the column names when
    ``None``; columns not named there are inferred too unless ``infer=False``),
    ``phone_region`` is the ISO country code for phone numbers written without one,
    ``date_order`` says how ``03/04/2001``-style dates are read in this source,
    ``time_zone`` (an IANA name such as ``"Europe/Riga"``) is the zone of timestamps
    written without an offset (they become UTC), and ``trust`` (0 to 1) is how far this
    source is trusted, kept for survivorship. ``roles`` may also name custom fields.

    >>> Source("crm", key="id", roles={"fname": "first_name"}, date_order="DMY").name
    'crm'
    """

    name: str
    key: str | None = None
    roles: Mapping[str, str] | None = None
    infer: bool = True
    phone_region: str | None = None
    date_order: DateOrder | None = None
    time_zone: str | None = None
    trust: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "key": self.key,
            "roles": dict(self.roles) if self.roles is not None else None,
            "infer": self.infer,
            "phone_region": self.phone_region,
            "date_order": self.date_order,
            "time_zone": self.time_zone,
            "trust": self.trust,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Source:
        return cls(
            name=str(data["name"]),
            key=data.get("key"),
            roles=data.get("roles"),
            infer=bool(data.get("infer", True)),
            phone_region=data.get("phone_region"),
            date_order=data.get("date_order"),
            time_zone=data.get("time_zone"),
            trust=float(data.get("trust", 1.0)),
        )


@dataclass(frozen=True)
class MappedRecords:
    """The output of :meth:`SchemaMapper.map`.

    ``frame`` has ``source``, ``record_key``, one column per role present (text, missing
    as ``None``) and the pass-through columns; rows are sorted by ``(source,
    record_key)``. ``mapping`` lists, per source column, the role it was given and how
    (``given``, ``inferred``, ``key`` or ``passthrough``). ``fields`` are the custom
    fields the mapper knew; those present have a column like a role.
    """

    frame: pd.DataFrame
    mapping: pd.DataFrame
    sources: dict[str, Source] = field(default_factory=dict)
    fields: tuple[Field, ...] = ()

    @property
    def roles(self) -> list[str]:
        """Roles present, in canonical order, then custom fields present, as declared."""
        present = [role for role in ROLES if role in self.frame.columns]
        return present + [f.name for f in self.fields if f.name in self.frame.columns]


def as_text(values: pd.Series) -> pd.Series:
    """Values as ``str`` objects, missing as ``None``; integral floats lose their ``.0``."""
    result = values.astype(object)
    mask = pd.isna(result).to_numpy()
    array = result.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(array, skipna=True) in ("string", "empty"):
        # fast path: only strings and missing values (CSV input, string columns)
        array = array.copy()
        array[mask] = None
        text: pd.Series = pd.Series(array, index=values.index, dtype=object)
        return text

    def one(value: object) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            return str(int(value))
        if isinstance(value, bytes):
            return value.decode("utf-8", errors="replace")
        return str(value)

    out = [None if missing else one(value) for value, missing in zip(result, mask)]
    return pd.Series(out, index=values.index, dtype=object)


class SchemaMapper:
    """Map one frame per source (or one frame with a source column) to canonical roles.

    ``fields`` declares custom fields (:class:`Field`): columns named like one of a
    field's synonyms in any source become that one field.

    >>> import pandas as pd
    >>> crm = pd.DataFrame({"id": ["1"], "given_name": ["Ann"], "surname": ["Lee"]})
    >>> SchemaMapper().map({"crm": crm}).frame.columns.tolist()
    ['source', 'record_key', 'first_name', 'last_name']
    >>> shop = pd.DataFrame({"id": ["1"], "Business Type": ["Retail"]})
    >>> mapper = SchemaMapper(fields=[Field("industry", synonyms=("business_type",))])
    >>> mapper.map({"shop": shop}).frame.columns.tolist()
    ['source', 'record_key', 'industry']
    """

    def __init__(
        self,
        sources: Sequence[Source] | None = None,
        *,
        source_column: str | None = None,
        key: str | None = None,
        fields: Sequence[Field] | None = None,
    ) -> None:
        self.sources = sources
        self.source_column = source_column
        self.key = key
        self.fields = fields

    # -- public -----------------------------------------------------------------
    def map(self, data: pd.DataFrame | Mapping[str, pd.DataFrame]) -> MappedRecords:
        fields = check_fields(self.fields)
        frames = self._split(data)
        specs: dict[str, Source] = {}
        for spec in self.sources or ():
            if not isinstance(spec, Source):
                raise ConfigError(f"sources must be Source specs, not {type(spec).__name__}")
            if spec.name in specs:
                raise ConfigError(f"source {spec.name!r} is configured more than once")
            specs[spec.name] = spec
        for spec in specs.values():
            _check_source_spec(spec)
        field_of = {column: f.name for f in fields for column in f.column_names()}
        parts: list[pd.DataFrame] = []
        mapping_rows: list[dict[str, str]] = []
        used_specs: dict[str, Source] = {}
        for name in sorted(frames):
            spec = specs.get(name) or Source(name, key=self.key)
            if spec.key is None and self.key is not None:
                spec = dataclasses.replace(spec, key=self.key)
            part, rows = self._map_one(spec, frames[name], field_of)
            parts.append(part)
            mapping_rows.extend(rows)
            used_specs[name] = spec
        unknown = sorted(set(specs) - set(frames))
        if unknown:
            raise ConfigError(f"sources configured but not in the data: {unknown}")
        frame = pd.concat(parts, ignore_index=True, sort=False) if parts else pd.DataFrame(
            {"source": [], "record_key": []})
        role_cols = [role for role in ROLES if role in frame.columns]
        role_cols += [f.name for f in fields if f.name in frame.columns]
        other = [c for c in frame.columns if c not in (*RESERVED_COLUMNS, *role_cols)]
        frame = frame[[*RESERVED_COLUMNS, *role_cols, *other]]
        frame = frame.sort_values(["source", "record_key"], kind="mergesort").reset_index(
            drop=True)
        mapping = pd.DataFrame(mapping_rows, columns=["source", "column", "role", "how"])
        inferred = mapping[mapping["how"] == "inferred"]
        if len(inferred):
            logger.info("inferred %d column roles from column names", len(inferred))
        return MappedRecords(frame=frame, mapping=mapping, sources=used_specs, fields=fields)

    # -- helpers ----------------------------------------------------------------
    def _split(self, data: pd.DataFrame | Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        if isinstance(data, pd.DataFrame):
            if self.source_column is None:
                names = [s.name for s in self.sources or ()]
                return {names[0] if len(names) == 1 else "records": data}
            if self.source_column not in data.columns:
                raise InputError("source column not found", column=self.source_column)
            sources = data[self.source_column]
            if sources.isna().any():
                row = int(np.flatnonzero(sources.isna().to_numpy())[0])
                raise InputError(f"missing source name in row {row}", column=self.source_column)
            return {
                str(name): group.drop(columns=[self.source_column])
                for name, group in data.groupby(sources.astype(str), sort=True)
            }
        if isinstance(data, Mapping):
            out: dict[str, pd.DataFrame] = {}
            for name, frame in data.items():
                if not isinstance(frame, pd.DataFrame):
                    raise InputError("expected a pandas DataFrame", source=str(name))
                out[str(name)] = frame
            if not out:
                raise InputError("no sources given")
            return out
        raise InputError("expected a DataFrame or a mapping of source name to DataFrame")

    def _map_one(
        self, spec: Source, frame: pd.DataFrame, field_of: Mapping[str, str]
    ) -> tuple[pd.DataFrame, list[dict[str, str]]]:
        columns = [str(c) for c in frame.columns]
        frame = frame.set_axis(columns, axis=1)
        if len(set(columns)) != len(columns):
            dup = sorted({c for c in columns if columns.count(c) > 1})[0]
            raise InputError("duplicate column name", source=spec.name, column=dup)
        key_col = spec.key or _infer_key(columns)
        if key_col is None:
            raise InputError(
                "no record key column given and none could be inferred "
                f"(tried {', '.join(KEY_COLUMN_NAMES)})",
                source=spec.name,
            )
        if key_col not in frame.columns:
            raise InputError("record key column not found", source=spec.name, column=key_col)
        given = dict(spec.roles or {})
        custom = sorted(set(field_of.values()))
        for column, role in given.items():
            if role not in ROLES and role not in custom:
                known = ", ".join(ROLES) + (
                    f"; custom fields: {', '.join(custom)}" if custom else "")
                raise ConfigError(
                    f"unknown role {role!r} for column {column!r} in source {spec.name!r}; "
                    f"known roles: {known}"
                )
            if column not in frame.columns:
                raise InputError("mapped column not found", source=spec.name, column=column)
        rows: list[dict[str, str]] = [
            {"source": spec.name, "column": key_col, "role": "record_key", "how": "key"}
        ]
        role_of: dict[str, tuple[str, str]] = {}
        for column in columns:
            if column == key_col:
                continue
            if column in given:
                role_of[column] = (given[column], "given")
            elif spec.infer and (inferred := _infer(column, field_of)) is not None:
                role_of[column] = (inferred, "inferred")
        # A given role wins over an inferred one; two columns for one role is an error.
        by_role: dict[str, list[str]] = {}
        for column, (role, _) in role_of.items():
            by_role.setdefault(role, []).append(column)
        for role, cols in by_role.items():
            if len(cols) > 1:
                given_cols = [c for c in cols if role_of[c][1] == "given"]
                if len(given_cols) == 1:
                    for c in cols:
                        if c != given_cols[0]:
                            del role_of[c]
                else:
                    raise ConfigError(
                        f"columns {sorted(cols)} of source {spec.name!r} are all mapped to "
                        f"role {role!r}; map one of them explicitly"
                    )
        keys = as_text(frame[key_col]).str.strip()
        missing = keys.isna() | (keys == "")
        if missing.any():
            row = int(np.flatnonzero(missing.to_numpy())[0])
            raise InputError(f"missing record key in row {row}", source=spec.name,
                             column=key_col)
        duplicated = keys.duplicated()
        if duplicated.any():
            raise InputError(
                f"{int(duplicated.sum())} duplicate record key(s); the first is shown",
                source=spec.name, column=key_col, record_key=str(keys[duplicated].iloc[0]),
            )
        out: dict[str, pd.Series] = {
            "source": pd.Series([spec.name] * len(frame), index=frame.index, dtype=object),
            "record_key": keys.astype(object),
        }
        for column in columns:
            if column == key_col:
                continue
            if column in role_of:
                role, how = role_of[column]
                out[role] = as_text(frame[column])
                rows.append({"source": spec.name, "column": column, "role": role, "how": how})
            else:
                if column in RESERVED_COLUMNS or column in ROLES or column in custom:
                    raise ConfigError(
                        f"column {column!r} of source {spec.name!r} is not mapped to a role "
                        "but its name is reserved; rename it or map it"
                    )
                out[column] = frame[column]
                rows.append({"source": spec.name, "column": column, "role": "",
                             "how": "passthrough"})
        return pd.DataFrame(out).reset_index(drop=True), rows


def _infer(column: str, field_of: Mapping[str, str]) -> str | None:
    """A declared field's synonym wins over the built-in role synonyms."""
    return field_of.get(canonical_column_name(column)) or infer_role(column)


def _infer_key(columns: Sequence[str]) -> str | None:
    canonical = {canonical_column_name(c): c for c in columns}
    for name in KEY_COLUMN_NAMES:
        if name in canonical:
            return canonical[name]
    return None


def _check_source_spec(spec: Source) -> None:
    if not spec.name:
        raise ConfigError("a source needs a non-empty name")
    if spec.date_order is not None and spec.date_order not in _DATE_ORDERS:
        raise ConfigError(
            f"date_order of source {spec.name!r} must be one of {_DATE_ORDERS}"
        )
    if spec.phone_region is not None and (
        len(spec.phone_region) != 2 or not spec.phone_region.isalpha()
    ):
        raise ConfigError(
            f"phone_region of source {spec.name!r} must be a two-letter country code"
        )
    if spec.time_zone is not None:
        time_zone(spec.time_zone, spec.name)
    trust = spec.trust
    if isinstance(trust, bool) or not isinstance(trust, Real) or not (
            math.isfinite(float(trust)) and 0.0 <= float(trust) <= 1.0):
        raise ConfigError(f"trust of source {spec.name!r} must be a number from 0 to 1")


def time_zone(name: str, source: str) -> zoneinfo.ZoneInfo:
    """The :class:`zoneinfo.ZoneInfo` for an IANA name, or a :class:`ConfigError`.

    >>> time_zone("Europe/Riga", "crm").key
    'Europe/Riga'
    """
    if isinstance(name, str) and name.strip() == name and name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            pass
    raise ConfigError(
        f"time_zone {name!r} of source {source!r} is not a known IANA time zone "
        "(e.g. 'Europe/Riga', 'America/New_York', 'UTC')")
