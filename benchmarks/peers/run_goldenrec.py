#!/usr/bin/env python3
"""Zero-configuration goldenrec on one benchmark set, scored like the peers.

    .venv/bin/python benchmarks/peers/run_goldenrec.py febrl3

Same call as ``benchmarks/quality.py``: ``Pipeline(key=...).resolve(frames)``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from _common import pairwise, report
from _datasets import DATASETS

import goldenrec as gr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=list(DATASETS))
    args = parser.parse_args()
    dataset = DATASETS[args.dataset]()

    start = time.perf_counter()
    result = gr.Pipeline(key=dataset.key).resolve(dataset.frames)
    seconds = time.perf_counter() - start

    aligned = dataset.truth.merge(result.xref, on=["source", "record_key"], how="left",
                                  validate="1:1")
    if aligned["golden_id"].isna().any():
        raise SystemExit("records lost between input and xref")
    predicted = aligned["golden_id"].tolist()
    entities = aligned["entity"].tolist()
    # cross-check the shared scorer against goldenrec's own
    ours = gr.pairwise_scores(predicted, entities)
    shared = pairwise(predicted, entities)
    if abs(ours.f1 - shared["f1"]) > 1e-9:
        raise SystemExit(f"scorers disagree: goldenrec {ours.f1}, shared {shared['f1']}")
    entity = result.records[["source", "record_key"]].merge(
        dataset.truth, on=["source", "record_key"], how="left")["entity"].to_numpy()
    # distinct unordered candidate pairs (a pair found by two rules counts once)
    pairs = np.unique(np.sort(result.pairs[["row_l", "row_r"]].to_numpy(), axis=1), axis=0)
    true_candidates = int((entity[pairs[:, 0]] == entity[pairs[:, 1]]).sum())
    report(tool="goldenrec", version=gr.__version__, dataset=args.dataset,
           predicted=predicted, truth=entities, candidate_pairs=len(pairs),
           true_candidate_pairs=true_candidates, seconds=seconds,
           threshold=float(result.threshold))


if __name__ == "__main__":
    main()
