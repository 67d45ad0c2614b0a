"""The fast paths of name normalisation give exactly what the code before them gave.

``_frozen_names_s6.py`` is a frozen copy of ``_text``, ``_nicknames`` and ``_names``
before the speed paths; every output (value, key, status, reason, extras) and every split
must be the same, for plain Latin names (the fast path) and anything else.
"""

from __future__ import annotations

import ast
import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goldenrec._normalise import _names, _text
from goldenrec._normalise._names import NameNormaliser, split_full_name


def _frozen() -> ModuleType:
    path = Path(__file__).with_name("_frozen_names_s6.py")
    spec = importlib.util.spec_from_file_location("_frozen_names_s6", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["_frozen_names_s6"] = module
    spec.loader.exec_module(module)
    return module


OLD = _frozen()
PARTS = (None, "given", "middle", "family", "full")
PLAIN = [chr(c) for c in range(0x250) if _names._PLAIN_LETTER.fullmatch(chr(c))]

EXAMPLES = [
    "Thomas Howard", "Taylor, Samantha", "walker, thomas", "Mr Lloyd, Ryan", "Gints Krūmiņš",
    "Käthe Rosenenke", "HANS VON MÜLLER", "Dr. med. Hans Müller", "Smith Jr", "Mrs Smith",
    "Herr", "Lord", "Smith, Dr John", "Smith, John, Paul", "Smith ,John", "O'Neil",
    "Jean-Luc Picard", "McDONALD", "mcdonald", "Ludwig van der Berg", "de la Cruz Maria",
    "Bob", "BOB", "bob", "Саша Иванов", "Παπαδόπουλος", "ג'ורג' בוש", "דָּוִד",
    "山田太郎", "山田 太郎", "欧阳娜娜", "ジョン・スミス", "김민준", "李 芳秀", "Li 伟",
    "Anna 😀", "  Ｍüller\u200f  Hans ", "ß", "STRAßE", "İsmail Ħal", "Ĳsbrand ŉ", "Þór",
    "X Æ A-12", "Bērziņš-Ozoliņa", "Jr", "iii", "Mr", "unknown", "No Name", "n/a", "Test",
    "Smith, ", ", John", "a, b", "A B", "a b c d e f", "Ñuñez", "ÿ", "Ÿ", "Anne-Marie O'Brien",
    "Dr", "Dr Smith", "Smith III", "Smith Phd", "John Smith Esq", "x" * 300,
    "Van", "von Müller", "Hans von", "ing", "Ing Smith", "Smith, Ing",
]


def _same(text: str) -> None:
    for part in PARTS:
        new, old = NameNormaliser(part=part), OLD.NameNormaliser(part=part)
        assert new._safe(text, None, None) == old._safe(text, None, None), (part, text)
        cleaned = _text.clean_text(text)
        if cleaned:
            assert new.normalise_value(cleaned) == old.normalise_value(cleaned), (part, text)
    assert split_full_name(text) == OLD.split_full_name(text), text


@pytest.mark.parametrize("text", EXAMPLES)
def test_examples_as_before(text: str) -> None:
    _same(text)


def test_international_inputs_as_before() -> None:
    # the inputs the other name tests use, wherever they appear as string literals
    texts: set[str] = set()
    for name in ("test_names_intl.py", "test_normalisers.py"):
        tree = ast.parse(Path(__file__).with_name(name).read_text(encoding="utf-8"))
        texts.update(node.value for node in ast.walk(tree)
                     if isinstance(node, ast.Constant) and isinstance(node.value, str)
                     and 0 < len(node.value) < 80)
    for text in sorted(texts):
        _same(text)


def test_plain_letters_key_letter_by_letter() -> None:
    # what makes the word-by-word keys exact: every plain letter keys to ASCII letters,
    # NFKC leaves it alone, and every pair of plain letters keys as the two letters do
    for ch in PLAIN:
        for function in (_names.name_key, _text.transliterate, _text.fold):
            assert function(ch).isascii() and function(ch).isalpha(), (hex(ord(ch)), function)
        assert _text.clean_text(ch) == ch
    key_table, translit_table, fold_table = _names._plain_tables()
    for a, b in itertools.product(PLAIN, repeat=2):
        pair = a + b
        assert _names.name_key(pair) == pair.translate(key_table), pair
        assert _text.transliterate(pair) == pair.translate(translit_table), pair
        assert _text.fold(pair) == pair.translate(fold_table), pair


_LATIN = st.sampled_from(PLAIN + list("ÐðÞþĦħĲĳĸĿŀŉŊŋŦŧſ'-.,0123 "))
_SCRIPTS = st.sampled_from([
    *"אבגדהוזחטיכלמנסעפצקרשת׳״'\"山田太郎欧阳娜ジョン・スミス김민준АБВГДабвгдИванСашаΑΒΓαβγΠαπαδόπουλος",
    "\u0301", "\u05b8", "\u200f", "\u00a0", "😀", "ﾊ", "々", "·", "、", "様",
])
_AFFIXES = st.sampled_from(["Mr", "Mrs", "Dr.", "Dr", "med.", "Herr", "Jr", "III", "Phd",
                            "von", "van", "der", "de", "la", "St", "bin", "Mc", "様", "Esq"])
_WORD = st.one_of(
    st.text(_LATIN, min_size=1, max_size=8),
    st.text(st.one_of(_LATIN, _SCRIPTS), min_size=1, max_size=6),
    _AFFIXES,
    st.text(st.sampled_from(PLAIN), min_size=1, max_size=8).map(str.upper),
    st.text(st.sampled_from(PLAIN), min_size=1, max_size=8).map(str.title),
)
_NAME = st.lists(st.tuples(_WORD, st.sampled_from([" ", " ", ", ", "  ", ",", "-", "\t"])),
                 min_size=1, max_size=5).map(
    lambda pairs: "".join(word + gap for word, gap in pairs)[:-1])


@settings(max_examples=600, deadline=None)
@given(_NAME)
def test_generated_names_as_before(text: str) -> None:
    _same(text)


@settings(max_examples=300, deadline=None)
@given(st.text(st.one_of(_LATIN, _SCRIPTS), max_size=20))
def test_text_helpers_as_before(text: str) -> None:
    assert _text.clean_text(text) == OLD.clean_text(text)
    assert _text.fold(text) == OLD.fold(text)
    assert _text.fold(text, expand_umlauts=True) == OLD.fold(text, expand_umlauts=True)
    assert _text.transliterate(text) == OLD.transliterate(text)
    assert _names.name_key(text) == OLD.name_key(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_any_text_as_before(text: str) -> None:
    assert _text.clean_text(text) == OLD.clean_text(text)
    assert _text.fold(text) == OLD.fold(text)
    assert _text.transliterate(text) == OLD.transliterate(text)
    _same(text)
