"""Dates: ISO first, then explicit per-source day/month order; never a silent guess.

No heuristic parser (such as dateutil's) is used: every accepted form is listed here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Final

import numpy as np
import pandas as pd

from goldenrec._normalise._base import INVALID, PLACEHOLDER, VALID, Normalised, Normaliser
from goldenrec._normalise._text import fold

__all__ = ["DATE_ORDERS", "MONTHS", "DateNormaliser", "TimestampNormaliser", "parse_date"]

#: The per-source day/month orders a :class:`DateNormaliser` understands.
DATE_ORDERS: Final = ("DMY", "MDY", "YMD")

_ISO: Final = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_COMPACT: Final = re.compile(r"(\d{8})")
_CJK: Final = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]?")
_KOREAN: Final = re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일?")
_ERA: Final = re.compile(
    r"(明治|大正|昭和|平成|令和|[明大昭平令MTSHRmtshr])\.?\s*(\d{1,2}|元)\s*(?:年|[./\-])\s*"
    r"(\d{1,2})\s*(?:月|[./\-])\s*(\d{1,2})\s*日?"
)
_NUMERIC: Final = re.compile(r"(\d{1,4})\s*([./\-\s])\s*(\d{1,2})\s*[./\-\s]\s*(\d{1,4})\.?")
_YEAR_MONTH: Final = re.compile(
    r"\d{4}|\d{4}\s*[./\-]\s*\d{1,2}|\d{1,2}\s*[./\-]\s*\d{4}|\d{4}\s*年\s*\d{1,2}\s*月"
)
# a time after the date: "14:30", "T10:00:00.5+02:00", "2:30 PM", "10:00 UTC"
_TIME_TAIL: Final = re.compile(
    r"[T\s,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*([AaPp]\.?[Mm]\.?)?"
    r"\s*([zZ]|UTC|GMT|[+\-]\d{2}(?::?\d{2})?)?$"
)
_NONZERO_DIGIT: Final = re.compile(r"[1-9]")
# UTC timestamps to the second, "2024-05-01T10:00:00Z": already what the value will be
_ISO_UTC: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_TOKEN: Final = re.compile(r"\d+|[^\W\d_]+")
_FLOAT_NUMBER: Final = re.compile(r"(\d{4,8})\.0+")
_PLAUSIBLE_ISO_BASIC_YEAR: Final = 1800
_MAX_WORDY_LENGTH: Final = 60

#: Dates used as "unknown" by source systems.
PLACEHOLDER_DATES: Final = frozenset({
    dt.date(1900, 1, 1), dt.date(1899, 12, 31), dt.date(1800, 1, 1), dt.date(9999, 12, 31),
    dt.date(1111, 11, 11), dt.date(1901, 1, 1),
})
_MONTH_NAMES: Final = (
    # English, German (and Austrian), French, Latvian (with locative and genitive forms),
    # Hebrew; folded: lower case without diacritics
    ("jan", "january", "januar", "janner", "janvier", "janv", "janvaris", "janvari",
     "janvara", "ינואר"),
    ("feb", "february", "februar", "feber", "fevrier", "fev", "febr", "februaris",
     "februari", "februara", "פברואר"),
    ("mar", "march", "marz", "mrz", "mars", "marts", "marta", "מרץ", "מרס"),
    ("apr", "april", "avril", "aprilis", "aprili", "aprila", "אפריל"),
    ("may", "mai", "maijs", "maija", "מאי"),
    ("jun", "june", "juni", "juin", "jūn", "junijs", "junija", "יוני"),
    ("jul", "july", "juli", "juillet", "julijs", "julija", "יולי"),
    ("aug", "august", "aout", "augusts", "augusta", "אוגוסט"),
    ("sep", "sept", "september", "septembre", "septembris", "septembri", "septembra",
     "ספטמבר"),
    ("oct", "october", "oktober", "okt", "octobre", "oktobris", "oktobri", "oktobra",
     "אוקטובר"),
    ("nov", "november", "novembre", "novembris", "novembri", "novembra", "נובמבר"),
    ("dec", "december", "dezember", "dez", "decembre", "decembris", "decembri",
     "decembra", "דצמבר"),
)
#: Month names (folded) to month numbers.
MONTHS: Final[dict[str, int]] = {
    name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names
}
# words that may surround a written date and carry no information
_IGNORED_WORDS: Final = frozenset({
    "st", "nd", "rd", "th", "of", "the", "de", "du", "le", "den", "am", "gada", "g",
    "mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur", "thurs",
    "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday", "montag", "dienstag",
    "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag", "mo", "di",
    "mi", "do", "fr", "sa", "so",
})
# Japanese eras: (first day, year offset); an era ends where the next begins
_ERAS: Final = {
    "M": (dt.date(1868, 1, 25), 1867),
    "T": (dt.date(1912, 7, 30), 1911),
    "S": (dt.date(1926, 12, 25), 1925),
    "H": (dt.date(1989, 1, 8), 1988),
    "R": (dt.date(2019, 5, 1), 2018),
}
_ERA_NEXT: Final = {"M": "T", "T": "S", "S": "H", "H": "R"}
_ERA_LETTERS: Final = {
    "明治": "M", "明": "M", "大正": "T", "大": "T", "昭和": "S", "昭": "S", "平成": "H",
    "平": "H", "令和": "R", "令": "R",
}


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


class _Context:
    """What a parse needs besides the text: the order, today, and whether dates are past."""

    __slots__ = ("order", "past_only", "today")

    def __init__(self, order: str | None, today: dt.date, past_only: bool) -> None:
        self.order = order
        self.today = today
        self.past_only = past_only

    def date(self, year_text: str, month: int, day: int) -> dt.date | None:
        """A date; a two-digit year is the nearest past one (or the coming years up to
        this year's two digits, when dates need not be past)."""
        year = int(year_text)
        if len(year_text) > 2:
            return _make(year, month, day)
        year += 2000 if year <= self.today.year % 100 else 1900
        date = _make(year, month, day)
        if date is not None and self.past_only and date > self.today:
            return _make(year - 100, month, day)
        return date


def _from_era(era: str, year_text: str, month: int, day: int) -> dt.date | str:
    letter = _ERA_LETTERS.get(era, era.upper())
    start, offset = _ERAS[letter]
    year = 1 if year_text == "元" else int(year_text)
    date = _make(offset + year, month, day)
    if date is None or year < 1 or date < start:
        return "date_impossible"
    following = _ERA_NEXT.get(letter)
    if following is not None and date >= _ERAS[following][0]:
        return "date_impossible"
    return date


def _numeric(a_text: str, b_text: str, c_text: str, ctx: _Context) -> dt.date | str:
    a, b = int(a_text), int(b_text)
    if len(a_text) == 4:  # year first is never day or month: 2022/11/28, 2022.11.28
        return _make(a, b, int(c_text)) or "date_impossible"
    if ctx.order == "YMD":
        if len(a_text) != 2 or len(c_text) > 2:
            return "date_unparseable"
        return ctx.date(a_text, b, int(c_text)) or "date_impossible"
    if len(c_text) not in (2, 4):
        return "date_unparseable"
    if ctx.order == "DMY":
        return ctx.date(c_text, b, a) or "date_impossible"
    if ctx.order == "MDY":
        return ctx.date(c_text, a, b) or "date_impossible"
    dmy, mdy = ctx.date(c_text, b, a), ctx.date(c_text, a, b)
    if dmy and mdy and dmy != mdy:
        return "date_ambiguous"
    return dmy or mdy or "date_impossible"


def _compact(text: str, ctx: _Context) -> dt.date | str:
    """``20221128`` (ISO basic) or, when that is no plausible date, ``28112022``."""
    iso = _make(int(text[:4]), int(text[4:6]), int(text[6:]))
    if iso is not None and iso.year >= _PLAUSIBLE_ISO_BASIC_YEAR:
        return iso
    other = _numeric(text[:2], text[2:4], text[4:],
                     ctx if ctx.order != "YMD" else _Context(None, ctx.today, ctx.past_only))
    if isinstance(other, dt.date) or iso is None:
        return other
    return iso


def _month_of(word: str) -> int | None:
    month = MONTHS.get(word)
    if month is None and len(word) > 2 and word[0] == "ב":  # Hebrew "in": בנובמבר
        month = MONTHS.get(word[1:])
    return month


def _wordy(text: str, ctx: _Context) -> dt.date | str:
    """Dates with a month name: ``28 Nov 2022``, ``November 28th, 2022``, ``28. März
    2022``, ``2022. gada 28. novembris``, ``28-Nov-22``."""
    month: int | None = None
    month_first = False
    numbers: list[str] = []
    for token in _TOKEN.findall(fold(text)):
        if token.isdigit():
            numbers.append(token)
        elif token in _IGNORED_WORDS:
            continue
        else:
            found = _month_of(token)
            if found is None or month is not None:
                return "date_unparseable"
            month, month_first = found, not numbers
    if month is None or any(len(n) > 4 for n in numbers):
        return "date_unparseable"
    if len(numbers) == 1:
        return "date_incomplete"  # Nov 2022, 28 November
    if len(numbers) != 2:
        return "date_unparseable"
    first, second = numbers
    if len(first) > 2 and len(second) <= 2:  # 2022 Nov 28, 2022. gada 28. novembris
        year_text, day_text = first, second
    elif len(second) > 2 and len(first) <= 2:
        year_text, day_text = second, first
    elif len(first) <= 2 and len(second) <= 2:
        # 28-Nov-22, Nov 28 22: the day comes first unless the source writes YMD
        swap = ctx.order == "YMD" and not month_first
        year_text, day_text = (first, second) if swap else (second, first)
    else:
        return "date_unparseable"
    return ctx.date(year_text, month, int(day_text)) or "date_impossible"


def parse_date(text: str, order: str | None = None, *, today: dt.date | None = None,
               past_only: bool = False) -> dt.date | str:
    """A date from one of the listed forms, else a reason code.

    ISO forms (``2001-04-03``, ``20010403``, year first) never depend on ``order``;
    other numeric forms follow it (``DMY``, ``MDY`` or ``YMD``), and without it a value
    that reads two ways is ``date_ambiguous``. A time after the date is ignored.
    With ``past_only`` a two-digit year is never in the future.

    >>> parse_date("2001-04-03", "DMY"), parse_date("03/04/2001")
    (datetime.date(2001, 4, 3), 'date_ambiguous')
    >>> parse_date("令和4年11月28日"), parse_date("28. März 2022 14:30")
    (datetime.date(2022, 11, 28), datetime.date(2022, 3, 28))
    """
    ctx = _Context(order, today or dt.date.today(), past_only)
    text = text.strip()
    if "." in text and _FLOAT_NUMBER.fullmatch(text):
        text = text.partition(".")[0]  # 20221128.0 from a float column
    if ":" in text:
        text = _TIME_TAIL.sub("", text).strip()
    for pattern in (_ISO, _CJK, _KOREAN):
        match = pattern.fullmatch(text)
        if match:
            y, m, d = (int(g) for g in match.groups())
            return _make(y, m, d) or "date_impossible"
    if _COMPACT.fullmatch(text):
        return _compact(text, ctx)
    match = _ERA.fullmatch(text)
    if match:
        era, year_text, month_text, day_text = match.groups()
        return _from_era(era, year_text, int(month_text), int(day_text))
    match = _NUMERIC.fullmatch(text)
    if match:
        a_text, _, b_text, c_text = match.groups()
        return _numeric(a_text, b_text, c_text, ctx)
    if _YEAR_MONTH.fullmatch(text):
        return "date_incomplete"
    if len(text) > _MAX_WORDY_LENGTH:
        return "date_unparseable"
    return _wordy(text, ctx)


# -- whole-column fast path --------------------------------------------------------------
# The dominant shapes (ISO dates, DD.MM.YYYY and MM/DD/YYYY with a known order, UTC
# timestamps "2024-05-01T10:00:00Z") are read with numpy over the whole column; only values
# that are real, plain valid dates are decided there, everything else takes the per-value
# path of Normaliser.normalise (tests compare both with the per-value code).
_ZERO: Final = ord("0")
_DAYS_IN_MONTH: Final = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_PLACEHOLDER_STAMPS: Final = np.array(
    sorted(d.year * 10_000 + d.month * 100 + d.day for d in PLACEHOLDER_DATES)
)
_Rest = Callable[..., pd.DataFrame]


def _lengths(items: np.ndarray) -> np.ndarray:
    """Per item its length if it is a ``str``, else -1."""
    return np.fromiter((len(x) if type(x) is str else -1 for x in items), np.int64,
                       len(items))


def _chars(items: np.ndarray, rows: np.ndarray, length: int) -> np.ndarray:
    """Code points of the ``rows`` items (strings of ``length`` characters), a row each."""
    chars: np.ndarray = items[rows].astype(f"U{length}").view(np.uint32).reshape(-1, length)
    return chars


def _fits(chars: np.ndarray, template: str) -> np.ndarray:
    """Rows whose characters fit ``template``: ``d`` an ASCII digit, ``?`` anything."""
    ok = np.ones(len(chars), dtype=bool)
    for i, want in enumerate(template):
        if want == "d":
            ok &= (chars[:, i] >= _ZERO) & (chars[:, i] <= _ZERO + 9)
        elif want != "?":
            ok &= chars[:, i] == ord(want)
    return ok


def _number(chars: np.ndarray, start: int, stop: int) -> np.ndarray:
    number = np.zeros(len(chars), dtype=np.int64)
    for i in range(start, stop):
        number = number * 10 + (chars[:, i].astype(np.int64) - _ZERO)
    return number


def _real(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether (year, month, day) is a date :class:`datetime.date` accepts."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    last = _DAYS_IN_MONTH[np.clip(month, 1, 12) - 1] + ((month == 2) & leap)
    real: np.ndarray = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= last)
    return real


def _text(chars: np.ndarray) -> list[str]:
    """The rows of a code point matrix as strings."""
    width = chars.shape[1]
    texts: list[str] = (
        np.ascontiguousarray(chars, dtype=np.uint32).view(f"U{width}").ravel().tolist()
    )
    return texts


def _order_codes(date_order: pd.Series | None, rows: np.ndarray) -> np.ndarray:
    """Per row 1 for ``DMY``, 2 for ``MDY``, 0 otherwise (as ``normalise_value`` reads it)."""
    if date_order is None:
        return np.zeros(len(rows), dtype=np.int64)
    codes, uniques = pd.factorize(date_order.to_numpy(dtype=object)[rows])
    known = {"DMY": 1, "MDY": 2}
    table = [known.get(o.strip().upper(), 0) if isinstance(o, str) and o else 0
             for o in uniques.tolist()]
    return np.array([*table, 0], dtype=np.int64)[codes]


def _combined(values: pd.Series, region: pd.Series | None, date_order: pd.Series | None,
              rows: np.ndarray, decided: list[list[str] | str], *, rest: _Rest
              ) -> pd.DataFrame:
    """The ``rows`` decided (value, key, status, reason), the other rows by ``rest``."""
    names = ["value", "key", "status", "reason"]
    columns = [np.empty(len(values), dtype=object) for _ in names]
    others = np.ones(len(values), dtype=bool)
    others[rows] = False
    other_rows = np.flatnonzero(others)
    if len(other_rows):
        table = rest(values.iloc[other_rows],
                     region=None if region is None else region.iloc[other_rows],
                     date_order=None if date_order is None else date_order.iloc[other_rows])
        for column, name in zip(columns, names):
            column[other_rows] = table[name].to_numpy(dtype=object)
    for column, fast in zip(columns, decided):
        column[rows] = fast
    frame: pd.DataFrame = pd.DataFrame(dict(zip(names, columns)), index=values.index,
                                       columns=names, dtype=object)
    return frame


def _plain(normaliser: Normaliser, cls: type[Normaliser]) -> bool:
    """Whether the per-value methods are those of ``cls`` (a subclass may change them)."""
    kind = type(normaliser)
    return (kind.normalise_value is cls.normalise_value
            and kind.is_placeholder is cls.is_placeholder
            and kind._safe is Normaliser._safe)


class DateNormaliser(Normaliser):
    """Calendar dates as ISO ``YYYY-MM-DD``.

    ISO dates are read first; other numeric forms follow ``date_order`` (``DMY``,
    ``MDY`` or ``YMD``). Without an order, a value that reads two ways is flagged
    ``date_ambiguous``. Month names (English, German, French, Latvian, Hebrew),
    ``2022年11月28日`` and Japanese era years (``令和4年11月28日``, ``H2.1.5``) are read
    too. With ``past_only`` (dates of birth) a future date is invalid and two-digit years
    are never in the future; years before ``min_year`` are invalid (``date_implausible``,
    a typo guard). Reasons: ``date_ambiguous``, ``date_impossible``, ``date_in_future``,
    ``date_implausible``, ``date_incomplete``, ``date_unparseable``.

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

    def normalise(
        self,
        values: pd.Series,
        *,
        region: pd.Series | None = None,
        date_order: pd.Series | None = None,
    ) -> pd.DataFrame:
        """As :meth:`Normaliser.normalise`; plain valid ``YYYY-MM-DD`` and (with their
        order) ``DD.MM.YYYY`` / ``MM/DD/YYYY`` dates are read over the whole column."""
        items = values.to_numpy(dtype=object)
        if not _plain(self, DateNormaliser) or not len(items):
            return super().normalise(values, region=region, date_order=date_order)
        rows = np.flatnonzero(_lengths(items) == 10)
        chars = _chars(items, rows, 10)
        iso = _fits(chars, "dddd-dd-dd")
        orders = _order_codes(date_order, rows)
        separator = chars[:, 2]
        numeric = (_fits(chars, "dd?dd?dddd") & (chars[:, 5] == separator)
                   & ((separator == ord(".")) | (separator == ord("/"))
                      | (separator == ord("-"))))
        dmy, mdy = numeric & (orders == 1), numeric & (orders == 2)
        first, second = _number(chars, 0, 2), _number(chars, 3, 5)
        year = np.where(iso, _number(chars, 0, 4), _number(chars, 6, 10))
        month = np.where(iso, _number(chars, 5, 7), np.where(dmy, second, first))
        day = np.where(iso, _number(chars, 8, 10), np.where(dmy, first, second))
        stamp = year * 10_000 + month * 100 + day
        ok = ((iso | dmy | mdy) & _real(year, month, day) & (year >= self.min_year)
              & ~np.isin(stamp, _PLACEHOLDER_STAMPS))
        if self.past_only:
            today = dt.date.today()
            ok &= stamp <= today.year * 10_000 + today.month * 100 + today.day
        text = chars[ok]  # ISO already; day and month first: rearranged
        day_first = np.flatnonzero(dmy[ok])
        month_first = np.flatnonzero(mdy[ok])
        for picked, columns in ((day_first, [6, 7, 8, 9, 2, 3, 4, 2, 0, 1]),
                                (month_first, [6, 7, 8, 9, 2, 0, 1, 2, 3, 4])):
            text[picked] = text[picked][:, columns]
        text[:, [4, 7]] = ord("-")
        iso_text = _text(text)
        return _combined(values, region, date_order, rows[ok], [iso_text, iso_text, VALID, ""],
                         rest=super().normalise)

    def is_placeholder(self, text: str) -> bool:
        if _NONZERO_DIGIT.search(text):  # generic placeholders have no digit but 0
            return False
        if text.count("0") >= 4:
            return True  # 00.00.0000, 0000-00-00
        return super().is_placeholder(text)

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        today = dt.date.today()
        order = date_order.strip().upper() if date_order else None
        parsed = parse_date(text, order, today=today, past_only=self.past_only)
        if isinstance(parsed, str):
            return Normalised(None, None, INVALID, parsed)
        if parsed in PLACEHOLDER_DATES:
            return Normalised(None, None, PLACEHOLDER, "placeholder_date")
        if parsed.year < self.min_year:
            return Normalised(None, None, INVALID, "date_implausible")
        if self.past_only and parsed > today:
            return Normalised(None, None, INVALID, "date_in_future")
        iso = parsed.isoformat()
        return Normalised(iso, iso, VALID, "")


class TimestampNormaliser(Normaliser):
    """Timestamps as ISO ``YYYY-MM-DDTHH:MM:SS`` (UTC when the value has an offset).

    A date alone is midnight; dates in other forms follow :func:`parse_date`.

    >>> TimestampNormaliser().normalise_value("2024-05-01T10:00:00+02:00").value
    '2024-05-01T08:00:00'
    >>> TimestampNormaliser().normalise_value("28.11.2022 2:30 PM").value
    '2022-11-28T14:30:00'
    """

    name = "timestamp"

    def normalise(
        self,
        values: pd.Series,
        *,
        region: pd.Series | None = None,
        date_order: pd.Series | None = None,
    ) -> pd.DataFrame:
        """As :meth:`Normaliser.normalise`; plain valid UTC timestamps
        (``2024-05-01T10:00:00Z``) are read over the whole column."""
        items = values.to_numpy(dtype=object)
        if not _plain(self, TimestampNormaliser) or not len(items):
            return super().normalise(values, region=region, date_order=date_order)
        rows = np.flatnonzero(_lengths(items) == 20)
        chars = _chars(items, rows, 20)
        ok = (_fits(chars, "dddd-dd-ddTdd:dd:ddZ")
              & _real(_number(chars, 0, 4), _number(chars, 5, 7), _number(chars, 8, 10))
              & (_number(chars, 11, 13) <= 23) & (_number(chars, 14, 16) <= 59)
              & (_number(chars, 17, 19) <= 59))
        iso = _text(chars[ok, :19])
        return _combined(values, region, date_order, rows[ok], [iso, iso, VALID, ""],
                         rest=super().normalise)

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        if _ISO_UTC.fullmatch(text):  # the usual export: read as the slow path would
            try:
                iso = dt.datetime.fromisoformat(text[:-1]).isoformat()
            except ValueError:
                pass  # the full path below decides
            else:
                return Normalised(iso, iso, VALID, "")
        candidate = text.strip()
        if candidate[-1:] in ("Z", "z"):
            candidate = candidate[:-1] + "+00:00"
        try:
            stamp = dt.datetime.fromisoformat(candidate)
        except ValueError:
            stamp_or_none = self._written(text.strip(), date_order)
            if stamp_or_none is None:
                return Normalised(None, None, INVALID, "timestamp_unparseable")
            stamp = stamp_or_none
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(dt.timezone.utc).replace(tzinfo=None)
        iso = stamp.replace(microsecond=0).isoformat()
        return Normalised(iso, iso, VALID, "")

    @staticmethod
    def _written(text: str, order: str | None) -> dt.datetime | None:
        order = order.strip().upper() if order else None
        date = parse_date(text, order)
        if isinstance(date, str):
            return None
        time = _TIME_TAIL.search(text) if ":" in text else None
        if time is None:
            return dt.datetime(date.year, date.month, date.day)
        hour, minute = int(time.group(1)), int(time.group(2))
        second = int(time.group(3) or 0)
        meridiem, zone = time.group(4), time.group(5)
        if meridiem:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if meridiem[0] in "Pp" else 0)
        tz: dt.tzinfo | None = None
        if zone:
            if zone.upper() in ("Z", "UTC", "GMT"):
                tz = dt.timezone.utc
            else:
                digits = zone[1:].replace(":", "")
                minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
                tz = dt.timezone(dt.timedelta(minutes=minutes if zone[0] == "+" else -minutes))
        try:
            return dt.datetime(date.year, date.month, date.day, hour, minute, second,
                               tzinfo=tz)
        except ValueError:
            return None
