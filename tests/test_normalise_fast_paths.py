"""Fast paths of the normalisers give exactly what the full (slow) paths give.

Each ``_reference_*`` function below is the code as it was before its fast path was
added; the tests compare the two on tricky inputs (diacritics, Hebrew, CJK, full-width,
mixed case, placeholders, controls, odd spacing) and on generated text.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import re
import unicodedata

import pandas as pd
import pytest
from anyascii import anyascii
from hypothesis import given, settings
from hypothesis import strategies as st

import goldenrec as gr
from goldenrec._normalise import _text
from goldenrec._normalise._base import GENERIC_PLACEHOLDERS, Normaliser, _gc_paused
from goldenrec._normalise._dates import TimestampNormaliser
from goldenrec._normalise._names import (
    NameNormaliser,
    _latin,
    _part_key,
    _strip_affixes,
    _word_chars,
    name_key,
    split_full_name,
)
from goldenrec._normalise._records import RecordNormaliser, _take_rows
from goldenrec._normalise._simple import TextNormaliser
from goldenrec._normalise._text import (
    clean_text,
    drop_symbols,
    fold,
    normalise_geresh,
    smart_title,
    squeeze_cjk_spaces,
    transliterate,
)

TRICKY = [
    "", " ", "  ", "a", "A", "Anna", "ANNA", "anna", "Anna Lee", "Anna  Lee", " Anna",
    "Anna ", "\tAnna\n", "Anna\u00a0Lee", "Anna\x7fLee", "Anna\x00", "O'Brien", "O’Brien",
    "Smith-Jones", "Smith, John", "Dr. Hans von Müller", "MÜLLER", "Müller", "Mueller",
    "Bērziņš", "Bērziņš-Ozoliņa", "STRAßE", "Straße 12", "ǅemal", "ﬁona", "Ｍüller Hans",
    "ＡＮＮＡ", "１２３", "Anna\u200fLee", "\u202bשרה\u202c", "דָּוִד", "ג'ורג'", 'בע"מ',
    "ג׳ורג׳", "山田 太郎", "山田太郎", "佐々木", "やまだ", "ジョン・スミス", "김민수", "Иванов",
    "Παπαδόπουλος", "Anna 😀👍🏽 ©", "x" * 300, "n/a", "N/A", "n.a.", "N A", "null", "NULL",
    "?", "-", "--", "...", "0", "00", "000", "0000", "unknown", "Unbekannt", "k.A.",
    "test", "TEST", "x", "X", "asdf", "tbd", "a@b.com", "Ann.Lee@Example.COM",
    "$%&+=@", "a$b", "A_B", "a|b", "a/b", "a\\b", "a:b", "a;b", "a#b", "a~b", "3rd",
    "McDonald", "mcdonald", "JOHN o'neil", "de la Cruz", "VAN DER BERG", "ß", "İstanbul",
    "ı", "Ǆ", "ŉ", "2024-05-01T10:00:00Z", "+44 7448 793465", "(202) 766-6776",
]
_TEXT = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(max_codepoint=127), max_size=30),
    st.text(alphabet="aAbZ09 .-'_,/$@ßüÜ", max_size=20),
    st.sampled_from(TRICKY),
)


# -- reference (pre-fast-path) implementations ---------------------------------------------
def _reference_clean_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _text._BIDI_AND_CONTROL.sub("", text)
    return _text._SPACE.sub(" ", text).strip()


def _reference_fold(text: str, *, expand_umlauts: bool = False) -> str:
    text = _reference_clean_text(text).translate(_text._SPECIAL_FOLDS).casefold()
    if expand_umlauts:
        text = text.translate(_text._UMLAUTS)
    text = _text._VARIATION_SELECTORS.sub("", text)
    text = _text.strip_diacritics(text)
    text = _text._DROP_PUNCT.sub("", text)
    return _text._SPACE.sub(" ", _text._PUNCT_TO_SPACE.sub(" ", text)).strip()


def _reference_transliterate(text: str) -> str:
    text = _reference_clean_text(text)
    if not text:
        return ""
    if not text.isascii():
        text = drop_symbols(text).casefold()
        text = squeeze_cjk_spaces(_text._repeat_iteration_mark(text))
        text = _reference_geresh(_text._HEBREW_POINTS.sub("", text))
        text = _text._GERESH_SOUNDS.sub(lambda m: _text._GERESH_LATIN[m.group(1)], text)
        text = text.replace("ου", "ou")
        text = anyascii(text)
    text = _text._TRANSLIT_DROP.sub("", text.lower())
    return _text._NOT_ASCII_ALNUM.sub(" ", text).strip()


def _reference_geresh(text: str) -> str:
    if "'" not in text and '"' not in text and not any(
        ch in text for ch in "’‘´`“”\u02bc\u05f3"
    ):
        return text
    text = _text._GERSHAYIM_LIKE.sub("\u05f4", text)
    return _text._GERESH_LIKE.sub("\u05f3", text)


def _reference_smart_title(text: str) -> str:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or not _text._has_cased_letters_only(text):
        return text
    if text != text.lower() and text != text.upper() and not (
        text.islower() or text.isupper()
    ):
        words = text.split(" ")
        if not all(w == w.lower() or w == w.upper() for w in words):
            return text
    return _text._WORD.sub(_text._title_word, text)


_SPACES = re.compile(r"\s+")


def _reference_name_key(text: str) -> str:
    key = _word_chars(_reference_fold(drop_symbols(text), expand_umlauts=True))
    return _SPACES.sub(" ", squeeze_cjk_spaces(_SPACES.sub(" ", key).strip())).strip()


def _reference_is_placeholder(text: str) -> bool:
    return _reference_fold(text) in GENERIC_PLACEHOLDERS


def _reference_timestamp(text: str) -> str | None:
    """TimestampNormaliser's value without the fast path (None: invalid)."""
    candidate = text.strip()
    if candidate[-1:] in ("Z", "z"):
        candidate = candidate[:-1] + "+00:00"
    try:
        stamp = dt.datetime.fromisoformat(candidate)
    except ValueError:
        written = TimestampNormaliser._written(text.strip(), None)
        if written is None:
            return None
        stamp = written
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return stamp.replace(microsecond=0).isoformat()


# -- text helpers ---------------------------------------------------------------------------
def _assert_matches_reference(text: str) -> None:
    assert clean_text(text) == _reference_clean_text(text)
    assert fold(text) == _reference_fold(text)
    assert fold(text, expand_umlauts=True) == _reference_fold(text, expand_umlauts=True)
    assert transliterate(text) == _reference_transliterate(text)
    assert normalise_geresh(text) == _reference_geresh(text)
    assert smart_title(text) == _reference_smart_title(text)
    assert name_key(text) == _reference_name_key(text)
    assert TextNormaliser().is_placeholder(text) == _reference_is_placeholder(text)


@pytest.mark.parametrize("text", TRICKY)
def test_text_helpers_match_reference_on_tricky_inputs(text: str) -> None:
    _assert_matches_reference(text)


@settings(max_examples=400, deadline=None)
@given(text=_TEXT)
def test_text_helpers_match_reference_on_generated_text(text: str) -> None:
    _assert_matches_reference(text)


def test_fast_paths_are_taken_for_clean_ascii() -> None:
    # the shapes the fast paths are for (so the comparisons above test them)
    assert _text._is_clean_ascii("Anna Lee") and not _text._is_clean_ascii("Anna  Lee")
    assert not _text._is_clean_ascii(" Anna") and not _text._is_clean_ascii("Anna\t")
    assert not _text._is_clean_ascii("Müller") and not _text._is_clean_ascii("a\x7f")
    assert _text._ASCII_UNTOUCHED.fullmatch("ann lee 12 a@b")
    assert _text._ASCII_WORDS.fullmatch("Anna Lee 3") and not _text._ASCII_WORDS.fullmatch("O'B")


def test_no_generic_placeholder_has_a_digit_but_zero() -> None:
    # Normaliser.is_placeholder skips fold() for text with a digit 1-9
    assert not any(re.search("[1-9]", p) for p in GENERIC_PLACEHOLDERS)
    assert TextNormaliser().is_placeholder("0") and TextNormaliser().is_placeholder("N/A")
    assert not TextNormaliser().is_placeholder("n/a 1")


# -- names ----------------------------------------------------------------------------------
@pytest.mark.parametrize("part", [None, "given", "middle", "family", "full"])
def test_name_normaliser_matches_reference_helpers(part: str | None) -> None:
    # name_key and _part_key are the reference computation, cached or shortcut
    normaliser = NameNormaliser(part=part)  # type: ignore[arg-type]
    for text in TRICKY:
        cleaned = clean_text(text)
        if not cleaned:
            continue
        result = normaliser.normalise_value(cleaned)
        if result.status == "valid" and result.key is not None:
            assert result.key == _reference_name_key(
                " ".join(_strip_for_key(cleaned)))
    for text in ("Anna", "Bērziņš", "Иванов", "ג'ורג'", "von Müller", "Lee 3"):
        assert _part_key(text) == _latin(_reference_name_key(text), text)


def _strip_for_key(text: str) -> list[str]:
    cleaned = _text._SPACE.sub(" ", drop_symbols(_reference_geresh(text))).strip()
    tokens = cleaned.split(" ")
    return _strip_affixes(tokens) or tokens


def test_full_name_parts_are_split_once_per_distinct_name() -> None:
    names = ["Dr. Hans von Müller", "Smith, John Paul", "山田太郎", "Mrs Smith", None,
             "Dr. Hans von Müller", "ANNA LEE", "Anna Lee", "n/a", "Smith, John Paul"]
    frame = pd.DataFrame({"id": [str(i) for i in range(len(names))], "name": names})
    source = gr.Source("s", key="id", roles={"name": "full_name"}, infer=False)
    mapped = gr.Pipeline([source]).schema_mapper().map({"s": frame})
    out = RecordNormaliser(frequency=None).normalise(mapped).frame
    for i in range(len(names)):
        valid = out["full_name_status"].iloc[i] == "valid"
        expected = split_full_name(out["full_name"].iloc[i]) if valid else (None,) * 3
        for position, role in enumerate(("first_name", "middle_name", "last_name")):
            derived = out[f"{role}_status"].iloc[i] == "valid"
            assert (expected[position] is not None) == derived, (i, role)


# -- timestamps -----------------------------------------------------------------------------
STAMPS = [
    "2024-05-01T10:00:00Z", "2022-11-27T01:17:59Z", "2024-02-29T23:59:59Z",
    "2023-02-29T00:00:00Z", "2022-13-01T00:00:00Z", "2022-00-10T00:00:00Z",
    "2022-11-31T00:00:00Z", "2022-11-27T24:00:00Z", "2022-11-27T23:60:00Z",
    "2022-11-27T23:59:60Z", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z", "2022-11-27t01:17:59Z", "2022-11-27T01:17:59z",
    "2022-11-27T01:17:59.5Z", "2022-11-27 01:17:59Z", "2022-11-27T01:17:59+02:00",
    "２０２２-１１-２７T01:17:59Z", "٢٠٢٢-11-27T01:17:59Z", "2022-11-27T01:17:59",
]


@pytest.mark.parametrize("text", STAMPS)
def test_timestamp_fast_path_matches_reference(text: str) -> None:
    result = TimestampNormaliser().normalise_value(text)
    reference = _reference_timestamp(text)
    assert (result.value, result.key) == (reference, reference)
    assert result.status == ("valid" if reference is not None else "invalid")


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)))
def test_timestamp_fast_path_matches_reference_on_generated(stamp: dt.datetime) -> None:
    text = stamp.replace(microsecond=0).isoformat() + "Z"
    assert text.endswith("Z") and TimestampNormaliser().normalise_value(text).value \
        == _reference_timestamp(text)


# -- garbage collector ----------------------------------------------------------------------
@pytest.mark.parametrize("enabled", [True, False])
def test_gc_is_paused_and_restored(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with _gc_paused():
            assert not gc.isenabled()
        assert gc.isenabled() == enabled
        with pytest.raises(RuntimeError), _gc_paused():
            raise RuntimeError
        assert gc.isenabled() == enabled
        values = pd.Series(list(itertools.islice(itertools.cycle(TRICKY), 300)))
        out = TextNormaliser().normalise(values)
        assert gc.isenabled() == enabled and len(out) == 300
    finally:
        (gc.enable if was else gc.disable)()


def test_normaliser_base_placeholder_rule_is_unchanged() -> None:
    class Plain(Normaliser):
        def normalise_value(self, text, *, region=None, date_order=None):  # type: ignore[no-untyped-def]
            raise AssertionError

    for text in TRICKY:
        assert Plain().is_placeholder(text) == _reference_is_placeholder(text)


@pytest.mark.parametrize("pattern", ["none", "all", "some"])
def test_take_rows_is_where(pattern: str) -> None:
    index = pd.Index([10, 11, 12, 13])
    current = pd.DataFrame({"value": ["a", None, float("nan"), "d"],
                            "status": ["valid", "missing", "missing", "invalid"]},
                           index=index, dtype=object)
    derived = pd.DataFrame({"value": [None, "B", "C", float("nan")],
                            "status": ["missing", "valid", "valid", "valid"]},
                           index=index, dtype=object)
    take = pd.Series({"none": [False] * 4, "all": [True] * 4,
                      "some": [False, True, True, False]}[pattern], index=index)
    got, expected = _take_rows(current, derived, take), current.where(~take, derived)
    pd.testing.assert_frame_equal(got, expected)
    for column in got.columns:
        assert list(map(type, got[column])) == list(map(type, expected[column]))
    other = derived.rename(columns={"status": "other"})  # not alike: pandas decides
    pd.testing.assert_frame_equal(_take_rows(current, other, take),
                                  current.where(~take, other))
