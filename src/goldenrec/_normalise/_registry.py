"""Normalisers by name, for saved pipelines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from goldenrec._normalise._address import AddressNormaliser
from goldenrec._normalise._base import Normaliser
from goldenrec._normalise._company import CompanyNormaliser
from goldenrec._normalise._consent import ConsentNormaliser, PurposeNormaliser
from goldenrec._normalise._dates import DateNormaliser, TimestampNormaliser
from goldenrec._normalise._email import EmailNormaliser
from goldenrec._normalise._names import NameNormaliser
from goldenrec._normalise._phone import PhoneNormaliser
from goldenrec._normalise._simple import (
    CountryNormaliser,
    GenderNormaliser,
    IdentifierNormaliser,
    PostcodeNormaliser,
    TextNormaliser,
)
from goldenrec.errors import ConfigError

__all__ = ["normaliser_from_dict", "normaliser_to_dict"]

_CLASSES: dict[str, type[Normaliser]] = {
    cls.name: cls
    for cls in (DateNormaliser, TimestampNormaliser, EmailNormaliser, NameNormaliser,
                PhoneNormaliser, CountryNormaliser, GenderNormaliser, IdentifierNormaliser,
                PostcodeNormaliser, TextNormaliser, CompanyNormaliser, AddressNormaliser,
                ConsentNormaliser, PurposeNormaliser)
}


def normaliser_to_dict(normaliser: Normaliser) -> dict[str, Any]:
    if _CLASSES.get(normaliser.name) is not type(normaliser):
        raise ConfigError(
            f"normaliser {type(normaliser).__name__} cannot be saved; only goldenrec's "
            "built-in normalisers can")
    data: dict[str, Any] = {"type": normaliser.name}
    if isinstance(normaliser, NameNormaliser) and normaliser.part is not None:
        data["part"] = normaliser.part
    if isinstance(normaliser, EmailNormaliser):
        data["provider_rules"] = normaliser.provider_rules
    if isinstance(normaliser, DateNormaliser):
        data["past_only"] = normaliser.past_only
        data["min_year"] = normaliser.min_year
    return data


def normaliser_from_dict(data: Mapping[str, Any]) -> Normaliser:
    cls = _CLASSES.get(str(data.get("type")))
    if cls is None:
        raise ConfigError(f"unknown normaliser {data.get('type')!r}")
    if cls is NameNormaliser:
        part = data.get("part")
        if part not in (None, "given", "middle", "family", "full"):
            raise ConfigError("unknown name part in a saved normaliser")
        return NameNormaliser(part=part)
    if cls is EmailNormaliser:
        return EmailNormaliser(provider_rules=bool(data.get("provider_rules", False)))
    if cls is DateNormaliser:
        return DateNormaliser(past_only=bool(data.get("past_only", False)),
                              min_year=int(data.get("min_year", 1000)))
    return cls()
