"""Masking personal values for reports and screens: ``j***@example.com``, ``J***``.

Masking keeps just enough to recognise a value (the first letter of a name, an e-mail
domain, a phone's country code and last two digits, a birth year) and hides the rest.
It is for showing results to people who need not see personal data; it is not
anonymisation.

>>> mask_value("jane.doe@example.com", "email")
'j***@example.com'
>>> mask_value("+49 30 1234567", "phone")
'+49 *** *** 67'
>>> mask_value("Jürgen", "name")
'J***'

:func:`mask` is the one public entry point (``goldenrec.mask``): it masks a frame, a
series or a single value.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from goldenrec.errors import ConfigError

if TYPE_CHECKING:
    from goldenrec._result import Result

__all__ = ["MASK", "ROLE_KINDS", "Kind", "guess_kind", "kind_of", "mask", "mask_frame",
           "mask_value", "masked_result"]

MASK = "***"
Kind = Literal["email", "phone", "name", "date", "text", "identifier", "none"]
#: How the value of each personal role is masked; roles not listed are shown as they are
#: (country, region, gender, company, updated_at).
ROLE_KINDS: dict[str, Kind] = {
    "full_name": "name", "first_name": "name", "middle_name": "name", "last_name": "name",
    "date_of_birth": "date", "email": "email", "phone": "phone",
    "street_number": "identifier", "street": "text", "address_line_2": "text",
    "locality": "none", "postcode": "text", "national_id": "identifier",
}
_DATE = re.compile(r"^\s*(\d{4})[-/.]\d{1,2}[-/.]\d{1,2}")
_SUFFIX = re.compile(r"_(key|translit|phonetic|canonical|[lr])$")
_UNMASKED = frozenset(("source", "record_key", "golden_id", "sources", "record_keys",
                       "source_l", "source_r", "record_key_l", "record_key_r"))
_KINDS = frozenset(("email", "phone", "name", "date", "text", "identifier", "none"))


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _first(text: str) -> str:
    stripped = text.strip()
    return stripped[0].upper() if stripped else ""


def _mask_phone(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    if len(digits) < 4:
        return MASK
    prefix = ""
    stripped = text.strip()
    if stripped.startswith("00") and not stripped.startswith("000"):
        stripped = "+" + stripped[2:]  # the international call prefix
    if stripped.startswith("+"):
        try:
            import phonenumbers  # noqa: PLC0415

            prefix = f"+{phonenumbers.parse(stripped, None).country_code} "
        except Exception:  # not parseable: show no country code
            prefix = ""
    return f"{prefix}{MASK} {MASK} {digits[-2:]}"


def mask_value(value: Any, kind: str) -> Any:
    """``value`` with its personal part replaced by ``***``; missing values unchanged.

    ``kind`` is ``"email"`` (``j***@example.com``), ``"phone"`` (``+49 *** *** 67``),
    ``"name"`` (``J***``), ``"date"`` (``1985-**-**``), ``"text"`` (first character
    and ``***``), ``"identifier"`` (``***``) or ``"none"`` (unchanged).

    >>> mask_value("1985-10-12", "date"), mask_value("12 High St", "text")
    ('1985-**-**', '1***')
    >>> mask_value(None, "email") is None
    True
    """
    if kind not in _KINDS:
        raise ConfigError(f"unknown mask kind {kind!r}; expected one of {sorted(_KINDS)}")
    if _missing(value) or kind == "none":
        return value
    if isinstance(value, (list, tuple)):
        return [mask_value(item, kind) for item in value]
    text = str(value)
    if not text.strip():
        return text
    if kind == "email":
        local, at, domain = text.strip().rpartition("@")
        if not at:
            return f"{_first(text).lower()}{MASK}"
        return f"{local[:1]}{MASK}@{domain}"
    if kind == "phone":
        return _mask_phone(text)
    if kind == "name":
        return f"{_first(text)}{MASK}"
    if kind == "date":
        match = _DATE.match(text)
        return f"{match.group(1)}-**-**" if match else "****-**-**"
    if kind == "text":
        return f"{text.strip()[:1]}{MASK}"
    return MASK


def kind_of(field: str) -> Kind:
    """The mask kind of a canonical field (``"none"`` for fields shown as they are).

    Custom fields whose name says e-mail, phone or name are masked like those.

    >>> kind_of("email"), kind_of("country"), kind_of("work_phone"), kind_of("street_l")
    ('email', 'none', 'phone', 'text')
    >>> kind_of("consent_email"), kind_of("consent_phone_at")
    ('none', 'none')
    """
    base = _SUFFIX.sub("", field)
    if base in ROLE_KINDS:
        return ROLE_KINDS[base]
    lowered = base.lower()
    if lowered.startswith("consent_"):
        return "none"  # golden consent per purpose (consent_email_at is no e-mail)
    if "mail" in lowered:
        return "email"
    if "phone" in lowered or "mobile" in lowered:
        return "phone"
    if "name" in lowered and "company" not in lowered:
        return "name"
    return "none"


def mask_frame(frame: pd.DataFrame, kinds: Mapping[str, str] | None = None, *,
               field_column: str = "field",
               value_columns: tuple[str, ...] = ("value", "runner_up", "match_key"),
               ) -> pd.DataFrame:
    """A copy of ``frame`` with personal values masked.

    Wide tables (``golden``, ``records``): each column named after a field is masked by
    that field's kind (``kinds`` overrides or adds column → kind). Long tables with a
    ``field`` column (``lineage``, ``conflicts``): ``value_columns`` are masked by each
    row's field. Source names, record keys and golden ids are left as they are.

    >>> frame = pd.DataFrame({"email": ["ann@example.org"], "country": ["LV"]})
    >>> mask_frame(frame).iloc[0].tolist()
    ['a***@example.org', 'LV']
    """
    masked: pd.DataFrame = frame.copy()
    chosen = dict(kinds or {})
    for column in masked.columns:
        name = str(column)
        kind = chosen.get(name) or kind_of(name)
        if kind != "none" and name not in value_columns and name not in _UNMASKED \
                and not name.endswith(("_status", "_reason")):
            masked[column] = masked[column].astype(object).map(
                lambda v, k=kind: mask_value(v, k))
    if field_column in masked.columns:
        fields = masked[field_column].astype(str)
        for column in value_columns:
            if column not in masked.columns:
                continue
            values = masked[column].astype(object).tolist()
            masked[column] = pd.Series(
                [mask_value(v, chosen.get(f) or kind_of(f)) for v, f in zip(values, fields)],
                index=masked.index, dtype=object)
    return masked


_PHONE_LIKE = re.compile(r"^\s*\+?[\d\s().\-/]{6,}$")


def guess_kind(value: Any) -> Kind:
    """The mask kind a lone value looks like: ``email`` (has ``@``), ``phone`` (digits
    and phone punctuation only), ``date`` (ISO date), else ``name``.

    >>> guess_kind("ann@example.org"), guess_kind("+49 30 1234567"), guess_kind("Ann")
    ('email', 'phone', 'name')
    """
    text = "" if _missing(value) else str(value)
    if "@" in text:
        return "email"
    if _DATE.match(text):
        return "date"
    if _PHONE_LIKE.match(text) and sum(ch.isdigit() for ch in text) >= 6:
        return "phone"
    return "name"


def mask(data: Any, kinds: str | Mapping[str, str] | None = None) -> Any:
    """Mask personal values for display: the one public masking function.

    - a **DataFrame** (``golden``, ``records``, ``lineage``, ``conflicts``...): each
      column named after a field is masked by that field's kind; ``kinds`` (column →
      kind) overrides or adds columns; source names, record keys and golden ids stay;
    - a **Series**: masked by the kind ``kinds`` names, else by its name's kind;
    - a **single value** (or a list of values): masked by the kind ``kinds`` names,
      else by the kind the value looks like (:func:`guess_kind`).

    Kinds: ``email`` (``j***@example.com``), ``phone`` (``+49 *** *** 67``), ``name``
    (``J***``), ``date`` (``1985-**-**``), ``text`` (first character), ``identifier``
    (``***``) and ``none`` (unchanged). Missing values stay missing.

    >>> mask("jane.doe@example.com"), mask("+49 30 1234567"), mask("Jürgen", "name")
    ('j***@example.com', '+49 *** *** 67', 'J***')
    >>> mask(pd.DataFrame({"email": ["ann@x.org"], "country": ["LV"]})).iloc[0].tolist()
    ['a***@x.org', 'LV']
    """
    if isinstance(data, pd.DataFrame):
        if isinstance(kinds, str):
            raise ConfigError("to mask a frame, give kinds as a mapping of column to kind")
        return mask_frame(data, kinds)
    if isinstance(kinds, Mapping):
        raise ConfigError("kinds is a mapping only for frames; give one kind for a value")
    if isinstance(data, pd.Series):
        chosen = kinds or (kind_of(str(data.name)) if data.name is not None else "name")
        return data.astype(object).map(lambda v: mask_value(v, chosen))
    if isinstance(data, (list, tuple)):
        return [mask(item, kinds) for item in data]
    return mask_value(data, kinds or guess_kind(data))


def masked_result(result: Result) -> Result:
    """A copy of a result whose tables for display (``golden``, ``lineage``,
    ``conflicts``, ``records``) have their personal values masked; used by
    ``goldenrec resolve --mask-pii`` before writing."""
    return dataclasses.replace(
        result,
        golden=mask_frame(result.golden), lineage=mask_frame(result.lineage),
        conflicts=mask_frame(result.conflicts), records=mask_frame(result.records))
