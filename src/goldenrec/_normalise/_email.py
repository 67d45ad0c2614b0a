"""Email normalisation with email-validator (syntax only, never DNS)."""

from __future__ import annotations

from typing import Final

from email_validator import EmailNotValidError, validate_email

from goldenrec._normalise._base import INVALID, VALID, Normalised, Normaliser

__all__ = ["EmailNormaliser"]

PLACEHOLDER_EMAILS: Final = frozenset({
    "test@test.com", "test@example.com", "a@a.com", "x@x.com", "none@none.com",
    "noemail@noemail.com", "no@email.com", "noreply@noreply.com", "email@email.com",
    "asdf@asdf.com", "na@na.com", "null@null.com", "unknown@unknown.com",
})
ROLE_LOCAL_PARTS: Final = frozenset({
    "info", "admin", "sales", "support", "contact", "office", "hello", "team", "noreply",
    "no-reply", "billing", "service", "mail", "kontakt",
})


class EmailNormaliser(Normaliser):
    """Syntax-checked, case-folded email addresses.

    >>> EmailNormaliser().normalise_value("Ann.Lee@Example.COM")[:3]
    ('Ann.Lee@example.com', 'ann.lee@example.com', 'valid')
    """

    name = "email"

    def is_placeholder(self, text: str) -> bool:
        return text.casefold() in PLACEHOLDER_EMAILS or super().is_placeholder(text)

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        candidate = text.strip().strip("<>").replace(" ", "")
        if candidate.lower().startswith("mailto:"):
            candidate = candidate[7:]
        try:
            info = validate_email(
                candidate, check_deliverability=False, allow_smtputf8=True
            )
        except EmailNotValidError:
            return Normalised(None, None, INVALID, "email_syntax")
        except Exception:
            return Normalised(None, None, INVALID, "email_syntax")
        normalised = info.normalized
        local = normalised.rsplit("@", 1)[0].casefold()
        reason = "role_address" if local in ROLE_LOCAL_PARTS else ""
        return Normalised(normalised, normalised.casefold(), VALID, reason)
