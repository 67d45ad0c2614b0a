"""Zero configuration for columns no role claims: compare them too, when they look useful.

A column such as ``birth_place``, ``occupation`` or ``postcode_fake`` is evidence a
careful analyst would use. Rather than ignore it, goldenrec declares it a custom
:class:`~goldenrec.Field` when its values look like a short categorical or identifier
(not a free-text note, not a unique id): EM then learns how much it is worth, and a
column that says nothing gets a weight near zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pandas as pd

from goldenrec._roles import (
    ROLE_KINDS,
    ROLE_SYNONYMS,
    Field,
    canonical_column_name,
    is_digest_column,
)

__all__ = ["infer_extra_fields"]

#: Longest average value length of a column that is compared (longer is free text).
MAX_MEAN_LENGTH: Final = 40
#: Columns whose values are (almost) all distinct identify records, not people.
MAX_DISTINCT_SHARE: Final = 0.95
#: Columns filled in fewer records than this share are left alone.
MIN_FILL: Final = 0.01

_TOKEN_ROLE: Final[dict[str, str]] = {
    synonym: role for role, synonyms in ROLE_SYNONYMS.items() for synonym in synonyms
    if "_" not in synonym
}


def _token_role(column: str) -> str | None:
    """A role one word of the column name stands for (``postcode_fake`` → postcode)."""
    for token in canonical_column_name(column).split("_"):
        if token in _TOKEN_ROLE:
            return _TOKEN_ROLE[token]
    return None


def infer_extra_fields(frame: pd.DataFrame, mapping: pd.DataFrame,
                       declared: Sequence[Field] = ()) -> list[Field]:
    """Custom fields for the pass-through columns worth comparing.

    A digest column (``<name>_hmac``, see :class:`~goldenrec.Pseudonymiser`) filled in
    at least 1% of the records is an identifier. Another column qualifies when it is
    filled in at least 1% of the records, its values are
    short (mean length ≤ 40) and not (almost) all distinct. Its kind comes from a word
    of its name that names a role (``postcode_fake`` is compared as a postcode);
    columns whose word names a role the data already has (``first_and_surname`` beside
    ``first_name``) are left out, since they would count the same evidence twice.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"occupation": ["poet", "poet", "judge", None],
    ...                       "notes": ["a", "b", "c", "d"]})
    >>> mapping = pd.DataFrame({"column": ["occupation", "notes"], "role": ["", ""],
    ...                         "how": ["passthrough", "passthrough"]})
    >>> [f.name for f in infer_extra_fields(frame, mapping)]
    ['occupation']
    """
    present_roles = set(mapping.loc[mapping["how"] != "passthrough", "role"])
    taken = {f.name for f in declared}
    out: list[Field] = []
    columns = sorted(set(mapping.loc[mapping["how"] == "passthrough", "column"]))
    for column in columns:
        name = canonical_column_name(column)
        if not name or name in taken or column not in frame.columns:
            continue
        values = frame[column].dropna().astype(str).str.strip()
        values = values[values != ""]
        if len(frame) == 0 or len(values) < max(2, MIN_FILL * len(frame)):
            continue
        if is_digest_column(column):
            # keyed digests (``email_hmac``): mostly distinct, compared exactly
            out.append(Field(name, synonyms=(column,), kind="identifier"))
            taken.add(name)
            continue
        role = _token_role(column)
        if role is not None and role in present_roles:
            continue
        if values.str.len().mean() > MAX_MEAN_LENGTH:
            continue
        if values.nunique() > MAX_DISTINCT_SHARE * len(values):
            continue
        kind = ROLE_KINDS.get(role, "text") if role is not None else "text"
        out.append(Field(name, synonyms=(column,), kind=kind))  # type: ignore[arg-type]
        taken.add(name)
    return out
