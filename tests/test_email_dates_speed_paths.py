"""Whole-column fast paths of the e-mail, date and timestamp normalisers give exactly what
the per-value path gives (value, key, status, reason, extras).

The reference for dates and timestamps is :meth:`Normaliser.normalise` of the base class
(their per-value code is unchanged); for e-mail it is a frozen copy of the per-value code
as it was before the fast path (``_ReferenceEmail``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goldenrec._normalise import _base, _email
from goldenrec._normalise._base import INVALID, VALID, Normalised, Normaliser, parallelism
from goldenrec._normalise._dates import DateNormaliser, TimestampNormaliser
from goldenrec._normalise._email import EmailNormaliser


class _ReferenceEmail(EmailNormaliser):
    """The per-value e-mail code before the fast path (a subclass: the base path runs)."""

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        candidate = text.strip()
        if "@" not in candidate or len(candidate) > 2 * _email._MAX_LENGTH:
            return Normalised(None, None, INVALID, "email_syntax")
        multiple = False
        if candidate.count("@") > 1:
            parts = [p for p in _email._LIST_SEPARATOR.split(candidate) if "@" in p]
            if len(parts) > 1:
                candidate, multiple = parts[0], True
        display_name = _email._DISPLAY_NAME.match(candidate)
        if display_name:
            candidate = display_name.group(1)
        candidate = candidate.strip("<>").replace(" ", "")
        if candidate[:7].lower() == "mailto:":
            candidate = candidate[7:]
        candidate = candidate.rstrip(".,;")
        validated = _email._validated(candidate)
        if validated is None:
            return Normalised(None, None, INVALID, "email_syntax")
        normalised, local, domain = validated
        base_local = local.split("+", 1)[0] or local
        if _email._is_disposable(domain):
            reason = "disposable_domain"
        elif multiple:
            reason = "email_multiple"
        elif base_local.casefold() in _email.ROLE_LOCAL_PARTS:
            reason = "role_address"
        else:
            reason = ""
        key = normalised.casefold()
        if self.provider_rules:
            key = self._provider_key(local.casefold(), domain)
        return Normalised(normalised, key, VALID, reason, (domain,))


def _same(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert list(fast.dtypes) == list(slow.dtypes)


def _check_email(values: list[Any], provider_rules: bool = False) -> None:
    series = pd.Series(values, dtype=object, index=np.arange(len(values)) * 3 + 7)
    fast = EmailNormaliser(provider_rules=provider_rules).normalise(series)
    slow = _ReferenceEmail(provider_rules=provider_rules).normalise(series)
    _same(fast, slow)


def _check_dates(normaliser: Normaliser, values: list[Any], orders: list[Any] | None) -> None:
    index = np.arange(len(values))[::-1]
    series = pd.Series(values, dtype=object, index=index)
    order = None if orders is None else pd.Series(orders, dtype=object, index=index)
    fast = normaliser.normalise(series, date_order=order)
    slow = Normaliser.normalise(normaliser, series, date_order=order)
    _same(fast, slow)


EMAILS = [
    "ann@example.com", "Ann.Lee@Example.COM", "ann.lee+shop@gmail.com", "a.l.e.e@googlemail.com",
    "INFO@acme.de", "info@acme.de", "sales+x@acme.de", "noemail@example.com",
    "test@test.com", "TEST@Test.Com", "no.email@x.lv", "x@mailinator.com", "x@a.yopmail.fr",
    "x@my-tempmail-box.net", "a@b.c", "a@b.co", "a@b.c0", "a@b.123", "a@123.com", "a@-b.com",
    "a@b-.com", "a@b--c.com", "a@xn--bcher-kva.com", "a@bücher.de", "ä@b.de", "a..b@c.de",
    ".a@c.de", "a.@c.de", "a@c..de", "a@.c.de", "a@c.de.", "a@c.de,", "a@c.local",
    "a@c.test", "a@c.Onion", "a@localhost", "a@c", "@c.de", "a@", "a@@c.de", "a@c.de; b@d.de",
    "Ann <ann@example.com>", "mailto:ann@example.com", '"a b"@c.de', "a b@c.de",
    "a!#$%&'*+/=?^_`{|}~-z@c.de", "a@c_d.de", "a@c.d-e", "a@" + "b" * 63 + ".de",
    "a@" + "b" * 64 + ".de", "a" * 64 + "@b.de", "a" * 65 + "@b.de", "a" * 60 + "@b.de",
    "a@" + ".".join(["b"] * 40) + ".de", "a@c.de\x00", "a@c.de ", " a@c.de", "a@c.dé",
    "a\u200b@c.de", "Ａ@c.de", "n/a", "", "  ", "0", None, float("nan"), 12, 1.5,
    "postmaster@X.org", "Postmaster@x.org", "a+@gmail.com", "+a@gmail.com", "a@gmail.com",
]
_LOCAL = st.text(alphabet="abcXYZ09._+-'!\"ä ", min_size=0, max_size=12)
_LABEL = st.text(alphabet="abcXY09-_ü", min_size=0, max_size=8)
_TLD = st.sampled_from(["com", "de", "lv", "CO", "c", "123", "test", "local", "x1", "onion", ""])
_ADDRESS = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join([*labels, tld])}",
    _LOCAL, st.lists(_LABEL, min_size=0, max_size=3), _TLD,
)


@pytest.mark.parametrize("provider_rules", [False, True])
def test_email_tricky(provider_rules: bool) -> None:
    _check_email(EMAILS + EMAILS[::-1], provider_rules)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_ADDRESS, st.sampled_from(EMAILS), st.text(max_size=20)),
                max_size=40), st.booleans())
def test_email_generated(values: list[Any], provider_rules: bool) -> None:
    _check_email(values, provider_rules)


def test_email_fast_path_decides_plain_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    original = Normaliser._safe

    def counting(self: Normaliser, value: Any, region: Any, order: Any) -> Normalised:
        calls.append(value)
        return original(self, value, region, order)

    monkeypatch.setattr(Normaliser, "_safe", counting)
    values = ["ann@example.com", "Bob.Lee@Example.org", "ann@example.com", None, "a@b.local",
              "Ann <ann@x.de>"]
    out = EmailNormaliser().normalise(pd.Series(values, dtype=object))
    assert sorted(calls) == ["Ann <ann@x.de>", "a@b.local"]  # the rest: fast path
    assert out["value"].tolist()[:3] == ["ann@example.com", "Bob.Lee@example.org",
                                         "ann@example.com"]
    assert out["status"].tolist()[3] == "missing"


# -- dates ----------------------------------------------------------------------------------
def _date_text(fields: tuple[int, int, int, int, str, int]) -> str:
    year, month, day, form, sep, width = fields
    y = str(year).zfill(width)
    m, d = str(month).zfill(2), str(day).zfill(2)
    return [f"{y}-{m}-{d}", f"{d}{sep}{m}{sep}{y}", f"{m}{sep}{d}{sep}{y}",
            f"{y}{sep}{m}{sep}{d}", f"{d}{sep}{m}{sep}{y[-2:]}"][form]


_DATE = st.tuples(
    st.integers(0, 10_000), st.integers(0, 13), st.integers(0, 32), st.integers(0, 4),
    st.sampled_from(["-", ".", "/", " ", ":", "x"]), st.integers(1, 4),
).map(_date_text)
_DAY = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat)
_TRICKY_DATES = [
    "2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "29.02.2024", "02/29/2024",
    "31.04.2001", "00.00.0000", "0000-00-00", "1900-01-01", "01.01.1900", "12/31/9999",
    "0999-01-01", "1000-01-01", "28.11.2022", "03/04/2001", "2099-01-01", "01.01.2099",
    "١٢.١٢.٢٠٢٢", "2022-11-28T10:00:00Z", "28.11.2022 ", "2022年11月28日", "n/a", None,
    float("nan"), 20221128, "20221128", "28-11-2022", "28.11/2022", "1.2.2022", "",
    dt.date.today().isoformat(), (dt.date.today() + dt.timedelta(days=1)).isoformat(),
    (dt.date.today() + dt.timedelta(days=1)).strftime("%d.%m.%Y"),
]
_ORDER = st.sampled_from(["DMY", "MDY", "YMD", None, "", " dmy ", "mdy", "X", float("nan")])
_NORMALISERS = [DateNormaliser(), DateNormaliser(past_only=True),
                DateNormaliser(past_only=True, min_year=1900)]


@pytest.mark.parametrize("normaliser", _NORMALISERS, ids=repr)
@pytest.mark.parametrize("order", ["DMY", "MDY", "YMD", None])
def test_dates_tricky(normaliser: DateNormaliser, order: str | None) -> None:
    values = _TRICKY_DATES * 2
    _check_dates(normaliser, values, None if order is None else [order] * len(values))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.one_of(_DATE, _DAY, st.sampled_from(_TRICKY_DATES),
                                    st.text(max_size=12)), _ORDER), max_size=40),
       st.sampled_from(_NORMALISERS))
def test_dates_generated(rows: list[tuple[Any, Any]], normaliser: DateNormaliser) -> None:
    _check_dates(normaliser, [v for v, _ in rows], [o for _, o in rows])


def _stamp_text(day: str, hour: int, minute: int, second: int, tail: str) -> str:
    return f"{day}T{hour:02d}:{minute:02d}:{second:02d}{tail}"


_STAMP = st.builds(
    _stamp_text, st.one_of(_DAY, _DATE), st.integers(0, 25), st.integers(0, 61),
    st.integers(0, 61), st.sampled_from(["Z", "z", "", "+02:00", "Z ", "ZZ", ".5Z"]),
)
_TRICKY_STAMPS = [
    "2024-05-01T10:00:00Z", "2024-02-29T23:59:59Z", "2023-02-29T10:00:00Z",
    "2024-05-01T24:00:00Z", "2024-05-01T23:60:00Z", "2024-05-01T23:59:60Z",
    "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
    "2024-05-01 10:00:00Z", "2024-05-01T10:00:00+02:00", "28.11.2022 2:30 PM", "n/a", None,
    "２０２４-05-01T10:00:00Z", "2024-05-01T10:00:00Z\n", float("nan"),
]


def test_timestamps_tricky() -> None:
    values = _TRICKY_STAMPS * 2
    _check_dates(TimestampNormaliser(), values, ["DMY"] * len(values))
    _check_dates(TimestampNormaliser(), values, None)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.one_of(_STAMP, st.sampled_from(_TRICKY_STAMPS),
                                    st.text(max_size=22)), _ORDER), max_size=40))
def test_timestamps_generated(rows: list[tuple[Any, Any]]) -> None:
    _check_dates(TimestampNormaliser(), [v for v, _ in rows], [o for _, o in rows])


@pytest.mark.parametrize("normaliser", [DateNormaliser(past_only=True), TimestampNormaliser()],
                         ids=repr)
def test_date_fast_path_decides_plain_values(normaliser: Normaliser,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    original = Normaliser._safe

    def counting(self: Normaliser, value: Any, region: Any, order: Any) -> Normalised:
        calls.append(value)
        return original(self, value, region, order)

    monkeypatch.setattr(Normaliser, "_safe", counting)
    plain = (["2001-04-03", "03.04.2001", "04/03/2001"] if isinstance(normaliser, DateNormaliser)
             else ["2001-04-03T10:00:00Z"] * 3)
    values = [*plain, "2001-02-30", None]
    out = normaliser.normalise(pd.Series(values, dtype=object),
                               date_order=pd.Series(["YMD", "DMY", "MDY", "DMY", "DMY"]))
    assert calls == ["2001-02-30", None]
    assert out["status"].tolist()[:3] == [VALID] * 3
    assert out["value"].tolist()[0].startswith("2001-04-03")


def test_workers_give_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows left to the per-value path may go to worker processes: same output."""
    monkeypatch.setattr(_base, "PARALLEL_MIN_VALUES", 10)
    monkeypatch.setattr(_base, "PARALLEL_MIN_SECONDS", 0.0)
    monkeypatch.setattr(_base, "_PROBE_VALUES", 5)
    emails = [f"User{i}@Example.com" if i % 3 else f"u{i} <u{i}@x.de>" for i in range(3000)]
    dates = [f"{1 + i % 28:02d}.{1 + i % 12:02d}.{1950 + i % 60}" if i % 4 else f"{i} Nov 1990"
             for i in range(3000)]
    with parallelism(2):
        _check_email(emails)
        _check_dates(DateNormaliser(past_only=True), dates, ["DMY"] * len(dates))
