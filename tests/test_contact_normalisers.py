"""Contact data normalisers (email, phone, date, street address, postcode).

Table-driven with real-world forms from LV, DE, IL, JP, CN, GB and US; every case checks
value, key, status, reason and extra fields through :meth:`Normaliser.normalise`, the
path the pipeline uses. None of the nasty values may raise.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from typing import Any

import email_validator
import pandas as pd
import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from goldenrec._normalise import _phone as phone_module
from goldenrec._normalise._address import (
    AddressNormaliser,
    PostcodeNormaliser,
    extract_postcode,
    format_postcode,
    street_key,
)
from goldenrec._normalise._base import GENERIC_PLACEHOLDERS, STATUSES, Normaliser
from goldenrec._normalise._dates import DateNormaliser, TimestampNormaliser, parse_date
from goldenrec._normalise._email import EmailNormaliser, _validated, is_disposable_domain
from goldenrec._normalise._phone import PhoneNormaliser, _number_type
from goldenrec._normalise._simple import PostcodeNormaliser as ReexportedPostcodeNormaliser


def run(normaliser: Normaliser, raw: Any, *, region: str | None = None,
        order: str | None = None) -> dict[str, Any]:
    """One value through ``normalise`` (distinct values, context, extras)."""
    out = normaliser.normalise(
        pd.Series([raw], dtype=object),
        region=pd.Series([region], dtype=object),
        date_order=pd.Series([order], dtype=object),
    )
    return {str(column): value for column, value in out.iloc[0].items()}


# ----------------------------------------------------------------------------- email

EMAILS = [
    # raw, provider_rules, value, key, status, reason, domain
    ("Ann.Lee@Example.COM", False, "Ann.Lee@example.com", "ann.lee@example.com", "valid", "",
     "example.com"),
    ("ＡＮＮ＠ＥＸＡＭＰＬＥ．ＣＯＭ", False, "ANN@example.com", "ann@example.com", "valid", "",
     "example.com"),
    ("jānis.bērziņš@inbox.lv", False, "jānis.bērziņš@inbox.lv", "jānis.bērziņš@inbox.lv",
     "valid", "", "inbox.lv"),
    ("jürgen@müller.de", False, "jürgen@müller.de", "jürgen@müller.de", "valid", "",
     "müller.de"),
    ("user@xn--mller-kva.de", False, "user@müller.de", "user@müller.de", "valid", "",
     "müller.de"),
    ("דוד@example.co.il", False, "דוד@example.co.il", "דוד@example.co.il", "valid", "",
     "example.co.il"),
    ("\u200fdavid@example.co.il\u200f", False, "david@example.co.il", "david@example.co.il",
     "valid", "", "example.co.il"),
    ("山田@example.jp", False, "山田@example.jp", "山田@example.jp", "valid", "",
     "example.jp"),
    ("wang.wei@163.com", False, "wang.wei@163.com", "wang.wei@163.com", "valid", "",
     "163.com"),
    ("Ann Lee <ann.lee@example.co.uk>", False, "ann.lee@example.co.uk",
     "ann.lee@example.co.uk", "valid", "", "example.co.uk"),
    ("MAILTO:Bob@Example.org.", False, "Bob@example.org", "bob@example.org", "valid", "",
     "example.org"),
    ("bob@example.org; alice@example.org", False, "bob@example.org", "bob@example.org",
     "valid", "email_multiple", "example.org"),
    # role addresses and throw-away domains: valid, flagged
    ("info@example.com", False, "info@example.com", "info@example.com", "valid",
     "role_address", "example.com"),
    ("SALES+2024@Example.de", False, "SALES+2024@example.de", "sales+2024@example.de",
     "valid", "role_address", "example.de"),
    ("Vertrieb@firma.de", False, "Vertrieb@firma.de", "vertrieb@firma.de", "valid",
     "role_address", "firma.de"),
    ("info@例え.jp", False, "info@例え.jp", "info@例え.jp", "valid", "role_address", "例え.jp"),
    ("user@mailinator.com", False, "user@mailinator.com", "user@mailinator.com", "valid",
     "disposable_domain", "mailinator.com"),
    ("x@inbox.yopmail.fr", False, "x@inbox.yopmail.fr", "x@inbox.yopmail.fr", "valid",
     "disposable_domain", "inbox.yopmail.fr"),
    ("hello@my-tempmail.net", False, "hello@my-tempmail.net", "hello@my-tempmail.net",
     "valid", "disposable_domain", "my-tempmail.net"),
    ("j.doe@10minutemail.com", False, "j.doe@10minutemail.com", "j.doe@10minutemail.com",
     "valid", "disposable_domain", "10minutemail.com"),
    # provider rules: off by default, on by flag
    ("John.Smith+news@Gmail.com", False, "John.Smith+news@gmail.com",
     "john.smith+news@gmail.com", "valid", "", "gmail.com"),
    ("John.Smith+news@Gmail.com", True, "John.Smith+news@gmail.com", "johnsmith@gmail.com",
     "valid", "", "gmail.com"),
    ("j.smith@googlemail.com", True, "j.smith@googlemail.com", "jsmith@gmail.com", "valid",
     "", "googlemail.com"),
    ("anna+shop@outlook.com", True, "anna+shop@outlook.com", "anna@outlook.com", "valid", "",
     "outlook.com"),
    ("anna+shop@example.lv", True, "anna+shop@example.lv", "anna+shop@example.lv", "valid",
     "", "example.lv"),
    ("first.last@yahoo.co.jp", True, "first.last@yahoo.co.jp", "first.last@yahoo.co.jp",
     "valid", "", "yahoo.co.jp"),
    ("+tag@gmail.com", True, "+tag@gmail.com", "+tag@gmail.com", "valid", "", "gmail.com"),
    # invalid and placeholders
    ("john.smith@@example.com", False, None, None, "invalid", "email_syntax", None),
    ("ann@example", False, None, None, "invalid", "email_syntax", None),
    ("ann@localhost", False, None, None, "invalid", "email_syntax", None),
    ("ann@shop.test", False, None, None, "invalid", "email_syntax", None),
    ("x@ab--c.com", False, None, None, "invalid", "email_syntax", None),
    (".ann@example.com", False, None, None, "invalid", "email_syntax", None),
    ("noemail@gmail.com", False, None, None, "placeholder", "placeholder_value", None),
    ("test@test.com", False, None, None, "placeholder", "placeholder_value", None),
]


@pytest.mark.parametrize("case", EMAILS, ids=lambda case: repr(case[:2]))
def test_emails(case: tuple[Any, ...]) -> None:
    raw, rules, value, key, status, reason, domain = case
    out = run(EmailNormaliser(provider_rules=rules), raw)
    assert (out["value"], out["key"], out["status"], out["reason"], out["domain"]) == (
        value, key, status, reason, domain)


def test_email_defaults_and_disposable_patterns() -> None:
    assert EmailNormaliser().provider_rules is False
    assert EmailNormaliser.extra_fields == ("domain",)
    assert repr(EmailNormaliser(provider_rules=True)) == "EmailNormaliser(provider_rules=True)"
    assert is_disposable_domain("guerrillamail.de")
    assert is_disposable_domain("wegwerfmail.net")
    assert not is_disposable_domain("gmail.com")
    assert not is_disposable_domain("example.co.il")


def test_email_validator_module_globals_untouched() -> None:
    before = (email_validator.CHECK_DELIVERABILITY, email_validator.ALLOW_SMTPUTF8)
    run(EmailNormaliser(), "jürgen@müller.de")
    after = (email_validator.CHECK_DELIVERABILITY, email_validator.ALLOW_SMTPUTF8)
    assert after == before


# half well-formed (to reach the fast path), half anything from a nasty alphabet
_LOCAL = st.one_of(
    st.text(alphabet="aZ09._+-'!#~é", max_size=12),
    st.from_regex(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,8}(\.[A-Za-z0-9_+-]{1,5}){0,2}",
                  fullmatch=True),
)
_LABEL = st.one_of(
    st.text(alphabet="aZ09-_ü", max_size=10),
    st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,6}[A-Za-z0-9])?", fullmatch=True),
)


@settings(max_examples=500, deadline=None)
@given(local=_LOCAL, labels=st.lists(_LABEL, min_size=1, max_size=4),
       tld=st.sampled_from(["com", "de", "lv", "co", "x", "123", "test", "local", "xn--p1ai"]))
def test_email_fast_path_agrees_with_email_validator(local: str, labels: list[str],
                                                     tld: str) -> None:
    address = f"{local}@{'.'.join([*labels, tld])}"
    try:
        info = validate_email(address, check_deliverability=False, allow_smtputf8=True)
        expected: tuple[str, str] | None = (info.normalized, info.domain)
    except EmailNotValidError:
        expected = None
    got = _validated(address)
    assert (None if got is None else (got[0], got[2])) == expected


# ----------------------------------------------------------------------------- phone

PHONES = [
    # raw, region, value, status, reason, type, extension
    ("2612 3456", "LV", "+37126123456", "valid", "", "mobile", None),
    ("67 123 456", "LV", "+37167123456", "valid", "", "fixed_line", None),
    ("+371 2612 3456", None, "+37126123456", "valid", "", "mobile", None),
    ("2612 3456", "lv", "+37126123456", "valid", "", "mobile", None),
    ("030 1234567", "DE", "+49301234567", "valid", "", "fixed_line", None),
    ("0151 23456789", "DE", "+4915123456789", "valid", "", "mobile", None),
    ("+49 (0)30 1234567", None, "+49301234567", "valid", "", "fixed_line", None),
    ("030 1234567 Durchwahl 12", "DE", "+49301234567", "valid", "", "fixed_line", "12"),
    ("+49 30 1234567 (Büro)", None, "+49301234567", "valid", "", "fixed_line", None),
    ("030 1234567; 0151 23456789", "DE", "+49301234567", "valid", "phone_multiple",
     "fixed_line", None),
    ("052-555-1234", "IL", "+972525551234", "valid", "", "mobile", None),
    ("03-612-3456", "IL", "+97236123456", "valid", "", "fixed_line", None),
    ("טלפון: 03-612-3456", "IL", "+97236123456", "valid", "", "fixed_line", None),
    ("\u202b+972 52-555-1234\u202c", None, "+972525551234", "valid", "", "mobile", None),
    ("03-1234-5678", "JP", "+81312345678", "valid", "", "fixed_line", None),
    ("０９０－１２３４－５６７８", "JP", "+819012345678", "valid", "", "mobile", None),
    ("0120-123-456", "JP", "+81120123456", "valid", "", "toll_free", None),
    ("03-1234-5678 内線 21", "JP", "+81312345678", "valid", "", "fixed_line", "21"),
    ("139 1234 5678", "CN", "+8613912345678", "valid", "", "mobile", None),
    ("010 1234 5678", "CN", "+861012345678", "valid", "", "fixed_line", None),
    ("+86 139 1234 5678", None, "+8613912345678", "valid", "", "mobile", None),
    ("020 7946 0958", "GB", "+442079460958", "valid", "", "fixed_line", None),
    ("07911 123456", "GB", "+447911123456", "valid", "", "mobile", None),
    ("0800 123 4567", "UK", "+448001234567", "valid", "", "toll_free", None),
    ("Tel.: +44 20 7946 0958", None, "+442079460958", "valid", "", "fixed_line", None),
    ("📞 +44 20 7946 0958", None, "+442079460958", "valid", "", "fixed_line", None),
    ("(201) 555-0123", "US", "+12015550123", "valid", "", "fixed_or_mobile", None),
    ("(201) 555-0123 ext. 12", "US", "+12015550123", "valid", "", "fixed_or_mobile", "12"),
    ("201-555-0123 x12", "US", "+12015550123", "valid", "", "fixed_or_mobile", "12"),
    ("1-800-FLOWERS", "US", "+18003569377", "valid", "phone_vanity", "toll_free", None),
    ("011 44 20 7946 0958", "US", "+442079460958", "valid", "", "fixed_line", None),
    ("0049 30 1234567", "US", "+49301234567", "valid", "", "fixed_line", None),
    ("0049 30 1234567", None, "+49301234567", "valid", "", "fixed_line", None),
    # invalid numbers, with the reason
    ("07700 900123", "GB", None, "invalid", "phone_invalid", None, None),  # drama range
    ("(212) 555-019", "US", None, "invalid", "phone_too_short", None, None),
    ("2612", "LV", None, "invalid", "phone_too_short", None, None),
    ("+1 201 555 0123 4567 89", None, None, "invalid", "phone_too_long", None, None),
    ("030-12345678901234567890", "DE", None, "invalid", "phone_too_long", None, None),
    ("12", "DE", None, "invalid", "phone_invalid", None, None),
    ("030 1234567", None, None, "invalid", "phone_no_region", None, None),
    ("2612 3456", "XX", None, "invalid", "phone_no_region", None, None),
    ("+999 1234567", None, None, "invalid", "phone_unparseable", None, None),
    ("call me", "GB", None, "invalid", "phone_without_digits", None, None),
    ("000-000-0000", "US", None, "placeholder", "placeholder_value", None, None),
    ("1234567890", "US", None, "placeholder", "placeholder_value", None, None),
]


@pytest.mark.parametrize("case", PHONES, ids=lambda case: repr(case[:2]))
def test_phones(case: tuple[Any, ...]) -> None:
    raw, region, value, status, reason, kind, extension = case
    out = run(PhoneNormaliser(), raw, region=region)
    assert (out["value"], out["key"], out["status"], out["reason"], out["type"],
            out["extension"]) == (value, value, status, reason, kind, extension)


def test_phone_region_is_per_value() -> None:
    out = PhoneNormaliser().normalise(
        pd.Series(["030 1234567", "030 1234567", "030 1234567"], dtype=object),
        region=pd.Series(["DE", "GB", None], dtype=object),
    )
    assert out["value"].tolist() == ["+49301234567", None, None]
    assert out["reason"].tolist() == ["", "phone_invalid", "phone_no_region"]


def test_phone_parses_each_spelling_once_and_types_each_number_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"parse": 0, "parse_plain": 0, "number_type": 0}
    for module, name in ((phonenumbers, "parse"), (phone_module, "parse_plain"),
                         (phone_module, "number_type")):
        original = getattr(module, name)

        def counting(*args: Any, _name: str = name, _original: Any = original) -> Any:
            calls[_name] += 1
            return _original(*args)

        monkeypatch.setattr(module, name, counting)
    _number_type.cache_clear()
    # the same two numbers, each written two ways: two parses per spelling, but the
    # type (the costly check) once per number; plain spellings never reach
    # phonenumbers.parse, the one with an extension does
    values = pd.Series(["030 1234567", "0151 23456789", "030 1234567", "x",
                        "+49 30 1234567", "+4915123456789", "030 1234567 ext. 5"], dtype=object)
    PhoneNormaliser().normalise(values, region=pd.Series(["DE"] * 7, dtype=object))
    assert calls == {"parse_plain": 5, "parse": 1, "number_type": 2}


@settings(max_examples=300, deadline=None)
@given(region=st.sampled_from(["LV", "DE", "IL", "JP", "CN", "GB", "US"]),
       number=st.integers(min_value=10**5, max_value=10**12))
def test_number_type_unknown_exactly_when_invalid(region: str, number: int) -> None:
    try:
        parsed = phonenumbers.parse(str(number), region)
    except phonenumbers.NumberParseException:
        assume(False)
        return
    assert (phonenumbers.number_type(parsed) != phonenumbers.PhoneNumberType.UNKNOWN) == (
        phonenumbers.is_valid_number(parsed))


# ----------------------------------------------------------------------------- dates

DATES = [
    # raw, order, past_only, value, status, reason
    ("2001-04-03", "DMY", True, "2001-04-03", "valid", ""),  # ISO never follows the order
    ("2001-04-03", "MDY", True, "2001-04-03", "valid", ""),
    ("2001-04-03T10:30:00+02:00", None, True, "2001-04-03", "valid", ""),
    ("28.11.2022", None, True, "2022-11-28", "valid", ""),
    ("28.11.2022", "DMY", True, "2022-11-28", "valid", ""),
    ("11/28/2022", None, True, "2022-11-28", "valid", ""),
    ("11/28/2022", "DMY", True, None, "invalid", "date_impossible"),
    ("03/04/2001", None, True, None, "invalid", "date_ambiguous"),
    ("03/04/2001", "DMY", True, "2001-04-03", "valid", ""),
    ("03/04/2001", "MDY", True, "2001-03-04", "valid", ""),
    ("04.03.01", "DMY", True, "2001-03-04", "valid", ""),
    ("28.12.99", "DMY", True, "1999-12-28", "valid", ""),
    ("01/02/03", "YMD", True, "2001-02-03", "valid", ""),
    ("2022/11/28", None, True, "2022-11-28", "valid", ""),
    ("2022年11月28日", None, True, "2022-11-28", "valid", ""),
    ("２０２２年１１月２８日", None, True, "2022-11-28", "valid", ""),
    ("2022年11月28号", None, True, "2022-11-28", "valid", ""),
    ("令和4年11月28日", None, True, "2022-11-28", "valid", ""),
    ("平成元年1月8日", None, True, "1989-01-08", "valid", ""),
    ("昭和64年1月8日", None, True, None, "invalid", "date_impossible"),  # Heisei by then
    ("H2.1.5", None, True, "1990-01-05", "valid", ""),
    ("20221128", "MDY", True, "2022-11-28", "valid", ""),
    ("20221128.0", None, True, "2022-11-28", "valid", ""),
    ("28112022", "DMY", True, "2022-11-28", "valid", ""),
    ("11111999", "DMY", True, "1999-11-11", "valid", ""),
    ("28 Nov 2022", None, True, "2022-11-28", "valid", ""),
    ("November 28th, 2022", None, True, "2022-11-28", "valid", ""),
    ("Monday, 28th November 2022", None, True, "2022-11-28", "valid", ""),
    ("28-Nov-22", None, True, "2022-11-28", "valid", ""),
    ("28. März 2022", None, True, "2022-03-28", "valid", ""),
    ("am 24. Dezember 1975", None, True, "1975-12-24", "valid", ""),
    ("3. Jänner 1980", None, True, "1980-01-03", "valid", ""),
    ("2022. gada 28. novembrī", None, True, "2022-11-28", "valid", ""),
    ("28 בנובמבר 2022", None, True, "2022-11-28", "valid", ""),
    ("\u200f28.11.2022\u200f", None, True, "2022-11-28", "valid", ""),
    ("28.11.2022 14:30", None, True, "2022-11-28", "valid", ""),
    ("31.02.2000", "DMY", True, None, "invalid", "date_impossible"),
    ("2023-02-29", None, True, None, "invalid", "date_impossible"),
    ("2999-01-01", None, True, None, "invalid", "date_in_future"),
    ("2999-01-01", None, False, "2999-01-01", "valid", ""),
    ("0198-05-05", None, True, None, "invalid", "date_implausible"),
    ("1980", None, True, None, "invalid", "date_incomplete"),
    ("11/1980", None, True, None, "invalid", "date_incomplete"),
    ("Nov 1980", None, True, None, "invalid", "date_incomplete"),
    ("yesterday", None, True, None, "invalid", "date_unparseable"),
    ("32 Smarch 2022", None, True, None, "invalid", "date_unparseable"),
    ("1900-01-01", None, True, None, "placeholder", "placeholder_date"),
    ("00.00.0000", "DMY", True, None, "placeholder", "placeholder_value"),
]


@pytest.mark.parametrize("case", DATES, ids=lambda case: repr(case[:3]))
def test_dates(case: tuple[Any, ...]) -> None:
    raw, order, past_only, value, status, reason = case
    out = run(DateNormaliser(past_only=past_only), raw, order=order)
    assert (out["value"], out["key"], out["status"], out["reason"]) == (
        value, value, status, reason)


def test_two_digit_years_of_birth_are_never_in_the_future() -> None:
    today = dt.date(2025, 6, 15)
    assert parse_date("28.12.25", "DMY", today=today, past_only=True) == dt.date(1925, 12, 28)
    assert parse_date("28.12.25", "DMY", today=today) == dt.date(2025, 12, 28)
    assert parse_date("01.01.25", "DMY", today=today, past_only=True) == dt.date(2025, 1, 1)
    assert parse_date("01.01.26", "DMY", today=today, past_only=True) == dt.date(1926, 1, 1)


@pytest.mark.parametrize(
    ("raw", "order", "value"),
    [
        ("28.11.2022 2:30 PM", "DMY", "2022-11-28T14:30:00"),
        ("Nov 28, 2022 10:00 UTC", None, "2022-11-28T10:00:00"),
        ("28.11.2022 10:00 +0530", None, "2022-11-28T04:30:00"),
        ("2024-05-01T10:00:00Z", None, "2024-05-01T10:00:00"),
        ("2022年11月28日", None, "2022-11-28T00:00:00"),
    ],
)
def test_timestamps_written_with_a_time(raw: str, order: str | None, value: str) -> None:
    out = run(TimestampNormaliser(), raw, order=order)
    assert (out["value"], out["status"]) == (value, "valid")


# --------------------------------------------------------------------------- streets

ADDRESSES = [
    # raw, region, value, key, status, reason, house_number, unit
    ("12 Baker Street", "GB", "12 Baker Street", "baker street", "valid", "", "12", None),
    ("221B Baker St.", "GB", "221B Baker St.", "baker street", "valid", "", "221B", None),
    ("Flat 2, 10 Downing St", "GB", "Flat 2, 10 Downing St", "downing street", "valid", "",
     "10", "2"),
    ("10 DOWNING STREET , FLAT 2", None, "10 Downing Street, Flat 2", "downing street",
     "valid", "", "10", "2"),
    ("St. John's Rd 5", None, "St. John's Rd 5", "saint johns road", "valid", "", "5", None),
    ("Apt 4B 350 Fifth Ave", "US", "Apt 4B 350 Fifth Ave", "5th avenue", "valid", "", "350",
     "4B"),
    ("350 5th Avenue #4B", "US", "350 5th Avenue #4B", "5th avenue", "valid", "", "350",
     "4B"),
    ("1600 Pennsylvania Ave NW", "US", "1600 Pennsylvania Ave NW",
     "pennsylvania avenue northwest", "valid", "", "1600", None),
    ("Route 66", "US", "Route 66", "route 66", "valid", "", None, None),
    ("Hauptstraße 5a", "DE", "Hauptstraße 5a", "hauptstrasse", "valid", "", "5a", None),
    ("hauptstr. 5 a", None, "Hauptstr. 5 a", "hauptstrasse", "valid", "", "5a", None),
    ("Hauptstr 5", "DE", "Hauptstr 5", "hauptstrasse", "valid", "", "5", None),
    ("Berliner Str. 12-14", "DE", "Berliner Str. 12-14", "berlinerstrasse", "valid", "",
     "12-14", None),
    ("Mühlenweg 3, Whg. 7", "DE", "Mühlenweg 3, Whg. 7", "muehlenweg", "valid", "", "3",
     "7"),
    ("Straße des 17. Juni 31", "DE", "Straße des 17. Juni 31", "strasse des 17 juni",
     "valid", "", "31", None),
    ("Hauptstraße Nr. 5", "DE", "Hauptstraße Nr. 5", "hauptstrasse", "valid", "", "5", None),
    ("Brīvības iela 21-3", "LV", "Brīvības iela 21-3", "brivibas iela", "valid", "", "21",
     "3"),
    ("BRĪVĪBAS IELĀ 21-3", None, "Brīvības ielā 21-3", "brivibas iela", "valid", "", "21",
     "3"),
    ("Krišjāņa Barona iela 12 dz. 4", "LV", "Krišjāņa Barona iela 12 dz. 4",
     "krisjana barona iela", "valid", "", "12", "4"),
    ("Dzirnavu iela 5", "LV", "Dzirnavu iela 5", "dzirnavu iela", "valid", "", "5", None),
    ("Unity Street 5", "GB", "Unity Street 5", "unity street", "valid", "", "5", None),
    ("Stevens Rd 3, Ste 200", "US", "Stevens Rd 3, Ste 200", "stevens road", "valid", "", "3",
     "200"),
    ("Flatbush Ave 10 Apt3", "US", "Flatbush Ave 10 Apt3", "flatbush avenue", "valid", "",
     "10", "3"),
    ("רחוב הרצל 12", "IL", "רחוב הרצל 12", "רחוב הרצל", "valid", "", "12", None),
    ("\u202bרח' הרצל 12 דירה 3\u202c", "IL", "רח' הרצל 12 דירה 3", "רחוב הרצל", "valid", "",
     "12", "3"),
    ("千代田1丁目1番1号", "JP", "千代田1丁目1番1号", "千代田", "valid", "", "1-1-1", None),
    ("千代田１－１－１", "JP", "千代田1-1-1", "千代田", "valid", "", "1-1-1", None),
    ("烏丸通り四条下ル", "JP", "烏丸通り四条下ル", "烏丸通四条下ル", "valid", "", None, None),
    ("南京东路100号", "CN", "南京东路100号", "南京东路", "valid", "", "100", None),
    ("🏠 12 Baker Street", "GB", "12 Baker Street", "baker street", "valid", "", "12", None),
    ("P.O. Box 123", "US", "P.O. Box 123", "po box 123", "valid", "po_box", None, None),
    ("Postfach 10 11 12", "DE", "Postfach 10 11 12", "po box 101112", "valid", "po_box", None,
     None),
    ("Via Roma 1/A", "IT", "Via Roma 1/A", "via roma", "valid", "", "1/A", None),
    ("123", "GB", None, None, "invalid", "street_without_name", None, None),
    ("😀😀😀", "GB", None, None, "invalid", "no_letters_or_digits", None, None),
    ("Baker Street " * 30, "GB", None, None, "invalid", "address_too_long", None, None),
    ("unknown", "GB", None, None, "placeholder", "placeholder_value", None, None),
]


@pytest.mark.parametrize("case", ADDRESSES, ids=lambda case: repr(case[:2])[:60])
def test_addresses(case: tuple[Any, ...]) -> None:
    raw, region, value, key, status, reason, house, unit = case
    out = run(AddressNormaliser(), raw, region=region)
    assert (out["value"], out["key"], out["status"], out["reason"], out["house_number"],
            out["unit"]) == (value, key, status, reason, house, unit)


@pytest.mark.parametrize(
    ("one", "other", "region"),
    [
        ("Baker St.", "BAKER STREET", "GB"),
        ("Hauptstr. 5", "Hauptstraße 5", "DE"),
        ("Haupt-Straße 5", "Hauptstrasse 5", "DE"),
        ("Muehlenweg 3", "Mühlenweg 3", "DE"),
        ("Fifth Ave", "5th Avenue", "US"),
        ("Brīvības ielā 21", "Brivibas iela 21", "LV"),
        ("烏丸通", "烏丸通り", "JP"),
        ("רח' הרצל 12", "רחוב הרצל 12", "IL"),
    ],
)
def test_street_keys_agree(one: str, other: str, region: str) -> None:
    assert run(AddressNormaliser(), one, region=region)["key"] == run(
        AddressNormaliser(), other, region=region)["key"]


def test_str_follows_the_country() -> None:
    assert street_key("Baker Str", "GB") == "baker street"
    assert street_key("Baker Str") == "baker street"
    assert street_key("Baker Str.") == "bakerstrasse"
    assert street_key("Baker Str.", "US") == "baker street"
    assert street_key("Linden Str", "AT") == "lindenstrasse"


# -------------------------------------------------------------------------- postcodes

POSTCODES = [
    # raw, region, value, key, status, reason
    ("sw1a 1aa", "GB", "SW1A 1AA", "SW1A1AA", "valid", ""),
    ("SW1A1AA", "GB", "SW1A 1AA", "SW1A1AA", "valid", ""),
    ("ec1a-1bb", "UK", "EC1A 1BB", "EC1A1BB", "valid", ""),
    ("12345", "GB", None, None, "invalid", "postcode_format"),
    ("90210", "US", "90210", "90210", "valid", ""),
    ("902101234", "US", "90210-1234", "902101234", "valid", ""),
    ("2134", "US", None, None, "invalid", "postcode_format"),
    ("10115", "DE", "10115", "10115", "valid", ""),
    ("D-10115", "DE", "10115", "10115", "valid", ""),
    (10115.0, "DE", "10115", "10115", "valid", ""),
    ("1011", "DE", None, None, "invalid", "postcode_format"),
    ("LV-1010", "LV", "LV-1010", "LV1010", "valid", ""),
    ("1010", "LV", "LV-1010", "LV1010", "valid", ""),
    ("lv 1010", "LV", "LV-1010", "LV1010", "valid", ""),
    (1010, "LV", "LV-1010", "LV1010", "valid", ""),
    ("LV-101", "LV", None, None, "invalid", "postcode_format"),
    ("6100000", "IL", "6100000", "6100000", "valid", ""),
    ("61000", "IL", None, None, "invalid", "postcode_format"),
    ("〒100-0001", "JP", "100-0001", "1000001", "valid", ""),
    ("１０００００１", "JP", "100-0001", "1000001", "valid", ""),
    ("100001", "CN", "100001", "100001", "valid", ""),
    ("1000", "CN", None, None, "invalid", "postcode_format"),
    ("75008", "FR", "75008", "75008", "valid", ""),  # other countries: lenient
    ("sw1a 1aa", None, "SW1A 1AA", "SW1A1AA", "valid", ""),
    ("LV-1010", None, "LV-1010", "LV1010", "valid", ""),
    ("London", None, None, None, "invalid", "postcode_format"),
    ("😀", "GB", None, None, "invalid", "postcode_empty"),
    ("n/a", "GB", None, None, "placeholder", "placeholder_value"),
]


@pytest.mark.parametrize("case", POSTCODES, ids=lambda case: repr(case[:2]))
def test_postcodes(case: tuple[Any, ...]) -> None:
    raw, region, value, key, status, reason = case
    out = run(PostcodeNormaliser(), raw, region=region)
    assert (out["value"], out["key"], out["status"], out["reason"]) == (
        value, key, status, reason)


def test_postcode_normaliser_still_importable_from_simple() -> None:
    assert ReexportedPostcodeNormaliser is PostcodeNormaliser


@pytest.mark.parametrize(
    ("text", "country", "postcode"),
    [
        ("10 Downing St, London SW1A 2AA", "GB", "SW1A 2AA"),
        ("221B Baker Street, London NW1 6XE, UK", "GB", "NW1 6XE"),
        ("350 Fifth Ave, New York, NY 10118-0001", "US", "10118-0001"),
        ("Hauptstraße 5a, 10115 Berlin", "DE", "10115"),
        ("Hauptstraße 5a, D-10115 Berlin", "DE", "10115"),
        ("Brīvības iela 21, Rīga, LV-1010", "LV", "LV-1010"),
        ("Brīvības iela 21, Rīga, LV-1010", None, "LV-1010"),
        ("〒100-0001 東京都千代田区千代田1-1", "JP", "100-0001"),
        ("〒100-0001 東京都千代田区千代田1-1", None, "100-0001"),
        ("הרצל 12, תל אביב 6100000", "IL", "6100000"),
        ("北京市朝阳区建国路88号 100022", "CN", "100022"),
        ("Hauptstraße 5a, 10115 Berlin", None, None),
        ("12 Baker Street", "GB", None),
        ("", "GB", None),
    ],
)
def test_extract_postcode(text: str, country: str | None, postcode: str | None) -> None:
    assert extract_postcode(text, country) == postcode


def test_format_postcode_is_what_the_normaliser_displays() -> None:
    assert format_postcode("sw1a1aa", "GB") == "SW1A 1AA"
    assert format_postcode("abc", "FR") is None


# ---------------------------------------------------------------- nasty values, privacy

NASTY: list[Any] = [None, float("nan"), pd.NA, "", "   ", "\ud800", "😀😀😀",
                    "\u202eשלום\u202c", "x" * 10_000, "1" * 10_000, "a@b" * 3000, 42, 12.5,
                    "N/A", "\u200f\u202e", "🇩🇪 +49 30 1234567", "١٢٣٤٥"]
M, E = ("missing", "empty"), ("placeholder", "placeholder_value")
NASTY_EXPECTED: dict[str, list[tuple[str, str]]] = {
    "email": [M] * 6 + [("invalid", "email_syntax")] * 7 + [E, M]
    + [("invalid", "email_syntax")] * 2,
    "phone": [M] * 6 + [("invalid", "phone_without_digits")] * 3 + [E]
    + [("invalid", "phone_without_digits"), ("invalid", "phone_invalid"),
       ("invalid", "phone_invalid"), E, M, ("valid", ""), ("invalid", "phone_invalid")],
    "date": [M] * 6 + [("invalid", "date_unparseable")] * 7 + [E, M]
    + [("invalid", "date_unparseable")] * 2,
    "address": [M] * 6 + [("invalid", "no_letters_or_digits"), ("valid", "")]
    + [("invalid", "address_too_long")] * 3 + [("invalid", "street_without_name")] * 2
    + [E, M] + [("invalid", "street_without_name")] * 2,
    "postcode": [M] * 6 + [("invalid", "postcode_empty")] * 2
    + [("invalid", "postcode_format")] * 5 + [E, M, ("invalid", "postcode_format"),
                                              ("invalid", "postcode_empty")],
}
NORMALISERS: dict[str, Normaliser] = {
    "email": EmailNormaliser(provider_rules=True), "phone": PhoneNormaliser(),
    "date": DateNormaliser(past_only=True), "address": AddressNormaliser(),
    "postcode": PostcodeNormaliser(),
}


@pytest.mark.parametrize("name", sorted(NORMALISERS))
def test_nasty_values(name: str) -> None:
    values = pd.Series(NASTY, dtype=object)
    out = NORMALISERS[name].normalise(values, region=pd.Series(["DE"] * len(NASTY)),
                                      date_order=pd.Series(["DMY"] * len(NASTY)))
    assert list(zip(out["status"], out["reason"])) == NASTY_EXPECTED[name]
    assert list(out.columns[4:]) == list(NORMALISERS[name].extra_fields)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=80), region=st.sampled_from([None, "DE", "LV", "JP", "US", "zz"]),
       order=st.sampled_from([None, "DMY", "MDY", "YMD", "xyz"]))
def test_random_text_is_flagged_never_an_error(text: str, region: str | None,
                                               order: str | None) -> None:
    for normaliser in NORMALISERS.values():
        out = run(normaliser, text, region=region, order=order)
        assert out["status"] in STATUSES
        assert out["reason"] != "normaliser_error"


def test_no_values_in_logs_or_warnings(caplog: pytest.LogCaptureFixture) -> None:
    secret = "Zyxwv.Secret"
    values = [f"{secret}@@example.com", f"{secret} 12", f"31.02.{secret}", f"{secret} 5",
              f"{secret}"]
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for normaliser, value in zip(NORMALISERS.values(), values):
            normaliser.normalise(pd.Series([value], dtype=object),
                                 region=pd.Series(["GB"], dtype=object))
    assert secret not in caplog.text
    assert not [w for w in caught if secret in str(w.message)]


def test_placeholder_shortcuts_hold() -> None:
    # the normalisers skip folding values with a digit 1-9, an "@" or over 40 characters:
    # that is only right while no generic placeholder has one
    assert all(not any(ch in "123456789@" for ch in p) for p in GENERIC_PLACEHOLDERS)
    assert max(len(p) for p in GENERIC_PLACEHOLDERS) <= 40
