"""Light address normalisation: streets with house numbers split out, postcodes by country.

Nothing here calls a geocoder or an address database: the aim is match keys that agree
when the same address is written two ways (``Baker St.`` / ``Baker Street``,
``Hauptstr. 5a`` / ``Hauptstraße 5a``), with the written form kept for display.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from goldenrec._normalise._base import INVALID, VALID, Normalised, Normaliser
from goldenrec._normalise._text import fold, has_latin_letters_only

__all__ = [
    "POSTCODE_COUNTRIES",
    "AddressNormaliser",
    "PostcodeNormaliser",
    "extract_postcode",
    "format_postcode",
    "street_key",
]

# ---------------------------------------------------------------------------- postcodes

_NOT_ALNUM: Final = re.compile(r"[^0-9A-Za-z]+")
_NONZERO_DIGIT: Final = re.compile(r"[1-9]")
_PLACEHOLDER_MAX_LENGTH: Final = 40
_FLOAT_NUMBER: Final = re.compile(r"[0-9]+\.0+")
_GB: Final = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")
_US: Final = re.compile(r"([0-9]{5})([0-9]{4})?")
_DE: Final = re.compile(r"(?:DE?)?([0-9]{5})")
_LV: Final = re.compile(r"(?:LV)?([0-9]{4})")
_IL: Final = re.compile(r"(?:IL)?([0-9]{7})")
_JP: Final = re.compile(r"(?:JP)?([0-9]{3})([0-9]{4})")
_CN: Final = re.compile(r"(?:CN)?([0-9]{6})")
#: Countries whose postcode format is checked; others are accepted leniently.
POSTCODE_COUNTRIES: Final = ("CN", "DE", "GB", "IL", "JP", "LV", "US")
_COUNTRY_ALIASES: Final = {"UK": "GB"}
_MAX_LENIENT_LENGTH: Final = 10


def _country(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip().upper()
    return _COUNTRY_ALIASES.get(code, code)


def _canonical(compact: str, country: str) -> str | None:
    """The display form of an upper-case, letters-and-digits postcode, or ``None``."""
    if country == "GB":
        if compact == "GIR0AA":
            return "GIR 0AA"
        match = _GB.fullmatch(compact)
        return f"{match.group(1)} {match.group(2)}" if match else None
    if country == "US":
        match = _US.fullmatch(compact)
        if match is None:
            return None
        return match.group(1) + (f"-{match.group(2)}" if match.group(2) else "")
    if country == "JP":
        match = _JP.fullmatch(compact)
        return f"{match.group(1)}-{match.group(2)}" if match else None
    if country == "LV":
        match = _LV.fullmatch(compact)
        return f"LV-{match.group(1)}" if match else None
    match = {"DE": _DE, "IL": _IL, "CN": _CN}[country].fullmatch(compact)
    return match.group(1) if match else None


def format_postcode(text: str, country: str | None) -> str | None:
    """A postcode in its country's display form, or ``None`` when it has the wrong format.

    Countries outside :data:`POSTCODE_COUNTRIES` (or none) are lenient: upper case, at
    least one digit, at most ten letters and digits.

    >>> format_postcode("sw1a1aa", "GB"), format_postcode("1010", "LV")
    ('SW1A 1AA', 'LV-1010')
    >>> format_postcode("1000001", "JP"), format_postcode("1234", "DE")
    ('100-0001', None)
    """
    text = text.strip()
    if _FLOAT_NUMBER.fullmatch(text):  # 10115.0 from a float column
        text = text.partition(".")[0]
    compact = _NOT_ALNUM.sub("", text).upper()
    country = _country(country)
    if country in POSTCODE_COUNTRIES:
        return _canonical(compact, country)
    if not compact or len(compact) > _MAX_LENIENT_LENGTH or not any(
        ch.isdigit() for ch in compact
    ):
        return None
    return " ".join(text.upper().split())


_EXTRACT: Final[dict[str, re.Pattern[str]]] = {
    "GB": re.compile(r"(?<![0-9A-Z])([A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2})(?![0-9A-Z])"),
    "US": re.compile(r"(?<![0-9-])([0-9]{5}(?:-[0-9]{4})?)(?![0-9-])"),
    "DE": re.compile(r"(?<![0-9-])((?:D-?)?[0-9]{5})(?![0-9-])"),
    "LV": re.compile(r"(?<![0-9A-Z])(LV[-\s]?[0-9]{4})(?![0-9])"),
    "IL": re.compile(r"(?<![0-9-])([0-9]{7})(?![0-9-])"),
    "JP": re.compile(r"(?<![0-9-])([0-9]{3}-?[0-9]{4})(?![0-9-])"),
    "CN": re.compile(r"(?<![0-9-])([0-9]{6})(?![0-9-])"),
}
_MARKED: Final = (
    ("LV", _EXTRACT["LV"]),
    ("JP", re.compile(r"〒\s*([0-9]{3}-?[0-9]{4})(?![0-9])")),
)


def extract_postcode(text: str, country: str | None) -> str | None:
    """The postcode in a free-text address, in its display form, or ``None``.

    The last candidate of the country's format wins (postcodes come late in most
    written addresses), except a Japanese one marked with ``〒``. Without a country,
    only postcodes that mark themselves are found (``LV-1010``, ``〒100-0001``).

    >>> extract_postcode("10 Downing St, London SW1A 2AA", "GB")
    'SW1A 2AA'
    >>> extract_postcode("Hauptstraße 5a, 10115 Berlin", "DE")
    '10115'
    >>> extract_postcode("Brīvības iela 21, Rīga, LV-1010", None)
    'LV-1010'
    """
    if not isinstance(text, str) or not text:
        return None
    upper = text.upper()
    code = _country(country)
    if code == "JP" or code is None:
        for marked_country, pattern in _MARKED:
            if code is None or marked_country == code:
                found = pattern.findall(upper)
                if found:
                    return format_postcode(found[-1], marked_country)
    plain = _EXTRACT.get(code) if code else None
    if plain is None or code is None:
        return None
    for candidate in reversed(plain.findall(upper)):
        formatted = format_postcode(candidate, code)
        if formatted is not None:
            return formatted
    return None


class PostcodeNormaliser(Normaliser):
    """Postcodes: upper case; the key is letters and digits only.

    With the ``region`` context (the record's ISO country) the format is checked for
    GB, US, DE, LV, IL, JP and CN and the display put in the national form
    (``LV-1010``, ``100-0001``, ``SW1A 1AA``); a bad format is ``invalid`` with the
    reason ``postcode_format``. Other countries, and values without a country, are
    lenient (at least one digit, at most ten letters and digits).

    >>> PostcodeNormaliser().normalise_value("sw1a 1aa")
    Normalised(value='SW1A 1AA', key='SW1A1AA', status='valid', reason='', extra=None)
    >>> PostcodeNormaliser().normalise_value("1010", region="LV")[:2]
    ('LV-1010', 'LV1010')
    >>> PostcodeNormaliser().normalise_value("1234", region="US").reason
    'postcode_format'
    """

    name = "postcode"

    def is_placeholder(self, text: str) -> bool:
        # generic placeholders have no digit but 0: skip folding real postcodes
        return _NONZERO_DIGIT.search(text) is None and super().is_placeholder(text)

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        if not _NOT_ALNUM.sub("", text):
            return Normalised(None, None, INVALID, "postcode_empty")
        display = format_postcode(text, region)
        if display is None:
            return Normalised(None, None, INVALID, "postcode_format")
        return Normalised(display, _NOT_ALNUM.sub("", display).upper(), VALID, "")


# ------------------------------------------------------------------------------ streets

_SYMBOLS: Final = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\u20e3]+"
)
_LETTER_OR_DIGIT: Final = re.compile(r"[^\W_]")
_LETTER: Final = re.compile(r"[^\W\d_]")
_WORD: Final = re.compile(r"[^\W_]+")
_LETTER_RUN: Final = re.compile(r"(?<![0-9])[^\W\d_]+")
_UNIT: Final = re.compile(
    r"(?:^|(?<=[\s,]))(?:(?:flat|apt|apartment|unit|suite|ste|room|rm|wohnung|whg|dz|dzīv"
    r"|dzīvoklis|דירה)(?:\.\s*|\s+|(?=[0-9]))|#\s*)"
    r"(?:no\.?\s*)?([A-Za-z]?[0-9]+[A-Za-z]?|[A-Za-z])(?=$|[\s,])"
    r"|([0-9]+)\s*号室",
    re.IGNORECASE,
)
_HOUSE: Final = (
    r"[0-9]+(?:\s?[A-Za-z](?![A-Za-z]))?(?:\s*[-–/]\s*(?:[0-9]+[A-Za-z]?|[A-Za-z](?![A-Za-z])))?"
)
_LEADING_NUMBER: Final = re.compile(rf"({_HOUSE})(?:\s*,\s*|\s+)(?=.*?[^\W\d_])(.+)")
_TRAILING_NUMBER: Final = re.compile(rf"(?:\s*,\s*|\s+)({_HOUSE})\Z")
_CHOME: Final = re.compile(
    r"(.*?)([0-9]+)\s*丁目\s*(?:([0-9]+)\s*番地?\s*)?(?:([0-9]+)\s*号?)?"
)
_CJK: Final = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_NUMBER: Final = re.compile(
    r"(.*?[^\W\d_])\s*([0-9]+(?:\s*[-‐−ー]\s*[0-9]+)*)\s*(?:[号號番]地?)?"
)
_NUMBER_WORD: Final = re.compile(r"(?:\s+|^)(?:nr|no|num|numero|número|n)\.?$", re.IGNORECASE)
_PO_BOX: Final = re.compile(
    r"(?:p\.?\s*o\.?\s*box|post\s+office\s+box|postfach|pasta\s+kastīte|ת\.?\s*ד\.?)"
    r"\s*:?\s*([0-9](?:[0-9 ]*[0-9])?)",
    re.IGNORECASE,
)
_LV_HOUSE_AND_FLAT: Final = re.compile(r"([0-9]+[A-Za-z]?)\s*[-–]\s*([0-9]+)")
_STR_WITH_DOT: Final = re.compile(r"str\.", re.IGNORECASE)
_SPACE_BEFORE_COMMA: Final = re.compile(r"\s+,")
_COMMA_WITHOUT_SPACE: Final = re.compile(r",(?=\S)")
_NUMBERED_ROADS: Final = frozenset({
    "route", "rte", "highway", "hwy", "interstate", "us", "state route", "sr", "road",
    "county road", "bundesstrasse", "b", "a",
})
_SPECIAL_FOLDS: Final = str.maketrans({
    "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "œ": "oe", "Œ": "oe",
    "đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "ı": "i", "þ": "th",
})
# combining marks (accents, Hebrew points); not the kana voicing marks U+3099/U+309A
_COMBINING: Final = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)
_DROPPED: Final = re.compile("[.'`´’‘ʼ׳\"]+")
_UMLAUTS: Final = str.maketrans({
    "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
})
_LONGEST_NUMBERED_ROAD: Final = max(len(word) for word in _NUMBERED_ROADS)
_GERMAN_COUNTRIES: Final = frozenset({"DE", "AT", "CH", "LI", "LU"})
_ENGLISH_COUNTRIES: Final = frozenset({"GB", "US", "IE", "AU", "NZ", "CA"})
_LATVIAN_STREET_TYPES: Final = frozenset({
    "iela", "gatve", "prospekts", "bulvaris", "laukums", "soseja", "krastmala", "aleja",
    "cels", "dambis", "linija", "sēta", "seta",
})
#: Folded abbreviations and their expansions in street keys.
STREET_WORDS: Final[dict[str, str]] = {
    "rd": "road", "ave": "avenue", "av": "avenue", "avn": "avenue", "blvd": "boulevard",
    "bvd": "boulevard", "ln": "lane", "ct": "court", "pl": "place", "sq": "square",
    "hwy": "highway", "pkwy": "parkway", "cres": "crescent", "ter": "terrace",
    "terr": "terrace", "gdns": "gardens", "cl": "close", "mt": "mount", "ft": "fort",
    "pk": "park", "cir": "circle", "trl": "trail", "pde": "parade", "esp": "esplanade",
    "wy": "way", "hts": "heights", "strasse": "strasse", "iel": "iela", "prosp": "prospekts",
    "pr": "prospekts", "bulv": "bulvaris", "lauk": "laukums", "רח": "רחוב", "שד": "שדרות",
    "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
    "sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th",
}
_DIRECTIONS: Final = {
    "n": "north", "s": "south", "e": "east", "w": "west", "ne": "northeast",
    "nw": "northwest", "se": "southeast", "sw": "southwest",
}
#: Words kept in lower case when a street written all upper or all lower is tidied.
_LOWER_WORDS: Final = frozenset({
    "iela", "gatve", "prospekts", "bulvāris", "laukums", "šoseja", "krastmala", "aleja",
    "ceļš", "dambis", "ielā", "gatvē", "prospektā", "bulvārī", "laukumā", "šosejā",
    "krastmalā", "alejā", "des", "der", "den", "dem", "am", "an", "im", "zum", "zur", "von",
    "auf", "de", "la", "le", "of", "the", "and",
})


def _fold_street(text: str) -> str:
    """Like :func:`~goldenrec._normalise._text.fold`, cheaper: case-folded, diacritics
    and niqqud removed, apostrophes and dots dropped (word splitting comes after)."""
    text = _DROPPED.sub("", text.translate(_SPECIAL_FOLDS).casefold())
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", _COMBINING.sub("", unicodedata.normalize("NFKD", text)))


def _expand_word(word: str, position: int, last: int, german: bool) -> str:
    if word == "st":
        return "saint" if position == 0 and last > 0 else "street"
    if word == "str":
        return "strasse" if german else "street"
    if word == "dr":
        return "doctor" if position == 0 and last > 0 else "drive"
    if word == "pl" and german:
        return "platz"
    if word in _DIRECTIONS and last > 0 and position in (0, last):
        return _DIRECTIONS[word]
    if len(word) > 3 and word.endswith("str"):
        return word[:-3] + "strasse"  # Hauptstr., Bahnhofstr
    return STREET_WORDS.get(word, word)


def street_key(name: str, region: str | None = None) -> str:
    """The match key of a street name (without house number): folded, with
    abbreviations expanded.

    ``St``/``St.``/``Str`` are ``street`` (``St`` before a name is ``saint``),
    ``Str.``/``Strasse``/``Straße`` are ``strasse`` (also in German-speaking countries
    without a dot, and at the end of a compound: ``Hauptstr.``), ``Rd`` is ``road``,
    ``Ave`` is ``avenue``. A word before ``strasse`` is joined to it. In German-speaking
    countries ``ä``/``ö``/``ü`` are written ``ae``/``oe``/``ue``.

    >>> street_key("Baker St."), street_key("St. John's Rd"), street_key("Hauptstr.")
    ('baker street', 'saint johns road', 'hauptstrasse')
    >>> street_key("Berliner Str."), street_key("Brīvības ielā"), street_key("烏丸通り")
    ('berlinerstrasse', 'brivibas iela', '烏丸通')
    """
    country = _country(region)
    german = country in _GERMAN_COUNTRIES or (
        country not in _ENGLISH_COUNTRIES and _STR_WITH_DOT.search(name) is not None
    )
    if country in _GERMAN_COUNTRIES:
        name = name.translate(_UMLAUTS)  # Mühlenweg and Muehlenweg agree
    words = _WORD.findall(_fold_street(name))
    last = len(words) - 1
    out: list[str] = []
    for i, word in enumerate(words):
        expanded = _expand_word(word, i, last, german)
        if expanded == "strasse" and out and out[-1].isalpha():
            out[-1] += expanded  # Berliner Straße, Berliner-Str. → berlinerstrasse
            continue
        out.append(expanded)
    key = " ".join(out)
    if "通り" in key:
        key = key.replace("通り", "通")
    return key


def _capitalise(match: re.Match[str]) -> str:
    word = match.group(0)
    return word[:1].upper() + word[1:].lower()


def _tidy(text: str) -> str:
    """White space and commas tidied; Latin words written all upper or all lower in
    title case, except street-type words and particles (``iela``, ``des``), and letters
    after a number (``5a``, ``5 a``)."""
    if "," in text:
        text = _COMMA_WITHOUT_SPACE.sub(", ", _SPACE_BEFORE_COMMA.sub(",", text))
    words = text.split(" ")
    if not all(w == w.lower() or w == w.upper() for w in words) or not (
        has_latin_letters_only(text)
    ):
        return text
    out = []
    for i, word in enumerate(words):
        if i > 0 and (word.lower() in _LOWER_WORDS
                      or (len(word) == 1 and words[i - 1][-1:].isdigit())):  # 5 a
            out.append(word.lower())
        else:
            out.append(_LETTER_RUN.sub(_capitalise, word))
    return " ".join(out)


def _compact_number(number: str) -> str:
    return re.sub(r"\s+", "", number).replace("–", "-")


class AddressNormaliser(Normaliser):
    """Street lines: the display keeps what was written (tidied), the key is the street
    name without the house number, abbreviations expanded (:func:`street_key`).

    Extra fields: ``house_number`` and ``unit`` (flat, apartment, suite), taken out of
    the text: ``12 Baker Street``, ``Hauptstraße 5a``, ``Brīvības iela 21-3`` (Latvian
    house 21, flat 3), ``Flat 2, 10 Downing St``, ``Apt 4B 350 Fifth Ave``,
    ``千代田1丁目1番1号``. The ``region`` context (ISO country) settles ``Str`` and the
    Latvian ``21-3``. Reasons: ``po_box`` (valid, flagged), ``street_without_name``,
    ``no_letters_or_digits``, ``address_too_long``.

    >>> AddressNormaliser().normalise_value("Flat 2, 10 Downing St")
    Normalised(value='Flat 2, 10 Downing St', key='downing street', status='valid', \
reason='', extra=('10', '2'))
    >>> AddressNormaliser().normalise_value("BRĪVĪBAS IELA 21-3").extra
    ('21', '3')
    """

    name = "address"
    extra_fields = ("house_number", "unit")
    #: Longer values are not a street line (``address_too_long``).
    max_length: int = 200

    def is_placeholder(self, text: str) -> bool:
        # generic placeholders are short and have no digit but 0
        return (len(text) <= _PLACEHOLDER_MAX_LENGTH and _NONZERO_DIGIT.search(text) is None
                and super().is_placeholder(text))

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        if len(text) > self.max_length:
            return Normalised(None, None, INVALID, "address_too_long")
        if not text.isascii() and _SYMBOLS.search(text):
            text = " ".join(_SYMBOLS.sub(" ", text).split())
        if not _LETTER_OR_DIGIT.search(text):
            return Normalised(None, None, INVALID, "no_letters_or_digits")
        display = _tidy(text)
        po_box = _PO_BOX.match(text)
        if po_box:
            number = po_box.group(1).replace(" ", "")  # Postfach 10 11 12
            return Normalised(display, f"po box {number}", VALID, "po_box",
                              (None, None))
        unit: str | None = None
        rest = text
        found = _UNIT.search(rest)
        if found:
            unit = found.group(1) or found.group(2)
            rest = rest[: found.start()] + " " + rest[found.end():]
        rest = rest.strip(" ,;")
        name, house = self._split_number(rest)
        if house is not None and unit is None and "-" in house:
            lv_flat = _LV_HOUSE_AND_FLAT.fullmatch(house)
            if lv_flat and self._is_latvian(name, region):
                house, unit = lv_flat.group(1), lv_flat.group(2)
        if not _LETTER.search(name):
            return Normalised(None, None, INVALID, "street_without_name")
        key = street_key(name, region)
        if not key:
            return Normalised(None, None, INVALID, "street_without_name")
        return Normalised(display, key, VALID, "", (house, unit))

    @staticmethod
    def _split_number(rest: str) -> tuple[str, str | None]:
        """``(street name, house number)``; the number is ``None`` when there is none."""
        if "丁目" in rest:
            chome = _CHOME.fullmatch(rest)
            if chome:
                parts = [p for p in chome.groups()[1:] if p]
                return chome.group(1).strip(), "-".join(parts)
        if not rest.isascii() and _CJK.search(rest):
            cjk = _CJK_NUMBER.fullmatch(rest)
            if cjk:  # 南京东路100号, 千代田1-1-1
                return cjk.group(1).strip(), re.sub(r"\s*[-‐−ー]\s*", "-", cjk.group(2))
            return rest, None
        leading = _LEADING_NUMBER.fullmatch(rest)
        if leading:
            return leading.group(2).strip(" ,"), _compact_number(leading.group(1))
        trailing = _TRAILING_NUMBER.search(rest)
        if trailing:
            name = _NUMBER_WORD.sub("", rest[: trailing.start()]).strip(" ,")
            if _LETTER.search(name) and (
                len(name) > _LONGEST_NUMBERED_ROAD or fold(name) not in _NUMBERED_ROADS
            ):
                return name, _compact_number(trailing.group(1))
        return rest, None

    @staticmethod
    def _is_latvian(name: str, region: str | None) -> bool:
        country = _country(region)
        if country is not None:
            return country == "LV"
        return any(word in _LATVIAN_STREET_TYPES for word in fold(name).split())
