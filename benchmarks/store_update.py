#!/usr/bin/env python3
"""Time one incremental update of a large golden store.

    .venv/bin/python benchmarks/store_update.py                        # 1,000,000 records
    .venv/bin/python benchmarks/store_update.py --size 100000,300000 --batch 1000

For each store size N: ``goldenrec.generate_customers(N + batch, seed)`` makes one
population; ``batch`` records drawn at random from it (seeded) are held back and the
other N records build the store. Held-back records of a customer with other records
are duplicates of stored customers; those of a customer with no other record are new
customers. The store is built once and cached in ``--cache`` (default
``~/.cache/goldenrec-bench/``, outside the repository): the pipeline is fitted on the
N records (the full pipeline, timed) and the store is bulk-loaded (timed). Each run
then copies the cached store and times ``store.update(batch)`` in a fresh process,
printing store size, batch size, update seconds, peak RSS, clusters touched, events
and the records the update re-clustered.
"""

from __future__ import annotations

import argparse
import copy
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import goldenrec as gr
from goldenrec._store import GoldenStore
from goldenrec._synthetic import generate_customers

CACHE = Path.home() / ".cache" / "goldenrec-bench"


def split(size: int, batch: int, seed: int) -> tuple[dict[str, pd.DataFrame],
                                                     dict[str, pd.DataFrame], list[Any]]:
    """The store's records, the held-back batch (both per source) and the sources."""
    data = generate_customers(size + batch, seed=seed)
    held = np.random.default_rng(seed).choice(size + batch, size=batch, replace=False)
    chosen = set(zip(data.truth["source"].to_numpy()[held],
                     data.truth["record_key"].to_numpy()[held]))
    stored, later = {}, {}
    for spec in data.sources:
        frame = data.frames[spec.name]
        keys = frame[spec.key].astype(str)
        mask = np.array([(spec.name, k) in chosen for k in keys], dtype=bool)
        stored[spec.name] = frame[~mask].reset_index(drop=True)
        later[spec.name] = frame[mask].reset_index(drop=True)
    return stored, later, list(data.sources)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(size: int, batch: int, seed: int, path: Path) -> dict[str, Any]:
    """Fit the pipeline on the store's records and bulk-load them (this process)."""
    stored, _, sources = split(size, batch, seed)
    start = time.perf_counter()
    pipeline = gr.Pipeline(sources).fit(stored)
    fitted = time.perf_counter()
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    GoldenStore.create(partial, copy.deepcopy(pipeline), stored).close()
    loaded = time.perf_counter()
    partial.rename(path)
    return {"fit_seconds": round(fitted - start, 1), "load_seconds": round(loaded - fitted, 1),
            "build_seconds": round(loaded - start, 1), "build_peak_rss_mib":
            round(peak_rss_mib()), "file_mib": round(path.stat().st_size / 2**20)}


def update(size: int, batch: int, seed: int, cached: Path) -> dict[str, Any]:
    """Copy the cached store and time one update with the held-back batch."""
    _, later, _ = split(size, batch, seed)
    with tempfile.TemporaryDirectory(dir=cached.parent) as folder:
        path = Path(folder) / "golden.db"
        shutil.copyfile(cached, path)
        with GoldenStore.open(path) as store:
            start, cpu = time.perf_counter(), time.process_time()
            changes = store.update(later)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            touched = {e.golden_id for e in changes.events if e.golden_id}
            return {"update_seconds": round(seconds, 2), "update_cpu_seconds": round(cpu, 2),
                    "update_peak_rss_mib":
                    round(peak_rss_mib()), "clusters_touched": len(touched),
                    "events": len(changes.events), "created": len(changes.created),
                    "updated": len(changes.updated), "merged": len(changes.merged),
                    **{k: int(v) for k, v in store.last_stats.items()}}


def run_child(mode: str, size: int, batch: int, seed: int, path: Path) -> dict[str, Any]:
    """Run ``mode`` in a fresh process (so each peak RSS is its own)."""
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--size", str(size), "--batch",
         str(batch), "--seed", str(seed), "--cache", str(path.parent)],
        check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1000000",
                        help="store size(s), comma-separated (default 1,000,000)")
    parser.add_argument("--batch", type=int, default=1000, help="batch size (default 1,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"default {CACHE}")
    parser.add_argument("--child", choices=("build", "update"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in str(args.size).split(",")]
    args.cache.mkdir(parents=True, exist_ok=True)
    if args.child:
        path = args.cache / f"store-{sizes[0]}-{args.batch}-{args.seed}.db"
        fn = build if args.child == "build" else update
        print(json.dumps(fn(sizes[0], args.batch, args.seed, path)))
        return 0
    rows = []
    for size in sizes:
        path = args.cache / f"store-{size}-{args.batch}-{args.seed}.db"
        info = path.with_suffix(".json")
        if not path.exists() or not info.exists():
            print(f"building the store of {size:,} records (cached in {path}) ...",
                  flush=True)
            info.write_text(json.dumps(run_child("build", size, args.batch, args.seed, path)))
        built = json.loads(info.read_text())
        measured = run_child("update", size, args.batch, args.seed, path)
        rows.append({"store": size, "batch": args.batch, **measured, **built})
        print(json.dumps(rows[-1]), flush=True)
    table = pd.DataFrame(rows)
    columns = ["store", "batch", "update_seconds", "update_cpu_seconds",
               "update_peak_rss_mib", "clusters_touched", "events", "records_reclustered",
               "candidate_pairs", "fit_seconds", "load_seconds", "build_peak_rss_mib",
               "file_mib"]
    print(table[[c for c in columns if c in table.columns]].to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
