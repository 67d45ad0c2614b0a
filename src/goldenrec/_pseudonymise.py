"""Pseudonymised matching: keyed digests of normalised identifiers instead of the values.

Each data owner runs :class:`Pseudonymiser` in its own process with a secret shared only
between the owners. Records are schema-mapped and normalised with goldenrec's own
normalisers (so every party derives the same match key from ``Ann.Lee@Example.org`` and
``ann.lee@example.org``), then each identifier's match key is replaced by its
HMAC-SHA-256 digest. The output holds ``source``, ``record_key`` and one ``<name>_hmac``
column per digest, nothing else; whoever matches the digest frames never sees a
personal value nor the secret.

Digests support exact agreement only: a typo, a nickname or a transposed date gives an
unrelated digest, so fuzzy comparisons are impossible on them (see ``docs/privacy.md``).

>>> import pandas as pd
>>> crm = pd.DataFrame({"id": ["1"], "email": ["Ann.Lee@Example.org"]})
>>> frame = Pseudonymiser(b"a shared secret of 32 bytes.....").pseudonymise({"crm": crm})
>>> frame.columns.tolist()
['source', 'record_key', 'email_hmac']
>>> len(frame.loc[0, "email_hmac"])
64
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Final, NoReturn

import numpy as np
import pandas as pd

from goldenrec._normalise._base import VALID
from goldenrec._normalise._records import DEFAULT_FREQUENCY, FrequencyLimits, RecordNormaliser
from goldenrec._roles import DIGEST_SUFFIX
from goldenrec._schema import SchemaMapper, Source
from goldenrec.errors import ConfigError

__all__ = ["DIGESTS", "DIGEST_SETS", "MIN_SECRET_BYTES", "Pseudonymiser", "pseudonymise"]

logger = logging.getLogger(__name__)

#: Shortest secret accepted (128 bits).
MIN_SECRET_BYTES: Final = 16
#: The digests goldenrec knows: name → the fields whose match keys it covers.
#: ``email``, ``phone``, ``national_id`` and ``name_dob`` are made by default; the
#: others are single quasi-identifiers, weaker against frequency analysis (many
#: people share a surname or a birthday), so they are only made on request.
DIGESTS: Final[dict[str, tuple[str, ...]]] = {
    "email": ("email",),
    "phone": ("phone",),
    "national_id": ("national_id",),
    "name_dob": ("first_name", "last_name", "date_of_birth"),
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "date_of_birth": ("date_of_birth",),
    "postcode": ("postcode",),
}
#: Named sets of digests: ``identifiers`` (the default) digests only what identifies a
#: person on its own; ``extended`` adds the single quasi-identifiers, which lets
#: matching survive a typo in one name part at the price of exposing value frequencies.
DIGEST_SETS: Final[dict[str, tuple[str, ...]]] = {
    "identifiers": ("email", "phone", "national_id", "name_dob"),
    "extended": ("email", "phone", "national_id", "name_dob", "first_name", "last_name",
                 "date_of_birth", "postcode"),
}
DEFAULT_DIGESTS: Final = "identifiers"
Data = pd.DataFrame | Mapping[str, pd.DataFrame]


class Pseudonymiser:
    """Replace normalised identifiers by keyed digests (HMAC-SHA-256) before they leave
    the data owner's process.

    ``secret`` (bytes, at least 16; share it between the parties out of band, e.g.
    ``secrets.token_bytes(32)``) keys every digest; without it nobody can test whether
    a given e-mail address is in the output. ``digests`` picks which digests are made
    (a set named in :data:`DIGEST_SETS`, or names from :data:`DIGESTS`): by default
    ``identifiers``, that is ``email``, ``phone``, ``national_id`` and ``name_dob`` (the
    given name, family name and date of birth together); ``"extended"`` adds single
    names, the date of birth and the postcode, for much better recall on data with
    typos at the price of letting the matcher see how often each value occurs.
    ``sources``, ``source_column``, ``key`` and ``frequency`` are as for
    :class:`~goldenrec.Pipeline`: every party should use the same settings for the same
    kind of data, so that equal values give equal match keys. With ``hash_keys=True``
    the record keys are replaced by their digests too (for keys that are personal, such
    as an e-mail address used as customer id); the owner maps results back with
    :meth:`digest` (``digest("record_key", key)``).

    The secret is never logged, shown in ``repr`` or error messages, and a
    pseudonymiser cannot be pickled or copied into a saved pipeline.

    >>> Pseudonymiser(b"0123456789abcdef")
    <goldenrec.Pseudonymiser digests=email,phone,national_id,name_dob>
    """

    __slots__ = ("_secret", "digests", "frequency", "hash_keys", "key", "source_column",
                 "sources")

    def __init__(
        self,
        secret: bytes,
        *,
        digests: str | Sequence[str] = DEFAULT_DIGESTS,
        sources: Sequence[Source] | None = None,
        source_column: str | None = None,
        key: str | None = None,
        frequency: FrequencyLimits | None = DEFAULT_FREQUENCY,
        hash_keys: bool = False,
    ) -> None:
        if not isinstance(secret, (bytes, bytearray)):
            raise ConfigError("the pseudonymisation secret must be bytes "
                              f"(e.g. secrets.token_bytes(32)), not {type(secret).__name__}")
        if len(secret) < MIN_SECRET_BYTES:
            raise ConfigError(f"the pseudonymisation secret is too short: at least "
                              f"{MIN_SECRET_BYTES} bytes are needed (32 recommended)")
        if isinstance(digests, str):
            if digests not in DIGEST_SETS:
                raise ConfigError(f"unknown digest set {digests!r}; known: "
                                  f"{', '.join(DIGEST_SETS)}")
            digests = DIGEST_SETS[digests]
        if not isinstance(digests, Sequence) or not all(isinstance(d, str) for d in digests):
            raise ConfigError("digests must be a digest set name or a sequence of digest "
                              "names")
        unknown = sorted(set(digests) - set(DIGESTS))
        if unknown:
            raise ConfigError(f"unknown digest(s) {unknown}; known: {', '.join(DIGESTS)}")
        if not digests:
            raise ConfigError("at least one digest is needed")
        self._secret = bytes(secret)
        self.digests = tuple(dict.fromkeys(digests))
        self.sources = sources
        self.source_column = source_column
        self.key = key
        self.frequency = frequency
        self.hash_keys = bool(hash_keys)

    def __repr__(self) -> str:
        return f"<goldenrec.Pseudonymiser digests={','.join(self.digests)}>"

    def __reduce__(self) -> NoReturn:
        raise ConfigError("a Pseudonymiser holds a secret and cannot be pickled")

    def __copy__(self) -> NoReturn:
        self.__reduce__()

    def __deepcopy__(self, memo: dict[int, Any]) -> NoReturn:
        self.__reduce__()

    def digest(self, name: str, key: str) -> str:
        """The hex digest of one match key under digest ``name`` (domain-separated, so
        an equal string in two digests gives two unrelated digests).

        >>> p = Pseudonymiser(b"0123456789abcdef")
        >>> p.digest("email", "a@b.org") == p.digest("phone", "a@b.org")
        False
        """
        message = name.encode("utf-8") + b"\x00" + key.encode("utf-8")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def pseudonymise(self, data: Data) -> pd.DataFrame:
        """Map, normalise and digest ``data`` (one frame per source, as the pipeline
        takes it): one row per record with ``source``, ``record_key`` and one
        ``<digest>_hmac`` column per digest whose fields the data has. A digest is
        missing (``None``) where one of its fields has no valid value."""
        mapper = SchemaMapper(self.sources, source_column=self.source_column, key=self.key)
        mapped = mapper.map(data)
        normalised = RecordNormaliser(frequency=self.frequency).normalise(mapped)
        records = normalised.frame
        keys = records["record_key"].to_numpy(dtype=object)
        if self.hash_keys:
            keys = np.array([self.digest("record_key", str(k)) for k in keys], dtype=object)
        out: dict[str, Any] = {
            "source": records["source"].to_numpy(dtype=object),
            "record_key": keys,
        }
        for name in self.digests:
            fields = DIGESTS[name]
            if not all(f"{field}_key" in records.columns for field in fields):
                logger.info("digest %s skipped: the data lacks %s", name,
                            "/".join(f for f in fields if f"{f}_key" not in records.columns))
                continue
            out[f"{name}{DIGEST_SUFFIX}"] = self._column(name, records, fields)
        frame: pd.DataFrame = pd.DataFrame(
            {name: pd.Series(values, dtype=object) for name, values in out.items()})
        if len(frame.columns) == 2:
            raise ConfigError("the data has none of the fields the chosen digests need "
                              f"({', '.join(self.digests)})")
        logger.info("pseudonymised %d records into %d digest columns", len(frame),
                    len(frame.columns) - 2)
        return frame

    def _column(self, name: str, records: pd.DataFrame, fields: Sequence[str]) -> np.ndarray:
        parts = [_keys(records, field) for field in fields]
        out = np.full(len(records), None, dtype=object)
        cache: dict[str, str] = {}
        for row, values in enumerate(zip(*parts)):
            if any(v is None for v in values):
                continue
            joined = "\x1f".join(values)
            if joined not in cache:
                cache[joined] = self.digest(name, joined)
            out[row] = cache[joined]
        return out


def _keys(records: pd.DataFrame, field: str) -> list[str | None]:
    """The match keys of ``field``'s valid values (``None`` elsewhere); a given name
    uses its canonical form, so ``Bob`` and ``Robert`` give one digest."""
    keys = records[f"{field}_key"]
    canonical = f"{field}_canonical"
    if field == "first_name" and canonical in records.columns:
        keys = records[canonical].where(records[canonical].notna(), keys)
    valid = (records[f"{field}_status"] == VALID).to_numpy()
    return [str(k) if ok and isinstance(k, str) and k else None
            for k, ok in zip(keys.to_numpy(dtype=object), valid)]


def pseudonymise(data: Data, *, secret: bytes,
                 digests: str | Sequence[str] = DEFAULT_DIGESTS,
                 sources: Sequence[Source] | None = None, source_column: str | None = None,
                 key: str | None = None, hash_keys: bool = False) -> pd.DataFrame:
    """``Pseudonymiser(secret, ...).pseudonymise(data)`` in one call."""
    return Pseudonymiser(secret, digests=digests, sources=sources,
                         source_column=source_column, key=key,
                         hash_keys=hash_keys).pseudonymise(data)
