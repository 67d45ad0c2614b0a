"""Checking saved files before they are used: size limits, a schema, and nothing run.

A saved pipeline is JSON (never pickle), so reading one executes no code; this module
makes sure a damaged or hostile file is refused with a
:class:`~goldenrec.errors.SerialisationError` instead of a ``KeyError`` deep inside, a
``RecursionError`` or an enormous allocation. Messages name the offending key path,
never a value.

>>> check_pipeline_dict({"format": "goldenrec.pipeline", "version": 1, "colour": "red"})
Traceback (most recent call last):
...
goldenrec.errors.SerialisationError: saved pipeline is malformed: 'colour' is not a known key
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

import numpy as np

from goldenrec.errors import SerialisationError

__all__ = [
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_PIPELINE_BYTES",
    "MAX_STRING",
    "check_fitted_model",
    "check_pipeline_dict",
    "check_store_meta",
    "check_store_schema",
    "load_json",
    "read_limited",
]

#: Largest saved pipeline read (a fitted pipeline is tens of kilobytes; with the
#: frozen value counts of a large data set, tens of megabytes).
MAX_PIPELINE_BYTES: Final = 256 * 1024 * 1024
#: Deepest nesting of lists and objects accepted.
MAX_DEPTH: Final = 32
#: Longest string and most items of one list or object accepted.
MAX_STRING: Final = 1_000_000
MAX_ITEMS: Final = 10_000_000

_Check = Callable[[Any], bool]


def _fail(what: str, path: str, problem: str) -> SerialisationError:
    return SerialisationError(f"{what} is malformed: {path!r} {problem}")


def read_limited(path: str | Path, what: str = "saved pipeline") -> str:
    """A UTF-8 text file, refused unread beyond :data:`MAX_PIPELINE_BYTES`."""
    try:
        with Path(path).open("rb") as handle:
            raw = handle.read(MAX_PIPELINE_BYTES + 1)
    except OSError:
        raise SerialisationError(f"cannot read the {what} file") from None
    if len(raw) > MAX_PIPELINE_BYTES:
        raise SerialisationError(f"{what} is larger than {MAX_PIPELINE_BYTES:,} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SerialisationError(f"the {what} file is not UTF-8 text") from None


def load_json(text: str | bytes, what: str = "saved pipeline") -> Any:
    """Parse JSON text within the size and nesting limits.

    >>> load_json('{"a": [1, 2]}')
    {'a': [1, 2]}
    """
    max_bytes = MAX_PIPELINE_BYTES
    if not isinstance(text, (str, bytes, bytearray)):
        raise SerialisationError(f"{what} must be JSON text, not {type(text).__name__}")
    if len(text) > max_bytes:
        raise SerialisationError(f"{what} is larger than {max_bytes:,} bytes")
    try:
        data = json.loads(text)
    except RecursionError:  # the C parser stops cleanly at the interpreter's limit
        raise SerialisationError(f"{what} is nested deeper than {MAX_DEPTH} levels"
                                 ) from None
    except (ValueError, MemoryError):  # JSONDecodeError, bad UTF-8
        raise SerialisationError(f"{what} is not valid JSON") from None
    check_structure(data, what)
    return data


def _where(path: str) -> str:
    """Only the top-level key of a path: deeper keys may be values (such as the frozen
    value counts of a fitted pipeline), which messages never show."""
    if not path:
        return "(top)"
    top = path.split(".", 1)[0].split("[", 1)[0] or "(top)"
    return f"{top} (somewhere inside)" if top != path else top


def check_structure(data: Any, what: str = "saved pipeline") -> None:
    """Only JSON types, within the depth, string and item limits (checked without
    recursion)."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _fail(what, _where(path), f"is nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                raise _fail(what, _where(path), f"is longer than {MAX_STRING:,} characters")
        elif isinstance(value, dict):
            if len(value) > MAX_ITEMS:
                raise _fail(what, _where(path), f"has more than {MAX_ITEMS:,} keys")
            for key, item in value.items():
                if not isinstance(key, str) or len(key) > MAX_STRING:
                    raise _fail(what, _where(path), "has a bad key")
                stack.append((item, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(value, list):
            if len(value) > MAX_ITEMS:
                raise _fail(what, _where(path), f"has more than {MAX_ITEMS:,} items")
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))
        elif value is not None and not isinstance(value, (bool, int, float)):
            raise _fail(what, _where(path), "is not a JSON value")


# -- the pipeline schema --------------------------------------------------------------------
def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**62


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _optional(check: _Check) -> _Check:
    return lambda v: v is None or check(v)


def _list_of(check: _Check) -> _Check:
    return lambda v: isinstance(v, list) and all(check(item) for item in v)


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_object(value: Any) -> bool:
    return isinstance(value, dict)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_threshold(value: Any) -> bool:
    return value == "auto" or (_is_number(value) and 0.0 < value < 1.0)


_DESCRIPTIONS: Final[dict[_Check, str]] = {}


def _described(check: _Check, description: str) -> _Check:
    _DESCRIPTIONS[check] = description
    return check


_INT = _described(_is_int, "must be an integer")
_OPT_INT = _described(_optional(_is_int), "must be an integer or null")
_OPT_STR = _described(_optional(_is_str), "must be a string or null")
_STR = _described(_is_str, "must be a string")
_BOOL = _described(_is_bool, "must be true or false")
_NUMBER = _described(_is_number, "must be a finite number")
_OBJECT = _described(_is_object, "must be an object")
_OPT_OBJECT = _described(_optional(_is_object), "must be an object or null")
_OBJECTS = _described(_list_of(_is_object), "must be a list of objects")
_OPT_OBJECTS = _described(_optional(_list_of(_is_object)), "must be a list of objects or null")
_STRINGS = _described(_list_of(_is_str), "must be a list of strings")
_OPT_STRINGS = _described(_optional(_list_of(_is_str)), "must be a list of strings or null")
_THRESHOLD = _described(_is_threshold, "must be 'auto' or a probability")
_PROBABILITY = _described(lambda v: _is_number(v) and 0.0 < v < 1.0, "must be a probability")
_OPT_STR_MAP = _described(
    _optional(lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values())),
    "must be an object of strings or null")

_PIPELINE: Final[dict[str, _Check]] = {
    "format": _STR, "version": _INT, "sources": _OPT_OBJECTS, "source_column": _OPT_STR,
    "key": _OPT_STR, "normalisers": _OPT_OBJECT, "blocking_rules": _OPT_OBJECTS,
    "comparisons": _OPT_OBJECTS, "threshold": _THRESHOLD, "survivorship": _OPT_OBJECT,
    "fields": _OPT_OBJECTS, "auto_fields": _BOOL, "frequency": _OPT_OBJECT,
    "clustering": _STR, "cannot_link": _STRINGS, "must_link": _OBJECTS, "max_pairs": _INT,
    "max_block_size": _OPT_INT, "u_sample_size": _INT, "em_max_iter": _INT, "seed": _INT,
    "fitted": _OPT_OBJECT, "engine": _STR,
}
_REQUIRED: Final = ("format", "version", "max_pairs", "u_sample_size", "em_max_iter", "seed")
_SOURCE: Final[dict[str, _Check]] = {
    "name": _STR, "key": _OPT_STR, "roles": _OPT_STR_MAP, "infer": _BOOL,
    "phone_region": _OPT_STR, "date_order": _OPT_STR, "time_zone": _OPT_STR,
    "trust": _NUMBER,
}
_FIELD: Final[dict[str, _Check]] = {"name": _STR, "synonyms": _STRINGS, "kind": _STR}
_FREQUENCY: Final[dict[str, _Check]] = {
    "max_identifier_count": _INT, "date_factor": _NUMBER, "min_date_count": _INT,
    "identifiers": _OPT_STRINGS, "dates": _OPT_STRINGS,
}
_FITTED: Final[dict[str, _Check]] = {
    "fields": _STRINGS, "auto_fields": _OBJECTS, "blocking_rules": _OBJECTS,
    "comparisons": _OBJECTS, "model": _OBJECT, "threshold": _PROBABILITY,
    "frozen": _OPT_OBJECT,
}
_FITTED_REQUIRED: Final = ("fields", "blocking_rules", "comparisons", "model", "threshold")
_MODEL: Final[dict[str, _Check]] = {
    "max_iter": _INT, "tolerance": _NUMBER, "initial_lambda": _NUMBER, "fix_u": _BOOL,
    "fitted": _OPT_OBJECT,
}
_MODEL_FITTED: Final[dict[str, _Check]] = {
    "names": _STRINGS, "m": _OBJECT, "u": _OBJECT, "lambda": _NUMBER, "prior": _NUMBER,
    "n_iter": _INT,
}


def _check_object(data: Mapping[str, Any], schema: Mapping[str, _Check], path: str,
                  required: tuple[str, ...] = ()) -> None:
    for key in data:
        if key not in schema:
            raise _fail("saved pipeline", f"{path}.{key}" if path else key, "is not a known key")
    for key in required:
        if key not in data:
            raise _fail("saved pipeline", f"{path}.{key}" if path else key, "is missing")
    for key, check in schema.items():
        if key in data and not check(data[key]):
            where = f"{path}.{key}" if path else key
            raise _fail("saved pipeline", where, _DESCRIPTIONS.get(check, "is not valid"))


def check_pipeline_dict(data: Any) -> None:
    """Raise :class:`SerialisationError` unless ``data`` has the shape of a saved
    pipeline: known keys only, each of the right type (nested specs such as comparisons
    and survivorship rules are checked when they are built)."""
    if isinstance(data, Mapping) and not isinstance(data, dict):
        data = dict(data)
    check_structure(data)
    if not isinstance(data, dict):
        raise SerialisationError("not a saved goldenrec pipeline")
    _check_object(data, _PIPELINE, "", _REQUIRED)
    for i, source in enumerate(data.get("sources") or ()):
        _check_object(source, _SOURCE, f"sources[{i}]", ("name",))
    for i, field in enumerate(data.get("fields") or ()):
        _check_object(field, _FIELD, f"fields[{i}]", ("name",))
    if data.get("frequency") is not None:
        _check_object(data["frequency"], _FREQUENCY, "frequency")
    fitted = data.get("fitted")
    if fitted:
        _check_object(fitted, _FITTED, "fitted", _FITTED_REQUIRED)
        for i, field in enumerate(fitted.get("auto_fields") or ()):
            _check_object(field, _FIELD, f"fitted.auto_fields[{i}]", ("name",))
        model = fitted["model"]
        _check_object(model, _MODEL, "fitted.model", ("max_iter", "tolerance",
                                                      "initial_lambda", "fix_u"))
        if model.get("fitted"):
            _check_object(model["fitted"], _MODEL_FITTED, "fitted.model.fitted",
                          tuple(_MODEL_FITTED))


def check_fitted_model(model: Any, labels: Mapping[str, int]) -> None:
    """A loaded model must be fitted and cover exactly the fitted comparisons
    (``labels``: name → number of levels), with one probability per level and a prior
    strictly between 0 and 1."""
    names = getattr(model, "names_", None)
    if names is None or sorted(names) != sorted(labels):
        raise SerialisationError("saved pipeline is malformed: the fitted model does not "
                                 "match the fitted comparisons")
    prior = float(model.prior_)
    if not 0.0 < prior < 1.0:
        raise SerialisationError("saved pipeline is malformed: 'fitted.model.fitted.prior' "
                                 "must be a probability")
    for name in names:
        for table, values in (("m", model.m_), ("u", model.u_)):
            probabilities = np.asarray(values[name], dtype=np.float64)
            if probabilities.shape != (labels[name],) or not np.all(
                    (probabilities >= 0.0) & (probabilities <= 1.0)):
                raise SerialisationError(
                    f"saved pipeline is malformed: 'fitted.model.fitted.{table}.{name}' "
                    "must hold one probability per comparison level")


# -- the golden store -----------------------------------------------------------------------
_CREATE: Final = re.compile(r"CREATE\s+(TABLE|INDEX|UNIQUE\s+INDEX)\s+(?:IF\s+NOT\s+EXISTS\s+)?"
                            r"(\w+)\s*(?:ON\s+\w+\s*)?\((.*?)\)\s*(?:;|$)",
                            re.IGNORECASE | re.DOTALL)


def _expected_tables(schema: str) -> dict[str, set[str]]:
    """Table name → column names, read from the ``CREATE TABLE`` statements."""
    tables: dict[str, set[str]] = {}
    for statement in schema.split(";"):
        match = _CREATE.search(statement.strip() + ";")
        if match and match.group(1).upper() == "TABLE":
            columns = set()
            for part in match.group(3).split(","):
                word = part.strip().split(" ", 1)[0].strip("()")
                if word and word.upper() not in ("PRIMARY", "UNIQUE", "FOREIGN", "CHECK",
                                                 "CONSTRAINT") and word.isidentifier():
                    columns.add(word)
            tables[match.group(2)] = columns
    return tables


def check_store_schema(db: sqlite3.Connection, schema: str) -> None:
    """The SQLite file must hold every table of ``schema`` with its columns, pass a quick
    integrity check, and contain no triggers or views (nothing that would run when the
    store is written).

    Raises :class:`SerialisationError` (or lets :class:`sqlite3.DatabaseError` through
    for files SQLite cannot read at all).
    """
    check = db.execute("PRAGMA quick_check(1)").fetchone()
    if not check or check[0] != "ok":
        raise SerialisationError("the golden store file is damaged")
    objects = db.execute("SELECT type, name FROM sqlite_master").fetchall()
    if any(kind not in ("table", "index") for kind, _ in objects):
        raise SerialisationError("the golden store holds triggers or views, which goldenrec "
                                 "never writes")
    present = {name for kind, name in objects if kind == "table"}
    for table, columns in _expected_tables(schema).items():
        if table not in present:
            raise SerialisationError(f"the golden store lacks table {table!r}")
        found = {str(row[1]) for row in db.execute(f"PRAGMA table_info({table})")}
        missing = sorted(columns - found)
        if missing:
            raise SerialisationError(f"table {table!r} of the golden store lacks column(s) "
                                     f"{', '.join(missing)}")


def check_store_meta(meta: Mapping[str, str], required: tuple[str, ...]) -> None:
    """The store's metadata rows: all present, and the counters well-formed."""
    for key in required:
        if not isinstance(meta.get(key), str):
            raise SerialisationError(f"the golden store lacks metadata {key!r}")
    if meta.get("fitted") not in (None, "0", "1"):
        raise SerialisationError("the golden store's metadata 'fitted' is not 0 or 1")
    counter = meta.get("next_golden")
    if counter is not None and not (counter.isascii() and counter.isdigit()
                                    and 0 < len(counter) < 19 and int(counter) > 0):
        raise SerialisationError("the golden store's metadata 'next_golden' is not a "
                                 "positive integer")
