"""The golden store: incremental updates, stable ids, erasure, steward decisions."""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import goldenrec as gr
from goldenrec._demo_loader import DEMO_SOURCES, load_demo
from goldenrec._store import Batch, GoldenStore, StoreFormatError
from goldenrec.errors import ConfigError, InputError, SerialisationError

from .conftest import read_febrl

Frames = dict[str, pd.DataFrame]


@pytest.fixture(scope="module")
def demo() -> tuple[gr.Pipeline, Frames]:
    data = load_demo()
    pipeline = gr.Pipeline(list(data.sources)).fit(data.frames)
    return pipeline, dict(data.frames)


def frozen(pipeline: gr.Pipeline) -> gr.Pipeline:
    """A copy of a fitted pipeline, with the whole-data state it froze when fitted."""
    return copy.deepcopy(pipeline)


def part(frames: Mapping[str, pd.DataFrame], i: int, n: int = 3) -> Frames:
    return {name: f.iloc[i::n].reset_index(drop=True) for name, f in frames.items()}


def partition(xref: pd.DataFrame) -> list[list[tuple[str, str]]]:
    return sorted(sorted(zip(g["source"], g["record_key"]))
                  for _, g in xref.groupby("golden_id"))


def values(golden: pd.DataFrame, xref: pd.DataFrame, fields: list[str]
           ) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Golden values keyed by each customer's smallest record (ids aside)."""
    merged = xref.merge(golden, on="golden_id").sort_values(["source", "record_key"])
    first = merged.groupby("golden_id").head(1)
    return {(row["source"], row["record_key"]):
            tuple(None if pd.isna(row[f]) else row[f] for f in fields)
            for _, row in first.iterrows()}


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    db = sqlite3.connect(str(path))
    try:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master "
                                           "WHERE type = 'table' ORDER BY name")]
        return {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in tables}
    finally:
        db.close()


@pytest.fixture
def store(tmp_path: Path, demo: tuple[gr.Pipeline, Frames]) -> Iterator[GoldenStore]:
    pipeline, frames = demo
    with GoldenStore.create(tmp_path / "golden.db", frozen(pipeline), frames) as opened:
        yield opened


def assert_incremental_equals_batch(pipeline: gr.Pipeline, frames: Frames,
                                    path: Path) -> None:
    batch = frozen(pipeline).resolve(frames)
    with GoldenStore.create(path, frozen(pipeline)) as store:
        for i in range(3):
            store.update(part(frames, i))
        xref, golden = store.xref(), store.golden()
    assert partition(xref) == partition(batch.xref)
    fields = [f for f in pipeline.fields_ if f in batch.golden.columns]
    assert values(golden, xref, fields) == values(batch.golden, batch.xref, fields)


def test_incremental_equals_batch_on_demo(tmp_path: Path,
                                          demo: tuple[gr.Pipeline, Frames]) -> None:
    assert_incremental_equals_batch(*demo, tmp_path / "demo.db")


def test_incremental_equals_batch_on_febrl3(tmp_path: Path) -> None:
    data = read_febrl("dataset3.csv")
    entity = data["rec_id"].str.extract(r"rec-(\d+)-")[0].astype(int)
    subset = data[entity < 150].reset_index(drop=True)
    frames = {"febrl": subset}
    pipeline = gr.Pipeline([gr.Source("febrl", key="rec_id")]).fit(frames)
    assert_incremental_equals_batch(pipeline, frames, tmp_path / "febrl.db")


def test_create_fits_an_unfitted_pipeline_and_stores_it(
        tmp_path: Path, demo: tuple[gr.Pipeline, Frames]) -> None:
    _, frames = demo
    one = part(frames, 0)
    with GoldenStore.create(tmp_path / "s.db", gr.Pipeline(list(load_demo().sources)),
                            one) as store:
        assert store.pipeline.is_fitted
        assert len(store.xref()) == sum(len(f) for f in one.values())
        assert store.events()[0].kind == "created"
    with pytest.raises(ConfigError):
        GoldenStore.create(tmp_path / "s.db", gr.Pipeline())


def test_golden_ids_stay_with_their_customer(tmp_path: Path,
                                             demo: tuple[gr.Pipeline, Frames]) -> None:
    pipeline, frames = demo
    with GoldenStore.create(tmp_path / "s.db", frozen(pipeline), part(frames, 0)) as store:
        before = store.xref().set_index(["source", "record_key"])["golden_id"]
        store.update(part(frames, 1))
        store.update(part(frames, 2))
        after = store.xref().set_index(["source", "record_key"])["golden_id"]
        merged_away = {e.data["from"][i] for e in store.events() if e.kind == "merged"
                       for i in range(1, len(e.data["from"]))}
        for record, gid in before.items():
            if gid not in merged_away:
                assert store.resolve_id(gid) == gid
            assert store.resolve_id(gid) is not None
            # the same customer (its smallest first-batch record) keeps its id
            assert after[record] == store.resolve_id(gid) or any(
                e.kind == "split" and e.golden_id == gid for e in store.events())


def test_change_and_delete_records(store: GoldenStore) -> None:
    xref = store.xref()
    sizes = xref["golden_id"].value_counts()
    single = xref[xref["golden_id"] == sizes[sizes == 1].index[0]].iloc[0]
    source, key, gid = single["source"], single["record_key"], single["golden_id"]
    raw = load_demo().frames[source]
    key_column = {s.name: s.key for s in DEMO_SOURCES}[source]
    assert key_column is not None
    row = raw[raw[key_column] == key].copy()
    email_column = next(c for c in row.columns if "mail" in c.lower())
    row[email_column] = "changed.person@example.org"
    seq = store.last_seq
    changes = store.update({source: row})
    assert changes.updated == [gid]
    event = changes.events[0]
    assert event.data["changes"]["email"][1] == "changed.person@example.org"
    assert [e.seq for e in store.events(since=seq)] == [e.seq for e in changes.events]
    assert store.update({source: row}).events == ()          # nothing changed
    gone = store.update(Batch(deleted=[(source, key)]))
    assert gone.deleted == [gid]
    assert store.resolve_id(gid) is None
    assert gid not in set(store.golden()["golden_id"])
    assert (source, key) not in set(zip(store.xref()["source"], store.xref()["record_key"]))
    with pytest.raises(InputError):
        store.update(Batch(deleted=[(source, key)]))


def two_singletons(store: GoldenStore) -> tuple[tuple[str, str], tuple[str, str]]:
    xref = store.xref()
    sizes = xref["golden_id"].value_counts()
    ones = xref[xref["golden_id"].isin(sizes[sizes == 1].index)]
    a, b = ones.iloc[0], ones.iloc[1]
    return (a["source"], a["record_key"]), (b["source"], b["record_key"])


def test_must_link_merges_and_removing_it_splits(store: GoldenStore) -> None:
    a, b = two_singletons(store)
    xref = store.xref().set_index(["source", "record_key"])["golden_id"]
    id_a, id_b = xref[a], xref[b]
    created = {e.golden_id: e.seq for e in store.events() if e.kind == "created"}
    older = min((id_a, id_b), key=lambda g: (created[g], g))
    newer = id_b if older == id_a else id_a
    seq = store.last_seq
    decision = store.must_link(a, b)
    assert [d.kind for d in store.decisions()] == ["must_link"]
    kinds = [e.kind for e in store.events(since=seq)]
    assert kinds[:2] == ["decision_added", "merged"]
    merged = next(e for e in store.events(since=seq) if e.kind == "merged")
    assert merged.data == {"from": [older, newer], "into": older}
    assert store.resolve_id(newer) == older
    after = store.xref().set_index(["source", "record_key"])["golden_id"]
    assert after[a] == after[b] == older
    # later updates honour the decision
    store.update(Batch(frames={}))
    assert store.xref().set_index(["source", "record_key"])["golden_id"][b] == older
    changes = store.remove_decision(decision.id)
    assert store.decisions() == []
    assert changes.split == [older]
    after = store.xref().set_index(["source", "record_key"])["golden_id"]
    # a tie in size: the part holding the smallest record keeps the id
    assert after[min(a, b)] == older and after[max(a, b)] not in (older, newer)
    assert changes.created == [after[max(a, b)]]


def test_cannot_link_splits_and_conflicts_are_refused(store: GoldenStore) -> None:
    xref = store.xref()
    sizes = xref["golden_id"].value_counts()
    gid = sizes[sizes >= 3].index[0]
    members = sorted(zip(*(xref[xref["golden_id"] == gid][c] for c in
                           ("source", "record_key"))))
    store.cannot_link(members[0], members[1])
    after = store.xref().set_index(["source", "record_key"])["golden_id"]
    assert after[members[0]] != after[members[1]]
    assert gid in {after[members[0]], after[members[1]]}
    assert any(e.kind == "split" and e.golden_id == gid for e in store.events())
    with pytest.raises(ConfigError):
        store.must_link(members[1], members[0])
    with pytest.raises(InputError):
        store.must_link(members[0], ("crm", "no such key"))


def test_overrides_are_honoured_and_removable(store: GoldenStore) -> None:
    golden = store.golden().set_index("golden_id")
    gid = golden.index[0]
    old = golden.loc[gid, "email"]
    decision = store.override(gid, "email", "steward@example.org")
    assert store.golden().set_index("golden_id").loc[gid, "email"] == "steward@example.org"
    store.update(Batch(frames={}))
    assert store.golden().set_index("golden_id").loc[gid, "email"] == "steward@example.org"
    assert store.decisions()[0].field == "email"
    store.remove_decision(decision.id)
    assert store.golden().set_index("golden_id").loc[gid, "email"] == old
    with pytest.raises(ConfigError):
        store.override(gid, "no_such_field", "x")
    with pytest.raises(InputError):
        store.override("G-unknown", "email", "x")


def test_a_failed_update_leaves_the_store_unchanged(
        store: GoldenStore, monkeypatch: pytest.MonkeyPatch) -> None:
    path = store.path
    before = dump(path)
    a, b = two_singletons(store)

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("injected")

    monkeypatch.setattr(GoldenStore, "_write_golden", fail)
    row = load_demo().frames["crm"].iloc[:3].copy()
    row[row.columns[0]] = ["N1", "N2", "N3"]
    with pytest.raises(RuntimeError):
        store.update({"crm": row})
    with pytest.raises(RuntimeError):
        store.must_link(a, b)
    assert dump(path) == before


def test_format_version_is_checked(tmp_path: Path,
                                   demo: tuple[gr.Pipeline, Frames]) -> None:
    path = tmp_path / "s.db"
    GoldenStore.create(path, frozen(demo[0])).close()
    with GoldenStore.open(path) as store:
        assert store.format_version == 2
    db = sqlite3.connect(str(path))
    db.execute("UPDATE meta SET value = '0' WHERE key = 'version'")
    db.commit()
    db.close()
    with pytest.raises(StoreFormatError, match="format version '0'"):
        GoldenStore.open(path)
    assert issubclass(StoreFormatError, SerialisationError)
    other = tmp_path / "other.db"
    other.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreFormatError):
        GoldenStore.open(other)
    with pytest.raises(StoreFormatError):
        GoldenStore.open(tmp_path / "missing.db")


def test_forget_leaves_no_trace_in_the_file(tmp_path: Path,
                                            demo: tuple[gr.Pipeline, Frames]) -> None:
    pipeline, frames = demo
    path = tmp_path / "s.db"
    crm = frames["crm"]
    twin = crm.iloc[[0]].copy()
    key_column = crm.columns[0]
    twin[key_column] = "CANARYKEY"
    email_column = next(c for c in crm.columns if "mail" in c.lower())
    twin[email_column] = "zzcanaryzz@example.org"
    last = next(c for c in crm.columns if "last" in c.lower() or "surname" in c.lower())
    twin[last] = "Qxcanaryname"
    with GoldenStore.create(path, frozen(pipeline), frames) as store:
        store.update({"crm": twin})
        other = store.xref().iloc[-1]
        store.must_link(("crm", "CANARYKEY"), (other["source"], other["record_key"]))
        store.update(Batch(frames={}))
        gid = store.xref().set_index(["source", "record_key"])["golden_id"][
            ("crm", "CANARYKEY")]
        assert b"zzcanaryzz" in path.read_bytes()
        changes = store.forget([("crm", "CANARYKEY")])
        assert changes.events[-1].kind == "forgotten"
        assert store.decisions() == []
        assert ("crm", "CANARYKEY") not in set(zip(store.xref()["source"],
                                                   store.xref()["record_key"]))
        assert store.resolve_id(gid) in (None, gid)
        with pytest.raises(InputError):
            store.forget([("crm", "CANARYKEY")])
    content = path.read_bytes()
    for canary in (b"zzcanaryzz", b"ZZCANARYZZ", b"CANARYKEY", b"canaryname",
                   b"CANARYNAME", b"Qxcanaryname"):
        assert canary not in content
    assert not Path(str(path) + "-journal").exists()


def test_events_and_xref_for_sync(store: GoldenStore) -> None:
    events = store.events()
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert store.events(since=store.last_seq) == []
    assert set(store.xref()["golden_id"]) == set(store.golden()["golden_id"])
    assert len(store.lineage()) and set(store.lineage()["golden_id"]) <= set(
        store.golden()["golden_id"])
    assert len(store.records()) == len(store.xref())
    assert len(store.pairs())


def test_manual_merge_and_unmerge_of_golden_records(store: GoldenStore) -> None:
    a, b = two_singletons(store)
    xref = store.xref().set_index(["source", "record_key"])["golden_id"]
    id_a, id_b = xref[a], xref[b]
    merge = store.merge(id_a, id_b)
    assert merge.kind == "must_link" and merge.records == tuple(sorted([a, b]))
    merged = store.xref().set_index(["source", "record_key"])["golden_id"]
    assert merged[a] == merged[b]
    with pytest.raises(InputError):
        store.merge(id_a, id_b)                       # already one customer (via alias)
    # unmerging is refused while a must-link holds the two together ...
    with pytest.raises(ConfigError):
        store.unmerge(merged[a], [b])
    store.remove_decision(merge.id)
    # ... and works on a customer the model formed
    xref = store.xref()
    sizes = xref["golden_id"].value_counts()
    gid = sizes[sizes >= 3].index[0]
    members = sorted(zip(*(xref[xref["golden_id"] == gid][c] for c in
                           ("source", "record_key"))))
    moved = members[-2:]
    decisions = store.unmerge(gid, moved)
    assert [d.kind for d in decisions] == ["cannot_link"] * 2 * (len(members) - 2) + [
        "must_link"]
    after = store.xref().set_index(["source", "record_key"])["golden_id"]
    assert after[moved[0]] == after[moved[1]]
    assert all(after[m] != after[r] for m in moved for r in members[:-2])
    # the decisions hold through later updates
    store.update(Batch(frames={}))
    again = store.xref().set_index(["source", "record_key"])["golden_id"]
    assert again[moved[0]] == again[moved[1]] != again[members[0]]
    with pytest.raises(InputError):
        store.unmerge(again[members[0]], members)     # all of its records
    with pytest.raises(InputError):
        store.unmerge(again[members[0]], [("crm", "no such key")])
