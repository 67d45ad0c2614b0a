"""Writing a result's tables to a directory, as CSV or as Parquet.

CSV files are written one after another. Parquet files are written concurrently, the
largest first: the calling thread turns one table after another into Arrow (which holds
the GIL) while a small pool of threads encodes, compresses and writes the tables already
turned (pyarrow releases the GIL for that). Column types in Parquet:

- numbers, booleans, categories and pandas text columns keep their types;
- columns of Python objects are written as text (``large_string``), whatever they hold:
  texts as they are, numbers with ``str``, dates and times as ISO 8601, lists joined with
  ``;`` (as in the CSV); missing values stay missing;
- except a column whose values are all lists (aggregate golden fields): a list of texts
  per row.

Min/max statistics are written for numbers, booleans and dates only
(:func:`writer_options`): on text columns they took about a quarter of the encoding
time and seldom let a reader skip anything. The values stored are the same.
"""

from __future__ import annotations

import datetime as dt
import importlib
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from goldenrec._processes import available_cpus
from goldenrec._survivorship_rules import arrow
from goldenrec.errors import ConfigError, OutputError

__all__ = ["FORMATS", "arrow_table", "write_tables", "writer_options"]

#: The output formats :func:`write_tables` knows.
FORMATS = ("csv", "parquet")
_LISTS = (list, tuple, np.ndarray)
#: Python objects are turned into Arrow text this many at a time (see :func:`_texts`).
_CHUNK_ROWS = 1 << 20


def write_tables(tables: Sequence[tuple[str, pd.DataFrame]], directory: str | Path,
                 output_format: str) -> list[Path]:
    """Write each ``(name, frame)`` to ``directory/<name>.<format>`` (the directory is
    created if needed); returns the paths in the order of ``tables``.

    >>> import tempfile
    >>> out = write_tables([("t", pd.DataFrame({"a": [1]}))], tempfile.mkdtemp(), "csv")
    >>> out[0].name
    't.csv'
    """
    if output_format not in FORMATS:
        raise ConfigError(f"unknown output format {output_format!r}; use 'csv' or 'parquet'")
    if output_format == "parquet":
        _pyarrow()  # before anything is written
    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _error(f"cannot create the output directory '{out}'", error) from None
    paths = [out / f"{name}.{output_format}" for name, _ in tables]
    jobs = sorted(zip(tables, paths), key=lambda job: -job[0][1].size)  # largest first
    if output_format == "parquet":
        _write_parquet_tables(jobs, min(len(jobs), available_cpus()))
    else:
        for (name, frame), path in jobs:
            _write_csv(name, frame, path)
    return paths


def _write_csv(name: str, frame: pd.DataFrame, path: Path) -> None:
    try:
        frame.to_csv(path, index=False, lineterminator="\n")
    except OSError as error:
        raise _error(f"cannot write the {name} table to '{path}'", error) from None


def _write_parquet_tables(jobs: Sequence[tuple[tuple[str, pd.DataFrame], Path]],
                          workers: int) -> None:
    """Turn the tables into Arrow one after another, here (that holds the GIL), while a
    pool of ``workers`` threads encodes and writes those already turned (pyarrow does
    that without the GIL). At most ``workers + 1`` turned tables wait in memory."""
    if workers <= 1:
        for (name, frame), path in jobs:
            _write_arrow(name, _converted(name, frame, path), path)
        return
    room = threading.BoundedSemaphore(workers + 1)
    futures: list[Future[None]] = []
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="goldenrec-write") as pool:
        for (name, frame), path in jobs:
            room.acquire()
            try:
                table = _converted(name, frame, path)
            except OutputError:  # raised once the tables being written are written
                room.release()
                raise
            futures.append(pool.submit(_write_arrow, name, table, path))
            futures[-1].add_done_callback(lambda _: room.release())
            del table  # the pool's reference only: freed once written
    for future in futures:  # the first failure (largest table first) is raised
        future.result()


def _converted(name: str, frame: pd.DataFrame, path: Path) -> Any:
    try:
        return arrow_table(frame)
    except Exception as error:  # pyarrow raises many types; their text may hold values
        raise _parquet_error(name, path, error) from None


def _write_arrow(name: str, table: Any, path: Path) -> None:
    pq = _pyarrow_parquet()
    try:
        pq.write_table(table, path, **writer_options(table))
    except Exception as error:  # pyarrow raises many types; their text may hold values
        raise _parquet_error(name, path, error) from None


def _parquet_error(name: str, path: Path, error: Exception) -> OutputError:
    if isinstance(error, OSError):
        return _error(f"cannot write the {name} table to '{path}'", error)
    return _error(f"cannot write the {name} table to '{path}' as Parquet", error)


def arrow_table(frame: pd.DataFrame) -> Any:
    """``frame`` as a pyarrow Table with the column types described in the module."""
    pa = _pyarrow()
    columns = [str(c) for c in frame.columns]
    arrays = [_arrow_column(frame.iloc[:, i]) for i in range(frame.shape[1])]
    return pa.Table.from_arrays(arrays, names=columns)


def _arrow_column(column: pd.Series) -> Any:
    pa = _pyarrow()
    if column.dtype != object:
        try:
            return pa.Array.from_pandas(column)
        except (pa.ArrowException, TypeError, ValueError):
            pass  # a type pyarrow cannot take (e.g. mixed categories): text, below
    values = column.to_numpy(dtype=object)
    try:  # the common case: only texts and missing values
        return pa.chunked_array([_texts(pa, values[start:start + _CHUNK_ROWS])
                                 for start in range(0, len(values), _CHUNK_ROWS)],
                                type=pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    if all(isinstance(v, _LISTS) or _missing(v) for v in values):
        lists = pa.list_(pa.large_string())
        try:  # lists of texts
            return pa.array(values, type=lists, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return pa.array([None if _missing(v) else [_text(x) for x in v] for v in values],
                            type=lists)
    return pa.array([_text(v) for v in values], type=pa.large_string())


def _texts(pa: Any, values: np.ndarray) -> Any:
    """Python texts and missing values as Arrow text; each chunk holds the GIL only
    briefly, so that the threads writing other tables are not kept waiting."""
    try:  # None is missing either way; NaN, NA, NaT only with from_pandas (slower)
        return pa.array(values, type=pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(values, type=pa.large_string(), from_pandas=True)


def writer_options(table: Any) -> dict[str, Any]:
    """Parquet writer options for ``table``: min/max statistics only for the columns that
    hold neither text nor lists (see the module docstring); values are the same either way.

    >>> import pyarrow as pa
    >>> writer_options(pa.table({"id": ["a", "b"], "n": [1, 2]}))
    {'write_statistics': ['n']}
    """
    pa = _pyarrow()
    statistics = []
    for field in table.schema:
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)
                or pa.types.is_binary(kind) or pa.types.is_large_binary(kind)
                or pa.types.is_nested(kind)):
            statistics.append(field.name)
    return {"write_statistics": statistics}


def _text(value: Any) -> str | None:
    """One value as text, the same for the same value wherever it is."""
    if isinstance(value, str):
        return value
    if isinstance(value, _LISTS):
        parts = (_text(v) for v in value)
        return ";".join(p for p in parts if p is not None)
    if _missing(value):
        return None
    if isinstance(value, dt.date | dt.time):  # datetime and pd.Timestamp are dates
        return value.isoformat()
    return str(value)


def _missing(value: Any) -> bool:
    if isinstance(value, _LISTS):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _error(message: str, cause: OSError | Exception) -> OutputError:
    reason = (cause.strerror if isinstance(cause, OSError) else None) or type(cause).__name__
    error = OutputError(f"{message}: {reason}")
    error.strerror = reason
    return error


def _pyarrow() -> Any:
    """pyarrow (optional: the parquet extra), or a :class:`ConfigError` saying so."""
    modules = arrow()
    if modules is None:
        raise ConfigError("writing Parquet needs pyarrow; install it with: "
                          "pip install 'goldenrec[parquet]'")
    return modules[0]


def _pyarrow_parquet() -> Any:
    return importlib.import_module("pyarrow.parquet")
