"""``goldenrec resolve --store``, ``goldenrec update`` and ``goldenrec forget``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from goldenrec._cli import main
from goldenrec._demo_loader import load_demo
from goldenrec._store import GoldenStore

CANARY = "zqcanaryzq@example.org"


def write_demo(directory: Path, rows: slice) -> list[Path]:
    directory.mkdir()
    paths = []
    for name, frame in load_demo().frames.items():
        path = directory / f"{name}.csv"
        frame.iloc[rows].to_csv(path, index=False)
        paths.append(path)
    return paths


def test_resolve_update_forget(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = write_demo(tmp_path / "first", slice(0, 120))
    store = tmp_path / "golden.db"
    ids = "crm=id,webshop=customer_no,support=contact_id"
    status = main(["resolve", *map(str, first), "--id", ids, "--date-order",
                   "crm=YMD,webshop=DMY,support=MDY", "--out", str(tmp_path / "out"),
                   "--store", str(store), "--quiet"])
    assert status == 0, capsys.readouterr().err
    with GoldenStore.open(store) as opened:
        n_first = len(opened.xref())
        assert n_first == sum(len(pd.read_csv(p)) for p in first)

    later = tmp_path / "later"
    later.mkdir()
    crm = load_demo().frames["crm"].iloc[120:]
    crm = pd.concat([crm, crm.iloc[[0]].assign(id="CANARY1", email=CANARY)])
    crm.to_csv(later / "crm.csv", index=False)
    status = main(["update", "--store", str(store), str(later / "crm.csv"),
                   "--delete", "support", str(load_demo().frames["support"].iloc[0, 0])])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "golden records:" in captured.out and CANARY not in captured.out
    with GoldenStore.open(store) as opened:
        assert len(opened.xref()) == n_first + len(crm) - 1

    status = main(["forget", "--store", str(store), "--source", "crm", "CANARY1"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "forgotten:" in captured.out
    assert b"zqcanaryzq" not in store.read_bytes()

    status = main(["forget", "--store", str(store), "--source", "crm", "CANARY1"])
    assert status == 2
    assert "record_key='CANARY1'" in capsys.readouterr().err
    status = main(["update", "--store", str(tmp_path / "missing.db"), str(first[0])])
    assert status == 2
    assert "no golden store" in capsys.readouterr().err
    status = main(["resolve", str(first[0]), "--id", "id", "--out", str(tmp_path / "o2"),
                   "--store", str(store), "--quiet"])
    assert status == 2
    assert "already exists" in capsys.readouterr().err
