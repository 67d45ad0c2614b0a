"""Table-driven normaliser tests: value, key, status and reason; none may raise."""

from __future__ import annotations

import pandas as pd
import pytest

from goldenrec import (
    CountryNormaliser,
    DateNormaliser,
    EmailNormaliser,
    GenderNormaliser,
    IdentifierNormaliser,
    NameNormaliser,
    PhoneNormaliser,
    PostcodeNormaliser,
    TextNormaliser,
    TimestampNormaliser,
    split_full_name,
)
from goldenrec._normalise import fold

NASTY = [None, float("nan"), "", "   ", "\ud800", "😀" * 3, "x" * 10_000, "123", "\u200f\u202e",
         "N/A", 42, "🇩🇪 +49"]


@pytest.mark.parametrize(
    "normaliser",
    [NameNormaliser(), EmailNormaliser(), PhoneNormaliser(), DateNormaliser(),
     TimestampNormaliser(), TextNormaliser(), PostcodeNormaliser(), IdentifierNormaliser(),
     CountryNormaliser(), GenderNormaliser()],
)
def test_nasty_values_never_raise(normaliser: object) -> None:
    values = pd.Series(NASTY, dtype=object)
    out = normaliser.normalise(values, region=pd.Series(["DE"] * len(values)))  # type: ignore[attr-defined]
    assert len(out) == len(values)
    assert set(out["status"]) <= {"valid", "invalid", "missing", "placeholder"}
    assert out["status"].iloc[0] == "missing" and out["status"].iloc[2] == "missing"
    assert out["status"].iloc[9] in ("placeholder", "invalid")


@pytest.mark.parametrize(
    ("raw", "value", "key", "status"),
    [
        ("MÜLLER", "Müller", "mueller", "valid"),
        ("bērziņš", "Bērziņš", "berzins", "valid"),
        ("O'BRIEN", "O'Brien", "obrien", "valid"),
        ("McDonald", "McDonald", "mcdonald", "valid"),
        ("Weiß", "Weiß", "weiss", "valid"),
        ("ｊｏｈｎ", "John", "john", "valid"),
        ("דוד", "דוד", "דוד", "valid"),
        ("山田", "山田", "山田", "valid"),
        ("王伟", "王伟", "王伟", "valid"),
        ("  anne-marie  ", "Anne-Marie", "anne marie", "valid"),
        ("12345", None, None, "invalid"),
        ("unknown", None, None, "placeholder"),
        ("n/a", None, None, "placeholder"),
        ("", None, None, "missing"),
        ("\u202bשרה\u202c", "שרה", "שרה", "valid"),
    ],
)
def test_names(raw: str, value: str | None, key: str | None, status: str) -> None:
    out = NameNormaliser().normalise(pd.Series([raw], dtype=object)).iloc[0]
    assert (out["value"], out["key"], out["status"]) == (value, key, status)


@pytest.mark.parametrize(
    ("full", "parts"),
    [
        ("John Smith", ("John", None, "Smith")),
        ("Smith, John", ("John", None, "Smith")),
        ("Dr. Hans von Müller", ("Hans", None, "von Müller")),
        ("Herr Jürgen Weiß", ("Jürgen", None, "Weiß")),
        ("Mary Ann Lee Jr", ("Mary", "Ann", "Lee")),
        ("山田 太郎", ("太郎", None, "山田")),
        ("山田太郎", ("太郎", None, "山田")),
        ("王伟", ("伟", None, "王")),
        ("Madonna", ("Madonna", None, None)),
        ("Ludwig van der Berg", ("Ludwig", None, "van der Berg")),
        ("Bērziņš, Jānis", ("Jānis", None, "Bērziņš")),
    ],
)
def test_split_full_name(full: str, parts: tuple[str | None, ...]) -> None:
    assert tuple(split_full_name(full)) == parts


@pytest.mark.parametrize(
    ("raw", "value", "status", "reason"),
    [
        ("Ann.Lee@Example.COM", "Ann.Lee@example.com", "valid", ""),
        ("  bob@example.org ", "bob@example.org", "valid", ""),
        ("mailto:x.y@example.de", "x.y@example.de", "valid", ""),
        ("info@example.com", "info@example.com", "valid", "role_address"),
        ("john.smith@@example.com", None, "invalid", "email_syntax"),
        ("no-at-sign.example.com", None, "invalid", "email_syntax"),
        ("test@test.com", None, "placeholder", "placeholder_value"),
        ("n/a", None, "placeholder", "placeholder_value"),
        ("jürgen@müller.de", "jürgen@müller.de", "valid", ""),
        ("a@b", None, "invalid", "email_syntax"),
    ],
)
def test_emails(raw: str, value: str | None, status: str, reason: str) -> None:
    out = EmailNormaliser().normalise(pd.Series([raw], dtype=object)).iloc[0]
    assert (out["value"], out["status"], out["reason"]) == (value, status, reason)


@pytest.mark.parametrize(
    ("raw", "region", "value", "status", "reason"),
    [
        ("+44 20 7946 0958", None, "+442079460958", "valid", ""),
        ("020 7946 0958", "GB", "+442079460958", "valid", ""),
        ("(212) 555-019", "US", None, "invalid", "phone_too_short"),
        ("(201) 555-0123", "US", "+12015550123", "valid", ""),
        ("0151 23456789", "DE", "+4915123456789", "valid", ""),
        ("2612 3456", "LV", "+37126123456", "valid", ""),
        ("052-555-1234", "IL", "+972525551234", "valid", ""),
        ("03-612-3456", "IL", "+97236123456", "valid", ""),
        ("03-1234-5678", "JP", "+81312345678", "valid", ""),
        ("139 1234 5678", "CN", "+8613912345678", "valid", ""),
        ("0049 30 1234567", None, "+49301234567", "valid", ""),
        ("030 1234567", None, None, "invalid", "phone_no_region"),
        ("12", "DE", None, "invalid", "phone_invalid"),
        ("000-000-0000", "US", None, "placeholder", "placeholder_value"),
        ("call me", "GB", None, "invalid", "phone_without_digits"),
        ("", "GB", None, "missing", "empty"),
    ],
)
def test_phones(raw: str, region: str | None, value: str | None, status: str,
                reason: str) -> None:
    out = PhoneNormaliser().normalise(pd.Series([raw], dtype=object),
                                      region=pd.Series([region], dtype=object)).iloc[0]
    assert (out["value"], out["status"], out["reason"]) == (value, status, reason)


@pytest.mark.parametrize(
    ("raw", "order", "value", "status", "reason"),
    [
        ("2001-04-03", "DMY", "2001-04-03", "valid", ""),
        ("2001-04-03", "MDY", "2001-04-03", "valid", ""),
        ("28.11.2022", None, "2022-11-28", "valid", ""),
        ("11/28/2022", None, "2022-11-28", "valid", ""),
        ("03/04/2001", None, None, "invalid", "date_ambiguous"),
        ("03/04/2001", "DMY", "2001-04-03", "valid", ""),
        ("03/04/2001", "MDY", "2001-03-04", "valid", ""),
        ("2022年11月28日", None, "2022-11-28", "valid", ""),
        ("20221128", None, "2022-11-28", "valid", ""),
        ("31.02.2000", "DMY", None, "invalid", "date_impossible"),
        ("2999-01-01", None, None, "invalid", "date_in_future"),
        ("1900-01-01", None, None, "placeholder", "placeholder_date"),
        ("28 Nov 2022", None, "2022-11-28", "valid", ""),
        ("November 28, 2022", None, "2022-11-28", "valid", ""),
        ("yesterday", None, None, "invalid", "date_unparseable"),
        ("0198-05-05", None, None, "invalid", "date_implausible"),
        ("1630-08-01", None, "1630-08-01", "valid", ""),
    ],
)
def test_dates(raw: str, order: str | None, value: str | None, status: str,
               reason: str) -> None:
    out = DateNormaliser(past_only=True).normalise(
        pd.Series([raw], dtype=object), date_order=pd.Series([order], dtype=object)).iloc[0]
    assert (out["value"], out["status"], out["reason"]) == (value, status, reason)


@pytest.mark.parametrize(
    ("normaliser", "raw", "value", "key"),
    [
        (PostcodeNormaliser(), "sw1a 1aa", "SW1A 1AA", "SW1A1AA"),
        (PostcodeNormaliser(), "LV-1010", "LV-1010", "LV1010"),
        (IdentifierNormaliser(), "123-45-6789", "123-45-6789", "123456789"),
        (CountryNormaliser(), "Deutschland", "DE", "DE"),
        (CountryNormaliser(), "lv", "LV", "LV"),
        (CountryNormaliser(), "United Kingdom", "GB", "GB"),
        (CountryNormaliser(), "日本", "JP", "JP"),
        (GenderNormaliser(), "Female", "F", "F"),
        (TextNormaliser(), "BAKER  STREET", "Baker Street", "baker street"),
        (TextNormaliser(), "Brīvības iela", "Brīvības iela", "brivibas iela"),
        (TimestampNormaliser(), "2024-05-01 10:00:00", "2024-05-01T10:00:00",
         "2024-05-01T10:00:00"),
        (TimestampNormaliser(), "2024-05-01T10:00:00Z", "2024-05-01T10:00:00",
         "2024-05-01T10:00:00"),
    ],
)
def test_simple_normalisers(normaliser: object, raw: str, value: str, key: str) -> None:
    out = normaliser.normalise(pd.Series([raw], dtype=object)).iloc[0]  # type: ignore[attr-defined]
    assert (out["value"], out["key"], out["status"]) == (value, key, "valid")


def test_repeated_values_are_normalised_once() -> None:
    calls: list[str] = []

    class Counting(TextNormaliser):
        def normalise_value(self, text: str, **kwargs: object):  # type: ignore[no-untyped-def, override]
            calls.append(text)
            return super().normalise_value(text)

    Counting().normalise(pd.Series(["a", "b", "a", "a", "b"], dtype=object))
    assert sorted(calls) == ["a", "b"]


def test_fold_is_cross_script_stable() -> None:
    assert fold("ＡＢＣ") == "abc"
    assert fold("Straße") == "strasse"
    assert fold("Ozoliņa") == "ozolina"
