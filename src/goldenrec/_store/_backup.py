"""Backups of a golden store: consistent while the store is in use, verified, restorable.

:func:`backup` copies the store with SQLite's online backup API inside one read
transaction, so the copy is one committed state (writers wait until it is taken) and
the source's row counts and checksum are read from that same state. The copy carries
a manifest (table ``backup_manifest``: row counts and a SHA-256 over every row in
primary-key order) and is verified before it is put in place: ``PRAGMA
integrity_check``, the store's format, and counts and checksum against the source.
:func:`restore` verifies a backup the same way before it atomically replaces the target.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from goldenrec.errors import BackupError, ConfigError

__all__ = ["MANIFEST_TABLE", "BackupReport", "backup", "restore", "verify_backup"]

logger = logging.getLogger(__name__)

#: The table a backup carries its manifest in (left out of its own checksum).
MANIFEST_TABLE = "backup_manifest"
_FORMAT = "goldenrec.store.backup"


@dataclass(frozen=True)
class BackupReport:
    """What was verified: the file, rows per table, the content checksum and the
    result of SQLite's integrity check (``"ok"``)."""

    path: Path
    tables: dict[str, int] = field(default_factory=dict)
    checksum: str = ""
    integrity: str = "ok"

    @property
    def n_rows(self) -> int:
        return sum(self.tables.values())


def _digest(db: sqlite3.Connection) -> tuple[dict[str, int], str]:
    """Rows per table and a SHA-256 over the schema and every row in key order."""
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    tables = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
        "'sqlite_%' AND name != ? ORDER BY name", (MANIFEST_TABLE,)).fetchall()
    for name, sql in tables:
        digest.update(f"table\x1f{name}\x1f{sql}\x1e".encode())
        info = db.execute(f'PRAGMA table_info("{name}")').fetchall()
        keys = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
        order = ", ".join(f'"{k}"' for k in keys) if keys else "rowid"
        count = 0
        for row in db.execute(f'SELECT * FROM "{name}" ORDER BY {order}'):
            digest.update(repr(row).encode("utf-8", errors="surrogatepass"))
            digest.update(b"\x1e")
            count += 1
        counts[str(name)] = count
    return counts, digest.hexdigest()


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                             isolation_level=None)
    except sqlite3.Error:
        raise BackupError(f"'{path}' cannot be opened as a backup") from None
    try:
        yield db
    finally:
        db.close()


def _check(db: sqlite3.Connection, path: Path) -> BackupReport:
    """Integrity, store format and manifest of an open copy; a report or BackupError."""
    try:
        result = [str(r[0]) for r in db.execute("PRAGMA integrity_check").fetchall()]
        if result != ["ok"]:
            raise BackupError(f"the backup '{path}' fails SQLite's integrity check")
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        row = db.execute(f"SELECT data FROM {MANIFEST_TABLE}").fetchone()
        counts, checksum = _digest(db)
    except sqlite3.Error:
        raise BackupError(f"'{path}' is damaged or not a golden store backup") from None
    from goldenrec._store._store import STORE_FORMAT  # noqa: PLC0415

    if meta.get("format") != STORE_FORMAT:
        raise BackupError(f"'{path}' is not a backup of a golden store")
    try:
        manifest = json.loads(row[0]) if row else None
    except (TypeError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT:
        raise BackupError(f"the backup '{path}' has no readable manifest")
    if manifest.get("tables") != counts:
        raise BackupError(f"the backup '{path}' holds other row counts than when it "
                          "was made")
    if manifest.get("checksum") != checksum:
        raise BackupError(f"the backup '{path}' does not match its checksum")
    return BackupReport(path, counts, checksum, "ok")


def verify_backup(path: str | Path) -> BackupReport:
    """Check a backup file: integrity, format, row counts and checksum (read only)."""
    target = Path(path)
    if not target.is_file():
        raise BackupError(f"no backup at '{target}'")
    with _read_only(target) as db:
        return _check(db, target)


def _temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def _remove(path: Path) -> None:
    for extra in (path, Path(f"{path}-journal")):
        extra.unlink(missing_ok=True)


def backup(store_path: str | Path, dest: str | Path, *, force: bool = False
           ) -> BackupReport:
    """Copy the store at ``store_path`` to ``dest`` and verify the copy.

    ``dest`` must not exist unless ``force``. The copy is written beside ``dest`` and
    moved into place only once verified, so ``dest`` is never half written.
    """
    source, target = Path(store_path), Path(dest)
    if not source.is_file():
        raise ConfigError(f"no golden store at '{source}'")
    if target.exists() and not force:
        raise ConfigError(f"a file already exists at '{target}' (use force to replace it)")
    if target.resolve() == source.resolve():
        raise ConfigError("a backup cannot replace the store it copies")
    temporary = _temporary(target)
    _remove(temporary)
    try:
        reader = sqlite3.connect(str(source), isolation_level=None, timeout=30.0)
        try:
            reader.execute("BEGIN")  # one read transaction: one committed state
            expected = _digest(reader)
            copy = sqlite3.connect(str(temporary), isolation_level=None)
            try:
                reader.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")
                copy.execute(f"CREATE TABLE {MANIFEST_TABLE} (data TEXT NOT NULL)")
                copy.execute(f"INSERT INTO {MANIFEST_TABLE} VALUES (?)", (json.dumps({
                    "format": _FORMAT, "tables": expected[0], "checksum": expected[1]}),))
            finally:
                copy.close()
            reader.execute("COMMIT")
        finally:
            reader.close()
        report = verify_backup(temporary)
        if (report.tables, report.checksum) != expected:
            raise BackupError("the backup does not match the store it was taken from")
        os.replace(temporary, target)
    except sqlite3.Error as error:
        _remove(temporary)
        raise BackupError(f"the store '{source}' could not be backed up "
                          f"({type(error).__name__})") from None
    except BaseException:
        _remove(temporary)
        raise
    logger.info("backed up a golden store: %d rows in %d tables", report.n_rows,
                len(report.tables))
    return BackupReport(target, report.tables, report.checksum, report.integrity)


def restore(backup_path: str | Path, path: str | Path, *, force: bool = False
            ) -> BackupReport:
    """Verify a backup, then put a copy of it at ``path`` in one atomic step.

    An existing file at ``path`` is replaced only with ``force`` (close every
    connection to it first); a store with a journal left beside it (in use, or a
    crashed write) is never replaced.
    """
    source, target = Path(backup_path), Path(path)
    report = verify_backup(source)
    if target.exists() and not force:
        raise ConfigError(f"a file already exists at '{target}' (use force to replace it)")
    if Path(f"{target}-journal").exists():
        raise ConfigError(f"the store '{target}' has a journal beside it (in use, or a "
                          "write was interrupted); open and close it first")
    temporary = _temporary(target)
    _remove(temporary)
    try:
        with _read_only(source) as reader:
            copy = sqlite3.connect(str(temporary), isolation_level=None)
            try:
                reader.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")
                copy.execute(f"DROP TABLE {MANIFEST_TABLE}")
                copy.execute("VACUUM")
                counts, checksum = _digest(copy)
                integrity = str(copy.execute("PRAGMA integrity_check").fetchone()[0])
            finally:
                copy.close()
        if (counts, checksum) != (report.tables, report.checksum) or integrity != "ok":
            raise BackupError(f"the copy of '{source}' does not match the backup")
        os.replace(temporary, target)
    except sqlite3.Error as error:
        _remove(temporary)
        raise BackupError(f"the backup '{source}' could not be restored "
                          f"({type(error).__name__})") from None
    except BaseException:
        _remove(temporary)
        raise
    logger.info("restored a golden store: %d rows in %d tables", report.n_rows,
                len(report.tables))
    return BackupReport(target, counts, checksum, integrity)
