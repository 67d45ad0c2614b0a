"""Retention: per-source periods applied through the store's erasure path."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

import goldenrec as gr
from goldenrec._cli import main
from goldenrec._retention import Period
from goldenrec._store import _received
from goldenrec.errors import ConfigError


# -- periods and policies -----------------------------------------------------------------
@pytest.mark.parametrize(("text", "start", "end"), [
    ("730d", "2022-01-01", "2024-01-01"),
    ("2y", "2024-02-29", "2026-02-28"),
    ("1m", "2024-01-31", "2024-02-29"),
    ("18m", "2023-08-15", "2025-02-15"),
    ("2w", "2024-01-01", "2024-01-15"),
    ("999999w", "2024-01-01", "9999-12-31T23:59:59.999999"),
    ("999999y", "2024-01-01", "9999-12-31T23:59:59.999999"),
])
def test_periods(text: str, start: str, end: str) -> None:
    moment = dt.datetime.fromisoformat(start)
    assert Period.parse(text).after(moment) == dt.datetime.fromisoformat(end)


@pytest.mark.parametrize("bad", ["", "2", "y", "-1d", "0d", "2 years", "1.5y"])
def test_bad_periods(bad: str) -> None:
    with pytest.raises(ConfigError):
        gr.RetentionPolicy({"support": bad})


def test_policy_round_trip() -> None:
    policy = gr.RetentionPolicy({"web": dt.timedelta(days=90), "support": "2Y"})
    assert policy.to_dict()["periods"] == {"support": "2y", "web": "90d"}
    assert gr.RetentionPolicy.from_json(policy.to_json()) == policy
    with pytest.raises(ConfigError):
        gr.RetentionPolicy({"web": dt.timedelta(hours=5)})
    with pytest.raises(ConfigError):
        gr.RetentionPolicy.from_json("[]")


# -- a store ------------------------------------------------------------------------------
def _frames() -> dict[str, pd.DataFrame]:
    crm = pd.DataFrame({
        "id": ["c1", "c2", "c3"], "first_name": ["Ann", "Bob", "Cyd"],
        "last_name": ["Lee", "Ray", "Oak"],
        "email": ["ann@example.com", "bob@example.com", "cyd@example.com"],
    })
    support = pd.DataFrame({
        "ticket": ["t1", "t2", "t3", "t4"], "first_name": ["Ann", "Bob", "Cyd", "Dee"],
        "last_name": ["Lee", "Ray", "Oak", "Fox"],
        "email": ["ann@example.com", "bob@example.com", "cyd@example.com",
                  "dee@example.com"],
        # t4 has no valid update time: its last update is when the store received it
        "updated_at": ["2021-03-01T12:00:00Z", "2023-06-01", "2024-05-01", "soon"],
    })
    return {"crm": crm, "support": support}


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(_received, "utc_now", lambda: dt.datetime(2022, 1, 1, 9, 0))
    path = tmp_path / "store.db"
    pipeline = gr.Pipeline(sources=[gr.Source("crm", key="id"),
                                    gr.Source("support", key="ticket")], threshold=0.9)
    gr.GoldenStore.create(path, pipeline, _frames()).close()
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


POLICY = gr.RetentionPolicy({"support": "2y"})
AS_OF = "2025-01-01T00:00:00"


def test_dry_run_lists_and_changes_nothing(store_path: Path) -> None:
    before = _digest(store_path)
    with gr.GoldenStore.open(store_path) as store:
        n_events = store.last_seq
        report = store.retain(POLICY, as_of=AS_OF, dry_run=True)
        assert report.dry_run and report.changes is None
        assert store.last_seq == n_events
        assert len(store.records()) == 7
    assert _digest(store_path) == before
    expired = report.expired
    assert expired["record_key"].tolist() == ["t1", "t4"]
    assert expired["basis"].tolist() == ["updated_at", "received"]
    assert expired["last_update"].tolist() == ["2021-03-01T12:00:00", "2022-01-01T09:00:00"]
    assert expired["expires_at"].tolist() == ["2023-03-01T12:00:00", "2024-01-01T09:00:00"]


def test_retain_erases_through_forget(store_path: Path) -> None:
    with gr.GoldenStore.open(store_path) as store:
        report = store.retain(POLICY, as_of=AS_OF)
        assert report.records == [("support", "t1"), ("support", "t4")]
        assert report.changes is not None
        assert "forgotten" in [e.kind for e in report.changes.events]
        keys = set(zip(store.xref()["source"], store.xref()["record_key"]))
        assert ("support", "t1") not in keys and ("support", "t4") not in keys
        assert ("crm", "c1") in keys and ("support", "t2") in keys
        assert store.retain(POLICY, as_of=AS_OF).expired.empty  # nothing left to do
    raw = store_path.read_bytes()
    assert b"dee@example.com" not in raw and b"Dee" not in raw
    db = sqlite3.connect(str(store_path))
    try:
        assert db.execute("SELECT COUNT(*) FROM received WHERE record_key IN "
                          "('t1', 't4')").fetchone() == (0,)
    finally:
        db.close()


def test_unknown_source_is_reported(store_path: Path,
                                    caplog: pytest.LogCaptureFixture) -> None:
    with gr.GoldenStore.open(store_path) as store:
        report = store.retain(gr.RetentionPolicy({"suport": "1d", "crm": "100y"}),
                              as_of=AS_OF, dry_run=True)
    assert report.unknown_sources == ("suport",)
    assert report.expired.empty
    assert "suport" in caplog.text


def test_later_moment_expires_more(store_path: Path) -> None:
    with gr.GoldenStore.open(store_path) as store:
        soon = store.retain(POLICY, as_of="2023-01-01", dry_run=True)
        late = store.retain(POLICY, as_of=dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc),
                            dry_run=True)
    assert soon.expired.empty
    assert late.expired["record_key"].tolist() == ["t1", "t2", "t3", "t4"]


def test_changed_record_is_received_again(store_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_received, "utc_now", lambda: dt.datetime(2024, 12, 1))
    changed = _frames()["support"].iloc[[3]].assign(email="dee@example.org")
    with gr.GoldenStore.open(store_path) as store:
        store.update({"support": changed})
        report = store.retain(POLICY, as_of=AS_OF, dry_run=True)
    assert report.expired["record_key"].tolist() == ["t1"]


def test_stored_policy(store_path: Path) -> None:
    with gr.GoldenStore.open(store_path) as store:
        assert store.retention_policy() is None
        with pytest.raises(ConfigError):
            store.retain(as_of=AS_OF)
        store.set_retention(POLICY)
        assert store.retention_policy() == POLICY
        assert store.events()[-1].kind == "retention_set"
    with gr.GoldenStore.open(store_path) as store:
        assert store.retain(as_of=AS_OF, dry_run=True).records == [("support", "t1"),
                                                                   ("support", "t4")]
        store.set_retention(None)
        assert store.retention_policy() is None


def test_cli_retain(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _digest(store_path)
    args = ["retain", "--store", str(store_path), "--now", AS_OF]
    assert main([*args, "--keep", "support=2y", "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "source,record_key,last_update,basis,expires_at",
        "support,t1,2021-03-01T12:00:00,updated_at,2023-03-01T12:00:00",
        "support,t4,2022-01-01T09:00:00,received,2024-01-01T09:00:00"]
    assert "would erase" in captured.err
    assert _digest(store_path) == before
    assert main(args) == 2  # no policy given or stored
    assert "no retention policy" in capsys.readouterr().err
    assert main([*args, "--keep", "support=forever"]) == 2
    assert main([*args, "--keep", "support=2y", "--save"]) == 0
    assert "2 record(s)" in capsys.readouterr().out
    assert main([*args, "--keep", "suport=1d", "--dry-run"]) == 0
    assert "1 source(s) with no records: suport" in capsys.readouterr().err
    with gr.GoldenStore.open(store_path) as store:
        assert store.retention_policy() == POLICY
        assert len(store.records()) == 5
