"""Reading input tables (CSV, TSV or Parquet) as text, with errors that never echo data."""

from __future__ import annotations

import csv
import importlib.util
import re
from pathlib import Path

import pandas as pd

from goldenrec._schema import as_text
from goldenrec.errors import InputError

__all__ = ["CSV_SUFFIXES", "PARQUET_SUFFIXES", "read_table", "sniff_delimiter"]

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 64 * 1024
_SNIFF_LINES = 50
_WHERE = re.compile(r"\b(line|row) (\d+)\b")


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV, TSV or Parquet file; CSV cells are read as text, never converted.

    Column names are stripped of surrounding whitespace. Any problem becomes an
    :class:`~goldenrec.errors.InputError` that names the file but never its content.
    """
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in CSV_SUFFIXES + PARQUET_SUFFIXES:
        known = ", ".join(CSV_SUFFIXES + PARQUET_SUFFIXES)
        raise InputError(f"cannot read '{file}': unknown file type {suffix or '(none)'!r}; "
                         f"expected one of {known}")
    if not file.exists():
        raise InputError(f"input file not found: '{file}'")
    if file.is_dir():
        raise InputError(f"cannot read '{file}': it is a directory")
    if suffix in PARQUET_SUFFIXES:
        frame = _read_parquet(file)
    else:
        frame = _read_csv(file, "\t" if suffix == ".tsv" else None)
    return _clean_columns(frame, file)


def sniff_delimiter(sample: str) -> str:
    """The most plausible delimiter among ``, ; TAB |`` for a sample of CSV text.

    The delimiter that splits the header into the most fields while giving every
    complete sample line the same number of fields wins; ``,`` if nothing splits.

    >>> sniff_delimiter("id;name;city\\n1;Lee, Ann;Riga\\n")
    ';'
    >>> sniff_delimiter("id|name\\n1|Ann\\n")
    '|'
    """
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line may be cut short
    lines = [line for line in lines[:_SNIFF_LINES] if line.strip()]
    if not lines:
        return ","
    best, best_key = ",", (False, 1)
    for delimiter in DELIMITERS:
        try:
            rows = list(csv.reader(lines, delimiter=delimiter))
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        consistent = all(len(row) == width for row in rows)
        key = (consistent, width)
        if width > 1 and key > best_key:
            best, best_key = delimiter, key
    return best


def _read_csv(file: Path, delimiter: str | None) -> pd.DataFrame:
    try:
        if delimiter is None:
            with file.open(encoding="utf-8-sig", newline="") as handle:
                delimiter = sniff_delimiter(handle.read(_SNIFF_BYTES))
        # ``header=None``: the header row is taken by hand below, so that duplicate or
        # empty column names are reported instead of silently renamed by pandas.
        raw = pd.read_csv(
            file,
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
            encoding="utf-8-sig",
            engine="c",
        )
    except UnicodeDecodeError:
        raise InputError(f"cannot read '{file}': it is not UTF-8 text") from None
    except pd.errors.EmptyDataError:
        raise InputError(f"cannot read '{file}': the file is empty") from None
    except pd.errors.ParserError as error:
        # The parser's message can quote the data; keep only a line number from it
        # (its "line" counts from 1, its "row" from 0).
        match = _WHERE.search(str(error))
        where = ""
        if match:
            number = int(match.group(2)) + (match.group(1) == "row")
            where = f" near line {number}"
        raise InputError(
            f"cannot parse '{file}' as delimited text{where} "
            f"(delimiter {delimiter!r}); check quoting and the number of fields"
        ) from None
    except PermissionError:
        raise InputError(f"cannot read '{file}': permission denied") from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InputError(f"cannot read '{file}': {reason}") from None
    except (ValueError, csv.Error):
        raise InputError(f"cannot parse '{file}' as delimited text") from None
    if raw.empty:
        raise InputError(f"cannot read '{file}': the file is empty")
    header = ["" if pd.isna(v) else str(v) for v in raw.iloc[0]]
    body = raw.iloc[1:].reset_index(drop=True)
    # A delimiter at the end of every line gives a nameless, empty last column: drop it.
    while len(header) > 1 and not header[-1].strip() and body.iloc[:, -1].isna().all():
        header.pop()
        body = body.iloc[:, :-1]
    table: pd.DataFrame = body.set_axis(header, axis=1)
    return table


def _has_pyarrow() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def _read_parquet(file: Path) -> pd.DataFrame:
    if not _has_pyarrow():
        raise InputError(
            f"cannot read '{file}': reading Parquet needs pyarrow; "
            "install it with: pip install 'goldenrec[parquet]'"
        )
    try:
        frame = pd.read_parquet(file, engine="pyarrow")
        if frame.columns.nlevels != 1:
            raise InputError(
                f"cannot read '{file}': nested column headers are not supported")
        frame = frame.reset_index(drop=True)
        # Typed Parquet columns become text like CSV cells (integral floats lose ``.0``);
        # damaged data can surface only here, when the columns are first read.
        text: pd.DataFrame = pd.DataFrame(
            {str(c): as_text(frame[c]) for c in frame.columns}, index=frame.index)
    except InputError:
        raise
    except PermissionError:
        raise InputError(f"cannot read '{file}': permission denied") from None
    except Exception:  # pyarrow raises many types; none of their text is shown.
        raise InputError(f"cannot read '{file}' as a Parquet file") from None
    return text


def _clean_columns(frame: pd.DataFrame, file: Path) -> pd.DataFrame:
    names = [str(c).strip() for c in frame.columns]
    if any(not name for name in names):
        position = next(i for i, name in enumerate(names) if not name) + 1
        raise InputError(f"cannot read '{file}': column {position} has an empty name")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(f"cannot read '{file}': duplicate column name", column=name)
        seen.add(name)
    renamed: pd.DataFrame = frame.set_axis(names, axis=1)
    return renamed
