"""Tests for reading input tables: CSV dialects, text-only values and private errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from goldenrec import _io
from goldenrec._io import read_table, sniff_delimiter
from goldenrec.errors import GoldenrecError, InputError

SECRET = "Zyxwvutsrq"


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    rows = [["id", "first_name", "city"], ["1", "Ann", "Riga"], ["2", "Bob", "Leeds"]]
    text = "".join(delimiter.join(row) + "\n" for row in rows)
    frame = read_table(_write(tmp_path / "people.csv", text))
    assert frame.columns.tolist() == ["id", "first_name", "city"]
    assert frame["city"].tolist() == ["Riga", "Leeds"]


def test_semicolon_file_with_commas_in_values(tmp_path: Path) -> None:
    text = "id;name;note\n1;Lee, Ann;a, b, c\n2;Ray, Bob;x\n"
    frame = read_table(_write(tmp_path / "people.csv", text))
    assert frame["name"].tolist() == ["Lee, Ann", "Ray, Bob"]


def test_quoted_delimiters_and_newlines(tmp_path: Path) -> None:
    text = 'id,name,address\n1,"Lee, Ann","1 High St\nFlat 2"\n2,Bob,"x"\n'
    frame = read_table(_write(tmp_path / "people.csv", text))
    assert frame["name"].tolist() == ["Lee, Ann", "Bob"]
    assert frame["address"].iloc[0] == "1 High St\nFlat 2"


def test_tsv_and_txt(tmp_path: Path) -> None:
    tsv = read_table(_write(tmp_path / "people.tsv", "id\tname\n1\tLee, Ann\n"))
    assert tsv.columns.tolist() == ["id", "name"]
    txt = read_table(_write(tmp_path / "people.txt", "id|name\n1|Ann\n"))
    assert txt.columns.tolist() == ["id", "name"]
    upper = read_table(_write(tmp_path / "PEOPLE.CSV", "id,name\n1,Ann\n"))
    assert upper["name"].tolist() == ["Ann"]


def test_values_stay_text(tmp_path: Path) -> None:
    text = "id,code,amount,flag,missing,note\n007,00123,1.50,NA,,null\n2,1e3,3,TRUE, ,None\n"
    frame = read_table(_write(tmp_path / "t.csv", text))
    assert all(isinstance(v, str) for c in frame.columns for v in frame[c].dropna())
    assert frame.iloc[0].tolist()[:4] == ["007", "00123", "1.50", "NA"]
    assert frame["note"].tolist() == ["null", "None"]
    assert frame["code"].iloc[1] == "1e3"
    assert frame["flag"].iloc[1] == "TRUE"
    assert pd.isna(frame["missing"].iloc[0])


def test_bom_whitespace_and_initial_spaces(tmp_path: Path) -> None:
    text = " id , First Name ,city\n1, Ann,Riga\n"
    frame = read_table(_write(tmp_path / "t.csv", "\ufeff" + text))
    assert frame.columns.tolist() == ["id", "First Name", "city"]
    assert frame["First Name"].tolist() == ["Ann"]


def test_trailing_delimiter_column_is_dropped(tmp_path: Path) -> None:
    frame = read_table(_write(tmp_path / "t.csv", "id,name,\n1,Ann,\n2,Bob,\n"))
    assert frame.columns.tolist() == ["id", "name"]


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    frame = read_table(_write(tmp_path / "t.csv", "id,name\n"))
    assert frame.columns.tolist() == ["id", "name"]
    assert len(frame) == 0


def test_sniff_delimiter_defaults_to_comma() -> None:
    assert sniff_delimiter("") == ","
    assert sniff_delimiter("name\nAnn\n") == ","
    assert sniff_delimiter("a;b\n1;2\n3;4") == ";"


def _assert_private(error: pytest.ExceptionInfo[InputError], path: Path) -> None:
    message = str(error.value)
    assert str(path) in message
    assert SECRET not in message
    assert error.value.__cause__ is None
    assert error.value.__suppress_context__ or error.value.__context__ is None


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.csv", b""),
        ("blank.csv", b"\n\n"),
        ("ragged.csv", f"id,name\n1,Ann\n2,{SECRET},extra,fields\n".encode()),
        ("quote.csv", f'id,name\n1,"{SECRET}\n'.encode()),
        ("latin1.csv", f"id,name\n1,{SECRET}\xe9\n".encode("latin-1")),
        ("dupes.csv", f"id,name,name\n1,{SECRET},x\n".encode()),
        ("nameless.csv", f"id,,name\n1,{SECRET},x\n".encode()),
        ("data.json", b"{}"),
        ("noext", b"id\n1\n"),
        ("broken.parquet", f"not parquet {SECRET}".encode()),
    ],
)
def test_unreadable_files_raise_input_error(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as error:
        read_table(path)
    _assert_private(error, path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found") as error:
        read_table(tmp_path / "absent.csv")
    _assert_private(error, tmp_path / "absent.csv")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(InputError, match="directory"):
        read_table(folder)


def test_parse_error_reports_the_line_only(tmp_path: Path) -> None:
    path = _write(tmp_path / "ragged.csv", f"id,name\n1,Ann\n2,{SECRET},x\n")
    with pytest.raises(InputError, match="near line 3") as error:
        read_table(path)
    _assert_private(error, path)


def test_unclosed_quote_reports_the_line_only(tmp_path: Path) -> None:
    path = _write(tmp_path / "quote.csv", f'id,name\n1,Ann\n2,"{SECRET}\n')
    with pytest.raises(InputError, match="near line 3") as error:
        read_table(path)
    _assert_private(error, path)


def test_input_error_is_a_goldenrec_error() -> None:
    assert issubclass(InputError, GoldenrecError)


def test_parquet_is_read_as_text(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    source = pd.DataFrame({
        " id ": [1, 2, 3],
        "first_name": ["Ann", None, "Cy"],
        "score": [1.0, None, 2.5],
    })
    path = tmp_path / "people.parquet"
    source.to_parquet(path)
    frame = read_table(path)
    assert frame.columns.tolist() == ["id", "first_name", "score"]
    assert frame["id"].tolist() == ["1", "2", "3"]
    assert frame["first_name"].iloc[0] == "Ann"
    assert pd.isna(frame["first_name"].iloc[1])
    assert frame["score"].iloc[0] == "1"
    assert frame["score"].iloc[2] == "2.5"
    short = tmp_path / "people.pq"
    source.to_parquet(short)
    assert read_table(short)["id"].tolist() == ["1", "2", "3"]


def test_parquet_without_pyarrow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "people.parquet"
    path.write_bytes(b"PAR1")
    monkeypatch.setattr(_io, "_has_pyarrow", lambda: False)
    with pytest.raises(InputError, match=r"goldenrec\[parquet\]"):
        read_table(path)
