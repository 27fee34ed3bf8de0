"""Export -> import gives back the same content hash, for awkward scenarios too."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench import schema
from workbench.excel import read_workbook, write_workbook
from workbench.scenario import Scenario, make_table

AWKWARD = ["日本語のプロジェクト", "半導体工場 🚀🔋", "=SUM(A1:A3)", "+81 3 1234", "-minus", "@handle", "bell\x07",
           "nul\x00byte", "tab\tand\nnewline", "cr\ronly", "_x0041_ literal", "x" * 10_000, " padded ", "'quote",
           "#REF!", "#N/A", "1,200", "TRUE", "0.1", "ﬁ ligature", "\u200bzero width", "\x7f\x85\u2028"]
free_text = st.one_of(st.sampled_from(AWKWARD),
                      # Lone surrogates and U+FFFE/U+FFFF cannot be stored in a workbook at all: export refuses
                      # them with a message (tests/excel/test_export.py), so this round trip draws everything else.
                      st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\ufffe\uffff"),
                              min_size=1, max_size=40))
SECTOR_NAMES = ["Semiconductors", "半導体", "Data centers 🚀", "Biotech & pharma", "Énergie", "=Chips", "#N/A sector",
                "@Grid"]
key_text = st.text(alphabet=st.characters(categories=("L", "N"), include_characters="-_ 🚀"), min_size=1,
                   max_size=12).map(str.strip).filter(bool)


def finite(lo: float, hi: float):
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False,
                     allow_subnormal=lo <= 0 <= hi)


@st.composite
def scenarios(draw) -> Scenario:
    sectors = draw(st.lists(st.sampled_from(SECTOR_NAMES), min_size=1, max_size=4, unique=True))
    start = draw(st.integers(2000, 2090))
    horizon = draw(st.integers(1, 10))
    fields = {c.name: None for c in schema.SCENARIO_FIELDS.columns}
    fields.update({
        "Name": draw(free_text.filter(lambda s: s.strip())), "Description": draw(st.none() | free_text),
        "Author": draw(st.none() | free_text), "Programme size (USD bn)": draw(finite(1e-9, 1e12)),
        "Start year": start, "Horizon (years)": horizon, "Discount rate": draw(st.none() | finite(0, 0.5)),
        "Trials": draw(st.none() | st.integers(1000, 10_000_000)), "Random seed": draw(st.integers(0, 2**53)),
        "Allocation method": draw(st.sampled_from(schema.METHODS)),
        "Target expected P&L (USD m)": draw(st.none() | finite(-1e15, 1e15)),
    })
    sector_rows = [{"Sector": s, "Expected return": draw(finite(-0.999999, 1)), "Volatility": draw(finite(0, 1)),
                    "Jobs per USD m": draw(st.none() | finite(0, 1e9))} for s in sectors]
    n = draw(st.integers(1, 5))
    ids = draw(st.lists(key_text, min_size=n, max_size=n, unique_by=str.lower))
    projects = []
    for pid in ids:
        req = draw(finite(1e-6, 1e15).filter(lambda x: x > 0))
        ticket, alloc = draw(st.none() | finite(0, 1)), draw(st.none() | finite(0, 1))
        projects.append({
            "ID": pid, "Project": draw(st.none() | free_text), "Sector": draw(st.sampled_from(sectors)),
            "Sponsor": draw(st.none() | free_text), "State": draw(st.none() | st.sampled_from(["TX", "Ohio", "ny"])),
            "Instrument": draw(st.none() | st.sampled_from(schema.INSTRUMENTS)), "Requested (USD m)": req,
            "Minimum ticket (USD m)": None if ticket is None else ticket * req,
            "Expected return": draw(st.none() | finite(-0.5, 1)), "Specific risk": draw(st.none() | finite(0, 1)),
            "Strategic score": draw(st.none() | finite(0, 10)), "Include": draw(st.booleans()),
            "Start year": draw(st.none() | st.integers(start, start + horizon - 1).map(float)),
            "Allocated (USD m)": None if alloc is None else alloc * req,
        })
    events = [{"Event": e, "Annual probability": draw(finite(0, 1)), "Duration (years)": draw(st.integers(1, 5)),
               **{s: draw(st.none() | finite(-5, 5)) for s in sectors}}
              for e in draw(st.lists(key_text, max_size=2, unique_by=str.lower))]
    corr = None
    if draw(st.booleans()):
        rho = draw(finite(0, 0.9))
        m = np.full((len(sectors), len(sectors)), rho)
        np.fill_diagonal(m, 1.0)
        corr = pd.DataFrame(m, index=sectors, columns=sectors)
    return Scenario(fields=fields, sectors=make_table("Sectors", sector_rows),
                    projects=make_table("Projects", projects), financing=make_table("Financing", []),
                    constraints=make_table("Constraints", []),
                    risk_events=make_table("Risk events", events, extra=sectors), correlations=corr)


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenarios())
def test_export_then_import_gives_the_same_content_hash(scn):
    from workbench.validation import validate

    assert not [i for i in validate(scn) if i.is_error], "the generator makes valid scenarios"
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "s.xlsx"
        write_workbook(path, scn)
        got = read_workbook(path)
    assert got.ok, [i.text() for i in got.errors]
    assert _differences(got.scenario.canonical(), scn.canonical()) == []
    assert got.scenario.content_hash() == scn.content_hash()


def _differences(a, b, path="") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b), key=str) for d in _differences(a.get(k), b.get(k), f"{path}/{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r:.80} != {b!r:.80}"]
