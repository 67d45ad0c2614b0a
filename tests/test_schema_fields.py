"""Custom fields with synonyms, their clashes, and the per-source settings."""

from __future__ import annotations

import inspect
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

import goldenrec as gr
from goldenrec._normalise._records import normaliser_for_kind
from goldenrec._roles import FIELD_KINDS, Field, check_fields, kind_of
from goldenrec.errors import ConfigError

SECRET = "Zyxwvutsrq"
INDUSTRY = Field("industry", synonyms=("sector", "business type"))


def three_apps() -> dict[str, pd.DataFrame]:
    return {
        "crm": pd.DataFrame({"id": ["c1", "c2"], "name": ["Ann Lee", "Bo Ray"],
                             "Sector": ["  RETAIL ", "banking"], "notes": ["vip", None]}),
        "shop": pd.DataFrame({"id": ["s1"], "industry": ["Retail"]}),
        "desk": pd.DataFrame({"id": ["d1"], "Business-Type": ["n/a"]}),
    }


def test_synonyms_in_three_apps_become_one_field() -> None:
    mapped = gr.SchemaMapper(fields=[INDUSTRY]).map(three_apps())
    frame = mapped.frame
    assert frame.columns.tolist() == ["source", "record_key", "full_name", "industry", "notes"]
    assert frame["industry"].tolist() == ["  RETAIL ", "banking", "n/a", "Retail"]
    assert mapped.roles == ["full_name", "industry"]
    rows = mapped.mapping[mapped.mapping["role"] == "industry"]
    assert sorted(zip(rows["source"], rows["column"], rows["how"])) == [
        ("crm", "Sector", "inferred"), ("desk", "Business-Type", "inferred"),
        ("shop", "industry", "inferred")]
    assert mapped.fields == (INDUSTRY,)
    # the notes column passes through untouched
    assert frame["notes"].iloc[0] == "vip" and pd.isna(frame["notes"].iloc[1])


def test_custom_field_is_normalised_by_its_kind() -> None:
    normalised = gr.RecordNormaliser().normalise(
        gr.SchemaMapper(fields=[INDUSTRY]).map(three_apps()))
    frame = normalised.frame
    assert frame["industry"].tolist() == ["Retail", "Banking", None, "Retail"]
    assert frame["industry_key"].tolist() == ["retail", "banking", None, "retail"]
    assert frame["industry_status"].tolist() == ["valid", "valid", "placeholder", "valid"]
    assert normalised.roles[-1] == "industry"
    quality = normalised.quality()
    assert set(quality["field"]) == {"full_name", "first_name", "middle_name", "last_name",
                                     "industry"}


@pytest.mark.parametrize(("kind", "raw", "key"), [
    ("identifier", "ab-12 34", "AB1234"),
    ("email", "Ann@Example.ORG", "ann@example.org"),
    ("date", "2001-04-03", "2001-04-03"),
    ("postcode", "sw1a 1aa", "SW1A1AA"),
    ("country", "Deutschland", "DE"),
    ("text", "  HIGH   street ", "high street"),
])
def test_kinds_pick_normalisers(kind: Any, raw: str, key: str) -> None:
    field = Field("extra_code", kind=kind)
    frame = pd.DataFrame({"id": ["1"], "extra_code": [raw]})
    normalised = gr.RecordNormaliser().normalise(
        gr.SchemaMapper(fields=[field]).map({"s": frame}))
    assert normalised.frame.loc[0, "extra_code_key"] == key
    assert normalised.frame.loc[0, "extra_code_status"] == "valid"


def test_phone_and_date_fields_get_the_source_context() -> None:
    fields = [Field("fax", kind="phone"), Field("joined", kind="date")]
    frame = pd.DataFrame({"id": ["1"], "fax": ["030 1234567"], "joined": ["03/04/2001"]})
    source = gr.Source("s", phone_region="DE", date_order="DMY")
    records = gr.RecordNormaliser().normalise(
        gr.SchemaMapper([source], fields=fields).map({"s": frame})).frame
    assert records.loc[0, "fax"] == "+49301234567"
    assert records.loc[0, "joined"] == "2001-04-03"


def test_every_kind_has_a_normaliser() -> None:
    for kind in FIELD_KINDS:
        assert isinstance(normaliser_for_kind(kind), gr.Normaliser)
    with pytest.raises(ConfigError, match="unknown field kind"):
        normaliser_for_kind("colour")
    assert kind_of("phone") == "phone"
    assert kind_of("industry", [INDUSTRY]) == "text"
    assert kind_of("nope") is None


def test_record_normaliser_fields_and_normalisers_override_kinds() -> None:
    frame = pd.DataFrame({"id": ["1"], "sector": ["ab-12"]})
    mapped = gr.SchemaMapper(fields=[INDUSTRY]).map({"s": frame})
    as_identifier = gr.RecordNormaliser(fields=[Field("industry", kind="identifier")])
    assert as_identifier.normalise(mapped).frame.loc[0, "industry_key"] == "AB12"
    as_postcode = gr.RecordNormaliser({"industry": gr.PostcodeNormaliser()})
    assert as_postcode.normalise(mapped).frame.loc[0, "industry"] == "AB-12"


def test_given_roles_can_name_custom_fields() -> None:
    frame = pd.DataFrame({"id": ["1"], "col7": ["Retail"]})
    mapped = gr.SchemaMapper([gr.Source("s", roles={"col7": "industry"})],
                             fields=[INDUSTRY]).map({"s": frame})
    assert mapped.frame.loc[0, "industry"] == "Retail"
    assert mapped.mapping.set_index("column").loc["col7", "how"] == "given"


def test_declared_synonyms_win_over_built_in_ones() -> None:
    brand = Field("brand", synonyms=("company_name",))
    frame = pd.DataFrame({"id": ["1"], "company_name": ["Acme"], "employer": ["Initech"]})
    mapped = gr.SchemaMapper(fields=[brand]).map({"s": frame})
    assert mapped.frame.loc[0, "brand"] == "Acme"
    assert mapped.frame.loc[0, "company"] == "Initech"


def test_built_in_roles_map_exactly_as_before(two_sources: dict[str, pd.DataFrame]) -> None:
    plain = gr.SchemaMapper([gr.Source("shop", key="customer_no")]).map(two_sources)
    with_fields = gr.SchemaMapper([gr.Source("shop", key="customer_no")],
                                  fields=[INDUSTRY]).map(two_sources)
    pd.testing.assert_frame_equal(plain.frame, with_fields.frame)
    pd.testing.assert_frame_equal(plain.mapping, with_fields.mapping)


# -- mistakes ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("fields", "message"), [
    ([Field("email")], "clashes with the built-in role 'email'"),
    ([Field("source")], "reserved column"),
    ([Field("Business Type")], "lower-case letters and digits joined by '_' "
                               r"\(e.g. 'business_type'\)"),
    ([Field("")], "must be lower-case"),
    ([Field("industry"), Field("industry")], "declared more than once"),
    ([Field("email_key")], "column the normalise stage adds for 'email'"),
    ([Field("industry"), Field("industry_status")], "adds for 'industry'"),
    ([Field("industry", kind="colour")], "unknown kind 'colour'"),  # type: ignore[arg-type]
    ([Field("industry", synonyms=("sector",)), Field("branch", synonyms=("sector",))],
     "'sector' is declared for both custom fields 'industry' and 'branch'"),
    ([Field("industry", synonyms=("phone",))], "name of a role or reserved column"),
    ([Field("industry", synonyms=(3,))], "must be strings"),  # type: ignore[arg-type]
    (["industry"], "must be Field specs"),
    (Field("industry"), "sequence of Field specs"),
])
def test_field_clashes_are_config_errors(fields: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        check_fields(fields)
    with pytest.raises(ConfigError, match=message):
        gr.SchemaMapper(fields=fields).map({"s": pd.DataFrame({"id": ["1"]})})


def test_two_columns_for_one_custom_field_names_source_and_columns() -> None:
    frame = pd.DataFrame({"id": ["1"], "sector": [SECRET], "industry": [SECRET]})
    with pytest.raises(ConfigError) as caught:
        gr.SchemaMapper(fields=[INDUSTRY]).map({"crm": frame})
    message = str(caught.value)
    assert "['industry', 'sector']" in message and "'crm'" in message
    assert SECRET not in message


def test_unknown_role_lists_custom_fields() -> None:
    frame = pd.DataFrame({"id": ["1"], "x": ["a"]})
    with pytest.raises(ConfigError, match="custom fields: industry"):
        gr.SchemaMapper([gr.Source("s", roles={"x": "shoe_size"})],
                        fields=[INDUSTRY]).map({"s": frame})


def test_unmapped_column_named_like_a_field_is_an_error() -> None:
    frame = pd.DataFrame({"id": ["1"], "industry": ["x"]})
    with pytest.raises(ConfigError, match="reserved"):
        gr.SchemaMapper([gr.Source("s", infer=False)], fields=[INDUSTRY]).map({"s": frame})


def test_source_configured_twice_is_an_error() -> None:
    with pytest.raises(ConfigError, match="more than once"):
        gr.SchemaMapper([gr.Source("s"), gr.Source("s")]).map(
            {"s": pd.DataFrame({"id": ["1"]})})


def test_field_spec_is_immutable_and_round_trips() -> None:
    field = Field("industry", synonyms=["sector"], kind="text")  # type: ignore[arg-type]
    assert field.synonyms == ("sector",)
    assert Field("industry", synonyms="sector").synonyms == ("sector",)  # type: ignore[arg-type]
    assert Field.from_dict(json.loads(json.dumps(field.to_dict()))) == field
    with pytest.raises(AttributeError):
        field.name = "other"  # type: ignore[misc]


# -- per-source settings ----------------------------------------------------------------------
def test_source_settings_round_trip_through_json() -> None:
    source = gr.Source("crm", key="id", roles={"x": "email"}, infer=False,
                       phone_region="LV", date_order="DMY", time_zone="Europe/Riga",
                       trust=0.75)
    data = json.loads(json.dumps(source.to_dict()))
    assert data["time_zone"] == "Europe/Riga" and data["trust"] == 0.75
    assert gr.Source.from_dict(data) == source


def test_old_saved_sources_get_the_defaults() -> None:
    old = {"name": "crm", "key": "id", "roles": None, "infer": True,
           "phone_region": None, "date_order": "YMD"}
    source = gr.Source.from_dict(old)
    assert source.time_zone is None and source.trust == 1.0


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", " Europe/Riga", "../etc/passwd",
                                  "Europe"])
def test_unknown_time_zone_is_a_config_error(zone: str) -> None:
    frame = pd.DataFrame({"id": ["1"]})
    with pytest.raises(ConfigError, match="not a known IANA time zone") as caught:
        gr.SchemaMapper([gr.Source("crm", time_zone=zone)]).map({"crm": frame})
    assert "'crm'" in str(caught.value)


@pytest.mark.parametrize("trust", [-0.1, 1.5, float("nan"), True, "high", None])
def test_trust_must_be_between_0_and_1(trust: Any) -> None:
    frame = pd.DataFrame({"id": ["1"]})
    with pytest.raises(ConfigError, match="trust of source 'crm'"):
        gr.SchemaMapper([gr.Source("crm", trust=trust)]).map({"crm": frame})


def test_trust_is_kept_and_key_default_applies() -> None:
    frame = pd.DataFrame({"ref": ["1"], "x": ["y"]})
    mapped = gr.SchemaMapper([gr.Source("crm", trust=0.2, phone_region="GB")],
                             key="ref").map({"crm": frame})
    assert mapped.sources["crm"] == gr.Source("crm", key="ref", phone_region="GB", trust=0.2)


def test_time_zone_turns_local_timestamps_into_utc() -> None:
    crm = pd.DataFrame({"id": ["1", "2", "3", "4", "5"],
                        "updated_at": ["2024-07-01 12:00", "2024-01-15T12:00:00",
                                       "2024-07-01T12:00:00+02:00", "2024-07-01T12:00Z",
                                       "2024-07-01"]})
    shop = pd.DataFrame({"id": ["1"], "updated_at": ["2024-07-01 12:00"]})
    sources = [gr.Source("crm", time_zone="Europe/Riga"), gr.Source("shop")]
    records = gr.RecordNormaliser().normalise(
        gr.SchemaMapper(sources).map({"crm": crm, "shop": shop})).frame
    values = dict(zip(zip(records["source"], records["record_key"]), records["updated_at"]))
    assert values[("crm", "1")] == "2024-07-01T09:00:00"  # summer time, UTC+3
    assert values[("crm", "2")] == "2024-01-15T10:00:00"  # winter time, UTC+2
    assert values[("crm", "3")] == "2024-07-01T10:00:00"  # the written offset wins
    assert values[("crm", "4")] == "2024-07-01T12:00:00"
    assert values[("crm", "5")] == "2024-06-30T21:00:00"  # local midnight
    assert values[("shop", "1")] == "2024-07-01T12:00:00"  # no zone: as written
    assert (records["updated_at_key"] == records["updated_at"]).all()


def test_time_zone_applies_to_custom_timestamp_fields() -> None:
    frame = pd.DataFrame({"id": ["1"], "last_login": ["2024-01-15 12:00"]})
    records = gr.RecordNormaliser().normalise(gr.SchemaMapper(
        [gr.Source("s", time_zone="America/New_York")],
        fields=[Field("last_login", kind="timestamp")]).map({"s": frame})).frame
    assert records.loc[0, "last_login"] == "2024-01-15T17:00:00"


# -- survivorship -----------------------------------------------------------------------------
def test_custom_fields_can_have_survivorship_rules() -> None:
    normalised = gr.RecordNormaliser().normalise(
        gr.SchemaMapper(fields=[INDUSTRY]).map(three_apps()))
    records = normalised.frame
    clusters = np.zeros(len(records), dtype=np.int64)
    golden, lineage, _ = gr.Survivorship({"industry": gr.Longest()}).survive(
        records, clusters, ["industry"])
    assert golden.loc[0, "industry"] == "Banking"
    assert lineage.loc[0, "rule"] == "longest"
    with pytest.raises(ConfigError, match="unknown field 'sector'"):
        gr.Survivorship({"sector": gr.Longest()}).survive(records, clusters, ["industry"])


# -- through the pipeline (once Pipeline takes ``fields``) ------------------------------------
needs_plumbing = pytest.mark.skipif(
    "fields" not in inspect.signature(gr.Pipeline).parameters,
    reason="Pipeline does not take fields yet")


@needs_plumbing
def test_pipeline_resolves_and_saves_custom_fields() -> None:
    frames = {
        "crm": pd.DataFrame({"id": ["1", "2"], "first_name": ["Ann", "Bob"],
                             "last_name": ["Lee", "Ray"], "email": ["ann@x.org", "bob@y.org"],
                             "sector": ["Retail", "Banking"]}),
        "shop": pd.DataFrame({"id": ["a"], "first_name": ["Ann"], "last_name": ["Lee"],
                              "email": ["ann@x.org"], "business_type": ["Retail trade"]}),
    }
    options: dict[str, Any] = {"fields": [INDUSTRY]}
    pipeline = gr.Pipeline([gr.Source("crm", trust=0.9, time_zone="Europe/Riga")],
                           survivorship={"industry": gr.Longest()}, **options)
    result = pipeline.resolve(frames)
    assert "industry" in result.golden.columns
    assert "Retail trade" in set(result.golden["industry"])
    loaded = gr.Pipeline.from_json(pipeline.to_json())
    assert list(vars(loaded)["fields"]) == [INDUSTRY]
    assert loaded.sources is not None and loaded.sources[0].trust == 0.9
    assert loaded.to_dict() == pipeline.to_dict()
