"""Blocking: candidate pairs from rules on normalised keys, counted before they are built."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

import jellyfish
import numpy as np
import pandas as pd
from anyascii import anyascii

from goldenrec._normalise._base import VALID
from goldenrec._text_columns import text_from_codes
from goldenrec.errors import ConfigError, GoldenrecError

__all__ = [
    "BlockKey",
    "Blocker",
    "BlockingLimitError",
    "BlockingRule",
    "BlockingStrategy",
    "SortedNeighbourhood",
    "TokenBlocking",
    "all_pairs",
    "block_on",
    "block_size_limit",
    "blocking_from_dict",
    "phonetic",
    "prefix",
]

logger = logging.getLogger(__name__)

Transform = Literal["exact", "soundex", "metaphone", "nysiis", "prefix", "year",
                    "canonical", "all"]
_TRANSFORMS = ("exact", "soundex", "metaphone", "nysiis", "prefix", "year", "canonical",
               "all")
#: The one key every record has under the ``"all"`` transform (one block of all records).
_ALL = "all"
PAIR_COLUMNS = ["row_l", "row_r", "source_l", "record_key_l", "source_r", "record_key_r", "rule"]


@runtime_checkable
class BlockingStrategy(Protocol):
    """Anything that proposes candidate pairs: a ``name`` and ``candidate_pairs``.

    ``candidate_pairs(records)`` gets the normalised records frame and returns two
    aligned arrays of row positions. :class:`BlockingRule` is the built-in strategy;
    adapters (e.g. recordlinkage's indexers) implement the same protocol.
    """

    @property
    def name(self) -> str: ...

    def candidate_pairs(self, records: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]: ...


class BlockingLimitError(GoldenrecError):
    """A blocking rule would produce more candidate pairs than allowed."""


@dataclass(frozen=True)
class BlockKey:
    """One component of a blocking key: a field's match key, optionally transformed.

    >>> BlockKey("last_name", "soundex").label
    'soundex(last_name)'
    """

    field: str
    transform: Transform = "exact"
    length: int = 0

    @property
    def label(self) -> str:
        if self.transform == "all":
            return "all"
        if self.transform == "exact":
            return self.field
        if self.transform == "prefix":
            return f"prefix({self.field},{self.length})"
        return f"{self.transform}({self.field})"

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "transform": self.transform, "length": self.length}

    def compute(self, frame: pd.DataFrame) -> pd.Series:
        """The key per record, ``None`` where the field is not valid (the ``"all"``
        transform: the same key for every record, whatever its fields hold)."""
        if self.transform == "all":
            return pd.Series(_ALL, index=frame.index, dtype=object)
        column = f"{self.field}_key"
        if column not in frame.columns:
            raise ConfigError(f"blocking key {self.label!r} needs field {self.field!r}, "
                              "which the records do not have")
        keys = frame[column].where(frame[f"{self.field}_status"] == VALID, None)
        if self.transform == "exact":
            exact: pd.Series = keys.astype(object)
            return exact
        if self.transform == "canonical":
            # the nickname's full form (Bob → robert) where the normaliser knows one
            canonical_column = f"{self.field}_canonical"
            if canonical_column in frame.columns:
                keys = frame[canonical_column].astype(object).where(
                    frame[canonical_column].notna(), keys).where(keys.notna(), None)
            canonical: pd.Series = keys.astype(object)
            return canonical
        codes, uniques = pd.factorize(keys, use_na_sentinel=True)
        transformed = np.array([self._apply(str(u)) for u in uniques] + [None], dtype=object)
        result: pd.Series = pd.Series(transformed[codes], index=frame.index, dtype=object)
        return result

    def _apply(self, value: str) -> str | None:
        if self.transform == "prefix":
            return value[: self.length] if value else None
        if self.transform == "year":
            return value[:4] if len(value) >= 4 else None
        ascii_value = anyascii(value).lower()
        letters = "".join(ch for ch in ascii_value if ch.isalpha())
        if not letters:
            return None
        if self.transform == "soundex":
            return jellyfish.soundex(letters)
        if self.transform == "metaphone":
            return jellyfish.metaphone(letters) or None
        return jellyfish.nysiis(letters) or None


def phonetic(field: str, algorithm: Literal["soundex", "metaphone", "nysiis"] = "metaphone"
             ) -> BlockKey:
    """A phonetic blocking key (Soundex, Metaphone or NYSIIS of the field's match key)."""
    return BlockKey(field, algorithm)


def canonical(field: str) -> BlockKey:
    """A name's canonical form: the full name a nickname stands for (``Bob`` → ``robert``),
    else the match key; from the ``<field>_canonical`` column the name normaliser writes."""
    return BlockKey(field, "canonical")


def prefix(field: str, length: int) -> BlockKey:
    """The first ``length`` characters of the field's match key."""
    if length < 1:
        raise ConfigError("prefix length must be at least 1")
    return BlockKey(field, "prefix", length)


@dataclass(frozen=True)
class BlockingRule:
    """Records whose keys all agree become candidate pairs.

    ``max_block_size`` caps this rule's blocks: a block holding more records gives no
    pair (it is counted in the blocker's ``stats_["skipped_blocks"]``). The cap in force
    is the smaller of the rule's and the pipeline's (see :func:`block_size_limit`).
    """

    keys: tuple[BlockKey, ...]
    name: str
    max_block_size: int | None = None

    def __post_init__(self) -> None:
        if self.max_block_size is not None and self.max_block_size < 1:
            raise ConfigError(f"blocking rule {self.name!r}: max_block_size must be "
                              "positive")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": "rule", "name": self.name,
                                "keys": [k.to_dict() for k in self.keys]}
        if self.max_block_size is not None:
            data["max_block_size"] = self.max_block_size
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BlockingRule:
        keys = tuple(
            BlockKey(str(k["field"]), k.get("transform", "exact"), int(k.get("length", 0)))
            for k in data["keys"]
        )
        for key in keys:
            if key.transform not in _TRANSFORMS:
                raise ConfigError(f"unknown blocking transform {key.transform!r}")
        limit = data.get("max_block_size")
        return cls(keys, str(data["name"]), None if limit is None else int(limit))


def block_on(*keys: str | BlockKey, name: str | None = None,
             max_block_size: int | None = None) -> BlockingRule:
    """A blocking rule on one or more fields (exact match keys unless transformed);
    ``max_block_size`` skips this rule's blocks of more records.

    >>> block_on("first_name", phonetic("last_name")).name
    'first_name & metaphone(last_name)'
    """
    if not keys:
        raise ConfigError("block_on needs at least one field")
    parsed = tuple(k if isinstance(k, BlockKey) else BlockKey(k) for k in keys)
    return BlockingRule(parsed, name or " & ".join(k.label for k in parsed), max_block_size)


def all_pairs(*, max_records: int) -> BlockingRule:
    """Every record paired with every other while there are at most ``max_records``.

    One block holds all records; once there are more than ``max_records`` it gives no
    pair (as any block over its rule's ``max_block_size``), and the other rules carry
    on. Zero configuration adds it after the rules it chooses when all pairs of the
    input are affordable.

    >>> rule = all_pairs(max_records=1000)
    >>> rule.name, rule.max_block_size
    ('all pairs', 1000)
    """
    return BlockingRule((BlockKey("*", "all"),), "all pairs", max_records)


def block_size_limit(rule: object, max_block_size: int | None) -> int | None:
    """The cap in force on ``rule``'s blocks: the smaller of its own ``max_block_size``
    and the pipeline's (``None``: no cap).

    >>> block_size_limit(block_on("email", max_block_size=50), 100)
    50
    """
    return _smaller(rule.max_block_size if isinstance(rule, BlockingRule) else None,
                    max_block_size)


def _smaller(a: int | None, b: int | None) -> int | None:
    """The smaller of two caps, ``None`` meaning no cap."""
    if a is None:
        return b
    return a if b is None else min(a, b)


class Blocker:
    """Union the candidate pairs of several rules; each pair keeps its first rule.

    Pairs are counted before they are built: a rule that would exceed ``max_pairs``
    raises :class:`BlockingLimitError`, unless ``max_block_size`` is set, in which case
    larger blocks are skipped (and counted in :attr:`stats_`). A rule's own
    ``max_block_size`` caps its blocks too (the smaller cap is in force).
    """

    def __init__(
        self,
        rules: Sequence[BlockingRule | BlockingStrategy],
        *,
        max_pairs: int = 50_000_000,
        max_block_size: int | None = None,
    ) -> None:
        self.rules = rules
        self.max_pairs = max_pairs
        self.max_block_size = max_block_size

    def block(self, records: pd.DataFrame, *, cache: KeyCache | None = None,
              built: RulePairs | None = None) -> pd.DataFrame:
        """Candidate pairs ``row_l < row_r`` (positions in ``records``) with keys and rule.

        ``cache`` holds block-key codes already computed for these records (e.g. while
        zero configuration chose the rules), so each key is computed once; ``built``,
        pairs already built for these rules (used when no cap or limit applies to them).
        """
        if not self.rules:
            raise ConfigError("at least one blocking rule is needed")
        names = [rule.name for rule in self.rules]
        if len(set(names)) != len(names):
            raise ConfigError("blocking rule names must be unique")
        if built is not None and self._can_use(built, names, len(records)):
            stats = [{"rule": name, "pairs": pairs, "skipped_blocks": 0,
                      "largest_block": largest}
                     for name, pairs, largest in zip(names, built.pairs, built.largest)]
            return self._pairs_frame(records, names, stats, built.encoded, built.rule_ids)
        found: list[np.ndarray] = []
        rule_ids: list[np.ndarray] = []
        stats = []
        cache = {} if cache is None else cache
        for rule_id, rule in enumerate(self.rules):
            if isinstance(rule, BlockingRule):
                codes = _rule_codes(rule, records, cache)
                left, right, skipped, largest = self._pairs_for(
                    rule.name, codes, rule.max_block_size)
            else:
                left, right = (np.asarray(a, dtype=np.int64)
                               for a in rule.candidate_pairs(records))
                if len(left) > self.max_pairs:
                    raise BlockingLimitError(
                        f"blocking strategy {rule.name!r} produced {len(left):,} pairs, "
                        f"more than max_pairs={self.max_pairs:,}")
                ok = (left != right) & (left >= 0) & (right >= 0) & (left < len(records)) \
                    & (right < len(records))
                left, right = np.minimum(left, right)[ok], np.maximum(left, right)[ok]
                skipped, largest = 0, 0
            stats.append({"rule": rule.name, "pairs": len(left), "skipped_blocks": skipped,
                          "largest_block": largest})
            found.append(left.astype(np.int64) * len(records) + right)
            rule_ids.append(np.full(len(left), rule_id, dtype=np.int16))
        encoded = np.concatenate(found) if found else np.empty(0, dtype=np.int64)
        rules = np.concatenate(rule_ids) if rule_ids else np.empty(0, dtype=np.int16)
        unique, first = np.unique(encoded, return_index=True)
        return self._pairs_frame(records, names, stats, unique, rules[first])

    def _can_use(self, built: RulePairs, names: list[str], n_records: int) -> bool:
        """Whether pairs built for rules are those this blocker would build."""
        return (built.names == tuple(names) and built.n_records == n_records
                and all(isinstance(rule, BlockingRule)
                        and block_size_limit(rule, self.max_block_size) is None
                        for rule in self.rules)
                and all(pairs <= self.max_pairs for pairs in built.pairs))

    def _pairs_frame(self, records: pd.DataFrame, names: list[str],
                     stats: list[dict[str, Any]], unique: np.ndarray,
                     rules: np.ndarray) -> pd.DataFrame:
        """The candidate pairs table of distinct sorted ``unique`` pair codes and their
        first rules; sets :attr:`stats_` and :attr:`reduction_ratio_`."""
        row_l = (unique // max(len(records), 1)).astype(np.int64)
        row_r = (unique % max(len(records), 1)).astype(np.int64)
        new_per_rule = np.bincount(rules, minlength=len(self.rules))
        for rule_stats, new in zip(stats, new_per_rule):
            rule_stats["new_pairs"] = int(new)
        all_pairs = max(len(records) * (len(records) - 1) // 2, 1)
        self.stats_ = pd.DataFrame(stats)
        self.stats_["reduction_ratio"] = 1.0 - self.stats_["pairs"] / all_pairs
        #: Share of all record pairs that blocking spared from comparison.
        self.reduction_ratio_ = 1.0 - len(unique) / all_pairs
        # sources are categorical (a few names shared by millions of pairs); record keys
        # are text taken from each record's key (through Arrow: no string is copied per
        # pair, and the column writes fast, which a million-category one does not)
        source_codes, sources = pd.factorize(records["source"])
        key_codes, keys = pd.factorize(records["record_key"])
        labels = np.asarray(keys, dtype=object)
        pairs = pd.DataFrame({
            "row_l": row_l, "row_r": row_r,
            "source_l": pd.Categorical.from_codes(source_codes[row_l], sources),
            "record_key_l": text_from_codes(labels, key_codes[row_l]),
            "source_r": pd.Categorical.from_codes(source_codes[row_r], sources),
            "record_key_r": text_from_codes(labels, key_codes[row_r]),
            "rule": pd.Categorical.from_codes(rules.astype(np.int64),
                                              categories=pd.Index(names)),
        })
        logger.info("blocking produced %d candidate pairs from %d rules", len(pairs),
                    len(self.rules))
        result: pd.DataFrame = pairs
        return result

    def _pairs_for(
        self, rule_name: str, codes: np.ndarray, own_limit: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, int, int]:
        valid = np.flatnonzero(codes >= 0)
        empty = np.empty(0, dtype=np.int64)
        if len(valid) == 0:
            return empty, empty, 0, 0
        block_sizes = np.bincount(codes[valid])
        largest = int(block_sizes.max())
        skipped = 0
        usable = block_sizes >= 2
        limit = _smaller(own_limit, self.max_block_size)
        if limit is not None:
            too_big = block_sizes > limit
            skipped = int(too_big.sum())
            usable &= ~too_big
        counted = block_sizes[usable].astype(np.int64)
        total = int((counted * (counted - 1) // 2).sum())
        if total > self.max_pairs:
            worst = np.sort(counted)[::-1][:5].tolist()
            raise BlockingLimitError(
                f"blocking rule {rule_name!r} would produce {total:,} pairs, more than "
                f"max_pairs={self.max_pairs:,}; its largest blocks hold {worst} records. "
                "Use a more selective rule or set max_block_size to skip large blocks."
            )
        # only records in blocks that pair are sorted (most records are alone in theirs)
        members = valid[usable[codes[valid]]]
        order = members[np.argsort(codes[members], kind="stable")]
        sorted_codes = codes[order]
        if len(sorted_codes) == 0:
            return empty, empty, skipped, largest
        # already sorted: blocks start where the code changes (no second sort)
        starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
        sizes = np.diff(np.r_[starts, len(sorted_codes)])
        # every position p (rank a in a block of n) pairs with the n-1-a positions after it
        member_counts = np.repeat(sizes, sizes)
        rank = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        positions = np.repeat(starts, sizes) + rank
        emit = (member_counts - 1 - rank).astype(np.int64)
        left_pos = np.repeat(positions, emit)
        offsets = np.arange(len(left_pos)) - np.repeat(np.cumsum(emit) - emit, emit) + 1
        right_pos = left_pos + offsets
        a, b = order[left_pos], order[right_pos]
        return np.minimum(a, b), np.maximum(a, b), skipped, largest


#: Factorised codes of block keys already computed for one records frame.
#: A rule's combined codes may be kept too, under its tuple of keys (see
#: :func:`remember_rule_codes`).
#: A single key's shared-block mask is kept under :class:`_SharedMask`.
KeyCache = dict["BlockKey | tuple[BlockKey, ...] | _SharedMask", tuple[np.ndarray, int]]


def count_pairs(rule: BlockingRule, records: pd.DataFrame,
                cache: KeyCache | None = None) -> tuple[int, int]:
    """``(pairs, largest block)`` a rule would produce, without building any pair."""
    return _count(_rule_codes(rule, records, cache))


def _count(codes: np.ndarray) -> tuple[int, int]:
    """``(pairs, largest block)`` of a rule's codes."""
    codes = codes[codes >= 0]
    if len(codes) == 0:
        return 0, 0
    sizes = np.bincount(codes).astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum()), int(sizes.max())


def _key_codes(key: BlockKey, records: pd.DataFrame, cache: KeyCache | None
               ) -> tuple[np.ndarray, int]:
    """A key's factorised codes (-1 where missing) and its number of distinct values;
    with a cache, each key (and its per-value transform) is computed once."""
    if cache is not None and key in cache:
        return cache[key]
    codes, uniques = pd.factorize(key.compute(records), use_na_sentinel=True)
    result = (np.asarray(codes, dtype=np.int64), len(uniques))
    if cache is not None:
        cache[key] = result
    return result


def _rule_codes(rule: BlockingRule, records: pd.DataFrame,
                cache: KeyCache | None = None) -> np.ndarray:
    """One integer per record for the rule's combined key; -1 when any part is missing."""
    first, n_first = _key_codes(rule.keys[0], records, cache)
    if len(rule.keys) == 1:
        return first
    if cache is not None and rule.keys in cache:
        return cache[rule.keys][0].astype(np.int64)
    # each further key is folded in and renumbered (keeps numbers small); only records
    # whose blocks so far and whose block of this key hold others can share the combined
    # block: the rest get numbers of their own without hashing
    combined, width = first, n_first
    combined_shared = _key_shared(rule.keys[0], first, n_first, cache)
    for position, key in enumerate(rule.keys[1:]):
        if position:  # the blocks folded so far
            combined_shared = _in_shared_block(combined, width)
        codes, n_uniques = _key_codes(key, records, cache)
        shared = np.flatnonzero(combined_shared & _key_shared(key, codes, n_uniques, cache))
        folded, uniques = pd.factorize(combined[shared] * (n_uniques + 1) + codes[shared])
        missing = (combined < 0) | (codes < 0)
        alone = np.ones(len(combined), dtype=bool)
        alone[shared] = False
        alone &= ~missing
        lone = np.flatnonzero(alone)
        combined = np.full(len(combined), -1, dtype=np.int64)
        combined[shared] = folded
        combined[lone] = len(uniques) + np.arange(len(lone))
        width = len(uniques) + len(lone)
    return combined


@dataclass(frozen=True)
class _SharedMask:
    """Cache entry name of a key's :func:`_in_shared_block` mask (the same for every
    rule that combines the key with others)."""

    key: BlockKey


def _key_shared(key: BlockKey, codes: np.ndarray, width: int, cache: KeyCache | None
                ) -> np.ndarray:
    """:func:`_in_shared_block` of a single key's codes, computed once per cache."""
    entry = _SharedMask(key)
    if cache is not None and entry in cache:
        return cache[entry][0]
    shared = _in_shared_block(codes, width)
    if cache is not None:
        cache[entry] = (shared, 0)
    return shared


def _in_shared_block(codes: np.ndarray, width: int) -> np.ndarray:
    """Whether each record's code (``-1``: none) is held by another record too."""
    valid = codes >= 0
    sizes = np.bincount(codes[valid], minlength=width)
    shared = np.zeros(len(codes), dtype=bool)
    shared[valid] = sizes[codes[valid]] >= 2
    return shared


@dataclass(frozen=True)
class RulePairs:
    """Candidate pairs already built for a list of rules, each tagged with its first rule
    (zero configuration builds them while it chooses the rules): :meth:`Blocker.block`
    takes them instead of building them again."""

    names: tuple[str, ...]
    n_records: int
    #: ``row_l * n_records + row_r`` of each pair, sorted.
    encoded: np.ndarray
    #: Per pair, the position of its first rule in ``names``.
    rule_ids: np.ndarray
    #: Per rule, its pairs and its largest block.
    pairs: tuple[int, ...]
    largest: tuple[int, ...]


def compact_rule_codes(rule: BlockingRule, codes: np.ndarray) -> np.ndarray | None:
    """A several-key rule's combined codes in the narrow form they are kept in for later
    blocking (no copy when they are in it already); ``None`` for a one-key rule, whose
    codes the key cache holds anyway."""
    if len(rule.keys) == 1:
        return None
    return codes.astype(np.int32 if len(codes) < 2**31 else np.int64, copy=False)


def remember_rule_codes(cache: KeyCache, rule: BlockingRule, codes: np.ndarray) -> None:
    """Keep a several-key rule's combined codes (compactly) for later blocking."""
    kept = compact_rule_codes(rule, codes)
    if kept is not None:
        cache[rule.keys] = (kept, 0)


def forget_rule_codes(cache: KeyCache, keep: Sequence[BlockingRule]) -> None:
    """Drop the kept combined codes of every rule but ``keep``."""
    wanted = {rule.keys for rule in keep}
    for entry in [k for k in cache if isinstance(k, tuple) and k not in wanted]:
        del cache[entry]


def _valid_keys(records: pd.DataFrame, field: str) -> pd.Series:
    column = f"{field}_key"
    if column not in records.columns:
        raise ConfigError(f"blocking needs field {field!r}, which the records do not have")
    keys: pd.Series = records[column].where(records[f"{field}_status"] == VALID, None)
    return keys


@dataclass(frozen=True)
class SortedNeighbourhood:
    """Sort records by a field's match key; pair each with the next ``window - 1``.

    Catches typos early in a value that exact keys miss. Records without a valid value
    are left out. Ties are ordered by record position, so results are deterministic.

    >>> SortedNeighbourhood("last_name", window=3).name
    'sorted_neighbourhood(last_name,3)'
    """

    field: str
    window: int = 5

    @property
    def name(self) -> str:
        return f"sorted_neighbourhood({self.field},{self.window})"

    def candidate_pairs(self, records: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        if self.window < 2:
            raise ConfigError("a sorted neighbourhood window must be at least 2")
        keys = _valid_keys(records, self.field)
        rows = np.flatnonzero(keys.notna().to_numpy())
        values = keys.to_numpy(dtype=object)[rows]
        order = rows[np.lexsort((rows, values.astype(str)))]
        left_parts, right_parts = [], []
        for step in range(1, self.window):
            left_parts.append(order[:-step])
            right_parts.append(order[step:])
        if not left_parts:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty
        return np.concatenate(left_parts), np.concatenate(right_parts)

    def to_dict(self) -> dict[str, Any]:
        return {"type": "sorted_neighbourhood", "field": self.field, "window": self.window}


@dataclass(frozen=True)
class TokenBlocking:
    """Records sharing any word (or, with ``qgram``, any q-gram) of a field's match key.

    Tokens held by more than ``max_token_frequency`` records are skipped (they say
    little and would explode the pair count).

    >>> TokenBlocking("company").name
    'tokens(company)'
    """

    field: str
    qgram: int = 0
    max_token_frequency: int = 100

    @property
    def name(self) -> str:
        return (f"qgrams({self.field},{self.qgram})" if self.qgram
                else f"tokens({self.field})")

    def _tokens(self, value: str) -> set[str]:
        if not self.qgram:
            return {t for t in value.split() if t}
        text = value.replace(" ", "")
        if len(text) <= self.qgram:
            return {text} if text else set()
        return {text[i:i + self.qgram] for i in range(len(text) - self.qgram + 1)}

    def candidate_pairs(self, records: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        keys = _valid_keys(records, self.field)
        owners: list[int] = []
        tokens: list[str] = []
        for row, value in zip(range(len(keys)), keys.to_numpy(dtype=object)):
            if value is None:
                continue
            for token in sorted(self._tokens(str(value))):
                owners.append(row)
                tokens.append(token)
        if not owners:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty
        codes, _ = pd.factorize(pd.Series(tokens, dtype=object))
        counts = np.bincount(codes)
        keep = counts[codes] <= self.max_token_frequency
        owner = np.asarray(owners, dtype=np.int64)[keep]
        codes = codes[keep]
        frame = pd.DataFrame({"code": codes, "row": owner})
        joined = frame.merge(frame, on="code", suffixes=("_l", "_r"))
        joined = joined[joined["row_l"] < joined["row_r"]]
        return joined["row_l"].to_numpy(np.int64), joined["row_r"].to_numpy(np.int64)

    def to_dict(self) -> dict[str, Any]:
        return {"type": "tokens", "field": self.field, "qgram": self.qgram,
                "max_token_frequency": self.max_token_frequency}


def blocking_from_dict(data: dict[str, Any]) -> BlockingRule | SortedNeighbourhood | TokenBlocking:
    """Read any built-in blocking spec saved with ``to_dict``."""
    kind = data.get("type", "rule")
    if kind == "sorted_neighbourhood":
        return SortedNeighbourhood(str(data["field"]), int(data["window"]))
    if kind == "tokens":
        return TokenBlocking(str(data["field"]), int(data.get("qgram", 0)),
                             int(data.get("max_token_frequency", 100)))
    if kind == "rule":
        return BlockingRule.from_dict(data)
    raise ConfigError(f"unknown blocking spec type {kind!r}")
