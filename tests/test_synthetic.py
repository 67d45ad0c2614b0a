"""The seeded synthetic customer generator (goldenrec._synthetic)."""

from __future__ import annotations

import pandas as pd
import phonenumbers
import pytest

import goldenrec as gr
from goldenrec._synthetic import SyntheticData, generate_customers

N = 3_000
PLACEHOLDERS = {"0000000000", "123456789", "n/a"}


@pytest.fixture(scope="module")
def data() -> SyntheticData:
    return generate_customers(N, seed=7)


def test_same_seed_gives_identical_frames(data: SyntheticData) -> None:
    again = generate_customers(N, seed=7)
    assert list(again.frames) == list(data.frames)
    for name, frame in data.frames.items():
        assert frame.to_csv(index=False).encode() == again.frames[name].to_csv(
            index=False).encode()
    assert again.truth.equals(data.truth)
    other = generate_customers(N, seed=8)
    assert not other.frames["crm"].equals(data.frames["crm"])


def test_smaller_size_is_a_prefix_of_a_larger_one(data: SyntheticData) -> None:
    small = generate_customers(1_000, seed=7)
    pd.testing.assert_frame_equal(small.truth, data.truth.iloc[:1_000].reset_index(drop=True))
    for name, frame in small.frames.items():
        pd.testing.assert_frame_equal(frame, data.frames[name].iloc[:len(frame)])


def test_truth_covers_every_record_exactly_once(data: SyntheticData) -> None:
    assert list(data.truth.columns) == ["source", "record_key", "entity"]
    assert len(data.truth) == N == sum(len(f) for f in data.frames.values())
    assert not data.truth.duplicated(["source", "record_key"]).any()
    keys = pd.concat([pd.DataFrame({"source": spec.name,
                                    "record_key": data.frames[spec.name][spec.key]})
                      for spec in data.sources], ignore_index=True)
    merged = keys.merge(data.truth, on=["source", "record_key"], how="outer",
                        indicator=True, validate="1:1")
    assert (merged["_merge"] == "both").all()


def test_columns_and_sources(data: SyntheticData) -> None:
    assert [s.name for s in data.sources] == ["crm", "shop", "support"]
    assert [s.date_order for s in data.sources] == ["YMD", "DMY", "MDY"]
    assert all(s.phone_region for s in data.sources)
    assert list(data.frames["crm"].columns) == [
        "id", "first_name", "last_name", "email", "phone", "date_of_birth", "street", "city",
        "postcode", "country", "updated_at"]
    assert list(data.frames["shop"].columns) == [
        "customer_no", "given_name", "surname", "e_mail", "mobile", "dob", "address", "zip",
        "town", "country", "updated_at"]
    assert list(data.frames["support"].columns) == [
        "contact_id", "name", "email", "phone", "birthday", "country", "updated_at"]
    dates = data.frames["shop"]["dob"].dropna()
    assert dates.str.fullmatch(r"\d\d\.\d\d\.\d{4}").all()
    five = generate_customers(500, seed=1, sources=["a", "b", "c", "d", "e"])
    assert sorted(five.frames) == ["a", "b", "c", "d", "e"]
    assert len(five.truth) == 500


def test_duplicates_across_and_within_sources(data: SyntheticData) -> None:
    per_entity = data.truth.groupby("entity")["source"].agg(["nunique", "size"])
    assert (per_entity["nunique"] >= 2).mean() > 0.3
    assert (per_entity["nunique"] == 3).any()
    assert (per_entity["size"] > per_entity["nunique"]).any()  # twice in one source
    assert per_entity["size"].max() <= 4


def test_names_in_several_scripts(data: SyntheticData) -> None:
    names = pd.concat([data.frames["crm"]["last_name"], data.frames["shop"]["surname"],
                       data.frames["support"]["name"]]).dropna()
    assert names.str.contains(r"[\u0590-\u05FF]").sum() > 10  # Hebrew
    assert names.str.contains(r"[\u4E00-\u9FFF]").sum() > 10  # Han (Chinese, Japanese)
    assert names.str.contains("[äöüßāēīūņļķšžč]").sum() > 50  # German, Latvian
    assert (names.str.contains(r"[\u0590-\u05FF\u4E00-\u9FFF\u3040-\u30FF]").mean() < 0.2)


def test_phones_are_mostly_valid(data: SyntheticData) -> None:
    region = {spec.name: spec.phone_region for spec in data.sources}
    valid = total = 0
    for spec in data.sources:
        frame = data.frames[spec.name]
        phone_column = "mobile" if spec.name == "shop" else "phone"
        for phone, country in zip(frame[phone_column], frame["country"]):
            if not isinstance(phone, str) or phone in PLACEHOLDERS:
                continue
            where = country.upper() if isinstance(country, str) else region[spec.name]
            text = "+" + phone[2:] if phone.startswith("00") else phone
            try:
                number = phonenumbers.parse(text, where)
            except phonenumbers.NumberParseException:
                continue
            total += 1
            valid += phonenumbers.is_valid_number(number)
    assert total > N * 0.75
    assert valid / total > 0.97


def test_resolves_well_at_small_size() -> None:
    data = generate_customers(2_000, seed=3)
    result = gr.Pipeline(data.sources).resolve(data.frames)
    assert gr.evaluate(result, data.truth).pairwise.f1 > 0.9
