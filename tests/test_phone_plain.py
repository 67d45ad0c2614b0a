"""The plain-number parser and type check give exactly what phonenumbers gives."""

from __future__ import annotations

from typing import Any

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import (
    COUNTRY_CODE_TO_REGION_CODE,
    NumberParseException,
    PhoneMetadata,
    PhoneNumberFormat,
)

from goldenrec._normalise._phone_plain import number_type, parse_plain

_DESCS = ("general_desc", "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost",
          "personal_number", "voip", "pager", "uan", "voicemail")
_DEFAULT_REGIONS = (None, "DE", "GB", "US", "IT", "LV", "IL", "JP", "CN", "BR", "AU", "RU")


def _examples() -> list[phonenumbers.PhoneNumber]:
    """Every example number of every region and non-geographic code."""
    numbers = []
    for code, regions in sorted(COUNTRY_CODE_TO_REGION_CODE.items()):
        for region in regions:
            if region == "001":
                metadata = PhoneMetadata.metadata_for_nongeo_region(code, None)
            else:
                metadata = PhoneMetadata.metadata_for_region(region, None)
            if metadata is None:
                continue
            for name in _DESCS:
                desc = getattr(metadata, name)
                example = getattr(desc, "example_number", None) if desc else None
                if example:
                    numbers.append(phonenumbers.parse(f"+{code}{example}", None))
    return numbers


EXAMPLES = _examples()


def _theirs(text: str, region: str | None) -> tuple[Any, ...]:
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as error:
        return ("error", error.error_type)
    assert number.extension is None
    nsn = phonenumbers.national_significant_number(number)
    return ("number", number.country_code, nsn, phonenumbers.number_type(number),
            phonenumbers.format_number(number, PhoneNumberFormat.E164))


def _ours(text: str, region: str | None) -> tuple[Any, ...] | None:
    try:
        number = parse_plain(text, region)
    except NumberParseException as error:
        return ("error", error.error_type)
    if number is None:
        return None
    return ("number", number.country_code, number.national_number,
            number_type(number.country_code, number.national_number), number.e164)


def _check(text: str, region: str | None) -> bool:
    """Our answer equals phonenumbers'; False when the text is left to phonenumbers."""
    ours = _ours(text, region)
    if ours is None:
        return False
    assert ours == _theirs(text, region), (text, region)
    return True


def test_examples_cover_many_regions() -> None:
    assert len({n.country_code for n in EXAMPLES}) > 200
    assert len(EXAMPLES) > 1000


def test_number_type_equals_phonenumbers_on_examples_and_near_misses() -> None:
    for number in EXAMPLES:
        nsn = phonenumbers.national_significant_number(number)
        for variant in (nsn, nsn[:-1], nsn + "5", "9" + nsn[1:], "0" + nsn, nsn[:2] + nsn):
            if not variant:
                continue
            parsed = phonenumbers.parse(f"+{number.country_code}{variant}", None)
            expected = phonenumbers.number_type(parsed)
            ours = number_type(parsed.country_code,
                               phonenumbers.national_significant_number(parsed))
            assert ours == expected, (number.country_code, variant)


def test_number_type_of_unknown_country_code() -> None:
    assert number_type(999, "12345678") == phonenumbers.PhoneNumberType.UNKNOWN


def test_parse_plain_equals_phonenumbers_on_every_example_written_every_way() -> None:
    handled = 0
    for number in EXAMPLES:
        home = phonenumbers.region_code_for_number(number)
        written = {phonenumbers.format_number(number, form) for form in (
            PhoneNumberFormat.E164, PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.NATIONAL)}
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        written |= {"00" + e164[1:], "011 " + e164[1:], e164[1:]}
        for text in written:
            for region in {*_DEFAULT_REGIONS, home if home != "001" else None}:
                handled += _check(text, region)
    assert handled > 50_000  # nearly every spelling is plain


def test_parse_plain_leaves_other_values_to_phonenumbers() -> None:
    for text in ("+1 201 555 0123 ext. 12", "030 1234567 x12", "0800 FLOWERS", "12",
                 "(+49) 30 1234567", "030/1234567", "+49 30 1234567#", "１２３４５６７",
                 "1" * 251):
        assert parse_plain(text, "DE") is None, text


def test_parse_plain_errors_are_phonenumbers_errors() -> None:
    for text, region in (("030 1234567", None), ("+999 1234567", None), ("+49 1", "DE"),
                         ("00 0", "DE"), ("1234567890123456789012", "DE"), ("0049", "DE")):
        assert _ours(text, region) is None or _check(text, region), (text, region)


_PUNCTUATION = st.sampled_from(["", " ", "-", ".", "(", ")", "  "])


@st.composite
def _plain_values(draw: st.DrawFn) -> str:
    digits = draw(st.text(alphabet="0123456789", min_size=3, max_size=19))
    prefix = draw(st.sampled_from(["", "+", "00", "0", "011", "+0", "8", "810"]))
    parts = [prefix]
    for digit in digits:
        parts.append(digit + draw(_PUNCTUATION))
    return "".join(parts)


@settings(max_examples=3000, deadline=None)
@given(text=_plain_values(), region=st.sampled_from(_DEFAULT_REGIONS))
def test_parse_plain_equals_phonenumbers_on_generated_values(text: str,
                                                            region: str | None) -> None:
    _check(text, region)


@settings(max_examples=1500, deadline=None)
@given(number=st.sampled_from(EXAMPLES), data=st.data())
def test_parse_plain_equals_phonenumbers_near_real_numbers(
        number: phonenumbers.PhoneNumber, data: st.DataObject) -> None:
    """Real numbers with a digit changed, added or dropped, written several ways."""
    nsn = phonenumbers.national_significant_number(number)
    position = data.draw(st.integers(0, len(nsn)))
    edit = data.draw(st.sampled_from(["insert", "drop", "change"]))
    digit = data.draw(st.sampled_from("0123456789"))
    if edit == "insert":
        nsn = nsn[:position] + digit + nsn[position:]
    elif edit == "drop":
        nsn = nsn[:position] + nsn[position + 1:]
    else:
        nsn = nsn[:position] + digit + nsn[position + 1:]
    code = str(number.country_code)
    home = phonenumbers.region_code_for_country_code(number.country_code)
    region = data.draw(st.sampled_from([*_DEFAULT_REGIONS, home if home != "001" else None]))
    prefix = data.draw(st.sampled_from(["+" + code, "00" + code, code, "0", "", "+" + code + "0"]))
    _check(prefix + nsn, region)


@pytest.mark.parametrize("text", ["+49 30 1234567", "030 1234567", "0049 30 1234567"])
def test_parse_plain_doctest_like_cases(text: str) -> None:
    assert _ours(text, "DE") == _theirs(text, "DE")
