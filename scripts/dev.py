#!/usr/bin/env python3
"""Developer tasks that need nothing but Python 3.10+: ``demo``, ``test``, ``test-pandas2``.

    python3 scripts/dev.py demo          # create .venv, install goldenrec, run the demo
    python3 scripts/dev.py test          # lint (ruff), types (mypy --strict), whole test suite
    python3 scripts/dev.py test-pandas2  # the suite again on pandas 2 with recordlinkage

Each task creates its virtual environment on first use and reinstalls only when
``pyproject.toml`` changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*command: str | Path, cwd: Path = ROOT) -> None:
    printable = " ".join(str(c) for c in command)
    print(f"+ {printable}", flush=True)
    completed = subprocess.run([str(c) for c in command], cwd=cwd, check=False)
    if completed.returncode != 0:
        sys.exit(completed.returncode)


def environment(name: str, requirements: list[str]) -> Path:
    """A virtual environment under ROOT/name with the project and ``requirements``."""
    home = ROOT / name
    python = home / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        print(f"+ creating {name}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(home)
    fingerprint = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + "\n".join(requirements).encode()
    ).hexdigest()
    stamp = home / f".goldenrec-installed-{fingerprint[:12]}"
    if not stamp.exists():
        run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(python, "-m", "pip", "install", "--quiet", *requirements)
        stamp.write_text(fingerprint)
    return python


def demo(args: list[str]) -> None:
    python = environment(".venv", ["-e", ".[parquet]"])
    run(python, "-m", "goldenrec", "demo", *args)


def test(args: list[str]) -> None:
    python = environment(".venv", ["-e", ".[dev]"])
    run(python, "-m", "ruff", "check", "src", "tests", "benchmarks", "scripts")
    run(python, "-m", "mypy")
    run(python, "-m", "pytest", *args)


def test_pandas2(args: list[str]) -> None:
    python = environment(".venv-pandas2", [
        "-e", ".[dev,recordlinkage]", "pandas>=2.2,<3", "pandas-stubs<3",
    ])
    run(python, "-c", "import pandas, recordlinkage; "
        "assert pandas.__version__.startswith('2.'), pandas.__version__; "
        "print('pandas', pandas.__version__, 'recordlinkage', recordlinkage.__version__)")
    run(python, "-m", "pytest", *args)


TASKS = {"demo": demo, "test": test, "test-pandas2": test_pandas2}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        print(__doc__)
        sys.exit(2)
    TASKS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
