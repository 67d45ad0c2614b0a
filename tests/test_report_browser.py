"""The report in a real browser: headless Chromium renders it offline, without errors.

Skips when no Chromium is installed (CI installs Debian's ``chromium`` package). No
Python browser driver is needed: ``--dump-dom`` gives the DOM after the inline script
ran, ``--enable-logging=stderr`` the console, ``--screenshot`` a PNG.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from goldenrec._demo_loader import load_demo
from goldenrec._pipeline import Pipeline
from goldenrec._report import SECTIONS, write_report

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER = next((found for name in BROWSERS if (found := shutil.which(name))), None)
if BROWSER is None and os.path.exists("/usr/bin/chromium"):
    BROWSER = "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(BROWSER is None, reason="chromium is not installed")


def chromium(profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium offline (every host name fails to resolve)."""
    assert BROWSER is not None
    command = [
        BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-extensions", "--hide-scrollbars",
        "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
        "--enable-logging=stderr", "--v=0", *arguments,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120,
                          check=False, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    demo = load_demo()
    result = Pipeline(sources=demo.sources).resolve(demo.frames)
    truth = demo.truth.rename(columns={"person_id": "entity"})
    folder = tmp_path_factory.mktemp("report")
    return write_report(result, folder / "report.html", truth=truth, mask_pii=True)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if ":CONSOLE" in line and re.search(r"error|uncaught|refused|failed", line,
                                                 re.IGNORECASE)]


def test_report_renders_without_javascript_errors(report: Path, tmp_path: Path) -> None:
    completed = chromium(tmp_path / "profile", "--dump-dom", report.as_uri())
    assert completed.returncode == 0, completed.stderr[-2000:]
    dom = completed.stdout
    body = re.search(r"<body[^>]*>", dom)
    assert body is not None, dom[:500]
    # the inline script ran to the end: it found every section and every chart drew
    assert f'data-js-ok="{len(SECTIONS)}"' in body.group(0)
    charts = re.search(r'data-charts-ok="(\d+)/(\d+)"', body.group(0))
    assert charts is not None and charts.group(1) == charts.group(2) == "4"
    for ident, heading in SECTIONS:
        assert f'id="{ident}"' in dom
        assert f'<a href="#{ident}">{heading}</a>' in dom  # the table of contents
    assert dom.count("<img") == 4
    assert not console_errors(completed.stderr), console_errors(completed.stderr)


def test_report_screenshot(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    completed = chromium(tmp_path / "profile", f"--screenshot={shot}",
                         "--window-size=1280,4000", report.as_uri())
    assert completed.returncode == 0, completed.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 4000)
    assert len(data) > 50_000  # text, tables and charts, not a blank page
    assert not console_errors(completed.stderr), console_errors(completed.stderr)
