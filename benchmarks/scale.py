#!/usr/bin/env python3
"""goldenrec at scale on synthetic multi-source customers (and Splink, optionally).

    .venv/bin/python benchmarks/scale.py                           # 100k, 300k, 1M
    .venv/bin/python benchmarks/scale.py --sizes 100000,300000 --splink

For each size: a first process generates the data with
``goldenrec._synthetic.generate_customers`` and writes one Parquet file per source (not
timed); a fresh second process then runs goldenrec end to end and is timed: read the
Parquet files, map, normalise, block, compare, score, cluster, survive, and write the
outputs (golden, xref, lineage, scored pairs, quality flags, conflicts) as Parquet
with ``Result.write(..., format="parquet")``. Peak RSS is
that second process's, so it does not include the generator. Prints seconds per stage,
total wall time, peak RSS and pairwise precision / recall / F1 of the clusters against
the truth. With ``--splink`` the same Parquet files go to Splink 5 (DuckDB) in the
``.venv-bench-splink`` environment of ``benchmarks/peers.py``
(``benchmarks/peers/run_scale_splink.py``), and the time ratio is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pandas as pd  # noqa: E402
from peers import TOOLS, environment  # noqa: E402  (the peers harness: benchmarks/peers.py)

import goldenrec as gr  # noqa: E402
from goldenrec._synthetic import SyntheticData, generate_customers  # noqa: E402

TIMEOUT = 15 * 60


def generate(size: int, seed: int, target: Path) -> dict[str, Any]:
    """Generate ``size`` records and write them (and the truth) as Parquet to ``target``."""
    start = time.perf_counter()
    data = generate_customers(size, seed=seed)
    seconds = time.perf_counter() - start
    _export(data, target)
    return {"generate_seconds": seconds}


def measure(size: int, seed: int, data_dir: Path) -> dict[str, Any]:
    """One timed goldenrec run on the Parquet files in ``data_dir`` (this process only)."""
    meta = json.loads((data_dir / "meta.json").read_text())
    sources = generate_customers(0, seed=seed).sources  # the layouts: names, keys, orders
    marks: list[tuple[str, float]] = []

    def progress(stage: str, _i: int, _n: int) -> None:
        marks.append((stage, time.perf_counter()))

    start = time.perf_counter()
    marks.append(("read", start))
    frames = {item["name"]: pd.read_parquet(data_dir / f"{item['name']}.parquet")
              for item in meta["sources"]}
    result = gr.Pipeline(list(sources)).resolve(frames, progress=progress)
    marks.append(("write", time.perf_counter()))
    with tempfile.TemporaryDirectory() as out:
        result.write(out, format="parquet")  # all six tables, written concurrently
    end = time.perf_counter()
    seconds = end - start
    stages = {stage: (marks[i + 1][1] if i + 1 < len(marks) else end) - at
              for i, (stage, at) in enumerate(marks)}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    truth = pd.read_parquet(data_dir / "truth.parquet")
    scores = gr.evaluate(result, truth)
    return {
        "tool": "goldenrec", "records": size, "stages": stages, "seconds": seconds,
        "peak_mib": peak,
        "candidate_pairs": len(result.pairs), "blocking_recall": scores.blocking_recall,
        "precision": scores.pairwise.precision, "recall": scores.pairwise.recall,
        "f1": scores.pairwise.f1, "golden": len(result.golden),
        "entities": int(truth["entity"].nunique()),
    }


def _export(data: SyntheticData, target: Path) -> None:
    """The frames and the truth as Parquet (read by goldenrec's timed run and by Splink)."""
    target.mkdir(parents=True, exist_ok=True)
    meta = []
    for spec in data.sources:
        data.frames[spec.name].to_parquet(target / f"{spec.name}.parquet", index=False)
        meta.append({"name": spec.name, "key": spec.key, "date_order": spec.date_order})
    data.truth.to_parquet(target / "truth.parquet", index=False)
    (target / "meta.json").write_text(json.dumps({"sources": meta}))


def splink_python() -> Path | None:
    """The Splink venv's interpreter, created by the peers harness's helper if needed."""
    return environment(TOOLS["splink"])


def child(command: list[str], timeout: float) -> dict[str, Any]:
    """Run one measurement in a fresh process; its last stdout line as JSON."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              env=env, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out (> {timeout / 60:.0f} min)"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"failed (exit {done.returncode}): {tail[:200]}"}
    row: dict[str, Any] = json.loads(lines[-1])
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--splink", action="store_true", help="also run Splink 5")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per run")
    parser.add_argument("--json", type=Path, help="also write the raw rows here")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate is not None:
        print(json.dumps(generate(args.generate, args.seed, args.data)), flush=True)
        return
    if args.one is not None:
        print(json.dumps(measure(args.one, args.seed, args.data)), flush=True)
        return
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    python = splink_python() if args.splink else None
    if args.splink and python is None:
        print("! Splink environment could not be set up; running goldenrec only",
              file=sys.stderr)
    rows: list[dict[str, Any]] = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            export = Path(tmp) / "data"
            seed = ["--seed", str(args.seed), "--data", str(export)]
            made = child([sys.executable, __file__, "--generate", str(size), *seed],
                         args.timeout)
            if "error" in made:
                rows.append({"records": size, **made})
                print(_line(rows[-1]), flush=True)
                continue
            row = {"records": size,
                   **child([sys.executable, __file__, "--one", str(size), *seed],
                           args.timeout)}
            rows.append(row)
            print(_line(row), flush=True)
            if python is not None and "error" not in row:
                runner = HERE / "peers" / "run_scale_splink.py"
                peer = {"tool": "splink", "records": size,
                        **child([str(python), str(runner), str(export)], args.timeout)}
                rows.append(peer)
                print(_line(peer), flush=True)
                if "error" not in peer:
                    print(f"  time goldenrec / Splink: {row['seconds'] / peer['seconds']:.2f}"
                          f"   F1 goldenrec / Splink: {row['f1'] / peer['f1']:.3f}",
                          flush=True)
    print()
    print(_table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


def _line(row: dict[str, Any]) -> str:
    tool = row.get("tool", "goldenrec")
    if "error" in row:
        return f"{tool:<10}{row['records']:>10,}  {row['error']}"
    stages = " ".join(f"{k}={v:.1f}" for k, v in row.get("stages", {}).items())
    return (f"{tool:<10}{row['records']:>10,} P={row['precision']:.4f} R={row['recall']:.4f} "
            f"F1={row['f1']:.4f} {row['seconds']:.1f}s {row['peak_mib']:,.0f} MiB  {stages}")


def _table(rows: list[dict[str, Any]]) -> str:
    stages = ["read", "map", "normalise", "block", "compare", "score", "cluster", "survive",
              "write"]
    lines = ["| tool | records | " + " | ".join(stages) + " | total s | peak MiB | pairs "
             "| precision | recall | F1 |",
             "|---|---:|" + "---:|" * len(stages) + "---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        tool = row.get("tool", "goldenrec")
        if "error" in row:
            lines.append(f"| {tool} | {row['records']:,} | {row['error']} |")
            continue
        per = row.get("stages", {})
        cells = " | ".join(f"{per[s]:.1f}" if s in per else "–" for s in stages)
        lines.append(f"| {tool} | {row['records']:,} | {cells} | {row['seconds']:.1f} "
                     f"| {row['peak_mib']:,.0f} | {row['candidate_pairs']:,} "
                     f"| {row['precision']:.4f} | {row['recall']:.4f} | {row['f1']:.4f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
