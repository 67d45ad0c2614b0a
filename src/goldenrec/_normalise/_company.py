"""Company names: the legal form (GmbH, Ltd, 株式会社, בע״מ...) recognised and set apart."""

from __future__ import annotations

import re
from functools import cache
from typing import Final, NamedTuple

from goldenrec._normalise._base import INVALID, VALID, Normalised, Normaliser
from goldenrec._normalise._text import (
    drop_symbols,
    fold,
    has_cjk,
    is_cjk,
    normalise_geresh,
    smart_title,
    squeeze_cjk_spaces,
    strip_diacritics,
)

__all__ = ["LEGAL_FORMS", "CompanyNormaliser", "LegalForm", "split_legal_form"]

#: Longer values are not company names: ``company_too_long``.
MAX_COMPANY_LENGTH: Final = 500

#: ``(code, display, variants, may_lead)``: the canonical code (the ``legal_form``
#: extra), how the display value writes it, the spellings recognised (case, dots and
#: diacritics do not matter) and whether it may also start the name (``SIA Rimi``,
#: ``株式会社トヨタ``); every form may end it. Several rows may share a code.
LEGAL_FORMS: Final[tuple[tuple[str, str, tuple[str, ...], bool], ...]] = (
    # German-speaking countries
    ("GmbH & Co. KG", "GmbH & Co. KG",
     ("GmbH & Co. KG", "GmbH und Co. KG", "GmbH + Co. KG", "GmbH & Cie. KG"), False),
    ("GmbH & Co. KGaA", "GmbH & Co. KGaA", ("GmbH & Co. KGaA",), False),
    ("AG & Co. KG", "AG & Co. KG", ("AG & Co. KG",), False),
    ("SE & Co. KGaA", "SE & Co. KGaA", ("SE & Co. KGaA",), False),
    ("gGmbH", "gGmbH", ("gGmbH",), False),
    ("GmbH", "GmbH", ("GmbH", "G.m.b.H.", "Ges.m.b.H.", "GesmbH", "mbH", "Gesellschaft mbH",
                      "Gesellschaft mit beschränkter Haftung"), False),
    ("UG", "UG (haftungsbeschränkt)",
     ("UG (haftungsbeschränkt)", "UG haftungsbeschränkt", "UG (haftungsbeschraenkt)", "UG"),
     False),
    ("AG", "AG", ("AG", "Aktiengesellschaft"), False),
    ("KGaA", "KGaA", ("KGaA", "Kommanditgesellschaft auf Aktien"), False),
    ("KG", "KG", ("KG", "Kommanditgesellschaft"), False),
    ("OHG", "OHG", ("OHG", "offene Handelsgesellschaft"), False),
    ("GbR", "GbR", ("GbR", "Gesellschaft bürgerlichen Rechts"), False),
    ("e.K.", "e.K.", ("e.K.", "e.Kfm.", "e.Kfr."), False),
    ("eG", "eG", ("eG",), False),
    ("e.V.", "e.V.", ("e.V.",), False),
    ("SE", "SE", ("SE", "Societas Europaea"), False),
    # English-speaking countries
    ("Co., Ltd.", "Co., Ltd.", ("Co., Ltd.", "Co. Ltd", "Company Limited", "Co. Limited",
                                "Ltd. Co.", "Coltd"), False),
    ("Pty Ltd", "Pty Ltd", ("Pty Ltd", "Pty. Ltd.", "Pty Limited", "Proprietary Limited",
                            "Pty"), False),
    ("Pvt Ltd", "Pvt Ltd", ("Pvt Ltd", "Pvt. Ltd.", "Private Limited"), False),
    ("Ltd", "Ltd", ("Ltd", "Limited"), False),
    ("PLC", "PLC", ("PLC", "Public Limited Company"), False),
    ("LLC", "LLC", ("LLC", "L.L.C.", "Limited Liability Company"), False),
    ("LLP", "LLP", ("LLP", "Limited Liability Partnership"), False),
    ("LP", "LP", ("LP", "Limited Partnership"), False),
    ("Inc", "Inc.", ("Inc", "Incorporated"), False),
    ("Corp", "Corp.", ("Corp", "Corporation"), False),
    ("Co", "& Co.", ("& Co", "and Co", "& Company", "and Company", "und Co", "& Cie"), False),
    ("Co", "Co.", ("Co", "Company"), False),
    # Romance languages, Benelux
    ("SA de CV", "S.A. de C.V.", ("S.A. de C.V.",), False),
    ("SARL", "S.A.R.L.", ("S.A.R.L.", "S.à r.l.", "Sàrl"), False),
    ("SAS", "S.A.S.", ("S.A.S.",), False),
    ("SA", "S.A.", ("S.A.", "Société Anonyme", "Sociedad Anónima"), False),
    ("SL", "S.L.", ("S.L.", "S.L.U.", "Sociedad Limitada"), False),
    ("SpA", "S.p.A.", ("S.p.A.", "Società per Azioni"), False),
    ("Srl", "S.r.l.", ("S.r.l.",), False),
    ("Ltda", "Ltda.", ("Ltda",), False),
    ("BVBA", "BVBA", ("BVBA",), False),
    ("BV", "B.V.", ("B.V.",), False),
    ("NV", "N.V.", ("N.V.",), False),
    # Nordic and Baltic countries
    ("Oyj", "Oyj", ("Oyj",), False),
    ("Oy", "Oy", ("Oy",), False),
    ("AB", "AB", ("AB", "AB (publ)", "Aktiebolag", "Aktiebolaget"), True),
    ("ASA", "ASA", ("ASA",), False),
    ("ApS", "ApS", ("ApS",), False),
    ("AS", "AS", ("AS", "A/S", "Aksjeselskap", "Aktieselskab", "Akciju sabiedrība"), True),
    ("SIA", "SIA", ("SIA", "Sabiedrība ar ierobežotu atbildību"), True),
    ("OÜ", "OÜ", ("OÜ",), True),
    ("UAB", "UAB", ("UAB",), True),
    # Central and Eastern Europe
    ("Sp. z o.o.", "Sp. z o.o.", ("Sp. z o.o.", "Sp. z.o.o.",
                                  "Spółka z ograniczoną odpowiedzialnością"), False),
    ("s.r.o.", "s.r.o.", ("s.r.o.", "spol. s r.o."), False),
    ("Kft.", "Kft.", ("Kft.",), False),
    ("Zrt.", "Zrt.", ("Zrt.",), False),
    ("d.o.o.", "d.o.o.", ("d.o.o.",), False),
    ("OOO", "ООО", ("ООО",), True),
    ("OOO", "OOO", ("OOO",), True),
    ("PAO", "ПАО", ("ПАО",), True),
    ("OAO", "ОАО", ("ОАО",), True),
    ("ZAO", "ЗАО", ("ЗАО",), True),
    ("AO", "АО", ("АО",), True),
    ("PT", "PT", ("PT", "P.T."), True),
    # Israel
    ("Ltd", "בע״מ", ('בע"מ', "בערבון מוגבל"), False),
    # Japan, China, Korea
    ("KK", "K.K.", ("K.K.", "Kabushiki Kaisha", "Kabushiki-gaisha"), False),
    ("KK", "株式会社", ("株式会社", "(株)"), True),
    ("YK", "有限会社", ("有限会社", "(有)"), True),
    ("GK", "合同会社", ("合同会社", "(同)"), True),
    ("Co., Ltd.", "股份有限公司", ("股份有限公司",), False),
    ("Co., Ltd.", "有限责任公司", ("有限责任公司",), False),
    ("Co., Ltd.", "有限責任公司", ("有限責任公司",), False),
    ("Co., Ltd.", "有限公司", ("有限公司",), False),
    ("Co., Ltd.", "주식회사", ("주식회사", "(주)"), True),
    ("Ltd", "유한회사", ("유한회사", "(유)"), True),
)

#: Two-letter forms that are also words (``As Good As New``): at the start of a name
#: only when written in capitals (``AS Tallink``); at the end in any case.
_WORDLIKE_PREFIXES: Final = frozenset({("as",), ("ab",), ("ao",), ("pt",)})
#: Values of a company field that mean "no company".
COMPANY_PLACEHOLDERS: Final = frozenset({
    "private", "privat", "privatperson", "private person", "privatkunde", "private customer",
    "self employed", "selfemployed", "self", "freelance", "freelancer", "selbstandig",
    "selbststandig", "individual", "retired", "student", "no company", "keine", "keine firma",
    "none given", "homemaker", "unemployed",
})

_TOKEN: Final = re.compile(r"[^\s,]+")
_FORM_DROP: Final = re.compile("[.'\"`´’‘“”„«»()\\[\\]\\-\u05f3\u05f4]+")
_ALNUM: Final = re.compile(r"[^\W_]")
_SPACE: Final = re.compile(r"\s+")
_EDGE_JUNK: Final = re.compile(r"^[\s,;:&+/\-–—]+|[\s,;:&+/\-–—]+$")
_OPENING_QUOTES: Final = "\"'„“«‚‘「『"
_CLOSING_QUOTES: Final = "\"'”“»’‘」』"
_MAX_FORM_TOKENS: Final = 6


class LegalForm(NamedTuple):
    """A legal form found in a company name."""

    code: str
    display: str
    leading: bool


class _Split(NamedTuple):
    name: str
    form: LegalForm | None
    spaced: bool = True  # a space between name and form (none in 山田商事株式会社)


def _form_token(token: str) -> str:
    return _FORM_DROP.sub("", strip_diacritics(token.casefold()))


def _form_tokens(text: str) -> tuple[str, ...]:
    return tuple(t for t in (_form_token(m.group(0)) for m in _TOKEN.finditer(text)) if t)


def _is_cjk_form(variant: str) -> bool:
    return any(is_cjk(ch) or ch in "(株有同주유" for ch in variant)


@cache
def _tables() -> tuple[dict[tuple[str, ...], tuple[str, str, bool]],
                       tuple[tuple[str, str, str, bool], ...]]:
    """Token-sequence forms, and CJK forms (matched as strings), longest first."""
    by_tokens: dict[tuple[str, ...], tuple[str, str, bool]] = {}
    cjk: list[tuple[str, str, str, bool]] = []
    for code, display, variants, may_lead in LEGAL_FORMS:
        for variant in variants:
            if _is_cjk_form(variant):
                cjk.append((variant, code, display, may_lead))
            else:
                by_tokens.setdefault(_form_tokens(variant), (code, display, may_lead))
    cjk.sort(key=lambda row: -len(row[0]))
    return by_tokens, tuple(cjk)


def _strip_quotes(name: str) -> str:
    name = _EDGE_JUNK.sub("", name)
    if len(name) >= 2 and name[0] in _OPENING_QUOTES and name[-1] in _CLOSING_QUOTES:
        name = name[1:-1].strip()
    return name


def split_legal_form(text: str) -> tuple[str, LegalForm | None]:
    """Split a company name into the name and its legal form (start or end of the name).

    >>> split_legal_form("Acme Widgets GmbH & Co. KG")
    ('Acme Widgets', LegalForm(code='GmbH & Co. KG', display='GmbH & Co. KG', leading=False))
    >>> split_legal_form('SIA "Rimi Latvija"')
    ('Rimi Latvija', LegalForm(code='SIA', display='SIA', leading=True))
    >>> split_legal_form("(株)山田商事")
    ('山田商事', LegalForm(code='KK', display='株式会社', leading=True))
    """
    found = _split(text)
    return found.name, found.form


def _split(text: str) -> _Split:
    by_tokens, cjk = _tables()
    stripped = text.strip()
    for variant, code, display, _ in cjk:
        if stripped.endswith(variant):
            rest = stripped[: -len(variant)]
            return _Split(_strip_quotes(rest), LegalForm(code, display, False),
                          rest[-1:].isspace())
    matches = [m for m in _TOKEN.finditer(stripped) if _form_token(m.group(0))]
    keys = [_form_token(m.group(0)) for m in matches]
    for size in range(min(_MAX_FORM_TOKENS, len(keys)), 0, -1):
        tail = tuple(keys[-size:])
        row = by_tokens.get(tail)
        if row is None and size > 1 and all(len(k) == 1 for k in tail):
            row = by_tokens.get(("".join(tail),))  # "S. A.", "B V"
        if row is not None:
            cut = matches[-size].start()
            return _Split(_strip_quotes(stripped[:cut]), LegalForm(row[0], row[1], False))
    for variant, code, display, may_lead in cjk:
        if may_lead and stripped.startswith(variant):
            rest = stripped[len(variant):]
            return _Split(_strip_quotes(rest), LegalForm(code, display, True),
                          rest[:1].isspace())
    for size in range(min(_MAX_FORM_TOKENS, len(keys)), 0, -1):
        head = tuple(keys[:size])
        row = by_tokens.get(head)
        if row is None or not row[2]:
            continue
        if head in _WORDLIKE_PREFIXES and not matches[0].group(0).isupper():
            continue
        cut = matches[size - 1].end()
        return _Split(_strip_quotes(stripped[cut:]), LegalForm(row[0], row[1], True))
    return _Split(_strip_quotes(stripped), None)


def _tidy(name: str) -> str:
    """Tidy case, but a short all-capitals name is an acronym (``IBM``, ``BMW``)."""
    if " " not in name and len(name) <= 4 and name.isupper():
        return name
    return smart_title(name)


def _join(name: str, form: LegalForm, spaced: bool) -> str:
    gap = " " if spaced or not has_cjk(form.display) else ""
    return f"{form.display}{gap}{name}" if form.leading else f"{name}{gap}{form.display}"


class CompanyNormaliser(Normaliser):
    """Company names: tidy display value, key folded without the legal form.

    The legal form is recognised at the start or the end of the name, with or without
    dots and in any case, and given as a canonical code in the ``legal_form`` extra:
    ``Acme GmbH`` and ``ACME`` have the same key.

    >>> CompanyNormaliser().normalise_value("acme widgets gmbh")[:2]
    ('Acme Widgets GmbH', 'acme widgets')
    >>> CompanyNormaliser().normalise_value("ACME, Inc.").extra
    ('Inc',)
    >>> CompanyNormaliser().normalise_value("トヨタ自動車(株)").value
    'トヨタ自動車株式会社'
    """

    name = "company"
    extra_fields = ("legal_form",)

    def is_placeholder(self, text: str) -> bool:
        return fold(text) in COMPANY_PLACEHOLDERS or super().is_placeholder(text)

    def normalise_value(
        self, text: str, *, region: str | None = None, date_order: str | None = None
    ) -> Normalised:
        text = _SPACE.sub(" ", drop_symbols(normalise_geresh(text))).strip()
        if not _ALNUM.search(text):
            return Normalised(None, None, INVALID, "no_letters_or_digits")
        if len(text) > MAX_COMPANY_LENGTH:
            return Normalised(None, None, INVALID, "company_too_long")
        name, form, spaced = _split(text)
        key = _SPACE.sub(" ", squeeze_cjk_spaces(fold(name))).strip()
        if not _ALNUM.search(key):
            if form is not None:
                return Normalised(None, None, INVALID, "company_only_legal_form")
            return Normalised(None, None, INVALID, "no_letters_or_digits")
        tidy = _tidy(name)
        display = _join(tidy, form, spaced) if form is not None else tidy
        return Normalised(display, key, VALID, "", (form.code if form else None,))
