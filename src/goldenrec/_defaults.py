"""Zero configuration: blocking rules and comparisons chosen from the roles present."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from goldenrec._blocking import BlockingRule, block_on, phonetic
from goldenrec._comparisons import (
    Comparison,
    DateComparison,
    EmailComparison,
    ExactComparison,
    IdentifierComparison,
    NameComparison,
    StringComparison,
)
from goldenrec._normalise._base import VALID

__all__ = ["default_blocking_rules", "default_comparisons", "usable_fields"]

#: Share of records that must hold a valid value for a field to be used by default.
MIN_FILL = 0.01


def usable_fields(records: pd.DataFrame, roles: Sequence[str]) -> list[str]:
    """Roles with valid values in at least :data:`MIN_FILL` of the records."""
    out = []
    for role in roles:
        status = records.get(f"{role}_status")
        if status is not None and len(records) and (status == VALID).mean() >= MIN_FILL:
            out.append(role)
    return out


def default_comparisons(fields: Sequence[str]) -> list[Comparison]:
    """One comparison per matching field present, in canonical order."""
    present = set(fields)
    out: list[Comparison] = []
    for role in ("first_name", "middle_name", "last_name"):
        if role in present:
            out.append(NameComparison(role))
    if "full_name" in present and not {"first_name", "last_name"} & present:
        out.append(NameComparison("full_name"))
    if "date_of_birth" in present:
        out.append(DateComparison("date_of_birth"))
    if "gender" in present:
        out.append(ExactComparison("gender"))
    if "email" in present:
        out.append(EmailComparison("email"))
    if "phone" in present:
        out.append(IdentifierComparison("phone"))
    if "national_id" in present:
        out.append(IdentifierComparison("national_id"))
    if "street_number" in present:
        out.append(ExactComparison("street_number"))
    for role in ("street", "address_line_2", "locality"):
        if role in present:
            out.append(StringComparison(role, thresholds=(0.9, 0.7)))
    if "postcode" in present:
        out.append(IdentifierComparison("postcode"))
    for role in ("region", "country"):
        if role in present:
            out.append(ExactComparison(role))
    if "company" in present:
        out.append(StringComparison("company", thresholds=(0.9, 0.7)))
    return out


def default_blocking_rules(fields: Sequence[str]) -> list[BlockingRule]:
    """Several complementary rules so that one corrupted field does not lose a match."""
    present = set(fields)
    candidates: list[tuple[tuple[str, ...], BlockingRule]] = [
        (("national_id",), block_on("national_id")),
        (("email",), block_on("email")),
        (("phone",), block_on("phone")),
        (("first_name", "last_name"), block_on("first_name", "last_name")),
        (("last_name", "date_of_birth"), block_on("last_name", "date_of_birth")),
        (("first_name", "date_of_birth"), block_on("first_name", "date_of_birth")),
        (("first_name", "last_name"),
         block_on(phonetic("first_name"), phonetic("last_name"))),
        (("postcode", "last_name"), block_on("postcode", phonetic("last_name"))),
        (("postcode", "date_of_birth"), block_on("postcode", "date_of_birth")),
        (("street", "street_number", "postcode"),
         block_on("street", "street_number", "postcode")),
    ]
    rules = [rule for needed, rule in candidates if set(needed) <= present]
    if "full_name" in present and not {"first_name", "last_name"} <= present:
        rules.append(block_on("full_name"))
    if not rules:
        rules = [block_on(field) for field in fields if field != "updated_at"][:3]
    return rules
