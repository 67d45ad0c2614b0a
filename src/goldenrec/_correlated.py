"""Correlated fields: a street, its town and its postcode agreeing are one coincidence.

Term frequencies make agreeing on a rare value strong evidence. Fields that go together
(a street lies in one town and one postcode area) must not each add their evidence as
if independent: for pairs agreeing on several of them at once, their frequencies are
rescaled so that together they weigh as the share of records holding that combination
of values. The comparator (local), the frozen state (golden store) and the Spark
engine all use these functions, each with its own source of counts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from goldenrec._comparisons import Comparison

__all__ = ["ADDRESS_FIELDS", "SEPARATOR", "address_groups", "combination_counts",
           "combination_keys", "combination_name", "combination_shares", "combinations_of",
           "correlate", "correlated_combinations", "joint_frequencies"]

#: Fields of one postal address: which street, house and town go together is no chance
#: (the region is context: it counts only when it disagrees).
ADDRESS_FIELDS = ("street_number", "street", "address_line_2", "locality", "postcode")
#: Joins the match keys of a combination.
SEPARATOR = "\x1f"

#: Per record, the share of records holding the same combination of values of some
#: fields (NaN where a record lacks one of them or too few records have them all).
Shares = Callable[[tuple[str, ...]], np.ndarray]


def address_groups(comparisons: Sequence[Comparison]) -> tuple[tuple[str, ...], ...]:
    """The default correlated groups: the term-frequency comparisons of address fields."""
    members = tuple(c.name for c in comparisons
                    if c.term_frequency and c.field in ADDRESS_FIELDS)
    return (members,) if len(members) >= 2 else ()


def combinations_of(fields: Sequence[str]) -> list[tuple[str, ...]]:
    """Every combination of two or more of ``fields``, in their order.

    >>> combinations_of(["street", "locality", "postcode"])[-1]
    ('street', 'locality', 'postcode')
    """
    return [combo for size in range(2, len(fields) + 1)
            for combo in itertools.combinations(fields, size)]


def correlated_combinations(comparisons: Sequence[Comparison]) -> list[tuple[str, ...]]:
    """The field combinations whose counts the correlated groups of ``comparisons`` need."""
    by_name = {c.name: c for c in comparisons}
    return [combo for group in address_groups(comparisons)
            for combo in combinations_of([by_name[n].field for n in group])]


def combination_name(fields: Sequence[str]) -> str:
    """How a combination of fields is named in term counts: ``street+locality``."""
    return "+".join(fields)


def correlate(out: dict[str, np.ndarray], comparisons: Sequence[Comparison],
              row_l: np.ndarray, row_r: np.ndarray, shares: Shares, *,
              groups: Sequence[tuple[str, ...]] | None = None) -> None:
    """:func:`joint_frequencies` for each correlated group of ``comparisons`` (``groups``
    of comparison names; ``None``: :func:`address_groups`) whose term-frequency columns
    ``out`` holds."""
    by_name = {c.name: c for c in comparisons}
    for group in address_groups(comparisons) if groups is None else groups:
        members = [by_name[name] for name in group if name in by_name
                   and by_name[name].term_frequency and f"tf_{name}" in out]
        if len(members) >= 2:
            joint_frequencies(out, members, row_l, row_r, shares)


def joint_frequencies(out: dict[str, np.ndarray], members: Sequence[Comparison],
                      row_l: np.ndarray, row_r: np.ndarray, shares: Shares) -> None:
    """Rescale the ``tf_`` columns of ``out`` (in place) for correlated ``members``.

    For each pair agreeing exactly on two or more members (say street, town and
    postcode), the members' term frequencies are rescaled so that their product is the
    share of records holding that exact combination of values (``shares``), instead of
    the product of the separate shares, which treats a street and its town as
    independent and so counts the same evidence twice. The rarest member keeps its
    frequency; the others move towards 1 in proportion to their own evidence.
    Combinations no commoner than independence predicts are left as they are.
    """
    names = [c.name for c in members]
    exact = np.column_stack([out[f"gamma_{n}"] == 0 for n in names])
    tf = np.column_stack([np.asarray(out[f"tf_{n}"], dtype=np.float64) for n in names])
    exact &= ~np.isnan(tf)
    rows = np.flatnonzero(exact.sum(axis=1) >= 2)
    if len(rows) == 0:
        return
    masks = (exact[rows].astype(np.int64) << np.arange(len(names))).sum(axis=1)
    for mask in np.unique(masks):
        chosen = [i for i in range(len(names)) if mask >> i & 1]
        picked = rows[masks == mask]
        share = shares(tuple(members[i].field for i in chosen))
        joint = np.fmax(share[row_l[picked]], share[row_r[picked]])
        logs = np.log2(tf[np.ix_(picked, chosen)])
        rarest = np.argmin(logs, axis=1)
        lowest = logs[np.arange(len(picked)), rarest]
        others = logs.sum(axis=1) - lowest  # <= 0: the other members' evidence
        with np.errstate(divide="ignore", invalid="ignore"):
            wanted = np.log2(joint) - lowest  # <= 0: what the combination adds
            scale = np.where((others < 0) & ~np.isnan(wanted),
                             np.clip(wanted / others, 0.0, 1.0), 1.0)
        scaled = np.exp2(logs * scale[:, None])
        scaled[np.arange(len(picked)), rarest] = np.exp2(lowest)
        for position, i in enumerate(chosen):
            out[f"tf_{names[i]}"][picked] = scaled[:, position]


def combination_keys(keys: Sequence[np.ndarray]) -> list[str | None]:
    """Per record, its match ``keys`` of several fields joined (``None`` where one is
    ``None``: not valid)."""
    return [None if any(k is None for k in row) else SEPARATOR.join(row)
            for row in zip(*keys)]


def combination_counts(codes: Sequence[np.ndarray], keys: Sequence[np.ndarray]
                       ) -> tuple[dict[str, int], int]:
    """How many records hold each combination of several fields' match keys (spelt as
    :func:`combination_keys` does), for combinations held twice or more; and how many
    records have all of the fields. ``codes`` are the fields' value codes (``-1`` = not
    valid), ``keys`` their match keys."""
    combined, present = _combined_codes(codes)
    total = int(present.sum())
    if total == 0:
        return {}, 0
    counts = np.bincount(combined[present], minlength=int(combined.max()) + 1)
    repeated = np.flatnonzero(present & (counts[combined] >= 2))
    _, first = np.unique(combined[repeated], return_index=True)
    rows = repeated[first]
    picked = [np.asarray(k, dtype=object)[rows] for k in keys]
    return ({SEPARATOR.join(row): int(counts[combined[r]])
             for row, r in zip(zip(*picked), rows.tolist())}, total)


def combination_shares(codes: Sequence[np.ndarray], *, minimum: int) -> np.ndarray:
    """Per record, the share of records (among those with every field valid) that hold
    the same combination of value ``codes`` (``-1`` = not valid); NaN where a field is
    not valid, everywhere when fewer than ``minimum`` records have them all.

    >>> combination_shares([np.array([0, 0, 1, -1]), np.array([5, 5, 5, 5])], minimum=3)
    array([0.66666667, 0.66666667, 0.33333333,        nan])
    """
    combined, present = _combined_codes(codes)
    share = np.full(len(codes[0]), np.nan)
    if int(present.sum()) < minimum:
        return share
    counts = np.bincount(combined[present])
    share[present] = counts[combined[present]] / int(present.sum())
    return share


def _combined_codes(codes: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """One code per distinct combination of ``codes`` (``-1`` = not valid) and whether
    a record has every field."""
    present = np.logical_and.reduce([c >= 0 for c in codes])
    combined = np.zeros(len(codes[0]), dtype=np.int64)
    for code in codes:
        factorised, _ = pd.factorize(combined * (int(code.max()) + 2) + code + 1)
        combined = factorised.astype(np.int64)
    return combined, present
