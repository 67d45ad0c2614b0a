"""Phone numbers with phonenumbers: E.164 when valid, flagged otherwise."""

from __future__ import annotations

import re
from typing import Final

import phonenumbers

from goldenrec._normalise._base import INVALID, VALID, Normalised, Normaliser

__all__ = ["PhoneNormaliser"]

_DIGITS: Final = re.compile(r"\d")


class PhoneNormaliser(Normaliser):
    """Phone numbers as E.164; ``region`` is the default country for local formats.

    >>> PhoneNormaliser().normalise_value("030 1234567", region="DE").value
    '+49301234567'
    >>> PhoneNormaliser().normalise_value("12", region="DE").reason
    'phone_invalid'
    """

    name = "phone"

    def is_placeholder(self, text: str) -> bool:
        digits = "".join(_DIGITS.findall(text))
        if digits and (len(set(digits)) == 1 or digits in ("1234567890", "0123456789")):
            return True
        return super().is_placeholder(text)

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        if not _DIGITS.search(text):
            return Normalised(None, None, INVALID, "phone_without_digits")
        candidate = text.strip()
        if candidate.startswith("00"):
            candidate = "+" + candidate[2:]
        if not candidate.startswith("+") and region is None:
            return Normalised(None, None, INVALID, "phone_no_region")
        try:
            number = phonenumbers.parse(candidate, region.upper() if region else None)
        except phonenumbers.NumberParseException:
            return Normalised(None, None, INVALID, "phone_unparseable")
        if not phonenumbers.is_valid_number(number):
            return Normalised(None, None, INVALID, "phone_invalid")
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return Normalised(e164, e164, VALID, "")
