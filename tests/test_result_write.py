"""Result.write: CSV (unchanged) and Parquet (every table, list fields, mixed values)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import goldenrec as gr
from goldenrec._output import arrow_table, write_tables
from goldenrec.errors import ConfigError, GoldenrecError, OutputError

pytest.importorskip("pyarrow")

TABLES = ("golden", "xref", "lineage", "quality", "pairs", "conflicts")


@pytest.fixture
def result(two_sources: dict[str, pd.DataFrame]) -> gr.Result:
    frames = {"crm": two_sources["crm"].assign(
        consent=["yes", "no", "yes", None],
        consent_purpose=["marketing", "marketing", None, None]),
        # Anna's second address: an aggregate (list) golden field with two values
        "shop": two_sources["shop"].assign(e_mail=["anna.berzina@example.lv",
                                                   "j.mueller@example.de", "bob@example.com"])}
    sources = [gr.Source("crm", key="id"),
               gr.Source("shop", key="customer_no", date_order="DMY", phone_region="LV")]
    return gr.Pipeline(sources=sources, threshold=0.5,
                       survivorship={"email": gr.Aggregate()}).resolve(frames)


def _expected(result: gr.Result, name: str) -> pd.DataFrame:
    frame: pd.DataFrame = getattr(result, name)
    if name == "pairs":
        frame = frame.drop(columns=["row_l", "row_r"])
    return frame.reset_index(drop=True)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Values as Python objects, missing as ``None``, list-likes as lists: the
    documented type changes (text dtype, lists read back as arrays) compare equal."""
    def cell(value: Any) -> Any:
        if isinstance(value, list | tuple | np.ndarray):
            return [cell(v) for v in value]
        return None if pd.isna(value) else value
    return pd.DataFrame({c: [cell(v) for v in frame[c].astype(object)] for c in frame.columns})


def test_every_table_round_trips(result: gr.Result, tmp_path: Path) -> None:
    paths = result.write(tmp_path, format="parquet")
    assert [p.name for p in paths] == [f"{t}.parquet" for t in TABLES]
    assert not list(tmp_path.glob("*.csv"))
    for name in TABLES:
        expected = _expected(result, name)
        back = pd.read_parquet(tmp_path / f"{name}.parquet")
        assert list(back.columns) == list(expected.columns), name
        pd.testing.assert_frame_equal(_plain(back), _plain(expected), obj=name)
        for column in expected.columns:  # numbers, booleans, categories keep their type
            want, got = expected[column].dtype, back[column].dtype
            if isinstance(want, pd.CategoricalDtype):  # categories read back as text
                assert isinstance(got, pd.CategoricalDtype), (name, column)
                assert list(got.categories) == list(want.categories), (name, column)
            elif not pd.api.types.is_object_dtype(want) and not isinstance(want, pd.StringDtype):
                assert got == want, (name, column)


def test_aggregate_fields_stay_lists(result: gr.Result, tmp_path: Path) -> None:
    emails = result.golden["email"]
    assert any(isinstance(v, list) and len(v) == 2 for v in emails)  # the fixture has one
    result.write(tmp_path, format="parquet")
    import pyarrow.parquet as pq  # noqa: PLC0415

    schema = pq.read_schema(tmp_path / "golden.parquet")
    assert str(schema.field("email").type) == "list<element: large_string>"
    back = pd.read_parquet(tmp_path / "golden.parquet")
    for got, want in zip(back["email"], emails):
        assert (got is None and want is None) or list(got) == want
    # the CSV keeps writing them as a;b
    result.write(tmp_path / "csv")
    csv = pd.read_csv(tmp_path / "csv" / "golden.csv", dtype=str)
    assert any(";" in v for v in csv["email"].dropna())


def test_mixed_object_values_become_text(result: gr.Result, tmp_path: Path) -> None:
    lineage = result.lineage.copy()
    mixed: list[Any] = [7, 2.5, dt.date(1980, 2, 3), dt.datetime(2024, 6, 1, 8, 30),
                        None, True, ["a", 1]]
    values = lineage["value"].astype(object).tolist()
    values[:len(mixed)] = mixed
    lineage["value"] = pd.Series(values, dtype=object)
    lineage["runner_up"] = pd.Series([3] + [None] * (len(lineage) - 1), dtype=object)
    mixed_result = dataclasses.replace(result, lineage=lineage)
    mixed_result.write(tmp_path, format="parquet")
    back = pd.read_parquet(tmp_path / "lineage.parquet")
    got = [None if pd.isna(v) else v for v in back["value"]]
    assert got[:len(mixed)] == ["7", "2.5", "1980-02-03", "2024-06-01T08:30:00", None,
                                "True", "a;1"]
    assert got[len(mixed):] == values[len(mixed):]
    assert back["runner_up"].iloc[0] == "3"


def test_object_column_types_do_not_depend_on_row_order() -> None:
    frame = pd.DataFrame({"v": pd.Series([1, "a", dt.date(2020, 1, 2), None], dtype=object),
                          "l": pd.Series([["b", 2], None, [], ["a"]], dtype=object),
                          "n": pd.Series([None, None, None, None], dtype=object),
                          "c": pd.Categorical([1, "a", None, "a"])})
    table = arrow_table(frame)
    backwards = arrow_table(frame.iloc[::-1].reset_index(drop=True))
    assert table.schema == backwards.schema
    assert table.column("v").to_pylist() == ["1", "a", "2020-01-02", None]
    assert table.column("l").to_pylist() == [["b", "2"], None, [], ["a"]]
    assert str(table.schema.field("n").type) == "large_string"
    assert table.column("c").to_pylist() == ["1", "a", None, "a"]  # mixed categories


def test_purpose_filter_applies_to_parquet(result: gr.Result, tmp_path: Path) -> None:
    kept = result.golden_for("marketing")
    assert 0 < len(kept) < len(result.golden)
    result.write(tmp_path, purpose="marketing", format="parquet")
    ids = set(kept["golden_id"])
    assert set(pd.read_parquet(tmp_path / "golden.parquet")["golden_id"]) == ids
    for name in ("xref", "lineage", "conflicts"):
        assert set(pd.read_parquet(tmp_path / f"{name}.parquet")["golden_id"]) <= ids
    keys = set(result.xref[result.xref["golden_id"].isin(ids)]["record_key"])
    assert set(pd.read_parquet(tmp_path / "quality.parquet")["record_key"]) <= keys
    pairs = pd.read_parquet(tmp_path / "pairs.parquet")
    assert set(pairs["record_key_l"]) | set(pairs["record_key_r"]) <= keys


@pytest.mark.parametrize("bad", ["xlsx", "Parquet", ""])
def test_unknown_format_is_a_config_error(result: gr.Result, tmp_path: Path,
                                          bad: str) -> None:
    with pytest.raises(ConfigError, match="output format"):
        result.write(tmp_path / "out", format=bad)
    assert not (tmp_path / "out").exists()


def test_csv_output_unchanged(result: gr.Result, tmp_path: Path) -> None:
    paths = result.write(tmp_path)
    assert [p.name for p in paths] == [f"{t}.csv" for t in TABLES]
    for name in TABLES:
        expected = _expected(result, name)
        if name == "golden":
            expected = expected.map(lambda v: ";".join(map(str, v)) if isinstance(v, list)
                                    else v)
        text = (tmp_path / f"{name}.csv").read_text(encoding="utf-8")
        assert text == expected.to_csv(index=False, lineterminator="\n"), name


def test_failure_names_the_table_not_a_value(result: gr.Result, tmp_path: Path) -> None:
    (tmp_path / "lineage.parquet").mkdir()  # a directory where the file should go
    with pytest.raises(OutputError, match=r"lineage table .*lineage\.parquet") as caught:
        result.write(tmp_path, format="parquet")
    assert isinstance(caught.value, GoldenrecError) and isinstance(caught.value, OSError)
    assert caught.value.strerror
    for value in result.lineage["value"].dropna().astype(str):
        assert value not in str(caught.value)
    with pytest.raises(OutputError, match="output directory"):
        result.write(tmp_path / "golden.parquet" / "sub", format="parquet")


def test_unwritable_value_is_reported_without_it(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow.parquet as pq  # noqa: PLC0415

    def fail(*_args: Any, **_kwargs: Any) -> None:
        raise ValueError("secret@example.com cannot be encoded")

    monkeypatch.setattr(pq, "write_table", fail)
    with pytest.raises(OutputError, match="cannot write the t table") as caught:
        write_tables([("t", pd.DataFrame({"a": ["x"]}))], tmp_path, "parquet")
    assert "secret" not in str(caught.value)


def test_parquet_tables_are_written_concurrently_largest_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow.parquet as pq  # noqa: PLC0415

    started: list[str] = []
    threads: set[int] = set()
    both = threading.Barrier(2, timeout=10)
    write = pq.write_table

    def record(table: Any, path: Path, **kwargs: Any) -> None:
        started.append(Path(path).stem)
        threads.add(threading.get_ident())
        if len(started) <= 2:
            both.wait()  # the two largest tables are being written at the same time
        write(table, path, **kwargs)

    monkeypatch.setattr(pq, "write_table", record)
    monkeypatch.setattr("goldenrec._output.available_cpus", lambda: 2)
    tables = [("small", pd.DataFrame({"a": [1]})), ("big", pd.DataFrame({"a": range(100)})),
              ("mid", pd.DataFrame({"a": range(10)}))]
    paths = write_tables(tables, tmp_path, "parquet")
    assert [p.name for p in paths] == ["small.parquet", "big.parquet", "mid.parquet"]
    assert set(started[:2]) == {"big", "mid"}
    assert len(threads) == 2
    assert pd.read_parquet(paths[1])["a"].tolist() == list(range(100))
