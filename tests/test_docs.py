"""Every ```python block in README.md and docs/*.md runs as written."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def python_blocks(path: Path) -> str:
    return "\n".join(BLOCK.findall(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_examples_run(document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = python_blocks(document)
    if not code:
        pytest.skip("no python examples")
    if "recordlinkage" in code and importlib.util.find_spec("recordlinkage") is None:
        pytest.skip("needs the optional recordlinkage extra")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    exec(compile(code, str(document), "exec"), namespace)


def test_readme_quick_start_commands_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 scripts/dev.py demo" in readme
    assert "python3 scripts/dev.py test" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 scripts/dev.py test" in ci
    assert os.access(ROOT / "scripts" / "dev.py", os.R_OK)
