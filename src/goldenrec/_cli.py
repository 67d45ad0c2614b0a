"""The ``goldenrec`` command line: ``goldenrec demo``, ``resolve`` and ``quality``.

Errors are printed as one line, ``goldenrec: error: <message>``, with exit status 2;
neither messages nor summaries ever contain values from the data.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import pandas as pd

from goldenrec._cli_privacy import add_privacy_commands
from goldenrec._demo_loader import evaluate, load_demo
from goldenrec._io import read_table
from goldenrec._masking import masked_result
from goldenrec._pipeline import Pipeline, Progress
from goldenrec._quality import QualityReport
from goldenrec._result import Result
from goldenrec._roles import ROLES
from goldenrec._schema import DateOrder, Source
from goldenrec._version import __version__
from goldenrec.errors import (
    ConfigError,
    GoldenrecError,
    InputError,
    OutputError,
    SerialisationError,
)

if TYPE_CHECKING:
    from goldenrec._store import Changes, GoldenStore

__all__ = ["ProgressLine", "main"]

PROG = "goldenrec"
_DATE_ORDERS: dict[str, DateOrder] = {"DMY": "DMY", "MDY": "MDY", "YMD": "YMD"}
DATE_ORDERS = tuple(_DATE_ORDERS)
EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
_LABEL_WIDTH = 19

logger = logging.getLogger(PROG)


class ProgressLine:
    """A :data:`~goldenrec._pipeline.Progress` callback drawing ``[3/7] block...``.

    Each stage overwrites the previous one on the same line; :meth:`finish` ends the
    line. Nothing is written when ``enabled`` is false.
    """

    def __init__(self, stream: TextIO, *, enabled: bool = True) -> None:
        self.stream = stream
        self.enabled = enabled
        self._width = 0

    def __call__(self, stage: str, index: int, total: int) -> None:
        if not self.enabled:
            return
        text = f"[{index}/{total}] {stage}..."
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = max(self._width, len(text))

    def finish(self) -> None:
        """End the progress line (if one was drawn)."""
        if self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0


# -- argument parsing ---------------------------------------------------------------------
def _threshold(text: str) -> float | str:
    if text.strip().lower() == "auto":
        return "auto"
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a probability or 'auto'") from None


def _build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--out", metavar="DIR", type=Path,
                        help="directory for the output CSV files")
    common.add_argument("-q", "--quiet", action="store_true",
                        help="print nothing but errors")
    common.add_argument("-v", "--verbose", action="store_true",
                        help="log what each stage does to stderr")

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="One golden record per customer from messy multi-source records.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser(
        "demo", parents=[common],
        help="resolve the shipped three-source sample and score it against its truth",
        description="Resolve the shipped sample (crm, webshop, support) and report "
                    "pairwise precision and recall against its answer key.")
    _add_mask_option(demo)
    demo.set_defaults(handler=_run_demo, default_out=Path("goldenrec-demo"))

    resolve = commands.add_parser(
        "resolve", parents=[common],
        help="resolve CSV or Parquet files into golden records",
        description="Resolve CSV/TSV or Parquet files into golden records. Each file is "
                    "one source named after its file name, unless --source-column "
                    "names a column that says which source each row is from.")
    _add_input_options(resolve, id_help="(required unless --pipeline is given)")
    resolve.add_argument("--threshold", metavar="P", type=_threshold,
                         help="match probability at which records are merged (default: "
                              "chosen from the fitted model)")
    resolve.add_argument("--save-pipeline", metavar="FILE", type=Path,
                         help="save the fitted pipeline as JSON for later runs")
    resolve.add_argument("--pipeline", metavar="FILE", type=Path,
                         help="use a saved pipeline (and its fitted model) instead of "
                              "fitting a new one")
    resolve.add_argument("--store", metavar="PATH", type=Path,
                         help="also create a golden store (an SQLite file) at PATH for "
                              "later 'update' and 'forget'")
    resolve.add_argument("--purpose", metavar="PURPOSE",
                         help="write only the customers whose consent for PURPOSE (e.g. "
                              "marketing; 'general' for the general purpose) is granted; "
                              "customers without a decision are left out")
    _add_mask_option(resolve)
    resolve.set_defaults(handler=_run_resolve, default_out=Path("goldenrec-out"))

    quality = commands.add_parser(
        "quality", parents=[common],
        help="check the data quality of CSV or Parquet files (map and normalise only)",
        description="Map and normalise CSV/TSV or Parquet files, print per source and "
                    "field how many values are valid, invalid, missing or placeholders "
                    "and why, and write quality_summary.csv and quality_flags.csv. No "
                    "records are matched.")
    _add_input_options(quality, id_help="(required)")
    quality.set_defaults(handler=_run_quality, default_out=Path("goldenrec-quality"))
    _add_report_command(commands)
    _add_store_commands(commands)
    add_privacy_commands(commands)
    return parser


def _add_mask_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--mask-pii", action="store_true",
                         help="mask personal values in the written golden, lineage and "
                              "conflicts files (j***@example.com, +49 *** *** 67), for "
                              "display; the golden store keeps the real values")


def _add_store_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]
                        ) -> None:
    """``update`` and ``forget``: change a golden store made by ``resolve --store``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", metavar="PATH", type=Path, required=True,
                        help="the golden store (made by 'resolve --store')")
    common.add_argument("-q", "--quiet", action="store_true",
                        help="print nothing but errors")
    common.add_argument("-v", "--verbose", action="store_true",
                        help="log what each step does to stderr")
    update = commands.add_parser(
        "update", parents=[common],
        help="load new, changed and deleted records into a golden store",
        description="Match new and changed records (one source per file, named after "
                    "the file, unless --source-column is given) against a golden store "
                    "with its frozen model; a record whose key is stored is a change.")
    update.add_argument("inputs", nargs="*", metavar="INPUT", type=Path,
                        help="a .csv, .tsv, .txt, .parquet or .pq file")
    update.add_argument("--source-column", metavar="COL",
                        help="split every input by this column instead of by file")
    update.add_argument("--delete", nargs=2, action="append", default=[],
                        metavar=("SOURCE", "KEY"), help="delete a record (repeatable)")
    update.set_defaults(handler=_run_update, out=None, default_out=None)
    forget = commands.add_parser(
        "forget", parents=[common],
        help="erase source records from a golden store (right to erasure)",
        description="Remove records everywhere in a golden store, re-derive the golden "
                    "records they were part of and compact the file.")
    forget.add_argument("--source", required=True, help="the records' source")
    forget.add_argument("keys", nargs="+", metavar="KEY", help="record keys to forget")
    forget.set_defaults(handler=_run_forget, out=None, default_out=None)


def _add_input_options(command: argparse.ArgumentParser, *, id_help: str) -> None:
    """The options that say how to read the inputs, shared by resolve and quality."""
    command.add_argument("inputs", nargs="+", metavar="INPUT", type=Path,
                         help="a .csv, .tsv, .txt, .parquet or .pq file")
    command.add_argument("--id", metavar="COLUMN|SOURCE=COLUMN[,...]", dest="id_column",
                         help="the record-key column, for all sources or per source as "
                              f"SOURCE=COLUMN[,...] {id_help}")
    command.add_argument("--roles", metavar="COL=ROLE[,...]",
                         help=f"roles of columns whose names do not say it; roles: "
                              f"{', '.join(ROLES)}")
    command.add_argument("--source-column", metavar="COL",
                         help="split every input by this column instead of by file")
    command.add_argument("--date-order", metavar="ORDER|SOURCE=ORDER[,...]",
                         help="how 01/02/2003 dates are read: DMY, MDY or YMD, for all "
                              "sources or per source")
    command.add_argument("--phone-region", metavar="CC|SOURCE=CC[,...]",
                         help="two-letter country code for phone numbers without one, for "
                              "all sources or per source")
    command.add_argument("--time-zone", metavar="TZ|SOURCE=TZ[,...]",
                         help="IANA time zone (e.g. Europe/Riga) of timestamps written "
                              "without an offset, for all sources or per source")


# -- option values --------------------------------------------------------------------------
def _items(text: str, option: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    if any(not item for item in items):
        raise ConfigError(f"{option} has an empty item; separate items with single commas")
    return items


def parse_roles(text: str) -> dict[str, str]:
    """``"col=role,col=role"`` as a dict, with every role checked.

    >>> parse_roles("fname=first_name, Zip Code = postcode")
    {'fname': 'first_name', 'Zip Code': 'postcode'}
    """
    roles: dict[str, str] = {}
    for item in _items(text, "--roles"):
        column, equals, role = item.rpartition("=")
        column, role = column.strip(), role.strip().lower()
        if not equals or not column or not role:
            raise ConfigError(f"--roles item {item!r} is not of the form COLUMN=ROLE")
        if role not in ROLES:
            raise ConfigError(f"unknown role {role!r} in --roles; known roles: "
                              f"{', '.join(ROLES)}")
        if column in roles:
            raise ConfigError(f"--roles gives column {column!r} more than once")
        roles[column] = role
    return roles


def parse_per_source(text: str, option: str,
                     check: Callable[[str], str]) -> tuple[str | None, dict[str, str]]:
    """``"VALUE"``, ``"source=VALUE,..."`` or both: the default and per-source values.

    >>> parse_per_source("DMY,crm=ymd", "--date-order", str.upper)
    ('DMY', {'crm': 'YMD'})
    """
    default: str | None = None
    per_source: dict[str, str] = {}
    for item in _items(text, option):
        name, equals, value = item.rpartition("=")
        name, value = name.strip(), check(value.strip())
        if not equals:
            if default is not None:
                raise ConfigError(f"{option} gives more than one value for all sources")
            default = value
        elif not name:
            raise ConfigError(f"{option} item {item!r} is not of the form SOURCE=VALUE")
        elif name in per_source:
            raise ConfigError(f"{option} gives source {name!r} more than once")
        else:
            per_source[name] = value
    return default, per_source


def _parse_id(text: str) -> tuple[str | None, dict[str, str]]:
    if "=" not in text:
        if not text.strip():
            raise ConfigError("--id needs a column name")
        return text.strip(), {}
    return parse_per_source(text, "--id", _column)


def _column(value: str) -> str:
    if not value:
        raise ConfigError("--id needs a column name after '='")
    return value


def _date_order(value: str) -> str:
    order = value.upper()
    if order not in DATE_ORDERS:
        raise ConfigError(f"--date-order must be one of {', '.join(DATE_ORDERS)}; "
                          f"got {value!r}")
    return order


def _phone_region(value: str) -> str:
    if len(value) != 2 or not value.isascii() or not value.isalpha():
        raise ConfigError(f"--phone-region must be a two-letter country code; got {value!r}")
    return value.upper()


def _time_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError("--time-zone must be an IANA time zone such as Europe/Riga or "
                          f"UTC; got {value!r}") from None
    return value


def _check_input_options(args: argparse.Namespace) -> None:
    """Check the syntax of the input options before any data is read."""
    if args.id_column:
        _parse_id(args.id_column)
    if args.roles:
        parse_roles(args.roles)
    if args.date_order:
        parse_per_source(args.date_order, "--date-order", _date_order)
    if args.phone_region:
        parse_per_source(args.phone_region, "--phone-region", _phone_region)
    if args.time_zone:
        parse_per_source(args.time_zone, "--time-zone", _time_zone)


# -- reading the inputs ---------------------------------------------------------------------
def _read_inputs(paths: Sequence[Path], source_column: str | None) -> dict[str, pd.DataFrame]:
    if source_column is None:
        stems: dict[str, Path] = {}
        for path in paths:
            if path.stem in stems:
                raise InputError(
                    f"inputs '{stems[path.stem]}' and '{path}' would both be source "
                    f"{path.stem!r}; rename one, or use --source-column")
            stems[path.stem] = path
        frames = {path.stem: read_table(path) for path in paths}
        for path in paths:
            if frames[path.stem].empty:
                raise InputError(f"input '{path}' has no records")
        return frames
    parts: dict[str, list[pd.DataFrame]] = {}
    for path in paths:
        table = read_table(path)
        if source_column not in table.columns:
            raise InputError(f"source column not found in '{path}'", column=source_column)
        names = table[source_column].astype(object).map(
            lambda v: None if pd.isna(v) else str(v).strip() or None)
        if names.isna().any():
            row = int(names.isna().to_numpy().nonzero()[0][0]) + 1
            raise InputError(f"missing source name in data row {row} of '{path}'",
                             column=source_column)
        body = table.drop(columns=[source_column])
        for name, group in body.groupby(names, sort=True):
            parts.setdefault(str(name), []).append(group)
    frames = {}
    for name, groups in sorted(parts.items()):
        frame = groups[0] if len(groups) == 1 else pd.concat(groups, sort=False)
        frames[name] = frame.reset_index(drop=True)
    if not frames:
        raise InputError("the inputs have no records")
    return frames


def _sources(frames: Mapping[str, pd.DataFrame], args: argparse.Namespace,
             saved: Sequence[Source] | None) -> list[Source]:
    """One :class:`Source` per frame: saved settings, overridden by the options."""
    roles = parse_roles(args.roles) if args.roles else {}
    orders: tuple[str | None, dict[str, str]] = (
        parse_per_source(args.date_order, "--date-order", _date_order)
        if args.date_order else (None, {}))
    regions: tuple[str | None, dict[str, str]] = (
        parse_per_source(args.phone_region, "--phone-region", _phone_region)
        if args.phone_region else (None, {}))
    zones: tuple[str | None, dict[str, str]] = (
        parse_per_source(args.time_zone, "--time-zone", _time_zone)
        if getattr(args, "time_zone", None) else (None, {}))
    keys = _parse_id(args.id_column) if args.id_column else (None, {})
    for option, (_, per_source) in (("--id", keys), ("--date-order", orders),
                                    ("--phone-region", regions), ("--time-zone", zones)):
        unknown = sorted(set(per_source) - set(frames))
        if unknown:
            raise ConfigError(f"{option} names source(s) not in the inputs: "
                              f"{', '.join(unknown)}; sources: {', '.join(sorted(frames))}")
    if roles:
        present = set().union(*(set(map(str, f.columns)) for f in frames.values()))
        absent = sorted(set(roles) - present)
        if absent:
            raise InputError(f"--roles names column(s) no input has: {', '.join(absent)}")
    by_name = {spec.name: spec for spec in saved or ()}
    specs = []
    for name, frame in sorted(frames.items()):
        base = by_name.get(name, Source(name))
        key = keys[1].get(name, keys[0] or base.key)
        if key is not None and key in roles:
            raise ConfigError(f"column {key!r} is the record key of source {name!r} (--id) "
                              "and cannot also be given a role")
        given = dict(base.roles or {})
        given.update({c: r for c, r in roles.items() if c in frame.columns})
        date_order = orders[1].get(name, orders[0] or base.date_order)
        # replace() keeps the settings no option covers (e.g. a saved source's trust)
        specs.append(dataclasses.replace(
            base,
            key=key,
            roles=given or None,
            phone_region=regions[1].get(name, regions[0] or base.phone_region),
            date_order=_DATE_ORDERS[_date_order(date_order)] if date_order else None,
            time_zone=zones[1].get(name, zones[0] or base.time_zone),
        ))
    return specs


# -- commands -------------------------------------------------------------------------------
def _resolve(pipeline: Pipeline, data: Mapping[str, pd.DataFrame],
             progress: ProgressLine) -> Result:
    callback: Progress | None = progress if progress.enabled else None
    try:
        return pipeline.resolve(data, progress=callback)
    finally:
        progress.finish()


def _write(result: Result, directory: Path, purpose: str | None = None, *,
           mask_pii: bool = False) -> list[Path]:
    if purpose is not None:  # before masking, which may hide the consent values
        result = result.for_purpose(purpose)
    if mask_pii:
        result = masked_result(result)
    try:
        return result.write(directory)
    except OSError as error:
        raise OutputError(f"cannot write the outputs to '{directory}': "
                          f"{error.strerror or type(error).__name__}") from None


def _line(label: str, text: str) -> str:
    return f"{label + ':':<{_LABEL_WIDTH}}{text}"


def _outputs_line(directory: Path, written: Sequence[Path]) -> str:
    return _line("outputs", f"{directory}/ ({', '.join(p.name for p in written)})")


def _run_demo(args: argparse.Namespace, progress: ProgressLine) -> int:
    demo = load_demo()
    result = _resolve(Pipeline(sources=demo.sources), demo.frames, progress)
    scores = evaluate(result, demo.truth)
    written = _write(result, args.out, mask_pii=args.mask_pii)
    if not args.quiet:
        names = ", ".join(source.name for source in demo.sources)
        print(f"goldenrec demo: the shipped sample ({names}) with its answer key")
        print(result.summary())
        print(_line("threshold", f"p={result.threshold:.3f}"))
        print(_line("vs the truth", f"precision {scores.precision:.3f}, recall "
                                    f"{scores.recall:.3f}, F1 {scores.f1:.3f} (pairwise)"))
        print(_outputs_line(args.out, written))
    return EXIT_OK


def _load_pipeline(path: Path) -> Pipeline:
    if not path.is_file():
        raise InputError(f"saved pipeline not found: '{path}'")
    try:
        return Pipeline.load(path)
    except SerialisationError as error:
        raise SerialisationError(f"cannot use the saved pipeline '{path}': {error}") from None


def _check_pipeline_options(args: argparse.Namespace) -> Pipeline | None:
    """Check the options of a command that resolves (before reading any data) and load
    the saved pipeline when one is given."""
    if args.id_column is None and args.pipeline is None:
        raise ConfigError("--id COLUMN (the record-key column) is required unless "
                          "--pipeline is given")
    _check_input_options(args)
    if isinstance(args.threshold, float) and not 0.0 < args.threshold < 1.0:
        raise ConfigError("--threshold must be between 0 and 1 (exclusive) or 'auto'")
    return _load_pipeline(args.pipeline) if args.pipeline is not None else None


def _configured_pipeline(args: argparse.Namespace, pipeline: Pipeline | None,
                         frames: dict[str, pd.DataFrame]) -> Pipeline:
    """A new pipeline from the options, or the saved one with the options applied."""
    if pipeline is None:
        return Pipeline(_sources(frames, args, None),
                        threshold="auto" if args.threshold is None else args.threshold)
    pipeline.sources = _sources(frames, args, pipeline.sources)
    pipeline.source_column = None  # the CLI splits by source itself
    if args.threshold is not None:
        pipeline.threshold = args.threshold
        if pipeline.is_fitted and isinstance(args.threshold, float):
            pipeline.threshold_ = args.threshold
    return pipeline


def _run_resolve(args: argparse.Namespace, progress: ProgressLine) -> int:
    saved = _check_pipeline_options(args)
    if args.purpose is not None:
        from goldenrec._consent import consent_column  # noqa: PLC0415

        consent_column(args.purpose)  # a ConfigError before any work when unreadable
    frames = _read_inputs(args.inputs, args.source_column)
    pipeline = _configured_pipeline(args, saved, frames)
    if args.store is not None and args.store.exists():
        raise ConfigError(f"--store: a file already exists at '{args.store}'")
    result = _resolve(pipeline, frames, progress)
    written = _write(result, args.out, args.purpose, mask_pii=args.mask_pii)
    if args.store is not None:
        from goldenrec._store import GoldenStore  # noqa: PLC0415

        # the fitted pipeline itself: it carries the whole-data state it froze
        GoldenStore.create(args.store, pipeline, frames).close()
    if args.save_pipeline is not None:
        try:
            pipeline.save(args.save_pipeline)
        except OSError as error:
            raise OutputError(f"cannot write the pipeline to '{args.save_pipeline}': "
                              f"{error.strerror or type(error).__name__}") from None
    if not args.quiet:
        print(result.summary())
        if args.purpose is not None:
            print(_line("consent", f"{len(result.golden_for(args.purpose)):,} customer(s) "
                                   f"consented to {args.purpose!r} (only they are written)"))
        print(_outputs_line(args.out, written))
        if args.save_pipeline is not None:
            print(_line("pipeline saved", str(args.save_pipeline)))
        if args.store is not None:
            print(_line("golden store", str(args.store)))
    return EXIT_OK


def _print_changes(changes: Changes, store: GoldenStore) -> None:
    counts = ", ".join(f"{len(getattr(changes, kind))} {kind}" for kind in
                       ("created", "updated", "merged", "split", "deleted"))
    print(_line("golden records", f"{len(store.golden()):,} ({counts})"))
    print(_line("last event", str(store.last_seq)))


def _run_update(args: argparse.Namespace, progress: ProgressLine) -> int:
    from goldenrec._store import Batch, GoldenStore  # noqa: PLC0415

    if not args.inputs and not args.delete:
        raise ConfigError("give input files, --delete SOURCE KEY, or both")
    frames = _read_inputs(args.inputs, args.source_column) if args.inputs else {}
    deleted = [(str(source), str(key)) for source, key in args.delete]
    with GoldenStore.open(args.store) as store:
        changes = store.update(Batch(frames=frames, deleted=deleted))
        if not args.quiet:
            _print_changes(changes, store)
    return EXIT_OK


def _run_forget(args: argparse.Namespace, progress: ProgressLine) -> int:
    from goldenrec._store import GoldenStore  # noqa: PLC0415

    with GoldenStore.open(args.store) as store:
        changes = store.forget([(str(args.source), str(key)) for key in args.keys])
        if not args.quiet:
            print(_line("forgotten", f"{len(args.keys)} record(s) of source "
                                     f"{args.source!r}"))
            _print_changes(changes, store)
    return EXIT_OK


def _run_quality(args: argparse.Namespace, progress: ProgressLine) -> int:
    if args.id_column is None:
        raise ConfigError("--id COLUMN (the record-key column) is required")
    _check_input_options(args)
    frames = _read_inputs(args.inputs, args.source_column)
    pipeline = Pipeline(_sources(frames, args, None))
    report = QualityReport.from_records(pipeline.normalise(frames))
    summary = report.summary()
    try:
        written = report.to_csv(args.out)
    except OSError as error:
        raise OutputError(f"cannot write the outputs to '{args.out}': "
                          f"{error.strerror or type(error).__name__}") from None
    if not args.quiet:
        n_records = sum(len(frame) for frame in frames.values())
        print(_line("records", f"{n_records:,} from {len(frames)} source(s)"))
        print(summary.to_string(index=False) if len(summary) else "(no mapped fields)")
        print(_outputs_line(args.out, written))
    return EXIT_OK


# -- goldenrec report -------------------------------------------------------------------------
def _add_report_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = commands.add_parser(
        "report", help="resolve CSV or Parquet files and write a match-quality report",
        description="Resolve CSV/TSV or Parquet files (as resolve does) and write one "
                    "self-contained HTML file: data quality, blocking, the fitted model, "
                    "match weights, precision and recall, clusters, pairs to review and "
                    "survivorship conflicts.")
    _add_input_options(report, id_help="(required unless --pipeline is given)")
    report.add_argument("--out", metavar="FILE", type=Path,
                        help="the HTML file to write (default: goldenrec-report.html)")
    report.add_argument("--pipeline", metavar="FILE", type=Path,
                        help="use a saved pipeline (and its fitted model)")
    report.add_argument("--threshold", metavar="P", type=_threshold,
                        help="match probability at which records are merged")
    report.add_argument("--truth", metavar="CSV", type=Path,
                        help="a CSV with columns source, record_key, entity: measure "
                             "precision and recall against it")
    report.add_argument("--mask-pii", action="store_true",
                        help="mask personal values (j***@example.com, J***)")
    report.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    report.add_argument("-v", "--verbose", action="store_true",
                        help="log what each stage does to stderr")
    report.set_defaults(handler=_run_report, default_out=Path("goldenrec-report.html"))


def _read_truth(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"truth file not found: '{path}'")
    truth = read_table(path)
    missing = {"source", "record_key", "entity"} - set(map(str, truth.columns))
    if missing:
        raise InputError(f"the truth file '{path}' needs columns source, record_key and "
                         f"entity; missing {', '.join(sorted(missing))}")
    checked: pd.DataFrame = truth.astype({"source": str, "record_key": str})
    return checked


def _run_report(args: argparse.Namespace, progress: ProgressLine) -> int:
    from goldenrec._report import write_report  # noqa: PLC0415

    saved = _check_pipeline_options(args)
    truth = _read_truth(args.truth) if args.truth is not None else None
    frames = _read_inputs(args.inputs, args.source_column)
    pipeline = _configured_pipeline(args, saved, frames)
    result = _resolve(pipeline, frames, progress)
    try:
        written = write_report(result, args.out, mask_pii=args.mask_pii, truth=truth)
    except OSError as error:
        raise OutputError(f"cannot write the report to '{args.out}': "
                          f"{error.strerror or type(error).__name__}") from None
    if not args.quiet:
        print(result.summary())
        print(_line("report", f"{written}" + (" (personal values masked)"
                                              if args.mask_pii else "")))
    return EXIT_OK


# -- entry point ----------------------------------------------------------------------------
def _error(message: str) -> None:
    text = " ".join(message.split())
    print(f"{PROG}: error: {text}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # usage errors (2), --help and --version (0)
        return stop.code if isinstance(stop.code, int) else EXIT_ERROR
    if args.out is None:
        args.out = args.default_out
    stderr = sys.stderr
    handler = logging.StreamHandler(stderr)
    handler.setFormatter(logging.Formatter(f"{PROG}: %(levelname)s: %(message)s"))
    previous_level = logger.level
    logger.setLevel(logging.INFO if args.verbose else logging.WARNING)
    logger.addHandler(handler)
    # Log lines would break a progress line, so -v shows the stages as log lines instead.
    progress = ProgressLine(stderr, enabled=stderr.isatty() and not args.quiet
                            and not args.verbose)
    try:
        status: int = args.handler(args, progress)
        return status
    except GoldenrecError as error:
        _error(str(error))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
    except Exception as error:
        if args.verbose:
            raise
        # Unexpected: the text of an arbitrary exception may quote data, so only its type.
        _error(f"internal error ({type(error).__name__}); please report it, and re-run "
               "with -v to see the traceback")
        return EXIT_INTERNAL
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
