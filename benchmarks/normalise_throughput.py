#!/usr/bin/env python3
"""Throughput of the normalise stage on seeded synthetic customer records.

Generates ``--rows`` records (default 1,000,000) in three sources with about 30% of
rows repeating an earlier customer's values: names with diacritics and in Cyrillic,
Greek, Hebrew, Arabic, Chinese and Japanese script, emails, phones in several national
formats with a country column, dates of birth in each source's own order, street
addresses. It maps them with :class:`goldenrec.SchemaMapper` and normalises them with
:class:`goldenrec.RecordNormaliser` (the real path), then prints per field the
normaliser, rows, distinct inputs (value and context: country, date order), seconds
and CPU seconds (this process and its worker processes: on a busy machine the CPU
seconds are the steadier figure) and CPU microseconds per distinct input, the total,
and the peak memory.

    .venv/bin/python benchmarks/normalise_throughput.py               # 1,000,000 rows
    .venv/bin/python benchmarks/normalise_throughput.py --rows 100000
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

import goldenrec as gr

SOURCES = (("crm", "DMY"), ("shop", "MDY"), ("support", "YMD"))
REPEAT_SHARE = 0.3

LATIN_SYLLABLES = (
    "an", "bel", "car", "da", "el", "fa", "gor", "han", "is", "jo", "ka", "lu", "ma",
    "ni", "ol", "pe", "qui", "ra", "sa", "to", "ur", "va", "wil", "xa", "yo", "ze",
    "mar", "tin", "son", "berg", "ler", "ric", "ana", "ste", "fan", "lin", "chen",
    "mü", "ļa", "bē", "zi", "ņš", "ča", "ñe", "ø", "å", "ł", "ś", "ğ", "ê", "ö", "ß",
    "ā", "ī", "ū", "ķe", "ģi", "ž", "é", "à",
)
ASCII_SYLLABLES = tuple(s for s in LATIN_SYLLABLES if s.isascii())
SCRIPTS = {
    "cyrillic": ("ан", "бо", "ва", "ги", "дми", "ев", "жо", "зи", "ив", "ко", "лю", "ми",
                 "на", "ол", "пе", "ро", "се", "та", "ус", "фе", "хо", "ша", "юр", "як"),
    "greek": ("αλ", "βα", "γι", "δη", "ελ", "ζω", "θε", "ια", "κω", "λε", "μα", "νι",
              "ξα", "οδ", "πα", "ρο", "σο", "τα", "υπ", "φι", "χρ", "ψα", "ωρ"),
    "hebrew": ("אב", "בר", "גד", "דן", "הל", "ור", "זי", "חן", "טל", "יע", "כה", "לו",
               "מי", "נע", "סה", "עמ", "פר", "צב", "קר", "רו", "שי", "תמ"),
    "arabic": ("عب", "بد", "تر", "جم", "حس", "خل", "دي", "رش", "زي", "سع", "شم", "صا",
               "ضي", "طه", "ظا", "عل", "غا", "فا", "قا", "كر", "لي", "مح", "نو", "يا"),
    "chinese": ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "伟", "芳",
                "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛"),
    "japanese": ("佐", "藤", "鈴", "木", "高", "橋", "田", "中", "伊", "渡", "辺", "山",
                 "本", "小", "林", "加", "太", "郎", "花", "子", "美", "健", "翔", "愛"),
}
DOMAINS = ("example.com", "mail.example.org", "example.de", "example.lv", "example.co.uk",
           "example.jp", "example.fr", "example.net", "gmail.com", "outlook.com")
STREETS = ("Baker Street", "High Street", "Hauptstraße", "Brīvības iela", "Rue de la Paix",
           "Calle Mayor", "Main St.", "Bahnhofstrasse", "ul. Marszałkowska", "Elm Road",
           "Königsallee", "Krišjāņa Barona iela", "Avenue des Champs-Élysées",
           "Via Roma", "Sunset Blvd", "Kurfürstendamm", "Oak Lane", "Station Road")
COUNTRIES = ("GB", "DE", "US", "FR", "LV", "JP", "AU", "IN")


def _choice(rng: np.random.Generator, options: Sequence[str], n: int) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.integers(0, len(options), n)]


def _words(rng: np.random.Generator, syllables: Sequence[str], n: int, low: int,
           high: int) -> list[str]:
    """``n`` words of ``low``..``high`` syllables each."""
    counts = rng.integers(low, high + 1, n)
    picks = _choice(rng, syllables, int(counts.sum()))
    ends = np.cumsum(counts)
    return ["".join(picks[end - count:end]) for end, count in zip(ends, counts)]


def _names(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    """Names (mostly Latin with diacritics, 12% other scripts) and an ASCII stem each."""
    names = [w.capitalize() for w in _words(rng, LATIN_SYLLABLES, n, 3, 4)]
    stems = _words(rng, ASCII_SYLLABLES, n, 2, 3)
    script_of = rng.random(n)
    scripts = list(SCRIPTS)
    for i, script in enumerate(scripts):
        rows = np.flatnonzero((script_of >= i * 0.02) & (script_of < (i + 1) * 0.02))
        high = 2 if script in ("chinese", "japanese") else 3
        for row, word in zip(rows, _words(rng, SCRIPTS[script], len(rows), 1, high)):
            names[row] = word
    shout = rng.random(n)
    return ([name.upper() if s < 0.05 else name.lower() if s < 0.08 else name
             for name, s in zip(names, shout)], stems)


def _phones(rng: np.random.Generator, country: np.ndarray) -> list[str | None]:
    n = len(country)
    digits = rng.integers(0, 10, (n, 10)).astype(str)
    d = ["".join(row) for row in digits]
    style = rng.random(n)
    out: list[str | None] = []
    for c, x, s in zip(country, d, style):
        if s < 0.04:
            out.append(None)
        elif s < 0.07:
            out.append(x[:4])  # too short
        elif c == "GB":
            out.append(f"07{x[0] if x[0] not in '06' else '7'}{x[1:3]} {x[3:9]}"
                       if s < 0.6 else f"+44 20 7{x[:3]} {x[3:7]}")
        elif c == "DE":
            out.append(f"030 {x[:8]}" if s < 0.6 else f"+49 151 {x[:8]}")
        elif c == "US":
            out.append(f"(212) {(int(x[0]) % 8) + 2}{x[1:3]}-{x[3:7]}" if s < 0.6
                       else f"+1 415 {(int(x[0]) % 8) + 2}{x[1:3]} {x[3:7]}")
        elif c == "FR":
            out.append(f"06 {x[0:2]} {x[2:4]} {x[4:6]} {x[6:8]}" if s < 0.6
                       else f"0033 1 {x[0:2]} {x[2:4]} {x[4:6]} {x[6:8]}")
        elif c == "LV":
            out.append(f"2{x[:3]} {x[3:7]}" if s < 0.6 else f"+371 2{x[:7]}")
        elif c == "JP":
            out.append(f"090-{x[:4]}-{x[4:8]}" if s < 0.6 else f"+81 3-{x[:4]}-{x[4:8]}")
        elif c == "AU":
            out.append(f"04{x[:2]} {x[2:5]} {x[5:8]}" if s < 0.6 else f"+61 2 {x[:4]} {x[4:8]}")
        else:
            out.append(f"9{x[:4]} {x[4:9]}" if s < 0.6 else f"+91 80 {x[:4]} {x[4:8]}")
    return out


def _dates(rng: np.random.Generator, people: np.ndarray,
           source: np.ndarray) -> list[str | None]:
    """Each customer's date of birth, written in the order of the row's source."""
    n = int(people.max()) + 1 if len(people) else 0
    days = rng.integers(0, 80 * 365, n)
    base = np.datetime64("1935-01-01") + days.astype("timedelta64[D]")
    years = (base.astype("datetime64[Y]").astype(int) + 1970)[people]
    months = (base.astype("datetime64[M]").astype(int) % 12 + 1)[people]
    dom = ((base - base.astype("datetime64[M]")).astype(int) + 1)[people]
    noise = rng.random(n)[people]
    out: list[str | None] = []
    for src, y, m, d, s in zip(source, years, months, dom, noise):
        if s < 0.03:
            out.append(None)
        elif s < 0.05:
            out.append(f"31/02/{y}")
        elif s < 0.06:
            out.append("1900-01-01")
        elif src == "crm":
            out.append(f"{d:02d}.{m:02d}.{y}" if s < 0.5 else f"{d}/{m}/{y}")
        elif src == "shop":
            out.append(f"{m:02d}/{d:02d}/{y}" if s < 0.5 else f"{m}/{d}/{str(y)[2:]}")
        else:
            out.append(f"{y}-{m:02d}-{d:02d}")
    return out


def generate(rows: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    """``rows`` synthetic records in three sources; about 30% repeat earlier values."""
    rng = np.random.default_rng(seed)
    distinct = max(1, round(rows * (1 - REPEAT_SHARE)))
    first, first_stem = _names(rng, distinct)
    last, last_stem = _names(rng, distinct)
    number = rng.integers(1, 1000, distinct)
    domain = _choice(rng, DOMAINS, distinct)
    noise = rng.random(distinct)
    emails: list[str | None] = []
    for given, family, k, dom, s in zip(first_stem, last_stem, number, domain, noise):
        if s < 0.04:
            emails.append(None)
        elif s < 0.07:
            emails.append(f"{given}.{family}{k}.{dom}")  # no @
        elif s < 0.12:
            emails.append(f"{given.upper()}.{family.capitalize()}{k}@{dom.upper()}")
        else:
            emails.append(f"{given}.{family}{k}@{dom}")
    country = _choice(rng, COUNTRIES, distinct)
    street_no = rng.integers(1, 2000, distinct)
    street = _choice(rng, STREETS, distinct)
    flat = rng.integers(1, 40, distinct)
    addresses = [f"{no} {st}" if fl > 8 else f"{st} {no}, Apt {fl}"
                 for no, st, fl in zip(street_no, street, flat)]
    people = np.arange(rows)
    repeats = rng.random(rows) < REPEAT_SHARE
    people[~repeats] = np.arange(int((~repeats).sum())) % distinct
    people[repeats] = rng.integers(0, distinct, int(repeats.sum()))
    source = _choice(rng, [name for name, _ in SOURCES], rows)
    frame = pd.DataFrame({
        "source": source,
        "id": [f"r{i}" for i in range(rows)],
        "given_name": np.asarray(first, dtype=object)[people],
        "surname": np.asarray(last, dtype=object)[people],
        "email": np.asarray(emails, dtype=object)[people],
        "phone": np.asarray(_phones(rng, country), dtype=object)[people],
        "country": country[people],
        "dob": _dates(rng, people, source),
        "address": np.asarray(addresses, dtype=object)[people],
    })
    return {name: group.drop(columns="source").reset_index(drop=True)
            for name, group in frame.groupby("source", sort=True)}


def run(rows: int, seed: int, n_jobs: int | None) -> None:
    started = time.perf_counter()
    frames = generate(rows, seed)
    generated = time.perf_counter() - started
    sources = [gr.Source(name, key="id", date_order=order)  # type: ignore[arg-type]
               for name, order in SOURCES]
    started = time.perf_counter()
    mapped = gr.SchemaMapper(sources).map(frames)
    mapping = time.perf_counter() - started
    normaliser = gr.RecordNormaliser(n_jobs=n_jobs)
    started, cpu_started = time.perf_counter(), _cpu()
    normalised = normaliser.normalise(mapped)
    total, total_cpu = time.perf_counter() - started, _cpu() - cpu_started
    wall: dict[str, float] = normaliser.timings_
    cpu: dict[str, float] = normaliser.cpu_timings_
    raw = mapped.frame
    width = 86
    lines = [f"{'field':<15}{'normaliser':<22}{'rows':>10}{'distinct':>10}"
             f"{'seconds':>9}{'cpu s':>8}{'µs/input':>12}", "-" * width]
    for field in normalised.roles:
        name = type(normaliser.normaliser_for(field)).__name__
        if field not in raw.columns:  # derived from another field (e.g. house numbers)
            lines.append(f"{field:<15}{name:<22}{'(derived, timed with its source)':>49}")
            continue
        distinct = _distinct_inputs(field, raw, normalised.frame)
        per_value = f"{cpu.get(field, 0.0) / distinct * 1e6:,.1f}" if distinct else ""
        lines.append(f"{field:<15}{name:<22}{len(raw):>10,}{distinct:>10,}"
                     f"{wall.get(field, 0.0):>9.2f}{cpu.get(field, 0.0):>8.2f}"
                     f"{per_value:>12}")
    if "frequency" in wall:
        lines.append(f"{'(frequency)':<15}{'too_frequent check':<42}"
                     f"{wall['frequency']:>9.2f}{cpu['frequency']:>8.2f}")
    own_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    statuses = normalised.quality().groupby("status").size().to_dict()
    lines += [
        "-" * width,
        f"{'normalise total':<37}{len(raw):>10,}{'':>10}{total:>9.2f}{total_cpu:>8.2f}",
        f"schema mapping {mapping:.2f}s; data generation {generated:.2f}s (not counted)",
        f"peak RSS {own_mib:,.0f} MiB (largest worker process {worker_mib:,.0f} MiB); "
        f"{_cpus()} CPU(s) available; load average {os.getloadavg()[0]:.1f}",
        f"statuses: {statuses}",
    ]
    print("\n".join(lines))


def _distinct_inputs(field: str, raw: pd.DataFrame, records: pd.DataFrame) -> int:
    """Distinct (value, context) inputs, as the normaliser sees them."""
    columns = [raw[field]]
    if field in ("phone", "street", "postcode") and "country" in records.columns:
        columns.append(records["country"])
    if field in ("date_of_birth", "updated_at"):
        columns.append(raw["source"].map(dict(SOURCES)))
    frame = pd.DataFrame({f"c{i}": c.to_numpy(dtype=object) for i, c in enumerate(columns)})
    return len(frame[frame["c0"].notna()].drop_duplicates())


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to generate")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument("--n-jobs", type=int, default=None,
                        help="worker processes (default: every available CPU; 1: none)")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be positive")
    run(args.rows, args.seed, args.n_jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
