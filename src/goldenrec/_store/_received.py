"""When the store last received a new or changed version of each source record.

Kept in table ``received`` (created on first use, so older stores gain it on their
next write); rows go with their records, so an erased record leaves no trace here.
Retention (:mod:`goldenrec._retention`) falls back to this time for records without
a valid ``updated_at``.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Collection, Mapping

__all__ = ["note_received", "received_times", "utc_now"]

_TABLE = """CREATE TABLE IF NOT EXISTS received (
    source TEXT NOT NULL, record_key TEXT NOT NULL, received_at TEXT NOT NULL,
    PRIMARY KEY (source, record_key))"""


def utc_now() -> dt.datetime:
    """The current time in UTC, without time zone (as stored timestamps are)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def note_received(db: sqlite3.Connection, put: Mapping[tuple[str, str], object],
                  deleted: Collection[tuple[str, str]]) -> None:
    """Inside the caller's transaction: ``put`` records were received now, ``deleted``
    ones are gone."""
    if not put and not deleted:
        return
    db.execute(_TABLE)
    stamp = utc_now().isoformat()
    db.executemany("DELETE FROM received WHERE source = ? AND record_key = ?",
                   sorted(deleted))
    db.executemany("INSERT OR REPLACE INTO received VALUES (?, ?, ?)",
                   [(s, k, stamp) for s, k in sorted(put)])


def received_times(db: sqlite3.Connection) -> dict[tuple[str, str], str]:
    """``(source, record_key) → received_at`` (ISO, UTC) for the records that have one."""
    exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                        "name = 'received'").fetchone()
    if not exists:
        return {}
    return {(str(s), str(k)): str(t) for s, k, t in
            db.execute("SELECT source, record_key, received_at FROM received")}
