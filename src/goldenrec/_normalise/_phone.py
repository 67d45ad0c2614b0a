"""Phone numbers with phonenumbers: E.164 when valid, flagged otherwise."""

from __future__ import annotations

import functools
import re
from typing import Final

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberType, ValidationResult

from goldenrec._normalise._base import INVALID, VALID, Normalised, Normaliser
from goldenrec._normalise._phone_plain import PlainNumber, number_type, parse_plain

__all__ = ["PHONE_TYPES", "PhoneNormaliser"]

_DIGITS: Final = re.compile(r"\d")
#: phonenumbers' number types by the names goldenrec reports (extra field ``type``).
PHONE_TYPES: Final[dict[int, str]] = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
}
_PARSE_REASONS: Final[dict[int, str]] = {
    NumberParseException.TOO_SHORT_NSN: "phone_too_short",
    NumberParseException.TOO_SHORT_AFTER_IDD: "phone_too_short",
    NumberParseException.TOO_LONG: "phone_too_long",
}
_LENGTH_REASONS: Final[dict[int, str]] = {
    ValidationResult.TOO_SHORT: "phone_too_short",
    ValidationResult.TOO_LONG: "phone_too_long",
}
# comments such as "(Büro)", "(mobile)" (phonenumbers rejects letters it cannot map)
_COMMENT: Final = re.compile(r"\([^()\d]*\)|\[[^\[\]\d]*\]")
# extension words phonenumbers does not know: German, Hebrew, Japanese, Latvian
_EXTENSION_WORD: Final = re.compile(
    r"(?:\b(?:durchwahl|dw|apparat|app|nebenstelle|iekšējais|ieksejais)\b|שלוחה|内線)"
    r"\.?:?\s*",
    re.IGNORECASE,
)
# several numbers in one field: "030 1234567; 0151 23456789", "… / …"
_SEPARATOR: Final = re.compile(r"[,;|]|\s/\s|\s(?:or|oder|vai|או|或)\s", re.IGNORECASE)
_START: Final = re.compile(r"[+\d]")
_ASCII_LETTER: Final = re.compile(r"[A-Za-z]")
_LETTER: Final = re.compile(r"[^\W\d_]")
_REGION_ALIASES: Final = {"UK": "GB"}
_MIN_DIGITS_PER_NUMBER: Final = 5


@functools.lru_cache(maxsize=512)
def _international_prefix(region: str) -> re.Pattern[str] | None:
    """The region's international dialling prefix (``00``, ``011``…), loaded on first use."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None or not metadata.international_prefix:
        return None
    return re.compile(metadata.international_prefix)


@functools.lru_cache(maxsize=1 << 18)
def _number_type(country_code: int, national_number: str) -> int:
    """``phonenumbers.number_type`` of a number, once per number: the same number is
    often written several ways (E.164, national, ``00``)."""
    return number_type(country_code, national_number)


def _parse(candidate: str, region: str | None) -> PlainNumber | phonenumbers.PhoneNumber:
    """``phonenumbers.parse``; plain values take the quicker, equal :func:`parse_plain`."""
    plain = parse_plain(candidate, region)
    return phonenumbers.parse(candidate, region) if plain is None else plain


class PhoneNormaliser(Normaliser):
    """Phone numbers as E.164; ``region`` is the default country for local formats.

    Numbers must pass ``phonenumbers.is_valid_number``. Extra fields: ``type``
    (``mobile``, ``fixed_line``, ``fixed_or_mobile``, ``toll_free``, ``voip``…) and
    ``extension`` (``ext. 12``, ``x12``). ``00`` works as ``+`` wherever the region does
    not dial abroad with another prefix. A field with several numbers keeps the first,
    flagged ``phone_multiple``; a number written with letters is flagged ``phone_vanity``.

    >>> PhoneNormaliser().normalise_value("030 1234567", region="DE").value
    '+49301234567'
    >>> PhoneNormaliser().normalise_value("+1 (201) 555-0123 ext. 12")
    Normalised(value='+12015550123', key='+12015550123', status='valid', reason='', \
extra=('fixed_or_mobile', '12'))
    >>> PhoneNormaliser().normalise_value("2612", region="LV").reason
    'phone_too_short'
    """

    name = "phone"
    extra_fields = ("type", "extension")

    def is_placeholder(self, text: str) -> bool:
        digits = "".join(_DIGITS.findall(text))
        if digits and (len(set(digits)) == 1 or digits in ("1234567890", "0123456789")):
            return True
        # generic placeholders have no digits but zeros: skip folding real numbers
        return not digits and super().is_placeholder(text)

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        if not _DIGITS.search(text):
            return Normalised(None, None, INVALID, "phone_without_digits")
        candidate = text
        letters = _LETTER.search(text) is not None
        if letters:
            if "(" in candidate or "[" in candidate:
                candidate = _COMMENT.sub(" ", candidate)
            candidate = _EXTENSION_WORD.sub(" ext. ", candidate)
        multiple = False
        if _SEPARATOR.search(candidate):
            parts = [p for p in _SEPARATOR.split(candidate)
                     if len(_DIGITS.findall(p)) >= _MIN_DIGITS_PER_NUMBER]
            if len(parts) > 1:
                candidate, multiple = parts[0], True
        start = _START.search(candidate)
        if start is None:
            return Normalised(None, None, INVALID, "phone_without_digits")
        candidate = candidate[start.start():].strip()
        if region is not None:
            region = region.strip().upper()
            region = _REGION_ALIASES.get(region, region)
        if candidate.startswith("00"):
            known = region is not None and region in phonenumbers.SUPPORTED_REGIONS
            prefix = _international_prefix(region) if known else None
            digits = "".join(_DIGITS.findall(candidate))
            if prefix is None or not prefix.match(digits):
                candidate = "+" + candidate[2:]
        if not candidate.startswith("+") and (
            region is None or region not in phonenumbers.SUPPORTED_REGIONS
        ):
            return Normalised(None, None, INVALID, "phone_no_region")
        try:
            number = _parse(candidate, region)
        except NumberParseException as error:
            reason = _PARSE_REASONS.get(error.error_type, "phone_unparseable")
            return Normalised(None, None, INVALID, reason)
        if isinstance(number, PlainNumber):
            plain, extension = number, None
        else:
            plain = PlainNumber(number.country_code or 0,
                                phonenumbers.national_significant_number(number))
            extension = number.extension
        # number_type() is UNKNOWN exactly when is_valid_number() is False, and both cost
        # the same: one call decides validity and gives the type.
        kind = _number_type(plain.country_code, plain.national_number)
        if kind == PhoneNumberType.UNKNOWN:
            parsed = _phone_number(plain) if isinstance(number, PlainNumber) else number
            possible = phonenumbers.is_possible_number_with_reason(parsed)
            return Normalised(None, None, INVALID, _LENGTH_REASONS.get(possible, "phone_invalid"))
        e164 = plain.e164
        reason = ""
        if multiple:
            reason = "phone_multiple"
        elif letters and extension is None and len(_ASCII_LETTER.findall(candidate)) >= 3:
            reason = "phone_vanity"
        return Normalised(e164, e164, VALID, reason,
                          (PHONE_TYPES.get(kind, "unknown"), extension or None))


def _phone_number(plain: PlainNumber) -> phonenumbers.PhoneNumber:
    """``plain`` as the ``PhoneNumber`` that ``phonenumbers.parse`` gives."""
    digits = plain.national_number
    zeros = len(digits) - len(digits.lstrip("0")) if len(digits) > 1 else 0
    zeros = min(zeros, len(digits) - 1)
    return phonenumbers.PhoneNumber(
        country_code=plain.country_code, national_number=int(digits),
        italian_leading_zero=True if zeros else None,
        number_of_leading_zeros=zeros if zeros > 1 else None)
