"""Person-name normalisation and full-name splitting."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Any, Final, Literal, NamedTuple, get_args

import jellyfish
import pandas as pd

from goldenrec._normalise._base import (
    GENERIC_PLACEHOLDERS,
    INVALID,
    VALID,
    Normalised,
    Normaliser,
)
from goldenrec._normalise._nicknames import given_name_key, nickname_table
from goldenrec._normalise._text import (
    clean_text,
    drop_symbols,
    fold,
    has_cjk,
    is_cjk,
    is_cjk_only,
    is_cyrillic_or_greek,
    normalise_geresh,
    smart_title,
    squeeze_cjk_spaces,
    transliterate,
)
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
# Latin letters whose match key, word key and transliteration are lower-case ASCII letters
# and which NFKC leaves alone (not Ð Þ ð Ħ Ĳ ĸ Ŀ ŉ Ŋ Ŧ and their pairs; a test checks it):
# every step of keying such a word works letter by letter, so a name of such words is
# keyed word by word (see _plain_name).
_PLAIN_LETTERS: Final = (
    "A-Za-z\u00c0-\u00cf\u00d1-\u00d6\u00d8-\u00dd\u00df-\u00ef\u00f1-\u00f6"
    "\u00f8-\u00ff\u0100-\u0125\u0128-\u0131\u0134-\u0137\u0139-\u013e"
    "\u0141-\u0148\u014c-\u0165\u0168-\u017e"
)
_PLAIN_NAME: Final = re.compile(f"[{_PLAIN_LETTERS}]+(?:,? [{_PLAIN_LETTERS}]+)*")
_PLAIN_LETTER: Final = re.compile(f"[{_PLAIN_LETTERS}]")


class NameParts(NamedTuple):
    first: str | None
    middle: str | None
    last: str | None


class _PlainWord(NamedTuple):
    """What the name steps make of one word of plain letters (see :func:`_plain_word`)."""

    key: str  # name_key(word)
    translit: str  # transliterate(word)
    folded: str  # fold(word)
    given: str  # the key of the formal name a given name stands for (bob -> robert)
    title: bool  # a title that may lead a name (Mr, Dr)
    suffix: bool  # a suffix that may end a name (Jr, III)
    particle: bool  # a particle that starts a family name (von, van)
    mixed: bool  # written in mixed case (McDonald), which smart_title() leaves alone


@cache
def _plain_tables() -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """For each plain letter, its :func:`name_key`, :func:`transliterate` and :func:`fold`:
    these key a word of plain letters letter by letter (a test checks every pair)."""
    letters = [chr(code) for code in range(0x250) if _PLAIN_LETTER.fullmatch(chr(code))]
    return ({ord(ch): name_key(ch) for ch in letters},
            {ord(ch): transliterate(ch) for ch in letters},
            {ord(ch): fold(ch) for ch in letters})


@lru_cache(maxsize=1 << 17)
def _plain_word(word: str) -> _PlainWord:
    """The keys and affix roles of one word of plain Latin letters (words repeat a lot)."""
    lower = word.lower()
    if word.isascii():  # ASCII letters: every key is the word in lower case
        key = translit = folded = lower
    else:
        key_table, translit_table, fold_table = _plain_tables()
        key, translit = word.translate(key_table), word.translate(translit_table)
        folded = word.translate(fold_table)
    word_key = folded  # _word_key(word): the fold of plain letters has no space
    return _PlainWord(key, translit, folded, nickname_table().get(key, key),
                      word_key in TITLES, word_key in SUFFIXES, word_key in PARTICLES,
                      word != lower and word != word.upper())


def _plain_name(text: str) -> tuple[list[str], list[_PlainWord], int] | None:
    """A name of plain Latin words between single spaces, without titles or suffixes, with
    at most one comma right after a word that is not the last (``Smith, John``): its
    words, what each word makes, and how many words come before the comma (0 without
    one). ``None`` for any other text.

    Such a name is cleaned text with no symbol, geresh, digit, CJK, Cyrillic or Greek
    character: its keys are the keys of its words joined by spaces. Without a comma, a
    name whose first word is no title and whose last word is no suffix has neither; with
    a comma, each of the two parts might have them, so no word may be one.

    >>> [_plain_name(text)[::2] for text in ("Smith, John Paul", "Jürgen Weiß")]
    [(['Smith', 'John', 'Paul'], 1), (['Jürgen', 'Weiß'], 0)]
    >>> _plain_name("O'Neil"), _plain_name("Dr Bob"), _plain_name("Smith, Dr Bob")
    (None, None, None)
    """
    if _PLAIN_NAME.fullmatch(text) is None:
        return None
    if "," not in text:
        words = text.split(" ")
        infos = [_plain_word(word) for word in words]
        if infos[0].title or infos[-1].suffix:
            return None
        return words, infos, 0
    head, _, tail = text.partition(", ")
    if "," in tail:
        return None
    front = head.split(" ")
    words = front + tail.split(" ")
    infos = [_plain_word(word) for word in words]
    for info in infos:
        if info.title or info.suffix:
            return None
    return words, infos, len(front)


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
    plain = _split_plain(text)
    if plain is not None:
        return plain
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


def _split_plain(text: str) -> NameParts | None:
    """:func:`split_full_name` of a name of plain Latin words without titles or suffixes
    (the common case), or ``None`` for any other text."""
    plain = _plain_name(text)
    if plain is None:
        return None
    words, infos, comma = plain
    if comma:  # "Last, First Middle"
        return NameParts(words[comma], " ".join(words[comma + 1:]) or None,
                         " ".join(words[:comma]))
    if len(words) == 1:
        return NameParts(words[0], None, None)
    last_start = len(words) - 1
    while last_start > 1 and infos[last_start - 1].particle:
        last_start -= 1
    return NameParts(words[0], " ".join(words[1:last_start]) or None,
                     " ".join(words[last_start:]))


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

    def is_placeholder(self, text: str) -> bool:
        if _PLAIN_NAME.fullmatch(text) is None:
            return super().is_placeholder(text)
        # plain Latin words (no digit): fold() folds each word and drops the commas
        if text.isascii() and "," not in text:
            return text.lower() in GENERIC_PLACEHOLDERS
        words = text.replace(",", "").split(" ")
        return " ".join([_plain_word(word).folded for word in words]) in GENERIC_PLACEHOLDERS

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        part = self._checked_part()
        plain = self._plain_value(text, part)
        if plain is not None:
            return plain
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
    def _plain_value(text: str, part: str | None) -> Normalised | None:
        """:meth:`normalise_value` of a name of plain Latin words without titles or
        suffixes (the common case), from the cached keys of its words; ``None`` for any
        other text."""
        if len(text) > MAX_NAME_LENGTH:
            return None
        plain = _plain_name(text)
        if plain is None:
            return None
        _, infos, comma = plain
        if len(infos) == 1:
            info = infos[0]
            key = info.key
            translit = info.translit
            canonical = info.given if part in ("given", "middle", "full") else key
            display = text if info.mixed else _display(text)
        else:
            keys = [info.key for info in infos]
            key = " ".join(keys)
            translit = " ".join([info.translit for info in infos])
            if part in ("given", "middle"):
                canonical = " ".join([info.given for info in infos])
            elif part == "full":  # given name canonicalised, then middle and family names
                if comma:
                    keys = keys[comma:] + keys[:comma]
                    keys[0] = infos[comma].given
                else:
                    keys[0] = infos[0].given
                canonical = " ".join(keys)
            else:
                canonical = key
            # a word in mixed case makes smart_title() keep the text as written
            for info in infos:
                if info.mixed:
                    display = text
                    break
            else:
                display = _display(text)
        return Normalised(display, key, VALID, "",
                          (translit, jellyfish.metaphone(translit.replace(" ", "")) or None,
                           canonical))

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
