"""The golden store: source records, the frozen model, clusters, golden records,
lineage, steward decisions and an event log in one SQLite file.

Updates are incremental: a batch is normalised alone, matched against the stored
records through indexed block keys, and only the clusters it can affect are
re-clustered and re-survived (see docs/store.md). Every operation runs in one SQLite
transaction, so an error anywhere rolls the store back to where it was before.
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from goldenrec._clustering import WeightedClustering
from goldenrec._comparisons import _KeyColumns
from goldenrec._consent import golden_fields
from goldenrec._correlated import combination_keys, combination_name, correlated_combinations
from goldenrec._frozen import FrozenState
from goldenrec._pipeline import Pipeline
from goldenrec._schema import SchemaMapper, as_text
from goldenrec._store._matching import (
    block_keys,
    bounded_sizes,
    candidate_pairs,
    cells,
    check_must_link,
    check_rules,
    dumps,
    frame_of,
    hashes,
    normalise_batch,
    plain,
    rows_of,
    rule_limits,
    score_pairs,
)
from goldenrec._store._matching import table as new_frame
from goldenrec._store._received import note_received
from goldenrec._survivorship import Survivorship, golden_id_for
from goldenrec._validation import check_store_meta, check_store_schema
from goldenrec.errors import ConfigError, InputError, SerialisationError

if TYPE_CHECKING:
    from goldenrec._retention import RetentionPolicy, RetentionReport
    from goldenrec._store._backup import BackupReport

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
#: Version 2: integer record ids, block-key index, frozen whole-data state.
STORE_VERSION = 2
RecordId = tuple[str, str]
#: Rule ids of the pipeline's must-link rules start here (blocking rules: 0, 1, ...).
_MUST_RULES = 1000
#: Records per chunk when a large batch is loaded (bounds memory).
CHUNK = 100_000
#: Ids per ``IN (...)`` list.
_IN = 900

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE raw (rid INTEGER PRIMARY KEY, source TEXT NOT NULL, record_key TEXT NOT NULL,
                  data TEXT NOT NULL);
CREATE TABLE normalised (rid INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE xref (rid INTEGER PRIMARY KEY, source TEXT NOT NULL, record_key TEXT NOT NULL,
                   golden_id TEXT NOT NULL);
CREATE TABLE block_keys (rule INTEGER NOT NULL, hash INTEGER NOT NULL, rid INTEGER NOT NULL,
                         PRIMARY KEY (rule, hash, rid)) WITHOUT ROWID;
CREATE TABLE pairs (rid_l INTEGER NOT NULL, rid_r INTEGER NOT NULL, rules INTEGER NOT NULL,
                    match_probability REAL NOT NULL, data TEXT NOT NULL,
                    PRIMARY KEY (rid_l, rid_r)) WITHOUT ROWID;
CREATE TABLE forced (rid_l INTEGER NOT NULL, rid_r INTEGER NOT NULL,
                     PRIMARY KEY (rid_l, rid_r)) WITHOUT ROWID;
CREATE TABLE frozen_counts (kind TEXT NOT NULL, field TEXT NOT NULL, hash INTEGER NOT NULL,
                            count INTEGER NOT NULL,
                            PRIMARY KEY (kind, field, hash)) WITHOUT ROWID;
CREATE TABLE golden (golden_id TEXT PRIMARY KEY, created INTEGER NOT NULL,
                     data TEXT NOT NULL);
CREATE TABLE lineage (golden_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE conflicts (golden_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE aliases (alias TEXT PRIMARY KEY, golden_id TEXT NOT NULL);
CREATE TABLE decisions (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE events (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL,
                     golden_id TEXT, data TEXT NOT NULL);
"""
#: Secondary indexes: created after the first records are bulk-loaded.
_INDEXES = """
CREATE UNIQUE INDEX IF NOT EXISTS raw_key ON raw (source, record_key);
CREATE INDEX IF NOT EXISTS xref_golden ON xref (golden_id);
CREATE INDEX IF NOT EXISTS pairs_right ON pairs (rid_r);
CREATE INDEX IF NOT EXISTS forced_right ON forced (rid_r)
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
    """Everything one operation writes (computed first, written in one go)."""

    raw_put: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    raw_del: dict[int, RecordId] = field(default_factory=dict)
    norm_put: dict[int, str] = field(default_factory=dict)
    keys_put: list[tuple[int, int, int]] = field(default_factory=list)
    keys_del: list[tuple[int, int, int]] = field(default_factory=list)
    unlinked: set[int] = field(default_factory=set)
    pair_put: list[tuple[int, int, int, float, str]] = field(default_factory=list)
    #: New ``rules`` of stored pairs whose blocks crossed ``max_block_size`` (0: delete).
    pair_rules: dict[tuple[int, int], int] = field(default_factory=dict)
    forced_put: list[tuple[int, int]] = field(default_factory=list)
    xref_put: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    xref_del: set[int] = field(default_factory=set)
    golden_put: dict[str, tuple[int, str]] = field(default_factory=dict)
    golden_del: set[str] = field(default_factory=set)
    lineage_put: dict[str, str] = field(default_factory=dict)
    conflicts_put: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    events: list[tuple[str, str | None, dict[str, Any]]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    #: What the update looked at, for tests and logs.
    stats: dict[str, int] = field(default_factory=dict)


@dataclass
class _Local:
    """Records of the affected components, sorted by ``(source, record_key)``."""

    rids: np.ndarray
    records: pd.DataFrame
    position: dict[int, int]


def _rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    data = [cells(frame[c].tolist()) for c in columns]
    return [dict(zip(columns, row)) for row in zip(*data)] if data else \
        [{} for _ in range(len(frame))]


_dumps = dumps


def _gone_in(plan: _Plan) -> dict[tuple[int, int], int]:
    """Records leaving each blocking rule's block ``(rule, hash)`` in this update."""
    gone_in: dict[tuple[int, int], int] = {}
    for rule, key, _ in plan.keys_del:
        if rule < _MUST_RULES:
            gone_in[(rule, key)] = gone_in.get((rule, key), 0) + 1
    return gone_in


def _chunks(items: Sequence[Any], size: int = _IN) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class GoldenStore:
    """A golden store in one SQLite file; open it with :meth:`create` or :meth:`open`.

    Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        self._pipeline: Pipeline | None = None
        self._frozen: dict[str, Any] | None = None
        #: What the last operation looked at (records, pairs, golden rows written).
        self.last_stats: dict[str, int] = {}

    # -- opening ----------------------------------------------------------------------
    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(str(path), isolation_level=None)
        db.execute("PRAGMA secure_delete = ON")
        db.execute("PRAGMA journal_mode = DELETE")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA temp_store = MEMORY")
        # a 256 MiB page cache: an update's index lookups and inserts land on random pages
        db.execute("PRAGMA cache_size = -262144")
        return db

    @classmethod
    def create(cls, path: str | Path, pipeline: Pipeline,
               data: Batch | Mapping[str, pd.DataFrame] | None = None) -> GoldenStore:
        """A new store at ``path`` (which must not exist) using ``pipeline``.

        An unfitted pipeline is fitted on the first data loaded, then frozen; a fitted
        one keeps the whole-data state it froze when it was fitted (see docs/store.md).
        With ``data`` the records are loaded at once (as by :meth:`update`).
        """
        target = Path(path)
        if target.exists():
            raise ConfigError(f"a file already exists at '{target}'")
        text = pipeline.to_json()  # fails early for pipelines that cannot be saved
        rules = pipeline.blocking_rules_ if pipeline.is_fitted else pipeline.blocking_rules
        check_rules(list(rules or ()))
        check_must_link(list(pipeline.must_link))
        model = copy.deepcopy(pipeline)  # the store's own copy, frozen state included
        db = cls._connect(target)
        try:
            db.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            meta = {"format": STORE_FORMAT, "version": str(STORE_VERSION),
                    "pipeline": text,
                    "fitted": "1" if pipeline.is_fitted else "0",
                    "next_golden": "1", "next_rid": "1", "hash_check": _hash_check()}
            db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
            store = cls(db, target)
            store._pipeline = model
            if model.is_fitted and hasattr(model, "frozen_"):
                store._save_frozen(model.frozen_)
            if data is None:
                store._index()
            db.execute("COMMIT")
        except BaseException:
            db.close()
            target.unlink(missing_ok=True)
            raise
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
                f"the golden store '{target}' has format version "
                f"{str(rows.get('version'))[:20]!r}; this goldenrec reads version "
                f"{STORE_VERSION} (no migration is known)")
        try:  # the tables, the metadata and the stored pipeline, before anything is used
            check_store_schema(db, _SCHEMA)
            check_store_meta(rows, ("pipeline", "fitted", "next_golden"))
            Pipeline.from_json(rows["pipeline"])
        except (SerialisationError, sqlite3.DatabaseError) as error:
            db.close()
            reason = (str(error) if isinstance(error, SerialisationError)
                      else "the file is damaged")
            raise StoreFormatError(f"'{target}' is not a usable golden store: {reason}"
                                   ) from None
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

    def _meta_or(self, key: str, default: str) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    @property
    def pipeline(self) -> Pipeline:
        """The stored pipeline (fitted once records were loaded)."""
        return Pipeline.from_json(self._meta("pipeline"))

    def _model(self) -> Pipeline:
        """The stored pipeline, read once per open store."""
        if self._pipeline is None:
            self._pipeline = Pipeline.from_json(self._meta("pipeline"))
        return self._pipeline

    @property
    def format_version(self) -> int:
        return int(self._meta("version"))

    def golden(self, purpose: str | None = None) -> pd.DataFrame:
        """One row per current golden record, sorted by golden id; with ``purpose``
        only customers whose consent for it is ``granted`` (see docs/privacy.md)."""
        rows = [json.loads(d) for (d,) in self._db.execute(
            "SELECT data FROM golden ORDER BY golden_id")]
        frame = _frame(rows, ["golden_id"])
        if purpose is not None:
            from goldenrec._consent import consenting  # noqa: PLC0415

            frame = frame[consenting(frame, purpose).to_numpy()].reset_index(drop=True)
        return frame

    def lineage(self) -> pd.DataFrame:
        """Cell-level lineage of the current golden records."""
        return self._table_rows("lineage")

    def conflicts(self) -> pd.DataFrame:
        """Conflicting values per golden record, for steward review."""
        return self._table_rows("conflicts")

    def xref(self) -> pd.DataFrame:
        """Every stored source record with its current golden id."""
        rows = self._db.execute(
            "SELECT source, record_key, golden_id FROM xref ORDER BY source, record_key"
        ).fetchall()
        return _frame([dict(zip(("source", "record_key", "golden_id"), r)) for r in rows],
                      ["source", "record_key", "golden_id"])

    def records(self) -> pd.DataFrame:
        """The stored normalised records, sorted by ``(source, record_key)``."""
        columns = json.loads(self._meta_or("columns", "[]"))
        rows = [json.loads(d) for (d,) in self._db.execute(
            "SELECT n.data FROM normalised n JOIN raw r ON r.rid = n.rid "
            "ORDER BY r.source, r.record_key")]
        return frame_of(rows, columns).infer_objects() if rows else _frame([], [])

    def pairs(self) -> pd.DataFrame:
        """The stored scored candidate pairs."""
        columns = json.loads(self._meta_or("pair_columns", "[]"))
        names = [getattr(r, "name", str(r)) for r in self._model().blocking_rules_] \
            if self._model().is_fitted else []
        rows = []
        for sl, kl, sr, kr, rules, probability, data in self._db.execute(
                "SELECT a.source, a.record_key, b.source, b.record_key, p.rules, "
                "p.match_probability, p.data FROM pairs p JOIN raw a ON a.rid = p.rid_l "
                "JOIN raw b ON b.rid = p.rid_r ORDER BY a.source, a.record_key, b.source, "
                "b.record_key"):
            first = (int(rules) & -int(rules)).bit_length() - 1
            row = {"source_l": sl, "record_key_l": kl, "source_r": sr, "record_key_r": kr,
                   "rule": names[first] if 0 <= first < len(names) else None}
            row.update(zip(columns, json.loads(data)))
            row["match_probability"] = float(probability)
            rows.append(row)
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
        """Erase source records everywhere in the store (records, pairs, block keys,
        lineage, decisions naming them, values in past events) and re-derive what
        remains."""
        wanted = sorted({(str(s), str(k)) for s, k in records})
        stored = self._lookup(wanted)
        for source, key in wanted:
            if (source, key) not in stored:
                raise InputError("no such record in the store", source=source, record_key=key)
        changes: dict[RecordId, str | None] = dict.fromkeys(wanted)
        values: set[str] = set()
        rids = [rid for rid, _ in stored.values()]
        for _, data in stored.values():
            values.update(_strings(json.loads(data)))
        for part in _chunks(rids):
            marks = ",".join("?" * len(part))
            for (data,) in self._db.execute(
                    f"SELECT data FROM normalised WHERE rid IN ({marks})", list(part)):
                values.update(_strings(json.loads(data)))
        result = self._run(changes, set(), forget=values)
        self._db.execute("VACUUM")
        return result

    def must_link(self, a: tuple[str, str], b: tuple[str, str]) -> Decision:
        """Steward decision: these two records are one customer."""
        return self._add_link("must_link", a, b)

    def cannot_link(self, a: tuple[str, str], b: tuple[str, str]) -> Decision:
        """Steward decision: these two records are never one customer."""
        if self._model().clustering != "weighted":
            raise ConfigError("cannot-link decisions need clustering='weighted'")
        return self._add_link("cannot_link", a, b)

    def merge(self, golden_a: str, golden_b: str) -> Decision:
        """Steward decision: two golden records are one customer.

        Stored as a must-link between the first record of each (by source and key); the
        merged customer keeps the older id (see "Stable golden ids"), and removing the
        decision splits them again.
        """
        a, b = (self._current(golden_a), self._current(golden_b))
        if a == b:
            raise InputError(f"golden records {golden_a!r} and {golden_b!r} are already one "
                             "customer")
        return self.must_link(min(self._members(a)), min(self._members(b)))

    def unmerge(self, golden_id: str, records: Sequence[tuple[str, str]]) -> list[Decision]:
        """Steward decision: take ``records`` out of a golden record, as one customer.

        Stored as cannot-links between each moved record and each record that stays,
        and must-links that keep the moved records together; each is listed by
        :meth:`decisions` and can be removed. Needs ``clustering="weighted"``.
        """
        current = self._current(golden_id)
        members = self._members(current)
        moving = sorted({(str(s), str(k)) for s, k in records})
        for source, key in moving:
            if (source, key) not in members:
                raise InputError(f"record is not part of golden record {golden_id!r}",
                                 source=source, record_key=key)
        staying = sorted(members - set(moving))
        if not moving or not staying:
            raise InputError("unmerge needs some of the golden record's records, not none "
                             "or all")
        decisions = [self.cannot_link(m, r) for m in moving for r in staying]
        decisions += [self.must_link(x, y) for x, y in itertools.pairwise(moving)]
        return decisions

    def _current(self, golden_id: str) -> str:
        current = self.resolve_id(golden_id)
        if current is None:
            raise InputError(f"no golden record {golden_id!r} in the store")
        return current

    def override(self, golden_id: str, field_name: str, value: Any) -> Decision:
        """Steward decision: ``field_name`` of this golden record is ``value``."""
        current = self.resolve_id(golden_id)
        if current is None:
            raise InputError(f"no golden record {golden_id!r} in the store")
        pipeline = self._model()
        if field_name not in getattr(pipeline, "fields_", []):
            raise ConfigError(f"{field_name!r} is not a field of the golden records")
        body = {"golden_id": current, "field": field_name, "value": plain(value)}
        return self._add_decision("override", body, self._members(current))

    def remove_decision(self, decision_id: int) -> Changes:
        """Remove a steward decision and re-derive what it affected."""
        row = self._db.execute("SELECT kind, data FROM decisions WHERE id = ?",
                               (int(decision_id),)).fetchone()
        if row is None:
            raise InputError(f"no steward decision {int(decision_id)}")
        body = json.loads(row[1])
        touched = {(str(s), str(k)) for s, k in body.get("records", [])}
        if body.get("golden_id"):
            current = self.resolve_id(str(body["golden_id"]))
            if current is not None:
                touched |= self._members(current)
        return self._run({}, touched, decision=("remove", int(decision_id), str(row[0]),
                                                body))

    # -- retention and backups (see docs/privacy.md) -----------------------------------
    def retention_policy(self) -> RetentionPolicy | None:
        """The retention policy stored with :meth:`set_retention`, if any."""
        from goldenrec._retention import RetentionPolicy  # noqa: PLC0415

        row = self._db.execute("SELECT value FROM meta WHERE key = 'retention'").fetchone()
        return RetentionPolicy.from_json(str(row[0])) if row else None

    def set_retention(self, policy: RetentionPolicy | None) -> None:
        """Store a retention policy (``None`` removes it) for :meth:`retain`."""
        from goldenrec._retention import RetentionPolicy  # noqa: PLC0415

        if policy is not None and not isinstance(policy, RetentionPolicy):
            raise ConfigError("policy must be a RetentionPolicy or None")
        with self._transaction():
            if policy is None:
                self._db.execute("DELETE FROM meta WHERE key = 'retention'")
            else:
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('retention', ?)",
                                 (policy.to_json(),))
            self._db.execute("INSERT INTO events (kind, golden_id, data) VALUES (?, ?, ?)",
                             ("retention_set", None, _dumps(
                                 policy.to_dict()["periods"] if policy else {})))

    def retain(self, policy: RetentionPolicy | None = None, *, as_of: Any = None,
               dry_run: bool = False) -> RetentionReport:
        """Erase the records whose retention period has passed, through :meth:`forget`
        (``dry_run``: only list them). See :func:`goldenrec._retention.retain`."""
        from goldenrec._retention import retain  # noqa: PLC0415

        return retain(self, policy, as_of=as_of, dry_run=dry_run)

    def backup(self, dest: str | Path, *, force: bool = False) -> BackupReport:
        """A verified copy of this store at ``dest`` (consistent while in use)."""
        from goldenrec._store._backup import backup  # noqa: PLC0415

        return backup(self.path, dest, force=force)

    @staticmethod
    def restore(backup: str | Path, path: str | Path, *, force: bool = False
                ) -> BackupReport:
        """Verify ``backup`` and put it at ``path`` (replacing a store only with
        ``force``); open the result with :meth:`open`."""
        from goldenrec._store._backup import restore  # noqa: PLC0415

        return restore(backup, path, force=force)

    # -- internals ----------------------------------------------------------------------
    def _index(self) -> None:
        """Create the secondary indexes (no-op when they exist)."""
        for statement in _INDEXES.split(";"):
            if statement.strip():
                self._db.execute(statement)

    def _members(self, golden_id: str) -> set[RecordId]:
        return {(str(s), str(k)) for s, k in self._db.execute(
            "SELECT source, record_key FROM xref WHERE golden_id = ?", (golden_id,))}

    def _temp(self, name: str, columns: str, rows: Iterable[tuple[Any, ...]]) -> None:
        """Fill a temporary table (created on first use) with ``rows``."""
        db = self._db
        db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})")
        db.execute(f"DELETE FROM temp.{name}")
        width = len(columns.split(","))
        db.executemany(f"INSERT INTO temp.{name} VALUES ({','.join('?' * width)})", rows)

    def _lookup(self, records: Sequence[RecordId]) -> dict[RecordId, tuple[int, str]]:
        """``record -> (rid, raw JSON)`` for the stored ones among ``records``."""
        if not records:
            return {}
        self._temp("wanted", "source TEXT, record_key TEXT", records)
        return {(str(s), str(k)): (int(rid), str(d)) for rid, s, k, d in self._db.execute(
            "SELECT r.rid, r.source, r.record_key, r.data FROM temp.wanted w "
            "CROSS JOIN raw r ON r.source = w.source AND r.record_key = w.record_key")}

    def _add_link(self, kind: str, a: tuple[str, str], b: tuple[str, str]) -> Decision:
        left, right = sorted([(str(a[0]), str(a[1])), (str(b[0]), str(b[1]))])
        if left == right:
            raise InputError("a link needs two different records", source=left[0],
                             record_key=left[1])
        known = self._lookup([left, right])
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
        pipeline = self._model()
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
        deleted = [(str(s), str(k)) for s, k in batch.deleted]
        known = self._lookup(deleted)
        for record in deleted:
            if record not in known and record not in changes:
                raise InputError("cannot delete a record the store does not hold",
                                 source=record[0], record_key=record[1])
            changes[record] = None
        return changes

    def _run(self, changes: Mapping[RecordId, str | None], touched: set[RecordId], *,
             forget: set[str] | None = None,
             decision: tuple[str, int, str, dict[str, Any]] | None = None) -> Changes:
        before = self.last_seq
        items = sorted(changes.items())
        parts = [dict(items[i:i + CHUNK]) for i in range(0, len(items), CHUNK)] or [{}]
        stats: dict[str, int] = {}
        try:
            with self._transaction():
                for number, part in enumerate(parts):
                    plan = self._plan(part, touched if number == 0 else set(),
                                      forget=forget is not None,
                                      decision=decision if number == 0 else None)
                    self._write(plan, decision if number == 0 else None)
                    self._index()  # after a bulk load into an empty store: now
                    for name, value in plan.stats.items():
                        stats[name] = stats.get(name, 0) + value
                if forget is not None:
                    self._erase(changes, forget)
        except BaseException:
            # the cached pipeline may have been fitted by the failed operation
            self._pipeline, self._frozen = None, None
            raise
        self.last_stats = stats
        logger.info("golden store: %d record change(s), %d event(s)", len(changes),
                    self.last_seq - before)
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

    # -- the frozen state ---------------------------------------------------------------
    def _save_frozen(self, state: FrozenState) -> None:
        """Write the frozen state: counts by key hash (no value is stored as text)."""
        rows: list[tuple[str, str, int, int]] = []
        for kind, table in (("term", state.term_counts), ("token", state.token_counts)):
            for name, counts in table.items():
                keys = list(counts)
                rows.extend((kind, name, int(h), int(counts[k]))
                            for k, h in zip(keys, hashes(keys).tolist()))
        self._db.execute("DELETE FROM frozen_counts")
        self._db.executemany("INSERT OR REPLACE INTO frozen_counts VALUES (?, ?, ?, ?)",
                             sorted(rows))
        small = {"too_frequent": {f: sorted(int(h) for h in hashes(list(keys)).tolist())
                                  for f, keys in state.too_frequent.items()},
                 "term_totals": dict(state.term_totals), "numeric": dict(state.numeric),
                 "as_of": state.as_of}
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('frozen', ?)", (_dumps(small),))
        self._frozen = None

    def _frozen_meta(self) -> dict[str, Any]:
        if self._frozen is None:
            self._frozen = json.loads(self._meta_or("frozen", "{}"))
        return self._frozen

    def _counts(self, kind: str, name: str, keys: Sequence[str]) -> dict[str, int]:
        """Frozen counts of ``keys`` (only those stored: counts of 2 or more)."""
        if not keys:
            return {}
        hashed = hashes(keys).tolist()
        self._temp("probe_counts", "hash INTEGER", [(h,) for h in set(hashed)])
        found = {int(h): int(c) for h, c in self._db.execute(
            "SELECT f.hash, f.count FROM temp.probe_counts p CROSS JOIN frozen_counts f "
            "ON f.kind = ? AND f.field = ? AND f.hash = p.hash", (kind, name))}
        return {k: found[h] for k, h in zip(keys, hashed) if h in found}

    def _state(self, records: pd.DataFrame, fields: Sequence[str]) -> FrozenState:
        """The frozen state for these records only (counts looked up by key hash)."""
        meta = self._frozen_meta()
        pipeline = self._model()
        term_counts: dict[str, dict[str, int]] = {}
        for comparison in pipeline.comparisons_:
            name = comparison.field
            if comparison.term_frequency and f"{name}_key" in records.columns:
                keys = records[f"{name}_key"].dropna().astype(str).unique().tolist()
                term_counts[name] = self._counts("term", name, keys)
        columns = _KeyColumns(records)
        for combo in correlated_combinations(pipeline.comparisons_):
            if all(f"{f}_key" in records.columns for f in combo):
                keys = combination_keys([columns.get(f) for f in combo])
                combined = sorted({k for k in keys if k})
                name = combination_name(combo)
                term_counts[name] = self._counts("term", name, combined)
        token_counts: dict[str, dict[str, int]] = {}
        for name in fields:
            words: set[str] = set()
            for column in (name, f"{name}_key"):
                if column in records.columns:
                    for value in records[column].dropna().tolist():
                        words.update(str(value).split())
            token_counts[name] = self._counts("token", name, sorted(words))
        numeric = {str(k): bool(v) for k, v in meta.get("numeric", {}).items()}
        for name in fields:
            numeric.setdefault(name, False)
        return FrozenState(term_counts=term_counts,
                           term_totals={str(k): int(v) for k, v in
                                        meta.get("term_totals", {}).items()},
                           token_counts=token_counts, numeric=numeric,
                           as_of=meta.get("as_of"))

    def _check_hashes(self) -> None:
        """Block keys and frozen counts are stored by hash: the hash must not have
        changed since the store was made (it is pandas' fixed-key SipHash)."""
        if self._meta_or("hash_check", _hash_check()) != _hash_check():
            raise StoreFormatError("this store's key hashes differ from this environment's "
                                   "(another pandas version?); re-create the store")

    def _ready(self, frames: dict[str, pd.DataFrame], plan: _Plan) -> Pipeline:
        """The fitted pipeline with its frozen state stored (fitted on ``frames``, the
        first records, when it is not fitted yet)."""
        pipeline = self._model()
        if not pipeline.is_fitted:
            if not frames:
                return pipeline
            pipeline.fit(frames)
            check_rules(pipeline.blocking_rules_)
            plan.meta["pipeline"] = pipeline.to_json()
            plan.meta["fitted"] = "1"
        if not self._meta_or("frozen", "") and frames:
            state = getattr(pipeline, "frozen_", None)
            if state is None:  # a pipeline saved without it: capture it from these records
                probe = copy.deepcopy(pipeline)
                if probe.sources:
                    probe.sources = [s for s in probe.sources if s.name in frames]
                probe.resolve(frames)
                state = probe.frozen_
            self._save_frozen(state)
        return pipeline

    # -- planning one operation ------------------------------------------------------------
    def _plan(self, changes: Mapping[RecordId, str | None], touched: set[RecordId], *,
              forget: bool, decision: tuple[str, int, str, dict[str, Any]] | None
              ) -> _Plan:
        plan = _Plan()
        self._check_hashes()
        stored = self._lookup(sorted(set(changes) | touched))
        next_rid = int(self._meta("next_rid"))
        incoming: dict[int, RecordId] = {}      # new and changed records: rid -> id
        raw_new: dict[RecordId, str] = {}
        deleted: dict[int, RecordId] = {}
        for record, data in sorted(changes.items()):
            old = stored.get(record)
            if data is None:
                if old is not None:
                    deleted[old[0]] = record
                continue
            if old is not None and old[1] == data:
                continue
            rid = old[0] if old is not None else next_rid
            if old is None:
                next_rid += 1
            incoming[rid] = record
            raw_new[record] = data
            plan.raw_put[rid] = (record[0], record[1], data)
        plan.raw_del = dict(deleted)
        plan.meta["next_rid"] = str(next_rid)
        pipeline = self._ready(_frames(raw_new), plan)
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
        if not pipeline.is_fitted:
            return plan

        columns: list[str] = json.loads(self._meta_or("columns", "[]"))
        rules = check_rules(pipeline.blocking_rules_)
        must_rules = list(pipeline.must_link) if pipeline.clustering == "weighted" else []

        # 1. the batch alone: normalise, and keep records whose normalised form changed
        inc_frame = frame_of([], columns)
        kept: list[tuple[int, list[Any]]] = []
        if incoming:
            normalised = normalise_batch(pipeline, _frames(raw_new), self._too_frequent())
            if not columns:  # fixed by the first records normalised
                columns = [str(c) for c in normalised.columns]
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('columns', ?)",
                                 (_dumps(columns),))
            rows = rows_of(normalised, columns)
            by_id = {(str(s), str(k)): row for s, k, row in zip(
                normalised["source"], normalised["record_key"], rows)}
            old_norm = self._normalised([rid for rid, r in incoming.items() if r in stored])
            for rid, record in sorted(incoming.items(), key=lambda item: item[1]):
                text = _dumps(by_id[record])
                plan.norm_put[rid] = text
                if old_norm.get(rid) == text:
                    continue  # only the raw record changed: nothing to match again
                kept.append((rid, by_id[record]))
            incoming = {rid: incoming[rid] for rid, _ in kept}
            inc_frame = frame_of([row for _, row in kept], columns)
        inc_rids = np.array(sorted(incoming, key=lambda r: incoming[r]), dtype=np.int64)
        plan.stats["normalised"] = len(plan.norm_put)

        # 2. records leaving their block keys and pairs: deleted and changed ones
        gone = sorted(set(deleted) | {rid for rid in incoming if incoming[rid] in stored})
        touched_rids: set[int] = {rid for record, (rid, _) in stored.items()
                                  if record in touched}
        if gone:
            old_frame, old_rids = self._frame(gone, columns)
            for keys in (block_keys(old_frame, rules),
                         block_keys(old_frame, must_rules, _MUST_RULES)):
                plan.keys_del.extend(zip(keys["rule"].tolist(), keys["hash"].tolist(),
                                         old_rids[keys["row"].to_numpy()].tolist()))
            plan.unlinked = set(gone)
            touched_rids |= self._neighbours(gone, None, set())
        touched_rids |= set(incoming)

        # 3. candidates of the batch: stored records sharing a block key; a rule's blocks
        #    hold at most its cap in force (limits), counted cheaply for rules with their
        #    own cap (own: e.g. the all-pairs rule, whose one block holds every record)
        limits = rule_limits(rules, pipeline.max_block_size)
        own = {r: c for r, c in limits.items() if rules[r].max_block_size is not None}
        gone_in = _gone_in(plan)
        new_pairs = pd.DataFrame({"rid_a": [], "rid_b": [], "rules": []}, dtype=np.int64)
        forced = pd.DataFrame({"rid_a": [], "rid_b": [], "rules": []}, dtype=np.int64)
        rule_entries = new_frame({c: np.zeros(0, dtype=np.int64) for c in
                                  ("rule", "hash", "rid")})
        if len(inc_rids):
            by_row = inc_frame.assign(_rid=[rid for rid, _ in kept])
            by_row = by_row.sort_values(["source", "record_key"], kind="mergesort")
            inc_frame = by_row.drop(columns="_rid").reset_index(drop=True)
            inc_rids = by_row["_rid"].to_numpy(dtype=np.int64)
            for chosen, first, limit in ((rules, 0, limits), (must_rules, _MUST_RULES, {})):
                if not chosen:
                    continue
                keys = block_keys(inc_frame, chosen, first)
                entries = pd.DataFrame({"rule": keys["rule"], "hash": keys["hash"],
                                        "rid": inc_rids[keys["row"].to_numpy()]})
                plan.keys_put.extend(zip(entries["rule"].tolist(), entries["hash"].tolist(),
                                         entries["rid"].tolist()))
                members, oversized = self._block_members(entries, set(gone), gone_in,
                                                         own if first == 0 else {})
                probing = entries
                if oversized:  # stored blocks over their rule's cap: none of it pairs
                    inside = [b in oversized for b in zip(entries["rule"], entries["hash"])]
                    probing = entries[~np.array(inside, dtype=bool)]
                found = candidate_pairs(probing, members, limits=limit,
                                        max_pairs=pipeline.max_pairs)
                if first == 0:
                    new_pairs, rule_entries = found, entries
                else:
                    forced = found
        if limits:
            regained, unpaired = self._block_limits(plan, rule_entries, set(gone),
                                                    set(incoming), gone_in, limits=limits,
                                                    own=own)
            new_pairs = pd.concat([new_pairs, regained], ignore_index=True)
            touched_rids |= unpaired
        plan.stats["candidate_pairs"] = len(new_pairs)

        # 4. score the new pairs (the batch and the stored records it is paired with)
        threshold = float(pipeline.threshold_)
        scored_new = self._score_new(pipeline, new_pairs, inc_frame=inc_frame,
                                     inc_rids=inc_rids, columns=columns, plan=plan)
        plan.forced_put = sorted(zip(forced["rid_a"].tolist(), forced["rid_b"].tolist()))
        strong = scored_new[scored_new["p"] >= threshold]
        extra: dict[int, set[int]] = {}
        for a, b in [*zip(strong["rid_l"].tolist(), strong["rid_r"].tolist()),
                     *plan.forced_put]:
            extra.setdefault(a, set()).add(b)
            extra.setdefault(b, set()).add(a)
            touched_rids.update((a, b))
        links = self._link_rids(decisions)
        for kind, a, b in links:
            if kind == "must_link":
                extra.setdefault(a, set()).add(b)
                extra.setdefault(b, set()).add(a)

        # 5. the affected components: touched records, their customers, and all
        #    records linked to them by pairs at or above the threshold or must-links
        touched_rids -= set(deleted)
        old_gids = self._golden_of(sorted(touched_rids | set(deleted)))
        touched_rids |= self._rids_of(sorted(set(old_gids.values()))) - set(deleted)
        component = self._component(touched_rids, threshold, extra, set(deleted),
                                    use_forced=bool(must_rules))
        plan.stats["records_reclustered"] = len(component)

        # 6. re-cluster and re-survive those records only
        keys_only = not pipeline.cannot_link  # constraints need the values
        local = self._local(sorted(component), inc_frame, inc_rids, columns,
                            keys_only=keys_only)
        pairs = self._local_pairs(local, scored_new, set(plan.unlinked),
                                  dropped={p for p, k in plan.pair_rules.items() if not k})
        must: list[tuple[int, int]] = []
        cannot: list[tuple[int, int]] = []
        if must_rules:
            must.extend(self._local_forced(local, plan.forced_put, set(plan.unlinked)))
        for kind, a, b in links:
            if a in local.position and b in local.position:
                pair = tuple(sorted((local.position[a], local.position[b])))
                (must if kind == "must_link" else cannot).append((pair[0], pair[1]))
        old_xref = self._golden_of(local.rids.tolist())
        old_xref.update({rid: gid for rid, gid in old_gids.items() if rid in deleted})
        groups = self._cluster(pipeline, local.records, pairs, must=sorted(set(must)),
                               cannot=sorted(set(cannot)))
        self._finish(plan, pipeline, local, pairs, groups=groups, old_xref=old_xref,
                     deleted=deleted, decisions=decisions,
                     touched=touched_rids | set(incoming),
                     load=lambda rids: self._local(rids, inc_frame, inc_rids, columns))
        return plan

    # -- reading what an update needs -----------------------------------------------------
    def _too_frequent(self) -> dict[str, set[int]]:
        table = self._frozen_meta().get("too_frequent", {})
        return {str(f): {int(h) for h in v} for f, v in table.items()}

    def _normalised(self, rids: Sequence[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for part in _chunks(list(rids)):
            marks = ",".join("?" * len(part))
            out.update((int(r), str(d)) for r, d in self._db.execute(
                f"SELECT rid, data FROM normalised WHERE rid IN ({marks})", list(part)))
        return out

    def _frame(self, rids: Sequence[int], columns: Sequence[str]
               ) -> tuple[pd.DataFrame, np.ndarray]:
        """Stored normalised records (as a frame) and their rids, in ``rids`` order."""
        found = self._normalised(rids)
        order = [rid for rid in rids if rid in found]
        frame = frame_of([json.loads(found[rid]) for rid in order], columns)
        return frame, np.array(order, dtype=np.int64)

    def _neighbours(self, rids: Sequence[int], threshold: float | None,
                    skip: set[int], *, use_forced: bool = True) -> set[int]:
        """Records paired with ``rids`` (at or above ``threshold`` when given)."""
        if not rids:
            return set()
        self._temp("front", "rid INTEGER PRIMARY KEY", [(int(r),) for r in rids])
        where = "" if threshold is None else " WHERE p.match_probability >= ?"
        args = () if threshold is None else (threshold,)
        out: set[int] = set()
        for table, cond in (("pairs", where), ("forced", "")):
            if table == "forced" and not use_forced:
                continue
            for near, far in (("rid_l", "rid_r"), ("rid_r", "rid_l")):
                sql = (f"SELECT p.{far} FROM temp.front f CROSS JOIN {table} p "
                       f"ON p.{near} = f.rid{cond}")
                out.update(int(r) for (r,) in self._db.execute(
                    sql, args if table == "pairs" else ()))
        return out - skip

    def _block_members(self, entries: pd.DataFrame, gone: set[int],
                       gone_in: Mapping[tuple[int, int], int], own: Mapping[int, int]
                       ) -> tuple[pd.DataFrame, set[tuple[int, int]]]:
        """Stored records holding the same block keys as ``entries`` (not ``gone``; how
        many leave each block: ``gone_in``), and the blocks of rules with their own cap
        (``own``: rule id → cap in force) whose stored records already outnumber it: those
        are counted only up to the cap, never read (the all-pairs block of a grown store
        holds every record)."""
        probe = set(zip(entries["rule"].tolist(), entries["hash"].tolist()))
        bounds = {b: own[b[0]] + 1 + gone_in.get(b, 0) for b in probe if b[0] in own}
        oversized = {b for b, n in bounded_sizes(self._db, bounds).items() if n >= bounds[b]}
        self._temp("probe_keys", "rule INTEGER, hash INTEGER", sorted(probe - oversized))
        rows = [(r, h, rid) for r, h, rid in self._db.execute(
            "SELECT b.rule, b.hash, b.rid FROM temp.probe_keys p CROSS JOIN block_keys b "
            "ON b.rule = p.rule AND b.hash = p.hash") if rid not in gone]
        members = new_frame(rows, columns=["rule", "hash", "rid"], dtype=np.int64) if rows \
            else new_frame({c: np.zeros(0, dtype=np.int64) for c in ("rule", "hash", "rid")})
        return members, oversized

    def _block_limits(self, plan: _Plan, entries: pd.DataFrame, gone: set[int],
                      incoming: set[int], gone_in: Mapping[tuple[int, int], int], *,
                      limits: Mapping[int, int],
                      own: Mapping[int, int]) -> tuple[pd.DataFrame, set[int]]:
        """Blocks that cross their rule's cap (``limits``: rule id → cap in force) in this
        update, as a run on all records would see them: a block that grows past it no
        longer pairs its stored records (their pairs lose the rule; a pair left with no
        rule goes), one that shrinks back under it pairs them again. Blocks of rules with
        their own cap (``own``) are counted only up to it. Returns the pairs to compare
        and the records whose pairs went."""
        empty = new_frame({c: np.zeros(0, dtype=np.int64) for c in ("rid_a", "rid_b",
                                                                     "rules")})
        new_in: dict[tuple[int, int], int] = {}
        for block in zip(entries["rule"].tolist(), entries["hash"].tolist()):
            if block[0] in limits:
                new_in[block] = new_in.get(block, 0) + 1
        leaving = {b: n for b, n in gone_in.items() if b[0] in limits}
        blocks = sorted(set(new_in) | set(leaving))
        if not blocks:
            return empty, set()
        # a count reaching its bound means over the cap both before and after: no crossing
        before = bounded_sizes(self._db, {b: own[b[0]] + 1 + leaving.get(b, 0)
                                          for b in blocks if b[0] in own})
        self._temp("probe_keys", "rule INTEGER, hash INTEGER",
                   [b for b in blocks if b[0] not in own])
        before.update({(int(r), int(h)): int(n) for r, h, n in self._db.execute(
            "SELECT p.rule, p.hash, COUNT(*) FROM temp.probe_keys p CROSS JOIN block_keys b "
            "ON b.rule = p.rule AND b.hash = p.hash GROUP BY p.rule, p.hash")})
        crossing: dict[tuple[int, int], bool] = {}   # block -> pairs again (shrank)
        for block in blocks:
            limit = limits[block[0]]
            old = before.get(block, 0)
            new = old - leaving.get(block, 0) + new_in.get(block, 0)
            if 2 <= old <= limit < new:
                crossing[block] = False
            elif 2 <= new <= limit < old:
                crossing[block] = True
        if not crossing:
            return empty, set()
        self._temp("probe_keys", "rule INTEGER, hash INTEGER", sorted(crossing))
        members: dict[tuple[int, int], list[int]] = {}
        for rule, key, rid in self._db.execute(
                "SELECT b.rule, b.hash, b.rid FROM temp.probe_keys p CROSS JOIN block_keys b "
                "ON b.rule = p.rule AND b.hash = p.hash"):
            if rid not in gone and rid not in incoming:
                members.setdefault((int(rule), int(key)), []).append(int(rid))
        unpaired: set[int] = set()
        regained: list[tuple[int, int, int]] = []
        for block, again in sorted(crossing.items()):
            rids = sorted(members.get(block, []))
            inside = set(rids)
            bit = 1 << block[0]
            stored: dict[tuple[int, int], int] = {}
            for part in _chunks(rids):
                marks = ",".join("?" * len(part))
                for a, b, rules in self._db.execute(
                        f"SELECT rid_l, rid_r, rules FROM pairs WHERE rid_l IN ({marks})",
                        list(part)):
                    if b in inside:
                        stored[(int(a), int(b))] = int(plan.pair_rules.get((a, b), rules))
            if again:
                for pair, rules in stored.items():
                    plan.pair_rules[pair] = rules | bit
                have = {tuple(sorted(pair)) for pair in stored}
                regained.extend((a, b, bit) for i, a in enumerate(rids) for b in rids[i + 1:]
                                if (a, b) not in have)
            else:
                for pair, rules in stored.items():
                    if rules & bit:
                        plan.pair_rules[pair] = rules & ~bit
                        if not rules & ~bit:
                            unpaired.update(pair)
        plan.stats["pairs_relabelled"] = len(plan.pair_rules)
        if not regained:
            return empty, unpaired
        frame = new_frame(regained, columns=["rid_a", "rid_b", "rules"], dtype=np.int64)
        merged = frame.groupby(["rid_a", "rid_b"], as_index=False)["rules"].agg(
            lambda bits: int(np.bitwise_or.reduce(bits.to_numpy())))
        return new_frame(merged.astype(np.int64)), unpaired

    def _score_new(self, pipeline: Pipeline, found: pd.DataFrame, *, inc_frame: pd.DataFrame,
                   inc_rids: np.ndarray, columns: Sequence[str], plan: _Plan) -> pd.DataFrame:
        """Compare and score new candidate pairs; their rows go into ``plan``."""
        empty: pd.DataFrame = pd.DataFrame({"rid_l": np.zeros(0, dtype=np.int64),
                              "rid_r": np.zeros(0, dtype=np.int64),
                              "p": np.zeros(0, dtype=np.float64),
                              "weight": np.zeros(0, dtype=np.float64)})
        if not len(found):
            return empty
        ends = set(found["rid_a"].tolist()) | set(found["rid_b"].tolist())
        partners = sorted(ends - set(inc_rids.tolist()))
        partner_frame, partner_rids = self._frame(partners, columns)
        frame = pd.concat([inc_frame, partner_frame], ignore_index=True)
        rids = np.concatenate([inc_rids, partner_rids])
        order = frame.sort_values(["source", "record_key"], kind="mergesort").index.to_numpy()
        frame = frame.iloc[order].reset_index(drop=True)
        rids = rids[order]
        position = pd.Series(np.arange(len(rids)), index=rids)
        a = position.reindex(found["rid_a"].to_numpy()).to_numpy(dtype=np.int64)
        b = position.reindex(found["rid_b"].to_numpy()).to_numpy(dtype=np.int64)
        pairs = pd.DataFrame({"row_l": np.minimum(a, b), "row_r": np.maximum(a, b),
                              "rules": found["rules"].to_numpy(dtype=np.int64)})
        pairs = pairs.sort_values(["row_l", "row_r"], kind="mergesort").reset_index(drop=True)
        scored = score_pairs(pipeline, frame, pairs, self._state(frame, []))
        pair_columns = [str(c) for c in scored.columns if c != "match_probability"]
        if not self._meta_or("pair_columns", ""):
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('pair_columns', ?)",
                             (_dumps(pair_columns),))
        left = rids[pairs["row_l"].to_numpy()]
        right = rids[pairs["row_r"].to_numpy()]
        probability = scored["match_probability"].to_numpy(dtype=np.float64)
        weight = scored["match_weight"].to_numpy(dtype=np.float64)
        values = rows_of(scored, pair_columns)
        plan.pair_put = [(int(l_), int(r_), int(k), float(p), _dumps(v)) for l_, r_, k, p, v
                         in zip(left.tolist(), right.tolist(), pairs["rules"].tolist(),
                                probability.tolist(), values)]
        return new_frame({"rid_l": left, "rid_r": right, "p": probability,
                             "weight": weight})

    def _link_rids(self, decisions: list[tuple[int, str, Decision]]
                   ) -> list[tuple[str, int, int]]:
        """Steward links as ``(kind, rid, rid)`` (records no longer stored left out)."""
        named = sorted({r for _, kind, d in decisions if kind != "override"
                        for r in d.records})
        rid_of = {record: rid for record, (rid, _) in self._lookup(named).items()}
        out = []
        for _, kind, item in decisions:
            if kind in ("must_link", "cannot_link") and all(r in rid_of for r in item.records):
                a, b = (rid_of[r] for r in item.records)
                out.append((kind, a, b))
        return out

    def _golden_of(self, rids: Sequence[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for part in _chunks(list(rids)):
            marks = ",".join("?" * len(part))
            out.update((int(r), str(g)) for r, g in self._db.execute(
                f"SELECT rid, golden_id FROM xref WHERE rid IN ({marks})", list(part)))
        return out

    def _rids_of(self, golden_ids: Sequence[str]) -> set[int]:
        out: set[int] = set()
        for part in _chunks(list(golden_ids)):
            marks = ",".join("?" * len(part))
            out.update(int(r) for (r,) in self._db.execute(
                f"SELECT rid FROM xref WHERE golden_id IN ({marks})", list(part)))
        return out

    def _component(self, start: set[int], threshold: float, extra: Mapping[int, set[int]],
                   deleted: set[int], *, use_forced: bool) -> set[int]:
        """Every record linked to ``start`` by stored pairs at or above the threshold,
        forced pairs, new strong pairs and must-links (``extra``)."""
        seen = set(start) - deleted
        frontier = sorted(seen)
        while frontier:
            near = self._neighbours(frontier, threshold, deleted, use_forced=use_forced)
            for rid in frontier:
                near.update(extra.get(rid, ()))
            frontier = sorted(near - seen - deleted)
            seen.update(frontier)
        return seen

    def _local(self, rids: Sequence[int], inc_frame: pd.DataFrame, inc_rids: np.ndarray,
               columns: Sequence[str], *, keys_only: bool = False) -> _Local:
        """The records ``rids`` sorted by ``(source, record_key)``; with ``keys_only``
        stored records bring only those two columns (enough to cluster)."""
        wanted = set(rids)
        inside = np.array([r in wanted for r in inc_rids.tolist()], dtype=bool)
        from_batch = inc_frame[inside] if len(inc_frame) else inc_frame
        rest = sorted(wanted - set(inc_rids.tolist()))
        if keys_only:
            found = {int(r): (str(s_), str(k)) for part in _chunks(rest)
                     for r, s_, k in self._db.execute(
                         "SELECT rid, source, record_key FROM xref WHERE rid IN "
                         f"({','.join('?' * len(part))})", list(part))}
            stored_rids = np.array([r for r in rest if r in found], dtype=np.int64)
            stored_frame = new_frame({
                "source": pd.Series([found[r][0] for r in stored_rids.tolist()], dtype=object),
                "record_key": pd.Series([found[r][1] for r in stored_rids.tolist()],
                                        dtype=object)})
            from_batch = from_batch[["source", "record_key"]]
        else:
            stored_frame, stored_rids = self._frame(rest, columns)
        frame = pd.concat([from_batch, stored_frame], ignore_index=True)
        all_rids = np.concatenate([inc_rids[inside], stored_rids]).astype(np.int64)
        order = frame.sort_values(["source", "record_key"], kind="mergesort").index.to_numpy()
        frame = frame.iloc[order].reset_index(drop=True)
        all_rids = all_rids[order]
        return _Local(all_rids, frame, {int(r): i for i, r in enumerate(all_rids.tolist())})

    def _local_pairs(self, local: _Local, scored_new: pd.DataFrame, unlinked: set[int],
                     dropped: set[tuple[int, int]]) -> pd.DataFrame:
        """Scored pairs among the local records, as the clusterer and survivorship
        take them (positions ``row_l < row_r``, sorted); stored pairs this update drops
        (no rule proposes them any more) are left out."""
        position = local.position
        rows: list[tuple[int, int, float, float]] = []
        if len(local.rids):
            self._temp("comp", "rid INTEGER PRIMARY KEY",
                       [(int(r),) for r in local.rids.tolist()])
            # clustering and confidence need the probability only (no weight: no JSON)
            for a, b, p in self._db.execute(
                    "SELECT p.rid_l, p.rid_r, p.match_probability FROM temp.comp c "
                    "CROSS JOIN pairs p ON p.rid_l = c.rid"):
                if b in position and a not in unlinked and b not in unlinked \
                        and (a, b) not in dropped:
                    rows.append((position[a], position[b], float(p), float("nan")))
        for a, b, p, w in zip(scored_new["rid_l"].tolist(), scored_new["rid_r"].tolist(),
                              scored_new["p"].tolist(), scored_new["weight"].tolist()):
            if a in position and b in position:
                rows.append((position[a], position[b], float(p), float(w)))
        frame = pd.DataFrame(rows, columns=["row_l", "row_r", "match_probability",
                                            "match_weight"])
        swap = frame["row_l"] > frame["row_r"]
        frame.loc[swap, ["row_l", "row_r"]] = frame.loc[swap, ["row_r", "row_l"]].to_numpy()
        frame = frame.astype({"row_l": np.int64, "row_r": np.int64})
        frame = new_frame(frame.sort_values(["row_l", "row_r"], kind="mergesort"
                                        ).reset_index(drop=True))
        source = local.records["source"].to_numpy(dtype=object)
        key = local.records["record_key"].to_numpy(dtype=object)
        left = frame["row_l"].to_numpy(dtype=np.int64)
        right = frame["row_r"].to_numpy(dtype=np.int64)
        frame["source_l"], frame["record_key_l"] = source[left], key[left]
        frame["source_r"], frame["record_key_r"] = source[right], key[right]
        return frame

    def _local_forced(self, local: _Local, new: Sequence[tuple[int, int]],
                      unlinked: set[int]) -> list[tuple[int, int]]:
        position = local.position
        out = []
        if len(local.rids):
            self._temp("comp", "rid INTEGER PRIMARY KEY",
                       [(int(r),) for r in local.rids.tolist()])
            for a, b in self._db.execute("SELECT f.rid_l, f.rid_r FROM temp.comp c "
                                         "CROSS JOIN forced f ON f.rid_l = c.rid"):
                if b in position and a not in unlinked and b not in unlinked:
                    out.append((position[a], position[b]))
        out.extend((position[a], position[b]) for a, b in new
                   if a in position and b in position)
        return [(min(a, b), max(a, b)) for a, b in out]

    # -- clustering, ids and survivorship of the affected records ---------------------------
    @staticmethod
    def _cluster(pipeline: Pipeline, records: pd.DataFrame, pairs: pd.DataFrame, *,
                 must: list[tuple[int, int]], cannot: list[tuple[int, int]]
                 ) -> list[list[int]]:
        """Clusters (lists of local positions) of the local records."""
        n = len(records)
        if n == 0:
            return []

        def frame(links: list[tuple[int, int]]) -> pd.DataFrame:
            out: pd.DataFrame = pd.DataFrame({
                "row_l": np.array([a for a, _ in links], dtype=np.int64),
                "row_r": np.array([b for _, b in links], dtype=np.int64)})
            return out

        clusterer = pipeline.clusterer()
        if isinstance(clusterer, WeightedClustering):
            labels = clusterer.cluster(pairs, n, cannot_link=frame(cannot),
                                       constraints=pipeline._constraints(records),
                                       must_link=frame(must))
        else:
            forced = frame(must)
            forced["match_probability"] = 1.0
            labels = clusterer.cluster(pd.concat([pairs, forced], ignore_index=True), n)
        out: dict[int, list[int]] = {}
        for i, label in enumerate(labels.tolist()):
            out.setdefault(int(label), []).append(i)
        return [g for g in sorted(out.values(), key=min)]

    def _finish(self, plan: _Plan, pipeline: Pipeline, local: _Local, pairs: pd.DataFrame, *,
                groups: list[list[int]], old_xref: Mapping[int, str],
                deleted: Mapping[int, RecordId],
                decisions: list[tuple[int, str, Decision]], touched: set[int],
                load: Callable[[Sequence[int]], _Local]) -> None:
        """Golden ids, survivorship, rows to write and events for the local records.

        Survivorship runs again only for customers whose records changed (members, or
        a touched record): a re-clustered component often keeps most customers as
        they were, and their golden rows stay as stored.
        """
        db = self._db
        source = local.records["source"].astype(str).tolist() if len(local.rids) else []
        key = local.records["record_key"].astype(str).tolist() if len(local.rids) else []
        record_of = {int(rid): (source[i], key[i]) for i, rid in enumerate(local.rids.tolist())}
        record_of.update(deleted)
        old_gids = sorted(set(old_xref.values()))
        created_of: dict[str, tuple[int, str]] = {}
        for part in _chunks(old_gids):
            marks = ",".join("?" * len(part))
            created_of.update((str(g), (int(c), "")) for g, c in db.execute(
                f"SELECT golden_id, created FROM golden WHERE golden_id IN ({marks})",
                list(part)))
        by_golden: dict[str, list[RecordId]] = {}
        for rid, gid in old_xref.items():
            by_golden.setdefault(gid, []).append(record_of[rid])
        id_groups = [sorted(record_of[int(local.rids[i])] for i in g) for g in groups]
        old_by_record = {record_of[rid]: gid for rid, gid in old_xref.items()}
        assigned = self._assign_ids(id_groups, old_by_record, created_of, by_golden, plan)
        xref: dict[int, str] = {}
        rerun: list[int] = []          # local positions of the customers to survive again
        for group, gid in zip(groups, assigned):
            rids = [int(local.rids[i]) for i in group]
            for rid in rids:
                xref[rid] = gid
            if len(by_golden.get(gid, ())) != len(rids) or any(
                    old_xref.get(rid) != gid or rid in touched for rid in rids):
                rerun.extend(group)
        survived_gids = sorted({xref[int(local.rids[i])] for i in rerun})
        gone_gids = sorted(set(old_gids) - set(assigned))
        old_golden: dict[str, tuple[int, str]] = {}
        old_lineage: dict[str, str] = {}
        old_conflicts: dict[str, str] = {}
        for part in _chunks([*survived_gids, *gone_gids]):
            marks = ",".join("?" * len(part))
            old_golden.update((str(g), (int(c), str(d))) for g, c, d in db.execute(
                f"SELECT golden_id, created, data FROM golden WHERE golden_id IN ({marks})",
                list(part)))
            old_lineage.update((str(g), str(d)) for g, d in db.execute(
                f"SELECT golden_id, data FROM lineage WHERE golden_id IN ({marks})",
                list(part)))
            old_conflicts.update((str(g), str(d)) for g, d in db.execute(
                f"SELECT golden_id, data FROM conflicts WHERE golden_id IN ({marks})",
                list(part)))
        sub, sub_pairs = _subset(local, pairs, sorted(rerun))
        full = load(sub.rids.tolist())  # their normalised records, in the same order
        if not np.array_equal(full.rids, sub.rids):
            raise StoreFormatError("stored records are missing from the golden store")
        sub = _Local(sub.rids, full.records, sub.position)
        plan.stats["records_survived"] = len(sub.rids)
        for rid, gid in xref.items():
            if old_xref.get(rid) != gid:
                plan.xref_put[rid] = (*record_of[rid], gid)
        plan.xref_del = set(deleted)
        aliases = dict(db.execute("SELECT alias, golden_id FROM aliases WHERE golden_id IN "
                                  f"({','.join('?' * len(plan.aliases))})",
                                  list(plan.aliases)).fetchall()) if plan.aliases else {}
        for alias, target in aliases.items():
            plan.aliases[str(alias)] = plan.aliases[str(target)]
        all_aliases = {**self._aliases_for(decisions), **plan.aliases}
        roles = [c for c in getattr(pipeline, "fields_", []) if c in sub.records.columns]
        new_rows, lineage, conflicts = self._survive(
            pipeline, sub, sub_pairs, xref=xref, roles=roles, decisions=decisions,
            aliases=all_aliases)
        created = {gid: old_golden[gid][0] for gid in old_golden}
        created.update({g: c for g, (c, _) in plan.golden_put.items()})
        members_new: dict[str, set[RecordId]] = {}
        for rid, gid in xref.items():
            members_new.setdefault(gid, set()).add(record_of[rid])
        old_golden.update({g: c for g, c in created_of.items() if g not in old_golden})
        members_old = {g: set(rs) for g, rs in by_golden.items()}
        for gid in sorted(new_rows):
            row = new_rows[gid]
            data = _dumps(row)
            names = golden_fields(roles, row, json.loads(old_golden[gid][1] or "{}")
                                  if gid in old_golden else {})  # consent_<purpose>
            new_values = {f: row.get(f) for f in names}
            if gid not in old_golden:
                plan.golden_put[gid] = (created[gid], data)
                plan.events.append(("created", gid, {"fields": new_values,
                                                     "n_records": len(members_new[gid])}))
                continue
            if old_golden[gid][1] != data:
                plan.golden_put[gid] = (created[gid], data)
            old_row = json.loads(old_golden[gid][1])
            changed = {f: [old_row.get(f), new_values[f]] for f in names
                       if old_row.get(f) != new_values[f]}
            added = len(members_new[gid] - members_old.get(gid, set()))
            removed = len(members_old.get(gid, set()) - members_new[gid])
            if changed or added or removed:
                plan.events.append(("updated", gid, {"changes": changed,
                                                     "records_added": added,
                                                     "records_removed": removed}))
        for gid in gone_gids:
            plan.golden_del.add(gid)
            if gid not in plan.aliases:
                plan.events.append(("deleted", gid, {}))
        for gid, text in lineage.items():
            if old_lineage.get(gid) != text:
                plan.lineage_put[gid] = text
        for gid, text in conflicts.items():
            if old_conflicts.get(gid) != text:
                plan.conflicts_put[gid] = text
        plan.stats["golden_written"] = len(plan.golden_put) + len(plan.golden_del)

    def _aliases_for(self, decisions: list[tuple[int, str, Decision]]) -> dict[str, str]:
        """Aliases of the golden ids that overrides name (to follow them through merges)."""
        out: dict[str, str] = {}
        for _, kind, item in decisions:
            current = item.golden_id if kind == "override" else None
            for _ in range(1000):
                if current is None:
                    break
                row = self._db.execute("SELECT golden_id FROM aliases WHERE alias = ?",
                                       (current,)).fetchone()
                if row is None:
                    break
                out[current] = str(row[0])
                current = str(row[0])
        return out

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
        next_golden = int(plan.meta.get("next_golden") or self._meta("next_golden"))
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

    def _survive(self, pipeline: Pipeline, local: _Local, pairs: pd.DataFrame, *,
                 xref: Mapping[int, str], roles: list[str],
                 decisions: list[tuple[int, str, Decision]], aliases: Mapping[str, str]
                 ) -> tuple[dict[str, dict[str, Any]], dict[str, str], dict[str, str]]:
        """Survivorship of the local records' customers, with the frozen statistics."""
        if not len(local.rids):
            return {}, {}, {}
        records = local.records
        gids = [xref[int(r)] for r in local.rids.tolist()]
        order = {g: i for i, g in enumerate(sorted(set(gids)))}
        clusters = np.array([order[g] for g in gids], dtype=np.int64)
        internal: dict[str, str] = {}
        for s, k, gid in zip(records["source"].astype(str), records["record_key"].astype(str),
                             gids):
            internal.setdefault(gid, golden_id_for(s, k))

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
            if target is not None and item.field in roles:
                overrides.append({"golden_id": internal[target], "field": item.field,
                                  "value": item.value})
        engine = (pipeline.survivorship if isinstance(pipeline.survivorship, Survivorship)
                  else Survivorship(pipeline.survivorship))
        trust = {s.name: s.trust for s in pipeline.sources or ()}
        source_trust = {str(s): float(trust.get(str(s), 1.0))
                        for s in sorted(set(records["source"].astype(str)))}
        state = self._state(records, roles)
        survived = engine.survive(
            records, clusters, roles, pairs=pairs,
            overrides=pd.DataFrame(overrides, columns=["golden_id", "field", "value"])
            if overrides else None, source_trust=source_trust,
            field_stats=state.field_stats() if self._meta_or("frozen", "") else None)
        back = {v: k for k, v in internal.items()}
        golden = survived.golden.copy()
        golden["golden_id"] = golden["golden_id"].map(back)
        golden_rows = {str(r["golden_id"]): r for r in _rows(golden, [str(c) for c in
                                                                       golden.columns])}

        def grouped(frame: pd.DataFrame, name: str) -> dict[str, str]:
            """Per golden id, its rows as lists (columns in meta, golden id implied)."""
            if frame is None or "golden_id" not in frame.columns:
                return {}
            columns = [str(c) for c in frame.columns if c != "golden_id"]
            self._check_columns(name, columns)
            owners = frame["golden_id"].map(back).tolist()
            data = [cells(frame[c].tolist()) for c in columns]
            out: dict[str, list[list[Any]]] = {g: [] for g in golden_rows}
            for owner, row in zip(owners, zip(*data)):
                out.setdefault(str(owner), []).append(list(row))
            return {g: _dumps(rows) for g, rows in out.items()}

        return (golden_rows, grouped(survived.lineage, "lineage"),
                grouped(survived.conflicts, "conflicts"))

    def _check_columns(self, name: str, columns: list[str]) -> None:
        """The columns of lineage or conflict rows: fixed by the first ones stored."""
        known = self._meta_or(f"{name}_columns", "")
        if not known:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                             (f"{name}_columns", _dumps(columns)))
        elif json.loads(known) != columns:
            raise StoreFormatError(f"the store's {name} columns differ from this "
                                   "goldenrec's; re-create the store")

    def _table_rows(self, name: str) -> pd.DataFrame:
        columns = ["golden_id", *json.loads(self._meta_or(f"{name}_columns", "[]"))]
        rows = [[gid, *row] for gid, data in self._db.execute(
            f"SELECT golden_id, data FROM {name} ORDER BY golden_id")
            for row in json.loads(data)]
        return _frame([dict(zip(columns, row)) for row in rows], [])

    # -- writing -------------------------------------------------------------------------
    def _write(self, plan: _Plan, decision: tuple[str, int, str, dict[str, Any]] | None
               ) -> None:
        db = self._db
        gone = sorted(set(plan.raw_del))
        db.executemany("DELETE FROM raw WHERE rid = ?", [(r,) for r in gone])
        db.executemany("DELETE FROM normalised WHERE rid = ?", [(r,) for r in gone])
        db.executemany("INSERT OR REPLACE INTO raw VALUES (?, ?, ?, ?)",
                       [(rid, s, k, d) for rid, (s, k, d) in sorted(plan.raw_put.items())])
        note_received(db, {(s, k): d for s, k, d in plan.raw_put.values()},
                      set(plan.raw_del.values()))  # for retention
        db.executemany("INSERT OR REPLACE INTO normalised VALUES (?, ?)",
                       sorted(plan.norm_put.items()))
        db.executemany("DELETE FROM block_keys WHERE rule = ? AND hash = ? AND rid = ?",
                       sorted(plan.keys_del))
        db.executemany("INSERT OR REPLACE INTO block_keys VALUES (?, ?, ?)",
                       sorted(plan.keys_put))
        for table in ("pairs", "forced"):
            for column in ("rid_l", "rid_r"):
                db.executemany(f"DELETE FROM {table} WHERE {column} = ?",
                               [(r,) for r in sorted(plan.unlinked)])
        db.executemany("UPDATE pairs SET rules = ? WHERE rid_l = ? AND rid_r = ?",
                       [(k, a, b) for (a, b), k in sorted(plan.pair_rules.items()) if k])
        db.executemany("DELETE FROM pairs WHERE rid_l = ? AND rid_r = ?",
                       [(a, b) for (a, b), k in sorted(plan.pair_rules.items()) if not k])
        db.executemany("INSERT OR REPLACE INTO pairs VALUES (?, ?, ?, ?, ?)",
                       sorted(plan.pair_put))
        db.executemany("INSERT OR REPLACE INTO forced VALUES (?, ?)", sorted(plan.forced_put))
        self._write_golden(plan)
        db.executemany("DELETE FROM xref WHERE rid = ?", [(r,) for r in sorted(plan.xref_del)])
        db.executemany("INSERT OR REPLACE INTO xref VALUES (?, ?, ?, ?)",
                       [(rid, s, k, g) for rid, (s, k, g) in sorted(plan.xref_put.items())])
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
        db.executemany("INSERT INTO events (kind, golden_id, data) VALUES (?, ?, ?)",
                       [(kind, gid, _dumps(data)) for kind, gid, data in plan.events])
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", sorted(plan.meta.items()))

    def _write_golden(self, plan: _Plan) -> None:
        db = self._db
        for table in ("golden", "lineage", "conflicts"):
            db.executemany(f"DELETE FROM {table} WHERE golden_id = ?",
                           [(g,) for g in sorted(plan.golden_del)])
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


def _subset(local: _Local, pairs: pd.DataFrame, positions: Sequence[int]
            ) -> tuple[_Local, pd.DataFrame]:
    """The local records at ``positions`` (sorted) and the pairs among them."""
    keep = np.asarray(positions, dtype=np.int64)
    new_position = np.full(len(local.rids), -1, dtype=np.int64)
    new_position[keep] = np.arange(len(keep))
    rids = local.rids[keep]
    records = local.records.iloc[keep].reset_index(drop=True)
    left = new_position[pairs["row_l"].to_numpy(dtype=np.int64)]
    right = new_position[pairs["row_r"].to_numpy(dtype=np.int64)]
    inside = (left >= 0) & (right >= 0)
    sub = pairs.loc[inside].reset_index(drop=True).copy()
    sub["row_l"], sub["row_r"] = left[inside], right[inside]
    return _Local(rids, records, {int(r): i for i, r in enumerate(rids.tolist())}), sub


def _hash_check() -> str:
    """The hashes of two fixed texts, to notice a change of the hash function."""
    return ",".join(str(h) for h in hashes(["goldenrec", "block\x1fkey"]).tolist())


def _strings(row: Any) -> set[str]:
    """The non-empty text values of one stored row (a mapping or a list; nested lists
    included)."""
    out: set[str] = set()
    items = row.values() if isinstance(row, Mapping) else row
    for value in items:
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
    """Per source, raw records as a text frame (rows by record key)."""
    by_source: dict[str, list[dict[str, Any]]] = {}
    for (source, _), data in sorted(raw.items()):
        by_source.setdefault(source, []).append(json.loads(data))
    return {source: pd.DataFrame(rows, dtype=object) for source, rows in by_source.items()}
