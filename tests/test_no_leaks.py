"""No personal value in logs, warnings, error messages or tracebacks (issue #9).

Recognisable canary values go into the input data. The whole pipeline, the golden
store, the command line and every error path we can drive are run with logging at
DEBUG and every warning recorded; no canary (nor its case-folded or normalised form:
the E.164 phone, the lower-cased e-mail, the ISO date...) may appear in any log record,
warning, exception message or formatted traceback.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

import goldenrec as gr
from goldenrec._cli import main
from goldenrec._demo_loader import load_demo
from goldenrec._io import read_table
from goldenrec.errors import GoldenrecError

# The canary person: every value is made up and appears nowhere else.
CANARY = {
    "first_name": "Zyxwqa",
    "last_name": "Qorvelux",
    "email": "Zyx.Qorvelux@Canary-Mail.example",
    "phone": "+371 2957 3184",
    "date_of_birth": "1931-07-29",
    "national_id": "ZX-998877-Q",
    "street": "77 Quillfeather Lane",
    "city": "Zanthorpe",
    "company": "Vorpalix Holdings Ltd",
}
#: Forms the values take inside goldenrec (normalised keys, dates read another way...).
DERIVED = ("zyx.qorvelux@canary-mail.example", "+37129573184", "29573184", "2957 3184",
           "29.07.1931", "07/29/1931", "zx998877q", "998877", "quillfeather", "vorpalix",
           "zanthorpe", "qorvelux", "zyxwqa")
NEEDLES = tuple(sorted({v.casefold() for v in (*CANARY.values(), *DERIVED)}))


#: Masking shows towns and companies as they are (they rarely identify anyone alone).
SHOWN_WHEN_MASKED = ("zanthorpe", "vorpalix")


def leaks(text: str, needles: tuple[str, ...] = NEEDLES) -> list[str]:
    folded = text.casefold()
    return [needle for needle in needles if needle in folded]


def masked_leaks(text: str) -> list[str]:
    return [n for n in leaks(text) if not any(n in shown or shown in n
                                              for shown in SHOWN_WHEN_MASKED)]


# -- data ---------------------------------------------------------------------------------------
def canary_frames() -> tuple[dict[str, pd.DataFrame], list[gr.Source]]:
    demo = load_demo()
    frames = {name: frame.copy() for name, frame in demo.frames.items()}
    crm = frames["crm"]
    crm["company"] = None
    crm["national_id"] = None
    row = {"id": "C9999", "first_name": CANARY["first_name"], "last_name": CANARY["last_name"],
           "email": CANARY["email"], "phone": CANARY["phone"],
           "date_of_birth": CANARY["date_of_birth"], "street": CANARY["street"],
           "city": CANARY["city"], "postcode": "LV-1050", "country": "LV",
           "updated_at": "2025-01-02T03:04:05Z", "company": CANARY["company"],
           "national_id": CANARY["national_id"]}
    frames["crm"] = pd.concat([crm, pd.DataFrame([row])], ignore_index=True)
    shop = frames["webshop"]
    twin = {"customer_no": "W-99999", "given_name": CANARY["first_name"].upper(),
            "surname": CANARY["last_name"], "e_mail": CANARY["email"].lower(),
            "mobile": "0037129573184", "dob": "29.07.1931", "address": CANARY["street"],
            "zip": "LV-1050", "town": CANARY["city"], "country": "LV",
            "updated_at": "2026-01-02 03:04:05"}
    frames["webshop"] = pd.concat([shop, pd.DataFrame([twin])], ignore_index=True)
    return frames, list(demo.sources)


# -- capturing ----------------------------------------------------------------------------------
class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))
        self.texts.append(repr(record.args))


class Watch:
    """Everything goldenrec said: log records, warnings and errors."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.errors = 0

    def add(self, text: str) -> None:
        self.texts.append(text)

    def error(self, error: BaseException) -> None:
        self.errors += 1
        self.texts.append(str(error))
        self.texts.append(repr(error))
        self.texts.append("".join(traceback.format_exception(error)))

    def expect_error(self, call: Callable[[], object],
                     kinds: type[BaseException] | tuple[type[BaseException], ...]
                     = GoldenrecError) -> None:
        try:
            call()
        except kinds as error:
            self.error(error)
        else:
            raise AssertionError(f"{call} raised no error")

    def check(self) -> None:
        found = {needle: text for text in self.texts for needle in leaks(text)}
        assert not found, f"personal values leaked: {found}"


@pytest.fixture
def watch(caplog: pytest.LogCaptureFixture) -> Iterator[Watch]:
    seen = Watch()
    handler = Capture()
    package = logging.getLogger("goldenrec")
    old_level = package.level
    package.setLevel(logging.DEBUG)
    package.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield seen
    package.removeHandler(handler)
    package.setLevel(old_level)
    seen.texts += handler.texts
    seen.texts += [caplog.text] + [r.getMessage() for r in caplog.records]
    seen.texts += [f"{w.category.__name__}: {w.message} ({w.filename})" for w in caught]
    assert handler.texts, "nothing was logged: the capture is not working"
    seen.check()


# -- the library --------------------------------------------------------------------------------
def test_pipeline_explanations_report_and_quality(watch: Watch, tmp_path: Path) -> None:
    frames, sources = canary_frames()
    stages: list[str] = []
    pipeline = gr.Pipeline(sources=sources)
    result = pipeline.resolve(frames, progress=lambda name, i, n: stages.append(name))
    xref = result.xref.set_index(["source", "record_key"])["golden_id"]
    golden_id = xref[("crm", "C9999")]
    assert golden_id == xref[("webshop", "W-99999")], "the canary twins should match"
    watch.add(result.summary())
    result.explain_pair(("crm", "C9999"), ("webshop", "W-99999"))
    for field in ("email", "phone", "last_name", "date_of_birth", "company"):
        result.explain_value(golden_id, field)
    result.report(tmp_path / "report.html")
    result.report(tmp_path / "masked.html", mask_pii=True)
    quality = gr.QualityReport.from_records(pipeline.normalise(frames))
    watch.add(str(quality) + repr(quality))
    result.write(tmp_path / "out")
    pipeline.save(tmp_path / "pipeline.json")
    gr.Pipeline.load(tmp_path / "pipeline.json").resolve(frames)
    watch.add(repr(pipeline))
    p = gr.Pseudonymiser(b"a canary secret of 32 bytes....!")
    p.pseudonymise(frames)
    watch.add(repr(p))


def test_masked_outputs_hide_the_canary(tmp_path: Path) -> None:
    frames, sources = canary_frames()
    result = gr.Pipeline(sources=sources).resolve(frames)
    for table in (result.golden, result.lineage, result.conflicts):
        text = gr.mask(table).to_csv()
        assert not masked_leaks(text), masked_leaks(text)


def test_store_operations(watch: Watch, tmp_path: Path) -> None:
    frames, sources = canary_frames()
    path = tmp_path / "store.db"
    with gr.GoldenStore.create(path, gr.Pipeline(sources=sources), frames) as store:
        golden_id = store.xref().set_index(["source", "record_key"]).loc[
            ("crm", "C9999"), "golden_id"]
        changed = frames["crm"].tail(1).assign(phone="+371 2957 3185")
        store.update({"crm": changed})
        store.override(golden_id, "email", CANARY["email"])
        watch.expect_error(lambda: store.override("G-nope", "email", CANARY["email"]))
        watch.expect_error(lambda: store.override(golden_id, "shoe", CANARY["email"]))
        watch.expect_error(lambda: store.forget([("crm", "no-such-key")]))
        watch.expect_error(lambda: store.update({"crm": pd.concat([changed, changed])}))
        watch.expect_error(lambda: store.update({"crm": changed.drop(columns=["id"])}))
        watch.expect_error(lambda: store.update(gr.Batch(deleted=[("crm", "C-gone")])))
        watch.expect_error(lambda: store.must_link(("crm", "C9999"), ("crm", "C9999")))
        watch.expect_error(lambda: store.must_link(("crm", "C9999"), ("crm", "C-gone")))
        store.cannot_link(("crm", "C9999"), ("crm", "C0001"))
        watch.expect_error(lambda: store.must_link(("crm", "C9999"), ("crm", "C0001")))
        watch.expect_error(lambda: store.remove_decision(10_000))
        store.forget([("crm", "C9999")])
        watch.add(repr(store))
    with gr.GoldenStore.open(path) as store:
        store.pipeline  # noqa: B018


# -- error paths --------------------------------------------------------------------------------
def _error_calls(tmp_path: Path) -> list[Callable[[], object]]:
    frames, sources = canary_frames()
    crm = frames["crm"]
    canary_row = crm[crm["id"] == "C9999"]
    pipeline = gr.Pipeline(sources=sources)
    result = pipeline.resolve(frames)
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("id,name\n1,\"" + CANARY["last_name"] + "\n", encoding="utf-8")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(("id,name\n1," + CANARY["last_name"] + "\xe9\n").encode("latin-1"))
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("id,name\n1," + CANARY["email"] + ",x,y\n", encoding="utf-8")
    parquet = tmp_path / "bad.parquet"
    parquet.write_bytes(b"PAR1" + CANARY["email"].encode() + b"PAR1")
    canary_json = tmp_path / "canary.json"
    canary_json.write_text(json.dumps(CANARY), encoding="utf-8")
    saved = json.loads(pipeline.to_json())
    saved["seed"] = CANARY["email"]
    comparison = json.loads(pipeline.to_json())
    comparison["fitted"]["comparisons"][0]["field"] = {"x": CANARY["email"]}
    store = tmp_path / "canary.db"
    store.write_bytes(CANARY["email"].encode() * 100)
    return [
        lambda: gr.Pipeline(sources=sources).resolve(
            {**frames, "crm": pd.concat([crm, canary_row])}),            # duplicate key
        lambda: gr.Pipeline(sources=sources).resolve(
            {**frames, "crm": crm.assign(id=crm["id"].where(crm["id"] != "C9999"))}),
        lambda: gr.Pipeline(sources=[gr.Source("crm", key="nope")]).resolve({"crm": crm}),
        lambda: gr.Pipeline(sources=[gr.Source("crm", key="id", date_order="XYZ")]  # type: ignore[arg-type]
                            ).resolve({"crm": crm}),
        lambda: gr.Pipeline(sources=[gr.Source("crm", key="id", roles={"email": "shoe"})]
                            ).resolve({"crm": crm}),
        lambda: gr.Pipeline(source_column="src").resolve(crm),
        lambda: gr.Pipeline(source_column="first_name").resolve(
            crm.assign(first_name=crm["first_name"].where(crm["id"] != "C9999"))),
        lambda: gr.Pipeline(threshold=2.0).resolve(frames),
        lambda: gr.SchemaMapper().map({"crm": crm.set_axis(["id"] * len(crm.columns),
                                                            axis=1)}),
        lambda: pipeline.fit(frames, labels=pd.DataFrame({
            "source_l": ["crm"], "record_key_l": ["C-missing"], "source_r": ["crm"],
            "record_key_r": ["C9999"], "match": [1]})),
        lambda: result.explain_pair(("crm", "C9999"), ("crm", "missing")),
        lambda: result.explain_value("no-such-golden-id", "email"),
        lambda: result.explain_value(result.golden["golden_id"].iloc[0], "shoe_size"),
        lambda: read_table(bad_csv),
        lambda: read_table(latin),
        lambda: read_table(ragged),
        lambda: read_table(parquet),
        lambda: read_table(tmp_path / "table.xlsx"),
        lambda: gr.Pipeline.from_json(json.dumps(CANARY)),
        lambda: gr.Pipeline.from_json(CANARY["email"]),
        lambda: gr.Pipeline.from_dict(saved),
        lambda: gr.Pipeline.from_dict(comparison),
        lambda: gr.Pipeline.load(canary_json),
        lambda: gr.GoldenStore.open(store),
        lambda: gr.Pipeline(sources=sources, max_pairs=1).resolve(frames),
        lambda: gr.Pipeline(sources=sources, blocking_rules=[gr.block_on("shoe")]
                            ).resolve(frames),
        lambda: gr.Pipeline(sources=sources, comparisons=[gr.ExactComparison("shoe")]
                            ).resolve(frames),
        lambda: gr.Pipeline(sources=sources, fields=[gr.Field("Bad Name")]).resolve(frames),
        lambda: gr.evaluate(result, pd.DataFrame({"source": ["crm"], "record_key": ["C9999"],
                                                  "entity": [CANARY["email"]]})),
        lambda: pipeline.resolve(frames, overrides=pd.DataFrame({
            "golden_id": [result.golden["golden_id"].iloc[0]] * 2,
            "field": ["email", "email"], "value": [CANARY["email"], CANARY["phone"]]})),
        lambda: pipeline.resolve(frames, overrides=pd.DataFrame({"value": [CANARY["email"]]})),
        lambda: gr.mask(CANARY["email"], "secret"),
        lambda: gr.Pseudonymiser(CANARY["email"][:10].encode()),
    ]


def test_every_error_path(watch: Watch, tmp_path: Path) -> None:
    calls = _error_calls(tmp_path)
    for number, call in enumerate(calls):
        try:
            watch.expect_error(call)
        except AssertionError:
            raise AssertionError(f"error path {number} raised no error") from None
    assert watch.errors == len(calls)


# -- the command line -----------------------------------------------------------------------------
def _write_inputs(folder: Path) -> list[str]:
    frames, _ = canary_frames()
    paths = []
    for name, frame in frames.items():
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False)
        paths.append(str(path))
    return paths


def _cli(*args: str, ok: bool = True) -> str:
    env = {**os.environ, "PYTHONWARNINGS": "always", "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-W", "always", "-m", "goldenrec", *args],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert (done.returncode == 0) == ok, done.stderr
    return done.stdout + done.stderr


def test_cli_commands_print_no_personal_values(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """``resolve`` and ``forget`` in a subprocess (real streams, ``-W always``), the
    other commands in-process (faster; their stdout and stderr are captured too)."""
    inputs = _write_inputs(tmp_path)
    ids = "--id", "crm=id,webshop=customer_no,support=contact_id"
    orders = "--date-order", "webshop=DMY,support=MDY"
    out = []
    out.append(_cli("resolve", *inputs, *ids, *orders, "-v", "--out", str(tmp_path / "o"),
                    "--store", str(tmp_path / "s.db"), "--save-pipeline",
                    str(tmp_path / "p.json"), "--mask-pii"))
    for name in ("golden", "lineage", "conflicts"):
        text = (tmp_path / "o" / f"{name}.csv").read_text(encoding="utf-8")
        assert not masked_leaks(text), (name, masked_leaks(text))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["quality", *inputs, *ids, *orders, "-v", "--out",
                     str(tmp_path / "q")]) == 0
        assert main(["report", *inputs, "--pipeline", str(tmp_path / "p.json"), "-v",
                     "--mask-pii", "--out", str(tmp_path / "r.html")]) == 0
        assert main(["update", "--store", str(tmp_path / "s.db"), "-v", inputs[0]]) == 0
    captured = capsys.readouterr()
    out.append(captured.out + captured.err + "".join(str(w.message) for w in caught))
    out.append(_cli("forget", "--store", str(tmp_path / "s.db"), "-v", "--source", "crm",
                    "C9999"))
    assert "forgotten" in out[-1] and "customers out" in out[0]
    found = [leaks(text) for text in out]
    assert not any(found), found


def test_cli_error_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = _write_inputs(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,email\n1,\"" + CANARY["email"] + "\n", encoding="utf-8")
    duplicate = tmp_path / "dup.csv"
    duplicate.write_text(f"id,email\n1,{CANARY['email']}\n1,{CANARY['email']}\n",
                         encoding="utf-8")
    pipeline_file = tmp_path / "p.json"
    pipeline_file.write_text(json.dumps({"format": CANARY["email"]}), encoding="utf-8")
    store = tmp_path / "s.db"
    store.write_text(CANARY["street"] * 50, encoding="utf-8")
    runs: list[list[str]] = [
        ["resolve", str(bad), "--id", "id"],
        ["resolve", str(duplicate), "--id", "id"],
        ["resolve", *inputs, "--id", "nope"],
        ["resolve", *inputs, "--pipeline", str(pipeline_file)],
        ["resolve", *inputs, "--id", "id", "--roles", "email=shoe"],
        ["quality", str(duplicate), "--id", "id", "-v"],
        ["update", "--store", str(store), inputs[0]],
        ["forget", "--store", str(store), "--source", "crm", "C9999"],
        ["report", *inputs, "--id", "id", "--truth", str(duplicate)],
        ["resolve", "--no-such-option"],
    ]
    for argv in runs:
        status = main(argv)
        assert status == 2, (argv, status)
    captured = capsys.readouterr()
    assert captured.err.count("error") >= len(runs) - 1
    assert not leaks(captured.out + captured.err), leaks(captured.out + captured.err)
    assert not leaks(_cli("resolve", str(bad), "--id", "id", ok=False))


def test_the_canary_detector_works() -> None:
    assert "+37129573184" in leaks("... +37129573184 ...")
    assert leaks("QORVELUX")
    assert not leaks("crm C9999 W-99999")
