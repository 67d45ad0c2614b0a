"""Dates: ISO first, then explicit per-source day/month order; never a silent guess."""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from goldenrec._normalise._base import INVALID, VALID, Normalised, Normaliser

__all__ = ["DateNormaliser", "TimestampNormaliser"]

_ISO: Final = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.+\-Z]*)?$")
_COMPACT: Final = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_CJK: Final = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_KOREAN: Final = re.compile(r"^(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일?$")
_NUMERIC: Final = re.compile(r"^(\d{1,4})\s*[./\-\s]\s*(\d{1,2})\s*[./\-\s]\s*(\d{1,4})\.?$")
_WORDY: Final = re.compile(
    r"^(\d{1,2})?\.?\s*([^\W\d_]+)\.?\s*(\d{1,2})?(?:st|nd|rd|th)?,?\s*(\d{4})$"
)
PLACEHOLDER_DATES: Final = frozenset({
    dt.date(1900, 1, 1), dt.date(1899, 12, 31), dt.date(1800, 1, 1), dt.date(9999, 12, 31),
    dt.date(1111, 11, 11), dt.date(1901, 1, 1),
})
MONTHS: Final = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january", "januar", "janvier", "janv"),
            ("feb", "february", "februar", "fevrier", "fev"),
            ("mar", "march", "marz", "märz", "mars"),
            ("apr", "april", "avril"),
            ("may", "mai"),
            ("jun", "june", "juni", "juin"),
            ("jul", "july", "juli", "juillet"),
            ("aug", "august", "aout"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "oktober", "okt", "octobre"),
            ("nov", "november", "novembre"),
            ("dec", "december", "dezember", "dez", "decembre"),
        ],
        start=1,
    )
    for name in names
}


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _expand_year(year: int, digits: int) -> int:
    if digits > 2:
        return year
    pivot = dt.date.today().year % 100
    return 2000 + year if year <= pivot else 1900 + year


class DateNormaliser(Normaliser):
    """Calendar dates as ISO ``YYYY-MM-DD``.

    ISO dates are read first; other numeric forms follow ``date_order`` (``DMY``,
    ``MDY`` or ``YMD``). Without an order, a value that reads two ways is flagged
    ``date_ambiguous``. With ``past_only`` (dates of birth) a future date is invalid;
    years before ``min_year`` are invalid (``date_implausible``, a typo guard).

    >>> DateNormaliser().normalise_value("28.11.2022").value
    '2022-11-28'
    >>> DateNormaliser().normalise_value("03/04/2001").reason
    'date_ambiguous'
    >>> DateNormaliser().normalise_value("03/04/2001", date_order="MDY").value
    '2001-03-04'
    """

    name = "date"

    def __init__(self, *, past_only: bool = False, min_year: int = 1000) -> None:
        self.past_only = past_only
        self.min_year = min_year

    def __repr__(self) -> str:
        return f"DateNormaliser(past_only={self.past_only}, min_year={self.min_year})"

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        parsed = self._parse(text.strip(), date_order)
        if isinstance(parsed, str):
            return Normalised(None, None, INVALID, parsed)
        if parsed in PLACEHOLDER_DATES:
            return Normalised(None, None, "placeholder", "placeholder_date")
        if parsed.year < self.min_year:
            return Normalised(None, None, INVALID, "date_implausible")
        if self.past_only and parsed > dt.date.today():
            return Normalised(None, None, INVALID, "date_in_future")
        iso = parsed.isoformat()
        return Normalised(iso, iso, VALID, "")

    def _parse(self, text: str, order: str | None) -> dt.date | str:
        for pattern in (_ISO, _COMPACT, _CJK, _KOREAN):
            match = pattern.match(text)
            if match:
                y, m, d = (int(g) for g in match.groups()[:3])
                return _make(y, m, d) or "date_impossible"
        match = _NUMERIC.match(text)
        if match:
            a_text, b_text, c_text = match.groups()
            a, b, c = int(a_text), int(b_text), int(c_text)
            if len(a_text) == 4:
                return _make(a, b, c) or "date_impossible"
            if len(c_text) not in (2, 4):
                return "date_unparseable"
            year = _expand_year(c, len(c_text))
            if order == "DMY":
                return _make(year, b, a) or "date_impossible"
            if order == "MDY":
                return _make(year, a, b) or "date_impossible"
            dmy, mdy = _make(year, b, a), _make(year, a, b)
            if order == "YMD":
                return "date_unparseable"
            if dmy and mdy and dmy != mdy:
                return "date_ambiguous"
            return dmy or mdy or "date_impossible"
        match = _WORDY.match(text.casefold())
        if match:
            day1, month_name, day2, year_text = match.groups()
            month = MONTHS.get(month_name)
            day = day1 or day2
            if month is None or day is None or (day1 and day2):
                return "date_unparseable"
            return _make(int(year_text), month, int(day)) or "date_impossible"
        return "date_unparseable"


class TimestampNormaliser(Normaliser):
    """Timestamps as ISO ``YYYY-MM-DDTHH:MM:SS`` (UTC when the value has an offset).

    >>> TimestampNormaliser().normalise_value("2024-05-01T10:00:00+02:00").value
    '2024-05-01T08:00:00'
    """

    name = "timestamp"

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        candidate = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
        try:
            stamp = dt.datetime.fromisoformat(candidate)
        except ValueError:
            date = DateNormaliser()._parse(text.strip(), date_order)
            if isinstance(date, str):
                return Normalised(None, None, INVALID, "timestamp_unparseable")
            stamp = dt.datetime(date.year, date.month, date.day)
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(dt.timezone.utc).replace(tzinfo=None)
        iso = stamp.replace(microsecond=0).isoformat()
        return Normalised(iso, iso, VALID, "")
