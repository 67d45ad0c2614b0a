"""Frozen copy of goldenrec._normalise _text, _nicknames and _names as of commit 63104da
(before the session-7 speed paths): tests/test_names_speed_paths.py checks that the
current code gives exactly the same outputs. Do not edit."""
# ruff: noqa
# mypy: ignore-errors
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
_ASCII_WORDS: Final = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")


def clean_text(text: str) -> str:
    """NFKC, control and bidi characters removed, white space collapsed and trimmed.

    Full-width forms become half-width through NFKC; lone surrogates are dropped.

    >>> clean_text("  Ｍüller\\u200f  Hans ")
    'Müller Hans'
    >>> clean_text("\\u202bשרה\\u202c"), clean_text("\\ud800")
    ('שרה', '')
    """
    if _is_clean_ascii(text):  # the common case, with nothing to do
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
    text = clean_text(text)
    if not text:
        return ""
    if _ASCII_WORDS.fullmatch(text):  # letters and digits in words: only lower case
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

from functools import cache
from typing import Final


__all__ = ["NICKNAME_TABLE", "formal_name", "given_name_key", "nickname_table"]

#: ``formal: names that stand for it`` (nicknames, then other spellings of the formal
#: name). The formal name is written as the canonical form is spelt.
# the table (data) is unchanged since 63104da: taken from the package, not copied
from goldenrec._normalise._nicknames import NICKNAME_TABLE


def _parse(table: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    entries: list[tuple[str, tuple[str, ...]]] = []
    for raw in table.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        formal, _, names = line.partition(":")
        entries.append((formal.strip(), tuple(names.split())))
    return tuple(entries)


@cache
def nickname_table() -> dict[str, str]:
    """Name key → key of the formal name (formal names map to themselves).

    Keys are match keys, transliterated for Cyrillic and Greek names. The first
    occurrence of a name wins (the table has none twice: a test checks it).
    """
    table: dict[str, str] = {}
    for formal, names in _parse(NICKNAME_TABLE):
        # a formal name listed as another's spelling (aleksandr) keeps that mapping
        formal_key = table.setdefault(given_name_key(formal), given_name_key(formal))
        for name in names:
            table.setdefault(given_name_key(name), formal_key)
    return table


def given_name_key(name: str) -> str:
    """The key a given name is looked up by: its match key, transliterated for Cyrillic
    and Greek (``Саша`` → ``sasha``).

    >>> given_name_key("Käthe"), given_name_key("Саша")
    ('kaethe', 'sasha')
    """
    return transliterate(name) if is_cyrillic_or_greek(name) else fold(
        name, expand_umlauts=True)


def formal_name(key: str) -> str | None:
    """The formal name a given-name key stands for, or ``None`` if it is not in the table.

    >>> formal_name("bob"), formal_name("sasha"), formal_name("hans"), formal_name("xyz")
    ('robert', 'alexander', 'johannes', None)
    """
    return nickname_table().get(key)

import re
import unicodedata
from functools import lru_cache
from typing import Any, Final, Literal, NamedTuple, get_args

import jellyfish
import pandas as pd

from goldenrec._normalise._base import INVALID, VALID, Normalised, Normaliser
from goldenrec.errors import ConfigError

__all__ = [
    "NameNormaliser",
    "NamePart",
    "NameParts",
    "given_name_key",
    "name_key",
    "split_full_name",
]

#: Which part of a name a column holds.
NamePart = Literal["given", "family", "middle", "full"]
_PARTS: Final[tuple[str, ...]] = get_args(NamePart)

#: Longer values are not names (a whole address, a pasted document): ``name_too_long``.
MAX_NAME_LENGTH: Final = 256

# Folded (see _word_key) titles that may lead a name. Not "m" (Monsieur): far more often
# an initial. Hebrew: Mr, Mrs (גב׳, גברת, מרת), Dr (ד״ר), Prof, lawyer (עו״ד), Rabbi.
TITLES: Final = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "mister", "dr", "doctor", "prof", "professor", "sir",
    "dame", "lady", "lord", "rev", "revd", "herr", "frau", "fr", "hr", "doktor", "madam",
    "madame", "monsieur", "mademoiselle", "mme", "mlle", "senor", "senora", "senorita",
    "sra", "srta", "sig", "sigra", "dott", "ing", "dipl", "dipling", "diplkfm", "mag",
    "mgr", "bc", "judr", "mudr", "rndr", "dring", "drmed", "drphil", "drjur", "drrernat",
    "kungs", "kundze",
    "מר", "גב", "גברת", "מרת", "דר", "דוקטור", "פרופ", "פרופסור", "עוד", "הרב",
})
#: Faculty abbreviations that follow a doctor title (``Dr. med.``, ``Dr. rer. nat.``).
DOCTOR_FACULTIES: Final = frozenset({
    "med", "rer", "nat", "phil", "jur", "oec", "pol", "hc", "dent", "vet", "habil", "theol",
    "ing", "sc", "techn",
})
_DOCTORS: Final = frozenset({"dr", "doctor", "doktor", "prof", "professor", "דר"})
#: Honorifics written after CJK names, joined (``山田様``) or as their own word.
CJK_HONORIFICS: Final = ("先生", "女士", "小姐", "さま", "さん", "様", "殿", "氏", "님", "씨")
SUFFIXES: Final = frozenset({
    "jr", "jnr", "sr", "snr", "ii", "iii", "iv", "phd", "md", "esq", "dds", "mba", "bsc",
    "msc", "זל", *CJK_HONORIFICS, "君", "くん", "ちゃん",
})
PARTICLES: Final = frozenset({
    "von", "van", "de", "der", "den", "da", "di", "du", "la", "le", "del", "della", "dos",
    "das", "ter", "ten", "zu", "zum", "zur", "vom", "al", "bin", "ben", "ibn", "st",
    "בן", "בר", "אבו",
})
#: Particles written in lower case when a source wrote the whole name in one case
#: (``HANS VON MÜLLER`` → ``Hans von Müller``); not ``di``, ``le``, ``del``, which
#: start given names or are capitalised by custom.
_LOWER_PARTICLES: Final = frozenset({
    "von", "van", "der", "den", "zu", "zum", "zur", "vom", "ter", "ten", "de", "dos", "das",
})

# CJK family names, for names written without a space. Chinese compound surnames (both
# scripts), Korean compound surnames, and common Japanese surnames of two and three
# characters (Japanese names are mostly two + two characters).
CHINESE_COMPOUND_SURNAMES: Final = frozenset({
    "欧阳", "歐陽", "司马", "司馬", "诸葛", "諸葛", "上官", "东方", "東方", "皇甫", "尉迟",
    "尉遲", "公孙", "公孫", "慕容", "令狐", "长孙", "長孫", "宇文", "司徒", "夏侯", "轩辕",
    "軒轅", "端木", "独孤", "獨孤", "南宫", "南宮", "西门", "西門", "百里", "呼延", "万俟",
    "澹台", "申屠", "闻人", "聞人", "太史", "拓跋", "赫连", "赫連", "钟离", "鍾離", "鲜于",
    "鮮于", "闾丘", "閭丘", "司空", "濮阳", "濮陽", "淳于", "单于", "單于", "公羊", "仲孙",
    "仲孫", "东郭", "東郭", "第五", "左丘", "梁丘", "公冶", "宗政", "谷梁", "穀梁",
})
KOREAN_COMPOUND_SURNAMES: Final = frozenset({
    "남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방",
})
JAPANESE_SURNAMES: Final = frozenset({
    "佐藤", "鈴木", "高橋", "髙橋", "田中", "伊藤", "渡辺", "渡邊", "渡邉", "渡部", "山本",
    "中村", "小林", "加藤", "吉田", "山田", "山口", "松本", "井上", "木村", "斎藤", "齋藤",
    "斉藤", "齊藤", "清水", "山崎", "池田", "橋本", "阿部", "石川", "山下", "中島", "石井",
    "小川", "前田", "岡田", "藤田", "後藤", "近藤", "村上", "遠藤", "青木", "坂本", "福田",
    "太田", "西村", "藤井", "金子", "岡本", "藤原", "中野", "三浦", "原田", "中川", "松田",
    "竹内", "小野", "田村", "中山", "和田", "石田", "森田", "上田", "柴田", "酒井", "工藤",
    "横山", "宮崎", "宮本", "内田", "高木", "安藤", "島田", "谷口", "大野", "高田", "丸山",
    "今井", "河野", "藤本", "村田", "武田", "上野", "杉山", "増田", "小山", "平野", "大塚",
    "千葉", "久保", "松井", "小島", "岩崎", "桜井", "野口", "松尾", "野村", "木下", "菊地",
    "菊池", "佐野", "大西", "杉本", "新井", "浜田", "菅原", "市川", "水野", "小松", "高野",
    "山内", "西田", "北村", "吉川", "山中", "平田", "大橋", "石原", "松岡", "西川", "本田",
    "中西", "永井", "田口", "福島", "久保田", "佐々木", "長谷川", "五十嵐", "小野寺",
    "大久保", "小笠原", "宇佐美", "佐久間", "長谷部", "阿久津", "伊集院", "勅使河原",
})
_KANJI_THEN_KANA: Final = re.compile("([\u3400-\u4dbf\u4e00-\u9fff\u3005]{1,3})[\u3040-\u30ff]")
_KANA_ONLY: Final = re.compile("[\u3040-\u30ff]+")
_HANGUL: Final = re.compile("[\uac00-\ud7af]")
# Dots that separate given and family names written in Western order in CJK scripts
# (ジョン・スミス, 约翰·史密斯); a space means family name first (山田 太郎).
_WESTERN_ORDER_DOTS: Final = re.compile("[・‧]|(?<=[^\\x00-\\x7f])·(?=[^\\x00-\\x7f])")
_LETTER: Final = re.compile(r"[^\W\d_]")
_SPACE: Final = re.compile(r"\s+")
_ASCII_KEY: Final = re.compile("[a-z0-9 ]*")
_DIGITS: Final = re.compile("[0-9]+")
_ASCII_WORDS: Final = re.compile("[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")


class NameParts(NamedTuple):
    first: str | None
    middle: str | None
    last: str | None


@lru_cache(maxsize=1 << 17)
def _word_key(word: str) -> str:
    return fold(word).replace(" ", "")


def _word_chars(text: str) -> str:
    """Letters, marks, digits and spaces; anything else becomes a space."""
    if _ASCII_KEY.fullmatch(text):
        return text
    return "".join(
        ch if ch == " " or unicodedata.category(ch)[0] in "LMN" else " " for ch in text
    )


def name_key(text: str) -> str:
    """The match key of a name: folded, German umlauts expanded, symbols dropped.

    ``ä``/``ö``/``ü`` become ``ae``/``oe``/``ue`` (so ``Müller`` meets ``Mueller``); other
    diacritics are removed (``Bērziņš`` → ``berzins``). Spaces between CJK characters
    are dropped (``山田 太郎`` → ``山田太郎``); Hebrew niqqud is removed.

    >>> name_key("MÜLLER"), name_key("Mueller"), name_key("Bērziņš"), name_key("山田 太郎")
    ('mueller', 'mueller', 'berzins', '山田太郎')
    """
    if _ASCII_WORDS.fullmatch(text):  # what the steps below make of it
        return text.lower()
    key = _word_chars(fold(drop_symbols(text), expand_umlauts=True))
    return _SPACE.sub(" ", squeeze_cjk_spaces(_SPACE.sub(" ", key).strip())).strip()


def _latin(key: str, text: str) -> str:
    """The key, or the transliteration of Cyrillic and Greek text (``Саша`` → ``sasha``)."""
    return transliterate(text) if is_cyrillic_or_greek(key) else key


@lru_cache(maxsize=1 << 17)
def _part_key(text: str) -> str:
    """The Latin match key of one part of a full name (parts repeat across full names)."""
    return _latin(name_key(text), text)


def _canonical_given(key: str) -> str:
    """Each word of a given-name key replaced by the formal name it stands for."""
    table = nickname_table()
    return " ".join(table.get(word, word) for word in key.split(" "))


def _strip_honorific(word: str) -> str:
    """``山田様`` → ``山田``: a CJK honorific joined to the end of a CJK name."""
    if word and is_cjk(word[0]):
        for honorific in CJK_HONORIFICS:
            if word.endswith(honorific) and len(word) > len(honorific):
                return word[: -len(honorific)]
    return word


def _strip_affixes(tokens: list[str]) -> list[str]:
    """Leading titles (``Dr. med.``, ``Herr``) and trailing suffixes (``Jr``, ``III``, ``様``).

    May return an empty list when every token is a title or a suffix.
    """
    out = [t for t in tokens if t]
    start = 0
    after_doctor = False
    while start < len(out):
        key = _word_key(out[start])
        if key in TITLES:
            after_doctor = key in _DOCTORS or after_doctor
            start += 1
        elif after_doctor and key in DOCTOR_FACULTIES and start < len(out) - 1:
            start += 1
        else:
            break
    end = len(out)
    while end > start and _word_key(out[end - 1]) in SUFFIXES:
        end -= 1
    core = out[start:end]
    if core:
        core[-1] = _strip_honorific(core[-1])
    return core


def _cjk_family_length(word: str) -> int:
    """How many leading characters of an unspaced CJK name are the family name."""
    size = len(word)
    if size <= 1:
        return size
    boundary = _KANJI_THEN_KANA.match(word)
    if boundary:  # 山田はなこ: kanji family name, kana given name
        return len(boundary.group(1))
    if _HANGUL.match(word):
        return 2 if size >= 3 and word[:2] in KOREAN_COMPOUND_SURNAMES else 1
    if word[:3] in JAPANESE_SURNAMES:
        return 3
    if word[:2] in CHINESE_COMPOUND_SURNAMES or word[:2] in JAPANESE_SURNAMES:
        return 2
    return 2 if size >= 4 else 1


def split_full_name(text: str) -> NameParts:
    """Split a full name into given, middle and family parts.

    Handles "Last, First", titles and suffixes (a title before a single name marks a
    family name: ``Mrs Smith``), particles (``von``, ``van``), Hebrew names (given then
    family) and CJK names written with or without a space (family name first; 2-character
    Japanese and Chinese compound family names such as 欧阳 are recognised). CJK names
    with a middle dot (``ジョン・スミス``) are in Western order.

    >>> split_full_name("Dr. Hans von Müller")
    NameParts(first='Hans', middle=None, last='von Müller')
    >>> split_full_name("Smith, John Paul")
    NameParts(first='John', middle='Paul', last='Smith')
    >>> split_full_name("山田太郎")
    NameParts(first='太郎', middle=None, last='山田')
    >>> split_full_name("欧阳娜娜")
    NameParts(first='娜娜', middle=None, last='欧阳')
    >>> split_full_name("Mrs Smith")
    NameParts(first=None, middle=None, last='Smith')
    """
    text = clean_text(text)
    western = _WESTERN_ORDER_DOTS.search(text) is not None
    if western:
        text = _SPACE.sub(" ", _WESTERN_ORDER_DOTS.sub(" ", text)).strip()
    if not text:
        return NameParts(None, None, None)
    if is_cjk_only(text):
        tokens = _strip_affixes(text.split(" "))
        if not tokens:
            return NameParts(None, None, None)
        if len(tokens) >= 2:
            if western:
                return NameParts(tokens[0], " ".join(tokens[1:-1]) or None, tokens[-1])
            return NameParts(" ".join(tokens[1:]), None, tokens[0])
        word = tokens[0]
        if _KANA_ONLY.fullmatch(word):  # no way to tell where a kana-only name splits
            return NameParts(word, None, None)
        family_len = _cjk_family_length(word)
        if family_len >= len(word):
            return NameParts(None, None, word)
        return NameParts(word[family_len:], None, word[:family_len])
    if "," in text:
        last_part, _, rest = text.partition(",")
        rest_tokens = _strip_affixes(rest.replace(",", " ").split())
        last_tokens = _strip_affixes(last_part.split())
        if rest_tokens and last_tokens:
            first = rest_tokens[0]
            middle = " ".join(rest_tokens[1:]) or None
            return NameParts(first, middle, " ".join(last_tokens))
        text = text.replace(",", " ")
    written = text.split()
    tokens = _strip_affixes(written)
    if not tokens:
        return NameParts(None, None, None)
    if len(tokens) == 1:
        if len(written) > 1:  # "Mrs Smith", "Smith Jr": a family name
            return NameParts(None, None, tokens[0])
        return NameParts(tokens[0], None, None)
    # particles start the family name ("Hans von Müller", "Ludwig van der Berg")
    last_start = len(tokens) - 1
    while last_start > 1 and _word_key(tokens[last_start - 1]) in PARTICLES:
        last_start -= 1
    first = tokens[0]
    middle = " ".join(tokens[1:last_start]) or None
    return NameParts(first, middle, " ".join(tokens[last_start:]))


def _display(text: str) -> str:
    """Tidy case: :func:`smart_title`, then particles in lower case and ``McDonald``."""
    titled = smart_title(text)
    if titled == text:
        return text
    words = titled.split(" ")
    previous = ""
    for i, word in enumerate(words):
        lower = word.lower()
        if i < len(words) - 1 and (
            lower in _LOWER_PARTICLES or (lower == "la" and previous == "de")
        ):
            words[i] = lower
        elif len(word) > 3 and word.startswith("Mc") and word[2].islower():
            words[i] = "Mc" + word[2].upper() + word[3:]
        previous = lower
    return " ".join(words)


class NameNormaliser(Normaliser):
    """Person names: display value in tidy case, match key folded, plus three extras.

    ``part`` says which part of a name the column holds (``given``, ``family``,
    ``middle``, ``full``, or ``None`` when unknown). Extras per value:

    * ``translit``: anyascii transliteration, lower-case ASCII letters and spaces;
    * ``phonetic``: Metaphone of the transliteration without spaces (for blocking);
    * ``canonical``: for given and middle names, the formal name a nickname stands for
      (``Bob`` → ``robert``), else the match key. For full names, the given name is
      canonicalised and the parts put in given-middle-family order. Cyrillic and Greek
      words are transliterated (``Саша`` → ``alexander``, ``Иванов`` → ``ivanov``).

    Titles and suffixes are removed from the key of every part, and from the display
    value of given, middle and family names (a full name is shown as written).

    >>> NameNormaliser().normalise_value("MÜLLER")[:4]
    ('Müller', 'mueller', 'valid', '')
    >>> NameNormaliser().normalise_value("MÜLLER").extra
    ('muller', 'MLR', 'mueller')
    >>> NameNormaliser(part="given").normalise_value("Dr. BOB").extra
    ('bob', 'BB', 'robert')
    """

    name = "person_name"
    extra_fields = ("translit", "phonetic", "canonical")

    def __init__(self, part: NamePart | None = None) -> None:
        self.part = part

    def __repr__(self) -> str:
        if self.part is None:
            return "NameNormaliser()"
        return f"NameNormaliser(part={self.part!r})"

    def _checked_part(self) -> str | None:
        if self.part is not None and self.part not in _PARTS:
            raise ConfigError(
                f"NameNormaliser part must be one of {', '.join(_PARTS)} or None, "
                f"not {self.part!r}")
        return self.part

    def normalise(self, values: pd.Series, **kwargs: Any) -> pd.DataFrame:
        self._checked_part()  # a bad part raises here, not once per value
        return super().normalise(values, **kwargs)

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        part = self._checked_part()
        if not _LETTER.search(text):
            return Normalised(None, None, INVALID, "name_without_letters")
        text = _SPACE.sub(" ", drop_symbols(normalise_geresh(text))).strip()
        if len(text) > MAX_NAME_LENGTH:
            return Normalised(None, None, INVALID, "name_too_long")
        tokens = text.split(" ")
        core = _strip_affixes(tokens)
        if not core:
            if part != "family" or "." in text:  # "Herr", "Lord" are family names too
                return Normalised(None, None, INVALID, "name_only_title")
            core = tokens
        bare = " ".join(core)
        key = name_key(bare)
        if not _LETTER.search(key):
            return Normalised(None, None, INVALID, "name_without_letters")
        display = _display(bare if part in ("given", "middle", "family") else text)
        translit = _SPACE.sub(" ", _DIGITS.sub(" ", transliterate(bare))).strip() or None
        phonetic = jellyfish.metaphone(translit.replace(" ", "")) or None if translit else None
        return Normalised(display, key, VALID, "",
                          (translit, phonetic, self._canonical(key, bare, part)))

    @staticmethod
    def _canonical(key: str, bare: str, part: str | None) -> str:
        if part in ("given", "middle"):
            return _canonical_given(_latin(key, bare))
        if part == "full" and not has_cjk(key):
            words = []
            for position, text in enumerate(split_full_name(bare)):
                if text:
                    word = _part_key(text)
                    words.append(_canonical_given(word) if position == 0 else word)
            return " ".join(w for w in words if w) or _latin(key, bare)
        return _latin(key, bare)

