"""The golden store: source records, the frozen model, clusters, golden records,
lineage, steward decisions and an event log in one SQLite file.

Every operation runs in one SQLite transaction: all results are computed in memory
first and written at the end, and an error anywhere rolls the store back to where it
was before the operation.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from goldenrec._clustering import WeightedClustering
from goldenrec._pipeline import Pipeline
from goldenrec._schema import SchemaMapper, as_text
from goldenrec._survivorship import Survivorship, golden_id_for
from goldenrec.errors import ConfigError, InputError, SerialisationError

__all__ = [
    "STORE_FORMAT",
    "STORE_VERSION",
    "Batch",
    "Changes",
    "Decision",
    "Event",
    "GoldenStore",
    "StoreFormatError",
]

logger = logging.getLogger(__name__)

STORE_FORMAT = "goldenrec.store"
STORE_VERSION = 1
RecordId = tuple[str, str]
_PairId = tuple[str, str, str, str]

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE raw (source TEXT NOT NULL, record_key TEXT NOT NULL, data TEXT NOT NULL,
                  PRIMARY KEY (source, record_key));
CREATE TABLE normalised (source TEXT NOT NULL, record_key TEXT NOT NULL,
                         data TEXT NOT NULL, PRIMARY KEY (source, record_key));
CREATE TABLE xref (source TEXT NOT NULL, record_key TEXT NOT NULL,
                   golden_id TEXT NOT NULL, PRIMARY KEY (source, record_key));
CREATE TABLE pairs (source_l TEXT NOT NULL, record_key_l TEXT NOT NULL,
                    source_r TEXT NOT NULL, record_key_r TEXT NOT NULL,
                    match_probability REAL NOT NULL, data TEXT NOT NULL,
                    PRIMARY KEY (source_l, record_key_l, source_r, record_key_r));
CREATE TABLE golden (golden_id TEXT PRIMARY KEY, created INTEGER NOT NULL,
                     data TEXT NOT NULL);
CREATE TABLE lineage (golden_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE conflicts (golden_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE aliases (alias TEXT PRIMARY KEY, golden_id TEXT NOT NULL);
CREATE TABLE decisions (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE events (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL,
                     golden_id TEXT, data TEXT NOT NULL);
"""
_DECISION_KINDS = ("must_link", "cannot_link", "override")


class StoreFormatError(SerialisationError):
    """The file is not a golden store, or one written in another format version."""


@dataclass(frozen=True)
class Batch:
    """New, changed and deleted source records.

    ``frames`` holds one frame per source, as the pipeline takes them; a record whose
    ``(source, record_key)`` is already stored replaces the stored one. ``deleted``
    lists ``(source, record_key)`` pairs to remove.
    """

    frames: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    deleted: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class Event:
    """One entry of the event log; ``seq`` grows by one per event."""

    seq: int
    kind: str
    golden_id: str | None
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Decision:
    """A steward decision: ``must_link`` / ``cannot_link`` between two records, or an
    ``override`` of one golden value."""

    id: int
    kind: str
    records: tuple[RecordId, ...] = ()
    golden_id: str | None = None
    field: str | None = None
    value: Any = None


@dataclass(frozen=True)
class Changes:
    """What one operation changed: its events, in order."""

    events: tuple[Event, ...]

    def _ids(self, kind: str) -> list[str]:
        return [e.golden_id for e in self.events if e.kind == kind and e.golden_id]

    @property
    def created(self) -> list[str]:
        return self._ids("created")

    @property
    def updated(self) -> list[str]:
        return self._ids("updated")

    @property
    def merged(self) -> list[str]:
        return self._ids("merged")

    @property
    def split(self) -> list[str]:
        return self._ids("split")

    @property
    def deleted(self) -> list[str]:
        return self._ids("deleted")

    @property
    def last_seq(self) -> int | None:
        return self.events[-1].seq if self.events else None


@dataclass
class _Plan:
    """Everything one operation writes (computed before the transaction starts)."""

    raw_put: dict[RecordId, str] = field(default_factory=dict)
    raw_del: set[RecordId] = field(default_factory=set)
    norm_put: dict[RecordId, str] = field(default_factory=dict)
    norm_del: set[RecordId] = field(default_factory=set)
    xref_put: dict[RecordId, str] = field(default_factory=dict)
    xref_del: set[RecordId] = field(default_factory=set)
    pair_put: dict[_PairId, tuple[float, str]] = field(default_factory=dict)
    pair_del: set[_PairId] = field(default_factory=set)
    golden_put: dict[str, tuple[int, str]] = field(default_factory=dict)
    golden_del: set[str] = field(default_factory=set)
    lineage_put: dict[str, str] = field(default_factory=dict)
    conflicts_put: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    events: list[tuple[str, str | None, dict[str, Any]]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)


def _plain(value: Any) -> Any:
    """A JSON-ready copy of one cell (missing values become ``None``)."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def _rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    data = {c: frame[c].tolist() for c in columns}
    return [{c: _plain(data[c][i]) for c in columns} for i in range(len(frame))]


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class GoldenStore:
    """A golden store in one SQLite file; open it with :meth:`create` or :meth:`open`.

    Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        self._pipeline: Pipeline | None = None

    # -- opening ----------------------------------------------------------------------
    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(str(path), isolation_level=None)
        db.execute("PRAGMA secure_delete = ON")
        db.execute("PRAGMA journal_mode = DELETE")
        db.execute("PRAGMA foreign_keys = ON")
        return db

    @classmethod
    def create(cls, path: str | Path, pipeline: Pipeline,
               data: Batch | Mapping[str, pd.DataFrame] | None = None) -> GoldenStore:
        """A new store at ``path`` (which must not exist) using ``pipeline``.

        An unfitted pipeline is fitted on the first data loaded, then frozen. With
        ``data`` the records are loaded at once (as by :meth:`update`).
        """
        target = Path(path)
        if target.exists():
            raise ConfigError(f"a file already exists at '{target}'")
        text = pipeline.to_json()  # fails early for pipelines that cannot be saved
        db = cls._connect(target)
        try:
            db.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            meta = {"format": STORE_FORMAT, "version": str(STORE_VERSION),
                    "pipeline": text,
                    "fitted": "1" if pipeline.is_fitted else "0",
                    "next_golden": "1"}
            db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
            db.execute("COMMIT")
        except BaseException:
            db.close()
            target.unlink(missing_ok=True)
            raise
        store = cls(db, target)
        if data is not None:
            try:
                store.update(data)
            except BaseException:
                store.close()
                target.unlink(missing_ok=True)
                raise
        return store

    @classmethod
    def open(cls, path: str | Path) -> GoldenStore:
        """Open an existing store; a store of another format version is refused."""
        target = Path(path)
        if not target.is_file():
            raise StoreFormatError(f"no golden store at '{target}'")
        try:
            db = cls._connect(target)
        except sqlite3.DatabaseError:
            raise StoreFormatError(f"'{target}' is not a golden store") from None
        try:
            rows = dict(db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError:
            db.close()
            raise StoreFormatError(f"'{target}' is not a golden store") from None
        if rows.get("format") != STORE_FORMAT:
            db.close()
            raise StoreFormatError(f"'{target}' is not a golden store")
        if rows.get("version") != str(STORE_VERSION):
            db.close()
            raise StoreFormatError(
                f"the golden store '{target}' has format version {rows.get('version')!r}; "
                f"this goldenrec reads version {STORE_VERSION} (no migration is known)")
        return cls(db, target)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> GoldenStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<goldenrec.GoldenStore '{self.path}'>"

    # -- reading ----------------------------------------------------------------------
    def _meta(self, key: str) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise StoreFormatError(f"the golden store lacks metadata {key!r}")
        return str(row[0])

    @property
    def pipeline(self) -> Pipeline:
        """The stored pipeline (fitted once records were loaded)."""
        return Pipeline.from_json(self._meta("pipeline"))

    @property
    def format_version(self) -> int:
        return int(self._meta("version"))

    def golden(self) -> pd.DataFrame:
        """One row per current golden record, sorted by golden id."""
        rows = [json.loads(d) for (d,) in self._db.execute(
            "SELECT data FROM golden ORDER BY golden_id")]
        return _frame(rows, ["golden_id"])

    def lineage(self) -> pd.DataFrame:
        """Cell-level lineage of the current golden records."""
        rows = [r for (d,) in self._db.execute("SELECT data FROM lineage ORDER BY golden_id")
                for r in json.loads(d)]
        return _frame(rows, [])

    def conflicts(self) -> pd.DataFrame:
        """Conflicting values per golden record, for steward review."""
        rows = [r for (d,) in self._db.execute(
            "SELECT data FROM conflicts ORDER BY golden_id") for r in json.loads(d)]
        return _frame(rows, [])

    def xref(self) -> pd.DataFrame:
        """Every stored source record with its current golden id."""
        rows = self._db.execute(
            "SELECT source, record_key, golden_id FROM xref ORDER BY source, record_key"
        ).fetchall()
        return _frame([dict(zip(("source", "record_key", "golden_id"), r)) for r in rows],
                      ["source", "record_key", "golden_id"])

    def records(self) -> pd.DataFrame:
        """The stored normalised records, sorted by ``(source, record_key)``."""
        rows = [json.loads(d) for (d,) in self._db.execute(
            "SELECT data FROM normalised ORDER BY source, record_key")]
        return _frame(rows, [])

    def pairs(self) -> pd.DataFrame:
        """The stored scored candidate pairs."""
        rows = [json.loads(d) for (d,) in self._db.execute(
            "SELECT data FROM pairs ORDER BY source_l, record_key_l, source_r, record_key_r")]
        return _frame(rows, [])

    def resolve_id(self, golden_id: str) -> str | None:
        """The current golden id of ``golden_id`` (itself, or the record it merged
        into); ``None`` once deleted or never given."""
        current = str(golden_id)
        for _ in range(1000):
            if self._db.execute("SELECT 1 FROM golden WHERE golden_id = ?",
                                (current,)).fetchone():
                return current
            row = self._db.execute("SELECT golden_id FROM aliases WHERE alias = ?",
                                   (current,)).fetchone()
            if row is None:
                return None
            current = str(row[0])
        return None

    def events(self, since: int = 0) -> list[Event]:
        """Events with a sequence number above ``since``, oldest first."""
        return [Event(int(seq), str(kind), gid, json.loads(data))
                for seq, kind, gid, data in self._db.execute(
                    "SELECT seq, kind, golden_id, data FROM events WHERE seq > ? "
                    "ORDER BY seq", (int(since),))]

    @property
    def last_seq(self) -> int:
        """The sequence number of the latest event (0 when there is none)."""
        row = self._db.execute("SELECT MAX(seq) FROM events").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def decisions(self) -> list[Decision]:
        """The stored steward decisions, by id."""
        out = []
        for ident, kind, data in self._db.execute(
                "SELECT id, kind, data FROM decisions ORDER BY id"):
            body = json.loads(data)
            out.append(Decision(int(ident), str(kind),
                                tuple((str(s), str(k)) for s, k in body.get("records", [])),
                                body.get("golden_id"), body.get("field"), body.get("value")))
        return out

    # -- changing -----------------------------------------------------------------------
    def update(self, batch: Batch | Mapping[str, pd.DataFrame]) -> Changes:
        """Load new, changed and deleted records; returns what changed."""
        if not isinstance(batch, Batch):
            batch = Batch(frames=batch)
        changes = self._batch_changes(batch)
        return self._run(changes, set())

    def forget(self, records: Sequence[tuple[str, str]]) -> Changes:
        """Erase source records everywhere in the store (records, pairs, lineage,
        decisions naming them, values in past events) and re-derive what remains."""
        wanted = {(str(s), str(k)) for s, k in records}
        known = self._record_ids()
        for source, key in sorted(wanted - known):
            raise InputError("no such record in the store", source=source, record_key=key)
        changes: dict[RecordId, str | None] = dict.fromkeys(wanted)
        values: set[str] = set()
        for table in ("raw", "normalised"):
            for source, key, data in self._db.execute(
                    f"SELECT source, record_key, data FROM {table}").fetchall():
                if (source, key) in wanted:
                    values.update(_strings(json.loads(data)))
        result = self._run(changes, set(), forget=values)
        self._db.execute("VACUUM")
        return result

    def must_link(self, a: tuple[str, str], b: tuple[str, str]) -> Decision:
        """Steward decision: these two records are one customer."""
        return self._add_link("must_link", a, b)

    def cannot_link(self, a: tuple[str, str], b: tuple[str, str]) -> Decision:
        """Steward decision: these two records are never one customer."""
        if self.pipeline.clustering != "weighted":
            raise ConfigError("cannot-link decisions need clustering='weighted'")
        return self._add_link("cannot_link", a, b)

    def override(self, golden_id: str, field_name: str, value: Any) -> Decision:
        """Steward decision: ``field_name`` of this golden record is ``value``."""
        current = self.resolve_id(golden_id)
        if current is None:
            raise InputError(f"no golden record {golden_id!r} in the store")
        pipeline = self.pipeline
        if field_name not in getattr(pipeline, "fields_", []):
            raise ConfigError(f"{field_name!r} is not a field of the golden records")
        body = {"golden_id": current, "field": field_name, "value": _plain(value)}
        return self._add_decision("override", body, set())

    def remove_decision(self, decision_id: int) -> Changes:
        """Remove a steward decision and re-derive what it affected."""
        row = self._db.execute("SELECT kind, data FROM decisions WHERE id = ?",
                               (int(decision_id),)).fetchone()
        if row is None:
            raise InputError(f"no steward decision {int(decision_id)}")
        body = json.loads(row[1])
        touched = {(str(s), str(k)) for s, k in body.get("records", [])}
        return self._run({}, touched, decision=("remove", int(decision_id), str(row[0]),
                                                body))

    # -- internals ----------------------------------------------------------------------
    def _record_ids(self) -> set[RecordId]:
        return {(str(s), str(k)) for s, k in
                self._db.execute("SELECT source, record_key FROM raw")}

    def _add_link(self, kind: str, a: tuple[str, str], b: tuple[str, str]) -> Decision:
        left, right = sorted([(str(a[0]), str(a[1])), (str(b[0]), str(b[1]))])
        if left == right:
            raise InputError("a link needs two different records", source=left[0],
                             record_key=left[1])
        known = self._record_ids()
        for source, key in (left, right):
            if (source, key) not in known:
                raise InputError("no such record in the store", source=source,
                                 record_key=key)
        for decision in self.decisions():
            if decision.records == (left, right):
                if decision.kind == kind:
                    return decision
                raise ConfigError(f"these records already have a {decision.kind} "
                                  f"decision ({decision.id}); remove it first")
        body = {"records": [list(left), list(right)]}
        return self._add_decision(kind, body, {left, right})

    def _add_decision(self, kind: str, body: dict[str, Any],
                      touched: set[RecordId]) -> Decision:
        row = self._db.execute("SELECT MAX(id) FROM decisions").fetchone()
        ident = int(row[0] or 0) + 1
        self._run({}, touched, decision=("add", ident, kind, body))
        return next(d for d in self.decisions() if d.id == ident)

    def _batch_changes(self, batch: Batch) -> dict[RecordId, str | None]:
        """``record -> raw JSON`` for new and changed records, ``None`` for deletions."""
        changes: dict[RecordId, str | None] = {}
        pipeline = self.pipeline
        frames = {str(n): f for n, f in batch.frames.items() if len(f)}
        if frames:
            mapped = _mapper(pipeline, frames).map(frames)
            mapping = mapped.mapping
            for name, frame in sorted(frames.items()):
                keyed = mapping[(mapping["source"] == name) & (mapping["role"] == "record_key")]
                if keyed.empty:
                    raise InputError("no record-key column for this source", source=name)
                key_column = keyed["column"].iloc[0]
                text = frame.copy()
                for column in text.columns:
                    text[column] = as_text(text[column])
                keys = as_text(frame[key_column]).str.strip().tolist()
                columns = [str(c) for c in text.columns]
                for key, row in zip(keys, _rows(text.set_axis(columns, axis=1), columns)):
                    changes[(name, str(key))] = _dumps(row)
        known = self._record_ids()
        for source, key in batch.deleted:
            record = (str(source), str(key))
            if record not in known and record not in changes:
                raise InputError("cannot delete a record the store does not hold",
                                 source=record[0], record_key=record[1])
            changes[record] = None
        return changes

    def _run(self, changes: Mapping[RecordId, str | None], touched: set[RecordId], *,
             forget: set[str] | None = None,
             decision: tuple[str, int, str, dict[str, Any]] | None = None) -> Changes:
        plan = self._plan(changes, touched, forget=forget is not None, decision=decision)
        before = self.last_seq
        with self._transaction():
            self._write(plan, decision)
            if forget is not None:
                self._erase(changes, forget)
        logger.info("golden store: %d record change(s), %d event(s)", len(changes),
                    len(plan.events))
        return Changes(tuple(self.events(since=before)))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _plan(self, changes: Mapping[RecordId, str | None], touched: set[RecordId], *,
              forget: bool, decision: tuple[str, int, str, dict[str, Any]] | None
              ) -> _Plan:
        db = self._db
        plan = _Plan()
        raw = {(str(s), str(k)): str(d) for s, k, d in
               db.execute("SELECT source, record_key, data FROM raw")}
        old_norm = {(str(s), str(k)): str(d) for s, k, d in
                    db.execute("SELECT source, record_key, data FROM normalised")}
        old_xref = {(str(s), str(k)): str(g) for s, k, g in
                    db.execute("SELECT source, record_key, golden_id FROM xref")}
        old_pairs = {(str(a), str(b), str(c), str(d)): float(p) for a, b, c, d, p in
                     db.execute("SELECT source_l, record_key_l, source_r, record_key_r, "
                                "match_probability FROM pairs")}
        old_golden = {str(g): (int(c), str(d)) for g, c, d in
                      db.execute("SELECT golden_id, created, data FROM golden")}
        old_lineage = {str(g): str(d) for g, d in
                       db.execute("SELECT golden_id, data FROM lineage")}
        old_conflicts = {str(g): str(d) for g, d in
                         db.execute("SELECT golden_id, data FROM conflicts")}
        aliases = {str(a): str(g) for a, g in
                   db.execute("SELECT alias, golden_id FROM aliases")}
        decisions = [(d.id, d.kind, d) for d in self.decisions()]
        if decision is not None:
            action, ident, kind, body = decision
            if action == "add":
                decisions.append((ident, kind, Decision(
                    ident, kind, tuple((str(s), str(k)) for s, k in body.get("records", [])),
                    body.get("golden_id"), body.get("field"), body.get("value"))))
            else:
                decisions = [d for d in decisions if d[0] != ident]
        if forget:
            decisions = [d for d in decisions if not set(d[2].records) & set(changes)]
        touched = set(touched)
        for record, data in changes.items():
            if data is None:
                if record in raw:
                    del raw[record]
                    plan.raw_del.add(record)
            elif raw.get(record) != data:
                raw[record] = data
                plan.raw_put[record] = data
            else:
                continue
            touched.add(record)

        pipeline = self.pipeline
        frames = _frames(raw)
        if frames and not pipeline.is_fitted:
            pipeline.fit(frames)
            plan.meta["pipeline"] = pipeline.to_json()
            plan.meta["fitted"] = "1"
        ids: list[RecordId] = []
        records = pd.DataFrame()
        scored = pd.DataFrame({"row_l": [], "row_r": [], "match_probability": []})
        source_trust: dict[str, float] = {}
        roles: list[str] = []
        if frames:
            mapped = _mapper(pipeline, frames).map(frames)
            normalised = pipeline.record_normaliser().normalise(mapped)
            records = normalised.frame
            roles = list(normalised.roles)
            source_trust = {name: spec.trust for name, spec in mapped.sources.items()}
            ids = list(zip(records["source"].astype(str), records["record_key"].astype(str)))
            pairs = pipeline.blocker().block(records)
            gamma = pipeline.comparator().compare(pairs, records)
            scores = pipeline.model_.score(gamma)
            scored = pd.concat([pairs, gamma, scores], axis=1)
        position = {record: i for i, record in enumerate(ids)}

        # normalised records
        columns = [str(c) for c in records.columns]
        new_norm = {record: _dumps(row) for record, row in
                    zip(ids, _rows(records, columns))} if ids else {}
        for record, data in new_norm.items():
            if old_norm.get(record) != data:
                plan.norm_put[record] = data
                touched.add(record)
        plan.norm_del = set(old_norm) - set(new_norm)
        touched |= plan.norm_del

        # scored pairs
        new_pairs: dict[_PairId, tuple[float, str]] = {}
        if len(scored):
            pair_columns = [c for c in scored.columns if c not in ("row_l", "row_r")]
            left = scored["row_l"].to_numpy(dtype=np.int64)
            right = scored["row_r"].to_numpy(dtype=np.int64)
            probability = scored["match_probability"].to_numpy(dtype=np.float64)
            for i, row in enumerate(_rows(scored, pair_columns)):
                a, b = ids[left[i]], ids[right[i]]
                new_pairs[(a[0], a[1], b[0], b[1])] = (float(probability[i]), _dumps(row))
        for pair, (p, data) in new_pairs.items():
            if old_pairs.get(pair) != p:
                touched.update({(pair[0], pair[1]), (pair[2], pair[3])})
                plan.pair_put[pair] = (p, data)
        plan.pair_del = set(old_pairs) - set(new_pairs)
        for pair in plan.pair_del:
            touched.update({(pair[0], pair[1]), (pair[2], pair[3])})

        # which records to re-cluster: the touched ones, their old customers, and the
        # components of the match graph holding any of them
        by_golden: dict[str, list[RecordId]] = {}
        for record, gid in old_xref.items():
            by_golden.setdefault(gid, []).append(record)
        widened = set(touched)
        for record in touched:
            if record in old_xref:
                widened.update(by_golden[old_xref[record]])
        n = len(ids)
        must: list[tuple[int, int]] = []
        cannot: list[tuple[int, int]] = []
        if n:
            forced = pipeline._must_link_pairs(records)
            if forced is not None:
                must.extend(zip(forced["row_l"].tolist(), forced["row_r"].tolist()))
            for _, kind, item in decisions:
                if kind in ("must_link", "cannot_link") and all(
                        r in position for r in item.records):
                    a_row, b_row = sorted(position[r] for r in item.records)
                    (must if kind == "must_link" else cannot).append((a_row, b_row))
        threshold = float(getattr(pipeline, "threshold_", 1.0))
        keep = (scored["match_probability"].to_numpy(dtype=np.float64) >= threshold
                if len(scored) else np.zeros(0, dtype=bool))
        edge_l = np.concatenate([scored["row_l"].to_numpy(dtype=np.int64)[keep],
                                 np.array([a for a, _ in must], dtype=np.int64)])
        edge_r = np.concatenate([scored["row_r"].to_numpy(dtype=np.int64)[keep],
                                 np.array([b for _, b in must], dtype=np.int64)])
        graph = coo_matrix((np.ones(len(edge_l), dtype=np.int8), (edge_l, edge_r)),
                           shape=(n, n))
        component = (connected_components(graph, directed=False)[1] if n
                     else np.zeros(0, dtype=np.int64))
        hit = {int(component[position[r]]) for r in widened if r in position}
        rows = np.flatnonzero(np.isin(component, sorted(hit))) if hit else np.zeros(
            0, dtype=np.int64)
        groups = self._cluster(pipeline, records, scored, rows=rows, must=must,
                               cannot=cannot, ids=ids)

        # golden ids: stable through merges and splits
        reclustered = set(rows.tolist())
        xref: dict[RecordId, str] = {r: g for r, g in old_xref.items()
                                     if r in position and position[r] not in reclustered}
        assigned = self._assign_ids(groups, old_xref, old_golden, by_golden, plan)
        for group, gid in zip(groups, assigned):
            for record in group:
                xref[record] = gid
        for record, gid in xref.items():
            if old_xref.get(record) != gid:
                plan.xref_put[record] = gid
        plan.xref_del = set(old_xref) - set(xref)
        for alias, target in list(aliases.items()):
            if target in plan.aliases:
                plan.aliases[alias] = plan.aliases[target]

        # survivorship over every record (its context, e.g. prevalence, is global)
        all_aliases = {**aliases, **plan.aliases}
        new_golden_rows, lineage, conflicts = self._survive(
            pipeline, records, scored, ids=ids, xref=xref, roles=roles,
            source_trust=source_trust, decisions=decisions, aliases=all_aliases)
        created = {gid: old_golden[gid][0] for gid in old_golden}
        created.update({g: c for g, (c, _) in plan.golden_put.items()})
        fields = [f for f in getattr(pipeline, "fields_", []) if f in roles]
        members_old = {g: set(rs) for g, rs in by_golden.items()}
        members_new: dict[str, set[RecordId]] = {}
        for record, gid in xref.items():
            members_new.setdefault(gid, set()).add(record)
        for gid in sorted(set(new_golden_rows)):
            row = new_golden_rows[gid]
            data = _dumps(row)
            new_values = {f: row.get(f) for f in fields}
            if gid not in old_golden:
                plan.golden_put[gid] = (created[gid], data)
                plan.events.append(("created", gid, {"fields": new_values,
                                                     "n_records": len(members_new[gid])}))
                continue
            if old_golden[gid][1] != data:
                plan.golden_put[gid] = (created[gid], data)
            old_row = json.loads(old_golden[gid][1])
            changed = {f: [old_row.get(f), new_values[f]] for f in fields
                       if old_row.get(f) != new_values[f]}
            added = len(members_new[gid] - members_old.get(gid, set()))
            removed = len(members_old.get(gid, set()) - members_new[gid])
            if changed or added or removed:
                plan.events.append(("updated", gid, {"changes": changed,
                                                     "records_added": added,
                                                     "records_removed": removed}))
        for gid in sorted(set(old_golden) - set(new_golden_rows)):
            plan.golden_del.add(gid)
            if gid not in plan.aliases:
                plan.events.append(("deleted", gid, {}))
        for gid, data in lineage.items():
            if old_lineage.get(gid) != data:
                plan.lineage_put[gid] = data
        for gid, data in conflicts.items():
            if old_conflicts.get(gid) != data:
                plan.conflicts_put[gid] = data
        return plan

    def _cluster(self, pipeline: Pipeline, records: pd.DataFrame, scored: pd.DataFrame, *,
                 rows: np.ndarray, must: list[tuple[int, int]],
                 cannot: list[tuple[int, int]], ids: list[RecordId]
                 ) -> list[list[RecordId]]:
        """Re-cluster the given record rows (whole components of the match graph)."""
        if len(rows) == 0:
            return []
        local = np.full(len(ids), -1, dtype=np.int64)
        local[rows] = np.arange(len(rows))
        sub_l = local[scored["row_l"].to_numpy(dtype=np.int64)]
        sub_r = local[scored["row_r"].to_numpy(dtype=np.int64)]
        inside = (sub_l >= 0) & (sub_r >= 0)
        sub = scored.loc[inside].reset_index(drop=True).copy()
        sub["row_l"] = sub_l[inside]
        sub["row_r"] = sub_r[inside]
        sub_records = records.iloc[rows].reset_index(drop=True)

        def local_pairs(pairs: list[tuple[int, int]]) -> pd.DataFrame:
            kept = [(int(local[a]), int(local[b])) for a, b in pairs
                    if local[a] >= 0 and local[b] >= 0]
            frame: pd.DataFrame = pd.DataFrame({
                "row_l": np.array([a for a, _ in kept], dtype=np.int64),
                "row_r": np.array([b for _, b in kept], dtype=np.int64)})
            return frame

        clusterer = pipeline.clusterer()
        if isinstance(clusterer, WeightedClustering):
            labels = clusterer.cluster(sub, len(rows), cannot_link=local_pairs(cannot),
                                       constraints=pipeline._constraints(sub_records),
                                       must_link=local_pairs(must))
        else:
            forced = local_pairs(must)
            forced["match_probability"] = 1.0
            labels = clusterer.cluster(pd.concat([sub, forced], ignore_index=True),
                                       len(rows))
        out: dict[int, list[RecordId]] = {}
        for i, label in enumerate(labels.tolist()):
            out.setdefault(int(label), []).append(ids[int(rows[i])])
        return [sorted(g) for g in sorted(out.values(), key=min)]

    def _assign_ids(self, groups: list[list[RecordId]], old_xref: Mapping[RecordId, str],
                    old_golden: Mapping[str, tuple[int, str]],
                    by_golden: Mapping[str, list[RecordId]], plan: _Plan) -> list[str]:
        """One golden id per group: see docs/store.md for the rules."""
        parts: dict[str, dict[int, int]] = {}
        for index, group in enumerate(groups):
            for record in group:
                gid = old_xref.get(record)
                if gid is not None:
                    counts = parts.setdefault(gid, {})
                    counts[index] = counts.get(index, 0) + 1
        claims: dict[int, list[str]] = {}
        for gid, counts in parts.items():
            best = min(counts, key=lambda i: (-counts[i], groups[i][0]))
            claims.setdefault(best, []).append(gid)
        next_golden = int(self._meta("next_golden"))
        assigned: list[str] = []
        for index in range(len(groups)):
            claimants = sorted(claims.get(index, []), key=lambda g: (old_golden[g][0], g))
            if claimants:
                gid = claimants[0]
                for loser in claimants[1:]:
                    plan.aliases[loser] = gid
                if len(claimants) > 1:
                    plan.events.append(("merged", gid, {"from": claimants, "into": gid}))
            else:
                gid = f"G{next_golden:08d}"
                plan.golden_put[gid] = (next_golden, "")
                next_golden += 1
            assigned.append(gid)
        plan.meta["next_golden"] = str(next_golden)
        for gid, counts in sorted(parts.items()):
            if len(counts) > 1:
                into = sorted({assigned[i] for i in counts},
                              key=lambda g: (g != assigned[min(
                                  counts, key=lambda i: (-counts[i], groups[i][0]))], g))
                plan.events.append(("split", gid, {"from": gid, "into": into}))
        return assigned

    def _survive(self, pipeline: Pipeline, records: pd.DataFrame, scored: pd.DataFrame, *,
                 ids: list[RecordId], xref: Mapping[RecordId, str], roles: list[str],
                 source_trust: Mapping[str, float],
                 decisions: list[tuple[int, str, Decision]], aliases: Mapping[str, str]
                 ) -> tuple[dict[str, dict[str, Any]], dict[str, str], dict[str, str]]:
        if not ids:
            return {}, {}, {}
        gids = [xref[r] for r in ids]
        order = {g: i for i, g in enumerate(sorted(set(gids)))}
        clusters = np.array([order[g] for g in gids], dtype=np.int64)
        internal: dict[str, str] = {}
        for record, gid in zip(ids, gids):
            internal.setdefault(gid, golden_id_for(*record))
        fields = [f for f in getattr(pipeline, "fields_", []) if f in roles]

        def current(gid: str) -> str | None:
            for _ in range(1000):
                if gid in internal:
                    return gid
                if gid not in aliases:
                    return None
                gid = aliases[gid]
            return None

        overrides = []
        for _, kind, item in decisions:
            target = current(item.golden_id) if kind == "override" and item.golden_id \
                else None
            if target is not None and item.field in fields:
                overrides.append({"golden_id": internal[target], "field": item.field,
                                  "value": item.value})
        engine = (pipeline.survivorship if isinstance(pipeline.survivorship, Survivorship)
                  else Survivorship(pipeline.survivorship))
        survived = engine.survive(
            records, clusters, fields, pairs=scored,
            overrides=pd.DataFrame(overrides, columns=["golden_id", "field", "value"])
            if overrides else None, source_trust=source_trust)
        back = {v: k for k, v in internal.items()}
        golden = survived.golden.copy()
        golden["golden_id"] = golden["golden_id"].map(back)
        golden_rows = {str(r["golden_id"]): r for r in _rows(golden, [str(c) for c in
                                                                       golden.columns])}

        def grouped(frame: pd.DataFrame) -> dict[str, str]:
            if frame is None or "golden_id" not in frame.columns:
                return {}
            frame = frame.copy()
            frame["golden_id"] = frame["golden_id"].map(back)
            columns = [str(c) for c in frame.columns]
            out: dict[str, list[dict[str, Any]]] = {g: [] for g in golden_rows}
            for row in _rows(frame, columns):
                out.setdefault(str(row["golden_id"]), []).append(row)
            return {g: _dumps(rows) for g, rows in out.items()}

        return golden_rows, grouped(survived.lineage), grouped(survived.conflicts)

    def _write(self, plan: _Plan, decision: tuple[str, int, str, dict[str, Any]] | None
               ) -> None:
        db = self._db
        db.executemany("DELETE FROM raw WHERE source = ? AND record_key = ?",
                       sorted(plan.raw_del))
        db.executemany("INSERT OR REPLACE INTO raw VALUES (?, ?, ?)",
                       [(s, k, d) for (s, k), d in sorted(plan.raw_put.items())])
        db.executemany("DELETE FROM normalised WHERE source = ? AND record_key = ?",
                       sorted(plan.norm_del))
        db.executemany("INSERT OR REPLACE INTO normalised VALUES (?, ?, ?)",
                       [(s, k, d) for (s, k), d in sorted(plan.norm_put.items())])
        db.executemany("DELETE FROM pairs WHERE source_l = ? AND record_key_l = ? AND "
                       "source_r = ? AND record_key_r = ?", sorted(plan.pair_del))
        db.executemany("INSERT OR REPLACE INTO pairs VALUES (?, ?, ?, ?, ?, ?)",
                       [(*pair, p, d) for pair, (p, d) in sorted(plan.pair_put.items())])
        self._write_golden(plan)
        db.executemany("DELETE FROM xref WHERE source = ? AND record_key = ?",
                       sorted(plan.xref_del))
        db.executemany("INSERT OR REPLACE INTO xref VALUES (?, ?, ?)",
                       [(s, k, g) for (s, k), g in sorted(plan.xref_put.items())])
        db.executemany("INSERT OR REPLACE INTO aliases VALUES (?, ?)",
                       sorted(plan.aliases.items()))
        if decision is not None:
            action, ident, kind, body = decision
            if action == "add":
                db.execute("INSERT INTO decisions VALUES (?, ?, ?)",
                           (ident, kind, _dumps(body)))
            else:
                db.execute("DELETE FROM decisions WHERE id = ?", (ident,))
            plan.events.insert(0, (f"decision_{'added' if action == 'add' else 'removed'}",
                                   body.get("golden_id"), {"decision": ident, "kind": kind}))
        for kind, gid, data in plan.events:
            db.execute("INSERT INTO events (kind, golden_id, data) VALUES (?, ?, ?)",
                       (kind, gid, _dumps(data)))
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", sorted(plan.meta.items()))

    def _write_golden(self, plan: _Plan) -> None:
        db = self._db
        for gid in sorted(plan.golden_del):
            for table in ("golden", "lineage", "conflicts"):
                db.execute(f"DELETE FROM {table} WHERE golden_id = ?", (gid,))
        db.executemany("INSERT OR REPLACE INTO golden VALUES (?, ?, ?)",
                       [(g, c, d) for g, (c, d) in sorted(plan.golden_put.items())])
        db.executemany("INSERT OR REPLACE INTO lineage VALUES (?, ?)",
                       sorted(plan.lineage_put.items()))
        db.executemany("INSERT OR REPLACE INTO conflicts VALUES (?, ?)",
                       sorted(plan.conflicts_put.items()))

    def _erase(self, changes: Mapping[RecordId, str | None], values: set[str]) -> None:
        """Forget: drop decisions naming the records; blank their values in events."""
        db = self._db
        forgotten = set(changes)
        for decision in self.decisions():
            if set(decision.records) & forgotten:
                db.execute("DELETE FROM decisions WHERE id = ?", (decision.id,))
        for seq, data in db.execute("SELECT seq, data FROM events").fetchall():
            body = json.loads(data)
            cleaned = _redact(body, values)
            if cleaned != body:
                db.execute("UPDATE events SET data = ? WHERE seq = ?",
                           (_dumps(cleaned), seq))
        db.execute("INSERT INTO events (kind, golden_id, data) VALUES (?, ?, ?)",
                   ("forgotten", None, _dumps({
                       "n_records": len(forgotten),
                       "sources": sorted({s for s, _ in forgotten})})))


def _strings(row: Mapping[str, Any]) -> set[str]:
    """The non-empty text values of one stored row (lists included)."""
    out: set[str] = set()
    for value in row.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.strip():
                out.add(item)
    return out


def _redact(body: Any, values: set[str]) -> Any:
    """``body`` with every string among ``values`` replaced by ``None``."""
    if isinstance(body, dict):
        return {k: _redact(v, values) for k, v in body.items()}
    if isinstance(body, list):
        return [_redact(v, values) for v in body]
    if isinstance(body, str) and body in values:
        return None
    return body


def _mapper(pipeline: Pipeline, frames: Mapping[str, pd.DataFrame]) -> SchemaMapper:
    """The pipeline's schema mapper, for the sources that have records now."""
    sources = [s for s in pipeline.sources or () if s.name in frames]
    return SchemaMapper(sources or None, source_column=pipeline.source_column,
                        key=pipeline.key, fields=pipeline.all_fields() or None)


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """A frame of JSON rows (``columns`` when there is no row)."""
    frame: pd.DataFrame = pd.DataFrame(rows) if rows else pd.DataFrame({c: [] for c in columns})
    return frame


def _frames(raw: Mapping[RecordId, str]) -> dict[str, pd.DataFrame]:
    """Per source, the stored raw records as a text frame (rows by record key)."""
    by_source: dict[str, list[dict[str, Any]]] = {}
    for (source, _), data in sorted(raw.items()):
        by_source.setdefault(source, []).append(json.loads(data))
    return {source: pd.DataFrame(rows, dtype=object) for source, rows in by_source.items()}
