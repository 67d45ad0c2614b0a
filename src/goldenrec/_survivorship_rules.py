"""Survivorship rules: immutable, JSON-serialisable specs that rank candidate values.

A rule gives every candidate (one record's value of one field, or one record's values
of a field group) a score; higher wins. The engine (:class:`~goldenrec.Survivorship`)
sorts each cluster's candidates by the rule, then by the rule's tie-break chain
(``then``), then by the record key, so the outcome never depends on row order.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import Indel

from goldenrec.errors import ConfigError

__all__ = [
    "Aggregate",
    "Candidates",
    "Closeness",
    "Custom",
    "Decay",
    "FieldGroup",
    "FieldStats",
    "FirstNonMissing",
    "Longest",
    "Maximum",
    "Minimum",
    "MostFrequent",
    "MostRecent",
    "Oldest",
    "Prevalence",
    "Shortest",
    "SourcePriority",
    "SourceTrust",
    "SurvivorshipRule",
    "group_from_dict",
    "rule_from_dict",
]

SECONDS_PER_DAY = 86_400.0
#: Scores are rounded to this many decimals, so equal scores tie exactly everywhere.
DECIMALS = 9
#: Clusters with more distinct values than this skip :class:`Closeness` (all score 0).
MAX_CLOSENESS_VALUES = 200
#: The characters ``str.split()`` splits on (``str.isspace``), for splitting with Arrow.
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003"
              "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_SPLIT = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]+"


@functools.cache
def arrow() -> tuple[Any, Any] | None:
    """``(pyarrow, pyarrow.compute)`` if pyarrow (optional) is installed, else ``None``:
    some steps are faster with it."""
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.compute")
    except ImportError:
        return None


class FrozenMapping(Mapping[str, float]):
    """A read-only, hashable mapping (so specs holding one stay immutable)."""

    __slots__ = ("_items",)

    def __init__(self, data: Mapping[str, float] | Iterable[tuple[str, float]] = ()) -> None:
        self._items = dict(data)

    def __getitem__(self, key: str) -> float:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._items.items())))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and self._items == dict(other)

    def __repr__(self) -> str:
        return repr(self._items)


# -- what rules see ------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class FieldStats:
    """Data-set-wide facts about one field, so one cluster ranks as in the full run.

    ``token_counts``: per word of the match keys, the number of clusters using it;
    ``as_of``: the latest valid ``updated_at`` (seconds since 1970, NaN if none);
    ``numeric``: every match key reads as a number; ``source_trust``: per source trust.
    """

    field: str
    token_counts: pd.Series
    as_of: float
    numeric: bool
    source_trust: Mapping[str, float]
    max_closeness_values: int = MAX_CLOSENESS_VALUES


class Candidates:
    """The candidate values of one field (or field group) in every cluster.

    ``frame`` has one row per record with a usable value: ``cluster`` (a code),
    ``row`` (the record's position), ``value``, ``match_key``, ``status``,
    ``n_invalid`` (invalid values in the candidate), ``source``, ``record_key``,
    ``rank`` (of the record's ``(source, record_key)``) and ``recency`` (seconds since
    1970 of ``updated_at``, NaN when unknown). Statistics are computed on demand;
    a field group passes its own (summed over its fields) in ``precomputed``.
    """

    def __init__(self, frame: pd.DataFrame, stats: FieldStats,
                 precomputed: Mapping[str, np.ndarray] | None = None) -> None:
        self.frame = frame.reset_index(drop=True)
        self.stats = stats
        self.precomputed = dict(precomputed or {})

    def __len__(self) -> int:
        return len(self.frame)

    def subset(self, rows: np.ndarray) -> Candidates:
        """The candidates at positions ``rows`` (whole clusters, for cluster-wise rules).

        Match key codes and support already computed are taken along: within whole
        clusters they group and count the same candidates.
        """
        given = dict(self.precomputed)
        for name in ("key_codes", "support"):
            if name not in given and name in self.__dict__:  # a cached property, computed
                given[name] = self.__dict__[name]
        part = Candidates(self.frame.iloc[rows], self.stats,
                          {name: values[rows] for name, values in given.items()})
        return part

    def _given(self, name: str) -> np.ndarray | None:
        return self.precomputed.get(name)

    @cached_property
    def key_codes(self) -> np.ndarray:
        """A code per distinct match key."""
        given = self._given("key_codes")
        if given is not None:
            return given
        codes, _ = pd.factorize(self.frame["match_key"].to_numpy(dtype=object))
        return np.asarray(codes, dtype=np.int64)

    @cached_property
    def support(self) -> np.ndarray:
        """How many records of the cluster hold the same match key."""
        given = self._given("support")
        if given is not None:
            return given
        if not len(self):
            return np.zeros(0, dtype=np.float64)
        combined = self.frame["cluster"].to_numpy(dtype=np.int64) * (
            int(self.key_codes.max()) + 1) + self.key_codes
        inverse, _ = pd.factorize(combined)  # hashing, faster than sorting
        counts = np.bincount(inverse)
        return counts[inverse].astype(np.float64)

    @cached_property
    def count(self) -> np.ndarray:
        """Agreement: records sharing the value (summed over a group's fields)."""
        given = self._given("count")
        return given if given is not None else self.support

    @cached_property
    def recency(self) -> np.ndarray:
        result: np.ndarray = self.frame["recency"].to_numpy(dtype=np.float64)
        return result

    @cached_property
    def n_invalid(self) -> np.ndarray:
        result: np.ndarray = self.frame["n_invalid"].to_numpy(dtype=np.float64)
        return result

    @cached_property
    def length(self) -> np.ndarray:
        """Characters of the display value (summed over a group's fields)."""
        given = self._given("length")
        if given is not None:
            return given
        result: np.ndarray = self.frame["value"].astype(str).str.len().to_numpy(dtype=np.float64)
        return result

    @cached_property
    def order_value(self) -> np.ndarray:
        """A number that sorts like the match key: the number itself, else a rank."""
        keys = self.frame["match_key"]
        result: np.ndarray
        if self.stats.numeric:
            result = pd.to_numeric(keys, errors="coerce").to_numpy(dtype=np.float64)
        else:
            result = keys.astype(str).rank(method="dense").to_numpy(dtype=np.float64)
        return result

    @cached_property
    def closeness(self) -> np.ndarray:
        """Sum, over the cluster's other records, of their similarity to this value."""
        given = self._given("closeness")
        if given is not None:
            return given
        return _closeness(self.frame["cluster"].to_numpy(dtype=np.int64), self.key_codes,
                          self.frame["match_key"].to_numpy(dtype=object),
                          self.stats.max_closeness_values)

    @cached_property
    def prevalence(self) -> np.ndarray:
        """Mean log count, over the value's words, of clusters using each word."""
        given = self._given("prevalence")
        if given is not None:
            return given
        return _prevalence(self.frame["match_key"].to_numpy(dtype=object),
                           self.stats.token_counts)

    def public_frame(self) -> pd.DataFrame:
        """What a :class:`Custom` function gets: one row per candidate."""
        out = self.frame[["cluster", "value", "match_key", "status", "source", "record_key",
                          "recency"]].copy()
        out["count"] = self.count
        result: pd.DataFrame = out
        return result


def _closeness(cluster: np.ndarray, codes: np.ndarray, keys: np.ndarray,
               limit: int) -> np.ndarray:
    n = len(cluster)
    out = np.zeros(n, dtype=np.float64)
    if n < 2:
        return out
    distinct = pd.DataFrame({"cluster": cluster, "code": codes})
    distinct["key"] = keys
    table = distinct.groupby(["cluster", "code"], sort=False).agg(
        key=("key", "first"), weight=("key", "size")).reset_index()
    sizes = table.groupby("cluster")["code"].transform("size").to_numpy()
    table = table[(sizes >= 2) & (sizes <= limit)]
    if not len(table):
        return out
    pairs = table.merge(table, on="cluster", suffixes=("", "_o"))
    pairs = pairs[pairs["code"] != pairs["code_o"]]
    similarity = process.cpdist(pairs["key"].astype(str).tolist(),
                                pairs["key_o"].astype(str).tolist(),
                                scorer=Indel.normalized_similarity, workers=1)
    # integer sums (in units of 10^-DECIMALS) do not depend on the order of the rows
    units = np.rint(np.asarray(similarity, dtype=np.float64) * 10.0 ** DECIMALS)
    pairs = pairs.assign(score=units.astype(np.int64)
                         * pairs["weight_o"].to_numpy(dtype=np.int64))
    summed = pairs.groupby(["cluster", "code"])["score"].sum()
    index = pd.MultiIndex.from_arrays([cluster, codes])
    values = summed.reindex(index).to_numpy(dtype=np.float64) / 10.0 ** DECIMALS
    result: np.ndarray = np.nan_to_num(values, nan=0.0)
    return result


def _prevalence(keys: np.ndarray, token_counts: pd.Series) -> np.ndarray:
    if not len(keys):
        return np.zeros(0, dtype=np.float64)
    codes, uniques = pd.factorize(keys)
    lengths, word_codes, distinct = split_words(np.asarray(uniques, dtype=object))
    # one row per word, labelled by its key (a key without words scores 0, as below)
    words = pd.Series(distinct[word_codes], dtype=object,
                      index=np.repeat(np.arange(len(uniques)), lengths))
    counts = words.map(token_counts).astype(np.float64).fillna(1.0).clip(lower=1.0)
    logs = pd.Series(np.log(counts.to_numpy(dtype=np.float64)), index=counts.index)
    means = logs.groupby(level=0).mean().reindex(range(len(uniques))).fillna(
        0.0).to_numpy(dtype=np.float64)
    result: np.ndarray = means[codes]
    return result


def unique_pairs(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The distinct rows of two non-negative integer columns, sorted (an ``n × 2`` array)."""
    a = np.asarray(first, dtype=np.int64)
    b = np.asarray(second, dtype=np.int64)
    if not len(a):
        return np.zeros((0, 2), dtype=np.int64)
    width = int(b.max()) + 1
    combined = pd.unique(a * width + b)  # hashing, faster than sorting everything
    combined.sort()
    return np.column_stack([combined // width, combined % width])


def token_counts(cluster: np.ndarray, keys: np.ndarray,
                 factorized: tuple[np.ndarray, np.ndarray] | None = None) -> pd.Series:
    """Per word of the match keys, the number of clusters that use it (``factorized``:
    ``pd.factorize(keys)`` if already known)."""
    if not len(keys):
        return pd.Series(dtype=np.int64)
    codes, uniques = factorized if factorized is not None else pd.factorize(keys)
    lengths, word_codes, words = split_words(np.asarray(uniques, dtype=object))
    offsets = np.r_[0, np.cumsum(lengths)[:-1]]
    pairs = unique_pairs(cluster, codes)
    per_pair = lengths[pairs[:, 1]]
    total = int(per_pair.sum())
    within = np.arange(total) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    word_of = word_codes[np.repeat(offsets[pairs[:, 1]], per_pair) + within]
    used = unique_pairs(np.repeat(pairs[:, 0], per_pair), word_of)
    counts = np.bincount(used[:, 1], minlength=len(words)) if len(used) else np.zeros(
        len(words), dtype=np.int64)
    result: pd.Series = pd.Series(counts, index=pd.Index(words, dtype=object), dtype=np.int64)
    return result


def split_words(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The words of each text as ``str(text).split()`` gives them: the number of words
    per text, a code per word (all texts' words in order) and the distinct words (in
    order of first use).

    >>> lengths, codes, words = split_words(np.array(["a b", "b"], dtype=object))
    >>> lengths.tolist(), codes.tolist(), words.tolist()
    ([2, 1], [0, 1, 1], ['a', 'b'])
    """
    modules = arrow()
    if modules is not None and pd.api.types.infer_dtype(texts, skipna=False) == "string":
        pa = modules[0]
        try:
            return _split_arrow(pa.array(texts, type=pa.large_string()))
        except (pa.ArrowException, UnicodeError):  # e.g. lone surrogates
            pass
    split = [str(t).split() for t in texts]
    lengths = np.fromiter((len(w) for w in split), dtype=np.int64, count=len(split))
    flat = np.fromiter((w for words in split for w in words), dtype=object,
                       count=int(lengths.sum()))
    word_codes, words = pd.factorize(flat)
    return (lengths, np.asarray(word_codes, dtype=np.int64),
            np.asarray(words, dtype=object))


def _split_arrow(texts: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`split_words` with Arrow: split on runs of whitespace, drop empty words."""
    pc = arrow()[1]  # type: ignore[index]  # called only when pyarrow is there
    parts = pc.split_pattern_regex(texts, _SPLIT)
    flat = pc.list_flatten(parts)
    parent = pc.list_parent_indices(parts).to_numpy(zero_copy_only=False)
    keep = pc.greater(pc.binary_length(flat), 0)
    flat = flat.filter(keep)
    parent = parent[keep.to_numpy(zero_copy_only=False)]
    lengths = np.bincount(parent, minlength=len(texts)).astype(np.int64)
    encoded = pc.dictionary_encode(flat)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    words = np.array(encoded.dictionary.to_pylist(), dtype=object)
    return lengths, codes, words


# -- specs ---------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, (SurvivorshipRule, Decay)):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _number(value: object, name: str, *, low: float, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            math.isfinite(float(value)) and low <= float(value) <= high):
        bound = f"from {low:g} to {high:g}" if math.isfinite(high) else f"at least {low:g}"
        raise ConfigError(f"{name} must be a number {bound}")
    return float(value)


@dataclass(frozen=True, repr=False)
class SurvivorshipRule:
    """Base of every rule: scores candidates, higher wins.

    ``then`` is the tie-break chain (rules tried in order when this rule ties; ``None``
    uses the engine's default chain); the record key always breaks the last tie.
    ``valid_first`` (``None``: the engine's setting) ranks valid values above invalid.
    """

    kind: ClassVar[str] = "rule"
    #: The chain used when ``then`` is ``None`` (``None``: the engine's default chain).
    default_then: ClassVar[tuple[SurvivorshipRule, ...] | None] = None
    #: Whether the rule can rank whole records of a field group.
    for_groups: ClassVar[bool] = True

    then: tuple[SurvivorshipRule, ...] | None = field(default=None, kw_only=True)
    valid_first: bool | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        if self.then is not None and not isinstance(self.then, tuple):
            object.__setattr__(self, "then", tuple(self.then))

    @property
    def name(self) -> str:
        """The step name lineage reports when this rule decides."""
        return self.kind

    def __repr__(self) -> str:
        shown = []
        for item in sorted(fields(self), key=lambda f: bool(f.kw_only)):
            value = getattr(self, item.name)
            default = (item.default_factory() if callable(item.default_factory)
                       else item.default)
            if value != default:
                shown.append(f"{item.name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def score(self, candidates: Candidates) -> np.ndarray:
        """One score per candidate; higher wins."""
        return np.zeros(len(candidates), dtype=np.float64)

    def check(self) -> None:
        """Raise :class:`ConfigError` when a setting is unusable (called at run time)."""
        if self.then is not None:
            for rule in self.then:
                if not isinstance(rule, SurvivorshipRule) or isinstance(rule, Aggregate):
                    raise ConfigError(f"the tie-break chain of {self.kind!r} must hold "
                                      "ranking rules")
                rule.check()
        if self.valid_first is not None and not isinstance(self.valid_first, bool):
            raise ConfigError(f"valid_first of {self.kind!r} must be True, False or None")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.kind}
        for item in fields(self):
            data[item.name] = _plain(getattr(self, item.name))
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SurvivorshipRule:
        """A rule from its :meth:`to_dict` form (of this class, unless called on the base)."""
        rule = rule_from_dict(data)
        if not isinstance(rule, cls):
            raise ConfigError(f"expected a {cls.kind!r} survivorship rule, not "
                              f"{rule.kind!r}")
        return rule


@dataclass(frozen=True, repr=False)
class MostFrequent(SurvivorshipRule):
    """The value most records of the cluster share (compared by match key)."""

    kind: ClassVar[str] = "most_frequent"

    def score(self, candidates: Candidates) -> np.ndarray:
        return candidates.count


@dataclass(frozen=True, repr=False)
class MostRecent(SurvivorshipRule):
    """The value of the most recently updated record (its ``updated_at``).

    Records without a valid ``updated_at`` rank after those with one.
    """

    kind: ClassVar[str] = "most_recent"

    def score(self, candidates: Candidates) -> np.ndarray:
        return candidates.recency


@dataclass(frozen=True, repr=False)
class Oldest(SurvivorshipRule):
    """The value of the least recently updated record (e.g. the first address known).

    Records without a valid ``updated_at`` rank after those with one.
    """

    kind: ClassVar[str] = "oldest"

    def score(self, candidates: Candidates) -> np.ndarray:
        return -candidates.recency


@dataclass(frozen=True, repr=False)
class SourcePriority(SurvivorshipRule):
    """The value from the earliest source in ``order``; unlisted sources come last."""

    order: tuple[str, ...] = ()
    kind: ClassVar[str] = "source_priority"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.order, tuple) and not isinstance(self.order, str):
            object.__setattr__(self, "order", tuple(self.order))

    def check(self) -> None:
        super().check()
        if isinstance(self.order, str) or not all(isinstance(s, str) for s in self.order):
            raise ConfigError(f"{self.kind}: order must be a sequence of source names")

    def score(self, candidates: Candidates) -> np.ndarray:
        position = {name: float(-i) for i, name in enumerate(self.order)}
        missing = float(-len(self.order))
        sources = candidates.frame["source"]
        result: np.ndarray = sources.map(lambda s: position.get(s, missing)).to_numpy(
            dtype=np.float64)
        return result


@dataclass(frozen=True, repr=False)
class FirstNonMissing(SourcePriority):
    """The first value found walking ``order`` (sources), then record keys.

    Like :class:`SourcePriority`, but positional: within a source the smallest record
    key wins (no frequency or recency tie-breaks unless ``then`` asks for them), the
    way ``groupby().first()`` takes the first non-missing value of sorted rows.
    """

    kind: ClassVar[str] = "first_non_missing"
    default_then: ClassVar[tuple[SurvivorshipRule, ...] | None] = ()


@dataclass(frozen=True)
class Decay:
    """How trust fades with the age of a value (days since its record's ``updated_at``).

    The factor is 1 at age 0 and halves every ``half_life_days`` (``"exponential"``),
    or falls in a straight line to 0 at twice the half-life (``"linear"``). Trust
    decays from the source's trust towards ``minimum`` (it never rises to it).
    """

    half_life_days: float = 365.0
    curve: Literal["exponential", "linear"] = "exponential"
    minimum: float = 0.1

    def check(self) -> None:
        _number(self.half_life_days, "Decay.half_life_days", low=1e-9)
        _number(self.minimum, "Decay.minimum", low=0.0, high=1.0)
        if self.curve not in ("exponential", "linear"):
            raise ConfigError("Decay.curve must be 'exponential' or 'linear'")

    def factor(self, age_days: np.ndarray) -> np.ndarray:
        """The decay factor for ages in days (unknown ages, NaN, give 0)."""
        age = np.clip(age_days, 0.0, None)
        if self.curve == "exponential":
            out = np.exp2(-age / float(self.half_life_days))
        else:
            out = np.clip(1.0 - age / (2.0 * float(self.half_life_days)), 0.0, 1.0)
        result: np.ndarray = np.nan_to_num(out, nan=0.0)
        return result

    def to_dict(self) -> dict[str, Any]:
        return {"half_life_days": self.half_life_days, "curve": self.curve,
                "minimum": self.minimum}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decay:
        try:
            return cls(**dict(data))
        except TypeError:
            raise ConfigError("bad settings for Decay") from None


@dataclass(frozen=True, repr=False)
class SourceTrust(SurvivorshipRule):
    """The value from the most trusted source, trust fading with age and invalidity.

    ``trust`` maps source → trust (0 to 1) for this field; sources not named take
    ``default``, else the trust of their :class:`~goldenrec.Source` (1.0 unless set).
    With ``decay``, trust falls with the value's age, measured up to ``as_of`` (an ISO
    timestamp; ``None``: the latest ``updated_at`` in the data, so runs repeat); a
    record without ``updated_at`` gets the decayed minimum. Each invalid value
    multiplies trust by ``invalid_factor``.
    """

    trust: Mapping[str, float] = field(default_factory=FrozenMapping)
    default: float | None = None
    decay: Decay | None = None
    invalid_factor: float = 0.5
    as_of: str | None = None
    kind: ClassVar[str] = "source_trust"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.trust, FrozenMapping) and isinstance(self.trust, Mapping):
            object.__setattr__(self, "trust", FrozenMapping(self.trust))
        if isinstance(self.decay, Mapping):
            object.__setattr__(self, "decay", Decay.from_dict(self.decay))

    def check(self) -> None:
        super().check()
        if not isinstance(self.trust, Mapping):
            raise ConfigError("source_trust: trust must map source names to numbers")
        for name, value in self.trust.items():
            _number(value, f"source_trust: trust of source {name!r}", low=0.0, high=1.0)
        if self.default is not None:
            _number(self.default, "source_trust: default", low=0.0, high=1.0)
        _number(self.invalid_factor, "source_trust: invalid_factor", low=0.0, high=1.0)
        if self.decay is not None:
            if not isinstance(self.decay, Decay):
                raise ConfigError("source_trust: decay must be a Decay")
            self.decay.check()
        if self.as_of is not None:
            _seconds(self.as_of)

    def base_trust(self, sources: pd.Series, fallback: Mapping[str, float]) -> np.ndarray:
        default = self.default

        def one(source: str) -> float:
            if source in self.trust:
                return float(self.trust[source])
            if default is not None:
                return float(default)
            return float(fallback.get(source, 1.0))

        codes, uniques = pd.factorize(sources.to_numpy(dtype=object), use_na_sentinel=False)
        table = np.array([one(s) for s in uniques], dtype=np.float64)
        result: np.ndarray = table[codes]
        return result

    def score(self, candidates: Candidates) -> np.ndarray:
        trust = self.base_trust(candidates.frame["source"], candidates.stats.source_trust)
        if self.decay is not None:
            as_of = _seconds(self.as_of) if self.as_of is not None else candidates.stats.as_of
            age = (as_of - candidates.recency) / SECONDS_PER_DAY
            factor = self.decay.factor(age)
            low = float(self.decay.minimum)
            trust = np.where(trust > low, low + (trust - low) * factor, trust)
        if self.invalid_factor != 1.0:
            trust = trust * np.power(float(self.invalid_factor), candidates.n_invalid)
        return np.asarray(trust, dtype=np.float64)


def _seconds(stamp: str) -> float:
    """Seconds since 1970 of an ISO timestamp (naive means UTC)."""
    try:
        moment = dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        raise ConfigError("source_trust: as_of must be an ISO timestamp") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()


@dataclass(frozen=True, repr=False)
class Longest(SurvivorshipRule):
    """The longest display value (the most complete spelling)."""

    kind: ClassVar[str] = "longest"

    def score(self, candidates: Candidates) -> np.ndarray:
        return candidates.length


@dataclass(frozen=True, repr=False)
class Shortest(SurvivorshipRule):
    """The shortest display value."""

    kind: ClassVar[str] = "shortest"

    def score(self, candidates: Candidates) -> np.ndarray:
        return -candidates.length


@dataclass(frozen=True, repr=False)
class Maximum(SurvivorshipRule):
    """The largest value: numerically when every match key of the field is a number,
    else in text order (ISO dates sort correctly either way)."""

    kind: ClassVar[str] = "maximum"
    for_groups: ClassVar[bool] = False

    def score(self, candidates: Candidates) -> np.ndarray:
        return candidates.order_value


@dataclass(frozen=True, repr=False)
class Minimum(SurvivorshipRule):
    """The smallest value (numerically, else in text order); see :class:`Maximum`."""

    kind: ClassVar[str] = "minimum"
    for_groups: ClassVar[bool] = False

    def score(self, candidates: Candidates) -> np.ndarray:
        return -candidates.order_value


@dataclass(frozen=True, repr=False)
class Closeness(SurvivorshipRule):
    """The value closest to the cluster's others (the medoid): the sum of its string
    similarity (normalised Indel, 0 to 1) to every other record's value."""

    kind: ClassVar[str] = "closeness"

    def score(self, candidates: Candidates) -> np.ndarray:
        return candidates.closeness


@dataclass(frozen=True, repr=False)
class Prevalence(SurvivorshipRule):
    """The commonest spelling: the mean, over the value's words, of the log number of
    clusters in the whole data that use the word. A typo (``Sprnig Creek``) is rarer
    than the word it garbles (``Spring Creek``)."""

    kind: ClassVar[str] = "prevalence"

    def score(self, candidates: Candidates) -> np.ndarray:
        return candidates.prevalence


@dataclass(frozen=True, repr=False)
class Custom(SurvivorshipRule):
    """A user-supplied scoring function (cannot be saved: it is code, not data).

    ``func`` gets every candidate of the field at once as a DataFrame (columns
    ``cluster, value, match_key, status, source, record_key, recency, count``) and
    returns one number per row; higher wins.
    """

    func: Callable[[pd.DataFrame], Any] | None = None
    label: str = "custom"
    kind: ClassVar[str] = "custom"

    @property
    def name(self) -> str:
        return self.label

    def check(self) -> None:
        super().check()
        if not callable(self.func):
            raise ConfigError("custom survivorship rule needs a callable func")
        if not isinstance(self.label, str) or not self.label:
            raise ConfigError("custom survivorship rule needs a non-empty label")

    def score(self, candidates: Candidates) -> np.ndarray:
        assert self.func is not None  # checked by check()
        try:
            scores = np.asarray(self.func(candidates.public_frame()), dtype=np.float64)
        except (TypeError, ValueError):
            raise ConfigError(f"custom survivorship rule {self.label!r} must return "
                              "numbers") from None
        if scores.shape != (len(candidates),):
            raise ConfigError(f"custom survivorship rule {self.label!r} must return one "
                              "number per candidate")
        return scores

    def to_dict(self) -> dict[str, Any]:
        raise ConfigError(f"survivorship rule {self.label!r} is a user-supplied function, "
                          "which cannot be saved as JSON; use built-in rules in saved "
                          "pipelines, or set the rule again after loading")


@dataclass(frozen=True, repr=False)
class Aggregate(SurvivorshipRule):
    """Keep every distinct valid value, as a list (e-mails, phones).

    Values are listed in the order of ``by`` (default: :class:`MostFrequent` with the
    default chain), each match key once; invalid values are listed only when the
    cluster has no valid one. ``max_values`` caps the list.
    """

    by: SurvivorshipRule | None = None
    max_values: int | None = None
    kind: ClassVar[str] = "aggregate"
    for_groups: ClassVar[bool] = False

    def check(self) -> None:
        super().check()
        if self.by is not None:
            if not isinstance(self.by, SurvivorshipRule) or isinstance(self.by, Aggregate):
                raise ConfigError("aggregate: by must be a ranking rule")
            self.by.check()
        if self.max_values is not None and (
                isinstance(self.max_values, bool) or not isinstance(self.max_values, int)
                or self.max_values < 1):
            raise ConfigError("aggregate: max_values must be a positive integer or None")

    @property
    def ranking(self) -> SurvivorshipRule:
        return self.by if self.by is not None else MostFrequent()


@dataclass(frozen=True)
class FieldGroup:
    """Fields that survive together: all their values come from one record.

    The group's ``rule`` ranks whole records, with per-field statistics summed over
    the group (:class:`MostFrequent` picks the record that agrees most with the
    others). Records with more valid values of the group rank first.

    >>> FieldGroup("address", ("street", "postcode")).fields
    ('street', 'postcode')
    """

    name: str
    fields: tuple[str, ...]
    rule: SurvivorshipRule = MostFrequent()

    def __post_init__(self) -> None:
        if not isinstance(self.fields, tuple) and not isinstance(self.fields, str):
            object.__setattr__(self, "fields", tuple(self.fields))

    def check(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ConfigError("a field group needs a non-empty name")
        if isinstance(self.fields, str) or not self.fields or not all(
                isinstance(f, str) for f in self.fields) or len(set(self.fields)) != len(
                self.fields):
            raise ConfigError(f"field group {self.name!r} needs distinct field names")
        if not isinstance(self.rule, SurvivorshipRule) or not type(self.rule).for_groups:
            raise ConfigError(f"field group {self.name!r}: rule "
                              f"{getattr(self.rule, 'kind', '?')!r} cannot rank records")
        self.rule.check()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "fields": list(self.fields), "rule": self.rule.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldGroup:
        return group_from_dict(data)


def group_from_dict(data: Mapping[str, Any]) -> FieldGroup:
    """A :class:`FieldGroup` from its :meth:`~FieldGroup.to_dict` form."""
    try:
        rule = data.get("rule")
        return FieldGroup(str(data["name"]), tuple(str(f) for f in data["fields"]),
                          rule_from_dict(rule) if rule is not None else MostFrequent())
    except (KeyError, TypeError, AttributeError):
        raise ConfigError("bad settings for a survivorship field group") from None


RULES: dict[str, type[SurvivorshipRule]] = {
    cls.kind: cls for cls in (
        MostFrequent, MostRecent, Oldest, SourcePriority, FirstNonMissing, SourceTrust,
        Longest, Shortest, Maximum, Minimum, Closeness, Prevalence, Aggregate)
}


def rule_from_dict(data: Mapping[str, Any]) -> SurvivorshipRule:
    """A rule from its ``to_dict()`` form (a :class:`ConfigError` if unknown or bad)."""
    if not isinstance(data, Mapping):
        raise ConfigError("a survivorship rule must be given as a mapping")
    kind = data.get("type")
    if kind == Custom.kind:
        raise ConfigError("a custom survivorship rule cannot be loaded; set it in code")
    cls = RULES.get(str(kind))
    if cls is None:
        raise ConfigError(f"unknown survivorship rule {kind!r}")
    args: dict[str, Any] = {}
    try:
        for key, value in data.items():
            if key == "type":
                continue
            if key == "then":
                args[key] = None if value is None else tuple(rule_from_dict(r) for r in value)
            elif key == "by":
                args[key] = None if value is None else rule_from_dict(value)
            elif key == "decay":
                args[key] = None if value is None else Decay.from_dict(value)
            elif isinstance(value, list):
                args[key] = tuple(value)
            else:
                args[key] = value
        rule = cls(**args)
    except (TypeError, AttributeError):
        raise ConfigError(f"bad settings for survivorship rule {kind!r}") from None
    return rule
