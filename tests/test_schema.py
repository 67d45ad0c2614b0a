from __future__ import annotations

import pandas as pd
import pytest

from goldenrec import SchemaMapper, Source, infer_role
from goldenrec.errors import ConfigError, InputError


@pytest.mark.parametrize(
    ("column", "role"),
    [
        ("given_name", "first_name"), ("Surname", "last_name"), ("dob", "date_of_birth"),
        ("soc_sec_id", "national_id"), ("suburb", "locality"), ("state", "region"),
        ("E-Mail", "email"), ("ZIP", "postcode"), ("Mobile", "phone"),
        ("birthDate", "date_of_birth"), ("notes", None),
    ],
)
def test_infer_role(column: str, role: str | None) -> None:
    assert infer_role(column) == role


def test_map_reports_inferred_roles_and_sorts(two_sources: dict[str, pd.DataFrame]) -> None:
    mapped = SchemaMapper([Source("shop", key="customer_no")]).map(two_sources)
    frame = mapped.frame
    assert list(frame[["source", "record_key"]].itertuples(index=False, name=None)) == sorted(
        frame[["source", "record_key"]].itertuples(index=False, name=None))
    assert {"first_name", "last_name", "email", "phone", "date_of_birth"} <= set(frame.columns)
    shop = mapped.mapping[mapped.mapping["source"] == "shop"].set_index("column")
    assert shop.loc["given_name", "role"] == "first_name"
    assert shop.loc["given_name", "how"] == "inferred"
    assert shop.loc["customer_no", "how"] == "key"


def test_source_column_splits_one_frame() -> None:
    frame = pd.DataFrame({"app": ["a", "b", "a"], "id": ["1", "1", "2"],
                          "name": ["Ann Lee", "Ann Lee", "Bo Ray"]})
    mapped = SchemaMapper(source_column="app").map(frame)
    assert mapped.frame["source"].tolist() == ["a", "a", "b"]
    assert "full_name" in mapped.frame.columns


def test_given_role_wins_and_passthrough_kept() -> None:
    frame = pd.DataFrame({"id": ["1"], "nm": ["Ann"], "notes": ["vip"]})
    mapped = SchemaMapper([Source("s", roles={"nm": "first_name"})]).map({"s": frame})
    assert mapped.frame.loc[0, "first_name"] == "Ann"
    assert mapped.frame.loc[0, "notes"] == "vip"


def test_unknown_role_is_a_config_error() -> None:
    frame = pd.DataFrame({"id": ["1"], "x": ["a"]})
    with pytest.raises(ConfigError, match="unknown role 'shoe_size'"):
        SchemaMapper([Source("s", roles={"x": "shoe_size"})]).map({"s": frame})


def test_two_columns_for_one_role_is_an_error() -> None:
    frame = pd.DataFrame({"id": ["1"], "surname": ["Lee"], "last_name": ["Lee"]})
    with pytest.raises(ConfigError, match="last_name"):
        SchemaMapper().map({"s": frame})


def test_duplicate_key_names_key_not_value() -> None:
    frame = pd.DataFrame({"id": ["k1", "k1"], "first_name": ["Zyxwv", "Qwert"]})
    with pytest.raises(InputError) as caught:
        SchemaMapper().map({"s": frame})
    message = str(caught.value)
    assert "record_key='k1'" in message and "column='id'" in message
    assert "Zyxwv" not in message and "Qwert" not in message
    assert caught.value.source == "s"


def test_missing_key_column_and_missing_key_value() -> None:
    with pytest.raises(InputError, match="record key column not found"):
        SchemaMapper(key="nope").map({"s": pd.DataFrame({"id": ["1"]})})
    with pytest.raises(InputError, match="missing record key in row 1"):
        SchemaMapper().map({"s": pd.DataFrame({"id": ["1", None]})})
    with pytest.raises(InputError, match="no record key column"):
        SchemaMapper().map({"s": pd.DataFrame({"name": ["x"]})})


def test_numeric_values_become_text_without_float_suffix() -> None:
    frame = pd.DataFrame({"id": [1, 2], "postcode": [2119.0, None]})
    mapped = SchemaMapper().map({"s": frame})
    assert mapped.frame["record_key"].tolist() == ["1", "2"]
    assert mapped.frame.loc[0, "postcode"] == "2119"
    assert pd.isna(mapped.frame.loc[1, "postcode"])


def test_bad_source_settings() -> None:
    frame = pd.DataFrame({"id": ["1"]})
    with pytest.raises(ConfigError, match="date_order"):
        SchemaMapper([Source("s", date_order="DDMM")]).map({"s": frame})  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="phone_region"):
        SchemaMapper([Source("s", phone_region="GBR")]).map({"s": frame})
    with pytest.raises(ConfigError, match="not in the data"):
        SchemaMapper([Source("other")]).map({"s": frame})
