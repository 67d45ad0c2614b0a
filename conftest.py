"""Root pytest configuration: doctests of modules whose optional extras are missing."""

from __future__ import annotations

import importlib.util

collect_ignore_glob: list[str] = []
if importlib.util.find_spec("recordlinkage") is None:
    collect_ignore_glob.append("src/goldenrec/adapters/recordlinkage.py")
if importlib.util.find_spec("pyspark") is None:
    collect_ignore_glob.append("src/goldenrec/spark/*")
