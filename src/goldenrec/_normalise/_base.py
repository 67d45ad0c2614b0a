"""The normaliser contract: per value a display value, a match key, a status and a reason."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any, Final, NamedTuple

import pandas as pd

from goldenrec._normalise._text import clean_text, fold

__all__ = [
    "INVALID",
    "MISSING",
    "PLACEHOLDER",
    "STATUSES",
    "VALID",
    "Normalised",
    "Normaliser",
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
        value) are context some normalisers use.
        """
        index = values.index
        contexts: list[pd.Series] = [values.astype(object)]
        if region is not None:
            contexts.append(region.astype(object))
        if date_order is not None:
            contexts.append(date_order.astype(object))
        frame = pd.DataFrame({f"c{i}": s.to_numpy() for i, s in enumerate(contexts)})
        frame = frame.astype(object).where(frame.notna(), None)
        codes, uniques = pd.factorize(
            pd.MultiIndex.from_frame(frame) if len(contexts) > 1 else frame["c0"],
            use_na_sentinel=False,
        )
        results: list[Normalised] = []
        for unique in uniques:
            parts = unique if isinstance(unique, tuple) else (unique,)
            value = parts[0]
            reg = parts[1] if region is not None else None
            order = parts[-1] if date_order is not None else None
            results.append(self._safe(value, reg, order))
        columns = ["value", "key", "status", "reason"]
        width = len(self.extra_fields)
        rows = [
            (*r[:4], *((r.extra if r.extra is not None else (None,) * width)[:width]
                       + (None,) * max(0, width - len(r.extra or ()))))
            for r in results
        ]
        table = pd.DataFrame(rows, columns=[*columns, *self.extra_fields], dtype=object)
        out = table.iloc[codes].reset_index(drop=True)
        out.index = index
        result: pd.DataFrame = out.astype(object)
        return result

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
        return fold(text) in GENERIC_PLACEHOLDERS

    @abstractmethod
    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        """Normalise one cleaned, non-empty value."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
