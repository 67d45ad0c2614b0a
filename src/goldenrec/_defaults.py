"""Zero configuration: blocking rules and comparisons chosen from the roles present."""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from goldenrec._blocking import (
    BlockingRule,
    BlockKey,
    KeyCache,
    RulePairs,
    _count,
    _key_codes,
    _key_shared,
    _rule_codes,
    all_pairs,
    block_on,
    canonical,
    compact_rule_codes,
    forget_rule_codes,
    phonetic,
    remember_rule_codes,
)
from goldenrec._comparisons import (
    Comparison,
    DateComparison,
    EmailComparison,
    ExactComparison,
    IdentifierComparison,
    NameComparison,
    StringComparison,
)
from goldenrec._normalise._base import VALID
from goldenrec._processes import fork_map, worker_count
from goldenrec._roles import is_digest_column

__all__ = ["ALL_PAIRS_MAX_PAIRS", "all_pairs_records", "candidate_options",
           "choose_blocking_rules", "default_blocking_rules", "default_comparisons",
           "usable_fields", "with_all_pairs"]

#: Share of records that must hold a valid value for a field to be used by default.
MIN_FILL = 0.01
#: Fields that can key a block (low-cardinality fields such as gender cannot).
_BLOCKING_FIELDS = ("national_id", "email", "phone", "first_name", "last_name", "full_name",
                    "date_of_birth", "street", "street_number", "postcode", "locality",
                    "company")
_NAME_FIELDS = ("first_name", "last_name", "full_name")
_PAIRS_PER_RECORD_PER_RULE = 10
_PAIRS_PER_RECORD_TOTAL = 10
_MIN_RULE_BUDGET = 50_000
_MIN_TOTAL_BUDGET = 200_000
#: Zero configuration compares every pair of an input with at most this many pairs
#: (1,414 records): comparing and scoring a million pairs takes seconds, and blocking
#: then loses no true pair, whatever keys the records of a pair disagree on.
ALL_PAIRS_MAX_PAIRS = 1_000_000
#: Records from which candidate rules are counted in worker processes (``n_jobs``).
PARALLEL_MIN_RECORDS = 200_000
logger = logging.getLogger(__name__)


def usable_fields(records: pd.DataFrame, roles: Sequence[str]) -> list[str]:
    """Roles with valid values in at least :data:`MIN_FILL` of the records."""
    out = []
    for role in roles:
        status = records.get(f"{role}_status")
        if status is not None and len(records) and (status == VALID).mean() >= MIN_FILL:
            out.append(role)
    return out


def default_comparisons(fields: Sequence[str], kinds: Mapping[str, str] | None = None
                        ) -> list[Comparison]:
    """One comparison per matching field present, in canonical order; custom fields
    (``kinds``: name → kind) after the built-in roles."""
    present = set(fields)
    out: list[Comparison] = []
    swap = {"first_name", "last_name"} <= present
    for role in ("first_name", "middle_name", "last_name"):
        if role in present:
            partner = {"first_name": "last_name", "last_name": "first_name"}.get(role)
            out.append(NameComparison(role, term_frequency=True,
                                      swap_with=partner if swap else None))
    if "full_name" in present and not {"first_name", "last_name"} & present:
        out.append(NameComparison("full_name", term_frequency=True))
    if "date_of_birth" in present:
        out.append(DateComparison("date_of_birth"))
    if "gender" in present:
        out.append(ExactComparison("gender"))
    if "email" in present:
        out.append(EmailComparison("email"))
    if "phone" in present:
        out.append(IdentifierComparison("phone"))
    if "national_id" in present:
        out.append(IdentifierComparison("national_id"))
    if "street_number" in present:
        out.append(ExactComparison("street_number", term_frequency=True))
    for role in ("street", "address_line_2", "locality"):
        if role in present:
            out.append(StringComparison(role, thresholds=(0.9, 0.7), term_frequency=True))
    if "postcode" in present:
        out.append(IdentifierComparison("postcode", term_frequency=True))
    for role in ("region", "country"):
        if role in present:
            out.append(ExactComparison(role))
    if "company" in present:
        out.append(StringComparison("company", thresholds=(0.9, 0.7), term_frequency=True))
    for name, kind in (kinds or {}).items():
        if name in present:
            out.append(_comparison_for_kind(name, kind))
    return out


def _comparison_for_kind(name: str, kind: str) -> Comparison:
    if is_digest_column(name):
        return ExactComparison(name)  # keyed digests agree exactly or not at all
    if kind == "name":
        return NameComparison(name, term_frequency=True)
    if kind == "date":
        return DateComparison(name)
    if kind == "email":
        return EmailComparison(name)
    if kind in ("identifier", "phone", "postcode"):
        return IdentifierComparison(name)
    if kind in ("country", "gender", "timestamp"):
        return ExactComparison(name)
    return StringComparison(name, thresholds=(0.9, 0.7), term_frequency=True)


#: One candidate rule: its keys, and the fields it uses (``~kind`` marks a fuzzy key).
Option = tuple[tuple[BlockKey, ...], frozenset[str]]


def candidate_options(fields: Sequence[str], kinds: Mapping[str, str],
                      columns: Sequence[str]) -> tuple[list[str], list[Option]]:
    """The fields that can block, and every candidate rule zero configuration weighs.

    Each selective field alone (and the phonetic key of a name field), and each pair of
    fields: exact keys, phonetic keys for names, nickname-canonical keys for names
    (when the records have ``<field>_canonical``), the year of a date with another
    field. Both engines (local and Spark) choose among these.
    """
    blocking_kinds = ("text", "name", "identifier", "email", "phone", "postcode", "date")
    present = [f for f in fields if f in _BLOCKING_FIELDS or kinds.get(f) in blocking_kinds]
    options: list[Option] = []
    for field in present:
        options.append(((BlockKey(field),), frozenset({field})))
        if field in _NAME_FIELDS:
            options.append(((phonetic(field),), frozenset({field, "~phonetic"})))
    for first, second in itertools.combinations(present, 2):
        options.append(((BlockKey(first), BlockKey(second)), frozenset({first, second})))
        phonetic_first = first in _NAME_FIELDS
        phonetic_second = second in _NAME_FIELDS
        if phonetic_first or phonetic_second:
            phonetic_keys = (phonetic(first) if phonetic_first else BlockKey(first),
                             phonetic(second) if phonetic_second else BlockKey(second))
            options.append((phonetic_keys, frozenset({first, second, "~phonetic"})))
        nicknamed = [f for f in (first, second)
                     if f in _NAME_FIELDS and f"{f}_canonical" in columns]
        if nicknamed:
            # Bob Smith / Robert Smith: a nickname and its full form share a key
            options.append((tuple(canonical(f) if f in nicknamed else BlockKey(f)
                                  for f in (first, second)),
                            frozenset({first, second, "~canonical"})))
        dated = [f for f in (first, second) if f == "date_of_birth" or kinds.get(f) == "date"]
        if len(dated) == 1:
            other = second if dated[0] == first else first
            other_key = phonetic(other) if other in _NAME_FIELDS else BlockKey(other)
            options.append(((BlockKey(dated[0], "year"), other_key),
                            frozenset({first, second, "~year"})))
    return present, options


def all_pairs_records(max_pairs: int | None = None) -> int:
    """The most records whose pairs all fit :data:`ALL_PAIRS_MAX_PAIRS` (and
    ``max_pairs`` when given): the largest ``n`` with ``n * (n - 1) / 2`` within.

    >>> all_pairs_records()
    1414
    """
    budget = ALL_PAIRS_MAX_PAIRS if max_pairs is None else min(ALL_PAIRS_MAX_PAIRS, max_pairs)
    # n * (n - 1) / 2 <= budget  <=>  (2n - 1)^2 <= 1 + 8 * budget
    return (1 + math.isqrt(1 + 8 * max(budget, 0))) // 2


def with_all_pairs(rules: Sequence[BlockingRule], n_records: int,
                   max_pairs: int | None = None) -> list[BlockingRule]:
    """``rules``, followed by the all-pairs rule when every pair of ``n_records``
    records is affordable (see :data:`ALL_PAIRS_MAX_PAIRS`). Its cap is the most
    records whose pairs fit, so a golden store that grows past it stops pairing all
    records and keeps the other rules. Pairs keep the first rule that proposes them:
    the chosen rules name the pairs they find, the all-pairs rule adds the rest."""
    limit = all_pairs_records(max_pairs)
    if n_records > limit:
        return list(rules)
    return [*rules, all_pairs(max_records=limit)]


def default_blocking_rules(fields: Sequence[str], records: pd.DataFrame | None = None,
                           kinds: Mapping[str, str] | None = None, *,
                           cache: KeyCache | None = None,
                           max_pairs: int | None = None,
                           n_jobs: int | None = 1) -> list[BlockingRule]:
    """Complementary rules so that one or two corrupted fields do not lose a match.

    Without ``records`` a fixed set of templates for the fields present is returned.
    With ``records``, every single selective field and every pair of fields (exact match
    keys, plus phonetic keys for names) is a candidate; each is counted without
    building pairs, candidates over the per-rule budget are dropped, a rule implied by
    a cheaper kept rule is dropped, and rules are kept cheapest first until the total
    budget is used. When all pairs of the records fit :data:`ALL_PAIRS_MAX_PAIRS` (and
    ``max_pairs``), the all-pairs rule follows (:func:`with_all_pairs`).
    """
    if records is None:
        return _template_rules(candidate_options(fields, kinds or {}, [])[0], fields)
    return choose_blocking_rules(fields, records, kinds, cache=cache, max_pairs=max_pairs,
                                 n_jobs=n_jobs)[0]


def choose_blocking_rules(fields: Sequence[str], records: pd.DataFrame,
                          kinds: Mapping[str, str] | None = None, *,
                          cache: KeyCache | None = None, max_pairs: int | None = None,
                          n_jobs: int | None = 1
                          ) -> tuple[list[BlockingRule], RulePairs | None]:
    """:func:`default_blocking_rules` with records, and the candidate pairs of the chosen
    rules, built while choosing them (``None`` when the rules are not the chosen ones
    alone): hand them to :meth:`~goldenrec._blocking.Blocker.block`."""
    columns = [str(c) for c in records.columns]
    present, options = candidate_options(fields, kinds or {}, columns)
    chosen, built = _chosen_rules(present, options, fields, records, cache, n_jobs=n_jobs)
    rules = with_all_pairs(chosen, len(records), max_pairs)
    return rules, built if len(rules) == len(chosen) else None


def _chosen_rules(present: Sequence[str], options: Sequence[Option], fields: Sequence[str],
                  records: pd.DataFrame, cache: KeyCache | None, *, n_jobs: int | None = 1
                  ) -> tuple[list[BlockingRule], RulePairs | None]:
    """The informative rules chosen from counted candidates (see
    :func:`default_blocking_rules`), and their pairs."""
    n = len(records)
    per_rule_budget = max(_MIN_RULE_BUDGET, _PAIRS_PER_RECORD_PER_RULE * n)
    total_budget = max(_MIN_TOTAL_BUDGET, _PAIRS_PER_RECORD_TOTAL * n)
    candidates: list[tuple[int, int, BlockingRule, frozenset[str]]] = []
    cache = {} if cache is None else cache  # the caller may reuse the key codes to block
    rules = [block_on(*option_keys) for option_keys, _ in options]
    counted = _counted(rules, records, cache, per_rule_budget, n_jobs)
    for rule, (_, signature), (pairs, largest, candidate, codes) in zip(rules, options,
                                                                        counted):
        if candidate:
            candidates.append((pairs, largest, rule, signature))
            if codes is not None:  # built once: for choosing and blocking
                remember_rule_codes(cache, rule, codes)
    candidates.sort(key=lambda c: (c[0], c[2].name))
    kept: list[tuple[BlockingRule, frozenset[str]]] = []
    added: list[tuple[int, int, np.ndarray]] = []  # per kept rule: pairs, largest, new
    total = 0
    seen = _SeenPairs()
    seen_rows: tuple[np.ndarray, np.ndarray] | None = None  # seen as rows, when needed
    for rule_pairs, largest, rule, signature in candidates:
        fuzzy = any(part.startswith("~") for part in signature)
        # an exact rule on A&B adds nothing when an exact rule on A (or B) is kept
        if not fuzzy and any(
                not any(part.startswith("~") for part in s) and s <= signature
                for _, s in kept):
            continue
        if total >= total_budget and kept:
            break
        # charge the budget with the pairs this rule adds, not those it repeats
        codes = _rule_codes(rule, records, cache)
        if kept and rule_pairs >= len(seen) // 2:
            # a large rule: count its new pairs from the kept ones (cheaper than building
            # its own), and build them only if it is kept
            if seen_rows is None:
                every = seen.unordered()
                seen_rows = ((every // n).astype(np.int32), (every % n).astype(np.int32))
            adds = rule_pairs - _pairs_sharing(codes, *seen_rows)
            if adds == 0 or total + adds > total_budget:
                continue
        # one key per record: a rule's pairs are distinct already; sorted, the binary
        # searches below walk the haystack in order (far fewer cache misses)
        encoded = _encoded_pairs(codes, n)
        new = encoded[~seen.contains(encoded)]
        if len(new) == 0:
            continue
        if total + len(new) > total_budget and kept:
            continue
        seen.add(new)
        seen_rows = None
        kept.append((rule, signature))
        added.append((rule_pairs, largest, new))
        total += len(new)
    forget_rule_codes(cache, [rule for rule, _ in kept])
    if not kept:
        return _template_rules(present, fields), None
    # each pair tagged with the first kept rule that proposed it, as the blocker does
    encoded_pairs = seen.sorted()
    rule_ids = np.empty(len(encoded_pairs), dtype=np.int16)
    for position, (_, _, new) in enumerate(added):
        rule_ids[np.searchsorted(encoded_pairs, new)] = position
    built = RulePairs(names=tuple(rule.name for rule, _ in kept), n_records=n,
                      encoded=encoded_pairs, rule_ids=rule_ids,
                      pairs=tuple(p for p, _, _ in added),
                      largest=tuple(b for _, b, _ in added))
    return [rule for rule, _ in kept], built


_Counted = tuple[int, int, bool, "np.ndarray | None"]


def _counted(rules: Sequence[BlockingRule], records: pd.DataFrame, cache: KeyCache,
             per_rule_budget: int, n_jobs: int | None) -> list[_Counted]:
    """Per rule: its pairs, its largest block, whether it is a candidate (some pairs,
    within ``per_rule_budget``) and, for a several-key candidate, its combined codes to
    keep (:func:`~goldenrec._blocking.compact_rule_codes`). From
    :data:`PARALLEL_MIN_RECORDS` records the keys and then the rules are worked out in
    forked processes (the same figures); the keys' codes land in ``cache``."""
    workers = worker_count(n_jobs) if len(records) >= PARALLEL_MIN_RECORDS else 1

    def count(rule: BlockingRule) -> _Counted:
        codes = _rule_codes(rule, records, cache)
        pairs, largest = _count(codes)
        candidate = 0 < pairs <= per_rule_budget
        return pairs, largest, candidate, compact_rule_codes(rule, codes) if candidate else None

    if workers > 1:
        keys = list(dict.fromkeys(key for rule in rules for key in rule.keys
                                  if key not in cache))
        try:
            for key, found in zip(keys, fork_map(
                    lambda i: _key_codes(keys[i], records, None), len(keys), workers)):
                cache[key] = found
            for key in {key for rule in rules for key in rule.keys}:  # workers share these
                _key_shared(key, *cache[key], cache)
            return fork_map(lambda i: count(rules[i]), len(rules), workers)
        except Exception as error:  # a broken pool must not stop a run
            logger.warning("worker processes failed (%s); counting in one process",
                           type(error).__name__)
    return [count(rule) for rule in rules]


def _encoded_pairs(codes: np.ndarray, n: int) -> np.ndarray:
    """Every pair of records sharing a block under ``codes`` (``-1``: none), as
    ``row_l * n + row_r`` with ``row_l < row_r``, built already sorted: each record in
    row order, followed by the records after it in its block (in row order).

    >>> _encoded_pairs(np.array([0, 1, 0, -1, 0]), 10).tolist()
    [2, 4, 24]
    """
    empty = np.empty(0, dtype=np.int64)
    valid = np.flatnonzero(codes >= 0)
    if len(valid) == 0:
        return empty
    sizes = np.bincount(codes[valid])
    members = valid[sizes[codes[valid]] >= 2].astype(np.int64)  # rows, ascending
    m = len(members)
    if m == 0:
        return empty
    blocks = codes[members].astype(np.int64)
    # by block, rows ascending within a block (the sort keys are distinct)
    order = np.argsort(blocks * m + np.arange(m))
    sorted_blocks = blocks[order]
    starts = np.flatnonzero(np.r_[True, sorted_blocks[1:] != sorted_blocks[:-1]])
    ends = np.r_[starts[1:], m]
    place = np.empty(m, dtype=np.int64)  # each member's position in ``order``
    place[order] = np.arange(m)
    follow = np.repeat(ends, ends - starts)[place] - place - 1  # members after it
    first = np.cumsum(follow) - follow
    right_at = np.arange(int(first[-1] + follow[-1]), dtype=np.int64) + np.repeat(
        place + 1 - first, follow)
    encoded: np.ndarray = np.repeat(members, follow) * n + members[order][right_at]
    return encoded


def _pairs_sharing(codes: np.ndarray, row_l: np.ndarray, row_r: np.ndarray) -> int:
    """How many of the pairs ``(row_l, row_r)`` share a block under ``codes``."""
    left = np.take(codes, row_l)
    same = np.equal(left, np.take(codes, row_r))
    same &= left >= 0
    return int(np.count_nonzero(same))


class _SeenPairs:
    """A growing set of encoded pairs, as two sorted runs: new pairs are merged into the
    small run, and the small run into the large one only once it has grown to a
    quarter of it, so that adding pairs rule after rule stays cheap (merging everything
    each time costs the whole set per rule)."""

    def __init__(self) -> None:
        self.large = np.empty(0, dtype=np.int64)
        self.small = np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.large) + len(self.small)

    def contains(self, needles: np.ndarray) -> np.ndarray:
        """Whether each of ``needles`` is in the set."""
        found = _sorted_contains(self.large, needles)
        found |= _sorted_contains(self.small, needles)
        return found

    def add(self, new: np.ndarray) -> None:
        """Add the sorted pairs ``new`` (none of them in the set yet)."""
        self.small = _merged(self.small, new)
        if 4 * len(self.small) > len(self.large):
            self.large, self.small = _merged(self.large, self.small), self.small[:0]

    def unordered(self) -> np.ndarray:
        """Every pair, in no particular order."""
        return np.concatenate([self.large, self.small])

    def sorted(self) -> np.ndarray:
        """Every pair, sorted."""
        return _merged(self.large, self.small)


def _merged(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Two sorted runs as one (a stable (tim)sort merges them in linear time)."""
    if not len(second):
        return first
    return np.sort(np.concatenate([first, second]), kind="stable")


def _sorted_contains(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """Whether each needle is in the sorted array ``haystack`` (binary search)."""
    if len(haystack) == 0:
        return np.zeros(len(needles), dtype=bool)
    at = np.minimum(np.searchsorted(haystack, needles), len(haystack) - 1)
    found: np.ndarray = haystack[at] == needles
    return found


def _template_rules(present_fields: Sequence[str], fields: Sequence[str]) -> list[BlockingRule]:
    """A fixed set of rule templates for the fields present."""
    present = set(present_fields)
    candidates: list[tuple[tuple[str, ...], BlockingRule]] = [
        (("national_id",), block_on("national_id")),
        (("email",), block_on("email")),
        (("phone",), block_on("phone")),
        (("first_name", "last_name"), block_on("first_name", "last_name")),
        (("last_name", "date_of_birth"), block_on("last_name", "date_of_birth")),
        (("first_name", "date_of_birth"), block_on("first_name", "date_of_birth")),
        (("first_name", "last_name"),
         block_on(phonetic("first_name"), phonetic("last_name"))),
        (("postcode", "last_name"), block_on("postcode", phonetic("last_name"))),
        (("postcode", "date_of_birth"), block_on("postcode", "date_of_birth")),
        (("street", "street_number", "postcode"),
         block_on("street", "street_number", "postcode")),
    ]
    rules = [rule for needed, rule in candidates if set(needed) <= present]
    if "full_name" in present and not {"first_name", "last_name"} <= present:
        rules.append(block_on("full_name"))
    if not rules:
        rules = [block_on(field) for field in fields if field != "updated_at"][:3]
    return rules
