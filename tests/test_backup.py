"""Backups of a golden store: consistent while in use, verified, restored atomically."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

import goldenrec as gr
from goldenrec._cli import main
from goldenrec._store._backup import MANIFEST_TABLE, verify_backup
from goldenrec.errors import BackupError, ConfigError


def _frame(start: int, n: int) -> pd.DataFrame:
    return pd.DataFrame({
        "id": [f"k{i}" for i in range(start, start + n)],
        "first_name": [f"Name{i}" for i in range(start, start + n)],
        "last_name": ["Lee", "Ray", "Oak", "Ash"][start % 4:][:1] * n,
        "email": [f"person{i}@example.com" for i in range(start, start + n)],
    })


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    pipeline = gr.Pipeline(sources=[gr.Source("crm", key="id")], threshold=0.9)
    gr.GoldenStore.create(path, pipeline, {"crm": _frame(0, 12)}).close()
    return path


def _tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    db = sqlite3.connect(str(path))
    try:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = "
                                          "'table' AND name != ? ORDER BY name",
                                          (MANIFEST_TABLE,))]
        return {n: sorted(db.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr)
                for n in names}
    finally:
        db.close()


def test_backup_is_verified_and_equal(store_path: Path, tmp_path: Path) -> None:
    dest = tmp_path / "copy.db"
    with gr.GoldenStore.open(store_path) as store:
        report = store.backup(dest)
        n_golden = len(store.golden())
    assert report.path == dest
    assert report.integrity == "ok"
    assert report.tables["raw"] == 12 and report.tables["golden"] == n_golden
    assert len(report.checksum) == 64
    assert verify_backup(dest) == gr.BackupReport(dest, report.tables, report.checksum)
    assert _tables(dest) == _tables(store_path)
    with gr.GoldenStore.open(dest) as copy:  # a backup opens as a store
        assert len(copy.golden()) == n_golden
    assert not list(tmp_path.glob(".*.tmp"))


def test_backup_refuses_to_overwrite(store_path: Path, tmp_path: Path) -> None:
    dest = tmp_path / "copy.db"
    dest.write_text("keep me")
    with gr.GoldenStore.open(store_path) as store:
        with pytest.raises(ConfigError):
            store.backup(dest)
        assert dest.read_text() == "keep me"
        store.backup(dest, force=True)
    verify_backup(dest)


def test_restore_replaces_atomically_only_with_force(store_path: Path,
                                                     tmp_path: Path) -> None:
    dest = tmp_path / "copy.db"
    with gr.GoldenStore.open(store_path) as store:
        report = store.backup(dest)
        before = _tables(store_path)
        store.update({"crm": _frame(100, 3)})
    assert _tables(store_path) != before
    with pytest.raises(ConfigError):
        gr.GoldenStore.restore(dest, store_path)
    restored = gr.GoldenStore.restore(dest, store_path, force=True)
    assert restored.checksum == report.checksum
    assert _tables(store_path) == before
    elsewhere = tmp_path / "new" / "store.db"
    elsewhere.parent.mkdir()
    gr.GoldenStore.restore(dest, elsewhere)
    with gr.GoldenStore.open(elsewhere) as store:
        assert len(store.records()) == 12
    assert MANIFEST_TABLE not in _tables(elsewhere)


@pytest.mark.parametrize("damage", ["bytes", "row", "truncate", "not_sqlite"])
def test_damaged_backup_is_refused(store_path: Path, tmp_path: Path, damage: str) -> None:
    dest = tmp_path / "copy.db"
    with gr.GoldenStore.open(store_path) as store:
        store.backup(dest)
    if damage == "row":  # a valid SQLite file whose content no longer matches
        db = sqlite3.connect(str(dest))
        db.execute("UPDATE golden SET data = '{}' WHERE rowid = "
                   "(SELECT MIN(rowid) FROM golden)")
        db.commit()
        db.close()
    elif damage == "bytes":
        data = bytearray(dest.read_bytes())
        for at in range(4096, len(data), 997):
            data[at] ^= 0xFF
        dest.write_bytes(bytes(data))
    elif damage == "truncate":
        data = dest.read_bytes()
        dest.write_bytes(data[: len(data) // 2])
    else:
        dest.write_text("not a database at all " * 100)
    target = tmp_path / "restored.db"
    with pytest.raises(BackupError):
        gr.GoldenStore.restore(dest, target)
    assert not target.exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_backup_while_another_connection_writes(store_path: Path, tmp_path: Path) -> None:
    """Each backup equals one committed state: whole batches, xref matching raw."""
    batch = 25
    stop = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        db = sqlite3.connect(str(store_path), isolation_level=None, timeout=30.0)
        try:
            i = 0
            while not stop.is_set() and i < 400:
                db.execute("BEGIN IMMEDIATE")
                for j in range(batch):  # one transaction: a whole batch or nothing
                    db.execute("INSERT INTO events (kind, golden_id, data) VALUES "
                               "('test', NULL, ?)", (f'{{"n": {i * batch + j}}}',))
                db.execute("COMMIT")
                i += 1
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            db.close()

    with gr.GoldenStore.open(store_path) as store:
        base = len(store.events())
        writer = threading.Thread(target=write)
        writer.start()
        counts = []
        try:
            for k in range(5):
                report = store.backup(tmp_path / f"b{k}.db")
                counts.append(report.tables["events"])
        finally:
            stop.set()
            writer.join()
    assert not errors
    for k, count in enumerate(counts):
        assert (count - base) % batch == 0
        verify_backup(tmp_path / f"b{k}.db")
        with gr.GoldenStore.open(tmp_path / f"b{k}.db") as copy:
            assert len(copy.events()) == count
            assert set(zip(copy.xref()["source"], copy.xref()["record_key"])) == set(
                zip(copy.records()["source"], copy.records()["record_key"]))


def test_backup_during_store_updates(store_path: Path, tmp_path: Path) -> None:
    """A store updated in another thread backs up to a before or an after state."""
    seen: list[int] = [12]
    errors: list[BaseException] = []

    def update() -> None:
        try:
            with gr.GoldenStore.open(store_path) as writer:
                for i in range(3):
                    writer.update({"crm": _frame(200 + 2 * i, 2)})
                    seen.append(len(writer.records()))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    thread = threading.Thread(target=update)
    thread.start()
    reports = []
    with gr.GoldenStore.open(store_path) as store:
        while thread.is_alive() and len(reports) < 50:
            reports.append(store.backup(tmp_path / f"u{len(reports)}.db"))
            time.sleep(0.02)
        thread.join()
        reports.append(store.backup(tmp_path / "last.db"))
    assert not errors
    assert reports[-1].tables["raw"] == 18
    for report in reports:
        assert report.tables["raw"] in seen
        with gr.GoldenStore.open(report.path) as copy:
            assert len(copy.records()) == report.tables["raw"]
            assert set(copy.xref()["golden_id"]) == set(copy.golden()["golden_id"])


def test_cli_backup_and_restore(store_path: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "cli.db"
    assert main(["backup", "--store", str(store_path), str(dest)]) == 0
    out = capsys.readouterr().out
    assert "verified" in out and "checksum" in out
    assert main(["backup", "--store", str(store_path), str(dest)]) == 2
    assert main(["restore", str(dest), "--store", str(store_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["restore", str(dest), "--store", str(store_path), "--force"]) == 0
    dest.write_bytes(dest.read_bytes()[:1000])
    assert main(["restore", str(dest), "--store", str(tmp_path / "x.db")]) == 2
    assert not (tmp_path / "x.db").exists()
