"""Comparisons: one integer agreement level per field per pair (``-1`` = missing).

Level 0 is the strongest agreement; the last level is "else" (disagreement). Each
comparison computes its levels once per distinct pair of values, not per record pair,
unless nearly every pair is distinct and the comparison is cheap per pair: then finding
the distinct pairs would cost more than it saves. Edit distances are computed only
for pairs that a cheap lower bound does not already rule out, and name comparisons
read with swapped fields take their similarities from the swap test. The levels are
the same either way.
"""

from __future__ import annotations

import functools
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from dataclasses import field as dataclass_field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from goldenrec._correlated import combination_shares, correlate
from goldenrec._normalise._base import VALID
from goldenrec._processes import fork_map, worker_count
from goldenrec.errors import ConfigError

__all__ = [
    "Comparator",
    "Comparison",
    "DateComparison",
    "EmailComparison",
    "ExactComparison",
    "IdentifierComparison",
    "NameComparison",
    "StringComparison",
    "comparison_from_dict",
]

#: Level of a pair where one side has no valid value.
MISSING_LEVEL = -1
#: Level of a pair where neither side has a valid value.
BOTH_MISSING_LEVEL = -2
#: Fewest valid values from which term frequencies are estimated.
MIN_TERM_FREQUENCY_VALUES = 200


@dataclass(frozen=True)
class Comparison(ABC):
    """Base of all comparisons: a field and the levels it distinguishes.

    With ``term_frequency=True`` agreement on a rare value counts for more than
    agreement on a common one: the comparator reports each agreeing pair's value
    frequency and the scorer adjusts the level's weight by it.
    """

    field: str
    term_frequency: bool = dataclass_field(default=False, kw_only=True)
    kind: ClassVar[str] = "comparison"
    #: Whether two equal keys always get the first level (``exact``): then pairs whose
    #: keys are equal are not compared one by one. Built-in comparisons say yes.
    equal_is_first_level: ClassVar[bool] = False
    #: Estimated share of distinct value pairs above which a built-in comparison
    #: compares every pair instead of each distinct one (see :func:`_per_distinct_pair`).
    _direct_share: ClassVar[float | None] = None

    @property
    def name(self) -> str:
        return self.field

    @property
    @abstractmethod
    def labels(self) -> tuple[str, ...]:
        """Level labels, strongest agreement first; the last is ``else``."""

    @abstractmethod
    def _levels(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Levels for aligned arrays of distinct, non-missing key pairs."""

    def levels(self, left: Sequence[object], right: Sequence[object]) -> np.ndarray:
        """Levels for aligned key arrays; ``None`` on one side gives ``-1``, on both ``-2``."""
        left_s = pd.Series(list(left), dtype=object)
        right_s = pd.Series(list(right), dtype=object)
        codes, uniques = pd.factorize(pd.concat([left_s, right_s], ignore_index=True),
                                      use_na_sentinel=True)
        n = len(left_s)
        return self.levels_of_codes(codes[:n].astype(np.int64), codes[n:].astype(np.int64),
                                    np.asarray(uniques, dtype=object))

    def levels_of_codes(self, code_l: np.ndarray, code_r: np.ndarray,
                        values: np.ndarray) -> np.ndarray:
        """Levels for aligned codes into ``values`` (``-1`` = missing).

        Each distinct pair of codes is compared once: this is how the comparator scores
        millions of record pairs that share far fewer distinct value pairs.
        """
        out = np.full(len(code_l), MISSING_LEVEL, dtype=np.int8)
        out[(code_l < 0) & (code_r < 0)] = BOTH_MISSING_LEVEL
        present = (code_l >= 0) & (code_r >= 0)
        if not present.any():
            return out
        if self.equal_is_first_level:
            equal = present & (code_l == code_r)
            out[equal] = 0
            present &= ~equal
            if not present.any():
                return out
        # built-in comparisons are cheap per pair: where nearly every pair is distinct
        # they compare all of them rather than hash them to find the distinct ones
        share = self._direct_share if type(self) in _BUILT_IN else None
        out[present] = _per_distinct_pair(
            code_l[present], code_r[present], len(values),
            functools.partial(self._distinct_levels, values), share)
        return out

    def _distinct_levels(self, values: np.ndarray, left: np.ndarray,
                         right: np.ndarray) -> np.ndarray:
        """Levels of the value pairs ``(values[left], values[right])``.

        Comparisons that derive something from each value (a date, a user name) override
        this to derive it once per value rather than once per pair.
        """
        return self._levels(values[left], values[right])

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.kind}
        for item in fields(self):
            value = getattr(self, item.name)
            data[item.name] = list(value) if isinstance(value, tuple) else value
        return data


def _distinct_pairs(pair_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each pair's index into the distinct pair codes, and those codes (by hashing:
    millions of pairs share far fewer distinct value pairs, and no sort is needed)."""
    inverse, distinct = pd.factorize(pair_codes)
    return np.asarray(inverse, dtype=np.int64), np.asarray(distinct, dtype=np.int64)


#: Estimated shares of distinct pairs above which comparisons compare every pair rather
#: than hash them to compare each distinct one once (measured at a million records):
#: Jaro–Winkler costs about three times the hashing of a pair; exact comparisons and
#: bounded edit distances (:func:`_edit_distance_of`) about as much as the hashing.
SIMILARITY_DIRECT_SHARE = 0.7
_CHEAP_DIRECT_SHARE = 0.3
#: Values (one in this many, a power of two) whose pairs estimate the share of
#: distinct pairs.
SHARE_SAMPLE_EVERY = 16
#: Fewest sampled pairs from which that share is estimated (fewer: pairs are hashed).
SHARE_SAMPLE_MIN = 2_000


def _distinct_share(code_l: np.ndarray, code_r: np.ndarray, width: int) -> float:
    """An estimate of the share of distinct pairs among aligned codes into ``width``
    values, from the pairs whose left value is one of a sample of the values: they
    include every repeat of their pairs, so repeats are not missed as they would be in
    a sample of pairs. ``0.0`` when there are too few pairs to tell."""
    n = len(code_l)
    if n < SHARE_SAMPLE_MIN * SHARE_SAMPLE_EVERY or width * width <= n // 4:
        return 0.0  # few pairs, or few enough distinct ones: hashing costs little
    # a multiplicative hash spreads the sample over the codes
    sampled = ((code_l * 0x9E3779B1) >> 7) & (SHARE_SAMPLE_EVERY - 1) == 0
    pair_codes = code_l[sampled] * width + code_r[sampled]
    if len(pair_codes) < SHARE_SAMPLE_MIN:
        return 0.0
    return len(pd.unique(pair_codes)) / len(pair_codes)


def _per_distinct_pair(code_l: np.ndarray, code_r: np.ndarray, width: int,
                       compare: Callable[[np.ndarray, np.ndarray], np.ndarray],
                       direct_share: float | None) -> np.ndarray:
    """``compare(code_l, code_r)`` for aligned codes (``>= 0``) into ``width`` values,
    computed once per distinct pair of codes; or straight for all pairs when their
    estimated share of distinct pairs is above ``direct_share`` (then hashing them
    would cost more than it saves; the result is the same)."""
    if direct_share is not None and _distinct_share(code_l, code_r, width) > direct_share:
        return compare(code_l, code_r)
    width = max(width, 1)
    inverse, distinct = _distinct_pairs(code_l * width + code_r)
    result: np.ndarray = compare(distinct // width, distinct % width)[inverse]
    return result


def _threshold_levels(scores: np.ndarray, exact: np.ndarray,
                      thresholds: Sequence[float]) -> np.ndarray:
    levels = np.full(len(scores), len(thresholds) + 1, dtype=np.int8)
    for position in range(len(thresholds) - 1, -1, -1):
        levels[scores >= thresholds[position]] = position + 1
    levels[exact] = 0
    return levels


def _jaro_winkler(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    return np.asarray(process.cpdist(list(left), list(right),
                                     scorer=JaroWinkler.normalized_similarity, workers=-1),
                      dtype=np.float64)


def _edit_distance(left: np.ndarray, right: np.ndarray, limit: int) -> np.ndarray:
    """Damerau–Levenshtein distance, exact up to ``limit``; ``limit + 1`` beyond it
    (the kernel stops early there, which is most of the pairs)."""
    return np.asarray(process.cpdist(list(left), list(right),
                                     scorer=DamerauLevenshtein.distance,
                                     score_cutoff=limit, workers=-1),
                      dtype=np.int64)


#: Fewest pairs for which :func:`_edit_distance_of` bounds distances before computing them.
BOUND_MIN_PAIRS = 10_000
#: Character classes counted per value for the lower bound of edit distances.
_CHARACTER_CLASSES = 16
_BYTE_BITS = np.array([bin(byte).count("1") for byte in range(256)], dtype=np.int64)


def _all_text(values: np.ndarray) -> bool:
    return all(isinstance(value, str) for value in values)


def _popcount(bits: np.ndarray) -> np.ndarray:
    """Set bits per ``uint64``."""
    count = getattr(np, "bitwise_count", None)  # numpy >= 2
    if count is not None:
        counted: np.ndarray = count(bits).astype(np.int64)
        return counted
    return np.asarray(_BYTE_BITS[bits.view(np.uint8)].reshape(-1, 8).sum(axis=1))


class _CharacterProfile:
    """What bounds the edit distance of two strings from below, per string: its length,
    which of 64 character classes it holds (a bit mask) and how many characters of
    each of :data:`_CHARACTER_CLASSES` classes it has (up to 255).

    An insertion, deletion, substitution or transposition changes the characters one
    string has more than the other by at most one, so the larger of those two counts
    (over classes of characters, which only lowers it) is at most the distance.
    """

    def __init__(self, texts: np.ndarray) -> None:
        """``texts``: an object array of strings."""
        n = len(texts)
        self.lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
        points = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"),
                               dtype=np.uint32).astype(np.int64)
        owner = np.repeat(np.arange(n, dtype=np.int64), self.lengths)
        present = np.zeros((n, 64), dtype=bool)
        present[owner, points % 64] = True
        self.masks = np.packbits(present, axis=1, bitorder="little").view(np.uint64).ravel()
        counts = np.bincount(owner * _CHARACTER_CLASSES + points % _CHARACTER_CLASSES,
                             minlength=n * _CHARACTER_CLASSES)
        self.counts = np.minimum(counts, 255).astype(np.int16).reshape(n, _CHARACTER_CLASSES)

    def may_be_within(self, left: np.ndarray, right: np.ndarray, limit: int) -> np.ndarray:
        """Per pair of positions, whether the distance may be ``limit`` or less."""
        mask_l, mask_r = self.masks[left], self.masks[right]
        bound = np.maximum(_popcount(mask_l & ~mask_r), _popcount(mask_r & ~mask_l))
        bound = np.maximum(bound, np.abs(self.lengths[left] - self.lengths[right]))
        maybe = bound <= limit
        candidates = np.flatnonzero(maybe)
        for start in range(0, len(candidates), 1 << 20):  # bounded memory
            chunk = candidates[start:start + (1 << 20)]
            difference = self.counts[left[chunk]] - self.counts[right[chunk]]
            surplus = np.maximum(difference, 0).sum(axis=1)
            deficit = surplus - difference.sum(axis=1)
            maybe[chunk] = np.maximum(surplus, deficit) <= limit
        result: np.ndarray = maybe
        return result


def _edit_distance_of(values: np.ndarray, left: np.ndarray, right: np.ndarray,
                      limit: int) -> np.ndarray:
    """``_edit_distance(values[left], values[right], limit)``, computed only for the pairs
    of strings that a cheap lower bound (:class:`_CharacterProfile`) does not already put
    beyond ``limit``: most pairs, for the few edits the comparisons allow."""
    if len(left) < BOUND_MIN_PAIRS:
        return _edit_distance(values[left], values[right], limit)
    used = np.zeros(len(values), dtype=bool)
    used[left] = True
    used[right] = True
    subset = np.flatnonzero(used)
    texts = values[subset]
    # profiling a value costs about as much as bounding a pair
    if len(subset) * 2 > len(left) or not _all_text(texts):
        return _edit_distance(values[left], values[right], limit)
    position = np.zeros(len(values), dtype=np.int64)
    position[subset] = np.arange(len(subset))
    maybe = np.flatnonzero(_CharacterProfile(texts).may_be_within(
        position[left], position[right], limit))
    out = np.full(len(left), limit + 1, dtype=np.int64)
    out[maybe] = _edit_distance(values[left[maybe]], values[right[maybe]], limit)
    return out


def _codes_of(values: Sequence[object] | np.ndarray | pd.Series) -> np.ndarray:
    """Codes of equal values (``None`` and ``NaN`` are a value too)."""
    codes, _ = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64)


def _via_distinct(comparison: Comparison, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``_levels`` of a comparison whose real work is in ``_distinct_levels``."""
    values = np.concatenate([np.asarray(left, dtype=object), np.asarray(right, dtype=object)])
    n = len(left)
    return comparison._distinct_levels(values, np.arange(n), np.arange(n, 2 * n))


@dataclass(frozen=True)
class ExactComparison(Comparison):
    """``exact`` or ``else``."""

    kind: ClassVar[str] = "exact"
    equal_is_first_level: ClassVar[bool] = True
    _direct_share: ClassVar[float | None] = _CHEAP_DIRECT_SHARE

    @property
    def labels(self) -> tuple[str, ...]:
        return ("exact", "else")

    def _levels(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        return np.where(left == right, 0, 1).astype(np.int8)


@dataclass(frozen=True)
class StringComparison(Comparison):
    """``exact``, then Jaro–Winkler similarity at each threshold, then ``else``."""

    thresholds: tuple[float, ...] = (0.92, 0.80)
    kind: ClassVar[str] = "string"
    equal_is_first_level: ClassVar[bool] = True
    _direct_share: ClassVar[float | None] = SIMILARITY_DIRECT_SHARE

    def __post_init__(self) -> None:
        if list(self.thresholds) != sorted(self.thresholds, reverse=True) or any(
            not 0 < t <= 1 for t in self.thresholds
        ):
            raise ConfigError("thresholds must be decreasing numbers in (0, 1]")

    @property
    def labels(self) -> tuple[str, ...]:
        return ("exact", *(f"jaro_winkler>={t:g}" for t in self.thresholds), "else")

    def _levels(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        return _threshold_levels(_jaro_winkler(left, right), left == right, self.thresholds)


@dataclass(frozen=True)
class NameComparison(StringComparison):
    """Person names: exact, close spelling, nickname, looser spelling, else.

    The nickname level (``Bob`` / ``Robert``, ``Liz`` / ``Elizabeth``) uses the
    ``<field>_canonical`` column the name normaliser writes; without it the level is
    never reached.

    With ``swap_with`` (e.g. ``NameComparison("first_name", swap_with="last_name")`` and
    its mirror), a pair whose given and family names are swapped on one side
    (``Smith Mason`` / ``Mason Smith``) is compared the way round that fits best; both
    comparisons decide the same way because they look at the same four values.
    """

    thresholds: tuple[float, ...] = (0.92, 0.80)
    swap_with: str | None = None
    kind: ClassVar[str] = "name"

    @property
    def labels(self) -> tuple[str, ...]:
        first, *rest = self.thresholds
        return ("exact", f"jaro_winkler>={first:g}", "nickname",
                *(f"jaro_winkler>={t:g}" for t in rest), "else")

    def _levels(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        key_l, canonical_l = _split_composite(left)
        key_r, canonical_r = _split_composite(right)
        return self._name_levels(key_l, canonical_l, key_r, canonical_r)

    def _distinct_levels(self, values: np.ndarray, left: np.ndarray,
                         right: np.ndarray) -> np.ndarray:
        keys, canonical = _split_composite(values)
        return self._name_levels(keys[left], canonical[left], keys[right], canonical[right])

    def _name_levels(self, key_l: np.ndarray, canonical_l: np.ndarray, key_r: np.ndarray,
                     canonical_r: np.ndarray) -> np.ndarray:
        nickname = (canonical_l == canonical_r) & np.array(
            [c is not None for c in canonical_l], dtype=bool)
        return self._levels_of_scores(_jaro_winkler(key_l, key_r), key_l == key_r, nickname)

    def _levels_of_scores(self, scores: np.ndarray, same_key: np.ndarray,
                          nickname: np.ndarray) -> np.ndarray:
        """Levels from the keys' similarities, whether the keys are equal and whether the
        names have the same canonical form."""
        first, *rest = self.thresholds
        levels = np.full(len(scores), len(self.labels) - 1, dtype=np.int8)
        for position in range(len(rest) - 1, -1, -1):
            levels[scores >= rest[position]] = position + 3
        levels[nickname] = 2
        levels[scores >= first] = 1
        levels[same_key] = 0
        return levels


@dataclass(frozen=True)
class IdentifierComparison(Comparison):
    """Identifiers, phones, postcodes: exact, up to ``max_edits`` typos, else."""

    max_edits: int = 1
    kind: ClassVar[str] = "identifier"
    equal_is_first_level: ClassVar[bool] = True
    _direct_share: ClassVar[float | None] = _CHEAP_DIRECT_SHARE

    @property
    def labels(self) -> tuple[str, ...]:
        return ("exact", *(f"edits<={k}" for k in range(1, self.max_edits + 1)), "else")

    def _levels(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        distance = _edit_distance(left, right, self.max_edits)
        levels = np.where(distance <= self.max_edits, distance, self.max_edits + 1)
        return levels.astype(np.int8)

    def _distinct_levels(self, values: np.ndarray, left: np.ndarray,
                         right: np.ndarray) -> np.ndarray:
        if type(self)._levels is not IdentifierComparison._levels:  # a subclass's own
            return super()._distinct_levels(values, left, right)
        distance = _edit_distance_of(values, left, right, self.max_edits)
        levels = np.where(distance <= self.max_edits, distance, self.max_edits + 1)
        return levels.astype(np.int8)


@dataclass(frozen=True)
class DateComparison(Comparison):
    """ISO dates: exact, one typo or day/month swapped, within ``max_days``, else."""

    max_days: int = 365
    kind: ClassVar[str] = "date"
    equal_is_first_level: ClassVar[bool] = True
    _direct_share: ClassVar[float | None] = _CHEAP_DIRECT_SHARE

    @property
    def labels(self) -> tuple[str, ...]:
        return ("exact", "typo_or_swap", f"within_{self.max_days}_days", "else")

    def _levels(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        return _via_distinct(self, left, right)

    def _distinct_levels(self, values: np.ndarray, left: np.ndarray,
                         right: np.ndarray) -> np.ndarray:
        text = pd.Series(values, dtype=object).astype(str)
        # equal parts by their codes (month and day share theirs): no string compared per pair
        year = _codes_of(text.str[:4])
        month_day = _codes_of(pd.concat([text.str[5:7], text.str[8:10]], ignore_index=True))
        month, day = month_day[:len(text)], month_day[len(text):]
        swapped = ((year[left] == year[right]) & (month[left] == day[right])
                   & (day[left] == month[right]))
        parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        ordinal = parsed.to_numpy(dtype="datetime64[D]").astype(np.int64).astype(np.float64)
        ordinal[parsed.isna().to_numpy()] = np.nan
        days = np.abs(ordinal[left] - ordinal[right])
        close = days <= self.max_days  # NaN compares False
        plain = text.to_numpy(dtype=object)
        same = _codes_of(plain)
        equal = same[left] == same[right]
        out = np.full(len(left), 3, dtype=np.int8)
        out[close] = 2
        typo = np.flatnonzero(~equal & ~swapped)  # the others' level does not depend on it
        out[typo[_edit_distance_of(plain, left[typo], right[typo], 1) <= 1]] = 1
        out[swapped] = 1
        out[equal] = 0
        return out


@dataclass(frozen=True)
class EmailComparison(Comparison):
    """Email match keys: exact, same user name at another domain, a typo or two, else.

    Similarity over whole addresses is avoided on purpose: ``lchen@126.com`` and
    ``li.chen@163.com`` look alike but say little; a typo level needs at most
    ``max_edits`` edits (``nw54@buckley.info`` / ``nw5n@buckley.i4fo`` is two) and the
    same digits in the same order (``jan.berzins20@`` and ``jan.berzins@`` are usually
    two people).
    """

    max_edits: int = 2
    kind: ClassVar[str] = "email"
    equal_is_first_level: ClassVar[bool] = True
    _direct_share: ClassVar[float | None] = _CHEAP_DIRECT_SHARE

    @property
    def labels(self) -> tuple[str, ...]:
        return ("exact", "same_user_name", f"edits<={self.max_edits}", "else")

    def _levels(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        return _via_distinct(self, left, right)

    def _distinct_levels(self, values: np.ndarray, left: np.ndarray,
                         right: np.ndarray) -> np.ndarray:
        if not _all_text(values):
            user = np.array([str(v).rsplit("@", 1)[0] for v in values], dtype=object)
            digits = np.array(["".join(filter(str.isdigit, str(v))) for v in values],
                              dtype=object)
            typo = ((_edit_distance(values[left], values[right], self.max_edits)
                     <= self.max_edits) & (digits[left] == digits[right]))
            levels = np.where(typo, 2, 3).astype(np.int8)
            levels[user[left] == user[right]] = 1
            levels[values[left] == values[right]] = 0
            return levels
        # per value: codes of the address, its user name and its digits; edit distances
        # only where they can change the level (same digits, another user name)
        user = _codes_of([v.rsplit("@", 1)[0] for v in values])
        digits = _codes_of(["".join(filter(str.isdigit, v)) for v in values])
        same_user = user[left] == user[right]
        levels = np.full(len(left), 3, dtype=np.int8)
        typo = np.flatnonzero(~same_user & (digits[left] == digits[right]))
        distance = _edit_distance_of(values, left[typo], right[typo], self.max_edits)
        levels[typo[distance <= self.max_edits]] = 2
        levels[same_user] = 1
        same = _codes_of(values)
        levels[same[left] == same[right]] = 0
        return levels


_SEPARATOR = "\x1f"
#: Candidate pairs from which :class:`Comparator` may use worker processes.
PARALLEL_MIN_PAIRS = 1_000_000
logger = logging.getLogger(__name__)


def _split_composite(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``key\x1fcanonical`` values into a key array and a canonical array."""
    parts = pd.Series(values, dtype=object).astype(str).str.partition(_SEPARATOR)
    keys: np.ndarray = parts[0].to_numpy(dtype=object)
    canonical: np.ndarray = parts[2].where(parts[1] != "", None).to_numpy(dtype=object)
    return keys, canonical


class _KeyColumns:
    """Match keys of valid values per field as integer codes, each built once.

    ``codes(fields)`` factorises the keys of one or more fields into one shared set of
    values (so swapped name fields can be compared across columns), ``-1`` where a record
    has no valid value. With ``canonical``, a name field's keys are ``key\x1fcanonical``
    (when the records have a ``<field>_canonical`` column) so the nickname level can see
    both.
    """

    def __init__(self, records: pd.DataFrame) -> None:
        self.records = records
        self._keys: dict[tuple[str, bool], pd.Series] = {}
        self._codes: dict[tuple[tuple[str, ...], bool], tuple[np.ndarray, np.ndarray]] = {}

    def keys(self, field: str, *, canonical: bool = False, needed_by: str = "") -> pd.Series:
        if (field, canonical) in self._keys:
            return self._keys[(field, canonical)]
        records = self.records
        key_col = f"{field}_key"
        if key_col not in records.columns:
            raise ConfigError(
                f"comparison {needed_by or field!r} needs field {field!r}, "
                "which the records do not have"
            )
        keys_series = records[key_col].astype(object)
        canonical_col = f"{field}_canonical"
        if canonical and canonical_col in records.columns:
            alias = records[canonical_col].fillna(records[key_col]).astype(object)
            keys_series = keys_series + _SEPARATOR + alias
        keys: pd.Series = keys_series.where(records[f"{field}_status"] == VALID, None)
        self._keys[(field, canonical)] = keys
        return keys

    def get(self, field: str, *, canonical: bool = False, needed_by: str = "") -> np.ndarray:
        """A field's match keys per record as an object array (``None`` where invalid)."""
        keys: np.ndarray = self.keys(field, canonical=canonical,
                                     needed_by=needed_by).to_numpy(dtype=object)
        return keys

    def codes(self, fields: tuple[str, ...], *, canonical: bool = False,
              needed_by: str = "") -> tuple[np.ndarray, np.ndarray]:
        """Per field, codes stacked ``(len(fields), n_records)``; and the shared values."""
        if (fields, canonical) in self._codes:
            return self._codes[(fields, canonical)]
        if (fields[::-1], canonical) in self._codes:  # the same values, the other way round
            codes, values = self._codes[(fields[::-1], canonical)]
            return codes[::-1], values
        stacked = pd.concat([self.keys(f, canonical=canonical, needed_by=needed_by)
                             for f in fields], ignore_index=True)
        codes, uniques = pd.factorize(stacked, use_na_sentinel=True)
        result = (np.asarray(codes, dtype=np.int64).reshape(len(fields), -1),
                  np.asarray(uniques, dtype=object))
        self._codes[(fields, canonical)] = result
        return result


def _distinct_similarity(code_l: np.ndarray, code_r: np.ndarray,
                         values: np.ndarray) -> np.ndarray:
    """Jaro–Winkler per aligned code pair (0 where either is missing, 1 where both are
    the same value), once per distinct pair of other values."""
    out = np.zeros(len(code_l))
    present = (code_l >= 0) & (code_r >= 0)
    equal = present & (code_l == code_r)
    out[equal] = 1.0
    present &= ~equal
    if present.any():
        out[present] = _per_distinct_pair(
            code_l[present], code_r[present], len(values),
            lambda left, right: _jaro_winkler(values[left], values[right]),
            SIMILARITY_DIRECT_SHARE)
    return out


#: How much better the swapped reading must fit before it is used.
SWAP_MARGIN = 0.15


def _swap_test(codes: np.ndarray, values: np.ndarray, row_l: np.ndarray,
               row_r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, whether the right record's two name fields fit better swapped
    (``codes`` holds the two fields' codes, shape ``(2, n_records)``, into ``values``),
    and the Jaro–Winkler similarity of each of the two fields in
    the reading chosen (shape ``(2, n_pairs)``; 0 where a side is missing)."""
    first, second = codes[0], codes[1]
    scores = np.stack([_distinct_similarity(first[row_l], first[row_r], values),
                       _distinct_similarity(second[row_l], second[row_r], values)])
    bound = scores[0] + scores[1] + SWAP_MARGIN
    result = np.zeros(len(row_l), dtype=bool)
    # similarities are at most 1, so the crossed sum (``half + other``) is at most 2 and
    # at most ``half + 1``: pairs it cannot exceed the bound by are not compared further
    open_pairs = np.flatnonzero(bound < 2.0)
    left, right = row_l[open_pairs], row_r[open_pairs]
    half = _distinct_similarity(first[left], second[right], values)
    still = half + 1.0 > bound[open_pairs]
    open_pairs, left, right, half = open_pairs[still], left[still], right[still], half[still]
    other = _distinct_similarity(second[left], first[right], values)
    swapped = half + other > bound[open_pairs]
    chosen = open_pairs[swapped]
    result[chosen] = True
    scores[0, chosen] = half[swapped]
    scores[1, chosen] = other[swapped]
    return result, scores


def _pair_frequencies(codes: np.ndarray, row_l: np.ndarray, row_r: np.ndarray,
                      levels: np.ndarray, n_levels: int) -> np.ndarray:
    """Per pair, the larger value frequency of the two sides where the pair agrees.

    ``codes`` are the field's value codes per record (``-1`` = no valid value).
    Frequencies from fewer than :data:`MIN_TERM_FREQUENCY_VALUES` values are too noisy
    to use: then every pair gets ``NaN`` (no adjustment).
    """
    present = codes >= 0
    n_present = int(present.sum())
    if n_present < MIN_TERM_FREQUENCY_VALUES:
        return np.full(len(row_l), np.nan)
    counts = np.bincount(codes[present])
    frequency = np.full(len(codes), np.nan)
    frequency[present] = counts[codes[present]] / n_present
    agree = (levels >= 0) & (levels < n_levels - 1)
    out = np.full(len(row_l), np.nan)
    out[agree] = np.fmax(frequency[row_l[agree]], frequency[row_r[agree]])
    return out


def _local_shares(columns: _KeyColumns, fields: tuple[str, ...]) -> np.ndarray:
    return combination_shares([columns.codes((f,))[0][0] for f in fields],
                              minimum=MIN_TERM_FREQUENCY_VALUES)


_KINDS: dict[str, type[Comparison]] = {
    cls.kind: cls
    for cls in (ExactComparison, StringComparison, NameComparison, IdentifierComparison,
                DateComparison, EmailComparison)
}
#: The comparisons whose cost per pair is known (small): they may skip hashing pairs.
_BUILT_IN = frozenset(_KINDS.values())


def comparison_from_dict(data: dict[str, Any]) -> Comparison:
    kind = data.get("type")
    cls = _KINDS.get(str(kind))
    if cls is None:
        raise ConfigError(f"unknown comparison type {kind!r}")
    args = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k != "type"}
    try:
        return cls(**args)  # type: ignore[arg-type]
    except TypeError:
        raise ConfigError(f"bad settings for comparison type {kind!r}") from None


@dataclass(frozen=True)
class Comparator:
    """Apply comparisons to candidate pairs: one ``gamma_<name>`` column each.

    Comparisons with ``term_frequency`` also get a ``tf_<name>`` column: for pairs that
    agree at some level, the share of records holding the more frequent of the two
    values (``NaN`` elsewhere). ``correlated`` names groups of such comparisons whose
    joint agreement counts as one combination (see :mod:`goldenrec._correlated`);
    ``None`` (the default) groups the address fields, ``()`` groups nothing.
    """

    comparisons: tuple[Comparison, ...] = dataclass_field(default_factory=tuple)
    correlated: tuple[tuple[str, ...], ...] | None = dataclass_field(default=None,
                                                                     kw_only=True)
    #: Processes for the comparisons of many pairs (from :data:`PARALLEL_MIN_PAIRS`;
    #: ``None`` or ``-1``: every CPU); the levels are the same with any number.
    n_jobs: int | None = dataclass_field(default=1, kw_only=True)

    def compare_each(self, pair_sets: Sequence[pd.DataFrame], records: pd.DataFrame
                     ) -> list[pd.DataFrame]:
        """:meth:`compare` for several sets of pairs of the same records, in one pass:
        the same levels as one call per set, but the worker processes share all the
        work (e.g. the candidate pairs and the random pairs that estimate ``u``).

        >>> records = pd.DataFrame({"email_key": ["a@x.org", "a@x.org", "b@y.org"],
        ...                         "email_status": ["valid"] * 3})
        >>> pairs = pd.DataFrame({"row_l": [0], "row_r": [1]})
        >>> sample = pd.DataFrame({"row_l": [0, 1], "row_r": [2, 2]})
        >>> comparator = Comparator((ExactComparison("email"),))
        >>> gamma, sample_gamma = comparator.compare_each([pairs, sample], records)
        >>> len(gamma), int(gamma["gamma_email"].iloc[0]), int(sample_gamma["gamma_email"].min())
        (1, 0, 1)
        """
        if len(pair_sets) <= 1:
            return [self.compare(part, records) for part in pair_sets]
        rows = pd.DataFrame({
            side: np.concatenate([part[side].to_numpy(dtype=np.int64) for part in pair_sets])
            for side in ("row_l", "row_r")})
        gamma = self.compare(rows, records)
        ends = np.cumsum([len(part) for part in pair_sets])
        return [gamma.iloc[end - len(part):end].set_axis(part.index, axis=0)
                for part, end in zip(pair_sets, ends.tolist())]

    def compare(self, pairs: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
        if not self.comparisons:
            raise ConfigError("at least one comparison is needed")
        names = [c.name for c in self.comparisons]
        if len(set(names)) != len(names):
            raise ConfigError("comparison names must be unique")
        row_l = pairs["row_l"].to_numpy()
        row_r = pairs["row_r"].to_numpy()
        columns = _KeyColumns(records)
        work: list[_Work] = []
        for comparison in self.comparisons:  # codes first: shared, each built once
            is_name = isinstance(comparison, NameComparison)
            other = getattr(comparison, "swap_with", None)
            swap = None
            if other is None:
                field_codes, values = columns.codes((comparison.field,), canonical=is_name,
                                                    needed_by=comparison.name)
                codes = field_codes[0]
            else:
                group = (comparison.field, other)
                ordered = tuple(sorted(group))
                plain, plain_values = columns.codes(ordered)
                both, values = columns.codes(group, canonical=True,
                                             needed_by=comparison.name)
                codes = both[0]
                swap = _Swap(ordered, plain, plain_values, both[1])
            reading = None
            if swap is not None and type(comparison) is NameComparison:
                reading = _NameReading.of(comparison.field, codes, values, swap)
            plain_codes = (columns.codes((comparison.field,))[0][0]
                           if comparison.term_frequency else None)
            work.append(_Work(comparison, codes, values, swap, plain_codes, reading))
        out: dict[str, np.ndarray] = {}
        for item, (levels, frequencies) in zip(work, self._levels(work, row_l, row_r)):
            out[f"gamma_{item.comparison.name}"] = levels
            if frequencies is not None:
                out[f"tf_{item.comparison.name}"] = frequencies
        correlate(out, self.comparisons, row_l, row_r,
                  functools.partial(_local_shares, columns), groups=self.correlated)
        gamma: pd.DataFrame = pd.DataFrame(out, index=pairs.index)
        return gamma

    def _levels(self, work: list[_Work], row_l: np.ndarray, row_r: np.ndarray
                ) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """Each comparison's levels and term frequencies, in worker processes when there
        are many pairs. Name comparisons read with their fields swapped go together:
        they share the (costly) swap test of each pair."""
        tasks: dict[object, list[int]] = {}
        for index, item in enumerate(work):
            tasks.setdefault(item.swap.fields if item.swap else index, []).append(index)
        groups = list(tasks.values())

        def run(group: list[int]) -> list[tuple[np.ndarray, np.ndarray | None]]:
            swap = work[group[0]].swap
            test = swap.test(row_l, row_r) if swap is not None else None
            return [work[i].levels(row_l, row_r, test) for i in group]

        workers = worker_count(self.n_jobs) if len(row_l) >= PARALLEL_MIN_PAIRS else 1
        found: list[list[tuple[np.ndarray, np.ndarray | None]]] | None = None
        if workers > 1 and len(groups) > 1:
            # the heaviest first: workers then finish at about the same time
            groups.sort(key=lambda g: -sum(work[i].cost() for i in g))
            try:
                found = fork_map(lambda i: run(groups[i]), len(groups), workers)
            except Exception as error:  # a broken pool must not stop a run
                logger.warning("worker processes failed (%s); comparing in one process",
                               type(error).__name__)
        if found is None:
            found = [run(group) for group in groups]
        by_item = {i: result for group, results in zip(groups, found)
                   for i, result in zip(group, results)}
        return [by_item[i] for i in range(len(work))]


@dataclass(frozen=True)
class _Swap:
    """Two name fields that may be swapped (``fields``, sorted): their plain codes into
    ``values`` (shape ``(2, n_records)``), and the other field's codes in the reading of
    the comparison that owns this (canonical names)."""

    fields: tuple[str, ...]
    plain: np.ndarray
    values: np.ndarray
    other: np.ndarray

    def test(self, row_l: np.ndarray, row_r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per pair, whether the right record's two fields fit better swapped; and the
        similarities of the fields so read (see :func:`_swap_test`)."""
        return _swap_test(self.plain, self.values, row_l, row_r)


@dataclass(frozen=True)
class _NameReading:
    """What a built-in :class:`NameComparison` with ``swap_with`` needs to take its levels
    from the swap test's similarities instead of computing them again: per record, the
    plain key codes (row 0: the comparison's field, row 1: the other field; ``-1``
    missing) and the codes of the canonical forms (``-1``: none or missing)."""

    index: int
    keys: np.ndarray
    canonical: np.ndarray

    @classmethod
    def of(cls, field: str, codes: np.ndarray, values: np.ndarray, swap: _Swap
           ) -> _NameReading | None:
        """From the comparison's codes into ``values`` (``key\x1fcanonical``); ``None``
        unless every record's key there is its plain key (as it is but for a key holding
        the separator)."""
        if not len(values):  # no valid names at all
            return None
        index = swap.fields.index(field)
        keys = swap.plain[[index, 1 - index]]
        composite = np.stack([codes, swap.other])
        present = composite >= 0
        key_part, canonical_part = _split_composite(values)
        if not (np.array_equal(present, keys >= 0) and bool(
                (key_part[composite[present]] == swap.values[keys[present]]).all())):
            return None
        canonical_codes, _ = pd.factorize(canonical_part, use_na_sentinel=True)
        canonical = np.where(present, np.asarray(canonical_codes, dtype=np.int64)[composite],
                             -1)
        return cls(index, keys, canonical)

    def levels(self, comparison: NameComparison, code_l: np.ndarray, code_r: np.ndarray, *,
               rows: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray]
               ) -> np.ndarray:
        """``comparison.levels_of_codes(code_l, code_r, values)`` for the pairs of records
        ``rows`` read as the swap test chose (``test``), from its similarities."""
        row_l, row_r = rows
        crossed, scores = test
        out = np.full(len(code_l), MISSING_LEVEL, dtype=np.int8)
        out[(code_l < 0) & (code_r < 0)] = BOTH_MISSING_LEVEL
        present = (code_l >= 0) & (code_r >= 0)
        equal = present & (code_l == code_r)
        out[equal] = 0
        rest = np.flatnonzero(present & ~equal)
        left, right = row_l[rest], row_r[rest]
        side = crossed[rest].astype(np.int64)  # the right record's other field if crossed
        same_key = self.keys[0, left] == self.keys[side, right]
        canonical_l = self.canonical[0, left]
        nickname = (canonical_l == self.canonical[side, right]) & (canonical_l >= 0)
        out[rest] = comparison._levels_of_scores(scores[self.index, rest], same_key, nickname)
        return out


@dataclass(frozen=True)
class _Work:
    """One comparison's inputs for :meth:`Comparator.compare`: the field's codes per
    record into ``values``, the swapped reading of name pairs and the codes of
    term-frequency counts."""

    comparison: Comparison
    codes: np.ndarray
    values: np.ndarray
    swap: _Swap | None
    plain_codes: np.ndarray | None
    #: for built-in name comparisons read with a swap: levels from the swap test
    reading: _NameReading | None = None

    def cost(self) -> int:
        """A rough weight for scheduling: comparisons that look inside values cost more
        (edit distances on long texts most; the swap test of names about as much)."""
        weight = {"email": 4, "date": 3, "identifier": 3, "name": 2}.get(self.comparison.kind, 1)
        return weight + (2 if self.swap is not None else 0)

    def levels(self, row_l: np.ndarray, row_r: np.ndarray,
               test: tuple[np.ndarray, np.ndarray] | None
               ) -> tuple[np.ndarray, np.ndarray | None]:
        """The levels per pair (``test``: the swap test's pairs read swapped and
        similarities, see :class:`_Swap`) and, for term-frequency comparisons, the
        frequencies."""
        codes = self.codes
        code_r = codes[row_r]
        if self.swap is not None and test is not None:
            code_r = np.where(test[0], self.swap.other[row_r], code_r)
        if (self.reading is not None and test is not None
                and isinstance(self.comparison, NameComparison)):
            levels = self.reading.levels(self.comparison, codes[row_l], code_r,
                                         rows=(row_l, row_r), test=test)
        else:
            levels = self.comparison.levels_of_codes(codes[row_l], code_r, self.values)
        frequencies = None
        if self.plain_codes is not None:
            frequencies = _pair_frequencies(self.plain_codes, row_l, row_r, levels,
                                            len(self.comparison.labels))
        return levels, frequencies
