"""Canonical roles: the fields goldenrec understands, and the column names that mean them.

Besides the built-in roles, users declare their own fields with :class:`Field`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

from goldenrec.errors import ConfigError

__all__ = [
    "DIGEST_SUFFIX",
    "FIELD_KINDS",
    "KEY_COLUMN_NAMES",
    "RESERVED_COLUMNS",
    "ROLES",
    "ROLE_KINDS",
    "ROLE_SYNONYMS",
    "Field",
    "FieldKind",
    "canonical_column_name",
    "check_fields",
    "infer_role",
    "is_digest_column",
    "kind_of",
]

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
    "consent",
    "consent_at",
    "consent_purpose",
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
    "consent": ("consent", "consent_status", "opt_in", "optin", "opt_in_status",
                "consent_given", "gdpr_consent", "einwilligung"),
    "consent_at": ("consent_at", "consent_date", "consent_time", "consent_timestamp",
                   "consented_at", "consent_given_at", "consent_updated_at", "opt_in_date",
                   "opt_in_at"),
    "consent_purpose": ("consent_purpose", "consent_type", "consent_scope",
                        "opt_in_purpose", "consent_for"),
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


#: Columns every mapped frame has; no role, field or pass-through column may use them.
RESERVED_COLUMNS: Final[tuple[str, ...]] = ("source", "record_key")

#: How a field's values are read, which picks its normaliser.
FieldKind = Literal["text", "name", "identifier", "date", "timestamp", "email", "phone",
                    "postcode", "country", "gender"]
FIELD_KINDS: Final[tuple[str, ...]] = get_args(FieldKind)

#: The kind of each built-in role.
ROLE_KINDS: Final[dict[str, str]] = {
    "full_name": "name", "first_name": "name", "middle_name": "name", "last_name": "name",
    "date_of_birth": "date", "gender": "gender", "email": "email", "phone": "phone",
    "street_number": "identifier", "street": "text", "address_line_2": "text",
    "locality": "text", "postcode": "postcode", "region": "text", "country": "country",
    "company": "text", "national_id": "identifier", "updated_at": "timestamp",
    "consent": "text", "consent_at": "timestamp", "consent_purpose": "text",
}

#: Columns named ``<name>_hmac`` hold keyed digests (see :class:`~goldenrec.Pseudonymiser`):
#: zero configuration reads them as identifiers compared and blocked exactly.
DIGEST_SUFFIX: Final = "_hmac"


def is_digest_column(column: str) -> bool:
    """Whether a column name follows the digest convention ``<name>_hmac``.

    >>> is_digest_column("email_hmac"), is_digest_column("email")
    (True, False)
    """
    name = canonical_column_name(column)
    return name.endswith(DIGEST_SUFFIX) and len(name) > len(DIGEST_SUFFIX)


#: Suffixes of the columns the normalise stage adds per field.
_GENERATED_SUFFIXES: Final = ("key", "status", "reason")
_FIELD_NAME: Final = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


@dataclass(frozen=True)
class Field:
    """A custom field: its canonical ``name``, the column names that mean it, and its kind.

    ``synonyms`` are compared after :func:`canonical_column_name`, so ``"business type"``
    also matches a column called ``Business-Type``; the name itself always matches.
    ``kind`` picks the normaliser (``text`` by default). Declared synonyms win over the
    built-in role synonyms.

    >>> Field("industry", synonyms=("sector", "business type")).column_names()
    ('industry', 'sector', 'business_type')
    """

    name: str
    synonyms: tuple[str, ...] = ()
    kind: FieldKind = "text"

    def __post_init__(self) -> None:
        # A bare string would be read letter by letter; a list is made a tuple.
        synonyms: Any = self.synonyms
        if isinstance(synonyms, str):
            object.__setattr__(self, "synonyms", (synonyms,))
        elif isinstance(synonyms, (list, tuple)):
            object.__setattr__(self, "synonyms", tuple(synonyms))

    def column_names(self) -> tuple[str, ...]:
        """The canonical column names read as this field (its name first, no repeats)."""
        names = [self.name, *(canonical_column_name(str(s)) for s in self.synonyms)]
        return tuple(dict.fromkeys(n for n in names if n))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "synonyms": list(self.synonyms), "kind": self.kind}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Field:
        return cls(name=str(data["name"]), synonyms=tuple(data.get("synonyms") or ()),
                   kind=data.get("kind", "text"))


def kind_of(field: str, fields: Sequence[Field] = ()) -> str | None:
    """The kind of a built-in role or a declared field, or ``None`` when unknown.

    >>> kind_of("email"), kind_of("industry", [Field("industry")]), kind_of("shoe_size")
    ('email', 'text', None)
    """
    if field in ROLE_KINDS:
        return ROLE_KINDS[field]
    return next((f.kind for f in fields if f.name == field), None)


def check_fields(fields: Sequence[Field] | None) -> tuple[Field, ...]:
    """Validate custom fields; returns them as a tuple or raises :class:`ConfigError`.

    A field name is lower-case words joined by ``_``, and may not be a role, a reserved
    column, another field, or a column the normalise stage adds (``email_key``...).
    """
    if fields is None:
        return ()
    if isinstance(fields, (str, Field)) or not isinstance(fields, Sequence):
        raise ConfigError("fields must be a sequence of Field specs")
    checked: list[Field] = []
    names: set[str] = set()
    for spec in fields:
        if not isinstance(spec, Field):
            raise ConfigError(f"fields must be Field specs, not {type(spec).__name__}")
        name = spec.name
        if not isinstance(name, str) or not _FIELD_NAME.match(name):
            suggestion = canonical_column_name(str(name))
            raise ConfigError(
                f"custom field name {name!r} must be lower-case letters and digits joined "
                f"by '_'" + (f" (e.g. {suggestion!r})" if suggestion else ""))
        if name in ROLES:
            raise ConfigError(f"custom field {name!r} clashes with the built-in role "
                              f"{name!r}; map the column to that role instead")
        if name in RESERVED_COLUMNS:
            raise ConfigError(f"custom field {name!r} clashes with a reserved column "
                              f"({', '.join(RESERVED_COLUMNS)})")
        if name in names:
            raise ConfigError(f"custom field {name!r} is declared more than once")
        if spec.kind not in FIELD_KINDS:
            raise ConfigError(f"custom field {name!r} has unknown kind {spec.kind!r}; "
                              f"kinds: {', '.join(FIELD_KINDS)}")
        if not all(isinstance(s, str) for s in spec.synonyms):
            raise ConfigError(f"synonyms of custom field {name!r} must be strings")
        names.add(name)
        checked.append(spec)
    for spec in checked:
        for other in (*ROLES, *names):
            if other != spec.name and any(spec.name == f"{other}_{suffix}"
                                          for suffix in _GENERATED_SUFFIXES):
                raise ConfigError(f"custom field {spec.name!r} clashes with a column the "
                                  f"normalise stage adds for {other!r}")
    owner: dict[str, str] = {}
    for spec in checked:
        for column in spec.column_names():
            if column in ROLES or column in RESERVED_COLUMNS:
                raise ConfigError(f"synonym {column!r} of custom field {spec.name!r} is the "
                                  "name of a role or reserved column")
            if column in owner and owner[column] != spec.name:
                raise ConfigError(f"synonym {column!r} is declared for both custom fields "
                                  f"{owner[column]!r} and {spec.name!r}")
            owner[column] = spec.name
    return tuple(checked)
