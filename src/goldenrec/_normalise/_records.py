"""The normalise stage: every role column of a mapped frame through its normaliser."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from goldenrec._normalise._base import MISSING, VALID, Normaliser
from goldenrec._normalise._dates import DateNormaliser, TimestampNormaliser
from goldenrec._normalise._email import EmailNormaliser
from goldenrec._normalise._names import NameNormaliser, split_full_name
from goldenrec._normalise._phone import PhoneNormaliser
from goldenrec._normalise._simple import (
    CountryNormaliser,
    GenderNormaliser,
    IdentifierNormaliser,
    PostcodeNormaliser,
    TextNormaliser,
)
from goldenrec._roles import ROLES
from goldenrec._schema import MappedRecords
from goldenrec.errors import ConfigError

__all__ = ["NormalisedRecords", "RecordNormaliser", "default_normaliser"]

logger = logging.getLogger(__name__)

_NAME_PARTS = ("first_name", "middle_name", "last_name")


def default_normaliser(role: str) -> Normaliser:
    """The normaliser goldenrec uses for a role when none is configured."""
    if role in ("full_name", *_NAME_PARTS):
        return NameNormaliser()
    if role == "date_of_birth":
        return DateNormaliser(past_only=True)
    if role == "updated_at":
        return TimestampNormaliser()
    if role == "email":
        return EmailNormaliser()
    if role == "phone":
        return PhoneNormaliser()
    if role in ("street_number", "national_id"):
        return IdentifierNormaliser()
    if role == "postcode":
        return PostcodeNormaliser()
    if role == "country":
        return CountryNormaliser()
    if role == "gender":
        return GenderNormaliser()
    if role in ROLES:
        return TextNormaliser()
    raise ConfigError(f"unknown role {role!r}")


@dataclass(frozen=True)
class NormalisedRecords:
    """The output of :meth:`RecordNormaliser.normalise`.

    ``frame`` has ``source``, ``record_key`` and, per role ``r``: ``r`` (the normalised
    display value), ``r_key`` (the match key), ``r_status`` and ``r_reason``.
    ``raw`` is the mapped frame the values came from (original values kept).
    """

    frame: pd.DataFrame
    raw: pd.DataFrame
    roles: tuple[str, ...]

    def quality(self) -> pd.DataFrame:
        """One row per record and role: ``source, record_key, field, status, reason``."""
        parts = []
        for role in self.roles:
            parts.append(pd.DataFrame({
                "source": self.frame["source"].to_numpy(),
                "record_key": self.frame["record_key"].to_numpy(),
                "field": role,
                "status": self.frame[f"{role}_status"].to_numpy(),
                "reason": self.frame[f"{role}_reason"].to_numpy(),
            }))
        if not parts:
            empty: pd.DataFrame = pd.DataFrame(
                columns=["source", "record_key", "field", "status", "reason"])
            return empty
        quality: pd.DataFrame = pd.concat(parts, ignore_index=True)
        return quality


class RecordNormaliser:
    """Run each role through its normaliser, with per-source settings as context.

    ``normalisers`` overrides the default normaliser of some roles.
    """

    def __init__(self, normalisers: Mapping[str, Normaliser] | None = None) -> None:
        self.normalisers = normalisers

    def normaliser_for(self, role: str) -> Normaliser:
        if self.normalisers and role in self.normalisers:
            return self.normalisers[role]
        return default_normaliser(role)

    def normalise(self, mapped: MappedRecords) -> NormalisedRecords:
        raw = mapped.frame
        roles = list(mapped.roles)
        out: dict[str, pd.Series] = {
            "source": raw["source"], "record_key": raw["record_key"],
        }
        sources = raw["source"].astype(object)
        date_order = sources.map(
            {name: spec.date_order for name, spec in mapped.sources.items()}
        ).astype(object)
        source_region = sources.map(
            {name: spec.phone_region for name, spec in mapped.sources.items()}
        ).astype(object)
        results: dict[str, pd.DataFrame] = {}
        if "country" in roles:
            results["country"] = self.normaliser_for("country").normalise(raw["country"])
            country = results["country"]["value"]
            region = country.where(country.notna(), source_region)
        else:
            region = source_region
        for role in roles:
            if role in results:
                continue
            normaliser = self.normaliser_for(role)
            results[role] = normaliser.normalise(
                raw[role],
                region=region if role == "phone" else None,
                date_order=date_order if role in ("date_of_birth", "updated_at") else None,
            )
        if "full_name" in roles:
            self._fill_from_full_name(results, roles, raw.index)
        ordered = [r for r in ROLES if r in results]
        for role in ordered:
            table = results[role]
            out[role] = table["value"]
            out[f"{role}_key"] = table["key"]
            out[f"{role}_status"] = table["status"]
            out[f"{role}_reason"] = table["reason"]
            for extra in table.columns[4:]:
                out[f"{role}_{extra}"] = table[extra]
        frame = pd.DataFrame(out)
        for role in ordered:
            counts = frame[f"{role}_status"].value_counts()
            logger.debug("normalised %s: %s", role, counts.to_dict())
        return NormalisedRecords(frame=frame, raw=raw, roles=tuple(ordered))

    def _fill_from_full_name(
        self, results: dict[str, pd.DataFrame], roles: list[str], index: pd.Index
    ) -> None:
        full = results["full_name"]
        valid = full["status"] == VALID
        # only records that have no separate name parts take them from the full name
        for role in ("first_name", "last_name"):
            if role in results:
                valid &= results[role]["status"] == MISSING
        parts = [
            split_full_name(value) if ok else (None, None, None)
            for value, ok in zip(full["value"], valid)
        ]
        for position, role in enumerate(_NAME_PARTS):
            derived_raw = pd.Series([p[position] for p in parts], index=index, dtype=object)
            derived = self.normaliser_for(role).normalise(derived_raw)
            derived["reason"] = derived["reason"].where(
                derived["status"] != VALID, "from_full_name"
            )
            if role in results:
                current = results[role]
                take = (current["status"] == MISSING) & (derived["status"] == VALID)
                results[role] = current.where(~take, derived)
            else:
                results[role] = derived
                roles.append(role)
