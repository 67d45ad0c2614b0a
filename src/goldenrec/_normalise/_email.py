"""Email normalisation with email-validator (syntax only, never DNS)."""

from __future__ import annotations

import functools
import re
from typing import Final

import numpy as np
import pandas as pd
from email_validator import EmailNotValidError, validate_email

from goldenrec._normalise._base import (
    INVALID,
    PLACEHOLDER,
    VALID,
    Normalised,
    Normaliser,
    _gc_paused,
)
from goldenrec._normalise._dates import _plain

__all__ = [
    "DISPOSABLE_DOMAINS",
    "PLUS_TAG_PROVIDERS",
    "ROLE_LOCAL_PARTS",
    "EmailNormaliser",
    "is_disposable_domain",
]

PLACEHOLDER_EMAILS: Final = frozenset({
    "test@test.com", "test@example.com", "a@a.com", "x@x.com", "none@none.com",
    "noemail@noemail.com", "no@email.com", "noreply@noreply.com", "email@email.com",
    "asdf@asdf.com", "na@na.com", "null@null.com", "unknown@unknown.com",
})
#: Local parts that say "there is no address" whatever the domain.
PLACEHOLDER_LOCAL_PARTS: Final = frozenset({
    "noemail", "no.email", "no_email", "no-email", "nomail", "no.mail", "donotemail",
    "do.not.email", "keine.email", "keineemail", "keinemail", "noaddress", "no.address",
})
#: Local parts of shared or functional mailboxes (valid, flagged ``role_address``).
ROLE_LOCAL_PARTS: Final = frozenset({
    "info", "admin", "administrator", "sales", "support", "contact", "contacts", "office",
    "hello", "team", "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply",
    "billing", "service", "services", "mail", "kontakt", "webmaster", "postmaster",
    "hostmaster", "abuse", "security", "privacy", "marketing", "accounts", "accounting",
    "finance", "invoices", "invoice", "hr", "jobs", "careers", "recruiting", "press",
    "media", "enquiries", "enquiry", "inquiries", "help", "helpdesk", "customerservice",
    "customer.service", "orders", "order", "shop", "store", "reception", "newsletter",
    "feedback", "general", "mailbox", "buero", "büro", "vertrieb", "verwaltung",
    "buchhaltung", "rechnung", "rechnungen", "datenschutz", "bestellung", "birojs",
    "pasts", "kanceleja", "office.manager",
})
#: Disposable (throw-away) mail domains; subdomains count too.
DISPOSABLE_DOMAINS: Final = frozenset({
    "mailinator.com", "mailinator.net", "mailinator2.com", "10minutemail.com",
    "10minutemail.net", "20minutemail.com", "guerrillamail.com", "guerrillamail.net",
    "guerrillamail.org", "guerrillamail.de", "guerrillamail.biz", "guerrillamailblock.com",
    "sharklasers.com", "grr.la", "pokemail.net", "spam4.me", "yopmail.com", "yopmail.fr",
    "yopmail.net", "tempmail.com", "tempmail.net", "temp-mail.org", "temp-mail.io",
    "tempmailo.com", "tempr.email", "tempinbox.com", "throwawaymail.com", "trashmail.com",
    "trashmail.de", "trash-mail.com", "maildrop.cc", "dispostable.com", "getnada.com",
    "nada.email", "mintemail.com", "fakeinbox.com", "mailnesia.com", "spamgourmet.com",
    "mohmal.com", "emailondeck.com", "discard.email", "mailcatch.com", "33mail.com",
    "burnermail.io", "mytemp.email", "wegwerfmail.de", "wegwerfmail.net", "einrot.com",
    "byom.de", "spambox.us", "mvrht.com", "mailpoof.com", "moakt.com", "mail.tm",
    "inboxkitten.com", "emailfake.com", "getairmail.com", "dropmail.me", "10mail.org",
})
#: Name fragments of throw-away services, matched inside the domain.
_DISPOSABLE_PATTERN: Final = re.compile(
    r"mailinator|guerrilla-?mail|yopmail|\d+-?minute-?mail|temp-?mail|throw-?away-?mail"
    r"|trash-?mail|wegwerf-?mail|fake-?inbox|fake-?mail|disposable|spam-?gourmet"
    r"|burner-?mail|spam-?box"
)
#: Providers whose addresses ignore a ``+tag`` in the local part (documented plus
#: addressing or sub-addressing): Google, Microsoft, Apple, Fastmail, Proton, Yandex, Zoho.
PLUS_TAG_PROVIDERS: Final = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "icloud.com", "me.com", "mac.com", "fastmail.com", "fastmail.fm", "protonmail.com",
    "protonmail.ch", "proton.me", "pm.me", "yandex.ru", "yandex.com", "zoho.com",
})
_GMAIL_DOMAINS: Final = frozenset({"gmail.com", "googlemail.com"})

# A strict ASCII subset of what email-validator accepts, decided without calling it:
# dot-atom local part, LDH labels without "--", an alphabetic TLD. Everything else goes
# to email-validator (tests check the subset never disagrees with it).
_ATEXT: Final = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_FAST_ADDRESS: Final = re.compile(
    rf"{_ATEXT}+(?:\.{_ATEXT}+)*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_SPECIAL_USE_TLDS: Final = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})
# email-validator lower-cases these mailbox names (RFC 2142)
_CASE_INSENSITIVE_LOCAL: Final = frozenset({
    "info", "marketing", "sales", "support", "abuse", "noc", "security", "postmaster",
    "hostmaster", "usenet", "news", "webmaster", "www", "uucp", "ftp",
})
_DISPLAY_NAME: Final = re.compile(r"^[^<>]*<([^<>]+)>$")
_LIST_SEPARATOR: Final = re.compile(r"[,;|\s]+")
_MAX_LENGTH: Final = 254
# Whole-column fast path: printable ASCII addresses up to this length are checked with
# numpy against _FAST_ADDRESS's rules (a domain this short has no label over 63 characters).
_FAST_WIDTH: Final = 64
_FAST_CHUNK: Final = 1 << 17
_ATEXT_CHARS: Final = ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                       "!#$%&'*+/=?^_`{|}~-")
_ADDRESS_BYTES: Final = np.zeros(256, dtype=bool)
_ADDRESS_BYTES[[ord(c) for c in _ATEXT_CHARS + ".@"]] = True
_DOMAIN_BYTES: Final = np.zeros(256, dtype=bool)
_DOMAIN_BYTES[[ord(c) for c in _ATEXT_CHARS[:62] + ".-"]] = True
_ALNUM_BYTES: Final = np.zeros(256, dtype=bool)
_ALNUM_BYTES[[ord(c) for c in _ATEXT_CHARS[:62]]] = True
_ALPHA_BYTES: Final = np.zeros(256, dtype=bool)
_ALPHA_BYTES[[ord(c) for c in _ATEXT_CHARS[:52]]] = True


def _strict(chars: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Rows (ASCII bytes, zero padded) that ``_FAST_ADDRESS`` matches and whose domain has
    no ``--``: one ``@``; a dot-atom local part; LDH labels, none starting or ending with
    ``-``; an alphabetic top-level label of two letters or more."""
    n, width = chars.shape
    position = np.arange(width)
    inside = position < lengths[:, None]
    at = chars == ord("@")
    ok = np.where(inside, _ADDRESS_BYTES[chars], True).all(axis=1) & (at.sum(axis=1) == 1)
    at_pos = at.argmax(axis=1)
    ok &= (at_pos >= 1) & (at_pos + 1 < lengths)
    rows = np.arange(n)
    after = chars[rows, np.minimum(at_pos + 1, width - 1)]
    ok &= (chars[:, 0] != ord(".")) & (chars[rows, at_pos - 1] != ord(".")) & _ALNUM_BYTES[after]
    domain = (position > at_pos[:, None]) & inside
    ok &= np.where(domain, _DOMAIN_BYTES[chars], True).all(axis=1)
    dot, hyphen = chars == ord("."), chars == ord("-")
    ok &= ~(dot[:, 1:] & dot[:, :-1]).any(axis=1)
    pair = domain[:, :-1] & ((hyphen[:, :-1] & (dot[:, 1:] | hyphen[:, 1:]))
                             | (dot[:, :-1] & hyphen[:, 1:]))
    ok &= ~pair.any(axis=1)
    domain_dot = dot & domain
    last_dot = width - 1 - domain_dot[:, ::-1].argmax(axis=1)
    ok &= domain_dot.any(axis=1) & (lengths - 1 - last_dot >= 2)
    top = (position > last_dot[:, None]) & inside
    ok &= np.where(top, _ALPHA_BYTES[chars], True).all(axis=1)
    strict: np.ndarray = ok
    return strict


def _strict_rows(items: list[object]) -> np.ndarray:
    """Positions of the items :func:`_strict` accepts (``str``, ASCII, short)."""
    lengths = np.fromiter(
        (len(x) if type(x) is str and x.isascii() else -1 for x in items), np.int64, len(items)
    )
    candidates = np.flatnonzero((lengths >= 1) & (lengths <= _FAST_WIDTH))
    found = []
    for start in range(0, len(candidates), _FAST_CHUNK):
        part = candidates[start:start + _FAST_CHUNK]
        width = int(lengths[part].max())
        texts = np.array([items[i] for i in part.tolist()], dtype=f"S{width}")
        chars = texts.view(np.uint8).reshape(len(part), width)
        found.append(part[_strict(chars, lengths[part])])
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def is_disposable_domain(domain: str) -> bool:
    """Whether a (lower-case) domain belongs to a throw-away mail service.

    >>> is_disposable_domain("mailinator.com"), is_disposable_domain("x.yopmail.fr")
    (True, True)
    >>> is_disposable_domain("my-tempmail-box.net"), is_disposable_domain("example.lv")
    (True, False)
    """
    parts = domain.split(".")
    for i in range(len(parts) - 1):
        if ".".join(parts[i:]) in DISPOSABLE_DOMAINS:
            return True
    return _DISPOSABLE_PATTERN.search(domain) is not None


@functools.lru_cache(maxsize=1 << 14)
def _is_disposable(domain: str) -> bool:
    """:func:`is_disposable_domain`, once per domain (addresses share few domains)."""
    return is_disposable_domain(domain)


def _validated(candidate: str) -> tuple[str, str, str] | None:
    """``(normalised address, local part, unicode domain)``, or ``None`` when invalid."""
    if _FAST_ADDRESS.fullmatch(candidate) and len(candidate) <= _MAX_LENGTH:
        local, _, domain = candidate.rpartition("@")
        domain = domain.lower()
        if (domain.rpartition(".")[2] not in _SPECIAL_USE_TLDS and len(domain) <= 253
                and "--" not in domain):
            if local.lower() in _CASE_INSENSITIVE_LOCAL:
                local = local.lower()
            return f"{local}@{domain}", local, domain
    try:
        info = validate_email(candidate, check_deliverability=False, allow_smtputf8=True)
    except (EmailNotValidError, ValueError, TypeError, UnicodeError):
        return None
    return info.normalized, info.local_part, info.domain


class EmailNormaliser(Normaliser):
    """Syntax-checked email addresses (email-validator, never DNS); case-folded key.

    Role addresses (``info@``, ``sales@``…) and throw-away domains stay ``valid`` with
    the reason ``role_address`` or ``disposable_domain``; a field with several addresses
    keeps the first, flagged ``email_multiple``. With ``provider_rules``, the
    key also applies the rules of big providers: a ``+tag`` is dropped where the provider
    ignores it (:data:`PLUS_TAG_PROVIDERS`) and Gmail ignores dots, ``googlemail.com``
    being ``gmail.com``. Extra field: ``domain``.

    >>> EmailNormaliser().normalise_value("Ann.Lee@Example.COM")[:3]
    ('Ann.Lee@example.com', 'ann.lee@example.com', 'valid')
    >>> EmailNormaliser(provider_rules=True).normalise_value("A.Lee+shop@googlemail.com")
    Normalised(value='A.Lee+shop@googlemail.com', key='alee@gmail.com', status='valid', \
reason='', extra=('googlemail.com',))
    """

    name = "email"
    extra_fields = ("domain",)

    def __init__(self, *, provider_rules: bool = False) -> None:
        self.provider_rules = provider_rules

    def __repr__(self) -> str:
        return f"EmailNormaliser(provider_rules={self.provider_rules})"

    def normalise(
        self,
        values: pd.Series,
        *,
        region: pd.Series | None = None,
        date_order: pd.Series | None = None,
    ) -> pd.DataFrame:
        """As :meth:`Normaliser.normalise`; plain ASCII addresses (a strict subset of what
        email-validator accepts) are checked over the whole column, the others per value."""
        if not _plain(self, EmailNormaliser) or not len(values):
            return super().normalise(values, region=region, date_order=date_order)
        codes, uniques_array = pd.factorize(values.to_numpy(dtype=object))
        uniques: list[object] = uniques_array.tolist()
        size = len(uniques) + 1  # the last one for missing values (code -1)
        value: list[str | None] = [None] * size
        key: list[str | None] = [None] * size
        status: list[str | None] = [None] * size
        reason: list[str | None] = [""] * size
        domains: list[str | None] = [None] * size
        status[-1], reason[-1] = "missing", "empty"
        with _gc_paused():
            for i in _strict_rows(uniques).tolist():
                text = uniques[i]
                assert isinstance(text, str)
                if self.is_placeholder(text):
                    status[i], reason[i] = PLACEHOLDER, "placeholder_value"
                    continue
                local, _, domain = text.partition("@")
                domain = domain.lower()
                if domain.rpartition(".")[2] in _SPECIAL_USE_TLDS:
                    continue  # email-validator decides
                if local.lower() in _CASE_INSENSITIVE_LOCAL:
                    local = local.lower()
                found = self._outcome(f"{local}@{domain}", local, domain, multiple=False)
                value[i], key[i], status[i], reason[i] = found[:4]
                domains[i] = domain
            rest = [i for i in range(size - 1) if status[i] is None]
            if rest:
                table = super().normalise(pd.Series([uniques[i] for i in rest], dtype=object))
                for column, name in ((value, "value"), (key, "key"), (status, "status"),
                                     (reason, "reason"), (domains, "domain")):
                    for i, item in zip(rest, table[name].tolist()):
                        column[i] = item
            names = ["value", "key", "status", "reason", *self.extra_fields]
            data = {}
            outputs: tuple[list[str | None], ...] = (value, key, status, reason, domains)
            for name, output in zip(names, outputs):
                array = np.empty(size, dtype=object)
                array[:] = output
                data[name] = array[codes]
        frame: pd.DataFrame = pd.DataFrame(data, index=values.index, columns=names,
                                           dtype=object)
        return frame

    def is_placeholder(self, text: str) -> bool:
        if "@" not in text:  # no generic placeholder has an @: only then fold
            return super().is_placeholder(text)
        folded = text.casefold()
        return folded in PLACEHOLDER_EMAILS or folded.rpartition("@")[0] in PLACEHOLDER_LOCAL_PARTS

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        candidate = text.strip()
        if "@" not in candidate or len(candidate) > 2 * _MAX_LENGTH:
            return Normalised(None, None, INVALID, "email_syntax")
        multiple = False
        if candidate.count("@") > 1:  # "ann@example.com; ann.lee@example.org"
            parts = [p for p in _LIST_SEPARATOR.split(candidate) if "@" in p]
            if len(parts) > 1:
                candidate, multiple = parts[0], True
        display_name = _DISPLAY_NAME.match(candidate)  # "Ann Lee <ann@example.com>"
        if display_name:
            candidate = display_name.group(1)
        candidate = candidate.strip("<>").replace(" ", "")
        if candidate[:7].lower() == "mailto:":
            candidate = candidate[7:]
        candidate = candidate.rstrip(".,;")
        validated = _validated(candidate)
        if validated is None:
            return Normalised(None, None, INVALID, "email_syntax")
        normalised, local, domain = validated
        return self._outcome(normalised, local, domain, multiple=multiple)

    def _outcome(self, normalised: str, local: str, domain: str, *, multiple: bool
                 ) -> Normalised:
        """The valid address ``normalised`` with its key, reason and domain."""
        if multiple:
            reason = "disposable_domain" if _is_disposable(domain) else "email_multiple"
        else:
            reason = self._reason(local, domain)
        key = normalised.casefold()
        if self.provider_rules:
            key = self._provider_key(local.casefold(), domain)
        return Normalised(normalised, key, VALID, reason, (domain,))

    @staticmethod
    def _reason(local: str, domain: str) -> str:
        """``disposable_domain``, ``role_address`` or ``""`` for a single valid address."""
        if _is_disposable(domain):
            return "disposable_domain"
        if (local.split("+", 1)[0] or local).casefold() in ROLE_LOCAL_PARTS:
            return "role_address"
        return ""

    @staticmethod
    def _provider_key(local: str, domain: str) -> str:
        if domain in PLUS_TAG_PROVIDERS:
            local = local.split("+", 1)[0] or local
        if domain in _GMAIL_DOMAINS:
            local = local.replace(".", "") or local
            domain = "gmail.com"
        return f"{local}@{domain.casefold()}"
