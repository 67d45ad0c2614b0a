"""``goldenrec retain``, ``backup`` and ``restore``: retention and backups of a store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from goldenrec.errors import ConfigError

if TYPE_CHECKING:
    from goldenrec._store._backup import BackupReport

__all__ = ["add_privacy_commands", "parse_keep"]

_LABEL_WIDTH = 19


def _line(label: str, text: str) -> str:
    return f"{label + ':':<{_LABEL_WIDTH}}{text}"


def add_privacy_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]
                         ) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    common.add_argument("-v", "--verbose", action="store_true",
                        help="log what each step does to stderr")
    retain = commands.add_parser(
        "retain", parents=[common],
        help="erase the records a retention policy no longer keeps",
        description="Erase, as 'forget' does, every record kept longer than its "
                    "source's retention period after its last update (its updated_at, "
                    "else when the store last received it). --dry-run lists them only.")
    retain.add_argument("--store", metavar="PATH", type=Path, required=True,
                        help="the golden store")
    retain.add_argument("--keep", metavar="SOURCE=PERIOD", action="append", default=[],
                        help="keep SOURCE's records PERIOD after their last update, e.g. "
                             "support=2y, web=90d, crm=18m (repeatable; default: the "
                             "policy stored in the store)")
    retain.add_argument("--save", action="store_true",
                        help="store the --keep policy in the store for later runs")
    retain.add_argument("--dry-run", action="store_true",
                        help="list what would be erased (CSV on stdout); change nothing")
    retain.add_argument("--now", metavar="TIMESTAMP",
                        help="judge expiry at this ISO time instead of now (UTC)")
    retain.set_defaults(handler=_run_retain, out=None, default_out=None)

    backup = commands.add_parser(
        "backup", parents=[common],
        help="copy a golden store consistently, even while it is in use, and verify it",
        description="Copy a golden store with SQLite's online backup API, then verify "
                    "the copy: integrity check, row counts and a checksum of every row "
                    "against the store as it was when copied.")
    backup.add_argument("--store", metavar="PATH", type=Path, required=True,
                        help="the golden store")
    backup.add_argument("dest", metavar="DEST", type=Path, help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="replace an existing DEST")
    backup.set_defaults(handler=_run_backup, out=None, default_out=None)

    restore = commands.add_parser(
        "restore", parents=[common],
        help="verify a backup and put it in place of a golden store",
        description="Verify a backup (integrity, row counts, checksum), copy it beside "
                    "the target and move it into place in one step. An existing store is "
                    "replaced only with --force; close every program using it first.")
    restore.add_argument("backup", metavar="BACKUP", type=Path, help="the backup file")
    restore.add_argument("--store", metavar="PATH", type=Path, required=True,
                         help="where to restore the store")
    restore.add_argument("--force", action="store_true",
                         help="replace an existing store at PATH")
    restore.set_defaults(handler=_run_restore, out=None, default_out=None)


def parse_keep(items: list[str]) -> dict[str, str]:
    """``["support=2y", "web=90d"]`` → ``{"support": "2y", "web": "90d"}``."""
    out: dict[str, str] = {}
    for item in items:
        for part in item.split(","):
            source, sep, period = part.partition("=")
            if not sep or not source.strip() or not period.strip():
                raise ConfigError("--keep expects SOURCE=PERIOD, e.g. support=2y")
            if source.strip() in out:
                raise ConfigError(f"--keep names source {source.strip()!r} twice")
            out[source.strip()] = period.strip()
    return out


def _run_retain(args: argparse.Namespace, progress: object) -> int:
    from goldenrec._cli import _print_changes  # noqa: PLC0415
    from goldenrec._retention import RetentionPolicy  # noqa: PLC0415
    from goldenrec._store import GoldenStore  # noqa: PLC0415

    policy = RetentionPolicy(parse_keep(args.keep)) if args.keep else None
    if args.save and policy is None:
        raise ConfigError("--save needs a policy given with --keep")
    with GoldenStore.open(args.store) as store:
        if args.save and policy is not None and not args.dry_run:
            store.set_retention(policy)
        report = store.retain(policy, as_of=args.now, dry_run=args.dry_run)
        if args.dry_run:
            report.expired.to_csv(sys.stdout, index=False, lineterminator="\n")
        if not args.quiet:
            stream = sys.stderr if args.dry_run else sys.stdout
            periods = ", ".join(f"{s}={p}" for s, p in report.policy.periods.items())
            print(_line("policy", periods or "(none)"), file=stream)
            verb = "would erase" if args.dry_run else "erased"
            print(_line("expired", f"{len(report.expired):,} record(s) as of "
                                   f"{report.as_of.isoformat()} ({verb})"), file=stream)
            if report.undated:
                print(_line("undated", f"{report.undated:,} record(s) with no known last "
                                       "update (kept)"), file=stream)
            if report.changes is not None:
                _print_changes(report.changes, store)
    return 0


def _print_report(report: BackupReport, verb: str) -> None:
    print(_line(verb, str(report.path)))
    print(_line("verified", f"integrity {report.integrity}, {report.n_rows:,} rows in "
                            f"{len(report.tables)} tables"))
    print(_line("checksum", f"sha256:{report.checksum}"))


def _run_backup(args: argparse.Namespace, progress: object) -> int:
    from goldenrec._store import GoldenStore  # noqa: PLC0415

    with GoldenStore.open(args.store) as store:
        report = store.backup(args.dest, force=args.force)
    if not args.quiet:
        _print_report(report, "backup")
    return 0


def _run_restore(args: argparse.Namespace, progress: object) -> int:
    from goldenrec._store import GoldenStore  # noqa: PLC0415

    report = GoldenStore.restore(args.backup, args.store, force=args.force)
    if not args.quiet:
        _print_report(report, "restored")
    return 0
