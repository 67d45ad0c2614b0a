"""Company names: legal forms recognised at the start or end, key without the legal form.

Table-driven: display value, key, status, reason and ``legal_form`` per case. None may
raise.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goldenrec._normalise._company import (
    LEGAL_FORMS,
    CompanyNormaliser,
    LegalForm,
    split_legal_form,
)

NASTY = [None, float("nan"), "", "   ", "\ud800", "a\udfffb", "😀" * 3, "x" * 10_000,
         "Acme " * 2_000, "123", "\u200f\u202e", "N/A", 42, 3.5, "🇩🇪 +49", "\x00\x1f",
         "GmbH", "(株)", "&", '"', "„”"]


def normalise_one(raw: object) -> tuple[object, ...]:
    out = CompanyNormaliser().normalise(pd.Series([raw], dtype=object)).iloc[0]
    return tuple(None if pd.isna(v) else v for v in out.tolist())


COMPANY_CASES = [
    # raw, value, key, status, reason, legal_form
    # Germany, Austria, Switzerland
    ("Acme GmbH", "Acme GmbH", "acme", "valid", "", "GmbH"),
    ("ACME", "ACME", "acme", "valid", "", None),
    ("ACME GMBH", "ACME GmbH", "acme", "valid", "", "GmbH"),
    ("acme g.m.b.h.", "Acme GmbH", "acme", "valid", "", "GmbH"),
    ("Acme Ges.m.b.H.", "Acme GmbH", "acme", "valid", "", "GmbH"),
    ("Acme Widgets GmbH & Co. KG", "Acme Widgets GmbH & Co. KG", "acme widgets", "valid",
     "", "GmbH & Co. KG"),
    ("Siemens Aktiengesellschaft", "Siemens AG", "siemens", "valid", "", "AG"),
    ("Müller & Söhne OHG", "Müller & Söhne OHG", "muller & sohne", "valid", "", "OHG"),
    ("Start-up UG (haftungsbeschränkt)", "Start-up UG (haftungsbeschränkt)", "start up",
     "valid", "", "UG"),
    ("Airbus SE", "Airbus SE", "airbus", "valid", "", "SE"),
    # English-speaking countries
    ("Apple, Inc.", "Apple Inc.", "apple", "valid", "", "Inc"),
    ("Microsoft Corporation", "Microsoft Corp.", "microsoft", "valid", "", "Corp"),
    ("Tesco PLC", "Tesco PLC", "tesco", "valid", "", "PLC"),
    ("ACME LIMITED", "ACME Ltd", "acme", "valid", "", "Ltd"),
    ("Acme L.L.C.", "Acme LLC", "acme", "valid", "", "LLC"),
    ("Acme Co.,Ltd.", "Acme Co., Ltd.", "acme", "valid", "", "Co., Ltd."),
    ("Acme Ltd. Co.", "Acme Co., Ltd.", "acme", "valid", "", "Co., Ltd."),
    ("Acme Pty. Ltd.", "Acme Pty Ltd", "acme", "valid", "", "Pty Ltd"),
    ("Smith & Co", "Smith & Co.", "smith", "valid", "", "Co"),
    ("Infosys Pvt. Ltd.", "Infosys Pvt Ltd", "infosys", "valid", "", "Pvt Ltd"),
    # France, Spain, Italy, Benelux, Mexico
    ("Danone S.A.", "Danone S.A.", "danone", "valid", "", "SA"),
    ("Foo S. A.", "Foo S.A.", "foo", "valid", "", "SA"),
    ("Boulangerie Paul sarl", "Boulangerie Paul S.A.R.L.", "boulangerie paul", "valid", "",
     "SARL"),
    ("Fiat S.p.A.", "Fiat S.p.A.", "fiat", "valid", "", "SpA"),
    ("Philips N.V.", "Philips N.V.", "philips", "valid", "", "NV"),
    ("Foo BV", "Foo B.V.", "foo", "valid", "", "BV"),
    ("Grupo Bimbo S.A. de C.V.", "Grupo Bimbo S.A. de C.V.", "grupo bimbo", "valid", "",
     "SA de CV"),
    # Nordic and Baltic countries
    ('SIA "Rimi Latvija"', "SIA Rimi Latvija", "rimi latvija", "valid", "", "SIA"),
    ("SIA „Rimi Latvija”", "SIA Rimi Latvija", "rimi latvija", "valid", "", "SIA"),
    ("Rimi Latvija SIA", "Rimi Latvija SIA", "rimi latvija", "valid", "", "SIA"),
    ("AS Latvijas Gāze", "AS Latvijas Gāze", "latvijas gaze", "valid", "", "AS"),
    ("As Good As New", "As Good As New", "as good as new", "valid", "", None),
    ("AB Volvo", "AB Volvo", "volvo", "valid", "", "AB"),
    ("Nokia Oyj", "Nokia Oyj", "nokia", "valid", "", "Oyj"),
    ("Novo Nordisk A/S", "Novo Nordisk AS", "novo nordisk", "valid", "", "AS"),
    # Central and Eastern Europe
    ("Foo Sp. z o.o.", "Foo Sp. z o.o.", "foo", "valid", "", "Sp. z o.o."),
    ("Škoda s.r.o.", "Škoda s.r.o.", "skoda", "valid", "", "s.r.o."),
    ("ООО «Ромашка»", "ООО Ромашка", "ромашка", "valid", "", "OOO"),
    ("ПАО Сбербанк", "ПАО Сбербанк", "сбербанк", "valid", "", "PAO"),
    # Israel (right to left, with gershayim or a typed quote)
    ('טבע תעשיות פרמצבטיות בע"מ', "טבע תעשיות פרמצבטיות בע״מ", "טבע תעשיות פרמצבטיות",
     "valid", "", "Ltd"),
    ("\u202bטבע בע״מ\u202c", "טבע בע״מ", "טבע", "valid", "", "Ltd"),
    # Japan, China, Korea
    ("トヨタ自動車株式会社", "トヨタ自動車株式会社", "トヨタ自動車", "valid", "", "KK"),
    ("株式会社トヨタ", "株式会社トヨタ", "トヨタ", "valid", "", "KK"),
    ("(株)山田商事", "株式会社山田商事", "山田商事", "valid", "", "KK"),
    ("山田商事㈱", "山田商事株式会社", "山田商事", "valid", "", "KK"),
    ("（株）山田", "株式会社山田", "山田", "valid", "", "KK"),
    ("Toyota K.K.", "Toyota K.K.", "toyota", "valid", "", "KK"),
    ("华为技术有限公司", "华为技术有限公司", "华为技术", "valid", "", "Co., Ltd."),
    ("台湾积体电路制造股份有限公司", "台湾积体电路制造股份有限公司", "台湾积体电路制造",
     "valid", "", "Co., Ltd."),
    ("北京某某有限责任公司", "北京某某有限责任公司", "北京某某", "valid", "", "Co., Ltd."),
    ("삼성전자 주식회사", "삼성전자 주식회사", "삼성전자", "valid", "", "Co., Ltd."),
    # numbers, emoji, nasty
    ("1&1 AG", "1&1 AG", "1&1", "valid", "", "AG"),
    ("3M Company", "3M Co.", "3m", "valid", "", "Co"),
    ("Acme 🚀 GmbH", "Acme GmbH", "acme", "valid", "", "GmbH"),
    ("IBM", "IBM", "ibm", "valid", "", None),
    ("GmbH", None, None, "invalid", "company_only_legal_form", None),
    ("株式会社", None, None, "invalid", "company_only_legal_form", None),
    ("private", None, None, "placeholder", "placeholder_value", None),
    ("n/a", None, None, "placeholder", "placeholder_value", None),
    ("😀", None, None, "invalid", "no_letters_or_digits", None),
    ("x" * 10_000, None, None, "invalid", "company_too_long", None),
    ("\ud800", None, None, "missing", "empty", None),
    ("", None, None, "missing", "empty", None),
    (None, None, None, "missing", "empty", None),
]


@pytest.mark.parametrize(
    ("raw", "value", "key", "status", "reason", "legal_form"),
    COMPANY_CASES,
    ids=[str(c[0])[:24] for c in COMPANY_CASES],
)
def test_company_normaliser(*, raw: object, value: str | None, key: str | None, status: str,
                            reason: str, legal_form: str | None) -> None:
    assert normalise_one(raw) == (value, key, status, reason, legal_form)


def test_legal_form_does_not_change_the_key() -> None:
    out = CompanyNormaliser().normalise(pd.Series(
        ["Acme GmbH", "ACME", "acme g.m.b.h.", "Acme, Inc.", "ACME LTD", "SIA Acme",
         "Acme Aktiengesellschaft"]))
    assert set(out["key"]) == {"acme"}


def test_nasty_companies_never_raise() -> None:
    values = pd.Series(NASTY, dtype=object)
    out = CompanyNormaliser().normalise(values)
    assert list(out.columns) == ["value", "key", "status", "reason", "legal_form"]
    assert len(out) == len(values)
    assert set(out["status"]) <= {"valid", "invalid", "missing", "placeholder"}
    assert "normaliser_error" not in set(out["reason"])


def test_split_legal_form() -> None:
    assert split_legal_form("Acme Widgets GmbH & Co. KG") == (
        "Acme Widgets", LegalForm("GmbH & Co. KG", "GmbH & Co. KG", leading=False))
    assert split_legal_form("SIA Rimi") == ("Rimi", LegalForm("SIA", "SIA", leading=True))
    assert split_legal_form("Rimi") == ("Rimi", None)
    assert split_legal_form("") == ("", None)


def test_every_variant_is_recognised() -> None:
    for code, _, variants, may_lead in LEGAL_FORMS:
        for variant in variants:
            name, form = split_legal_form(f"Zeta Widgets {variant}")
            assert (name, form and form.code) == ("Zeta Widgets", code), variant
            if may_lead:
                name, form = split_legal_form(f"{variant} Zeta Widgets")
                assert (name, form and form.code) == ("Zeta Widgets", code), variant


def test_repr_and_extras() -> None:
    assert repr(CompanyNormaliser()) == "CompanyNormaliser()"
    assert CompanyNormaliser.name == "company"
    assert CompanyNormaliser.extra_fields == ("legal_form",)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_normalised_without_error(text: str) -> None:
    result = CompanyNormaliser()._safe(text, None, None)
    assert result.reason != "normaliser_error"
    if result.status == "valid":
        assert result.key and result.value
