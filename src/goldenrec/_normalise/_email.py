"""Email normalisation with email-validator (syntax only, never DNS)."""

from __future__ import annotations

import functools
import re
from typing import Final

from email_validator import EmailNotValidError, validate_email

from goldenrec._normalise._base import INVALID, VALID, Normalised, Normaliser

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
        base_local = local.split("+", 1)[0] or local
        if _is_disposable(domain):
            reason = "disposable_domain"
        elif multiple:
            reason = "email_multiple"
        elif base_local.casefold() in ROLE_LOCAL_PARTS:
            reason = "role_address"
        else:
            reason = ""
        key = normalised.casefold()
        if self.provider_rules:
            key = self._provider_key(local.casefold(), domain)
        return Normalised(normalised, key, VALID, reason, (domain,))

    @staticmethod
    def _provider_key(local: str, domain: str) -> str:
        if domain in PLUS_TAG_PROVIDERS:
            local = local.split("+", 1)[0] or local
        if domain in _GMAIL_DOMAINS:
            local = local.replace(".", "") or local
            domain = "gmail.com"
        return f"{local}@{domain.casefold()}"
