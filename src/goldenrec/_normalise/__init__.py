"""Normalisers: per value a display value, a match key, a status and a reason."""

from goldenrec._normalise._address import AddressNormaliser, extract_postcode
from goldenrec._normalise._base import (
    INVALID,
    MISSING,
    PLACEHOLDER,
    STATUSES,
    VALID,
    Normalised,
    Normaliser,
)
from goldenrec._normalise._company import CompanyNormaliser
from goldenrec._normalise._dates import DateNormaliser, TimestampNormaliser
from goldenrec._normalise._email import EmailNormaliser
from goldenrec._normalise._names import NameNormaliser, NameParts, split_full_name
from goldenrec._normalise._phone import PhoneNormaliser
from goldenrec._normalise._records import NormalisedRecords, RecordNormaliser, default_normaliser
from goldenrec._normalise._simple import (
    CountryNormaliser,
    GenderNormaliser,
    IdentifierNormaliser,
    PostcodeNormaliser,
    TextNormaliser,
)
from goldenrec._normalise._text import clean_text, fold

__all__ = [
    "INVALID",
    "MISSING",
    "PLACEHOLDER",
    "STATUSES",
    "VALID",
    "AddressNormaliser",
    "CompanyNormaliser",
    "CountryNormaliser",
    "DateNormaliser",
    "EmailNormaliser",
    "GenderNormaliser",
    "IdentifierNormaliser",
    "NameNormaliser",
    "NameParts",
    "Normalised",
    "NormalisedRecords",
    "Normaliser",
    "PhoneNormaliser",
    "PostcodeNormaliser",
    "RecordNormaliser",
    "TextNormaliser",
    "TimestampNormaliser",
    "clean_text",
    "default_normaliser",
    "extract_postcode",
    "fold",
    "split_full_name",
]
