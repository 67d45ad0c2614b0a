"""Fuzzing every loader: only goldenrec's typed errors may come out (issue #9).

Random bytes and mutations (bit flips, truncation, splices, JSON value swaps) of valid
files are fed to ``Pipeline.from_json`` / ``Pipeline.load``, ``GoldenStore.open`` and
``read_table`` (CSV, TSV, Parquet). Each test is bounded by ``max_examples`` so the
whole module runs in well under a minute.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import goldenrec as gr
from goldenrec import _validation as validation
from goldenrec._demo_loader import load_demo
from goldenrec._io import read_table
from goldenrec._store._store import STORE_FORMAT, STORE_VERSION
from goldenrec._validation import MAX_DEPTH
from goldenrec.errors import GoldenrecError, SerialisationError

FUZZ = settings(max_examples=int(os.environ.get("GOLDENREC_FUZZ_EXAMPLES", "120")),
                deadline=None, derandomize="GOLDENREC_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(FUZZ, max_examples=max(1, FUZZ.max_examples // 3))


# -- valid seeds -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seeds() -> Iterator[dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix="goldenrec-fuzz-"))
    demo = load_demo()
    frames = {name: frame.head(25) for name, frame in demo.frames.items()}
    pipeline = gr.Pipeline(sources=demo.sources).fit(frames)
    text = pipeline.to_json()
    store_path = folder / "seed.db"
    gr.GoldenStore.create(store_path, gr.Pipeline.from_json(text), frames).close()
    csv_bytes = demo.frames["crm"].head(20).to_csv(index=False).encode()
    parquet = io.BytesIO()
    demo.frames["webshop"].head(20).to_parquet(parquet, index=False)
    yield {"folder": folder, "pipeline": text, "store": store_path.read_bytes(),
           "csv": csv_bytes, "parquet": parquet.getvalue()}
    shutil.rmtree(folder, ignore_errors=True)


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` after one to four random byte-level edits."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "splice", "delete", "repeat"]))
        size = len(data)
        if size == 0:
            break
        at = draw(st.integers(0, size - 1))
        if kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[at:]
        elif kind == "splice":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 256))]
        else:
            data[at:at] = data[at:at + draw(st.integers(1, 256))]
    return bytes(data)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=10)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*prefix, index))
    return out


@st.composite
def json_mutated(draw: st.DrawFn, text: str) -> str:
    """A saved pipeline with values swapped, keys dropped or added."""
    data = json.loads(text)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["swap", "swap", "other", "drop", "add"]))
        if action == "swap":
            parent[path[-1]] = draw(_JSON_VALUES)
        elif action == "other":  # a value that is valid elsewhere in the file
            source = draw(st.sampled_from(paths))
            value: Any = data
            for step in source:
                value = value[step]
            parent[path[-1]] = json.loads(json.dumps(value))
        elif action == "drop":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(_JSON_VALUES)
        else:
            parent.append(draw(_JSON_VALUES))
    return json.dumps(data)


def _only_typed(call: Callable[[], object]) -> object:
    try:
        return call()
    except GoldenrecError as error:
        assert str(error)
        return error


# -- saved pipelines ----------------------------------------------------------------------------
@FUZZ
@given(st.binary(max_size=2048))
def test_pipeline_from_random_bytes(raw: bytes) -> None:
    _only_typed(lambda: gr.Pipeline.from_json(raw))
    _only_typed(lambda: gr.Pipeline.from_json(raw.decode("latin-1")))


@FUZZ
@given(st.data())
def test_pipeline_from_mutated_bytes(seeds: dict[str, Any], data: st.DataObject) -> None:
    raw = data.draw(mutated(seeds["pipeline"].encode()))
    _only_typed(lambda: gr.Pipeline.from_json(raw))


@settings(FUZZ, max_examples=FUZZ.max_examples * 2)
@given(st.data())
def test_pipeline_from_mutated_json(seeds: dict[str, Any], data: st.DataObject) -> None:
    text = data.draw(json_mutated(seeds["pipeline"]))
    loaded = _only_typed(lambda: gr.Pipeline.from_json(text))
    if isinstance(loaded, gr.Pipeline):
        repr(loaded)
        loaded.to_json()


def test_pipeline_limits(seeds: dict[str, Any], tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    very_deep = "[" * 100_000 + "]" * 100_000
    for text in (deep, very_deep, '{"format": "' + "x" * 200_000 + '"}', "1e999999", "null"):
        with pytest.raises(SerialisationError):
            gr.Pipeline.from_json(text)
    monkeypatch.setattr(validation, "MAX_PIPELINE_BYTES", 10_000)
    huge = tmp_path / "huge.json"
    huge.write_text(seeds["pipeline"], encoding="utf-8")
    with pytest.raises(SerialisationError, match="larger than"):
        gr.Pipeline.load(huge)
    with pytest.raises(SerialisationError, match="larger than"):
        gr.Pipeline.from_json(seeds["pipeline"])
    monkeypatch.undo()
    data = json.loads(seeds["pipeline"])
    data["fitted"]["model"]["fitted"]["m"] = {}
    with pytest.raises(SerialisationError, match="malformed"):
        gr.Pipeline.from_dict(data)
    data = json.loads(seeds["pipeline"])
    data["unknown_key"] = 1
    with pytest.raises(SerialisationError, match="'unknown_key' is not a known key"):
        gr.Pipeline.from_dict(data)


@FEW
@given(st.binary(max_size=1024))
def test_pipeline_load_random_file(seeds: dict[str, Any], raw: bytes) -> None:
    path = seeds["folder"] / "fuzz-pipeline.json"
    path.write_bytes(raw)
    _only_typed(lambda: gr.Pipeline.load(path))


# -- golden stores ------------------------------------------------------------------------------
def _open(path: Path) -> object:
    def run() -> object:
        store = gr.GoldenStore.open(path)
        try:
            store.pipeline  # noqa: B018 - the stored pipeline is read
        finally:
            store.close()
        return store
    return _only_typed(run)


@FEW
@given(st.binary(max_size=4096))
def test_store_from_random_bytes(seeds: dict[str, Any], raw: bytes) -> None:
    path = seeds["folder"] / "fuzz-random.db"
    path.write_bytes(raw)
    _open(path)


@FUZZ
@given(st.data())
def test_store_from_mutated_file(seeds: dict[str, Any], data: st.DataObject) -> None:
    path = seeds["folder"] / "fuzz-mutated.db"
    path.write_bytes(data.draw(mutated(seeds["store"])))
    _open(path)


@FEW
@given(st.data())
def test_store_with_mutated_meta(seeds: dict[str, Any], data: st.DataObject) -> None:
    path = seeds["folder"] / "fuzz-meta.db"
    path.write_bytes(seeds["store"])
    db = sqlite3.connect(path)
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    key = data.draw(st.sampled_from(sorted(meta)))
    action = data.draw(st.sampled_from(["json", "text", "drop", "number"]))
    if action == "drop":
        db.execute("DELETE FROM meta WHERE key = ?", (key,))
    elif action == "json" and key == "pipeline":
        db.execute("UPDATE meta SET value = ? WHERE key = ?",
                   (data.draw(json_mutated(meta[key])), key))
    elif action == "number":
        db.execute("UPDATE meta SET value = ? WHERE key = ?",
                   (data.draw(st.integers(-(2**63), 2**63 - 1)), key))
    else:
        db.execute("UPDATE meta SET value = ? WHERE key = ?", (data.draw(st.text()), key))
    db.commit()
    db.close()
    _open(path)


def test_store_with_wrong_tables_or_triggers(seeds: dict[str, Any], tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    db.executemany("INSERT INTO meta VALUES (?, ?)",
                   [("format", STORE_FORMAT), ("version", str(STORE_VERSION))])
    db.commit()
    db.close()
    with pytest.raises(gr.StoreFormatError, match="lacks table"):
        gr.GoldenStore.open(other)
    trigger = tmp_path / "trigger.db"
    trigger.write_bytes(seeds["store"])
    db = sqlite3.connect(trigger)
    db.execute("CREATE TRIGGER t AFTER INSERT ON raw BEGIN DELETE FROM golden; END")
    db.commit()
    db.close()
    with pytest.raises(gr.StoreFormatError, match="triggers"):
        gr.GoldenStore.open(trigger)
    half = tmp_path / "half.db"
    half.write_bytes(seeds["store"][: len(seeds["store"]) // 2])
    with pytest.raises(gr.StoreFormatError):
        gr.GoldenStore.open(half)


# -- CSV and Parquet ------------------------------------------------------------------------------
def _read(folder: Path, name: str, raw: bytes) -> None:
    path = folder / name
    path.write_bytes(raw)
    frame = _only_typed(lambda: read_table(path))
    if isinstance(frame, pd.DataFrame):
        assert all(isinstance(c, str) and c for c in frame.columns)


@FUZZ
@given(st.binary(max_size=2048), st.sampled_from(["x.csv", "x.tsv", "x.parquet"]))
def test_read_table_random_bytes(seeds: dict[str, Any], raw: bytes, name: str) -> None:
    _read(seeds["folder"], name, raw)


@FUZZ
@given(st.data())
def test_read_table_mutated_csv(seeds: dict[str, Any], data: st.DataObject) -> None:
    _read(seeds["folder"], "m.csv", data.draw(mutated(seeds["csv"])))


@FUZZ
@given(st.data())
def test_read_table_mutated_parquet(seeds: dict[str, Any], data: st.DataObject) -> None:
    _read(seeds["folder"], "m.parquet", data.draw(mutated(seeds["parquet"])))


def test_the_schema_knows_every_key_a_pipeline_saves(seeds: dict[str, Any]) -> None:
    """A new setting in ``Pipeline.to_dict`` must be added to ``goldenrec._validation``
    (with its type), or saved pipelines stop loading."""
    data = json.loads(seeds["pipeline"])
    assert set(data) <= set(validation._PIPELINE)
    assert set(data["fitted"]) <= set(validation._FITTED)
    assert set(data["sources"][0]) <= set(validation._SOURCE)
    assert set(data["frequency"]) <= set(validation._FREQUENCY)
    assert set(data["fitted"]["model"]) <= set(validation._MODEL)
    assert set(data["fitted"]["model"]["fitted"]) <= set(validation._MODEL_FITTED)
    assert isinstance(gr.Pipeline.from_json(seeds["pipeline"]), gr.Pipeline)
