"""Schema mapping: source frames in, one frame in the canonical schema out."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from goldenrec._roles import KEY_COLUMN_NAMES, ROLES, canonical_column_name, infer_role
from goldenrec.errors import ConfigError, InputError

__all__ = ["DateOrder", "MappedRecords", "SchemaMapper", "Source", "as_text"]

logger = logging.getLogger(__name__)

DateOrder = Literal["DMY", "MDY", "YMD"]
_DATE_ORDERS = ("DMY", "MDY", "YMD")
RESERVED_COLUMNS = ("source", "record_key")


@dataclass(frozen=True)
class Source:
    """How to read one source.

    ``key`` is the record-key column (inferred from common names when ``None``),
    ``roles`` maps column names to canonical roles (inferred from the column names when
    ``None``; columns not named there are inferred too unless ``infer=False``),
    ``phone_region`` is the ISO country code for phone numbers written without one, and
    ``date_order`` says how ``03/04/2001``-style dates are read in this source.

    >>> Source("crm", key="id", roles={"fname": "first_name"}, date_order="DMY").name
    'crm'
    """

    name: str
    key: str | None = None
    roles: Mapping[str, str] | None = None
    infer: bool = True
    phone_region: str | None = None
    date_order: DateOrder | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "key": self.key,
            "roles": dict(self.roles) if self.roles is not None else None,
            "infer": self.infer,
            "phone_region": self.phone_region,
            "date_order": self.date_order,
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
        )


@dataclass(frozen=True)
class MappedRecords:
    """The output of :meth:`SchemaMapper.map`.

    ``frame`` has ``source``, ``record_key``, one column per role present (text, missing
    as ``None``) and the pass-through columns; rows are sorted by ``(source,
    record_key)``. ``mapping`` lists, per source column, the role it was given and how
    (``given``, ``inferred``, ``key`` or ``passthrough``).
    """

    frame: pd.DataFrame
    mapping: pd.DataFrame
    sources: dict[str, Source] = field(default_factory=dict)

    @property
    def roles(self) -> list[str]:
        return [role for role in ROLES if role in self.frame.columns]


def as_text(values: pd.Series) -> pd.Series:
    """Values as ``str`` objects, missing as ``None``; integral floats lose their ``.0``."""
    result = values.astype(object)
    mask = pd.isna(result).to_numpy()

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

    >>> import pandas as pd
    >>> crm = pd.DataFrame({"id": ["1"], "given_name": ["Ann"], "surname": ["Lee"]})
    >>> SchemaMapper().map({"crm": crm}).frame.columns.tolist()
    ['source', 'record_key', 'first_name', 'last_name']
    """

    def __init__(
        self,
        sources: Sequence[Source] | None = None,
        *,
        source_column: str | None = None,
        key: str | None = None,
    ) -> None:
        self.sources = sources
        self.source_column = source_column
        self.key = key

    # -- public -----------------------------------------------------------------
    def map(self, data: pd.DataFrame | Mapping[str, pd.DataFrame]) -> MappedRecords:
        frames = self._split(data)
        specs = {spec.name: spec for spec in (self.sources or ())}
        for spec in specs.values():
            _check_source_spec(spec)
        parts: list[pd.DataFrame] = []
        mapping_rows: list[dict[str, str]] = []
        used_specs: dict[str, Source] = {}
        for name in sorted(frames):
            spec = specs.get(name) or Source(name, key=self.key)
            if spec.key is None and self.key is not None:
                spec = Source(spec.name, self.key, spec.roles, spec.infer, spec.phone_region,
                              spec.date_order)
            part, rows = self._map_one(spec, frames[name])
            parts.append(part)
            mapping_rows.extend(rows)
            used_specs[name] = spec
        unknown = sorted(set(specs) - set(frames))
        if unknown:
            raise ConfigError(f"sources configured but not in the data: {unknown}")
        frame = pd.concat(parts, ignore_index=True, sort=False) if parts else pd.DataFrame(
            {"source": [], "record_key": []})
        role_cols = [role for role in ROLES if role in frame.columns]
        other = [c for c in frame.columns if c not in (*RESERVED_COLUMNS, *role_cols)]
        frame = frame[[*RESERVED_COLUMNS, *role_cols, *other]]
        frame = frame.sort_values(["source", "record_key"], kind="mergesort").reset_index(
            drop=True)
        mapping = pd.DataFrame(mapping_rows, columns=["source", "column", "role", "how"])
        inferred = mapping[mapping["how"] == "inferred"]
        if len(inferred):
            logger.info("inferred %d column roles from column names", len(inferred))
        return MappedRecords(frame=frame, mapping=mapping, sources=used_specs)

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
        self, spec: Source, frame: pd.DataFrame
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
        for column, role in given.items():
            if role not in ROLES:
                raise ConfigError(
                    f"unknown role {role!r} for column {column!r} in source {spec.name!r}; "
                    f"known roles: {', '.join(ROLES)}"
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
            elif spec.infer and (inferred := infer_role(column)) is not None:
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
                if column in RESERVED_COLUMNS or column in ROLES:
                    raise ConfigError(
                        f"column {column!r} of source {spec.name!r} is not mapped to a role "
                        "but its name is reserved; rename it or map it"
                    )
                out[column] = frame[column]
                rows.append({"source": spec.name, "column": column, "role": "",
                             "how": "passthrough"})
        return pd.DataFrame(out).reset_index(drop=True), rows


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
