"""Tests for the shipped multi-source demo sample and its generator script."""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections import Counter, defaultdict
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_demo_data.py"
DEMO_DIR = ROOT / "src" / "goldenrec" / "_demo"
FILES = ("crm.csv", "webshop.csv", "support.csv", "truth.csv")
KEY_COLUMNS = {"crm": "id", "webshop": "customer_no", "support": "contact_id"}
HEADERS = {
    "crm": [
        "id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "date_of_birth",
        "street",
        "city",
        "postcode",
        "country",
        "updated_at",
    ],
    "webshop": [
        "customer_no",
        "given_name",
        "surname",
        "e_mail",
        "mobile",
        "dob",
        "address",
        "zip",
        "town",
        "country",
        "updated_at",
    ],
    "support": ["contact_id", "name", "email", "phone", "birthday", "country", "updated_at"],
    "truth": ["source", "record_key", "person_id"],
}


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_demo_data", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    return module


def _read(name: str) -> list[dict[str, str]]:
    with (DEMO_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def truth() -> list[dict[str, str]]:
    return _read("truth")


@pytest.fixture(scope="module")
def sources() -> dict[str, list[dict[str, str]]]:
    return {name: _read(name) for name in KEY_COLUMNS}


def test_generator_reproduces_shipped_files(tmp_path: Path) -> None:
    module = _load_script()
    module.write_demo_data(tmp_path)
    for name in FILES:
        generated = (tmp_path / name).read_bytes()
        shipped = (DEMO_DIR / name).read_bytes()
        assert generated == shipped, f"{name} drifted; rerun scripts/make_demo_data.py"


def test_generator_is_deterministic(tmp_path: Path) -> None:
    module = _load_script()
    module.write_demo_data(tmp_path / "a")
    module.write_demo_data(tmp_path / "b")
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_package_data_marker_exists() -> None:
    assert (DEMO_DIR / "__init__.py").is_file()


@pytest.mark.parametrize("name", list(HEADERS))
def test_headers_and_line_endings(name: str) -> None:
    raw = (DEMO_DIR / f"{name}.csv").read_bytes()
    assert b"\r" not in raw
    raw.decode("utf-8")
    with (DEMO_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == HEADERS[name]


def test_truth_covers_every_record_exactly_once(
    truth: list[dict[str, str]], sources: dict[str, list[dict[str, str]]]
) -> None:
    truth_keys = Counter((row["source"], row["record_key"]) for row in truth)
    assert all(count == 1 for count in truth_keys.values())
    record_keys: Counter[tuple[str, str]] = Counter()
    for source, rows in sources.items():
        record_keys.update((source, row[KEY_COLUMNS[source]]) for row in rows)
    assert all(count == 1 for count in record_keys.values()), "duplicate record ids"
    assert set(truth_keys) == set(record_keys)
    assert {row["source"] for row in truth} == set(KEY_COLUMNS)
    assert all(row["person_id"] for row in truth)


def test_duplicates_and_singletons(truth: list[dict[str, str]]) -> None:
    by_person: dict[str, list[str]] = defaultdict(list)
    for row in truth:
        by_person[row["person_id"]].append(row["source"])
    n_sources = Counter(len(set(srcs)) for srcs in by_person.values())
    assert n_sources[1] > 0, "expected some singletons"
    assert n_sources[2] + n_sources[3] > 0, "expected cross-source duplicates"
    assert n_sources[3] > 0
    assert any(len(srcs) > len(set(srcs)) for srcs in by_person.values()), (
        "expected a within-source duplicate"
    )
    singletons = [srcs for srcs in by_person.values() if len(srcs) == 1]
    assert singletons


def _names(sources: dict[str, list[dict[str, str]]]) -> list[str]:
    names = [f"{r['first_name']} {r['last_name']}" for r in sources["crm"]]
    names += [f"{r['given_name']} {r['surname']}" for r in sources["webshop"]]
    names += [r["name"] for r in sources["support"]]
    return names


def _has_char(text: str, lo: int, hi: int) -> bool:
    return any(lo <= ord(ch) <= hi for ch in text)


def test_scripts_and_diacritics_present(sources: dict[str, list[dict[str, str]]]) -> None:
    names = _names(sources)
    assert any(_has_char(n, 0x0590, 0x05FF) for n in names), "Hebrew"
    assert any(_has_char(n, 0x4E00, 0x9FFF) for n in names), "CJK ideographs"
    assert any(_has_char(n, 0x3040, 0x309F) for n in names), "Japanese kana"

    def given_or_full(row: dict[str, str]) -> str:
        return row.get("name") or row.get("first_name") or row.get("given_name") or ""

    def native_names(country: str) -> list[str]:
        return [
            given_or_full(row) + row.get("last_name", "") + row.get("surname", "")
            for rows in sources.values()
            for row in rows
            if row["country"] == country
        ]

    jp_cjk = [n for n in native_names("JP") if _has_char(n, 0x4E00, 0x9FFF)]
    cn_cjk = [n for n in native_names("CN") if _has_char(n, 0x4E00, 0x9FFF)]
    assert jp_cjk, "Japanese names in kanji"
    assert cn_cjk, "Chinese names in hanzi"
    joined = " ".join(names)
    assert any(ch in joined for ch in "äöüß"), "German diacritics"
    assert any(ch in joined for ch in "āēīūčģķļņšž"), "Latvian diacritics"
    assert "Müller" in joined and "Bērziņš" in joined
