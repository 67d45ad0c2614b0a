"""Consent decisions and their purposes.

A consent value becomes ``granted`` or ``withdrawn`` from many spellings and several
languages (``yes``, ``opt-in``, ``1``, ``ja``, ``oui`` / ``no``, ``opt-out``, ``0``,
``nein``, ``non``...). Anything else is flagged ``invalid`` (reason
``consent_unknown``), never guessed. A purpose becomes a lower-case word joined by
``_`` (``E-mail marketing`` → ``e_mail_marketing``); ``general``, ``all``, ``any`` or
``*`` name the general purpose, and ``;``, ``,`` or ``|`` separate several purposes.
"""

from __future__ import annotations

import re
from typing import Final

from goldenrec._normalise._base import INVALID, VALID, Normalised, Normaliser
from goldenrec._normalise._text import fold

__all__ = [
    "GENERAL",
    "GRANTED",
    "WITHDRAWN",
    "ConsentNormaliser",
    "PurposeNormaliser",
    "consent_decision",
    "purpose_key",
]

GRANTED: Final = "granted"
WITHDRAWN: Final = "withdrawn"
#: The purpose of a decision written without one: it covers every purpose.
GENERAL: Final = "general"

# folded, spaces removed
_GRANTED_WORDS: Final = frozenset({
    "granted", "grant", "given", "yes", "y", "true", "t", "1", "on", "optin", "optedin",
    "subscribed", "subscribe", "consent", "consented", "agree", "agreed", "accept",
    "accepted", "allow", "allowed", "permitted", "ok", "active", "checked",
    # de, nl, fr, es, it, pt, lv, pl, sv/da/no, fi, ru
    "ja", "j", "zugestimmt", "einverstanden", "erteilt", "akzeptiert", "oui",
    "accepte", "daccord", "si", "aceptado", "sim", "concesso", "acconsento",
    "piekritu", "piekrit", "tak", "kylla", "da", "да", "согласен", "согласие",
})
_WITHDRAWN_WORDS: Final = frozenset({
    "withdrawn", "withdraw", "revoked", "revoke", "no", "n", "false", "f", "0", "off",
    "optout", "optedout", "unsubscribed", "unsubscribe", "declined", "decline", "refused",
    "refuse", "denied", "deny", "rejected", "reject", "notgranted", "noconsent",
    "notconsented", "disallowed", "inactive", "unchecked",
    # de, nl, fr, es, it, pt, lv, pl, sv/da/no, fi, ru
    "nein", "widerrufen", "abgelehnt", "zuruckgezogen", "nee", "non",
    "retire", "revoque", "nao", "revocado", "rechazado", "revocato", "ne", "nepiekritu",
    "atsaukts", "nie", "odwolano", "nej", "ei", "нет", "отозвано", "отказ",
})
_GENERAL_WORDS: Final = frozenset({"general", "all", "any", "*", "every", "global",
                                   "allgemein", "alle", "tous", "todos"})
_PURPOSE_SPLIT: Final = re.compile(r"[;,|]")
_NON_WORD: Final = re.compile(r"[^0-9a-z]+")


def consent_decision(text: str) -> str | None:
    """``granted``, ``withdrawn``, or ``None`` for a value that says neither.

    >>> consent_decision("Opt-In"), consent_decision("nein"), consent_decision("maybe")
    ('granted', 'withdrawn', None)
    """
    word = fold(text).replace(" ", "")
    if word in _GRANTED_WORDS:
        return GRANTED
    if word in _WITHDRAWN_WORDS:
        return WITHDRAWN
    return None


def purpose_key(text: str | None) -> str | None:
    """The canonical name of one purpose; ``general`` for the general purpose (and
    ``None``); ``None`` when nothing readable is left.

    >>> purpose_key("E-mail Marketing"), purpose_key(None), purpose_key("*")
    ('e_mail_marketing', 'general', 'general')
    """
    if text is None:
        return GENERAL
    stripped = text.strip()
    if stripped == "*":
        return GENERAL
    key = _NON_WORD.sub("_", fold(stripped)).strip("_")
    if not key:
        return None
    return GENERAL if key in _GENERAL_WORDS else key


class ConsentNormaliser(Normaliser):
    """Consent as ``granted`` or ``withdrawn``; other values are flagged ``invalid``.

    >>> ConsentNormaliser().normalise_value("opt out").value
    'withdrawn'
    """

    name = "consent"

    def is_placeholder(self, text: str) -> bool:
        # "0", "x" and "no" are decisions here, not placeholders
        return consent_decision(text) is None and super().is_placeholder(text)

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        decision = consent_decision(text)
        if decision is None:
            return Normalised(None, None, INVALID, "consent_unknown")
        return Normalised(decision, decision, VALID, "")


class PurposeNormaliser(Normaliser):
    """Consent purposes: canonical names, several joined by ``;`` in name order.

    >>> PurposeNormaliser().normalise_value("Profiling, Marketing").value
    'marketing;profiling'
    """

    name = "consent_purpose"

    def is_placeholder(self, text: str) -> bool:
        return text.strip() != "*" and super().is_placeholder(text)

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        keys = {purpose_key(part) for part in _PURPOSE_SPLIT.split(text) if part.strip()}
        if not keys or None in keys:
            return Normalised(None, None, INVALID, "purpose_unreadable")
        purposes = sorted(k for k in keys if k is not None)
        if GENERAL in purposes:
            purposes = [GENERAL]  # the general purpose covers the others
        value = ";".join(purposes)
        return Normalised(value, value, VALID, "")
