"""Canonical roles: the fields goldenrec understands, and the column names that mean them."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["KEY_COLUMN_NAMES", "ROLES", "ROLE_SYNONYMS", "canonical_column_name", "infer_role"]

#: Every canonical role, in the order golden records list them.
ROLES: Final[tuple[str, ...]] = (
    "full_name",
    "first_name",
    "middle_name",
    "last_name",
    "date_of_birth",
    "gender",
    "email",
    "phone",
    "street_number",
    "street",
    "address_line_2",
    "locality",
    "postcode",
    "region",
    "country",
    "company",
    "national_id",
    "updated_at",
)

#: Column names (after :func:`canonical_column_name`) that are read as each role.
ROLE_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "full_name": ("full_name", "fullname", "name", "customer_name", "contact_name",
                  "person_name", "display_name"),
    "first_name": ("first_name", "firstname", "given_name", "givenname", "forename",
                   "fname", "first", "vorname", "christian_name"),
    "middle_name": ("middle_name", "middlename", "middle_names", "second_name"),
    "last_name": ("last_name", "lastname", "surname", "family_name", "familyname", "lname",
                  "last", "nachname"),
    "date_of_birth": ("date_of_birth", "dob", "birth_date", "birthdate", "birthday",
                      "date_birth", "geburtsdatum", "born"),
    "gender": ("gender", "sex"),
    "email": ("email", "e_mail", "email_address", "e_mail_address", "mail", "emailaddress"),
    "phone": ("phone", "telephone", "phone_number", "phonenumber", "tel", "mobile",
              "mobile_phone", "cell", "cell_phone", "telefon", "phone_no"),
    "street_number": ("street_number", "house_number", "house_no", "housenumber",
                      "streetnumber", "building_number", "hausnummer"),
    "street": ("street", "address", "address_1", "address1", "street_address",
               "address_line_1", "addr", "strasse"),
    "address_line_2": ("address_2", "address2", "address_line_2", "addr2"),
    "locality": ("city", "town", "suburb", "locality", "municipality", "village", "ort",
                 "stadt"),
    "postcode": ("postcode", "postal_code", "post_code", "zip", "zip_code", "zipcode", "plz"),
    "region": ("state", "region", "province", "county", "prefecture"),
    "country": ("country", "country_code", "countrycode", "land", "nation"),
    "company": ("company", "company_name", "organisation", "organization", "employer",
                "firm", "business_name"),
    "national_id": ("national_id", "soc_sec_id", "ssn", "social_security_number",
                    "national_insurance_number", "nin", "personal_code", "tax_id",
                    "id_number"),
    "updated_at": ("updated_at", "last_updated", "updated", "modified", "modified_at",
                   "last_modified", "last_update", "updated_on", "changed_at"),
}

#: Column names that are taken as the record key when none is given.
KEY_COLUMN_NAMES: Final[tuple[str, ...]] = (
    "record_key", "rec_id", "record_id", "unique_id", "id", "customer_id", "customer_no",
    "contact_id", "uid",
)

_SYNONYM_TO_ROLE: Final[dict[str, str]] = {
    synonym: role for role, synonyms in ROLE_SYNONYMS.items() for synonym in synonyms
}


def canonical_column_name(column: str) -> str:
    """Lower-case a column name and join its words with ``_``.

    >>> canonical_column_name(" E-Mail Address")
    'e_mail_address'
    """
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", column.strip())
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


def infer_role(column: str) -> str | None:
    """The canonical role a column name suggests, or ``None``.

    >>> infer_role("given_name"), infer_role("Surname"), infer_role("notes")
    ('first_name', 'last_name', None)
    """
    return _SYNONYM_TO_ROLE.get(canonical_column_name(column))
