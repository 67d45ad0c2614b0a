"""Fast paths of the comparator give exactly the levels of the plain paths.

The ``_reference_*`` functions below are the code as it was before the fast paths were
added (every pair given to the edit-distance kernel, strings compared pair by pair, all
four similarities of the swap test computed). The tests compare the two on generated
values, with both branches of every choice the fast paths make: hashing the pairs to
compare each distinct one once, or comparing every pair; bounding edit distances first,
or not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from goldenrec import _comparisons
from goldenrec._comparisons import (
    BOTH_MISSING_LEVEL,
    MISSING_LEVEL,
    SWAP_MARGIN,
    Comparator,
    Comparison,
    DateComparison,
    EmailComparison,
    ExactComparison,
    IdentifierComparison,
    NameComparison,
    StringComparison,
    _CharacterProfile,
    _distinct_share,
    _distinct_similarity,
    _edit_distance,
    _edit_distance_of,
    _popcount,
    _swap_test,
)

# Small alphabets make near misses (one or two edits, equal digits, equal user names,
# swapped day and month) common; the wide one brings astral and combining characters.
EMAIL_CHARS = "ab1@.2"
DATE_CHARS = "0129-"
WIDE_CHARS = "aAbß1-@é\u0301😀\U00010348"


def _reference_edit_distance(left: np.ndarray, right: np.ndarray, limit: int) -> np.ndarray:
    return np.asarray(process.cpdist(list(left), list(right),
                                     scorer=DamerauLevenshtein.distance, score_cutoff=limit),
                      dtype=np.int64)


def _reference_identifier(comparison: IdentifierComparison, left: np.ndarray,
                          right: np.ndarray) -> np.ndarray:
    distance = _reference_edit_distance(left, right, comparison.max_edits)
    levels = np.where(distance <= comparison.max_edits, distance, comparison.max_edits + 1)
    return levels.astype(np.int8)


def _reference_email(comparison: EmailComparison, left: np.ndarray,
                     right: np.ndarray) -> np.ndarray:
    user = np.array([str(v).rsplit("@", 1)[0] for v in left], dtype=object)
    user_r = np.array([str(v).rsplit("@", 1)[0] for v in right], dtype=object)
    digits = np.array(["".join(filter(str.isdigit, str(v))) for v in left], dtype=object)
    digits_r = np.array(["".join(filter(str.isdigit, str(v))) for v in right], dtype=object)
    edits = comparison.max_edits
    typo = ((_reference_edit_distance(left, right, edits) <= edits) & (digits == digits_r))
    levels = np.where(typo, 2, 3).astype(np.int8)
    levels[user == user_r] = 1
    levels[left == right] = 0
    return levels


def _reference_date(comparison: DateComparison, left: np.ndarray,
                    right: np.ndarray) -> np.ndarray:
    text_l = pd.Series(left, dtype=object).astype(str)
    text_r = pd.Series(right, dtype=object).astype(str)

    def part(text: pd.Series, start: int, stop: int) -> np.ndarray:
        return text.str[start:stop].to_numpy(dtype=object)

    swapped = ((part(text_l, 0, 4) == part(text_r, 0, 4))
               & (part(text_l, 5, 7) == part(text_r, 8, 10))
               & (part(text_l, 8, 10) == part(text_r, 5, 7)))

    def ordinal(text: pd.Series) -> np.ndarray:
        parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        days = parsed.to_numpy(dtype="datetime64[D]").astype(np.int64).astype(np.float64)
        days[parsed.isna().to_numpy()] = np.nan
        return days

    close = np.abs(ordinal(text_l) - ordinal(text_r)) <= comparison.max_days
    plain_l, plain_r = text_l.to_numpy(dtype=object), text_r.to_numpy(dtype=object)
    out = np.full(len(left), 3, dtype=np.int8)
    out[close] = 2
    out[(_reference_edit_distance(plain_l, plain_r, 1) <= 1) | swapped] = 1
    out[plain_l == plain_r] = 0
    return out


def _reference_pair_levels(comparison: Comparison, left: np.ndarray,
                           right: np.ndarray) -> np.ndarray:
    if isinstance(comparison, EmailComparison):
        return _reference_email(comparison, left, right)
    if isinstance(comparison, DateComparison):
        return _reference_date(comparison, left, right)
    if isinstance(comparison, IdentifierComparison):
        return _reference_identifier(comparison, left, right)
    return comparison._levels(left, right)  # Jaro–Winkler and exact: unchanged


def _reference_levels_of_codes(comparison: Comparison, code_l: np.ndarray,
                               code_r: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.full(len(code_l), MISSING_LEVEL, dtype=np.int8)
    out[(code_l < 0) & (code_r < 0)] = BOTH_MISSING_LEVEL
    present = (code_l >= 0) & (code_r >= 0)
    if comparison.equal_is_first_level:
        out[present & (code_l == code_r)] = 0
        present &= code_l != code_r
    if present.any():
        out[present] = _reference_pair_levels(comparison, values[code_l[present]],
                                              values[code_r[present]])
    return out


def _reference_similarity(code_l: np.ndarray, code_r: np.ndarray,
                          values: np.ndarray) -> np.ndarray:
    out = np.zeros(len(code_l))
    present = (code_l >= 0) & (code_r >= 0)
    if present.any():
        out[present] = process.cpdist(list(values[code_l[present]]),
                                      list(values[code_r[present]]),
                                      scorer=JaroWinkler.normalized_similarity)
    return out


def _reference_swapped(codes: np.ndarray, values: np.ndarray, row_l: np.ndarray,
                       row_r: np.ndarray) -> np.ndarray:
    first, second = codes[0], codes[1]
    direct = (_reference_similarity(first[row_l], first[row_r], values)
              + _reference_similarity(second[row_l], second[row_r], values))
    crossed = (_reference_similarity(first[row_l], second[row_r], values)
               + _reference_similarity(second[row_l], first[row_r], values))
    result: np.ndarray = crossed > direct + SWAP_MARGIN
    return result


BRANCHES = pytest.mark.parametrize("direct", [False, True], ids=["hashed", "direct"])


@contextmanager
def _branch(direct: bool) -> Iterator[None]:
    """Every comparison path either hashes the pairs (share estimate 0) or compares all
    of them (estimate 1); edit distances are bounded first even for a few pairs."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_comparisons, "_distinct_share", lambda *args: 1.0 if direct else 0.0)
        patch.setattr(_comparisons, "BOUND_MIN_PAIRS", 0)
        if direct:  # built-in comparisons then never hash pairs
            patch.setattr(_comparisons, "_distinct_pairs", _unexpected)
        yield


def _unexpected(*args: object) -> tuple[np.ndarray, np.ndarray]:
    raise AssertionError("pairs hashed on the direct path")


def _texts(alphabet: str, max_size: int = 8) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, max_size=max_size)


def _dates() -> st.SearchStrategy[str]:
    iso = st.dates().map(lambda day: day.isoformat())
    near = st.tuples(st.sampled_from(["1980", "1981", "1908"]),
                     st.sampled_from(["01", "02", "10", "12", "13"]),
                     st.sampled_from(["01", "02", "10", "12", "31"])).map("-".join)
    return st.one_of(iso, near, _texts(DATE_CHARS, 11))


def _emails() -> st.SearchStrategy[str]:
    user = _texts(EMAIL_CHARS, 6)
    domain = st.sampled_from(["x.org", "x.orh", "y.com", "1.lv", ""])
    return st.one_of(st.tuples(user, domain).map("@".join), _texts(EMAIL_CHARS, 10))


@st.composite
def _coded(draw: st.DrawFn, values: st.SearchStrategy[str]) -> tuple[np.ndarray, ...]:
    """Distinct values and aligned codes into them (``-1`` = missing), with repeats."""
    distinct = draw(st.lists(values, min_size=1, max_size=12, unique=True))
    codes = st.integers(-1, len(distinct) - 1)
    n = draw(st.integers(1, 80))
    code_l = np.array(draw(st.lists(codes, min_size=n, max_size=n)), dtype=np.int64)
    code_r = np.array(draw(st.lists(codes, min_size=n, max_size=n)), dtype=np.int64)
    return np.array(distinct, dtype=object), code_l, code_r


def _check(comparison: Comparison, data: tuple[np.ndarray, ...]) -> None:
    values, code_l, code_r = data
    expected = _reference_levels_of_codes(comparison, code_l, code_r, values)
    got = comparison.levels_of_codes(code_l, code_r, values)
    assert got.dtype == np.int8
    np.testing.assert_array_equal(got, expected)


@BRANCHES
@settings(max_examples=60, deadline=None)
@given(data=_coded(_emails()), edits=st.integers(1, 3))
def test_email_levels(direct: bool, data: tuple[np.ndarray, ...], edits: int) -> None:
    with _branch(direct):
        _check(EmailComparison("email", max_edits=edits), data)


@BRANCHES
@settings(max_examples=60, deadline=None)
@given(data=_coded(_dates()), days=st.sampled_from([0, 30, 365]))
def test_date_levels(direct: bool, data: tuple[np.ndarray, ...], days: int) -> None:
    with _branch(direct):
        _check(DateComparison("date_of_birth", max_days=days), data)


@BRANCHES
@settings(max_examples=60, deadline=None)
@given(data=_coded(st.one_of(_texts("0123", 7), _texts(WIDE_CHARS, 7))),
       edits=st.integers(1, 3))
def test_identifier_levels(direct: bool, data: tuple[np.ndarray, ...], edits: int) -> None:
    with _branch(direct):
        _check(IdentifierComparison("phone", max_edits=edits), data)


@BRANCHES
@settings(max_examples=40, deadline=None)
@given(data=_coded(_texts("abnr", 6)))
def test_string_and_exact_levels(direct: bool, data: tuple[np.ndarray, ...]) -> None:
    with _branch(direct):
        _check(StringComparison("street"), data)
        _check(ExactComparison("country"), data)
        _check(NameComparison("first_name"), data)


@BRANCHES
def test_email_with_values_that_are_not_text(direct: bool) -> None:
    values = np.empty(4, dtype=object)  # a sequence the kernel takes, but not text
    values[:] = ["a1@x.org", ("a", "1"), "a2@x.org", "a1@y.org"]
    code_l = np.array([0, 0, 1, 2, 3], dtype=np.int64)
    code_r = np.array([2, 3, 0, 3, 0], dtype=np.int64)
    with _branch(direct):
        _check(EmailComparison("email"), (values, code_l, code_r))


@settings(max_examples=80, deadline=None)
@given(values=st.lists(st.one_of(_texts(WIDE_CHARS, 9), _texts("0123", 12)),
                       min_size=1, max_size=6),
       pairs=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1,
                      max_size=60),
       limit=st.integers(0, 3))
def test_bounded_edit_distance(values: list[str], pairs: list[tuple[int, int]],
                               limit: int) -> None:
    array = np.array(values, dtype=object)
    left = np.array([a % len(values) for a, _ in pairs], dtype=np.int64)
    right = np.array([b % len(values) for _, b in pairs], dtype=np.int64)
    expected = _reference_edit_distance(array[left], array[right], limit)
    # the lower bound never rules out a pair within the limit
    profile = _CharacterProfile(array)
    assert not (expected[~profile.may_be_within(left, right, limit)] <= limit).any()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_comparisons, "BOUND_MIN_PAIRS", 0)
        np.testing.assert_array_equal(_edit_distance_of(array, left, right, limit), expected)
    np.testing.assert_array_equal(_edit_distance(array[left], array[right], limit), expected)


def test_bounded_edit_distance_skips_the_kernel_for_far_pairs(
        monkeypatch: pytest.MonkeyPatch) -> None:
    values = np.array(["0123456", "0123465", "9876543", "5555555"], dtype=object)
    left = np.array([0, 0, 0, 1, 2, 3, 0, 1] * 4, dtype=np.int64)
    right = np.array([1, 2, 3, 2, 3, 0, 0, 3] * 4, dtype=np.int64)
    sizes: list[int] = []

    def kernel(left_values: np.ndarray, right_values: np.ndarray, limit: int) -> np.ndarray:
        sizes.append(len(left_values))
        return _reference_edit_distance(left_values, right_values, limit)

    monkeypatch.setattr(_comparisons, "_edit_distance", kernel)
    monkeypatch.setattr(_comparisons, "BOUND_MIN_PAIRS", 0)
    distance = _edit_distance_of(values, left, right, 1)
    assert distance.tolist() == [1, 2, 2, 2, 2, 2, 0, 2] * 4
    assert sizes == [8]  # only (0, 1) and (0, 0) reach the kernel


def test_popcount_without_numpy_bitwise_count(monkeypatch: pytest.MonkeyPatch) -> None:
    bits = np.array([0, 1, 3, 2**63, 2**64 - 1, 0x0F0F], dtype=np.uint64)
    expected = [0, 1, 2, 1, 64, 8]
    assert _popcount(bits).tolist() == expected
    monkeypatch.delattr(np, "bitwise_count", raising=False)
    assert _popcount(bits).tolist() == expected


# names alike enough that the swap test is close both ways round
NAMES = st.one_of(st.lists(_texts("an", 4), min_size=1, max_size=8, unique=True),
                  st.lists(_texts("abnos", 5), min_size=1, max_size=8, unique=True))


@BRANCHES
@settings(max_examples=60, deadline=None)
@given(names=NAMES, data=st.data())
def test_similarity(direct: bool, names: list[str], data: st.DataObject) -> None:
    values = np.array(names, dtype=object)
    code = st.integers(-1, len(names) - 1)
    n_pairs = data.draw(st.integers(1, 40))
    code_l = np.array(data.draw(st.lists(code, min_size=n_pairs, max_size=n_pairs)))
    code_r = np.array(data.draw(st.lists(code, min_size=n_pairs, max_size=n_pairs)))
    with _branch(direct):
        np.testing.assert_array_equal(_distinct_similarity(code_l, code_r, values),
                                      _reference_similarity(code_l, code_r, values))


@BRANCHES
@settings(max_examples=150, deadline=None)
@given(names=NAMES, data=st.data())
def test_swap_test(direct: bool, names: list[str], data: st.DataObject) -> None:
    values = np.array(names, dtype=object)
    n_records = data.draw(st.integers(1, 10))
    code = st.integers(-1, len(names) - 1)
    codes = np.array([data.draw(st.lists(code, min_size=n_records, max_size=n_records))
                      for _ in range(2)], dtype=np.int64)
    row = st.integers(0, n_records - 1)
    n_pairs = data.draw(st.integers(1, 40))
    row_l = np.array(data.draw(st.lists(row, min_size=n_pairs, max_size=n_pairs)))
    row_r = np.array(data.draw(st.lists(row, min_size=n_pairs, max_size=n_pairs)))
    with _branch(direct):
        np.testing.assert_array_equal(_swap_test(codes, values, row_l, row_r)[0],
                                      _reference_swapped(codes, values, row_l, row_r))


@BRANCHES
def test_swap_test_of_exactly_swapped_names(direct: bool) -> None:
    values = np.array(["mason", "smith", "ann", "lee", "anna", "anne"], dtype=object)
    codes = np.array([[0, 1, 2, 3, 4, 5], [1, 0, 3, 2, 5, 4]], dtype=np.int64)
    # the last: alike names both ways round (0.88 + 0.88 direct, 2 crossed)
    row_l, row_r = np.array([0, 0, 2, 0, 4]), np.array([1, 0, 3, 2, 5])
    with _branch(direct):
        swapped = _swap_test(codes, values, row_l, row_r)[0]
    assert swapped.tolist() == [True, False, True, False, True]
    np.testing.assert_array_equal(swapped, _reference_swapped(codes, values, row_l, row_r))


def _records(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)

    def pick(options: list[str]) -> np.ndarray:
        picked: np.ndarray = rng.choice(np.array(options, dtype=object), n)
        return picked

    # many phones and e-mail addresses (nearly every pair distinct), few names
    phones = np.array(["".join(digits) for digits in rng.choice(list("0123"), (n, 7))],
                      dtype=object)
    users = np.array(["".join(chars) for chars in rng.choice(list("ab12"), (n, 5))],
                     dtype=object)
    records: pd.DataFrame = pd.DataFrame({
        "first_name_key": pick(["ann", "anna", "bob", "lee", "mason", "smith"]),
        "last_name_key": pick(["lee", "smith", "smyth", "mason", "ann"]),
        "email_key": users + pick(["@x.org", "@y.org"]),
        "phone_key": phones,
        "date_of_birth_key": pick(["1980-02-03", "1980-03-02", "1980-02-04", "1981-02-03"]),
        "country_key": pick(["lv", "de"]),
    })
    for field in ("first_name", "last_name", "email", "phone", "date_of_birth", "country"):
        records[f"{field}_status"] = np.where(rng.random(n) < 0.1, "missing", "valid")
    return records


@pytest.mark.parametrize("seed", [0, 1])
def test_comparator_levels_the_same_on_both_paths(seed: int,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Enough pairs for the real share estimate; forced either way, the same frame."""
    records = _records(3000, seed)
    rng = np.random.default_rng(seed)
    pairs = pd.DataFrame({"row_l": rng.integers(0, 3000, 60_000),
                          "row_r": rng.integers(0, 3000, 60_000)})
    comparator = Comparator((
        NameComparison("first_name", swap_with="last_name", term_frequency=True),
        NameComparison("last_name", swap_with="first_name"),
        EmailComparison("email"), IdentifierComparison("phone"),
        DateComparison("date_of_birth"), ExactComparison("country", term_frequency=True),
    ), correlated=())
    shares: list[float] = []

    def estimate(code_l: np.ndarray, code_r: np.ndarray, width: int) -> float:
        shares.append(_distinct_share(code_l, code_r, width))
        return shares[-1]

    monkeypatch.setattr(_comparisons, "_distinct_share", estimate)
    estimated = comparator.compare(pairs, records)
    # the e-mail addresses and phones go the direct way, the rest are hashed
    assert sum(share > 0.9 for share in shares) == 2
    assert sum(share < 0.3 for share in shares) == len(shares) - 2
    frames = []
    for share in (0.0, 1.0):
        monkeypatch.setattr(_comparisons, "_distinct_share", lambda *args, s=share: s)
        frames.append(comparator.compare(pairs, records))
    pd.testing.assert_frame_equal(frames[0], frames[1])
    pd.testing.assert_frame_equal(estimated, frames[0])


def test_distinct_share_estimate() -> None:
    rng = np.random.default_rng(0)
    n = 200_000
    unique_l = rng.integers(0, 100_000, n)
    unique_r = rng.integers(0, 100_000, n)
    assert _distinct_share(unique_l, unique_r, 100_000) > 0.95
    repeated_l, repeated_r = rng.integers(0, 500, n), rng.integers(0, 40, n)
    exact = len(np.unique(repeated_l * 40 + repeated_r)) / n
    assert _distinct_share(repeated_l, repeated_r, 500) == pytest.approx(exact, abs=0.02)
    # few pairs, or few possible distinct pairs: no estimate needed (hash them)
    assert _distinct_share(unique_l[:1000], unique_r[:1000], 100_000) == 0.0
    assert _distinct_share(unique_l % 10, unique_r % 10, 10) == 0.0


def test_custom_comparisons_always_get_distinct_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A subclass's own ``_levels`` is used as before, once per distinct pair."""
    seen: list[int] = []

    class Digits(IdentifierComparison):
        def _levels(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
            seen.append(len(left))
            return np.where([a[-1] == b[-1] for a, b in zip(left, right)], 0, 2).astype(np.int8)

    monkeypatch.setattr(_comparisons, "_distinct_share", lambda *args: 1.0)
    values = np.array(["10", "21", "31", "40"], dtype=object)
    code_l = np.array([1, 1, 1, 0, 3, -1, 1], dtype=np.int64)
    code_r = np.array([2, 2, 2, 3, 0, 2, 0], dtype=np.int64)
    levels = Digits("phone").levels_of_codes(code_l, code_r, values)
    assert levels.tolist() == [0, 0, 0, 0, 0, -1, 2]
    assert seen == [4]  # (1, 2), (0, 3), (3, 0) and (1, 0)


class _PlainName(NameComparison):
    """A subclass: compared the general way, not from the swap test's similarities."""


@st.composite
def _name_records(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = draw(st.integers(1, 10))
    # "\x1f" in a key: the key part of ``key\x1fcanonical`` is not the key (general way)
    key = st.sampled_from(["ann", "anna", "anne", "nan", "na", "", "a\x1fn"])
    canonical = st.sampled_from([None, "ann", "anna", "nan"])
    status = st.sampled_from(["valid", "valid", "valid", "missing"])
    columns: dict[str, list[str | None]] = {}
    for field in ("first_name", "last_name"):
        columns[f"{field}_key"] = draw(st.lists(key, min_size=n, max_size=n))
        columns[f"{field}_status"] = draw(st.lists(status, min_size=n, max_size=n))
        if draw(st.booleans()):  # without the column, names have no canonical form
            columns[f"{field}_canonical"] = draw(st.lists(canonical, min_size=n, max_size=n))
    n_pairs = draw(st.integers(1, 30))
    row = st.integers(0, n - 1)
    pairs = pd.DataFrame({side: draw(st.lists(row, min_size=n_pairs, max_size=n_pairs))
                          for side in ("row_l", "row_r")})
    return pd.DataFrame(columns), pairs


@BRANCHES
@settings(max_examples=80, deadline=None)
@given(data=_name_records(), thresholds=st.sampled_from([(0.92, 0.8), (0.9, 0.8, 0.6)]))
def test_swapped_name_levels_from_the_swap_test(
        direct: bool, data: tuple[pd.DataFrame, pd.DataFrame],
        thresholds: tuple[float, ...]) -> None:
    records, pairs = data

    def comparator(kind: type[NameComparison]) -> Comparator:
        return Comparator((
            kind("first_name", swap_with="last_name", thresholds=thresholds),
            kind("last_name", swap_with="first_name", thresholds=thresholds,
                 term_frequency=True)), correlated=())

    with _branch(direct):
        fast = comparator(NameComparison).compare(pairs, records)
    pd.testing.assert_frame_equal(fast, comparator(_PlainName).compare(pairs, records))


def test_name_reading_only_where_keys_are_plain() -> None:
    records = pd.DataFrame({
        "first_name_key": ["ann", "bob"], "first_name_status": ["valid", "valid"],
        "first_name_canonical": ["anna", None],
        "last_name_key": ["lee", "a\x1fb"], "last_name_status": ["valid", "valid"]})
    columns = _comparisons._KeyColumns(records)
    plain, plain_values = columns.codes(("first_name", "last_name"))
    both, values = columns.codes(("first_name", "last_name"), canonical=True)
    swap = _comparisons._Swap(("first_name", "last_name"), plain, plain_values, both[1])
    assert _comparisons._NameReading.of("first_name", both[0], values, swap) is None
    records.loc[1, "last_name_key"] = "ab"
    columns = _comparisons._KeyColumns(records)
    plain, plain_values = columns.codes(("first_name", "last_name"))
    both, values = columns.codes(("first_name", "last_name"), canonical=True)
    swap = _comparisons._Swap(("first_name", "last_name"), plain, plain_values, both[1])
    reading = _comparisons._NameReading.of("first_name", both[0], values, swap)
    assert reading is not None
    # canonical forms: "anna" for ann, "bob" (the key, no canonical form given) for bob;
    # none for last names (no canonical column)
    assert reading.canonical[0].tolist() == [0, 1]
    assert reading.canonical[1].tolist() == [-1, -1]
