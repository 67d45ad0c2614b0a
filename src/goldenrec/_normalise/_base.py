"""The normaliser contract: per value a display value, a match key, a status and a reason."""

from __future__ import annotations

import gc
import itertools
import logging
import math
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final, NamedTuple

import numpy as np
import pandas as pd

from goldenrec._normalise._text import clean_text, fold
from goldenrec._processes import check_n_jobs, fork_map, worker_count

__all__ = [
    "INVALID",
    "MISSING",
    "PARALLEL_MIN_VALUES",
    "PLACEHOLDER",
    "STATUSES",
    "VALID",
    "Normalised",
    "Normaliser",
    "parallelism",
]

VALID: Final = "valid"
INVALID: Final = "invalid"
MISSING: Final = "missing"
PLACEHOLDER: Final = "placeholder"
STATUSES: Final = (VALID, INVALID, MISSING, PLACEHOLDER)

#: Folded values that mean "no value" in any field.
GENERIC_PLACEHOLDERS: Final = frozenset({
    "", "na", "n a", "n/a", "none", "null", "nil", "nan", "unknown", "unk", "not known",
    "not available", "not applicable", "test", "testing", "asdf", "asd", "qwerty", "xxx",
    "xx", "x", "tbd", "tba", "todo", "dummy", "sample", "no name", "noname", "unbekannt",
    "keine angabe", "k a", "nezinams", "0", "00", "000", "?", "-", "--", "...",
})


class Normalised(NamedTuple):
    """One normalised value.

    ``extra`` holds values of the normaliser's :attr:`Normaliser.extra_fields` in the
    same order (e.g. a phone's number type), or ``None``.
    """

    value: str | None
    key: str | None
    status: str
    reason: str
    extra: tuple[str | None, ...] | None = None


_MISSING_RESULT: Final = Normalised(None, None, MISSING, "empty")
_NONZERO_DIGIT: Final = re.compile("[1-9]")

logger = logging.getLogger(__name__)

#: Distinct values from which :meth:`Normaliser.normalise` uses worker processes.
PARALLEL_MIN_VALUES: Final = 50_000
#: Estimated seconds of work in one process from which worker processes are used.
PARALLEL_MIN_SECONDS: Final = 2.0
#: Work is cut into about this many chunks per worker, so that workers finish together.
_CHUNKS_PER_WORKER: Final = 4
#: Values normalised first in this process to estimate the cost of the rest.
_PROBE_VALUES: Final = 2_000
_N_JOBS: ContextVar[int | None] = ContextVar("goldenrec_n_jobs", default=None)


@contextmanager
def parallelism(n_jobs: int | None) -> Iterator[None]:
    """Within the block, :meth:`Normaliser.normalise` uses at most ``n_jobs`` processes.

    ``None`` or ``-1``: every available CPU (the default outside any block); ``1``: only
    the calling process. Worker processes are used only for columns with at least
    :data:`PARALLEL_MIN_VALUES` distinct values whose normalisation would take more than
    :data:`PARALLEL_MIN_SECONDS` here, and only on Linux (they are forked, so normalisers
    need not be picklable). If the workers fail, the work is done here.

    >>> with parallelism(1):
    ...     pass
    """
    check_n_jobs(n_jobs)
    token = _N_JOBS.set(n_jobs)
    try:
        yield
    finally:
        _N_JOBS.reset(token)


class Normaliser(ABC):
    """Base of all normalisers. Subclasses implement :meth:`normalise_value`.

    :meth:`normalise` works on distinct values, so repeated values cost nothing, and
    never raises on a bad value: it flags it.
    """

    #: Stable name used in saved pipelines.
    name: str = "text"
    #: Names of extra outputs per value (columns ``<role>_<extra>`` in the records).
    extra_fields: tuple[str, ...] = ()

    def normalise(
        self,
        values: pd.Series,
        *,
        region: pd.Series | None = None,
        date_order: pd.Series | None = None,
    ) -> pd.DataFrame:
        """Normalise a column. Returns columns ``value``, ``key``, ``status``, ``reason``
        and one column per name in :attr:`extra_fields`.

        ``region`` (ISO country per value) and ``date_order`` (``DMY``/``MDY``/``YMD`` per
        value) are context some normalisers use. Each distinct (value, context) is
        normalised once. From :data:`PARALLEL_MIN_VALUES` distinct values on, the work is
        spread over worker processes (see :func:`parallelism`); the output is the same.
        """
        index = values.index
        contexts: list[pd.Series] = [values]
        if region is not None:
            contexts.append(region)
        if date_order is not None:
            contexts.append(date_order)
        codes, uniques = _factorize(contexts)
        reg = uniques[1] if region is not None else [None] * len(uniques[0])
        order = uniques[-1] if date_order is not None else [None] * len(uniques[0])
        width = len(self.extra_fields)
        names = ["value", "key", "status", "reason", *self.extra_fields]
        data: dict[str, np.ndarray] = {}
        with _gc_paused():
            items = list(zip(uniques[0], reg, order))
            columns = _run(self, items, width, _N_JOBS.get())
            for name, column in zip(names, columns):
                array = np.empty(len(column), dtype=object)
                array[:] = column
                data[name] = array[codes]
        table: pd.DataFrame = pd.DataFrame(data, index=index, columns=names, dtype=object)
        return table

    def _columns(self, items: Sequence[tuple[Any, Any, Any]], width: int) -> list[list[Any]]:
        """Normalise ``(value, region, order)`` items; one list per output column."""
        results = [self._safe(value, reg, order) for value, reg, order in items]
        if not results:
            return [[] for _ in range(4 + width)]
        columns: list[list[Any]] = [list(column) for column in zip(*results)][:4]
        if width:
            padding = (None,) * width
            extras = [((r.extra or ()) + padding)[:width] for r in results]
            columns += [list(column) for column in zip(*extras)]
        return columns

    def _safe(self, value: Any, region: Any, order: Any) -> Normalised:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return _MISSING_RESULT
        text = clean_text(value if isinstance(value, str) else str(value))
        if not text:
            return _MISSING_RESULT
        if self.is_placeholder(text):
            return Normalised(None, None, PLACEHOLDER, "placeholder_value")
        try:
            return self.normalise_value(
                text,
                region=region if isinstance(region, str) and region else None,
                date_order=order if isinstance(order, str) and order else None,
            )
        except Exception:  # a normaliser bug must not stop a run nor leak the value
            return Normalised(None, None, INVALID, "normaliser_error")

    def is_placeholder(self, text: str) -> bool:
        # fold() keeps ASCII digits and no generic placeholder has one but 0
        if _NONZERO_DIGIT.search(text):
            return False
        return fold(text) in GENERIC_PLACEHOLDERS

    @abstractmethod
    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        """Normalise one cleaned, non-empty value."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off within the block (as it was after it).

    Normalising creates a few objects per distinct value (tuples of strings, never
    cycles), which makes the collector run over and over (some 15 % of the stage's
    time at 300,000 records); reference counting frees them all the same.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# -- distinct values ------------------------------------------------------------------------
def _factorize(columns: Sequence[pd.Series]) -> tuple[np.ndarray, list[list[Any]]]:
    """Per row the code of its distinct combination of values, and the combinations.

    Combinations are numbered in order of first appearance and returned column by
    column; missing values (``None``, ``NaN``, ``pd.NA``) all become ``None``. Columns
    are factorised one by one and their integer codes combined, which is much faster
    than factorising tuples.
    """
    per_column: list[tuple[np.ndarray, list[Any]]] = []
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=True)
        codes = codes.astype(np.int64) + 1  # 0 is missing
        per_column.append((codes, [None, *uniques.tolist()]))
        combined, _ = pd.factorize(combined * (len(uniques) + 1) + codes)
        combined = combined.astype(np.int64)
    n_distinct = int(combined.max()) + 1 if len(combined) else 0
    # rows with one combined code have the same codes in every column: any row will do
    row_of = np.zeros(n_distinct, dtype=np.int64)
    row_of[combined] = np.arange(len(combined))
    uniques_by_column = [[values[c] for c in codes[row_of].tolist()]
                         for codes, values in per_column]
    return combined, uniques_by_column


# -- worker processes -----------------------------------------------------------------------
def _workers(n_jobs: int | None, n_items: int) -> int:
    """How many processes to use for ``n_items`` distinct values (1: this one)."""
    if n_items < PARALLEL_MIN_VALUES:
        return 1
    return worker_count(n_jobs)


def _run(normaliser: Normaliser, items: list[tuple[Any, Any, Any]], width: int,
         n_jobs: int | None) -> list[list[Any]]:
    workers = _workers(n_jobs, len(items))
    if workers == 1:
        return normaliser._columns(items, width)
    # Time a first slice here: cheap normalisers are not worth the processes.
    started = time.perf_counter()
    head = normaliser._columns(items[:_PROBE_VALUES], width)
    per_value = (time.perf_counter() - started) / max(1, min(len(items), _PROBE_VALUES))
    rest = items[_PROBE_VALUES:]
    if per_value * len(rest) < PARALLEL_MIN_SECONDS:
        tail = normaliser._columns(rest, width)
    else:
        try:
            tail = _run_in_processes(normaliser, rest, width, workers)
        except Exception as error:  # a broken pool must not stop a run
            logger.warning("worker processes failed (%s); normalising in one process",
                           type(error).__name__)
            tail = normaliser._columns(rest, width)
    return [first + second for first, second in zip(head, tail)]


def _run_in_processes(normaliser: Normaliser, items: list[tuple[Any, Any, Any]],
                      width: int, workers: int) -> list[list[Any]]:
    size = max(1_000, -(-len(items) // (workers * _CHUNKS_PER_WORKER)))
    chunks = [items[start:start + size] for start in range(0, len(items), size)]
    parts = fork_map(lambda i: normaliser._columns(chunks[i], width), len(chunks), workers)
    logger.debug("normalised %d distinct values in %d processes", len(items), workers)
    return [list(itertools.chain.from_iterable(part[i] for part in parts))
            for i in range(4 + width)]
