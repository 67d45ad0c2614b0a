#!/usr/bin/env python3
"""Build the documentation site with MkDocs (warnings are errors).

    python3 scripts/docs.py build   # install the docs tools into .venv, mkdocs build --strict
    python3 scripts/docs.py serve   # the same, served with live reload on localhost:8000

The site goes to ``site/``. The example notebooks are executed by the test suite
(``tests/test_report.py``), not here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ["-e", ".", "mkdocs>=1.6", "mkdocs-material>=9.5", "mkdocstrings[python]>=0.26"]


def run(*command: str | Path) -> None:
    print("+ " + " ".join(str(c) for c in command), flush=True)
    completed = subprocess.run([str(c) for c in command], cwd=ROOT, check=False,
                               env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    if completed.returncode != 0:
        sys.exit(completed.returncode)


def python() -> Path:
    home = ROOT / ".venv"
    executable = home / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not executable.exists():
        venv.EnvBuilder(with_pip=True).create(home)
    probe = subprocess.run([str(executable), "-c", "import mkdocs, material, mkdocstrings"],
                           capture_output=True, check=False)
    if probe.returncode != 0:
        run(executable, "-m", "pip", "install", "--quiet", *REQUIREMENTS)
    return executable


def main() -> None:
    task = sys.argv[1] if len(sys.argv) > 1 else ""
    if task == "build":
        run(python(), "-m", "mkdocs", "build", "--strict", *sys.argv[2:])
    elif task == "serve":
        run(python(), "-m", "mkdocs", "serve", "--strict", *sys.argv[2:])
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
