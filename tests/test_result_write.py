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


# The Arrow types the Parquet files had before the writer was made faster (session 6),
# column by column; categories are checked apart (their text type follows pandas).
WRITTEN_TYPES = {
    "golden": {"golden_id": "large_string", "first_name": "large_string",
               "last_name": "large_string", "date_of_birth": "large_string",
               "email": "list<element: large_string>", "phone": "large_string",
               "country": "large_string", "consent_general": "large_string",
               "consent_general_at": "large_string", "consent_marketing": "large_string",
               "consent_marketing_at": "large_string", "n_records": "int64",
               "sources": "large_string", "confidence": "double"},
    "xref": {"source": "large_string", "record_key": "large_string",
             "golden_id": "large_string"},
    "lineage": {"golden_id": "large_string", "field": "large_string",
                "value": "large_string", "source": "large_string",
                "record_key": "large_string", "rule": "large_string",
                "decided_by": "large_string", "n_candidates": "int64",
                "runner_up": "large_string", "support": "int64", "position": "int64",
                "group": "large_string"},
    "quality": {"source": "large_string", "record_key": "large_string",
                "field": "large_string", "status": "large_string", "reason": "large_string"},
    "pairs": {"source_l": "category", "record_key_l": "large_string", "source_r": "category",
              "record_key_r": "large_string", "rule": "category",
              "gamma_first_name": "int8", "tf_first_name": "double",
              "gamma_last_name": "int8", "tf_last_name": "double",
              "gamma_date_of_birth": "int8", "gamma_email": "int8", "gamma_phone": "int8",
              "gamma_country": "int8", "match_weight": "double",
              "match_probability": "double"},
    "conflicts": {"golden_id": "large_string", "field": "large_string",
                  "value": "large_string", "match_key": "large_string", "n_records": "int64",
                  "sources": "large_string", "record_keys": "large_string",
                  "is_golden": "bool"},
}


def _cells(column: pd.Series) -> list[Any]:
    """A column's values as the old writer stored them: missing as ``None``, categories
    as text, lists as lists of texts."""
    def cell(value: Any) -> Any:
        if isinstance(value, list):
            return [str(v) for v in value]
        return None if pd.isna(value) else value
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(object)
    return [cell(v) for v in column.astype(object)]


def test_parquet_files_keep_the_old_types_and_values(result: gr.Result,
                                                     tmp_path: Path) -> None:
    import pyarrow.parquet as pq  # noqa: PLC0415

    result.write(tmp_path / "new", format="parquet")
    for name in TABLES:
        expected = _expected(result, name)
        path = tmp_path / "new" / f"{name}.parquet"
        table = pq.read_table(path)
        types = {f.name: ("category" if str(f.type).startswith("dictionary<values=")
                          and str(f.type).endswith("string, indices=int8, ordered=0>")
                          else str(f.type)) for f in table.schema}
        assert types == WRITTEN_TYPES[name], name
        for column in expected.columns:
            assert table.column(column).to_pylist() == _cells(expected[column]), (name, column)
        # the writer options change how values are stored, not what is read back:
        plain = tmp_path / f"plain-{name}.parquet"
        pq.write_table(arrow_table(expected), plain)  # pyarrow's defaults, as before
        assert table.equals(pq.read_table(plain), check_metadata=True), name
        pd.testing.assert_frame_equal(pd.read_parquet(path), pd.read_parquet(plain), obj=name)


def test_statistics_for_numbers_only_dictionaries_as_before(tmp_path: Path) -> None:
    import pyarrow.parquet as pq  # noqa: PLC0415

    n = 3000
    frame = pd.DataFrame({
        "key": pd.Series([f"k{i}" for i in range(n)], dtype=object),
        "kind": pd.Series(["a", "b", None] * (n // 3), dtype=object),
        "score": np.arange(n) / 7,
        "count": np.arange(n) % 5,
        "flag": np.arange(n) % 2 == 0,
        "source": pd.Categorical(["crm", "shop", "crm"] * (n // 3)),
        "tags": pd.Series([["x", "y"], None, ["z"]] * (n // 3), dtype=object)})
    write_tables([("t", frame)], tmp_path, "parquet")
    group = pq.ParquetFile(tmp_path / "t.parquet").metadata.row_group(0)
    columns = {group.column(i).path_in_schema: group.column(i)
               for i in range(group.num_columns)}
    assert {path for path, c in columns.items() if c.is_stats_set} == {"score", "count",
                                                                        "flag"}
    dictionary = {path for path, c in columns.items() if "RLE_DICTIONARY" in c.encodings}
    assert dictionary == set(columns) - {"flag"}  # pyarrow's default: every non-boolean
    back = pd.read_parquet(tmp_path / "t.parquet")
    assert back["key"].tolist() == frame["key"].tolist()
    assert back["score"].tolist() == frame["score"].tolist()
    assert [None if v is None else list(v) for v in back["tags"]] == frame["tags"].tolist()


def test_object_columns_are_turned_into_text_in_chunks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pd.DataFrame({
        "text": pd.Series(["a", None, "b", float("nan"), "c", pd.NA, "d"], dtype=object),
        "late": pd.Series(["a", "b", "c", "d", 7, dt.date(2020, 1, 2), None], dtype=object),
        "lists": pd.Series([["a"], None, ["b", "c"], [], None, ["d"], ["e", 1]],
                           dtype=object)})
    whole = arrow_table(frame)
    monkeypatch.setattr("goldenrec._output._CHUNK_ROWS", 2)
    chunked = arrow_table(frame)
    assert chunked.schema == whole.schema
    assert chunked.to_pylist() == whole.to_pylist()
    assert chunked.column("text").num_chunks == 4
    assert chunked.column("text").to_pylist() == ["a", None, "b", None, "c", None, "d"]
    assert chunked.column("late").to_pylist() == ["a", "b", "c", "d", "7", "2020-01-02", None]
    assert chunked.column("lists").to_pylist() == [["a"], None, ["b", "c"], [], None, ["d"],
                                                   ["e", "1"]]
    empty = arrow_table(frame.iloc[:0])
    assert empty.num_rows == 0 and str(empty.schema.field("text").type) == "large_string"


def test_at_most_one_converted_table_waits_beyond_the_writers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import goldenrec._output as output  # noqa: PLC0415

    converted: list[str] = []
    writing = threading.Semaphore(0)
    release = threading.Event()
    convert, write = output._converted, output._write_arrow

    def counting(name: str, frame: pd.DataFrame, path: Path) -> Any:
        converted.append(name)
        return convert(name, frame, path)

    def blocked(name: str, table: Any, path: Path) -> None:
        writing.release()
        assert release.wait(10)
        write(name, table, path)

    monkeypatch.setattr(output, "_converted", counting)
    monkeypatch.setattr(output, "_write_arrow", blocked)
    monkeypatch.setattr(output, "available_cpus", lambda: 2)
    tables = [(f"t{i}", pd.DataFrame({"a": range(10 - i)})) for i in range(6)]

    def check() -> None:
        for _ in range(2):  # both writers are busy with the two largest tables
            assert writing.acquire(timeout=10)
        threading.Event().wait(0.2)  # time enough to convert more, if it were allowed
        seen.extend(converted)
        release.set()

    seen: list[str] = []
    watcher = threading.Thread(target=check)
    watcher.start()
    paths = write_tables(tables, tmp_path, "parquet")
    watcher.join()
    assert seen == ["t0", "t1", "t2"]  # largest first; the third waits for a writer
    assert converted == [f"t{i}" for i in range(6)]
    assert [pd.read_parquet(p)["a"].tolist() for p in paths] == [
        list(range(10 - i)) for i in range(6)]


def test_a_table_that_cannot_be_converted_is_named_without_a_value(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(frame: pd.DataFrame) -> Any:
        if "secret" in frame.columns:
            raise ValueError("secret@example.com cannot be converted")
        return convert(frame)

    import goldenrec._output as output  # noqa: PLC0415

    convert = output.arrow_table
    monkeypatch.setattr(output, "arrow_table", fail)
    monkeypatch.setattr(output, "available_cpus", lambda: 2)
    tables = [("ok", pd.DataFrame({"a": range(5)})), ("bad", pd.DataFrame({"secret": [1]}))]
    with pytest.raises(OutputError, match=r"cannot write the bad table .* as Parquet") as caught:
        write_tables(tables, tmp_path, "parquet")
    assert "secret@" not in str(caught.value)
    assert pd.read_parquet(tmp_path / "ok.parquet")["a"].tolist() == list(range(5))
