#!/usr/bin/env python3
"""goldenrec side by side with its peers (Splink, recordlinkage) on the benchmark sets.

    .venv/bin/python benchmarks/peers.py
    .venv/bin/python benchmarks/peers.py --sets febrl3,febrl4 --tools goldenrec,splink

Each peer gets its own virtual environment under the repository root, created on first
use from PyPI (``.venv-bench-splink``, ``.venv-bench-recordlinkage``) and reused while
its stamp matches. Each tool runs on each set in a fresh process (runner scripts in
``benchmarks/peers/``), so the peak RSS it reports is that run's alone. All runners read
the records through ``benchmarks/_datasets.py`` (Splink, whose venv has no pandas, reads
a Parquet export of the same frames) and score their final clusters with the same code.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RUNNERS = HERE / "peers"
sys.path.insert(0, str(HERE))

from _datasets import DATASETS  # noqa: E402

TIMEOUT = 20 * 60


@dataclass(frozen=True)
class Tool:
    """A tool to measure: where it runs and what its environment needs."""

    name: str
    label: str
    venv: str | None  # None: this interpreter (goldenrec's own .venv)
    requirements: tuple[str, ...] = ()
    check: str = ""  # Python run after installing; must exit 0
    exported_data: bool = False  # reads a Parquet export instead of _datasets.py


TOOLS: dict[str, Tool] = {
    "goldenrec": Tool("goldenrec", "goldenrec", None),
    "splink": Tool(
        "splink", "Splink", ".venv-bench-splink", ("splink>=5",),
        "import splink, duckdb; assert int(splink.__version__.split('.')[0]) >= 5, "
        "splink.__version__",
        exported_data=True,
    ),
    "recordlinkage": Tool(
        "recordlinkage", "recordlinkage", ".venv-bench-recordlinkage",
        ("pandas>=2.2,<3", "recordlinkage>=0.16", "pyarrow>=14"),
        # pip installs the broken recordlinkage 0.14 next to pandas 3: insist on 0.16+
        "import pandas, recordlinkage, scipy; "
        "assert pandas.__version__.startswith('2.'), pandas.__version__; "
        "v = tuple(int(p) for p in recordlinkage.__version__.split('.')[:2]); "
        "assert v >= (0, 16), recordlinkage.__version__",
    ),
}


def environment(tool: Tool) -> Path | None:
    """The Python interpreter for ``tool``, creating or refreshing its venv when needed.

    None when the environment cannot be set up (the tool is then reported as failed).
    """
    if tool.venv is None:
        return Path(sys.executable)
    home = ROOT / tool.venv
    python = home / "bin" / "python"
    fingerprint = hashlib.sha256(
        "\n".join([sys.version.split()[0], *tool.requirements]).encode()).hexdigest()[:12]
    stamp = home / f".peers-stamp-{fingerprint}"
    if python.exists() and stamp.exists():
        return python
    print(f"+ creating {tool.venv} ({' '.join(tool.requirements)})", file=sys.stderr,
          flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(home)
    for command in ([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
                    [str(python), "-m", "pip", "install", "--quiet", *tool.requirements],
                    [str(python), "-c", tool.check]):
        if subprocess.run(command, check=False).returncode != 0:
            print(f"! setting up {tool.venv} failed at: {' '.join(command[1:4])}",
                  file=sys.stderr, flush=True)
            return None
    stamp.write_text(fingerprint + "\n")
    return python


def versions(python: Path, tool: Tool) -> str:
    """Installed versions of the tool and its data-frame/database libraries."""
    modules = {"goldenrec": ["goldenrec", "pandas"], "splink": ["splink", "duckdb"],
               "recordlinkage": ["recordlinkage", "pandas"]}[tool.name]
    code = ("import importlib.metadata as m, sys; print(' '.join(f'{n} {m.version(n)}' "
            f"for n in {modules!r}), 'Python', sys.version.split()[0])")
    text = subprocess.run([str(python), "-c", code], check=True, capture_output=True,
                          text=True).stdout.strip()
    if tool.name == "goldenrec":  # the working tree may hold uncommitted changes
        git = ["git", "--no-optional-locks", "-C", str(ROOT)]
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=False).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "src"],
                               capture_output=True, text=True, check=False).stdout.strip()
        text += f" (commit {head or '?'}{', src/ has uncommitted changes' if dirty else ''})"
    return text


def export(name: str, directory: Path) -> Path:
    """Write a set's frames and truth (as loaded by ``_datasets``) to Parquet files."""
    dataset = DATASETS[name]()
    target = directory / name
    target.mkdir(parents=True, exist_ok=True)
    for source, frame in dataset.frames.items():
        frame.astype(object).where(frame.notna(), None).to_parquet(
            target / f"{source}.parquet", index=False)
    dataset.truth.astype(str).to_parquet(target / "truth.parquet", index=False)
    (target / "meta.json").write_text(json.dumps(
        {"key": dataset.key, "sources": list(dataset.frames)}))
    return target


def run(python: Path, tool: Tool, name: str, data: Path | None,
        timeout: float) -> dict[str, Any]:
    """One tool on one set in a fresh process; its JSON row, or why there is none."""
    command = [str(python), str(RUNNERS / f"run_{tool.name}.py"), name]
    if data is not None:
        command += ["--data", str(data)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              env=env, check=False)
    except subprocess.TimeoutExpired:
        limit = f"{timeout / 60:.0f} min" if timeout >= 60 else f"{timeout:.0f} s"
        return {"tool": tool.name, "dataset": name, "error": f"timed out (> {limit})"}
    process_seconds = time.perf_counter() - start
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        # only the exception's type: its message may quote a record
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1].split(":")[0]
        print(f"! {tool.name} on {name} failed (exit {done.returncode}): {tail[:100]}",
              file=sys.stderr, flush=True)
        return {"tool": tool.name, "dataset": name, "error": f"failed (exit {done.returncode})"}
    try:
        row: dict[str, Any] = json.loads(lines[-1])
    except json.JSONDecodeError:
        return {"tool": tool.name, "dataset": name, "error": "no result line"}
    row["process_seconds"] = process_seconds
    return row


def cell(row: dict[str, Any], key: str, spec: str) -> str:
    """A table cell: the formatted number, or the run's error."""
    if "error" in row:
        return str(row["error"]) if key == "f1" else "–"
    return format(row[key], spec)


def print_table(rows: list[dict[str, Any]], sets: list[str], tools: list[str]) -> None:
    """One Markdown table per run: sets down, tools side by side, then the ratios."""
    by_key = {(row["dataset"], row["tool"]): row for row in rows}
    print("| data set | tool | records | candidate pairs | blocking recall | precision "
          "| recall | F1 | seconds | peak MiB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in sets:
        for tool in tools:
            row = by_key[name, tool]
            print(f"| {name} | {TOOLS[tool].label} | {cell(row, 'records', ',')} "
                  f"| {cell(row, 'candidate_pairs', ',')} "
                  f"| {cell(row, 'blocking_recall', '.4f')} | {cell(row, 'precision', '.4f')} "
                  f"| {cell(row, 'recall', '.4f')} | {cell(row, 'f1', '.4f')} "
                  f"| {cell(row, 'seconds', '.1f')} | {cell(row, 'peak_mib', ',.0f')} |")
    peers = [tool for tool in tools if tool != "goldenrec"]
    if "goldenrec" not in tools or not peers:
        return
    print("\ngoldenrec relative to each peer (F1 ratio > 1: goldenrec more accurate; "
          "time ratio < 1: goldenrec faster)\n")
    print("| data set | " + " | ".join(f"F1 vs {TOOLS[p].label} | time vs {TOOLS[p].label}"
                                        for p in peers) + " |")
    print("|---|" + "---:|---:|" * len(peers))
    for name in sets:
        ours = by_key[name, "goldenrec"]
        cells = []
        for peer in peers:
            theirs = by_key[name, peer]
            if "error" in ours or "error" in theirs:
                cells += ["–", "–"]
                continue
            f1 = ours["f1"] / theirs["f1"] if theirs["f1"] else float("inf")
            cells += [f"{f1:.3f}", f"{ours['seconds'] / theirs['seconds']:.2f}"]
        print(f"| {name} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(DATASETS),
                        help=f"comma-separated, from {','.join(DATASETS)}")
    parser.add_argument("--tools", default=",".join(TOOLS),
                        help=f"comma-separated, from {','.join(TOOLS)}")
    parser.add_argument("--timeout", type=float, default=TIMEOUT,
                        help="seconds per tool and set (default 1200)")
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    args = parser.parse_args()
    sets = [s for s in args.sets.split(",") if s]
    tools = [t for t in args.tools.split(",") if t]
    unknown = [s for s in sets if s not in DATASETS] + [t for t in tools if t not in TOOLS]
    if unknown:
        raise SystemExit(f"unknown set or tool: {', '.join(unknown)}")

    started = time.perf_counter()
    pythons = {tool: environment(TOOLS[tool]) for tool in tools}
    for tool, python in pythons.items():
        about = versions(python, TOOLS[tool]) if python else "environment setup failed"
        print(f"# {TOOLS[tool].label}: {about}", flush=True)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="goldenrec-peers-") as scratch:
        for name in sets:
            data = (export(name, Path(scratch))
                    if any(TOOLS[t].exported_data for t in tools) else None)
            for tool in tools:
                spec, python = TOOLS[tool], pythons[tool]
                if python is None:
                    rows.append({"tool": tool, "dataset": name, "error": "no environment"})
                    continue
                row = run(python, spec, name, data if spec.exported_data else None,
                          args.timeout)
                status = row.get("error") or (f"F1 {row['f1']:.4f}, {row['seconds']:.1f} s, "
                                              f"{row['peak_mib']:.0f} MiB")
                print(f"# {name} / {tool}: {status}", file=sys.stderr, flush=True)
                rows.append(row)
    print()
    print_table(rows, sets, tools)
    print(f"\n(total {time.perf_counter() - started:.0f} s, including any venv setup)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
