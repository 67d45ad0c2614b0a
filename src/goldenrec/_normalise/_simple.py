"""Normalisers for plain text, codes and identifiers."""

from __future__ import annotations

import re
from typing import Final

import phonenumbers

from goldenrec._normalise._address import PostcodeNormaliser  # re-exported here
from goldenrec._normalise._base import INVALID, VALID, Normalised, Normaliser
from goldenrec._normalise._text import fold, smart_title

__all__ = [
    "CountryNormaliser",
    "GenderNormaliser",
    "IdentifierNormaliser",
    "PostcodeNormaliser",
    "TextNormaliser",
]

_ALNUM: Final = re.compile(r"[^0-9A-Za-z]+")


class TextNormaliser(Normaliser):
    """Free text (streets, places, companies): tidy display value, folded key.

    >>> import pandas as pd
    >>> TextNormaliser().normalise(pd.Series(["  BAKER   street "]))["value"].tolist()
    ['Baker Street']
    """

    name = "text"

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        key = fold(text)
        if not key:
            return Normalised(None, None, INVALID, "no_letters_or_digits")
        return Normalised(smart_title(text), key, VALID, "")


class IdentifierNormaliser(Normaliser):
    """Identifiers (national ids, house numbers): letters and digits only, upper case.

    >>> IdentifierNormaliser().normalise_value("123-45-6789").key
    '123456789'
    """

    name = "identifier"

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        key = _ALNUM.sub("", text).upper()
        if not key:
            return Normalised(None, None, INVALID, "identifier_empty")
        return Normalised(text.strip(), key, VALID, "")


COUNTRY_NAMES: Final = {
    "united kingdom": "GB", "uk": "GB", "great britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "britain": "GB",
    "united states": "US", "united states of america": "US", "usa": "US", "america": "US",
    "germany": "DE", "deutschland": "DE", "latvia": "LV", "latvija": "LV", "israel": "IL",
    "japan": "JP", "nippon": "JP", "china": "CN", "prc": "CN", "australia": "AU",
    "france": "FR", "spain": "ES", "italy": "IT", "netherlands": "NL", "austria": "AT",
    "osterreich": "AT", "switzerland": "CH", "schweiz": "CH", "ireland": "IE",
    "canada": "CA", "new zealand": "NZ", "lithuania": "LT", "estonia": "EE",
    "poland": "PL", "sweden": "SE", "norway": "NO", "denmark": "DK", "finland": "FI",
    "india": "IN", "deu": "DE", "gbr": "GB", "lva": "LV", "isr": "IL", "jpn": "JP",
    "chn": "CN", "aus": "AU", "fra": "FR",
    "日本": "JP", "中国": "CN", "中華人民共和国": "CN", "ישראל": "IL",
}


class CountryNormaliser(Normaliser):
    """Countries as ISO 3166 alpha-2 codes.

    >>> CountryNormaliser().normalise_value("Deutschland").value
    'DE'
    """

    name = "country"

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        folded = fold(text)
        code = COUNTRY_NAMES.get(folded) or COUNTRY_NAMES.get(text.strip())
        if code is None and len(folded) == 2 and folded.isascii() and folded.isalpha():
            candidate = folded.upper()
            if candidate == "UK":
                candidate = "GB"
            if candidate in phonenumbers.SUPPORTED_REGIONS:
                code = candidate
        if code is None:
            return Normalised(None, None, INVALID, "country_unknown")
        return Normalised(code, code, VALID, "")


class GenderNormaliser(Normaliser):
    """Gender as ``F``, ``M`` or ``X``.

    >>> GenderNormaliser().normalise_value("female").value
    'F'
    """

    name = "gender"
    _MAP: Final = {
        "f": "F", "female": "F", "woman": "F", "w": "F", "weiblich": "F", "frau": "F",
        "mrs": "F", "ms": "F", "m": "M", "male": "M", "man": "M", "mannlich": "M",
        "herr": "M", "mr": "M", "x": "X", "d": "X", "diverse": "X", "divers": "X",
        "non binary": "X", "nonbinary": "X", "other": "X",
    }

    def is_placeholder(self, text: str) -> bool:
        return fold(text) not in self._MAP and super().is_placeholder(text)

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        code = self._MAP.get(fold(text))
        if code is None:
            return Normalised(None, None, INVALID, "gender_unknown")
        return Normalised(code, code, VALID, "")
