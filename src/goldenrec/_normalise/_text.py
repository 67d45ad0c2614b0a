"""Text helpers shared by every normaliser: cleaning for display, folding for matching."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["clean_text", "fold", "has_latin_letters_only", "is_cjk", "smart_title"]

_BIDI_AND_CONTROL: Final = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)
_SPACE: Final = re.compile(r"\s+")
_PUNCT_TO_SPACE: Final = re.compile(r"[\s\-\u2010-\u2015_/\\,;:|·•]+")
_DROP_PUNCT: Final = re.compile(r"[.'\"`´’‘“”()\[\]{}<>!?*#~^]+")
_SPECIAL_FOLDS: Final = str.maketrans({
    "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "œ": "oe", "Œ": "oe",
    "đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "ı": "i", "þ": "th",
})


def clean_text(text: str) -> str:
    """NFKC, control and bidi characters removed, white space collapsed and trimmed.

    Full-width forms become half-width through NFKC.

    >>> clean_text("  Ｍüller\\u200f  Hans ")
    'Müller Hans'
    """
    text = unicodedata.normalize("NFKC", text)
    text = _BIDI_AND_CONTROL.sub("", text)
    return _SPACE.sub(" ", text).strip()


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept)


def fold(text: str) -> str:
    """A matching key: cleaned, case-folded, diacritics removed, punctuation dropped.

    Scripts other than Latin keep their letters (Hebrew matches Hebrew).

    >>> fold("Bērziņš-Ozoliņa"), fold("STRAßE"), fold("O'Brien")
    ('berzins ozolina', 'strasse', 'obrien')
    """
    text = clean_text(text).translate(_SPECIAL_FOLDS).casefold()
    text = strip_diacritics(text)
    text = _DROP_PUNCT.sub("", text)
    return _SPACE.sub(" ", _PUNCT_TO_SPACE.sub(" ", text)).strip()


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2FA1F
    )


def has_latin_letters_only(text: str) -> bool:
    return all(
        not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in text
    )


def smart_title(text: str) -> str:
    """Title-case Latin text written all upper or all lower; leave mixed case alone.

    >>> smart_title("JOHN o'neil"), smart_title("McDonald")
    ("John O'Neil", 'McDonald')
    """
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or not has_latin_letters_only(text):
        return text
    if text != text.lower() and text != text.upper() and not (
        text.islower() or text.isupper()
    ):
        # mixed case: keep what the source wrote unless every word is lower or upper
        words = text.split(" ")
        if not all(w == w.lower() or w == w.upper() for w in words):
            return text
    return re.sub(
        r"[^\W\d_]+",
        lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(),
        text,
    )
