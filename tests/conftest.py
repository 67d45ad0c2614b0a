"""Shared fixtures: small multi-source frames and the shared benchmark sets."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def read_febrl(name: str) -> pd.DataFrame:
    path = SHARED_DATA / "splink_datasets" / "febrl" / name
    if not path.exists():
        pytest.skip(f"shared benchmark data not found at {path}")
    return pd.read_csv(path, dtype=str, skipinitialspace=True, keep_default_na=False,
                       na_values=[""])


@pytest.fixture
def fork_spy(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[int]]:
    """Spy on the worker pools a module starts: ``fork_spy(module)`` patches its
    ``fork_map`` and returns the list of each pool's worker count. ``broken=True`` makes
    every pool fail once recorded (callers must fall back); ``allowed=False`` fails the
    test as soon as a pool starts."""

    def spy_on(module: Any, *, broken: bool = False, allowed: bool = True) -> list[int]:
        calls: list[int] = []
        original = module.fork_map

        def spy(task: Any, n_tasks: int, workers: int) -> Any:
            if not allowed:
                raise AssertionError(f"{module.__name__} started worker processes")
            calls.append(workers)
            if broken:
                raise OSError("no processes here")
            return original(task, n_tasks, workers)

        monkeypatch.setattr(module, "fork_map", spy)
        return calls

    return spy_on


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A ``local[2]`` Spark session for the tests (skipped without pyspark or Java)."""
    pytest.importorskip("pyspark", reason="the Spark engine needs the spark extra")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("the Spark engine needs Java")
    from pyspark.sql import SparkSession  # noqa: PLC0415  # optional dependency

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("goldenrec-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.default.parallelism", "2")
               .config("spark.sql.adaptive.enabled", "false")
               .config("spark.driver.memory", "1g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture
def two_sources() -> dict[str, pd.DataFrame]:
    crm = pd.DataFrame({
        "id": ["c1", "c2", "c3", "c4"],
        "first_name": ["Anna", "Jürgen", "Robert", "Li"],
        "last_name": ["Bērziņa", "Müller", "Smith", "Wang"],
        "email": ["anna.b@example.lv", "j.mueller@example.de", "bob@example.com", None],
        "phone": ["+371 2612 3456", "030 1234567", "n/a", "+86 139 1234 5678"],
        "date_of_birth": ["1980-02-03", "1975-12-24", "1990-07-01", "1988-08-08"],
        "country": ["LV", "DE", "GB", "CN"],
    })
    shop = pd.DataFrame({
        "customer_no": ["w1", "w2", "w3"],
        "given_name": ["ANNA", "Jurgen", "Bob"],
        "surname": ["Berzina", "Mueller", "Smith"],
        "e_mail": ["Anna.B@example.lv", "j.mueller@example.de", "bob@example.com"],
        "mobile": ["26123456", "+49 30 1234567", None],
        "dob": ["03.02.1980", "24.12.1975", "01.07.1990"],
        "country": ["LV", "DE", "GB"],
    })
    return {"crm": crm, "shop": shop}
