#!/usr/bin/env python3
"""Match quality of zero-configuration goldenrec on the shared benchmark sets.

Prints one row per data set: records, candidate pairs, blocking recall, pairwise
precision / recall / F1 of the final clusters, wall time and peak memory (each data set
runs in its own process, so the memory figure is that run's alone).

    .venv/bin/python benchmarks/quality.py                 # FEBRL 3 and 4
    .venv/bin/python benchmarks/quality.py --all           # + fake_1000, historical_50k
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from _datasets import DATASETS

import goldenrec as gr


def measure(name: str) -> dict[str, object]:
    dataset = DATASETS[name]()
    start = time.perf_counter()
    result = gr.Pipeline(key=dataset.key).resolve(dataset.frames)
    seconds = time.perf_counter() - start
    aligned = result.xref.merge(dataset.truth, on=["source", "record_key"], validate="1:1")
    if len(aligned) != len(dataset.truth):
        raise SystemExit(f"{name}: records lost between input and xref")
    scores = gr.pairwise_scores(aligned["golden_id"], aligned["entity"])
    # blocking recall: true pairs that are candidate pairs, over all true pairs
    entity = result.records[["source", "record_key"]].merge(
        dataset.truth, on=["source", "record_key"], how="left")["entity"].to_numpy()
    pairs = result.pairs
    found = int((entity[pairs["row_l"].to_numpy()] == entity[pairs["row_r"].to_numpy()]).sum())
    _, counts = np.unique(entity, return_counts=True)
    true_pairs = int((counts * (counts - 1) // 2).sum())
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "dataset": name, "records": len(result.xref), "pairs": len(pairs),
        "blocking_recall": found / true_pairs if true_pairs else 1.0,
        "precision": scores.precision, "recall": scores.recall, "f1": scores.f1,
        "threshold": result.threshold, "seconds": seconds, "peak_mib": peak_kib / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="also the harder sets")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    names = ["febrl3", "febrl4"] + (["fake_1000", "historical_50k"] if args.all else [])
    header = (f"{'dataset':<15}{'records':>8}{'pairs':>9}{'blk_rec':>9}{'prec':>8}"
              f"{'recall':>8}{'F1':>8}{'thresh':>8}{'secs':>7}{'peak MiB':>10}")
    print(header)
    print("-" * len(header))
    for name in names:
        output = subprocess.run([sys.executable, __file__, "--one", name], check=True,
                                capture_output=True, text=True).stdout
        row = json.loads(output.strip().splitlines()[-1])
        print(f"{row['dataset']:<15}{row['records']:>8,}{row['pairs']:>9,}"
              f"{row['blocking_recall']:>9.4f}{row['precision']:>8.4f}{row['recall']:>8.4f}"
              f"{row['f1']:>8.4f}{row['threshold']:>8.3f}{row['seconds']:>7.1f}"
              f"{row['peak_mib']:>10.0f}")


if __name__ == "__main__":
    main()
