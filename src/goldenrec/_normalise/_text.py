"""Text helpers shared by every normaliser: cleaning for display, folding for matching.

Three levels, from most to least faithful to what the source wrote:

* :func:`clean_text` is for display: Unicode NFKC (full-width → half-width), control,
  bidi and other invisible format characters removed, white space collapsed.
  Diacritics and scripts are kept (``Bērziņš``, ``Müller``, ``דוד``).
* :func:`fold` is the match key within a script: case-folded (``ß`` → ``ss``),
  diacritics removed, punctuation dropped; Hebrew stays Hebrew, kanji stay kanji.
* :func:`transliterate` is the match key across scripts: lower-case ASCII letters and
  digits (anyascii, ISC licence), so ``Иванов`` meets ``Ivanov``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from anyascii import anyascii

__all__ = [
    "clean_text",
    "drop_symbols",
    "fold",
    "has_cjk",
    "has_latin_letters_only",
    "is_cjk",
    "is_cjk_only",
    "is_cyrillic_or_greek",
    "normalise_geresh",
    "smart_title",
    "squeeze_cjk_spaces",
    "strip_diacritics",
    "transliterate",
]

# C0/C1 controls (not tab and line breaks: they are white space), soft hyphen, Arabic
# letter mark, Mongolian vowel separator, zero-width characters, bidi embeddings,
# overrides and isolates, invisible operators, deprecated format characters, the byte
# order mark, interlinear annotation marks, lone surrogates and tag characters.
_BIDI_AND_CONTROL: Final = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\ud800-\udfff\U000e0000-\U000e007f]"
)
_VARIATION_SELECTORS: Final = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_SPACE: Final = re.compile(r"\s+")
_PUNCT_TO_SPACE: Final = re.compile(r"[\s\-\u2010-\u2015_/\\,;:|·•・‧、]+")
_DROP_PUNCT: Final = re.compile(
    "[.'\"`´’‘“”„‚«»‹›()\\[\\]{}<>!?*#~^\u02bc\u05f3\u05f4"
    "\u3002\u300c-\u300f\u3010\u3011\u3008-\u300b]+"
)
_SPECIAL_FOLDS: Final = str.maketrans({
    "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "œ": "oe", "Œ": "oe",
    "đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "ı": "i", "þ": "th",
})
_UMLAUTS: Final = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
#: Marks that change a letter rather than decorate it: the kana voicing marks
#: (``か`` + ``゙`` is ``が``, a different sound), kept by :func:`strip_diacritics`.
_KEEP_MARKS: Final = frozenset("\u3099\u309a")

# Chinese, Japanese (kana, kanji, iteration marks) and Korean (Hangul) characters.
_CJK_RANGES: Final = (
    (0x1100, 0x11FF),  # Hangul jamo
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3040, 0x30FF),  # hiragana, katakana
    (0x3130, 0x318F),  # Hangul compatibility jamo
    (0x31F0, 0x31FF),  # katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width katakana
    (0x20000, 0x323AF),  # CJK extensions B to H
)
_CJK_CLASS: Final = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _CJK_RANGES)
_CJK_GAP: Final = re.compile(f"(?<=[{_CJK_CLASS}]) +(?=[{_CJK_CLASS}])")
_CJK_CHAR: Final = re.compile(f"[{_CJK_CLASS}]")
_CJK_ONLY: Final = re.compile(f"[{_CJK_CLASS}]+(?: [{_CJK_CLASS}]+)*")

_HEBREW_LETTER: Final = "\u05d0-\u05ea"
_GERESH_LIKE: Final = re.compile(f"(?<=[{_HEBREW_LETTER}])['’‘´`\u02bc]")
_GERSHAYIM_LIKE: Final = re.compile(
    f"(?<=[{_HEBREW_LETTER}])(?:[\"“”]|''|’’|\u05f3\u05f3)(?=[{_HEBREW_LETTER}])"
)
# Characters normalise_geresh() may rewrite: without one, the text stays as it is.
_GERESH_CANDIDATE: Final = re.compile("['\"’‘´`“”\u02bc\u05f3]")
# Hebrew letters with a geresh that write sounds Hebrew has no letter for (George → ג׳ורג׳).
_GERESH_SOUNDS: Final = re.compile("([גזצץת])\u05f3")
_GERESH_LATIN: Final = {"ג": "j", "ז": "zh", "צ": "ch", "ץ": "ch", "ת": "th"}
# Niqqud and cantillation: dropped before transliterating, so that pointed and unpointed
# Hebrew agree (דָּוִד and דוד both give dvd).
_HEBREW_POINTS: Final = re.compile("[\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7]")
_TRANSLIT_DROP: Final = re.compile("['`´\"]+")
_NOT_ASCII_ALNUM: Final = re.compile(r"[^a-z0-9]+")
#: Unicode categories dropped before transliterating or keying names: symbols (emoji,
#: ``©``), private-use, unassigned and surrogate code points.
_SYMBOL_CATEGORIES: Final = frozenset({"So", "Co", "Cn", "Cs"})
_NO_SYMBOLS: Final = re.compile(r"[\w\s'’\-.,()&/]*")
_EMOJI_MODIFIERS: Final = re.compile("[\U0001f3fb-\U0001f3ff]")
# Cleaned ASCII that fold()'s punctuation rules leave alone (letters, digits, single
# spaces and $%&+=@), and ASCII words of letters and digits between single spaces.
_ASCII_UNTOUCHED: Final = re.compile(r"[a-z0-9$%&+=@]+(?: [a-z0-9$%&+=@]+)*")
_ASCII_UNTOUCHED_ANY_CASE: Final = re.compile(r"[A-Za-z0-9$%&+=@]+(?: [A-Za-z0-9$%&+=@]+)*")
_ASCII_WORDS: Final = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")


def clean_text(text: str) -> str:
    """NFKC, control and bidi characters removed, white space collapsed and trimmed.

    Full-width forms become half-width through NFKC; lone surrogates are dropped.

    >>> clean_text("  Ｍüller\\u200f  Hans ")
    'Müller Hans'
    >>> clean_text("\\u202bשרה\\u202c"), clean_text("\\ud800")
    ('שרה', '')
    """
    if _is_clean_ascii(text) or _is_clean(text):  # the common cases, with nothing to do
        return text
    text = unicodedata.normalize("NFKC", text)
    text = _BIDI_AND_CONTROL.sub("", text)
    return _SPACE.sub(" ", text).strip()


def _is_clean_ascii(text: str) -> bool:
    """Printable ASCII (no controls; ``" "`` is its only white space) without leading,
    trailing or double spaces: :func:`clean_text` leaves such text as it is (NFKC
    changes no ASCII character)."""
    return (text.isascii() and text.isprintable() and "  " not in text
            and text[:1] != " " and text[-1:] != " ")


def _is_clean(text: str) -> bool:
    """Printable text in NFKC without leading, trailing or double spaces:
    :func:`clean_text` leaves such text as it is. Every character it removes is
    unprintable (a control, format or surrogate character) and every white space
    character but ``" "`` is unprintable too."""
    return (text.isprintable() and "  " not in text and text[:1] != " "
            and text[-1:] != " " and unicodedata.is_normalized("NFKC", text))


def strip_diacritics(text: str) -> str:
    """Remove combining marks (accents, Hebrew niqqud); keep the kana voicing marks.

    >>> strip_diacritics("Bērziņš"), strip_diacritics("דָּוִד"), strip_diacritics("やまだ")
    ('Berzins', 'דוד', 'やまだ')
    """
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(
        ch for ch in decomposed if ch in _KEEP_MARKS or not unicodedata.combining(ch)
    )
    return unicodedata.normalize("NFC", kept)


def fold(text: str, *, expand_umlauts: bool = False) -> str:
    """A matching key: cleaned, case-folded, diacritics removed, punctuation dropped.

    Scripts other than Latin keep their letters (Hebrew matches Hebrew). With
    ``expand_umlauts``, ``ä``/``ö``/``ü`` become ``ae``/``oe``/``ue`` first, the German
    convention (``Müller`` and ``Mueller`` agree); other diacritics are just removed.

    >>> fold("Bērziņš-Ozoliņa"), fold("STRAßE"), fold("O'Brien")
    ('berzins ozolina', 'strasse', 'obrien')
    >>> fold("Müller"), fold("Müller", expand_umlauts=True)
    ('muller', 'mueller')
    """
    if _ASCII_UNTOUCHED_ANY_CASE.fullmatch(text):  # clean, and lower case is the key
        return text.lower()
    text = clean_text(text)
    if text.isascii():
        # special folds, umlauts, variation selectors and diacritics are not ASCII
        text = text.lower()
        if _ASCII_UNTOUCHED.fullmatch(text):  # nothing to drop, single spaces
            return text
    else:
        text = text.translate(_SPECIAL_FOLDS).casefold()
        if expand_umlauts:
            text = text.translate(_UMLAUTS)
        text = _VARIATION_SELECTORS.sub("", text)
        text = strip_diacritics(text)
    text = _DROP_PUNCT.sub("", text)
    return _SPACE.sub(" ", _PUNCT_TO_SPACE.sub(" ", text)).strip()


def squeeze_cjk_spaces(text: str) -> str:
    """Remove spaces between two CJK characters (``山田 太郎`` → ``山田太郎``).

    Chinese, Japanese and Korean names are written with or without a space between
    family and given name, so match keys drop it.

    >>> squeeze_cjk_spaces("山田 太郎"), squeeze_cjk_spaces("Li 伟")
    ('山田太郎', 'Li 伟')
    """
    return _CJK_GAP.sub("", text)


def drop_symbols(text: str) -> str:
    """Remove emoji and other symbols, keeping letters, marks, digits and punctuation.

    >>> drop_symbols("Anna 😀👍🏽 ©"), drop_symbols("O´Brien")
    ('Anna  ', 'O´Brien')
    """
    if text.isascii() or _NO_SYMBOLS.fullmatch(text):
        return text
    text = _EMOJI_MODIFIERS.sub("", _VARIATION_SELECTORS.sub("", text))
    return "".join(ch for ch in text if unicodedata.category(ch) not in _SYMBOL_CATEGORIES)


def normalise_geresh(text: str) -> str:
    """Write Hebrew geresh and gershayim with their own characters.

    Sources type ``'`` or ``"`` for ``׳`` (U+05F3) and ``״`` (U+05F4); display values use
    the Hebrew marks, so ``ג'ורג'`` and ``ג׳ורג׳`` are one value.

    >>> normalise_geresh("ג'ורג'") == "ג\\u05f3ורג\\u05f3", normalise_geresh('בע"מ')
    (True, 'בע״מ')
    """
    if _GERESH_CANDIDATE.search(text) is None:
        return text
    text = _GERSHAYIM_LIKE.sub("\u05f4", text)
    return _GERESH_LIKE.sub("\u05f3", text)


def _repeat_iteration_mark(text: str) -> str:
    """``佐々木`` → ``佐佐木``: the iteration mark repeats the character before it."""
    if "々" not in text:
        return text
    out: list[str] = []
    for ch in text:
        out.append(out[-1] if ch == "々" and out else ch)
    return "".join(out)


def transliterate(text: str) -> str:
    """A cross-script key: anyascii transliteration, lower-case ASCII letters and digits.

    Words are separated by single spaces; apostrophes are dropped and other punctuation
    separates words, as in :func:`fold`. CJK characters in a row are written together
    (``王伟`` → ``wangwei``). Kanji are read in Mandarin (anyascii has no Japanese
    readings); kana, Hangul, Cyrillic, Greek and Hebrew are romanised letter by letter,
    Hebrew without its vowel points (so pointed and unpointed spellings agree).

    >>> transliterate("Bērziņš"), transliterate("Иванов"), transliterate("Παπαδόπουλος")
    ('berzins', 'ivanov', 'papadopoulos')
    >>> transliterate("ג׳ורג׳"), transliterate("山田 太郎"), transliterate("Straße 12 😀")
    ('jvrj', 'shantiantailang', 'strasse 12')
    """
    if _ASCII_WORDS.fullmatch(text):  # letters and digits in words (clean): lower case
        return text.lower()
    text = clean_text(text)
    if not text:
        return ""
    if _ASCII_WORDS.fullmatch(text):
        return text.lower()
    if not text.isascii():
        text = drop_symbols(text).casefold()
        text = squeeze_cjk_spaces(_repeat_iteration_mark(text))
        text = normalise_geresh(_HEBREW_POINTS.sub("", text))
        text = _GERESH_SOUNDS.sub(lambda m: _GERESH_LATIN[m.group(1)], text)
        text = text.replace("ου", "ou")  # Greek: Παπαδόπουλος is Papadopoulos
        text = anyascii(text)
    text = _TRANSLIT_DROP.sub("", text.lower())
    return _NOT_ASCII_ALNUM.sub(" ", text).strip()


def is_cjk(ch: str) -> bool:
    """Whether a character is Chinese, Japanese or Korean (kana, kanji, Hangul).

    >>> is_cjk("山"), is_cjk("々"), is_cjk("ア"), is_cjk("김"), is_cjk("A")
    (True, True, True, True, False)
    """
    return _CJK_CHAR.match(ch) is not None


def has_cjk(text: str) -> bool:
    """Whether ``text`` has a CJK character.

    >>> has_cjk("Li 伟"), has_cjk("Li Wei")
    (True, False)
    """
    return _CJK_CHAR.search(text) is not None


def is_cjk_only(text: str) -> bool:
    """Whether ``text`` is CJK words separated by single spaces.

    >>> is_cjk_only("山田 太郎"), is_cjk_only("Li 伟"), is_cjk_only("")
    (True, False, False)
    """
    return _CJK_ONLY.fullmatch(text) is not None


_CYRILLIC_OR_GREEK: Final = re.compile(
    "[\u0370-\u03ff\u1f00-\u1fff\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f]"
)


def is_cyrillic_or_greek(text: str) -> bool:
    """Whether ``text`` has a Cyrillic or Greek character.

    >>> is_cyrillic_or_greek("Иван"), is_cyrillic_or_greek("Ελένη"), is_cyrillic_or_greek("Ivan")
    (True, True, False)
    """
    return _CYRILLIC_OR_GREEK.search(text) is not None


def has_latin_letters_only(text: str) -> bool:
    """Whether every letter of ``text`` is a Latin letter (other characters are ignored).

    >>> has_latin_letters_only("Bērziņš 3"), has_latin_letters_only("Иван")
    (True, False)
    """
    return all(
        not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in text
    )


def _has_cased_letters_only(text: str) -> bool:
    """Letters are Latin, Greek or Cyrillic: the scripts where title case means something."""
    for ch in text:
        if ch.isalpha() and not ch.isascii():
            name = unicodedata.name(ch, "")
            if not name.startswith(("LATIN", "GREEK", "CYRILLIC")):
                return False
    return True


_WORD: Final = re.compile(r"[^\W\d_]+")
_ASCII_LETTER: Final = re.compile("[A-Za-z]")


def smart_title(text: str) -> str:
    """Title-case text written all upper or all lower; leave mixed case alone.

    Works for Latin, Greek and Cyrillic; text with letters of other scripts is kept.

    >>> smart_title("JOHN o'neil"), smart_title("McDonald"), smart_title("ИВАН ПЕТРОВ")
    ("John O'Neil", 'McDonald', 'Иван Петров')
    """
    if text.isascii():  # ASCII letters are Latin letters
        if _ASCII_LETTER.search(text) is None:
            return text
    elif not any(ch.isalpha() for ch in text) or not _has_cased_letters_only(text):
        return text
    if text != text.lower() and text != text.upper() and not (
        text.islower() or text.isupper()
    ):
        # mixed case: keep what the source wrote unless every word is lower or upper
        words = text.split(" ")
        if not all(w == w.lower() or w == w.upper() for w in words):
            return text
    return _WORD.sub(_title_word, text)


def _title_word(match: re.Match[str]) -> str:
    word = match.group(0)
    first = word[:1].upper()
    if len(first) != 1:  # "ß".upper() is "SS"
        first = word[:1]
    return first + word[1:].lower()
