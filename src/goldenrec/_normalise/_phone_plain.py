"""Plain phone numbers parsed and typed quickly, with the answers of ``phonenumbers``.

Most phone values are plain: an optional ``+``, digits, and spaces, brackets, dots or
dashes between them. For those, ``phonenumbers.parse`` and ``phonenumbers.number_type``
spend most of their time in general machinery (Unicode digits, letters, extensions,
pattern caches), not in the numbering plans. This module applies the same steps to plain
values only, with each region's metadata compiled once:

- :func:`parse_plain` returns what ``phonenumbers.parse`` returns (country code, national
  number, leading zeros), or raises the same ``NumberParseException`` type; it returns
  ``None`` for a value outside its scope, which then goes to ``phonenumbers.parse``.
- :func:`number_type` is ``phonenumbers.number_type`` for a country code and national
  significant number.

Both follow ``phonenumbers``' own metadata and order of checks; the tests compare them with
``phonenumbers`` on every region's example numbers and on generated values.

>>> parse_plain("030 1234567", "DE")
PlainNumber(country_code=49, national_number='301234567')
>>> number_type(49, "301234567") == phonenumbers.PhoneNumberType.FIXED_LINE
True
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Final, NamedTuple

import phonenumbers
from phonenumbers import (
    COUNTRY_CODE_TO_REGION_CODE,
    NumberParseException,
    PhoneMetadata,
    PhoneNumberType,
)

__all__ = ["PlainNumber", "number_type", "parse_plain"]

#: values this module parses: an optional plus, then digits and light punctuation
_PLAIN: Final = re.compile(r"\+?[0-9 ().\-]+")
_NON_DIGIT: Final = re.compile(r"[^0-9]")
_MIN_DIGITS: Final = 3  # below this phonenumbers' viability rules differ with punctuation
_MAX_INPUT: Final = 250  # phonenumbers' longest input
_MIN_NSN: Final = 2
_MAX_NSN: Final = 17
_MAX_COUNTRY_CODE_DIGITS: Final = 3
_NON_GEOGRAPHIC: Final = "001"

# phonenumbers' ValidationResult values used by the length test
_IS_POSSIBLE, _IS_POSSIBLE_LOCAL_ONLY, _INVALID_COUNTRY_CODE = 0, 1, 2
_TOO_SHORT, _INVALID_LENGTH, _TOO_LONG = 3, 4, 5
_KEEP_ORIGINAL: Final = frozenset({_TOO_SHORT, _IS_POSSIBLE_LOCAL_ONLY, _INVALID_LENGTH})

Matcher = Callable[[str], "re.Match[str] | None"]


class PlainNumber(NamedTuple):
    """A parsed number: its country code and national significant number (digits,
    leading zeros included, as ``phonenumbers.national_significant_number`` gives)."""

    country_code: int
    national_number: str

    @property
    def e164(self) -> str:
        return f"+{self.country_code}{self.national_number}"


class _Desc(NamedTuple):
    """One number description: its possible lengths and its whole-number pattern."""

    lengths: frozenset[int]
    fullmatch: Matcher | None

    def matches(self, number: str) -> bool:
        if self.lengths and len(number) not in self.lengths:
            return False
        return self.fullmatch is not None and self.fullmatch(number) is not None


_NO_DESC: Final = _Desc(frozenset(), None)
# the order of phonenumbers' type check, before fixed line and mobile
_SPECIAL_TYPES: Final = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE),
    ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST),
    ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
    ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN),
    ("voicemail", PhoneNumberType.VOICEMAIL),
)


def _desc(desc: object) -> _Desc:
    if desc is None:
        return _NO_DESC
    pattern = getattr(desc, "national_number_pattern", None)
    lengths = frozenset(getattr(desc, "possible_length", None) or ())
    return _Desc(lengths, re.compile(pattern).fullmatch if pattern else None)


class _Plan:
    """One region's (or non-geographic code's) metadata, compiled once."""

    def __init__(self, metadata: PhoneMetadata) -> None:
        self.country_code: int = metadata.country_code or 0
        self.general = _desc(metadata.general_desc)
        self.special = tuple((_desc(getattr(metadata, name)), kind)
                             for name, kind in _SPECIAL_TYPES)
        self.fixed_line = _desc(metadata.fixed_line)
        self.mobile = _desc(metadata.mobile)
        self.same_mobile_and_fixed = bool(metadata.same_mobile_and_fixed_line_pattern)
        leading = metadata.leading_digits
        self.leading_digits: Matcher | None = re.compile(leading).match if leading else None
        idd = metadata.international_prefix
        self.idd: Matcher = re.compile(idd if idd is not None else "NonMatch").match
        prefix = metadata.national_prefix_for_parsing
        self.national_prefix: re.Pattern[str] | None = re.compile(prefix) if prefix else None
        self.transform_rule: str | None = metadata.national_prefix_transform_rule or None
        general = metadata.general_desc
        self.lengths: tuple[int, ...] = tuple(general.possible_length or ()) if general else ()
        self.local_lengths = frozenset(
            (general.possible_length_local_only or ()) if general else ())

    def number_type(self, number: str) -> int:
        """``phonenumbers``' type of a national significant number in this plan."""
        if not self.general.matches(number):
            return PhoneNumberType.UNKNOWN
        for desc, kind in self.special:
            if desc.matches(number):
                return kind
        if self.fixed_line.matches(number):
            if self.same_mobile_and_fixed or self.mobile.matches(number):
                return PhoneNumberType.FIXED_LINE_OR_MOBILE
            return PhoneNumberType.FIXED_LINE
        if not self.same_mobile_and_fixed and self.mobile.matches(number):
            return PhoneNumberType.MOBILE
        return PhoneNumberType.UNKNOWN

    def length_result(self, number: str) -> int:
        """``phonenumbers``' length test of a number against the general description."""
        length = len(number)
        if length in self.local_lengths:
            return _IS_POSSIBLE_LOCAL_ONLY
        lengths = self.lengths
        if lengths[0] == length:
            return _IS_POSSIBLE
        if lengths[0] > length:
            return _TOO_SHORT
        if lengths[-1] < length:
            return _TOO_LONG
        return _IS_POSSIBLE if length in lengths[1:] else _INVALID_LENGTH

    def strip_national_prefix(self, number: str) -> str:
        """The number without a national prefix (or carrier code) where one can go."""
        pattern = self.national_prefix
        if not number or pattern is None:
            return number
        found = pattern.match(number)
        if found is None:
            return number
        viable = self.general.fullmatch is not None and self.general.fullmatch(number)
        groups = found.groups()
        if self.transform_rule is None or not groups or groups[-1] is None:
            stripped = number[found.end():]
        else:
            stripped = pattern.sub(self.transform_rule, number, count=1)
        if viable and not (self.general.fullmatch and self.general.fullmatch(stripped)):
            return number
        return stripped


@functools.cache
def _plan_for_region(region: str) -> _Plan | None:
    metadata = PhoneMetadata.metadata_for_region(region, None)
    return None if metadata is None else _Plan(metadata)


@functools.cache
def _plan_for_code(country_code: int, region: str) -> _Plan | None:
    if region == _NON_GEOGRAPHIC:
        metadata = PhoneMetadata.metadata_for_nongeo_region(country_code, None)
        return None if metadata is None else _Plan(metadata)
    return _plan_for_region(region)


def number_type(country_code: int, national_number: str) -> int:
    """``phonenumbers.number_type`` of the number ``+<country_code><national_number>``
    (``national_number`` with its leading zeros); ``UNKNOWN`` exactly when invalid."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not regions:
        return PhoneNumberType.UNKNOWN
    region: str | None = regions[0]
    if len(regions) > 1:
        region = None
        for candidate in regions:
            plan = _plan_for_region(candidate)
            if plan is None:
                continue
            if plan.leading_digits is not None:
                if plan.leading_digits(national_number):
                    region = candidate
                    break
            elif plan.number_type(national_number) != PhoneNumberType.UNKNOWN:
                region = candidate
                break
    if region is None:
        return PhoneNumberType.UNKNOWN
    plan = _plan_for_code(country_code, region)
    return PhoneNumberType.UNKNOWN if plan is None else plan.number_type(national_number)


def _country_code(digits: str) -> tuple[int, str]:
    """The leading country calling code and the rest; ``0`` when there is none."""
    if not digits or digits[0] == "0":
        return 0, digits
    for width in range(1, min(len(digits), _MAX_COUNTRY_CODE_DIGITS) + 1):
        code = int(digits[:width])
        if code in COUNTRY_CODE_TO_REGION_CODE:
            return code, digits[width:]
    return 0, digits


def _fail(error_type: int) -> NumberParseException:
    return NumberParseException(error_type, "")


def parse_plain(text: str, region: str | None) -> PlainNumber | None:
    """``phonenumbers.parse(text, region)`` for a plain value, or ``None`` when ``text``
    is not plain (letters, extensions, other symbols, fewer than three digits) or needs a
    rarer path of ``phonenumbers`` (an unknown country code after ``+``).

    ``region`` must be ``None`` or upper case. Raises ``NumberParseException`` (with the
    type ``phonenumbers`` gives) for a value it cannot parse.
    """
    if len(text) > _MAX_INPUT or _PLAIN.fullmatch(text) is None:
        return None
    plus = text[0] == "+"
    digits = _NON_DIGIT.sub("", text)
    if len(digits) < _MIN_DIGITS:
        return None
    plan = _plan_for_region(region) if region in phonenumbers.SUPPORTED_REGIONS else None
    if plan is None and not plus:
        raise _fail(NumberParseException.INVALID_COUNTRY_CODE)
    code, national = _extract_code(digits, plus, plan)
    if code < 0:
        return None
    if code:
        home = COUNTRY_CODE_TO_REGION_CODE[code][0]
        if home != region:
            plan = _plan_for_code(code, home)
    else:
        assert plan is not None  # no plus: the region is known (checked above)
        code, national = plan.country_code, digits
    if len(national) < _MIN_NSN:
        raise _fail(NumberParseException.TOO_SHORT_NSN)
    if plan is not None:
        stripped = plan.strip_national_prefix(national)
        if plan.length_result(stripped) not in _KEEP_ORIGINAL:
            national = stripped
    if len(national) < _MIN_NSN:
        raise _fail(NumberParseException.TOO_SHORT_NSN)
    if len(national) > _MAX_NSN:
        raise _fail(NumberParseException.TOO_LONG)
    return PlainNumber(code, _significant(national))


def _extract_code(digits: str, plus: bool, plan: _Plan | None) -> tuple[int, str]:
    """The country code written in the number (``0``: none, ``-1``: leave to
    ``phonenumbers``) and the national number after it."""
    international = plus
    if not plus:
        assert plan is not None
        found = plan.idd(digits)
        # an international prefix followed by 0 is not one (phonenumbers' rule)
        if found is not None and digits[found.end():found.end() + 1] != "0":
            international, digits = True, digits[found.end():]
    if international:
        if len(digits) <= _MIN_NSN:
            raise _fail(NumberParseException.TOO_SHORT_AFTER_IDD)
        code, rest = _country_code(digits)
        if code:
            return code, rest
        if plus:
            return -1, digits  # phonenumbers retries without the plus: its own path
        raise _fail(NumberParseException.INVALID_COUNTRY_CODE)
    assert plan is not None
    home = str(plan.country_code)
    if digits.startswith(home):
        rest = plan.strip_national_prefix(digits[len(home):])
        general = plan.general.fullmatch
        if (general is not None and not general(digits) and general(rest)) \
                or plan.length_result(digits) == _TOO_LONG:
            return plan.country_code, rest
    return 0, ""


def _significant(national: str) -> str:
    """The national significant number as ``phonenumbers`` keeps it: the digits as a
    number, with the leading zeros it records (all but the last of an all-zero number)."""
    zeros = 0
    if len(national) > 1 and national[0] == "0":
        zeros = 1
        while zeros < len(national) - 1 and national[zeros] == "0":
            zeros += 1
    return "0" * zeros + str(int(national))
