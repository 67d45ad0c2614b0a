"""Person-name normalisation and full-name splitting."""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from goldenrec._normalise._base import INVALID, VALID, Normalised, Normaliser
from goldenrec._normalise._text import fold, is_cjk, smart_title

__all__ = ["NameNormaliser", "NameParts", "split_full_name"]

TITLES: Final = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lady", "lord",
    "herr", "frau", "fr", "hr", "doktor", "madam", "mme", "mlle", "m", "rev",
})
SUFFIXES: Final = frozenset({"jr", "jnr", "sr", "snr", "ii", "iii", "iv", "phd", "md", "esq",
                             "dds", "mba", "bsc", "msc"})
PARTICLES: Final = frozenset({"von", "van", "de", "der", "den", "da", "di", "du", "la", "le",
                              "del", "della", "dos", "das", "ter", "ten", "zu", "al", "bin",
                              "ben", "ibn", "st"})
_LETTER: Final = re.compile(r"[^\W\d_]")


class NameParts(NamedTuple):
    first: str | None
    middle: str | None
    last: str | None


def _word_key(word: str) -> str:
    return fold(word).replace(" ", "")


def split_full_name(text: str) -> NameParts:
    """Split a full name into given, middle and family parts.

    Handles "Last, First", titles and suffixes, particles (``von``, ``van``) and CJK
    names written with or without a space (family name first).

    >>> split_full_name("Dr. Hans von Müller")
    NameParts(first='Hans', middle=None, last='von Müller')
    >>> split_full_name("Smith, John Paul")
    NameParts(first='John', middle='Paul', last='Smith')
    >>> split_full_name("山田太郎")
    NameParts(first='太郎', middle=None, last='山田')
    """
    text = text.strip()
    if not text:
        return NameParts(None, None, None)
    letters = [ch for ch in text if not ch.isspace()]
    if letters and all(is_cjk(ch) or ch in "・·" for ch in letters):
        tokens = text.replace("・", " ").replace("·", " ").split()
        if len(tokens) >= 2:
            return NameParts(" ".join(tokens[1:]), None, tokens[0])
        word = tokens[0]
        family_len = 2 if len(word) >= 4 else 1
        if len(word) == 1:
            return NameParts(None, None, word)
        return NameParts(word[family_len:], None, word[:family_len])
    if "," in text:
        last_part, _, rest = text.partition(",")
        rest_tokens = _strip_titles(rest.replace(",", " ").split())
        last_tokens = _strip_titles(last_part.split())
        if rest_tokens and last_tokens:
            first = rest_tokens[0]
            middle = " ".join(rest_tokens[1:]) or None
            return NameParts(first, middle, " ".join(last_tokens))
        text = text.replace(",", " ")
    tokens = _strip_titles(text.split())
    if not tokens:
        return NameParts(None, None, None)
    if len(tokens) == 1:
        return NameParts(tokens[0], None, None)
    # particles start the family name ("Hans von Müller", "Ludwig van der Berg")
    last_start = len(tokens) - 1
    while last_start > 1 and _word_key(tokens[last_start - 1]) in PARTICLES:
        last_start -= 1
    first = tokens[0]
    middle = " ".join(tokens[1:last_start]) or None
    return NameParts(first, middle, " ".join(tokens[last_start:]))


def _strip_titles(tokens: list[str]) -> list[str]:
    out = list(tokens)
    while len(out) > 1 and _word_key(out[0]) in TITLES:
        out.pop(0)
    while len(out) > 1 and _word_key(out[-1]) in SUFFIXES:
        out.pop()
    return out


class NameNormaliser(Normaliser):
    """Person names: display value in tidy case, match key folded.

    >>> NameNormaliser().normalise_value("MÜLLER")
    Normalised(value='Müller', key='muller', status='valid', reason='', extra=None)
    """

    name = "person_name"

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        if not _LETTER.search(text):
            return Normalised(None, None, INVALID, "name_without_letters")
        display = smart_title(text)
        key = fold(text)
        if not key:
            return Normalised(None, None, INVALID, "name_without_letters")
        return Normalised(display, key, VALID, "")
