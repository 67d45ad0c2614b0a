"""Values shared by implausibly many people become placeholders (``too_frequent``).

Also the normalise stage's distinct-value and worker-process machinery.
"""

from __future__ import annotations

import json
import logging
import pickle
from typing import Any

import pandas as pd
import pytest

import goldenrec as gr
import goldenrec._normalise._base as base
from goldenrec._normalise._records import DEFAULT_FREQUENCY, FrequencyLimits
from goldenrec._roles import Field
from goldenrec.errors import ConfigError

SHARED = "shared.secret@example.org"


def people(n: int, **columns: Any) -> pd.DataFrame:
    """``n`` records of different people; extra columns are constants or lists."""
    frame: pd.DataFrame = pd.DataFrame({
        "id": [f"r{i:04d}" for i in range(n)],
        "first_name": [f"Given{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}" for i in range(n)],
        "last_name": [f"Family{chr(97 + i // 7 % 26)}{chr(97 + i % 7)}" for i in range(n)],
    })
    for name, value in columns.items():
        frame[name] = value
    return frame


def normalise(frame: pd.DataFrame, **options: Any) -> pd.DataFrame:
    mapped = gr.SchemaMapper(options.pop("sources", None),
                             fields=options.pop("fields", None)).map({"s": frame})
    records: pd.DataFrame = gr.RecordNormaliser(**options).normalise(mapped).frame
    return records


def emails(n_shared: int, n_other: int) -> list[str]:
    return [SHARED] * n_shared + [f"own{i}@example.org" for i in range(n_other)]


def test_an_email_of_many_people_is_a_placeholder() -> None:
    records = normalise(people(80, email=emails(51, 29)))
    shared = records["email_key"].isna() & (records["email_status"] == "placeholder")
    assert shared.sum() == 51
    assert set(records.loc[shared, "email_reason"]) == {"too_frequent"}
    assert records.loc[shared, "email"].isna().all()
    assert (records.loc[~shared, "email_status"] == "valid").all()


def test_the_limit_is_more_than_max_identifier_count_people() -> None:
    at_limit = normalise(people(50, email=SHARED))
    assert (at_limit["email_status"] == "valid").all()
    lower = normalise(people(50, email=SHARED),
                      frequency=FrequencyLimits(max_identifier_count=49))
    assert (lower["email_reason"] == "too_frequent").all()


def test_one_person_with_many_records_keeps_their_email() -> None:
    frame = people(120, email=SHARED)
    frame["first_name"], frame["last_name"] = "Ann", "Lee"
    records = normalise(frame)
    assert (records["email_status"] == "valid").all()


def test_records_without_a_name_count_one_each() -> None:
    frame = people(60, email=SHARED)
    frame["first_name"], frame["last_name"] = None, None
    assert (normalise(frame)["email_reason"] == "too_frequent").all()
    only_full = pd.DataFrame({"id": [str(i) for i in range(60)], "name": "Ann Lee",
                              "email": SHARED})
    assert (normalise(only_full)["email_status"] == "valid").all()


@pytest.mark.parametrize(("column", "value", "limit_kw"), [
    ("phone", "+44 20 7946 0018", {}),
    ("national_id", "123-45-6789", {}),
])
def test_phones_and_national_ids_too(column: str, value: str, limit_kw: dict[str, Any]) -> None:
    records = normalise(people(60, **{column: value}))
    assert (records[f"{column}_reason"] == "too_frequent").all()


def test_names_addresses_and_house_numbers_are_never_checked() -> None:
    frame = people(200, street_number="1", street="High Street", locality="London",
                   company="Acme")
    frame["first_name"], frame["last_name"] = "John", "Smith"
    records = normalise(frame)
    for role in ("first_name", "last_name", "street_number", "street", "locality",
                 "company"):
        assert (records[f"{role}_status"] == "valid").all(), role


def spread_dates(n: int) -> list[str]:
    return [f"19{50 + i % 40}-{1 + i % 12:02d}-{2 + i % 27:02d}" for i in range(n)]


def test_a_default_birth_date_stands_out_from_spread_dates() -> None:
    dates = spread_dates(400)
    dates[:51] = ["1970-01-01"] * 51
    records = normalise(people(400, date_of_birth=dates))
    flagged = records["date_of_birth_reason"] == "too_frequent"
    assert flagged.sum() == 51
    assert (records.loc[flagged, "record_key"] < "r0051").all()
    dates[:51] = ["1970-03-07"] * 50 + [dates[51]]  # 50 people: not more than 50
    records = normalise(people(400, date_of_birth=dates))
    assert (records["date_of_birth_status"] == "valid").all()


def test_a_pattern_of_year_only_dates_is_not_a_placeholder() -> None:
    dates = spread_dates(1000)
    for i, year in enumerate((1850, 1851, 1852)):
        dates[i * 60:(i + 1) * 60] = [f"{year}-01-01"] * 60
    dates[180:240] = ["1970-03-07"] * 60
    records = normalise(people(1000, date_of_birth=dates))
    flagged = records.loc[records["date_of_birth_reason"] == "too_frequent", "record_key"]
    assert flagged.tolist() == [f"r{i:04d}" for i in range(180, 240)]
    # two 1sts of January are not yet a pattern
    dates[120:180] = spread_dates(60)
    records = normalise(people(1000, date_of_birth=dates))
    assert (records["date_of_birth_reason"] == "too_frequent").sum() == 180


def test_dates_shared_by_design_are_not_flagged() -> None:
    # 40 people on each of 50 dates: the median is 40, so the limit is 800
    dates = [f"2001-01-{1 + i % 25:02d}" if i % 2 else f"2002-02-{1 + i % 25:02d}"
             for i in range(2000)]
    records = normalise(people(2000, date_of_birth=dates))
    assert (records["date_of_birth_status"] == "valid").all()


def test_custom_fields_follow_their_kind() -> None:
    fields = [Field("loyalty_id", kind="identifier"), Field("industry"),
              Field("joined", kind="date")]
    joined = ["2020-01-01"] * 60 + spread_dates(60)
    frame = people(120, loyalty_id="L-1", industry="Retail", joined=joined)
    records = normalise(frame, fields=fields)
    assert (records["loyalty_id_reason"] == "too_frequent").all()
    assert (records["industry_status"] == "valid").all()
    assert (records["joined_reason"] == "too_frequent").sum() == 60


def test_a_date_everyone_shares_cannot_stand_out() -> None:
    # with nothing spread out to compare with, the median is the date itself
    records = normalise(people(100, date_of_birth="1970-01-01"))
    assert (records["date_of_birth_status"] == "valid").all()


def test_the_check_can_be_chosen_per_field_or_switched_off() -> None:
    frame = people(60, email=SHARED, phone="+44 20 7946 0018", date_of_birth="1970-01-01")
    off = normalise(frame, frequency=None)
    assert not (off.filter(like="_reason") == "too_frequent").any().any()
    only_email = normalise(frame, frequency=FrequencyLimits(identifiers=("email",), dates=()))
    assert (only_email["email_reason"] == "too_frequent").all()
    assert (only_email["phone_status"] == "valid").all()
    assert (only_email["date_of_birth_status"] == "valid").all()
    streets = normalise(people(60, street="High Street"),
                        frequency=FrequencyLimits(identifiers=("street",)))
    assert (streets["street_reason"] == "too_frequent").all()


def test_the_result_does_not_depend_on_row_order() -> None:
    frame = people(90, email=emails(55, 35))
    forward = normalise(frame)
    backward = normalise(frame.iloc[::-1].reset_index(drop=True))
    pd.testing.assert_frame_equal(forward, backward)


def test_too_frequent_values_never_block() -> None:
    frame = people(60, email=SHARED)
    records = normalise(frame)
    pairs = gr.Blocker([gr.block_on("email")]).block(records)
    assert len(pairs) == 0
    assert len(gr.Blocker([gr.block_on("email")]).block(normalise(frame, frequency=None)))


def test_logs_count_but_never_show_values(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="goldenrec"):
        normalise(people(60, email=SHARED))
    assert "email: 1 value(s) held by more than 50 people" in caplog.text
    assert SHARED not in caplog.text


@pytest.mark.parametrize(("limits", "message"), [
    (FrequencyLimits(max_identifier_count=0), "max_identifier_count"),
    (FrequencyLimits(min_date_count=2.5), "min_date_count"),  # type: ignore[arg-type]
    (FrequencyLimits(date_factor=float("inf")), "date_factor"),
    (FrequencyLimits(identifiers="email"), "identifiers"),  # type: ignore[arg-type]
    ("strict", "FrequencyLimits or None"),
])
def test_bad_limits_are_config_errors(limits: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        normalise(people(3), frequency=limits)


def test_limits_round_trip_through_json() -> None:
    limits = FrequencyLimits(max_identifier_count=10, date_factor=5.0, min_date_count=3,
                             identifiers=("email", "fax"), dates=())
    assert FrequencyLimits.from_dict(json.loads(json.dumps(limits.to_dict()))) == limits
    assert FrequencyLimits.from_dict(DEFAULT_FREQUENCY.to_dict()) == DEFAULT_FREQUENCY


# -- distinct values and worker processes -----------------------------------------------------
def test_factorize_keeps_first_appearance_and_treats_all_missing_alike() -> None:
    values = pd.Series(["b", None, "a", float("nan"), "b", "a"], dtype=object)
    region = pd.Series(["GB", "GB", None, "GB", "GB", "DE"], dtype=object)
    codes, uniques = base._factorize([values, region])
    assert codes.tolist() == [0, 1, 2, 1, 0, 3]
    assert uniques == [["b", None, "a", "a"], ["GB", "GB", None, "DE"]]


@pytest.fixture
def small_parallel_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "PARALLEL_MIN_VALUES", 10)
    monkeypatch.setattr(base, "PARALLEL_MIN_SECONDS", 0.0)
    monkeypatch.setattr(base, "_PROBE_VALUES", 5)
    monkeypatch.setattr(base, "_workers", lambda n_jobs, n: 1 if n_jobs == 1 else 2)


def test_worker_processes_give_the_same_output(
    small_parallel_threshold: None, caplog: pytest.LogCaptureFixture,
) -> None:
    values = pd.Series([f"+44 20 7946 {i:04d}" if i % 5 else "n/a" for i in range(3000)]
                       + [None, "030 1234567"])
    region = pd.Series(["GB"] * 3000 + [None, "DE"])
    with base.parallelism(1):
        serial = gr.PhoneNormaliser().normalise(values, region=region)
    with caplog.at_level(logging.DEBUG, logger="goldenrec"), base.parallelism(2):
        parallel = gr.PhoneNormaliser().normalise(values, region=region)
    assert "in 2 processes" in caplog.text
    pd.testing.assert_frame_equal(serial, parallel)
    assert parallel["status"].iloc[-1] == "valid"


class _Unpicklable(gr.TextNormaliser):
    def __reduce__(self) -> Any:
        raise pickle.PicklingError("not today")


def test_unpicklable_normalisers_run_in_worker_processes_too(
    small_parallel_threshold: None, caplog: pytest.LogCaptureFixture,
) -> None:
    values = pd.Series([f"street {i}" for i in range(200)])
    with caplog.at_level(logging.DEBUG, logger="goldenrec"), base.parallelism(2):
        out = _Unpicklable().normalise(values)
    assert out["key"].tolist() == [f"street {i}" for i in range(200)]
    assert "in 2 processes" in caplog.text  # forked workers inherit it: nothing pickled
    assert "failed" not in caplog.text


def test_a_broken_pool_normalises_in_one_process(
    small_parallel_threshold: None, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any) -> Any:
        raise OSError("no processes here")

    monkeypatch.setattr(base, "fork_map", broken)
    values = pd.Series([f"street {i}" for i in range(200)])
    with caplog.at_level(logging.WARNING, logger="goldenrec"), base.parallelism(2):
        out = _Unpicklable().normalise(values)
    assert out["key"].tolist() == [f"street {i}" for i in range(200)]
    assert "worker processes failed (OSError)" in caplog.text


def test_n_jobs_is_checked() -> None:
    with pytest.raises(ConfigError, match="n_jobs"):
        gr.RecordNormaliser(n_jobs=0).normalise(gr.SchemaMapper().map(
            {"s": pd.DataFrame({"id": ["1"]})}))
    with pytest.raises(ConfigError, match="n_jobs"), base.parallelism(-2):
        pass
    assert base._workers(None, 10) == 1  # small inputs stay in this process
    assert base._workers(1, 10**7) == 1


def test_timings_are_recorded_per_field() -> None:
    normaliser = gr.RecordNormaliser()
    normaliser.normalise(gr.SchemaMapper().map({"s": people(5, email="a@b.org")}))
    assert {"first_name", "last_name", "email", "frequency"} <= set(normaliser.timings_)
    assert set(normaliser.cpu_timings_) == set(normaliser.timings_)
